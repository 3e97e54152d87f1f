"""``qual deidentify`` end to end on the sample corpus, with the real analyzer."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import GOLD, SAMPLES, run_qual, tree_hashes

PASS = "cli test passphrase"
PARTICIPANTS = SAMPLES / "participants.xlsx"


def gold_files() -> list[dict]:
    files = sorted(GOLD.glob("*.json"))
    if not files:
        pytest.skip("the sample corpus gold is not available")
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]


def gold_strings() -> set[str]:
    """Every identifier the gold knows: in turns, speaker labels, metadata and attributes."""
    strings = set()
    for gold in gold_files():
        for turn in gold["turns"]:
            strings |= {i["text"] for i in turn["identifiers"]}
        strings |= {i["speaker"] for i in gold.get("speaker_identifiers", [])}
        strings |= {i["text"] for i in gold.get("metadata_identifiers", [])}
        for key in ("name", "interviewer", "school"):
            value = gold["attributes"].get(key)
            if value:
                strings |= {part.strip() for part in value.split(";")}
    return {s for s in strings if len(s) >= 3}


def leaks(text: str, strings: set[str]) -> list[str]:
    """Identifiers present in ``text`` as whole words (the list itself is never printed)."""
    return [s for s in strings if re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text)]


def run_cli(*args: str, env_passphrase: str | None = PASS) -> subprocess.CompletedProcess:
    """The installed entry point, as a user runs it, with this test's passphrase."""
    return run_qual(*args, env={"QUAL_KEY_PASSPHRASE": env_passphrase}, timeout=600)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> dict:
    if not any(SAMPLES.glob("*.docx")):
        pytest.skip("the sample corpus is not available")
    root = tmp_path_factory.mktemp("cli")
    before = tree_hashes(SAMPLES)
    out, secure = root / "deid", root / "secure"
    result = run_cli("-vv", "deidentify", str(SAMPLES), "--out", str(out), "--participants",
                     str(PARTICIPANTS), "--key", str(secure / "swis.qualkey"),
                     "--review", str(secure / "review.xlsx"))
    return {"root": root, "out": out, "secure": secure, "result": result, "before": before}


