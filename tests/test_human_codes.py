"""Human codes in: Word comments, spreadsheets/CSV (incl. qual code's review sheet), REFI-QDA."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from conftest import CODEBOOK, shared_path, tree_hashes
from qual.coding import CODINGS_COLUMNS
from qual.coding.codebook import load_codebook
from qual.coding.human import (
    QuoteLocator, covered_segments, read_all_codes, read_codes_file, read_human_codes, read_word_comments,
    split_labels,
)
from qual.errors import InputFileError
from qual.model import Role, Transcript, Turn

LONG_ANSWER = ("I had my own office right next to the pastoral team, which meant the kids knew where to "
               "find me and the staff would pop in all day with worries about families.")


@pytest.fixture(scope="module")
def swis():
    return load_codebook(CODEBOOK)


def interview(doc_id: str = "SW01") -> Transcript:
    return Transcript(id=doc_id, source=f"{doc_id}.docx", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "Where were you based in school?"),
        Turn(1, "SW01", Role.PARTICIPANT, LONG_ANSWER),
        Turn(2, "Interviewer", Role.INTERVIEWER, "And the statutory work?"),
        Turn(3, "SW01", Role.PARTICIPANT, "I held a few child protection cases and did the section 47 visits."),
    ])


def coded_docx(path: Path, comments: list[tuple[str, str]], author: str = "Coder One") -> Path:
    """A .docx laid out like the interview, with a comment on each (quote, label) pair."""
    import docx

    document = docx.Document()
    transcript = interview()
    for turn in transcript.turns:
        paragraph = document.add_paragraph(f"{turn.speaker}: ")
        text = turn.text
        pieces = []
        position = 0
        for quote, label in comments:
            at = text.find(quote, position)
            if at >= 0:
                pieces.append((text[position:at], None))
                pieces.append((quote, label))
                position = at + len(quote)
        pieces.append((text[position:], None))
        for piece, label in pieces:
            if not piece:
                continue
            run = paragraph.add_run(piece)
            if label is not None:
                document.add_comment(run, text=label, author=author, initials="C1")
    document.save(path)
    return path


# --------------------------------------------------------------------------- labels


def test_split_labels(swis):
    assert split_labels("IMP.SPACE; ROLE.STATUTORY\nrel.dsl") == ["IMP.SPACE", "ROLE.STATUTORY", "rel.dsl"]
    assert split_labels("a, b;c") == ["a", "b", "c"]
    # a code name that holds a comma is kept whole when the codebook knows it
    from qual.coding.codebook import Code, Codebook, Theme

    book = Codebook(name="b", themes=[Theme("T", "T")], codes=[Code("X", "Trust, stigma", "T")])
    assert split_labels("trust, stigma; other", book) == ["trust, stigma", "other"]


# --------------------------------------------------------------------------- Word comments


def test_word_comments_ranges_and_authors(tmp_path):
    path = coded_docx(tmp_path / "coded.docx", [("my own office", "IMP.SPACE")])
    comments, text = read_word_comments(path)
    assert len(comments) == 1
    comment = comments[0]
    assert comment.quote == "my own office" == text[comment.start:comment.end]
    assert comment.author == "C1" and comment.text == "IMP.SPACE"
    assert "office" not in repr(comment)  # quotes stay out of reprs and logs


def test_docx_codes_map_to_segments(tmp_path, swis):
    path = coded_docx(tmp_path / "SW01.docx", [
        ("my own office right next to the pastoral team", "imp.space; Relationships"),
        ("child protection cases", "Statutory social work"),
        ("section 47 visits", "ROLE.STATUTORY, not a code"),
    ])
    before = tree_hashes(path)
    result = read_codes_file(path, [interview()], swis, coder="anna")
    frame = result.codings
    assert list(frame.columns) == CODINGS_COLUMNS
    assert sorted(zip(frame["segment"], frame["code"])) == [("1", "IMP.SPACE"), ("3", "ROLE.STATUTORY")]
    assert set(frame["status"]) == {"accepted"} and set(frame["source"]) == {"human:anna"}
    row = frame[frame["code"] == "IMP.SPACE"].iloc[0]
    transcript = interview()
    assert transcript.text[row["start"]:row["end"]] == LONG_ANSWER
    assert row["turn"] == 1 and row["role"] == "participant"
    assert result.unmatched_labels == {"Relationships": 1, "not a code": 1}
    assert tree_hashes(path) == before


def test_docx_without_codebook_keeps_labels(tmp_path):
    path = coded_docx(tmp_path / "SW01.docx", [("my own office", "space;visibility")])
    frame = read_human_codes(path, [interview()])
    assert sorted(frame["code"]) == ["space", "visibility"]
    assert set(frame["source"]) == {"human:C1"}  # the comment author's initials


def test_docx_quote_found_despite_changed_name(tmp_path):
    """A coder's quote from the raw .docx still lands on the de-identified turn."""
    path = coded_docx(tmp_path / "SW01.docx", [(LONG_ANSWER[:120], "IMP.SPACE")])
    renamed = interview()
    renamed.turns[1].text = LONG_ANSWER.replace("pastoral team", "[Team 1] group")
    renamed.layout()
    frame = read_human_codes(path, [renamed])
    assert list(frame["segment"]) == ["1"]


