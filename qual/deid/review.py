"""The review sheet: uncertain detections, for a researcher on the secure side to decide.

``write_review`` puts every span below the confidence threshold in an Excel sheet, one row
each, with its context (the span marked) and the pseudonym it was given. The sheet quotes
the original text, so it is identifiable: it is written owner-only and never inside the
de-identified output folder; keep it beside the key.

The researcher fills the ``decision`` column from its drop-down:

* ``redact`` (or blank): keep the pseudonym. Blank means redact: recall comes first;
* ``keep``: this occurrence is not an identifier; the original words are restored here;
* ``always keep``: never an identifier (a word such as "Hope" or "Early Help"); added to
  the keep-list, so it is never flagged or replaced again;
* ``always redact``: always an identifier; added to the register, so it is found with
  full confidence everywhere from now on.

``read_decisions`` reads the sheet back (``qual deidentify --decisions FILE.xlsx``).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import InputFileError
from ..files import OWNER_ONLY, atomic_path, ensure_outside, guard_document, vet_workbook
from .identity import EntityType, normal_tokens

log = logging.getLogger("qual.deid.review")

REDACT, KEEP, ALWAYS_KEEP, ALWAYS_REDACT = "redact", "keep", "always keep", "always redact"
DECISIONS = (REDACT, KEEP, ALWAYS_KEEP, ALWAYS_REDACT)
REVIEW_COLUMNS = [
    "document", "part", "turn", "start", "end", "type", "original", "context", "pseudonym",
    "confidence", "detector", "decision",
]
CONTEXT_CHARS = 60
# A review sheet holds one row per detection: 100 interviews make a few MB of sheet XML.
MAX_REVIEW_SHEET_BYTES = 32 * 2**20
SPAN_OPEN, SPAN_CLOSE = "»", "«"


@dataclass
class ReviewItem:
    """One uncertain span. ``original`` and ``context`` are identifiable.

    ``document`` is the source transcript's id (the sheet lives on the identifiable side,
    where the researcher knows the files by their own names); ``part`` is ``text`` or
    ``speaker``; ``start``/``end`` are offsets within the turn's text (or its speaker label).
    """

    document: str
    part: str
    turn: int
    start: int
    end: int
    type: EntityType
    original: str
    before: str  # up to CONTEXT_CHARS characters of text either side of the span
    after: str
    pseudonym: str
    confidence: float
    detector: str
    decision: str = ""

    def __repr__(self) -> str:  # keeps the original out of tracebacks and debug output
        return (f"ReviewItem({self.document!r}, {self.part}, turn {self.turn}, {self.start}-{self.end}, "
                f"{self.type.value}, {self.confidence:.2f})")

    @property
    def context(self) -> str:
        return f"{self.before}{SPAN_OPEN}{self.original}{SPAN_CLOSE}{self.after}"

    @property
    def occurrence(self) -> tuple[str, str, int, int, int, str]:
        """What identifies this span across runs over the same input."""
        turn = -1 if self.part == "speaker" else self.turn
        return (self.document, self.part, turn, self.start, self.end, self.original)


def context_of(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """(before, after) the span, each cut to ``width`` characters and marked with an ellipsis."""
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    if start > width:
        before = "…" + before
    if end + width < len(text):
        after = after + "…"
    return before.replace("\n", " "), after.replace("\n", " ")


@dataclass
class Decisions:
    """A researcher's decisions, read from a review sheet."""

    keep: set[tuple[str, str, int, int, int, str]] = field(default_factory=set)
    redact: set[tuple[str, str, int, int, int, str]] = field(default_factory=set)
    always_keep: list[str] = field(default_factory=list)
    always_redact: list[tuple[EntityType, str]] = field(default_factory=list)
    by_occurrence: dict[tuple, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"Decisions(keep={len(self.keep)}, redact={len(self.redact)}, "
                f"always_keep={len(self.always_keep)}, always_redact={len(self.always_redact)})")

    def always_kept(self, text: str) -> bool:
        """Whether ``text`` is an "always keep" term (compared without case and possessive)."""
        if not self.always_keep:
            return False
        wanted = " ".join(normal_tokens(text))
        return bool(wanted) and wanted in _forms(tuple(self.always_keep))


