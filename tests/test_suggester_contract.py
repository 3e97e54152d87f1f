"""The contract every suggester keeps, checked on every suggester ``qual.plugins`` knows: qual's
own and any a package installed beside qual provides (scikit-learn's ``parametrize_with_checks``
is the model). A new suggester is tested by registering it; nothing here names one.

The contract (``qual.coding.suggesters.base``): ``fit(segments, codebook, context)`` returns the
suggester; ``suggest`` returns float32 scores, one row per segment and one column per code, in
[0, 1], the same for the same input and seed; a suggester that cannot work says so
(``available = False``, a note saying why) and scores zero; it leaves its input alone; and no
note or repr quotes the segments (they are interview text).
"""

from __future__ import annotations

import numpy as np
import pytest

from qual import plugins
from qual.coding.codebook import Code, Codebook, Theme
from qual.coding.pipeline import embed_segments
from qual.coding.segments import segment_transcripts
from qual.coding.suggesters import Suggester, SuggestContext
from qual.model import Role, Transcript, Turn

MARKER = "Quillborough"  # in every answer; must never reach a note or a repr

CODEBOOK = Codebook(
    name="contract",
    themes=[Theme("T", "theme")],
    codes=[
        Code("REF", "Referrals", "T", definition="How referrals to children's social care are made.",
             keywords=["referral", "front door"], examples=["We made a referral to the front door."]),
        Code("SUP", "Support", "T", definition="Support given to students: one-to-one work and drop-ins.",
             keywords=["support", "drop-in"], examples=["I ran a drop-in every lunchtime."]),
        Code("COVID", "Covid", "T", definition="Lockdowns, school closures and remote working.",
             keywords=["lockdown", "covid"], examples=["In lockdown we did doorstep visits."]),
    ],
)
# A codebook of names only: nothing for keywords, definitions or examples to work from.
BARE = Codebook(name="bare", themes=[Theme("T", "theme")],
                codes=[Code("A", "Alpha", "T"), Code("B", "Beta", "T")])
ANSWERS = {
    "REF": ["I made a referral to the front door about {m}.", "The referral went to the MASH, {m} said.",
            "We sent two referrals through the front door at {m}.", "Every referral from {m} got a reply."],
    "SUP": ["I ran a drop-in for {m} students.", "One-to-one support at {m} helped her.",
            "The drop-in at {m} was busy every lunchtime.", "Support for the boys at {m} was weekly."],
    "COVID": ["In lockdown {m} closed its doors.", "Covid meant {m} went online.",
              "During the lockdown we rang {m} families.", "Covid changed everything at {m}."],
}


def _transcripts() -> list[Transcript]:
    answers = [a.format(m=MARKER) for texts in ANSWERS.values() for a in texts]
    transcripts = []
    for number, half in enumerate((answers[::2], answers[1::2]), 1):
        turns = []
        for answer in half:
            turns.append(Turn(0, "Interviewer", Role.INTERVIEWER, "Can you tell me more?"))
            turns.append(Turn(0, "P", Role.PARTICIPANT, answer))
        transcripts.append(Transcript(id=f"D{number}", source=f"D{number}.txt", turns=turns))
    return transcripts


@pytest.fixture(scope="module")
def tiny():
    """Segments of two short interviews, an embedder, and human labels for every segment."""
    from qual.coding.embeddings import load_embedder

    transcripts = _transcripts()
    segments = segment_transcripts(transcripts)
    embedder = load_embedder("static")
    vectors = embed_segments(segments, embedder)
    labels = np.full((len(segments), len(CODEBOOK.codes)), np.nan, dtype=np.float32)
    code_of = {answer.format(m=MARKER): code for code, answers in ANSWERS.items() for answer in answers}
    column = {code.id: i for i, code in enumerate(CODEBOOK.codes)}
    for row in np.flatnonzero(segments["codable"].to_numpy(bool)):
        labels[row] = 0.0
        labels[row, column[code_of[segments["text"].iat[row]]]] = 1.0

    def context(seed: int = 0) -> SuggestContext:  # a fresh one: suggesters may write to it
        return SuggestContext(embedder=embedder, answer_vectors=vectors[0].copy(),
                              question_vectors=vectors[1].copy(), labels=labels.copy(), random_state=seed)

    return segments, context


def fitted(name: str, segments, context: SuggestContext, codebook: Codebook = CODEBOOK) -> Suggester:
    suggester = plugins.get("suggesters", name)()
    returned = suggester.fit(segments, codebook, context)
    assert returned is suggester, f"{name}: fit must return the suggester"
    return suggester


# --------------------------------------------------------------------------- the checks

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


