"""The project store: one SQLite database in the project folder, the workspace's source of truth.

It holds the de-identified documents and their turns (with a full-text index), the codebook,
the codings, memos, framework summaries, the coders, and an audit log of every decision.

- **Spans.** A coding is (document, span_start, span_end, code, coder, status, score, source):
  character offsets into ``Transcript.text`` (``qual.model``), end exclusive, so a coding maps
  1:1 onto a REFI-QDA selection; a whole turn is just a span. qual's suggestions have the
  coder ``""`` and the status ``suggested``; a person's decision on a span and code is a row
  of its own with their name as coder, ``accepted`` or ``rejected``. So several coders decide
  independently, and the suggestion stays what the suggesters said.
- **Nothing lost.** WAL mode with ``synchronous=FULL``: a change is on disk before the
  browser hears it was made, so a killed server loses at most the keystroke in flight. Every
  change is one transaction, and writes its audit entry in the same transaction.
- **Several tabs, several coders.** Codings, summaries, memos and codes carry a ``version``;
  an edit names the version it started from, and a different current version raises
  ``EditConflict`` (shown to the user, never overwritten). The audit log's ids are the
  project's revisions: a tab asks what changed since the revision it knows.

Nothing here logs or raises with document text, summaries or memos in the message.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..errors import QualError

STORE_FILE = "workspace.sqlite"
STORE_FILES = (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", f"{STORE_FILE}-journal")
SCHEMA_VERSION = 1
MACHINE = ""  # the coder of qual's own suggestions
SUGGESTED, ACCEPTED, REJECTED = "suggested", "accepted", "rejected"
DECISIONS = (ACCEPTED, REJECTED)
CODE_FIELDS = ("name", "theme", "definition", "include", "exclude", "keywords", "examples", "colour")
MAX_NAME = 40

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(id TEXT PRIMARY KEY, position INTEGER NOT NULL, case_id TEXT NOT NULL,
    attributes TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE turns(id INTEGER PRIMARY KEY, document TEXT NOT NULL REFERENCES documents(id), idx INTEGER NOT NULL,
    speaker TEXT NOT NULL, role TEXT NOT NULL, timestamp TEXT, span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL, text TEXT NOT NULL, UNIQUE(document, idx));
CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='turns', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
CREATE TABLE segments(document TEXT NOT NULL, segment TEXT NOT NULL, turn INTEGER NOT NULL,
    span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, codable INTEGER NOT NULL,
    PRIMARY KEY(document, segment));
CREATE INDEX segments_span ON segments(document, span_start);
CREATE TABLE themes(id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', colour TEXT NOT NULL DEFAULT '');
CREATE TABLE codes(id TEXT PRIMARY KEY, position INTEGER NOT NULL, theme TEXT NOT NULL, name TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '', include TEXT NOT NULL DEFAULT '', exclude TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]', examples TEXT NOT NULL DEFAULT '[]', colour TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1, updated TEXT NOT NULL DEFAULT '');
CREATE TABLE codings(id INTEGER PRIMARY KEY, document TEXT NOT NULL REFERENCES documents(id),
    span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, code TEXT NOT NULL, coder TEXT NOT NULL,
    status TEXT NOT NULL, score REAL, source TEXT NOT NULL DEFAULT '', segment TEXT NOT NULL,
    turn INTEGER, version INTEGER NOT NULL DEFAULT 1, updated TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX codings_key ON codings(document, span_start, span_end, code, coder);
CREATE INDEX codings_code ON codings(code, coder);
CREATE INDEX codings_coder ON codings(coder, status);
CREATE TABLE memos(id INTEGER PRIMARY KEY, document TEXT NOT NULL REFERENCES documents(id),
    span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, coder TEXT NOT NULL, text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1, updated TEXT NOT NULL DEFAULT '');
CREATE INDEX memos_document ON memos(document, span_start);
CREATE TABLE summaries(case_id TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL, coder TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1, updated TEXT NOT NULL DEFAULT '', PRIMARY KEY(case_id, code));
CREATE TABLE coders(name TEXT PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, coder TEXT NOT NULL,
    action TEXT NOT NULL, kind TEXT NOT NULL, entity TEXT NOT NULL, before TEXT, after TEXT);
CREATE TABLE files(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, synced TEXT NOT NULL);
"""


