"""The participants sheet: one row per interview, with its case attributes.

A researcher keeps a spreadsheet such as::

    Participant ID | File name          | Role | LA      | Arm          | Interview date | Interviewer
    SW03           | SW03_final.docx    | SW   | LA-North| intervention | 2023-05-04     | Hanna Solomon

Its columns are normalised to lower_snake names with common variants folded together
("Participant ID", "PID" -> ``participant_id``; "File name", "Transcript" -> ``file``;
"LA" -> ``local_authority``; "Arm" -> ``trial_arm``). A transcript is matched to a row by
file name or stem, else by a participant id that appears in the file name; every column
except ``file`` becomes ``Transcript.attributes`` and the participant id becomes its ``id``.
Some columns are identifiable (``name``, ``school``, ``interviewer``); they are carried
as they are, for de-identification to deal with.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any, Mapping

from ..errors import InputFileError
from ..files import guard_document, vet_workbook
from .text import decode_text


PARTICIPANT_ID = "participant_id"
FILE = "file"

COLUMN_ALIASES = {
    PARTICIPANT_ID: ("participant_id", "participant", "participant_no", "participant_number", "participant_code",
                     "participant_ref", "pid", "p_id", "id", "case_id", "case", "respondent_id", "respondent",
                     "interviewee_id", "interviewee", "code", "ref", "reference", "interview_id"),
    FILE: ("file", "file_name", "filename", "files", "transcript", "transcript_file", "transcript_name",
           "document", "doc", "source", "path", "file_path", "filepath", "transcript_filename"),
    "role": ("role", "job_role", "participant_role", "participant_type", "type", "sw_tm", "job_title"),
    "local_authority": ("local_authority", "la", "authority", "council", "local_authority_la", "la_name"),
    "trial_arm": ("trial_arm", "arm", "allocation", "condition", "trial_group", "randomisation", "randomization"),
    "interview_date": ("interview_date", "date", "date_of_interview", "interview_date_dd_mm_yyyy", "interviewed",
                       "date_interviewed"),
    "interviewer": ("interviewer", "interviewer_name", "interviewed_by", "researcher", "interviewer_s"),
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".csv", ".tsv"})


SHEET_NAMES = ("participants.xlsx", "participants.csv")


def find_participants_sheet(inputs) -> Path | None:
    """A sheet named ``participants.xlsx`` or ``participants.csv`` directly in an input folder."""
    for item in [inputs] if isinstance(inputs, (str, Path)) else inputs:
        folder = Path(item)
        if folder.is_dir():
            for name in SHEET_NAMES:
                if (folder / name).is_file():
                    return folder / name
    return None


def normalise_column(name: Any) -> str:
    text = str(name or "").strip().casefold()
    text = re.sub(r"[^\w]+", "_", text).strip("_")
    return text


def read_participants(path: str | Path):
    """The sheet as a DataFrame of strings with normalised column names (first sheet of an .xlsx)."""
    import pandas as pd

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or 'I/O error'})") from None
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(path, data)
    elif suffix in (".csv", ".tsv", ".txt"):
        rows = _csv_rows(path, data)
    else:
        raise InputFileError(path, "is not a participants sheet (.xlsx or .csv)", "save the sheet as .xlsx or .csv")
    header_row = _header_row(rows)
    if header_row is None:
        raise InputFileError(path, "has no header row",
                             "put column names such as 'Participant ID' and 'File' in the first row")
    columns = _columns(rows[header_row])
    records = []
    for row in rows[header_row + 1:]:
        values = [_cell(value) for value in row]
        if not any(values):
            continue
        records.append({column: (values[i] if i < len(values) and values[i] else None)
                        for i, column in enumerate(columns) if column})
    named = [c for c in columns if c]
    if PARTICIPANT_ID not in named and FILE not in named:
        raise InputFileError(path, "has neither a participant id nor a file name column",
                             "add a 'Participant ID' or 'File name' column")
    frame = pd.DataFrame.from_records(records, columns=named)
    return frame.astype(object).where(frame.notna(), None)


def _columns(header: list[Any]) -> list[str]:
    columns: list[str] = []
    for value in header:
        name = normalise_column(value)
        target = _ALIAS_TO_COLUMN.get(name, name)
        if not name:
            columns.append("")
        elif target in columns:
            # a second 'ID'-like column keeps its own name rather than shadowing the first
            columns.append(name if name not in columns else f"{name}_{len(columns)}")
        else:
            columns.append(target)
    return columns


def _header_row(rows: list[list[Any]]) -> int | None:
    """The first row naming a participant or file column (title rows above it are skipped)."""
    for index, row in enumerate(rows[:15]):
        names = {_ALIAS_TO_COLUMN.get(normalise_column(v)) for v in row}
        if PARTICIPANT_ID in names or FILE in names:
            return index
    for index, row in enumerate(rows):
        if sum(1 for v in row if _cell(v)) >= 2:
            return index
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


# One row per interview: a sheet with more rows is some other table (a pupil register, a
# survey export), and reading a million rows would take minutes; the rows are streamed and
# the sheet refused as soon as it passes this.
MAX_PARTICIPANT_ROWS = 10_000
MAX_PARTICIPANT_SHEET_BYTES = 32 * 2**20  # of sheet XML; 10,000 rows of 9 columns are ~4 MB


def _too_many_rows(path: Path) -> InputFileError:
    return InputFileError(path, f"has more than {MAX_PARTICIPANT_ROWS:,} rows, too many for a participants "
                          "sheet (one row per interview)", "give a sheet that lists only the interviews")


def _bounded(rows, path: Path) -> list[list[Any]]:
    """The rows, refusing a sheet with too many filled ones. Blank rows between filled ones are
    kept (as one shared empty row) so that row positions stay; blank rows at the end, which a
    sheet formatted down to row 1,048,576 yields by the million, are dropped."""
    kept: list[list[Any]] = []
    filled = 0
    blank: list[Any] = []
    pending = 0
    for row in rows:
        if not any(_cell(v) for v in row):
            pending += 1
            continue
        filled += 1
        if filled > MAX_PARTICIPANT_ROWS + 16:  # title rows and the header above the interviews
            raise _too_many_rows(path)
        kept.extend([blank] * pending)
        pending = 0
        kept.append(list(row))
    return kept


def _xlsx_rows(path: Path, data: bytes) -> list[list[Any]]:
    # bombs, and sheets too large to be a participants sheet, before openpyxl unpacks anything
    vet_workbook(path, data, max_sheet_bytes=MAX_PARTICIPANT_SHEET_BYTES, what="participants sheet")

    def load():
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                rows = _bounded(sheet.iter_rows(values_only=True), path)
                if rows:
                    return rows
            return []
        finally:
            book.close()

    return guard_document(load, path)


def _csv_rows(path: Path, data: bytes) -> list[list[str]]:
    text, _ = decode_text(data, path)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    try:
        return _bounded(csv.reader(io.StringIO(text), dialect), path)
    except csv.Error:
        raise InputFileError(path, "is not a readable CSV table",
                             "save the sheet from Excel as .xlsx or CSV UTF-8") from None


class ParticipantSheet:
    """A read participants sheet, able to find the row for a transcript file."""

    def __init__(self, table, source: str | Path = "") -> None:
        self.table = table
        self.source = str(source)
        self.rows: list[dict[str, Any]] = [
            {k: (v if v is not None and str(v).strip() else None) for k, v in record.items()}
            for record in table.to_dict("records")
        ]
        self.used: set[int] = set()

    @classmethod
    def read(cls, path: str | Path) -> "ParticipantSheet":
        return cls(read_participants(path), path)

    def match(self, path: str | Path, transcript_id: str | None = None) -> dict[str, Any] | None:
        """The row for a transcript: by file name or stem, else by a participant id in the name."""
        path = Path(path)
        name, stem = path.name.casefold(), path.stem.casefold()
        for index, row in enumerate(self.rows):
            listed = str(row.get(FILE) or "").strip()
            if listed:
                listed_name = Path(listed.replace("\\", "/")).name.casefold()
                if listed_name in (name, stem) or Path(listed_name).stem == stem:
                    return self._take(index, row)
        keys = [k for k in (transcript_id, path.stem) if k]
        best: tuple[int, int] | None = None
        ambiguous = False
        for index, row in enumerate(self.rows):
            pid = str(row.get(PARTICIPANT_ID) or "").strip()
            if not pid:
                continue
            if any(pid.casefold() == key.casefold() for key in keys):
                return self._take(index, row)
            if _contains_id(stem, pid):
                if best is None or len(pid) > best[1]:
                    best, ambiguous = (index, len(pid)), False
                elif len(pid) == best[1]:
                    ambiguous = True
        if best is not None and not ambiguous:
            return self._take(best[0], self.rows[best[0]])
        return None

    def _take(self, index: int, row: dict[str, Any]) -> dict[str, Any]:
        self.used.add(index)
        return dict(row)

    def unused(self) -> list[dict[str, Any]]:
        """Rows no transcript matched (interviews listed but not found)."""
        return [row for index, row in enumerate(self.rows) if index not in self.used]


_ID_TOKEN = re.compile(r"[^\W\d_]{1,4}\d{1,4}[^\W\d_]?")
_VERSION_TOKEN = re.compile(r"v\d+|ver\d+|draft\d*|final\d*", re.IGNORECASE)


def participant_id_from_name(name: str | Path) -> str:
    """A participant id written in a file name ('SWIS_SW01_interview' -> 'SW01'), else the stem.

    Only an unambiguous letters+digits code counts; 'Interview 01' or 'P03_v2_P04' keep the
    whole stem, which is unique within a folder.
    """
    stem = Path(name).stem
    tokens = [t for t in re.split(r"[\s_\-.]+", stem) if t]
    codes = [t for t in tokens if _ID_TOKEN.fullmatch(t) and not _VERSION_TOKEN.fullmatch(t)]
    return codes[0] if len(codes) == 1 else stem


def _contains_id(stem: str, pid: str) -> bool:
    # 'SW03' in 'sw03_final' but not 'P1' in 'p10'; ids are compared without case
    pattern = rf"(?<![^\W_]){re.escape(pid.casefold())}(?![^\W_])"
    return re.search(pattern, stem) is not None


def attributes_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every sheet column except the file column, as case attributes (None where empty)."""
    return {key: (None if value == "" else value) for key, value in row.items() if key != FILE}