@check
def check_is_a_suggester_with_its_registered_name(name, tiny):
    cls = plugins.get("suggesters", name)
    assert isinstance(cls, type) and issubclass(cls, Suggester)
    assert cls.name == name


@check
def check_scores_are_segments_by_codes_float32_in_0_1(name, tiny):
    segments, context = tiny
    state = context()
    suggester = fitted(name, segments, state)
    assert suggester.available, f"{name}: not available on the tiny input: {suggester.notes}"
    scores = suggester.suggest(segments, state)
    assert isinstance(scores, np.ndarray) and scores.dtype == np.float32
    assert scores.shape == (len(segments), len(CODEBOOK.codes))
    assert np.isfinite(scores).all() and scores.min() >= 0.0 and scores.max() <= 1.0
    assert scores.max() > 0.0, f"{name}: every score is zero on input it can work on"


@check
def check_same_input_same_scores(name, tiny):
    segments, context = tiny
    first, second = context(seed=7), context(seed=7)
    a = fitted(name, segments, first).suggest(segments, first)
    b = fitted(name, segments, second).suggest(segments, second)
    np.testing.assert_array_equal(a, b)


@check
def check_says_why_and_scores_zero_when_it_cannot_work(name, tiny):
    segments, _ = tiny
    empty = SuggestContext()  # no embedder, no embeddings, no human codes
    suggester = fitted(name, segments, empty, BARE)
    if suggester.available:  # it can work from nothing: then it must give valid scores
        scores = suggester.suggest(segments, empty)
        assert scores.shape == (len(segments), len(BARE.codes)) and scores.dtype == np.float32
        assert np.isfinite(scores).all() and 0.0 <= scores.min() and scores.max() <= 1.0
        return
    assert suggester.notes and all(isinstance(note, str) and note.strip() for note in suggester.notes)
    scores = suggester.suggest(segments, empty)
    assert scores.shape == (len(segments), len(BARE.codes)) and not scores.any()


@check
def check_leaves_its_input_alone(name, tiny):
    segments, context = tiny
    before = segments.copy(deep=True)
    state = context()
    vectors = state.answer_vectors.copy()
    fitted(name, segments, state).suggest(segments, state)
    assert segments.equals(before)
    np.testing.assert_array_equal(state.answer_vectors, vectors)


@check
def check_notes_and_repr_quote_no_text(name, tiny):
    segments, context = tiny
    state = context()
    suggester = fitted(name, segments, state)
    suggester.suggest(segments, state)
    shown = " ".join([*suggester.notes, repr(suggester), str(suggester)])
    assert MARKER not in shown and "lunchtime" not in shown


@pytest.mark.parametrize("name, contract_check", [
    pytest.param(name, function, id=f"{name}-{function.__name__.removeprefix('check_')}")
    for name in plugins.names("suggesters") for function in CHECKS
])
def test_suggester_contract(name, contract_check, tiny):
    contract_check(name, tiny)


def test_the_contract_covers_qual_s_own_suggesters():
    assert {"rules", "semantic", "topic", "learned"} <= set(plugins.names("suggesters"))
    assert len(CHECKS) >= 6


def test_a_suggester_registered_at_run_time_is_made_by_name():
    from qual.coding.suggesters import make_suggester, register_suggester

    @register_suggester("contract.constant")
    class Constant(Suggester):
        def suggest(self, segments, context=None):
            return np.full((len(segments), len(self.codebook.codes)), 0.5, dtype=np.float32)

    try:
        made = make_suggester("contract.constant")
        assert isinstance(made, Constant) and made.name == "contract.constant"
        assert "contract.constant" in plugins.names("suggesters")
    finally:
        plugins.unregister("suggesters", "contract.constant")
    assert "contract.constant" not in plugins.names("suggesters")


def test_the_checks_catch_a_broken_suggester(tiny):
    from qual.coding.suggesters import register_suggester

    @register_suggester("contract.broken")
    class Broken(Suggester):
        """Scores as float64 above 1, random, writes into the embeddings, quotes the text."""

        def fit(self, segments, codebook, context):
            super().fit(segments, codebook, context)
            self.notes.append(f"first segment: {segments['text'].iat[1]}")
            if context.answer_vectors is not None:
                context.answer_vectors[:] = 0.0
            return self

        def suggest(self, segments, context=None):
            return 1.0 + np.random.default_rng().random((len(segments), len(self.codebook.codes)))

    try:
        for contract_check in (check_scores_are_segments_by_codes_float32_in_0_1, check_same_input_same_scores,
                               check_leaves_its_input_alone, check_notes_and_repr_quote_no_text,
                               check_says_why_and_scores_zero_when_it_cannot_work):
            with pytest.raises(AssertionError):
                contract_check("contract.broken", tiny)
    finally:
        plugins.unregister("suggesters", "contract.broken")
