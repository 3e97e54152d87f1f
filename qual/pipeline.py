"""``run_pipeline``: transcripts -> ingest -> de-identify -> code -> matrix -> heatmap -> report
-> REFI-QDA project, in one process, the library behind ``qual run``.

What goes where. Only de-identified material is written inside ``out_dir``::

    out_dir/transcripts/   de-identified .docx and .txt, corpus.jsonl, deid_log.csv
    out_dir/coding/        codings.csv, codings.xlsx (review), topics, corpus.jsonl
    out_dir/framework.xlsx out_dir/report.docx out_dir/heatmap.png out_dir/project.qdpx
    out_dir/run_summary.csv  what each stage did, how long it took and its peak memory

The raw ingested corpus is kept in memory and never written. The identifiable side (the
pseudonym key, the review sheet) must lie outside ``out_dir``; both are refused inside it.
Running again onto the same ``out_dir`` keeps the analysts' summaries in framework.xlsx and,
with the same key, the same pseudonyms.
"""

from __future__ import annotations

import logging
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .errors import FileFailure, QualError
from .files import ensure_outside

if TYPE_CHECKING:
    from .coding.codebook import Codebook
    from .deid.secure import SecureProject
    from .export.matrix import FrameworkMatrix

log = logging.getLogger("qual.pipeline")

try:  # Unix only; on Windows the stages are timed but their memory is not measured
    import resource
except ImportError:  # pragma: no cover
    resource = None
_MAXRSS_PER_MB = 1024 * 1024 if sys.platform == "darwin" else 1024  # macOS counts bytes, Linux KB

STAGES = ("ingest", "de-identify", "code", "matrix", "heatmap", "report", "qdpx")
PARTICIPANT_SHEET_NAMES = ("participants.xlsx", "participants.csv")


@dataclass
class StageResult:
    """One stage of a run: how long it took, its peak memory, and a one-line account."""

    name: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of this process and its worker processes
    peak_rss_mb: float | None = None
    detail: str = ""
    status: str = "done"  # done | skipped | missing | failed


