"""A project: its folder's files and its store, kept in step.

``open_project(folder)`` refuses a folder holding identifiable material, builds the store
from the folder's outputs on first open (``qual run`` or ``qual code`` output), and on later
opens takes in what changed in the files since the workspace last wrote or read them
(``qual run`` again, ``qual code --accept``, a summary typed in Excel).
``export_project(project)`` writes codings.csv, codings.xlsx, codebook.yaml, framework.xlsx,
report.docx (and heatmap.png) and project.qdpx from the store. Either way the files and the
workspace do not disagree, and nothing a person decided or wrote is dropped: where a file and
the store disagree about the same thing changed on both sides, the store's is kept, the file's
goes into the audit log, and a note says how many.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QualError
from ..files import atomic_path, sha256_file
from . import outputs
from .safety import refuse_identifiable
from .store import MACHINE, SCHEMA, SCHEMA_VERSION, STORE_FILE, STORE_FILES, SUGGESTED, Store, connect, now

log = logging.getLogger("qual.app")

SYNCED_FILES = ("codings.csv", "framework.xlsx", "codebook.yaml")


@dataclass
class Project:
    """An open project: where its files are, its store, and what opening it did."""

    files: outputs.ProjectFiles
    store: Store
    notes: list[str] = field(default_factory=list)
    created: bool = False

    @property
    def name(self) -> str:
        return self.files.root.resolve().name

    def transcripts(self) -> dict[str, Any]:
        from ..model import Transcript

        return {r["id"]: Transcript.from_dict(json.loads(r["data"]))
                for r in self.store.query("SELECT id, data FROM documents ORDER BY position")}

    def codebook(self):
        meta = json.loads(self.store.meta("codebook", "{}"))
        themes = [dict(r) for r in self.store.query("SELECT * FROM themes ORDER BY position")]
        from .store import code_dict

        codes = [code_dict(r) for r in self.store.query("SELECT * FROM codes ORDER BY position")]
        return outputs.codebook_from_records(meta, themes, codes)


def open_project(folder: str | Path, *, check: bool = True) -> Project:
    """Open (and on first use create) the workspace of a ``qual run``/``qual code`` folder."""
    folder = Path(folder)
    files = outputs.locate(folder)
    if check:
        refuse_identifiable(folder, ignore=STORE_FILES)
    path = folder / STORE_FILE
    created = False
    if not path.exists():
        _build(files, path)
        created = True
    project = Project(files=files, store=Store(path), created=created)
    if not created:
        project.notes += sync_from_files(project)
    return project


# --------------------------------------------------------------------------- building


def _file_hashes(files: outputs.ProjectFiles) -> dict[str, str]:
    tracked = files.tracked()
    return {name: sha256_file(tracked[name]) for name in SYNCED_FILES if tracked[name].is_file()}


def _codings_records(frame, segments: dict[tuple[str, str], dict], texts: dict[str, int]) -> tuple[list[dict], int]:
    """Store records (suggestions and people's decisions) from a codings.csv frame, and how
    many rows could not be placed (document not in the corpus, no offsets)."""
    import pandas as pd

    records: list[dict] = []
    lost = 0
    for row in frame.itertuples(index=False):
        document, segment = str(row.document), str(row.segment)
        start = None if pd.isna(row.start) else int(row.start)
        end = None if pd.isna(row.end) else int(row.end)
        unit = segments.get((document, segment))
        if (start is None or end is None) and unit is not None:
            start, end = unit["start"], unit["end"]
        if document not in texts or start is None or end is None or not 0 <= start < end <= texts[document]:
            lost += 1
            continue
        turn = None if pd.isna(row.turn) else int(row.turn)
        if turn is None and unit is not None:
            turn = unit["turn"]
        score = None if pd.isna(row.score) else float(row.score)
        base = {"document": document, "start": start, "end": end, "code": str(row.code), "score": score,
                "source": str(row.source or ""), "segment": segment, "turn": turn}
        status = str(row.status or SUGGESTED)
        if status == SUGGESTED:
            records.append({**base, "coder": MACHINE, "status": SUGGESTED})
        elif status in ("accepted", "rejected"):
            coder = outputs.coder_of(str(getattr(row, "coder", "") or ""), base["source"]) or outputs.IMPORTED_CODER
            records.append({**base, "coder": coder, "status": status})
            if base["source"] and not outputs.is_human_source(base["source"]):
                # a decision on a suggestion: the suggestion itself is part of the record
                records.append({**base, "coder": MACHINE, "status": SUGGESTED})
        else:
            lost += 1
    return records, lost


def _build(files: outputs.ProjectFiles, path: Path) -> None:
    """Create the store from the folder's outputs, atomically (all of it, or no file)."""
    transcripts = outputs.read_transcripts(files)
    frame = outputs.read_codings(files.codings_csv)
    book = outputs.read_codebook(files, frame)
    summaries = outputs.read_summaries(files.framework)
    segments = outputs.segment_records(transcripts)
    meta, themes, codes = outputs.codebook_to_records(book)
    known = {c["id"] for c in codes}
    extra_codes = sorted(set(frame["code"]) - known)
    stamp = now()
    with atomic_path(path) as tmp:
        db = connect(tmp)
        try:
            db.executescript(SCHEMA)
            db.execute("BEGIN")
            db.executemany("INSERT INTO meta(key, value) VALUES (?,?)", [
                ("schema_version", str(SCHEMA_VERSION)), ("created", stamp),
                ("codebook", json.dumps(meta, ensure_ascii=False)), ("exported_revision", "0")])
            for position, t in enumerate(transcripts):
                db.execute("INSERT INTO documents(id, position, case_id, attributes, data) VALUES (?,?,?,?,?)",
                           (t.id, position, outputs.case_of(t.attributes, t.id),
                            json.dumps(t.attributes, ensure_ascii=False, default=str),
                            json.dumps(t.to_dict(), ensure_ascii=False, default=str)))
                db.executemany(
                    "INSERT INTO turns(document, idx, speaker, role, timestamp, span_start, span_end, text) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    [(t.id, turn.index, turn.speaker, str(turn.role), turn.timestamp, turn.start, turn.end,
                      turn.text) for turn in t.turns])
            db.execute("INSERT INTO turns_fts(turns_fts) VALUES('rebuild')")
            db.executemany("INSERT INTO segments VALUES (:document,:segment,:turn,:start,:end,:codable)", segments)
            theme_ids = {t["id"] for t in themes}
            if extra_codes and "(other)" not in theme_ids:
                themes.append({"id": "(other)", "name": "Codes not in the codebook", "description": "",
                               "colour": "#7F7F7F"})
            db.executemany("INSERT INTO themes(id, position, name, description, colour) VALUES (?,?,?,?,?)",
                           [(t["id"], i, t["name"], t["description"], t["colour"]) for i, t in enumerate(themes)])
            codes += [{"id": c, "name": c, "theme": "(other)", "definition": "", "include": "", "exclude": "",
                       "keywords": [], "examples": [], "colour": "#7F7F7F"} for c in extra_codes]
            db.executemany(
                "INSERT INTO codes(id, position, theme, name, definition, include, exclude, keywords, examples, "
                "colour, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(c["id"], i, c["theme"], c["name"], c["definition"], c["include"], c["exclude"],
                  json.dumps(c["keywords"], ensure_ascii=False), json.dumps(c["examples"], ensure_ascii=False),
                  c["colour"], stamp) for i, c in enumerate(codes)])
            by_segment = {(s["document"], s["segment"]): s for s in segments}
            records, lost = _codings_records(frame, by_segment, {t.id: len(t.text) for t in transcripts})
            Store.insert_codings(db, records, stamp)
            for coder in sorted({r["coder"] for r in records} - {MACHINE}):
                db.execute("INSERT INTO coders(name, created) VALUES (?,?)", (coder, stamp))
            db.executemany("INSERT INTO summaries(case_id, code, text, coder, updated) VALUES (?,?,?,?,?)",
                           [(case, code, text, outputs.IMPORTED_CODER, stamp) for case, code, text in summaries])
            lengths = {t.id: len(t.text) for t in transcripts}
            db.executemany("INSERT INTO memos(document, span_start, span_end, coder, text, updated) VALUES "
                           "(:document,:start,:end,:coder,:text,:updated)",
                           [{**m, "updated": stamp} for m in outputs.read_memos_csv(files.memos)
                            if m["document"] in lengths and 0 <= m["start"] <= m["end"] <= lengths[m["document"]]])
            db.executemany("INSERT INTO files(name, sha256, synced) VALUES (?,?,?)",
                           [(name, digest, stamp) for name, digest in _file_hashes(files).items()])
            db.execute("INSERT INTO audit(at, coder, action, kind, entity, after) VALUES (?,?,?,?,?,?)",
                       (stamp, "qual", "import", "project", "{}", json.dumps(
                           {"documents": len(transcripts), "codings": len(records), "not placed": lost,
                            "summaries": len(summaries)})))
            db.execute("COMMIT")
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            db.close()
    log.info("workspace built: %d documents, %d codings (%d rows not placed)", len(transcripts), len(records), lost)