def test_docx_alone_is_read_as_its_own_transcript(tmp_path):
    pytest.importorskip("qual.ingest", reason="qual.ingest is needed to read the .docx as a transcript")
    from qual import ingest as ingest_module

    if not hasattr(ingest_module, "ingest"):
        pytest.skip("qual.ingest has no ingest() yet")
    path = coded_docx(tmp_path / "SW01.docx", [("my own office", "IMP.SPACE;REL.STAFF"),
                                                ("section 47 visits", "ROLE.STATUTORY")])
    result = read_codes_file(path)
    assert result.unit == "segment"
    assert sorted(zip(result.codings["segment"], result.codings["code"])) == [
        ("1", "IMP.SPACE"), ("1", "REL.STAFF"), ("3", "ROLE.STATUTORY")]


def test_docx_that_is_no_transcript_uses_comments_as_units(tmp_path, monkeypatch):
    import qual.coding.human as human

    monkeypatch.setattr(human, "_ingest_self", lambda path: None)
    path = coded_docx(tmp_path / "SW01.docx", [("my own office", "IMP.SPACE;REL.STAFF")])
    result = read_codes_file(path)
    assert result.unit == "comment"
    assert list(result.codings["segment"]) == ["c0", "c0"]
    assert set(result.codings["text"]) == {"my own office"}
    assert set(result.codings["document"]) == {"SW01"}


def test_docx_without_comments_is_an_error(tmp_path):
    import docx

    path = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("No codes here.")
    document.save(path)
    with pytest.raises(InputFileError, match="no Word comments"):
        read_human_codes(path)


def test_corrupt_docx_is_an_error(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match="broken.docx"):
        read_human_codes(path)


def test_unlocated_quote_is_counted(tmp_path):
    path = coded_docx(tmp_path / "SW01.docx", [("my own office", "IMP.SPACE")])
    other = Transcript(id="X", source="X.txt", turns=[Turn(0, "P", Role.PARTICIPANT, "Something else entirely.")])
    result = read_codes_file(path, [other])
    assert result.unlocated_quotes == 1 and result.codings.empty


def test_bopp_word_comments_against_the_texts():
    folder = shared_path("coded", "llmcode_games_as_art")
    import pandas as pd

    texts = pd.read_csv(folder / "bopp_test_coded_texts.csv")
    transcripts = [Transcript(id=f"text{i}", source="", turns=[Turn(0, "R", Role.PARTICIPANT, t)])
                   for i, t in enumerate(texts["text"])]
    comments, _ = read_word_comments(folder / "bopp_test_input.docx")
    # The .docx is a second, coarser coding of the same 90 texts: 199 commented ranges,
    # where the CSV marks 325 spans inline.
    spans_in_csv = sum(len(re.findall(r"\*\*(.+?)\*\*<sup>", t, flags=re.S)) for t in texts["coded_text"])
    assert spans_in_csv == 325
    assert len(comments) == 199
    result = read_codes_file(folder / "bopp_test_input.docx", transcripts)
    assert result.unlocated_quotes == 0  # every comment's range is found in its text
    assert result.codings["document"].nunique() == 90
    applications = sum(len(split_labels(c.text)) for c in comments)
    assert applications == 457
    # one row per (segment, code): a code commented twice on one segment counts once
    keys = result.codings[["document", "segment", "code"]]
    assert len(keys) == len(keys.drop_duplicates())
    assert len(result.codings) <= applications
    book = load_codebook(folder / "bopp_test_code_descriptions.csv")
    known = read_codes_file(folder / "bopp_test_input.docx", transcripts, book)
    assert set(known.codings["code"]) <= set(book.code_ids)
    assert sum(known.unmatched_labels.values()) > 0


