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

A word in capitals that reads as a word ("BRACKENSHAW", not "DSL": see
:func:`~qual.deid.recognizers.base.capitals_read_as_word`) is judged as a sentence's first
word is: five letters or more and no dictionary word, it is flagged as a name (0.4); an
acronym, or a short or rare capitalised word, stays a note (0.35).

A word in a script without capitals (Arabic, Hebrew, Devanagari, CJK ...) cannot be judged
by its capital at all. In an English transcript such a word is nearly always a name or a
place, so every run of them that no keep-term explains is flagged (0.5, detector
``recall_first.script``): redacted, and shown to a reviewer.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import DIGIT_RE, SHOUTED_UNKNOWN_LETTERS, Doc, Recognizer
from .lexicon import Lexicon
from .vocab import DETERMINERS, NAME_HEADS, PLACE_PREPOSITIONS

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
# A word in capitals rarer than this, beside a flagged name in capitals, is part of it.
SHOUTED_NAME_PART_ZIPF = 2.5
# A run of words in a script without capitals: no capital to judge, so moderately sure.
CASELESS_SCRIPT = 0.5

# "SwingLow", "StayAwakeForIt", "MyConcern": ordinary words run together (a hashtag, an
# app); "OneRyanShawcross", "LeBron", "McDonald" hold a name or a part that is no word
_CAMEL_PART_RE = re.compile(r"[A-Z][a-z]+|[a-z]+")


def _says_no_name(word: str, lexicon: Lexicon) -> bool:
    """A capitalised word that reads as no name: ordinary words run together in camel case,
    or laughter and keyboard noise, one or two letters over and over ("Hahaha", "Kkkkk")."""
    if len(word) >= 5 and len(set(word.lower())) <= 2:
        return True
    parts = _CAMEL_PART_RE.findall(word)
    return (len(parts) >= 2 and "".join(parts) == word and word[0].isupper()
            and all(lexicon.is_word(part) and lexicon.word_zipf(part) >= 3.0
                    and not lexicon.first_name_count(part.title()) for part in parts))


def _names_a_service(doc: Doc, j: int) -> bool:
    """Word ``j`` is the head of an institution or a service named after the place before it:
    "[Northshire] Council", "[Northshire] MASH team", "[Brennock] Youth Hub"."""
    word = doc.words[j]
    return word.lower() in NAME_HEADS or (j in doc.keep_words and word.isupper() and len(word) > 1)


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
            if (base.isupper() and not doc.shouted(i)) or acronym_plural:
                if lexicon.word_zipf(base[:-1] if acronym_plural else base) < CAPITALS_ZIPF:
                    flagged[i] = 0.35
                continue
            frequency = lexicon.word_zipf(base)
            ordinary = lexicon.is_word(base)
            if doc.shouted(i):
                # capitals say nothing: judged as a sentence's first word is, but a short
                # or dictionary word stays a note, as an acronym does
                if not ordinary and frequency < SENTENCE_START_UNKNOWN_ZIPF \
                        and sum(c.isalpha() for c in base) >= SHOUTED_UNKNOWN_LETTERS:
                    flagged[i] = 0.4
                elif frequency < CAPITALS_ZIPF:
                    flagged[i] = 0.35
                continue
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
        # words that read as no name however rare (asked only of the few flagged)
        flagged = {i: confidence for i, confidence in flagged.items()
                   if not _says_no_name(doc.base(i), lexicon) and not lexicon.names_a_people(doc.base(i))}
        self._extend_shouted_names(doc, flagged)
        yield from self._runs(doc, flagged)
        yield from self._caseless_script(doc)

    @staticmethod
    def _extend_shouted_names(doc: Doc, flagged: dict[int, float]) -> None:
        """In capitals, a rare dictionary word beside a flagged name reads as part of it:
        "IONUȚ PENNYWORTH", where title case would have flagged "Pennyworth" by its capital."""
        names = [i for i, confidence in flagged.items() if confidence >= 0.4 and doc.shouted(i)]
        lexicon = doc.lexicon
        keep = doc.keep_words
        while names:
            i = names.pop()
            for j in (i - 1, i + 1):
                if j in flagged or not 0 <= j < len(doc) or j in keep or not doc.shouted(j) \
                        or not doc.adjacent(max(i, j)):
                    continue
                if lexicon.word_zipf(doc.base(j)) < SHOUTED_NAME_PART_ZIPF:
                    flagged[j] = flagged[i]
                    names.append(j)

    def _caseless_script(self, doc: Doc) -> Iterable[Span]:
        """Runs of words in a script without capitals that no keep-term explains."""
        text = doc.text
        if text.isascii():
            return
        for match in _caseless_run_re().finditer(text):
            start, end = match.span()
            if doc.is_kept(start, end):
                continue
            i = doc.word_at(start)
            previous = doc.previous_lower(i) if 0 < i <= len(doc) and doc.starts[i - 1] < start else ""
            entity_type = EntityType.PLACE if previous in _PLACE_CUES else EntityType.PERSON
            yield self.span(doc, start, end, entity_type, CASELESS_SCRIPT, detector=f"{self.name}.script")

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
            following = end + 1 < len(doc) and doc.adjacent(end + 1) and doc.words[end] == doc.base(end)
            if previous in _PLACE_CUES or phrase in lexicon.places or phrase in lexicon.countries or (
                    following and _names_a_service(doc, end + 1)):
                entity_type = EntityType.PLACE  # "in Thrushcombe", "Northshire MASH team"
            elif all(doc.words[j].isupper() and not doc.shouted(j) for j in range(start, end + 1)):
                entity_type = EntityType.ORGANISATION  # acronyms
            else:
                entity_type = EntityType.PERSON
            yield self.span(doc, doc.starts[start], doc.base_end(end), entity_type, confidence)


