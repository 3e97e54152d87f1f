"""``check_paths``: find identifiers left in files, with the detectors ``qual deidentify`` uses.

For each file, every text unit (see :mod:`qual.check.extract`) is joined into one text
(units separated by a blank line, so names propagate within the file as they do in a
transcript), pseudonym tags such as ``[Person 3]`` (and, with a key, its surrogate names)
are blanked at the same length, and the text goes through the de-identification
:class:`~qual.deid.analyzer.Analyzer` and, with a key, the search for the key's originals
(:mod:`qual.deid.keysearch`). Each span becomes a :class:`Finding` located by part,
paragraph/cell/line and character offset, and shown only masked.

What fails the build:

* a **certain** finding (an original from the key) always;
* otherwise a finding whose confidence is at least ``threshold``: by default
  :data:`GATE_THRESHOLD`; with ``strict``, every finding the analyzer reports, however
  unsure (the recall-first guesses at 0.35-0.45 included).

What could not be read fails the build too (exit 2): a file that is neither text nor a
format qual check knows, and a part of a file it cannot read (an audio source in a .qdpx, a
page of a PDF that is only a scanned image). They are listed as not scanned;
``allow_unscanned`` lists them without failing (the behaviour before issue 16), ``strict``
makes them errors. A gate must not pass what it did not see. A finding recorded in the
baseline is silenced in either mode.

Paths are shown as findings are: an identifier in a file or folder name (found by the same
analyzer, which reads every file name and every folder name below the paths given) is
replaced by its mask wherever the path is printed, and the file's number in the scan is
added (``deid/#5c1d0e_interview.docx [file 3]``) so that a user can still find it.

Each file is checked on its own: the result for a file does not depend on which other
files were checked with it, so a pre-commit run on two changed files and a CI run on the
whole folder agree. Files are spread over worker processes when there are enough of them.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..deid.analyzer import Analyzer
from ..deid.identity import TAG_RE
from ..deid.pseudonyms import EntityTable
from ..deid.secure import SecureProject
from ..errors import InputFileError, QualError
from .baseline import Baseline
from .extract import (MAX_CHECK_CHARACTERS, SNIFF_BYTES, TextUnit, Unreadable, extract_text_units, is_supported,
                      read_input, sniff)
from .masking import Masker, PathMasker, Redactor, fingerprint, new_salt
from .walk import find_files

log = logging.getLogger("qual.check")

# Below this confidence a finding is reported as a note and does not fail the build
# (unless strict). Every detector with evidence of an identifier (a name list, a title, a
# context word, a gazetteer, a pattern) reports at 0.5 or more; the recall-first rule
# reports a capitalised word nothing explains at 0.45 mid-sentence and 0.4 opening a
# sentence - an unusual child's name not in any list is found only so, and fails - and a
# word in capitals at 0.35: in this field nearly always an acronym (DSL, MASH, IDVA), so a
# note unless strict.
GATE_THRESHOLD = 0.4
# Units are joined by a blank line holding an invisible separator: a paragraph break for
# the detectors, but not whitespace, so that no context pattern ("postcode: X") reaches
# from one cell into the next.
UNIT_SEPARATOR = "\n\u2063\n"
# Enough work to be worth starting worker processes.
PARALLEL_MIN_FILES = 4
PARALLEL_MIN_BYTES = 256 * 1024


@dataclass
class Finding:
    """One identifier found, located and masked; never the identifier itself.

    ``file``: the path as given. ``part``: the part of the file (``word/footer1.xml``,
    ``xl/worksheets/sheet1.xml``; empty for plain text). ``location``: where in the part
    (``paragraph 12``, ``sheet 1, cell B7``, ``line 40``). ``offset``: characters from the
    start of that paragraph, cell or line. ``masked``: see :mod:`qual.check.masking`.
    ``fingerprint``: what a baseline records. ``certain``: an original from the key.
    ``failing``: it fails the build (certain, or confident enough).
    """

    file: str
    part: str
    location: str
    offset: int
    type: str
    detector: str
    confidence: float
    masked: str
    fingerprint: str
    certain: bool = False
    failing: bool = True
    line: int | None = None
    file_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        # every field is a scalar: a plain copy is all asdict() would make, at a tenth of its cost
        return dict(vars(self))


@dataclass
class CheckResult:
    """What ``check_paths`` found. ``errors``: one line per file (or part) that could not be
    read, naming it and never quoting it. ``not_scanned``: files or parts that are no format
    qual check reads (errors instead when ``strict``); they fail the check unless
    ``allow_unscanned``. ``files``: the paths checked, as given (identifiable: never
    printed; findings and lines name a file by its masked path)."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    characters_scanned: int = 0
    not_scanned: list[str] = field(default_factory=list)
    silenced: int = 0
    threshold: float = GATE_THRESHOLD
    strict: bool = False
    seconds: float = 0.0
    key_originals: int = 0
    files: list[str] = field(default_factory=list)
    allow_unscanned: bool = False
    stale: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # files the rules already failed, which the NER model did not read (see ``complete``)
    model_skipped: int = 0
    paths: list[str] = field(default_factory=list, repr=False)  # by file_index - 1, as given

    def __repr__(self) -> str:
        return (f"CheckResult({self.files_scanned} files, {len(self.failing)} failing findings, "
                f"{len(self.findings) - len(self.failing)} notes, {len(self.errors)} errors)")

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.failing]

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings that fail the build, 2 an input could not be read (a file or a
        part not scanned counts, unless ``allow_unscanned``)."""
        if self.errors or (self.not_scanned and not self.allow_unscanned):
            return 2
        return 1 if self.failing else 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def files_with_findings(self) -> list[str]:
        return list(dict.fromkeys(f.file for f in self.failing))

    def to_frame(self):
        """The findings as a pandas DataFrame (one row per finding)."""
        import pandas as pd

        columns = list(Finding.__dataclass_fields__)
        return pd.DataFrame([f.to_dict() for f in self.findings], columns=columns)


@dataclass
class _FileScan:
    display: str
    findings: list[Finding] = field(default_factory=list)
    originals: list[str] = field(default_factory=list)  # identifiable: for the redactor only
    errors: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    bytes: int = 0
    characters: int = 0
    folder: bool = False
    model_skipped: bool = False  # the rules already failed it; the NER model did not read it

    def __repr__(self) -> str:
        return f"_FileScan(<path>, {len(self.findings)} findings)"


# --------------------------------------------------------------------------- scanning


class Scanner:
    """Checks one file at a time. Built once per run; shared by worker processes."""

    def __init__(self, analyzer, key_search=None, *, masker: Masker | None = None,
                 threshold: float = GATE_THRESHOLD, strict: bool = False, salt: str | None = None,
                 relative_to: Path | None = None, complete: bool = False) -> None:
        self.analyzer = analyzer
        # False: the NER model reads only the files the rules (and the key) do not already fail
        self.complete = complete
        self.key_search = key_search
        self.masker = masker or Masker()
        self.threshold = 0.0 if strict else threshold
        self.strict = strict
        self.salt = salt or new_salt()
        self.relative_to = (relative_to or Path.cwd()).resolve()
        self._tag_re = TAG_RE
        self._allowed = None
        if key_search is not None and key_search.allowed_forms():
            from ..deid.recognizers.phrases import PhraseMatcher

            self._allowed = PhraseMatcher(((form, form) for form in key_search.allowed_forms()),
                                          case_sensitive=True)

    def __repr__(self) -> str:
        return f"Scanner(threshold={self.threshold}, key={self.key_search!r})"

    def warm_up(self) -> None:
        """What the analyzer builds lazily, built before worker processes fork. The NER model
        only for a complete check: otherwise each worker loads it when a file first needs it,
        and a run whose every file fails on the rules never pays for it."""
        warm_up = getattr(self.analyzer, "warm_up", None)
        if warm_up is None:
            return  # a caller's analyzer may have none
        if self._model_reads_every_file:
            warm_up()
        else:
            warm_up(models=False)

    @property
    def _model_reads_every_file(self) -> bool:
        # a caller's analyzer (anything with analyze(text)) cannot be told where to read
        return self.complete or not isinstance(self.analyzer, Analyzer)

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(path.expanduser().resolve(), self.relative_to)).as_posix()

    def scan_file(self, path: Path, display: str | None = None, data: bytes | None = None,
                  relative: str | None = None) -> _FileScan:
        """Check one file. ``data``: its bytes, already read (on a cluster worker, which may not
        see the file); ``relative``: its path as fingerprints name it (worked out where the file
        is)."""
        display = display or str(path)
        scan = _FileScan(display)
        units: list[TextUnit] = []
        units.append(TextUnit("", "file name", _file_name_text(path.name)))  # read even when the file is not
        try:
            head = data[:SNIFF_BYTES] if data is not None else _head(path)
            if not is_supported(path) and sniff(head) is None:
                scan.unreadable.append("not text and no format qual check reads")
                self._analyse(path, display, units, scan, relative)
                return scan
            if data is None:
                data = read_input(path)
            scan.bytes = len(data)
            characters = 0
            for unit in extract_text_units(path, data):
                if isinstance(unit, Unreadable) and unit.damaged:
                    scan.errors.append(f"{display}: {unit.part}: {unit.reason}")
                elif isinstance(unit, Unreadable):
                    scan.unreadable.append(f"{unit.part}: {unit.reason}" if unit.part else unit.reason)
                else:
                    characters += len(unit.text)
                    if characters > MAX_CHECK_CHARACTERS:
                        raise InputFileError(path, f"holds more than {MAX_CHECK_CHARACTERS // 2**20} million characters "
                                             "of text, more than qual check reads in one file",
                                             "split it into smaller files and check those")
                    units.append(unit)
        except InputFileError as error:
            scan.errors.append(_error_line(display, error))
            units = units[:1]  # refused whole (a part of it read is no check of it); its name is still read
            scan.bytes = 0
        except MemoryError:
            scan.errors.append(f"{display}: too large to check in the memory available")
            units = units[:1]
        except Exception as error:  # noqa: BLE001 - a reader's failure is this file's problem
            log.debug("reading failed with %s", type(error).__name__)
            scan.errors.append(f"{display}: cannot be read ({type(error).__name__}); check that it "
                               "opens in its application and re-save it")
            units = units[:1]
        if units:
            self._analyse(path, display, units, scan, relative)
        return scan

    def _analyse(self, path: Path, display: str, units: list[TextUnit], scan: _FileScan,
                 relative: str | None = None) -> None:
        if not units:
            return
        starts: list[int] = []
        position = 0
        for unit in units:
            starts.append(position)
            position += len(unit.text) + len(UNIT_SEPARATOR)
        text = UNIT_SEPARATOR.join(unit.text for unit in units)
        scan.characters = len(text)
        searchable = self._blank_allowed(text)
        certain = []
        if self.key_search is not None:
            certain = self._outside_keep_terms(searchable, self.key_search.find(searchable))
        if self._model_reads_every_file:
            spans = list(self.analyzer.analyze(searchable))
        else:
            def already_failing(rule_spans) -> bool:
                # the verdict is the file's: a model adds spans and the rules' spans stand, so
                # a file that fails on the rules' findings (or the key's) fails with the model
                # too, and the model - most of check's time - need not read it
                scan.model_skipped = bool(certain) or any(
                    s.confidence >= self.threshold and s.text.strip() for s in rule_spans)
                return scan.model_skipped

            spans = list(self.analyzer.analyze(searchable, model_unless=already_failing))
        if certain:
            spans = [s for s in spans if not any(s.overlaps(c) for c in certain)] + certain
        relative = relative or self.relative(path)
        for span in sorted(spans, key=lambda s: s.start):
            index = bisect.bisect_right(starts, span.start) - 1
            unit = units[index]
            local = span.start - starts[index]
            local_end = min(span.end - starts[index], len(unit.text))
            surface = unit.text[local:local_end]
            if not surface.strip():
                continue  # blank, or inside a separator
            location, offset, line = _locate(unit, local, local_end)
            certain = span.detector == "key"
            scan.originals.append(surface)
            scan.findings.append(Finding(
                file=display, part=unit.part, location=location, offset=offset,
                type=str(span.type), detector=span.detector, confidence=round(float(span.confidence), 2),
                masked=self.masker.mask(surface),
                fingerprint=fingerprint(self.salt, relative, str(span.type), surface),
                certain=certain, failing=certain or span.confidence >= self.threshold, line=line,
            ))

    def _outside_keep_terms(self, text: str, spans: list) -> list:
        """Key hits that are not part of a keep-term: a key may hold an everyday word caught
        as a name once ("Miss Social"), which is no leak in "Children's Social Care"."""
        keep_list = getattr(self.analyzer, "keep_list", None)
        if not spans or keep_list is None:
            return spans
        from ..deid.normalize import normalize

        normalized = normalize(text)
        kept = [normalized.to_original(start, end) for start, end in keep_list.find(normalized.text)]
        return [s for s in spans if not any(low <= s.start and s.end <= high for low, high in kept)]

    def _blank_allowed(self, text: str) -> str:
        """Pseudonym tags and the key's surrogate names blanked, offsets kept."""
        ranges = [m.span() for m in self._tag_re.finditer(text)]
        if self._allowed is not None:
            ranges += [(start, end) for start, end, _ in self._allowed.find(text)]
        if not ranges:
            return text
        pieces = []
        position = 0
        for start, end in sorted(ranges):
            if end <= position:
                continue
            start = max(start, position)
            pieces.append(text[position:start])
            pieces.append(" " * (end - start))
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError:
        return b"PK"  # not sniffable here: read_input says what is wrong with it