# --------------------------------------------------------------------------- locating


def test_quote_locator_prefers_the_nearest_repeat():
    text_turns = [Turn(i, "P", Role.PARTICIPANT, "yes I agree with that point") for i in range(5)]
    transcript = Transcript(id="D", source="", turns=text_turns)
    locator = QuoteLocator([transcript])
    _, start_first, _ = locator.find("I agree", near=0.0)
    _, start_last, _ = locator.find("I AGREE", near=1.0)
    assert start_first < transcript.turns[1].start and start_last > transcript.turns[3].start


def test_covered_segments_ignores_a_stray_word():
    segments = [{"start": 0, "end": 300}, {"start": 310, "end": 600}]
    assert covered_segments(segments, 100, 315) == [segments[0]]
    assert covered_segments(segments, 100, 500) == segments
    assert covered_segments(segments, 400, 410) == [segments[1]]


# --------------------------------------------------------------------------- tables


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_table_with_document_and_segment(tmp_path, swis):
    path = write_csv(tmp_path / "codes.csv", ["Document", "Segment", "Code"], [
        ["SW01", "1", "IMP.SPACE; rel.staff"],
        ["SW01", "3", "Statutory social work"],
        ["SW01", "3", "made-up"],
    ])
    result = read_codes_file(path, [interview()], swis)
    frame = result.codings
    assert sorted(zip(frame["segment"], frame["code"])) == [
        ("1", "IMP.SPACE"), ("1", "REL.STAFF"), ("3", "ROLE.STATUTORY")]
    assert frame["text"].str.len().min() > 0  # filled from the transcript
    assert result.unmatched_labels == {"made-up": 1}
    assert set(frame["source"]) == {"human:codes"}


def test_table_with_turns_and_quotes(tmp_path):
    path = write_csv(tmp_path / "codes.csv", ["interview", "turn", "quote", "codes", "coder"], [
        ["SW01", "3", "", "STAT", "bo"],
        ["SW01", "", "pop in all day", "CONSULT", "bo"],
    ])
    frame = read_human_codes(path, [interview()])
    assert sorted(zip(frame["segment"], frame["code"])) == [("1", "CONSULT"), ("3", "STAT")]
    assert set(frame["source"]) == {"human:bo"}


def test_table_row_without_a_unit_is_an_error(tmp_path):
    path = write_csv(tmp_path / "codes.csv", ["document", "code"], [["SW01", "X"]])
    with pytest.raises(InputFileError, match="row 2 says neither"):
        read_human_codes(path, [interview(), interview("SW02")])


def test_table_without_code_column_is_an_error(tmp_path):
    path = write_csv(tmp_path / "codes.csv", ["document", "segment"], [["SW01", "1"]])
    with pytest.raises(InputFileError, match="no column of codes"):
        read_human_codes(path)


def test_review_sheet_accept_column(tmp_path):
    """The codings.xlsx 'qual code' writes for review: only accepted rows are human codes."""
    from openpyxl import Workbook

    path = tmp_path / "codings.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["document", "segment", "speaker", "text", "code", "code name", "score", "source", "accept"])
    sheet.append(["SW01", "1", "SW01", "...", "IMP.SPACE", "Space", 0.9, "rules+semantic", "yes"])
    sheet.append(["SW01", "1", "SW01", "...", "REL.STAFF", "Staff", 0.5, "semantic", "no"])
    sheet.append(["SW01", "3", "SW01", "...", "ROLE.STATUTORY", "Stat", 0.8, "rules", None])
    workbook.save(path)
    human = read_human_codes(path, [interview()], coder="anna")
    assert list(zip(human["segment"], human["code"], human["status"], human["source"])) == [
        ("1", "IMP.SPACE", "accepted", "human:anna")]
    everything = read_all_codes(path, [interview()])
    assert sorted(zip(everything["code"], everything["status"], everything["source"])) == [
        ("IMP.SPACE", "accepted", "rules+semantic"), ("REL.STAFF", "rejected", "semantic"),
        ("ROLE.STATUTORY", "suggested", "rules")]


