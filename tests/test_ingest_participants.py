"""The participants sheet: reading .csv/.xlsx and attaching case attributes."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from qual.errors import InputFileError
from qual.ingest import ingest, read_participants
from qual.ingest.participants import ParticipantSheet, participant_id_from_name
from qual.model import Role

CSV = (
    "Participant ID,File name,Role,LA,Arm,Interview date,Interviewer,Name\n"
    "SW01,SWIS_SW01_interview.docx,SW,Stockport,intervention,2021-11-18,Hannah Price,Gemma Hartley\n"
    "TM01,,TM,Stockport,intervention,2021-12-02,Hannah Price,\n"
)


def test_csv_headers_are_normalised(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_text(CSV, encoding="utf-8")
    table = read_participants(path)
    assert list(table.columns) == ["participant_id", "file", "role", "local_authority", "trial_arm",
                                   "interview_date", "interviewer", "name"]
    assert table.loc[0, "local_authority"] == "Stockport"
    assert table.loc[1, "file"] is None and table.loc[1, "name"] is None


def test_semicolon_csv_in_cp1252(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("PID;Local authority;Trial arm\nTM03;Southend-on-Sea;control\nSW09;Brent;intervention\n"
                     .replace("Southend", "Southénd").encode("cp1252"))
    table = read_participants(path)
    assert table.to_dict("records")[0] == {"participant_id": "TM03", "local_authority": "Southénd-on-Sea",
                                            "trial_arm": "control"}


def test_xlsx_with_a_title_row_dates_and_numbers(tmp_path):
    path = tmp_path / "participants.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SWIS IPE participants (confidential)"])
    sheet.append(["Participant", "Transcript", "Years in post", "Date of interview"])
    sheet.append(["SW02", "SW02.docx", 3.0, dt.datetime(2021, 11, 25)])
    sheet.append([None, None, None, None])
    sheet.append([7, "seven.docx", 1.5, dt.date(2022, 1, 3)])
    book.save(path)
    records = read_participants(path).to_dict("records")
    assert records == [
        {"participant_id": "SW02", "file": "SW02.docx", "years_in_post": "3", "interview_date": "2021-11-25"},
        {"participant_id": "7", "file": "seven.docx", "years_in_post": "1.5", "interview_date": "2022-01-03"},
    ]


def test_a_sheet_without_id_or_file_column_is_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Role,Arm\nSW,control\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="neither a participant id nor a file name column"):
        read_participants(path)


def test_a_corrupt_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(InputFileError, match=r"p\.xlsx"):
        read_participants(path)


def test_matching_by_file_name_stem_and_id_in_name(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Participant ID,File\nSW01,interviews/SWIS_SW01_interview.docx\nP1,\nP10,\nTM01,\n",
                    encoding="utf-8")
    sheet = ParticipantSheet.read(path)
    assert sheet.match("x/SWIS_SW01_interview.docx")["participant_id"] == "SW01"
    assert sheet.match("SWIS_SW01_interview.txt")["participant_id"] == "SW01"
    assert sheet.match("P10_final.docx")["participant_id"] == "P10"
    assert sheet.match("p1 transcript.docx")["participant_id"] == "P1"
    assert sheet.match("TM01.vtt")["participant_id"] == "TM01"
    assert sheet.match("P2.docx") is None
    assert [row["participant_id"] for row in sheet.unused()] == []


def test_participant_id_from_file_name():
    assert participant_id_from_name("SWIS_SW01_interview.docx") == "SW01"
    assert participant_id_from_name("Interview 01.docx") == "Interview 01"
    assert participant_id_from_name("P03_transcript_v2.docx") == "P03"
    assert participant_id_from_name("P03_P04_joint.docx") == "P03_P04_joint"


def test_ingest_attaches_attributes_and_uses_the_interviewer_name(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "SWIS_SW01_interview.txt").write_text(
        "PRICE: How long have you been in post?\nHARTLEY: Two years.\nPRICE: Good.\nHARTLEY: Yes?\n",
        encoding="utf-8")
    (folder / "extra.txt").write_text("I: a?\nR: b.\n", encoding="utf-8")
    sheet = folder / "participants.csv"  # inside the input folder: never read as a transcript
    sheet.write_text(CSV, encoding="utf-8")
    result = ingest([folder], participants=sheet)
    assert not result.failures
    by_id = {t.id: t for t in result.transcripts}
    assert set(by_id) == {"SW01", "extra"}
    sw01 = by_id["SW01"]
    assert sw01.attributes == {"participant_id": "SW01", "role": "SW", "local_authority": "Stockport",
                               "trial_arm": "intervention", "interview_date": "2021-11-18",
                               "interviewer": "Hannah Price", "name": "Gemma Hartley"}
    # 'Hannah Price' names the PRICE label, although HARTLEY asks more questions
    assert {t.speaker: t.role for t in sw01.turns} == {"PRICE": Role.INTERVIEWER, "HARTLEY": Role.PARTICIPANT}
    assert sw01.metadata["roles_by"] == "option"
    assert result.unmatched == [str(folder / "extra.txt")]
    assert [row["participant_id"] for row in result.unused_rows] == ["TM01"]


def test_ingest_accepts_the_sheet_as_a_dataframe(tmp_path):
    sheet = tmp_path / "p.csv"
    sheet.write_text("ID,Arm\nSW04,control\n", encoding="utf-8")
    (tmp_path / "SW04 final.txt").write_text("I: a?\nR: b.\n", encoding="utf-8")
    result = ingest([tmp_path / "SW04 final.txt"], participants=read_participants(sheet))
    assert result.transcripts[0].attributes == {"participant_id": "SW04", "trial_arm": "control"}
