"""Benchmark REFI-QDA export, validation and import on an evaluation-sized corpus.

A synthetic corpus shaped like the SWIS evaluation (default: 100 interviews, ~1M words, about
200 codings per interview, emoji and CR LF sprinkled in) is exported with ``build_qdpx``,
validated, written, and read back with ``read_project``; the table gives the wall and CPU time
of each step and the process's peak resident memory after it (pandas, lxml and the corpus included).

    .venv/bin/python scripts/bench_refi.py [--interviews 100] [--words 10000] [--codings 200]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

WORDS = ("school social worker safeguarding lead referral family student teacher meeting week "
         "really helped office support early help threshold team manager Zoë café naïve 👍🏽 "
         "the and a to of we they I it was were that this because so then").split()


def corpus(interviews: int, words: int, seed: int = 7):
    from qual.model import Role, Transcript, Turn

    rng = random.Random(seed)
    transcripts = []
    for number in range(interviews):
        turns, total, index = [], 0, 0
        while total < words:
            interviewer = index % 2 == 0
            length = rng.randint(8, 25) if interviewer else rng.randint(40, 220)
            paragraphs = [" ".join(rng.choice(WORDS) for _ in range(max(1, length // 2))) for _ in range(2)]
            separator = "\r\n" if rng.random() < 0.1 else "\n"
            turns.append(Turn(index, "Interviewer" if interviewer else f"SW{number:03d}",
                              Role.INTERVIEWER if interviewer else Role.PARTICIPANT, separator.join(paragraphs),
                              timestamp=f"00:{index % 60:02d}:00"))
            total += length
            index += 1
        transcripts.append(Transcript(id=f"SW{number:03d}", source="", turns=turns,
                                      attributes={"role": "SW", "local_authority": f"[Local authority {number % 7}]",
                                                  "trial_arm": "intervention"}))
    return transcripts


def codings(transcripts, per_interview: int, code_ids: list[str], seed: int = 11):
    import pandas as pd

    rng = random.Random(seed)
    rows = []
    for transcript in transcripts:
        participant = [t for t in transcript.turns if t.role.value == "participant"]
        for _ in range(per_interview):
            turn = rng.choice(participant)
            start = turn.start + rng.randint(0, max(0, len(turn.text) // 2))
            end = min(turn.end, start + rng.randint(20, 400))
            rows.append({"document": transcript.id, "segment": str(turn.index), "speaker": turn.speaker,
                         "text": transcript.text[start:end], "code": rng.choice(code_ids), "score": rng.random(),
                         "source": rng.choice(["suggester:rules", "suggester:embedding", "human:alice"]),
                         "status": "accepted", "turn": turn.index, "timestamp": turn.timestamp, "role": "participant",
                         "start": start, "end": end})
    return pd.DataFrame(rows)


def measure(label: str, fn, table: list):
    """Run ``fn``; record its wall and CPU time and the process's peak resident memory so far
    (on a shared machine the wall time includes waiting for a core)."""
    began, cpu = time.perf_counter(), time.process_time()
    value = fn()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    table.append((label, seconds, cpu, peak))
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=100)
    parser.add_argument("--words", type=int, default=10_000, help="words per interview")
    parser.add_argument("--codings", type=int, default=200, help="codings per interview")
    args = parser.parse_args()

    from qual.coding.codebook import load_codebook
    from qual.files import write_bytes
    from qual.refi import build_qdpx, read_project, validate_qdpx

    project_root = Path(__file__).resolve().parents[1]
    codebook = load_codebook(project_root / "codebooks" / "swis_ipe.yaml")
    table: list = []
    transcripts = measure("make corpus", lambda: corpus(args.interviews, args.words), table)
    frame = measure("make codings", lambda: codings(transcripts, args.codings, codebook.code_ids), table)
    total_words = sum(t.words for t in transcripts)
    data, result = measure("build_qdpx (incl. validation)", lambda: build_qdpx(frame, transcripts, codebook), table)
    with tempfile.TemporaryDirectory(prefix="qual-bench-refi-") as folder:
        path = Path(folder) / "project.qdpx"
        measure("write", lambda: write_bytes(path, data), table)
        problems = measure("validate_qdpx", lambda: validate_qdpx(path), table)
        project = measure("read_project", lambda: read_project(path), table)
    print(f"corpus: {len(transcripts)} interviews, {total_words:,} words; {len(frame):,} codings rows; "
          f".qdpx {len(data) / 2**20:.1f} MB; {result.selections:,} selections, {result.codings:,} codings; "
          f"validation problems: {len(problems)}; read back: {len(project.codings):,} codings")
    print(f"{'step':32} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for label, seconds, cpu, peak in table:
        print(f"{label:32} {seconds:8.2f} {cpu:8.2f} {peak:12.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
