"""Human codes in: codes a researcher applied outside qual, as codings rows.

Three sources, picked by extension:

- **Word comments** (.docx): the comment's text names the code(s) (id or name, any case;
  several separated by ``;``, new lines or ``,``) and the commented range is the quote.
- **Tables** (.xlsx, .csv, .tsv): one row per coded unit, with a code column and a unit:
  ``document`` + ``segment`` (as in codings.csv), ``document`` + ``turn``, or the quoted
  ``text``. Several codes in one cell are split like comments. A ``status`` column (as in
  codings.csv) or an accept column (as in the codings.xlsx ``qual code`` writes for review)
  says which rows a human accepted.
- **REFI-QDA projects** (.qdpx, .qde) through ``qual.refi.read_project``.

Rows come out as codings (``qual.model.codings``: its columns and types). The unit is the segment (see
``qual.coding.segments``): given the transcripts, a quote is found in its transcript's text
and coded on every segment it covers (at least half of the quote, half of the segment, or
100 characters of it). Without transcripts a Word comment is its own unit
(segment ``c<comment id>``) unless the .docx itself can be read as a transcript.

Logs and errors give counts and positions only: a quote or comment may hold an identifier.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputFileError
from ..model import Transcript
from ..model.codebook import _text
from ..model.codings import (
    ACCEPTED, CODINGS_COLUMNS, HUMAN_SOURCE_PREFIX, REJECTED, SUGGESTED, Codings, coder_of, decision, is_blank,
)
from ..ooxml import W, paragraph_text, run_text
from .codebook import Codebook
from .quotes import QuoteLocator, covered_segments, segments_by_document

log = logging.getLogger("qual.coding.human")


@dataclass
class HumanCodes:
    """What a file of human codes yielded, besides the rows: what could not be used."""

    codings: Any  # pandas DataFrame in CODINGS_COLUMNS shape
    unmatched_labels: Counter = field(default_factory=Counter)  # labels not in the codebook
    unlocated_quotes: int = 0  # quotes not found in any transcript
    unit: str = "segment"  # "segment", or "comment" when no transcript was available

    def __repr__(self) -> str:  # the rows quote transcripts
        return (f"HumanCodes({len(self.codings)} rows, unit={self.unit!r}, "
                f"unmatched_labels={sum(self.unmatched_labels.values())}, "
                f"unlocated_quotes={self.unlocated_quotes})")


# --------------------------------------------------------------------------- public API


def read_human_codes(path: str | Path, transcripts: Iterable[Transcript] | None = None,
                     codebook: Codebook | None = None, *, coder: str | None = None,
                     rules=None):
    """Codes a human applied, as a DataFrame (``CODINGS_COLUMNS``; status ``accepted``,
    source ``human:<coder>``). See the module doc for the formats.

    ``transcripts`` lets quotes be mapped to segments (``rules``: ``SegmentRules``);
    ``codebook`` maps labels (id or name, any case) to code ids and drops labels that are
    not codes (comments that are notes, not codes). The DataFrame's ``attrs`` hold
    ``unmatched_labels`` (count per label), ``unlocated_quotes`` and ``unit``.
    """
    result = read_codes_file(path, transcripts, codebook, coder=coder, rules=rules, human_only=True)
    return _with_attrs(result)


def read_all_codes(path: str | Path, transcripts: Iterable[Transcript] | None = None,
                   codebook: Codebook | None = None, *, coder: str | None = None, rules=None):
    """Every coding row of a file, human or suggested, keeping ``status`` and ``source`` as
    the file has them (codings.csv/xlsx from ``qual code``); other sources as in
    ``read_human_codes``. Used by ``qual agreement`` to compare a coder with suggestions."""
    result = read_codes_file(path, transcripts, codebook, coder=coder, rules=rules, human_only=False)
    return _with_attrs(result)


def read_codes_file(path: str | Path, transcripts: Iterable[Transcript] | None = None,
                    codebook: Codebook | None = None, *, coder: str | None = None, rules=None,
                    human_only: bool = True) -> HumanCodes:
    """``read_human_codes`` / ``read_all_codes`` with what was dropped, as a ``HumanCodes``."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "does not exist", "check the path of the codes file")
    transcripts = list(transcripts) if transcripts is not None else None
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _from_docx(path, transcripts, codebook, coder, rules)
    if suffix in {".xlsx", ".xlsm", ".csv", ".tsv"}:
        return _from_table(path, transcripts, codebook, coder, rules, human_only)
    if suffix in {".qdpx", ".qde"}:
        return _from_refi(path, transcripts, codebook, coder, rules, human_only)
    raise InputFileError(path, f"has an unknown format for codes '{suffix or '(none)'}'",
                         "give a .docx with comments, an .xlsx/.csv of codes, or a .qdpx project")