# --------------------------------------------------------------------------- files -> store


def _changed(project: Project) -> dict[str, tuple[str, str]]:
    """Synced files whose content differs from what the store last wrote or read: name -> (hash, synced at)."""
    recorded = {r["name"]: (r["sha256"], r["synced"]) for r in project.store.query("SELECT * FROM files")}
    changed = {}
    for name, digest in _file_hashes(project.files).items():
        if recorded.get(name, ("", ""))[0] != digest:
            changed[name] = (digest, recorded.get(name, ("", ""))[1])
    return changed


def sync_from_files(project: Project) -> list[str]:
    """Take in what changed in codings.csv, framework.xlsx and codebook.yaml since the store
    last wrote or read them. Returns notes for the user (counts, never text)."""
    changed = _changed(project)
    if not changed:
        return []
    notes: list[str] = []
    if "codings.csv" in changed:
        notes += _sync_codings(project)
    if "framework.xlsx" in changed:
        notes += _sync_summaries(project, changed["framework.xlsx"][1])
    if "codebook.yaml" in changed:
        notes += _sync_codebook(project, changed["codebook.yaml"][1])
    with project.store.write("qual") as tx:
        for name, (digest, _) in changed.items():
            tx.db.execute("INSERT INTO files(name, sha256, synced) VALUES (?,?,?) ON CONFLICT(name) DO UPDATE SET "
                          "sha256=excluded.sha256, synced=excluded.synced", (name, digest, tx.stamp))
    return notes


