"""Issue 16, the key: one truth under concurrent runs, stale outputs reported, and a key file
that others can read warned about (refused with ``--strict``) and tightened by
``qual deidentify``.

The concurrency test starts two ``qual deidentify`` processes on overlapping corpora that
share one key, the second after a random delay, several times over. Whatever the
interleaving: every original form in the key belongs to exactly one entity (one
pseudonym), the document both runs de-identified comes out the same from both, and a third
run over everything, with the key they left, writes exactly what they wrote.
"""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from harness import QUAL, qual_env, run_qual  # noqa: E402

PASSPHRASE = "hardening-test-passphrase"  # the one harness.qual_env() sets
ROUNDS = 5

# "Castlebrook" is a school in one corpus (Castlebrook Academy) and a person in the other
# (Mr Castlebrook): a run that saw one would type it one way, a run that saw the other the other.
DOCUMENTS = {
    "D1.txt": "Interviewer: Where were you based?\nRespondent: At Castlebrook Academy, with Jemima Thistlewood, "
              "the DSL.\nInterviewer: And the head?\nRespondent: Castlebrook has a new head, Mr Bartholomew Quince.\n",
    "D2.txt": "Interviewer: Who referred the family?\nRespondent: Jemima Thistlewood did, after Castlebrook rang "
              "her.\nInterviewer: Then?\nRespondent: Ottoline Pennyfeather came to the meeting with Mr Quince.\n",
    "D3.txt": "Interviewer: Who did you work with?\nRespondent: Mostly Mr Castlebrook, the family support worker, "
              "and Ottoline Pennyfeather.\nInterviewer: How was that?\nRespondent: Castlebrook was brilliant. "
              "Ottoline less so.\n",
}
RUN_A, RUN_B = ("D1.txt", "D2.txt"), ("D2.txt", "D3.txt")


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def one_pseudonym_per_form(key: Path) -> dict[str, set[str]]:
    """Original forms (normal form, titles dropped) held by more than one entity."""
    from qual.deid.identity import NAME_LIKE, PersonName, identity_key
    from qual.deid.key import load_key

    holders: dict[str, set[str]] = {}
    for entity in load_key(key, PASSPHRASE):
        for variant in entity.variants:
            form = PersonName.parse(variant).key if entity.type in NAME_LIKE else \
                f"{entity.type.value}:{identity_key(entity.type, variant)}"
            holders.setdefault(form, set()).add(entity.pseudonym)
    return {form: tags for form, tags in holders.items() if len(tags) > 1}


