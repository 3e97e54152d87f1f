"""Propagation: the identifier strings a corpus teaches (:class:`LearnedTerm`), and how they are
found again in every text (:func:`build_matchers`, :func:`find_learned`).

A term is looked for case-insensitively when nothing but a name is spelled that way, and
case-sensitively (as learned, capitalised and in capitals) when it is also an everyday word.
In caseless lines (speech-to-text in lower case) the case-sensitive names no common word
explains are looked for in lower case too, and the names that are common words only where a
name stands as a clause's subject. A one-word name that speech-to-text may hear as two words
("ten day" of Tendai) is looked for as two words one letter from it at most.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Sequence

from .caseless_context import FILLERS
from .identity import NAME_LIKE
from .recognizers.base import Doc
from .recognizers.lexicon import load_lexicon
from .recognizers.phrases import PhraseMatcher
from .recognizers.vocab import DETERMINERS, FUNCTION_WORDS
from .types import EntityType, Span

# A known identifier (from the key or register) that a keep-term also explains ("Brook" the
# worker, "Brook" the charity): redacted and shown for review, never silently kept, so that
# ``qual deidentify`` and ``qual check --key`` agree.
AMBIGUOUS_KNOWN = "known.ambiguous"
AMBIGUOUS_CONFIDENCE = 0.5
# A first syllable this common as a word ("Can" of "Candice") is no short form; a case-sensitive
# name this rare is looked for in lower case in caseless text.
SHORT_FORM_MAX_ZIPF = 4.0


@dataclass(frozen=True)
class LearnedTerm:
    """An identifier string learned from a corpus, to be looked for everywhere."""

    text: str
    type: EntityType
    confidence: float
    case_sensitive: bool
    # restored from a key or register (``remember``): a known identifier, which a keep-term
    # around it makes ambiguous, never harmless
    known: bool = False
    # a part or a short form of a name found with more of it ("Kestrel" of "Kestrel Brennan",
    # "Sim" of "Simona Winship"): tied to someone the corpus names in full, so looked for in
    # caseless text even where it is also a word
    of_full_name: bool = False

    def __repr__(self) -> str:  # the text is identifiable
        return f"LearnedTerm({self.type.value}, {self.confidence:.2f}, <{len(self.text)} chars>)"


def find_learned(doc: Doc, matchers: "Matchers") -> list[Span]:
    """Where the learned strings occur in ``doc``: spans for the analyzer to resolve."""
    insensitive, sensitive, caseless, caseless_words, heard_apart = matchers
    spans: list[Span] = heard_apart_names(doc, heard_apart) if heard_apart else []
    text = doc.text
    caseless_ranges = getattr(doc, "caseless_ranges", ())
    for matcher, as_a_name in ((caseless, False), (caseless_words, True)) if caseless_ranges else ():
        for start, end, terms in matcher.find(text, doc.searchable(False)):
            # (inside a caseless line: its truecased copy may have given a word a capital)
            if not doc.is_kept(start, end) and inside_ranges(caseless_ranges, start, end) \
                    and (not as_a_name or doc.stands_as_a_name(doc.word_at(start))):
                term = max(terms, key=lambda t: t.confidence)
                spans.append(Span(start, end, term.type, "propagation", min(term.confidence, 0.6),
                                  text[start:end]))
    for start, end, terms in insensitive.find(text, doc.searchable(False)):
        term = max(terms, key=lambda t: t.confidence)
        if not doc.is_kept(start, end):
            spans.append(Span(start, end, term.type, "propagation", term.confidence,
                              text[start:end]))
        elif term.known:
            spans.append(Span(start, end, term.type, AMBIGUOUS_KNOWN, AMBIGUOUS_CONFIDENCE, text[start:end]))
    for start, end, terms in sensitive.find(text, doc.searchable(True)):
        term = max(terms, key=lambda t: t.confidence)
        i = doc.word_at(start)
        if i >= len(doc):
            continue
        if doc.is_kept(start, end):
            if term.known:
                spans.append(Span(start, end, term.type, AMBIGUOUS_KNOWN, AMBIGUOUS_CONFIDENCE,
                                  text[start:end]))
            continue
        confidence = min(term.confidence, 0.7)
        if doc.sentence_initial(i) and not (term.text.isupper() and len(term.text) > 1) \
                and not term.text.endswith("'s"):  # "Bride's was easier": no verb ends so
            # "Will hadn't told anyone" is Will; "Will you ..." and "Hope you're well"
            # are the verbs (capitals, "BL is ...", are no verb)
            if (doc.next_lower(i) in FUNCTION_WORDS or i + 1 >= len(doc)) and not (
                    term.type is EntityType.PERSON and doc.stands_as_a_name(i)):
                continue  # but "Miles is, he's done the training" is Miles
            confidence = min(confidence, 0.6)
        elif term.type is EntityType.PERSON and doc.previous_lower(i) in DETERMINERS \
                and doc.adjacent(i):
            continue  # "the Will": a person's name does not take "the"; "the Grange" may
        if term.text[:4] in ("the ", "The "):
            start += 4  # the article stays
        spans.append(Span(start, end, term.type, "propagation", confidence, text[start:end]))
    return spans


def inside_ranges(ranges: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """``[start, end)`` lies inside one of the sorted, disjoint ``ranges``."""
    i = bisect.bisect_right(ranges, (start, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= start and end <= ranges[i][1]


def cased_forms(text: str, case_sensitive: bool) -> list[str]:
    """The forms a case-sensitive term is looked for in: as learned, capitalised and in
    capitals ("Max" also as "MAX", "GEORGE" also as "George"), so that a name found once in
    one case is found in the other. A case-insensitive term needs only itself."""
    if not case_sensitive:
        return [text]
    capitalised = " ".join(w[:1].upper() + w[1:].lower() if w.isupper() and len(w) > 1 else w
                           for w in text.split(" "))
    return list(dict.fromkeys((text, capitalised, text.upper())))


def remember_term(learned: dict[tuple[str, bool], LearnedTerm], term: LearnedTerm) -> None:
    key = (term.text if term.case_sensitive else term.text.lower(), term.case_sensitive)
    if key not in learned or learned[key].confidence < term.confidence:
        learned[key] = term


# A name that speech-to-text may hear as two words ("ten day" of Tendai, "kay den" of Kayden):
# found with and without capitals, one letter apart at most, reported for review.
HEARD_APART_MIN_LETTERS = 5
HEARD_APART_MAX_ZIPF = 3.0
HEARD_APART_CONFIDENCE = 0.5
# names by their first two letters: (the name in lower case, what was learned)
_HeardApart = dict[str, list[tuple[str, LearnedTerm]]]
# case-insensitive terms, case-sensitive ones, the two kinds read in caseless text, and the
# names that may be heard apart
Matchers = tuple[PhraseMatcher, PhraseMatcher, PhraseMatcher, PhraseMatcher, _HeardApart]


def _may_be_heard_apart(term: LearnedTerm, lexicon) -> bool:
    """A one-word name no dictionary explains, long enough that two words written together
    one letter from it are no coincidence."""
    text = term.text
    return (term.type in NAME_LIKE and text.isalpha() and len(text) >= HEARD_APART_MIN_LETTERS
            and not (text.isupper() and len(text) <= 5) and not lexicon.is_word(text.lower())
            and lexicon.word_zipf(text) < HEARD_APART_MAX_ZIPF)


def heard_apart_names(doc: Doc, names: _HeardApart) -> list[Span]:
    """Two adjacent words that, written together, are a name found elsewhere in the corpus or
    one letter from it: speech-to-text hears an unfamiliar name as familiar words. Neither
    word may be a function word ("land on" is no Landon) nor a keep-term."""
    from rapidfuzz.distance import Levenshtein

    words, spans = doc.lower_words, []
    shortest = HEARD_APART_MIN_LETTERS - 1
    for i in range(len(words) - 1):
        first = words[i]
        candidates = names.get(first[:2])
        if candidates is None or not first.isalpha() or first in FUNCTION_WORDS:
            continue
        second = words[i + 1]
        joined = first + second
        if len(joined) < shortest or len(second) < 2 or not second.isalpha() \
                or second in FUNCTION_WORDS or not doc.adjacent(i + 1):
            continue
        for name, term in candidates:
            if abs(len(name) - len(joined)) <= 1 and Levenshtein.distance(joined, name, score_cutoff=1) <= 1:
                start, end = doc.starts[i], doc.ends[i + 1]
                if not doc.is_kept(start, end):
                    spans.append(Span(start, end, term.type, "propagation.heard_apart",
                                      HEARD_APART_CONFIDENCE, doc.text[start:end]))
                break
    return spans


def build_matchers(terms: Iterable[LearnedTerm]) -> Matchers:
    """Matchers of case-insensitive terms, of case-sensitive ones, and, for caseless text
    (where no capital can say "name"): of the case-sensitive names no common word explains
    ("sim" of "Simona"; a person's initials no commoner than a short form, "mf" of "M.F."), and
    of the people's names that are common words ("miles" of "Miles Fairweather"), which count
    only where a name stands as a clause's subject (see :meth:`Doc.stands_as_a_name`); and the
    one-word names that speech-to-text may hear as two words (:func:`heard_apart_names`)."""
    insensitive: PhraseMatcher[LearnedTerm] = PhraseMatcher(case_sensitive=False)
    sensitive: PhraseMatcher[LearnedTerm] = PhraseMatcher(case_sensitive=True)
    caseless: PhraseMatcher[LearnedTerm] = PhraseMatcher(case_sensitive=False)
    caseless_words: PhraseMatcher[LearnedTerm] = PhraseMatcher(case_sensitive=False)
    heard_apart: _HeardApart = {}
    lexicon = load_lexicon()
    for term in terms:
        (sensitive if term.case_sensitive else insensitive).add(term.text, term)
        if _may_be_heard_apart(term, lexicon):
            name = term.text.lower()
            known = heard_apart.setdefault(name[:2], [])
            if all(name != other for other, _ in known):
                known.append((name, term))
        if not term.case_sensitive or term.type not in NAME_LIKE or term.text.lower() in FUNCTION_WORDS:
            continue
        if term.text.isupper():
            # a person's initials as rare as the short forms learned in capitals ("mf": a
            # dictionary lists it, as it lists most pairs of letters)
            if term.type is EntityType.PERSON and 2 <= len(term.text) <= 3 and term.text.isalpha() \
                    and lexicon.word_zipf(term.text) < SHORT_FORM_MAX_ZIPF and term.text.lower() not in FILLERS:
                caseless.add(term.text, term)
        elif lexicon.word_zipf(term.text) < SHORT_FORM_MAX_ZIPF and (term.of_full_name or not (
                term.type is EntityType.PERSON and lexicon.is_common_word(term.text.lower()))):
            caseless.add(term.text, term)
        elif term.type is EntityType.PERSON and " " not in term.text:
            # a name that is a dictionary word, however rare ("caravan" misheard for Karwan,
            # "the static caravan"), counts where a name stands, not wherever the word is
            caseless_words.add(term.text, term)
    return insensitive, sensitive, caseless, caseless_words, heard_apart
