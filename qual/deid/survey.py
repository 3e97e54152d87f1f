"""Survey free text: de-identify one or more columns of a CSV or Excel table.

The same engine as for transcripts (detection, entity linking, the key's pseudonyms, review)
runs over every cell of the chosen columns, with detection spread over the machine's cores.
Each column is treated as one document whose "turns" are its rows, so the log and the review
sheet say ``document = <file stem>:<column>``, ``turn = <row>`` (0 = first data row).

The table's own names carry identifiers too ("kayden thornbury survey.xlsx", a sheet named
after a school, a header "Comments on Mo"): the file stem, the sheet names and the header row
are de-identified with the same engine (one more document, whose id is the file stem and whose
turns are the sheet names and header cells), so the output file, its sheets, its headers and
the log's document names hold pseudonyms, not names.

Only the chosen columns change. Every other column is copied as it was read (as text, so
"007" stays "007"); a column that itself identifies people (a name or email column) must be
dropped by the user or named with ``--column`` too.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import InputFileError, QualError
from ..files import atomic_open, atomic_path, guard_document, vet_workbook
from ..model import Role, Transcript, Turn
from .engine import Deidentifier
from .parallel import ParallelAnalyzer
from .review import ReviewItem

# A survey's free-text table, like a transcript, is read whole; bigger sheets are refused
# before openpyxl spends minutes on them.
MAX_SURVEY_SHEET_BYTES = 16 * 2**20

log = logging.getLogger("qual.deid.survey")

TABLE_SUFFIXES = (".csv", ".xlsx")


@dataclass
class Table:
    """A table read as text: sheets of rows (the first row is the header)."""

    path: Path
    sheets: dict[str, list[list[Any]]]
    encoding: str = "utf-8"
    delimiter: str = ","

    def __repr__(self) -> str:
        return f"Table({self.path.name!r}, {len(self.sheets)} sheets)"


@dataclass
class TableResult:
    """What ``deidentify_table`` did. ``log`` has writer.LOG_COLUMNS."""

    source: Path
    output: Path
    columns: list[str]
    cells: int
    log: Any
    review_items: list[ReviewItem] = field(default_factory=list)

    def __repr__(self) -> str:
        # the output's name only: the source's may hold an identifier
        return (f"TableResult({self.output.name!r}, {self.cells} cells, "
                f"{len(self.log)} replacements)")


def read_table(path: str | Path, columns: Sequence[str] = ()) -> Table:
    """Read a CSV (any common encoding and delimiter) or an .xlsx workbook, every cell as text.

    ``columns``, when given, settles a CSV's delimiter: the one whose header has them.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputFileError(path, "file not found")
    if suffix == ".csv":
        return _read_csv(path, columns)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise InputFileError(path, f"a survey table must be .csv or .xlsx, not {suffix or 'no extension'}")


def _read_csv(path: Path, columns: Sequence[str] = ()) -> Table:
    import io

    from charset_normalizer import from_bytes

    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            best = from_bytes(data).best()
            if best is None:
                raise InputFileError(path, "is not text in any encoding qual recognises",
                                     "save it as UTF-8 CSV") from None
            encoding = best.encoding
    text = data.decode(encoding)
    candidates = [",", ";", "\t", "|"]
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        candidates.remove(sniffed)
        candidates.insert(0, sniffed)
    except csv.Error:
        pass
    rows: list[list[Any]] = []
    for delimiter in candidates:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as error:
            raise InputFileError(path, f"is not a readable CSV ({type(error).__name__})",
                                 "check the quoting and re-save it") from None
        header = [h.strip() for h in rows[0]] if rows else []
        if not columns or all(c in header for c in columns):
            break
    return Table(path, {"": rows}, encoding, delimiter)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    vet_workbook(path, max_sheet_bytes=MAX_SURVEY_SHEET_BYTES, what="survey table")
    workbook = guard_document(lambda: load_workbook(str(path), read_only=True, data_only=True), path)
    try:
        sheets = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
                  for sheet in workbook.worksheets}
    finally:
        workbook.close()
    return Table(path, sheets)


def write_table(table: Table, path: str | Path) -> Path:
    """Write ``table`` in its own format. Text stays text: a cell "=..." is no formula."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with atomic_open(path, "w", encoding=table.encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=table.delimiter)
            writer.writerows(next(iter(table.sheets.values())))
        return path
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    # write-only: rows are streamed to the file as they are added, not held as cell objects
    # (a 280,000-row sheet would take a gigabyte and minutes the other way)
    workbook = Workbook(write_only=True)
    for title, rows in table.sheets.items():
        sheet = workbook.create_sheet(title or "Sheet1")
        for row in rows:
            cells = []
            for value in row:
                if value is None:
                    cells.append(None)
                    continue
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    with atomic_path(path) as tmp:
        workbook.save(str(tmp))
    return path


def _column_documents(table: Table, columns: Sequence[str], stem: str) -> list[tuple[str, int, Transcript]]:
    """One transcript per (sheet, column): a turn per data row, empty cells left empty."""
    documents = []
    found = set()
    for title, rows in table.sheets.items():
        if not rows:
            continue
        header = ["" if h is None else str(h).strip() for h in rows[0]]
        for column in columns:
            if column not in header:
                continue
            found.add(column)
            index = header.index(column)
            turns = []
            for number, row in enumerate(rows[1:]):
                value = row[index] if index < len(row) else None
                text = "" if value is None else str(value)
                turns.append(Turn(index=number, speaker="", role=Role.OTHER, text=text))
            name = f"{stem}:{title}:{column}" if title and len(table.sheets) > 1 else f"{stem}:{column}"
            documents.append((title, index, Transcript(id=name, source=str(table.path), turns=turns)))
    missing = [c for c in columns if c not in found]
    if missing:
        raise InputFileError(table.path, f"has no column named {', '.join(repr(c) for c in missing)}",
                             "check --column against the header row")
    return documents


# What Excel refuses in a sheet name, and its longest
_SHEET_NAME_SIGNS = str.maketrans("", "", "[]:*?/\\")
_SHEET_NAME_MAX = 31


def _names_document(table: Table, stem: str) -> Transcript:
    """The table's names as one document: its id is the file stem (de-identified as every
    document id is), its turns the sheet names and then each sheet's header cells."""
    texts = [str(title or "") for title in table.sheets]
    for rows in table.sheets.values():
        texts += ["" if h is None else str(h) for h in (rows[0] if rows else [])]
    turns = [Turn(index=k, speaker="", role=Role.OTHER, text=text) for k, text in enumerate(texts)]
    return Transcript(id=stem, source=str(table.path), turns=turns)