def _with_attrs(result: HumanCodes):
    frame = result.codings
    frame.attrs["unmatched_labels"] = dict(result.unmatched_labels)
    frame.attrs["unlocated_quotes"] = result.unlocated_quotes
    frame.attrs["unit"] = result.unit
    if result.unmatched_labels:
        log.warning("%d code label(s) used %d time(s) are not in the codebook and were left out",
                    len(result.unmatched_labels), sum(result.unmatched_labels.values()))
    if result.unlocated_quotes:
        log.warning("%d quote(s) were not found in the transcripts and were left out",
                    result.unlocated_quotes)
    return frame


# --------------------------------------------------------------------------- labels


def split_labels(text: str, codebook: Codebook | None = None) -> list[str]:
    """Code labels in a comment or cell: split at ';' and new lines, and at ',' unless the
    part is itself a code name in ``codebook`` (names may contain commas)."""
    labels: list[str] = []
    for part in re.split(r"[;\n\r]+", text or ""):
        part = part.strip().strip(".").strip()
        if not part:
            continue
        if codebook is not None and codebook.find(part) is not None:
            labels.append(part)
            continue
        labels.extend(p.strip() for p in part.split(",") if p.strip())
    return labels


def resolve_label(label: str, codebook: Codebook | None) -> str | None:
    """The code id a label stands for, or None when ``codebook`` has no such code.

    Without a codebook the label itself is the code. "IMP.SPACE Space and visibility" and
    "IMP.SPACE - Space..." resolve by their leading id.
    """
    label = " ".join(label.split())
    if codebook is None:
        return label or None
    code = codebook.find(label)
    if code is None:
        head = re.split(r"[\s:\-–—]+", label, maxsplit=1)[0]
        code = codebook.find(head) if head and head != label else None
    return code.id if code is not None else None


def _codes_for(text: str, codebook: Codebook | None, unmatched: Counter) -> list[str]:
    codes = []
    for label in split_labels(text, codebook):
        code = resolve_label(label, codebook)
        if code is None:
            unmatched[label] += 1
        elif code not in codes:
            codes.append(code)
    return codes


def _row(document: str, code: str, source: str, status: str = ACCEPTED, **values) -> dict:
    row = {column: None for column in CODINGS_COLUMNS}
    row.update(document=document, code=code, source=source, status=status, score=1.0)
    row.update({k: v for k, v in values.items() if k in row})
    return row


def _segment_row(segment: dict, code: str, source: str, status: str = ACCEPTED, score=1.0) -> dict:
    row = _row(segment["document"], code, source, status,
               segment=segment["segment"], speaker=segment["speaker"], text=segment["text"],
               turn=segment["turn"], timestamp=segment["timestamp"], role=segment["role"],
               start=segment["start"], end=segment["end"])
    row["score"] = score
    return row


