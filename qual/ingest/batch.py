"""Many files at once: find transcripts under folders, read each, attach case attributes,
and write the raw corpus. One bad file never stops the batch; it becomes a ``FileFailure``.
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..corpus import CORPUS_FILE, read_corpus, write_corpus
from ..errors import FileFailure, InputFileError
from ..files import OWNER_ONLY, atomic_open
from ..model import Transcript, turn_records
from .formats import CONVERTIBLE_SUFFIXES, CORPUS_SUFFIXES, TRANSCRIPT_SUFFIXES
from .participants import PARTICIPANT_ID, ParticipantSheet, attributes_from_row
from .reader import read_transcript

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("qual.ingest")

SUMMARY_FILE = "summary.csv"
TURNS_FILE = "turns.csv"
SUMMARY_COLUMNS = ["file", "id", "format", "turns", "speakers", "words", "status", "error",
                   "interviewer", "roles_by"]


@dataclass
class IngestResult:
    """What a batch produced: the transcripts read, the files that failed, and what was skipped."""

    transcripts: list[Transcript] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)     # transcripts with no participants row
    unused_rows: list[dict[str, Any]] = field(default_factory=list)  # sheet rows with no transcript
    records: list[dict[str, Any]] = field(default_factory=list, repr=False)  # one per file: see summary

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def summary(self):
        """One row per input file: file, id, format, turns, speakers, words, status, error, ..."""
        import pandas as pd

        return pd.DataFrame(self.records, columns=SUMMARY_COLUMNS)

    def turns(self):
        """All turns of all transcripts, one row per turn (with case attributes)."""
        import pandas as pd

        return pd.DataFrame(turn_records(self.transcripts))


def find_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    exclude: Iterable[str | Path] = (),
) -> tuple[list[Path], list[str]]:
    """Files to read under ``paths`` (folders recursively), and the ones passed over.

    Hidden files and folders, Word lock files (``~$...``) and files that are not
    transcripts (spreadsheets, images...) are passed over in folders. Documents a user may
    have meant as transcripts (.doc, .rtf, .odt, .pdf) are kept, so that each gets a clear
    failure instead of vanishing. A file named explicitly is always kept.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    excluded = [Path(p).resolve() for p in exclude]
    found: list[Path] = []
    skipped: list[str] = []
    for given in paths:
        root = Path(given)
        if not root.is_dir():
            found.append(root)
            continue
        for directory, folders, files in os.walk(root):
            here = Path(directory)
            folders[:] = sorted(f for f in folders if not f.startswith(".")
                                and not _inside(here / f, excluded))
            for name in sorted(files, key=_natural):
                path = here / name
                if name.startswith((".", "~$")) or _inside(path, excluded):
                    skipped.append(str(path))
                    continue
                suffix = path.suffix.lower()
                if suffix in TRANSCRIPT_SUFFIXES or suffix in CONVERTIBLE_SUFFIXES or name == CORPUS_FILE:
                    found.append(path)
                else:
                    skipped.append(str(path))
    unique = list(dict.fromkeys(found))
    return unique, skipped


TRANSCRIPT_KINDS = ".docx, .txt, .vtt, .srt or corpus.jsonl"