def _scan_folder(scanner: Scanner, folder: Path, display: str) -> _FileScan:
    """A folder's name, read as a file name is (a folder named after a child is a finding)."""
    scan = _FileScan(display, folder=True)
    scanner._analyse(folder, display, [TextUnit("", "folder name", _file_name_text(folder.name))], scan)
    return scan


def _shown_line(line: str, display: str, shown: str) -> str:
    return shown + line[len(display):] if line.startswith(display) else line


def _file_name_text(name: str) -> str:
    """A file name read as words ("Jayden_Smith_interview" -> "Jayden Smith interview")."""
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return "".join(" " if c in "_-.+" else c for c in stem)


def _locate(unit: TextUnit, start: int, end: int) -> tuple[str, int, int | None]:
    line = None
    if unit.first_line is not None:
        newlines = unit.text.count("\n", 0, start)
        line = unit.first_line + newlines
        offset = start - (unit.text.rfind("\n", 0, start) + 1)
        location = f"line {line}" if unit.location in ("", "text") else f"{unit.location}, line {line}"
    else:
        location, offset = unit.location, start
    labels = [label for low, high, label in unit.regions if low < end and start < high]
    if labels:
        location += f" ({', '.join(dict.fromkeys(labels))})"
    return location, offset, line


_QUOTED_MEMBER = re.compile(r"member '[^'\n]*'|member \"[^\"\n]*\"")