@dataclass
class RunResult:
    """What ``run_pipeline`` did: files written (label -> path), failed inputs, stages."""

    out_dir: Path
    written: dict[str, Path] = field(default_factory=dict)
    failures: list[FileFailure] = field(default_factory=list)
    stages: list[StageResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matrix: "FrameworkMatrix | None" = None
    orphaned_summaries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.missing_stages

    @property
    def missing_stages(self) -> list[str]:
        return [s.name for s in self.stages if s.status == "missing"]

    def stage_table(self):
        """The stages as a DataFrame (stage, status, seconds, cpu_seconds, peak_rss_mb, detail)."""
        import pandas as pd

        return pd.DataFrame([{"stage": s.name, "status": s.status, "seconds": round(s.seconds, 2),
                              "cpu_seconds": round(s.cpu_seconds, 2),
                              "peak_rss_mb": None if s.peak_rss_mb is None else round(s.peak_rss_mb),
                              "detail": s.detail} for s in self.stages])


class Reporter:
    """Receives progress; the CLI draws bars with it. The default does nothing."""

    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def step(self, description: str, done: int = 0, total: int | None = None) -> None:
        """A stage's own step ("embedding 1,024 of 2,400 segments"), with how far it is."""

    def finish(self, stage: StageResult) -> None:
        pass


# --------------------------------------------------------------------------- memory


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark for this process (Linux), so each stage gets its own."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float | None:
    """Peak resident memory of this process since the last reset (or since it started), in MB."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    if resource is None:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / _MAXRSS_PER_MB


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished worker processes."""
    if resource is None:
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def children_peak_rss_mb() -> float:
    """The largest peak of any finished child process (worker pools), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / _MAXRSS_PER_MB if resource is not None else 0.0


@contextmanager
def _stage(result: RunResult, name: str, reporter: Reporter, total: int | None = None) -> Iterator[StageResult]:
    stage = StageResult(name)
    result.stages.append(stage)
    reset = _reset_peak_rss()
    reporter.start(name, total)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    try:
        yield stage
    except BaseException:
        stage.status = "failed"
        raise
    finally:
        stage.seconds = time.perf_counter() - started
        stage.cpu_seconds = cpu_seconds() - cpu_started
        peak = peak_rss_mb()
        stage.peak_rss_mb = max(peak, children_peak_rss_mb()) if reset and peak is not None else None
        log.info("%s: %s in %.1f s", name, stage.status, stage.seconds)
        reporter.finish(stage)


def _skip(result: RunResult, name: str, reporter: Reporter, status: str, detail: str) -> None:
    stage = StageResult(name, status=status, detail=detail)
    result.stages.append(stage)
    reporter.start(name, 0)
    reporter.finish(stage)


class _RunStages:
    """The steps of ``export_framework`` as stages of the run: timed, and listed in run_summary.csv."""

    def __init__(self, result: RunResult, reporter: Reporter) -> None:
        self.result, self.reporter = result, reporter

    def stage(self, name: str):
        return _stage(self.result, name, self.reporter)

    def skip(self, name: str, detail: str) -> None:
        _skip(self.result, name, self.reporter, "skipped", detail)


# --------------------------------------------------------------------------- the run


def find_participants(inputs: Sequence[str | Path]) -> Path | None:
    """A participants sheet lying in an input folder (``participants.xlsx`` or ``.csv``)."""
    for item in inputs:
        folder = Path(item)
        if folder.is_dir():
            for name in PARTICIPANT_SHEET_NAMES:
                if (folder / name).is_file():
                    return folder / name
    return None


def _codebook(codebook: "str | Path | Codebook") -> "Codebook":
    from .coding.codebook import Codebook, load_codebook

    return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)


def _paths_of(value: Any) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [Path(value)]
    if isinstance(value, dict):
        return [Path(v) for v in value.values() if isinstance(v, (str, Path))]
    return [Path(v) for v in value if isinstance(v, (str, Path))]


def run_pipeline(
    inputs: str | Path | Sequence[str | Path],
    codebook: "str | Path | Codebook",
    out_dir: str | Path,
    *,
    participants: str | Path | None = None,
    project: "SecureProject | None" = None,
    key_path: str | Path | None = None,
    passphrase: str | None = None,
    review_path: str | Path | None = None,
    interviewer: str | None = None,
    status: str = "auto",
    embedder: str | None = None,
    report: bool = True,
    heatmap: bool = True,
    qdpx: bool = True,
    reporter: Reporter | None = None,
    workers: int | None = None,
) -> RunResult:
    """Run the whole pipeline on ``inputs`` (transcript files and/or folders) into ``out_dir``.

    ``participants``: the participants sheet (default: ``participants.xlsx``/``.csv`` in an
    input folder). ``project``: the :class:`~qual.deid.secure.SecureProject` whose encrypted
    pseudonym key is read and updated (its files outside ``out_dir``), or instead ``key_path``
    (passphrase from ``passphrase`` or ``QUAL_KEY_PASSPHRASE``). ``review_path``:
    an .xlsx for spans a person should check (identifiable; outside ``out_dir``). ``status``:
    which codings the matrix shows (see ``qual.export.build_matrix``). Failed inputs are listed
    in ``RunResult.failures`` while the others go through; a stage whose library is missing is
    reported as ``missing`` and the stages that need it are skipped. ``workers``: processes for
    reading, de-identifying and coding (default: every core; 1 = this process).
    """
    reporter = reporter or Reporter()
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    if not inputs:
        raise QualError("no inputs given")
    out_dir = Path(out_dir)
    from .deid.secure import SecureProject

    project = SecureProject.of(project, key=key_path, passphrase=passphrase)
    identifiable = {**project.identifiable_files(), "the review sheet": review_path}
    for what, path in identifiable.items():
        if path is not None:
            ensure_outside(path, out_dir, what)
    for item in inputs:
        if not Path(item).exists():
            raise QualError(f"{item}: does not exist")
        resolved, outer = Path(item).resolve(), out_dir.resolve()
        if resolved == outer or outer in resolved.parents:
            raise QualError(f"{item}: an input lies inside the output folder {out_dir}; choose another --out")
    from .export.workbook import check_workbook_target

    check_workbook_target(out_dir / "framework.xlsx")  # fail now, not after minutes of coding
    book = _codebook(codebook)
    result = RunResult(out_dir=out_dir)
    if participants is None:
        participants = find_participants(inputs)
        if participants is not None:
            result.notes.append(f"participants sheet: {participants} (found in the input folder)")

    # ---- ingest: the raw corpus stays in memory; it is identifiable and never written here.
    from .ingest import ingest, read_participants

    exclude = [out_dir] + [Path(p) for p in identifiable.values() if p is not None]
    from .ingest import find_inputs

    files, _ = find_inputs(inputs, exclude=exclude)
    with _stage(result, "ingest", reporter, total=len(files)) as stage:
        ingested = ingest(inputs, participants=participants, interviewer=interviewer, exclude=exclude,
                          on_file=lambda _path: reporter.advance(), workers=workers)
        result.failures += list(ingested.failures)
        words = sum(t.words for t in ingested.transcripts)
        stage.detail = (f"{len(ingested.transcripts)} transcripts, {words:,} words"
                        + (f", {len(ingested.failures)} failed" if ingested.failures else ""))
    if not ingested.transcripts:
        from .ingest import nothing_read

        raise nothing_read(inputs, ingested.failures, exclude=exclude)
    if ingested.unmatched and participants is not None:
        result.notes.append(f"{len(ingested.unmatched)} transcript(s) have no row in the participants sheet")
    participants_frame = read_participants(participants) if participants is not None else None

    # ---- de-identify
    from .deid.pipeline import deidentify

    deid_dir = out_dir / "transcripts"
    with _stage(result, "de-identify", reporter, total=len(ingested.transcripts)) as stage:
        deid = deidentify(ingested.transcripts, deid_dir, project=project,
                          participants=participants, review_path=review_path, workers=workers,
                          progress=lambda n=1: reporter.advance(n))
        del ingested  # the identifiable corpus is not needed any more
        result.failures += list(deid.failures)
        for path in deid.written:
            path = Path(path)
            if path.parent.resolve() == deid_dir.resolve() and path.suffix in (".docx", ".txt"):
                continue  # counted below rather than listed one by one
            if out_dir.resolve() in path.resolve().parents:  # the review sheet is reported apart
                result.written[_label(path, out_dir)] = path
        result.written["de-identified transcripts"] = deid_dir
        stage.detail = f"{len(deid.transcripts)} transcripts, {len(deid.log)} replacements"
        if review_path is not None:
            stage.detail += f", {len(deid.review_items)} spans to review"
    transcripts = deid.transcripts
    if not transcripts:
        raise QualError("no transcript was de-identified; nothing to code")

    # ---- code
    coding_dir = out_dir / "coding"
    try:
        from .coding.pipeline import code_transcripts
        from .coding.review import previous_decisions, write_coding_outputs
    except ImportError as error:
        _skip(result, "code", reporter, "missing", f"the coding stage is not installed ({error.name})")
        for name in STAGES[3:]:
            _skip(result, name, reporter, "skipped", "needs the coding stage")
        return _finish(result, out_dir)
    with _stage(result, "code", reporter) as stage:
        decisions = previous_decisions(coding_dir)
        if decisions is not None:
            result.notes.append(f"coding: {len(decisions)} accept/reject decisions of the last run kept")
        coded = code_transcripts(transcripts, book, human_codes=decisions, progress=reporter.step,
                                 workers=workers,
                                 **({"embedder": embedder} if embedder else {}))
        written = write_coding_outputs(coded, coding_dir, book)
        for path in _paths_of(written):
            result.written[_label(path, out_dir)] = path
        codings = coded.codings
        accepted = int((codings["status"] == "accepted").sum())
        stage.detail = (f"{len(coded.segments)} segments, {int((codings['status'] == 'suggested').sum())} "
                        f"suggestions" + (f", {accepted} accepted codes kept" if accepted else ""))
        result.notes.extend(f"coding: {note}" for note in coded.notes)

    # ---- matrix, heatmap, report: one orchestrator, shared with `qual matrix`
    from .export.outputs import export_framework
    from .export.provenance import input_record

    inputs_record = [_anonymous_input(input_record(Path(i), "input transcripts")) for i in inputs]
    if participants is not None:
        inputs_record.append(input_record(participants, "participants sheet (role and trial arm only)"))
    if isinstance(codebook, (str, Path)):
        inputs_record.append(input_record(codebook, "codebook"))
    framework = export_framework(
        codings, out_dir / "framework.xlsx", codebook=book, participants=participants_frame, corpus=transcripts,
        status=status, report=out_dir / "report.docx" if report else None,
        heatmap=out_dir / "heatmap.png" if heatmap else None, draw_heatmap=heatmap, inputs=inputs_record,
        settings={"pipeline": "qual run"}, stages=_RunStages(result, reporter))
    matrix, workbook = framework.matrix, framework.workbook
    result.written.update(framework.written)
    result.matrix = matrix
    result.orphaned_summaries = workbook.orphaned_lines
    result.notes.append(f"matrix: {matrix.status_note}" + (f" ({matrix.status_advice})" if matrix.status_advice else ""))
    result.notes.extend(f"matrix: {w}" for w in matrix.warnings)

    # ---- REFI-QDA
    if not qdpx:
        _skip(result, "qdpx", reporter, "skipped", "not asked for")
    else:
        try:
            from .refi import export_qdpx
        except ImportError as error:
            _skip(result, "qdpx", reporter, "missing", f"the REFI-QDA export is not installed ({error.name})")
        else:
            with _stage(result, "qdpx", reporter) as stage:
                from .export.summaries import is_group_label

                # REFI-QDA notes belong to cases; a role group's summary has no case to go to.
                case_summaries = {key: value for key, value in workbook.summaries.items()
                                  if not is_group_label(key[0])}
                path = export_qdpx(codings, transcripts, book, out_dir / "project.qdpx",
                                   summaries=case_summaries, participants=participants_frame,
                                   status=matrix.status)
                result.written["REFI-QDA project"] = Path(path)
                stage.detail = "REFI-QDA 1.0 project"
    return _finish(result, out_dir)


def _anonymous_input(record: dict[str, str]) -> dict[str, str]:
    # A folder's or file's name may be a participant's name: record its digest and size only.
    count = record["file"].rsplit("(", 1)[-1].rstrip(")") if "(" in record["file"] else "1 file"
    return {**record, "file": f"({count})"}


def _label(path: Path, out_dir: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(out_dir.resolve()))
    except ValueError:
        return str(path)


def _finish(result: RunResult, out_dir: Path) -> RunResult:
    from .files import atomic_open

    summary = out_dir / "run_summary.csv"
    table = result.stage_table()
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_open(summary, "w", newline="") as handle:
        table.to_csv(handle, index=False)
    result.written["run summary"] = summary
    return result
