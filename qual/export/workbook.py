"""The framework matrix as an Excel workbook that analysts work in.

Sheets: one per theme (cases in rows grouped by role, each code's quotes beside a yellow
summary column), Orphaned summaries when there are any, then Counts (segments),
Counts (yes-no), SW vs TM, Co-occurrence, Quotes, Code definitions (the codebook) and
Provenance.

Re-writing onto an existing workbook keeps every summary (see ``qual.export.summaries``).
The workbook is streamed (openpyxl write-only mode) so a 100-interview matrix with tens of
thousands of quotes stays fast and small in memory.
"""

from __future__ import annotations

import datetime
import logging
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import QualError
from ..files import atomic_path
from ..text import MAX_ROW_HEIGHT, fit_cell, lines_that_fit, row_height
from .cases import ROLE_NAMES
from .matrix import ATTRIBUTE_LABELS, FrameworkMatrix, fit_quotes
from .provenance import provenance_rows
from .sheets import (
    ROWS_MARKER, Styles, cell_fragments, column_letter, is_na, new_sheet, sheet_title, splice_rows, styled_cell,
)
from .summaries import (
    CASE_HEADER, GROUP_PREFIX, ORPHAN_COLUMNS, ORPHAN_SHEET, Summary, place_summaries, read_summary_list,
    summary_header,
)

log = logging.getLogger("qual.export.workbook")

CODEBOOK_SHEET = "Code definitions"
OVERVIEW_SHEETS = ("Counts (segments)", "Counts (yes-no)", "SW vs TM", "Co-occurrence", "Quotes",
                   CODEBOOK_SHEET, "Provenance")
QUOTES_SHEET = "Quotes"
MAX_LEGEND_HEIGHT = 150.0
WIDTH = {"case": 12, "attribute": 16, "quote": 60, "summary": 42, "count": 7}


@dataclass
class WriteReport:
    """What ``write_matrix_workbook`` did."""

    path: Path
    sheets: list[str]
    summaries_kept: int = 0
    orphaned: list[Summary] = field(default_factory=list)
    restored: list[Summary] = field(default_factory=list)
    truncated_cells: int = 0
    backup: Path | None = None
    summaries: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def orphaned_lines(self) -> list[str]:
        """One line per orphaned summary, naming case, code and why (never its text)."""
        return [f"{s.case} / {s.code} (was {s.sheet}!{s.cell}): {s.reason}" for s in self.orphaned]


def group_label(group: str) -> str:
    """The Case-column label of a role group's row (summaries typed there are kept too)."""
    return f"{GROUP_PREFIX}{group}"


# --------------------------------------------------------------------------- sheets