def _error_line(display: str, error: InputFileError) -> str:
    """The error's own words, less any archive member name it quotes (a member of a .qdpx
    can be named after a person)."""
    message = error.problem + (f"; {error.advice}" if error.advice else "")
    return f"{display}: {_QUOTED_MEMBER.sub('member (name withheld)', message)}"


# --------------------------------------------------------------------------- building


def _key_search(key, project: SecureProject):
    """The search for the key's originals: ``key`` as given (a ``KeySearch`` or an
    ``EntityTable``), else the project's key file, if it has one."""
    from ..deid.keysearch import KeySearch

    if isinstance(key, KeySearch):
        return key
    if isinstance(key, EntityTable):
        return KeySearch(key)
    if not project.has_key:
        return None
    return KeySearch(project.read_key())


def _key_warnings(project: SecureProject, key, strict: bool) -> list[str]:
    """A key file that group or others can read: a warning, refused with ``strict``."""
    if not project.has_key or not isinstance(key, (str, Path, type(None))):
        return []
    mode = project.key_file.group_or_others_can_read()
    if mode is None:
        return []
    message = (f"{project.key_path}: the pseudonym key can be read by group or others (mode "
               f"{oct(mode)[2:].zfill(4)}); make it owner-only: chmod 600 {project.key_path}")
    if strict:
        raise QualError(message + " (refused with --strict)")
    return [message]


