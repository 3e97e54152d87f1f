"""Every path that spreads work over processes gives what one process gives (issue 17):
de-identifying transcripts (reading, detection, writing), a survey column, ``qual check`` and
coding. The thresholds below which work stays in one process are lowered, so that the small
samples take the parallel paths, and each test checks that they did."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import CODEBOOK, SAMPLES

PASSPHRASE = "parallel test passphrase"


@pytest.fixture
def every_path_parallel(monkeypatch):
    """Lower every 'too little work for workers' threshold; count the pools started."""
    import concurrent.futures

    from qual.deid.parallel import ParallelAnalyzer

    monkeypatch.setattr("qual.deid.parallel.PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr("qual.ingest.batch.PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr("qual.check.scanner.PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr("qual.check.scanner.PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("qual.coding.suggesters.rules.PARALLEL_MIN_TEXTS", 10)
    started = {"pools": 0, "detections": 0}
    original_pool = concurrent.futures.ProcessPoolExecutor

    class CountedPool(original_pool):
        def __init__(self, *args, **kwargs):
            started["pools"] += 1
            super().__init__(*args, **kwargs)

    original_in_workers = ParallelAnalyzer._in_workers

    def counted_in_workers(self, texts):
        started["detections"] += 1
        return original_in_workers(self, texts)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(ParallelAnalyzer, "_in_workers", counted_in_workers)
    return started


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Each output's bytes; ``deid_provenance.json`` without the key's id, which differs
    between two runs with two keys (its files and revisions must not)."""
    return {p.name: comparable_provenance(p) if p.name == "deid_provenance.json" else p.read_bytes()
            for p in sorted(folder.iterdir()) if p.is_file()}


def comparable_provenance(path: Path) -> bytes:
    document = json.loads(path.read_text(encoding="utf-8"))
    for entry in document["files"].values():
        assert entry.pop("key")
    return json.dumps(document, sort_keys=True).encode()


def key_entities(path: Path) -> list[tuple]:
    from qual.deid.key import load_key

    return [entity.to_dict() for entity in load_key(path, PASSPHRASE).entities]


def survey_csv(path: Path, rows: int = 240) -> Path:
    names = ["Jayden Okafor", "Mrs Quillfeather", "Castlebrook Academy", "Kelly", "Mr Hargreaves"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "comment"])
        for row in range(rows):
            if row % 9 == 0:
                text = f"{names[row % len(names)]} helped me a lot this year, row {row}."
            elif row % 13 == 0:
                text = "quillfeather never marks our books"
            else:
                text = f"The canteen runs out of food before we get there ({row})."
            writer.writerow([f"R{row}", text])
    return path


def test_deidentify_transcripts_on_workers_writes_what_one_process_writes(tmp_path, every_path_parallel):
    from qual.deid import deidentify

    results = {}
    for workers in (1, 2):
        secure = tmp_path / f"secure{workers}"
        results[workers] = deidentify([SAMPLES], tmp_path / f"out{workers}", key_path=secure / "k.qualkey",
                                      passphrase=PASSPHRASE, participants=SAMPLES / "participants.xlsx",
                                      review_path=secure / "review.xlsx", workers=workers)
    assert every_path_parallel["detections"] == 1  # the two-process run detected in workers
    assert every_path_parallel["pools"] >= 2  # and read and wrote in workers
    one, two = folder_bytes(tmp_path / "out1"), folder_bytes(tmp_path / "out2")
    # .docx byte for byte, .txt (and the .vtt sample's captions back), corpus.jsonl,
    # deid_log.csv, deid_provenance.json
    assert len(one) == 2 * 8 + 1 + 3 and one == two
    assert key_entities(tmp_path / "secure1" / "k.qualkey") == key_entities(tmp_path / "secure2" / "k.qualkey")
    assert [vars(item) for item in results[1].review_items] == [vars(item) for item in results[2].review_items]
    assert results[1].summary == results[2].summary


