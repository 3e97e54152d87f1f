"""The detection engine: runs every recognizer on normalised text, resolves what they found
into non-overlapping spans on the original text, and propagates identifiers across a corpus.

    from qual.deid import Analyzer
    analyzer = Analyzer(register=Register.from_participants(sheet))
    spans = analyzer.analyze(text)                      # one text
    per_text = analyzer.analyze_corpus(texts)           # many, with propagation

Resolution, in order: spans below ``threshold`` are dropped; spans lying wholly inside a
keep-term are dropped unless the register, a title or a possessive-kin context found them;
overlapping spans (and same-type spans separated by one space) are merged into their union,
typed by the most confident member; a possessive ``'s`` and surrounding punctuation are
trimmed; offsets are mapped back to the original text.

Propagation: every identifier string found with confidence in any text - and its parts (a
surname alone, "Castlebrook" of "Castlebrook Academy"), in any case and possessive, and
"the Grange" for "Hollinsford Grange" - is then looked for in every text. Parts that are
ordinary words (Will, Brown) propagate only capitalised and not where grammar makes them the
word ("Will you ..."); ordinary words that are no name ("Agile" of "Disciplined Agile") and
low-confidence findings that are ordinary words do not propagate at all. How learned strings are
found again: :mod:`qual.deid.propagation`.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import gc
import logging
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .caseless import caseless_lines, truecase
from .caseless_context import FILLERS, RARE_BEFORE_SURNAME_ZIPF
from .identity import NAME_LIKE, PROPAGATED
from .keeplist import KeepList
from .normalize import NormalizedText, join, normalize
from .recognizers.base import Doc, Recognizer, capitals_read_as_word
from .recognizers.lexicon import load_lexicon
from .recognizers.ner import MODEL_DETECTORS, defer_to_rules
from .propagation import (AMBIGUOUS_KNOWN, SHORT_FORM_MAX_ZIPF, LearnedTerm, build_matchers, cased_forms,
                          find_learned, inside_ranges, remember_term)
from .recognizers.vocab import (DETERMINERS, FUNCTION_WORDS, LANDMARK_HEADS, ORGANISATION_GENERIC,
                                ORGANISATION_HEADS, SCHOOL_GENERIC, SCHOOL_HEADS, STREET_HEADS, TITLES)
from .register import PARTICLES, Register
from .registry import create_recognizer, default_recognizer_names
from .spans import continue_names, resolve
from .types import EntityType, Span

log = logging.getLogger("qual.deid.analyzer")

# Spans below this confidence are not reported at all. The recall-first rule reports at
# 0.35-0.45, so the default keeps everything and leaves the choice to review.
DEFAULT_THRESHOLD = 0.3
# A known name this rare a word is reported for review inside a keep-term (AMBIGUOUS_KNOWN).
KNOWN_AMBIGUOUS_MAX_ZIPF = 4.5
# Detectors whose findings stand even inside a keep-term ("Mrs May", "May's mum").
OVERRIDES_KEEP = frozenset({"register", "names.person.title", "names.person.kin", AMBIGUOUS_KNOWN})
# A part of a name that is this common a word propagates only capitalised mid-sentence.
COMMON_PART_ZIPF = 3.5
# Last words by which an institution or estate is named again on its own: "the Grange".
_BACK_REFERENCES = frozenset({"grange", "manor", "lodge", "park", "heights", "vale", "brook",
                              "fields", "green", "hall", "house", "court", "towers", "mount",
                              "priory", "abbey", "croft", "meadows", "gardens", "estate"})
# Touches every lazily built matcher: a title, places in both cases, a date, a name in capitals.
_WARM_UP_TEXT = "Mrs Smith moved from Leeds to MIDDLESBROUGH on 3 May 2019. JAYDEN said so."
# Short forms of a name found in full (initials, a first syllable): reported above the CI
# gate (0.4) and below the confidence at which findings propagate.
SHORT_FORM_CONFIDENCE = 0.6
# Findings below this confidence are not propagated.
PROPAGATE_MIN_CONFIDENCE = 0.7
# A dictionary word this rare inside a person's name is spread capitalised (and, in caseless
# text, in lower case): "Pennyworth", "Thistlewick", "Twee" are names far more often than words
# there: the rarity at which caseless reading takes such a word before a surname for a given name.
RARE_WORD_IN_NAME_ZIPF = RARE_BEFORE_SURNAME_ZIPF
_PART_RE = re.compile(r"[^\W_](?:[^\W_]|['\-](?=[^\W_]))*")
_GENERIC_HEADS = SCHOOL_GENERIC | ORGANISATION_GENERIC | STREET_HEADS
_HEADS = SCHOOL_HEADS | ORGANISATION_HEADS | STREET_HEADS | LANDMARK_HEADS  # what an institution is, not its name
_KIND_WORDS = SCHOOL_GENERIC | ORGANISATION_GENERIC  # "Catholic High School", "Family Centre"
# A short form said just before the full name, set off by a comma: "Aggie, Agnieszka Kowalczyk"
_SAID_BEFORE_RE = re.compile(r"(?<![\w'])([^\W\d_][\w'\u2019-]*) ?, ?$")
# A second name given straight after a name: "Wrenfield Academy, which everyone calls the Wren",
# "Olufunmilayo, who goes by Funmi", "Harecroft School, known as the Croft"
_ALIAS_AFTER_RE = re.compile(
    r",? (?:(?:which|who|that) )?(?:(?:everyone|everybody|people|we|they|the kids|kids|staff|locals|"
    r"most people|we all|everyone here) )?(?:calls?|called|know|knows|known as|goes by|go by|"
    r"nicknamed|refer to|refers to)(?: (?:it|him|her|them|us|me))?(?: as)? (?:(the) )?"
    r"([^\W\d_][\w'\u2019-]*)(?: ([A-Z][\w'\u2019-]*))?", re.IGNORECASE)
_GENERIC_PARTS = (SCHOOL_GENERIC | ORGANISATION_GENERIC | STREET_HEADS | DETERMINERS | TITLES
                  | PARTICLES | {"i", "council", "county", "city", "borough", "district"})


# Texts of a corpus are analysed joined by this (no recognizer reads across a blank line)
# in batches of about this many characters.
_SEPARATOR = "\n\n\n"
_BATCH_CHARS = 1_000_000


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector off for the duration: detection allocates millions of
    short-lived strings and tuples (no cycles), and repeated full collections over them cost
    a third of the run on a large corpus."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Documents of this many characters in all (some 80 MB of words and offsets) are kept between
# a corpus's detection and its propagation; the rest are made again.
_KEEP_DOCUMENTS_CHARS = 3_000_000


def _batch_bounds(texts: Sequence[str]) -> Iterable[tuple[int, int]]:
    start = size = 0
    for i, text in enumerate(texts):
        if size and size + len(text) > _BATCH_CHARS:
            yield start, i
            start, size = i, 0
        size += len(text) + len(_SEPARATOR)
    if start < len(texts) or not texts:
        yield start, len(texts)


class _Batch:
    """Texts joined into one document, and the way back to each text's own offsets."""

    def __init__(self, doc: Doc, lengths: list[int], starts: list[int],
                 normalised_lengths: list[int], normalised_starts: list[int]) -> None:
        self.doc = doc
        self.lengths = lengths
        self.starts = starts
        self.normalised_lengths = normalised_lengths
        self.normalised_starts = normalised_starts
        self.normalized = doc.normalized
        self.caseless_ranges: list[tuple[int, int]] = []
        self.found: list[Span] = []

    def shelve(self) -> None:
        """Drop the document (the analyzer makes it again from ``normalized`` when needed);
        keep which of its lines are caseless, which propagation reads too."""
        if self.doc is not None:
            self.caseless_ranges = self.doc.caseless_ranges
        self.doc = None

    def clip(self, spans: Iterable[Span]) -> list[Span]:
        """Cut normalised-offset spans at the end of the text they start in."""
        clipped = []
        starts = self.normalised_starts
        for span in spans:
            k = bisect.bisect_right(starts, span.start) - 1
            end = min(span.end, starts[k] + self.normalised_lengths[k]) if k >= 0 else span.end
            if end > span.start:
                clipped.append(span if end == span.end else Span(
                    span.start, end, span.type, span.detector, span.confidence,
                    self.doc.text[span.start:end]))
        return clipped

    def split(self, spans: list[Span]) -> list[list[Span]]:
        """Original-offset spans of the join -> spans per text, on each text's offsets."""
        per_text: list[list[Span]] = [[] for _ in self.starts]
        for span in spans:
            k = bisect.bisect_right(self.starts, span.start) - 1
            base = self.starts[k]
            end = min(span.end, base + self.lengths[k])
            if end > span.start:
                per_text[k].append(Span(span.start - base, end - base, span.type, span.detector,
                                        span.confidence, span.text[:end - span.start]))
        return per_text