def deidentify(inputs: Path, names, out: Path, key: Path) -> subprocess.Popen:
    return subprocess.Popen(QUAL + ["deidentify", *[str(inputs / n) for n in names], "-o", str(out), "--key", str(key)],
                            env=qual_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_runs_sharing_a_key_at_once_agree_whatever_the_interleaving(documents: Path, tmp_path: Path):
    chance = random.Random()
    for round_number in range(ROUNDS):
        work = tmp_path / f"round{round_number}"
        key = work / "secure" / "shared.qualkey"
        first, second = (RUN_A, RUN_B) if chance.random() < 0.5 else (RUN_B, RUN_A)
        runs = [deidentify(documents, first, work / "first", key)]
        time.sleep(chance.uniform(0.0, 2.5))  # anywhere from "together" to "one after the other"
        runs.append(deidentify(documents, second, work / "second", key))
        for run in runs:
            _, stderr = run.communicate(timeout=300)
            assert run.returncode == 0, stderr[-2000:]
        clashes = one_pseudonym_per_form(key)
        assert not clashes, f"round {round_number}: forms with two pseudonyms: {sorted(map(sorted, clashes.values()))}"
        third = deidentify(documents, list(DOCUMENTS), work / "third", key)
        _, stderr = third.communicate(timeout=300)
        assert third.returncode == 0, stderr[-2000:]
        outputs = {}
        for run, names in (("first", first), ("second", second)):
            for name in names:
                outputs.setdefault(name, []).append((work / run / name).read_text(encoding="utf-8"))
        for name, texts in outputs.items():
            expected = (work / "third" / name).read_text(encoding="utf-8")
            assert all(text == expected for text in texts), f"round {round_number}: {name} differs between runs"
            for word in ("Castlebrook", "Thistlewood", "Quince", "Pennyfeather", "Ottoline", "Jemima"):
                assert word not in expected
        assert not one_pseudonym_per_form(key)


# --------------------------------------------------------------------------- stale outputs


def test_outputs_written_against_an_older_key_revision_are_reported_stale(documents: Path, tmp_path: Path):
    from qual.check import check_paths, format_json
    from qual.deid import deidentify as deidentify_files

    key = tmp_path / "secure" / "project.qualkey"
    deidentify_files([documents / "D1.txt"], tmp_path / "early", key_path=key, passphrase=PASSPHRASE)
    deidentify_files([documents / "D3.txt"], tmp_path / "later", key_path=key, passphrase=PASSPHRASE)
    early = check_paths([tmp_path / "early"], key=key, passphrase=PASSPHRASE, jobs=1, ner=None)
    assert early.exit_code == 0 and not early.failing, early.failing
    assert sorted(line.split(": ", 1)[0].rsplit("/", 1)[-1] for line in early.stale) == \
        ["D1.docx", "D1.txt", "corpus.jsonl", "deid_log.csv"]
    assert all("revision 1 of the key, which is now at revision 2" in line for line in early.stale)
    assert '"stale": [' in format_json(early)
    later = check_paths([tmp_path / "later"], key=key, passphrase=PASSPHRASE, jobs=1, ner=None)
    assert later.exit_code == 0 and not later.stale
    strict = check_paths([tmp_path / "early"], key=key, passphrase=PASSPHRASE, jobs=1, ner=None, strict=True)
    assert strict.exit_code == 2 and any("revision 1" in line for line in strict.errors)
    # the same files de-identified again are current
    deidentify_files([documents / "D1.txt"], tmp_path / "early", key_path=key, passphrase=PASSPHRASE)
    again = check_paths([tmp_path / "early"], key=key, passphrase=PASSPHRASE, jobs=1, ner=None)
    assert not again.stale


def test_a_run_that_changes_nothing_leaves_the_key_revision_alone(documents: Path, tmp_path: Path):
    from qual.deid import deidentify as deidentify_files
    from qual.deid.key import KeyFile

    key = tmp_path / "secure" / "project.qualkey"
    for _ in range(2):
        deidentify_files([documents / "D1.txt"], tmp_path / "out", key_path=key, passphrase=PASSPHRASE)
    opened = KeyFile(key, PASSPHRASE)
    opened.read()
    assert opened.revision == 1 and opened.key_id


# --------------------------------------------------------------------------- permissions


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_key_others_can_read_is_warned_about_refused_when_strict_and_tightened(documents: Path, tmp_path: Path):
    key = tmp_path / "secure" / "project.qualkey"
    made = run_qual(["deidentify", documents / "D1.txt", "-o", tmp_path / "out", "--key", key])
    assert made.returncode == 0, made.describe()
    os.chmod(key, 0o644)
    checked = run_qual(["check", tmp_path / "out", "--key", key, "--no-ner", "-j", "1"])
    assert checked.returncode == 0, checked.describe()
    assert "warning:" in checked.stderr and "chmod 600" in checked.stderr and "0644" in checked.stderr
    strict = run_qual(["check", tmp_path / "out", "--key", key, "--no-ner", "-j", "1", "--strict"])
    assert strict.returncode == 2 and "owner-only" in strict.stderr, strict.describe()
    assert mode(key) == 0o644  # qual check only reads
    again = run_qual(["deidentify", documents / "D2.txt", "-o", tmp_path / "out2", "--key", key])
    assert again.returncode == 0, again.describe()
    assert "tightened" in again.stderr and mode(key) == 0o600
    quiet = run_qual(["check", tmp_path / "out", "--key", key, "--no-ner", "-j", "1"])
    assert "warning:" not in quiet.stderr


def test_a_key_id_is_never_read_as_an_identifier():
    """deid_provenance.json names the key by a random id; qual check reads the file, and an id
    that happens to hold a phone-shaped run of digits must not fail the gate."""
    import json

    from qual.check.extract import TextUnit, extract_text_units
    from qual.deid.key import _new_key_id

    assert all(not _new_key_id().isdigit() for _ in range(200))
    provenance = json.dumps({"files": {"A01.txt": {"key": "0791234567a8b9c0", "revision": 3},
                                       "A02.txt": {"key": "{6F9619FF-8B86-D011-B42D-00C04FC964FF}"},
                                       "note": {"phone": "07912345678", "handle": "ada1981"}}}).encode()
    texts = [u.text for u in extract_text_units("deid_provenance.json", provenance) if isinstance(u, TextUnit)]
    assert "0791234567a8b9c0" not in texts and not any("6F9619FF" in t for t in texts)
    assert "07912345678" in texts and "ada1981" in texts  # digits alone, and short handles, are read


def test_the_check_passes_what_deidentify_wrote_from_lower_case_speech_with_a_key(tmp_path: Path):
    # speech-to-text in lower case: "mercy" is learned as a name, and stays where it is the word
    # ("at the mercy of"); "can i" opens a question. The key then holds the lower-case forms,
    # and the check with that key must agree with what de-identification left.
    from qual.check import check_paths
    from qual.deid import deidentify as deidentify_files

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "L1.txt").write_text(
        "interviewer: who do you work with?\nrespondent: so she started in september, mercy, mercy bo ateng, "
        "and honestly we were at the mercy of the front door before that.\ninterviewer: and consent?\n"
        "respondent: i ask the family at the start, can i share this with school, and they say yes.\n",
        encoding="utf-8")
    key = tmp_path / "secure" / "project.qualkey"
    for run in ("first", "second"):
        out = tmp_path / run
        deidentify_files([folder / "L1.txt"], out, key_path=key, passphrase=PASSPHRASE)
        result = check_paths([out], key=key, passphrase=PASSPHRASE, jobs=1, ner=None)
        assert result.exit_code == 0 and not result.failing, (run, len(result.failing))
    text = (tmp_path / "second" / "L1.txt").read_text(encoding="utf-8")
    assert "at the mercy of" in text and "can i share" in text and "ateng" not in text
