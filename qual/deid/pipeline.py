"""``deidentify()``: the whole ``qual deidentify`` command as a function, over files.

Ingest, read the review decisions, de-identify with the project's key (see
:class:`~qual.deid.secure.SecureProject`), and write ``DIR/<stem>.docx``, ``DIR/<stem>.txt``,
``DIR/corpus.jsonl`` and ``DIR/deid_log.csv``, and the review sheet apart; with ``columns``,
survey tables instead (:mod:`qual.deid.survey`). The work itself is done by the engine,
:class:`~qual.deid.engine.Deidentifier`. Reading the inputs, detection and writing the
outputs are spread over every core by default (``workers``; 1 = this process), detection by
:class:`~qual.deid.parallel.ParallelAnalyzer`, which can also run on a Dask cluster
(``scheduler``); the result is the same however the work is spread.

Each input that fails is a failure of its own (one line naming it), and the others go through.
Nothing is written until every pseudonym is decided and the key is saved, so no output ever
holds a tag the key does not know.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import FileFailure, InputFileError, QualError, UnsafeOutputError
from ..model import Transcript
from ..workers import frozen_heap
from .engine import REVIEW_THRESHOLD, Deidentifier
from .parallel import ParallelAnalyzer
from .review import Decisions, ReviewItem
from .secure import SecureProject

log = logging.getLogger("qual.deid.pipeline")


@dataclass
class DeidResult:
    """What ``deidentify`` did: de-identified transcripts, the log, failures, files written."""

    transcripts: list[Transcript]
    log: Any  # pandas DataFrame with writer.LOG_COLUMNS
    failures: list[FileFailure] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"DeidResult({len(self.transcripts)} transcripts, {len(self.log)} replacements, "
                f"{len(self.failures)} failures, {len(self.review_items)} to review)")

    @property
    def ok(self) -> bool:
        return not self.failures


def _inputs_inside(inputs: Sequence[Any], out_dir: Path) -> None:
    outer = out_dir.expanduser().resolve()
    for item in inputs:
        if isinstance(item, Transcript):
            continue
        path = Path(item).expanduser().resolve()
        if path == outer or outer in path.parents:
            raise UnsafeOutputError(f"{item}: an input lies inside the output folder {out_dir}; "
                                    "write the de-identified files to a folder of their own")


def _ingest(inputs: Sequence[Any], participants, interviewer, exclude: Sequence[Path],
            on_file=None, workers: int | None = None,
            meanwhile=None) -> tuple[list[Transcript], list[FileFailure]]:
    ready = [item for item in inputs if isinstance(item, Transcript)]
    paths = [item for item in inputs if not isinstance(item, Transcript)]
    failures: list[FileFailure] = []
    if paths:
        from ..ingest import ingest

        # The output folder (and the key, review sheet ...) may sit under an input folder:
        # never read our own outputs back in as transcripts.
        result = ingest(paths, participants=participants, interviewer=interviewer,
                        exclude=list(exclude), on_file=on_file, workers=workers, meanwhile=meanwhile)
        ready += list(result.transcripts)
        failures += list(result.failures)
    elif meanwhile is not None:
        meanwhile()
    return ready, failures


def deidentify(
    inputs: Sequence[str | Path | Transcript],
    out_dir: str | Path,
    *,
    project: SecureProject | None = None,
    key_path: str | Path | None = None,
    passphrase: str | None = None,
    participants: str | Path | None = None,
    interviewer: str | None = None,
    register: str | Path | None = None,
    keep_list: str | Path | None = None,
    review_path: str | Path | None = None,
    decisions_path: str | Path | None = None,
    surrogates: bool = False,
    review_threshold: float = REVIEW_THRESHOLD,
    speaker_labels: str = "pseudonym",
    columns: Sequence[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    analyzer=None,
    progress=None,
) -> DeidResult:
    """De-identify transcripts (or, with ``columns``, survey tables) into ``out_dir``.

    Writes ``<stem>.docx`` and ``<stem>.txt`` per transcript (``<stem>`` is the
    de-identified transcript id, made file-safe and unique), ``corpus.jsonl`` (merged by id
    with one already there, so batches add up) and ``deid_log.csv``; with ``columns``, each
    CSV/xlsx input is written under its own name with those columns de-identified.

    ``project``: the :class:`~qual.deid.secure.SecureProject` whose key gives the pseudonyms
    (read and saved back) and whose register and keep-list the analyzer uses; or, instead,
    its files: ``key_path`` (passphrase from ``passphrase`` or ``QUAL_KEY_PASSPHRASE``),
    ``register`` and ``keep_list`` (by default ``<key stem>.register.csv`` and
    ``<key stem>.keep.txt`` beside the key). Without a key, pseudonyms are consistent within
    this run only. ``review_path`` receives the uncertain spans; ``decisions_path`` applies a
    reviewer's decisions and records the "always" ones in the register and keep-list.
    ``workers``: processes for reading, detection and writing (default: every core; 1 = this
    process). ``scheduler``: the address of a Dask scheduler (``tcp://host:8786``, or ``local``
    for a ``LocalCluster`` here) to detect on instead; inputs are read, the key is read and
    saved, and outputs are written here, never on the cluster. ``progress(n)`` is called as
    work is done.
    """
    from ..files import ensure_outside
    from .review import read_decisions, write_review

    project = SecureProject.of(project, key=key_path, passphrase=passphrase, register=register,
                               keep_list=keep_list)
    out_dir = Path(out_dir)
    inputs = list(inputs)
    if not inputs:
        raise QualError("no inputs given")
    _inputs_inside(inputs, out_dir)
    files = project.identifiable_files()
    identifiable = {"the pseudonym key": files.get("the pseudonym key"), "the review sheet": review_path,
                    "the register": files.get("the register"), "the keep-list": files.get("the keep-list")}
    for what, path in identifiable.items():
        if path is not None:
            ensure_outside(path, out_dir, what)
    if review_path is not None and Path(review_path).suffix.lower() != ".xlsx":
        raise QualError(f"{review_path}: the review sheet must be an .xlsx file")

    decisions = read_decisions(decisions_path) if decisions_path is not None else Decisions()
    project.remember(decisions)
    if project.has_key:
        project.passphrase  # noqa: B018 - asked for (or its absence reported) before any work
    participants_frame = None
    if participants is not None:
        from ..ingest import read_participants

        participants_frame = read_participants(participants)
    engine_analyzer = analyzer

    deriving: list[threading.Thread] = []

    def prepare() -> None:
        # Done while the worker processes read the files (a second or two of this process's
        # time that would otherwise hold everything up): the analyzer's word lists, automata
        # and model, ready for detection's workers to share; and, in a thread, the key's
        # scrypt derivation (half a second, slow by design; it releases the GIL). Reading's
        # workers have been forked by now, and the thread is joined before any later fork.
        nonlocal engine_analyzer
        if project.has_key:
            deriving.append(threading.Thread(target=project.key_file.derive_ahead, daemon=True))
            deriving[0].start()
        if engine_analyzer is None:
            engine_analyzer = project.analyzer(decisions=decisions, participants=participants_frame)
        warm_up = getattr(engine_analyzer, "warm_up", None)
        if warm_up is not None:
            warm_up()

    try:
        if columns:
            transcripts, failures = [], []
            prepare()
        else:
            exclude = [out_dir] + [Path(p) for p in identifiable.values() if p is not None]
            transcripts, failures = _ingest(inputs, participants, interviewer, exclude, workers=workers,
                                            meanwhile=prepare)
    finally:
        for thread in deriving:
            thread.join()

    with frozen_heap(), project.session(out_dir=out_dir) as table, _cluster(scheduler, workers) as client:
        # Every pseudonym is decided here; the outputs are written after the key is saved
        # (and the cluster closed), so that no output ever holds a tag the key does not know.
        if not isinstance(engine_analyzer, ParallelAnalyzer):
            engine_analyzer = ParallelAnalyzer(engine_analyzer, workers, client=client)
        engine = Deidentifier(engine_analyzer, table, surrogates=surrogates,
                              review_threshold=review_threshold, decisions=decisions,
                              speaker_labels=speaker_labels)
        if columns:
            finish = _write_tables(engine, inputs, list(columns), out_dir, progress)
        else:
            engine.fit(transcripts)
            done = _transform_all(engine, transcripts, failures)

            def finish() -> DeidResult:
                return _write_outputs(engine, *done, failures, out_dir, progress, workers)
    with frozen_heap():
        result = finish()
    if project.has_key:
        from .key import record_key_version

        provenance = record_key_version(out_dir, result.written, project.key_file)
        if provenance is not None:
            result.written.append(provenance)
    if review_path is not None:
        result.written.append(write_review(result.review_items, review_path, out_dir))
    result.summary.update({
        "decisions_kept": len(decisions.keep), "always_keep": len(decisions.always_keep),
        "always_redact": len(decisions.always_redact),
    })
    if result.summary.get("decisions_unmatched"):
        log.warning("%d 'keep' decisions matched no detection (the input changed since the review); "
                    "those words stay redacted", result.summary["decisions_unmatched"])
    return result


@contextlib.contextmanager
def _cluster(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client for ``scheduler``, or None (local worker processes)."""
    if not scheduler:
        yield None
        return
    from ..workers import dask_client

    with dask_client(scheduler, workers) as client:
        yield client