# Called with a text's spans found by the rules: true when the learned model need not read it.
ModelUnless = Callable[[list[Span]], bool]


@dataclass
class DetectedCorpus:
    """Texts after the detection pass of :meth:`Analyzer.analyze_corpus`, before propagation:
    the batches with their findings, and ``terms``, the identifier strings they teach
    (identifiable)."""

    batches: list[_Batch]
    terms: list[LearnedTerm]

    def __repr__(self) -> str:
        return f"DetectedCorpus({len(self.batches)} batches, {len(self.terms)} terms)"


class Analyzer:
    """Find identifiers in text.

    ``register``: a :class:`~qual.deid.register.Register` of known identifiers (always
    redacted). ``keep_list``: a :class:`~qual.deid.keeplist.KeepList` (default: the shipped
    list). ``ner``: ``"auto"`` (an installed ``en_core_web_*`` model, else the shipped one,
    else rules only), ``None`` (no NER), a model path or package name, or a loaded spaCy
    ``Language``. ``recognizers``: names from :mod:`qual.deid.registry` or
    :class:`Recognizer` instances (default: every default recognizer). ``threshold``: the
    lowest confidence reported.
    """

    def __init__(self, register: Register | None = None, keep_list: KeepList | None = None,
                 ner="auto", recognizers: Iterable[str | Recognizer] | None = None,
                 threshold: float = DEFAULT_THRESHOLD) -> None:
        self.register = register if register is not None else Register()
        self.keep_list = keep_list if keep_list is not None else KeepList.default()
        self.threshold = threshold
        self.lexicon = load_lexicon()
        names = list(recognizers) if recognizers is not None else default_recognizer_names()
        self.recognizers: list[Recognizer] = [
            create_recognizer(r) if isinstance(r, str) else r for r in names]
        self.ner_model: str | None = None
        self._add_ner(ner)
        self._learned: dict[tuple[str, bool], LearnedTerm] = {}

    def warm_up(self, models: bool = True) -> "Analyzer":
        """Build now what the recognizers build lazily on first use (gazetteer automata, the
        matcher for places in capitals, with ``models`` the NER model), so that worker
        processes forked afterwards share it instead of each building its own."""
        self.analyze(_WARM_UP_TEXT, model_unless=None if models else (lambda spans: True))
        if models:
            for recognizer in self.recognizers:
                if recognizer.name in MODEL_DETECTORS:
                    getattr(recognizer, "nlp", None)  # loaded now (the warm-up text may not need it)
        return self

    def _add_ner(self, ner) -> None:
        from .recognizers.ner import SpacyNerRecognizer, resolve_ner

        if any(isinstance(r, SpacyNerRecognizer) for r in self.recognizers):
            return
        model = resolve_ner(ner)
        if model is None:
            return
        recognizer = SpacyNerRecognizer(model)
        self.recognizers.append(recognizer)
        self.ner_model = str(recognizer.model_name)
        log.info("NER model in use: %s", self.ner_model)

    # ------------------------------------------------------------------ recognizers

    @property
    def recognizer_names(self) -> list[str]:
        return [r.name for r in self.recognizers]

    def add_recognizer(self, recognizer: str | Recognizer) -> None:
        self.recognizers.append(create_recognizer(recognizer) if isinstance(recognizer, str)
                                else recognizer)

    def remove_recognizer(self, name: str) -> None:
        self.recognizers = [r for r in self.recognizers if r.name != name]

    # ------------------------------------------------------------------ analysing

    def make_doc(self, text: "str | NormalizedText", text_starts: list[int] | None = None) -> Doc:
        return Doc.make(text, self.keep_list, self.register, self.lexicon, text_starts)

    def detect(self, doc: Doc, rules: bool = True, models: bool = True) -> list[Span]:
        """Raw findings of every recognizer on ``doc`` (normalised offsets, unresolved);
        ``rules``/``models``: whether the rules, and the learned models, run."""
        found: list[Span] = []
        for recognizer in self.recognizers:
            if recognizer.name in MODEL_DETECTORS:
                if models:
                    # what the rules found so far: the model need not read a sentence whose
                    # every possible name they have found already (ner.worth_reading)
                    doc.rule_spans = [s for s in found if s.detector not in MODEL_DETECTORS]
                    found.extend(recognizer.detect(doc))
            elif rules:
                found.extend(recognizer.detect(doc))
        return found

    def analyze(self, text: str, *, model_unless: "ModelUnless | None" = None) -> list[Span]:
        """Identifiers in ``text``: sorted, non-overlapping spans on the original text.

        Strings learned by :meth:`fit` and strings found elsewhere in ``text`` itself are
        propagated too. ``model_unless``: see :meth:`analyze_corpus`.
        """
        return self.analyze_corpus([text], model_unless=model_unless)[0]

    def analyze_corpus(self, texts: Sequence[str], *,
                       model_unless: "ModelUnless | None" = None) -> list[list[Span]]:
        """Analyse several texts in two passes: detect everywhere, then propagate every
        detected string (and its parts) to all texts. The learned state is not changed.

        Texts are analysed in batches joined into one document (short turns cost little
        that way); no span crosses from one text into the next.

        ``model_unless``: called with the rules' resolved spans of a text (original
        offsets, before propagation); when it returns true for every text of a batch, the
        learned model (most of the time) does not read the batch. ``qual check`` passes "this
        file already fails": a model only adds spans, and the rules' spans stand beside them,
        so a file the rules fail fails with the model too.
        """
        with _no_gc():
            return self._analyze_corpus(texts, model_unless)

    def _analyze_corpus(self, texts: Sequence[str],
                        model_unless: "ModelUnless | None" = None) -> list[list[Span]]:
        return self._propagate_corpus(self._detect_corpus(texts, model_unless))

    # The two passes apart, for a corpus spread over processes (qual.deid.pipeline.
    # ParallelAnalyzer): each process detects in its part and returns what it learned; the
    # terms of every part are then propagated into every part.

    def detect_corpus(self, texts: Sequence[str]) -> "DetectedCorpus":
        """The first pass of :meth:`analyze_corpus`: detection in every text, and the
        identifier strings it teaches (``.terms``). Finish with :meth:`propagate_corpus`."""
        with _no_gc():
            return self._detect_corpus(texts)

    def propagate_corpus(self, detected: "DetectedCorpus",
                         terms: Iterable[LearnedTerm] = ()) -> list[list[Span]]:
        """The second pass: the strings learned by :meth:`fit`, by ``detected`` itself and
        ``terms`` (learned from other parts of the corpus) looked for in every text of
        ``detected``; resolved spans per text, as :meth:`analyze_corpus` returns them."""
        with _no_gc():
            return self._propagate_corpus(detected, terms)

    def _detect_corpus(self, texts: Sequence[str],
                       model_unless: "ModelUnless | None" = None) -> "DetectedCorpus":
        batches = []
        learned: dict[tuple[str, bool], LearnedTerm] = {}
        kept = 0
        for i, j in _batch_bounds(texts):
            batch = self._batch(texts[i:j], model_unless)
            for term in self._terms_from(batch.doc, self._resolve(batch.doc, batch.found, original=False)):
                remember_term(learned, term)
            # Beyond a budget, its words and offsets are made again for propagation (a fifth
            # of detection's cost): kept for every batch of a large corpus, they were most of
            # its memory.
            kept += len(batch.normalized.text)
            if kept > _KEEP_DOCUMENTS_CHARS:
                batch.shelve()
            batches.append(batch)
        return DetectedCorpus(batches, list(learned.values()))

    def _propagate_corpus(self, detected: "DetectedCorpus",
                          terms: Iterable[LearnedTerm] = ()) -> list[list[Span]]:
        learned = dict(self._learned)
        for term in [*detected.terms, *terms]:
            remember_term(learned, term)
        matchers = build_matchers(learned.values())
        results: list[list[Span]] = []
        for batch in detected.batches:
            if batch.doc is None:
                batch.doc = self.make_doc(batch.normalized, batch.normalised_starts)
                batch.doc.caseless_ranges = batch.caseless_ranges
            propagated = batch.clip(find_learned(batch.doc, matchers))
            results.extend(batch.split(self._resolve(batch.doc, batch.found + propagated)))
            batch.shelve()
        return results

    # scikit-learn style: learn identifier strings from a corpus, apply them to later texts

    def fit(self, texts: Iterable[str]) -> "Analyzer":
        """Forget learned strings, then learn those detected in ``texts``."""
        self._learned = {}
        return self.partial_fit(texts)

    def partial_fit(self, texts: Iterable[str]) -> "Analyzer":
        """Learn the identifier strings detected in ``texts``, keeping those already learned."""
        texts = list(texts)
        with _no_gc():
            for i, j in _batch_bounds(texts):
                batch = self._batch(texts[i:j])
                for term in self._terms_from(batch.doc, self._resolve(batch.doc, batch.found, original=False)):
                    remember_term(self._learned, term)
        return self

    def transform(self, text: str) -> list[Span]:
        """:meth:`analyze` with the strings learned by :meth:`fit` propagated into ``text``."""
        return self.analyze(text)

    def _batch(self, texts: Sequence[str], model_unless: "ModelUnless | None" = None) -> "_Batch":
        parts = [normalize(text) for text in texts]
        caseless: list[tuple[int, list[tuple[int, int]]]] = []
        for k, part in enumerate(parts):
            ranges = caseless_lines(part.text)
            if ranges:
                # the rules read a truecased copy (same length: offsets unchanged)
                parts[k] = dataclasses.replace(
                    part, text=truecase(part.text, ranges, self.lexicon, self.keep_list))
                caseless.append((k, ranges))
        joined, original_starts, normalised_starts = join(parts, _SEPARATOR)
        doc = self.make_doc(joined, normalised_starts)
        doc.caseless_ranges = [(normalised_starts[k] + low, normalised_starts[k] + high)
                               for k, ranges in caseless for low, high in ranges]
        batch = _Batch(doc, [len(t) for t in texts], original_starts,
                       [len(p.text) for p in parts], normalised_starts)
        if model_unless is None or not any(r.name in MODEL_DETECTORS for r in self.recognizers):
            batch.found = batch.clip(self.detect(doc))
        else:
            found = self.detect(doc, models=False)
            per_text = batch.split(self._resolve(doc, batch.clip(found)))
            if not all(map(model_unless, per_text)):
                found += self.detect(doc, rules=False)
            batch.found = batch.clip(found)
        doc.release()  # what propagation does not need
        return batch

    def learned_terms(self) -> list[LearnedTerm]:
        """The identifier strings learned so far (identifiable: store them encrypted)."""
        return list(self._learned.values())

    def remember(self, terms: Iterable[LearnedTerm | tuple[EntityType | str, str]]) -> None:
        """Add learned strings, e.g. restored from an earlier run's key."""
        for term in terms:
            if not isinstance(term, LearnedTerm):
                entity_type, text = term
                entity_type = EntityType(entity_type)
                common = self.lexicon.word_zipf(text) >= COMMON_PART_ZIPF and " " not in text
                # a known name inside a keep-term is reported for review unless it is an everyday
                # word ("Social" of a child's "Miss Social" stays inside "Children's Social Care")
                known = self.lexicon.word_zipf(text) < KNOWN_AMBIGUOUS_MAX_ZIPF
                for form in cased_forms(text, common):
                    remember_term(self._learned, LearnedTerm(form, entity_type, 0.9, common, known=known))
                continue
            remember_term(self._learned, term)

    # ------------------------------------------------------------------ propagation

    def _terms_from(self, doc: Doc, spans: list[Span]) -> Iterable[LearnedTerm]:
        """What a corpus teaches: confident findings and the name-like words in them.

        Low-confidence findings (the recall-first rule) are not spread: they are flagged
        wherever they recur anyway, and spreading a wrong one would cost every occurrence.
        A word that a dictionary writes in lower case is spread only capitalised, and only
        when it is a name itself ("Will" of "Will Tanner", not "Agile" of "Disciplined Agile").
        """
        lexicon = self.lexicon
        keep_list = self.keep_list
        for span in spans:
            low = span.confidence < PROPAGATE_MIN_CONFIDENCE
            if span.type not in PROPAGATED or (low and span.type not in NAME_LIKE):
                continue
            text = doc.text[span.start:span.end]
            confidence = min(span.confidence, 0.9)
            if span.type not in NAME_LIKE:
                yield LearnedTerm(text, span.type, confidence, False)
                continue
            parts = [p.removesuffix("'S") for p in _PART_RE.findall(text)]
            ordinary = [lexicon.is_word(p.removesuffix("'s")) for p in parts]
            if low:
                # an unexplained word ("Sabriya", "BRACKENSHAW") is worth finding in lower
                # case too; an ordinary one ("Agile") or an acronym is not
                name_like = not all(ordinary)
                for part, is_word in zip(parts, ordinary):
                    bare = part.removesuffix("'s")
                    if len(bare) <= 2 or not bare[0].isupper() or bare in keep_list \
                            or (bare.isupper() and not capitals_read_as_word(bare, lexicon)):
                        continue
                    zipf = lexicon.word_zipf(bare)
                    if not is_word and zipf < COMMON_PART_ZIPF:
                        yield LearnedTerm(bare, span.type, span.confidence, False)
                    elif is_word and name_like and zipf < RARE_WORD_IN_NAME_ZIPF:
                        # "Pennyworth" of "Ionuț Pennyworth": a rare word beside an unexplained
                        # one is found again capitalised or in capitals, never in lower case
                        for form in cased_forms(bare, True):
                            yield LearnedTerm(form, span.type, span.confidence, True)
                continue
            if len(parts) > 1:
                for form in cased_forms(text, all(ordinary)):
                    yield LearnedTerm(form, span.type, confidence, all(ordinary))
                yield from self._short_forms(span.type, parts)
                if span.type is EntityType.PERSON:
                    yield from self._said_before(doc, span, parts[0])
                if span.type is not EntityType.PERSON:
                    # "Holy Trinity" of "Holy Trinity Catholic High School": the name without
                    # its kind, as a phrase (its words alone may be everyday ones)
                    name = list(parts)
                    while name and name[-1].lower() in _KIND_WORDS:
                        name.pop()
                    if 2 <= len(name) < len(parts) and name[0].lower() not in DETERMINERS \
                            and all(p[:1].isupper() for p in name):
                        phrase = text[:[m.end() for m in _PART_RE.finditer(text)][len(name) - 1]]
                        if phrase not in keep_list:
                            for form in cased_forms(phrase, True):
                                yield LearnedTerm(form, span.type, min(confidence, 0.8), True)
                if span.type is not EntityType.PERSON and parts[-1].lower() in _BACK_REFERENCES:
                    # "Hollinsford Grange" ... "at the Grange"
                    last = parts[-1].title() if parts[-1].isupper() else parts[-1]
                    for article in ("the", "The"):
                        yield LearnedTerm(f"{article} {last}", span.type, min(confidence, 0.8), True)
            elif span.type is EntityType.PERSON and "-" in parts[0]:
                yield from self._short_forms(span.type, [parts[0].removesuffix("'s")])
            yield from self._alias_after(doc, span, confidence)
            for part, is_word in zip(parts, ordinary):
                bare = part.removesuffix("'s")
                lower = bare.lower()
                if len(bare) < 2 or lower in _GENERIC_PARTS or lower in FUNCTION_WORDS or bare in keep_list:
                    continue  # never a function word ("In" of "In Hong Kong's High Court")
                if bare.isupper() and len(parts) > 1 and not capitals_read_as_word(bare, lexicon):
                    continue  # an initialism inside a longer name
                if not bare[0].isupper():
                    continue
                if is_word and not lexicon.is_name(bare) and (len(parts) > 1 or span.type is not EntityType.PERSON) \
                        and not lexicon.word_zipf(bare) < RARE_WORD_IN_NAME_ZIPF:
                    continue  # "Agile" of "Disciplined Agile"; not "Pennyworth" of "Zoë Pennyworth",
                    # "Kingfisher" of "Kingfisher Academy"
                common = is_word or lexicon.word_zipf(bare) >= COMMON_PART_ZIPF
                for form in cased_forms(bare, common):
                    yield LearnedTerm(form, span.type, confidence, common, of_full_name=len(parts) > 1)
                if bare != part and span.type is not EntityType.PERSON:
                    for form in cased_forms(part, common):
                        yield LearnedTerm(form, span.type, confidence, common, of_full_name=len(parts) > 1)

    def _said_before(self, doc: Doc, span: Span, first: str) -> Iterable[LearnedTerm]:
        """The short form a speaker says just before a full name ("Aggie, Agnieszka Kowalczyk",
        "Rhi, Rhiannon Pryce"): a word that opens as the first name does (two letters or
        more), set off by a comma, is what the person is called, found again wherever it
        recurs, however ordinary a word it is as well."""
        match = _SAID_BEFORE_RE.search(doc.text, max(0, span.start - 30), span.start)
        if match is None:
            return
        said = match.group(1)
        lower = said.lower()
        if lower in FUNCTION_WORDS or lower in FILLERS or said in self.keep_list or len(said) < 2 \
                or not first.lower().startswith(lower[:2]) or lower == first.lower():
            return
        common = self.lexicon.is_word(lower)
        for form in cased_forms(said, common):
            yield LearnedTerm(form, EntityType.PERSON, SHORT_FORM_CONFIDENCE, common, of_full_name=True)

    def _alias_after(self, doc: Doc, span: Span, confidence: float) -> Iterable[LearnedTerm]:
        """A second name given straight after a confident one ("..., which everyone calls the
        Wren"): the same identifier, found again wherever it recurs. In cased text the alias
        is capitalised; in a caseless line any word that is no function word."""
        match = _ALIAS_AFTER_RE.match(doc.text, span.end)
        if match is None:
            return
        article, first, second = match.groups()
        caseless = inside_ranges(getattr(doc, "caseless_ranges", ()), match.start(2), match.end(2))
        if first.lower() in FUNCTION_WORDS or first.lower() in DETERMINERS or len(first) < 2 \
                or not (first[0].isupper() or caseless) or first in self.keep_list:
            return
        alias = first if second is None else f"{first} {second}"
        common = self.lexicon.is_word(first.lower()) and second is None
        confidence = min(confidence, 0.8)
        if article and common:
            # "the Wren": an everyday word, said with its article as the place's name
            for form in ("the", "The"):
                for cased in cased_forms(f"{form} {alias[0].upper()}{alias[1:]}", True):
                    yield LearnedTerm(cased, span.type, confidence, True)
        elif not common:
            yield LearnedTerm(alias, span.type, confidence, False)
        else:
            for form in cased_forms(alias[0].upper() + alias[1:], True):
                yield LearnedTerm(form, span.type, confidence, True)

    def _short_forms(self, entity_type: EntityType, parts: list[str]) -> Iterable[LearnedTerm]:
        """How a full name found in the corpus is written short elsewhere: a person's initials
        with dots ("J.M.", "J. M."), a school's or organisation's initials in capitals ("OHS"
        of "Oakfield High School", generic words included), and the first syllable of a
        person's first name used as a name ("Dev" of "Devansh", "Kay" of "Kayleigh"). Only
        forms no dictionary or keep-list explains; capitalised, case-sensitive, at a
        confidence that fails ``qual check`` and goes to review."""
        lexicon, keep_list = self.lexicon, self.keep_list
        capitalised = [p for p in parts if p[:1].isupper() and p.lower() not in PARTICLES
                       and p.lower() not in FUNCTION_WORDS]

        # a person's initials are as rare as a first syllable ("MF" of "Miles Fairweather", an
        # abbreviation too); an organisation's must be rarer, every acronym being a candidate
        most_common = SHORT_FORM_MAX_ZIPF - (0.0 if entity_type is EntityType.PERSON else 0.5)

        def initials(*candidates: str) -> Iterable[LearnedTerm]:
            for form in dict.fromkeys(candidates):
                if 2 <= len(form) <= 5 and form not in keep_list and lexicon.word_zipf(form) < most_common:
                    yield LearnedTerm(form, entity_type, SHORT_FORM_CONFIDENCE, True, of_full_name=True)

        if entity_type is EntityType.PERSON and capitalised:
            # "TJ" of "Tyler-Jay", alone or with a surname
            halves = [p for p in capitalised[0].split("-") if p[:1].isupper()]
            if len(halves) == 2 and len(capitalised) == 1:
                yield from initials(halves[0][0] + halves[1][0])
        if len(capitalised) < 2:
            return
        if entity_type is EntityType.PERSON:
            first, last = capitalised[0], capitalised[-1]
            for form in (f"{first[0]}.{last[0]}.", f"{first[0]}. {last[0]}."):
                yield LearnedTerm(form, entity_type, SHORT_FORM_CONFIDENCE, True, of_full_name=True)
            # "TJ" of "Tyler-Jay Smith" (the first name's parts) or of "Tyler Johnson"
            yield from initials("".join(p[0] for p in halves), first[0] + last[0])
            if len(first) >= 5 and not first.isupper():
                for size in (3, 4):
                    prefix = first[:size]
                    if size <= len(first) - 2 and prefix.lower() not in FUNCTION_WORDS \
                            and prefix not in keep_list and (lexicon.word_zipf(prefix) < SHORT_FORM_MAX_ZIPF
                                                              or lexicon.first_name_count(prefix)):
                        yield LearnedTerm(prefix, entity_type, SHORT_FORM_CONFIDENCE, True, of_full_name=True)
        elif entity_type in NAME_LIKE:
            words = [p for p in capitalised if p.lower() not in DETERMINERS]
            proper = [p for p in words if p.lower() not in _GENERIC_HEADS]
            # "OHS" of "Oakfield High School"; "BL" of "Bishop Latimer Academy"
            yield from initials(*("".join(p[0] for p in group).upper() for group in (words, proper)))
            # "Bride's" of "St Bride's Catholic College": the saint, as the school is called
            if len(parts) > 1 and parts[0].lower() in ("st", "saint") and parts[1].endswith("'s") \
                    and parts[1] not in keep_list:
                yield LearnedTerm(parts[1], entity_type, SHORT_FORM_CONFIDENCE, True, of_full_name=True)
            # "Our Lady's" of "Our Lady of Lourdes Catholic College", "St Thomas's" of "St Thomas
            # of Canterbury School": what comes before "of", as its owner
            if "of" in parts and entity_type is not EntityType.LOCAL_AUTHORITY:
                before = parts[:parts.index("of")]
                named = [p for p in before if p.lower() not in _HEADS and p.lower() not in DETERMINERS]
                if named and before[-1].lower() not in _HEADS and all(p[:1].isupper() for p in before):
                    owner = " ".join(before) + ("'" if before[-1].endswith("s") else "'s")
                    if owner not in keep_list:
                        yield LearnedTerm(owner, entity_type, SHORT_FORM_CONFIDENCE, True, of_full_name=True)

    # ------------------------------------------------------------------ resolution

    def _resolve(self, doc: Doc, spans: list[Span], original: bool = True) -> list[Span]:
        """Non-overlapping spans (see :mod:`qual.deid.spans`); on the original text when
        ``original`` is true."""
        candidates = [span for span in spans
                      if span.confidence >= self.threshold and span.end > span.start
                      and not (doc.is_kept(span.start, span.end) and span.detector not in OVERRIDES_KEEP)]
        if any(span.detector in MODEL_DETECTORS for span in candidates):
            candidates = defer_to_rules(doc, candidates)
        candidates = continue_names(doc, candidates)
        resolved = []
        for start, end, best in resolve(doc.text, candidates):
            if original:
                start, end = doc.normalized.to_original(start, end)
                surface = doc.normalized.original[start:end]
            else:
                surface = doc.text[start:end]
            resolved.append(Span(start, end, best.type, best.detector, best.confidence, surface))
        return resolved
