"""The project register's identifiers in a text: every variant of every entry (see
:mod:`qual.deid.register`), and words a transcriber misspelled ("Jaden" for a registered
"Jayden", "Okafour" for "Okafor") found with rapidfuzz."""

from __future__ import annotations

from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import Doc, Recognizer
from .phrases import PhraseMatcher

# A misspelling is at least this similar (rapidfuzz ratio, 0-100) to a registered word.
FUZZY_MIN_SIMILARITY = 85.0
# Ordinary words (Zipf >= this) are not compared unless capitalised mid-sentence.
FUZZY_MAX_ZIPF = 3.0


@register_recognizer("register", default=True)
class RegisterRecognizer(Recognizer):
    entity_types = frozenset(EntityType)

    def __init__(self, fuzzy: bool = True, min_similarity: float = FUZZY_MIN_SIMILARITY) -> None:
        self.fuzzy = fuzzy
        self.min_similarity = min_similarity
        self._built_for: object = None
        self._insensitive: PhraseMatcher = PhraseMatcher(case_sensitive=False)
        self._sensitive: PhraseMatcher = PhraseMatcher(case_sensitive=True)
        self._tokens: dict[str, object] = {}
        self._fuzzy_cache: dict[str, tuple[object, float] | None] = {}

    def _prepare(self, register) -> None:
        variants = register.variants()
        if variants is self._built_for:
            return
        self._insensitive = PhraseMatcher(case_sensitive=False)
        self._sensitive = PhraseMatcher(case_sensitive=True)
        for variant in variants:
            (self._sensitive if variant.case_sensitive else self._insensitive).add(variant.text, variant)
        self._tokens = register.name_tokens()
        self._fuzzy_cache = {}
        self._built_for = variants

    def detect(self, doc: Doc) -> Iterable[Span]:
        register = doc.register
        if register is None or not len(register):
            return
        self._prepare(register)
        text = doc.text
        matched: set[int] = set()
        found = (self._insensitive.find(text, doc.searchable(False))
                 + self._sensitive.find(text, doc.searchable(True)))
        for start, end, variants in found:
            variant = max(variants, key=lambda v: v.confidence)
            start += variant.strip_title
            confidence = variant.confidence
            if variant.case_sensitive and " " not in variant.text:
                i = doc.word_at(start)
                if i < len(doc) and doc.sentence_initial(i):
                    # "Will" opening a sentence is usually the verb: ask a human
                    confidence = min(confidence, 0.6)
            matched.add(start)
            yield self.span(doc, start, end, variant.entry.type, confidence)
        if self.fuzzy and self._tokens:
            yield from self._misspellings(doc, matched)

    def _misspellings(self, doc: Doc, matched: set[int]) -> Iterable[Span]:
        from rapidfuzz import fuzz, process

        lexicon = doc.lexicon
        choices = list(self._tokens)
        keep = doc.keep_words
        for i, word in enumerate(doc.words):
            if len(word) < 4 or doc.starts[i] in matched or i in keep or not word.isalpha():
                continue
            lower = word.lower()
            if lower in self._tokens:
                continue  # an exact variant already matched (or deliberately did not)
            if lexicon.word_zipf(lower) >= FUZZY_MAX_ZIPF and not (
                    word[0].isupper() and not doc.sentence_initial(i)):
                continue
            if lower not in self._fuzzy_cache:
                best = process.extractOne(lower, choices, scorer=fuzz.ratio,
                                          score_cutoff=self.min_similarity)
                self._fuzzy_cache[lower] = (self._tokens[best[0]], best[1]) if best else None
            hit = self._fuzzy_cache[lower]
            if hit is None:
                continue
            entry, score = hit
            confidence = 0.6 + 0.25 * (score - self.min_similarity) / (100 - self.min_similarity)
            yield self.span(doc, doc.starts[i], doc.base_end(i), entry.type, confidence,
                            detector="register.fuzzy")
