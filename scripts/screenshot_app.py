#!/usr/bin/env python
"""Regenerate the README's screenshots of the coding workspace (``qual app``) from the samples.

    python scripts/screenshot_app.py                       # qual run on transcripts_sample, then shoot
    python scripts/screenshot_app.py --project out/        # a `qual run` output of the samples (copied first)

Runs ``qual run`` on ``transcripts_sample/`` into a temporary folder (the key in a folder
beside it, never inside), makes a few decisions through the library as an analyst would
(accepts the first suggestions of SW01, rejects one, codes a phrase, writes a summary), serves
the workspace on 127.0.0.1 and photographs the document view and the framework matrix view in
Debian's headless Chromium (Playwright, ``/usr/bin/chromium``; no browser is downloaded):

    docs/img/app-document.png   docs/img/app-matrix.png
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from qual.files import atomic_path  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PHRASE = "seven statutory cases"
SUMMARY = ("Came from a locality team; induction was one day with the other SWIS workers, then "
           "\"go and find out\": the first weeks were spent meeting DSLs to agree the role.")


def build_sample_project(folder: Path, embedder: str) -> Path:
    out = folder / "out"
    command = [sys.executable, "-c", "from qual.cli import main; main()", "run", str(PROJECT / "transcripts_sample"),
               "--codebook", str(PROJECT / "codebooks" / "swis_ipe.yaml"), "--out", str(out),
               "--key", str(folder / "secure" / "samples.key"), "--embedder", embedder]
    subprocess.run(command, check=True, env={**os.environ, "QUAL_KEY_PASSPHRASE": "screenshots-only"})
    return out


def analyst_work(project) -> None:
    """A few decisions, a coded phrase and a summary, so that the views show what they are for."""
    store = project.store
    suggestions = store.query("SELECT id, code FROM codings WHERE document='SW01' AND coder='' "
                              "ORDER BY span_start, code")
    for row in suggestions[:4]:
        store.decide([row["id"]], "analyst", "accepted")
    store.decide([suggestions[4]["id"]], "analyst", "rejected")
    # and the confident suggestions of the first theme in every interview, so the matrix has content
    confident = store.query("SELECT id FROM codings WHERE coder='' AND code LIKE 'IMP.%' AND score >= 0.7")
    store.decide([row["id"] for row in confident], "analyst", "accepted")
    turn = next(t for t in project.transcripts()["SW01"].turns if PHRASE in t.text)
    start = turn.start + turn.text.index(PHRASE)
    store.add_coding("SW01", start, start + len(PHRASE), "ROLE.STATUTORY", "analyst")
    store.set_summary("SW01", "IMP.SETUP", SUMMARY, "analyst", 0)


def shoot(project, out_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from qual.app.server import WorkspaceServer

    server = WorkspaceServer(project, 0).start()
    written = []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                tempfile.mkdtemp(prefix="qual-chromium-"), executable_path=CHROMIUM, headless=True, args=FLAGS,
                viewport={"width": 1360, "height": 860}, device_scale_factor=1)
            page = context.new_page()
            page.goto(server.url)
            page.fill("#coder-name", "analyst")
            page.click("#coder-form button[type=submit]")
            page.wait_for_url(f"{server.base_url}/")
            page.goto(f"{server.base_url}/doc/SW01")
            page.keyboard.press("n")  # the first suggestion not decided on yet
            page.evaluate("document.getElementById('turn-3').scrollIntoView(); window.scrollBy(0, -70)")
            written.append(_save(page, out_dir / "app-document.png"))
            page.goto(f"{server.base_url}/matrix?theme=IMP")
            page.click('td.cell[data-case="SW01"][data-code="IMP.SETUP"]')
            page.locator("#cell-quotes li").first.wait_for()
            written.append(_save(page, out_dir / "app-matrix.png"))
            context.close()
    finally:
        server.stop()
    return written


def _save(page, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        tmp.write_bytes(page.screenshot(type="png"))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="a `qual run` output of transcripts_sample (left untouched)")
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "img")
    parser.add_argument("--embedder", default="auto", choices=["auto", "minilm", "static"])
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    from qual.app import open_project

    with tempfile.TemporaryDirectory(prefix="qual-screenshots-") as folder:
        folder = Path(folder)
        if args.project is not None:
            source = folder / "out"
            shutil.copytree(args.project, source, ignore=shutil.ignore_patterns("workspace.sqlite*"))
        else:
            source = build_sample_project(folder, args.embedder)
        project = open_project(source)
        analyst_work(project)
        for path in shoot(project, args.out):
            print(f"{path.relative_to(PROJECT) if PROJECT in path.parents else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
