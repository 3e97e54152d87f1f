"""What each view of the workspace shows, read from the store as plain data (dicts and lists).

The web layer renders these; tests and notebooks can call them directly. The framework
matrix is the one ``framework.xlsx`` is written from (``outputs.framework_matrix``), cached
per revision, so the workspace and the workbook always count alike.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from . import outputs
from .project import Project, coding_rows, unexported_changes
from .store import MACHINE, code_dict, coding_dict, memo_dict

CONTEXT_CHARS = 220
SEARCH_LIMIT = 200
_SNIPPET_OPEN, _SNIPPET_CLOSE = "\x02", "\x03"


def progress(project: Project, coder: str) -> dict[str, int]:
    """How many of qual's suggestions ``coder`` has decided on, of how many.

    Counted from the coder's own rows (a few hundred) rather than over every suggestion (tens
    of thousands in a large project): this runs after every decision and every poll."""
    total = project.store.query("SELECT COUNT(*) AS n FROM codings WHERE coder=?", (MACHINE,))[0]["n"]
    reviewed = project.store.query(
        "SELECT COUNT(*) AS n FROM codings h WHERE h.coder=? AND EXISTS(SELECT 1 FROM codings s WHERE "
        "s.document=h.document AND s.span_start=h.span_start AND s.span_end=h.span_end AND s.code=h.code AND "
        "s.coder=?)", (coder, MACHINE))[0]["n"]
    return {"reviewed": int(reviewed), "total": int(total)}


def codebook(project: Project) -> dict[str, Any]:
    store = project.store
    themes = [dict(r) for r in store.query("SELECT * FROM themes ORDER BY position")]
    codes = [code_dict(r) for r in store.query("SELECT * FROM codes ORDER BY position")]
    colour = {t["id"]: t["colour"] or "#7F7F7F" for t in themes}
    for code in codes:
        code["theme_colour"] = colour.get(code["theme"], "#7F7F7F")
    for theme in themes:
        theme["codes"] = [c for c in codes if c["theme"] == theme["id"]]
    return {"meta": json.loads(store.meta("codebook", "{}")), "themes": themes, "codes": codes}


def documents(project: Project, coder: str) -> list[dict[str, Any]]:
    """Every document with its case, attributes, turn count and coding counts (for the overview)."""
    rows = project.store.query(
        "SELECT d.id, d.case_id, d.attributes, "
        "(SELECT COUNT(*) FROM turns t WHERE t.document=d.id) AS turns, "
        "(SELECT COUNT(*) FROM codings s WHERE s.document=d.id AND s.coder=?) AS suggestions, "
        "(SELECT COUNT(*) FROM codings s WHERE s.document=d.id AND s.coder=? AND EXISTS(SELECT 1 FROM codings h "
        " WHERE h.document=s.document AND h.span_start=s.span_start AND h.span_end=s.span_end AND h.code=s.code "
        " AND h.coder=?)) AS reviewed, "
        "(SELECT COUNT(*) FROM codings h WHERE h.document=d.id AND h.coder<>? AND h.status='accepted') AS accepted "
        "FROM documents d ORDER BY d.position", (MACHINE, MACHINE, coder, MACHINE))
    out = []
    for r in rows:
        attributes = json.loads(r["attributes"])
        out.append({"id": r["id"], "case": r["case_id"], "role": str(attributes.get("role") or ""),
                    "local_authority": str(attributes.get("local_authority") or ""), "turns": r["turns"],
                    "suggestions": r["suggestions"], "reviewed": r["reviewed"], "accepted": r["accepted"]})
    return out


def document(project: Project, document_id: str) -> dict[str, Any] | None:
    """A document's turns, every coding on it (suggestions and people's) and its memos."""
    store = project.store
    with store.read() as db:
        head = db.execute("SELECT id, case_id, attributes FROM documents WHERE id=?", (document_id,)).fetchone()
        if head is None:
            return None
        turns = [{"index": t["idx"], "speaker": t["speaker"], "role": t["role"], "timestamp": t["timestamp"],
                  "start": t["span_start"], "end": t["span_end"], "text": t["text"]}
                 for t in db.execute("SELECT * FROM turns WHERE document=? ORDER BY idx", (document_id,))]
        codings = [coding_dict(r) for r in db.execute(
            "SELECT * FROM codings WHERE document=? ORDER BY span_start, span_end, code, coder", (document_id,))]
        memos = [memo_dict(r) for r in db.execute("SELECT * FROM memos WHERE document=? ORDER BY span_start",
                                                  (document_id,))]
        order = [r["id"] for r in db.execute("SELECT id FROM documents ORDER BY position")]
    position = order.index(document_id)
    return {"id": head["id"], "case": head["case_id"], "attributes": _shown_attributes(json.loads(head["attributes"])),
            "turns": turns, "codings": codings, "memos": memos,
            "previous": order[position - 1] if position else None,
            "next": order[position + 1] if position + 1 < len(order) else None}


def _shown_attributes(attributes: dict[str, Any]) -> dict[str, str]:
    """The case attributes a page shows: the ones the framework matrix shows (safe ones)."""
    from ..export.matrix import DEFAULT_ATTRIBUTES

    return {k: str(attributes[k]) for k in DEFAULT_ATTRIBUTES if attributes.get(k) not in (None, "")}


def _context(text: str, start: int, end: int, turns: list[tuple[int, int]]) -> tuple[str, str]:
    """A little talk before and after a span, cut at word boundaries."""
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    if start - CONTEXT_CHARS > 0 and " " in before:
        before = "… " + before.split(" ", 1)[1]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + " …"
    return before, after


def code_segments(project: Project, code_id: str, coder: str, status: str = "all") -> list[dict[str, Any]]:
    """Every span coded or suggested with ``code_id``, across cases, with surrounding talk:
    one item per span, with the suggestion (if any), ``coder``'s decision and the others'.

    ``status``: ``all``, ``undecided`` (by ``coder``), ``accepted`` or ``rejected`` (by anyone).
    """
    store = project.store
    rows = [coding_dict(r) for r in store.query(
        "SELECT c.* FROM codings c JOIN documents d ON d.id=c.document WHERE c.code=? "
        "ORDER BY d.position, c.span_start, c.span_end, c.coder", (code_id,))]
    items: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = (row["document"], row["start"], row["end"])
        item = items.setdefault(key, {"document": row["document"], "start": row["start"], "end": row["end"],
                                      "segment": row["segment"], "turn": row["turn"], "suggestion": None,
                                      "decisions": {}, "id": row["id"]})
        if row["coder"] == MACHINE:
            item["suggestion"] = row
            item["id"] = row["id"]
        else:
            item["decisions"][row["coder"]] = row
    wanted = []
    for item in items.values():
        mine = item["decisions"].get(coder)
        item["mine"] = mine["status"] if mine else "undecided"
        statuses = {d["status"] for d in item["decisions"].values()}
        if status == "undecided" and mine is not None:
            continue
        if status in ("accepted", "rejected") and status not in statuses:
            continue
        wanted.append(item)
    texts = {}
    for item in wanted:
        if item["document"] not in texts:
            texts[item["document"]] = _document_layout(project, item["document"])
        text, turns, case, timestamps = texts[item["document"]]
        item["text"] = text[item["start"]:item["end"]]
        item["before"], item["after"] = _context(text, item["start"], item["end"], turns)
        item["case"] = case
        item["reference"] = outputs.reference(item["document"], item["segment"], item["turn"],
                                              timestamps.get(item["turn"]))
    return wanted


def _document_layout(project: Project, document_id: str) -> tuple[str, list[tuple[int, int]], str, dict]:
    """A document's plain text (``Transcript.text``), turn spans, case and turn timestamps."""
    from ..model import Transcript

    row = project.store.query("SELECT case_id, data FROM documents WHERE id=?", (document_id,))[0]
    transcript = Transcript.from_dict(json.loads(row["data"]))
    return (transcript.text, [(t.start, t.end) for t in transcript.turns], row["case_id"],
            {t.index: t.timestamp for t in transcript.turns})