def _stale_outputs(project: SecureProject, key, files: list[tuple[Path, str]]) -> list[str]:
    """Files de-identified against an older revision of the key (or another key), from the
    ``deid_provenance.json`` that ``qual deidentify`` writes beside its outputs."""
    if not project.has_key or not isinstance(key, (str, Path, type(None))):
        return []
    from ..deid.key import PROVENANCE_FILE, stale_files

    lines = []
    for path, display in files:
        if path.name == PROVENANCE_FILE:
            folder = display[: -len(PROVENANCE_FILE)].rstrip("/\\") or "."
            lines += [f"{Path(folder) / name}: {why}" for name, why in stale_files(path.parent, project.key_file)]
    return lines


# --------------------------------------------------------------------------- running

def _scan_in_worker(item: tuple[Path, str]) -> _FileScan:
    from ..workers import shared

    return shared().scan_file(*item)


def _scan_remote(token: str, path: Path, display: str, data: bytes, relative: str) -> _FileScan:
    from ..cluster import held

    return held(token).scan_file(path, display, data, relative)


def _scan_all(scanner: Scanner, files: list[tuple[Path, str]], jobs: int | None, client=None) -> list[_FileScan]:
    """Every file's scan, in order: on a Dask cluster (``client``), in forked worker processes
    when there is enough work (``jobs``, default every core), else here."""
    if client is not None and files:
        return _scan_on_cluster(scanner, files, client)
    total = 0
    for path, _ in files:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    if len(files) < PARALLEL_MIN_FILES or total < PARALLEL_MIN_BYTES:
        jobs = 1
    from ..workers import process_map

    # built once before the workers fork, not once in each
    return process_map(_scan_in_worker, files, workers=jobs, shared_data=scanner, warm_up=scanner.warm_up)