def _renamed(table: Table, clean: Transcript) -> None:
    """Put the de-identified sheet names and header cells of ``clean`` into ``table``."""
    texts = [turn.text for turn in clean.turns]
    titles = texts[:len(table.sheets)]
    position = len(table.sheets)
    sheets: dict[str, list[list[Any]]] = {}
    for number, (title, rows) in enumerate(table.sheets.items()):
        if rows:
            width = len(rows[0])
            rows[0] = [old if old is None or str(old) == new else new
                       for old, new in zip(rows[0], texts[position:position + width])]
            position += width
        new_title = title
        if titles[number] != str(title or ""):
            # a tag's brackets are no sign Excel allows in a sheet name
            new_title = " ".join(titles[number].translate(_SHEET_NAME_SIGNS).split())[:_SHEET_NAME_MAX]
            new_title = new_title or f"Sheet{number + 1}"
        while new_title in sheets:
            new_title = f"{new_title[:_SHEET_NAME_MAX - 3]}-{number + 1}"
        sheets[new_title] = rows
    table.sheets = sheets


def deidentify_table(
    path: str | Path,
    columns: str | Sequence[str],
    out_dir: str | Path,
    *,
    engine: Deidentifier | None = None,
    analyzer=None,
    workers: int | None = None,
    surrogates: bool = False,
    taken: "set[str] | None" = None,
) -> TableResult:
    """De-identify ``columns`` of the table at ``path`` into ``out_dir/<same file name>``.

    ``engine`` carries the key and decisions when the caller has them (``deidentify``
    passes its own); otherwise a new in-memory one is made around ``analyzer`` (default:
    the standard analyzer), with detection spread over ``workers`` processes. ``taken``:
    output names already written by this run (compared without case); the table's name is
    made distinct from them ("survey-2.csv") and added, so that two tables whose names
    de-identify alike ("survey-280000.csv", "survey-310000.csv") never overwrite each other.
    """
    path = Path(path)
    out_dir = Path(out_dir)
    if isinstance(columns, str):
        columns = [columns]
    if not columns:
        raise QualError("name at least one column to de-identify (--column NAME)")
    if (out_dir / path.name).resolve() == path.resolve():
        raise QualError(f"{path}: the output would overwrite the input; choose another --out folder")
    table = read_table(path, columns)
    documents = _column_documents(table, columns, path.stem)
    names = _names_document(table, path.stem)
    if engine is None:
        if analyzer is None:
            from .analyzer import Analyzer

            analyzer = Analyzer()
        engine = Deidentifier(ParallelAnalyzer(analyzer, workers), surrogates=surrogates)
    elif workers != 1 and not isinstance(engine.analyzer, ParallelAnalyzer) and engine.analyzer is not None:
        engine.analyzer = ParallelAnalyzer(engine.analyzer, workers)
    transcripts = [document for _, _, document in documents] + [names]
    # an engine shared across tables keeps what it planned for the others (their logs, the
    # reviewer's decisions they matched)
    engine.partial_fit(transcripts)
    cells = 0
    for title, index, document in documents:
        clean = engine.transform(document)
        rows = table.sheets[title]
        for turn, new in zip(document.turns, clean.turns):
            if new.text != turn.text:
                row = rows[turn.index + 1]
                while len(row) <= index:
                    row.append(None)
                row[index] = new.text
            cells += 1 if turn.text else 0
    from .writer import safe_stem, unique_stems

    clean_names = engine.transform(names)
    _renamed(table, clean_names)
    stem = path.stem if clean_names.id == names.id else safe_stem(clean_names.id)
    if taken is not None:
        stem = unique_stems([stem], {Path(name).stem for name in taken
                                     if Path(name).suffix.casefold() == path.suffix.casefold()})[0]
        taken.add(stem + path.suffix)
    output = out_dir / (stem + path.suffix)
    if output.resolve() == path.resolve():
        raise QualError(f"{output}: the output would overwrite the input; choose another --out folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    write_table(table, output)
    log_frame = engine.log_of(transcripts)
    review = engine.review_items_of(transcripts)
    log.info("table de-identified: %d cells in %d columns, %d replacements", cells, len(documents),
             len(log_frame))
    return TableResult(source=path, output=output, columns=list(columns), cells=cells, log=log_frame,
                       review_items=review)
