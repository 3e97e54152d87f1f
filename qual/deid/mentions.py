"""From detected spans to the mentions the engine replaces, in transcript text and speaker labels.

* :func:`protected_ranges`: pseudonym tags and the keywords and timestamps of transcriber
  annotations (``[laughs]``, ``[inaudible 00:12:03]``), which no replacement may touch;
  :func:`outside_protected` cuts a span back to stay clear of them;
* :func:`trim_mention`: whitespace and punctuation a detector took in at the edges;
* :func:`refine`: a name span that joins two names ("Amir with Precious") as two mentions,
  without the edge words ("Thanks Ryan") a detector may have taken in;
* :func:`label_chunks`: the parts of a speaker label that are no role word ("SW03 Jayden").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from ..model import NON_SPEECH_RE
from .identity import NAME_LIKE, TAG_RE, EntityType
from .types import Span

# Speaker labels made of these words (and numbers or single letters) name a role, not a person.
GENERIC_SPEAKER_WORDS = frozenset({
    "interviewer", "interviewee", "participant", "respondent", "researcher", "facilitator",
    "moderator", "speaker", "person", "voice", "int", "iv", "ie", "resp", "part", "sw", "tm",
    "social", "worker", "team", "manager", "practitioner", "young", "yp", "cyp", "parent",
    "carer", "student", "pupil", "teacher", "staff", "member", "unknown", "unidentified",
    "male", "female", "child", "mum", "dad", "mother", "father", "other", "and", "both", "all",
    "group", "audience", "note", "notes", "transcriber", "q", "a", "question", "answer",
    "host", "guest", "chair", "lead", "co", "senior", "head", "deputy", "designated",
    "safeguarding", "dsl", "senco", "headteacher", "head-teacher", "officer", "advisor",
    "adviser", "assistant", "support", "family", "school", "the", "of", "observer",
})


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges no detection may replace: existing pseudonym tags, and the keyword and any
    timestamp of a transcriber annotation (``[laughs]``, ``[inaudible 00:12:03]``)."""
    return [m.span() for m in TAG_RE.finditer(text)] + annotation_shapes(text)


# Words of an annotation's shape after its keyword ("sounded like", "name redacted -").
_ANNOTATION_SHAPE_WORDS = re.compile(
    r"\b(?:sounded|sounds|sound|like|possibly|maybe|probably|perhaps|name|names|redacted|removed|"
    r"with|at|and|or|of|the|a|joke|word|words|spelling|spelled|spelt|unsure|unclear|inaudible|"
    r"laughs|laughing|laughter|crosstalk|overlapping|mins?|secs?|seconds?|minutes?)\b", re.IGNORECASE)


