"""The generated detection kinds (``deid_kinds.py``) through ``qual deidentify`` and
``qual check``: no planted identifier survives de-identification, in any variant (as written,
lower-cased); ``qual check`` fails every raw file and passes what deidentify wrote."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from deid_kinds import write_cases  # noqa: E402
from harness import normalise, run_qual  # noqa: E402


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalise(text))


def leaks(output: str, identifiers) -> list[str]:
    """Identifiers readable in ``output``: long ones even with separators inside
    ("K-A-Y..."), short ones as words."""
    joined, words = _letters(output), normalise(output)
    found = []
    for identifier in identifiers:
        key = _letters(identifier)
        if len(key) >= 5 and key in joined or len(key) < 5 and re.search(rf"\b{re.escape(key)}\b", words):
            found.append(identifier)
    return found


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    raw = tmp_path_factory.mktemp("kinds")
    cases = write_cases(raw)
    out = tmp_path_factory.mktemp("kinds-out") / "deid"
    done = run_qual(["deidentify", str(raw), "--out", str(out)], timeout=900)
    return raw, out, cases, done


@pytest.mark.slow
def test_no_planted_identifier_survives_deidentify(kinds):
    raw, out, cases, done = kinds
    assert done.returncode == 0, done.describe()
    leaked = {}
    for case in cases:
        stem = case.file_name.removesuffix(".txt")
        output = out / f"{stem}.txt"
        assert output.exists(), stem
        found = leaks(output.read_text(encoding="utf-8"), case.identifiers)
        if found:
            leaked[case.file_name] = len(found)  # counts only: the strings stay out of the report
    assert leaked == {}
    assert not leaks(done.output, [i for c in cases for i in c.identifiers])


@pytest.mark.slow
def test_check_fails_every_raw_kind_and_passes_the_output(kinds):
    raw, out, cases, _ = kinds
    done = run_qual(["check", str(raw)], timeout=900)
    assert done.returncode == 1, done.describe()
    for case in cases:
        assert case.file_name in done.stdout, case.file_name
    assert not leaks(done.output, [i for c in cases for i in c.identifiers])
    clean = run_qual(["check", str(out)], timeout=900)
    assert clean.returncode == 0, clean.describe()