def _frame(rows: list[dict], path: Path | None = None):
    """The rows as codings, typed by the schema (``qual.model.codings``); one per code, unit and source.

    ``coder`` names the person behind each human row where the file or the caller named one;
    a source made from the file's name (``human:<file stem>``) names nobody."""
    frame = Codings.from_records(rows).frame
    unnamed = HUMAN_SOURCE_PREFIX + path.stem if path is not None else None
    frame["coder"] = ["" if status == SUGGESTED or (not coder and source == unnamed) else coder_of(coder, source)
                      for coder, source, status in zip(frame["coder"], frame["source"], frame["status"])]
    if not frame.empty:
        frame = frame.drop_duplicates(subset=["document", "segment", "code", "source"], keep="first")
        frame = frame.reset_index(drop=True)
    return frame


# --------------------------------------------------------------------------- Word comments


@dataclass
class WordComment:
    id: str
    author: str
    text: str  # the comment: the code label(s)
    quote: str  # the commented range
    start: int  # offsets of the quote in the document's paragraph text
    end: int

    def __repr__(self) -> str:  # the quote and the comment may hold an identifier
        return f"WordComment(id={self.id!r}, start={self.start}, end={self.end})"


def read_word_comments(path: str | Path) -> tuple[list[WordComment], str]:
    """The comments of a .docx with their commented ranges, and the document's plain text
    (paragraphs joined by new lines) that the comments' offsets refer to. The main document
    and its comments part are found through the package's relationships (``qual.ooxml``)."""
    from ..ooxml import Package

    path = Path(path)
    with Package(path) as package:
        main = package.main_part()
        if main is None or package.kind_of(main) != "word":
            raise InputFileError(path, "is not a Word document (it has no main document part)",
                                 "save it as .docx in Word or LibreOffice")
        document = package.xml(main)
        comment_parts = package.related(main).get("comments", [])
        if not comment_parts:
            return [], _document_text(document)
        comments_xml = [package.xml(part) for part in comment_parts]

    comment_text: dict[str, tuple[str, str]] = {}
    for comment in (c for root in comments_xml for c in root.iter(f"{W}comment")):
        paragraphs = [paragraph_text(p) for p in comment.iter(f"{W}p")]
        author = comment.get(f"{W}initials") or comment.get(f"{W}author") or ""
        comment_text[comment.get(f"{W}id")] = ("\n".join(paragraphs).strip(), author)

    pieces: list[str] = []
    position = 0
    open_ranges: dict[str, int] = {}
    ranges: dict[str, tuple[int, int]] = {}
    referenced: dict[str, tuple[int, int]] = {}
    body = document.find(f"{W}body")
    paragraphs = list(body.iter(f"{W}p")) if body is not None else []
    for number, paragraph in enumerate(paragraphs):
        if number:
            pieces.append("\n")
            position += 1
        paragraph_start = position
        for element in paragraph.iter():
            tag = element.tag
            if tag == f"{W}commentRangeStart":
                open_ranges[element.get(f"{W}id")] = position
            elif tag == f"{W}commentRangeEnd":
                comment_id = element.get(f"{W}id")
                if comment_id in open_ranges:
                    ranges[comment_id] = (open_ranges.pop(comment_id), position)
            elif tag == f"{W}commentReference":
                referenced[element.get(f"{W}id")] = (paragraph_start, -1)
            else:
                text = run_text(element)
                if text:
                    pieces.append(text)
                    position += len(text)
        paragraph_end = position
        for comment_id, (start, end) in list(referenced.items()):
            if end == -1:
                referenced[comment_id] = (start, paragraph_end)
    text = "".join(pieces)

    comments = []
    for comment_id, (label, author) in comment_text.items():
        start, end = ranges.get(comment_id) or referenced.get(comment_id) or (None, None)
        if start is None:
            continue
        comments.append(WordComment(id=comment_id, author=author, text=label,
                                    quote=text[start:end], start=start, end=end))
    comments.sort(key=lambda c: (c.start, c.end))
    return comments, text


def _document_text(document) -> str:
    return "\n".join(paragraph_text(p) for p in document.iter(f"{W}p"))


