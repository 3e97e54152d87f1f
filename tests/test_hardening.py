"""Hardening of the shared plumbing: the CLI boundary never prints an exception's text, -vv
turns up qual's loggers only, one file's bug does not stop a batch, and the size bounds that
keep a stray huge file from costing minutes and gigabytes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import make_hostile as hostile  # noqa: E402

from qual.errors import InputFileError  # noqa: E402

SECRET = "Jemima Thistlewood"


def python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          timeout=120)


def test_an_unexpected_exception_is_one_line_without_its_message():
    result = python(f"""
        from qual.cli.app import app, command

        @command("boom")
        def boom() -> None:
            raise ValueError("could not parse {SECRET}'s turn")

        app(["boom"], prog_name="qual")
    """)
    assert result.returncode == 2
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error in 'qual boom' (ValueError)" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # rich may wrap the one line


def test_a_qual_error_is_one_line_and_exit_2():
    result = python("""
        from qual.cli.app import app, command
        from qual.errors import InputFileError

        @command("bad")
        def bad() -> None:
            raise InputFileError("x.docx", "is empty (0 bytes)", "check the file")

        app(["bad"], prog_name="qual")
    """)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: x.docx: is empty (0 bytes); check the file"


def test_verbose_logging_is_qual_only_and_never_prints_a_failed_records_arguments():
    result = python(f"""
        import logging
        from qual.cli.app import setup_logging

        setup_logging(2)
        logging.getLogger("numba.core.ssa").debug("third-party debug line")
        logging.getLogger("qual.ingest").debug("qual debug line")
        logging.getLogger("qual.ingest").info("%d turns", "{SECRET}")  # a bad format
    """)
    assert "qual debug line" in result.stderr
    assert "third-party debug line" not in result.stderr
    assert SECRET not in result.stderr and "Logging error" not in result.stderr


def test_one_files_bug_does_not_stop_the_batch(tmp_path: Path, monkeypatch):
    import qual.ingest.batch as batch

    for name in ("A01.txt", "B01.txt", "C01.txt"):
        (tmp_path / name).write_text("\n".join(hostile.GOOD_TURNS) + "\n", encoding="utf-8")
    real = batch.read_transcript

    def flaky(path, **kwargs):
        if Path(path).name == "B01.txt":
            raise RecursionError(f"maximum recursion depth exceeded in {SECRET}'s table")
        return real(path, **kwargs)

    monkeypatch.setattr(batch, "read_transcript", flaky)
    result = batch.ingest([tmp_path])
    assert [t.id for t in result.transcripts] == ["A01", "C01"]
    [failure] = result.failures
    assert str(failure).startswith(f"{tmp_path / 'B01.txt'}: could not be read (RecursionError)")
    assert SECRET not in str(failure) and "\n" not in str(failure)


def test_a_text_transcript_over_the_size_bound_is_refused_before_reading(tmp_path: Path):
    from qual.ingest import read_transcript
    from qual.ingest.reader import MAX_TRANSCRIPT_BYTES

    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:  # sparse: no 16 MB written
        handle.write(b"Interviewer: hello\n")
        handle.seek(MAX_TRANSCRIPT_BYTES + 1)
        handle.write(b"\n")
    with pytest.raises(InputFileError, match=r"larger than \d+ MB, too large to be a transcript"):
        read_transcript(path)


def test_a_docx_whose_text_unpacks_past_the_bound_is_refused_from_its_header(tmp_path: Path):
    from qual.ingest import read_transcript
    from qual.ingest.docx import MAX_DOCUMENT_XML_BYTES

    path = tmp_path / "huge.docx"
    hostile.big_docx_transcript(path, MAX_DOCUMENT_XML_BYTES // 2**20 + 2)
    assert path.stat().st_size < 4 * 2**20
    with pytest.raises(InputFileError, match=r"unpacks to \d+ MB of XML.*too large to be one transcript"):
        read_transcript(path)


def test_a_participants_sheet_with_too_many_rows_is_refused(tmp_path: Path):
    from qual.ingest import read_participants
    from qual.ingest.participants import MAX_PARTICIPANT_ROWS

    path = tmp_path / "participants.csv"
    rows = ["participant_id,file"] + [f"P{i},P{i}.docx" for i in range(MAX_PARTICIPANT_ROWS + 20)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"more than 10,000 rows"):
        read_participants(path)
    path.write_text("\n".join(rows[:MAX_PARTICIPANT_ROWS + 1]) + "\n" + ",\n" * 50_000, encoding="utf-8")
    assert len(read_participants(path)) == MAX_PARTICIPANT_ROWS  # blank rows at the end do not count


def test_vet_workbook_refuses_entities_and_oversized_sheets(tmp_path: Path):
    from qual.files import vet_workbook

    book = hostile.xlsx_bytes([hostile.PARTICIPANT_COLUMNS, hostile.PARTICIPANT_ROW])
    vet_workbook("fine.xlsx", book)
    with pytest.raises(InputFileError, match="entities"):
        vet_workbook("bomb.xlsx", hostile.with_entity_bomb(book, "xl/workbook.xml"))
    with pytest.raises(InputFileError, match=r"worksheet that unpacks to \d+ MB"):
        vet_workbook("big.xlsx", book, max_sheet_bytes=100)
    with pytest.raises(InputFileError, match="not a valid zip"):
        vet_workbook("broken.xlsx", book[:200])


def test_a_library_warning_is_shown_without_its_message():
    result = python(f"""
        import warnings
        from qual.cli.app import app, command

        @command("warns")
        def warns() -> None:
            # as pandas or openpyxl would, about a cell's value
            warnings.warn_explicit("could not parse '{SECRET}' as a date", UserWarning,
                                   "/site-packages/pandas/core/tools/datetimes.py", 1)

        app(["warns"], prog_name="qual")
    """)
    assert result.returncode == 0, result.stderr
    assert "UserWarning from datetimes.py" in result.stderr
    assert SECRET not in result.stderr


def test_the_entry_point_exits_with_the_commands_code_and_everything_it_printed():
    """``main()`` ends the process without the interpreter's teardown: what the command
    printed (to a pipe, so buffered) and logged still arrives, and its exit code is kept."""
    result = python("""
        import logging, typer
        from qual.cli import main
        from qual.cli.app import command

        @command("talk")
        def talk() -> None:
            for number in range(50000):
                print(f"line {number}")
            logging.getLogger("qual.test").warning("last words")
            raise typer.Exit(3)

        import sys
        sys.argv = ["qual", "talk"]
        main()
    """)
    assert result.returncode == 3
    lines = result.stdout.splitlines()
    assert len(lines) == 50000 and lines[-1] == "line 49999"
    assert "last words" in result.stderr