def test_codings_csv_statuses(tmp_path):
    rows = [
        ["SW01", "1", "SW01", "t", "IMP.SPACE", 0.9, "rules+semantic", "suggested"],
        ["SW01", "1", "SW01", "t", "REL.STAFF", 1.0, "human:anna", "accepted"],
        ["SW01", "3", "SW01", "t", "ROLE.STATUTORY", 0.7, "semantic", "rejected"],
    ]
    path = write_csv(tmp_path / "codings.csv", CODINGS_COLUMNS[:8], rows)
    human = read_human_codes(path)
    assert list(zip(human["code"], human["source"])) == [("REL.STAFF", "human:anna")]
    everything = read_all_codes(path)
    assert list(everything["status"]) == ["suggested", "accepted", "rejected"]
    assert list(everything["source"]) == ["rules+semantic", "human:anna", "semantic"]


def test_cp1252_csv(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes("segment,code,document\n1,caf\xe9 talk,SW01\n".encode("cp1252"))
    frame = read_human_codes(path)
    assert list(frame["code"]) == ["caf\xe9 talk"]


def test_unknown_format(tmp_path):
    path = tmp_path / "codes.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match="unknown format"):
        read_human_codes(path)


# --------------------------------------------------------------------------- REFI-QDA


def test_qdpx_codes_come_back(tmp_path, swis):
    refi = pytest.importorskip("qual.refi")
    if not (hasattr(refi, "export_qdpx") and hasattr(refi, "read_project")):
        pytest.skip("qual.refi cannot write and read projects yet")
    import pandas as pd

    transcript = interview()
    turn = transcript.turns[1]
    codings = pd.DataFrame([{
        "document": "SW01", "segment": "1", "speaker": "SW01", "text": turn.text, "code": "IMP.SPACE",
        "score": 1.0, "source": "human:anna", "status": "accepted", "turn": 1, "timestamp": None,
        "role": "participant", "start": turn.start, "end": turn.end,
    }], columns=CODINGS_COLUMNS)
    path = tmp_path / "project.qdpx"
    refi.export_qdpx(codings, [transcript], swis, path)
    frame = read_human_codes(path, [transcript], swis)
    assert list(zip(frame["document"], frame["segment"], frame["code"])) == [("SW01", "1", "IMP.SPACE")]
    assert set(frame["status"]) == {"accepted"}


def test_review_sheet_written_by_qual_code(tmp_path, swis):
    from openpyxl import load_workbook

    from qual.model.codings import Codings

    transcript = interview()
    rows = []
    for segment, code, status in (("1", "IMP.SPACE", "suggested"), ("3", "ROLE.STATUTORY", "suggested"),
                                  ("3", "REL.CSC", "suggested")):
        turn = transcript.turns[int(segment)]
        rows.append({"document": "SW01", "segment": segment, "speaker": turn.speaker, "text": turn.text,
                     "code": code, "score": 0.8, "source": "rules", "status": status, "turn": turn.index,
                     "timestamp": None, "role": "participant", "start": turn.start, "end": turn.end})
    path = Codings.from_records(rows).write(tmp_path / "codings.xlsx", codebook=swis)
    workbook = load_workbook(path)
    sheet = workbook["codings"] if "codings" in workbook.sheetnames else workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    accept = header.index("accept") + 1
    sheet.cell(row=2, column=accept, value="yes")
    sheet.cell(row=3, column=accept, value="no")
    workbook.save(path)
    human = read_human_codes(path, [transcript], swis, coder="rev")
    assert list(zip(human["segment"], human["code"], human["source"])) == [("1", "IMP.SPACE", "human:rev")]
    everything = read_all_codes(path, [transcript], swis)
    assert sorted(zip(everything["code"], everything["status"])) == [
        ("IMP.SPACE", "accepted"), ("REL.CSC", "suggested"), ("ROLE.STATUTORY", "rejected")]
    assert "nan" not in set(everything["speaker"].astype(str))
