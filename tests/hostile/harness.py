"""What the hardening tests share: running ``qual`` as a child process with its time and peak
memory measured, the gold identifiers of the sample corpus, and finding them in text.

Kept beside ``make_hostile.py`` so the tests in ``tests/`` and ``scripts/fuzz.py`` use one
definition of "a leak" and "a clean failure".
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

PROJECT = Path(__file__).resolve().parents[2]
GOLD = PROJECT / "tests" / "gold"
QUAL = [sys.executable, "-c", "from qual.cli import main; main()"] if not (Path(sys.executable).parent / "qual").exists() \
    else [str(Path(sys.executable).parent / "qual")]

# What a crash looks like on a console: Python's traceback header, the CLI's "internal error"
# line (an exception that is not a QualError: a bug), and faulthandler's dump.
CRASH_MARKERS = ("Traceback (most recent call last)", "internal error in 'qual", "Fatal Python error",
                 "Segmentation fault", "--- Logging error ---")

# Characters that hide inside a name without changing how it reads.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c"
                                   "\u202d\u202e\u2066\u2067\u2068\u2069\u180e"), None)


def normalise(text: str) -> str:
    """Text as a reader sees it: invisible characters removed, NFKC, case folded, one space."""
    text = unicodedata.normalize("NFKC", text.translate(INVISIBLE))
    return re.sub(r"\s+", " ", text).casefold()


@dataclass
class Finished:
    """A finished child process: exit code, output, seconds, peak memory."""

    args: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    timed_out: bool = False

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def crashed(self) -> list[str]:
        return [marker for marker in CRASH_MARKERS if marker in self.output]

    def describe(self) -> str:
        return (f"qual {' '.join(self.args)} -> exit {self.returncode} in {self.seconds:.1f} s, "
                f"{self.peak_rss_mb:.0f} MB\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}")


def qual_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"COLUMNS": "10000", "NO_COLOR": "1", "TERM": "dumb", "PYTHONWARNINGS": "always",
                "PYTHONUNBUFFERED": "1", "QUAL_KEY_PASSPHRASE": "hardening-test-passphrase"})
    env.update(extra)
    return env


def run_qual(args: Sequence[str | Path], *, timeout: float = 600, cwd: str | Path | None = None,
             env: dict[str, str] | None = None) -> Finished:
    """Run ``qual ARGS``; see ``run_child``."""
    result = run_child(QUAL + [str(a) for a in args], timeout=timeout, cwd=cwd, env=env or qual_env())
    result.args = [str(a) for a in args]
    return result


def run_child(argv: Sequence[str], *, timeout: float = 600, cwd: str | Path | None = None,
              env: dict[str, str] | None = None) -> Finished:
    """Run a child in its own session; ``os.wait4`` gives this child's own peak memory.

    Output goes to files so that a chatty child cannot block on a full pipe; past
    ``timeout`` the whole process group is killed and ``timed_out`` set."""
    import tempfile

    argv = [str(a) for a in argv]
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out, \
            tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                                   env=env if env is not None else dict(os.environ), start_new_session=True)
        deadline = started + timeout
        timed_out = False
        high_water = 0
        while True:
            high_water = max(high_water, _high_water_kb(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        # ru_maxrss of a child counts the parent's memory it was forked from (Linux keeps the
        # old mm's high-water mark across exec), so a big test process inflates it; the
        # child's own VmHWM, polled while it runs, does not. It is a high-water mark, so only
        # growth in the last 10 ms could be missed; ru_maxrss is the fallback for a child too
        # quick to be seen.
        peak_kb = high_water if high_water else usage.ru_maxrss
        return Finished(argv, None if timed_out else process.returncode, out.read(), err.read(), seconds,
                        peak_kb / 1024, timed_out)


def _high_water_kb(pid: int) -> int:
    """Peak resident memory (VmHWM, kB) of a running process or of the largest of its
    descendants (worker processes); 0 once it has exited."""
    peak = 0
    pending = [pid]
    seen = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pending += [int(child) for child in handle.read().split()]
        except (OSError, ValueError):
            continue
    return peak


# --------------------------------------------------------------------------- gold identifiers


@lru_cache(maxsize=1)
def gold_identifiers(min_length: int = 3) -> tuple[str, ...]:
    """Every identifier string annotated in ``tests/gold``: in turns, speaker labels and
    metadata (headers, footers, comments, properties), and the participants' attributes."""
    found: set[str] = set()
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        for turn in gold.get("turns", []):
            found.update(item["text"] for item in turn.get("identifiers", []))
        found.update(item.get("speaker") or item.get("text") or "" for item in gold.get("speaker_identifiers", []))
        found.update(item.get("text") or "" for item in gold.get("metadata_identifiers", []))
        attributes = gold.get("attributes") or {}
        for key in ("name", "local_authority", "interviewer"):
            found.add(str(attributes.get(key) or ""))
        found.update(part.strip() for part in str(attributes.get("school") or "").split(";"))
    return tuple(sorted({s.strip() for s in found if len(s.strip()) >= min_length}, key=len, reverse=True))


