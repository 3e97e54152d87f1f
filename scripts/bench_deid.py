"""Benchmark detection throughput: the same text through qual and Presidio, in one run.

Text: real interview transcripts (../shared/data/transcripts/scrum_interviews_txt, then the
Senedd committee transcripts if more is needed) cut to --megabytes MB at a line boundary, split
into turn-sized pieces at blank lines (as the pipeline hands turns to the analyzer). Without
../shared the fictional sample gold turns are repeated instead.

Each tool first warms up on a small piece (model loading and first-call costs are reported
apart), then analyses the whole text; the best of --repeat runs counts. Presidio is configured
offline as in scripts/eval_deid.py (blank spaCy pipeline, UK recognizers on).

    python scripts/bench_deid.py                     # 1 MB, qual (rules and, if any, NER) vs Presidio
    python scripts/bench_deid.py --megabytes 6 --no-presidio     # the whole-IPE budget check
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import resource
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))

SHARED = PROJECT.parent / "shared" / "data" / "transcripts"
SOURCES = [SHARED / "scrum_interviews_txt", SHARED / "senedd_cype_committee_qmsum" / "txt"]


def bench_text(megabytes: float) -> tuple[list[str], str]:
    limit = int(megabytes * 1_000_000)
    pieces: list[str] = []
    size = 0
    source = "sample gold turns (repeated)"
    files = [p for folder in SOURCES if folder.exists() for p in sorted(folder.glob("*.txt"))]
    if files:
        source = "real interview transcripts (scrum_interviews_txt, senedd)"
        for path in files:
            for piece in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
                if size >= limit:
                    break
                piece = piece.strip()
                if piece:
                    pieces.append(piece)
                    size += len(piece)
    if size < limit:
        turns = [t["text"] for p in sorted((PROJECT / "tests" / "gold").glob("*.json"))
                 for t in json.loads(p.read_text(encoding="utf-8"))["turns"]]
        while turns and size < limit:
            for turn in turns:
                pieces.append(turn)
                size += len(turn)
                if size >= limit:
                    break
    return pieces, source


def run(name: str, analyse, texts: list[str], repeat: int) -> dict:
    """Best wall-clock and CPU time of ``repeat`` runs (CPU time is steadier on a shared
    machine; both are shown)."""
    started = time.perf_counter()
    analyse(texts[:20])
    warm = time.perf_counter() - started
    best = best_cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = analyse(texts)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    return {"name": name, "seconds": best, "mb_s": size / best, "cpu_mb_s": size / best_cpu,
            "warm": warm, "spans": sum(len(f) for f in found),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--ner", default="auto", help="qual's ner= argument for the second row")
    args = parser.parse_args(argv)

    texts, source = bench_text(args.megabytes)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"text: {size:.2f} MB in {len(texts):,} pieces from {source}")

    from qual.deid.analyzer import Analyzer

    rows = []
    started = time.perf_counter()
    rules = Analyzer(ner=None)
    load = time.perf_counter() - started
    result = run("qual (rules, ner=None)", rules.analyze_corpus, texts, args.repeat)
    result["load"] = load
    rows.append(result)
    ner = None if args.ner.lower() in ("none", "off") else args.ner
    if ner is not None:
        started = time.perf_counter()
        with_ner = Analyzer(ner=ner)
        load = time.perf_counter() - started
        if with_ner.ner_model:
            result = run(f"qual (NER: {with_ner.ner_model})", with_ner.analyze_corpus, texts, args.repeat)
            result["load"] = load
            rows.append(result)
    if not args.no_presidio:
        from eval_deid import build_presidio

        started = time.perf_counter()
        engine = build_presidio()
        load = time.perf_counter() - started

        def presidio(batch):
            return [engine.analyze(text=text, language="en") for text in batch]

        result = run("Presidio (offline, blank spaCy, UK on)", presidio, texts, max(1, args.repeat - 1))
        result["load"] = load
        rows.append(result)

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Detection throughput on the same {size:.2f} MB (best of runs)",
                  title_justify="left")
    for column in ("tool", "load s", "first call s", "seconds", "MB/s", "MB/s (CPU)", "spans",
                   "max RSS MB so far", "x Presidio"):
        table.add_column(column, justify="left" if column == "tool" else "right")
    presidio = rows[-1] if not args.no_presidio else None
    for row in rows:
        ratio = (f"{row['mb_s'] / presidio['mb_s']:.1f} (CPU {row['cpu_mb_s'] / presidio['cpu_mb_s']:.1f})"
                 if presidio else "-")
        table.add_row(row["name"], f"{row['load']:.1f}", f"{row['warm']:.2f}", f"{row['seconds']:.2f}",
                      f"{row['mb_s']:.2f}", f"{row['cpu_mb_s']:.2f}", f"{row['spans']:,}",
                      f"{row['rss_mb']:.0f}", ratio)
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