# --------------------------------------------------------------------------- framework matrix

_matrix_cache: dict[str, Any] = {}
_matrix_lock = threading.Lock()


def _codings_revision(project: Project) -> int:
    return int(project.store.query("SELECT COALESCE(MAX(id), 0) AS r FROM audit WHERE kind IN "
                                   "('coding', 'suggestions', 'code', 'project')")[0]["r"])


def framework(project: Project):
    """The FrameworkMatrix of the store's codings (as framework.xlsx would show it), cached."""
    key = f"{project.store.path}:{_codings_revision(project)}"
    with _matrix_lock:
        if _matrix_cache.get("key") != key:
            transcripts = project.transcripts()
            frame = outputs.codings_frame(coding_rows(project.store), transcripts)
            _matrix_cache.clear()
            _matrix_cache.update(key=key, matrix=outputs.framework_matrix(frame, project.codebook(),
                                                                          list(transcripts.values())))
        return _matrix_cache["matrix"]


def matrix_view(project: Project, theme_id: str | None) -> dict[str, Any]:
    """Cases x codes of one theme: counts per cell, role groups, summaries (with versions)."""
    from ..export.workbook import group_label

    matrix = framework(project)
    themes = [{"id": t.id, "name": t.name, "colour": t.colour} for t in matrix.theme_list]
    theme_id = theme_id if theme_id in {t["id"] for t in themes} else (themes[0]["id"] if themes else None)
    codes = [{"id": c.id, "name": c.name, "definition": c.definition} for c in matrix.codes_of(theme_id)] \
        if theme_id else []
    summaries = {(r["case_id"], r["code"]): {"text": r["text"], "version": r["version"], "coder": r["coder"]}
                 for r in project.store.query("SELECT * FROM summaries")}
    rows = []
    for group in matrix.groups:
        members = [case for case in matrix.cases.index if matrix.cases.at[case, "group"] == group]
        label = group_label(group)
        rows.append({"case": label, "group": True, "attributes": {}, "cells": [
            {"code": c["id"], "count": int(sum(matrix.presence.at[m, c["id"]] for m in members)),
             "of": len(members), "summary": summaries.get((label, c["id"]))} for c in codes]})
        for case in members:
            attributes = {a: str(matrix.cases.at[case, a]) for a in matrix.attributes
                          if str(matrix.cases.at[case, a]) not in ("", "nan", "None")}
            rows.append({"case": case, "group": False, "attributes": attributes, "cells": [
                {"code": c["id"], "count": int(matrix.counts.at[case, c["id"]]),
                 "summary": summaries.get((case, c["id"]))} for c in codes]})
    maximum = max([cell["count"] for row in rows if not row["group"] for cell in row["cells"]] or [0])
    note = ("Accepted codes only: suggestions count once someone accepts them" if matrix.status == "accepted" else
            "No code has been accepted yet, so qual's suggestions are counted")
    return {"themes": themes, "theme": theme_id, "codes": codes, "rows": rows, "max": maximum, "status_note": note}


