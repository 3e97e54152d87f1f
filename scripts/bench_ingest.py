"""Benchmark ingest: one 10,000-word .docx, and a ~1M-word evaluation (100 such interviews).

    .venv/bin/python scripts/bench_ingest.py [--files 100] [--words 10000]

Prints a table (median of several runs for the single file). The transcripts are
synthetic (generated here with python-docx, no real text); the real exports in
../shared/data/transcripts are timed too when present.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the school social worker said we met the designated safeguarding lead about referrals and "
         "the family support plan which was really helpful because the children were known to us "
         "so we could act early and talk to the parents").split()


def make_interview(path: Path, words: int, seed: int = 1) -> Path:
    import docx

    rng = random.Random(seed)
    document = docx.Document()
    document.add_paragraph("SWIS interview transcript (synthetic)")
    written, turn = 0, 0
    while written < words:
        speaker = "Interviewer" if turn % 2 == 0 else "Respondent"
        length = rng.randint(10, 25) if speaker == "Interviewer" else rng.randint(40, 160)
        text = " ".join(rng.choice(WORDS) for _ in range(length))
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        paragraph.add_run(" " + text + ("?" if speaker == "Interviewer" else "."))
        written += length
        turn += 1
    document.save(path)
    return path


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--words", type=int, default=10_000)
    args = parser.parse_args()

    from qual.ingest import ingest, read_transcript

    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="qual-bench-ingest-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        one = make_interview(folder / "P001.docx", args.words)
        read_transcript(one)  # imports and first-call costs are not the file's
        seconds = timed(lambda: read_transcript(one), repeat=7)
        words = read_transcript(one).words
        rows.append(("one synthetic .docx", f"{words:,}", f"{seconds * 1000:.1f} ms", f"{words / seconds:,.0f}"))
        for n in range(2, args.files + 1):
            shutil.copy(one, folder / f"P{n:03d}.docx")
        result = None

        def run():
            nonlocal result
            result = ingest([folder])

        seconds = timed(run)
        total = sum(t.words for t in result.transcripts)
        rows.append((f"{args.files} synthetic .docx", f"{total:,}", f"{seconds:.2f} s", f"{total / seconds:,.0f}"))

    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "transcripts"
    for name, pattern in (("Dartmouth transcript1.docx", "dartmouth_oral_history_docx/transcript1.docx"),
                          ("30 Danish .docx", "ecape_danish_docx/Interview*.docx"),
                          ("41 scrum .txt", "scrum_interviews_txt/*_-_Interview_A.txt"),
                          ("Teams .vtt (660 cues)", "teams_zoom_vtt_genieversum/TEAMS-*.vtt")):
        files = sorted(shared.glob(pattern))
        if not files:
            continue
        ingest(files[:1])
        result = None

        def run_real(files=files):
            nonlocal result
            result = ingest(files)

        seconds = timed(run_real, repeat=3 if len(files) == 1 else 1)
        total = sum(t.words for t in result.transcripts)
        shown = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
        rows.append((name, f"{total:,}", shown, f"{total / seconds:,.0f}"))

    header = ("input", "words", "time", "words/s")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