@functools.lru_cache(maxsize=8)
def _forms(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(" ".join(normal_tokens(term)) for term in terms)


def _text_cell(cell, value) -> None:
    """Store text as text: a transcript line beginning "=" must not become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_review(items: Iterable[ReviewItem], path: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write the review sheet (owner-only; refused inside ``out_dir``)."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if out_dir is not None:
        ensure_outside(path, out_dir, "the review sheet")
    if path.suffix.lower() != ".xlsx":
        raise InputFileError(path, "the review sheet must be an .xlsx file", "give a name ending .xlsx")
    items = list(items)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "review"
    sheet.append(REVIEW_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    marked = InlineFont(b=True, color="C00000")
    for row, item in enumerate(items, start=2):
        values = [item.document, item.part, item.turn, item.start, item.end, item.type.value,
                  item.original, None, item.pseudonym, round(item.confidence, 3), item.detector,
                  item.decision or None]
        for column, value in enumerate(values, start=1):
            _text_cell(sheet.cell(row=row, column=column), value)
        context = sheet.cell(row=row, column=REVIEW_COLUMNS.index("context") + 1)
        context.value = CellRichText([part for part in (
            item.before, TextBlock(marked, f"{SPAN_OPEN}{item.original}{SPAN_CLOSE}"), item.after) if part])
        context.alignment = Alignment(wrap_text=True, vertical="top")
    validation = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="decision",
                                error="Choose redact, keep, always keep or always redact")
    decision_column = chr(ord("A") + REVIEW_COLUMNS.index("decision"))
    sheet.add_data_validation(validation)
    validation.add(f"{decision_column}2:{decision_column}{max(len(items) + 1, 2) + 500}")
    widths = {"document": 14, "part": 8, "turn": 6, "start": 7, "end": 7, "type": 16, "original": 22,
              "context": 80, "pseudonym": 16, "confidence": 11, "detector": 16, "decision": 14}
    for index, name in enumerate(REVIEW_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = widths[name]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{decision_column}{len(items) + 1}"
    notes = workbook.create_sheet("how to decide")
    for line in (
        "This sheet quotes identifiable text. Keep it beside the key, never with de-identified data.",
        "Fill the decision column, then run: qual deidentify ... --decisions THIS_FILE.xlsx",
        "redact (or blank): keep the pseudonym (the default: recall first).",
        "keep: this occurrence is not an identifier; the original words are restored here.",
        "always keep: never an identifier; added to the keep-list and never flagged again.",
        "always redact: always an identifier of the given type; added to the register.",
        "You may correct the type column before choosing 'always redact'.",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    with atomic_path(path, OWNER_ONLY) as tmp:
        workbook.save(str(tmp))
    log.info("review sheet written: %d spans to decide", len(items))
    return path


def _entity_type(value, path: Path, row: int) -> EntityType:
    try:
        return EntityType(str(value).strip().upper().replace(" ", "_"))
    except ValueError:
        raise InputFileError(path, f"row {row}: the type is not one of "
                             f"{', '.join(t.value for t in EntityType)}") from None


def read_decisions(path: str | Path) -> Decisions:
    """Read a filled-in review sheet. Errors name the row, never its text."""
    from openpyxl import load_workbook

    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "decisions sheet not found")
    vet_workbook(path, max_sheet_bytes=MAX_REVIEW_SHEET_BYTES, what="review sheet")
    workbook = guard_document(lambda: load_workbook(str(path), read_only=True, data_only=True), path)
    try:
        sheet = workbook["review"] if "review" in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
        missing = [c for c in ("document", "part", "turn", "start", "end", "type", "original", "decision")
                   if c not in header]
        if missing:
            raise InputFileError(path, f"is not a qual review sheet (missing columns: {', '.join(missing)})",
                                 "use the file written by --review")
        col = {name: header.index(name) for name in header if name}
        decisions = Decisions()
        for row_number, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            value = row[col["decision"]] if col["decision"] < len(row) else None
            decision = str(value).strip().lower() if value is not None else ""
            if not decision:
                continue
            if decision not in DECISIONS:
                raise InputFileError(path, f"row {row_number}: the decision is not one of "
                                     f"{', '.join(DECISIONS)}", "choose from the drop-down")
            try:
                part = str(row[col["part"]] or "text")
                # A speaker label is one decision for every turn it heads.
                turn = -1 if part == "speaker" else int(row[col["turn"]])
                occurrence = (str(row[col["document"]]), part, turn, int(row[col["start"]]),
                              int(row[col["end"]]),
                              "" if row[col["original"]] is None else str(row[col["original"]]))
            except (TypeError, ValueError, IndexError):
                raise InputFileError(path, f"row {row_number}: document, turn, start or end is "
                                     "missing or not a number", "do not edit those columns") from None
            original = occurrence[-1]
            decisions.by_occurrence[occurrence] = decision
            if decision == KEEP:
                decisions.keep.add(occurrence)
            elif decision == REDACT:
                decisions.redact.add(occurrence)
            elif decision == ALWAYS_KEEP:
                decisions.keep.add(occurrence)
                if original.strip() and original not in decisions.always_keep:
                    decisions.always_keep.append(original.strip())
            elif decision == ALWAYS_REDACT:
                decisions.redact.add(occurrence)
                entry = (_entity_type(row[col["type"]], path, row_number), original.strip())
                if original.strip() and entry not in decisions.always_redact:
                    decisions.always_redact.append(entry)
    finally:
        workbook.close()
    log.info("decisions read: %d keep, %d redact, %d always keep, %d always redact",
             len(decisions.keep), len(decisions.redact), len(decisions.always_keep),
             len(decisions.always_redact))
    return decisions
