"""Atomic outputs: a run killed with SIGKILL part-way through writing leaves no half-written
file under a final name, the key still opens, and the next run completes.

The inputs are genuinely large, so the writes take long enough to be caught in the middle:
the test watches the output folder and kills the whole process group the moment a
temporary (``.<name>.<random>.tmp``) file or the first final output appears. Nothing in qual
is slowed down or patched for the test. Every run also proves its inputs unchanged.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import tree_hashes

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from harness import QUAL, qual_env  # noqa: E402

pytestmark = pytest.mark.slow

WORDS = ("the school office referral early help strategy meeting parents kids corridor pastoral DSL "
         "MASH team week term consultation worried").split()
NAMES = ("Jemima Thistlewood", "Ottoline Pennyfeather", "Bartholomew Quince", "Bethany Quellwright")
TEMP_FILE = __import__("re").compile(r"^\..+\.tmp$")


def write_corpus(path: Path, documents: int, turns: int, seed: int = 7, names: bool = False) -> int:
    """A corpus.jsonl of made-up interviews; returns the number of turns written."""
    rng = random.Random(seed)
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for d in range(documents):
            rows = []
            for i in range(turns):
                text = " ".join(rng.choice(WORDS) for _ in range(18))
                if names and i % 5 == 1:
                    text = f"I spoke to {rng.choice(NAMES)} about it, {text}"
                rows.append({"speaker": "Interviewer" if i % 2 == 0 else "Respondent",
                             "role": "interviewer" if i % 2 == 0 else "participant", "text": text})
            handle.write(json.dumps({"id": f"K{d:03d}", "source": f"K{d:03d}.txt", "turns": rows}) + "\n")
            count += turns
    return count


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(QUAL + [str(a) for a in args], cwd=cwd, env=qual_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 300) -> bool:
    """SIGKILL the process group as soon as ``ready()``; False if it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    raise AssertionError("the run neither wrote anything nor finished in time")


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and TEMP_FILE.match(p.name)]


def final_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not TEMP_FILE.match(p.name)]


def writing(folder: Path) -> Callable[[], bool]:
    """Ready as soon as a temporary file exists in ``folder`` (a write is under way)."""
    return lambda: folder.exists() and any(TEMP_FILE.match(p.name) for p in folder.iterdir())


def writing_big(folder: Path, size: int) -> Callable[[], bool]:
    """Ready when a temporary file in ``folder`` has grown past ``size`` bytes: mid-write."""
    def ready() -> bool:
        if not folder.exists():
            return False
        for p in folder.iterdir():
            try:
                if TEMP_FILE.match(p.name) and p.stat().st_size > size:
                    return True
            except FileNotFoundError:
                continue
        return False
    return ready


def assert_complete_ingest_outputs(out: Path, documents: int, turns: int) -> None:
    """Whatever carries a final name is whole: every line parses and every row is there."""
    for path in final_files(out):
        assert path.name in {"corpus.jsonl", "summary.csv", "turns.csv"}, f"unexpected file {path}"
        if path.name == "corpus.jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            records = [json.loads(line) for line in lines]
            assert len(records) == documents, f"{path}: {len(records)} of {documents} transcripts"
            assert sum(len(r["turns"]) for r in records) == turns
        else:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
            assert len(rows) == (documents if path.name == "summary.csv" else turns), f"{path}: {len(rows)} rows"


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> tuple[Path, int, int]:
    folder = tmp_path_factory.mktemp("atomic_in")
    path = folder / "corpus.jsonl"
    documents = 60
    turns = write_corpus(path, documents, 2000)
    return path, documents, turns


