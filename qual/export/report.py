"""The Word report of a framework matrix: per theme and code, the definition, how many cases
and segments (SW vs TM), and a few illustrative quotes chosen for strength and variety.

Headings use Word's built-in Heading 1/2 styles, and a table-of-contents field lists them as
Word writes one (see ``TableOfContents``): filled in with links to the headings, so it reads in
any viewer; LibreOffice fills in the page numbers, Word on opening.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..errors import QualError
from ..files import atomic_path
from .cases import ROLE_NAMES
from .matrix import FrameworkMatrix
from .provenance import DATE_LABEL, provenance_rows, timestamp

if TYPE_CHECKING:
    import pandas as pd

QUOTES_PER_CODE = 3
MIN_WORDS = 12  # shorter segments rarely say anything on their own
IDEAL_WORDS = (20, 120)
MAX_QUOTE_WORDS = 120  # longer quotes are cut at a sentence end, marked [...]
NEAR_DUPLICATE = 85  # rapidfuzz token_set_ratio at which two quotes say the same thing
TOC_INSTRUCTION = r'TOC \o "1-2" \h \z \u'


# --------------------------------------------------------------------------- quotes


def _words(text: str) -> int:
    return len(text.split())


def quote_strength(row: Mapping[str, Any]) -> float:
    """How well a coded segment illustrates its code: its score, whether a person accepted it,
    whether a participant said it, and a length that reads well in a report."""
    score = row.get("score")
    strength = 0.5 if score is None or (isinstance(score, float) and math.isnan(score)) else float(score)
    strength = min(max(strength, 0.0), 1.0)
    if row.get("status") == "accepted":
        strength += 0.25
    if str(row.get("role", "")).lower() == "interviewer":
        strength *= 0.3
    words = _words(str(row.get("text", "")))
    low, high = IDEAL_WORDS
    if words < MIN_WORDS:
        strength *= 0.3
    elif words < low:
        strength *= 0.7 + 0.3 * (words - MIN_WORDS) / max(1, low - MIN_WORDS)
    elif words > high:
        strength *= max(0.4, high / words)
    return strength


CANDIDATES = 60  # the strongest quotes of a code that the variety rules choose among


def choose_quotes(quotes: "pd.DataFrame", n: int = QUOTES_PER_CODE) -> "pd.DataFrame":
    """Up to ``n`` illustrative quotes: strongest first, then preferring other cases and the
    other role group, never two that say nearly the same thing."""
    from rapidfuzz import fuzz

    if quotes.empty or n <= 0:
        return quotes.iloc[0:0]
    strength = [quote_strength(r) for r in
                quotes[["score", "status", "role", "text"]].to_dict("records")]
    candidates = quotes.assign(_strength=strength, _row=range(len(quotes)))
    candidates = candidates.sort_values(["_strength", "reference"], ascending=[False, True], kind="stable")
    records = candidates.head(CANDIDATES).to_dict("records")
    groups_available = {r.get("group") for r in records}
    chosen: list[dict] = []
    taken: set[int] = set()
    while len(chosen) < n:
        best, best_value = None, -1.0
        chosen_cases = {r["case"] for r in chosen}
        chosen_groups = {r.get("group") for r in chosen}
        for record in records:
            if record["_row"] in taken:
                continue
            value = record["_strength"]
            if record["case"] in chosen_cases:
                value *= 0.35
            if record.get("group") in chosen_groups and groups_available - chosen_groups:
                value *= 0.75
            if value <= best_value:
                continue
            text = str(record.get("text", ""))
            if any(fuzz.token_set_ratio(text, str(c.get("text", ""))) >= NEAR_DUPLICATE for c in chosen):
                continue
            best, best_value = record, value
        if best is None:
            break
        chosen.append(best)
        taken.add(best["_row"])
    picked = candidates.set_index("_row").loc[[r["_row"] for r in chosen]]
    return picked.drop(columns=["_strength"]).reset_index(drop=True)


def excerpt(text: str, max_words: int = MAX_QUOTE_WORDS) -> str:
    """The quote, or its beginning up to a sentence end near ``max_words``, marked [...]."""
    text = " ".join(text.split())
    words = text.split(" ")
    if len(words) <= max_words:
        return text
    cut = " ".join(words[:max_words])
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", cut)]
    if ends and ends[-1] > len(cut) * 0.4:
        cut = cut[: ends[-1]]
    return cut.rstrip(" ,;:") + " [...]"


# --------------------------------------------------------------------------- Word helpers


class TableOfContents:
    """A table of contents as Word writes one: a ``TOC`` field in a content control marked as
    the document's table of contents, each entry a link to a bookmark on its heading. It reads
    (and its links work) in any viewer and in a PDF; Word adds the page numbers when it updates
    the field on opening (it asks), LibreOffice when its indexes are updated. The entries carry
    no ``PAGEREF`` fields of their own: their result would be empty until then, and the field
    code's capitals read as a name to ``qual check``."""

    def __init__(self, entries: list[tuple[int, str]]) -> None:
        self.entries = entries
        self.bookmarks = [f"_Toc{100000001 + i}" for i in range(len(entries))]
        self._next = 0

    def write(self, document) -> None:
        """The contents block, at the end of ``document`` so far."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        _toc_styles(document)
        body = document.element.body
        sdt = OxmlElement("w:sdt")
        properties = OxmlElement("w:sdtPr")
        part = OxmlElement("w:docPartObj")
        gallery = OxmlElement("w:docPartGallery")
        gallery.set(qn("w:val"), "Table of Contents")
        part.append(gallery)
        part.append(OxmlElement("w:docPartUnique"))
        properties.append(part)
        sdt.append(properties)
        content = OxmlElement("w:sdtContent")
        sdt.append(content)
        heading = document.add_paragraph("Contents", style="TOC Heading")
        content.append(heading._p)
        paragraphs = []
        for i, (level, text) in enumerate(self.entries):
            paragraph = document.add_paragraph(style=f"TOC {min(level, 2)}")
            if i == 0:
                _field_start(paragraph, TOC_INSTRUCTION)
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), self.bookmarks[i])
            link.set(qn("w:history"), "1")
            link.append(_run(text))
            paragraph._p.append(link)
            paragraphs.append(paragraph)
            content.append(paragraph._p)
        if not paragraphs:
            paragraph = document.add_paragraph(style="TOC 1")
            _field_start(paragraph, TOC_INSTRUCTION)
            paragraph.add_run("Right-click and choose Update Field to build the table of contents.")
            paragraphs.append(paragraph)
            content.append(paragraph._p)
        _field_end(paragraphs[-1])
        sect = body.find(qn("w:sectPr"))
        if sect is not None:
            sect.addprevious(sdt)
        else:
            body.append(sdt)
        settings = document.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    def heading(self, document, text: str, level: int):
        """Add the next heading, with the bookmark its entry links to."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph = document.add_heading(text, level=level)
        if self._next < len(self.entries) and self.entries[self._next] == (level, text):
            start = OxmlElement("w:bookmarkStart")
            start.set(qn("w:id"), str(self._next + 1))
            start.set(qn("w:name"), self.bookmarks[self._next])
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), str(self._next + 1))
            paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
            paragraph._p.append(end)
            self._next += 1
        return paragraph