def _theme_sheet(wb, title: str, matrix: FrameworkMatrix, theme, summaries: dict, styles: Styles) -> int:
    codes = matrix.codes_of(theme.id)
    attributes = matrix.attributes
    n_attr = 1 + len(attributes)
    # Printed (or saved as PDF): A4 landscape, the page's width, the header row on every page.
    ws = new_sheet(wb, title, freeze=f"{column_letter(n_attr + 1)}4",
                   rows=3 + len(matrix.cases) + len(matrix.groups), columns=n_attr + 2 * len(codes),
                   title_rows="3:3", title_columns=f"A:{column_letter(n_attr)}")
    widths = [WIDTH["case"]] + [WIDTH["attribute"] if a != "role" else 8 for a in attributes]
    for _ in codes:
        widths += [WIDTH["quote"], WIDTH["summary"]]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[column_letter(i)].width = width
    last_col = column_letter(len(widths))
    colour = (theme.colour or "").lstrip("#")
    if re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
        ws.sheet_properties.tabColor = colour

    ws.row_dimensions[1].height = 22
    ws.append([styled_cell(ws, f"{theme.name} ({theme.id})" if theme.name != theme.id else theme.id,
                     font=styles.title)])
    legend = [styled_cell(ws, (theme.description + "\n\n" if theme.description else "")
                    + "Write in the yellow Summary columns: 'qual matrix' keeps every summary when it "
                    "regenerates this workbook (matched by case and code).",
                    font=styles.legend_font, alignment=styles.wrap, fill=styles.legend_fill)]
    legend += [styled_cell(ws, None, fill=styles.legend_fill) for _ in attributes]
    legend_values: list[tuple[Any, float]] = [(legend[0].value, sum(widths[:n_attr]))]
    for code in codes:
        text = code.definition or ""
        if code.include:
            text += f"\nInclude: {code.include}"
        if code.exclude:
            text += f"\nExclude: {code.exclude}"
        text = text.strip() or "(no definition in the codebook)"
        legend.append(styled_cell(ws, text, font=styles.legend_font, alignment=styles.wrap, fill=styles.legend_fill))
        legend.append(styled_cell(ws, f"Your summary of what each case said about '{code.name}'",
                            font=styles.legend_font, alignment=styles.wrap, fill=styles.legend_fill))
        legend_values.append((text, WIDTH["quote"]))
    ws.row_dimensions[2].height = row_height(legend_values, cap=MAX_LEGEND_HEIGHT)
    ws.merged_cells.add(f"A2:{column_letter(n_attr)}2")
    ws.append(legend)

    header = [styled_cell(ws, CASE_HEADER, font=styles.header_font, fill=styles.header_fill,
                    alignment=styles.header_align, border=styles.border)]
    header += [styled_cell(ws, ATTRIBUTE_LABELS.get(a, a.replace("_", " ").capitalize()), font=styles.header_font,
                     fill=styles.header_fill, alignment=styles.header_align, border=styles.border)
               for a in attributes]
    for code in codes:
        header.append(styled_cell(ws, f"{code.id} {code.name}" if code.name != code.id else code.id,
                            font=styles.header_font, fill=styles.header_fill,
                            alignment=styles.header_align, border=styles.border))
        header.append(styled_cell(ws, summary_header(code.id), font=styles.header_font,
                            fill=styles.summary_header_fill, alignment=styles.header_align,
                            border=styles.border))
    ws.row_dimensions[3].height = 32
    ws.append(header)

    records = matrix.cases[attributes].to_dict("index")
    group_totals = matrix.counts.groupby(matrix.cases["group"]).sum()
    group_cases = matrix.presence.groupby(matrix.cases["group"]).sum()
    truncated = 0
    row_number = 3
    for group in matrix.groups:
        members = matrix.cases.index[matrix.cases["group"] == group]
        label = group_label(group)
        row = [styled_cell(ws, label, font=styles.bold, fill=styles.group_fill, border=styles.border)]
        for attribute in attributes:
            row.append(styled_cell(ws, group if attribute == "role" else None, font=styles.bold,
                             fill=styles.group_fill, border=styles.border))
        who = ROLE_NAMES.get(group, "cases")
        for code in codes:
            with_code = int(group_cases.loc[group, code.id])
            segments = int(group_totals.loc[group, code.id])
            row.append(styled_cell(ws, f"{with_code} of {len(members)} {who}; {segments} segments",
                             font=styles.bold, fill=styles.group_fill, border=styles.border))
            row.append(_summary_cell(ws, summaries.get((label, code.id)), styles))
        row_number += 1
        ws.append(row)
        for case in members:
            values = records[case]
            row = [styled_cell(ws, case, font=styles.bold, fill=styles.attribute_fill, alignment=styles.wrap,
                         border=styles.border)]
            row += [styled_cell(ws, values[a], fill=styles.attribute_fill, alignment=styles.wrap, border=styles.border)
                    for a in attributes]
            sizes: list[tuple[Any, float]] = []
            for code in codes:
                quotes = matrix.cell_quotes.get((case, code.id), [])
                # no more than the tallest row shows: the others are on the Quotes sheet
                text, shown = fit_quotes(quotes, width=WIDTH["quote"], max_lines=lines_that_fit()) \
                    if quotes else ("", 0)
                truncated += shown < len(quotes)
                row.append(styled_cell(ws, text, alignment=styles.wrap, border=styles.border))
                summary = summaries.get((case, code.id))
                row.append(_summary_cell(ws, summary, styles))
                sizes += [(text, WIDTH["quote"]), (summary.value if summary else None, WIDTH["summary"])]
            row_number += 1
            ws.row_dimensions[row_number].height = row_height(sizes)
            ws.append(row)
    ws.auto_filter.ref = f"A3:{last_col}{max(row_number, 4)}"
    return truncated


