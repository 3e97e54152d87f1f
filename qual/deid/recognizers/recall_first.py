"""The recall-first rule (in the spirit of Philter and the UK Data Service text
anonymisation helper): a capitalised word that no keep-list and no dictionary explains is
treated as a likely identifier.

Mid-sentence, a capitalised word is flagged when it is rarer than an everyday word or when no
dictionary writes it in lower case; at the start of a sentence, where every word is
capitalised, only a word no dictionary knows in lower case. The first word of a heading or
label after its code ("REF Referrals and thresholds") counts as opening a sentence, and a
dictionary word that the same text also writes in lower case ("Facilitators" beside
"barriers and facilitators") is taken for that word, not a name. A word in CAPITALS, or an
acronym's plural ("IDVAs"), is flagged when it is no known acronym or word. Runs of flagged
words become one span. Confidence is low on purpose: these spans are what a reviewer checks.
"""

from __future__ import annotations

from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import DIGIT_RE, Doc, Recognizer
from .vocab import DETERMINERS, PLACE_PREPOSITIONS

# Zipf frequency below which a capitalised word counts as unexplained: mid-sentence,
# after a preposition of place ("in Castlebrook"), after "the", and opening a sentence.
MID_SENTENCE_ZIPF = 3.5
AFTER_PREPOSITION_ZIPF = 4.0
AFTER_DETERMINER_ZIPF = 3.0
SENTENCE_START_ZIPF = 2.0
# opening a sentence, a word no dictionary writes in lower case ("Kirsty", "Okafor")
SENTENCE_START_UNKNOWN_ZIPF = 4.5
CAPITALS_ZIPF = 2.0
# A dictionary word written in lower case this often in the same text is that word.
LOWERCASE_USES = 2

_PLACE_CUES = frozenset({"in", "at", "from", "near", "around", "outside", "towards", "via",
                         "across", "live", "lives", "lived", "living", "moved", "based", "into"})


@register_recognizer("recall_first", default=True)
class RecallFirstRecognizer(Recognizer):
    entity_types = frozenset({EntityType.PERSON, EntityType.PLACE, EntityType.ORGANISATION})

    def __init__(self, mid_sentence_zipf: float = MID_SENTENCE_ZIPF,
                 sentence_start_zipf: float = SENTENCE_START_ZIPF) -> None:
        self.mid_sentence_zipf = mid_sentence_zipf
        self.sentence_start_zipf = sentence_start_zipf

    def detect(self, doc: Doc) -> Iterable[Span]:
        words = doc.words
        lexicon = doc.lexicon
        keep = doc.keep_words
        flagged: dict[int, float] = {}
        for i in doc.capitalised:
            if i in keep:
                continue
            base = doc.base(i)
            if len(base) < 2 or DIGIT_RE.search(base):
                continue
            acronym_plural = len(base) > 2 and base[-1] == "s" and base[:-1].isupper()
            if base.isupper() or acronym_plural:
                if lexicon.word_zipf(base[:-1] if acronym_plural else base) < CAPITALS_ZIPF:
                    flagged[i] = 0.35
                continue
            frequency = lexicon.word_zipf(base)
            ordinary = lexicon.is_word(base)
            if doc.sentence_initial(i) or (ordinary and doc.opens_label(i)):
                confidence = 0.4 if frequency < self.sentence_start_zipf or (
                    not ordinary and frequency < SENTENCE_START_UNKNOWN_ZIPF) else 0.0
            else:
                previous = doc.previous_lower(i) if doc.adjacent(i) else ""
                if previous in DETERMINERS:
                    limit = AFTER_DETERMINER_ZIPF
                elif previous in PLACE_PREPOSITIONS:
                    limit = AFTER_PREPOSITION_ZIPF
                else:
                    limit = self.mid_sentence_zipf
                confidence = 0.45 if frequency < limit or not ordinary else 0.0
            if confidence and not (ordinary and doc.lowercase_uses(i) >= LOWERCASE_USES):
                flagged[i] = confidence
        yield from self._runs(doc, flagged)

    def _runs(self, doc: Doc, flagged: dict[int, float]) -> Iterable[Span]:
        indices = sorted(flagged)
        k = 0
        while k < len(indices):
            start = end = indices[k]
            confidence = flagged[start]
            while k + 1 < len(indices) and indices[k + 1] == end + 1 and doc.adjacent(end + 1) \
                    and doc.words[end] == doc.base(end):
                k += 1
                end = indices[k]
                confidence = max(confidence, flagged[end])
            k += 1
            previous = doc.previous_lower(start) if doc.adjacent(start) else ""
            lexicon = doc.lexicon
            phrase = " ".join(doc.base(j) for j in range(start, end + 1))
            if previous in _PLACE_CUES or phrase in lexicon.places or phrase in lexicon.countries:
                entity_type = EntityType.PLACE
            elif doc.words[start].isupper():
                entity_type = EntityType.ORGANISATION
            else:
                entity_type = EntityType.PERSON
            yield self.span(doc, doc.starts[start], doc.base_end(end), entity_type, confidence)
