"""The workspace driven in a real headless Chromium (Debian's ``chromium``, through Playwright):
review suggestions with the keyboard, code a selected phrase, write a summary, switch coder,
and find exactly those changes in the exported codings.csv, framework.xlsx and project.qdpx.

Skipped when /usr/bin/chromium or Playwright is absent (``.ci/run`` installs chromium when it
can). Playwright is never asked to download a browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import CODEBOOK, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
PHRASE = "seven statutory cases"

pytestmark = [pytest.mark.browser, pytest.mark.slow]
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory):
    """`qual run` on the samples, once, with the key outside the output folder."""
    base = tmp_path_factory.mktemp("app-browser")
    out = base / "out"
    command = [sys.executable, "-c", "from qual.cli import main; main()", "run", str(SAMPLES), "--codebook",
               str(CODEBOOK), "--out", str(out), "--key", str(base / "secure" / "samples.key"), "--embedder", "static"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "QUAL_KEY_PASSPHRASE": "browser-test-only"})
    assert result.returncode == 0, result.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def server(sample_folder):
    from qual.app import open_project
    from qual.app.server import WorkspaceServer

    running = WorkspaceServer(open_project(sample_folder), 0).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="qual-chromium-"), executable_path=str(CHROMIUM), headless=True,
            args=LAUNCH_FLAGS, viewport={"width": 1400, "height": 900})
        yield context
        context.close()


def test_qual_check_still_passes_on_a_folder_with_a_workspace(server, sample_folder):
    """The store sits in the folder (built when the server opened it, its log open beside it);
    the CI gate reads the database too, rows still in its log among them, and passes."""
    assert (sample_folder / "workspace.sqlite").is_file()
    result = subprocess.run([sys.executable, "-c", "from qual.cli import main; main()", "check", str(sample_folder)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "not scanned" not in result.stdout + result.stderr


class Watch:
    """Every request a page makes, and every script error it reports."""

    def __init__(self, page, base_url: str) -> None:
        self.base_url = base_url
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)

    def check(self) -> None:
        assert not self.errors, self.errors
        elsewhere = [url for url in self.requests if not url.startswith((self.base_url, "data:"))]
        assert not elsewhere, elsewhere  # offline: nothing but the workspace itself


def name_yourself(page, server, name: str) -> None:
    page.goto(server.url)  # the printed address: its token becomes a cookie
    if "/welcome" not in page.url:  # this browser has named someone already
        page.goto(f"{server.base_url}/welcome?next=/")
    page.fill("#coder-name", name)
    page.click("#coder-form button[type=submit]")
    page.wait_for_url(f"{server.base_url}/")


def focused(page) -> dict[str, str]:
    chip = page.locator(".chip.focused")
    return {k: chip.get_attribute(f"data-{k}") for k in ("key", "id", "code", "mine")}


def select_phrase(page, phrase: str) -> None:
    """Select ``phrase`` in the transcript as a person would with the mouse (a DOM selection)."""
    found = page.evaluate("""(phrase) => {
        for (const box of document.querySelectorAll('.text')) {
            const at = box.textContent.indexOf(phrase);
            if (at < 0) continue;
            const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
            let seen = 0, start = null, end = null;
            while (walker.nextNode()) {
                const node = walker.currentNode, length = node.textContent.length;
                if (start === null && at < seen + length) start = [node, at - seen];
                if (at + phrase.length <= seen + length) { end = [node, at + phrase.length - seen]; break; }
                seen += length;
            }
            const range = document.createRange();
            range.setStart(...start); range.setEnd(...end);
            const selection = window.getSelection();
            selection.removeAllRanges(); selection.addRange(range);
            return true;
        }
        return false;
    }""", phrase)
    assert found, "the phrase is not in the document"
    page.locator("#selection-actions").wait_for(state="visible")


def test_review_code_summarise_switch_coder_and_export(server, browser, sample_folder):
    from qual.app.outputs import read_codings

    expect = sync_api.expect
    page = browser.new_page()
    watch = Watch(page, server.base_url)
    name_yourself(page, server, "alice")
    page.goto(f"{server.base_url}/doc/SW01")
    reviewed = int(page.inner_text("#progress-reviewed"))
    total = int(page.inner_text("#progress-total"))
    assert reviewed == 0 and total > 100
    expect(page.locator("#progress")).to_contain_text(f"0 of {total} suggestions reviewed")

    # accept one suggestion and reject the next, with the keyboard
    page.keyboard.press("j")
    first = focused(page)
    with page.expect_response("**/api/decide"):
        page.keyboard.press("a")
    expect(page.locator(f'.chip[data-key="{first["key"]}"]')).to_have_attribute("data-mine", "accepted")
    page.keyboard.press("j")
    second = focused(page)
    assert second["key"] != first["key"]
    with page.expect_response("**/api/decide"):
        page.keyboard.press("r")
    expect(page.locator(f'.chip[data-key="{second["key"]}"]')).to_have_attribute("data-mine", "rejected")
    expect(page.locator("#progress")).to_contain_text(f"2 of {total} suggestions reviewed")

    # code a selected phrase: select, press c, pick the code by typing, Enter
    select_phrase(page, PHRASE)
    page.keyboard.press("c")
    page.locator("#picker-filter").wait_for(state="visible")
    page.keyboard.type("ROLE.STAT")
    with page.expect_response("**/api/code-span"):
        page.keyboard.press("Enter")
    phrase_chip = page.locator('.chip.coded[data-code="ROLE.STATUTORY"]')
    expect(phrase_chip).to_contain_text(PHRASE)
    expect(phrase_chip).to_have_attribute("data-mine", "accepted")

    # write a summary in the matrix cell of the accepted code
    code = first["code"]
    theme = code.split(".")[0]
    page.goto(f"{server.base_url}/matrix?theme={theme}")
    page.click(f'td.cell[data-case="SW01"][data-code="{code}"]')
    page.locator("#cell-quotes li").first.wait_for()
    summary = "Alice: started with an induction day, then the DSLs."
    page.locator("#summary-text").press_sequentially(summary)
    expect(page.locator("#summary-state")).to_have_text("saved", timeout=10_000)

    # a quote jumps to its place in the transcript
    with page.expect_navigation():
        page.locator("#cell-quotes li a").first.click()
    assert "/doc/SW01#at=" in page.url
    page.locator(".text .jump").first.wait_for()

    # switch coder: bob accepts what alice rejected
    page.select_option("#coder-switch", "")
    page.wait_for_url("**/welcome**")
    page.fill("#coder-name", "bob")
    page.click("#coder-form button[type=submit]")
    page.wait_for_url("**/doc/SW01")
    expect(page.locator("#progress")).to_contain_text(f"0 of {total} suggestions reviewed")
    page.click(f'.chip[data-key="{second["key"]}"]')
    with page.expect_response("**/api/decide"):
        page.keyboard.press("a")
    expect(page.locator(f'.chip[data-key="{second["key"]}"]')).to_have_attribute("data-mine", "accepted")

    page.goto(f"{server.base_url}/agreement?a=alice&b=bob")
    expect(page.locator("table.stats")).to_contain_text("Cohen")
    # alice's phrase, her accepted suggestion bob has not decided on, and the one they differ on
    expect(page.locator(".disagreement")).to_have_count(3)

    # export with the button, and read the files back
    with page.expect_response("**/api/jobs/export"):
        page.click("#export")
    state = server.jobs.wait(300)
    assert state["state"] == "done", state
    watch.check()
    page.close()

    store = server.project.store
    coding = {int(r["id"]): dict(r) for r in store.query("SELECT * FROM codings")}
    one, two = coding[int(first["id"])], coding[int(second["id"])]
    turn = next(t for t in server.project.transcripts()["SW01"].turns if PHRASE in t.text)
    phrase_start = turn.start + turn.text.index(PHRASE)
    phrase_end = phrase_start + len(PHRASE)

    codings = read_codings(sample_folder / "coding" / "codings.csv")
    people = codings[codings["coder"] != ""]
    assert sorted((r.document, r.code, int(r.start), int(r.end), r.coder, r.status) for r in people.itertuples()) == \
        sorted([("SW01", one["code"], one["span_start"], one["span_end"], "alice", "accepted"),
                ("SW01", two["code"], two["span_start"], two["span_end"], "alice", "rejected"),
                ("SW01", two["code"], two["span_start"], two["span_end"], "bob", "accepted"),
                ("SW01", "ROLE.STATUTORY", phrase_start, phrase_end, "alice", "accepted")])
    assert people[people["code"] == "ROLE.STATUTORY"]["text"].tolist() == [PHRASE]

    from openpyxl import load_workbook

    from qual.export.summaries import read_summaries

    summaries = read_summaries(sample_folder / "framework.xlsx")
    assert list(zip(summaries["case"], summaries["code"], summaries["summary"])) == [("SW01", code, summary)]
    book = load_workbook(sample_folder / "framework.xlsx", read_only=True)
    quotes = [str(c) for row in book["Quotes"].iter_rows(values_only=True) for c in row if c]
    book.close()
    assert any(PHRASE in cell for cell in quotes)  # the coded span, not its whole turn

    from lxml import etree

    with zipfile.ZipFile(sample_folder / "project.qdpx") as archive:
        root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", ns)}
    code_names = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", ns)}
    cases = {c.get("guid") for c in root.iterfind(".//q:Case", ns)}  # NVivo's case codes: not codings
    names = {c.id: c.name for c in server.project.codebook().codes}
    coded = sorted((int(s.get("startPosition")), int(s.get("endPosition")), users[c.get("creatingUser")],
                    code_names[c.find("q:CodeRef", ns).get("targetGUID")])
                   for s in root.iterfind(".//q:PlainTextSelection", ns) for c in s.iterfind("q:Coding", ns)
                   if c.find("q:CodeRef", ns).get("targetGUID") not in cases)
    assert coded == sorted([(one["span_start"], one["span_end"], "alice", names[one["code"]]),
                            (two["span_start"], two["span_end"], "bob", names[two["code"]]),
                            (phrase_start, phrase_end, "alice", names["ROLE.STATUTORY"])])
    notes = [n.get("name") for n in root.iterfind(".//q:Note", ns)]
    assert notes == [f"Summary SW01 / {code}"]


def test_two_tabs_on_one_document_stay_consistent(server, browser):
    expect = sync_api.expect
    first, second = browser.new_page(), browser.new_page()
    name_yourself(first, server, "carol")
    for page in (first, second):
        page.goto(f"{server.base_url}/doc/SW02")
    first.keyboard.press("n")
    chip = focused(first)
    with first.expect_response("**/api/decide"):
        first.keyboard.press("a")
    # the other tab hears of it (it polls for changes) and shows the decision
    expect(second.locator(f'.chip[data-key="{chip["key"]}"]')).to_have_attribute("data-mine", "accepted",
                                                                                  timeout=15_000)
    expect(second.locator("#progress")).to_contain_text(first.inner_text("#progress"), timeout=15_000)
    first.close()
    second.close()


def test_an_edit_conflict_is_shown_not_overwritten(server, browser):
    expect = sync_api.expect
    page = browser.new_page()
    page.clock.install()  # timers only run when the test says: this tab will not poll in between
    name_yourself(page, server, "dana")
    page.goto(f"{server.base_url}/matrix?theme=SUS")
    page.click('td.cell[data-case="TM02"][data-code="SUS.FUTURE"]')
    page.locator("#cell-title").wait_for()
    expect(page.locator("#cell-title")).to_have_text("TM02 · SUS.FUTURE")
    # meanwhile someone else writes this cell's summary
    store = server.project.store
    current = store.summary("TM02", "SUS.FUTURE")
    store.set_summary("TM02", "SUS.FUTURE", "Written by erin in another tab.", "erin",
                      current["version"] if current else 0)
    page.locator("#summary-text").press_sequentially("Dana's view")
    with page.expect_response("**/api/summary"):
        page.locator("#summary-text").blur()
    expect(page.locator("#summary-conflict")).to_be_visible()
    expect(page.locator("#conflict-text")).to_have_text("Written by erin in another tab.")
    assert store.summary("TM02", "SUS.FUTURE")["text"] == "Written by erin in another tab."  # not overwritten
    with page.expect_response("**/api/summary"):
        page.click("#keep-mine")
        page.clock.run_for(2000)  # the save waits for a pause in typing
    assert store.summary("TM02", "SUS.FUTURE")["text"] == "Dana's view"
    page.close()