def _summary_cell(ws, summary: Summary | None, styles: Styles):
    # An analyst's value goes back exactly as it was read (text, number, date or formula).
    value = summary.value if summary else None
    number_format = "yyyy-mm-dd" if isinstance(value, (datetime.date, datetime.datetime)) else None
    return styled_cell(ws, value, fill=styles.summary_fill, alignment=styles.wrap, border=styles.border,
                 as_text=False, number_format=number_format)


def _shade(value: float, maximum: float, styles: Styles):
    if not value or maximum <= 0:
        return None
    return styles.shades[min(len(styles.shades) - 1, 1 + int(4 * value / maximum))]


def _case_table(wb, title: str, heading: str, matrix: FrameworkMatrix, styles: Styles, *, yes_no: bool) -> None:
    attributes = matrix.attributes
    codes = matrix.codes
    n_attr = 1 + len(attributes)
    ws = new_sheet(wb, title, freeze=f"{column_letter(n_attr + 1)}3", title_rows="2:2",
                    rows=2 + len(matrix.cases) + len(matrix.groups), columns=n_attr + len(codes))
    ws.column_dimensions["A"].width = WIDTH["case"]
    for i, attribute in enumerate(attributes, 2):
        ws.column_dimensions[column_letter(i)].width = 8 if attribute == "role" else WIDTH["attribute"]
    for i in range(len(codes)):
        ws.column_dimensions[column_letter(n_attr + 1 + i)].width = WIDTH["count"]
    ws.append([styled_cell(ws, heading, font=styles.title)])
    header = [styled_cell(ws, CASE_HEADER, font=styles.header_font, fill=styles.header_fill, border=styles.border)]
    header += [styled_cell(ws, ATTRIBUTE_LABELS.get(a, a), font=styles.header_font, fill=styles.header_fill,
                     border=styles.border) for a in attributes]
    header += [styled_cell(ws, code, font=styles.header_font, fill=styles.header_fill, alignment=styles.rotated,
                     border=styles.border) for code in codes]
    ws.row_dimensions[2].height = min(MAX_ROW_HEIGHT, 7 * max((len(c) for c in codes), default=4) + 10)
    ws.append(header)
    maximum = float(matrix.counts.values.max()) if matrix.counts.size else 0.0
    for group in matrix.groups:
        members = matrix.cases.index[matrix.cases["group"] == group]
        row = [styled_cell(ws, group_label(group), font=styles.bold, fill=styles.group_fill, border=styles.border)]
        row += [styled_cell(ws, group if a == "role" else None, font=styles.bold, fill=styles.group_fill,
                      border=styles.border) for a in attributes]
        for code in codes:
            value = (int(matrix.presence.loc[members, code].sum()) if yes_no
                     else int(matrix.counts.loc[members, code].sum()))
            row.append(styled_cell(ws, value, font=styles.bold, fill=styles.group_fill, alignment=styles.centre,
                             border=styles.border))
        ws.append(row)
        for case in members:
            row = [styled_cell(ws, case, font=styles.bold, border=styles.border)]
            row += [styled_cell(ws, matrix.cases.loc[case, a], border=styles.border) for a in attributes]
            for code in codes:
                count = int(matrix.counts.loc[case, code])
                value = ("yes" if count else "no") if yes_no else count
                row.append(styled_cell(ws, value, fill=_shade(count if not yes_no else (maximum if count else 0),
                                                        maximum, styles),
                                 alignment=styles.centre, border=styles.border))
            ws.append(row)
    last_row = 2 + len(matrix.cases) + len(matrix.groups)
    ws.auto_filter.ref = f"A2:{column_letter(n_attr + len(codes))}{max(last_row, 3)}"