def _sync_codings(project: Project) -> list[str]:
    store = project.store
    frame = outputs.read_codings(project.files.codings_csv)
    segments = {(r["document"], r["segment"]): {"start": r["span_start"], "end": r["span_end"], "turn": r["turn"]}
                for r in store.query("SELECT * FROM segments")}
    lengths = {doc: len(t.text) for doc, t in project.transcripts().items()}
    records, lost = _codings_records(frame, segments, lengths)
    suggestions = [r for r in records if r["coder"] == MACHINE]
    decisions = [r for r in records if r["coder"] != MACHINE]
    current = {(r["document"], r["span_start"], r["span_end"], r["code"]): r["score"]
               for r in store.query("SELECT * FROM codings WHERE coder=?", (MACHINE,))}
    notes = []
    if {(s["document"], s["start"], s["end"], s["code"]) for s in suggestions} != set(current):
        store.replace_suggestions(suggestions, by="codings.csv")
        notes.append(f"codings.csv changed: {len(suggestions)} suggestions taken from it")
    added = kept = 0
    with store.write("qual") as tx:
        for record in decisions:
            key = (record["document"], record["start"], record["end"], record["code"])
            people = tx.db.execute("SELECT coder, status FROM codings WHERE document=? AND span_start=? AND "
                                   "span_end=? AND code=? AND coder<>?", (*key, MACHINE)).fetchall()
            named = record["coder"] != outputs.IMPORTED_CODER
            mine = next((p for p in people if p["coder"] == record["coder"]), None)
            if mine is not None and mine["status"] == record["status"]:
                continue
            if not named and any(p["status"] == record["status"] for p in people):
                continue  # the same decision, written back without its coder's name
            if people and (mine is not None or not named):
                kept += 1
                tx.audit("conflict", "coding", {"document": key[0], "start": key[1], "end": key[2], "code": key[3]},
                         None, {"file": "codings.csv", "status": record["status"], "coder": record["coder"]})
                continue
            Store.insert_codings(tx.db, [record], tx.stamp)
            tx.db.execute("INSERT OR IGNORE INTO coders(name, created) VALUES (?,?)", (record["coder"], tx.stamp))
            tx.audit("accept" if record["status"] == "accepted" else "reject", "coding",
                     {"document": key[0], "start": key[1], "end": key[2], "code": key[3], "coder": record["coder"]},
                     None, {"status": record["status"], "from": "codings.csv"})
            added += 1
    if added:
        notes.append(f"codings.csv changed: {added} decisions taken from it")
    if kept:
        notes.append(f"codings.csv changed: {kept} decisions in it differ from the workspace's; the workspace's "
                     "were kept (the file's are in the audit log)")
    if lost:
        notes.append(f"codings.csv: {lost} rows could not be placed in a transcript and were left out")
    return notes


