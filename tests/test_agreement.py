"""Agreement statistics against hand-computed values and reference implementations."""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pandas as pd
import pytest

from conftest import CODEBOOK, tree_hashes
from qual.coding import CODINGS_COLUMNS
from qual.coding.agreement import (
    BinaryTable, agreement, gwet_ac1, table_statistics, write_agreement_xlsx,
)
from qual.coding.codebook import load_codebook


def codings(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(document, segment, code) triples as codings rows."""
    return pd.DataFrame([{"document": d, "segment": s, "code": c, "turn": int(s.split(".")[0]),
                          "status": "accepted", "source": "human:x"} for d, s, c in rows],
                        columns=CODINGS_COLUMNS)


# --------------------------------------------------------------------------- hand-computed


def test_statistics_by_hand():
    """N=10: both 2, A only 1, B only 2, neither 5.

    po = 7/10. Kappa: pe = .3·.4 + .7·.6 = .54, κ = (.7-.54)/.46 = .347826.
    AC1: π = (.3+.4)/2 = .35, pe = 2·.35·.65 = .455, AC1 = (.7-.455)/.545 = .449541.
    Alpha (nominal): 20 pairable values, 7 yes and 13 no, 6 disagreeing pairs:
    α = 1 - (20-1)·6 / (2·7·13) = 1 - 114/182 = .373626.
    """
    stats = table_statistics(BinaryTable(both=2, a_only=1, b_only=2, neither=5))
    assert stats["percent_agreement"] == pytest.approx(0.7)
    assert stats["cohen_kappa"] == pytest.approx(0.16 / 0.46)
    assert stats["gwet_ac1"] == pytest.approx(0.245 / 0.545)
    assert stats["krippendorff_alpha"] == pytest.approx(1 - 114 / 182)
    assert stats["positive_agreement"] == pytest.approx(4 / 7)
    assert (stats["prevalence_a"], stats["prevalence_b"], stats["prevalence_either"]) == (0.3, 0.4, 0.5)


def test_gwet_ac1_published_example():
    """Gwet (2008), Table 1 layout: 2 raters, 2 categories with high agreement and
    prevalence (118 yes/yes, 5 yes/no, 2 no/yes, 0 no/no): kappa collapses, AC1 does not."""
    table = BinaryTable(both=118, a_only=5, b_only=2, neither=0)
    stats = table_statistics(table)
    pa = 118 / 125
    pi = (123 / 125 + 120 / 125) / 2
    pe = 2 * pi * (1 - pi)
    assert gwet_ac1(table) == pytest.approx((pa - pe) / (1 - pe))
    assert stats["gwet_ac1"] > 0.9
    assert stats["cohen_kappa"] < 0.1


def test_against_sklearn_and_krippendorff_on_random_ratings():
    krippendorff = pytest.importorskip("krippendorff")
    cohen_kappa_score = pytest.importorskip("sklearn.metrics").cohen_kappa_score

    rng = random.Random(7)
    for _ in range(20):
        n = rng.randint(5, 60)
        a = [int(rng.random() < 0.3) for _ in range(n)]
        b = [x if rng.random() < 0.8 else 1 - x for x in a]
        stats = table_statistics(BinaryTable.from_ratings(a, b))
        if len(set(a) | set(b)) < 2:
            continue
        assert stats["cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b))
        assert stats["krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"))
        assert stats["percent_agreement"] == pytest.approx(sum(x == y for x, y in zip(a, b)) / n)


# --------------------------------------------------------------------------- degenerate cases


def test_code_neither_coder_used_is_nan_with_reason():
    stats = table_statistics(BinaryTable(0, 0, 0, 12))
    assert math.isnan(stats["cohen_kappa"]) and math.isnan(stats["krippendorff_alpha"])
    assert stats["percent_agreement"] == 1.0 and stats["gwet_ac1"] == 1.0
    assert "neither coder" in stats["note"]


def test_code_on_every_unit_and_opposite_constants():
    everywhere = table_statistics(BinaryTable(6, 0, 0, 0))
    assert math.isnan(everywhere["cohen_kappa"]) and "every unit" in everywhere["note"]
    opposite = table_statistics(BinaryTable(0, 4, 0, 0))  # A always yes, B always no
    assert opposite["cohen_kappa"] == 0.0 and opposite["krippendorff_alpha"] == pytest.approx(-0.75)
    assert opposite["note"] == ""


def test_empty_inputs_do_not_crash():
    empty = codings([])
    report = agreement(empty, empty)
    assert report.n_units == 0 and report.per_code.empty
    assert len(report.overall) == 2


# --------------------------------------------------------------------------- units and codes


def test_agreement_per_code_and_overall():
    a = codings([("D1", "1", "X"), ("D1", "2", "X"), ("D1", "3", "Y"), ("D1", "4", "Y")])
    b = codings([("D1", "1", "X"), ("D1", "3", "X"), ("D1", "3", "Y"), ("D1", "5", "Y")])
    report = agreement(a, b)
    assert report.unit == "segment" and report.n_units == 5
    x = report.per_code.set_index("code").loc["X"]
    # units 1..5: A = 1,1,0,0,0; B = 1,0,1,0,0
    assert (x["both"], x["a_only"], x["b_only"], x["neither"]) == (1, 1, 1, 2)
    assert x["percent_agreement"] == pytest.approx(0.6)
    pooled = report.overall.iloc[0]
    assert pooled["decisions"] == 10
    y = report.per_code.set_index("code").loc["Y"]
    assert pooled["percent_agreement"] == pytest.approx((x["both"] + x["neither"] + y["both"] + y["neither"]) / 10)
    mean = report.overall.iloc[1]
    assert mean["cohen_kappa"] == pytest.approx(report.per_code["cohen_kappa"].mean())
    pooled_a = [1, 1, 0, 0, 0, 0, 0, 1, 1, 0]  # X then Y over units 1..5
    pooled_b = [1, 0, 1, 0, 0, 0, 0, 1, 0, 1]
    pa, pb = sum(pooled_a) / 10, sum(pooled_b) / 10
    expected = pa * pb + (1 - pa) * (1 - pb)
    assert pooled["cohen_kappa"] == pytest.approx((0.6 - expected) / (1 - expected))
    assert "Unit: segment" in report.describe()


def test_codebook_lists_unused_codes_and_units_add_agreement_on_absence():
    book = load_codebook(CODEBOOK)
    a = codings([("D1", "1", "IMP.SPACE")])
    b = codings([("D1", "1", "IMP.SPACE"), ("D1", "2", "REL.DSL")])
    report = agreement(a, b, codebook=book)
    assert len(report.per_code) == 30
    unused = report.per_code.set_index("code").loc["SUS.FUNDING"]
    assert math.isnan(unused["cohen_kappa"]) and unused["note"]
    assert unused["name"] == "Funding and cost"
    assert "28 code(s) neither coder used left out" in report.overall.iloc[1]["note"]
    assert report.overall.iloc[0]["codes"] == 2 and report.overall.iloc[0]["decisions"] == 4
    segments = pd.DataFrame({"document": ["D1"] * 6, "segment": [str(i) for i in range(6)]})
    wider = agreement(a, b, codebook=book, units=segments)
    assert wider.n_units == 6 and report.n_units == 2
    assert wider.per_code.set_index("code").loc["IMP.SPACE", "neither"] == 5


def test_documents_only_one_coder_saw_are_left_out():
    a = codings([("D1", "1", "X"), ("D2", "1", "X")])
    b = codings([("D1", "1", "X")])
    report = agreement(a, b)
    assert report.n_units == 1 and report.dropped_documents == {"only_a": 1, "only_b": 0}
    assert "only one coder" in report.universe
    assert agreement(a, b, same_documents=False).n_units == 2


def test_unit_turn_and_document():
    a = codings([("D1", "4.0", "X"), ("D1", "4.2", "Y")])
    b = codings([("D1", "4.2", "X")])
    by_segment = agreement(a, b)
    by_turn = agreement(a, b, unit="turn")
    by_document = agreement(a, b, unit="document")
    assert (by_segment.n_units, by_turn.n_units, by_document.n_units) == (2, 1, 1)
    assert by_turn.per_code.set_index("code").loc["X", "both"] == 1
    with pytest.raises(ValueError):
        agreement(a, b, unit="sentence")


def test_xlsx_report(tmp_path):
    from openpyxl import load_workbook

    a = codings([("D1", "1", "X"), ("D1", "2", "Y")])
    b = codings([("D1", "1", "X")])
    report = agreement(a, b, codes=["X", "Y", "Z"])
    path = write_agreement_xlsx(report, tmp_path / "agreement.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Overall", "Per code", "About"]
    per_code = workbook["Per code"]
    assert per_code.max_row == 4
    header = [c.value for c in per_code[1]]
    z_row = [c.value for c in per_code[4]]
    assert z_row[header.index("Cohen's kappa")] is None  # NaN as a blank cell
    assert "neither coder" in z_row[header.index("note")]
    assert "Unit: segment" in workbook["About"]["B1"].value


# --------------------------------------------------------------------------- CLI


def write_codes(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document", "segment", "code"])
        writer.writerows(rows)
    return path


def test_cli_two_coders(tmp_path, cli):
    a = write_codes(tmp_path / "a.csv", [["D1", "1", "IMP.SPACE"], ["D1", "2", "REL.DSL"], ["D1", "3", "imp.space"]])
    b = write_codes(tmp_path / "b.csv", [["D1", "1", "Space and visibility in school"], ["D1", "2", "REL.STAFF"]])
    before = tree_hashes(tmp_path)
    out = tmp_path / "report" / "agreement.xlsx"
    result = cli("agreement", str(a), str(b), "--codebook", str(CODEBOOK), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "IMP.SPACE" in result.output and "pooled" in result.output
    assert out.exists()
    after = tree_hashes(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before


def test_cli_coder_vs_suggestions_with_corpus(tmp_path, cli):
    from qual.corpus import write_corpus
    from qual.model import Role, Transcript, Turn

    transcript = Transcript(id="D1", source="D1.docx", turns=[
        Turn(i, "P", Role.PARTICIPANT, f"answer number {i} about the office and the DSL") for i in range(6)])
    write_corpus([transcript], tmp_path / "corpus.jsonl")
    suggestions = tmp_path / "codings.csv"
    with open(suggestions, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CODINGS_COLUMNS[:8])
        writer.writerow(["D1", "1", "P", "t", "IMP.SPACE", 0.9, "rules", "suggested"])
        writer.writerow(["D1", "2", "P", "t", "REL.DSL", 0.4, "semantic", "rejected"])
    human = write_codes(tmp_path / "human.csv", [["D1", "1", "IMP.SPACE"]])
    # by default only human decisions count: the suggestions file has none, and says why
    refused = cli("agreement", str(human), str(suggestions))
    assert refused.exit_code == 2 and "1 unreviewed suggestions" in refused.output and "--status all" in refused.output
    result = cli("agreement", str(human), str(suggestions), "--status", "all", "--out", str(tmp_path / "r.xlsx"))
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    about = {row[0].value: row[1].value for row in load_workbook(tmp_path / "r.xlsx")["About"].iter_rows()}
    assert about["units compared"] == 6  # every segment of the corpus beside the codings
    per_code = load_workbook(tmp_path / "r.xlsx")["Per code"]
    codes = [row[0].value for row in per_code.iter_rows(min_row=2)]
    assert codes == ["IMP.SPACE"]  # the rejected suggestion is not counted by default
    counted = cli("agreement", str(human), str(suggestions), "--status", "suggested,rejected,accepted",
                  "--coded-only")
    assert counted.exit_code == 0 and "REL.DSL" in counted.output


def test_cli_errors_exit_2(tmp_path, cli):
    a = write_codes(tmp_path / "a.csv", [["D1", "1", "X"]])
    assert cli("agreement", str(a), str(tmp_path / "missing.csv")).exit_code == 2
    broken = tmp_path / "b.docx"
    broken.write_bytes(b"not a zip")
    result = cli("agreement", str(a), str(broken))
    assert result.exit_code == 2 and "b.docx" in result.output
    assert cli("agreement", str(a), str(a), "--unit", "sentence").exit_code == 2
    assert cli("agreement", str(a), str(a), "--out", str(tmp_path / "r.csv")).exit_code == 2


def _review_sheet(path, decisions: dict, coder: str | None = None):
    """A review sheet: the same machine suggestions, with this reviewer's yes/no decisions."""
    from qual.model import Codings

    rows = []
    for turn in range(20):
        for code in ("IMP.SPACE", "REL.DSL"):
            status = decisions.get((turn, code), "suggested")
            rows.append({"document": "D1", "segment": str(turn), "text": f"turn {turn}", "code": code,
                         "score": 0.8, "source": "rules", "status": status, "turn": turn,
                         "coder": coder if status != "suggested" else None})
    return Codings.from_records(rows).write(path)


def test_only_human_decisions_count_and_the_report_says_what_was_left_out(tmp_path, cli):
    # two reviewers of identical suggestions: counting the suggestions made them agree (0.98)
    a = _review_sheet(tmp_path / "a" / "codings.xlsx",
                      {(0, "IMP.SPACE"): "accepted", (1, "IMP.SPACE"): "accepted", (2, "REL.DSL"): "accepted",
                       (3, "REL.DSL"): "rejected"}, coder="Anna Reviewer")
    b = _review_sheet(tmp_path / "b" / "codings.xlsx",
                      {(0, "IMP.SPACE"): "accepted", (2, "IMP.SPACE"): "accepted", (3, "REL.DSL"): "accepted"},
                      coder="Ben")
    from qual.coding.agreement import compare_files, parse_statuses

    report, sides = compare_files(a, b, coded_only=True)
    assert report.statuses == ("accepted",)
    assert sides[0].left_out == {"suggested": 36, "rejected": 1} and sides[1].left_out == {"suggested": 37}
    assert report.coder_a == "Anna Reviewer" and report.coder_b == "Ben"        # names, not file names
    pooled = report.overall.iloc[0]
    assert pooled["units"] == 4 and pooled["percent_agreement"] <= 0.5
    everything, _ = compare_files(a, b, coded_only=True, statuses=parse_statuses("all"))
    assert everything.overall.iloc[0]["percent_agreement"] > 0.9              # what the suggestions did
    assert "Left out: 36 unreviewed suggestions, 1 rejected codes in A" in report.describe()

    out = tmp_path / "agreement.xlsx"
    result = cli("agreement", a, b, "--coded-only", "--out", out)
    assert result.exit_code == 0, result.output
    assert "not counted: 36 unreviewed suggestions, 1 rejected codes in A; 37 unreviewed suggestions in B" \
        in " ".join(result.output.split())
    from openpyxl import load_workbook

    about = {row[0].value: row[1].value for row in load_workbook(out)["About"].iter_rows()}
    assert about["statuses counted"].startswith("human decisions only")
    assert about["left out"] == "36 unreviewed suggestions, 1 rejected codes in A; 37 unreviewed suggestions in B"
    assert about["coder A"].startswith("Anna Reviewer (from ") and about["coder B"].startswith("Ben (from ")


def test_without_coder_names_the_files_tell_the_coders_apart(tmp_path):
    from qual.coding.agreement import compare_files

    a = _review_sheet(tmp_path / "a" / "codings.xlsx", {(0, "IMP.SPACE"): "accepted"})
    b = _review_sheet(tmp_path / "b" / "codings.xlsx", {(0, "IMP.SPACE"): "accepted"})
    report, _ = compare_files(a, b, coded_only=True)
    assert (report.coder_a, report.coder_b) == (str(a), str(b))