def _role_sheet(wb, matrix: FrameworkMatrix, styles: Styles) -> None:
    groups = [*matrix.groups, "All"]
    ws = new_sheet(wb, "SW vs TM", freeze="D3", rows=2 + len(matrix.code_list), columns=3 + 3 * len(groups),
                   title_rows="2:2")
    sizes = {g: int((matrix.cases["group"] == g).sum()) for g in matrix.groups}
    sizes["All"] = len(matrix.cases)
    for i, width in enumerate([10, 18, 34] + [11] * (3 * len(groups)), 1):
        ws.column_dimensions[column_letter(i)].width = width
    ws.append([styled_cell(ws, "Cases with each code, by role: "
                     + "; ".join(f"{g} {sizes[g]} cases" for g in groups), font=styles.title)])
    columns = ["Theme", "Code", "Name"]
    for group in groups:
        columns += [f"{group}: cases with code", f"{group}: share of cases", f"{group}: segments"]
    ws.append([styled_cell(ws, c, font=styles.header_font, fill=styles.header_fill, alignment=styles.header_align,
                     border=styles.border) for c in columns])
    ws.row_dimensions[2].height = 45
    table = matrix.role_comparison
    for code in matrix.code_list:
        record = table.loc[code.id]
        row = [styled_cell(ws, code.theme, border=styles.border), styled_cell(ws, code.id, font=styles.bold, border=styles.border),
               styled_cell(ws, code.name, border=styles.border)]
        for group in groups:
            share = record[f"{group} share"]
            row += [styled_cell(ws, int(record[f"{group} cases with code"]), border=styles.border, alignment=styles.centre),
                    styled_cell(ws, None if math.isnan(share) else float(share), number_format="0%",
                          border=styles.border, alignment=styles.centre,
                          fill=_shade(0 if math.isnan(share) else share, 1.0, styles)),
                    styled_cell(ws, int(record[f"{group} segments"]), border=styles.border, alignment=styles.centre)]
        ws.append(row)
    ws.auto_filter.ref = f"A2:{column_letter(len(columns))}{2 + max(1, len(matrix.code_list))}"


def _cooccurrence_sheet(wb, matrix: FrameworkMatrix, styles: Styles) -> None:
    codes = matrix.codes
    ws = new_sheet(wb, "Co-occurrence", freeze="B3", rows=5 + 2 * len(codes), columns=1 + len(codes))
    ws.column_dimensions["A"].width = 18
    for i in range(len(codes)):
        ws.column_dimensions[column_letter(2 + i)].width = WIDTH["count"]
    for table, heading in (
        (matrix.cooccurrence, "Segments coded with both codes (diagonal: segments with the code)"),
        (matrix.case_cooccurrence, "Cases with both codes (diagonal: cases with the code)"),
    ):
        ws.append([styled_cell(ws, heading, font=styles.title)])
        ws.append([styled_cell(ws, "Code", font=styles.header_font, fill=styles.header_fill, border=styles.border)]
                  + [styled_cell(ws, c, font=styles.header_font, fill=styles.header_fill, alignment=styles.rotated,
                           border=styles.border) for c in codes])
        maximum = float(table.values.max()) if table.size else 0.0
        for code in codes:
            row = [styled_cell(ws, code, font=styles.bold, border=styles.border)]
            for other in codes:
                value = int(table.loc[code, other])
                row.append(styled_cell(ws, value, alignment=styles.centre, border=styles.border,
                                 fill=_shade(value, maximum, styles),
                                 font=styles.bold if code == other else None))
            ws.append(row)
        ws.append([])