def _sync_summaries(project: Project, synced_at: str) -> list[str]:
    taken = kept = 0
    with project.store.write("qual") as tx:
        for case, code, text in outputs.read_summaries(project.files.framework):
            row = tx.db.execute("SELECT * FROM summaries WHERE case_id=? AND code=?", (case, code)).fetchone()
            if row is not None and row["text"] == text:
                continue
            entity = {"case": case, "code": code}
            if row is not None and row["updated"] > synced_at:
                kept += 1  # edited in the workspace too since the last sync: keep it, log the file's
                tx.audit("conflict", "summary", entity, None, {"file": "framework.xlsx", "text": text})
                continue
            tx.db.execute(
                "INSERT INTO summaries(case_id, code, text, coder, updated) VALUES (?,?,?,?,?) ON CONFLICT(case_id, "
                "code) DO UPDATE SET text=excluded.text, version=summaries.version+1, updated=excluded.updated",
                (case, code, text, outputs.IMPORTED_CODER, tx.stamp))
            tx.audit("summary", "summary", entity, {"text": row["text"]} if row is not None else None,
                     {"text": text, "from": "framework.xlsx"})
            taken += 1
    notes = [f"framework.xlsx changed: {taken} summaries taken from it"] if taken else []
    if kept:
        notes.append(f"framework.xlsx changed: {kept} summaries were edited in the workspace too; the workspace's "
                     "were kept (the file's are in the audit log)")
    return notes


