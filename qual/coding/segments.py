"""Coding units: speaker turns, with long turns split at paragraph boundaries.

A segment is what a code is applied to. Its id is the turn index (``"12"``) when the whole
turn is one segment, or ``"<turn>.<paragraph>"`` (``"12.2"``: turn 12 from its third
paragraph, counting from 0) when a long turn is split. A split segment may absorb the short
paragraphs that follow it, so ``"12.2"`` names the paragraph where the segment starts.
``start``/``end`` are character offsets into ``Transcript.text``, so
``transcript.text[start:end] == segment text`` always holds.

Interviewer turns become segments too, marked ``codable=False``: they are the context (the
question) a suggester may read, and get no suggestions unless ``code_interviewer=True``.
Turns whose role is unknown (``other``) are coded: losing a participant's answer is worse
than a suggestion on a stray line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..model import Role, Transcript, non_speech_spans

SEGMENT_COLUMNS = [
    "document", "segment", "turn", "paragraph", "speaker", "role", "timestamp",
    "text", "start", "end", "question", "codable",
]

_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9\[])")


@dataclass(frozen=True)
class SegmentRules:
    """How turns become segments.

    A turn is split when it has more than ``max_words`` words and more than one paragraph;
    each paragraph then becomes a segment, except that a paragraph shorter than
    ``min_words`` is joined to the segment before it (or the one after, at the start), so that
    "Yes." on its own line does not become a unit. ``question_words`` bounds how much of the
    preceding interviewer turn is kept as the question (its end, where the question is).
    """

    max_words: int = 150
    min_words: int = 12
    question_words: int = 40
    code_interviewer: bool = False


def model_text(text: str) -> str:
    """Text as a model should read it: transcriber notes ([laughs], [inaudible]) removed."""
    spans = non_speech_spans(text)
    if spans:
        pieces, last = [], 0
        for start, end in spans:
            pieces.append(text[last:start])
            last = end
        pieces.append(text[last:])
        text = " ".join(pieces)
    return _SPACES.sub(" ", text).strip()


def sentences(text: str, min_words: int = 4) -> list[str]:
    """The sentences of a segment's model text; a fragment under ``min_words`` words ("Yeah.",
    "Honestly?") joins the sentence after it (or before it, at the end), so every piece says
    something. Text without sentence punctuation (some speech recognition) is one sentence."""
    pieces = [p for p in _SENTENCE_END.split(model_text(text)) if p.strip()]
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        piece = f"{carry} {piece}".strip() if carry else piece
        if len(piece.split()) < min_words:
            carry = piece
            continue
        merged.append(piece)
        carry = ""
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]} {carry}"
        else:
            merged.append(carry)
    return merged


def _tail_words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[-limit:]) if len(words) > limit else " ".join(words)


def _paragraph_ranges(text: str) -> list[tuple[int, int, int]]:
    """(paragraph index, start, end) of each non-blank paragraph of a turn's text."""
    ranges, position = [], 0
    for index, paragraph in enumerate(text.split("\n")):
        start, end = position, position + len(paragraph)
        position = end + 1
        stripped = paragraph.strip()
        if stripped:
            lead = len(paragraph) - len(paragraph.lstrip())
            ranges.append((index, start + lead, start + lead + len(stripped)))
    return ranges


def _group_paragraphs(text: str, rules: SegmentRules) -> list[tuple[int, int, int]]:
    """Paragraph groups of a long turn: (first paragraph index, start, end) within the turn."""
    groups: list[list[int]] = []
    for index, start, end in _paragraph_ranges(text):
        short = len(text[start:end].split()) < rules.min_words
        if groups and short:
            groups[-1][2] = end
        elif groups and len(text[groups[-1][1]:groups[-1][2]].split()) < rules.min_words:
            groups[-1][2] = end  # a short opening paragraph joins the next one
        else:
            groups.append([index, start, end])
    return [tuple(group) for group in groups]


def _turn_segments(transcript: Transcript, turn, rules: SegmentRules, question: str, codable: bool):
    base = {
        "document": transcript.id, "turn": turn.index, "speaker": turn.speaker,
        "role": str(turn.role), "timestamp": turn.timestamp, "question": question,
        "codable": codable,
    }
    text = turn.text
    if turn.words > rules.max_words and text.count("\n"):
        groups = _group_paragraphs(text, rules)
    else:
        groups = []
    if len(groups) <= 1:
        stripped = text.strip()
        if not stripped:
            return []
        lead = len(text) - len(text.lstrip())
        start = turn.start + lead
        return [{**base, "segment": str(turn.index), "paragraph": None,
                 "text": stripped, "start": start, "end": start + len(stripped)}]
    return [
        {**base, "segment": f"{turn.index}.{index}", "paragraph": index,
         "text": text[start:end], "start": turn.start + start, "end": turn.start + end}
        for index, start, end in groups
    ]


def segment_records(transcripts: Iterable[Transcript], rules: SegmentRules | None = None) -> list[dict]:
    """Segments of several transcripts as plain dicts, in document and turn order."""
    rules = rules or SegmentRules()
    records: list[dict] = []
    for transcript in transcripts:
        question = ""
        for turn in transcript.turns:
            interviewer = turn.role is Role.INTERVIEWER
            codable = rules.code_interviewer or not interviewer
            records.extend(_turn_segments(transcript, turn, rules, "" if interviewer else question, codable))
            if interviewer:
                question = _tail_words(model_text(turn.text), rules.question_words)
    return records


def segment_transcripts(transcripts: Iterable[Transcript], rules: SegmentRules | None = None, **rule_changes):
    """All segments of ``transcripts`` as a DataFrame with ``SEGMENT_COLUMNS``.

    ``rule_changes`` override fields of :class:`SegmentRules`, e.g. ``max_words=200``.
    """
    import pandas as pd

    if rule_changes:
        rules = SegmentRules(**{**(rules or SegmentRules()).__dict__, **rule_changes})
    frame = pd.DataFrame(segment_records(transcripts, rules), columns=SEGMENT_COLUMNS)
    frame["paragraph"] = frame["paragraph"].astype("Int64")
    frame["codable"] = frame["codable"].astype(bool)
    return frame
