#!/usr/bin/env python
"""Benchmark ``qual run``: time and peak memory of each stage on a synthetic corpus.

    python scripts/bench_pipeline.py --n 100              # ~1M words; the README's numbers
    python scripts/bench_pipeline.py --n 10 --words 3000  # a quick look
    python scripts/bench_pipeline.py --n 100 --ner-model PATH   # with a spaCy NER model as the shipped one

Generates the corpus with ``scripts/make_synthetic_corpus.py`` (unless ``--corpus`` names one
already made), then runs ``qual.pipeline.run_pipeline`` in this process, with a pseudonym
key and a review sheet kept outside the output folder as a real run would, and prints a
table: per stage its wall time and the process's peak resident memory during it (which
includes what earlier stages still hold), plus the whole run's time and peak (this process
and any worker processes). Targets: 100 interviews in <= 3 minutes, <= 2 GB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TARGET_SECONDS = 180
TARGET_MB = 2048


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="interviews (default 100, ~1M words)")
    parser.add_argument("--words", type=int, default=10_000, help="words per interview")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=Path, help="an existing corpus folder (skips generation)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed after)")
    parser.add_argument("--codebook", type=Path, default=ROOT / "codebooks" / "swis_ipe.yaml")
    parser.add_argument("--embedder", default=None, help="coding embedder (default: qual's automatic choice)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--workers", type=int, help="worker processes (default: every core)")
    parser.add_argument("--ner-model", help="a spaCy NER pipeline to use as the shipped model (default: the "
                        "shipped one when there is one; 'none' for rules only)")
    args = parser.parse_args(argv)
    if args.ner_model:
        from qual.deid.recognizers import ner

        model = None if args.ner_model.lower() == "none" else Path(args.ner_model)
        ner.shipped_model_path = lambda: model
        ner.installed_english_models = lambda: []

    work = args.work or Path(tempfile.mkdtemp(prefix="qual-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = args.corpus
        generated = None
        if corpus is None:
            from make_synthetic_corpus import make_corpus

            corpus = work / "corpus"
            started = time.perf_counter()
            made = make_corpus(args.n, corpus, words=args.words, seed=args.seed)
            generated = time.perf_counter() - started
            print(f"corpus: {made['interviews']} interviews, {made['words']:,} words "
                  f"(generated in {generated:.0f} s)", flush=True)
        return run(corpus, work, args.codebook, args.embedder, args.workers)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


def run(corpus: Path, work: Path, codebook: Path, embedder: str | None, workers: int | None = None) -> int:
    from qual.pipeline import Reporter, run_pipeline

    class Printer(Reporter):
        def finish(self, stage) -> None:
            print(f"  {stage.name}: {stage.status} in {stage.seconds:.1f} s", flush=True)

    out = work / "out"
    secure = work / "secure"  # the identifiable side, outside the output folder
    secure.mkdir(exist_ok=True)
    os.environ.setdefault("QUAL_KEY_PASSPHRASE", "benchmark passphrase, not a secret")
    load_before = _load()
    started = time.perf_counter()
    from qual.deid.recognizers.ner import installed_english_models, shipped_model_path

    model = shipped_model_path() or (installed_english_models() or [None])[0]
    print(f"NER model: {model or 'none (rules only)'}; workers: {workers or 'every core'}", flush=True)
    result = run_pipeline(corpus, codebook, out, key_path=secure / "swis.key",
                          review_path=secure / "review.xlsx", embedder=embedder, reporter=Printer(),
                          workers=workers)
    total = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak = max(own, children)

    print()
    print(f"qual run on {corpus} ({platform.node() or 'this machine'}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()})")
    print()
    cpu = sum(stage.cpu_seconds for stage in result.stages)
    print("| stage | status | wall s | CPU s | peak RSS (MB) | what |")
    print("|---|---|---:|---:|---:|---|")
    for stage in result.stages:
        memory = "" if stage.peak_rss_mb is None else f"{stage.peak_rss_mb:,.0f}"
        print(f"| {stage.name} | {stage.status} | {stage.seconds:.1f} | {stage.cpu_seconds:.1f} | {memory} "
              f"| {stage.detail} |")
    print(f"| **total** | | **{total:.1f}** | **{cpu:.1f}** | **{peak:,.0f}** | peak of this process "
          f"{own:,.0f} MB, of any worker process {children:,.0f} MB |")
    print()
    print(f"load average before/after: {load_before} / {_load()} (other jobs on the machine slow the wall time; "
          "CPU s counts this run's own work, on up to all cores)")
    print()
    verdict_time = "meets" if total <= TARGET_SECONDS else "MISSES"
    verdict_memory = "meets" if peak <= TARGET_MB else "MISSES"
    print(f"time {total:.0f} s {verdict_time} the {TARGET_SECONDS} s target; "
          f"peak memory {peak:,.0f} MB {verdict_memory} the {TARGET_MB:,} MB target")
    if result.failures:
        print(f"{len(result.failures)} input(s) failed")
    if result.missing_stages:
        print(f"stages not run (library missing): {', '.join(result.missing_stages)}")
    return 0 if result.ok else 1


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    sys.exit(main())
