"""Named-entity recognition through a spaCy pipeline.

``Analyzer(ner="auto")`` uses an installed ``en_core_web_*`` package when spaCy can load
one (found from the installed packages' entry points, never from the network), else the model that
ships with qual when there is one, else none: the gazetteers and rules then carry detection
on their own. ``ner="<path or package>"`` loads that pipeline; ``ner=None`` turns NER off.

Only the ``ner`` component (and the ``tok2vec``/``transformer`` it listens to) runs. Entity
labels map to :class:`~qual.deid.types.EntityType` (PERSON/PER, GPE/LOC/FAC, ORG, DATE);
other labels (NORP, CARDINAL, MISC, ...) are no identifiers here.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import BREAK_CHARS, Doc, Recognizer
from .lexicon import resource_path

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger("qual.deid.ner")

# Detectors of a learned model: their spans give way to the rules' (see defer_to_rules).
MODEL_DETECTORS = frozenset({"ner.spacy"})

LABELS: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON, "PER": EntityType.PERSON, "PERS": EntityType.PERSON,
    "GPE": EntityType.PLACE, "LOC": EntityType.PLACE, "FAC": EntityType.PLACE,
    "LOCATION": EntityType.PLACE, "GEO": EntityType.PLACE,
    "ORG": EntityType.ORGANISATION, "ORGANIZATION": EntityType.ORGANISATION,
    "ORGANISATION": EntityType.ORGANISATION, "CORPORATION": EntityType.ORGANISATION,
    "GROUP": EntityType.ORGANISATION,
    "DATE": EntityType.DATE,
}
# Preference when several en_core_web packages are installed: the small one is fastest and
# its entities are what the rules do not already find.
_PREFERENCE = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf")
SHIPPED_MODEL = "ner_model"
NER_CONFIDENCE = 0.7
_CHUNK = re.compile(r"[^\n]+")
# Lines longer than this are cut at a space: nlp.pipe holds a batch of pieces at once, and a
# batch of 50,000-character pieces peaked at 4.5 GB where 5,000-character ones took 1.3 GB,
# with the same entities and less CPU (docs/ner-model.md).
_CHUNK_MAX = 5_000
_SHORT_PIECE = 600
_BATCH_CHARACTERS = 20_000
# Pipelines loaded in this process, by model name: loaded once, shared by every recognizer
# (and inherited by forked workers).
_PIPELINES: dict[str, "Language"] = {}


def installed_english_models() -> list[str]:
    """Installed ``en_core_web_*`` spaCy packages, preferred first.

    Read from the ``spacy_models`` entry points that spaCy's model packages declare (what
    ``spacy.util.get_installed_models`` reads too), without importing spaCy - a 3-second
    import - when there is none, and never touching the network. Entry points are read in a
    few milliseconds, so ``qual check`` starts fast; a broken environment means "none".
    """
    try:
        from importlib.metadata import entry_points

        names = {entry.name.replace("-", "_").lower() for entry in entry_points(group="spacy_models")}
    except Exception:  # noqa: BLE001 - unreadable metadata: no model to offer
        names = set()
    found = [n for n in names if n.startswith("en_core_web_")]
    return sorted(found, key=lambda n: (_PREFERENCE.index(n) if n in _PREFERENCE else 99, n))


def shipped_model_path() -> Path | None:
    path = resource_path(SHIPPED_MODEL)
    return path if (path / "config.cfg").exists() else None


def resolve_ner(ner: Any) -> "str | Path | Language | None":
    """What ``Analyzer(ner=...)`` should load: ``"auto"`` picks an installed English model,
    then the shipped one, then none (spaCy is imported only when there is a model to load)."""
    if ner is None or ner is False:
        return None
    if ner == "auto":
        for name in installed_english_models():
            try:
                import spacy

                return spacy.load(name)
            except Exception as error:  # noqa: BLE001 - unusable package: fall back
                log.info("spaCy model %s is installed but cannot be loaded (%s)", name,
                         type(error).__name__)
        return shipped_model_path()
    if ner == "shipped":
        path = shipped_model_path()
        if path is None:
            from ...errors import QualError

            raise QualError("no NER model ships with this installation of qual; use ner='auto'")
        return path
    return ner


def load_pipeline(model: "str | Path | Language") -> "Language":
    """Load a spaCy pipeline with only its NER (and what NER listens to) enabled."""
    shipped = isinstance(model, (str, Path)) and _is_shipped(model)
    with _spacy_without_torch() if shipped else contextlib.nullcontext():
        import spacy
    from spacy.language import Language

    if isinstance(model, Language):
        nlp = model
    else:
        try:
            if shipped:
                with _without_entry_point_factories():
                    nlp = spacy.load(model)
            else:
                nlp = spacy.load(model)
        except (OSError, IOError) as error:
            from ...errors import QualError

            raise QualError(f"{model}: cannot load this spaCy model ({type(error).__name__}); give "
                            "the path of a saved pipeline or an installed package name") from None
    if "ner" not in nlp.pipe_names:
        from ...errors import QualError

        raise QualError(f"{model}: this spaCy pipeline has no 'ner' component")
    needed = {"ner", "tok2vec", "transformer"}
    disable = [name for name in nlp.pipe_names if name not in needed]
    if disable:
        nlp.select_pipes(disable=disable)
    return nlp


def _is_shipped(model: "str | Path") -> bool:
    shipped = shipped_model_path()
    try:
        return shipped is not None and Path(model).resolve() == shipped.resolve()
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _spacy_without_torch():
    """spaCy imports thinc, which imports PyTorch when it is installed (for the coding
    extras): 2 of the 3 seconds spaCy takes to import. qual's model is made of spaCy's own CPU
    components and needs no PyTorch, so when spaCy is first imported to load it, ``import
    torch`` is made to fail for that moment (thinc then leaves its PyTorch layers out of this
    process; everything else, sentence-transformers included, imports torch as usual)."""
    import sys

    if "thinc" in sys.modules or "torch" in sys.modules:
        yield  # too late, or already paid for
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


@contextlib.contextmanager
def _without_entry_point_factories():
    """spaCy imports every pipeline factory other packages declare as entry points each time it
    makes a pipeline; Presidio's alone imports transformers (8 s). qual's model is made of
    spaCy's own components, so for it the entry-point group is pointed at an empty one."""
    from spacy import util

    factories = util.registry._entry_point_factories
    namespace = factories.entry_point_namespace
    factories.entry_point_namespace = "qual_no_spacy_factories"
    try:
        yield
    finally:
        factories.entry_point_namespace = namespace


