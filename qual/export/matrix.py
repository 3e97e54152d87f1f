"""Framework-method matrices (Gale et al. 2013): cases in rows, codes in columns, each cell
what that participant said about that code, with a reference back to the transcript.

``build_matrix`` turns codings (``qual.model.codings.Codings``, a DataFrame of its columns or
a codings.csv) into plain DataFrames; ``qual.export.workbook`` lays them out in Excel,
``qual.export.report`` in Word. Which attributes of a case are shown, and why only safe ones,
is decided in ``qual.export.cases`` (REFI-QDA export shows the same).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..model.codebook import OTHER_THEME, Code, Codebook, Theme
from ..model.codings import QUOTED, Codings, is_blank, resolve_status, status_advice, used_statuses
from ..text import ELLIPSIS, shorten
from .cases import DEFAULT_ATTRIBUTES, case_attributes, case_of, snake_case

if TYPE_CHECKING:  # pandas is imported lazily so that `qual --help` stays fast
    import pandas as pd

    from ..model import Transcript

log = logging.getLogger("qual.export.matrix")

EXCEL_CELL_LIMIT = 32_767
ATTRIBUTE_LABELS = {
    "role": "Role", "local_authority": "Local authority", "trial_arm": "Trial arm",
    "interview_date": "Interview date", "school": "School", "wave": "Wave",
}



@dataclass
class FrameworkMatrix:
    """A framework matrix and its overviews, as DataFrames indexed by case id.

    ``themes[theme_id]`` has the case attribute columns, then one column per code of the theme
    holding every coded quote of that case (with its reference), in transcript order.
    ``quotes`` has one row per (coded segment, code); ``counts`` and ``presence`` are
    cases x codes; ``role_comparison`` is codes x role groups; ``cooccurrence`` counts the
    segments that carry both codes, ``case_cooccurrence`` the cases that have both.
    """

    codebook: Codebook
    cases: "pd.DataFrame"
    themes: dict[str, "pd.DataFrame"]
    quotes: "pd.DataFrame"
    counts: "pd.DataFrame"
    presence: "pd.DataFrame"
    role_comparison: "pd.DataFrame"
    cooccurrence: "pd.DataFrame"
    case_cooccurrence: "pd.DataFrame"
    cell_quotes: dict[tuple[str, str], list[str]]  # (case, code) -> formatted quotes, in order
    status: str
    status_requested: str
    status_note: str
    attributes: list[str]
    theme_list: list[Theme] = field(default_factory=list)
    code_list: list[Code] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    status_advice: str = ""  # what the user could do about the codings shown, for the console only

    @property
    def codes(self) -> list[str]:
        return [code.id for code in self.code_list]

    def codes_of(self, theme_id: str) -> list[Code]:
        return [code for code in self.code_list if code.theme == theme_id]

    def code(self, code_id: str) -> Code:
        for code in self.code_list:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    @property
    def groups(self) -> list[str]:
        """Role groups in display order (SW, TM, any other role, then cases without a role)."""
        return list(dict.fromkeys(self.cases["group"])) if len(self.cases) else []

    def quotes_for(self, case: str, code: str) -> "pd.DataFrame":
        q = self.quotes
        return q[(q["case"] == case) & (q["code"] == code)]


# --------------------------------------------------------------------------- inputs


def codebook_from_codings(codings: "pd.DataFrame", name: str = "codes found in the codings") -> Codebook:
    """A codebook without definitions, for codings given without one: a code id's prefix
    before the first dot (``IMP`` in ``IMP.SETUP``) is taken as its theme."""
    themes: dict[str, Theme] = {}
    codes: list[Code] = []
    for code_id in dict.fromkeys(codings["code"]):
        theme_id = code_id.split(".", 1)[0] if "." in code_id else OTHER_THEME.id
        if theme_id not in themes:
            themes[theme_id] = OTHER_THEME if theme_id == OTHER_THEME.id else Theme(theme_id, theme_id)
        codes.append(Code(id=code_id, name=code_id, theme=theme_id))
    return Codebook(name=name, themes=list(themes.values()), codes=codes)


# --------------------------------------------------------------------------- quotes


QUOTE_LIMIT = 320   # characters of a coded span shown in a matrix cell; the reference leads to the rest
QUOTE_CONTEXT = 60  # characters of the turn shown either side of a span shorter than its turn
_CLOCK = re.compile(r"^\s*(?:(\d{1,2})[:.])?(\d{1,2})[:.](\d{1,2})(?:[.,]\d+)?\s*$")


def format_timestamp(value: Any) -> str:
    """A turn's time as ``HH:MM:SS``, whatever the transcript wrote (``0:03``, ``2:41``,
    ``00:01:23.45``, ``1.02.03``): one format in every output. Anything else stays as written."""
    if is_blank(value):
        return ""
    text = str(value)
    match = _CLOCK.match(text)
    if not match:
        return text.strip()
    hours, minutes, seconds = (int(match.group(i) or 0) for i in (1, 2, 3))
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def speaker_label(role: Any, group: Any = "") -> str:
    """One speaker vocabulary: ``Interviewer``, ``Participant (SW)`` (with the case's role), ``Other``."""
    role = "" if is_blank(role) else str(role).lower()
    if role == "interviewer":
        return "Interviewer"
    if role == "other":
        return "Other"
    group = "" if is_blank(group) else str(group)
    return f"Participant ({group})" if group and not group.startswith("(") else "Participant"


def quote_excerpt(text: str, start: int | None = None, end: int | None = None, *,
                  limit: int = QUOTE_LIMIT, context: int = QUOTE_CONTEXT) -> str:
    """A coded span as a quote: ``“span”``, cut between words after ``limit`` characters;
    a span shorter than its turn (``text``, with the span at ``start:end``) shows a little of
    the turn either side, outside the quotation marks: ``…before “span” after…``."""
    whole = start is None or end is None or not (0 <= start < end <= len(text))
    span = text if whole else text[start:end]
    quoted = "\u201c" + shorten(" ".join(span.split()), limit) + "\u201d"
    if whole or (start == 0 and end == len(text)):
        return quoted
    before = " ".join(text[:start].split())
    after = " ".join(text[end:].split())
    if len(before) > context:
        before = ELLIPSIS + shorten(before[::-1], context, "")[::-1].lstrip()
    if len(after) > context:
        after = shorten(after, context)
    return " ".join(part for part in (before, quoted, after) if part)


def reference(document: str, segment: Any = "", turn: Any = None, timestamp: Any = "") -> str:
    """Where a quote comes from: ``SW01, turn 12, para 2, 00:03:15`` (turns numbered from 0,
    as the de-identified transcripts number them)."""
    parts = [str(document)]
    turn_text = "" if is_blank(turn) else str(int(turn))
    segment = "" if is_blank(segment) else str(segment)
    if not turn_text and segment:
        turn_text = segment.split(".", 1)[0]
    if turn_text:
        parts.append(f"turn {turn_text}")
    if "." in segment:
        paragraph = segment.split(".", 1)[1]
        if paragraph.isdigit():
            parts.append(f"para {int(paragraph) + 1}")
    if not is_blank(timestamp):
        parts.append(format_timestamp(timestamp))
    return ", ".join(parts)


def format_quote(text: str, ref: str) -> str:
    """``text`` as a quote (``quote_excerpt``) followed by its reference in brackets."""
    quoted = text if text.startswith(("\u201c", ELLIPSIS)) else quote_excerpt(text.strip())
    return f"{quoted} ({ref})"


def more_quotes_note(n: int) -> str:
    return f"... {n} more quote{'s' if n != 1 else ''}, see sheet Quotes"


def fit_quotes(quotes: Sequence[str], limit: int = EXCEL_CELL_LIMIT, separator: str = "\n\n", *,
               width: float | None = None, max_lines: int | None = None) -> tuple[str, int]:
    """Join quotes into one cell of at most ``limit`` characters and, given the column's
    ``width``, at most ``max_lines`` wrapped lines (the tallest row Excel has); returns
    (text, quotes shown). When they do not all fit, the cell ends with "... N more quotes,
    see sheet Quotes" rather than run past the bottom of its row.
    """
    from ..text import cell_lines

    def size(text: str) -> int:
        return cell_lines(text, width) if width is not None and max_lines is not None else 0

    joined = separator.join(quotes)
    if len(joined) <= limit and size(joined) <= (max_lines or 0):
        return joined, len(quotes)
    shown: list[str] = []
    used = 0
    for i, quote in enumerate(quotes):
        note = separator + more_quotes_note(len(quotes) - i - 1) if i < len(quotes) - 1 else ""
        extra = len(quote) + (len(separator) if shown else 0)
        candidate = separator.join([*shown, quote]) + note
        if used + extra + len(note) > limit or (max_lines is not None and size(candidate) > max_lines):
            break
        shown.append(quote)
        used += extra
    remaining = len(quotes) - len(shown)
    note = more_quotes_note(remaining)
    if not shown:  # a single quote longer than a cell: show its beginning
        return shorten(quotes[0], limit - len(note) - len(separator)) + separator + note, 0
    return separator.join(shown) + separator + note, len(shown)


# --------------------------------------------------------------------------- building


def _match_codes(codings: "pd.DataFrame", codebook: Codebook, warnings: list[str]) -> tuple["pd.DataFrame", list[Code], list[Theme]]:
    """Map coding rows to codebook codes (by id, else by name) and add unknown codes to an extra theme."""
    by_id = {c.id: c.id for c in codebook.codes}
    by_lower = {c.id.lower(): c.id for c in codebook.codes}
    by_lower.update({c.name.strip().lower(): c.id for c in codebook.codes if c.name})
    mapped = []
    unknown: dict[str, Code] = {}
    for code in codings["code"]:
        code_id = by_id.get(code) or by_lower.get(code.lower())
        if code_id is None:
            unknown.setdefault(code, Code(id=code, name=code, theme=OTHER_THEME.id))
            code_id = code
        mapped.append(code_id)
    codings = codings.assign(code=mapped)
    themes = [t for t in codebook.themes if codebook.codes_of(t.id)]
    codes = [c for t in themes for c in codebook.codes_of(t.id)]
    known_themes = {t.id for t in themes}
    orphan_codes = [c for c in codebook.codes if c.theme not in known_themes]
    if orphan_codes:
        codes += [Code(**{**c.__dict__, "theme": OTHER_THEME.id}) for c in orphan_codes]
    if unknown:
        warnings.append(f"{len(unknown)} code(s) in the codings are not in the codebook; they are "
                        f"shown under '{OTHER_THEME.name}': {', '.join(sorted(unknown)[:10])}")
        codes += list(unknown.values())
    if orphan_codes or unknown:
        themes = themes + [OTHER_THEME]
    return codings, codes, themes


def build_matrix(
    codings: "Codings | pd.DataFrame | str | Path",
    codebook: Codebook | None = None,
    *,
    participants: "pd.DataFrame | str | Path | None" = None,
    transcripts: Sequence["Transcript"] | None = None,
    status: str = "auto",
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
) -> FrameworkMatrix:
    """Build the framework matrix of ``codings`` against ``codebook``.

    ``status``: ``"accepted"`` (reviewed codes only), ``"all"`` (accepted and suggested; never
    rejected) or ``"auto"`` (accepted when any code has been accepted, else all).
    Cases are the transcripts' participants (every transcript is a row, coded or not) plus any
    document in the codings; they are grouped by role (SW, TM, others).
    """
    import pandas as pd

    warnings: list[str] = []
    if isinstance(codings, (str, Path)):
        codings = Codings.read(codings, required=QUOTED)
    codings = Codings(codings, required=QUOTED).frame
    if codebook is None:
        codebook = codebook_from_codings(codings)
        warnings.append("no codebook given: themes are taken from the code ids' prefixes and "
                        "codes have no definitions")
    effective, note = resolve_status(codings, status)
    used = codings[codings["status"].isin(used_statuses(effective))]
    used, code_list, theme_list = _match_codes(used, codebook, warnings)
    # One row per (segment, code): several suggesters may have proposed the same code.
    used = (used.sort_values(["score"], ascending=False, na_position="last", kind="stable")
                .drop_duplicates(["document", "segment", "code"]))

    document_case: dict[str, str] = {}
    for transcript in transcripts or ():
        document_case[str(transcript.id)] = case_of(transcript)
    for document in codings["document"].unique():
        document_case.setdefault(document, document)
    documents_of: dict[str, list[str]] = {}
    for document, case in document_case.items():
        documents_of.setdefault(case, []).append(document)
    cases = case_attributes(list(documents_of), transcripts=transcripts, participants=participants,
                            attributes=attributes, documents_of=documents_of, warnings=warnings)
    attribute_columns = [a for a in (snake_case(x) for x in attributes)
                         if a == "role" or cases[a].astype(bool).any()]
    cases = cases[[*attribute_columns, "group", "documents"]]

    quotes = used.copy()
    quotes["case"] = quotes["document"].map(document_case)
    quotes["group"] = quotes["case"].map(cases["group"])
    code_theme = {c.id: c.theme for c in code_list}
    code_name = {c.id: c.name for c in code_list}
    quotes["theme"] = quotes["code"].map(code_theme)
    quotes["code_name"] = quotes["code"].map(code_name)
    turns = [None if is_blank(t) else int(t) for t in quotes["turn"].tolist()]
    quotes["timestamp"] = [format_timestamp(ts) for ts in quotes["timestamp"].tolist()]
    quotes["reference"] = [reference(d, s, t, ts) for d, s, t, ts in
                           zip(quotes["document"].tolist(), quotes["segment"].tolist(), turns,
                               quotes["timestamp"].tolist())]
    quotes["speaker_label"] = [speaker_label(r, g) for r, g in zip(quotes["role"].tolist(), quotes["group"].tolist())]
    quotes["excerpt"] = _excerpts(quotes, transcripts, QUOTE_LIMIT)
    quotes["passage"] = _excerpts(quotes, transcripts, EXCEL_CELL_LIMIT)  # the whole span, for the Quotes sheet
    # a quote says who spoke when it was not the participant (interviewer turns coded on request)
    quotes["quote"] = [f"{text} ({ref}{'' if who.startswith('Participant') else '; ' + who})"
                       for text, ref, who in zip(quotes["excerpt"].tolist(), quotes["reference"].tolist(),
                                                 quotes["speaker_label"].tolist())]
    case_order = {case: i for i, case in enumerate(cases.index)}
    code_order = {code.id: i for i, code in enumerate(code_list)}
    quotes["_case"] = quotes["case"].map(case_order)
    quotes["_code"] = quotes["code"].map(code_order)
    # Transcript order: by offset when known, else turn and paragraph ("12.2" is turn 12's third).
    quotes["_paragraph"] = pd.to_numeric(quotes["segment"].str.split(".").str[1], errors="coerce")
    quotes = quotes.sort_values(["_code", "_case", "document", "start", "turn", "_paragraph"], kind="stable",
                                na_position="last")
    quotes = quotes.drop(columns=["_case", "_code", "_paragraph"]).reset_index(drop=True)
    quote_columns = ["case", "group", "theme", "code", "code_name", "document", "segment", "turn",
                     "timestamp", "speaker", "speaker_label", "role", "score", "source", "status", "start", "end",
                     "reference", "text", "excerpt", "passage", "quote"]
    quotes = quotes[quote_columns]

    codes = [c.id for c in code_list]
    sizes = quotes.groupby(["case", "code"]).size()
    counts = pd.DataFrame(0, index=cases.index, columns=codes, dtype=int)
    for (case, code), n in sizes.items():
        counts.loc[case, code] = int(n)
    counts.index.name, counts.columns.name = "case", "code"
    presence = counts > 0

    cell_quotes: dict[tuple[str, str], list[str]] = {}
    for case, code, quote in zip(quotes["case"].tolist(), quotes["code"].tolist(), quotes["quote"].tolist()):
        cell_quotes.setdefault((case, code), []).append(quote)
    themes: dict[str, pd.DataFrame] = {}
    for theme in theme_list:
        frame = cases[attribute_columns].copy()
        for code in [c for c in code_list if c.theme == theme.id]:
            frame[code.id] = ["\n\n".join(cell_quotes.get((case, code.id), ())) for case in frame.index]
        themes[theme.id] = frame

    role_comparison = _role_comparison(cases, counts, presence, code_list)
    segment_codes = pd.crosstab([quotes["document"], quotes["segment"]], quotes["code"]).reindex(
        columns=codes, fill_value=0) if len(quotes) else pd.DataFrame(0, index=[], columns=codes)
    segment_codes = (segment_codes > 0).astype(int)
    cooccurrence = segment_codes.T @ segment_codes
    cooccurrence = cooccurrence.reindex(index=codes, columns=codes, fill_value=0)
    presence_int = presence.astype(int)
    case_cooccurrence = (presence_int.T @ presence_int).reindex(index=codes, columns=codes, fill_value=0)

    for message in warnings:
        log.warning("%s", message)
    return FrameworkMatrix(
        codebook=codebook, cases=cases, themes=themes, quotes=quotes, counts=counts,
        presence=presence, role_comparison=role_comparison, cooccurrence=cooccurrence,
        case_cooccurrence=case_cooccurrence, cell_quotes=cell_quotes, status=effective, status_requested=status,
        status_note=note, attributes=attribute_columns, theme_list=theme_list, code_list=code_list,
        settings={"status requested": status, "status used": effective,
                  "case attributes": ", ".join(attribute_columns),
                  "rows in codings": len(codings), "rows used": len(quotes)},
        warnings=warnings, status_advice=status_advice(codings, effective),
    )


def _excerpts(quotes: "pd.DataFrame", transcripts: Sequence["Transcript"] | None, limit: int) -> list[str]:
    """Each coded span as a quote with a little of its turn around it (``quote_excerpt``);
    without the transcript, the coding's own text."""
    by_id = {str(t.id): t for t in transcripts or ()}
    out = []
    for document, turn, start, end, text in zip(quotes["document"].tolist(), quotes["turn"].tolist(),
                                                quotes["start"].tolist(), quotes["end"].tolist(),
                                                quotes["text"].tolist()):
        transcript = by_id.get(str(document))
        turns = transcript.turns if transcript is not None else ()
        if is_blank(turn) or is_blank(start) or is_blank(end) or not 0 <= int(turn) < len(turns):
            out.append(quote_excerpt(str(text), limit=limit))
            continue
        spoken = turns[int(turn)]
        first, last = int(start) - spoken.start, int(end) - spoken.start
        if not 0 <= first < last <= len(spoken.text) or spoken.text[first:last] != str(text):
            out.append(quote_excerpt(str(text), limit=limit))  # offsets of another layout: the quote alone
            continue
        out.append(quote_excerpt(spoken.text, first, last, limit=limit))
    return out


def _role_comparison(cases, counts, presence, code_list: list[Code]) -> "pd.DataFrame":
    import pandas as pd

    groups = list(dict.fromkeys(cases["group"]))
    rows = []
    for code in code_list:
        row: dict[str, Any] = {"code": code.id, "theme": code.theme, "name": code.name}
        for group in [*groups, "All"]:
            members = cases.index if group == "All" else cases.index[cases["group"] == group]
            n = len(members)
            with_code = int(presence.loc[members, code.id].sum()) if n else 0
            row[f"{group} cases"] = n
            row[f"{group} cases with code"] = with_code
            row[f"{group} share"] = with_code / n if n else float("nan")
            row[f"{group} segments"] = int(counts.loc[members, code.id].sum()) if n else 0
        rows.append(row)
    return pd.DataFrame(rows).set_index("code") if rows else pd.DataFrame()
