#!/usr/bin/env python
"""Benchmark ``qual deidentify --column`` on a large survey: local worker processes and a Dask
``LocalCluster``, with the scaling curve over the number of workers.

    python scripts/bench_survey.py                         # 280,000 answers; 1 and 2 workers
    python scripts/bench_survey.py --rows 28000 --workers 1 2 4

The survey is ``scripts/make_synthetic_survey.py``'s (a pupil survey's "anything else?" column:
median 15 words, a fifth of the answers a word or three, about one in four naming someone or
somewhere), generated once into ``--cache``. Every row of the table is the whole command,
started from the shell and timed to its exit, in one run:

* ``--workers N``: N local worker processes (forked);
* ``--scheduler local --workers N``: a Dask ``LocalCluster`` of N single-threaded worker
  processes, started and stopped by the command (its start-up is in the time).

Columns: wall seconds; CPU seconds (the command and every process under it); answers per
second; peak memory, the largest sum of the proportional set sizes (PSS) of the command and its
workers, sampled every 0.1 s; speed-up over the one-worker local run; "planted left": how many of
the identifiers the generator planted are still in the answer they were planted in. Every run
must write the same bytes (checked). Targets: 280,000 answers in <= 5 minutes and <= 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))

from bench_deidentify import _load, measure  # noqa: E402

TARGET_SECONDS = 300
TARGET_MB = 2048


def planted_left(output: Path, gold: Path) -> tuple[int, int]:
    with output.open(encoding="utf-8", newline="") as handle:
        answers = [row["comment"].lower() for row in csv.DictReader(handle)]
    left = total = 0
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for identifier in record["identifiers"]:
            total += 1
            left += identifier.lower() in answers[record["row"]]
    return left, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=280_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument("--no-dask", action="store_true", help="local worker processes only")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "qual-bench-cache")
    args = parser.parse_args(argv)

    source = args.cache / f"survey-{args.rows}.csv"
    gold = args.cache / f"survey-{args.rows}.gold.jsonl"
    if not source.exists() or not gold.exists():
        from make_synthetic_survey import make_survey

        print(f"generating {args.rows:,} answers into {source} ...", flush=True)
        make_survey(args.rows, source, gold=gold)
    python = Path(sys.executable)
    qual = [str(python.parent / "qual")] if (python.parent / "qual").exists() else \
        [str(python), "-c", "from qual.cli import main; main()"]
    env = {**os.environ, "QUAL_KEY_PASSPHRASE": "benchmark passphrase, not a secret"}
    env.pop("QUAL_WORKERS", None)
    env.pop("QUAL_SCHEDULER", None)
    work = Path(tempfile.mkdtemp(prefix="qual-bench-survey-"))
    runs = []
    load = _load()
    print(f"{args.rows:,} answers in {source} ({source.stat().st_size / 1e6:.1f} MB); load average {load}",
          flush=True)
    try:
        plans = [(f"local, --workers {n}", ["--workers", str(n)]) for n in args.workers]
        if not args.no_dask:
            plans += [(f"Dask LocalCluster, {n} worker{'s' if n > 1 else ''}", ["--scheduler", "local", "--workers", str(n)])
                      for n in args.workers]
        for name, extra in plans:
            out = work / f"out{len(runs)}"
            command = [*qual, "deidentify", str(source), "--column", "comment", "--out", str(out),
                       "--key", str(work / f"key{len(runs)}" / "k.qualkey"), *extra]
            result = measure(command, env)
            runs.append({"name": name, "out": out, **result})
            print(f"  {name}: {result['seconds']:.1f} s, {result['peak_mb']:,.0f} MB", flush=True)
        reference = runs[0]["out"]
        # the table's own name is de-identified too ("survey-280000" reads as a case number)
        table = next(p.name for p in reference.glob("*.csv") if p.name != "deid_log.csv")
        same = all((run["out"] / table).read_bytes() == (reference / table).read_bytes()
                   and (run["out"] / "deid_log.csv").read_bytes() == (reference / "deid_log.csv").read_bytes()
                   for run in runs)
        left, total = planted_left(reference / table, gold)

        print()
        print(f"`qual deidentify --column comment` on {args.rows:,} survey answers, {platform.node() or 'this machine'}, "
              f"{os.cpu_count()} cores, load average before/after {load} / {_load()}")
        print()
        print("| run | wall s | CPU s | answers/s | peak memory MB | speed-up |")
        print("|---|---:|---:|---:|---:|---:|")
        base = runs[0]["seconds"]
        for run in runs:
            print(f"| {run['name']} | {run['seconds']:.1f} | {run['cpu']:.1f} | {args.rows / run['seconds']:,.0f} | "
                  f"{run['peak_mb']:,.0f} | {base / run['seconds']:.2f} |")
        print()
        print(f"every run wrote the same bytes: {same}; planted identifiers left: {left} of {total}")
        best = min(runs, key=lambda r: r["seconds"])
        worst_memory = max(run["peak_mb"] for run in runs)
        print(f"fastest: {best['name']}, {best['seconds']:.0f} s "
              f"({'meets' if best['seconds'] <= TARGET_SECONDS else 'MISSES'} the {TARGET_SECONDS} s target); "
              f"largest peak {worst_memory:,.0f} MB ({'meets' if worst_memory <= TARGET_MB else 'MISSES'} "
              f"the {TARGET_MB:,} MB target)")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