def test_sample_corpus_runs_and_leaves_inputs_alone(sample_run):
    result = sample_run["result"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "de-identified 8 documents" in result.stdout
    assert tree_hashes(SAMPLES) == sample_run["before"]
    out = sample_run["out"]
    stems = sorted(p.stem for p in out.glob("*.docx"))
    assert stems == sorted(g["id"] for g in gold_files())
    assert (out / "corpus.jsonl").exists() and (out / "deid_log.csv").exists()


def test_no_identifier_in_console_output_or_log(sample_run):
    result = sample_run["result"]
    strings = gold_strings()
    assert "DEBUG" in result.stderr                              # -vv really was debug level
    assert not leaks(result.stdout + result.stderr, strings)
    log_text = (sample_run["out"] / "deid_log.csv").read_text(encoding="utf-8")
    assert not leaks(log_text, strings)
    assert log_text.splitlines()[0] == "document,turn,type,pseudonym,detector,confidence"


def test_no_name_in_speaker_labels_attributes_or_document_metadata(sample_run):
    from qual.corpus import read_corpus

    out = sample_run["out"]
    names = {i["speaker"] for g in gold_files() for i in g.get("speaker_identifiers", [])}
    metadata = {i["text"] for g in gold_files() for i in g.get("metadata_identifiers", [])}
    people = {g["attributes"][k] for g in gold_files() for k in ("name", "interviewer") if g["attributes"].get(k)}
    for transcript in read_corpus(out / "corpus.jsonl"):
        labels = " | ".join(transcript.speakers)
        assert not leaks(labels, names | people)
        assert not leaks(json.dumps(transcript.attributes, ensure_ascii=False), people | metadata)
        assert transcript.metadata == {}
    for path in out.glob("*.docx"):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member != "word/document.xml":   # the body is the transcript; all else is ours
                    assert not leaks(archive.read(member).decode("utf-8", "replace"), metadata | names | people)
            body = archive.read("word/document.xml").decode("utf-8")
        labels = re.findall(r"<w:b/>.*?<w:t[^>]*>([^<]*)</w:t>", body)
        assert labels and not leaks(" ".join(labels), names | people)


def test_identifiable_files_are_owner_only_and_outside_the_output(sample_run):
    secure, out = sample_run["secure"], sample_run["out"]
    for name in ("swis.qualkey", "review.xlsx"):
        assert stat.S_IMODE((secure / name).stat().st_mode) == 0o600
    assert not [p for p in out.rglob("*") if p.suffix in (".qualkey", ".xlsx", ".lock")]


def test_a_second_run_with_the_key_gives_the_same_pseudonyms(sample_run):
    from qual.corpus import read_corpus

    again = sample_run["root"] / "again"
    result = run_cli("deidentify", str(SAMPLES), "--out", str(again), "--participants", str(PARTICIPANTS),
                     "--key", str(sample_run["secure"] / "swis.qualkey"))
    assert result.returncode == 0, result.stderr[-2000:]
    first = {t.id: t.text for t in read_corpus(sample_run["out"] / "corpus.jsonl")}
    second = {t.id: t.text for t in read_corpus(again / "corpus.jsonl")}
    assert first == second


def test_wrong_passphrase_is_one_clear_line(sample_run, tmp_path: Path):
    result = run_cli("deidentify", str(SAMPLES / "SWIS_TM03_interview.txt"), "--out", str(tmp_path / "o"),
                     "--key", str(sample_run["secure"] / "swis.qualkey"), env_passphrase="not it")
    assert result.returncode == 2
    assert "wrong passphrase" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.fixture
def invoke(cli):
    """``qual ARGS`` in-process, with this test's passphrase (None: no passphrase at all)."""
    return lambda *args, passphrase=PASS: cli(*args, env={"QUAL_KEY_PASSPHRASE": passphrase})


def test_no_passphrase_without_a_terminal_is_a_clear_error(tmp_path: Path, invoke):
    result = invoke("deidentify", str(SAMPLES / "SWIS_TM03_interview.txt"), "--out", str(tmp_path / "o"),
                    "--key", str(tmp_path / "k.qualkey"), passphrase=None)
    assert result.exit_code == 2
    assert "QUAL_KEY_PASSPHRASE" in result.output


def test_key_inside_the_output_folder_is_refused(tmp_path: Path, invoke):
    out = tmp_path / "o"
    result = invoke("deidentify", str(SAMPLES / "SWIS_TM03_interview.txt"), "--out", str(out),
                    "--key", str(out / "k.qualkey"))
    assert result.exit_code == 2 and "inside the output folder" in result.output
    assert not (out / "k.qualkey").exists()


def _deidentify_with_a_bad_file(tmp_path: Path, invoke, bad_name: str):
    """A folder of one good transcript and one file that is no .docx, de-identified."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text("Interviewer: Hello Jayden.\nRespondent: Hi, yes.\n", encoding="utf-8")
    (raw / bad_name).write_bytes(b"this is not a zip")
    return raw, invoke("deidentify", str(raw), "--out", str(tmp_path / "o"))


def test_a_bad_input_fails_alone_with_exit_code_1(tmp_path: Path, invoke):
    _, result = _deidentify_with_a_bad_file(tmp_path, invoke, "bad.docx")
    assert result.exit_code == 1
    assert "bad.docx" in result.output and "de-identified 1 documents" in result.output
    assert (tmp_path / "o" / "good.txt").exists()


def test_a_bad_input_named_after_a_child_is_reported_without_the_name(tmp_path: Path, invoke):
    raw, result = _deidentify_with_a_bad_file(tmp_path, invoke, "Kayden_Thornbury interview.docx")
    assert result.exit_code == 1
    assert "Kayden" not in result.output and "Thornbury" not in result.output
    # the line still names the folder, the file's other words and what to do
    line = next(line for line in result.output.splitlines() if line.startswith("failed: "))
    assert str(raw) in line and "interview.docx" in line and "save it as .docx" in line


def test_survey_column(tmp_path: Path, invoke):
    survey = tmp_path / "staff_survey.csv"
    survey.write_text("id,comment,score\n1,Jayden Smith from Castlebrook Academy was brilliant,5\n"
                      "2,No comment,3\n3,Ask Mrs Okafor on 07700 900123,007\n", encoding="utf-8")
    result = invoke("deidentify", str(survey), "--out", str(tmp_path / "o"), "--column", "comment")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "o" / "staff_survey.csv").read_text(encoding="utf-8")
    assert "Jayden" not in text and "Okafor" not in text and "07700" not in text
    assert "No comment" in text and ",007" in text
    assert "Jayden" not in result.output


def test_passphrase_is_asked_at_a_terminal_twice_for_a_new_key(tmp_path: Path, monkeypatch):
    import typer

    from qual.cli import secure

    asked = []
    monkeypatch.delenv("QUAL_KEY_PASSPHRASE", raising=False)
    monkeypatch.setattr(secure.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(typer, "prompt", lambda text, **kw: asked.append((text, kw)) or "typed")
    assert secure.ask_passphrase(tmp_path / "new.qualkey") == "typed"
    (tmp_path / "old.qualkey").write_bytes(b"x")
    assert secure.ask_passphrase(tmp_path / "old.qualkey") == "typed"
    assert [kw["confirmation_prompt"] for _, kw in asked] == [True, False]
    assert all(kw["hide_input"] for _, kw in asked)
    # qual check never creates a key: asked once, even for one that does not exist
    assert secure.ask_passphrase(tmp_path / "other.qualkey", may_create=False) == "typed"
    assert asked[-1][1]["confirmation_prompt"] is False
    # the project opened for a command holds what was typed
    assert secure.open_project(tmp_path / "old.qualkey").passphrase == "typed"
    monkeypatch.setenv("QUAL_KEY_PASSPHRASE", "from env")
    assert secure.ask_passphrase(tmp_path / "old.qualkey") is None      # the library reads the variable
    assert len(asked) == 4
