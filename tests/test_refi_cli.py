"""The REFI-QDA commands: thin wrappers that find their inputs, print an account without
document text, and say by exit code whether something failed."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import shared_path, tree_hashes
from qual.refi import read_project, validate_qdpx
from test_refi_support import coding_rows, small_corpus, write_inputs

QUOTES = ("Zoë and the head teacher", "My office was next to", "Induction took a term")


def test_export_qdpx_finds_corpus_and_codebook_beside_the_codings(tmp_path, cli):
    codings = write_inputs(tmp_path / "run")
    before = tree_hashes(tmp_path / "run")
    result = cli("export-qdpx", codings, "--out", tmp_path / "project.qdpx")
    assert result.exit_code == 0, result.output
    assert tree_hashes(tmp_path / "run") == before
    assert validate_qdpx(tmp_path / "project.qdpx") == []
    assert "codings: 7 on 7 selections" in result.output   # one selection per span and coder
    assert not any(quote in result.output for quote in QUOTES)


def test_export_qdpx_status_summaries_and_participants(tmp_path, cli):
    codings = write_inputs(tmp_path / "run")
    summaries = tmp_path / "summaries.csv"
    pd.DataFrame([{"case": "SW01", "code": "IMP.SETUP", "summary": "Slow start."}]).to_csv(summaries, index=False)
    participants = tmp_path / "participants.csv"
    pd.DataFrame([{"participant_id": "SW02", "trial_arm": "control", "name": "Jane Smith"}]).to_csv(
        participants, index=False)
    result = cli("export-qdpx", codings, "--out", tmp_path / "p.qdpx", "--status", "all",
                 "--summaries", summaries, "--participants", participants, "--user", "analyst")
    assert result.exit_code == 0, result.output
    project = read_project(tmp_path / "p.qdpx")
    assert len(project.codings) == 8 and [n.text for n in project.notes] == ["Slow start."]
    assert {c.name: c.attributes.get("trial_arm") for c in project.cases}["SW02"] == "control"
    # the people named keep their names; the accepted suggestion nobody named is the project's
    # user (--user); the unreviewed one is 'qual suggestions' and comes back as a suggestion
    sources = dict(zip(project.codings["text"], project.codings["source"]))
    assert set(project.codings["source"]) == {"refi:alice", "refi:bob", "refi:analyst", "refi:qual suggestions"}
    assert sources["Zoë and the head teacher were unsure"] in {"refi:analyst", "refi:alice"}
    assert sources["Staff were brilliant"] == "refi:qual suggestions"
    assert (project.codings["source"] == "refi:analyst").sum() == 1
    assert any(u.name == "analyst" for u in project.users)


def test_export_qdpx_without_a_corpus_is_a_one_line_error(tmp_path, cli):
    codings = write_inputs(tmp_path / "run")
    (tmp_path / "run" / "corpus.jsonl").unlink()
    result = cli("export-qdpx", codings, "--out", tmp_path / "p.qdpx")
    assert result.exit_code == 2
    assert "no corpus.jsonl beside it" in result.output and "--corpus" in result.output
    assert not (tmp_path / "p.qdpx").exists()


def test_export_qdpx_without_a_codebook_names_the_option(tmp_path, monkeypatch, cli):
    codings = write_inputs(tmp_path / "run")
    (tmp_path / "run" / "codebook.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    result = cli("export-qdpx", codings, "--out", tmp_path / "p.qdpx")
    assert result.exit_code == 2 and "--codebook" in result.output


def test_export_qdpx_exits_1_when_codings_are_left_out(tmp_path, cli):
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    codings.loc[0, "text"] = "a quote that is nowhere in the transcript"
    path = write_inputs(tmp_path / "run", transcripts, codings)
    result = cli("export-qdpx", path, "--out", tmp_path / "p.qdpx")
    assert result.exit_code == 1
    assert "skipped: 1 codings whose quote is not at its offsets" in result.output
    assert (tmp_path / "p.qdpx").exists()


def test_export_refuses_to_overwrite_an_input(tmp_path, cli):
    codings = write_inputs(tmp_path / "run")
    result = cli("export-qdpx", codings, "--out", codings)
    assert result.exit_code == 2 and "overwrite an input" in result.output


def test_export_qdc(tmp_path, cli):
    write_inputs(tmp_path / "run")
    result = cli("export-qdc", tmp_path / "run" / "codebook.yaml", "--out", tmp_path / "codebook.qdc")
    assert result.exit_code == 0, result.output
    assert validate_qdpx(tmp_path / "codebook.qdc", shared_path("refi", "Codebook-mrt2019.xsd")) == []


def test_import_prints_an_account_without_names_or_text(tmp_path, cli):
    sample = shared_path("refi", "samples", "skyloom_TestProject.qdpx")
    result = cli("import-qdpx", sample)
    assert result.exit_code == 0, result.output
    assert "read: 14 codes" in result.output and "skipped: 8 text sources whose file is not in the archive" \
        in result.output
    for name in ("Mabel", "Simon", "Friedrich", "Sebastian", "Research Plan"):
        assert name not in result.output


def test_import_writes_files_and_refuses_to_overwrite(tmp_path, cli):
    codings = write_inputs(tmp_path / "run")
    cli("export-qdpx", codings, "--out", tmp_path / "p.qdpx")
    result = cli("import-qdpx", tmp_path / "p.qdpx", "--out", tmp_path / "back", "--problems")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "back").iterdir()} == {"codebook.yaml", "codings.csv", "corpus.jsonl",
                                                               "cases.csv"}
    assert "qual check" in result.output
    again = cli("import-qdpx", tmp_path / "p.qdpx", "--out", tmp_path / "back")
    assert again.exit_code == 2 and "--force" in again.output
    # and the folder exports again with its defaults: codebook.yaml and corpus.jsonl beside codings.csv
    result = cli("export-qdpx", tmp_path / "back" / "codings.csv", "--out", tmp_path / "again.qdpx")
    assert result.exit_code == 0, result.output
    assert len(read_project(tmp_path / "again.qdpx").codings) == 7


def test_import_with_a_reference_codebook(tmp_path, cli):
    write_inputs(tmp_path / "run")
    sample = shared_path("refi", "samples", "qc_demo.qdpx")
    result = cli("import-qdpx", sample, "--codebook", tmp_path / "run" / "codebook.yaml")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("content", [b"not a project", b"PK\x03\x04broken"])
def test_import_of_an_unreadable_file_is_one_line(tmp_path, content, cli):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(content)
    result = cli("import-qdpx", bad)
    assert result.exit_code == 2
    assert str(bad) in result.output and "Traceback" not in result.output


def test_validate_qdpx_exit_codes(tmp_path, cli):
    codings = write_inputs(tmp_path / "run")
    cli("export-qdpx", codings, "--out", tmp_path / "p.qdpx")
    good = cli("validate-qdpx", tmp_path / "p.qdpx", "--xsd", shared_path("refi", "Project-mrt2019.xsd"))
    assert good.exit_code == 0 and "0 errors, 0 warnings" in good.output
    bad = cli("validate-qdpx", shared_path("refi", "samples", "qc_demo.qdpx"))
    assert bad.exit_code == 1 and "path-scheme" in bad.output