def _merge_log(path: Path, frame, documents: set[str]):
    """This run's log rows, plus the rows an earlier run wrote for other documents."""
    import pandas as pd

    if not path.exists():
        return frame
    try:
        previous = pd.read_csv(path, dtype={"document": str})
        previous = previous[~previous["document"].isin(documents)]
    except (ValueError, KeyError, OSError, pd.errors.ParserError):
        log.warning("the existing deid_log.csv in the output folder is unreadable; it is replaced")
        return frame
    if previous.empty:
        return frame
    previous["turn"] = previous["turn"].astype("Int64")
    return pd.concat([previous, frame], ignore_index=True)


def _write_tables(engine: Deidentifier, inputs: Sequence[Any], columns: list[str], out_dir: Path,
                  progress):
    import pandas as pd

    from .survey import deidentify_table
    from .writer import write_log

    failures: list[FileFailure] = []
    written: list[Path] = []
    logs = []
    review: list[ReviewItem] = []
    taken: set[str] = set()  # output names of this run: no table overwrites another's
    for item in inputs:
        path = Path(item)
        try:
            table_result = deidentify_table(path, columns, out_dir, engine=engine, taken=taken)
        except QualError as error:
            failures.append(FileFailure(str(path), str(error)))
        except Exception as error:  # noqa: BLE001 - one table must not stop the batch
            failures.append(FileFailure(str(path), f"{path}: could not be de-identified "
                                        f"({type(error).__name__})"))
        else:
            written.append(table_result.output)
            logs.append(table_result.log)
            review += table_result.review_items
        if progress is not None:
            progress(1)
    frame = engine._log_frame([]) if not logs else pd.concat(logs, ignore_index=True)
    summary = {
        "documents": len(logs), "replacements": int(len(frame)),
        "by_type": {str(k): int(v) for k, v in frame["type"].value_counts().items()},
        "flagged_for_review": len(review), "entities": len(engine.table), "failed": len(failures),
        "decisions_unmatched": engine.unmatched_decisions,
    }

    def finish() -> DeidResult:
        log_path = out_dir / "deid_log.csv"
        if logs:
            written.append(write_log(_merge_log(log_path, frame, set(frame["document"])), log_path))
        return DeidResult(transcripts=[], log=frame, failures=failures, written=written,
                          review_items=review, summary=summary)

    return finish


