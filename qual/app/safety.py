"""What the workspace refuses to serve: a project folder that holds identifiable material.

The workspace shows de-identified transcripts in a browser. Whatever can undo the
de-identification, or still names people, belongs on the secure side (README: "the
identifiable side never goes into out/"), so a folder holding any of it is refused with one
line that names the file and what to do. Recall comes before precision: a file is refused
when it *may* be identifiable (a key by its name alone, say), never waved through because it
*may* not be.

What is looked for (every file under the folder, hidden ones too, symlinks not followed):

- the pseudonym key: ``*.key`` (``qual deidentify --key``), any file that starts with the
  key's header line, and the key's lock file ``*.key.lock``;
- the register of identifiers (``<key stem>.register.csv``, or a file starting with its
  ``# qual register`` header);
- the review sheet of uncertain detections (an .xlsx whose header has ``original`` and
  ``pseudonym`` columns: ``qual.deid.review``);
- a participants sheet (``participants.xlsx``/``.csv``, or a sheet or CSV with a name column);
- the raw output of ``qual ingest`` (``summary.csv``/``turns.csv`` beside a ``corpus.jsonl``),
  and a ``corpus.jsonl`` whose transcripts keep document metadata or identifying case
  attributes that are not pseudonym tags (``qual.export.matrix.IDENTIFYING_ATTRIBUTES``);
- transcripts that were not written by ``qual deidentify`` (.docx, .doc, .rtf, .odt, .pdf,
  .txt, .vtt, .srt outside a folder holding its ``deid_log.csv``), except the Word report
  ``qual`` writes.

Messages name the file (its path inside the project) and never quote its content.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import QualError

MAX_FILES = 50_000
HEAD_BYTES = 4096
TRANSCRIPT_SUFFIXES = (".docx", ".doc", ".rtf", ".odt", ".pdf", ".txt", ".vtt", ".srt")
DEID_LOG = "deid_log.csv"
INGEST_TABLES = ("summary.csv", "turns.csv")
PARTICIPANT_SHEETS = ("participants.xlsx", "participants.csv")
NAME_COLUMNS = frozenset({
    "name", "full_name", "participant_name", "first_name", "firstname", "forename", "given_name",
    "surname", "last_name", "lastname", "family_name", "child_name", "parent_name",
})
REGISTER_HEADER = b"# qual register"
QUAL_DOCX_CREATOR = b"<dc:creator>qual</dc:creator>"


class IdentifiableFolderError(QualError):
    """The project folder holds identifiable material; the workspace will not serve it."""


@dataclass(frozen=True)
class Finding:
    """One file the workspace refuses, and what it appears to be."""

    path: Path
    what: str


def new_token() -> str:
    """A random secret for the address the server prints (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def _header_key(value: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lower())


def _head(path: Path, size: int = HEAD_BYTES) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def xlsx_header(path: Path) -> list[str]:
    """The first row of the first sheet of an .xlsx, read as a stream: a review sheet or a
    workbook of 20,000 codings costs milliseconds, not a full parse. Empty when unreadable."""
    from lxml import etree

    from ..errors import InputFileError
    from ..files import open_zip

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    try:
        archive = open_zip(path)
    except InputFileError:
        return []
    with archive:
        names = set(archive.namelist())
        sheet = next((n for n in sorted(names) if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)), None)
        if sheet is None:
            return []
        cells: list[tuple[str, str]] = []  # (type, value) of row 1
        try:
            with archive.open(sheet) as handle:
                for _, element in etree.iterparse(handle, events=("end",), tag=f"{main}row",
                                                  resolve_entities=False, no_network=True, huge_tree=False):
                    for cell in element.iter(f"{main}c"):
                        kind = cell.get("t", "n")
                        if kind == "inlineStr":
                            cells.append(("str", "".join(cell.itertext())))
                        else:
                            value = cell.find(f"{main}v")
                            cells.append((kind, value.text if value is not None and value.text else ""))
                    break
            wanted = {int(v) for t, v in cells if t == "s" and v.isdigit()}
            shared: dict[int, str] = {}
            if wanted and "xl/sharedStrings.xml" in names:
                with archive.open("xl/sharedStrings.xml") as handle:
                    for number, (_, element) in enumerate(etree.iterparse(
                            handle, events=("end",), tag=f"{main}si", resolve_entities=False,
                            no_network=True, huge_tree=False)):
                        if number in wanted:
                            shared[number] = "".join(element.itertext())
                        element.clear()
                        if number >= max(wanted):
                            break
        except (etree.XMLSyntaxError, OSError, KeyError, ValueError):
            return []
    return [shared.get(int(v), "") if t == "s" and v.isdigit() else v for t, v in cells]


def _csv_header(path: Path) -> list[str]:
    text = _head(path).decode("utf-8-sig", errors="replace")
    try:
        return next(csv.reader(text.splitlines()[:1]), [])
    except csv.Error:
        return []


