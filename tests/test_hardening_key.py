"""The pseudonym key, end to end through the CLI: authenticated encryption (a wrong passphrase
or a tampered file is a one-line error and nothing is written, never garbage pseudonyms),
owner-only permissions whatever the umask, refusal inside the output folder, and two runs
sharing a key at once.

``tests/test_deid_key.py`` tests ``qual.deid.key`` as a library; these tests hold the
commands a user runs to the same promises.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tree_hashes

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from harness import QUAL, qual_env  # noqa: E402

PASSPHRASE = "hardening-test-passphrase"

TRANSCRIPT_A = """Interviewer: Who did you work with most?
Respondent: Mostly Jemima Thistlewood, the DSL, and Bartholomew Quince from the MASH.
Interviewer: And how was that?
Respondent: Jemima was brilliant. Bartholomew less so.
"""
TRANSCRIPT_B = """Interviewer: Who referred the family?
Respondent: Jemima Thistlewood did, after Ottoline Pennyfeather rang her.
Interviewer: Then?
Respondent: Ottoline came to the strategy meeting.
"""


def qual(*args, passphrase: str | None = PASSPHRASE, cwd: Path | None = None, umask: int | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess:
    env = qual_env()
    if passphrase is None:
        env.pop("QUAL_KEY_PASSPHRASE", None)
    else:
        env["QUAL_KEY_PASSPHRASE"] = passphrase
    return subprocess.run(QUAL + [str(a) for a in args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=timeout, stdin=subprocess.DEVNULL,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def one_line_error(result: subprocess.CompletedProcess, pattern: str) -> None:
    """Exit 2, one error line matching ``pattern`` on stderr, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and re.search(pattern, errors[0]), result.stderr


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "A01.txt").write_text(TRANSCRIPT_A, encoding="utf-8")
    (folder / "B01.txt").write_text(TRANSCRIPT_B, encoding="utf-8")
    return folder


@pytest.fixture
def made_key(inputs: Path, tmp_path: Path) -> Path:
    key = tmp_path / "secure" / "project.qualkey"
    result = qual("deidentify", inputs / "A01.txt", "-o", tmp_path / "first", "--key", key)
    assert result.returncode == 0, result.stderr
    return key


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_wrong_passphrase_is_one_line_and_writes_nothing(made_key: Path, inputs: Path, tmp_path: Path):
    before = made_key.read_bytes()
    out = tmp_path / "second"
    result = qual("deidentify", inputs, "-o", out, "--key", made_key, passphrase="not the passphrase")
    one_line_error(result, r"wrong passphrase")
    assert not out.exists() or not any(out.iterdir()), "outputs were written with a key that did not open"
    assert made_key.read_bytes() == before
    check = qual("check", tmp_path / "first", "--key", made_key, "--no-ner", passphrase="not the passphrase")
    one_line_error(check, r"wrong passphrase")


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


def _edit_header(data: bytes, change) -> bytes:
    header, _, rest = data.partition(b"\n")
    fields = json.loads(header)
    change(fields)
    return json.dumps(fields, sort_keys=True).encode() + b"\n" + rest