def no_inputs_message(paths: str | Path | Iterable[str | Path], *, exclude: Iterable[str | Path] = ()) -> str | None:
    """Why nothing under ``paths`` can be read as a transcript (an empty folder, a folder of
    other files), or None when there is something to read."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files, skipped = find_inputs(paths, exclude=exclude)
    if files:
        return None
    names = ", ".join(str(p) for p in paths)
    if not skipped:
        return f"{names}: {'is' if len(paths) == 1 else 'are'} empty; there is nothing to read"
    return (f"{names}: no transcript found ({len(skipped)} other file(s) passed over; transcripts are "
            f"{TRANSCRIPT_KINDS})")


def nothing_read(paths: str | Path | Iterable[str | Path], failures, *, exclude: Iterable[str | Path] = ()):
    """The ``NothingReadError`` for a batch that read no transcript: the folder is empty, or
    holds no transcript, or every file failed (each failure keeps its own reason)."""
    from ..errors import NothingReadError

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    message = None if failures else no_inputs_message(paths, exclude=exclude)
    if message is None:
        names = ", ".join(str(p) for p in paths)
        message = (f"no transcript could be read from {names}: {len(failures)} file(s) failed, "
                   "for the reasons above")
    return NothingReadError(message, failures)


def _inside(path: Path, excluded: list[Path]) -> bool:
    if not excluded:
        return False
    resolved = path.resolve()
    return any(resolved == e or e in resolved.parents for e in excluded)


def _natural(name: str) -> list:
    import re

    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def ingest(
    paths: str | Path | Iterable[str | Path],
    *,
    participants: str | Path | ParticipantSheet | pd.DataFrame | None = None,
    interviewer: str | Iterable[str] | None = None,
    exclude: Iterable[str | Path] = (),
    on_file: Callable[[Path], None] | None = None,
    workers: int | None = None,
    meanwhile: Callable[[], Any] | None = None,
) -> IngestResult:
    """Read every transcript under ``paths``; failures are collected, never raised.

    ``participants`` is a sheet (.xlsx/.csv path, or the DataFrame ``read_participants``
    returns) whose rows give each transcript its participant id and case attributes.
    ``interviewer`` is the interviewer's label or name when inference should not decide; a
    sheet's ``interviewer`` column (a name) is used for its rows when no ``interviewer`` is
    given and it matches a label. ``corpus.jsonl`` files written by qual are
    read as they are. ``on_file`` is called after each file (for progress bars).
    ``workers``: processes reading files (default: every core; 1 = this process); the
    result is the same, in the same order. ``meanwhile`` is called once in this process
    while the workers read (a caller's own preparation); what it raises is raised after the
    files are read, never taken for a file's failure.
    Raises ``InputFileError`` only when the participants sheet itself cannot be read.
    """
    from ..workers import process_imap

    sheet = _sheet(participants)
    sheet_path = Path(sheet.source).resolve() if sheet is not None and sheet.source else None
    files, skipped = find_inputs(paths, exclude=exclude)
    result = IngestResult(skipped=skipped)
    ids: dict[str, int] = {}
    if sheet_path is not None:
        result.skipped += [str(path) for path in files if path.resolve() == sheet_path]
        files = [path for path in files if path.resolve() != sheet_path]
    # Files are read in worker processes; the sheet is matched here (it records which of its
    # rows were used) and every result is taken in file order.
    rows = {index: sheet.match(path) if sheet is not None else None
            for index, path in enumerate(files) if path.suffix.lower() not in CORPUS_SUFFIXES}
    prepared: dict[str, Exception | None] = {}  # meanwhile() runs once; its error is raised at the end

    def prepare() -> None:
        prepared["error"] = None
        try:
            meanwhile()
        except Exception as error:  # noqa: BLE001 - raised below, after the files
            prepared["error"] = error

    read = process_imap(_read_in_worker, list(rows), workers=workers, shared_data=(files, rows, interviewer),
                        min_items=PARALLEL_MIN_FILES, meanwhile=prepare if meanwhile is not None else None)
    for index, path in enumerate(files):
        try:
            if path.suffix.lower() in CORPUS_SUFFIXES:
                transcripts = _read_corpus(path, sheet, result)
            else:
                if sheet is not None and rows[index] is None:
                    result.unmatched.append(str(path))
                transcript, failure = next(read)
                if failure is not None:
                    raise failure
                transcripts = [transcript]
        except InputFileError as error:
            result.failures.append(FileFailure(str(path), str(error)))
            result.records.append(_row(path, None, "failed", str(error)))
            log.info("failed: %s", path)
        except Exception as error:  # noqa: BLE001 - file 73 of 100 must not stop the other 99
            # A bug met on this file (or memory or recursion exhausted by it): the batch goes
            # on. The exception's own message is not shown: it may quote the file's text.
            kind = error.kind if isinstance(error, _Unexpected) else type(error).__name__
            message = (f"{path}: could not be read ({kind}); please report it, "
                       "and check that the file opens in its application")
            result.failures.append(FileFailure(str(path), message))
            result.records.append(_row(path, None, "failed", message))
            log.warning("internal error on %s (%s)", path, kind)
        else:
            for transcript in transcripts:
                transcript.id = _unique_id(transcript.id, ids)
                result.transcripts.append(transcript)
                result.records.append(_row(path, transcript, "ok", ""))
        if on_file is not None:
            on_file(path)
    if sheet is not None:
        result.unused_rows = sheet.unused()
    if meanwhile is not None and not prepared:  # no file was read by process_imap
        prepare()
    if prepared.get("error") is not None:
        raise prepared["error"]
    return result


# Below this many files, reading them here is quicker than starting worker processes.
PARALLEL_MIN_FILES = 8


def _read_in_worker(index: int) -> tuple[Transcript | None, BaseException | None]:
    """Read file ``index`` of the shared list: (transcript, None), or (None, the exception),
    which the caller reports as ingest always has (an exception pickles without its
    traceback, and InputFileError's message never quotes the file)."""
    from ..workers import shared

    files, rows, interviewer = shared()
    try:
        return _read_one(files[index], rows[index], interviewer), None
    except InputFileError as error:
        return None, error
    except Exception as error:  # noqa: BLE001 - reported by type only, in the parent
        return None, _Unexpected(type(error).__name__)


class _Unexpected(Exception):
    """An error met while reading a file in a worker, carried by its type's name only."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _sheet(participants) -> ParticipantSheet | None:
    if participants is None or isinstance(participants, ParticipantSheet):
        return participants
    if isinstance(participants, (str, Path)):
        return ParticipantSheet.read(participants)
    return ParticipantSheet(participants)  # a DataFrame, as read_participants() returns


def _read_one(path: Path, row: dict[str, Any] | None, interviewer) -> Transcript:
    transcript = read_transcript(
        path,
        interviewer=interviewer,
        interviewer_name=str(row["interviewer"]) if row and row.get("interviewer") else None,
        transcript_id=str(row[PARTICIPANT_ID]) if row and row.get(PARTICIPANT_ID) else None,
        attributes=attributes_from_row(row) if row else None,
    )
    return transcript


def _read_corpus(path: Path, sheet: ParticipantSheet | None, result: IngestResult) -> list[Transcript]:
    transcripts = read_corpus(path)
    if not transcripts:
        raise InputFileError(path, "is an empty corpus", "regenerate it with 'qual ingest'")
    if sheet is not None:
        for transcript in transcripts:
            row = sheet.match(transcript.source or transcript.id, transcript.id)
            if row is None:
                result.unmatched.append(f"{path}:{transcript.id}")
                continue
            transcript.attributes.update(attributes_from_row(row))
            if row.get(PARTICIPANT_ID):
                transcript.id = str(row[PARTICIPANT_ID])
    return transcripts


def _unique_id(wanted: str, ids: dict[str, int]) -> str:
    """Ids must be unique in a corpus: a second 'P01' (say, part 2 of an interview) is 'P01-2'."""
    count = ids.get(wanted, 0) + 1
    ids[wanted] = count
    if count == 1:
        return wanted
    candidate = f"{wanted}-{count}"
    while candidate in ids:
        count += 1
        candidate = f"{wanted}-{count}"
    ids[candidate] = 1
    log.warning("two transcripts share the id %s; the later one is %s", wanted, candidate)
    return candidate


def _row(path: Path, transcript: Transcript | None, status: str, error: str) -> dict[str, Any]:
    if transcript is None:
        return {"file": str(path), "id": None, "format": path.suffix.lower().lstrip("."), "turns": 0,
                "speakers": 0, "words": 0, "status": status, "error": error, "interviewer": None,
                "roles_by": None}
    interviewers = [s for s in transcript.speakers
                    if any(t.speaker == s and str(t.role) == "interviewer" for t in transcript.turns)]
    return {
        "file": str(path), "id": transcript.id, "format": transcript.format, "turns": len(transcript.turns),
        "speakers": len(transcript.speakers), "words": transcript.words, "status": status, "error": error,
        "interviewer": "; ".join(interviewers), "roles_by": transcript.metadata.get("roles_by"),
    }


def write_ingest(result: IngestResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``corpus.jsonl``, ``summary.csv`` and ``turns.csv`` into ``out_dir`` (atomically).

    These files hold the raw, identifiable transcripts: they are written owner-only.
    CSVs carry a UTF-8 byte-order mark so that Excel shows accented names correctly.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    corpus = write_corpus(result.transcripts, out / CORPUS_FILE, permissions=OWNER_ONLY)
    summary = out / SUMMARY_FILE
    _write_csv(summary, SUMMARY_COLUMNS, result.records)
    turns = out / TURNS_FILE
    records = turn_records(result.transcripts)
    columns = list(dict.fromkeys(key for record in records for key in record)) or \
        ["document", "turn", "speaker", "role", "timestamp", "text", "start", "end", "words"]
    _write_csv(turns, columns, records)
    return {"corpus": corpus, "summary": summary, "turns": turns}


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with atomic_open(path, "w", encoding="utf-8-sig", newline="", permissions=OWNER_ONLY) as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
