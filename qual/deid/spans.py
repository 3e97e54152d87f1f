"""The span resolver: overlapping detections become one span. The one place spans are merged.

Detectors overlap all the time ("Mr Jayden Smith" by the title rule, "Jayden" by the name
lists, "Jayden Smith" by NER). Resolution groups every span with the spans it overlaps (and,
for the analyzer, with a same-type name one space away: "Jayden" + "Smith"), and each group
becomes one span over its union, typed by its most confident member (the longest among equally
confident ones, the first among equally long).

:class:`~qual.deid.analyzer.Analyzer` resolves what its recognizers found with
:func:`resolve` (then trims and maps the spans to the original text); the
:class:`~qual.deid.engine.Deidentifier` merges the analyzer's spans with the forms it knows
from the key and the participants sheet with :func:`merge_overlaps`.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from .identity import NAME_LIKE, EntityType
from .types import Span

# Characters a detector may take in at a span's edges that belong to the text around it.
EDGE_CHARACTERS = " \t\r\n,;:!?\"'()[]{}<>-–—"

Joins = Callable[[Sequence[Span], Span, int], bool]


def overlap_groups(spans: Iterable[Span], joins: Joins | None = None) -> list[list[Span]]:
    """``spans`` ordered by start (longer first), in groups of spans that overlap; with
    ``joins(group, span, group_end)``, also a span the group's last member joins."""
    groups: list[list[Span]] = []
    group_end = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if groups and (span.start < group_end or (joins is not None and joins(groups[-1], span, group_end))):
            groups[-1].append(span)
            group_end = max(group_end, span.end)
        else:
            groups.append([span])
            group_end = span.end
    return groups


def best_of(group: Sequence[Span]) -> Span:
    """The member that types a group: the most confident, the longest among equals."""
    return max(group, key=lambda s: (s.confidence, s.end - s.start))


def merge_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans as one span over their union, typed by the best member (without
    ``text``: the caller knows the text); a span that overlaps nothing is returned as it is."""
    merged = []
    for group in overlap_groups(spans):
        if len(group) == 1:
            merged.append(group[0])
            continue
        best = best_of(group)
        merged.append(Span(group[0].start, max(s.end for s in group), best.type, best.detector,
                           best.confidence))
    return merged


def joins_name(text: str) -> Joins:
    """Same-type name spans separated by one space are one name ("Jayden" + "Smith"), unless
    the first ends in a possessive ("Jayden's Smith" is no name)."""

    def joins(group: Sequence[Span], span: Span, group_end: int) -> bool:
        if span.start - group_end != 1 or text[group_end] != " ":
            return False
        last = max(group, key=lambda s: s.end)
        return (last.type is span.type and span.type in NAME_LIKE
                and not text[last.start:last.end].endswith("'s"))

    return joins


def trim(text: str, start: int, end: int, entity_type: EntityType) -> tuple[int, int]:
    """``[start, end)`` without the punctuation and spaces at its edges that belong to the text
    around it, and without a person's possessive."""
    while start < end and text[start] in EDGE_CHARACTERS and not (
            text[start] == "(" and entity_type is EntityType.PHONE):  # "(0161) 496 0732"
        start += 1
    while end > start and text[end - 1] in EDGE_CHARACTERS + ".":
        if text[end - 1] == "." and entity_type is EntityType.PERSON and end - start >= 2 \
                and text[end - 2].isupper() and (end - start == 2 or not text[end - 3].isalpha()):
            break  # keep the dot of a final initial ("J.")
        end -= 1
    # a person's possessive stays in the text ("[Person 1]'s mum"); in "St Bede's" or
    # "Bede's" (the school) the 's is part of the name
    if entity_type is EntityType.PERSON and text[start:end].endswith("'s") and end - start > 3:
        end -= 2
    return start, end


def resolve(text: str, spans: Iterable[Span]) -> list[tuple[int, int, Span]]:
    """Non-overlapping ``(start, end, best)`` of ``spans`` on ``text``: groups of overlapping
    or joined names, trimmed; ``best`` is the member that types each."""
    resolved = []
    for group in overlap_groups(spans, joins_name(text)):
        best = best_of(group)
        start, end = trim(text, min(s.start for s in group), max(s.end for s in group), best.type)
        if end > start:
            resolved.append((start, end, best))
    return resolved
