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
from .recognizers.vocab import DETERMINERS, FUNCTION_WORDS, NAME_HEADS
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
        while end > start and text[end - 1] == " ":
            end -= 1  # "Frisco 's", a possessive typed apart
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


# A line in title case is a heading or a title ("Meeting With Sarah About Funding"): there a
# capital says nothing about the next word. A sentence never capitalises a function word
# after its first word; a heading does, or capitalises every word.
def _title_case_line(doc, i: int) -> bool:
    text = doc.text
    line_start = text.rfind("\n", 0, doc.starts[i]) + 1
    line_end = text.find("\n", doc.ends[i])
    line_end = len(text) if line_end < 0 else line_end
    # the words of the line around word i (twenty each side: a text can be one long line)
    first, last = max(doc.word_at(line_start), i - 20), min(doc.word_at(line_end) - 1, i + 20)
    words = [k for k in range(first, last + 1) if doc.words[k][:1].isalpha()]
    if any(doc.words[k][0].isupper() and doc.words[k].lower() in FUNCTION_WORDS and doc.words[k] != "I"
           and len(doc.words[k]) > 1 and not doc.sentence_initial(k) for k in words):
        return True
    return len(words) >= 4 and all(doc.words[k][0].isupper() for k in words)


# A council's or a school's name that ends in its head is complete; an ordinary word after it
# starts something else (a department, an event). Other names go on: "Redondo Beach Blvd",
# "St. Thomas Housing Development".
_COMPLETE_AT_HEAD = frozenset({EntityType.LOCAL_AUTHORITY, EntityType.SCHOOL})


def continues_name(doc, j: int, entity_type: EntityType) -> bool:
    """Word ``j`` may continue a name of ``entity_type`` it stands next to: a capitalised word
    (not an acronym, not a number) that is no function word and no keep-term, in a line that is
    no heading. The head of a school, an organisation, a street or a landmark ends a name of
    that kind, not a person's ("[Farrow] Street" is the institution rule's to find and type)."""
    word = doc.base(j)
    if entity_type is EntityType.PERSON and word.lower() in NAME_HEADS:
        return False
    return (len(word) > 1 and word[0].isupper() and any(c.islower() for c in word[1:])
            and word.replace("-", "").replace("'", "").isalpha()
            and word.lower() not in FUNCTION_WORDS and word.lower() not in DETERMINERS
            and (j not in doc.keep_words or _country_in_a_name(doc, word, entity_type))
            and not _title_case_line(doc, j))


def _country_in_a_name(doc, word: str, entity_type: EntityType) -> bool:
    """A country the keep-list keeps is part of an organisation's or a place's name it stands
    in ("Palestine Contemporary Art Museum", "Kenya Airways"): the name identifies, the
    country alone does not."""
    return entity_type is not EntityType.PERSON and word.removesuffix("'s") in doc.lexicon.country_words


def continue_names(doc, spans: Sequence[Span], most: int = 2) -> list[Span]:
    """Name spans stretched over the capitalised words next to them: "[Ghulam Mohiuddin] Lone",
    "[Palo] Alto", "[Mountain] View", "Greater [Noida]".

    A detector that finds part of a multi-word name leaves the rest in the text, and the rest
    identifies. Mid-sentence a capital is evidence of a name, so a capitalised word joined to a
    name by one space belongs to it (at most ``most`` words each side; never a word that opens
    a sentence, nor across a possessive: "Jayden's Mum")."""
    out = []
    for span in spans:
        if span.type not in NAME_LIKE:
            out.append(span)
            continue
        start, end = span.start, span.end
        first, last = doc.word_at(start), doc.word_at(end - 1)
        if last >= len(doc.words) or first >= len(doc.words) or doc.starts[first] != start:
            out.append(span)
            continue
        for _ in range(most):  # rightwards
            j = doc.word_at(end)
            if j >= len(doc.words) or doc.text[end:doc.starts[j]] != " " or doc.words[j - 1] != doc.base(j - 1) \
                    or doc.ends[j - 1] != end or not continues_name(doc, j, span.type):
                break
            if span.type in _COMPLETE_AT_HEAD and doc.words[j - 1].lower() in NAME_HEADS \
                    and doc.lexicon.is_word(doc.base(j)):
                break  # "[Leeds City Council] Children and Families", "[Oakfield Academy] Sports Day"
            end = doc.base_end(j)
        for _ in range(most):  # leftwards
            j = doc.word_at(start) - 1
            if j < 0 or doc.text[doc.ends[j]:start] != " " or doc.sentence_initial(j) \
                    or doc.words[j] != doc.base(j) or not continues_name(doc, j, span.type):
                break
            start = doc.starts[j]
        out.append(span if (start, end) == (span.start, span.end) else
                   Span(start, end, span.type, span.detector, span.confidence, span.text))
    return out