def cell_quotes(project: Project, case: str, code: str) -> list[dict[str, Any]]:
    """The quotes of one matrix cell with where they are (document and span), in transcript order."""
    matrix = framework(project)
    quotes = matrix.quotes
    if case.startswith("All "):
        group = case[len("All "):]
        members = set(matrix.cases.index[matrix.cases["group"] == group])
        quotes = quotes[quotes["case"].isin(members) & (quotes["code"] == code)]
    else:
        quotes = matrix.quotes_for(case, code)
    import pandas as pd

    return [{"case": q.case, "document": q.document, "start": None if pd.isna(q.start) else int(q.start),
             "end": None if pd.isna(q.end) else int(q.end), "reference": q.reference, "text": q.text,
             "status": q.status} for q in quotes.itertuples(index=False)]


# --------------------------------------------------------------------------- agreement


def agreement_view(project: Project, coder_a: str | None, coder_b: str | None) -> dict[str, Any]:
    """κ, α and AC1 per code between two coders, counting only human decisions (their
    accepted codes; a rejected suggestion or no decision is "not applied"), over the codable
    segments of the documents both have decided in; and their disagreements, side by side."""
    import pandas as pd

    store = project.store
    people = [r["coder"] for r in store.query(
        "SELECT coder, COUNT(*) AS n FROM codings WHERE coder<>? GROUP BY coder ORDER BY n DESC", (MACHINE,))]
    result: dict[str, Any] = {"coders": people, "a": coder_a, "b": coder_b, "report": None, "disagreements": []}
    if not coder_a or not coder_b:
        if len(people) < 2:
            return result
        first = coder_a or people[0]
        result["a"], result["b"] = first, coder_b or next(p for p in people if p != first)
    coder_a, coder_b = result["a"], result["b"]
    if coder_a == coder_b:
        return result
    rows = [coding_dict(r) for r in store.query("SELECT * FROM codings WHERE coder IN (?, ?)", (coder_a, coder_b))]
    shared = ({r["document"] for r in rows if r["coder"] == coder_a}
              & {r["document"] for r in rows if r["coder"] == coder_b})
    if not shared:
        result["note"] = "these two coders have not decided in the same document yet"
        return result
    rows = [r for r in rows if r["document"] in shared]
    frame = pd.DataFrame(rows)
    applied = frame[frame["status"] == "accepted"].assign(segment=lambda f: f["segment"].astype(str))
    units = pd.DataFrame([dict(r) for r in store.query(
        "SELECT document, segment, turn FROM segments WHERE codable=1 AND document IN (%s)"
        % ",".join("?" * len(shared)), sorted(shared))])
    report = outputs.agreement_report(applied[applied["coder"] == coder_a], applied[applied["coder"] == coder_b],
                                      units, project.codebook(), coder_a, coder_b)
    result["report"] = report
    result["per_code"] = [r for r in report.per_code.to_dict("records") if r["a"] + r["b"] > 0]
    result["overall"] = report.overall.to_dict("records")
    by_key: dict[tuple, dict[str, str]] = {}
    for r in rows:
        by_key.setdefault((r["document"], r["start"], r["end"], r["code"]), {})[r["coder"]] = r["status"]
    layouts: dict[str, Any] = {}
    for (document, start, end, code), decided in sorted(by_key.items()):
        a, b = decided.get(coder_a, "undecided"), decided.get(coder_b, "undecided")
        if (a == "accepted") == (b == "accepted"):
            continue
        if document not in layouts:
            layouts[document] = _document_layout(project, document)
        text = layouts[document][0]
        result["disagreements"].append({"document": document, "start": start, "end": end, "code": code,
                                        "text": text[start:end], "a": a, "b": b})
    return result