# Unicode blocks of scripts without capitals: Hebrew, Arabic, Syriac, Thaana, N'Ko, the Indic
# scripts (Devanagari ... Sinhala), Thai, Lao, Tibetan, Myanmar, Georgian, Hangul, Ethiopic
# (Amharic, Tigrinya), Khmer, Mongolian and others (U+0590-U+1CFF); Tifinagh and Ethiopic
# extensions; kana and Bopomofo; Yi, Vai and other scripts (U+A000-U+ABFF); Hebrew and Arabic
# presentation forms. Their letters and marks are picked out by category.
_CHECKED_BLOCKS = ((0x0590, 0x1CFF), (0x2D30, 0x2DDF), (0x3040, 0x31FF), (0xA000, 0xABFF),
                   (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
# Blocks that hold letters only: CJK ideographs, Hangul syllables and their extensions.
_LETTER_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
                  (0x20000, 0x323AF))


@functools.lru_cache(maxsize=1)
def _caseless_run_re() -> re.Pattern:
    """Words of letters without case, with their combining marks, joined by single spaces.
    Latin, Greek, Cyrillic and Armenian have capitals and are judged by them."""
    letters: list[tuple[int, int]] = list(_LETTER_BLOCKS)
    marks: list[tuple[int, int]] = list(_LETTER_BLOCKS)

    def add(ranges: list[tuple[int, int]], code: int) -> None:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))

    for low, high in _CHECKED_BLOCKS:
        for code in range(low, high + 1):
            category = unicodedata.category(chr(code))
            if category == "Lo" or (category == "Ll" and 0x10D0 <= code <= 0x10FF):  # Georgian
                add(letters, code)
            if category in ("Lo", "Lm", "Mn", "Mc", "Me") or (category == "Ll" and 0x10D0 <= code <= 0x10FF):
                add(marks, code)

    def char_class(ranges: list[tuple[int, int]]) -> str:
        return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                             for a, b in sorted(ranges)) + "]"

    word = f"{char_class(letters)}{char_class(marks)}*"
    return re.compile(f"{word}(?: {word})*")