def _from_docx(path: Path, transcripts: list[Transcript] | None, codebook: Codebook | None,
               coder: str | None, rules) -> HumanCodes:
    comments, plain = read_word_comments(path)
    if not comments:
        raise InputFileError(path, "has no Word comments anchored to text",
                             "apply codes as comments (comment text = code id or name)")
    unmatched: Counter = Counter()
    if transcripts is None:
        transcripts = _ingest_self(path)
    rows: list[dict] = []
    unlocated = 0
    if transcripts:
        locator = QuoteLocator(transcripts)
        segments = segments_by_document(transcripts, rules)
        own = [t.id for t in transcripts if _same_file(t, path)]
        previous: str | None = None
        for comment in comments:
            codes = _codes_for(comment.text, codebook, unmatched)
            if not codes:
                continue
            near = comment.start / max(len(plain), 1)
            order = own or ([previous] + [t.id for t in transcripts if t.id != previous]
                            if previous else None)
            found = locator.find(comment.quote, order, near)
            if found is None:
                unlocated += 1
                continue
            document, start, end = found
            previous = document
            source = HUMAN_SOURCE_PREFIX + (coder or comment.author or path.stem)
            for segment in covered_segments(segments.get(document, []), start, end):
                rows.extend(_segment_row(segment, code, source) for code in codes)
        return HumanCodes(_frame(rows, path), unmatched, unlocated, "segment")
    # No transcript: each comment is its own unit, located in the .docx's own text.
    for comment in comments:
        source = HUMAN_SOURCE_PREFIX + (coder or comment.author or path.stem)
        for code in _codes_for(comment.text, codebook, unmatched):
            rows.append(_row(path.stem, code, source, segment=f"c{comment.id}", text=comment.quote,
                             start=comment.start, end=comment.end))
    return HumanCodes(_frame(rows, path), unmatched, 0, "comment")


def _same_file(transcript: Transcript, path: Path) -> bool:
    source = Path(transcript.source or "")
    return source.name == path.name or transcript.id == path.stem


def _ingest_self(path: Path) -> list[Transcript] | None:
    """The .docx read as a transcript by ``qual.ingest``, when that is possible."""
    try:
        from ..ingest import ingest
    except ImportError:
        return None
    try:
        result = ingest([path])
    except Exception:  # noqa: BLE001 - without a transcript, comments are their own units
        log.info("%s: could not be read as a transcript; comments are the units", path.name)
        return None
    transcripts = list(getattr(result, "transcripts", []) or [])
    return transcripts or None