def _transform_all(engine: Deidentifier, transcripts: list[Transcript],
                   failures: list[FileFailure]) -> tuple[list[Transcript], list[Transcript]]:
    """(de-identified, original) transcripts; one that fails is a failure, not the batch's end."""
    clean: list[Transcript] = []
    originals: list[Transcript] = []
    for transcript in transcripts:
        try:
            clean.append(engine.transform(transcript))
            originals.append(transcript)
        except QualError as error:
            failures.append(FileFailure(transcript.source or transcript.id, str(error)))
        except Exception as error:  # noqa: BLE001 - one transcript must not stop the batch
            failures.append(FileFailure(transcript.source or transcript.id,
                                        f"{transcript.source or transcript.id}: could not be "
                                        f"de-identified ({type(error).__name__})"))
    return clean, originals


def _write_outputs(engine: Deidentifier, clean: list[Transcript], originals: list[Transcript],
                   failures: list[FileFailure], out_dir: Path, progress, workers: int | None = None) -> DeidResult:
    from ..corpus import CORPUS_FILE, corpus_line, read_corpus, write_corpus
    from .writer import unique_stems, write_log, write_transcripts

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stems = unique_stems([t.id for t in clean])
    seen_ids: set[str] = set()
    ready = []
    for transcript, original, stem in zip(clean, originals, stems):
        if transcript.id in seen_ids:
            # "Jayden_interview" and "Jaden_interview" both became "[Person 1]_interview"
            engine.rename(original, stem)
            transcript = replace(transcript, id=stem)
        seen_ids.add(transcript.id)
        ready.append((replace(transcript, source=f"{stem}.txt"), stem, engine.cue_layout_of(original)))
    final = []
    lines = []
    tables: dict[str, Any] = {}

    def log_and_review() -> None:
        # made here while the workers write the transcripts (the log's frame is the first
        # use of pandas in a run)
        tables["log"] = engine.log_of(originals)
        tables["review"] = engine.review_items_of(originals)

    written_files = write_transcripts(ready, out_dir, workers, meanwhile=log_and_review)
    for (transcript, stem, _), (files, line, error) in zip(ready, written_files):
        if error:
            failures.append(FileFailure(str(out_dir / stem), error))
        else:
            written += files
            final.append(transcript)
            lines.append(line)
        if progress is not None:
            progress(1)

    corpus_path = out_dir / CORPUS_FILE
    new_ids = {t.id for t in final}
    earlier = []
    if corpus_path.exists():
        try:
            earlier = [corpus_line(t) for t in read_corpus(corpus_path) if t.id not in new_ids]
        except InputFileError:
            log.warning("the existing corpus.jsonl in the output folder is unreadable; it is replaced")
    written.append(write_corpus(earlier + lines, corpus_path))

    frame = tables["log"]
    log_path = out_dir / "deid_log.csv"
    written.append(write_log(_merge_log(log_path, frame, new_ids), log_path))

    review = tables["review"]
    summary = {
        "documents": len(final),
        "replacements": int(len(frame)),
        "by_type": {str(k): int(v) for k, v in frame["type"].value_counts().items()},
        "flagged_for_review": len(review),
        "entities": len(engine.table),
        "failed": len(failures),
        "decisions_unmatched": engine.unmatched_decisions,
    }
    log.info("de-identified %d documents: %d replacements, %d flagged for review",
             summary["documents"], summary["replacements"], summary["flagged_for_review"])
    return DeidResult(transcripts=final, log=frame, failures=failures, written=written,
                      review_items=review, summary=summary)