def _toc_styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Inches

    styles = {s.name for s in document.styles}
    for level in (1, 2):
        name = f"TOC {level}"
        if name not in styles:
            style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.paragraph_format.left_indent = Inches(0.25 * (level - 1))
            style.paragraph_format.space_after = 0
        # page numbers (once Word has updated the field) at the right margin, after a dotted leader
        document.styles[name].paragraph_format.tab_stops.add_tab_stop(
            Inches(6.3), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def _run(text: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    run.append(element)
    return run


def _char(kind: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _instruction(text: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {text} "
    run.append(instruction)
    return run


def _field_start(paragraph, instruction: str) -> None:
    """Open a field whose result follows (the TOC's result is its entries, up to ``_field_end``)."""
    for element in (_char("begin"), _instruction(instruction), _char("separate")):
        paragraph._p.append(element)


def _field_end(paragraph) -> None:
    paragraph._p.append(_char("end"))


def _blank_properties(document, title: str) -> None:
    # python-docx's template names its own author and dates; the report says only what it is.
    props = document.core_properties
    props.author = "qual"
    props.last_modified_by = "qual"
    props.title = title
    props.subject = props.keywords = props.comments = props.category = ""
    props.revision = 1
    props.created = props.modified = timestamp()


def _table(document, header: list[str], rows: list[list[Any]], widths: list[float] | None = None):
    from docx.shared import Inches, Pt

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light List Accent 1"
    table.autofit = widths is None
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = str(text)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "" if value is None else str(value)
    if widths:  # the grid is what LibreOffice reads, the cell widths what Word reads
        for column, width in zip(table.columns, widths):
            column.width = Inches(width)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            if widths:
                cell.width = Inches(widths[i])
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    return table


def _share(k: int, n: int) -> str:
    return f"{k} of {n}" if n else "0"


# --------------------------------------------------------------------------- the report


def write_report(
    matrix: FrameworkMatrix,
    path: str | Path,
    *,
    heatmap: str | Path | None = None,
    summaries: Mapping[tuple[str, str], Any] | None = None,
    quotes_per_code: int = QUOTES_PER_CODE,
    title: str | None = None,
) -> Path:
    """Write the Word report of ``matrix`` to ``path`` (atomically) and return the path.

    ``heatmap``: a PNG (``write_heatmap``) shown in the overview. ``summaries``: analysts'
    summaries by (case, code), e.g. ``WriteReport.summaries``, listed under each code.
    """
    import docx
    from docx.shared import Inches, Pt, RGBColor

    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise QualError(f"{path}: the report is a Word document; give a name ending in .docx")
    title = title or f"Framework analysis: {matrix.codebook.name}"
    summaries = summaries or {}
    document = docx.Document()
    _blank_properties(document, title)
    document.styles["Normal"].font.size = Pt(10.5)

    cases = matrix.cases
    group_sizes = {g: int((cases["group"] == g).sum()) for g in matrix.groups}
    segments = matrix.quotes[["document", "segment"]].drop_duplicates().shape[0]
    document.add_heading(title, level=0)
    intro = document.add_paragraph(
        f"{len(cases)} cases ("
        + ", ".join(f"{n} {ROLE_NAMES.get(g, g)}" for g, n in group_sizes.items())
        + f"), {segments} coded segments, {len(matrix.code_list)} codes in {len(matrix.theme_list)} themes. "
        f"Codes shown: {matrix.status_note}.")
    intro.runs[0].font.size = Pt(10)
    if matrix.status == "all" and (matrix.quotes["status"] == "suggested").any():
        note = document.add_paragraph()
        run = note.add_run("These codes include unreviewed machine suggestions. Check the quotes against "
                           "the transcripts before citing them; accept or reject suggestions in "
                           "codings.xlsx and regenerate for a report of reviewed codes.")
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    entries: list[tuple[int, str]] = [(1, "Overview")]
    for theme in matrix.theme_list:
        entries.append((1, _theme_heading(theme)))
        entries += [(2, _code_heading(code)) for code in matrix.codes_of(theme.id)]
    entries.append((1, "About this report"))
    contents = TableOfContents(entries)
    contents.write(document)

    contents.heading(document, "Overview", 1)
    groups = matrix.groups
    header = ["Code"] + [f"{g} cases (n={group_sizes[g]})" for g in groups] + ["All cases", "Segments"]
    rows = []
    for code in matrix.code_list:
        record = matrix.role_comparison.loc[code.id]
        rows.append([f"{code.id} {code.name}"]
                    + [_share(int(record[f"{g} cases with code"]), group_sizes[g]) for g in groups]
                    + [_share(int(record["All cases with code"]), len(cases)), int(record["All segments"])])
    other = min(0.9, 3.7 / (len(groups) + 2))
    _table(document, header, rows, widths=[6.3 - other * (len(groups) + 2)] + [other] * (len(groups) + 2))
    if heatmap is not None and Path(heatmap).is_file():
        document.add_paragraph()
        document.add_picture(str(heatmap), width=Inches(6.3))
        document.add_paragraph("Coded segments per case and code (left) and share of cases with each "
                               "code by role (right).", style="Caption")

    for theme in matrix.theme_list:
        contents.heading(document, _theme_heading(theme), 1)
        if theme.description:
            document.add_paragraph(theme.description)
        for code in matrix.codes_of(theme.id):
            _code_section(document, matrix, code, group_sizes, summaries, quotes_per_code, contents)

    contents.heading(document, "About this report", 1)
    document.add_paragraph(
        "Quotes are verbatim from the de-identified transcripts; each is followed by its reference "
        "(case, turn and, where recorded, time) and the speaker's role. Illustrative quotes are chosen "
        "for strength (suggestion score, reviewed codes first, a readable length) and variety (different "
        "cases and roles, no near-duplicates). The full set of quotes is in the framework workbook.")
    # The date is in the document's properties, not its text (see provenance_rows).
    rows = [[label, value] for label, value in provenance_rows(matrix) if label != DATE_LABEL]
    _table(document, ["Item", "Value"], rows, widths=[1.8, 4.6])

    with atomic_path(path) as tmp:
        document.save(str(tmp))
    return path


def _theme_heading(theme) -> str:
    return theme.name if theme.name == theme.id else f"{theme.name} ({theme.id})"


def _code_heading(code) -> str:
    return code.name if code.name == code.id else f"{code.name} ({code.id})"


def _code_section(document, matrix: FrameworkMatrix, code, group_sizes: dict[str, int],
                  summaries: Mapping[tuple[str, str], Any], quotes_per_code: int, contents: TableOfContents) -> None:
    from docx.shared import Pt

    contents.heading(document, _code_heading(code), 2)
    for label, text in (("Definition", code.definition), ("Include", code.include), ("Exclude", code.exclude)):
        if text:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(text)
    record = matrix.role_comparison.loc[code.id]
    parts = [f"{_share(int(record[f'{g} cases with code']), n)} {ROLE_NAMES.get(g, g)} "
             f"({int(record[f'{g} segments'])} segments)" for g, n in group_sizes.items()]
    stats = document.add_paragraph()
    stats.add_run("Coded in: ").bold = True
    stats.add_run(f"{int(record['All cases with code'])} of {len(matrix.cases)} cases, "
                  f"{int(record['All segments'])} segments; " + "; ".join(parts) + ".")
    quotes = matrix.quotes[matrix.quotes["code"] == code.id]
    if quotes.empty:
        document.add_paragraph("No segment was coded with this code.").runs[0].italic = True
    for record in choose_quotes(quotes, quotes_per_code).to_dict("records"):
        paragraph = document.add_paragraph(style="Quote")
        paragraph.add_run(f"\u201c{excerpt(str(record['text']))}\u201d")
        who = record.get("group") or ""
        reference = paragraph.add_run(f" ({record['reference']}{'; ' + who if who else ''})")
        reference.italic = False
        reference.font.size = Pt(9)
    written = [(case, value) for (case, code_id), value in summaries.items()
               if code_id == code.id and value not in (None, "")]
    if written:
        document.add_paragraph().add_run("Analysts' summaries").bold = True
        for case, value in written:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{case}: ").bold = True
            paragraph.add_run(str(value))