class EditConflict(QualError):
    """Someone changed this in another tab or by another coder since the editor loaded it."""

    def __init__(self, kind: str, current: dict[str, Any] | None) -> None:
        self.kind = kind
        self.current = current
        super().__init__(f"the {kind} was changed elsewhere since you opened it; reload to see the change")


class NotFound(QualError):
    """A document, coding, code or memo that does not exist (any more)."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def check_coder_name(name: str) -> str:
    """A coder's name as typed: 1-40 printable characters, no brackets or quotes."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME or any(c in name for c in "<>\"'`\\/") or not name.isprintable():
        raise QualError(f"a coder's name has 1 to {MAX_NAME} characters, without < > quotes or slashes")
    return name


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=10000")
    # what is deleted or overwritten (an old summary) is zeroed on disk, not left in free
    # space where qual check (and anyone with the file) would still read it
    db.execute("PRAGMA secure_delete=ON")
    return db


def coding_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "document": row["document"], "start": row["span_start"], "end": row["span_end"],
            "code": row["code"], "coder": row["coder"], "status": row["status"], "score": row["score"],
            "source": row["source"], "segment": row["segment"], "turn": row["turn"], "version": row["version"]}


class _Tx:
    """One open write transaction: its audit entries go in with its changes."""

    def __init__(self, db: sqlite3.Connection, coder: str) -> None:
        self.db = db
        self.coder = coder
        self.stamp = now()

    def audit(self, action: str, kind: str, entity: Any, before: Any = None, after: Any = None) -> None:
        self.db.execute(
            "INSERT INTO audit(at, coder, action, kind, entity, before, after) VALUES (?,?,?,?,?,?,?)",
            (self.stamp, self.coder, action, kind, json.dumps(entity, ensure_ascii=False),
             None if before is None else json.dumps(before, ensure_ascii=False),
             None if after is None else json.dumps(after, ensure_ascii=False)))


class Store:
    """A project store, opened on its database file. Thread-safe (one lock serialises use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise QualError(f"{self.path}: no workspace database here")
        self.lock = threading.RLock()
        self.db = connect(self.path)
        mode = self.db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise QualError(f"{self.path}: the database could not be put in WAL mode (is the folder read-only?)")
        version = self.meta("schema_version")
        if version != str(SCHEMA_VERSION):
            raise QualError(f"{self.path}: a workspace database of another version ({version}); "
                            "move it away to build a new one from the project's files")

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # ----------------------------------------------------------------- plumbing

    @contextlib.contextmanager
    def write(self, coder: str) -> Iterator[_Tx]:
        """One transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any error."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield _Tx(self.db, coder)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several queries."""
        with self.lock:
            self.db.execute("BEGIN")
            try:
                yield self.db
            finally:
                self.db.execute("COMMIT")

    def query(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0]["value"] if rows else default

    @staticmethod
    def set_meta(tx: _Tx, key: str, value: str) -> None:
        tx.db.execute("INSERT INTO meta(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                      (key, value))

    @property
    def revision(self) -> int:
        return int(self.query("SELECT COALESCE(MAX(id), 0) AS r FROM audit")[0]["r"])

    def changes(self, since: int, limit: int = 500) -> list[dict[str, Any]]:
        """What changed after revision ``since``: kind, entity (ids, never text), coder, action."""
        rows = self.query("SELECT id, kind, entity, coder, action FROM audit WHERE id > ? ORDER BY id LIMIT ?",
                          (since, limit))
        return [{"revision": r["id"], "kind": r["kind"], "entity": json.loads(r["entity"]), "coder": r["coder"],
                 "action": r["action"]} for r in rows]

    # ----------------------------------------------------------------- coders

    def add_coder(self, name: str) -> str:
        name = check_coder_name(name)
        with self.write(name) as tx:
            if not tx.db.execute("SELECT 1 FROM coders WHERE name=?", (name,)).fetchone():
                tx.db.execute("INSERT INTO coders(name, created) VALUES (?,?)", (name, tx.stamp))
                tx.audit("join", "coder", {"coder": name})
        return name

    def coders(self) -> list[str]:
        return [r["name"] for r in self.query("SELECT name FROM coders ORDER BY created, name")]

    # ----------------------------------------------------------------- codings

    def coding(self, coding_id: int) -> dict[str, Any]:
        rows = self.query("SELECT * FROM codings WHERE id=?", (coding_id,))
        if not rows:
            raise NotFound(f"coding {coding_id} does not exist (any more); reload the page")
        return coding_dict(rows[0])

    def codings_at(self, document: str, start: int, end: int, code: str) -> list[dict[str, Any]]:
        return [coding_dict(r) for r in self.query(
            "SELECT * FROM codings WHERE document=? AND span_start=? AND span_end=? AND code=? ORDER BY coder",
            (document, start, end, code))]

    def _locate(self, db: sqlite3.Connection, document: str, start: int, end: int) -> tuple[str, int]:
        """The segment (and turn) a span falls in: the one it overlaps most."""
        row = db.execute(
            "SELECT segment, turn, MIN(span_end, ?) - MAX(span_start, ?) AS overlap FROM segments "
            "WHERE document=? AND span_start < ? AND span_end > ? ORDER BY overlap DESC, span_start LIMIT 1",
            (end, start, document, end, start)).fetchone()
        if row is not None:
            return row["segment"], row["turn"]
        turn = db.execute("SELECT idx FROM turns WHERE document=? AND span_start <= ? AND span_end >= ?",
                          (document, start, end)).fetchone()
        if turn is None:
            raise QualError("a coded span must lie inside one turn")
        return str(turn["idx"]), turn["idx"]

    def _upsert_decision(self, tx: _Tx, template: dict[str, Any], coder: str, status: str,
                         source: str | None = None, score: float | None = None) -> dict[str, Any] | None:
        """Set ``coder``'s decision on the span and code of ``template``; ``undecided`` removes it."""
        db = tx.db
        key = (template["document"], template["start"], template["end"], template["code"])
        mine = db.execute("SELECT * FROM codings WHERE document=? AND span_start=? AND span_end=? AND code=? "
                          "AND coder=?", (*key, coder)).fetchone()
        entity = {"document": key[0], "start": key[1], "end": key[2], "code": key[3], "coder": coder}
        before = coding_dict(mine) if mine is not None else None
        if status == "undecided":
            if mine is not None:
                db.execute("DELETE FROM codings WHERE id=?", (mine["id"],))
                tx.audit("undo", "coding", entity, {"status": before["status"]}, None)
            return None
        if status not in DECISIONS:
            raise QualError(f"a decision is accepted, rejected or undecided, not {status!r}")
        if mine is not None:
            if mine["status"] == status:
                return before
            db.execute("UPDATE codings SET status=?, version=version+1, updated=? WHERE id=?",
                       (status, tx.stamp, mine["id"]))
            row_id = mine["id"]
        else:
            row_id = db.execute(
                "INSERT INTO codings(document, span_start, span_end, code, coder, status, score, source, segment, "
                "turn, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (*key, coder, status, template["score"] if score is None else score,
                 template["source"] if source is None else source, template["segment"], template["turn"],
                 tx.stamp)).lastrowid
        tx.audit("accept" if status == ACCEPTED else "reject", "coding", entity,
                 {"status": before["status"]} if before else None, {"status": status})
        return coding_dict(db.execute("SELECT * FROM codings WHERE id=?", (row_id,)).fetchone())

    def decide(self, coding_ids: list[int], coder: str, status: str,
               expected: dict[int, str] | None = None) -> list[dict[str, Any]]:
        """``coder`` accepts, rejects, or takes back (``undecided``) the span and code of each
        coding (a suggestion, or another coder's code). ``expected``: coding id -> the status
        of ``coder``'s decision the page showed ("undecided" for none); a different one raises
        ``EditConflict``. Returns every coding on the affected spans and codes."""
        coder = check_coder_name(coder)
        touched = []
        with self.write(coder) as tx:
            for coding_id in coding_ids:
                row = tx.db.execute("SELECT * FROM codings WHERE id=?", (coding_id,)).fetchone()
                if row is None:
                    raise NotFound(f"coding {coding_id} does not exist (any more); reload the page")
                template = coding_dict(row)
                if expected and coding_id in expected:
                    mine = tx.db.execute(
                        "SELECT status FROM codings WHERE document=? AND span_start=? AND span_end=? AND code=? "
                        "AND coder=?", (template["document"], template["start"], template["end"],
                                        template["code"], coder)).fetchone()
                    if (mine["status"] if mine else "undecided") != expected[coding_id]:
                        raise EditConflict("decision", {"status": mine["status"] if mine else "undecided"})
                self._upsert_decision(tx, template, coder, status)
                touched.append(template)
        return [c for t in touched for c in self.codings_at(t["document"], t["start"], t["end"], t["code"])]

    def add_coding(self, document: str, start: int, end: int, code: str, coder: str) -> dict[str, Any]:
        """``coder`` applies ``code`` to a span of ``document`` (inside one turn)."""
        coder = check_coder_name(coder)
        start, end = int(start), int(end)
        with self.write(coder) as tx:
            self._require_code(tx.db, code)
            turn = tx.db.execute("SELECT idx FROM turns WHERE document=? AND span_start <= ? AND span_end >= ?",
                                 (document, start, end)).fetchone()
            if start >= end or turn is None:
                raise QualError("select text inside one turn to code it")
            segment, turn_index = self._locate(tx.db, document, start, end)
            suggestion = tx.db.execute(
                "SELECT * FROM codings WHERE document=? AND span_start=? AND span_end=? AND code=? AND coder=?",
                (document, start, end, code, MACHINE)).fetchone()
            template = {"document": document, "start": start, "end": end, "code": code, "segment": segment,
                        "turn": turn_index, "score": 1.0, "source": "human"}
            if suggestion is not None:  # coding a suggested span with its code is accepting it
                template = coding_dict(suggestion)
            return self._upsert_decision(tx, template, coder, ACCEPTED)

    def recode(self, coding_ids: list[int], code: str, coder: str) -> int:
        """For each coding: ``coder`` turns down its code on that span and applies ``code`` instead."""
        coder = check_coder_name(coder)
        with self.write(coder) as tx:
            self._require_code(tx.db, code)
            for coding_id in coding_ids:
                row = tx.db.execute("SELECT * FROM codings WHERE id=?", (coding_id,)).fetchone()
                if row is None:
                    raise NotFound(f"coding {coding_id} does not exist (any more); reload the page")
                old = coding_dict(row)
                if old["code"] == code:
                    continue
                self._upsert_decision(tx, old, coder, REJECTED)
                new = {**old, "code": code, "score": 1.0, "source": "human"}
                self._upsert_decision(tx, new, coder, ACCEPTED, source="human", score=1.0)
        return len(coding_ids)

    def resolve(self, document: str, start: int, end: int, code: str, status: str, coders: list[str],
                by: str) -> list[dict[str, Any]]:
        """Settle a disagreement: every coder in ``coders`` gets ``status`` on this span and code
        (the audit log keeps what each had decided)."""
        by = check_coder_name(by)
        rows = self.codings_at(document, start, end, code)
        if not rows:
            raise NotFound("nothing is coded there any more; reload the page")
        template = next((r for r in rows if r["coder"] == MACHINE), rows[0])
        with self.write(by) as tx:
            for coder in coders:
                self._upsert_decision(tx, template, check_coder_name(coder), status)
            tx.audit("resolve", "coding", {"document": document, "start": start, "end": end, "code": code},
                     None, {"status": status, "coders": coders})
        return self.codings_at(document, start, end, code)

    def replace_suggestions(self, suggestions: list[dict[str, Any]], by: str = "qual") -> int:
        """Swap qual's suggestions for new ones (people's decisions are kept)."""
        with self.write(by) as tx:
            before = tx.db.execute("SELECT COUNT(*) FROM codings WHERE coder=?", (MACHINE,)).fetchone()[0]
            tx.db.execute("DELETE FROM codings WHERE coder=?", (MACHINE,))
            self.insert_codings(tx.db, ({**s, "coder": MACHINE, "status": SUGGESTED} for s in suggestions), tx.stamp)
            after = tx.db.execute("SELECT COUNT(*) FROM codings WHERE coder=?", (MACHINE,)).fetchone()[0]
            tx.audit("suggestions", "suggestions", {}, {"count": before}, {"count": after})
        return after

    @staticmethod
    def insert_codings(db: sqlite3.Connection, rows, stamp: str) -> None:
        """Insert coding records; a second row for the same span, code and coder keeps the higher score."""
        db.executemany(
            "INSERT INTO codings(document, span_start, span_end, code, coder, status, score, source, segment, turn, "
            "updated) VALUES (:document,:start,:end,:code,:coder,:status,:score,:source,:segment,:turn,:updated) "
            "ON CONFLICT(document, span_start, span_end, code, coder) DO UPDATE SET "
            "score=MAX(COALESCE(score, 0), COALESCE(excluded.score, 0))",
            ({**r, "updated": stamp} for r in rows))

    @staticmethod
    def _require_code(db: sqlite3.Connection, code: str) -> None:
        if not db.execute("SELECT 1 FROM codes WHERE id=?", (code,)).fetchone():
            raise NotFound(f"there is no code {code!r} in the codebook")

    # ----------------------------------------------------------------- summaries

    def summary(self, case: str, code: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM summaries WHERE case_id=? AND code=?", (case, code))
        return dict(rows[0]) if rows else None

    def set_summary(self, case: str, code: str, text: str, coder: str, expected_version: int) -> dict[str, Any]:
        """Write a framework matrix cell's summary; ``expected_version`` is the version the
        editor started from (0 for a new one)."""
        coder = check_coder_name(coder)
        with self.write(coder) as tx:
            current = tx.db.execute("SELECT * FROM summaries WHERE case_id=? AND code=?", (case, code)).fetchone()
            version = current["version"] if current is not None else 0
            if version != int(expected_version):
                raise EditConflict("summary", dict(current) if current is not None else None)
            if current is not None and current["text"] == text:
                return dict(current)
            tx.db.execute(
                "INSERT INTO summaries(case_id, code, text, coder, version, updated) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(case_id, code) DO UPDATE SET text=excluded.text, coder=excluded.coder, "
                "version=summaries.version+1, updated=excluded.updated", (case, code, text, coder, 1, tx.stamp))
            tx.audit("summary", "summary", {"case": case, "code": code},
                     {"text": current["text"]} if current is not None else None, {"text": text})
            return dict(tx.db.execute("SELECT * FROM summaries WHERE case_id=? AND code=?", (case, code)).fetchone())

    def summaries(self) -> dict[tuple[str, str], str]:
        return {(r["case_id"], r["code"]): r["text"] for r in self.query("SELECT case_id, code, text FROM summaries")}

    # ----------------------------------------------------------------- memos

    def save_memo(self, coder: str, text: str, *, memo_id: int | None = None, document: str | None = None,
                  start: int | None = None, end: int | None = None, expected_version: int = 0) -> dict[str, Any]:
        """A new memo on a span (``memo_id`` None), or new text for one (``expected_version``)."""
        coder = check_coder_name(coder)
        with self.write(coder) as tx:
            if memo_id is None:
                if start is None or end is None or document is None or int(start) > int(end):
                    raise QualError("a memo needs a document and a span")
                if not tx.db.execute("SELECT 1 FROM documents WHERE id=?", (document,)).fetchone():
                    raise NotFound("that document does not exist")
                memo_id = tx.db.execute(
                    "INSERT INTO memos(document, span_start, span_end, coder, text, updated) VALUES (?,?,?,?,?,?)",
                    (document, int(start), int(end), coder, text, tx.stamp)).lastrowid
                tx.audit("memo", "memo", {"id": memo_id, "document": document}, None, {"text": text})
            else:
                current = tx.db.execute("SELECT * FROM memos WHERE id=?", (memo_id,)).fetchone()
                if current is None:
                    raise NotFound("that memo was deleted; copy your text and add it again")
                if current["version"] != int(expected_version):
                    raise EditConflict("memo", _memo_dict(current))
                tx.db.execute("UPDATE memos SET text=?, version=version+1, updated=? WHERE id=?",
                              (text, tx.stamp, memo_id))
                tx.audit("memo", "memo", {"id": memo_id, "document": current["document"]},
                         {"text": current["text"]}, {"text": text})
            return _memo_dict(tx.db.execute("SELECT * FROM memos WHERE id=?", (memo_id,)).fetchone())

    def delete_memo(self, memo_id: int, coder: str, expected_version: int) -> None:
        coder = check_coder_name(coder)
        with self.write(coder) as tx:
            current = tx.db.execute("SELECT * FROM memos WHERE id=?", (memo_id,)).fetchone()
            if current is None:
                return
            if current["version"] != int(expected_version):
                raise EditConflict("memo", _memo_dict(current))
            tx.db.execute("DELETE FROM memos WHERE id=?", (memo_id,))
            tx.audit("memo-delete", "memo", {"id": memo_id, "document": current["document"]},
                     {"text": current["text"]}, None)

    # ----------------------------------------------------------------- codebook

    def code(self, code_id: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM codes WHERE id=?", (code_id,))
        if not rows:
            raise NotFound(f"there is no code {code_id!r} in the codebook")
        return code_dict(rows[0])

    def update_code(self, code_id: str, changes: dict[str, Any], coder: str, expected_version: int) -> dict[str, Any]:
        coder = check_coder_name(coder)
        unknown = set(changes) - set(CODE_FIELDS)
        if unknown:
            raise QualError(f"a code has no field {sorted(unknown)[0]!r}")
        with self.write(coder) as tx:
            row = tx.db.execute("SELECT * FROM codes WHERE id=?", (code_id,)).fetchone()
            if row is None:
                raise NotFound(f"there is no code {code_id!r} in the codebook")
            if row["version"] != int(expected_version):
                raise EditConflict("code", code_dict(row))
            if "theme" in changes and not tx.db.execute("SELECT 1 FROM themes WHERE id=?",
                                                        (changes["theme"],)).fetchone():
                raise NotFound(f"there is no theme {changes['theme']!r}")
            values = {k: json.dumps([str(x) for x in v], ensure_ascii=False) if k in ("keywords", "examples")
                      else str(v) for k, v in changes.items()}
            if "name" in values and not values["name"].strip():
                raise QualError("a code needs a name")
            before = code_dict(row)
            if values:
                assignments = ", ".join(f"{k}=?" for k in values)
                tx.db.execute(f"UPDATE codes SET {assignments}, version=version+1, updated=? WHERE id=?",
                              (*values.values(), tx.stamp, code_id))
            after = code_dict(tx.db.execute("SELECT * FROM codes WHERE id=?", (code_id,)).fetchone())
            tx.audit("code-edit", "code", {"code": code_id}, {k: before[k] for k in changes},
                     {k: after[k] for k in changes})
            return after

    def add_code(self, code_id: str, name: str, theme: str, coder: str) -> dict[str, Any]:
        coder = check_coder_name(coder)
        code_id, name = code_id.strip(), name.strip()
        if not code_id or not name or any(c.isspace() for c in code_id):
            raise QualError("a new code needs an id without spaces and a name")
        with self.write(coder) as tx:
            if tx.db.execute("SELECT 1 FROM codes WHERE id=?", (code_id,)).fetchone():
                raise QualError(f"the codebook already has a code {code_id!r}")
            theme_row = tx.db.execute("SELECT colour FROM themes WHERE id=?", (theme,)).fetchone()
            if theme_row is None:
                raise NotFound(f"there is no theme {theme!r}")
            position = tx.db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM codes").fetchone()[0]
            tx.db.execute("INSERT INTO codes(id, position, theme, name, colour, updated) VALUES (?,?,?,?,?,?)",
                          (code_id, position, theme, name, theme_row["colour"], tx.stamp))
            tx.audit("code-add", "code", {"code": code_id}, None, {"name": name, "theme": theme})
        return self.code(code_id)

    def add_example(self, code_id: str, coding_id: int, coder: str) -> dict[str, Any]:
        """The span of ``coding_id`` becomes one of ``code_id``'s examples."""
        coding = self.coding(coding_id)
        data = json.loads(self.query("SELECT data FROM documents WHERE id=?", (coding["document"],))[0]["data"])
        from ..model import Transcript

        text = " ".join(Transcript.from_dict(data).text[coding["start"]:coding["end"]].split())
        code = self.code(code_id)
        if text in code["examples"]:
            return code
        return self.update_code(code_id, {"examples": [*code["examples"], text]}, coder, code["version"])


def _memo_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "document": row["document"], "start": row["span_start"], "end": row["span_end"],
            "coder": row["coder"], "text": row["text"], "version": row["version"], "updated": row["updated"]}


def memo_dict(row: sqlite3.Row) -> dict[str, Any]:
    return _memo_dict(row)


def code_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "theme": row["theme"], "name": row["name"], "definition": row["definition"],
            "include": row["include"], "exclude": row["exclude"], "keywords": json.loads(row["keywords"]),
            "examples": json.loads(row["examples"]), "colour": row["colour"], "version": row["version"],
            "position": row["position"]}
