"""The workspace's HTTP layer: the token, the host and CSRF checks, loopback only, refusing an
identifiable folder, no text in logs, the JSON API, and the `qual app` command."""

from __future__ import annotations

import logging
import shutil
import socket
import sys

import pytest
from app_fixtures import make_project
from conftest import SAMPLES
from typer.testing import CliRunner

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from qual.app import open_project  # noqa: E402
from qual.app.safety import IdentifiableFolderError, find_identifiable  # noqa: E402
from qual.app.store import MACHINE  # noqa: E402
from qual.app.web import create_app  # noqa: E402
from qual.cli import _register  # noqa: E402
from qual.cli.app import app as cli  # noqa: E402

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def project(tmp_path):
    return open_project(make_project(tmp_path / "project"))


@pytest.fixture
def app(project):
    return create_app(project, port=PORT, suggest_options={"suggesters": ["rules"]})


@pytest.fixture
def client(app):
    """A browser that opened the printed address and named itself alice."""
    browser = TestClient(app, base_url=BASE)
    assert browser.get(f"/?token={app.token}").status_code == 200
    response = browser.post("/api/coder", json={"name": "alice"}, headers={"X-Qual-CSRF": app.state.csrf})
    assert response.status_code == 200
    return browser


def post(client, app, url, body):
    return client.post(url, json=body, headers={"X-Qual-CSRF": app.state.csrf, "Origin": BASE})