def test_deidentify_survey_column_on_workers_equals_one_process(tmp_path, every_path_parallel):
    from qual.deid import deidentify

    source = survey_csv(tmp_path / "survey.csv")
    for workers in (1, 2):
        deidentify([source], tmp_path / f"out{workers}", columns=["comment"], workers=workers,
                   key_path=tmp_path / f"secure{workers}" / "k.qualkey", passphrase=PASSPHRASE)
    assert every_path_parallel["detections"] == 1
    assert folder_bytes(tmp_path / "out1") == folder_bytes(tmp_path / "out2")
    text = (tmp_path / "out2" / "survey.csv").read_text(encoding="utf-8")
    assert "quillfeather" not in text.lower() and "Castlebrook" not in text
    assert key_entities(tmp_path / "secure1" / "k.qualkey") == key_entities(tmp_path / "secure2" / "k.qualkey")


def test_check_on_workers_finds_what_one_process_finds(every_path_parallel):
    from qual.check import check_paths

    serial = check_paths([SAMPLES], jobs=1, mask="initial", ner=None)
    parallel = check_paths([SAMPLES], jobs=2, mask="initial", ner=None)
    assert every_path_parallel["pools"] == 1

    def comparable(result):
        return [{k: v for k, v in f.to_dict().items() if k != "fingerprint"} for f in result.findings]

    assert comparable(serial) == comparable(parallel) and len(serial.failing) > 100
    assert (serial.errors, serial.not_scanned, serial.files) == (parallel.errors, parallel.not_scanned, parallel.files)


def test_coding_on_workers_equals_one_process(every_path_parallel):
    import numpy as np

    from qual.coding.codebook import load_codebook
    from qual.coding.pipeline import code_transcripts
    from qual.ingest import ingest

    transcripts = ingest([SAMPLES], workers=1).transcripts
    codebook = load_codebook(CODEBOOK)
    serial = code_transcripts(transcripts, codebook, suggesters=("rules",), workers=1)
    pools = every_path_parallel["pools"]
    parallel = code_transcripts(transcripts, codebook, suggesters=("rules",), workers=2)
    assert every_path_parallel["pools"] == pools + 1
    assert np.array_equal(serial.scores["rules"], parallel.scores["rules"])
    assert serial.codings.equals(parallel.codings) and len(serial.codings) > 20


def test_ingest_on_workers_reads_what_one_process_reads(tmp_path, every_path_parallel):
    from qual.ingest import ingest

    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    inputs = [SAMPLES, tmp_path]
    serial = ingest(inputs, participants=SAMPLES / "participants.xlsx", workers=1)
    parallel = ingest(inputs, participants=SAMPLES / "participants.xlsx", workers=2)
    assert every_path_parallel["pools"] == 1
    assert [t.to_dict() for t in serial.transcripts] == [t.to_dict() for t in parallel.transcripts]
    assert [str(f) for f in serial.failures] == [str(f) for f in parallel.failures]
    assert len(parallel.failures) == 1 and "broken.docx" in str(parallel.failures[0])
    assert serial.records == parallel.records and serial.unmatched == parallel.unmatched


def test_learned_strings_merge_as_one_process_learns_them():
    """Two shares teaching the same string with the same confidence but different types:
    the merged list keeps the earlier share's, as one process reading both in order would."""
    from qual.deid.analyzer import LearnedTerm
    from qual.deid.parallel import merge_terms
    from qual.deid.types import EntityType as T

    first = [LearnedTerm("Ashworth", T.SCHOOL, 0.8, False), LearnedTerm("Kelly", T.PERSON, 0.7, True)]
    second = [LearnedTerm("ashworth", T.PLACE, 0.8, False), LearnedTerm("Kelly", T.PERSON, 0.9, True),
              LearnedTerm("Zeb", T.PERSON, 0.7, True)]
    merged = merge_terms([first, second])
    assert [(t.text, t.type, t.confidence) for t in merged] == [
        ("Ashworth", T.SCHOOL, 0.8), ("Kelly", T.PERSON, 0.9), ("Zeb", T.PERSON, 0.7)]