# A one-word identifier that is also an everyday word ("Will", "Grace", "Summer", "fourteen")
# is looked for as written (case-sensitive), else every "will" in a log would be a "leak".
COMMON_WORD_ZIPF = 3.0


def _is_common_word(text: str) -> bool:
    if " " in text.strip():
        return False
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # without word frequencies, every identifier is matched exactly as written
        return True
    return zipf_frequency(text.casefold(), "en") >= COMMON_WORD_ZIPF


class LeakFinder:
    """Finds given identifier strings in text: whole words, after removing invisible characters
    (a zero-width space inside a name does not hide it); case-insensitive, except one-word
    identifiers that are everyday words, which must match as written."""

    def __init__(self, identifiers: Iterable[str]) -> None:
        folded, exact = set(), set()
        for identifier in identifiers:
            clean = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", identifier.translate(INVISIBLE))).strip()
            if len(clean) < 3:
                continue
            (exact if _is_common_word(clean) else folded).add(clean)
        self.identifiers = sorted(folded | exact, key=len, reverse=True)
        self.folded = self._compile(sorted({i.casefold() for i in folded}, key=len, reverse=True))
        self.exact = self._compile(sorted(exact, key=len, reverse=True))

    @staticmethod
    def _compile(strings: list[str]):
        if not strings:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in strings) + r")(?!\w)")

    def find(self, text: str) -> list[str]:
        if not text:
            return []
        plain = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text.translate(INVISIBLE)))
        found = set()
        if self.folded is not None:
            found.update(m.group(0) for m in self.folded.finditer(plain.casefold()))
        if self.exact is not None:
            found.update(m.group(0) for m in self.exact.finditer(plain))
        return sorted(found)


def masked(found: Iterable[str]) -> str:
    """Leaks named in an assertion message without repeating them (first letter and length)."""
    return ", ".join(f"{s[0]}{'*' * (len(s) - 1)} ({len(s)})" for s in found)


@dataclass
class TreeSnapshot:
    """sha256 of every file under some roots, to prove a command left its inputs alone."""

    roots: list[Path]
    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def take(cls, roots: Iterable[str | Path]) -> "TreeSnapshot":
        import hashlib

        roots = [Path(r) for r in roots]
        hashes: dict[str, str] = {}
        for root in roots:
            files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
            for path in files:
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        return cls(roots, hashes)

    def changes(self, later: "TreeSnapshot") -> list[str]:
        changed = [p for p in self.hashes if later.hashes.get(p) != self.hashes[p]]
        added = [p for p in later.hashes if p not in self.hashes]
        return [f"changed or removed: {p}" for p in changed] + [f"added: {p}" for p in added]
