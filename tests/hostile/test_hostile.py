"""The fixed hostile corpus (``make_hostile.py``) through the commands a batch runs:
``qual ingest``, ``qual deidentify`` and ``qual check``.

What must hold for every file: the command either reads it or refuses it with one line that
names the file and says what to do; nothing crashes (no traceback, no "internal error");
the batch goes on with the other files and says by its exit code that something failed;
time and peak memory stay bounded; inputs are unchanged; and the identifiers planted in the
awkward-but-valid files (zero-width characters and soft hyphens inside names, ALL CAPS,
cp1252, right-to-left scripts, emoji) never reach a console or a de-identified output.

The big cases (2 GB zip bomb, overlapping bomb, 100 MB transcripts, a million-row sheet)
are marked ``slow``; each must be refused or read in under a minute and a gigabyte.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import tree_hashes

sys.path.insert(0, str(Path(__file__).parent))
import make_hostile as hostile  # noqa: E402
from harness import LeakFinder, masked, normalise, run_qual  # noqa: E402

# Bounds for the whole small corpus in one command, and for one big case.
BATCH_SECONDS, BATCH_MB = 180, 1024
BIG_SECONDS, BIG_MB = 60, 1024

SMALL = [c for c in hostile.hostile_cases(Path("/")) if not c.big]
BIG = [c for c in hostile.hostile_cases(Path("/")) if c.big]
TRANSCRIPTS = [c for c in SMALL if hostile.TRANSCRIPT in c.readers]
PLANTED = [c for c in TRANSCRIPTS if c.expect == hostile.READ and c.names]

# Names planted in the right-to-left case, in Arabic and Hebrew script.
RTL_NAMES = ("\u0641\u0627\u0637\u0645\u0629 \u0627\u0644\u0632\u0647\u0631\u0627\u0621", "\u05d9\u05d5\u05e1\u05e3")


def planted_names(case: hostile.HostileCase) -> tuple[str, ...]:
    return case.names + (RTL_NAMES if case.name == "rtl.txt" else ())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The small cases that are transcripts, alone in a folder, as a batch would meet them."""
    built = tmp_path_factory.mktemp("hostile_all")
    hostile.make_hostile(built)
    folder = tmp_path_factory.mktemp("hostile_transcripts")
    for case in TRANSCRIPTS:
        shutil.copy(case.path(built), folder / case.name)
    return folder


@pytest.fixture(scope="module")
def ingested(corpus: Path, tmp_path_factory):
    before = tree_hashes(corpus)
    out = tmp_path_factory.mktemp("hostile_raw")
    result = run_qual(["-vv", "ingest", corpus, "-o", out], timeout=BATCH_SECONDS * 2)
    return result, out, before, tree_hashes(corpus)


@pytest.fixture(scope="module")
def deidentified(corpus: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile_deid")
    result = run_qual(["-vv", "deidentify", corpus, "-o", out, "--workers", "1"], timeout=BATCH_SECONDS * 2)
    return result, out


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^(error|failed):", line)]


def test_ingest_reads_or_refuses_every_file_in_one_batch(ingested, corpus: Path):
    result, out, before, after = ingested
    assert not result.timed_out and not result.crashed(), result.describe()
    assert result.returncode == 1, "some files are refused, so the exit code must say so\n" + result.describe()
    assert result.seconds < BATCH_SECONDS and result.peak_rss_mb < BATCH_MB, result.describe()
    assert before == after, "ingest modified its inputs"
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as handle:
        status = {Path(row["file"]).name: row for row in csv.DictReader(handle)}
    assert set(status) == {c.name for c in TRANSCRIPTS}, "a file vanished from the batch"
    errors = error_lines(result.stderr)
    for case in TRANSCRIPTS:
        row = status[case.name]
        if case.expect == hostile.READ:
            assert row["status"] == "ok", f"{case.name} ({case.what}) was refused: {row['error']}"
        if case.expect == hostile.REFUSED:
            assert row["status"] == "failed", f"{case.name} ({case.what}) was read; it must be refused"
        if row["status"] == "failed":
            mine = [line for line in errors if f"{corpus / case.name}:" in line]
            assert len(mine) == 1, f"{case.name}: expected one error line naming the file, got {mine}"
            assert "\n" not in row["error"] and str(corpus / case.name) in row["error"]
            if case.message:
                assert re.search(case.message, mine[0], re.IGNORECASE), f"{case.name}: {mine[0]}"
    assert (out / "corpus.jsonl").exists(), "the readable files must still be written"


def test_ingest_prints_no_planted_name(ingested):
    result = ingested[0]
    finder = LeakFinder(name for case in TRANSCRIPTS for name in planted_names(case))
    leaks = finder.find(result.output)
    assert not leaks, f"ingest printed {masked(leaks)}"


def test_deidentify_goes_through_the_batch(deidentified, corpus: Path):
    result, out = deidentified
    assert not result.timed_out and not result.crashed(), result.describe()
    assert result.returncode == 1, result.describe()
    assert result.seconds < BATCH_SECONDS and result.peak_rss_mb < BATCH_MB, result.describe()
    refused = {c.name for c in TRANSCRIPTS if c.expect == hostile.REFUSED}
    failed = {line.split(": ", 1)[1].split(":", 1)[0] for line in error_lines(result.stderr)}
    assert {str(corpus / name) for name in refused} <= failed
    finder = LeakFinder(name for case in TRANSCRIPTS for name in planted_names(case))
    assert not finder.find(result.output), "deidentify printed a planted name"


@pytest.mark.parametrize("case", PLANTED + [c for c in TRANSCRIPTS if c.name == "rtl.txt"], ids=lambda c: c.name)
def test_planted_names_never_reach_the_deidentified_output(deidentified, case):
    """After removing invisible characters and folding case, no planted name (nor any of its
    words) is in any de-identified file."""
    _, out = deidentified
    words = {w for name in planted_names(case) for w in normalise(name).split() if len(w) > 2}
    for path in out.iterdir():
        if path.suffix not in (".txt", ".jsonl"):
            continue
        text = normalise(path.read_text(encoding="utf-8"))
        found = sorted(w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text))
        assert not found, f"{path.name} still holds {masked(found)} planted in {case.name} ({case.what})"


