"""The workspace's project store: built from a project's outputs, one transaction per change,
edit conflicts, the audit log, syncing files changed outside, and the export round trip."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile

import pytest
from app_fixtures import CODINGS, make_project, transcripts

from qual.app import EditConflict, export_project, open_project, unexported_changes
from qual.app.outputs import read_codings
from qual.app.store import MACHINE, STORE_FILE
from qual.errors import QualError


@pytest.fixture
def project(tmp_path):
    return open_project(make_project(tmp_path / "project"))


def suggestion(project, document, code):
    rows = project.store.query("SELECT id FROM codings WHERE document=? AND code=? AND coder=?",
                               (document, code, MACHINE))
    return rows[0]["id"]


def human_rows(project):
    return {(r["document"], r["code"], r["coder"]): r["status"] for r in project.store.query(
        "SELECT document, code, coder, status FROM codings WHERE coder<>?", (MACHINE,))}


# --------------------------------------------------------------------------- building


def test_the_store_is_built_from_the_outputs_on_first_open(project):
    store = project.store
    assert project.created and (project.files.root / STORE_FILE).is_file()
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert [r["id"] for r in store.query("SELECT id FROM documents ORDER BY position")] == ["SW01", "TM01"]
    assert store.query("SELECT COUNT(*) AS n FROM turns")[0]["n"] == 8
    assert store.query("SELECT COUNT(*) AS n FROM codes")[0]["n"] == 30
    # every suggestion, and the suggestion behind a decision made in the review sheet
    assert store.query("SELECT COUNT(*) AS n FROM codings WHERE coder=?", (MACHINE,))[0]["n"] == len(CODINGS)
    # a decision without a named coder is the reviewer's; a named coder keeps their name
    assert human_rows(project) == {("SW01", "IMP.SPACE", "reviewer"): "accepted",
                                   ("TM01", "REF.THRESHOLDS", "bob"): "rejected"}
    assert set(store.coders()) == {"reviewer", "bob"}


def test_codings_are_spans_of_the_transcripts_plain_text(project):
    texts = {t.id: t.text for t in transcripts()}
    turns = {(t.id, turn.index): turn for t in transcripts() for turn in t.turns}
    for row in project.store.query("SELECT * FROM codings"):
        turn = turns[(row["document"], row["turn"])]
        assert texts[row["document"]][row["span_start"]:row["span_end"]] == turn.text


def test_a_second_open_uses_the_store_and_finds_nothing_changed(project):
    project.store.decide([suggestion(project, "SW01", "IMP.SETUP")], "alice", "accepted")
    again = open_project(project.files.root)
    assert not again.created and again.notes == []
    assert human_rows(again)[("SW01", "IMP.SETUP", "alice")] == "accepted"


def test_full_text_search_index(project):
    from qual.app.queries import search

    found = search(project, "pastoral")
    assert [(r["document"], r["turn"]) for r in found["results"]] == [("SW01", 3)]
    # the last word is a prefix ("referral" finds "Referrals"), in the question and in the answer
    assert search(project, "referral", role="TM")["count"] == 2
    assert search(project, "referral", role="SW")["count"] == 0
    assert search(project, "referral", local_authority="[Local authority 2]")["count"] == 2
    assert [r["turn"] for r in search(project, "", code="SUS.FUTURE")["results"]] == [3]
    # what people type is words, never FTS syntax that could fail
    assert search(project, 'threshold"')["count"] == 1
    assert search(project, 'NOT ( OR "')["count"] == 0


# --------------------------------------------------------------------------- decisions


def test_each_coder_decides_on_a_suggestion_independently(project):
    from qual.app.queries import progress

    store = project.store
    setup = suggestion(project, "SW01", "IMP.SETUP")
    before = progress(project, "alice")
    rows = store.decide([setup], "alice", "accepted")
    assert {(r["coder"], r["status"]) for r in rows} == {(MACHINE, "suggested"), ("alice", "accepted")}
    store.decide([setup], "carol", "rejected")
    assert progress(project, "alice") == {"reviewed": before["reviewed"] + 1, "total": before["total"]}
    assert human_rows(project)[("SW01", "IMP.SETUP", "carol")] == "rejected"
    # the suggestion itself is what the suggesters said, whoever decided on it
    assert store.coding(setup)["status"] == "suggested"
    store.decide([setup], "alice", "undecided")
    assert ("SW01", "IMP.SETUP", "alice") not in human_rows(project)


def test_a_decision_made_in_another_tab_is_a_conflict_not_an_overwrite(project):
    store = project.store
    setup = suggestion(project, "SW01", "IMP.SETUP")
    store.decide([setup], "alice", "accepted", expected={setup: "undecided"})
    with pytest.raises(EditConflict) as caught:  # the other tab still shows "undecided"
        store.decide([setup], "alice", "rejected", expected={setup: "undecided"})
    assert caught.value.current == {"status": "accepted"}
    assert human_rows(project)[("SW01", "IMP.SETUP", "alice")] == "accepted"


def test_coding_a_selected_phrase(project):
    store = project.store
    turn = transcripts()[0].turns[3]
    start = turn.start + turn.text.index("pastoral team")
    coding = store.add_coding("SW01", start, start + len("pastoral team"), "REL.STAFF", "alice")
    assert (coding["segment"], coding["turn"], coding["source"], coding["status"]) == ("3", 3, "human", "accepted")
    with pytest.raises(QualError, match="inside one turn"):
        store.add_coding("SW01", turn.start - 5, turn.start + 5, "REL.STAFF", "alice")
    with pytest.raises(QualError, match="no code"):
        store.add_coding("SW01", start, start + 4, "NOT.A.CODE", "alice")
    # coding exactly a suggested span with its code is accepting the suggestion
    whole = transcripts()[0].turns[1]
    accepted = store.add_coding("SW01", whole.start, whole.end, "IMP.SETUP", "alice")
    assert accepted["source"] == "rules+semantic"


def test_a_failed_change_leaves_nothing_behind(project):
    store = project.store
    revision = store.revision
    setup = suggestion(project, "SW01", "IMP.SETUP")
    with pytest.raises(QualError):
        store.recode([setup, 999_999], "IMP.COVID", "alice")  # the second id does not exist
    assert store.revision == revision
    assert ("SW01", "IMP.COVID", "alice") not in human_rows(project)
    assert ("SW01", "IMP.SETUP", "alice") not in human_rows(project)


def test_recode_rejects_the_old_code_and_applies_the_new(project):
    store = project.store
    store.recode([suggestion(project, "SW01", "ROLE.CLARITY")], "IMP.SETUP", "alice")
    rows = human_rows(project)
    assert rows[("SW01", "ROLE.CLARITY", "alice")] == "rejected"
    assert rows[("SW01", "IMP.SETUP", "alice")] == "accepted"


def test_summaries_and_memos_carry_versions(project):
    store = project.store
    first = store.set_summary("SW01", "IMP.SETUP", "Started with an induction day.", "alice", 0)
    assert first["version"] == 1
    second = store.set_summary("SW01", "IMP.SETUP", "Started with an induction day; met DSLs.", "alice", 1)
    assert second["version"] == 2
    with pytest.raises(EditConflict) as caught:  # a tab that loaded version 1
        store.set_summary("SW01", "IMP.SETUP", "Something else", "bob", 1)
    assert caught.value.current["text"] == "Started with an induction day; met DSLs."
    assert store.summary("SW01", "IMP.SETUP")["text"] == "Started with an induction day; met DSLs."
    memo = store.save_memo("alice", "ask about the office", document="SW01", start=10, end=20)
    store.save_memo("alice", "ask about the office again", memo_id=memo["id"], expected_version=1)
    with pytest.raises(EditConflict):
        store.save_memo("bob", "stale", memo_id=memo["id"], expected_version=1)


def test_the_audit_log_records_every_decision_without_text(project):
    store = project.store
    since = store.revision
    store.decide([suggestion(project, "TM01", "SUS.FUTURE")], "alice", "accepted")
    store.set_summary("TM01", "SUS.FUTURE", "Wants it to continue if funded.", "alice", 0)
    changes = store.changes(since)
    assert [(c["kind"], c["action"], c["coder"]) for c in changes] == [("coding", "accept", "alice"),
                                                                       ("summary", "summary", "alice")]
    assert changes[0]["entity"]["document"] == "TM01"
    assert "funded" not in json.dumps(changes)  # what pages poll never carries text
    audit = store.query("SELECT before, after FROM audit WHERE kind='summary'")
    assert json.loads(audit[-1]["after"])["text"] == "Wants it to continue if funded."  # the log itself keeps it


def test_coder_names_are_checked(project):
    with pytest.raises(QualError):
        project.store.add_coder("<script>")
    with pytest.raises(QualError):
        project.store.add_coder("   ")
    assert project.store.add_coder("  Ana   María ") == "Ana María"


def test_a_killed_process_keeps_every_change_it_was_told_was_made(tmp_path):
    """The change is committed (fsync'd, WAL) before the call returns; SIGKILL right after
    must not lose it."""
    root = make_project(tmp_path / "project")
    open_project(root).store.close()
    script = textwrap.dedent(f"""
        import os, signal
        from qual.app.project import open_project
        project = open_project({str(root)!r})
        sid = project.store.query("SELECT id FROM codings WHERE code='IMP.SETUP' AND coder=''")[0]["id"]
        project.store.decide([sid], "alice", "accepted")
        project.store.set_summary("SW01", "IMP.SETUP", "typed before the kill", "alice", 0)
        print("done", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL and "done" in result.stdout
    reopened = open_project(root)
    assert human_rows(reopened)[("SW01", "IMP.SETUP", "alice")] == "accepted"
    assert reopened.store.summary("SW01", "IMP.SETUP")["text"] == "typed before the kill"


def test_the_store_is_created_atomically(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    from qual.app import outputs

    def broken(*args, **kwargs):
        raise RuntimeError("segmenting failed")

    monkeypatch.setattr(outputs, "segment_records", broken)
    with pytest.raises(RuntimeError):
        open_project(root)
    assert not any(p.name.startswith(STORE_FILE) or p.name.endswith(".tmp") for p in root.iterdir())


# --------------------------------------------------------------------------- exports


def test_export_writes_the_files_from_the_store_and_reads_back_the_same(project):
    store = project.store
    store.decide([suggestion(project, "SW01", "IMP.SETUP")], "alice", "accepted")
    store.decide([suggestion(project, "TM01", "REF.PROCESS")], "alice", "rejected")
    turn = transcripts()[0].turns[3]
    start = turn.start + turn.text.index("pastoral team")
    store.add_coding("SW01", start, start + len("pastoral team"), "REL.STAFF", "alice")
    store.set_summary("SW01", "IMP.SETUP", "Induction day, then meeting the DSLs.", "alice", 0)
    store.save_memo("alice", "office location matters", document="SW01", start=start, end=start + 13)
    assert unexported_changes(store) == 5
    result = export_project(project)
    assert unexported_changes(store) == 0
    files = project.files
    assert {p.name for p in result["files"]} >= {"codings.csv", "codings.xlsx", "codebook.yaml", "framework.xlsx",
                                                 "report.docx", "project.qdpx", "memos.csv"}

    codings = read_codings(files.codings_csv)
    people = codings[codings["coder"] != ""]
    assert sorted(zip(people["document"], people["code"], people["coder"], people["status"])) == [
        ("SW01", "IMP.SETUP", "alice", "accepted"), ("SW01", "IMP.SPACE", "reviewer", "accepted"),
        ("SW01", "REL.STAFF", "alice", "accepted"), ("TM01", "REF.PROCESS", "alice", "rejected"),
        ("TM01", "REF.THRESHOLDS", "bob", "rejected")]
    phrase = people[people["code"] == "REL.STAFF"].iloc[0]
    assert (phrase["text"], int(phrase["start"]), int(phrase["end"])) == ("pastoral team", start, start + 13)
    # a decided suggestion is not also listed as undecided
    undecided = codings[codings["coder"] == ""]
    assert set(undecided["code"]) == {"ROLE.CLARITY", "SUS.FUTURE"}

    from qual.export.summaries import read_summaries

    summaries = read_summaries(files.framework)
    assert list(zip(summaries["case"], summaries["code"], summaries["summary"])) == [
        ("SW01", "IMP.SETUP", "Induction day, then meeting the DSLs.")]

    with zipfile.ZipFile(files.qdpx) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    from lxml import etree

    root = etree.fromstring(qde.encode("utf-8"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", ns)}
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", ns)}
    cases = {c.get("guid") for c in root.iterfind(".//q:Case", ns)}  # NVivo's case codes: not codings
    coded = sorted((int(s.get("startPosition")), int(s.get("endPosition")), users[c.get("creatingUser")],
                    codes[c.find("q:CodeRef", ns).get("targetGUID")])
                   for s in root.iterfind(".//q:PlainTextSelection", ns) for c in s.iterfind("q:Coding", ns)
                   if c.find("q:CodeRef", ns).get("targetGUID") not in cases)
    setup = transcripts()[0].turns[1]
    space = transcripts()[0].turns[3]
    names = {code_id: name for code_id, name in ((c.id, c.name) for c in project.codebook().codes)}
    assert coded == sorted([(setup.start, setup.end, "alice", names["IMP.SETUP"]),
                            (space.start, space.end, "reviewer", names["IMP.SPACE"]),
                            (start, start + 13, "alice", names["REL.STAFF"])])

    # a fresh store built from the exported files holds the same decisions and summaries
    decided = human_rows(project)
    project.store.close()
    for name in os.listdir(files.root):
        if name.startswith(STORE_FILE):
            os.remove(files.root / name)
    rebuilt = open_project(files.root)
    assert rebuilt.created and human_rows(rebuilt) == decided
    assert rebuilt.store.summaries() == {("SW01", "IMP.SETUP"): "Induction day, then meeting the DSLs."}
    memos = rebuilt.store.query("SELECT * FROM memos")
    assert [(m["document"], m["span_start"], m["coder"], m["text"]) for m in memos] == [
        ("SW01", start, "alice", "office location matters")]


def test_existing_commands_still_read_the_exported_files(project, tmp_path):
    from typer.testing import CliRunner

    from qual.cli import _register
    from qual.cli.app import app

    _register()
    project.store.decide([suggestion(project, "SW01", "IMP.SETUP")], "alice", "accepted")
    export_project(project)
    runner = CliRunner()
    files = project.files
    result = runner.invoke(app, ["matrix", str(files.codings_csv), "--out", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export-qdpx", str(files.codings_csv), "--out", str(tmp_path / "p.qdpx")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["code", "--accept", str(files.codings_xlsx), "--out", str(files.coding)])
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- files changed outside


def test_summaries_typed_in_excel_come_into_the_workspace(project):
    from openpyxl import load_workbook

    store = project.store
    store.set_summary("SW01", "IMP.SETUP", "from the workspace", "alice", 0)
    store.set_summary("TM01", "SUS.FUTURE", "also from the workspace", "alice", 0)
    export_project(project)
    book = load_workbook(project.files.framework)
    changed = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "from the workspace":
                    cell.value = "typed in Excel"
                    changed += 1
                if cell.value == "also from the workspace":
                    cell.value = "typed in Excel too"
                    changed += 1
    assert changed == 2
    book.save(project.files.framework)
    # meanwhile the TM01 summary is edited in the workspace as well: that one is a conflict
    current = store.summary("TM01", "SUS.FUTURE")
    store.set_summary("TM01", "SUS.FUTURE", "edited in the workspace", "alice", current["version"])
    again = open_project(project.files.root)
    assert again.store.summary("SW01", "IMP.SETUP")["text"] == "typed in Excel"
    assert again.store.summary("TM01", "SUS.FUTURE")["text"] == "edited in the workspace"
    assert any("1 summaries taken" in note for note in again.notes)
    assert any("1 summaries were edited in the workspace too" in note for note in again.notes)
    conflict = again.store.query("SELECT after FROM audit WHERE action='conflict'")
    assert json.loads(conflict[0]["after"])["text"] == "typed in Excel too"  # nothing is lost


def test_decisions_applied_with_qual_code_accept_come_into_the_workspace(project):
    from qual.coding.review import apply_review, read_review
    from qual.model import Codings

    store = project.store
    store.decide([suggestion(project, "SW01", "IMP.SETUP")], "alice", "accepted")
    export_project(project)
    # a reviewer marks SUS.FUTURE "yes" in codings.xlsx and runs `qual code --accept`
    from openpyxl import load_workbook

    review = project.files.codings_xlsx
    book = load_workbook(review)
    sheet = book["codings"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("code")].value == "SUS.FUTURE":
            row[header.index("accept")].value = "yes"
    book.save(review)
    codings, counts = apply_review(review, project.files.coding)
    Codings(codings).write(project.files.codings_csv)  # as the CLI does
    Codings(codings).write(review)
    assert counts["accepted"] >= 1 and read_review(review) is not None
    again = open_project(project.files.root)
    rows = human_rows(again)
    assert rows[("TM01", "SUS.FUTURE", "reviewer")] == "accepted"
    # alice's decision came back: recognised, not duplicated as the reviewer's
    assert ("SW01", "IMP.SETUP", "reviewer") not in rows and rows[("SW01", "IMP.SETUP", "alice")] == "accepted"


def test_a_store_of_another_schema_version_is_refused(project):
    path = project.store.path
    project.store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(QualError, match="another version"):
        open_project(project.files.root)