TAMPERING = {
    "a byte of the ciphertext": lambda data: _flip(data, len(data) - 40),
    "the last byte (the tag)": lambda data: _flip(data, len(data) - 1),
    "the salt in the header": lambda data: _edit_header(
        data, lambda h: h["kdf"].update(salt="QUFBQUFBQUFBQUFBQUFBQUFBQUE=")),
    "the scrypt cost in the header": lambda data: _edit_header(data, lambda h: h["kdf"].update(n=2**30)),
    "a note in the header": lambda data: _edit_header(data, lambda h: h.update(note="edited")),
    "truncated to half": lambda data: data[: len(data) // 2],
    "the header line only": lambda data: data.partition(b"\n")[0] + b"\n",
    "emptied": lambda data: b"",
    "replaced by text": lambda data: b"Jemima Thistlewood -> [Person 1]\n",
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_tampered_key_is_refused_and_nothing_is_written(made_key: Path, inputs: Path, tmp_path: Path, how: str):
    made_key.write_bytes(TAMPERING[how](made_key.read_bytes()))
    tampered = made_key.read_bytes()
    out = tmp_path / "second"
    result = qual("deidentify", inputs, "-o", out, "--key", made_key)
    one_line_error(result, r"altered|damaged|not a qual key|out of range|wrong passphrase")
    assert not out.exists() or not any(out.iterdir())
    assert made_key.read_bytes() == tampered, "a damaged key was overwritten"
    # the same clear error from the CI gate, which reads the key to search for its originals
    one_line_error(qual("check", tmp_path / "first", "--key", made_key, "--no-ner"),
                   r"altered|damaged|not a qual key|out of range|wrong passphrase")


def test_no_passphrase_without_a_terminal_is_a_clear_error(inputs: Path, tmp_path: Path):
    result = qual("deidentify", inputs, "-o", tmp_path / "out", "--key", tmp_path / "k.qualkey", passphrase=None)
    one_line_error(result, r"QUAL_KEY_PASSPHRASE")
    assert not (tmp_path / "k.qualkey").exists()


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_identifiable_files_are_owner_only_whatever_the_umask(inputs: Path, tmp_path: Path, umask: int):
    secure = tmp_path / "secure"
    key, review = secure / "project.qualkey", secure / "review.xlsx"
    result = qual("deidentify", inputs, "-o", tmp_path / "deid", "--key", key, "--review", review, umask=umask)
    assert result.returncode == 0, result.stderr
    for path in (key, key.with_name(key.name + ".lock"), review):
        assert path.exists(), path
        assert mode(path) == 0o600, f"{path.name} is {oct(mode(path))}"
    raw = tmp_path / "raw"
    assert qual("ingest", inputs, "-o", raw, umask=umask).returncode == 0
    for name in ("corpus.jsonl", "summary.csv", "turns.csv"):  # the raw, identifiable transcripts
        assert mode(raw / name) == 0o600, f"{name} is {oct(mode(raw / name))}"
    # decisions remembered beside the key hold identifiers too
    decided = qual("deidentify", inputs, "-o", tmp_path / "deid2", "--key", key, "--decisions", review,
                   umask=umask)
    assert decided.returncode == 0, decided.stderr
    register = key.with_name(key.stem + ".register.csv")
    if register.exists():
        assert mode(register) == 0o600


@pytest.mark.parametrize("where", ["key in OUT", "key deeper in OUT", "review in OUT", "key via a symlink to OUT",
                                   "key via OUT/.."])
def test_identifiable_files_are_refused_inside_the_output_folder(inputs: Path, tmp_path: Path, where: str):
    out = tmp_path / "deid"
    out.mkdir()
    (tmp_path / "link").symlink_to(out, target_is_directory=True)
    options = {
        "key in OUT": ["--key", out / "k.qualkey"],
        "key deeper in OUT": ["--key", out / "secure" / "k.qualkey"],
        "review in OUT": ["--key", tmp_path / "k.qualkey", "--review", out / "review.xlsx"],
        "key via a symlink to OUT": ["--key", tmp_path / "link" / "k.qualkey"],
        "key via OUT/..": ["--key", out / ".." / "deid" / "k.qualkey"],
    }[where]
    before = tree_hashes(inputs)
    result = qual("deidentify", inputs, "-o", out, *options)
    one_line_error(result, r"inside the output folder")
    assert not any(out.rglob("*")), f"written into {out}: {list(out.rglob('*'))}"
    assert tree_hashes(inputs) == before


@pytest.mark.parametrize("option", ["--key", "--review"])
def test_qual_run_refuses_identifiable_files_inside_its_output(inputs: Path, tmp_path: Path, option: str):
    from conftest import CODEBOOK

    out = tmp_path / "run"
    out.mkdir()
    extra = [option, out / ("k.qualkey" if option == "--key" else "review.xlsx")]
    if option == "--review":
        extra += ["--key", tmp_path / "k.qualkey"]
    result = qual("run", inputs, "-c", CODEBOOK, "-o", out, *extra)
    one_line_error(result, r"inside the output folder")
    assert not any(out.rglob("*"))


def test_two_runs_sharing_a_key_at_once_keep_both_and_agree(inputs: Path, tmp_path: Path):
    """Started together; the second waits for the first's lock and merges, so both runs'
    people are in the key and the person both transcripts name has one tag in both."""
    from qual.deid.key import load_key

    key = tmp_path / "secure" / "shared.qualkey"
    env = qual_env()
    runs = [subprocess.Popen(QUAL + ["deidentify", str(inputs / name), "-o", str(tmp_path / out), "--key", str(key)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name, out in (("A01.txt", "outA"), ("B01.txt", "outB"))]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    text_a = (tmp_path / "outA" / "A01.txt").read_text(encoding="utf-8")
    text_b = (tmp_path / "outB" / "B01.txt").read_text(encoding="utf-8")
    for name in ("Jemima", "Thistlewood", "Bartholomew", "Quince", "Ottoline", "Pennyfeather"):
        assert name not in text_a + text_b
    tag_a = re.search(r"Mostly (\[[^\]]+\])", text_a).group(1)
    tag_b = re.search(r"Respondent: (\[[^\]]+\]) did", text_b).group(1)
    assert tag_a == tag_b, "one person, two tags: the runs did not share the key"
    table = load_key(key, PASSPHRASE)
    from qual.deid.types import EntityType

    people = {table.find(EntityType.PERSON, name) for name in
              ("Jemima Thistlewood", "Bartholomew Quince", "Ottoline Pennyfeather")}
    assert None not in people and len(people) == 3, "an entity of one run was lost or merged"
