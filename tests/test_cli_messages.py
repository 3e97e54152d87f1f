"""What a new user reads (issue 15, items 6-8): the reason for every file that cannot be read,
an empty folder called empty, progress per coding step, log lines through the console that
draws the bars, --version, examples in --help, and what to run after `qual code --accept`."""

from __future__ import annotations

import io
import logging

import numpy as np
import pandas as pd
import pytest

from conftest import CODEBOOK

BROKEN = b"PK\x03\x04 not a real Word file"
REASON = "not a valid zip-based document (corrupt or truncated)"


@pytest.fixture
def folders(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "SW01_interview.docx").write_bytes(BROKEN)
    return empty, broken


@pytest.mark.parametrize("command", ["ingest", "deidentify", "code", "run"])
def test_an_empty_folder_says_it_is_empty(folders, tmp_path, cli, command):
    empty, _ = folders
    args = [command, empty, "--out", tmp_path / "out"]
    if command in ("code", "run"):
        args += ["--codebook", CODEBOOK]
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert f"{empty}: is empty; there is nothing to read" in result.output


def test_check_says_an_empty_folder_is_empty(folders, cli):
    empty, _ = folders
    result = cli("check", empty)
    assert result.exit_code == 0 and f"{empty}: is empty; there is nothing to check" in result.output


@pytest.mark.parametrize("command", ["ingest", "deidentify", "code", "run"])
def test_every_command_gives_the_reason_of_each_file_it_cannot_read(folders, tmp_path, cli, command):
    _, broken = folders
    args = [command, broken, "--out", tmp_path / "out"]
    if command in ("code", "run"):
        args += ["--codebook", CODEBOOK]
    result = cli(*args)
    assert result.exit_code in (1, 2), result.output
    output = " ".join(result.output.split())
    assert f"{broken / 'SW01_interview.docx'}: {REASON}" in output     # which file, why, what to do
    assert "re-save or re-export it" in output


def test_the_library_error_carries_each_failure(folders, tmp_path):
    from qual.errors import NothingReadError
    from qual.pipeline import run_pipeline

    _, broken = folders
    with pytest.raises(NothingReadError) as caught:
        run_pipeline([broken], CODEBOOK, tmp_path / "out")
    assert len(caught.value.failures) == 1 and REASON in str(caught.value.failures[0])
    assert "1 file(s) failed" in str(caught.value)


def test_version_and_examples_in_help(cli):
    from qual import __version__

    version = cli("--version")
    assert version.exit_code == 0 and version.output.strip() == f"qual {__version__}"
    for command in ("run", "code"):
        text = cli(command, "--help").output
        assert "Examples:" in text and f"qual {command} " in text.split("Examples:")[1]
    assert "qual code --accept coded/codings.xlsx" in cli("code", "--help").output


class _CountingEmbedder:
    name = "counting"

    def encode(self, texts):
        return np.ones((len(texts), 4), dtype=np.float32)


def test_the_coding_stage_reports_each_step_and_embedding_progress():
    from qual.coding.pipeline import code_transcripts, embed_segments
    from qual.coding.codebook import load_codebook
    from qual.model import Role, Transcript, Turn

    steps: list[tuple[str, int, int | None]] = []
    segments = pd.DataFrame({"text": [f"answer {i}" for i in range(600)], "question": [""] * 600})
    answers, _ = embed_segments(segments, _CountingEmbedder(), lambda *a: steps.append(a))
    assert answers.shape == (600, 4)
    assert steps == [("embedding 256 of 600 segments", 256, 600), ("embedding 512 of 600 segments", 512, 600),
                     ("embedding 600 of 600 segments", 600, 600)]

    steps.clear()
    turns = [Turn(i, "I" if i % 2 == 0 else "R", Role.INTERVIEWER if i % 2 == 0 else Role.PARTICIPANT,
                  "How was the office?" if i % 2 == 0 else "My office was next to the DSL's, it helped.")
             for i in range(6)]
    code_transcripts([Transcript("T1", "t", turns)], load_codebook(CODEBOOK), suggesters=("rules",),
                     progress=lambda *a: steps.append(a))
    names = [s[0] for s in steps]
    assert names[0] == "segmenting the transcripts" and "suggesting: rules" in names
    assert "combining the suggesters' scores" in names


def test_log_lines_go_through_the_console_that_draws_the_progress_bars(monkeypatch):
    import importlib

    app_module = importlib.import_module("qual.cli.app")

    buffer = io.StringIO()
    # the console's own stream slot: None means "whatever sys.stderr is now", and stays so after
    monkeypatch.setattr(app_module.console, "_file", buffer)
    app_module.setup_logging(0)
    logging.getLogger("qual.test").warning("a warning with %d files", 3)
    assert "WARNING qual.test: a warning with 3 files" in buffer.getvalue()
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, app_module.ConsoleHandler)]
    assert len(handlers) == 1
    app_module.setup_logging(1)   # every command sets logging up again: still one handler
    assert len([h for h in logging.getLogger().handlers if isinstance(h, app_module.ConsoleHandler)]) == 1


def test_after_accepting_the_next_command_is_named(tmp_path, cli):
    from qual.model import Codings

    out = tmp_path / "coded"
    out.mkdir()
    rows = [{"document": "D1", "segment": str(i), "text": f"turn {i}", "code": "IMP.SPACE", "source": "rules",
             "status": "suggested", "turn": i, "start": 10 * i, "end": 10 * i + 6} for i in range(3)]
    Codings.from_records(rows).write(out / "codings.csv")
    reviewed = Codings.from_records([{**rows[0], "status": "accepted"}])
    reviewed.write(tmp_path / "reviewed.xlsx")
    result = cli("code", "--accept", tmp_path / "reviewed.xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert f"qual matrix {out / 'codings.csv'} --out" in output and "qual export-qdpx" in output
    assert "--refit" in output
