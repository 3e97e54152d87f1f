"""Property tests: random transcripts with planted names, through ingest -> deidentify -> check.

For any generated transcript (speaker labels, interview talk mixed with right-to-left
scripts, emoji, zero-width characters, soft hyphens and bidi controls; people with common
first names of English and Welsh children and invented surnames, written plain, in ALL
CAPS, with a title, as a possessive, or with an invisible character inside), written as
.txt (UTF-8, with BOM, cp1252, UTF-16, CRLF, CR), .docx, .vtt or .srt:

(a) nothing crashes: the pipeline succeeds or fails with one line naming the file, within
    ten seconds;
(b) no planted name (any word of it, after removing invisible characters and folding case)
    is in the de-identified output, an error message or a log record;
(c) ``qual check`` passes on the de-identified output.

Broken variants (truncated, bit-flipped, random bytes) must be refused cleanly or read with
(b) and (c) holding. ``scripts/fuzz.py`` runs the same probe on 10,000 seeded inputs.
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import fuzzgen  # noqa: E402
from fuzzgen import FuzzInput, Planted, Turn  # noqa: E402

EXAMPLES = 50
SECONDS_PER_INPUT = 10

first_names = st.sampled_from(fuzzgen.FIRST_NAMES)
surnames = st.builds(lambda head, tail: head + tail, st.sampled_from(fuzzgen._SURNAME_HEADS),
                     st.sampled_from(fuzzgen._SURNAME_TAILS))
people = st.lists(st.builds(Planted, first_names, surnames), min_size=1, max_size=3, unique_by=lambda p: p.last)
awkward = st.text(alphabet=st.sampled_from(
    list("abc xyz,.;:?!'\"()-") + list(fuzzgen.INVISIBLE) + ["\u202e", "\u202c", "\u200f", "\u2067", "\u2069",
                                                             "\u0645", "\u062f", "\u05e9", "\u05dc", "\U0001f600",
                                                             "\U0001f44d", "\u2764", "\ufe0f", "\u00e9", "\u00a3"]),
    max_size=25)


@st.composite
def turns_with_people(draw) -> tuple[list[Turn], list[Planted]]:
    planted = draw(people)
    interviewer, participant = draw(st.sampled_from(fuzzgen.LABELS))
    count = draw(st.integers(2, 10))
    turns = []
    for index in range(count):
        pieces = [draw(st.sampled_from(fuzzgen.TALK))]
        pieces += draw(st.lists(st.one_of(st.sampled_from(fuzzgen.TALK), awkward), max_size=3))
        turns.append(Turn(interviewer if index % 2 == 0 else participant, ", ".join(p for p in pieces if p),
                          start=index * 7.5))
    for person in planted:
        # first mention plain or in capitals, as a transcriber writes a name
        first = fuzzgen.render(person, draw(st.sampled_from(("plain", "caps", "possessive"))))
        where = draw(st.integers(0, count - 1))
        turns[where].text += ", " + draw(st.sampled_from(fuzzgen.CONTEXTS)).format(name=first)
        for _ in range(draw(st.integers(0, 2))):
            style = draw(st.sampled_from(fuzzgen.STYLES))
            name = fuzzgen.render(person, style, draw(st.sampled_from(fuzzgen.INVISIBLE)), draw(st.integers(0, 5)))
            where = draw(st.integers(where, count - 1))
            turns[where].text += ", " + draw(st.sampled_from(fuzzgen.CONTEXTS)).format(name=name)
    for turn in turns:
        turn.text += draw(st.sampled_from((".", "?", "!", "...")))
    return turns, planted


@st.composite
def inputs(draw) -> FuzzInput:
    turns, planted = draw(turns_with_people())
    kind = draw(st.sampled_from(fuzzgen.WRITERS))
    if kind == "txt-cp1252":
        planted = [fuzzgen.cp1252_safe(p) for p in planted]
    suffix, data = fuzzgen.write(kind, turns)
    return FuzzInput(kind, f"fuzz{suffix}", data, planted)


@st.composite
def broken_inputs(draw) -> FuzzInput:
    turns, planted = draw(turns_with_people())
    kind = draw(st.sampled_from(fuzzgen.BROKEN))
    rng = draw(st.randoms(use_true_random=False))
    suffix, data = fuzzgen.broken(kind, rng, turns)
    return FuzzInput(kind, f"broken{suffix}", data, planted, expect_refusal=True)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


@pytest.fixture(scope="module")
def analyzers():
    """One de-identification analyzer and one check analyzer for every example (building
    them takes seconds); the de-identifier forgets what it learned before each example."""
    from qual.deid.analyzer import Analyzer
    from qual.deid.secure import SecureProject

    return Analyzer(), SecureProject().analyzer(ner=None)


def run(item: FuzzInput, analyzers) -> fuzzgen.Outcome:
    folder = Path(tempfile.mkdtemp(prefix="qual-fuzz-"))
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_INPUT)
    try:
        return fuzzgen.probe(item, folder, *analyzers)
    except Hang:
        return fuzzgen.Outcome("hang", f"over {SECONDS_PER_INPUT} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        shutil.rmtree(folder, ignore_errors=True)


PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@PROPERTY
@given(item=inputs())
def test_generated_transcripts_are_deidentified_and_pass_the_check(analyzers, item: FuzzInput):
    outcome = run(item, analyzers)
    assert outcome.status in (fuzzgen.OK, fuzzgen.REFUSED), f"{item.kind}: {outcome}"
    # a well-formed transcript with turns is read, never refused
    assert outcome.status == fuzzgen.OK, f"{item.kind} was refused: {outcome}"


@PROPERTY
@given(item=broken_inputs())
def test_broken_files_are_refused_cleanly_or_read_safely(analyzers, item: FuzzInput):
    outcome = run(item, analyzers)
    assert outcome.status in (fuzzgen.OK, fuzzgen.REFUSED), f"{item.kind}: {outcome}"
