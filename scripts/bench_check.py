#!/usr/bin/env python
"""Benchmark ``qual check``: 100 transcripts (about 1M words) scanned, seconds and MB/s.

    python scripts/bench_check.py                        # 100 synthetic .docx, ~10,000 words each
    python scripts/bench_check.py --n 20 --jobs 1
    python scripts/bench_check.py --corpus DIR [DIR ...]  # any folders (a de-identified output ...)
    python scripts/bench_check.py --before /tmp/qual-before  # also the CLI of another source tree,
                                                          # side by side in the same run

``--before DIR`` takes a source tree of qual (for instance ``git archive COMMIT | tar -x -C
DIR``) and runs its ``qual check`` on the same corpus, alternating with this tree's, each
``--repeat`` times: before/after in one run, on the same machine load.

Without ``--corpus`` the transcripts come from ``scripts/make_synthetic_corpus.py`` (raw,
identifier-rich interviews: the worst case, every file full of findings), generated once
into ``--cache`` and reused. Rows of the table:

* ``analyzer start``: building the de-identification analyzer (word lists, gazetteers), paid
  once per run;
* ``scan``: ``check_paths`` over the corpus with that analyzer (extraction, detection,
  masking), in ``--jobs`` processes;
* ``qual check (CLI)``: the whole command as CI runs it, cold start included (with
  ``--before``: one row for each tree, the best of ``--repeat`` runs, and their ratio).

Seconds are wall-clock; ``cpu s`` adds the worker processes. The machine's load average is
printed: on a shared machine wall time is CPU time divided by the share of cores you got.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))

TARGET_SECONDS = 10.0


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def corpus(args) -> list[Path]:
    if args.corpus:
        return [Path(p) for p in args.corpus]
    folder = Path(args.cache) / f"n{args.n}-w{args.words}"
    if not folder.exists() or len(list(folder.glob("*.docx"))) < args.n:
        from make_synthetic_corpus import make_corpus

        print(f"generating {args.n} synthetic transcripts into {folder} ...", flush=True)
        make_corpus(args.n, folder, words=args.words, seed=7)
    return [folder]


def words_in(result_files: list[str]) -> int:
    from qual.check import TextUnit, extract_text_units

    total = 0
    for name in result_files:
        try:
            total += sum(len(u.text.split()) for u in extract_text_units(name) if isinstance(u, TextUnit))
        except Exception:  # noqa: BLE001 - an unreadable file counts no words
            pass
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="synthetic transcripts (default 100)")
    parser.add_argument("--words", type=int, default=10_000, help="words per transcript (default 10,000)")
    parser.add_argument("--corpus", nargs="+", help="folders or files to check instead")
    parser.add_argument("--cache", default="/tmp/qual-bench/check", help="where the synthetic corpus is kept")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI row")
    parser.add_argument("--before", help="a source tree of qual to time side by side with this one")
    parser.add_argument("--repeat", type=int, default=2, help="CLI runs of each tree, alternating (default 2)")
    args = parser.parse_args(argv)

    paths = corpus(args)
    from qual.check import check_paths
    from qual.deid.secure import SecureProject
    from qual.workers import default_workers

    jobs = args.jobs or default_workers()
    rows = []
    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    analyzer = SecureProject().analyzer()
    analyzer.analyze("Warm up: Mrs Smith rang from Leeds on 07700 900123.")
    rows.append(("analyzer start", time.perf_counter() - start_wall, cpu_seconds() - start_cpu, None, None))

    scan_wall, scan_cpu = time.perf_counter(), cpu_seconds()
    result = check_paths(paths, analyzer=analyzer, jobs=jobs)
    scan_seconds = time.perf_counter() - scan_wall
    rows.append(("scan", scan_seconds, cpu_seconds() - scan_cpu, result.bytes_scanned, result.characters_scanned))

    comparison = []
    if not args.no_cli:
        trees = [("this tree", PROJECT)] + ([("before", Path(args.before).resolve())] if args.before else [])
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.repeat if args.before else 1):
            for label, tree in trees:
                command = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
                           "from qual.cli import main; main()", str(tree), "check", *map(str, paths),
                           "--jobs", str(jobs), "--format", "json", "--output", os.devnull]
                if label == "this tree":
                    command.append("--allow-unscanned")  # as before: what is not read is listed, not fatal
                cli_wall, cli_cpu = time.perf_counter(), cpu_seconds()
                done = subprocess.run(command, capture_output=True, text=True)
                timing = (time.perf_counter() - cli_wall, cpu_seconds() - cli_cpu)
                if done.returncode not in (0, 1):
                    print(f"the CLI of {label} exited {done.returncode}: {done.stderr[-500:]}", file=sys.stderr)
                if label not in best or timing[0] < best[label][0]:
                    best[label] = timing
        for label, _ in trees:
            name = "qual check (CLI)" if not args.before else f"CLI, {label}"
            rows.append((name, *best[label], result.bytes_scanned, result.characters_scanned))
        if args.before:
            comparison.append(best["this tree"][0] / best["before"][0])

    words = words_in(result.files)
    print()
    print(f"files {result.files_scanned}, words {words:,}, findings {len(result.findings):,} "
          f"({len(result.failing):,} failing), errors {len(result.errors)}, jobs {jobs}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    header = f"{'step':<18} {'seconds':>8} {'cpu s':>7} {'file MB':>8} {'text MB':>8} {'MB/s':>7} {'words/s':>9}"
    print(header)
    print("-" * len(header))
    for name, seconds, cpu, size, characters in rows:
        if size is None:
            print(f"{name:<18} {seconds:>8.2f} {cpu:>7.2f}")
            continue
        print(f"{name:<18} {seconds:>8.2f} {cpu:>7.2f} {size / 1e6:>8.2f} {characters / 1e6:>8.2f} "
              f"{characters / 1e6 / seconds:>7.2f} {words / seconds:>9,.0f}")
    total = rows[2][1] if not args.no_cli else rows[0][1] + rows[1][1]
    if comparison:
        print(f"\nthis tree / before: {comparison[0]:.2f} (best of {args.repeat} CLI runs each, alternating)")
    verdict = "meets" if total <= TARGET_SECONDS else "misses"
    print(f"\n{result.files_scanned} files checked in {total:.1f} s end to end: {verdict} the "
          f"{TARGET_SECONDS:.0f} s target (MB/s counts extracted text)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
