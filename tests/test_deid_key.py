"""The encrypted pseudonym key: round trip, authentication, permissions, placement, locking."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qual.deid.key import PASSPHRASE_ENV, KeyFile, load_key, save_key
from qual.deid import deidentify
from qual.deid.pseudonyms import EntityTable
from qual.deid.types import EntityType as T
from qual.errors import KeyFileError, UnsafeOutputError

from test_deid_pipeline import fake, inputs  # noqa: F401 - the fixture is used by name

PASS = "correct horse battery staple"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_keeps_pseudonyms_and_continues_numbering(tmp_path: Path):
    key = tmp_path / "secure" / "project.qualkey"
    table = EntityTable()
    table.link_all([(T.PERSON, "Jayden Smith"), (T.SCHOOL, "Castlebrook Academy"), (T.EMAIL, "a@b.org")])
    save_key(table, key, PASS)
    again = load_key(key, PASS)
    assert [(e.type, e.pseudonym, sorted(e.variants)) for e in again] == \
        [(e.type, e.pseudonym, sorted(e.variants)) for e in table]
    assert again.link(T.PERSON, "Jayden").pseudonym == "[Person 1]"
    assert again.link(T.PERSON, "Kelly Brown").pseudonym == "[Person 2]"
    assert again.link(T.SCHOOL, "Oak Primary").pseudonym == "[School B]"
    assert again.seed == table.seed                     # surrogates stay stable


def test_file_is_encrypted_owner_only_with_a_plain_header(tmp_path: Path):
    key = tmp_path / "k.qualkey"
    table = EntityTable()
    table.link(T.PERSON, "Jayden Smith")
    save_key(table, key, PASS)
    data = key.read_bytes()
    assert b"Jayden" not in data and b"Smith" not in data
    header = json.loads(data.split(b"\n", 1)[0])
    assert header["format"] == "qual-pseudonym-key" and header["kdf"]["name"] == "scrypt"
    assert header["cipher"]["name"] == "AES-256-GCM"
    assert mode(key) == 0o600
    assert mode(Path(str(key) + ".lock")) == 0o600


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path):
    key = tmp_path / "k.qualkey"
    save_key(EntityTable(), key, PASS)
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_key(key, "not the passphrase")


@pytest.mark.parametrize("where", ["body", "header", "truncated", "garbage"])
def test_tampered_key_is_refused(tmp_path: Path, where: str):
    key = tmp_path / "k.qualkey"
    table = EntityTable()
    table.link(T.PERSON, "Jayden Smith")
    save_key(table, key, PASS)
    data = bytearray(key.read_bytes())
    header_end = data.index(b"\n")
    if where == "body":
        data[-3] ^= 0x01
    elif where == "header":
        data[:header_end] = data[:header_end].replace(b'"version": 1', b'"version": 0')
    elif where == "truncated":
        data = data[: header_end + 10]
    else:
        data = bytearray(b"hello\nworld")
    key.write_bytes(bytes(data))
    with pytest.raises(KeyFileError):
        load_key(key, PASS)


def test_no_passphrase_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    with pytest.raises(KeyFileError, match=PASSPHRASE_ENV):
        save_key(EntityTable(), tmp_path / "k.qualkey")
    monkeypatch.setenv(PASSPHRASE_ENV, PASS)
    save_key(EntityTable(), tmp_path / "k.qualkey")
    assert len(load_key(tmp_path / "k.qualkey")) == 0


def test_key_is_refused_inside_the_output_folder(inputs: Path, tmp_path: Path):  # noqa: F811
    out = tmp_path / "deid"
    with pytest.raises(UnsafeOutputError):
        deidentify([inputs], out, key_path=out / "key.qualkey", passphrase=PASS, analyzer=fake())
    with pytest.raises(UnsafeOutputError):
        save_key(EntityTable(), out / "nested" / "k.qualkey", PASS, out_dir=out)
    assert not (out / "key.qualkey").exists()


def test_a_later_batch_reuses_the_key(inputs: Path, tmp_path: Path):  # noqa: F811
    key = tmp_path / "secure" / "project.qualkey"
    first = deidentify([inputs / "SW01.txt"], tmp_path / "batch1", key_path=key, passphrase=PASS,
                       analyzer=fake())
    second = deidentify([inputs / "TM02.txt"], tmp_path / "batch2", key_path=key, passphrase=PASS,
                        analyzer=fake())
    one, two = first.transcripts[0], second.transcripts[0]
    assert one.speakers[1] == "[Person 1]"                         # Jayden Smith in batch 1
    assert "[Person 1] joined us from [School A]" in two.text      # ... and in batch 2
    assert two.speakers[1] == "[Person 2]"                         # numbering continued
    assert not list((tmp_path / "batch1").glob("*key*")) and not list((tmp_path / "batch2").glob("*key*"))
    with pytest.raises(KeyFileError):
        deidentify([inputs / "TM02.txt"], tmp_path / "batch3", key_path=key, passphrase="wrong",
                   analyzer=fake())
    assert not (tmp_path / "batch3").exists()                      # nothing written on a bad key


def test_session_writes_nothing_when_the_run_fails(tmp_path: Path):
    key = tmp_path / "k.qualkey"
    save_key(EntityTable(), key, PASS)
    before = key.read_bytes()
    with pytest.raises(RuntimeError):
        with KeyFile(key, PASS).session() as table:
            table.link(T.PERSON, "Jayden Smith")
            raise RuntimeError("boom")
    assert key.read_bytes() == before


def test_merge_detects_clashes():
    ours, theirs = EntityTable(), EntityTable()
    ours.link(T.PERSON, "Jayden Smith")
    theirs.link(T.PERSON, "Kelly Brown")              # also [Person 1]: a different person
    assert theirs.merge(ours)
    same = EntityTable.from_payload(ours.to_payload())
    same.link(T.PERSON, "Jaden")                      # a new variant of the same person
    assert not ours.merge(same)
    assert "Jaden" in ours.find(T.PERSON, "Jayden Smith").variants


WORKER = textwrap.dedent("""
    import sys, time
    from qual.deid.key import KeyFile
    from qual.deid.types import EntityType
    path, names = sys.argv[1], sys.argv[2].split(",")
    with KeyFile(path, "%s").session() as table:
        for name in names:
            table.link(EntityType.PERSON, name)
            time.sleep(0.05)
