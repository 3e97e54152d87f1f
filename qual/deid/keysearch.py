"""Looking for every original of a pseudonym key explicitly: a hit is a certain leak.

From each entity's originals (``variants``) the search builds the forms a transcript uses
again: the whole form, and for a person each name alone (``Jayden``, ``Smith``, titles
dropped), for a school, council or organisation its distinctive words (``Castlebrook`` of
``Castlebrook Academy``), for phone, NHS, NI and case numbers the same characters with any
spacing (``07700900123`` = ``07700 900 123``). They are matched as whole words in any case
and with or without accents (``Zoë`` = ``zoe``), possessive or not. A single name that is
also an everyday word (``Grace``, ``Will``, ``Hope``) is matched only capitalised and not at
the start of a sentence, where every word is capitalised, however the key writes it (a name
learned from lower-case speech-to-text, ``mercy``, is looked for as ``Mercy``). Dates and ages are not searched:
"March" or "nine" in a key would match everywhere and mean nothing.

Only originals the key records as detected with some confidence (``min_confidence``, the
review threshold of ``qual deidentify``; forms from older keys carry no score and count) are
searched: a doubtful detection redacted for recall's sake ("Like" opening a sentence) is no
certain identifier. The analyzer still runs beside the search.

The key's surrogate names (``--surrogates`` output) are no identifiers; ``allowed_forms``
lists them so that the scanner can blank them before detection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .identity import EntityType, fold, normal_tokens
from .identity.entities import DISTINCTIVE_WORDS, NOT_SEARCHED, PERSON_NAME, PHONE_DIGITS, SEARCH_SPACED
from .identity.normal import TITLES
from .normalize import normalize
from .pseudonyms import EntityTable
from .recognizers.phrases import PhraseMatcher
from .types import Span

DETECTOR = "key"
# A single word this common (Zipf) is matched only capitalised, mid-sentence.
COMMON_WORD_ZIPF = 3.5
# A dictionary word this common is no distinctive word of a school or organisation alone.
DICTIONARY_WORD_ZIPF = 3.0
MIN_CONFIDENCE = 0.7
_SENTENCE_END = ".!?:;\n\r\t\"([\u2026"
_ALNUM = re.compile(r"[^\W_]")
_SEPARATORS = frozenset(" \t-./\u00a0")


@dataclass(frozen=True)
class KeyTerm:
    type: EntityType

    def __repr__(self) -> str:
        return f"KeyTerm({self.type.value})"


def _lexicon():
    from .recognizers.lexicon import load_lexicon

    return load_lexicon()


class KeySearch:
    """Finds a key's originals in text; every hit is a ``Span`` with detector ``key``."""

    def __init__(self, table: EntityTable, zipf: Callable[[str], float] | None = None,
                 min_confidence: float = MIN_CONFIDENCE, is_word: Callable[[str], bool] | None = None) -> None:
        self._zipf = zipf or _lexicon().word_zipf
        self._is_word = is_word or _lexicon().is_word
        self._insensitive: PhraseMatcher[KeyTerm] = PhraseMatcher(case_sensitive=True)
        self._sensitive: PhraseMatcher[KeyTerm] = PhraseMatcher(case_sensitive=True)
        # numbers written with any spacing: their characters, lower-cased, run together
        self._spaced: dict[str, KeyTerm] = {}
        self._spaced_automaton = None
        self.surrogates: list[str] = []
        self.originals = 0
        for entity in table:
            if entity.surrogate:
                self.surrogates.append(entity.surrogate)
            if entity.type.info.key_search == NOT_SEARCHED:
                continue
            term = KeyTerm(entity.type)
            scores = getattr(entity, "confidence", None) or {}
            for variant in entity.variants:
                if scores.get(variant, 1.0) < min_confidence:
                    continue
                self.originals += 1
                self._add_variant(" ".join(str(variant).split()), term)

    def __repr__(self) -> str:
        return f"KeySearch({self.originals} originals)"

    def __len__(self) -> int:
        return len(self._insensitive) + len(self._sensitive) + len(self._spaced)

    @classmethod
    def from_key_file(cls, path, passphrase: str | None = None, zipf=None) -> "KeySearch":
        from .key import load_key

        return cls(load_key(path, passphrase), zipf)

    # ----------------------------------------------------------------- building

    def _add_variant(self, variant: str, term: KeyTerm) -> None:
        if len(variant) < 2 or not _ALNUM.search(variant):
            return
        variant = variant.replace("\u2019", "'")
        self._add_word(variant, term, whole=True)
        info = term.type.info
        if info.linked_by == PERSON_NAME:
            words = [w.strip(".,'\"()") for w in variant.split()]
            words = [re.sub(r"'s$", "", w, flags=re.IGNORECASE) for w in words]
            for word in words:
                if normal_tokens(word) and normal_tokens(word)[0] not in TITLES and len(word) >= 2:
                    self._add_word(word, term)
        elif info.linked_by == DISTINCTIVE_WORDS:
            generic = info.key_generic if info.key_generic is not None else info.generic
            words = [w.strip(".,'\"()") for w in variant.split()]
            words = [re.sub(r"'s$", "", w, flags=re.IGNORECASE) for w in words]
            core = [w for w in words if normal_tokens(w) and normal_tokens(w)[0] not in generic]
            if core and len(core) < len(words):
                self._add_word(" ".join(core), term)
            for word in core:
                # a word of the name alone, when it is rare and no everyday dictionary word
                # ("Castlebrook", "Kingfisher"; not "Carers" of "Little Hands Young Carers")
                if len(word) >= 4 and self._zipf(word) < COMMON_WORD_ZIPF and not (
                        self._is_word(word) and self._zipf(word) >= DICTIONARY_WORD_ZIPF):
                    self._add_word(word, term)
        if info.key_search == SEARCH_SPACED:
            characters = "".join(_ALNUM.findall(variant)).lower()
            if len(characters) >= 5:
                self._spaced.setdefault(characters, term)
                # a phone number is the same written +44 or 0 (as the key links them)
                if info.linked_by == PHONE_DIGITS and characters.startswith("44"):
                    self._spaced.setdefault("0" + characters[2:], term)
                elif info.linked_by == PHONE_DIGITS and characters.startswith("0"):
                    self._spaced.setdefault("44" + characters[1:], term)

    def _add_word(self, form: str, term: KeyTerm, whole: bool = False) -> None:
        single = " " not in form
        common = single and (len(form) <= 2 or self._zipf(form) >= COMMON_WORD_ZIPF)
        if common and not whole:
            if form[:1].isupper():
                self._sensitive.add(fold(form, lower=False), term)
        elif common and whole:
            # a whole original that is one everyday word ("Hope"): capitalised as written, or in
            # capitals. Learned from lower-case speech-to-text ("mercy"), it is still looked for
            # only with its capital: in lower case it is the word ("at the mercy of"), which
            # de-identification leaves where the context makes it no name
            if form[:1].islower():
                form = form[:1].upper() + form[1:]
            self._sensitive.add(fold(form, lower=False), term)
            self._sensitive.add(fold(form.upper(), lower=False), term)
        else:
            self._insensitive.add(fold(form), term)

    # ----------------------------------------------------------------- searching

    def find(self, text: str) -> list[Span]:
        """Non-overlapping hits (longest first) as spans on ``text``."""
        if not len(self):
            return []
        normalized = normalize(text)
        clean = normalized.text
        hits: list[tuple[int, int, EntityType]] = []
        for start, end, terms in self._insensitive.find(fold(clean)):
            hits.append((start, end, terms[0].type))
        if len(self._sensitive):
            cased = fold(clean, lower=False)
            for start, end, terms in self._sensitive.find(cased):
                if not _sentence_initial(clean, start):
                    hits.append((start, end, terms[0].type))
        if self._spaced:
            hits += self._find_spaced(clean)
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        spans: list[Span] = []
        last_end = -1
        for start, end, entity_type in hits:
            if start < last_end:
                continue
            last_end = end
            o_start, o_end = normalized.to_original(start, end)
            spans.append(Span(o_start, o_end, entity_type, DETECTOR, 1.0, text[o_start:o_end]))
        return spans

    def _find_spaced(self, text: str) -> list[tuple[int, int, EntityType]]:
        """Numbers of the key written with any one separator (space, hyphen, dot, slash)
        between their characters, or none, as whole words ("07700 900 123" = "07700900123").
        One pass of an automaton over the text's letters and digits run together, each hit
        checked against the text as written."""
        if self._spaced_automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for characters, term in self._spaced.items():
                automaton.add_word(characters, (len(characters), term))
            automaton.make_automaton()
            self._spaced_automaton = automaton
        positions, compact = _letters_and_digits(text)
        if len(positions) < 5:
            return []
        hits = []
        for last, (length, term) in self._spaced_automaton.iter(compact):
            first = last - length + 1
            start, end = positions[first], positions[last] + 1
            if (start and text[start - 1].isascii() and text[start - 1].isalnum()) or \
                    (end < len(text) and text[end].isascii() and text[end].isalnum()):
                continue  # inside a longer run of letters or digits
            if all(positions[k + 1] - positions[k] == 1 or (positions[k + 1] - positions[k] == 2
                                                          and text[positions[k] + 1] in _SEPARATORS)
                   for k in range(first, last)):
                if start and text[start - 1] == "+" and term.type is EntityType.PHONE:
                    start -= 1  # "+44 7700 ..."
                hits.append((start, end, term.type))
        return hits

    def allowed_forms(self) -> list[str]:
        """Surrogate names and their parts: written by de-identification, no identifiers."""
        forms: set[str] = set()
        for surrogate in self.surrogates:
            forms.add(surrogate)
            forms.update(word for word in surrogate.split() if len(word) >= 2)
        return sorted(forms, key=len, reverse=True)


def _sentence_initial(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in " '\u2018\u201c":
        position -= 1
    return position < 0 or text[position] in _SENTENCE_END


def _letters_and_digits(text: str) -> tuple[list[int], str]:
    """Where ``text``'s ASCII letters and digits are, and they run together in lower case: by
    code point arrays (a Python loop over every character of a corpus took a tenth of a run)."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    lowered = codes | 0x20  # ASCII capitals to small letters; digits keep their codes
    mask = ((codes >= 48) & (codes <= 57)) | ((lowered >= 97) & (lowered <= 122))
    where = np.flatnonzero(mask)
    kept = np.where(codes[where] <= 57, codes[where], lowered[where]).astype(np.uint32)
    return where.tolist(), kept.tobytes().decode("utf-32-le")
