"""Forms already known to be identifiers, found again wherever they occur.

The key's surely detected originals and the participants sheet's names, schools and
contacts are looked for in every text as whole words, in any case: a name caught once is
caught everywhere. The search is one pass of an Aho-Corasick automaton (pyahocorasick) over
the lower-cased text, however many forms there are.
"""

from __future__ import annotations

from .identity import TAG_RE, EntityType, lower_same_length
from .identity.normal import TITLES
from .types import Span

# A single word that is also common English ("Grace", "Will") is found only capitalised.
COMMON_WORD_ZIPF = 3.5


class KnownMentions:
    """Finds forms already known to be identifiers (from the key or the participants sheet)
    wherever they occur again, as whole words: a name caught once is caught everywhere."""

    def __init__(self) -> None:
        # lower-cased form -> (type, capital required, detector, confidence)
        self._forms: dict[str, tuple[EntityType, bool, str, float]] = {}
        self._automaton = None

    def __len__(self) -> int:
        return len(self._forms)

    def add(self, entity_type: EntityType, form: str, detector: str, confidence: float) -> None:
        form = " ".join(form.split())
        lowered = lower_same_length(form)
        if len(form) < 2 or TAG_RE.fullmatch(form):
            return
        # A single common word as a name ("Grace", "Will") only counts when capitalised.
        capital = " " not in form and (len(form) < 4 or _zipf(lowered) >= COMMON_WORD_ZIPF)
        known = self._forms.get(lowered)
        if known is not None:
            capital = capital and known[1]
            confidence = max(confidence, known[3])
            entity_type, detector = known[0], known[2]
        self._forms[lowered] = (entity_type, capital, detector, confidence)
        self._automaton = None

    def add_person(self, name: str, detector: str, confidence: float) -> None:
        """A full name, and each of its words that is a name rather than a title."""
        self.add(EntityType.PERSON, name, detector, confidence)
        words = name.split()
        if len(words) > 1:
            for word in words:
                bare = word.strip(".,'’")
                if len(bare) >= 2 and bare.lower() not in TITLES and bare[:1].isupper():
                    self.add(EntityType.PERSON, bare, detector, confidence)

    def find(self, text: str) -> list[Span]:
        if not self._forms or not text:
            return []
        lowered = lower_same_length(text)
        if self._automaton is None:
            import ahocorasick

            self._automaton = ahocorasick.Automaton()
            for key in self._forms:
                self._automaton.add_word(key, key)
            self._automaton.make_automaton()
        found = []
        for last, key in self._automaton.iter(lowered):
            start, end = last - len(key) + 1, last + 1
            if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or \
                    (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                continue
            entity_type, capital, detector, confidence = self._forms[key]
            if capital and (not text[start].isupper() or _sentence_start(text, start)):
                continue  # "will" is a verb; "Will you ...?" says nothing either
            found.append(Span(start, end, entity_type, detector, confidence, text[start:end]))
        return found


def _sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;…"


def _zipf(word: str) -> float:
    from .recognizers.lexicon import load_lexicon  # the analyzer's word list, loaded once

    return load_lexicon().word_zipf(word)