@register_recognizer("ner.spacy")
class SpacyNerRecognizer(Recognizer):
    """Entities from a spaCy model, mapped to qual's entity types.

    The model reads the sentences of a document that could hold a name the rules have not
    settled (:func:`worth_reading`; all of them with ``read_every_sentence``) in one
    ``nlp.pipe`` call (the analyzer joins a batch of texts into one document, so that is every
    turn of the batch). Lines of a text the
    analyzer found caseless (``doc.caseless_ranges``) are read lower-cased, as the shipped
    model was trained to read them. ``confidence`` is the model's span confidence before
    :func:`calibrate` lowers it for spans of ordinary words; the analyzer decides how a model
    span combines with the rules' (see :mod:`qual.deid.analyzer`).
    """

    entity_types = frozenset(set(LABELS.values()))

    def __init__(self, model: "str | Path | Language", confidence: float = NER_CONFIDENCE,
                 batch_size: int = 64, read_every_sentence: bool = False) -> None:
        if isinstance(model, (str, Path)):
            self.model_name = str(model)
            self._source = self.model_name
        else:
            self.model_name = getattr(model, "meta", {}).get("name", "custom")
            self._source = None  # a caller's Language: kept as given
            _PIPELINES.setdefault(f"<object {id(model)}>", load_pipeline(model))
            self._object_key = f"<object {id(model)}>"
        self.confidence = confidence
        self.batch_size = batch_size
        # False: the model reads only sentences with a word a span of it could stand on
        self.read_every_sentence = read_every_sentence
        if self._source is None or not _is_shipped(self._source):
            # load now: a bad path fails here, not in the middle of a run. The shipped model
            # is known good and loads on first use (2 s; a check whose files all fail on the
            # rules never needs it)
            self.nlp

    # The pipeline is no attribute, so pickling a recognizer for a worker process sends its
    # model's name only; the worker loads the model once (a forked one finds it loaded).
    @property
    def nlp(self) -> "Language":
        key = self._source if self._source is not None else self._object_key
        nlp = _PIPELINES.get(key)
        if nlp is None:
            nlp = _PIPELINES[key] = load_pipeline(key)
        return nlp

    def pieces(self, doc: Doc) -> list[tuple[int, str]]:
        """``(offset, text)`` of the runs of sentences the model reads: every non-blank line
        of ``doc`` less its sentences that hold no word a model span could stand on (see
        :func:`worth_reading`, when ``read_every_sentence`` is off), long runs cut at a space,
        lines in caseless ranges lower-cased."""
        text = doc.text
        caseless = getattr(doc, "caseless_ranges", ())
        lowered = doc.lowered if caseless else text
        pieces: list[tuple[int, str]] = []
        settled = None if self.read_every_sentence else doc.keep_words | found_by_rules(doc)
        for match in _CHUNK.finditer(text):
            if not match.group().strip():
                continue
            line_is_caseless = bool(caseless) and _inside(caseless, match.start(), match.end())
            source = lowered if line_is_caseless else text
            runs = ([match.span()] if self.read_every_sentence
                    else worth_reading(doc, match.start(), match.end(), line_is_caseless, settled))
            for offset, end in runs:
                chunk = source[offset:end]
                while len(chunk) > _CHUNK_MAX:
                    cut = chunk.rfind(" ", 0, _CHUNK_MAX)
                    cut = cut if cut > 0 else _CHUNK_MAX
                    pieces.append((offset, chunk[:cut]))
                    offset, chunk = offset + cut, chunk[cut:]
                pieces.append((offset, chunk))
        return pieces

    def parsed(self, pieces: list[tuple[int, str]]) -> Iterable[tuple[int, Any]]:
        """``(offset, spaCy Doc)`` of every piece. Short pieces (turns) go ``batch_size`` at a
        time; long ones a few at a time, so that no batch holds more than about
        ``_BATCH_CHARACTERS`` (the model's working memory grows with a batch's length: 64
        pieces of 5,000 characters peaked at 1.1 GB, 8 at 0.55 GB)."""
        short = [(offset, piece) for offset, piece in pieces if len(piece) <= _SHORT_PIECE]
        long = [(offset, piece) for offset, piece in pieces if len(piece) > _SHORT_PIECE]
        for group, size in ((short, self.batch_size), (long, max(1, _BATCH_CHARACTERS // _CHUNK_MAX))):
            if group:
                yield from zip((offset for offset, _ in group),
                               self.nlp.pipe((piece for _, piece in group), batch_size=size))

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        for offset, parsed in self.parsed(self.pieces(doc)):
            for entity in parsed.ents:
                entity_type = LABELS.get(entity.label_.upper())
                if entity_type is None:
                    continue
                start = offset + entity.start_char
                end = offset + entity.end_char
                if text[start:end].strip():
                    confidence = calibrate(doc, start, end, entity_type, self.confidence)
                    yield self.span(doc, start, end, entity_type, confidence)


# A listed name that is this much commoner as a word than as a name ("So", "Well", "Just";
# see Lexicon.name_vs_word) is no reason to read its sentence when it opens one or stands in a
# caseless line; "Will" (-3.0), "Mark", "Hunter", "May" are.
_NAME_OVER_WORD_FLOOR = -3.1
# A rule span this confident settles its words (found_by_rules): they are redacted, and
# would fail the check gate (0.4), whatever the model says of them.
RULES_SURE = 0.5
# Words read on each side of a sentence with a candidate word.
CONTEXT_WORDS = 4
# A listed place that is this common a word ("Street", "Hope") is no reason to read its
# sentence when it opens one; "Reading" (5.1) and "Turkey" (4.6) are.
_PLACE_WORD_ZIPF = 5.2
# A word this rare opening a sentence may be a name nobody listed ("Deco", "Massively": the
# model tells).
_RARE_WORD_ZIPF = 4.0
# Words this common ("The", "She", "There") capitalised mid-sentence (after a label, a
# comma splice) or with "'s" ("That's") say nothing about a name.
_COMMON_WORD_ZIPF = 6.0
# the endings of contractions ("I'd", "don't", "we've"): a word of them is explained
_CONTRACTION_ENDINGS = frozenset({"d", "m", "s", "t", "ve", "ll", "re", "nt"})
# every character that can end a sentence (base.BREAK_CHARS) and a dash
_ANY_BREAK_RE = re.compile("[" + re.escape("".join(sorted(BREAK_CHARS))) + "\\-]")
# word as written -> can it hold a name (in caseless text, opening a sentence, mid-sentence):
# kept on each lexicon (Lexicon.readings_cache), bounded
_READINGS_MAX = 400_000


def worth_reading(doc: Doc, start: int, end: int, caseless: bool = False,
                  settled: "set[int] | None" = None) -> list[tuple[int, int]]:
    """The runs of sentences of ``doc.text[start:end]`` that hold a word a model span could
    stand on, as ``(start, end)`` ranges; the model reads these and skips the rest.

    A span of the model is kept only when it holds a word (:func:`calibrate`), outside a
    keep-term, that is no dictionary word ("Zaviyar", "Liquidlogic", "DSL"), a listed name or
    place written as one (capitalised mid-sentence, or at a sentence's start or in caseless
    text when it is not far commoner as a word: "Hunter", "Will", "Turkey", not "So"), or a
    capitalised ordinary word mid-sentence (of "Bell Lane Family Centre") or with a
    possessive ("Arsenal's"). A sentence with none of these - most of an interview's speech -
    can give no span worth keeping, so the model (most of de-identification's time) does not
    read it. A sentence without a capital letter is read as caseless text. Sentences are read
    in runs, with the context of their neighbours. ``settled``: indices of words that are
    no reason to read (default: the words of keep-terms).
    """
    first = bisect.bisect_left(doc.starts, start)
    last = bisect.bisect_left(doc.starts, end)
    words, lexicon, text = doc.words, doc.lexicon, doc.text
    # the words that could hold a name where they stand; only their sentences are looked at
    candidates = _candidates(doc, doc.keep_words if settled is None else settled)
    maybe = candidates[bisect.bisect_left(candidates, first):bisect.bisect_left(candidates, last)]
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(maybe):
        # the sentence around the next such word: words i..stop-1
        i = maybe[k]
        while i > first and not doc.sentence_initial(i):
            i -= 1
        stop = maybe[k] + 1
        while stop < last and not doc.sentence_initial(stop):
            stop += 1
        sentence_start = start if i == first else doc.starts[i]
        sentence_end = end if stop == last else doc.starts[stop]
        without_capitals = caseless or text[sentence_start:sentence_end].islower()
        wanted = False
        while k < len(maybe) and maybe[k] < stop:
            j = maybe[k]
            wanted = wanted or _readings(lexicon, words[j])[0 if without_capitals else 1 if j == i else 2]
            k += 1
        if not wanted:
            continue
        # read with a few words on each side: the model's reading of a name leans on the
        # words around it, across a sentence's end too ("so honest. poor jimmy xd")
        low = doc.starts[i - CONTEXT_WORDS] if i - CONTEXT_WORDS > first else start
        high = doc.ends[stop - 1 + CONTEXT_WORDS] if stop - 1 + CONTEXT_WORDS < last - 1 else end
        high = max(high, sentence_end)
        if runs and runs[-1][1] >= low:
            runs[-1] = (runs[-1][0], max(runs[-1][1], high))
        else:
            runs.append((low, high))
    return runs


def _candidates(doc: Doc, settled: set[int]) -> list[int]:
    """Indices of the words of ``doc`` outside ``settled`` that could hold a name: in caseless
    text, mid-sentence, or opening a sentence where they do (computed once per document)."""
    cached = doc.model_candidates
    if cached is not None and cached[0] is settled:
        return cached[1]
    lexicon, text, lowered = doc.lexicon, doc.text, doc.lowered
    readings = {word: _readings(lexicon, word) for word in set(doc.words)}
    caseless_ranges = getattr(doc, "caseless_ranges", ())
    breaks: list[int] | None = None
    found = []
    for j, word in enumerate(doc.words):
        caseless, opening, within = readings[word]
        if j in settled or not (caseless or within or opening and doc.sentence_initial(j)):
            continue
        if caseless and not (within or opening):
            # a word that counts in text without capitals only ("will", "fine"): only in a
            # caseless line, or a stretch between sentence breaks with no capital (a
            # sentence holds that stretch, so its capital is the sentence's too)
            start, end = doc.starts[j], doc.ends[j]
            if not (caseless_ranges and _inside(caseless_ranges, start, end)):
                if breaks is None:
                    breaks = [m.start() for m in _ANY_BREAK_RE.finditer(text)]
                k = bisect.bisect_left(breaks, start)
                low = breaks[k - 1] if k > 0 else 0
                high = breaks[k] if k < len(breaks) else len(text)
                if text[low:high] != lowered[low:high]:
                    continue
        found.append(j)
    doc.model_candidates = (settled, found)
    return found


def found_by_rules(doc: Doc) -> set[int]:
    """Indices of the words inside spans the rules found with confidence (``RULES_SURE``;
    ``doc.rule_spans``): a model span there gives way to theirs (defer_to_rules), so
    they are no reason to read a sentence. A name beside them that they did not find
    ("Thornbury" after their "Kayden") still has its sentence read."""
    covered: set[int] = set()
    starts, ends = doc.starts, doc.ends
    for span in doc.rule_spans:
        if span.confidence < RULES_SURE:
            continue
        i = bisect.bisect_left(ends, span.start + 1)
        while i < len(starts) and starts[i] < span.end:
            if ends[i] <= span.end:
                covered.add(i)
            i += 1
    return covered


def _readings(lexicon, word: str) -> tuple[bool, bool, bool]:
    """Whether ``word`` (as written) can hold a name in caseless text, opening a sentence,
    and mid-sentence (cached)."""
    cache = lexicon.readings_cache
    readings = cache.get(word)
    if readings is None:
        if len(cache) >= _READINGS_MAX:
            cache.clear()
        readings = cache[word] = _word_readings(lexicon, word)
    return readings


def _word_readings(lexicon, word: str) -> tuple[bool, bool, bool]:
    if len(word) < 2 or not word.isalpha() and not _WORD_RE.fullmatch(word):
        return False, False, False  # a letter, a number, a code: the rules judge those
    possessive = False
    bare = word
    if "'" in word:
        stem = word[:-3] if word.lower().endswith("n't") else word  # "couldn't", "isn't"
        parts = [p for p in stem.split("'") if p]
        bare = parts[0] if parts else word
        possessive = len(parts) == 2 and parts[1] in ("s", "S")
        if not all(lexicon.is_word(p) or p.lower() in _CONTRACTION_ENDINGS or len(p) == 1
                   for p in parts):
            return True, True, True
    if not lexicon.is_word(bare):
        return True, True, True
    title = bare.title()
    place = title in lexicon.places or title in lexicon.countries or title in lexicon.local_authorities
    is_name = lexicon.is_name(title)
    name_vs_word = lexicon.name_vs_word(title) if is_name else -math.inf
    # a listed name or place not far commoner as a word: "Hunter", "Will", "Turkey", not "So"
    plausible = (place and lexicon.word_zipf(bare) < _PLACE_WORD_ZIPF
                 or name_vs_word > _NAME_OVER_WORD_FLOOR)
    if not word[0].isupper():
        # in cased text, a name typed in lower case when it is mostly a name ("mason")
        return plausible, name_vs_word > 0, name_vs_word > 0
    if word.isupper():
        # a country ("US"); mid-sentence, a word in capitals ("the one in DECKS") or a name
        country = len(word) <= 3 and bare in lexicon.countries
        return plausible, country, country or len(word) >= 4
    # mid-sentence capitals, unless on a word as common as "The", "We"; the same with "'s"
    # ("Arsenal's" opening a sentence, not "That's")
    zipf = lexicon.word_zipf(bare)
    capitalised = zipf < _COMMON_WORD_ZIPF or is_name or place
    # opening a sentence: a listed name or place, a rare word ("Deco is still with ..."), a
    # possessive ("Arsenal's")
    return plausible, plausible or zipf < _RARE_WORD_ZIPF or (possessive and capitalised), capitalised


def _inside(ranges, start: int, end: int) -> bool:
    i = bisect.bisect_right(ranges, (start, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= start and end <= ranges[i][1]


# Confidence of a model span, by what its words are. A model span is one signal beside the
# rules: it is redacted by ``qual deidentify`` (the analyzer's threshold is 0.3) but fails
# ``qual check`` (gate 0.4) only when something besides the model says "name": a word no
# dictionary explains, or a listed name capitalised. Spans of ordinary words only ("Agile",
# "thresholds", "Lockdown") are reported for review. None of these reach the confidence at
# which a finding is propagated through the corpus (0.7): the analyzer's low-confidence rule
# spreads only the words of a model span that no dictionary explains.
MODEL_UNEXPLAINED = 0.6      # a word no dictionary explains ("Zaviyar", "Thornbury")
MODEL_LISTED_NAME = 0.55     # a listed name (first name, surname, place) that is also a word
MODEL_LOWER_UNEXPLAINED = 0.38  # the same in lower case, listed nowhere ("codebook")
MODEL_ORDINARY = 0.35        # nothing but ordinary words
MODEL_NO_WORD = 0.2          # no word at all ("D04", "SW05_interview.vtt")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
# a token that can be (part of) a name: letters, inner apostrophes and hyphens, initials
# ("J.M."), edge punctuation
_NAME_TOKEN_RE = re.compile(r"[^\w]*(?:[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*|(?:[^\W\d_]\.)+[^\W\d_]?)[^\w]*")
_SMALL_WORDS = frozenset({"the", "of", "and", "de", "la", "le", "van", "von", "st", "mr", "mrs",
                          "ms", "miss", "dr", "a", "an", "in", "on", "at"})


def calibrate(doc: Doc, start: int, end: int, entity_type: EntityType, confidence: float) -> float:
    """The confidence of a model span over ``doc.text[start:end]`` (see ``MODEL_*``)."""
    lexicon = doc.lexicon
    # words of the span's free-standing tokens: a token glued to digits, underscores or dots
    # ("SW05_interview.vtt", "v2.docx") is a code or a file name, which the rules judge
    words = [w.removesuffix("'s").removesuffix("'S")
             for token in doc.text[start:end].split() if _NAME_TOKEN_RE.fullmatch(token)
             for w in _WORD_RE.findall(token)]
    words = [w for w in words if w.lower() not in _SMALL_WORDS and len(w) > 1]
    if not words:
        # no word that could be a name: a code, a file name, a number, "the" (the rules judge
        # codes); below the analyzer's threshold, so dropped
        return min(confidence, MODEL_NO_WORD)
    listed = any(lexicon.is_name(w) or w.title() in lexicon.places or w.title() in lexicon.local_authorities
                 for w in words)
    cased = any(w[:1].isupper() for w in words) or not doc.text[start:end].islower()
    if any(not lexicon.is_word(w) for w in words):
        # in lower case an unexplained word may be a file name or a code ("codebook"): the
        # rules' caseless reading judges those; the model's span is for review
        return min(confidence, MODEL_UNEXPLAINED if cased or listed else MODEL_LOWER_UNEXPLAINED)
    # a listed name that is also a word counts as a name only written as one ("Reading"), not
    # in capitals ("TEXT", "NULL" of SQL, a shouted word): capitals there say nothing
    if listed and any(w[:1].isupper() and not w.isupper() for w in words):
        return min(confidence, MODEL_LISTED_NAME)
    return min(confidence, MODEL_ORDINARY)


def defer_to_rules(doc: Doc, spans: list[Span]) -> list[Span]:
    """Model spans beside the rules' spans: where a model span overlaps spans of the rules, the
    rules' spans and types stand, and what the model span adds beyond them stays only when it
    holds a word that reads as a name (``calibrate`` above ``MODEL_ORDINARY``: "Thornbury" after
    a rule's "Kayden", not "said" or "the school"); it then takes the type of the rule span it
    touches, so "Kayden" + "Thornbury" is one person."""
    # what propagation found stands, and cuts no model span (it may have learned from one)
    rules = sorted((s for s in spans if s.detector not in MODEL_DETECTORS and not _propagated(s)),
                   key=lambda s: s.start)
    out = list(rules)
    rule_starts = [s.start for s in rules]
    text = doc.text
    for model in (s for s in spans if s.detector in MODEL_DETECTORS):
        low = bisect.bisect_left(rule_starts, model.start - 2000)  # no rule span is that long
        touching = [r for r in rules[low:bisect.bisect_left(rule_starts, model.end)]
                    if r.end > model.start]
        if not touching:
            out.append(model)
            continue
        position, pieces = model.start, []
        for rule in touching:
            if rule.start > position:
                pieces.append((position, rule.start))
            position = max(position, rule.end)
        if position < model.end:
            pieces.append((position, model.end))
        for start, end in pieces:
            while start < end and not text[start].isalnum():
                start += 1
            while end > start and not text[end - 1].isalnum():
                end -= 1
            if end <= start or calibrate(doc, start, end, model.type, model.confidence) <= MODEL_ORDINARY:
                continue
            neighbour = next((r for r in touching if 0 <= start - r.end <= 1 or 0 <= r.start - end <= 1), None)
            entity_type = neighbour.type if neighbour is not None else model.type
            out.append(Span(start, end, entity_type, model.detector, model.confidence, text[start:end]))
    return out + [s for s in spans if _propagated(s)]  # last: a tie names the finder


def _propagated(span: Span) -> bool:
    """Found by propagation ("propagation", "propagation.heard_apart")."""
    return span.detector.split(".")[0] == "propagation"
