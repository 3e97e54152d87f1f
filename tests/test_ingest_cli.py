"""``qual ingest``: summary table, one line per bad file, exit codes, untouched inputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import docx
import pytest

from conftest import PROJECT, SAMPLES, tree_hashes
from qual.corpus import read_corpus


def good_docx(path):
    document = docx.Document()
    for line in ("Interviewer: How is the role going, Gemma?", "Respondent: Fine, Kayla's case is closed.",
                 "Interviewer: Good?", "Respondent: Yes."):
        document.add_paragraph(line)
    document.save(path)


@pytest.fixture
def bad_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good_docx(folder / "SW01.docx")
    (folder / "SW02.txt").write_text("I: Ready?\nR: Yes.\nI: Go?\nR: Ok.\n", encoding="utf-8")
    data = (folder / "SW01.docx").read_bytes()
    (folder / "corrupt.docx").write_bytes(data[: len(data) // 2])          # truncated zip
    (folder / "renamed.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # a .doc renamed
    docx.Document().save(folder / "empty.docx")
    (folder / "encrypted.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
                                            + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64)
    return folder


def test_bad_files_one_line_each_good_files_processed_exit_1(bad_folder, tmp_path, cli):
    before = tree_hashes(bad_folder)
    out = tmp_path / "out"
    result = cli("ingest", str(bad_folder), "--out", str(out))
    assert result.exit_code == 1
    output = result.output
    expected = {
        "corrupt.docx": "corrupt or truncated",
        "renamed.docx": "save it as .docx",
        "empty.docx": "is an empty Word document",
        "encrypted.docx": "password-protected",
    }
    error_lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(error_lines) == len(expected)
    for name, words in expected.items():
        [line] = [line for line in error_lines if f"{bad_folder / name}:" in line]
        assert words in line
    assert [t.id for t in read_corpus(out / "corpus.jsonl")] == ["SW01", "SW02"]
    assert tree_hashes(bad_folder) == before
    # the summary shows counts and file names, never a speaker's words
    assert "Kayla" not in output and "Gemma" not in output


def test_file_names_holding_a_name_are_masked_on_the_console(tmp_path, cli):
    folder = tmp_path / "in"
    folder.mkdir()
    good_docx(folder / "Jayden_Okonkwo interview.docx")
    (folder / "Kayden Thornbury notes.docx").write_bytes(b"this is not a zip")
    result = cli("ingest", str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    for name in ("Jayden", "Okonkwo", "Kayden", "Thornbury"):
        assert name not in result.output
    # the table and the error line show the same mask, with the file's other words
    assert "interview.docx" in result.output and "notes.docx" in result.output


def test_samples_ingest_with_participants(tmp_path, cli):
    if not SAMPLES.exists() or not (SAMPLES / "participants.xlsx").exists():
        pytest.skip("the sample corpus is not built")
    before = tree_hashes(SAMPLES)
    out = tmp_path / "out"
    result = cli("ingest", str(SAMPLES), "--out", str(out), "--participants", str(SAMPLES / "participants.xlsx"))
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"corpus.jsonl", "summary.csv", "turns.csv"}
    ids = sorted(t.id for t in read_corpus(out / "corpus.jsonl"))
    assert ids == sorted(p.stem.split("_")[1] for p in SAMPLES.iterdir() if p.name.startswith("SWIS_"))
    for line in ("file", "turns", "speakers", "words"):
        assert line in result.output.splitlines()[0]
    assert tree_hashes(SAMPLES) == before


def test_no_inputs_is_a_usage_error(tmp_path, cli):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("ingest", str(empty), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{empty}: is empty; there is nothing to read" in result.output


def test_output_inside_the_input_folder_is_not_read_back(tmp_path, cli):
    good_docx(tmp_path / "SW01.docx")
    out = tmp_path / "out"
    assert cli("ingest", str(tmp_path), "--out", str(out)).exit_code == 0
    assert cli("ingest", str(tmp_path), "--out", str(out)).exit_code == 0
    assert [t.id for t in read_corpus(out / "corpus.jsonl")] == ["SW01"]


def test_interviewer_option(tmp_path, cli):
    (tmp_path / "t.txt").write_text("I: Ready?\nR: Yes.\nI: Go?\nR: Ok.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("ingest", str(tmp_path / "t.txt"), "--out", str(out), "--interviewer", "R").exit_code == 0
    [transcript] = read_corpus(out / "corpus.jsonl")
    assert {t.speaker: str(t.role) for t in transcript.turns} == {"I": "participant", "R": "interviewer"}


def test_the_installed_command(tmp_path):
    """The real entry point: exit code and stderr as a shell or CI job sees them."""
    good_docx(tmp_path / "SW01.docx")
    (tmp_path / "SW02.docx").write_bytes(b"{\\rtf1 saved as rtf}")
    qual = shutil.which("qual", path=str(PROJECT / ".venv" / "bin")) or shutil.which("qual")
    command = [qual] if qual else [sys.executable, "-c", "from qual.cli import main; main()"]
    completed = subprocess.run([*command, "ingest", str(tmp_path), "--out", str(tmp_path / "out")],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    assert completed.stderr.count("error:") == 1
    assert f"{tmp_path / 'SW02.docx'}: is an RTF document" in completed.stderr
    assert "SW01.docx" in completed.stdout
    assert zipfile.is_zipfile(tmp_path / "SW01.docx")


def test_a_participants_sheet_in_the_input_folder_is_used(tmp_path, cli):
    folder = tmp_path / "in"
    folder.mkdir()
    good_docx(folder / "SWIS_SW01_interview.docx")
    (folder / "participants.csv").write_text("Participant ID,LA\nSW01,Stockport\n", encoding="utf-8")
    result = cli("ingest", str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "using the participants sheet" in result.output
    [transcript] = read_corpus(tmp_path / "out" / "corpus.jsonl")
    assert transcript.attributes == {"participant_id": "SW01", "local_authority": "Stockport"}