def _looks_like_participants(header: list[str]) -> bool:
    return any(_header_key(cell) in NAME_COLUMNS for cell in header)


def _raw_corpus(path: Path) -> str:
    """Why a corpus.jsonl looks identifiable (raw, not de-identified), or ''."""
    from ..export.cases import IDENTIFYING_ATTRIBUTES, PSEUDONYM_TAG

    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    return "a corpus.jsonl that cannot be read (it may be raw)"
                if not isinstance(record, dict):
                    return "a corpus.jsonl that cannot be read (it may be raw)"
                if record.get("metadata"):
                    return "a raw corpus (it keeps the source documents' metadata)"
                for name, value in (record.get("attributes") or {}).items():
                    if _header_key(name) in IDENTIFYING_ATTRIBUTES and value not in (None, "") and \
                            not PSEUDONYM_TAG.match(str(value).strip()):
                        return f"a raw corpus (its case attribute '{name}' is not a pseudonym)"
    except UnicodeDecodeError:
        return "a corpus.jsonl that is not UTF-8 (it may be raw)"
    except OSError:
        return "a corpus.jsonl that cannot be read"
    return ""


def _classify(path: Path, deid_folders: set[Path], ingest_folders: set[Path]) -> str:
    """What identifiable thing ``path`` appears to be, or ''."""
    name = path.name.lower()
    if name.endswith((".key", ".key.lock")):
        return "a pseudonym key (or its lock file)"
    if name.endswith(".register.csv"):
        return "a register of identifiers"
    head = _head(path, 512)
    if b'"qual-pseudonym-key"' in head:
        return "a pseudonym key"
    if head.startswith(REGISTER_HEADER):
        return "a register of identifiers"
    if name in PARTICIPANT_SHEETS:
        return "a participants sheet (it holds real names)"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header = {_header_key(cell) for cell in xlsx_header(path)}
        if {"original", "pseudonym"} <= header or {"original", "context"} <= header:
            return "a de-identification review sheet (it quotes the originals)"
        if header & NAME_COLUMNS:
            return "a sheet with a name column (a participants sheet?)"
    if suffix in (".csv", ".tsv"):
        if _looks_like_participants(_csv_header(path)):
            return "a table with a name column (a participants sheet?)"
        if name in INGEST_TABLES and path.parent in ingest_folders:
            return "raw output of 'qual ingest'"
    if name == "corpus.jsonl":
        if path.parent in ingest_folders:
            return "a raw corpus written by 'qual ingest'"
        reason = _raw_corpus(path)
        if reason:
            return reason
    if suffix in TRANSCRIPT_SUFFIXES and path.parent not in deid_folders:
        if suffix == ".docx" and QUAL_DOCX_CREATOR in _docx_core(path):
            return ""  # the Word report qual writes (report.docx)
        return "a transcript that 'qual deidentify' did not write (it may be raw)"
    return ""


def _docx_core(path: Path) -> bytes:
    from ..errors import InputFileError
    from ..files import open_zip, read_member

    try:
        with open_zip(path) as archive:
            return read_member(archive, "docProps/core.xml", path)[:4096]
    except (InputFileError, KeyError, OSError):
        return b""


def find_identifiable(root: str | Path, ignore: tuple[str, ...] = ()) -> list[Finding]:
    """Every file under ``root`` that looks identifiable (see the module's docstring).

    ``ignore``: file names (at ``root``) that are the workspace's own (its database).
    """
    root = Path(root)
    files: list[Path] = []
    for folder, folders, names in os.walk(root, followlinks=False):
        folders.sort()
        here = Path(folder)
        for name in sorted(names):
            if here == root and name in ignore:
                continue
            files.append(here / name)
            if len(files) > MAX_FILES:
                raise IdentifiableFolderError(
                    f"{root}: holds more than {MAX_FILES:,} files; give the folder 'qual run' or 'qual code' "
                    "wrote (the workspace checks every file in it for identifiable material)")
    deid_folders = {p.parent for p in files if p.name == DEID_LOG}
    ingest_folders = {p.parent for p in files if p.name in INGEST_TABLES} & \
        {p.parent for p in files if p.name == "corpus.jsonl"}
    findings = []
    for path in files:
        what = _classify(path, deid_folders, ingest_folders)
        if what:
            findings.append(Finding(path, what))
    return findings


def refuse_identifiable(root: str | Path, ignore: tuple[str, ...] = ()) -> None:
    """Raise ``IdentifiableFolderError`` (one line) when ``root`` holds identifiable material."""
    findings = find_identifiable(root, ignore)
    if not findings:
        return
    first = findings[0]
    try:
        shown = first.path.relative_to(Path(root))
    except ValueError:
        shown = first.path
    more = f" (and {len(findings) - 1} more file(s))" if len(findings) > 1 else ""
    raise IdentifiableFolderError(
        f"{Path(root) / shown}: {first.what}{more}; the workspace serves only de-identified folders: "
        "move it to the secure side (beside the key) and start 'qual app' again")
