"""Fuzz the pipeline: N generated transcripts through ingest -> deidentify -> check, seeded.

    .venv/bin/python scripts/fuzz.py                       # 10,000 inputs, seed 8, 2 workers
    .venv/bin/python scripts/fuzz.py --count 500 --seed 3
    .venv/bin/python scripts/fuzz.py --seed 8 --only 4711 --keep /tmp/fuzz-case   # one input again

Each input is drawn by ``tests/hostile/fuzzgen.py`` from ``random.Random(f"{seed}-{index}")``
(so any one can be regenerated alone): speaker turns in .txt (UTF-8, BOM, cp1252, UTF-16,
CRLF, CR), .docx, .vtt or .srt, with right-to-left text, emoji, zero-width characters, soft
hyphens and planted people's names (ONS first names, invented surnames; plain, ALL CAPS,
titled, possessive, with invisible characters inside); 15 % are broken on purpose
(truncated, bit-flipped, random bytes, empty, NUL bytes). Each runs in a worker process
(analyzers built once, before the workers fork); a worker that takes longer than
``--timeout`` seconds on one input is killed and the input counted as a hang.

Outcomes: ok; refused (a one-line error naming the file: right for broken inputs);
crash (an exception that is not a QualError); hang; leak (a planted name in a de-identified
file, an error message or a log record); check failed (``qual check`` finds something in
the de-identified output); unclear (an error that is not one line naming the file).
Prints a table by input kind; exit 1 when anything but ok/refused happened.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from multiprocessing.connection import wait
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests" / "hostile"))

import fuzzgen  # noqa: E402

COLUMNS = ("inputs", "ok", "refused", "crash", "hang", "leak", "check failed", "unclear error")
BAD = ("crash", "hang", "leak", "check failed", "unclear error")
_ANALYZERS = None


def build_analyzers():
    from qual.deid.analyzer import Analyzer
    from qual.deid.secure import SecureProject

    return Analyzer(), SecureProject().analyzer(ner=None)


def generate(seed: int, index: int, broken_share: float) -> fuzzgen.FuzzInput:
    return fuzzgen.fuzz_input(random.Random(f"{seed}-{index}"), index, broken_share)


def worker(connection, seed: int, broken_share: float, scratch: str) -> None:
    """Runs inputs sent by index; answers (index, kind, status, detail, seconds)."""
    import logging
    import warnings

    logging.getLogger("qual").propagate = False  # records are collected by the probe, not printed
    warnings.simplefilter("ignore")
    while True:
        index = connection.recv()
        if index is None:
            return
        item = generate(seed, index, broken_share)
        folder = Path(tempfile.mkdtemp(prefix=f"fuzz{index}-", dir=scratch))
        started = time.perf_counter()
        try:
            outcome = fuzzgen.probe(item, folder, *_ANALYZERS)
        except Exception as error:  # noqa: BLE001 - the probe itself must not take the worker down
            outcome = fuzzgen.Outcome(fuzzgen.CRASH, f"probe raised {type(error).__name__}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        connection.send((index, item.kind, outcome.status, outcome.detail, time.perf_counter() - started))


class Pool:
    """Worker processes fed one input at a time, so that a stuck one can be killed alone."""

    def __init__(self, size: int, seed: int, broken_share: float, scratch: str) -> None:
        self.args = (seed, broken_share, scratch)
        self.context = mp.get_context("fork")
        self.workers = [self._start() for _ in range(size)]

    def _start(self) -> dict:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=worker, args=(child, *self.args), daemon=True)
        process.start()
        child.close()
        return {"process": process, "connection": parent, "index": None, "since": 0.0}

    def run(self, indices: list[int], timeout: float, report) -> None:
        pending = list(reversed(indices))
        while pending or any(w["index"] is not None for w in self.workers):
            for slot in self.workers:
                if slot["index"] is None and pending:
                    slot["index"], slot["since"] = pending.pop(), time.perf_counter()
                    slot["connection"].send(slot["index"])
            busy = [w for w in self.workers if w["index"] is not None]
            for connection in wait([w["connection"] for w in busy], timeout=0.2):
                slot = next(w for w in busy if w["connection"] is connection)
                try:
                    report(*connection.recv())
                    slot["index"] = None
                except EOFError:  # the worker died (a hard crash: segfault, out of memory)
                    self._replace(slot, report, "crash", "worker process died")
            now = time.perf_counter()
            for slot in self.workers:
                if slot["index"] is not None and now - slot["since"] > timeout:
                    self._replace(slot, report, "hang", f"over {timeout:.0f} s")

    def _replace(self, slot: dict, report, status: str, detail: str) -> None:
        index = slot["index"]
        slot["process"].kill()
        slot["process"].join()
        report(index, generate(*self.args[:1], index, self.args[1]).kind, status, detail,
               time.perf_counter() - slot["since"])
        slot.update(self._start())

    def close(self) -> None:
        for slot in self.workers:
            try:
                slot["connection"].send(None)
            except (BrokenPipeError, OSError):
                pass
            slot["process"].join(timeout=5)
            if slot["process"].is_alive():
                slot["process"].kill()


def table(counts: dict[str, Counter], slowest: dict[str, float]) -> str:
    header = f"{'kind':<24}" + "".join(f"{c:>14}" for c in COLUMNS) + f"{'max s':>8}"
    lines = [header, "-" * len(header)]
    total: Counter = Counter()
    for kind in sorted(counts):
        row = counts[kind]
        total.update(row)
        lines.append(f"{kind:<24}" + "".join(f"{row[c]:>14,}" for c in COLUMNS) + f"{slowest[kind]:>8.1f}")
    lines.append("-" * len(header))
    lines.append(f"{'all':<24}" + "".join(f"{total[c]:>14,}" for c in COLUMNS)
                 + f"{max(slowest.values(), default=0):>8.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input before it is a hang")
    parser.add_argument("--broken", type=float, default=0.15, help="share of deliberately broken inputs")
    parser.add_argument("--only", type=int, nargs="*", help="run just these input numbers (to reproduce one)")
    parser.add_argument("--keep", type=Path, help="with --only: write the inputs here to look at")
    parser.add_argument("--show", type=int, default=20, help="bad outcomes to list (masked)")
    args = parser.parse_args(argv)

    indices = args.only if args.only else list(range(args.count))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for index in indices:
            item = generate(args.seed, index, args.broken)
            (args.keep / item.name).write_bytes(item.data)
            print(f"{args.keep / item.name}: {item.kind}, {len(item.planted)} planted name(s)")

    global _ANALYZERS
    started = time.perf_counter()
    _ANALYZERS = build_analyzers()  # before the fork: every worker shares them
    counts: dict[str, Counter] = defaultdict(Counter)
    slowest: dict[str, float] = defaultdict(float)
    bad: list[tuple[int, str, str, str]] = []
    done = 0

    def report(index, kind, status, detail, seconds):
        nonlocal done
        done += 1
        counts[kind]["inputs"] += 1
        counts[kind][status] += 1
        slowest[kind] = max(slowest[kind], seconds)
        if status in BAD:
            bad.append((index, kind, status, detail))
        if done % 500 == 0:
            print(f"  {done:,}/{len(indices):,} inputs, {len(bad)} bad, {time.perf_counter() - started:.0f} s",
                  file=sys.stderr, flush=True)

    scratch = tempfile.mkdtemp(prefix="qual-fuzz-")
    pool = Pool(max(1, args.workers), args.seed, args.broken, scratch)
    try:
        pool.run(indices, args.timeout, report)
    finally:
        pool.close()
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.perf_counter() - started

    print(f"fuzz: {len(indices):,} inputs, seed {args.seed}, {args.workers} worker(s), "
          f"{elapsed:.0f} s ({elapsed / max(len(indices), 1) * 1000:.0f} ms per input)")
    print(table(counts, slowest))
    for index, kind, status, detail in sorted(bad)[: args.show]:
        print(f"  #{index} {kind}: {status}: {detail}   (reproduce: scripts/fuzz.py --seed {args.seed} "
              f"--only {index} --keep DIR)")
    if len(bad) > args.show:
        print(f"  ... and {len(bad) - args.show} more")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
