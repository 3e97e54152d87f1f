"""Batches: finding inputs, failures that do not stop the batch, corpus input, outputs."""

from __future__ import annotations

import csv
import os
import stat

import docx

from conftest import tree_hashes
from qual.corpus import read_corpus, write_corpus
from qual.ingest import find_inputs, ingest, write_ingest
from qual.model import Role


def good_docx(path, *lines):
    document = docx.Document()
    for line in lines or ("Interviewer: How is it going?", "Respondent: Fine, thanks.",
                          "Interviewer: And the schools?", "Respondent: Busy."):
        document.add_paragraph(line)
    document.save(path)
    return path


def test_find_inputs_skips_hidden_lock_and_other_files(tmp_path):
    root = tmp_path / "project"
    (root / "site A").mkdir(parents=True)
    (root / ".git").mkdir()
    good_docx(root / "site A" / "P1.docx")
    good_docx(root / "P10.docx")
    good_docx(root / "P2.docx")
    (root / "~$P2.docx").write_bytes(b"lock")
    (root / ".hidden.txt").write_text("I: a\n")
    (root / ".git" / "x.txt").write_text("I: a\n")
    (root / "participants.xlsx").write_bytes(b"x")
    (root / "photo.jpg").write_bytes(b"x")
    (root / "old.doc").write_bytes(b"x")
    (root / "out").mkdir()
    (root / "out" / "P3.txt").write_text("I: a\n")
    files, skipped = find_inputs([root], exclude=[root / "out"])
    names = [str(p.relative_to(root)) for p in files]
    assert names == ["old.doc", "P2.docx", "P10.docx", "site A/P1.docx"]
    assert any(s.endswith("participants.xlsx") for s in skipped)
    # a file named explicitly is always read, whatever its suffix
    assert find_inputs([root / "photo.jpg"])[0] == [root / "photo.jpg"]


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    good_docx(tmp_path / "SW01.docx")
    (tmp_path / "SW02.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (tmp_path / "SW03.txt").write_text("I: a?\nR: b.\nI: c?\nR: d.\n", encoding="utf-8")
    before = tree_hashes(tmp_path)
    result = ingest([tmp_path])
    assert [t.id for t in result.transcripts] == ["SW01", "SW03"]
    [failure] = result.failures
    assert failure.path == str(tmp_path / "SW02.docx")
    assert str(failure).startswith(f"{tmp_path / 'SW02.docx'}: is a legacy Office 97-2003 file")
    summary = result.summary
    assert list(summary.columns)[:8] == ["file", "id", "format", "turns", "speakers", "words", "status", "error"]
    assert list(summary["status"]) == ["ok", "failed", "ok"]
    assert summary.loc[0, "turns"] == 4 and summary.loc[0, "speakers"] == 2 and summary.loc[0, "words"] == 10
    assert tree_hashes(tmp_path) == before


def test_a_missing_path_is_a_failure_not_a_crash(tmp_path):
    result = ingest([tmp_path / "nope.docx"])
    assert result.transcripts == []
    assert "does not exist" in str(result.failures[0])


def test_duplicate_ids_are_made_unique(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good_docx(tmp_path / "a" / "SW01.docx")
    good_docx(tmp_path / "b" / "SW01.docx")
    result = ingest([tmp_path])
    assert [t.id for t in result.transcripts] == ["SW01", "SW01-2"]


def test_write_ingest_outputs_round_trip(tmp_path):
    good_docx(tmp_path / "SW01.docx")
    result = ingest([tmp_path / "SW01.docx"])
    out = tmp_path / "out"
    written = write_ingest(result, out)
    assert set(written) == {"corpus", "summary", "turns"}
    for path in written.values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # the raw corpus is identifiable
    [transcript] = read_corpus(written["corpus"])
    assert transcript.to_dict() == result.transcripts[0].to_dict()
    with open(written["turns"], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["speaker"] for r in rows] == ["Interviewer", "Respondent", "Interviewer", "Respondent"]
    assert rows[1]["text"] == "Fine, thanks." and rows[1]["role"] == "participant"
    with open(written["summary"], encoding="utf-8-sig", newline="") as handle:
        [summary] = list(csv.DictReader(handle))
    assert (summary["id"], summary["turns"], summary["status"]) == ("SW01", "4", "ok")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_an_ingested_corpus_is_accepted_as_input(tmp_path):
    good_docx(tmp_path / "SW01.docx")
    first = ingest([tmp_path / "SW01.docx"])
    corpus = write_corpus(first.transcripts, tmp_path / "out" / "corpus.jsonl")
    again = ingest([corpus])
    assert [t.to_dict() for t in again.transcripts] == [t.to_dict() for t in first.transcripts]
    assert again.summary.loc[0, "status"] == "ok"
    assert again.transcripts[0].turns[0].role is Role.INTERVIEWER


def test_a_broken_corpus_line_fails_that_file(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "x", "turns": [{"speaker": "I"}]}\n', encoding="utf-8")
    result = ingest([corpus])
    assert "line 1 is not a qual transcript record" in str(result.failures[0])


def test_the_case_role_is_kept_beside_the_turn_role(tmp_path):
    (tmp_path / "SW01.txt").write_text("I: a?\nR: b.\n", encoding="utf-8")
    sheet = tmp_path / "p.csv"
    sheet.write_text("Participant ID,Role\nSW01,SW\n", encoding="utf-8")
    result = ingest([tmp_path / "SW01.txt"], participants=sheet)
    turns = result.turns()
    assert list(turns["role"]) == ["interviewer", "participant"]
    assert list(turns["case_role"]) == ["SW", "SW"]
    written = write_ingest(result, tmp_path / "out")
    with open(written["turns"], encoding="utf-8-sig", newline="") as handle:
        assert [row["case_role"] for row in csv.DictReader(handle)] == ["SW", "SW"]