def test_to_dict_is_what_dataclasses_asdict_gave():
    from dataclasses import asdict

    from qual.ingest import read_transcript

    transcript = read_transcript(SAMPLES / "SWIS_SW01_interview.docx")
    expected = asdict(transcript)
    for turn in expected["turns"]:
        turn["role"] = str(turn["role"])
    assert json.dumps(transcript.to_dict()) == json.dumps(expected)


def test_default_workers_follow_the_environment(monkeypatch):
    from qual.workers import available_cores, default_workers, resolve_workers

    monkeypatch.delenv("QUAL_WORKERS", raising=False)
    assert default_workers() == available_cores() >= 1
    monkeypatch.setenv("QUAL_WORKERS", "3")
    assert default_workers() == 3 and resolve_workers(None) == 3 and resolve_workers(1) == 1
    monkeypatch.setenv("QUAL_WORKERS", "many")
    assert default_workers() == available_cores()


def test_a_durable_batch_renames_nothing_when_it_fails(tmp_path):
    from qual.files import durable_batch, write_text

    write_text(tmp_path / "kept.txt", "old")
    with pytest.raises(RuntimeError):
        with durable_batch():
            write_text(tmp_path / "kept.txt", "new")
            write_text(tmp_path / "other.txt", "new")
            assert (tmp_path / "kept.txt").read_text() == "old"  # not yet
            raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]
    assert (tmp_path / "kept.txt").read_text() == "old"
    with durable_batch():
        write_text(tmp_path / "kept.txt", "new")
        write_text(tmp_path / "other.txt", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "other.txt"]
    assert (tmp_path / "kept.txt").read_text() == "new"


def _square(number: int) -> int:
    return number * number


def _worker_pids() -> set[int]:
    import multiprocessing

    return {child.pid for child in multiprocessing.active_children()}


@pytest.mark.parametrize("workers", [1, 2])
def test_meanwhile_runs_once_while_the_workers_work(workers):
    """``meanwhile`` is this process's own preparation: once, after the workers were forked
    (so that it overlaps their work and no fork copies a half-built state), results unchanged."""
    from qual.workers import process_imap

    calls = []
    before = _worker_pids()
    results = list(process_imap(_square, range(40), workers=workers, chunk_size=1,
                                meanwhile=lambda: calls.append(_worker_pids() - before)))
    assert results == [n * n for n in range(40)]
    assert len(calls) == 1
    assert len(calls[0]) == (2 if workers == 2 else 0)  # both workers were running when it ran


@pytest.mark.parametrize("workers", [1, 2])
def test_what_meanwhile_raises_is_raised_as_itself(workers):
    """An OSError of the caller's preparation is not taken for 'no worker processes here'
    (which would quietly redo the work in this process)."""
    from qual.workers import process_imap

    def prepare():
        raise PermissionError("the caller's own failure")

    with pytest.raises(PermissionError, match="the caller's own failure"):
        list(process_imap(_square, range(40), workers=workers, chunk_size=1, meanwhile=prepare))


def test_ingest_raises_meanwhiles_error_after_reading_and_blames_no_file(every_path_parallel):
    from qual.ingest import ingest

    seen = []

    def prepare():
        raise LookupError("preparation failed")

    with pytest.raises(LookupError, match="preparation failed"):
        ingest([SAMPLES], workers=2, meanwhile=prepare, on_file=seen.append)
    assert len(seen) >= 4  # every file was still read, none reported as failed for it
    assert every_path_parallel["pools"] == 1
    ok = ingest([SAMPLES], workers=2, meanwhile=lambda: seen.append("prepared"))
    assert not ok.failures and seen.count("prepared") == 1


def test_frozen_heap_leaves_long_lived_objects_out_of_collections_for_the_block():
    import gc

    from qual.workers import frozen_heap

    before = gc.get_freeze_count()
    with frozen_heap():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