def test_qual_check_passes_on_the_deidentified_output(deidentified):
    _, out = deidentified
    result = run_qual(["check", out, "--no-ner", "-j", "1"], timeout=BATCH_SECONDS)
    assert not result.crashed() and not result.timed_out, result.describe()
    assert result.returncode == 0, result.describe()


def test_check_reads_or_refuses_the_whole_hostile_corpus(tmp_path: Path):
    """Every small case, spreadsheets and projects too, in one ``qual check`` run."""
    hostile.make_hostile(tmp_path)
    before = tree_hashes(tmp_path)
    result = run_qual(["-vv", "check", tmp_path, "--no-ner"], timeout=BATCH_SECONDS * 2)
    assert not result.timed_out and not result.crashed(), result.describe()
    assert result.returncode == 2, "unreadable files must make the check exit 2\n" + result.describe()
    assert result.seconds < BATCH_SECONDS and result.peak_rss_mb < BATCH_MB, result.describe()
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    for case in SMALL:
        if hostile.CHECKED in case.readers and (case.check_expect or case.expect) == hostile.REFUSED:
            mine = [line for line in errors if f"{tmp_path / case.name}:" in line]
            assert len(mine) == 1, f"{case.name} ({case.what}): {mine or 'no error line'}"
    assert "XXESECRETMARKER" not in result.output
    assert tree_hashes(tmp_path) == before


def test_participants_sheet_with_formulas_is_read_as_text_or_refused(tmp_path: Path):
    hostile.make_hostile(tmp_path, only=["participants_formula.xlsx"])
    (tmp_path / "H01_interview.txt").write_text(hostile.transcript_text(
        [(t.split(": ", 1)[0], t.split(": ", 1)[1]) for t in hostile.GOOD_TURNS]), encoding="utf-8")
    result = run_qual(["ingest", tmp_path / "H01_interview.txt", "-p", tmp_path / "participants_formula.xlsx",
                       "-o", tmp_path / "out"], timeout=120)
    assert not result.crashed() and result.returncode in (0, 2), result.describe()
    if result.returncode == 0:  # formulas are never evaluated: without a cached value a cell is empty
        import json

        [record] = [json.loads(line) for line in (tmp_path / "out" / "corpus.jsonl").read_text().splitlines()]
        assert record["id"] == "H01" and not record["attributes"].get("local_authority")


