"""SQLite databases: every value of every table, and the pages deleted rows leave behind.

A de-identified folder can hold a database: qual's own workspace (``workspace.sqlite``, the
de-identified transcripts, codings and summaries of ``qual app``) or one a team keeps
beside it. A gate that passes over it would pass a name typed into a summary, so it is read
like any other file:

* the database is opened from a private copy (with its write-ahead log, when one lies beside
  it, so rows not yet checkpointed are read too); the file in the folder is never opened for
  writing;
* every text value of every table is a unit, located by table, row and column *numbers*
  (a table's name is written by whoever made the database and could itself be an
  identifier); whole numbers of 9 digits or more are read as the Excel reader reads typed
  numbers; a BLOB is read when it decodes as text;
* a database keeps deleted rows' bytes (in free pages, and in free blocks inside the pages
  still in use) until they are overwritten or vacuumed: the readable text runs of those
  bytes are read as well ("deleted data"), so a name deleted from a summary is still caught
  until the database is vacuumed (qual's own workspace zeroes what it deletes).

The write-ahead log (``-wal``) and shared-memory index (``-shm``) beside a database are read
with it; met alone, a log is listed as unread.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import InputFileError
from .extract import TextUnit, Unreadable, is_number_like, looks_like_text, number_worth_reading, register_extractor
from .vocabulary import machine_value

SQLITE_MAGIC = b"SQLite format 3\x00"
_TEXT_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{4,}|(?:[\xc2-\xf4][\x80-\xbf]{1,3}|[\x20-\x7e]){4,}")


@register_extractor(".sqlite", ".sqlite3", ".db", ".db3")
def read_sqlite(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    if not data.startswith(SQLITE_MAGIC):
        raise InputFileError(name, "is not an SQLite database (its first bytes say otherwise)",
                             "rename it to what it is, or remove it from the folder")
    log = _sibling(name, "-wal")
    with tempfile.TemporaryDirectory(prefix="qual-check-") as folder:
        copy = Path(folder) / "database"
        copy.write_bytes(data)
        os.chmod(copy, 0o600)
        if log is not None:
            (Path(folder) / "database-wal").write_bytes(log)
        try:
            db = sqlite3.connect(copy)
        except sqlite3.Error:
            raise InputFileError(name, "cannot be opened as an SQLite database", "check that the file is whole") from None
        try:
            yield from _tables(db)
            yield from _free_pages(db, copy)
        except sqlite3.DatabaseError:
            yield Unreadable("", "a damaged SQLite database (its tables cannot all be read)", damaged=True)
        finally:
            db.close()


def _sibling(name: str, suffix: str) -> bytes | None:
    path = Path(name + suffix)
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


# The shadow tables of a full-text index that hold only its index (tokens in a binary
# format, sizes, settings): what was indexed is in the indexed table or the "_content" shadow
# table, which are read.
_INDEX_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_segments", "_segdir", "_stat")


def _tables(db: sqlite3.Connection) -> Iterator[TextUnit]:
    # Virtual tables are not read themselves: reading them would need their module, and their
    # text is stored in ordinary tables, read here.
    rows = list(db.execute("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY rowid"))
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL")]
    index_only = {name + shadow for name in virtual for shadow in _INDEX_SHADOWS}
    tables = [name for name, sql in rows if name not in virtual and name not in index_only]
    for number, table in enumerate(tables, 1):
        quoted = '"' + table.replace('"', '""') + '"'
        for row_number, row in enumerate(db.execute(f"SELECT * FROM {quoted}"), 1):
            for column, value in enumerate(row, 1):
                text = _as_text(value)
                if text:
                    yield TextUnit(f"table {number}", f"row {row_number}, column {column}", text)


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        # numbers, ids, colours, dates and keywords (a status, a code's id) are not text a
        # person typed; a lower-case name is, and is read
        if machine_value(value):
            return value if is_number_like(value) and number_worth_reading(value) else None
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return text if number_worth_reading(text, typed=True) else None
    if isinstance(value, bytes) and value and looks_like_text(value[:4096]):
        return value.decode("utf-8", errors="replace")
    return None


def _free_pages(db: sqlite3.Connection, path: Path) -> Iterator[TextUnit]:
    """Readable runs of what deleted rows left behind: whole pages on the free list, and the
    free blocks and unallocated space inside the pages still in use."""
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy's log into its file, to read its pages
    data = path.read_bytes()
    free = set(_free_list(data, page_size))
    for page in range(1, len(data) // page_size + 1):
        start = (page - 1) * page_size
        if page in free:
            pieces = [data[start:start + page_size]]
        else:
            pieces = _unused_parts(data[start:start + page_size], 100 if page == 1 else 0)
        runs = [run.decode("utf-8", errors="replace") for piece in pieces for run in _TEXT_RUN.findall(piece)]
        text = "\n".join(run for run in runs if sum(c.isalpha() for c in run) >= 3)
        if text:
            yield TextUnit("deleted data", f"page {page}", text)


def _unused_parts(page: bytes, header: int) -> list[bytes]:
    """The free blocks and the gap between cell pointers and cells of a b-tree page: bytes the
    database no longer uses, which keep what was deleted until overwritten."""
    kind = page[header] if len(page) > header else 0
    if kind not in (2, 5, 10, 13):
        return []  # an overflow page, a pointer-map page: nothing free inside
    size = 12 if kind in (2, 5) else 8
    cells = int.from_bytes(page[header + 3:header + 5], "big")
    content = int.from_bytes(page[header + 5:header + 7], "big") or 65536
    parts = [page[header + size + 2 * cells:min(content, len(page))]]
    block, seen = int.from_bytes(page[header + 1:header + 3], "big"), set()
    while 0 < block < len(page) - 4 and block not in seen:
        seen.add(block)
        length = int.from_bytes(page[block + 2:block + 4], "big")
        parts.append(page[block + 4:block + max(length, 4)])
        block = int.from_bytes(page[block:block + 2], "big")
    return parts


def _free_list(data: bytes, page_size: int) -> Iterator[int]:
    """Page numbers on the free list: trunk pages and the leaves each one lists."""
    pages = len(data) // page_size
    trunk = int.from_bytes(data[32:36], "big")
    seen: set[int] = set()
    while 0 < trunk <= pages and trunk not in seen:
        seen.add(trunk)
        start = (trunk - 1) * page_size
        following = int.from_bytes(data[start:start + 4], "big")
        count = int.from_bytes(data[start + 4:start + 8], "big")
        yield trunk
        for index in range(min(count, (page_size - 8) // 4)):
            leaf = int.from_bytes(data[start + 8 + 4 * index:start + 12 + 4 * index], "big")
            if 0 < leaf <= pages and leaf not in seen:
                seen.add(leaf)
                yield leaf
        trunk = following


@register_extractor(".sqlite-wal", ".sqlite3-wal", ".db-wal", ".sqlite-shm", ".sqlite3-shm", ".db-shm",
                    ".sqlite-journal", ".sqlite3-journal", ".db-journal")
def read_sqlite_companion(name: str, data: bytes) -> Iterator[Unreadable]:
    """A database's log or index: read with the database beside it (the log's rows are in the
    database's units), so nothing of its own; without that database, listed as unread."""
    database = re.sub(r"-(?:wal|shm|journal)$", "", name)
    if name.endswith("-shm") and not data.strip(b"\x00"):
        return
    if not (Path(database).is_file() and Path(database).read_bytes()[:16] == SQLITE_MAGIC):
        yield Unreadable("", "a database log with no database beside it (qual check reads a log with its database)")
        return
    if name.endswith("-journal") and data.strip(b"\x00"):
        # a rollback journal holds the pages as they were before an unfinished write
        yield Unreadable("", "an unfinished write's journal (open the database once to finish or roll it back)")
