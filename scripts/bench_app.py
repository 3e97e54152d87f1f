#!/usr/bin/env python
"""How fast the coding workspace (``qual app``) answers on a 100-interview project.

    python scripts/bench_app.py --work /tmp/qual-bench-app            # builds the project once, then measures
    python scripts/bench_app.py --work /tmp/qual-bench-app --no-browser

Builds (or reuses, under ``--work``) a ``qual run`` output of N synthetic interviews
(``scripts/make_synthetic_corpus.py``, ~1M words for 100), copies it, and then measures, in
one run, over real HTTP against the uvicorn server on 127.0.0.1:

- opening the project: building the store from the files (first open) and opening it again;
- the first page (the documents overview): the first request after the server starts, then
  repeated; a document page; the matrix (first, then cached); a search;
- accepting a suggestion: the POST that records it and returns what the page redraws;
- in headless Chromium (unless ``--no-browser``): the first page until it is loaded, and a
  key press on a suggestion until the page shows the decision (time measured in the page).

Targets (issue 14): the first page of a 100-interview project under 1 s; accepting a
suggestion updates the page in under 100 ms. Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def build(work: Path, n: int, embedder: str) -> Path:
    """A `qual run` output of n synthetic interviews under ``work`` (reused when present)."""
    project = work / f"project-{n}"
    if (project / "coding" / "codings.csv").is_file():
        return project
    corpus = work / f"corpus-{n}"
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_synthetic_corpus.py"), str(n), str(corpus)],
                       check=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from qual.cli import main; main()", "run", str(corpus), "--codebook",
                    str(ROOT / "codebooks" / "swis_ipe.yaml"), "--out", str(project), "--key",
                    str(work / "secure" / "bench.key"), "--embedder", embedder, "--no-report", "--no-heatmap",
                    "--no-qdpx"], check=True, env={**os.environ, "QUAL_KEY_PASSPHRASE": "bench-only"},
                   stdout=subprocess.DEVNULL)
    print(f"built the project with qual run in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return project


def timed(fn, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    return times


def row(name: str, times: list[float], target: float | None = None) -> tuple:
    median = statistics.median(times)
    p95 = sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]
    met = "" if target is None else ("yes" if p95 < target else "NO")
    return (name, len(times), f"{median:.1f}", f"{p95:.1f}", "" if target is None else f"< {target:.0f}", met)


def http_measurements(server, repeat: int) -> tuple[list[tuple], list[int]]:
    import httpx

    rows = []
    store = server.project.store
    first_document = store.query("SELECT id FROM documents ORDER BY position LIMIT 1")[0]["id"]
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        started = time.perf_counter()
        client.get(server.url, follow_redirects=False)  # sets the token cookie (a redirect, no page)
        client.post("/api/coder", json={"name": "bench"}, headers={"X-Qual-CSRF": server.app.state.csrf})
        first = 1000 * (time.perf_counter() - started)
        rows.append(row("first page after start (token redirect + name)", [first]))
        rows.append(row("documents overview (first page), cold", timed(lambda: client.get("/").raise_for_status()),
                        1000))
        rows.append(row("documents overview (first page)", timed(lambda: client.get("/").raise_for_status(), repeat),
                        1000))
        rows.append(row("document page", timed(lambda: client.get(f"/doc/{first_document}").raise_for_status(),
                                               repeat)))
        rows.append(row("matrix page, first (builds the matrix)",
                        timed(lambda: client.get("/matrix").raise_for_status())))
        rows.append(row("matrix page, cached", timed(lambda: client.get("/matrix").raise_for_status(), repeat)))
        rows.append(row("search", timed(lambda: client.get("/search", params={"q": "school"}).raise_for_status(),
                                        repeat)))
        ids = [r["id"] for r in store.query("SELECT id FROM codings WHERE coder='' ORDER BY id LIMIT ?",
                                            (repeat + 40,))]
        headers = {"X-Qual-CSRF": server.app.state.csrf}
        pending = iter(ids[:repeat])
        rows.append(row("accept a suggestion (POST, committed)", timed(lambda: client.post(
            "/api/decide", json={"ids": [next(pending)], "status": "accepted"}, headers=headers).raise_for_status(),
            repeat), 100))
    return rows, ids[repeat:]


def browser_measurements(server, repeat: int) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    rows = []
    store = server.project.store
    document = store.query("SELECT c.document, COUNT(*) AS n FROM codings c WHERE c.coder='' AND NOT EXISTS("
                           "SELECT 1 FROM codings h WHERE h.document=c.document AND h.coder<>'') GROUP BY c.document "
                           "ORDER BY n DESC LIMIT 1")[0]["document"]
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="qual-chromium-"), executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = context.new_page()
        loads = []
        page.goto(server.url)  # the token, and the coder named over HTTP above is per client: name again
        if "/welcome" in page.url:
            page.fill("#coder-name", "bench-browser")
            page.click("#coder-form button[type=submit]")
            page.wait_for_url(f"{server.base_url}/")
        for _ in range(5):
            page.goto(f"{server.base_url}/")
            loads.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
        rows.append(row("browser: first page loaded (navigation start to load)", loads, 1000))
        page.goto(f"{server.base_url}/doc/{document}")
        page.wait_for_selector(".chip")
        times = []
        for _ in range(repeat):
            page.keyboard.press("n")  # the next suggestion not decided yet
            times.append(page.evaluate("""() => new Promise((resolve) => {
                const key = document.querySelector('.chip.focused').dataset.key;
                const started = performance.now();
                const done = () => {
                    const chip = document.querySelector(`.chip[data-key="${CSS.escape(key)}"]`);
                    if (chip && chip.dataset.mine === 'accepted') { observer.disconnect(); resolve(performance.now() - started); }
                };
                const observer = new MutationObserver(done);
                observer.observe(document.getElementById('transcript'), {subtree: true, childList: true, attributes: true});
                document.dispatchEvent(new KeyboardEvent('keydown', {key: 'a', bubbles: true}));
            })"""))
        rows.append(row("browser: key 'a' until the page shows the decision", times, 100))
        context.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--interviews", type=int, default=100)
    parser.add_argument("--work", type=Path, help="working folder; the built project is kept and reused there")
    parser.add_argument("--embedder", default="static", choices=["auto", "minilm", "static"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="qual-bench-app-"))
    work.mkdir(parents=True, exist_ok=True)
    source = build(work, args.interviews, args.embedder)

    from qual.app import open_project
    from qual.app.server import WorkspaceServer

    folder = work / "measured"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("workspace.sqlite*"))
    rows = []
    started = time.perf_counter()
    project = open_project(folder)
    rows.append(row("open the project the first time (build the store)", [1000 * (time.perf_counter() - started)]))
    project.store.close()
    rows.append(row("open it again", timed(lambda: open_project(folder).store.close(), 5)))
    project = open_project(folder)
    documents = project.store.query("SELECT COUNT(*) AS n FROM documents")[0]["n"]
    turns = project.store.query("SELECT COUNT(*) AS n FROM turns")[0]["n"]
    suggestions = project.store.query("SELECT COUNT(*) AS n FROM codings WHERE coder=''")[0]["n"]
    server = WorkspaceServer(project, 0).start()
    try:
        http_rows, _ = http_measurements(server, args.repeat)
        rows += http_rows
        if not args.no_browser and Path(CHROMIUM).exists():
            rows += browser_measurements(server, args.repeat)
        elif not args.no_browser:
            print(f"(no {CHROMIUM}: browser measurements skipped)", file=sys.stderr)
    finally:
        server.stop()
    print(f"project: {documents} interviews, {turns:,} turns, {suggestions:,} suggestions "
          f"({args.embedder} embedder); times in ms on this machine")
    widths = [max(len(str(r[i])) for r in rows + [("measurement", "n", "median", "p95", "target", "met")])
              for i in range(6)]
    header = ("measurement", "n", "median", "p95", "target", "met")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(v).ljust(w) for v, w in zip(r, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
