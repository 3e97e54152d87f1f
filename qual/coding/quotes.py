"""Finding a coder's quotes in transcripts, and the segments a quoted range codes.

A human coder's quote (a Word comment's range, a table's "text" cell, a REFI-QDA selection)
rarely matches the transcript character for character: typographic quotes, spacing, a name
de-identification replaced. ``QuoteLocator`` finds it anyway; ``covered_segments`` says which
segments (``qual.coding.segments``) the found range codes.
"""

from __future__ import annotations

import re
import unicodedata

from ..model import Transcript

# A quote codes a segment when the overlap holds this share of the quote or of the segment,
# or at least this many characters: a selection that strays into the next turn by a word
# does not code that turn, and a long quote codes every turn it really covers.
MIN_OVERLAP_SHARE = 0.5
MIN_OVERLAP_CHARS = 100


_FOLD = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u2026": "..."}


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case text with spaces collapsed and quotes/dashes folded, and for each of its
    characters the offset in ``text`` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = True
    for index, char in enumerate(text):
        char = _FOLD.get(char, char)
        if len(char) > 1:
            for c in char:
                chars.append(c)
                origin.append(index)
            previous_space = False
            continue
        if char.isspace() or unicodedata.category(char) == "Cf":
            if not previous_space:
                chars.append(" ")
                origin.append(index)
            previous_space = True
            continue
        chars.append(char.lower())
        origin.append(index)
        previous_space = False
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


class QuoteLocator:
    """Finds quotes in transcripts' plain text, tolerant of case, spacing, typographic
    quotes and (for long quotes) a few changed words such as a replaced name."""

    ANCHOR = 40
    # Fuzzy alignment is slow on a whole corpus; it serves the common case of a coder's own
    # .docx read against its transcript (where de-identification replaced a few words).
    FUZZY_DOCUMENTS = 3

    def __init__(self, transcripts: list[Transcript]):
        self.transcripts = transcripts
        self._texts: dict[str, tuple[str, str, list[int]]] = {}
        for transcript in transcripts:
            text = transcript.text
            normal, origin = _normalise(text)
            self._texts[transcript.id] = (text, normal, origin)

    def find(self, quote: str, documents: list[str] | None = None,
             near: float | None = None) -> tuple[str, int, int] | None:
        """(document, start, end) of ``quote``; ``near`` (0-1) prefers the occurrence at
        that relative position when a quote occurs more than once."""
        wanted, _ = _normalise(quote)
        if not wanted:
            return None
        candidates = [d for d in (documents or list(self._texts)) if d in self._texts]
        methods = [self._exact, self._anchored]
        if len(candidates) <= self.FUZZY_DOCUMENTS:
            methods.append(self._fuzzy)
        for method in methods:
            for document in candidates:
                found = method(document, wanted, near)
                if found is not None:
                    return document, found[0], found[1]
        return None

    def _span(self, document: str, start: int, end: int) -> tuple[int, int]:
        _, _, origin = self._texts[document]
        return origin[start], origin[end - 1] + 1

    def _exact(self, document: str, wanted: str, near: float | None):
        _, normal, _ = self._texts[document]
        hits = [m.start() for m in re.finditer(re.escape(wanted), normal)]
        if not hits:
            return None
        if near is not None and len(hits) > 1:
            target = near * len(normal)
            hits.sort(key=lambda h: abs(h - target))
        return self._span(document, hits[0], hits[0] + len(wanted))

    def _anchored(self, document: str, wanted: str, near: float | None):
        """The quote's first and last words found with a plausible length between them."""
        if len(wanted) < 3 * self.ANCHOR:
            return None
        _, normal, _ = self._texts[document]
        head, tail = wanted[: self.ANCHOR], wanted[-self.ANCHOR:]
        for match in re.finditer(re.escape(head), normal):
            low = match.start() + int(len(wanted) * 0.8) - self.ANCHOR
            high = match.start() + int(len(wanted) * 1.25)
            end = normal.find(tail, max(low, match.end()), high + 1)
            if end >= 0:
                return self._span(document, match.start(), end + len(tail))
        return None

    def _fuzzy(self, document: str, wanted: str, near: float | None):
        if len(wanted) < 30:
            return None
        from rapidfuzz import fuzz

        _, normal, _ = self._texts[document]
        alignment = fuzz.partial_ratio_alignment(wanted, normal, score_cutoff=90)
        if alignment is None:
            return None
        return self._span(document, alignment.dest_start, alignment.dest_end)


def segments_by_document(transcripts: list[Transcript], rules) -> dict[str, list[dict]]:
    """The segments of each transcript (``qual.coding.segments``), as records, by document id."""
    from .segments import segment_records

    by_document: dict[str, list[dict]] = {}
    for record in segment_records(transcripts, rules):
        by_document.setdefault(record["document"], []).append(record)
    return by_document


def covered_segments(segments: list[dict], start: int, end: int) -> list[dict]:
    """Segments that the character range [start, end) codes (see MIN_OVERLAP_*)."""
    length = max(end - start, 1)
    chosen = []
    for segment in segments:
        overlap = min(end, segment["end"]) - max(start, segment["start"])
        if overlap <= 0:
            continue
        seg_length = max(segment["end"] - segment["start"], 1)
        if (overlap >= MIN_OVERLAP_SHARE * length or overlap >= MIN_OVERLAP_SHARE * seg_length
                or overlap >= MIN_OVERLAP_CHARS):
            chosen.append(segment)
    if not chosen:  # a quote inside one long segment but under every threshold
        best = max(segments, key=lambda s: min(end, s["end"]) - max(start, s["start"]), default=None)
        if best is not None and min(end, best["end"]) - max(start, best["start"]) > 0:
            chosen.append(best)
    return chosen
