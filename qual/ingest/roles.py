"""Who is the interviewer: speaker roles from label words, a legend, questions, or the user.

Order of evidence, strongest first:

1. the user's ``interviewer`` option (a label such as ``R`` or ``Int``, or a name such as
   ``Hanna Solomon`` that matches a name label like ``SOLOMON``);
2. a legend at the top of the document (``I1: Interviewer 1``; qual's de-identified
   transcripts carry one: ``[Person 15]: Interviewer``), else words in the labels
   (``Interviewer``, ``I``, ``Researcher`` vs ``Respondent``, ``R``, ``SW``...);
3. who asks the questions (share of turns ending in ``?``);
4. who speaks first.

Exactly the interviewer(s) get ``Role.INTERVIEWER``; labels such as ``Unknown`` or
``Interpreter`` get ``Role.OTHER``; everyone else is a participant.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..model import NON_SPEECH_RE, Role, Turn

INTERVIEWER_WORDS = frozenset({
    "interviewer", "interviewers", "int", "intv", "intvr", "iv", "ivr", "i", "q", "question", "questions",
    "researcher", "researchers", "research team", "facilitator", "moderator", "evaluator",
    "fieldworker", "field worker", "lead interviewer", "co interviewer", "second interviewer",
})
PARTICIPANT_WORDS = frozenset({
    "respondent", "respondents", "resp", "res", "rsp", "r", "participant", "participants", "interviewee",
    "interviewees", "ie", "iee", "ivee", "a", "answer", "p", "part", "sw", "tm", "social worker", "team manager",
    "practitioner", "informant", "all participants",
})
OTHER_WORDS = frozenset({
    "unknown", "unidentified", "unknown speaker", "unidentified speaker", "unidentified voice",
    "inaudible", "interpreter", "translator", "note taker", "notetaker", "observer", "all", "both",
    "everyone", "everybody", "group", "multiple", "multiple speakers", "several", "several speakers",
    "crosstalk", "audience", "others", "other", "other speaker", "voices", "various",
})
# Labels that name a speaker without saying which side they are on (Otter, Teams, Rev).
NEUTRAL_WORDS = frozenset({"speaker", "person", "voice", "spk", "speaker name", "talker", "caller"})

_FUZZY_VOCABULARY = sorted(w for w in INTERVIEWER_WORDS | PARTICIPANT_WORDS | OTHER_WORDS | NEUTRAL_WORDS
                           if len(w) >= 7)
_QUALIFIERS = re.compile(
    r"^(?:male|female|main|lead|first|second|third|co|assistant|senior|junior|the)\s+", re.IGNORECASE)
_INTERVIEWER_CODE = re.compile(r"(?:i|int|iv|q)\d{1,3}[a-z]?")
_PARTICIPANT_CODE = re.compile(r"(?:r|a|p|sw|tm|resp|part)\d{1,3}[a-z]?|(?:sw|tm)\s*\d{1,3}")


def _words(label: str) -> str:
    """A label reduced to its words: 'Participant 3 (SW)' -> 'participant', 'PARTTICIPANT 18' -> ..."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", label.casefold())
    text = re.sub(r"[\d_]+", " ", text)
    text = re.sub(r"[^\w\s]+", " ", text)
    text = " ".join(text.split())
    return _QUALIFIERS.sub("", text) if text.count(" ") else text


@functools.lru_cache(maxsize=4096)
def role_of_label(label: str) -> Role | None:
    """The role a label's own words state, or None when they do not (names, 'Speaker 1')."""
    compact = "".join(label.casefold().split()).strip(".:")
    if _INTERVIEWER_CODE.fullmatch(compact):
        return Role.INTERVIEWER
    if _PARTICIPANT_CODE.fullmatch(compact):
        return Role.PARTICIPANT
    words = _words(label)
    for vocabulary, role in ((INTERVIEWER_WORDS, Role.INTERVIEWER), (PARTICIPANT_WORDS, Role.PARTICIPANT),
                             (OTHER_WORDS, Role.OTHER)):
        if words in vocabulary:
            return role
    fuzzy = _fuzzy_word(words)
    if fuzzy in INTERVIEWER_WORDS:
        return Role.INTERVIEWER
    if fuzzy in PARTICIPANT_WORDS:
        return Role.PARTICIPANT
    if fuzzy in OTHER_WORDS:
        return Role.OTHER
    # 'Hannah (Interviewer)': the role in brackets after a name
    inside = re.findall(r"\(([^()]{1,30})\)", label)
    if inside and words:
        return role_of_label(inside[-1])
    return None


@functools.lru_cache(maxsize=4096)
def is_role_label(label: str) -> bool:
    """True when the label is a role word or a neutral one ('Speaker 2'): a label, not prose."""
    if role_of_label(label) is not None:
        return True
    words = _words(label)
    return words in NEUTRAL_WORDS or _fuzzy_word(words) in NEUTRAL_WORDS


def _fuzzy_word(words: str) -> str | None:
    # Transcribers misspell labels ('PARTTICIPANT 18', 'Interveiwer'); one slip is tolerated
    # on long words only, where it cannot turn one ordinary word into another.
    if len(words) < 7 or len(words) > 24:
        return None
    from rapidfuzz import fuzz, process

    match = process.extractOne(words, _FUZZY_VOCABULARY, scorer=fuzz.ratio, score_cutoff=90)
    return match[0] if match else None


