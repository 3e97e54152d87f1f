"""qual check reads SQLite databases: every table's values, rows still in the write-ahead log,
and what deleted rows leave behind; locations are numbers, never a table's name."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from conftest import run_qual

from qual.check import check_paths
from qual.check.extract import TextUnit, extract_text_units, sniff

NAME = "Kayleigh Thornbury"
SENTENCE = f"The social worker met {NAME} at the school gate."


def make_database(path, text: str = "The social worker met the family at the school gate.",
                  table: str = "summaries") -> None:
    db = sqlite3.connect(path)
    db.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, colour TEXT, status TEXT, body TEXT, data BLOB)')
    db.executemany(f'INSERT INTO "{table}" (colour, status, body, data) VALUES (?, ?, ?, ?)',
                   [("#165683", "accepted", "A clean summary about attendance.", b"\x00\x01\x02"),
                    ("#1F79B7", "candidate", text, None)])
    db.execute("CREATE VIRTUAL TABLE search USING fts5(body)")
    db.execute("INSERT INTO search (body) VALUES (?)", (text,))
    db.commit()
    db.close()


def texts(path) -> list[str]:
    return [unit.text for unit in extract_text_units(path) if isinstance(unit, TextUnit)]


def test_every_table_is_read_and_located_by_numbers(tmp_path):
    database = tmp_path / "notes.sqlite"
    make_database(database, SENTENCE, table=NAME)  # a table named after a person
    units = [u for u in extract_text_units(database) if isinstance(u, TextUnit)]
    assert sum(NAME in u.text for u in units) >= 2  # the table, and the full-text index's copy
    assert not any(NAME in u.part or NAME in u.location for u in units)
    assert {u.location for u in units if NAME in u.text} >= {"row 2, column 4"}
    # machine values (colours, statuses) and binary blobs are not text a person typed
    assert not any(u.text in ("#165683", "accepted") for u in units)


def test_a_database_is_found_whatever_its_name(tmp_path):
    database = tmp_path / "export.bin"
    make_database(database, SENTENCE)
    assert sniff(database.read_bytes()) == ".sqlite"
    assert any(NAME in text for text in texts(database))


def test_rows_still_in_the_write_ahead_log_are_read_and_the_database_is_not_changed(tmp_path):
    database = tmp_path / "workspace.sqlite"
    make_database(database)
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO summaries (body) VALUES (?)", (SENTENCE,))
    writer.commit()  # the connection stays open: the row is only in workspace.sqlite-wal
    assert (tmp_path / "workspace.sqlite-wal").stat().st_size > 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    try:
        assert NAME not in database.read_bytes().decode("latin-1")
        assert any(NAME in text for text in texts(database))
        report = check_paths([tmp_path])
        assert report.exit_code == 1 and report.failing
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    finally:
        writer.close()


def test_deleted_rows_are_read_until_the_database_is_vacuumed(tmp_path):
    database = tmp_path / "old.sqlite"
    make_database(database)
    db = sqlite3.connect(database)
    db.execute("PRAGMA secure_delete=OFF")
    db.execute("INSERT INTO summaries (body) VALUES (?)", (SENTENCE,))
    db.commit()
    db.execute("DELETE FROM summaries WHERE body = ?", (SENTENCE,))
    db.commit()
    db.close()
    assert any(NAME in text for text in texts(database))
    vacuumed = tmp_path / "vacuumed.sqlite"
    shutil.copy(database, vacuumed)
    db = sqlite3.connect(vacuumed)
    db.execute("VACUUM")
    db.close()
    assert not any(NAME in text for text in texts(vacuumed))


def test_qual_check_fails_a_database_holding_a_name_and_passes_a_clean_one(tmp_path):
    leaky, clean = tmp_path / "leaky", tmp_path / "clean"
    leaky.mkdir()
    clean.mkdir()
    make_database(leaky / "workspace.sqlite", SENTENCE)
    make_database(clean / "workspace.sqlite")
    failed = run_qual("check", leaky)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "workspace.sqlite: table" in failed.stdout
    assert NAME.split()[0] not in failed.stdout + failed.stderr
    passed = run_qual("check", clean)
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.parametrize("companion", ["notes.sqlite-wal", "notes.db-journal"])
def test_a_log_without_its_database_is_listed_as_unread(tmp_path, companion):
    (tmp_path / companion).write_bytes(b"\x37\x7f\x06\x82" + SENTENCE.encode() * 10)
    result = run_qual("check", tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert NAME.split()[0] not in result.stdout + result.stderr