def _scan_on_cluster(scanner: Scanner, files: list[tuple[Path, str]], client) -> list[_FileScan]:
    """The files read here and checked on the cluster's workers, a few at a time per worker so
    that this process never holds the whole corpus; the scanner (analyzer, key search) is
    unpickled once by each worker (:mod:`qual.cluster`)."""
    from distributed import as_completed

    from ..cluster import on_every_worker
    from ..workers import cluster_workers

    scanner.warm_up()
    results: list[_FileScan | None] = [None] * len(files)
    window = 4 * cluster_workers(client)
    pending = as_completed()
    index_of = {}
    queue = iter(enumerate(files))
    try:
        with on_every_worker(client, scanner) as token:
            def submit_next() -> bool:
                for index, (path, display) in queue:
                    if not is_supported(path) and sniff(_head(path)) is None:
                        results[index] = scanner.scan_file(path, display)  # only its name to read
                        continue
                    try:
                        data = read_input(path)
                    except InputFileError:
                        results[index] = scanner.scan_file(path, display)  # its error line, made here
                        continue
                    future = client.submit(_scan_remote, token, path, display, data, scanner.relative(path),
                                           pure=False)
                    index_of[future.key] = index
                    pending.add(future)
                    return True
                return False

            for _ in range(window):
                if not submit_next():
                    break
            for future in pending:
                results[index_of.pop(future.key)] = future.result()
                future.release()
                submit_next()
    except QualError:
        raise
    except Exception as error:  # noqa: BLE001 - a worker's message could quote a file's text
        raise QualError(f"qual check on the Dask cluster failed ({type(error).__name__}); check the "
                        "workers' logs, or run without --scheduler") from None
    return [scan for scan in results if scan is not None]


