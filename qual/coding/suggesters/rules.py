"""Rules: the codebook's keywords and phrases, matched with spaCy's PhraseMatcher.

Every keyword is matched twice: on the lower-case text (``attr="LOWER"``) and on lemmas
(``attr="LEMMA"``), so "referral" also finds "Referrals" and "support" finds "supported".
spaCy has no English lemmas without a trained pipeline; the lemmas come from WordNet's lookup
table (via spacy-lookups-data, shipped in ``resources/en_lemma_lookup.json.gz``) with a
plural-stripping fallback for words the table lacks ("lockdowns"). Keywords and text go
through the same normalisation, so both sides always agree.

A hit is worth its specificity: how rare the keyword is among this corpus's segments (idf)
and how long it is (a three-word phrase says more than a single word); a keyword listed under
several codes is worth less to each. Hits in the interviewer's question count for less than
hits in the answer. The evidence of all distinct hits is turned into a score in [0, 1].
"""

from __future__ import annotations

import gzip
import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..segments import model_text
from .base import SuggestContext, Suggester, register_suggester

LEMMA_TABLE = Path(__file__).resolve().parents[1] / "resources" / "en_lemma_lookup.json.gz"
# From this many texts to parse, worker processes pay for their start (~0.5 ms a segment).
PARALLEL_MIN_TEXTS = 2000
COMPONENT = "qual_lookup_lemmas"


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    try:
        return json.loads(gzip.decompress(LEMMA_TABLE.read_bytes()))
    except FileNotFoundError:  # the build script was not run: plural stripping alone
        return {}


def lemma(lower: str, table: dict[str, str] | None = None) -> str:
    """The lemma of a lower-case word: WordNet lookup, else strip a regular plural."""
    table = lemma_table() if table is None else table
    found = table.get(lower)
    if found:
        return found
    if len(lower) > 4 and lower.endswith("ies"):
        return lower[:-3] + "y"
    if len(lower) > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is", "'s")):
        return lower[:-1]
    return lower