def _quotes_sheet(wb, matrix: FrameworkMatrix, styles: Styles) -> None:
    """Every quote, one per row, its case and code beside it at the top of the row. The sheet
    is laid out by openpyxl with one template row; its tens of thousands of rows are spliced
    in as XML after saving (see ``splice_rows``), because openpyxl's per-cell cost made this
    sheet most of the matrix stage's time."""
    attributes = matrix.attributes
    columns = [(CASE_HEADER, WIDTH["case"])]
    columns += [(ATTRIBUTE_LABELS.get(a, a), 8 if a == "role" else WIDTH["attribute"]) for a in attributes]
    columns += [("Theme", 10), ("Code", 18), ("Code name", 24), ("Reference", 24), ("Speaker", 16),
                ("Score", 7), ("Status", 10), ("Quote", 90)]
    q = matrix.quotes
    ws = new_sheet(wb, QUOTES_SHEET, freeze="B2", rows=1 + len(q), columns=len(columns), title_rows="1:1")
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[column_letter(i)].width = width
    ws.append([styled_cell(ws, name, font=styles.header_font, fill=styles.header_fill, border=styles.border,
                           alignment=styles.header_align) for name, _ in columns])
    # the template row carries each column's style: top-aligned (wrapped for the texts)
    wrapped = {"Code name", "Reference", "Quote"}
    template = [styled_cell(ws, ROWS_MARKER if i == 0 else "-",
                            alignment=styles.wrap if name in wrapped else styles.top)
                for i, (name, _) in enumerate(columns)]
    ws.append(template)
    ws.auto_filter.ref = f"A1:{column_letter(len(columns))}{max(2, len(q) + 1)}"

    cases = matrix.cases
    quote_width = columns[-1][1]
    attribute_values = [q["case"].map(cases[a]).fillna("").tolist() for a in attributes]
    scores = [None if is_na(v) else round(float(v), 3) for v in q["score"].tolist()]
    texts = [fit_cell(text, quote_width, note=f"[… the rest is in the transcript: {ref}]")
             for text, ref in zip(q["passage"].tolist(), q["reference"].tolist())]
    fields = [q["case"].tolist(), *attribute_values, q["theme"].tolist(), q["code"].tolist(),
              q["code_name"].tolist(), q["reference"].tolist(), q["speaker_label"].tolist(), scores,
              q["status"].tolist(), texts]
    columns_xml = [cell_fragments(values) for values in fields]
    letters = [column_letter(i) for i in range(1, len(columns) + 1)]
    names = [name for name, _ in columns]
    widths = [width for _, width in columns]
    heights = [row_height([(text, quote_width), (name, widths[names.index("Code name")]),
                           (ref, widths[names.index("Reference")])])
               for text, name, ref in zip(texts, q["code_name"].tolist(), q["reference"].tolist())]

    def rows(column_styles: dict[str, str]) -> Iterator[str]:
        styles_ = [f' s="{column_styles[letter]}"' if letter in column_styles else "" for letter in letters]
        for i, row in enumerate(zip(*columns_xml)):
            r = i + 2
            cells = "".join(f'<c r="{letter}{r}"{style}{fragment}</c>'
                            for letter, style, fragment in zip(letters, styles_, row) if fragment)
            yield f'<row r="{r}" ht="{heights[i]:g}" customHeight="1">{cells}</row>'

    wb.__dict__.setdefault("_qual_splices", []).append((ROWS_MARKER, rows))