# --------------------------------------------------------------------------- tables

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "codes", "code id", "code ids", "code name", "code label", "label", "labels", "node"),
    "document": ("document", "doc", "document id", "file", "file name", "filename", "transcript",
                 "transcript id", "interview", "interview id", "participant", "participant id",
                 "case"),
    "segment": ("segment", "segment id", "unit", "unit id"),
    "turn": ("turn", "turn index", "turn number", "turn no"),
    "text": ("text", "quote", "quotation", "excerpt", "segment text", "coded text", "data chunk",
             "text chunk", "passage", "selection", "coded segment"),
    "accept": ("accept", "accepted", "decision", "keep", "approve", "approved", "accept yes no"),
    "status": ("status",),
    "coder": ("coder", "user", "annotator", "author", "rater", "coded by"),
    "score": ("score",), "source": ("source", "suggested by", "suggester"),
    "speaker": ("speaker",), "role": ("role",), "timestamp": ("timestamp",),
    "start": ("start",), "end": ("end",),
}


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of the first sheet (or the CSV) whose header names a code column."""
    from .codebook_xlsx import _load_workbook, _norm_header, _read_table, _sheet_rows

    if path.suffix.lower() in {".csv", ".tsv"}:
        sheets = [_read_table(path)]
    else:
        workbook = _load_workbook(path)
        sheets = [_sheet_rows(workbook[name]) for name in workbook.sheetnames]
    for rows in sheets:
        for index, row in enumerate(rows[:20]):
            header = [_norm_header(value) for value in row]
            if any(h in TABLE_COLUMNS["code"] for h in header):
                columns: dict[str, int] = {}
                for field_name, names in TABLE_COLUMNS.items():
                    for position, h in enumerate(header):
                        if h in names and field_name not in columns and position not in columns.values():
                            columns[field_name] = position
                return [
                    {name: (row[pos] if pos < len(row) else None) for name, pos in columns.items()}
                    for row in rows[index + 1:]
                    if any(value not in (None, "") for value in row)
                ]
    raise InputFileError(path, "has no column of codes (a header named 'code', 'codes' or 'code id')",
                         "add a header row with a 'code' column and a 'segment' or 'text' column")


def _review_rows(path: Path) -> list[dict[str, Any]] | None:
    """Rows of the review sheet ``qual code`` writes (codings.xlsx with an accept column), read
    as codings (``qual.model.codings``) so that accept decisions mean the same here as in
    ``qual code --accept``; None for any other file."""
    from ..model.codings_xlsx import read_review_sheet
    from .codebook_xlsx import _norm_header

    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        return None
    sheet = read_review_sheet(path)
    if not {"accept", "document", "segment", "code"} <= {_norm_header(c) for c in sheet.columns}:
        return None
    codings = Codings(sheet, source=path)
    columns: dict[str, str] = {}
    for field_name, names in TABLE_COLUMNS.items():
        if field_name == "accept":
            continue  # the decisions are in status already
        for column in codings.frame.columns:
            if _norm_header(column) in names and column not in columns.values():
                columns[field_name] = column
                break
    return [{name: record.get(column) for name, column in columns.items()} for record in codings.records()]


def _from_table(path: Path, transcripts: list[Transcript] | None, codebook: Codebook | None,
                coder: str | None, rules, human_only: bool) -> HumanCodes:
    rows = _review_rows(path)
    if rows is None:
        rows = _read_rows(path)
    unmatched: Counter = Counter()
    segments = segments_by_document(transcripts, rules) if transcripts else {}
    by_id = {doc: {s["segment"]: s for s in segs} for doc, segs in segments.items()}
    locator = QuoteLocator(transcripts) if transcripts else None
    documents = [t.id for t in transcripts] if transcripts else []
    out: list[dict] = []
    unlocated = 0
    for number, row in enumerate(rows, 2):
        codes = _codes_for(_text(row.get("code")), codebook, unmatched)
        if not codes:
            continue
        status = _row_status(row)
        if human_only and status != ACCEPTED:
            continue  # a suggestion nobody accepted, or a rejected one
        source = _row_source(row, status, coder, path, human_only)
        score = _number(row.get("score"), 1.0)
        document = _text(row.get("document"))
        segment_id = _text(row.get("segment"))
        turn = _int(row.get("turn"))
        if not document and len(documents) == 1:
            document = documents[0]
        if segment_id and document:
            segment = by_id.get(document, {}).get(segment_id)
            if segment is not None:
                out.extend(_segment_row(segment, code, source, status, score) for code in codes)
            else:
                out.extend(_row(document, code, source, status, segment=segment_id, score=score,
                                turn=turn if turn is not None else _turn_of(segment_id),
                                text=_text(row.get("text")), speaker=_text(row.get("speaker")) or None,
                                role=_text(row.get("role")) or None,
                                timestamp=_text(row.get("timestamp")) or None,
                                start=_int(row.get("start")), end=_int(row.get("end")))
                           for code in codes)
            continue
        if turn is not None and document:
            turn_segments = [s for s in segments.get(document, []) if s["turn"] == turn]
            if turn_segments:
                out.extend(_segment_row(s, code, source, status, score) for s in turn_segments for code in codes)
            else:
                out.extend(_row(document, code, source, status, segment=str(turn), turn=turn,
                                text=_text(row.get("text")), score=score) for code in codes)
            continue
        quote = _text(row.get("text"))
        if quote and locator is not None:
            found = locator.find(quote, [document] if document in by_id else None)
            if found is None:
                unlocated += 1
                continue
            found_document, start, end = found
            for segment in covered_segments(segments.get(found_document, []), start, end):
                out.extend(_segment_row(segment, code, source, status, score) for code in codes)
            continue
        if quote:
            # No transcripts: the quoted text is the unit.
            out.extend(_row(document or path.stem, code, source, status, segment=f"r{number}",
                            text=quote, score=score) for code in codes)
            continue
        raise InputFileError(path, f"row {number} says neither which segment, turn nor text it codes",
                             "give 'document' and 'segment' (or 'turn'), or the quoted 'text'")
    return HumanCodes(_frame(out, path), unmatched, unlocated, "segment")


def _row_status(row: dict[str, Any]) -> str:
    """A row's status: the accept column's decision, else its status column, else accepted
    (a plain table of codes is a coder's); an undecided row of a review sheet is suggested."""
    accept = decision(row.get("accept")) if "accept" in row else None
    if accept in (ACCEPTED, REJECTED):
        return accept
    status = _text(row.get("status")).lower()
    if status:
        return status
    return SUGGESTED if "accept" in row else ACCEPTED


def _row_source(row: dict[str, Any], status: str, coder: str | None, path: Path, human_only: bool) -> str:
    file_source = _text(row.get("source"))
    if not human_only and file_source and status != ACCEPTED:
        return file_source  # a suggester's name, as qual code wrote it
    if coder:
        return HUMAN_SOURCE_PREFIX + coder
    if file_source.startswith(HUMAN_SOURCE_PREFIX):
        return file_source
    if _text(row.get("coder")):
        return HUMAN_SOURCE_PREFIX + _text(row.get("coder"))
    if not human_only and file_source:
        return file_source
    return HUMAN_SOURCE_PREFIX + path.stem


def _turn_of(segment_id: str) -> int | None:
    head = segment_id.split(".")[0]
    return int(head) if head.isdigit() else None


def _int(value: Any) -> int | None:
    if is_blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == number else None


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number == number else default


# --------------------------------------------------------------------------- REFI-QDA


def _from_refi(path: Path, transcripts: list[Transcript] | None, codebook: Codebook | None,
               coder: str | None, rules, human_only: bool = True) -> HumanCodes:
    from ..refi.importer import read_project

    project = read_project(path)
    unmatched: Counter = Counter()
    refi_codebook = getattr(project, "codebook", None)
    segments = segments_by_document(transcripts, rules) if transcripts else {}
    rows: list[dict] = []
    for record in Codings(project.codings).records():
        label = str(record.get("code") or "")
        code = resolve_label(label, codebook)
        if code is None and refi_codebook is not None and codebook is not None:
            refi_code = refi_codebook.find(label)
            code = resolve_label(refi_code.name, codebook) if refi_code is not None else None
        if code is None:
            unmatched[label] += 1
            continue
        # qual's unreviewed suggestions come back from a peer as suggestions (their own user)
        status = str(record.get("status") or ACCEPTED)
        if human_only and status != ACCEPTED:
            continue
        source = record.get("source") or HUMAN_SOURCE_PREFIX + path.stem
        if coder and status == ACCEPTED:
            source = HUMAN_SOURCE_PREFIX + coder
        document = str(record.get("document") or "")
        start, end = _int(record.get("start")), _int(record.get("end"))
        if document in segments and start is not None and end is not None:
            for segment in covered_segments(segments[document], start, end):
                rows.append(_segment_row(segment, code, source, status))
            continue
        row = {column: record.get(column) for column in CODINGS_COLUMNS}
        row.update(code=code, source=source, status=status)
        if row.get("score") is None:
            row["score"] = 1.0
        rows.append(row)
    return HumanCodes(_frame(rows, path), unmatched, 0, "segment")