# ----------------------------------------------------------------------------------- big cases


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_big")
    hostile.make_hostile(folder, big=True, only=[c.name for c in BIG])
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in BIG if hostile.TRANSCRIPT in c.readers], ids=lambda c: c.name)
def test_big_transcript_input_is_refused_or_read_within_bounds(big_corpus: Path, case, tmp_path: Path):
    result = run_qual(["ingest", case.path(big_corpus), "-o", tmp_path / "out"], timeout=BIG_SECONDS * 3)
    assert not result.timed_out and not result.crashed(), result.describe()
    assert result.seconds < BIG_SECONDS, f"{case.name}: {result.seconds:.0f} s\n{result.describe()}"
    assert result.peak_rss_mb < BIG_MB, f"{case.name}: {result.peak_rss_mb:.0f} MB\n{result.describe()}"
    if case.expect == hostile.REFUSED or result.returncode:
        assert result.returncode == 1, result.describe()
        lines = error_lines(result.stderr)
        assert len(lines) == 1 and str(case.path(big_corpus)) in lines[0], result.describe()
        assert re.search(case.message, lines[0], re.IGNORECASE), lines[0]


@pytest.mark.slow
def test_million_row_participants_sheet_is_refused_or_read_within_bounds(big_corpus: Path, tmp_path: Path):
    transcript = tmp_path / "H01_interview.txt"
    transcript.write_text("\n".join(hostile.GOOD_TURNS) + "\n", encoding="utf-8")
    result = run_qual(["ingest", transcript, "-p", big_corpus / "participants_1m_rows.xlsx", "-o", tmp_path / "out"],
                      timeout=BIG_SECONDS * 3)
    assert not result.timed_out and not result.crashed(), result.describe()
    assert result.seconds < BIG_SECONDS and result.peak_rss_mb < BIG_MB, result.describe()
    assert result.returncode in (0, 2), result.describe()
    if result.returncode == 2:
        assert "participants_1m_rows.xlsx" in result.stderr and re.search(r"rows|MB", result.stderr), result.stderr


BIG_WORKBOOK_READERS = {
    "qual codebook validate": ["codebook", "validate", "{sheet}"],
    "qual agreement": ["agreement", "{sheet}", "{sheet}"],
    "qual deidentify --decisions": ["deidentify", "{transcript}", "-o", "{out}", "--decisions", "{sheet}"],
    "qual deidentify --column": ["deidentify", "{sheet}", "-o", "{out}", "--column", "name", "--workers", "1"],
    "qual code --accept": ["code", "--accept", "{sheet}", "-o", "{out}"],
    "qual matrix (existing workbook)": ["matrix", "{codings}", "-o", "{sheet_copy}"],
    "qual check": ["check", "{sheet}", "--no-ner", "-j", "1"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(BIG_WORKBOOK_READERS))
def test_every_workbook_reader_bounds_a_million_row_sheet(big_corpus: Path, tmp_path: Path, command: str):
    """Each command that reads a user's .xlsx, given the million-row sheet: refused or read
    in under a minute and a gigabyte."""
    transcript = tmp_path / "H01_interview.txt"
    transcript.write_text("\n".join(hostile.GOOD_TURNS) + "\n", encoding="utf-8")
    codings = tmp_path / "codings.csv"
    codings.write_text("document,segment,code,status\nH01,H01-1,IMP.SPACE,accepted\n", encoding="utf-8")
    sheet = big_corpus / "participants_1m_rows.xlsx"
    copy = tmp_path / "framework.xlsx"
    shutil.copy(sheet, copy)
    values = {"sheet": sheet, "transcript": transcript, "out": tmp_path / "out", "codings": codings,
              "sheet_copy": copy}
    result = run_qual([a.format(**values) for a in BIG_WORKBOOK_READERS[command]], timeout=BIG_SECONDS * 2)
    assert not result.timed_out, f"{command} took over {BIG_SECONDS * 2} s on a million-row sheet"
    assert not result.crashed(), result.describe()
    assert result.seconds < BIG_SECONDS, f"{command}: {result.seconds:.0f} s\n{result.describe()}"
    assert result.peak_rss_mb < BIG_MB, f"{command}: {result.peak_rss_mb:.0f} MB\n{result.describe()}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["zip_bomb.docx", "overlap_bomb.docx", "huge_100mb.docx", "huge_100mb.txt"])
def test_qual_check_bounds_big_inputs(big_corpus: Path, name: str):
    result = run_qual(["check", big_corpus / name, "--no-ner", "-j", "1"], timeout=BIG_SECONDS * 2)
    assert not result.timed_out, f"qual check took over {BIG_SECONDS * 2} s on {name}"
    assert not result.crashed(), result.describe()
    assert result.seconds < BIG_SECONDS and result.peak_rss_mb < BIG_MB, \
        f"qual check on {name}: {result.seconds:.0f} s, {result.peak_rss_mb:.0f} MB"
    # a gate that cannot read a file fails the build: exit 2, one line naming the file
    assert result.returncode == 2, result.describe()
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and name in lines[0], result.describe()