def annotation_shapes(text: str) -> list[tuple[int, int]]:
    """The shape of every transcriber annotation in ``text``: its keyword, timestamps, shape
    words and brackets. What else is inside it is text like any other (a name in
    ``[inaudible, sounded like Kayden Thornbury]`` is a name)."""
    ranges = []
    for match in NON_SPEECH_RE.finditer(text):
        body = match.group(0)
        keyword = re.match(r"[\[(]\s*([A-Za-z? .]+?)(?=[\s,:;\-\])]|$)", body)
        if keyword:
            ranges.append((match.start(), match.start() + keyword.end()))
        for stamp in re.finditer(r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?", body):
            ranges.append((match.start() + stamp.start(), match.start() + stamp.end()))
        for word in _ANNOTATION_SHAPE_WORDS.finditer(body):
            ranges.append((match.start() + word.start(), match.start() + word.end()))
        ranges.append((match.end() - 1, match.end()))
        if not keyword and re.fullmatch(r"\[\s*[\d:.,]+(?:\s*-->\s*[\d:.,]+)?\s*\]", body):
            ranges.append(match.span())
    return ranges


def outside_protected(span: Span, ranges: Sequence[tuple[int, int]]) -> Span | None:
    """``span`` cut back so that it touches no protected range; None if nothing is left."""
    start, end = span.start, span.end
    for low, high in ranges:
        if high <= start or low >= end:
            continue
        if low <= start and high >= end:
            return None
        if low <= start:
            start = high
        elif high >= end:
            end = low
        # a protected range strictly inside a span: keep the span whole (recall first)
    if start >= end:
        return None
    if (start, end) == (span.start, span.end):
        return span
    return replace(span, start=start, end=end, text=span.text[start - span.start:end - span.start])


def trim_mention(span: Span, text: str) -> Span | None:
    """Strip whitespace and edge punctuation a detector may have included."""
    start, end = span.start, span.end
    while start < end and (text[start].isspace() or text[start] in ",.;:!?\"()[]{}"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:!?\"()[]{}"):
        end -= 1
    if start >= end:
        return None
    if (start, end) == (span.start, span.end) and span.text == text[start:end]:
        return span
    return replace(span, start=start, end=end, text=text[start:end])


# Words a detector sometimes takes into a name at its edges ("At Hatherleigh Brook", "Thanks
# Ryan"): they are left in the text, outside the tag, and out of entity linking.
EDGE_WORDS = frozenset({
    "at", "with", "and", "or", "to", "from", "for", "by", "in", "on", "of", "the", "a", "an",
    "hi", "hiya", "hello", "hey", "thanks", "thank", "cheers", "dear", "so", "but", "then",
    "um", "erm", "er", "uh", "yeah", "yes", "no", "ok", "okay", "oh", "well", "because", "cos",
    "if", "when", "is", "was", "said", "says", "told", "asked", "called", "like", "about",
})
# Two names joined in one span ("Castlebrook and St Bede's", "Amir with Precious") are two
# mentions. Institutions are split on "and"/"or" only: "The Academy at Shotton Hall" is one.
_JOINER_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bor\b)\s*")
_PERSON_JOINER_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bor\b|\bwith\b|\bat\b|\bfrom\b|\bto\b)\s*")
_WORD_RE = re.compile(r"[\w'’\-]+")


def refine(span: Span, text: str) -> list[Span]:
    """A name span split where it joins two names, each part without edge words.

    Parts are what entity linking sees; the words between and around them stay in the text.
    Spans of other types (emails, dates ...) are returned as they are.
    """
    if span.type not in NAME_LIKE or span.detector == "ids.spelled_out":
        return [span]  # a name spelled out is letters, all of it: "A O I F E" keeps its "A"
    parts = []
    position = span.start
    joiners = (_PERSON_JOINER_RE if span.type is EntityType.PERSON else _JOINER_RE).finditer(
        text, span.start, span.end)
    for joiner in list(joiners) + [None]:
        end = joiner.start() if joiner is not None else span.end
        if joiner is not None and joiner.start() == joiner.end():
            continue
        parts.append((position, end))
        if joiner is not None:
            position = joiner.end()
    out = []
    for start, end in parts:
        words = [m for m in _WORD_RE.finditer(text, start, end)]
        while words and words[0].group(0).lower() in EDGE_WORDS and len(words) > 1:
            words.pop(0)
        while words and words[-1].group(0).lower() in EDGE_WORDS and len(words) > 1:
            words.pop()
        if not words:
            continue
        if len(words) == 1 and words[0].group(0).lower() in EDGE_WORDS and len(parts) > 1:
            continue  # a lone joiner word between two names
        start, end = words[0].start(), words[-1].end()
        out.append(replace(span, start=start, end=end, text=text[start:end]))
    return out or [span]


def label_chunks(label: str) -> list[tuple[int, int]]:
    """Runs of words in a speaker label that are not role words, numbers, tags or punctuation."""
    tags = [m.span() for m in TAG_RE.finditer(label)]
    chunks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for match in re.finditer(r"[^\W\d_][\w'’\-.]*", label):
        word = re.sub(r"[\-_.]?\d+[a-z]?$", "", match.group(0).strip(".").lower())  # "SW03" -> "sw"
        generic = (word in GENERIC_SPEAKER_WORDS or (len(word) == 1 and word.isalpha())
                   or any(low <= match.start() < high for low, high in tags))
        if generic:
            if current:
                chunks.append(current)
            current = None
        else:
            current = (current[0], match.end()) if current else match.span()
    if current:
        chunks.append(current)
    return chunks
