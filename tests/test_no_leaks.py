"""No identifier in any log: every ``qual`` command, at its most verbose, on the sample corpus.

Each command runs as a child process with ``-vv`` and ``PYTHONWARNINGS=always`` on the RAW
sample transcripts (where a command takes transcripts: a command that logged text would then
print names, which on de-identified input would go unnoticed), and its stdout, stderr and
every log file it writes are searched for every gold identifier (``tests/gold``: turns,
speaker labels, headers/footers/comments/properties, participants' attributes). No command is
designed to print raw data; ``qual check`` is designed to find identifiers and must show
them masked.

The commands are enumerated from the CLI itself: a new command without a recipe here fails
``test_every_command_is_covered`` rather than passing in silence. Every run also proves its
inputs unchanged (sha256 before and after) and that nothing crashed.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import CODEBOOK, GOLD, SAMPLES

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from harness import Finished, LeakFinder, TreeSnapshot, gold_identifiers, masked, qual_env, run_qual  # noqa: E402

pytestmark = pytest.mark.slow


@dataclass
class Step:
    """One ``qual`` invocation of a recipe: argv with ``{w}`` (workspace) and ``{samples}``
    placeholders, the inputs it must leave unchanged, and the exit codes that are fine."""

    args: list[str]
    inputs: list[str]
    ok: tuple[int, ...] = (0,)
    result: Finished | None = None
    changes: list[str] = field(default_factory=list)


def recipes() -> dict[str, list[Step]]:
    """Per command, the runs that exercise it; in the order they run (later ones read what
    earlier ones wrote). Options are chosen to reach every reader and writer the command has."""
    key = ["--key", "{w}/secure/swis.qualkey"]
    return {
        "ingest": [
            Step(["ingest", "{samples}", "-o", "{w}/raw"], ["{samples}"]),
        ],
        "deidentify": [
            Step(["deidentify", "{samples}", "-o", "{w}/deid", *key, "--review", "{w}/secure/review.xlsx",
                  "--participants", "{samples}/participants.xlsx"], ["{samples}"]),
            Step(["deidentify", "{samples}", "-o", "{w}/deid_surrogates", *key, "--surrogates",
                  "--decisions", "{w}/secure/review.xlsx", "--speaker-labels", "role"],
                 ["{samples}", "{w}/secure/review.xlsx"]),
            Step(["deidentify", "{w}/inputs/survey.csv", "-o", "{w}/deid_survey", "--column", "comment",
                  "--workers", "1"], ["{w}/inputs"]),
        ],
        "check": [
            Step(["check", "{samples}", "--no-ner"], ["{samples}"], ok=(1,)),
            Step(["check", "{samples}", "--format", "json", "--mask", "initial", "--show-all"], ["{samples}"],
                 ok=(1,)),
            Step(["check", "{samples}", "--format", "sarif", "--strict", "-j", "1"], ["{samples}"], ok=(1, 2)),
            Step(["check", "{w}/deid", *key, "--show-all"], ["{w}/deid", "{w}/secure/swis.qualkey"], ok=(0, 1)),
        ],
        "code": [
            Step(["code", "{w}/raw/corpus.jsonl", "-c", "{codebook}", "-o", "{w}/coded", "--embedder", "static"],
                 ["{w}/raw", "{codebook}"]),
            # the reviewed sheet is read from outside OUT: 'qual code' regenerates OUT/codings.xlsx
            Step(["code", "--accept", "{w}/review/codings.xlsx", "-o", "{w}/coded"], ["{w}/review"]),
        ],
        "matrix": [
            Step(["matrix", "{w}/coded/codings.csv", "-o", "{w}/matrix/framework.xlsx", "--participants",
                  "{samples}/participants.xlsx", "--corpus", "{w}/raw/corpus.jsonl", "--report",
                  "{w}/matrix/report.docx", "--heatmap", "{w}/matrix/heatmap.png", "--status", "all"],
                 ["{samples}", "{w}/coded/codings.csv", "{w}/raw"]),
            # again onto the workbook it wrote: the summaries reader runs too
            Step(["matrix", "{w}/coded/codings.csv", "-o", "{w}/matrix/framework.xlsx", "--corpus",
                  "{w}/raw/corpus.jsonl", "--status", "all"], ["{w}/coded/codings.csv", "{w}/raw"]),
        ],
        "export-qdpx": [
            Step(["export-qdpx", "{w}/coded/codings.csv", "-o", "{w}/refi/project.qdpx", "--corpus",
                  "{w}/raw/corpus.jsonl", "--participants", "{samples}/participants.xlsx", "--summaries",
                  "{w}/matrix/framework.xlsx", "--status", "all"],
                 ["{samples}", "{w}/coded/codings.csv", "{w}/raw", "{w}/matrix/framework.xlsx"], ok=(0, 1)),
        ],
        "export-qdc": [
            Step(["export-qdc", "{codebook}", "-o", "{w}/refi/codebook.qdc"], ["{codebook}"]),
        ],
        "import-qdpx": [
            Step(["import-qdpx", "{w}/refi/project.qdpx", "-o", "{w}/imported", "--problems"],
                 ["{w}/refi/project.qdpx"]),
        ],
        "validate-qdpx": [
            Step(["validate-qdpx", "{w}/refi/project.qdpx"], ["{w}/refi/project.qdpx"]),
            Step(["validate-qdpx", "{w}/refi/codebook.qdc"], ["{w}/refi/codebook.qdc"]),
        ],
        "agreement": [
            # qual's suggestions against the imported codes: suggestions count with --status all
            Step(["agreement", "{w}/coded/codings.csv", "{w}/imported/codings.csv", "--out",
                  "{w}/agreement.xlsx", "--corpus", "{w}/raw/corpus.jsonl", "--status", "all"],
                 ["{w}/coded/codings.csv", "{w}/imported/codings.csv", "{w}/raw"], ok=(0, 1)),
            # a Word file whose comments hold codes - and, in SW01, a child's name
            # a Word file whose comments hold codes - and, in SW01, a child's name; its one comment
            # is no code, so "no codes to compare" (exit 2) is the right answer
            Step(["agreement", "{samples}/SWIS_SW01_interview.docx", "{w}/coded/codings.csv", "--codebook",
                  "{codebook}", "--corpus", "{w}/raw/corpus.jsonl"],
                 ["{samples}", "{w}/coded/codings.csv", "{w}/raw"], ok=(0, 1, 2)),
        ],
        "codebook": [
            Step(["codebook", "validate", "{codebook}"], ["{codebook}"]),
            Step(["codebook", "convert", "{codebook}", "{w}/codebook/swis.xlsx"], ["{codebook}"]),
            Step(["codebook", "convert", "{w}/codebook/swis.xlsx", "{w}/codebook/swis.yaml"],
                 ["{w}/codebook/swis.xlsx"]),
            Step(["codebook", "show", "{codebook}", "--examples"], ["{codebook}"]),
        ],
        "run": [
            Step(["run", "{samples}", "-c", "{codebook}", "-o", "{w}/run", "--key", "{w}/secure/run.qualkey",
                  "--review", "{w}/secure/run_review.xlsx", "--embedder", "static"], ["{samples}", "{codebook}"]),
        ],
        "app": [
            # coded from the raw corpus: identifiable, so refused in one line that names the file
            Step(["app", "{w}/coded", "--export"], ["{w}/coded"], ok=(2,)),
            # the de-identified run output: the store is built and every file exported from it
            Step(["app", "{w}/run", "--export"], ["{w}/run/transcripts"]),
        ],
    }


def cli_commands() -> set[str]:
    """The command names the CLI offers, read from the typer application itself."""
    import typer

    from qual.cli import _register, app

    _register()
    return set(typer.main.get_command(app).commands)


def survey_rows() -> list[dict[str, str]]:
    """Free-text answers made of the sample turns that hold identifiers."""
    rows = []
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        for turn in gold["turns"]:
            if turn["identifiers"] and len(rows) < 40:
                rows.append({"id": str(len(rows) + 1), "comment": turn["text"]})
    return rows


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> dict[str, list[Step]]:
    """Runs every recipe once; the tests below read what happened."""
    root = tmp_path_factory.mktemp("no_leaks")
    samples = root / "transcripts_sample"
    shutil.copytree(SAMPLES, samples)   # a private copy: hash changes are this run's alone
    (root / "secure").mkdir()
    (root / "inputs").mkdir()
    with open(root / "inputs" / "survey.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "comment"])
        writer.writeheader()
        writer.writerows(survey_rows())
    values = {"w": str(root), "samples": str(samples), "codebook": str(CODEBOOK)}
    plan = recipes()
    env = qual_env()
    for command, steps in plan.items():
        for step in steps:
            if step.args[:2] == ["code", "--accept"]:
                (root / "review").mkdir(exist_ok=True)
                shutil.copy(root / "coded" / "codings.xlsx", root / "review" / "codings.xlsx")
            args = ["-vv"] + [a.format(**values) for a in step.args]
            inputs = [i.format(**values) for i in step.inputs]
            before = TreeSnapshot.take([i for i in inputs if Path(i).exists()])
            step.result = run_qual(args, cwd=root, env=env, timeout=900)
            step.changes = before.changes(TreeSnapshot.take(before.roots))
    plan["_root"] = root  # type: ignore[assignment]
    return plan


def test_every_command_is_covered():
    missing = sorted(cli_commands() - set(recipes()))
    assert not missing, "; ".join(f"command {name} not covered by tests/test_no_leaks.py" for name in missing)


@pytest.mark.parametrize("command", sorted(recipes()))
def test_no_identifier_in_console_output(workspace, command):
    finder = LeakFinder(gold_identifiers())
    for step in workspace[command]:
        result = step.result
        leaks = finder.find(result.stdout) + finder.find(result.stderr)
        assert not leaks, f"qual {' '.join(result.args)} printed {len(leaks)} identifier(s): {masked(leaks)}"


@pytest.mark.parametrize("command", sorted(recipes()))
def test_command_ran_without_crashing(workspace, command):
    for step in workspace[command]:
        result = step.result
        assert not result.timed_out, result.describe()
        assert not result.crashed(), result.describe()
        assert result.returncode in step.ok, result.describe()


@pytest.mark.parametrize("command", sorted(recipes()))
def test_inputs_unchanged(workspace, command):
    for step in workspace[command]:
        assert not step.changes, f"qual {' '.join(step.result.args)} modified its inputs: {step.changes}"


def test_no_identifier_in_log_files(workspace):
    """Every log a run leaves beside its outputs (deid_log.csv, run summaries, *.log)."""
    root: Path = workspace["_root"]  # type: ignore[assignment]
    finder = LeakFinder(gold_identifiers())
    logs = [p for p in root.rglob("*") if p.is_file() and ("log" in p.name.lower() or p.suffix == ".log"
                                                            or p.name == "run_summary.csv")]
    assert any(p.name == "deid_log.csv" for p in logs), "deidentify wrote no deid_log.csv"
    for path in logs:
        leaks = finder.find(path.read_text(encoding="utf-8", errors="replace"))
        assert not leaks, f"{path} holds {len(leaks)} identifier(s): {masked(leaks)}"


def test_check_on_raw_samples_found_identifiers_but_showed_them_masked(workspace):
    """The command made to find identifiers finds them (exit 1) and still prints none."""
    first = workspace["check"][0].result
    assert first.returncode == 1 and "PERSON" in first.stdout, first.describe()
    report = json.loads(workspace["check"][1].result.stdout)
    assert report, "the JSON report is empty"