def role_of_description(description: str) -> Role | None:
    """Role stated by a legend entry's description ('Interviewer 1', 'Social worker')."""
    words = f" {_words(description)} "
    for vocabulary, role in ((INTERVIEWER_WORDS, Role.INTERVIEWER), (PARTICIPANT_WORDS, Role.PARTICIPANT),
                             (OTHER_WORDS, Role.OTHER)):
        # single letters ('a', 'i') mean something as a label, nothing inside a description
        if any(f" {phrase} " in words for phrase in vocabulary if len(phrase) > 2):
            return role
    return None


def _name_tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[^\W\d_]{2,}", text.casefold())}


def label_matches(label: str, wanted: str) -> bool:
    """Does a speaker label denote the wanted interviewer (a label or a person's name)?"""
    a = " ".join(label.casefold().split()).strip(".: ")
    b = " ".join(wanted.casefold().split()).strip(".: ")
    if not a or not b:
        return False
    if a == b:
        return True
    label_tokens, wanted_tokens = _name_tokens(a), _name_tokens(b)
    if not label_tokens or not wanted_tokens:
        return False
    # 'SOLOMON' vs 'Hanna Solomon', or 'Hanna Solomon (Researcher)' vs 'Hanna Solomon'
    return label_tokens <= wanted_tokens or wanted_tokens <= label_tokens


def ends_with_question(text: str) -> bool:
    stripped = NON_SPEECH_RE.sub("", text).rstrip(" \t\n\"'”’)]…")
    return stripped.endswith("?")


@dataclass
class RoleDecision:
    roles: dict[str, Role]
    method: str  # "option", "labels", "legend", "questions", "first speaker", "single speaker"


def infer_roles(
    turns: Sequence[Turn],
    *,
    interviewer: str | Iterable[str] | None = None,
    legend: Mapping[str, str] | None = None,
) -> RoleDecision:
    """Decide each speaker label's role. ``interviewer`` may be a label, a name, or several."""
    labels = list(dict.fromkeys(t.speaker for t in turns))
    if not labels:
        return RoleDecision({}, "none")
    other = {label for label in labels if role_of_label(label) is Role.OTHER}

    wanted = _wanted(interviewer)
    if wanted:
        chosen = {label for label in labels if any(label_matches(label, w) for w in wanted)}
        if chosen:
            return RoleDecision(_assign(labels, chosen, other), "option")

    stated: dict[str, Role] = {}
    method = "labels"
    for label in labels:
        # a key at the top says outright who each speaker is, and so comes before the label's
        # own words ('Respondent: Interviewer' when the researcher was labelled Respondent)
        description = _legend_for(label, legend) if legend else None
        role = role_of_description(description) if description else None
        if role is not None:
            method = "legend"
        else:
            role = role_of_label(label)
        if role is not None:
            stated[label] = role
    other |= {label for label, role in stated.items() if role is Role.OTHER}
    chosen = {label for label, role in stated.items() if role is Role.INTERVIEWER}
    if chosen:
        return RoleDecision(_assign(labels, chosen, other), method)

    candidates = [label for label in labels if label not in other and stated.get(label) is not Role.PARTICIPANT]
    if not candidates:
        return RoleDecision(_assign(labels, set(), other), "labels")
    if len(candidates) == 1 and any(stated.get(label) is Role.PARTICIPANT for label in labels):
        return RoleDecision(_assign(labels, {candidates[0]}, other), "labels")
    if len([label for label in labels if label not in other]) == 1:
        return RoleDecision(_assign(labels, set(), other), "single speaker")

    asker = _question_asker(turns, candidates)
    if asker is not None:
        return RoleDecision(_assign(labels, {asker}, other), "questions")
    first = next(t.speaker for t in turns if t.speaker in candidates)
    return RoleDecision(_assign(labels, {first}, other), "first speaker")


def _wanted(interviewer: str | Iterable[str] | None) -> list[str]:
    if interviewer is None:
        return []
    items = [interviewer] if isinstance(interviewer, str) else list(interviewer)
    wanted = []
    for item in items:
        wanted.extend(part.strip() for part in re.split(r"[;,]", str(item)) if part.strip())
    return wanted


def _legend_for(label: str, legend: Mapping[str, str]) -> str | None:
    key = " ".join(label.casefold().split())
    for entry, description in legend.items():
        if " ".join(entry.casefold().split()) == key:
            return description
    return None


def _assign(labels: list[str], interviewers: set[str], other: set[str]) -> dict[str, Role]:
    return {
        label: Role.INTERVIEWER if label in interviewers else Role.OTHER if label in other else Role.PARTICIPANT
        for label in labels
    }


def _question_asker(turns: Sequence[Turn], candidates: list[str]) -> str | None:
    """The candidate whose turns most often end in a question, when one clearly does."""
    total: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for turn in turns:
        if turn.speaker in candidates:
            total[turn.speaker] += 1
            asked[turn.speaker] += ends_with_question(turn.text)
    shares = sorted(
        ((asked[label] / total[label], asked[label], label) for label in candidates if total[label] >= 2),
        reverse=True,
    )
    if not shares or shares[0][1] == 0:
        return None
    if len(shares) > 1 and shares[0][0] - shares[1][0] < 0.05:
        return None
    return shares[0][2]