""") % PASS


def test_two_processes_sharing_a_key_keep_both_runs_entities(tmp_path: Path):
    key = tmp_path / "shared.qualkey"
    save_key(EntityTable(), key, PASS)
    batches = ["Aisha Khan,Ben Carter,Chloe Davies", "Dan Evans,Erin Fox,Finn Green"]
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, str(key), names],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for names in batches]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-500:]
    table = load_key(key, PASS)
    names = {v for e in table for v in e.variants}
    assert names == {n for batch in batches for n in batch.split(",")}
    tags = [e.pseudonym for e in table]
    assert sorted(tags) == sorted(f"[Person {n}]" for n in range(1, 7))   # no tag given twice
    assert table.counters["PERSON"] == 6
    assert os.access(key, os.R_OK)


def test_sample_corpus_in_two_batches_keeps_every_tag(tmp_path: Path):
    """Real analyzer: batch 1 (three interviews), then everything with the same key. The three
    come out the same, and the people they share with the others keep their tags."""
    from conftest import SAMPLES

    if not (SAMPLES / "participants.xlsx").exists():
        pytest.skip("the sample corpus is not available")
    key = tmp_path / "secure" / "swis.qualkey"
    first_files = [SAMPLES / f"SWIS_{n}_interview.docx" for n in ("SW01", "SW02", "TM01")]
    first = deidentify(first_files, tmp_path / "b1", key_path=key, passphrase=PASS,
                       participants=SAMPLES / "participants.xlsx")
    second = deidentify([SAMPLES], tmp_path / "b2", key_path=key, passphrase=PASS,
                        participants=SAMPLES / "participants.xlsx")
    assert first.ok and second.ok
    before = {t.id: t for t in first.transcripts}
    after = {t.id: t for t in second.transcripts}
    assert set(before) < set(after)
    for document, transcript in before.items():
        assert after[document].text == transcript.text
        assert after[document].attributes == transcript.attributes
    # SW01 and TM01 had the same interviewer (participants sheet): one tag in both
    assert after["SW01"].attributes["interviewer"] == after["TM01"].attributes["interviewer"]
    table = load_key(key, PASS)
    tags = [e.pseudonym for e in table if e.type is T.PERSON]
    assert len(tags) == len(set(tags))


def test_deriving_ahead_is_what_the_session_then_uses(tmp_path, monkeypatch):
    """scrypt runs once per session: ahead of time for a new key (the salt its first write
    uses) and for a key on disk (its header's salt); a wrong passphrase is still refused by
    the session, never by the early derivation."""
    from cryptography.hazmat.primitives.kdf import scrypt

    derivations = []
    original = scrypt.Scrypt

    class Counted:
        def __init__(self, **parameters):
            self.kdf = original(**parameters)

        def derive(self, key_material):
            derivations.append(1)
            return self.kdf.derive(key_material)

    monkeypatch.setattr(scrypt, "Scrypt", Counted)
    path = tmp_path / "secure" / "k.qualkey"
    key = KeyFile(path, "right passphrase")
    key.derive_ahead()
    assert len(derivations) == 1
    with key.session() as table:
        table.link(T.PERSON, "Jayden Okafor")
    assert len(derivations) == 1  # the write used the early derivation's salt
    again = KeyFile(path, "right passphrase")
    again.derive_ahead()
    with again.session() as table:
        assert len(table.entities) == 1
    assert len(derivations) == 2
    wrong = KeyFile(path, "wrong passphrase")
    wrong.derive_ahead()  # quietly: the session says what is wrong
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        with wrong.session():
            pass


def test_a_missing_passphrase_is_reported_before_any_file_is_read(tmp_path, monkeypatch):
    import qual.ingest

    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    read = []
    monkeypatch.setattr(qual.ingest, "ingest", lambda *a, **k: read.append(a))
    with pytest.raises(KeyFileError, match="no passphrase"):
        deidentify([tmp_path / "SW01.docx"], tmp_path / "out", key_path=tmp_path / "secure" / "k.qualkey")
    assert not read
