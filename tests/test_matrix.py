"""Framework matrices: shape, references, statuses, safe attributes, the workbook, the Excel
cell limit, summaries that survive regeneration, overview sheets, and `qual matrix`."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import tree_hashes

from qual.coding import CODINGS_COLUMNS
from qual.text import cell_lines, lines_that_fit
from qual.coding.codebook import Code, Codebook, Theme
from qual.errors import InputFileError, QualError
from qual.export import build_matrix, fit_quotes, read_summaries, reference, write_matrix_workbook
from qual.export.matrix import EXCEL_CELL_LIMIT
from qual.export.summaries import ORPHAN_SHEET
from qual.model import Role, Transcript, Turn

# --------------------------------------------------------------------------- test data


def sample_codebook() -> Codebook:
    return Codebook(
        name="SWIS test framework", version="0.9",
        themes=[Theme("IMP", "Implementation and set-up", "How SWIS was set up.", "#1F77B4"),
                Theme("REL", "Relationships and joint working", colour="#2CA02C")],
        codes=[
            Code("IMP.SETUP", "Set-up and induction", "IMP", "Recruiting and induction of SWIS social workers.",
                 include="first weeks in school", exclude="later delivery (ROLE.*)", keywords=["induction"]),
            Code("IMP.SPACE", "Space and visibility in school", "IMP", "Having or lacking an office."),
            Code("REL.DSL", "With designated safeguarding leads", "REL", "Working with the DSL."),
            Code("REL.FAMILIES", "With parents and families", "REL", "Engagement with families."),
        ],
    )


QUOTES = {
    "setup_sw01": "When I first started it took a good few weeks before the school really knew what I was for, "
                  "the induction was mostly me walking the corridors.",
    "space_sw01": "I had a little office next to the pastoral team, which made a massive difference.",
    "dsl_sw01": "The DSL and I would meet every Monday morning and go through the list together.",
    "setup_tm01": "We recruited three social workers in the summer and had them in schools by September.",
    "dsl_tm01": "The DSLs told me the social workers were the best thing that had happened all year.",
    "families_sw02": "Parents were wary at first, there's a stigma about social workers, but that changed.",
    "space_sw02": "I was hot-desking in the library for the first term, nobody knew where to find me.",
    "formula_sw02": "=SUM(A1:A3) is what the head wrote on the board, funnily enough",
}


def sample_transcripts() -> list[Transcript]:
    def transcript(case: str, role: str, la: str, n_turns: int = 8) -> Transcript:
        turns = []
        for i in range(n_turns):
            interviewer = i % 2 == 0
            turns.append(Turn(i, "Interviewer" if interviewer else "Respondent",
                              Role.INTERVIEWER if interviewer else Role.PARTICIPANT,
                              "Can you tell me more?" if interviewer else f"Answer {i} of {case}.",
                              timestamp=f"00:0{i}:00" if case == "SW02" else None))
        return Transcript(id=case, source=f"{case}.docx", turns=turns,
                          attributes={"role": role, "local_authority": la, "trial_arm": "intervention",
                                      "name": "[Person 1]", "school": "[School A]"})

    return [transcript("SW01", "SW", "[Local authority 1]"), transcript("TM01", "Team manager", "[Local authority 1]"),
            transcript("SW02", "social worker", "[Local authority 2]"), transcript("SW03", "SW", "[Local authority 2]")]


def coding_row(document, segment, code, text, score=0.8, status="suggested", timestamp="", source="rules"):
    turn = int(str(segment).split(".")[0])
    return {"document": document, "segment": str(segment), "speaker": "Respondent", "text": text, "code": code,
            "score": score, "source": source, "status": status, "turn": turn, "timestamp": timestamp,
            "role": "participant", "start": 10 * turn, "end": 10 * turn + len(text)}


def sample_codings(status: str = "suggested") -> pd.DataFrame:
    rows = [
        coding_row("SW01", 1, "IMP.SETUP", QUOTES["setup_sw01"], 0.9, status),
        coding_row("SW01", 3, "IMP.SPACE", QUOTES["space_sw01"], 0.7, status),
        coding_row("SW01", 5, "REL.DSL", QUOTES["dsl_sw01"], 0.8, status),
        coding_row("SW01", 5, "IMP.SETUP", QUOTES["dsl_sw01"], 0.4, status),  # one segment, two codes
        coding_row("TM01", 1, "IMP.SETUP", QUOTES["setup_tm01"], 0.85, status),
        coding_row("TM01", 3, "REL.DSL", QUOTES["dsl_tm01"], 0.9, status),
        coding_row("SW02", "3.1", "REL.FAMILIES", QUOTES["families_sw02"], 0.6, status, "00:03:00"),
        coding_row("SW02", 5, "IMP.SPACE", QUOTES["space_sw02"], 0.75, status, "00:05:00"),
        coding_row("SW02", 7, "IMP.SPACE", QUOTES["formula_sw02"], 0.5, status, "00:07:00"),
        coding_row("SW02", 7, "REL.DSL", "A rejected suggestion that must never appear.", 0.3, "rejected"),
    ]
    return pd.DataFrame(rows, columns=CODINGS_COLUMNS)


@pytest.fixture
def matrix():
    return build_matrix(sample_codings(), sample_codebook(), transcripts=sample_transcripts())


def all_cell_text(path: Path) -> str:
    workbook = openpyxl.load_workbook(path)
    parts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


# --------------------------------------------------------------------------- the matrix


def test_matrix_has_cases_in_rows_grouped_by_role_and_codes_in_columns(matrix):
    assert list(matrix.cases.index) == ["SW01", "SW02", "SW03", "TM01"]  # SW first, then TM
    assert list(matrix.cases["group"]) == ["SW", "SW", "SW", "TM"]
    assert list(matrix.cases["role"]) == ["SW", "SW", "SW", "TM"]  # role spellings normalised
    imp = matrix.themes["IMP"]
    assert list(imp.columns) == ["role", "local_authority", "trial_arm", "IMP.SETUP", "IMP.SPACE"]
    assert list(matrix.themes["REL"].columns)[-2:] == ["REL.DSL", "REL.FAMILIES"]
    assert imp.loc["SW03", "IMP.SETUP"] == ""  # an uncoded case is still a row
    assert QUOTES["setup_tm01"] in imp.loc["TM01", "IMP.SETUP"]
    # one cell, both quotes of the case, in transcript order
    cell = imp.loc["SW01", "IMP.SETUP"]
    assert cell.index(QUOTES["setup_sw01"]) < cell.index(QUOTES["dsl_sw01"])


def test_each_quote_carries_its_reference(matrix):
    cell = matrix.themes["REL"].loc["SW02", "REL.FAMILIES"]
    assert cell == f"\u201c{QUOTES['families_sw02']}\u201d (SW02, turn 3, para 2, 00:03:00)"
    assert "(SW01, turn 5)" in matrix.themes["REL"].loc["SW01", "REL.DSL"]
    assert reference("SW09", "12", 12, "") == "SW09, turn 12"
    # one timestamp format, whatever the transcript wrote
    assert reference("SW09", "12.0", None, "01:02") == "SW09, turn 12, para 1, 00:01:02"


def test_auto_status_uses_suggestions_until_something_is_accepted():
    codings = sample_codings()
    fresh = build_matrix(codings, sample_codebook(), transcripts=sample_transcripts())
    assert fresh.status == "all" and "no code has been accepted" in fresh.status_note
    assert "rejected suggestion" not in fresh.quotes["text"].str.cat()
    codings.loc[0, "status"] = "accepted"
    reviewed = build_matrix(codings, sample_codebook(), transcripts=sample_transcripts())
    assert reviewed.status == "accepted"
    assert list(reviewed.quotes["text"]) == [QUOTES["setup_sw01"]]
    everything = build_matrix(codings, sample_codebook(), transcripts=sample_transcripts(), status="all")
    assert len(everything.quotes) == 9  # all but the rejected row
    none = build_matrix(sample_codings(), sample_codebook(), status="accepted")
    assert none.quotes.empty and "none has been accepted" in none.status_note
    with pytest.raises(QualError):
        build_matrix(codings, sample_codebook(), status="reviewed")


def test_duplicate_suggestions_of_one_segment_count_once():
    codings = sample_codings()
    extra = codings.iloc[[0]].assign(source="semantic", score=0.3)
    matrix = build_matrix(pd.concat([codings, extra]), sample_codebook(), transcripts=sample_transcripts())
    assert matrix.counts.loc["SW01", "IMP.SETUP"] == 2


def test_identifying_attributes_never_reach_the_matrix(tmp_path):
    transcripts = sample_transcripts()
    transcripts[0].attributes["local_authority"] = "Wakefield"  # not de-identified
    sheet = pd.DataFrame({
        "participant_id": ["SW01", "TM01", "SW02", "SW03"], "name": ["Jane Okafor", "Tom Hargreaves", "Ann Lee", "Bo Yu"],
        "role": ["SW", "TM", "SW", "SW"], "local_authority": ["Wakefield", "Wakefield", "Calderdale", "Calderdale"],
        "school": ["Castlebrook Academy"] * 4, "trial_arm": ["intervention"] * 4,
    })
    matrix = build_matrix(sample_codings(), sample_codebook(), transcripts=transcripts, participants=sheet,
                          attributes=("role", "local_authority", "trial_arm", "name", "school"))
    assert matrix.cases.loc["SW01", "local_authority"] == ""
    assert matrix.cases.loc["SW02", "local_authority"] == "[Local authority 2]"
    assert matrix.cases.loc["SW01", "name"] == "[Person 1]"
    warning = " ".join(matrix.warnings)
    assert "local_authority" in warning and "SW01" in warning and "Wakefield" not in warning
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    text = all_cell_text(path)
    for identifier in ("Wakefield", "Calderdale", "Jane Okafor", "Castlebrook"):
        assert identifier not in text


def test_role_and_arm_come_from_the_participants_sheet_when_the_corpus_lacks_them(tmp_path):
    transcripts = sample_transcripts()
    for transcript in transcripts:
        transcript.attributes = {}
    sheet = tmp_path / "participants.csv"
    pd.DataFrame({"Participant ID": ["SW01", "TM01", "SW02", "SW03"], "Role": ["SW", "TM", "SW", "SW"],
                  "Trial arm": ["a", "b", "a", "b"], "Name": ["A B", "C D", "E F", "G H"]}).to_csv(sheet, index=False)
    matrix = build_matrix(sample_codings(), sample_codebook(), transcripts=transcripts, participants=sheet)
    assert list(matrix.cases["group"]) == ["SW", "SW", "SW", "TM"]
    assert matrix.cases.loc["TM01", "trial_arm"] == "b"
    assert "name" not in matrix.cases.columns


def test_rows_are_grouped_by_role_even_when_role_is_not_shown():
    matrix = build_matrix(sample_codings(), sample_codebook(), transcripts=sample_transcripts(),
                          attributes=("trial_arm",))
    assert list(matrix.themes["IMP"].columns[:1]) == ["trial_arm"]
    assert list(matrix.cases["group"]) == ["SW", "SW", "SW", "TM"]


def test_without_a_codebook_themes_come_from_code_prefixes():
    matrix = build_matrix(sample_codings(), None)
    assert set(matrix.themes) == {"IMP", "REL"}
    assert any("no codebook" in w for w in matrix.warnings)


def test_codes_missing_from_the_codebook_are_shown_not_dropped():
    codings = pd.concat([sample_codings(), pd.DataFrame([coding_row("SW03", 1, "NEW.CODE", "Something new.")])])
    matrix = build_matrix(codings, sample_codebook(), transcripts=sample_transcripts())
    assert "NEW.CODE" in matrix.themes["(other)"].columns
    assert any("NEW.CODE" in w for w in matrix.warnings)


def test_overview_tables(matrix):
    assert matrix.counts.loc["SW01", "IMP.SETUP"] == 2
    assert matrix.counts.loc["SW02", "IMP.SPACE"] == 2
    assert matrix.counts.loc["SW03"].sum() == 0
    assert bool(matrix.presence.loc["TM01", "REL.DSL"]) and not bool(matrix.presence.loc["SW03", "REL.DSL"])
    roles = matrix.role_comparison
    assert roles.loc["IMP.SPACE", "SW cases with code"] == 2
    assert roles.loc["IMP.SPACE", "SW share"] == pytest.approx(2 / 3)
    assert roles.loc["IMP.SPACE", "TM share"] == 0
    assert roles.loc["REL.DSL", "All cases with code"] == 2
    co = matrix.cooccurrence
    assert co.loc["IMP.SETUP", "REL.DSL"] == co.loc["REL.DSL", "IMP.SETUP"] == 1  # SW01 segment 5
    assert co.loc["IMP.SPACE", "IMP.SPACE"] == 3
    assert matrix.case_cooccurrence.loc["IMP.SETUP", "REL.DSL"] == 2  # SW01 and TM01


def test_codings_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "codings.csv"
    bad.write_text("document,text\nSW01,hello\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="codings.csv.*segment, code"):
        build_matrix(bad, sample_codebook())
    with pytest.raises(InputFileError, match="does not exist"):
        build_matrix(tmp_path / "missing.csv", sample_codebook())


# --------------------------------------------------------------------------- the workbook


def test_workbook_layout(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    report = write_matrix_workbook(matrix, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["IMP Implementation and set-up", "REL Relationships",
                                   "Counts (segments)", "Counts (yes-no)", "SW vs TM", "Co-occurrence",
                                   "Quotes", "Code definitions", "Provenance"]
    assert report.sheets == workbook.sheetnames
    sheet = workbook["IMP Implementation and set-up"]
    header = [c.value for c in sheet[3]]
    assert header == ["Case", "Role", "Local authority", "Trial arm", "IMP.SETUP Set-up and induction",
                      "Summary: IMP.SETUP", "IMP.SPACE Space and visibility in school", "Summary: IMP.SPACE"]
    assert "Recruiting and induction" in sheet["E2"].value and "Exclude: later delivery" in sheet["E2"].value
    assert sheet.freeze_panes == "E4"
    assert sheet.auto_filter.ref == "A3:H9"
    cases = [sheet.cell(row=r, column=1).value for r in range(4, 10)]
    assert cases == ["All SW", "SW01", "SW02", "SW03", "All TM", "TM01"]
    assert sheet["E4"].value == "1 of 3 social workers; 2 segments"
    assert sheet["G4"].value == "2 of 3 social workers; 3 segments"
    assert sheet["E5"].alignment.wrap_text and sheet.column_dimensions["E"].width == 60
    assert sheet.row_dimensions[5].height >= 30
    # a quote beginning with '=' is text, not a formula
    quotes = workbook["Quotes"]
    cells = [c for row in quotes.iter_rows() for c in row if isinstance(c.value, str) and "=SUM" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert "=SUM" in sheet["G6"].value and sheet["G6"].data_type == "s"
    # printed or saved as PDF: A4, the page's width, the header row on every page, the sheet's cells
    for ws in workbook.worksheets:
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.paperSize == 9, ws.title
        assert ws.print_area, ws.title
    assert sheet.print_title_rows == "$3:$3" and sheet.print_area == "'IMP Implementation and set-up'!$A$1:$H$9"
    assert quotes.print_title_rows == "$1:$1"


def test_overview_sheets(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    workbook = openpyxl.load_workbook(path)
    counts = workbook["Counts (segments)"]
    header = [c.value for c in counts[2]]
    row = {r[0]: r for r in counts.iter_rows(min_row=3, values_only=True)}
    assert row["SW01"][header.index("IMP.SETUP")] == 2
    assert row["All SW"][header.index("IMP.SPACE")] == 3
    yes_no = {r[0]: r for r in workbook["Counts (yes-no)"].iter_rows(min_row=3, values_only=True)}
    assert yes_no["SW03"][header.index("IMP.SETUP")] == "no"
    assert yes_no["TM01"][header.index("REL.DSL")] == "yes"
    roles = workbook["SW vs TM"]
    role_header = [c.value for c in roles[2]]
    space = next(r for r in roles.iter_rows(min_row=3, values_only=True) if r[1] == "IMP.SPACE")
    assert space[role_header.index("SW: cases with code")] == 2
    assert space[role_header.index("SW: share of cases")] == pytest.approx(2 / 3)
    co = workbook["Co-occurrence"]
    assert co["A1"].value.startswith("Segments coded with both codes")
    codebook = [r for r in workbook["Code definitions"].iter_rows(min_row=2, values_only=True)]
    assert [r[2] for r in codebook] == ["IMP.SETUP", "IMP.SPACE", "REL.DSL", "REL.FAMILIES"]
    provenance = {r[0]: r[1] for r in workbook["Provenance"].iter_rows(min_row=2, values_only=True)}
    assert provenance["Framework codebook"] == "SWIS test framework, version 0.9"
    assert provenance["Codes shown"].startswith("all: no code has been accepted")
    assert isinstance(provenance["Date (UTC)"], datetime.datetime)  # a date cell, not text
    assert provenance["Package: openpyxl"].startswith("v3.")
    assert "Package: openpyxl" in provenance and "Package: python" in provenance
    quotes = list(workbook["Quotes"].iter_rows(values_only=True))
    assert len(quotes) == 1 + 9
    assert any(r[-1] == f"\u201c{QUOTES['families_sw02']}\u201d" and r[7] == "SW02, turn 3, para 2, 00:03:00"
               for r in quotes)
    # one speaker vocabulary, with the case's role; each row's case and code at its top, with its quote
    header = quotes[0]
    assert {r[header.index("Speaker")] for r in quotes[1:]} == {"Participant (SW)", "Participant (TM)"}
    sheet = workbook["Quotes"]
    assert {sheet.cell(row=2, column=c).alignment.vertical for c in range(1, len(header) + 1)} == {"top"}


def test_long_cells_end_with_a_pointer_to_the_quotes_sheet(tmp_path):
    long_quote = "We talked about the referral for a long time. " * 60  # ~2,800 characters
    rows = [coding_row("SW01", i, "IMP.SETUP", f"{i}: {long_quote}") for i in range(1, 41)]
    rows.append(coding_row("SW02", 1, "IMP.SETUP", "x" * 40_000))  # one quote longer than a cell
    matrix = build_matrix(pd.DataFrame(rows), sample_codebook(), transcripts=sample_transcripts())
    path = tmp_path / "framework.xlsx"
    report = write_matrix_workbook(matrix, path)
    assert report.truncated_cells == 1
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["IMP Implementation and set-up"]
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=5).value for r in range(4, 10)}
    rows = {sheet.cell(row=r, column=1).value: r for r in range(4, 10)}
    cell = cells["SW01"]
    assert len(cell) <= EXCEL_CELL_LIMIT
    shown = cell.count("\u201c")
    assert cell.endswith(f"... {40 - shown} more quotes, see sheet Quotes") and 0 < shown < 40
    # what is shown fits the tallest row Excel has: nothing runs past the bottom of its cell
    assert cell_lines(cell, 60) <= lines_that_fit() and sheet.row_dimensions[rows["SW01"]].height <= 409
    # a quote is the coded span, cut between words, its reference leading to the rest
    assert len(cells["SW02"]) < 500 and cells["SW02"].endswith("\u2026\u201d (SW02, turn 1)")
    quotes = [r for r in workbook["Quotes"].iter_rows(min_row=2, values_only=True)]
    assert len(quotes) == 41
    assert all(len(r[-1]) <= EXCEL_CELL_LIMIT and cell_lines(r[-1], 90) <= lines_that_fit() for r in quotes)
    assert any(r[-1].endswith("[\u2026 the rest is in the transcript: SW02, turn 1]") for r in quotes)


def test_fit_quotes_is_exact_at_the_limit():
    quotes = ["a" * 10, "b" * 10, "c" * 10]
    assert fit_quotes(quotes, limit=34) == ("a" * 10 + "\n\n" + "b" * 10 + "\n\n" + "c" * 10, 3)
    text, shown = fit_quotes([q * 2 for q in quotes], limit=60)
    assert shown == 1 and text.endswith("2 more quotes, see sheet Quotes") and len(text) <= 60
    text, shown = fit_quotes(["a" * 100], limit=50)
    assert shown == 0 and text.startswith("aaa") and text.endswith("1 more quote, see sheet Quotes")
    assert len(text) <= 50


# --------------------------------------------------------------------------- summaries


def _type_summaries(path: Path, entries: dict[tuple[str, str], object]) -> None:
    """Write summaries the way an analyst would, into the Summary columns of the theme sheets."""
    workbook = openpyxl.load_workbook(path)
    placed = 0
    for sheet in workbook.worksheets:
        header = [c.value for c in sheet[3]]
        if "Case" not in header:
            continue
        for row in range(4, sheet.max_row + 1):
            case = sheet.cell(row=row, column=header.index("Case") + 1).value
            for (want_case, code), value in entries.items():
                column = f"Summary: {code}"
                if case == want_case and column in header:
                    sheet.cell(row=row, column=header.index(column) + 1, value=value)
                    placed += 1
    assert placed == len(entries)
    workbook.save(path)


def _found(path: Path) -> dict[tuple[str, str], object]:
    frame = read_summaries(path)
    return {(r.case, r.code): r.summary for r in frame.itertuples() if not r.orphaned}


def test_summaries_survive_regeneration(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    typed = {("SW01", "IMP.SETUP"): "Induction was informal; she found her own way.",
             ("SW03", "REL.FAMILIES"): "Nothing said about families.",
             ("TM01", "REL.DSL"): "DSLs valued the SWs highly.",
             ("All SW", "IMP.SPACE"): "Space mattered to most SWs.",
             ("SW02", "IMP.SPACE"): 3,
             ("SW02", "REL.DSL"): datetime.datetime(2024, 3, 1)}
    _type_summaries(path, typed)
    before = {k: v for k, v in _found(path).items()}
    assert before == typed
    scopes = read_summaries(path).set_index(["case", "code"])["scope"]
    assert scopes[("All SW", "IMP.SPACE")] == "role group" and scopes[("SW01", "IMP.SETUP")] == "case"
    # regenerate from codings that changed (a new quote, a different status)
    codings = pd.concat([sample_codings(), pd.DataFrame([coding_row("SW03", 1, "REL.FAMILIES", "New one.")])])
    matrix = build_matrix(codings, sample_codebook(), transcripts=sample_transcripts())
    report = write_matrix_workbook(matrix, path)
    assert report.summaries_kept == len(typed) and not report.orphaned
    assert _found(path) == typed
    assert report.backup == tmp_path / "framework.previous.xlsx" and report.backup.exists()
    # and the summary sits beside its own case's quotes
    sheet = openpyxl.load_workbook(path)["REL Relationships"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(4, sheet.max_row + 1)}
    assert "New one." in sheet.cell(row=rows["SW03"], column=7).value
    assert sheet.cell(row=rows["SW03"], column=8).value == "Nothing said about families."


def test_summaries_follow_their_case_when_analysts_rearrange_the_sheet(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    _type_summaries(path, {("TM01", "IMP.SPACE"): "No office for the TM."})
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["IMP Implementation and set-up"]
    sheet.insert_cols(1)  # an analyst adds a column of notes in front
    sheet["A3"] = "My notes"
    sheet.title = "Implementation"
    workbook.save(path)
    report = write_matrix_workbook(matrix, path)
    assert report.summaries_kept == 1
    assert _found(path) == {("TM01", "IMP.SPACE"): "No office for the TM."}


def test_orphaned_summaries_are_kept_listed_and_restored(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    typed = {("TM01", "REL.DSL"): "TM view of DSLs.", ("SW01", "REL.FAMILIES"): "Families summary.",
             ("SW02", "IMP.SPACE"): "Stays."}
    _type_summaries(path, typed)
    smaller_book = sample_codebook()
    smaller_book.codes = [c for c in smaller_book.codes if c.id != "REL.FAMILIES"]
    transcripts = [t for t in sample_transcripts() if t.id != "TM01"]
    codings = sample_codings()
    codings = codings[(codings["document"] != "TM01") & (codings["code"] != "REL.FAMILIES")]
    smaller = build_matrix(codings, smaller_book, transcripts=transcripts)
    report = write_matrix_workbook(smaller, path)
    assert report.summaries_kept == 1
    assert sorted((s.case, s.code) for s in report.orphaned) == [("SW01", "REL.FAMILIES"), ("TM01", "REL.DSL")]
    lines = " ".join(report.orphaned_lines)
    assert "case no longer in the matrix" in lines and "code no longer in the matrix" in lines
    assert "TM view" not in lines  # the console account never quotes a summary
    workbook = openpyxl.load_workbook(path)
    assert ORPHAN_SHEET in workbook.sheetnames
    orphans = read_summaries(path)
    assert set(orphans.loc[orphans["orphaned"], "summary"]) == {"TM view of DSLs.", "Families summary."}
    # regenerate again without them: still kept
    write_matrix_workbook(smaller, path)
    assert len(read_summaries(path)) == 3
    # the case and code come back: the summaries return to their cells
    report = write_matrix_workbook(matrix, path)
    assert len(report.restored) == 2 and not report.orphaned
    assert _found(path) == typed
    assert ORPHAN_SHEET not in openpyxl.load_workbook(path).sheetnames


def test_a_summary_never_overwritten_by_an_orphan(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    _type_summaries(path, {("SW01", "REL.DSL"): "Old."})
    transcripts = [t for t in sample_transcripts() if t.id != "SW01"]
    codings = sample_codings()
    write_matrix_workbook(build_matrix(codings[codings["document"] != "SW01"], sample_codebook(),
                                       transcripts=transcripts), path)
    write_matrix_workbook(matrix, path, existing=path)
    _type_summaries(path, {("SW01", "REL.DSL"): "New."})
    # an old orphan copy of the same cell (e.g. pasted back by hand) does not replace the new text
    workbook = openpyxl.load_workbook(path)
    orphan = workbook.create_sheet(ORPHAN_SHEET)
    orphan.append(["note"])
    orphan.append(["Case", "Code", "Summary", "Was in sheet", "Was in cell", "Orphaned since", "Reason"])
    orphan.append(["SW01", "REL.DSL", "Old.", "x", "A1", "2024-01-01", "case no longer in the matrix"])
    workbook.save(path)
    report = write_matrix_workbook(matrix, path)
    assert _found(path)[("SW01", "REL.DSL")] == "New."
    assert [s.value for s in report.orphaned] == ["Old."]


def test_fresh_start_and_refusals(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    _type_summaries(path, {("SW01", "IMP.SETUP"): "Kept?"})
    report = write_matrix_workbook(matrix, path, existing=False)
    assert report.summaries_kept == 0 and _found(path) == {}
    lock = tmp_path / ".~lock.framework.xlsx#"
    lock.write_text("x")
    with pytest.raises(QualError, match="open in Excel or LibreOffice"):
        write_matrix_workbook(matrix, path)
    lock.unlink()
    foreign = tmp_path / "budget.xlsx"
    other = openpyxl.Workbook()
    other.active["A1"] = "someone's budget"
    other.save(foreign)
    before = tree_hashes(foreign)
    with pytest.raises(QualError, match="not written by 'qual matrix'"):
        write_matrix_workbook(matrix, foreign)
    assert tree_hashes(foreign) == before
    with pytest.raises(QualError, match=".xlsx"):
        write_matrix_workbook(matrix, tmp_path / "framework.csv")


def test_a_corrupt_existing_workbook_is_not_overwritten(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(QualError):
        write_matrix_workbook(matrix, path)
    assert path.read_bytes().startswith(b"PK\x03\x04 this")


# --------------------------------------------------------------------------- the command


def test_qual_matrix_command(tmp_path, cli):
    from qual.corpus import write_corpus

    folder = tmp_path / "coding"
    folder.mkdir()
    sample_codings().to_csv(folder / "codings.csv", index=False)
    write_corpus(sample_transcripts(), folder / "corpus.jsonl")
    from qual.coding.codebook import save_codebook

    save_codebook(sample_codebook(), folder / "codebook.yaml")
    inputs = tree_hashes(folder)
    out = tmp_path / "out"
    result = cli("matrix", folder / "codings.csv", "--out", out / "framework.xlsx", "--report", out / "report.docx",
                 "--heatmap", out / "heatmap.png")
    assert result.exit_code == 0, result.output
    assert (out / "framework.xlsx").exists() and (out / "report.docx").exists() and (out / "heatmap.png").exists()
    assert "4 cases (SW 3, TM 1) x 4 codes" in result.output
    assert "no code has been accepted" in result.output
    for quote in QUOTES.values():
        assert quote[:30] not in result.output
    assert tree_hashes(folder) == inputs
    workbook = openpyxl.load_workbook(out / "framework.xlsx")
    assert workbook["IMP Implementation and set-up"]["B5"].value == "SW"
    provenance = {r[0]: r[1] for r in workbook["Provenance"].iter_rows(min_row=2, values_only=True)}
    assert provenance["Input: codings"].startswith("codings.csv  sha256 ")
    assert str(tmp_path) not in "\n".join(str(v) for v in provenance.values())  # names, never paths

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = cli("matrix", bad, "--out", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert "bad.csv: has no column document, segment, code, text" in result.output


# --------------------------------------------------------------------------- LibreOffice


def _office() -> str:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    return office


def convert_to_pdf(path: Path, out_dir: Path) -> Path:
    """Convert with LibreOffice; a file it has to repair or cannot read gives no PDF."""
    office = _office()
    profile = out_dir / "lo-profile"
    completed = subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = out_dir / (path.stem + ".pdf")
    assert completed.returncode == 0, completed.stderr[-500:]
    assert pdf.exists() and pdf.stat().st_size > 1000, completed.stdout[-500:] + completed.stderr[-500:]
    return pdf


@pytest.mark.slow
def test_workbook_opens_in_libreoffice(matrix, tmp_path):
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    _type_summaries(path, {("SW01", "IMP.SETUP"): "A summary."})
    write_matrix_workbook(matrix, path)  # regenerated with an orphan-free carry-over
    pdf = convert_to_pdf(path, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


# --------------------------------------------------------------------------- cutting text short


def test_shorten_cuts_between_words():
    from qual.text import shorten

    text = "So the main route really is Operation Encompass and the DSL briefing"
    for limit in range(1, len(text) + 3):
        short = shorten(text, limit)
        assert len(short) <= limit
        if len(text) <= limit:
            assert short == text
            continue
        assert short.endswith("\u2026") and text.startswith(short[:-1])
        head = short[:-1]
        # no word cut short: what is kept ends where a word of the text ends
        if len(head) > 2:
            assert not text[len(head)].isalnum(), f"cut inside a word at {limit}: {short!r}"
    assert shorten("Operation Encompass notifications", 24) == "Operation Encompass\u2026"
    assert shorten("Supercalifragilistic", 8) == "Superca\u2026"  # one long word: cut inside
    assert shorten("I don't know", 6) == "I\u2026"  # "I don…" would leave a fragment
    assert shorten("I don't know", 8) == "I don't\u2026"
    assert shorten("abc", 3) == "abc" and shorten("abcd", 1) == "\u2026"


def test_a_quote_longer_than_a_cell_is_cut_between_words():
    quote = "word " * 40 + "Encompass " * 10
    text, shown = fit_quotes([quote], limit=120)
    head = text.split("\n\n")[0]
    assert shown == 0 and head.endswith("\u2026") and len(text) <= 120
    assert quote.startswith(head[:-1]) and head[:-1].split()[-1] in ("word", "Encompass")


def test_sheet_names_are_never_cut_mid_phrase():
    from qual.export.sheets import sheet_title

    taken: set[str] = set()
    titles = [sheet_title(t, taken) for t in (
        "IMP Implementation and set-up", "ROLE Role and activities of the SWIS social worker",
        "REL Relationships and joint working", "REF Referrals, thresholds and information sharing",
        "SUS Sustainability and the future", "REF Referrals, thresholds and something else")]
    assert titles == ["IMP Implementation and set-up", "ROLE Role and activities", "REL Relationships",
                      "REF Referrals, thresholds", "SUS Sustainability",
                      "REF Referrals, thresholds (2)"]
    assert all(len(t) <= 31 for t in titles)
    assert sheet_title("Supercalifragilisticexpialidocious attitudes of staff", set()) == \
        "Supercalifragilisticexpialidoci"   # one word longer than a title: cut, nothing better


def test_quotes_show_the_coded_span_with_a_little_context_and_one_vocabulary():
    from qual.export.matrix import format_timestamp, quote_excerpt, speaker_label

    turn = ("We started in September. The head teacher was unsure what a social worker would do, "
            "so I met the DSL every week and that really helped. Later it was easier.")
    start = turn.index("I met the DSL")
    end = turn.index(" and that")
    quote = quote_excerpt(turn, start, end, context=30)
    assert "\u201cI met the DSL every week\u201d" in quote          # the coded span, in quotation marks
    assert quote.startswith("\u2026") and quote.endswith("\u2026")  # a little context either side
    assert quote_excerpt(turn) == f"\u201c{turn}\u201d"               # a whole turn: the turn
    long = quote_excerpt("word " * 500, limit=100)
    assert len(long) <= 102 and long.endswith("\u2026\u201d")
    assert [format_timestamp(t) for t in ("0:03", "2:41", "00:01:23.45", "1.02.03", "", "about noon")] == \
        ["00:00:03", "00:02:41", "00:01:23", "01:02:03", "", "about noon"]
    assert [speaker_label("interviewer", "SW"), speaker_label("participant", "TM"), speaker_label("participant", ""),
            speaker_label("other", "SW")] == ["Interviewer", "Participant (TM)", "Participant", "Other"]


def test_a_span_inside_its_turn_is_quoted_with_context_in_the_matrix():
    transcripts = sample_transcripts()
    transcript = transcripts[0]
    transcript.turns[1].text = ("We started in September and nobody knew me. The head teacher was unsure what a "
                                "social worker would do, so I met the DSL every week and that helped a lot.")
    transcript.layout()
    turn = transcript.turns[1]
    words = turn.text.split(" ")
    span = " ".join(words[3:8])
    start = transcript.text.index(span, turn.start)
    row = coding_row("SW01", turn.index, "IMP.SETUP", span)
    row.update(start=start, end=start + len(span))
    matrix = build_matrix(pd.DataFrame([row]), sample_codebook(), transcripts=transcripts)
    cell = matrix.themes["IMP"].loc["SW01", "IMP.SETUP"]
    assert f"\u201c{span}\u201d" in cell and not cell.startswith("\u201c")   # context before the span
    assert cell.endswith(f"(SW01, turn {turn.index})")


@pytest.mark.slow
def test_the_printed_workbook_fits_the_page_width_and_repeats_its_headers(tmp_path):
    # printed with LibreOffice (skipped without it): every page as wide as the sheet, the
    # header row on each page, and quotes that never run past their row
    pymupdf = pytest.importorskip("pymupdf")
    long_quote = "We talked about the referral for a long time. " * 60
    rows = [coding_row("SW01", i, "IMP.SETUP", f"{i}: {long_quote}") for i in range(1, 41)]
    rows += [coding_row(case, i, "IMP.SPACE", f"{case} {i}: {long_quote[:300]}") for case in ("SW02", "SW03", "TM01")
             for i in range(1, 30)]
    matrix = build_matrix(pd.DataFrame(rows), sample_codebook(), transcripts=sample_transcripts())
    path = tmp_path / "framework.xlsx"
    write_matrix_workbook(matrix, path)
    pages = [page.get_text() for page in pymupdf.open(str(convert_to_pdf(path, tmp_path)))]
    theme = [text for text in pages if "IMP.SETUP Set-up and induction" in text and "Summary: IMP.SPACE" in text]
    assert 1 <= len(theme) <= 4                       # 5 rows of quotes: a few pages, each the sheet's width
    assert not [t for t in pages if "Summary: IMP.SPACE" in t and "IMP.SETUP Set-up" not in t]  # no column split
    quotes = [text for text in pages if "Code name" in text and "Reference" in text]
    assert len(quotes) > 3 and all(text.startswith("Case\nRole") for text in quotes)  # the header, on each page
    assert len(pages) <= 40


def test_a_quote_of_the_interviewer_says_so():
    row = coding_row("SW01", 2, "IMP.SETUP", "Can you tell me more?")
    row["role"] = "interviewer"
    matrix = build_matrix(pd.DataFrame([row]), sample_codebook(), transcripts=sample_transcripts())
    assert matrix.themes["IMP"].loc["SW01", "IMP.SETUP"].endswith("(SW01, turn 2; Interviewer)")
    assert matrix.quotes["speaker_label"].tolist() == ["Interviewer"]