# --------------------------------------------------------------------------- search


def _fts_query(text: str) -> str:
    """Words as quoted FTS5 terms (all must match); the last one also as a prefix."""
    words = re.findall(r"\w+", text, re.UNICODE)[:12]
    if not words:
        return ""
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


def search(project: Project, text: str, *, role: str = "", local_authority: str = "", code: str = "") -> dict[str, Any]:
    """Turns matching ``text`` (full-text), filtered by case attribute and by code (a turn
    with an accepted coding or a suggestion of ``code`` in it)."""
    store = project.store
    attributes = [json.loads(r["attributes"]) for r in store.query("SELECT attributes FROM documents")]
    facets = {"roles": sorted({str(a.get("role")) for a in attributes if a.get("role")}),
              "local_authorities": sorted({str(a.get("local_authority")) for a in attributes
                                           if a.get("local_authority")})}
    query = _fts_query(text)
    if not query and not code:
        return {"results": [], "facets": facets, "count": 0}
    sql = ["SELECT t.document, t.idx, t.speaker, t.timestamp, t.span_start, t.span_end, d.case_id"]
    params: list[Any] = []
    if query:
        sql.append(f", snippet(turns_fts, 0, '{_SNIPPET_OPEN}', '{_SNIPPET_CLOSE}', ' … ', 24) AS snippet "
                   "FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid JOIN documents d ON d.id = t.document "
                   "WHERE turns_fts MATCH ?")
        params.append(query)
    else:
        sql.append(", substr(t.text, 1, 200) AS snippet FROM turns t JOIN documents d ON d.id = t.document WHERE 1")
    if role:
        sql.append("AND json_extract(d.attributes, '$.role') = ?")
        params.append(role)
    if local_authority:
        sql.append("AND json_extract(d.attributes, '$.local_authority') = ?")
        params.append(local_authority)
    if code:
        sql.append("AND EXISTS(SELECT 1 FROM codings c WHERE c.document = t.document AND c.code = ? AND "
                   "c.status <> 'rejected' AND c.span_start < t.span_end AND c.span_end > t.span_start)")
        params.append(code)
    sql.append("ORDER BY d.position, t.idx LIMIT ?")
    params.append(SEARCH_LIMIT + 1)
    rows = store.query(" ".join(sql), params)
    results = [{"document": r["document"], "turn": r["idx"], "speaker": r["speaker"], "timestamp": r["timestamp"],
                "start": r["span_start"], "case": r["case_id"], "snippet": r["snippet"]} for r in rows[:SEARCH_LIMIT]]
    return {"results": results, "facets": facets, "count": len(results), "more": len(rows) > SEARCH_LIMIT}


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, is_match) pieces, for the template to escape and mark."""
    parts = []
    for i, piece in enumerate(re.split(f"[{_SNIPPET_OPEN}{_SNIPPET_CLOSE}]", snippet)):
        if piece:
            parts.append((piece, i % 2 == 1))
    return parts


def status(project: Project, coder: str, since: int | None = None) -> dict[str, Any]:
    """What every page polls: the revision, changes since ``since``, progress, unexported changes."""
    store = project.store
    revision = store.revision
    return {"revision": revision, "changes": store.changes(since) if since is not None and since < revision else [],
            "progress": progress(project, coder), "unexported": unexported_changes(store)}