def _codebook_sheet(wb, matrix: FrameworkMatrix, styles: Styles) -> None:
    ws = new_sheet(wb, CODEBOOK_SHEET, freeze="C2", rows=1 + len(matrix.code_list), columns=8, title_rows="1:1")
    columns = [("Theme id", 10), ("Theme", 24), ("Code id", 18), ("Code", 26), ("Definition", 50),
               ("Include", 40), ("Exclude", 30), ("Keywords", 40)]
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[column_letter(i)].width = width
    ws.append([styled_cell(ws, name, font=styles.header_font, fill=styles.header_fill, border=styles.border)
               for name, _ in columns])
    themes = {t.id: t for t in matrix.theme_list}
    for i, code in enumerate(matrix.code_list, 2):
        theme = themes.get(code.theme)
        values = [code.theme, theme.name if theme else "", code.id, code.name, code.definition, code.include,
                  code.exclude, "; ".join(code.keywords)]
        ws.row_dimensions[i].height = row_height(zip(values, [w for _, w in columns]), cap=120)
        ws.append([styled_cell(ws, v or None, alignment=styles.wrap, border=styles.border) for v in values])
    ws.auto_filter.ref = f"A1:H{max(2, len(matrix.code_list) + 1)}"


def _provenance_sheet(wb, matrix: FrameworkMatrix, extra: dict[str, Any], styles: Styles) -> None:
    rows = provenance_rows(matrix, extra)
    ws = new_sheet(wb, "Provenance", freeze="A2", rows=1 + len(rows), columns=2, title_rows="1:1")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 110
    ws.append([styled_cell(ws, "Item", font=styles.header_font, fill=styles.header_fill),
               styled_cell(ws, "Value", font=styles.header_font, fill=styles.header_fill)])
    for label, value in rows:
        date_format = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime.datetime) else None
        ws.append([styled_cell(ws, label, font=styles.bold),
                   styled_cell(ws, value, alignment=styles.wrap, number_format=date_format)])


def _orphan_sheet(wb, orphans: Sequence[Summary], styles: Styles) -> None:
    ws = new_sheet(wb, ORPHAN_SHEET, freeze="C3", rows=2 + len(orphans), columns=len(ORPHAN_COLUMNS),
                   title_rows="2:2")
    ws.sheet_properties.tabColor = "C00000"
    for i, width in enumerate((12, 18, 60, 24, 12, 18, 36), 1):
        ws.column_dimensions[column_letter(i)].width = width
    ws.append([styled_cell(ws, "Summaries whose case or code is no longer in the matrix. They are kept here, "
                     "and move back into the matrix when their case and code return.", font=styles.bold)])
    ws.append([styled_cell(ws, c, font=styles.header_font, fill=styles.header_fill, border=styles.border)
               for c in ORPHAN_COLUMNS])
    for i, s in enumerate(orphans, 3):
        ws.row_dimensions[i].height = row_height([(s.value, 60)])
        ws.append([styled_cell(ws, s.case), styled_cell(ws, s.code),
                   styled_cell(ws, s.value, alignment=styles.wrap, fill=styles.orphan_fill, as_text=False),
                   styled_cell(ws, s.sheet), styled_cell(ws, s.cell), styled_cell(ws, s.orphaned_since), styled_cell(ws, s.reason)])


# --------------------------------------------------------------------------- writing


def lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open workbook."""
    for candidate in (path.parent / f"~${path.name}", path.parent / f".~lock.{path.name}#"):
        if candidate.exists():
            return candidate
    return None


def _is_qual_workbook(path: Path) -> bool:
    """Whether ``path`` looks like a workbook written by qual (it has a Provenance sheet)."""
    from ..errors import InputFileError
    from ..files import open_zip, parse_xml, read_member

    try:
        with open_zip(path) as archive:
            root = parse_xml(read_member(archive, "xl/workbook.xml", path), path, "xl/workbook.xml")
    except (InputFileError, KeyError):
        return False
    return any(el.get("name") == "Provenance" for el in root.iter("{*}sheet"))


def check_workbook_target(path: str | Path) -> None:
    """Refuse, before any work is done, a target that cannot or must not be replaced: a name
    not ending in .xlsx, a workbook open in Excel or LibreOffice, or a file of that name that
    ``qual matrix`` did not write (it may be someone's work)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise QualError(f"{path}: the framework matrix is an Excel workbook; give a name ending in .xlsx")
    lock = lock_file(path)
    if lock is not None:
        raise QualError(f"{path}: the workbook is open in Excel or LibreOffice (lock file {lock.name}); "
                        "close it and run again (or delete the lock file if nothing has it open)")
    if path.exists() and not _is_qual_workbook(path):
        raise QualError(f"{path}: exists and was not written by 'qual matrix'; "
                        "give another --out or move it away, so nothing in it is lost")


def write_matrix_workbook(
    matrix: FrameworkMatrix,
    path: str | Path,
    *,
    existing: str | Path | bool | None = None,
    provenance: dict[str, Any] | None = None,
    backup: bool = True,
) -> WriteReport:
    """Write ``matrix`` to ``path`` (atomically), keeping the summaries of ``existing``.

    ``existing``: the workbook whose summaries are carried over; by default ``path`` itself
    when it exists; ``False`` starts afresh. Summaries are matched by (case, code); those with
    no row or column are listed in the report and kept on the Orphaned summaries sheet.
    With ``backup``, a workbook being replaced that held summaries is first copied to
    ``<name>.previous.xlsx``.
    """
    from openpyxl import Workbook

    path = Path(path)
    check_workbook_target(path)
    source: Path | None
    if existing is False:
        source = None
    elif existing is None or existing is True:
        source = path if path.exists() else None
    else:
        source = Path(existing)
    old = read_summary_list(source) if source is not None else []

    valid: set[tuple[str, str]] = set()
    case_labels = set(matrix.cases.index) | {group_label(g) for g in matrix.groups}
    for theme in matrix.theme_list:
        for code in matrix.codes_of(theme.id):
            valid.update((case, code.id) for case in case_labels)
    placement = place_summaries(old, valid, case_labels, set(matrix.codes))

    styles = Styles()
    workbook = Workbook(write_only=True)
    taken = {name.lower() for name in (*OVERVIEW_SHEETS, ORPHAN_SHEET)}
    sheets: list[str] = []
    truncated = 0
    for theme in matrix.theme_list:
        title = sheet_title(f"{theme.id} {theme.name}" if theme.name != theme.id else theme.id, taken)
        truncated += _theme_sheet(workbook, title, matrix, theme, placement.placed, styles)
        sheets.append(title)
    if placement.orphaned:
        _orphan_sheet(workbook, placement.orphaned, styles)
        sheets.append(ORPHAN_SHEET)
    _case_table(workbook, "Counts (segments)", "Coded segments per case and code", matrix, styles, yes_no=False)
    _case_table(workbook, "Counts (yes-no)", "Does the case have the code? (group rows: cases with it)",
                matrix, styles, yes_no=True)
    _role_sheet(workbook, matrix, styles)
    _cooccurrence_sheet(workbook, matrix, styles)
    _quotes_sheet(workbook, matrix, styles)
    _codebook_sheet(workbook, matrix, styles)
    extra = dict(provenance or {})
    extra["Summaries carried over"] = f"{len(placement.placed)} placed, {len(placement.orphaned)} orphaned"
    _provenance_sheet(workbook, matrix, extra, styles)
    sheets += list(OVERVIEW_SHEETS)

    backup_path = None
    if backup and old and path.exists():
        backup_path = path.with_name(f"{path.stem}.previous{path.suffix}")
        with atomic_path(backup_path) as tmp:
            shutil.copyfile(path, tmp)
    try:
        with atomic_path(path) as tmp:
            workbook.save(tmp)
            splice_rows(tmp, workbook.__dict__.get("_qual_splices", []))
    except PermissionError:
        raise QualError(f"{path}: cannot be replaced (permission denied; is it open in Excel?); "
                        "close it and run again") from None
    for summary in placement.orphaned:
        log.warning("orphaned summary: %s / %s (%s)", summary.case, summary.code, summary.reason)
    return WriteReport(
        path=path, sheets=sheets, summaries_kept=len(placement.placed), orphaned=placement.orphaned,
        restored=placement.restored, truncated_cells=truncated, backup=backup_path,
        summaries={key: s.value for key, s in placement.placed.items()},
    )
