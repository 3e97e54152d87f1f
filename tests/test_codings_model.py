"""The codings table (``qual.model.codings``): one schema, one reader and one writer for
codings.csv and the codings.xlsx review sheet, the same types whoever reads them."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from qual.errors import InputFileError, QualError
from qual.model import CODINGS_COLUMNS, SCHEMA, Codings
from qual.model.codings import ACCEPT_COLUMN, QUOTED, resolve_status

QUOTE = "=SUM(A1) he said, and  two spaces stay"


def rows() -> list[dict]:
    return [
        {"document": "SW01", "segment": "3", "speaker": "SW01", "text": QUOTE, "code": "IMP.SPACE",
         "score": 0.523, "source": "rules+semantic", "status": "suggested", "turn": 3, "timestamp": None,
         "role": "participant", "start": 120, "end": 160},
        {"document": "SW01", "segment": "5.1", "speaker": "SW01", "text": "Second.", "code": "REL.DSL",
         "score": 1.0, "source": "human", "status": "accepted", "turn": 5, "timestamp": "00:03:15",
         "role": "participant", "start": 300, "end": 307},
        {"document": "TM01", "segment": "2", "speaker": "TM01", "text": "Third.", "code": "IMP.SETUP",
         "score": 0.41, "source": "semantic", "status": "rejected", "turn": 2, "timestamp": None,
         "role": "participant", "start": 40, "end": 46},
    ]


def test_the_schema_is_the_codings_csv_header():
    # codings.csv keeps its columns, in this order: other stages and peers read it by name
    assert CODINGS_COLUMNS == ["document", "segment", "speaker", "text", "code", "score", "source", "status",
                               "turn", "timestamp", "role", "start", "end", "rank", "selected", "coder"]
    assert [c.name for c in SCHEMA] == CODINGS_COLUMNS
    assert all(c.kind in {"label", "text", "number", "integer", "boolean", "status"} and c.description for c in SCHEMA)


def test_types_and_blanks_are_the_same_whatever_the_input():
    frame = pd.DataFrame([
        {"Document ": " SW01 ", "segment": 12.0, "code": "IMP.SPACE", "text": "  as written ", "status": "",
         "score": "0.5", "turn": None, "start": "7", "end": 9.0},
        {"Document ": "SW01", "segment": "4.2", "code": "X", "text": None, "status": "Accepted", "score": None,
         "turn": "", "start": None, "end": "oops"},
        {"Document ": "", "segment": "1", "code": "X", "text": "no document: dropped"},
        {"Document ": "SW02", "segment": "1", "code": " ", "text": "no code: dropped"},
    ])
    codings = Codings(frame)
    got = codings.frame
    assert list(got.columns[:len(CODINGS_COLUMNS)]) == CODINGS_COLUMNS and len(got) == 2
    assert got["document"].tolist() == ["SW01", "SW01"]
    assert got["segment"].tolist() == ["12", "4.2"]  # a spreadsheet's 12.0 is the segment "12"
    assert got["text"].tolist() == ["  as written ", ""]  # quotes stay exactly as written
    assert got["status"].tolist() == ["suggested", "accepted"]
    assert got["score"].dtype == float and got["score"].iloc[0] == 0.5 and math.isnan(got["score"].iloc[1])
    assert str(got["turn"].dtype) == "Int64" and got["turn"].tolist() == [12, 4]  # from the segment id
    assert got["start"].iloc[0] == 7 and pd.isna(got["start"].iloc[1])
    assert got["end"].iloc[0] == 9 and pd.isna(got["end"].iloc[1])
    assert got["speaker"].tolist() == ["", ""] and got["timestamp"].tolist() == ["", ""]


def test_csv_written_and_read_back_is_byte_identical(tmp_path):
    first = Codings.from_records(rows()).write(tmp_path / "codings.csv")
    header = first.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(CODINGS_COLUMNS)
    second = Codings.read(first).write(tmp_path / "again.csv")
    assert first.read_bytes() == second.read_bytes()
    assert "3,,participant,120,160" in first.read_text(encoding="utf-8")  # integers stay integers


def test_extra_columns_are_kept_after_the_schema_and_not_written_to_csv(tmp_path):
    records = [{**row, "reviewer note": "fine"} for row in rows()]
    codings = Codings.from_records(records)
    assert list(codings.frame.columns) == [*CODINGS_COLUMNS, "reviewer note"]
    text = codings.write(tmp_path / "codings.csv").read_text(encoding="utf-8")
    assert "reviewer note" not in text


def test_missing_columns_are_named_in_one_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("document,code\nSW01,X\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"bad.csv: has no column segment;"):
        Codings.read(path)
    path.write_text("document,segment,code\nSW01,1,X\n", encoding="utf-8")
    assert len(Codings.read(path)) == 1
    with pytest.raises(InputFileError, match="has no column text"):
        Codings.read(path, required=QUOTED)


def test_unreadable_and_absent_files_are_one_line_errors(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        Codings.read(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81 not text")
    with pytest.raises(InputFileError) as caught:
        Codings.read(binary)
    assert "\n" not in str(caught.value)
    other = tmp_path / "codings.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match="not a codings file"):
        Codings.read(other)


def test_the_review_sheet_round_trip_carries_the_decisions(tmp_path):
    from qual.model.codebook import Code, Codebook, Theme

    book = Codebook("b", [Theme("IMP", "Implementation"), Theme("REL", "Relationships")],
                    [Code("IMP.SPACE", "Space", "IMP"), Code("REL.DSL", "DSL", "REL"),
                     Code("IMP.SETUP", "Set-up", "IMP")])
    path = Codings.from_records(rows()).write(tmp_path / "codings.xlsx", codebook=book)
    workbook = load_workbook(path)
    sheet = workbook["codings"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["document", "segment", "speaker", "text", "code", "code name"]
    assert sheet.cell(row=2, column=header.index("code name") + 1).value == "Space"
    assert sheet.cell(row=2, column=header.index("text") + 1).data_type == "s"  # a formula stays text
    accept = header.index(ACCEPT_COLUMN) + 1
    assert [sheet.cell(row=r, column=accept).value for r in (2, 3, 4)] == [None, "yes", "no"]
    sheet.cell(row=2, column=accept, value="Yes")
    sheet.cell(row=3, column=accept, value="maybe")  # neither yes nor no: the status stays
    sheet.cell(row=4, column=accept, value=None)  # blank: the status stays
    workbook.save(path)
    back = Codings.read(path).frame
    assert back["status"].tolist() == ["accepted", "accepted", "rejected"]
    assert back["text"].iloc[0] == QUOTE and back["segment"].tolist() == ["3", "5.1", "2"]
    assert back["turn"].tolist() == [3, 5, 2] and back["start"].tolist() == [120, 300, 40]
    expected = Codings(Codings.from_records(rows()).frame.assign(status=["accepted", "accepted", "rejected"])).frame
    pd.testing.assert_frame_equal(back[CODINGS_COLUMNS], expected)


def test_the_former_readers_now_agree(tmp_path):
    from qual.coding.human import read_all_codes
    from qual.coding.review import read_review

    path = Codings.from_records(rows()).write(tmp_path / "codings.csv")
    typed = Codings.read(path).frame
    pd.testing.assert_frame_equal(read_review(path), typed)
    everything = read_all_codes(path)
    assert everything["segment"].tolist() == typed["segment"].tolist()
    assert everything["status"].tolist() == typed["status"].tolist()
    assert [str(t) for t in everything["turn"]] == ["3", "5", "2"]


def test_statuses_a_matrix_or_export_uses():
    codings = Codings.from_records(rows())
    used, effective, note = codings.select("auto")
    assert effective == "accepted" and used.frame["code"].tolist() == ["REL.DSL"] and "1 unreviewed" in note
    used, effective, _ = codings.select("all")
    assert effective == "all" and used.frame["status"].tolist() == ["suggested", "accepted"]
    none_accepted = Codings(codings.frame[codings.frame["status"] != "accepted"])
    assert none_accepted.select("auto")[1] == "all"
    assert "none has been accepted" in resolve_status(none_accepted, "accepted")[1]
    with pytest.raises(QualError, match="--status must be one of"):
        codings.select("some")
    assert codings.status_counts() == {"suggested": 1, "candidate": 0, "accepted": 1, "rejected": 1}


def test_spans_and_records_are_plain_values():
    codings = Codings.from_records(rows())
    spans = list(codings.spans())
    assert spans[0].document == "SW01" and (spans[0].start, spans[0].end) == (120, 160)
    # the source that applied it, and the person: an unnamed human ('human') names nobody
    assert spans[1].source == "human" and spans[1].coder == "" and spans[1].turn == 5 and isinstance(spans[1].turn, int)
    records = codings.records()
    assert records[0]["timestamp"] is None and records[0]["turn"] == 3 and type(records[0]["start"]) is int
    blank = Codings.from_records([{"document": "D", "segment": "c1", "code": "X", "text": "t"}])
    span = next(blank.spans())
    assert span.start is None and span.end is None and span.turn is None and span.score is None


def test_repr_counts_rows_and_never_quotes_them():
    shown = repr(Codings.from_records(rows()))
    assert shown == "Codings(3 rows: 1 suggested, 1 accepted, 1 rejected)"
    assert "SUM" not in shown and repr(Codings()) == "Codings(0 rows)"


def test_the_coder_is_the_named_person_behind_a_coding(tmp_path):
    from qual.model.codings import SUGGESTIONS_USER, coder_of

    assert coder_of("anna", "rules+semantic") == "anna"           # the coder column first
    assert coder_of("", "human:ben") == "ben" and coder_of(None, "refi:Cara") == "Cara"
    assert coder_of("", "rules+semantic") == "" and coder_of("", "human") == ""
    assert coder_of("", "refi:" + SUGGESTIONS_USER) == ""           # qual's suggestions name nobody
    codings = Codings.from_records([{**rows()[0], "coder": "anna"}, {**rows()[1], "source": "human:ben"},
                                    rows()[2]])
    assert codings.coders() == ["anna", "ben"]
    assert [s.coder for s in codings.spans()] == ["anna", "ben", ""]
    assert Codings.read(codings.write(tmp_path / "c.csv")).frame["coder"].tolist() == ["anna", "", ""]


def test_the_review_sheet_sizes_its_rows_and_cuts_only_what_no_row_can_hold(tmp_path):
    from qual.model.codings_xlsx import CUT_NOTE
    from qual.text import cell_lines, lines_that_fit

    short, medium, huge = "Fine.", "We met the DSL every week and it helped. " * 12, "word " * 3000
    codings = Codings.from_records([{**rows()[0], "text": text, "segment": str(i)}
                                    for i, text in enumerate((short, medium, huge))])
    path = codings.write(tmp_path / "codings.xlsx", next_step="qual code --accept x --out y")
    sheet = load_workbook(path)["codings"]
    header = [c.value for c in sheet[1]]
    assert "coder" in header and header.index("coder") == header.index("accept") + 1
    heights = [sheet.row_dimensions[r].height for r in (2, 3, 4)]
    assert heights[0] == 15 and 15 < heights[1] < heights[2] and 300 < heights[2] <= 409  # as tall as the text needs
    text = header.index("text") + 1
    assert sheet.cell(row=3, column=text).value == medium                  # whole when it fits
    cut = sheet.cell(row=4, column=text).value
    assert cut.endswith(CUT_NOTE) and cell_lines(cut, 80) <= lines_that_fit()
    assert sheet.cell(row=3, column=text).alignment.wrap_text
    assert {sheet.cell(row=3, column=c).alignment.vertical for c in range(1, len(header) + 1)
            if sheet.cell(row=3, column=c).value is not None} == {"top"}
    assert sheet.page_setup.fitToWidth == 1 and sheet.print_title_rows == "$1:$1"   # prints the sheet's width
    how = [r[0] for r in load_workbook(path)["how to review"].iter_rows(values_only=True)]
    assert how[-1] == "Next: qual code --accept x --out y"
    # read back: the decisions and the coder, whatever the row's height
    back = Codings.read(path).frame
    assert back["segment"].tolist() == ["0", "1", "2"]


def test_the_review_sheet_lists_segments_without_a_suggestion_and_a_code_can_be_added(tmp_path):
    from qual.coding.review import apply_review, uncoded_segments

    segments = pd.DataFrame([
        {"document": "D1", "segment": str(i), "speaker": "R", "text": f"answer {i}", "turn": i, "timestamp": None,
         "role": "participant", "start": 20 * i, "end": 20 * i + 8, "codable": True, "question": ""}
        for i in range(3)])
    codings = Codings.from_records([{**rows()[0], "document": "D1", "segment": "0", "turn": 0, "start": 0, "end": 8,
                                     "text": "answer 0"}])
    extra = uncoded_segments(segments, codings.frame)
    assert [r["segment"] for r in extra] == ["1", "2"] and all(r["code"] == "" for r in extra)
    out = tmp_path / "coded"
    out.mkdir()
    codings.write(out / "codings.csv")
    path = codings.write(out / "codings.xlsx", uncoded=extra)
    book = load_workbook(path)
    sheet = book["codings"]
    header = [c.value for c in sheet[1]]
    assert sheet.max_row == 1 + 1 + 2                                       # every segment has a row
    listed = {sheet.cell(row=r, column=header.index("segment") + 1).value: r for r in range(2, 5)}
    row = listed["2"]
    sheet.cell(row=row, column=header.index("code") + 1).value = "REL.DSL"  # a code for a segment with none
    sheet.cell(row=row, column=header.index("accept") + 1).value = "yes"
    sheet.cell(row=row, column=header.index("coder") + 1).value = "Anna"
    book.save(tmp_path / "reviewed.xlsx")
    frame, counts = apply_review(tmp_path / "reviewed.xlsx", out, coder="Someone else")
    assert counts["added"] == 1 and counts["unmatched"] == 0
    added = frame[frame["code"] == "REL.DSL"].iloc[0]
    assert (added["document"], added["segment"], added["status"], added["coder"], added["text"]) == \
        ("D1", "2", "accepted", "Anna", "answer 2")
    assert (int(added["start"]), int(added["end"])) == (40, 48)