def server_log(caplog) -> str:
    """What the server side logged (the test's own HTTP client logs its requests too)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("qual", "uvicorn", "starlette"))


def suggestion(project, document, code):
    return project.store.query("SELECT id FROM codings WHERE document=? AND code=? AND coder=?",
                               (document, code, MACHINE))[0]["id"]


# --------------------------------------------------------------------------- the token


def test_a_request_without_the_token_gets_403(app):
    browser = TestClient(app, base_url=BASE)
    for url in ("/", "/doc/SW01", "/matrix", "/api/status", "/api/doc/SW01", "/static/app.js"):
        assert browser.get(url).status_code == 403, url
    assert browser.get("/?token=wrong-token").status_code == 403
    assert browser.post("/api/coder", json={"name": "x"}).status_code == 403


def test_the_token_becomes_a_strict_cookie_and_leaves_the_address(app):
    browser = TestClient(app, base_url=BASE)
    response = browser.get(f"/doc/SW01?token={app.token}&x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/SW01?x=1"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert browser.get("/api/status").status_code == 400  # through the guard; no coder named yet


def test_only_the_workspaces_own_host_name_is_answered(app):
    """A page on another site that points its own host name at 127.0.0.1 (DNS rebinding)
    gets nothing, even with the token."""
    browser = TestClient(app, base_url="http://evil.example:8765")
    assert browser.get(f"/?token={app.token}").status_code == 403
    browser = TestClient(app, base_url=f"http://localhost:{PORT}")
    assert browser.get(f"/?token={app.token}").status_code == 200


def test_every_response_forbids_other_origins_and_inline_script(client):
    response = client.get("/doc/SW01")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in response.text  # page data travels as JSON that is never executed


# --------------------------------------------------------------------------- cross-site requests


def test_state_changing_requests_need_the_csrf_header_and_the_same_origin(client, app, project):
    body = {"ids": [suggestion(project, "SW01", "IMP.SETUP")], "status": "accepted"}
    assert client.post("/api/decide", json=body).status_code == 403  # a cross-site form: no header
    assert client.post("/api/decide", json=body, headers={"X-Qual-CSRF": "guess"}).status_code == 403
    assert client.post("/api/decide", json=body, headers={"X-Qual-CSRF": app.state.csrf,
                                                          "Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/decide", json=body, headers={"X-Qual-CSRF": app.state.csrf,
                                                          "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert ("SW01", "alice") not in {(r["document"], r["coder"]) for r in project.store.query("SELECT * FROM codings")}
    response = post(client, app, "/api/decide", body)
    assert response.status_code == 200
    assert {(c["coder"], c["status"]) for c in response.json()["codings"]} == {(MACHINE, "suggested"),
                                                                              ("alice", "accepted")}


# --------------------------------------------------------------------------- the API


def test_pages_render_for_a_named_coder(client):
    assert client.get("/", follow_redirects=False).status_code == 200
    for url in ("/doc/SW01", "/code/IMP.SETUP", "/matrix", "/codebook", "/agreement", "/search?q=pastoral&role=SW"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "pastoral" in client.get("/search?q=pastoral").text
    assert client.get("/doc/NOPE").status_code == 404


def test_a_first_visit_asks_who_is_coding(app):
    browser = TestClient(app, base_url=BASE)
    response = browser.get(f"/?token={app.token}")
    assert response.url.path == "/welcome" and "Who is coding?" in response.text


def test_decisions_summaries_and_conflicts_through_the_api(client, app, project):
    sid = suggestion(project, "TM01", "SUS.FUTURE")
    assert post(client, app, "/api/decide", {"ids": [sid], "status": "accepted",
                                             "expected": {str(sid): "undecided"}}).status_code == 200
    stale = post(client, app, "/api/decide", {"ids": [sid], "status": "rejected", "expected": {str(sid): "undecided"}})
    assert stale.status_code == 409 and stale.json()["conflict"] == {"status": "accepted"}
    saved = post(client, app, "/api/summary", {"case": "TM01", "code": "SUS.FUTURE", "text": "keep it", "version": 0})
    assert saved.json()["summary"]["version"] == 1
    conflict = post(client, app, "/api/summary", {"case": "TM01", "code": "SUS.FUTURE", "text": "other", "version": 0})
    assert conflict.status_code == 409 and conflict.json()["conflict"]["text"] == "keep it"
    cell = client.get("/api/summary", params={"case": "TM01", "code": "SUS.FUTURE"}).json()
    assert cell["summary"]["text"] == "keep it" and cell["quotes"][0]["document"] == "TM01"
    status = client.get("/api/status", params={"since": 0}).json()
    assert status["progress"]["reviewed"] == 1 and status["unexported"] == 2
    assert {c["kind"] for c in status["changes"]} >= {"coding", "summary"}
    assert post(client, app, "/api/decide", {"ids": [999999], "status": "accepted"}).status_code == 404
    assert post(client, app, "/api/decide", {"ids": "x", "status": "accepted"}).status_code == 400


def test_coding_a_span_memos_and_the_codebook_through_the_api(client, app, project):
    turn = project.transcripts()["SW01"].turns[3]
    start = turn.start + turn.text.index("pastoral team")
    coded = post(client, app, "/api/code-span", {"document": "SW01", "start": start, "end": start + 13,
                                                 "code": "REL.STAFF"})
    assert coded.status_code == 200 and coded.json()["coding"]["coder"] == "alice"
    memo = post(client, app, "/api/memo", {"document": "SW01", "start": start, "end": start + 13, "text": "note"})
    memo_id = memo.json()["memo"]["id"]
    assert post(client, app, "/api/memo", {"id": memo_id, "version": 1, "text": "note 2"}).status_code == 200
    assert post(client, app, "/api/memo", {"id": memo_id, "version": 1, "text": "stale"}).status_code == 409
    code = project.store.code("REL.STAFF")
    edited = post(client, app, "/api/codes/REL.STAFF", {"changes": {"definition": "Work with school staff."},
                                                        "version": code["version"]})
    assert edited.json()["code"]["definition"] == "Work with school staff."
    example = post(client, app, "/api/example", {"code": "REL.STAFF", "coding": coded.json()["coding"]["id"]})
    assert example.json()["code"]["examples"][-1] == "pastoral team"
    assert post(client, app, "/api/codes", {"id": "REL.NEW", "name": "New", "theme": "REL"}).status_code == 200


def test_two_coders_and_their_agreement(client, app, project):
    setup, clarity = suggestion(project, "SW01", "IMP.SETUP"), suggestion(project, "SW01", "ROLE.CLARITY")
    post(client, app, "/api/decide", {"ids": [setup, clarity], "status": "accepted"})
    post(client, app, "/api/coder", {"name": "bob"})
    post(client, app, "/api/decide", {"ids": [setup], "status": "accepted"})
    post(client, app, "/api/decide", {"ids": [clarity], "status": "rejected"})
    page = client.get("/agreement", params={"a": "alice", "b": "bob"})
    assert page.status_code == 200 and "Cohen" in page.text and "ROLE.CLARITY" in page.text
    from qual.app.queries import agreement_view

    view = agreement_view(project, "alice", "bob")
    per_code = {r["code"]: r for r in view["per_code"]}
    assert (per_code["IMP.SETUP"]["both"], per_code["ROLE.CLARITY"]["a_only"]) == (1, 1)
    assert [d["code"] for d in view["disagreements"]] == ["ROLE.CLARITY"]
    # the suggestions nobody decided on, and the imported reviewer, do not count
    assert "SUS.FUTURE" not in per_code
    resolved = post(client, app, "/api/resolve", {"document": "SW01", "start": view["disagreements"][0]["start"],
                                                  "end": view["disagreements"][0]["end"], "code": "ROLE.CLARITY",
                                                  "status": "accepted", "coders": ["alice", "bob"]})
    assert resolved.status_code == 200
    assert agreement_view(project, "alice", "bob")["disagreements"] == []


def test_export_job_through_the_api(client, app, project):
    post(client, app, "/api/decide", {"ids": [suggestion(project, "SW01", "IMP.SETUP")], "status": "accepted"})
    started = post(client, app, "/api/jobs/export", {})
    assert started.status_code == 200
    state = app.state.jobs.wait(120)
    assert state["state"] == "done", state
    assert project.files.qdpx.is_file() and client.get("/api/status").json()["unexported"] == 0


@pytest.mark.slow
def test_recomputing_suggestions_keeps_every_decision(client, app, project):
    setup = suggestion(project, "SW01", "IMP.SETUP")
    post(client, app, "/api/decide", {"ids": [setup], "status": "rejected"})
    before = {(r["document"], r["code"], r["coder"], r["status"]) for r in project.store.query(
        "SELECT * FROM codings WHERE coder<>?", (MACHINE,))}
    assert post(client, app, "/api/jobs/recompute", {}).status_code == 200
    busy = post(client, app, "/api/jobs/export", {})
    assert busy.status_code == 409  # one job at a time
    state = app.state.jobs.wait(600)
    assert state["state"] == "done", state
    after = {(r["document"], r["code"], r["coder"], r["status"]) for r in project.store.query(
        "SELECT * FROM codings WHERE coder<>?", (MACHINE,))}
    assert after == before
    sources = {r["source"] for r in project.store.query("SELECT source FROM codings WHERE coder=?", (MACHINE,))}
    assert sources <= {"rules", "ensemble"}  # the rules suggester alone ran, in a worker process


# --------------------------------------------------------------------------- no text in logs


def test_an_error_is_reported_by_its_type_only(client, monkeypatch, caplog):
    from qual.app import queries

    def leaky(*args, **kwargs):
        raise ValueError("Transcript says Jayden Okafor lives on Marlowe Road")

    monkeypatch.setattr(queries, "document", leaky)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/doc/SW01")
    assert response.status_code == 500 and "ValueError" in response.text
    assert "Jayden" not in response.text and "Jayden" not in server_log(caplog)


# --------------------------------------------------------------------------- the server


def test_the_server_listens_on_loopback_only(project, caplog):
    import httpx

    from qual.app.server import WorkspaceServer

    server = WorkspaceServer(project, 0).start()
    try:
        assert server.address[0] == "127.0.0.1"
        with caplog.at_level(logging.DEBUG):
            with httpx.Client(base_url=server.base_url) as browser:
                assert browser.get("/").status_code == 403
                assert browser.get(server.url, follow_redirects=True).status_code == 200
                assert browser.get("/search", params={"q": "Marlowe secret words"}).status_code in (200, 303)
        # no access log: the request line carries the search words and the token
        assert "Marlowe" not in server_log(caplog) and server.app.token not in server_log(caplog)
        other = _non_loopback_address()
        if other is not None:
            with pytest.raises(OSError):
                socket.create_connection((other, server.port), timeout=2).close()
    finally:
        server.stop()


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (None when it has none)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, the route picks the interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_a_port_in_use_is_one_clear_line(project):
    from qual.app.server import bind_loopback
    from qual.errors import QualError

    taken = bind_loopback(0)
    try:
        with pytest.raises(QualError, match=f"port {taken.getsockname()[1]} is in use"):
            bind_loopback(taken.getsockname()[1])
    finally:
        taken.close()


# --------------------------------------------------------------------------- refusing identifiable folders


def _with_key(root):
    (root / "swis.key").write_text('{"format": "qual-pseudonym-key"}\n...', encoding="utf-8")


def _with_renamed_key(root):
    (root / "notes.bin").write_text('{"format": "qual-pseudonym-key", "version": 1}\nxx', encoding="utf-8")


def _with_register(root):
    (root / "secure.register.csv").write_text("PERSON,Someone\n", encoding="utf-8")


def _with_review_sheet(root):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["document", "part", "turn", "start", "end", "type", "original", "context", "pseudonym"])
    book.save(root / "checks.xlsx")


def _with_participants(root):
    (root / "people.csv").write_text("participant_id,Full Name,role\nSW01,Someone,SW\n", encoding="utf-8")


def _with_raw_transcript(root):
    shutil.copy(SAMPLES / "SWIS_TM03_interview.txt", root / "SWIS_TM03_interview.txt")


def _with_raw_corpus(root):
    import json

    path = root / "coding" / "corpus.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["attributes"]["name"] = "Helen Marsh"  # not a pseudonym tag
    path.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("add", [_with_key, _with_renamed_key, _with_register, _with_review_sheet, _with_participants,
                                 _with_raw_transcript, _with_raw_corpus])
def test_a_folder_with_identifiable_material_is_refused(tmp_path, add):
    root = make_project(tmp_path / "project")
    add(root)
    with pytest.raises(IdentifiableFolderError) as caught:
        open_project(root)
    message = str(caught.value)
    assert "\n" not in message and "secure side" in message
    assert "Someone" not in message and "Helen" not in message
    assert not (root / "workspace.sqlite").exists()


def test_the_de_identified_project_itself_is_not_refused(tmp_path):
    root = make_project(tmp_path / "project")
    assert find_identifiable(root) == []


def test_qual_app_refuses_a_folder_with_a_key_in_one_line(tmp_path):
    root = make_project(tmp_path / "project")
    (root / "transcripts" / "swis.key").write_bytes(b"\x00secret")
    _register()
    result = CliRunner().invoke(cli, ["app", str(root), "--no-browser"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "swis.key" in lines[0] and "pseudonym key" in lines[0]


# --------------------------------------------------------------------------- the command


def test_qual_app_export_writes_the_files(tmp_path):
    root = make_project(tmp_path / "project")
    _register()
    result = CliRunner().invoke(cli, ["app", str(root), "--export"])
    assert result.exit_code == 0, result.output
    assert "workspace created" in result.output
    for name in ("codings.csv", "codings.xlsx", "framework.xlsx", "report.docx", "project.qdpx"):
        assert f"{name} ->" in result.output
    assert CliRunner().invoke(cli, ["app", str(tmp_path / "nothing"), "--export"]).exit_code == 2


def test_qual_app_says_how_to_install_the_extra(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    for name in ("qual.app.server", "qual.app.web", "qual.app.api"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "starlette", None)
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    _register()
    result = CliRunner().invoke(cli, ["app", str(root), "--no-browser"])
    assert result.exit_code == 2
    assert "pip install 'qual[app]'" in result.output