@pytest.mark.parametrize("moment", ["first temporary file", "temporary file past 4 MB", "first final file"])
def test_ingest_killed_mid_write_leaves_only_whole_files(big_corpus, tmp_path, moment):
    source, documents, turns = big_corpus
    before = tree_hashes(source.parent)
    out = tmp_path / "raw"
    ready = {
        "first temporary file": writing(out),
        "temporary file past 4 MB": writing_big(out, 4 * 2**20),
        "first final file": lambda: out.exists() and any(final_files(out)),
    }[moment]
    killed = kill_when(start(["ingest", source, "-o", out], tmp_path), ready)
    assert killed, "ingest finished before it could be killed; use a larger input"
    assert_complete_ingest_outputs(out, documents, turns)
    assert all(TEMP_FILE.match(p.name) for p in out.iterdir() if p not in final_files(out))

    again = subprocess.run(QUAL + ["ingest", str(source), "-o", str(out)], cwd=tmp_path, env=qual_env(),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert {p.name for p in final_files(out)} == {"corpus.jsonl", "summary.csv", "turns.csv"}
    assert_complete_ingest_outputs(out, documents, turns)
    assert tree_hashes(source.parent) == before


def test_a_killed_write_keeps_the_previous_complete_file(big_corpus, tmp_path):
    """Killed while replacing an existing output: the old file stays, whole, under its name."""
    source, documents, turns = big_corpus
    before = tree_hashes(source.parent)
    out = tmp_path / "raw"
    first = subprocess.run(QUAL + ["ingest", str(source), "-o", str(out)], cwd=tmp_path, env=qual_env(),
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    old = tree_hashes(out)
    killed = kill_when(start(["ingest", source, "-o", out], tmp_path), writing_big(out, 2**20))
    assert killed
    assert_complete_ingest_outputs(out, documents, turns)
    # the same input gives byte-identical outputs, so whatever is under a final name - the old
    # file or the new one - has the old file's hash: never a mix of the two
    now = tree_hashes(out)
    assert {p: now[p] for p in old} == old
    assert tree_hashes(source.parent) == before


def test_library_writer_killed_at_random_moments_never_leaves_a_partial_file(tmp_path):
    """A child process rewrites a 20 MB corpus.jsonl through ``qual.corpus.write_corpus`` in a
    loop; killed at 12 random moments, the file under the final name always parses whole."""
    target = tmp_path / "corpus.jsonl"
    script = (
        "import sys\n"
        "from qual.model import Transcript, Turn, Role\n"
        "from qual.corpus import write_corpus\n"
        "turns = [Turn(i, 'R', Role.PARTICIPANT, 'word ' * 200) for i in range(2000)]\n"
        "docs = [Transcript(id=f'D{d}', source='', turns=turns) for d in range(10)]\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    write_corpus(docs, sys.argv[1])\n"
    )
    rng = random.Random(11)
    for attempt in range(12):
        process = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE,
                                   start_new_session=True)
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 1.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if target.exists():
            lines = target.read_text(encoding="utf-8").splitlines()
            assert len(lines) == 10 and all(json.loads(line)["id"] for line in lines), f"attempt {attempt}"
        assert all(TEMP_FILE.match(p.name) for p in tmp_path.iterdir() if p != target)


def assert_valid_deid_outputs(out: Path) -> dict[str, str]:
    """Every .docx opens, every .txt is non-empty, corpus.jsonl, deid_log.csv and
    deid_provenance.json parse whole;
    returns the .txt texts by name."""
    import docx

    texts = {}
    for path in final_files(out):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None, path
            assert docx.Document(str(path)).paragraphs, path
        elif path.suffix == ".txt":
            texts[path.name] = path.read_text(encoding="utf-8")
            assert texts[path.name].strip(), path
        elif path.name == "corpus.jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                json.loads(line)
        elif path.name == "deid_log.csv":
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            assert rows and set(rows[0]) >= {"document", "type", "pseudonym"}
        elif path.name == "deid_provenance.json":  # which key revision each file was written against
            document = json.loads(path.read_text(encoding="utf-8"))
            assert document["format"] == "qual-deid-provenance" and document["files"], path
        else:
            raise AssertionError(f"unexpected file {path}")
    return texts


def test_deidentify_killed_mid_write_then_rerun_completes_with_the_same_pseudonyms(tmp_path):
    from qual.deid.key import load_key

    source = tmp_path / "in" / "corpus.jsonl"
    source.parent.mkdir()
    write_corpus(source, 150, 20, names=True)
    before = tree_hashes(source.parent)
    out, key = tmp_path / "deid", tmp_path / "secure" / "project.qualkey"
    args = ["deidentify", source, "-o", out, "--key", key, "--workers", "1"]
    killed = kill_when(start(args, tmp_path), lambda: out.exists() and any(p.suffix == ".docx" for p in final_files(out)))
    assert killed, "deidentify finished before it could be killed"
    partial = assert_valid_deid_outputs(out)
    assert not [p for p in key.parent.iterdir() if p.is_file() and not TEMP_FILE.match(p.name)
                and p.name not in {key.name, key.name + ".lock"}]
    if key.exists():  # the key is saved before any output is written: it must open
        assert len(load_key(key, "hardening-test-passphrase")) > 0

    again = subprocess.run(QUAL + [str(a) for a in args], cwd=tmp_path, env=qual_env(), capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    complete = assert_valid_deid_outputs(out)
    assert len(complete) == 150
    # a document written by the killed run reads the same after the re-run: the key kept the tags
    for name, text in partial.items():
        assert complete[name] == text, name
    assert tree_hashes(source.parent) == before
    assert len(load_key(key, "hardening-test-passphrase")) > 0


def test_key_written_in_a_loop_and_killed_always_opens(tmp_path):
    """The key file itself under SIGKILL: rewritten in a loop by a child, killed at random
    moments; whatever is on disk decrypts with the passphrase."""
    from qual.deid.key import load_key

    key = tmp_path / "k.qualkey"
    script = (
        "import sys\n"
        "from qual.deid.key import KeyFile\n"
        "from qual.deid.pseudonyms import EntityTable\n"
        "from qual.deid.types import EntityType\n"
        "def word(i):\n"
        "    s = ''\n"
        "    i += 1\n"
        "    while i:\n"
        "        i, r = divmod(i - 1, 26)\n"
        "        s = chr(97 + r) + s\n"
        "    return s\n"
        "key = KeyFile(sys.argv[1], 'pw')\n"
        "table = EntityTable()\n"
        "for i in range(3000):\n"
        "    table.link(EntityType.PERSON, f'Zed{word(i)} Quill{word(i)}')\n"
        "with key.lock():\n"
        "    key.write(table)\n"
        "    print('ready', len(table), flush=True)\n"
        "    while True:\n"
        "        key.write(table)\n"
    )
    rng = random.Random(5)
    for attempt in range(8):
        process = subprocess.Popen([sys.executable, "-c", script, str(key)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        line = process.stdout.readline().split()
        assert line[:1] == [b"ready"], process.stderr.read().decode()[-2000:]
        entities = int(line[1])
        time.sleep(rng.uniform(0.0, 0.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert len(load_key(key, "pw")) == entities, f"attempt {attempt}"