def _sync_codebook(project: Project, synced_at: str) -> list[str]:
    from ..coding.codebook import load_codebook

    _, themes, codes = outputs.codebook_to_records(load_codebook(project.files.codebook))
    taken = kept = 0
    with project.store.write("qual") as tx:
        for theme in themes:
            tx.db.execute("INSERT OR IGNORE INTO themes(id, position, name, description, colour) VALUES "
                          "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM themes), ?, ?, ?)",
                          (theme["id"], theme["name"], theme["description"], theme["colour"] or "#7F7F7F"))
        for code in codes:
            row = tx.db.execute("SELECT * FROM codes WHERE id=?", (code["id"],)).fetchone()
            values = {k: json.dumps(v, ensure_ascii=False) if k in ("keywords", "examples") else v
                      for k, v in code.items() if k not in ("id", "colour")}
            if row is not None and all(row[k] == v for k, v in values.items()):
                continue
            if row is not None and row["updated"] > synced_at:
                kept += 1
                tx.audit("conflict", "code", {"code": code["id"]}, None, {"file": "codebook.yaml"})
                continue
            if row is None:
                tx.db.execute("INSERT INTO codes(id, position, theme, name, colour, updated) VALUES "
                              "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM codes), ?, ?, ?, ?)",
                              (code["id"], code["theme"], code["name"], code["colour"] or "#7F7F7F", tx.stamp))
            assignments = ", ".join(f"{k}=?" for k in values)
            tx.db.execute(f"UPDATE codes SET {assignments}, version=version+1, updated=? WHERE id=?",
                          (*values.values(), tx.stamp, code["id"]))
            tx.audit("code-edit", "code", {"code": code["id"]}, None, {"from": "codebook.yaml"})
            taken += 1
    notes = [f"codebook.yaml changed: {taken} codes taken from it"] if taken else []
    if kept:
        notes.append(f"codebook.yaml changed: {kept} codes were edited in the workspace too; the workspace's were kept")
    return notes


# --------------------------------------------------------------------------- store -> files


def coding_rows(store: Store) -> list[dict[str, Any]]:
    from .store import coding_dict

    return [coding_dict(r) for r in store.query("SELECT * FROM codings ORDER BY document, span_start, span_end")]


def export_project(project: Project) -> dict[str, Any]:
    """Write every file the workspace keeps in step (see the module's docstring, and memos.csv
    beside codings.csv) from the store.

    Files changed outside since the last sync are taken in first, so an edit made in Excel is
    never overwritten. Returns {"files": [paths], "revision": n, "notes": [...]}.
    """
    notes = sync_from_files(project)
    store = project.store
    with store.read():
        revision = store.revision
        rows = coding_rows(store)
        summaries = store.summaries()
        from .store import memo_dict

        memos = [memo_dict(r) for r in store.db.execute("SELECT * FROM memos ORDER BY document, span_start")]
    transcripts = project.transcripts()
    book = project.codebook()
    frame = outputs.codings_frame(rows, transcripts)
    try:
        written = outputs.write_codings_files(frame, project.files, book)
        if memos or project.files.memos.exists():
            written.append(outputs.write_memos_csv(memos, transcripts, project.files.memos))
        outputs.write_framework_files(frame, book, list(transcripts.values()), summaries, project.files)
    except PermissionError:
        raise QualError(f"{project.files.root}: a file could not be replaced (permission denied; is it open in "
                        "Excel or Word?); close it and export again") from None
    written += [project.files.framework, project.files.report, project.files.qdpx]
    with store.write("qual") as tx:
        for name, digest in _file_hashes(project.files).items():
            tx.db.execute("INSERT INTO files(name, sha256, synced) VALUES (?,?,?) ON CONFLICT(name) DO UPDATE SET "
                          "sha256=excluded.sha256, synced=excluded.synced", (name, digest, tx.stamp))
        Store.set_meta(tx, "exported_revision", str(revision))
        tx.audit("export", "files", {}, None, {"revision": revision})
    return {"files": written, "revision": revision, "notes": notes}


def unexported_changes(store: Store) -> int:
    """How many changes (audit entries of decisions, codes, summaries, memos) are not in the files yet."""
    exported = int(store.meta("exported_revision", "0") or 0)
    return int(store.query("SELECT COUNT(*) AS n FROM audit WHERE id > ? AND kind NOT IN "
                           "('files', 'coder', 'project')", (exported,))[0]["n"])
