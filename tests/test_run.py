"""`qual run`: the whole pipeline on the sample corpus, what lands inside and outside the
output folder, failures that do not stop the batch, and summaries kept across runs."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import CODEBOOK, SAMPLES, tree_hashes

from qual.errors import QualError, UnsafeOutputError

PASSPHRASE = "test passphrase for the sample key"


def _need_samples() -> None:
    if not (SAMPLES / "participants.xlsx").exists() or not CODEBOOK.exists():
        pytest.skip("the sample corpus or the codebook is not there")


def sheet_identifiers() -> set[str]:
    """Names, schools, local authorities and interviewers in the (identifiable) participants sheet."""
    sheet = pd.read_excel(SAMPLES / "participants.xlsx", dtype=str)
    values: set[str] = set()
    for column in ("name", "school", "local_authority", "interviewer"):
        if column in sheet.columns:
            for value in sheet[column].dropna():
                values.update(part.strip() for part in str(value).split(";") if len(part.strip()) > 3)
    return values


def workbook_text(path: Path) -> str:
    workbook = openpyxl.load_workbook(path)
    return "\n".join(str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(n).decode("utf-8", "ignore") for n in archive.namelist()
                         if n.endswith(".xml"))


# --------------------------------------------------------------------------- refusals (fast)


def test_identifiable_files_are_refused_inside_the_output_folder(cli, tmp_path):
    _need_samples()
    out = tmp_path / "out"
    result = cli("run", SAMPLES, "--codebook", CODEBOOK, "--out", out, "--key", out / "swis.key",
                 env={"QUAL_KEY_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 2
    assert "the pseudonym key is identifiable and may not be written inside the output folder" in result.output
    assert not out.exists()
    result = cli("run", SAMPLES, "--codebook", CODEBOOK, "--out", out, "--review", out / "sub" / "review.xlsx")
    assert result.exit_code == 2 and "review sheet" in result.output


def test_inputs_inside_the_output_folder_and_missing_inputs_are_refused(tmp_path):
    from qual.pipeline import run_pipeline

    _need_samples()
    (tmp_path / "in").mkdir()
    with pytest.raises(QualError, match="inside the output folder"):
        run_pipeline(tmp_path / "in", CODEBOOK, tmp_path)
    with pytest.raises(QualError, match="does not exist"):
        run_pipeline(tmp_path / "nowhere", CODEBOOK, tmp_path / "out")
    with pytest.raises(UnsafeOutputError):
        run_pipeline(tmp_path / "in", CODEBOOK, tmp_path / "out", key_path=tmp_path / "out" / "k.key")


def test_an_open_matrix_is_refused_before_any_work(tmp_path):
    from qual.pipeline import run_pipeline

    _need_samples()
    out = tmp_path / "out"
    out.mkdir()
    (out / "~$framework.xlsx").write_text("lock")
    with pytest.raises(QualError, match="open in Excel or LibreOffice"):
        run_pipeline(SAMPLES, CODEBOOK, out)
    assert sorted(p.name for p in out.iterdir()) == ["~$framework.xlsx"]


def test_a_reviewers_decisions_are_carried_into_the_next_run(tmp_path):
    from test_matrix import sample_codings

    from qual.coding.review import previous_decisions

    coding = tmp_path / "coding"
    coding.mkdir()
    assert previous_decisions(coding) is None
    codings = sample_codings()
    codings.loc[0, "status"] = "accepted"
    codings.loc[1, "status"] = "rejected"
    codings.to_csv(coding / "codings.csv", index=False)
    decisions = previous_decisions(coding)
    assert sorted(decisions["status"]) == ["accepted", "rejected", "rejected"]  # row 9 was rejected already
    assert set(decisions["segment"]) == {"1", "3", "7"}


def test_peak_memory_is_measured():
    from qual.pipeline import peak_rss_mb

    assert 10 < peak_rss_mb() < 100_000


# --------------------------------------------------------------------------- end to end (slow)


@pytest.fixture(scope="module")
def sample_run(cli, tmp_path_factory):
    """`qual run` once on a copy of the samples plus one broken file, with a key and a review
    sheet outside the output folder: (inputs, out, secure folder, result, input hashes)."""
    _need_samples()
    tmp_path = tmp_path_factory.mktemp("run")
    inputs = tmp_path / "interviews"
    shutil.copytree(SAMPLES, inputs)
    (inputs / "SWIS_XX99_broken.docx").write_bytes(b"PK\x03\x04 not a real Word file")
    before = tree_hashes(inputs)
    out = tmp_path / "out"
    secure = tmp_path / "secure"
    secure.mkdir()
    args = ["run", str(inputs), "--codebook", str(CODEBOOK), "--out", str(out), "--key", str(secure / "swis.key"),
            "--review", str(secure / "review.xlsx")]
    result = cli(*args, env={"QUAL_KEY_PASSPHRASE": PASSPHRASE})
    return inputs, out, secure, result, before


@pytest.mark.slow
def test_qual_run_end_to_end_on_the_samples(sample_run):
    inputs, out, secure, result, before = sample_run
    key = secure / "swis.key"

    # one bad file: named on one line, the rest went through, the exit code says so
    assert result.exit_code == 1, result.output
    assert "SWIS_XX99_broken.docx" in result.output and "1 input(s) failed" in result.output
    assert tree_hashes(inputs) == before  # inputs are never modified

    # what the issue asks for, inside OUT
    assert len(list((out / "transcripts").glob("*.docx"))) == 8
    for name in ("coding/codings.csv", "coding/codings.xlsx", "framework.xlsx", "report.docx", "heatmap.png",
                 "project.qdpx", "run_summary.csv"):
        assert (out / name).is_file(), name
    stages = pd.read_csv(out / "run_summary.csv")
    assert list(stages["stage"]) == ["ingest", "de-identify", "code", "matrix", "heatmap", "report", "qdpx"]
    assert set(stages["status"]) == {"done"}

    # the identifiable side stays outside OUT, and OUT holds no raw material
    assert key.is_file() and (secure / "review.xlsx").is_file()
    assert not [p for p in out.rglob("*") if p.suffix in (".key", ".enc") or p.name == "review.xlsx"]
    identifiers = sheet_identifiers()
    assert identifiers
    texts = {"framework.xlsx": workbook_text(out / "framework.xlsx"),
             "report.docx": docx_text(out / "report.docx"),
             "run_summary.csv": (out / "run_summary.csv").read_text(encoding="utf-8")}
    for name, text in texts.items():
        leaked = [value for value in identifiers if value in text]
        assert not leaked, f"{name} holds {len(leaked)} value(s) of the participants sheet"
    for value in identifiers:
        assert value not in result.output

    # the matrix: cases grouped by role, codes of the codebook, references back to the transcripts
    workbook = openpyxl.load_workbook(out / "framework.xlsx")
    first = workbook.worksheets[0]
    assert [c.value for c in first[3]][:4] == ["Case", "Role", "Local authority", "Trial arm"]
    cases = [first.cell(row=r, column=1).value for r in range(4, first.max_row + 1)]
    assert cases[0] == "All SW" and "All TM" in cases and len([c for c in cases if not c.startswith("All")]) == 8
    local_authorities = {first.cell(row=r, column=3).value for r in range(4, first.max_row + 1)} - {None}
    assert local_authorities and all(v.startswith("[") for v in local_authorities)

    # re-running keeps the analyst's summary and, with the same key, the same cases
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[3]]
    column = next(i for i, v in enumerate(header, 1) if str(v).startswith("Summary: "))
    case_row = cases.index(next(c for c in cases if not c.startswith("All"))) + 4
    sheet.cell(row=case_row, column=column, value="Analyst's summary that must survive.")
    workbook.save(out / "framework.xlsx")
    from qual.pipeline import run_pipeline

    again = run_pipeline(inputs, CODEBOOK, out, key_path=key, passphrase=PASSPHRASE, embedder="static",
                         report=False, qdpx=False)
    from qual.export import read_summaries

    summaries = read_summaries(out / "framework.xlsx")
    assert list(summaries["summary"]) == ["Analyst's summary that must survive."]
    assert not summaries["orphaned"].any()
    assert again.failures and "SWIS_XX99_broken.docx" in str(again.failures[0])


@pytest.mark.slow
def test_qual_check_passes_on_the_run_output(sample_run):
    from qual.check import check_paths

    _, out, _, result, _ = sample_run
    assert result.exit_code in (0, 1), result.output
    checked = check_paths([out])
    assert checked.exit_code == 0, f"{len(checked.failing)} failing findings"