def check_paths(paths: Iterable[str | Path], *, project: SecureProject | None = None, key=None,
                baseline: str | Path | Baseline | None = None, strict: bool = False, analyzer=None,
                threshold: float = GATE_THRESHOLD, passphrase: str | None = None,
                register: str | Path | None = None, keep_list: str | Path | None = None,
                exclude: Sequence[str] = (), jobs: int | None = None, mask: str = "hash", ner: Any = "auto",
                ignore: Iterable[str | Path] = (), apply_baseline: bool = True,
                allow_unscanned: bool = False, scheduler: str | None = None,
                complete: bool = False) -> CheckResult:
    """Check files and folders (recursively) for identifiers.

    ``project``: the :class:`~qual.deid.secure.SecureProject` of the de-identification: its
    key's originals are searched for and are certain leaks, and its register and keep-list
    are used as ``qual deidentify`` uses them. Instead of a project, its files: ``key`` (a key
    file, passphrase from ``passphrase`` or ``QUAL_KEY_PASSPHRASE``), ``register`` and
    ``keep_list`` (a file given by name must exist; by default those beside the key). ``key``
    may also be an ``EntityTable`` or a ``KeySearch``. ``baseline``: a baseline file (or
    :class:`Baseline`) whose findings are silenced. ``strict``: every finding fails and
    unreadable parts are errors. ``analyzer``: anything with ``analyze(text) -> list[Span]``
    (default: the project's analyzer, with ``ner``). ``exclude``: glob patterns of paths to
    leave out. ``allow_unscanned``: files and parts that could not be read are listed but do
    not fail the check. ``jobs``: worker processes (default: every core; 1 = this process).
    ``scheduler``: a Dask scheduler's address (``tcp://host:8786``, or ``local`` for a
    ``LocalCluster`` here) to check on instead: files are read here and sent to the workers,
    with the analyzer and the key's originals; the result is the same. ``complete``: the NER
    model reads every file; by default it reads only the files that the rules and the key do
    not already fail (the same files fail either way, and the model is most of the time; a
    failing file then lists the rules' findings only). A baseline makes the check complete: the
    findings it records and silences are those of every detector.
    """
    started = time.perf_counter()
    paths = list(paths)
    if not paths:
        raise QualError("no paths given to check")
    if isinstance(baseline, (str, Path)):
        baseline = Baseline.load(baseline)
    key_file = key if isinstance(key, (str, Path)) else None
    project = SecureProject.of(project, key=key_file, passphrase=passphrase, register=register,
                               keep_list=keep_list)
    key_search = _key_search(key, project)
    warnings = _key_warnings(project, key, strict)
    if analyzer is None:
        analyzer = project.analyzer(ner=ner, must_exist=True)
    masker = Masker(mask)
    complete = complete or baseline is not None
    scanner = Scanner(analyzer, key_search, masker=masker, threshold=threshold, strict=strict,
                      complete=complete,
                      salt=baseline.salt if baseline is not None else None,
                      relative_to=baseline.root if baseline is not None else None)
    ignored = [Path(p) for p in ignore]
    if baseline is not None and baseline.path is not None:
        ignored.append(baseline.path)
    files, folders, errors = find_files(paths, exclude, ignored)
    result = CheckResult(threshold=scanner.threshold, strict=strict, errors=list(errors),
                         key_originals=key_search.originals if key_search is not None else 0,
                         allow_unscanned=allow_unscanned, warnings=warnings)
    if scheduler:
        from ..workers import dask_client

        with dask_client(scheduler, jobs) as client:
            scans = _scan_all(scanner, files, jobs, client)
    else:
        scans = _scan_all(scanner, files, jobs)
    scans += [_scan_folder(scanner, folder, display) for folder, display in folders]
    silenced = baseline.fingerprints() if (baseline is not None and apply_baseline) else set()
    redactor = Redactor(masker)
    path_masker = PathMasker(masker)
    for scan in scans:
        redactor.update(scan.originals)
        # paths are masked where a finding fails (a note below the threshold, such as an
        # acronym, leaves a path readable)
        path_masker.update(o for f, o in zip(scan.findings, scan.originals) if f.failing)
    result.errors = [path_masker.mask_line(line) for line in result.errors]
    for line in _stale_outputs(project, key, files):
        (result.errors if strict else result.stale).append(path_masker.mask_line(line))
    for index, scan in enumerate(scans, start=1):
        shown = path_masker.mask_path(scan.display, index)
        result.paths.append(scan.display)
        if not scan.folder:
            result.files.append(scan.display)
        if scan.bytes or not (scan.errors or scan.folder):
            result.files_scanned += 1
        result.bytes_scanned += scan.bytes
        result.model_skipped += scan.model_skipped
        result.characters_scanned += scan.characters
        result.errors += [redactor(_shown_line(line, scan.display, shown)) for line in scan.errors]
        unreadable = [f"{shown}: {redactor(item)}" for item in scan.unreadable]
        if strict:
            result.errors += [f"{line}; strict mode cannot verify it" for line in unreadable]
        else:
            result.not_scanned += unreadable
        for finding in scan.findings:
            if finding.fingerprint in silenced:
                result.silenced += 1
                continue
            finding.file = shown
            finding.file_index = index
            finding.part = redactor(finding.part)
            finding.location = redactor(finding.location)
            result.findings.append(finding)
    result.seconds = time.perf_counter() - started
    log.info("checked %d files (%d bytes) in %.2f s: %d findings, %d failing, %d errors",
             result.files_scanned, result.bytes_scanned, result.seconds, len(result.findings),
             len(result.failing), len(result.errors))
    return result


def update_baseline(paths: Iterable[str | Path], baseline_path: str | Path, **options) -> tuple[CheckResult, Baseline]:
    """Check ``paths`` and record every finding in the baseline at ``baseline_path`` (created,
    or updated for the files checked: entries of other files are kept)."""
    baseline = Baseline.load_or_new(baseline_path)
    result = check_paths(paths, baseline=baseline, apply_baseline=False, **options)
    scanned = [baseline.relative(Path(name)) for name in result.files]
    baseline.record(result.findings, scanned, path_of=lambda finding: result.paths[finding.file_index - 1])
    baseline.save(baseline_path)
    return result, baseline
