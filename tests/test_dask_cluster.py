"""``--scheduler``: a real dask.distributed cluster, a scheduler and two workers started as
separate processes on 127.0.0.1, gives byte-identical output to a local run (issue 17).

The same project key (a fresh one per run) serves the transcripts and then a survey sheet, as a
project would use it; the key is written by the client only, never on a worker."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLES, run_qual

pytest.importorskip("distributed")

PASSPHRASE = "dask test passphrase"
SURVEY_OUTPUTS = 3  # survey.csv, deid_log.csv, deid_provenance.json
pytestmark = pytest.mark.slow


def _survey(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "comment"])
        for row in range(120):
            text = ("Jayden Okafor's mum came to see Mrs Quillfeather." if row % 10 == 0 else
                    "quillfeather never rang back" if row % 17 == 0 else
                    f"The bus from Castlebrook was late again ({row}).")
            writer.writerow([f"R{row}", text])
    return path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with two single-threaded worker processes."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    tests = str(Path(__file__).resolve().parent)  # the workers import tests/dask_helpers.py
    environment = {**os.environ, "DASK_DISTRIBUTED__WORKER__MEMORY__SPILL": "False",
                   "PYTHONPATH": os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")]))}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for number in (1, 2):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--nworkers", "1", "--no-dashboard", "--memory-limit", "0",
                 "--local-directory", str(folder / f"worker{number}")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
            assert len(client.scheduler_info()["workers"]) == 2
        yield address, folder
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _run(tmp_path: Path, name: str, *extra: str) -> tuple[Path, Path]:
    out, secure = tmp_path / name, tmp_path / f"{name}-secure"
    key = secure / "project.qualkey"
    env = {"QUAL_KEY_PASSPHRASE": PASSPHRASE, "QUAL_SCHEDULER": None}
    transcripts = run_qual("deidentify", SAMPLES, "--out", out / "transcripts", "--key", key,
                           "--participants", SAMPLES / "participants.xlsx", *extra, env=env)
    assert transcripts.returncode == 0, transcripts.stderr
    sheet = tmp_path / "survey.csv"
    survey = run_qual("deidentify", sheet if sheet.exists() else _survey(sheet), "--column", "comment",
                      "--out", out / "survey", "--key", key, *extra, env=env)
    assert survey.returncode == 0, survey.stderr
    return out, key


def _files(folder: Path) -> dict[str, bytes]:
    """Each output's bytes; ``deid_provenance.json`` without the key's id (two runs, two keys)."""
    from test_parallel import comparable_provenance

    return {str(p.relative_to(folder)): comparable_provenance(p) if p.name == "deid_provenance.json"
            else p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_deidentify_on_a_cluster_of_two_worker_processes_equals_a_local_run(cluster, tmp_path):
    from qual.deid.key import load_key

    address, dask_folder = cluster
    local, local_key = _run(tmp_path, "local", "--workers", "1")
    remote, remote_key = _run(tmp_path, "cluster", "--scheduler", address)
    local_files, remote_files = _files(local), _files(remote)
    # transcripts: .docx, .txt (and the .vtt sample's captions back), corpus, log, provenance;
    # survey: csv, log, provenance
    assert len(local_files) == 2 * 8 + 1 + 3 + SURVEY_OUTPUTS
    assert local_files == remote_files
    survey = (remote / "survey" / "survey.csv").read_text(encoding="utf-8")
    assert "Quillfeather" not in survey and "quillfeather" not in survey and "[Person" in survey
    # one key, the client's: the same entities, and none on the workers' side
    assert [e.to_dict() for e in load_key(local_key, PASSPHRASE).entities] == \
        [e.to_dict() for e in load_key(remote_key, PASSPHRASE).entities]
    assert not [p for p in dask_folder.rglob("*") if p.suffix in (".qualkey", ".docx", ".txt", ".csv")]


def test_check_on_the_cluster_finds_what_one_process_finds(cluster):
    from qual.check import check_paths

    address, _ = cluster
    local = check_paths([SAMPLES], jobs=1, mask="initial", ner=None)
    remote = check_paths([SAMPLES, SAMPLES / "missing.docx"], scheduler=address, mask="initial", ner=None)

    def comparable(result):
        return [{k: v for k, v in f.to_dict().items() if k != "fingerprint"} for f in result.findings]

    assert comparable(local) == comparable(remote) and local.failing
    assert remote.files == local.files and len(remote.errors) == 1 and "missing.docx" in remote.errors[0]


def test_the_analyzer_and_its_model_are_loaded_once_per_worker_not_per_text(cluster, tmp_path):
    """A NER model rides in the analyzer: sent once to each worker per run, whatever the number
    of texts and shares."""
    from dask_helpers import LoadCountingRecognizer

    from qual.deid import deidentify
    from qual.deid.analyzer import Analyzer

    address, _ = cluster
    loads = tmp_path / "loads"
    loads.mkdir()
    analyzer = Analyzer(ner=None)
    analyzer.add_recognizer(LoadCountingRecognizer(str(loads)))
    result = deidentify([SAMPLES], tmp_path / "out", analyzer=analyzer, scheduler=address)
    assert result.ok and result.summary["replacements"] > 100
    pids = {path.name.split("-")[1] for path in loads.iterdir()}
    assert len(pids) == 2 and len(list(loads.iterdir())) == 2  # each of the two workers, once


def test_an_unreachable_scheduler_is_one_line_and_nothing_is_written(tmp_path):
    result = run_qual("deidentify", SAMPLES, "--out", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9",
                      env={"QUAL_KEY_PASSPHRASE": None, "QUAL_SCHEDULER": None})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in lines[0]
    assert not (tmp_path / "out").exists()