@lru_cache(maxsize=1)
def english_pipeline():
    """A blank English spaCy pipeline whose tokens carry lookup lemmas."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):
        # Lemma hash by lower-case hash: a corpus has few distinct words, so each is looked up once.
        known: dict[int, int] = {}

        @Language.component(COMPONENT)
        def set_lemmas(doc):
            table = lemma_table()
            strings = doc.vocab.strings
            for token in doc:
                lower = token.lower
                found = known.get(lower)
                if found is None:
                    found = known[lower] = strings.add(lemma(token.lower_, table))
                token.lemma = found
            return doc

    nlp = spacy.blank("en")
    nlp.add_pipe(COMPONENT)
    return nlp


@register_suggester("rules")
class RulesSuggester(Suggester):
    """Keyword and phrase matches from the codebook, weighted by specificity."""

    def __init__(self, question_weight: float = 0.3, gain: float = 1.2, shared_penalty: float = 0.5,
                 workers: int | None = None) -> None:
        super().__init__()
        self.question_weight = question_weight
        self.gain = gain
        self.shared_penalty = shared_penalty
        self.workers = workers  # processes parsing texts (default: every core)

    def fit(self, segments, codebook, context: SuggestContext) -> "RulesSuggester":
        super().fit(segments, codebook, context)
        from spacy.matcher import PhraseMatcher

        nlp = english_pipeline()
        self.nlp = nlp
        self.lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        # One key per distinct lemma sequence; a key may belong to several codes.
        self.key_codes: dict[str, set[int]] = {}
        self.key_length: dict[str, int] = {}
        for column, code in enumerate(codebook.codes):
            for keyword in code.keywords:
                keyword = " ".join(str(keyword).split())
                if not keyword:
                    continue
                doc = nlp(keyword)
                key = " ".join(token.lemma_ for token in doc)
                if key not in self.key_codes:
                    self.key_codes[key] = set()
                    self.key_length[key] = len([t for t in doc if not t.is_punct])
                    self.lower_matcher.add(key, [nlp.make_doc(keyword)])
                    self.lemma_matcher.add(key, [doc])
                elif key in self.lower_matcher:
                    self.lower_matcher.add(key, [nlp.make_doc(keyword)])
                self.key_codes[key].add(column)
        if not self.key_codes:
            return self.unavailable("the codebook has no keywords")
        self._hits_cache: dict[str, frozenset[str]] = {}
        answers = self._hits([model_text(t) for t in segments["text"]])
        codable = segments["codable"].to_numpy(bool) if "codable" in segments else np.ones(len(segments), bool)
        n = max(int(codable.sum()), 1)
        df: dict[str, int] = {}
        for hits, keep in zip(answers, codable):
            if keep:
                for key in hits:
                    df[key] = df.get(key, 0) + 1
        self.weights = {}
        for key, codes in self.key_codes.items():
            idf = math.log((n + 1) / (df.get(key, 0) + 1)) / math.log(n + 1) if n > 1 else 1.0
            length = min(self.key_length[key], 3)
            specificity = (0.55 + 0.15 * length) * (0.25 + 0.75 * idf)
            self.weights[key] = specificity / (len(codes) ** self.shared_penalty)
        return self

    def _hits(self, texts: list[str]) -> list[frozenset[str]]:
        """Distinct keyword keys found in each text (each unique text is parsed once). Many
        texts are parsed in worker processes (each text's keys depend on it alone, so the
        result is the same)."""
        from ...workers import process_map, resolve_workers, split_evenly

        todo = [t for t in dict.fromkeys(texts) if t not in self._hits_cache]
        workers = resolve_workers(self.workers)
        shares = split_evenly((len(t) for t in todo), workers * 2 if len(todo) >= PARALLEL_MIN_TEXTS else 1)
        found = process_map(_hits_of_share, shares, workers=workers, shared_data=(self, todo), chunk_size=1)
        for text, keys in zip(todo, (keys for share in found for keys in share)):
            self._hits_cache[text] = keys
        return [self._hits_cache[t] for t in texts]

    def _parse_hits(self, texts: list[str]) -> list[frozenset[str]]:
        strings = self.nlp.vocab.strings
        hits = []
        for doc in self.nlp.pipe(texts, batch_size=512):
            matches = {(start, end, strings[m]) for m, start, end in self.lower_matcher(doc)}
            matches.update((start, end, strings[m]) for m, start, end in self.lemma_matcher(doc))
            # Where keywords overlap ("staff briefing" and "briefing"), only the longest counts.
            taken: set[int] = set()
            kept_spans: set[tuple[int, int]] = set()
            found = set()
            for start, end, key in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
                if (start, end) not in kept_spans and taken.intersection(range(start, end)):
                    continue
                taken.update(range(start, end))
                kept_spans.add((start, end))
                found.add(key)
            hits.append(frozenset(found))
        return hits

    def evidence(self, hit_sets: list[frozenset[str]]) -> np.ndarray:
        matrix = np.zeros((len(hit_sets), len(self.codebook.codes)), dtype=np.float32)
        for row, hits in enumerate(hit_sets):
            # in a fixed order: a set's own order depends on how it was built (here, or
            # unpickled from a worker), and float sums on the order of their terms
            for key in sorted(hits):
                weight = self.weights[key]
                for column in self.key_codes[key]:
                    matrix[row, column] += weight
        return matrix

    def suggest(self, segments, context: SuggestContext | None = None) -> np.ndarray:
        if not self.available:
            return self.zeros(segments)
        answers = self._hits([model_text(t) for t in segments["text"]])  # parsed in fit, cached by text
        questions = self._hits([q or "" for q in segments["question"]])
        evidence = self.evidence(answers) + self.question_weight * self.evidence(questions)
        return (1.0 - np.exp(-self.gain * evidence)).astype(np.float32)

    def matched_keywords(self, text: str) -> list[str]:
        """The keyword keys found in ``text`` (for explaining a suggestion)."""
        return sorted(self._hits([model_text(text)])[0])


def _hits_of_share(bounds: tuple[int, int]) -> list[frozenset[str]]:
    """Keyword keys of texts ``start..end`` of the shared list (in a worker, or here)."""
    from ...workers import shared

    suggester, texts = shared()
    return suggester._parse_hits(texts[bounds[0]:bounds[1]])
