"""Framework-method matrices (Gale et al. 2013): cases in rows, codes in columns, each cell
what that participant said about that code, with a reference back to the transcript.

``build_matrix`` turns codings (``qual.model.codings.Codings``, a DataFrame of its columns or
a codings.csv) into plain DataFrames; ``qual.export.workbook`` lays them out in Excel,
``qual.export.report`` in Word. Which attributes of a case are shown, and why only safe ones,
is decided in ``qual.export.cases`` (REFI-QDA export shows the same).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..model.codebook import OTHER_THEME, Code, Codebook, Theme
from ..model.codings import QUOTED, Codings, is_blank, resolve_status, used_statuses
from ..text import shorten
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


def reference(document: str, segment: Any = "", turn: Any = None, timestamp: Any = "") -> str:
    """Where a quote comes from: ``SW01, turn 12, para 2, 00:03:15``."""
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
        parts.append(str(timestamp))
    return ", ".join(parts)


def format_quote(text: str, ref: str) -> str:
    return f"\u201c{text.strip()}\u201d ({ref})"


def more_quotes_note(n: int) -> str:
    return f"... {n} more quote{'s' if n != 1 else ''}, see sheet Quotes"


def fit_quotes(quotes: Sequence[str], limit: int = EXCEL_CELL_LIMIT, separator: str = "\n\n") -> tuple[str, int]:
    """Join quotes into one cell of at most ``limit`` characters; returns (text, quotes shown).

    When they do not all fit, the cell ends with "... N more quotes, see sheet Quotes".
    """
    joined = separator.join(quotes)
    if len(joined) <= limit:
        return joined, len(quotes)
    shown: list[str] = []
    used = 0
    for i, quote in enumerate(quotes):
        note = separator + more_quotes_note(len(quotes) - i - 1) if i < len(quotes) - 1 else ""
        extra = len(quote) + (len(separator) if shown else 0)
        if used + extra + len(note) > limit:
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
    quotes["reference"] = [reference(d, s, t, ts) for d, s, t, ts in
                           zip(quotes["document"].tolist(), quotes["segment"].tolist(), turns,
                               quotes["timestamp"].tolist())]
    quotes["quote"] = [format_quote(text, ref) for text, ref in zip(quotes["text"].tolist(),
                                                                     quotes["reference"].tolist())]
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
                     "timestamp", "speaker", "role", "score", "source", "status", "start", "end",
                     "reference", "text", "quote"]
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
        warnings=warnings,
    )


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
