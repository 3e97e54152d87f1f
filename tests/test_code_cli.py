"""``qual code`` end to end: every output, the --accept round trip, human codes kept, bad inputs."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import CODEBOOK, SAMPLES, tree_hashes
from qual.coding import CODINGS_COLUMNS
from qual.corpus import read_corpus


def read_codings(path):
    return pd.read_csv(path, dtype={"segment": str, "document": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def coded(tmp_path_factory, cli):
    if not any(SAMPLES.glob("*.docx")) or not CODEBOOK.exists():
        pytest.skip("the sample corpus or the codebook is not available")
    out = tmp_path_factory.mktemp("code") / "coded"
    before = tree_hashes(SAMPLES)
    result = cli("code", SAMPLES, "--codebook", CODEBOOK, "--out", out, "--embedder", "static")
    return {"out": out, "result": result, "before": before}


def test_code_writes_every_output_and_leaves_inputs_alone(coded):
    result, out = coded["result"], coded["out"]
    assert result.exit_code == 0, result.output
    assert tree_hashes(SAMPLES) == coded["before"]
    for name in ("codings.csv", "codings.xlsx", "topics.csv", "topics.html", "topics.png", "corpus.jsonl",
                 "codebook.yaml"):
        assert (out / name).is_file(), name
    assert "suggestions on" in result.output


def test_codings_csv_has_the_contract_columns_and_locates_every_segment(coded):
    codings = read_codings(coded["out"] / "codings.csv")
    assert list(codings.columns) == CODINGS_COLUMNS
    assert len(codings) > 50
    assert set(codings["status"]) == {"suggested", "candidate"}
    # Each participant segment lists its five best candidates; the proposed ones are selected.
    per_segment = codings.groupby(["document", "segment"])
    assert per_segment.size().max() == 5 and per_segment["rank"].min().eq(1).all()
    assert (codings["selected"].astype(str).str.lower().eq("true") == (codings["status"] == "suggested")).all()
    assert (codings[codings["status"] == "suggested"].groupby(["document", "segment"]).size() <= 3).all()
    assert (codings["role"] != "interviewer").all()
    assert codings["score"].between(0, 1).all()
    transcripts = {t.id: t.text for t in read_corpus(coded["out"] / "corpus.jsonl")}
    assert set(codings["document"]) <= set(transcripts)
    for row in codings.itertuples():
        assert transcripts[row.document][row.start:row.end] == row.text
    assert codings["segment"].str.fullmatch(r"\d+(\.\d+)?").all()


def test_the_review_workbook_has_an_accept_drop_down(coded):
    book = load_workbook(coded["out"] / "codings.xlsx")
    sheet = book["codings"]
    header = [c.value for c in sheet[1]]
    assert header[:10] == ["document", "segment", "speaker", "text", "code", "code name", "score", "source",
                           "status", "accept"]
    accept = sheet.cell(row=1, column=header.index("accept") + 1).column_letter
    validations = sheet.data_validations.dataValidation
    assert any(v.formula1 == '"yes,no"' and f"{accept}2" in str(v.sqref) for v in validations)
    assert all(sheet.cell(row=r, column=header.index("accept") + 1).value is None for r in range(2, 20))
    assert sheet.cell(row=2, column=header.index("code name") + 1).value
    assert "codes" in book.sheetnames


def test_topics_are_listed_and_the_chart_works_offline(coded):
    topics = pd.read_csv(coded["out"] / "topics.csv")
    assert len(topics) >= 2
    assert {"topic", "size", "top_words", "codes", "candidate", "examples"} <= set(topics.columns)
    html = (coded["out"] / "topics.html").read_text("utf-8")
    # No script is fetched from anywhere: plotly.js is embedded in the file.
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert len(html) > 1_000_000 and "Plotly.newPlot" in html
    # Each topic has a label of content words (no pronouns, contractions or fillers), shown on the chart.
    labels = topics["label"].fillna("")
    assert (labels != "").all()
    assert not labels.str.contains(r"\b(?:i|we|you|they|it|yeah|um|know)\b|'", regex=True).any()
    assert labels.iloc[0].split(", ")[0] in html
    assert (coded["out"] / "topics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unselected_candidates_never_become_codes(coded):
    from qual.export.matrix import build_matrix

    codings = read_codings(coded["out"] / "codings.csv")
    matrix = build_matrix(codings)
    selected = codings[codings["status"] == "suggested"]
    assert len(matrix.quotes) == len(selected.drop_duplicates(["document", "segment", "code"]))
    assert set(matrix.quotes["status"]) == {"suggested"}


def test_accept_round_trip_and_refit(coded, tmp_path, cli):
    out = tmp_path / "review"
    shutil.copytree(coded["out"], out)
    book = load_workbook(out / "codings.xlsx")
    sheet = book["codings"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    first = {name: sheet.cell(row=2, column=i).value for name, i in col.items()}
    second = {name: sheet.cell(row=3, column=i).value for name, i in col.items()}
    sheet.cell(row=2, column=col["accept"]).value = "yes"
    sheet.cell(row=2, column=col["coder"]).value = "Anna"      # the reviewer names herself
    sheet.cell(row=3, column=col["accept"]).value = "no"
    accepted_more = min(sheet.max_row, 60)
    for r in range(4, accepted_more + 1):
        sheet.cell(row=r, column=col["accept"]).value = "yes"
    # The reviewer adds a code the suggesters missed, on the first row's segment.
    added = "SUS.FUNDING" if first["code"] != "SUS.FUNDING" else "SUS.FUTURE"
    new_row = sheet.max_row + 1
    for name, value in first.items():
        sheet.cell(row=new_row, column=col[name]).value = value
    sheet.cell(row=new_row, column=col["code"]).value = added
    sheet.cell(row=new_row, column=col["accept"]).value = "yes"
    book.save(out / "reviewed.xlsx")
    before = read_codings(out / "codings.csv")

    result = cli("code", "--accept", out / "reviewed.xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    after = read_codings(out / "codings.csv")
    assert len(after) == len(before) + 1
    key = ["document", "segment", "code"]
    status = after.set_index(key)["status"]
    assert status[(first["document"], str(first["segment"]), first["code"])] == "accepted"
    assert status[(second["document"], str(second["segment"]), second["code"])] == "rejected"
    assert status[(first["document"], str(first["segment"]), added)] == "accepted"
    assert after.set_index(key)["source"][(first["document"], str(first["segment"]), added)] == "human"
    coders = after.set_index(key)["coder"]
    assert coders[(first["document"], str(first["segment"]), first["code"])] == "Anna"
    assert coders[(second["document"], str(second["segment"]), second["code"])] == ""
    rewritten = load_workbook(out / "codings.xlsx")["codings"]
    assert rewritten.cell(row=2, column=col["accept"]).value == "yes"

    result = cli("code", "--accept", out / "codings.xlsx", "--out", out, "--refit", "--embedder", "static")
    assert result.exit_code == 0, result.output
    refitted = read_codings(out / "codings.csv")
    kept = refitted[refitted["status"] == "accepted"]
    assert len(kept) == (after["status"] == "accepted").sum()
    assert refitted.set_index(key)["coder"][(first["document"], str(first["segment"]), first["code"])] == "Anna"
    rejected = refitted[refitted["status"] == "rejected"]
    assert (second["document"], str(second["segment"]), second["code"]) in set(map(tuple, rejected[key].values))
    assert "no human codes" not in result.output


def test_a_rerun_keeps_the_human_decisions_in_the_output_folder(coded, tmp_path, cli):
    out = tmp_path / "again"
    shutil.copytree(coded["out"], out)
    codings = read_codings(out / "codings.csv")
    codings.loc[codings.index[:3], "status"] = "accepted"
    codings.to_csv(out / "codings.csv", index=False)
    # A reviewer also said "no" to a row in the workbook but never ran --accept.
    book = load_workbook(out / "codings.xlsx")
    sheet = book["codings"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=10, column=header.index("accept") + 1).value = "no"
    rejected = tuple(str(sheet.cell(row=10, column=header.index(n) + 1).value) for n in ("document", "segment", "code"))
    book.save(out / "codings.xlsx")
    result = cli("code", SAMPLES, "--codebook", CODEBOOK, "--out", out, "--embedder", "static",
                 "--suggesters", "rules,semantic")
    assert result.exit_code == 0, result.output
    assert "keeping 4 human decisions" in result.output
    after = read_codings(out / "codings.csv")
    assert (after["status"] == "accepted").sum() == 3
    assert after.set_index(["document", "segment", "code"])["status"][rejected] == "rejected"


def test_accept_keeps_the_reviewers_own_workbook_as_previous(coded, tmp_path, cli):
    out = tmp_path / "reviewed"
    shutil.copytree(coded["out"], out)
    book = load_workbook(out / "codings.xlsx")
    sheet = book["codings"]
    sheet.cell(row=1, column=sheet.max_column + 1).value = "reviewer notes"
    sheet.cell(row=2, column=sheet.max_column).value = "check with the team"
    book.save(out / "codings.xlsx")
    reviewed_bytes = (out / "codings.xlsx").read_bytes()
    result = cli("code", "--accept", out / "codings.xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "codings.previous.xlsx").read_bytes() == reviewed_bytes


def test_a_bad_file_is_reported_on_one_line_and_the_others_are_coded(tmp_path, cli):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(
        "Interviewer: Where do you sit in school?\n\nParticipant: I have an office next to the pastoral team, "
        "and a lanyard like the staff.\n\nInterviewer: And referrals?\n\nParticipant: =HYPERLINK(\"x\") "
        "We made fewer referrals to the front door, but more of them were appropriate.\n", encoding="utf-8")
    (inputs / "broken.docx").write_bytes(b"this is not a zip file")
    out = tmp_path / "out"
    result = cli("code", inputs, "--codebook", CODEBOOK, "--out", out, "--embedder", "static")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if "broken.docx" in line]
    assert len(errors) == 1 and "error" in errors[0]
    codings = read_codings(out / "codings.csv")
    assert set(codings["document"]) == {"good"}
    sheet = load_workbook(out / "codings.xlsx")["codings"]
    texts = [sheet.cell(row=r, column=4) for r in range(2, sheet.max_row + 1)]
    formula_like = [c for c in texts if str(c.value).startswith("=")]
    assert formula_like and all(c.data_type == "s" for c in formula_like)


def test_a_codings_file_among_the_inputs_brings_human_codes(coded, tmp_path, cli):
    codings = read_codings(coded["out"] / "codings.csv").head(4).copy()
    codings["status"] = "accepted"
    human = tmp_path / "human_codings.csv"
    codings.to_csv(human, index=False)
    out = tmp_path / "out"
    result = cli("code", SAMPLES, human, "--codebook", CODEBOOK, "--out", out, "--embedder", "static",
                 "--suggesters", "rules")
    assert result.exit_code == 0, result.output
    written = read_codings(out / "codings.csv")
    accepted = written[written["status"] == "accepted"]
    assert len(accepted) == 4 and set(accepted["source"]) == {"human"}


def test_usage_errors_are_one_line(cli):
    result = cli("code", "--out", "/tmp/nowhere-qual-test")
    assert result.exit_code == 2 and "give the transcripts" in result.output
    result = cli("code", str(SAMPLES), "--out", "/tmp/nowhere-qual-test")
    assert result.exit_code == 2 and "--codebook" in result.output


def test_accepting_a_candidate_makes_it_a_code_and_a_blank_one_stays_a_candidate(coded, tmp_path, cli):
    out = tmp_path / "candidates"
    shutil.copytree(coded["out"], out)
    book = load_workbook(out / "codings.xlsx")
    sheet = book["codings"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=col["status"]).value == "candidate"]
    chosen, untouched = rows[0], rows[1]
    sheet.cell(row=chosen, column=col["accept"]).value = "yes"
    key = lambda r: tuple(str(sheet.cell(row=r, column=col[n]).value) for n in ("document", "segment", "code"))
    chosen_key, untouched_key = key(chosen), key(untouched)
    book.save(out / "reviewed.xlsx")
    result = cli("code", "--accept", out / "reviewed.xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    status = read_codings(out / "codings.csv").set_index(["document", "segment", "code"])["status"]
    assert status[chosen_key] == "accepted" and status[untouched_key] == "candidate"
