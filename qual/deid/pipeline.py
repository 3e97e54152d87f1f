"""De-identification of transcripts: detect, link, pseudonymise, write, log, review.

``Deidentifier`` is the engine, in the scikit-learn style a notebook user knows:

>>> deid = Deidentifier(key=EntityTable())       # or a table read with qual.deid.key
>>> clean = deid.fit_transform(transcripts)       # corpus-wide detection and linking
>>> deid.log                                      # DataFrame: document, turn, type, pseudonym ...

``deidentify()`` is the whole ``qual deidentify`` command as a function: ingest, read the
review decisions, de-identify with the encrypted key, write ``DIR/<stem>.docx``,
``DIR/<stem>.txt``, ``DIR/corpus.jsonl`` and ``DIR/deid_log.csv``, and the review sheet.

What a de-identified transcript keeps and loses:

* every turn's text, with each identifier replaced by its entity's tag (or surrogate);
  transcriber annotations such as ``[laughs]`` and timestamps are kept as written;
* speaker labels that hold a name are replaced by the person's tag (the same tag the name
  gets in the text) or, with ``speaker_labels="role"``, by the role;
* attributes: names, interviewer, school and local authority become the same tags as in
  the text; contact details are replaced by fixed tags; ``interview_date`` is kept to the
  month (``2023-03``): enough for "before / after" analysis, too coarse to single anyone
  out; identifiers such as ``participant_id``, ``role`` and ``trial_arm`` are kept; any
  other text attribute is de-identified like speech;
* ``metadata`` (the source's headers, footers, comments and properties) is dropped;
* the id is de-identified too (a file stem can hold a name) and ``source`` becomes the
  name of the de-identified .txt.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import FileFailure, InputFileError, QualError, UnsafeOutputError
from ..model import NON_SPEECH_RE, Role, Transcript, Turn
from .pseudonyms import FIXED_TAGS, PSEUDONYM_TAG_RE, TITLES, Entity, EntityTable, normal_tokens, split_possessive
from .review import ALWAYS_KEEP, KEEP, Decisions, ReviewItem, context_of
from .types import EntityType, Span

log = logging.getLogger("qual.deid.pipeline")

REVIEW_THRESHOLD = 0.7
LABEL_GUESS_CONFIDENCE = 0.5  # a speaker label that is no known role word: probably a name

# Speaker labels made of these words (and numbers or single letters) name a role, not a person.
GENERIC_SPEAKER_WORDS = frozenset({
    "interviewer", "interviewee", "participant", "respondent", "researcher", "facilitator",
    "moderator", "speaker", "person", "voice", "int", "iv", "ie", "resp", "part", "sw", "tm",
    "social", "worker", "team", "manager", "practitioner", "young", "yp", "cyp", "parent",
    "carer", "student", "pupil", "teacher", "staff", "member", "unknown", "unidentified",
    "male", "female", "child", "mum", "dad", "mother", "father", "other", "and", "both", "all",
    "group", "audience", "note", "notes", "transcriber", "q", "a", "question", "answer",
    "host", "guest", "chair", "lead", "co", "senior", "head", "deputy", "designated",
    "safeguarding", "dsl", "senco", "headteacher", "head-teacher", "officer", "advisor",
    "adviser", "assistant", "support", "family", "school", "the", "of", "observer",
})

# Attributes (participants-sheet columns) and what they hold; keys compared in lower case.
ATTRIBUTE_TYPES = {
    "name": EntityType.PERSON, "participant_name": EntityType.PERSON,
    "full_name": EntityType.PERSON, "first_name": EntityType.PERSON,
    "last_name": EntityType.PERSON, "surname": EntityType.PERSON,
    "interviewee": EntityType.PERSON, "interviewer": EntityType.PERSON,
    "researcher": EntityType.PERSON, "interviewer_name": EntityType.PERSON,
    "school": EntityType.SCHOOL, "school_name": EntityType.SCHOOL,
    "local_authority": EntityType.LOCAL_AUTHORITY, "la": EntityType.LOCAL_AUTHORITY,
    "council": EntityType.LOCAL_AUTHORITY, "authority": EntityType.LOCAL_AUTHORITY,
    "email": EntityType.EMAIL, "email_address": EntityType.EMAIL,
    "phone": EntityType.PHONE, "telephone": EntityType.PHONE, "mobile": EntityType.PHONE,
    "postcode": EntityType.POSTCODE, "address": EntityType.ADDRESS,
    "date_of_birth": EntityType.DATE_OF_BIRTH, "dob": EntityType.DATE_OF_BIRTH,
}
DATE_ATTRIBUTES = frozenset({"interview_date", "date", "date_of_interview"})
SAFE_ATTRIBUTES = frozenset({
    "participant_id", "id", "role", "trial_arm", "arm", "wave", "group", "condition", "site_id",
    "school_id", "la_id", "language", "format", "cohort", "phase", "sex", "gender",
})

# The key's and the participants sheet's names are searched for again in every text; a
# single word that is also common English ("Grace", "Will") must then be capitalised.
COMMON_WORD_ZIPF = 3.5


def _attribute_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


# --------------------------------------------------------------------------- plan


@dataclass
class _Replacement:
    part: str          # "text", "speaker", "id" or "attribute"
    turn: int | None   # turn index (text, speaker); None otherwise
    start: int
    end: int
    span: Span
    entity: Entity | None = None
    attribute: str = ""  # the attribute's name (part "attribute"), the label (part "speaker")

    def __repr__(self) -> str:
        return f"_Replacement({self.part}, {self.turn}, {self.start}-{self.end}, {self.span!r})"


@dataclass
class _Plan:
    """What to replace in one transcript, decided by ``fit``."""

    text: dict[int, list[_Replacement]] = field(default_factory=dict)
    speakers: dict[str, list[_Replacement]] = field(default_factory=dict)
    id: list[_Replacement] = field(default_factory=list)
    attributes: dict[str, list[_Replacement]] = field(default_factory=dict)
    kept: list[_Replacement] = field(default_factory=list)  # restored by a reviewer's "keep"


@dataclass
class _Text:
    """One text handed to the analyzer, and where it came from."""

    transcript: int
    part: str
    key: Any  # turn index, speaker label or attribute name
    text: str


# --------------------------------------------------------------------------- helpers


def protected_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges no detection may replace: existing pseudonym tags, and the keyword and any
    timestamp of a transcriber annotation (``[laughs]``, ``[inaudible 00:12:03]``)."""
    ranges = [m.span() for m in PSEUDONYM_TAG_RE.finditer(text)]
    for match in NON_SPEECH_RE.finditer(text):
        body = match.group(0)
        keyword = re.match(r"[\[(]\s*([A-Za-z? .]+?)(?=[\s,:;\-\])]|$)", body)
        if keyword:
            ranges.append((match.start(), match.start() + keyword.end()))
        for stamp in re.finditer(r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?", body):
            ranges.append((match.start() + stamp.start(), match.start() + stamp.end()))
        ranges.append((match.end() - 1, match.end()))
        if not keyword and re.fullmatch(r"\[\s*[\d:.,]+\s*\]", body):
            ranges.append(match.span())
    return ranges


def _outside(span: Span, ranges: Sequence[tuple[int, int]]) -> Span | None:
    """``span`` cut back so that it touches no protected range; None if nothing is left."""
    start, end = span.start, span.end
    for low, high in ranges:
        if high <= start or low >= end:
            continue
        if low <= start and high >= end:
            return None
        if low <= start:
            start = high
        elif high >= end:
            end = low
        # a protected range strictly inside a span: keep the span whole (recall first)
    if start >= end:
        return None
    if (start, end) == (span.start, span.end):
        return span
    return replace(span, start=start, end=end, text=span.text[start - span.start:end - span.start])


def _trim(span: Span, text: str) -> Span | None:
    """Strip whitespace and edge punctuation a detector may have included."""
    start, end = span.start, span.end
    while start < end and (text[start].isspace() or text[start] in ",.;:!?\"()[]{}"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:!?\"()[]{}"):
        end -= 1
    if start >= end:
        return None
    if (start, end) == (span.start, span.end) and span.text == text[start:end]:
        return span
    return replace(span, start=start, end=end, text=text[start:end])


def merge_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Overlapping detections become one span over their union, typed by the most confident."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            best = max((last, span), key=lambda s: (s.confidence, s.end - s.start))
            merged[-1] = Span(last.start, max(last.end, span.end), best.type, best.detector,
                              max(last.confidence, span.confidence))
        else:
            merged.append(span)
    return merged


NAME_LIKE = frozenset({EntityType.PERSON, EntityType.SCHOOL, EntityType.LOCAL_AUTHORITY,
                       EntityType.PLACE, EntityType.ORGANISATION})
# Words a detector sometimes takes into a name at its edges ("At Hatherleigh Brook", "Thanks
# Ryan"): they are left in the text, outside the tag, and out of entity linking.
EDGE_WORDS = frozenset({
    "at", "with", "and", "or", "to", "from", "for", "by", "in", "on", "of", "the", "a", "an",
    "hi", "hiya", "hello", "hey", "thanks", "thank", "cheers", "dear", "so", "but", "then",
    "um", "erm", "er", "uh", "yeah", "yes", "no", "ok", "okay", "oh", "well", "because", "cos",
    "if", "when", "is", "was", "said", "says", "told", "asked", "called", "like", "about",
})
# Two names joined in one span ("Castlebrook and St Bede's", "Amir with Precious") are two
# mentions. Institutions are split on "and"/"or" only: "The Academy at Shotton Hall" is one.
_JOINER_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bor\b)\s*")
_PERSON_JOINER_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bor\b|\bwith\b|\bat\b|\bfrom\b|\bto\b)\s*")
_WORD_RE = re.compile(r"[\w'’\-]+")


def refine(span: Span, text: str) -> list[Span]:
    """A name span split where it joins two names, each part without edge words.

    Parts are what entity linking sees; the words between and around them stay in the text.
    Spans of other types (emails, dates ...) are returned as they are.
    """
    if span.type not in NAME_LIKE:
        return [span]
    parts = []
    position = span.start
    joiners = (_PERSON_JOINER_RE if span.type is EntityType.PERSON else _JOINER_RE).finditer(
        text, span.start, span.end)
    for joiner in list(joiners) + [None]:
        end = joiner.start() if joiner is not None else span.end
        if joiner is not None and joiner.start() == joiner.end():
            continue
        parts.append((position, end))
        if joiner is not None:
            position = joiner.end()
    out = []
    for start, end in parts:
        words = [m for m in _WORD_RE.finditer(text, start, end)]
        while words and words[0].group(0).lower() in EDGE_WORDS and len(words) > 1:
            words.pop(0)
        while words and words[-1].group(0).lower() in EDGE_WORDS and len(words) > 1:
            words.pop()
        if not words:
            continue
        if len(words) == 1 and words[0].group(0).lower() in EDGE_WORDS and len(parts) > 1:
            continue  # a lone joiner word between two names
        start, end = words[0].start(), words[-1].end()
        out.append(replace(span, start=start, end=end, text=text[start:end]))
    return out or [span]


def split_values(value: str) -> list[tuple[int, int]]:
    """Ranges of the values in a multi-valued cell ("Castlebrook Academy; St Bede's")."""
    ranges = []
    position = 0
    for separator in list(re.finditer(r"\s*(?:;|\||\n| & | and )\s*", value)) + [None]:
        end = separator.start() if separator is not None else len(value)
        if value[position:end].strip():
            ranges.append((position, end))
        if separator is not None:
            position = separator.end()
    return ranges


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
        from .recognizers.phrases import lower_same_length

        form = " ".join(form.split())
        lowered = lower_same_length(form)
        if len(form) < 2 or PSEUDONYM_TAG_RE.fullmatch(form):
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
        from .recognizers.phrases import lower_same_length

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


def _coarse_date(value: Any) -> str:
    """``interview_date`` to the month (``2023-03``); ``[Date]`` when it cannot be read."""
    import pandas as pd

    if value is None or (isinstance(value, float) and value != value):
        return value
    text = str(value).strip()
    if not text:
        return value
    iso = re.match(r"(\d{4})-(\d{1,2})", text)
    if iso:
        return f"{int(iso.group(1)):04d}-{int(iso.group(2)):02d}"
    try:
        stamp = pd.to_datetime(text, dayfirst=True)
    except (ValueError, TypeError, OverflowError):
        return FIXED_TAGS[EntityType.DATE]
    if stamp is pd.NaT:
        return FIXED_TAGS[EntityType.DATE]
    return f"{stamp.year:04d}-{stamp.month:02d}"


def _label_chunks(label: str) -> list[tuple[int, int]]:
    """Runs of words in a speaker label that are not role words, numbers, tags or punctuation."""
    tags = [m.span() for m in PSEUDONYM_TAG_RE.finditer(label)]
    chunks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for match in re.finditer(r"[^\W\d_][\w'’\-.]*", label):
        word = re.sub(r"[\-_.]?\d+[a-z]?$", "", match.group(0).strip(".").lower())  # "SW03" -> "sw"
        generic = (word in GENERIC_SPEAKER_WORDS or (len(word) == 1 and word.isalpha())
                   or any(low <= match.start() < high for low, high in tags))
        if generic:
            if current:
                chunks.append(current)
            current = None
        else:
            current = (current[0], match.end()) if current else match.span()
    if current:
        chunks.append(current)
    return chunks


# --------------------------------------------------------------------------- parallel detection


def _detect_in_worker(connection, analyzer, texts: list[str]) -> None:
    """One worker's share: detect in its texts, send what they teach, receive what the whole
    corpus teaches, send the propagated spans. Errors are sent by name only (a message
    could quote a text)."""
    try:
        detected = analyzer.detect_corpus(texts)
        connection.send(("terms", detected.terms))
        terms = connection.recv()
        connection.send(("spans", analyzer.propagate_corpus(detected, terms)))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which falls back
        try:
            connection.send(("error", type(error).__name__))
        except (OSError, ValueError):
            pass
    finally:
        connection.close()


class _WorkersFailed(Exception):
    pass


def _split_by_size(texts: list[str], parts: int) -> list[list[str]]:
    """``texts`` in ``parts`` consecutive runs of about the same number of characters."""
    total = sum(len(t) for t in texts) or 1
    runs: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if size >= total * len(runs) / parts and len(runs) < parts:
            runs.append([])
        runs[-1].append(text)
        size += len(text)
    return [run for run in runs if run]


class ParallelAnalyzer:
    """Runs an analyzer's ``analyze_corpus`` over a corpus split between worker processes,
    with the same result as one process.

    Detection (the costly pass) runs in each worker on its share of the texts; every
    worker's learned identifier strings are then gathered and sent to all of them, so a
    name found in one share is found in every other (the analyzer's own propagation, run
    once per share with the terms of the whole corpus). This needs an analyzer with the
    two passes apart (``detect_corpus`` / ``propagate_corpus``, as
    :class:`~qual.deid.analyzer.Analyzer` has) and the ``fork`` start method; otherwise,
    below ``min_texts`` texts, or with one worker, everything runs in this process.
    """

    def __init__(self, analyzer, workers: int | None = None, min_texts: int = 400) -> None:
        import os

        self.analyzer = analyzer
        self.workers = workers or max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                             else (os.cpu_count() or 1), 8))
        self.min_texts = min_texts

    def __repr__(self) -> str:
        return f"ParallelAnalyzer({type(self.analyzer).__name__}, workers={self.workers})"

    def analyze(self, text: str) -> list[Span]:
        return self.analyzer.analyze(text)

    def __getattr__(self, name: str):
        # remember(), fit() ... of the wrapped analyzer, when it has them
        if name == "analyzer":
            raise AttributeError(name)
        return getattr(self.analyzer, name)

    @property
    def runs_in_parallel(self) -> bool:
        import multiprocessing

        return (self.workers > 1 and hasattr(self.analyzer, "detect_corpus")
                and hasattr(self.analyzer, "propagate_corpus")
                and "fork" in multiprocessing.get_all_start_methods())

    def analyze_corpus(self, texts: Sequence[str]) -> list[list[Span]]:
        texts = list(texts)
        if len(texts) < max(2, self.min_texts) or not self.runs_in_parallel:
            return self.analyzer.analyze_corpus(texts)
        try:
            return self._in_workers(texts)
        except (_WorkersFailed, OSError, EOFError) as error:
            # no processes here (sandbox), or a worker died: the same work in one process
            log.info("parallel analysis unavailable (%s); analysing in one process", type(error).__name__)
            return self.analyzer.analyze_corpus(texts)

    def _in_workers(self, texts: list[str]) -> list[list[Span]]:
        import multiprocessing

        from .analyzer import _remember

        context = multiprocessing.get_context("fork")  # the loaded analyzer is shared, not pickled
        warm_up = getattr(self.analyzer, "warm_up", None)
        if warm_up is not None:
            warm_up()
        shares = _split_by_size(texts, min(self.workers, len(texts)))
        workers, connections = [], []
        try:
            for share in shares:
                parent, child = context.Pipe()
                process = context.Process(target=_detect_in_worker, args=(child, self.analyzer, share),
                                          daemon=True)
                process.start()
                child.close()
                workers.append(process)
                connections.append(parent)
            log.debug("analysing %d texts in %d worker processes", len(texts), len(workers))
            learned: dict = {}
            for connection in connections:
                for term in self._receive(connection, "terms"):
                    _remember(learned, term)
            terms = list(learned.values())
            for connection in connections:
                connection.send(terms)
            results = [spans for connection in connections for spans in self._receive(connection, "spans")]
        finally:
            for connection in connections:
                connection.close()
            for process in workers:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
                    process.join()
        if len(results) != len(texts):
            raise _WorkersFailed("result count")
        return results

    @staticmethod
    def _receive(connection, expected: str):
        kind, payload = connection.recv()
        if kind != expected:
            raise _WorkersFailed(payload if kind == "error" else kind)
        return payload


# --------------------------------------------------------------------------- engine


class Deidentifier:
    """Detects identifiers across a corpus, links them to entities and replaces them.

    ``analyzer``: anything with ``analyze_corpus(texts) -> list[list[Span]]`` (default: the
    ``qual.deid.analyzer.Analyzer``). ``key``: the ``EntityTable`` whose pseudonyms are
    reused and extended (default: a new one, kept only in memory). ``review_threshold``:
    spans less confident than this are listed in ``review_items``. ``decisions``: a
    reviewer's decisions (``qual.deid.review.read_decisions``) to apply.
    """

    def __init__(self, analyzer=None, key: EntityTable | None = None, *, surrogates: bool = False,
                 review_threshold: float = REVIEW_THRESHOLD, decisions: Decisions | None = None,
                 speaker_labels: str = "pseudonym") -> None:
        if speaker_labels not in ("pseudonym", "role"):
            raise QualError("speaker_labels must be 'pseudonym' or 'role'")
        self.analyzer = analyzer
        self.table = key if key is not None else EntityTable()
        self.surrogates = surrogates
        self.review_threshold = review_threshold
        self.decisions = decisions if decisions is not None else Decisions()
        self.speaker_labels = speaker_labels
        self._plans: dict[tuple[str, int], _Plan] = {}
        self._logs: dict[tuple[str, int], list[dict[str, Any]]] = {}
        self._reviews: dict[tuple[str, int], list[ReviewItem]] = {}
        self._applied: set[tuple] = set()
        self._documents: set[str] = set()

    def __repr__(self) -> str:
        return (f"Deidentifier({len(self.table)} entities, surrogates={self.surrogates}, "
                f"review_threshold={self.review_threshold})")

    # ----------------------------------------------------------------- public API

    def fit(self, transcripts: Iterable[Transcript]) -> "Deidentifier":
        """Detect identifiers in all ``transcripts`` together and give their entities pseudonyms."""
        transcripts = list(transcripts)
        if transcripts:
            self._plans.update(self._plan(transcripts))
        return self

    def transform(self, transcript: Transcript) -> Transcript:
        """The de-identified copy of one transcript (planned by ``fit``, or now if it was not)."""
        fingerprint = self._fingerprint(transcript)
        if fingerprint not in self._plans:
            self._plans.update(self._plan([transcript]))
        return self._apply(transcript, self._plans[fingerprint], fingerprint)

    def fit_transform(self, transcripts: Iterable[Transcript]) -> list[Transcript]:
        transcripts = list(transcripts)
        self.fit(transcripts)
        return [self.transform(t) for t in transcripts]

    @property
    def log(self):
        """One row per replacement: document, turn, type, pseudonym, detector, confidence.

        ``document`` is the de-identified id; ``turn`` is empty for the id and attributes.
        Never the original text. Covers every transcript transformed so far.
        """
        return self._log_frame(self._logs.values())

    def log_of(self, transcripts: Iterable[Transcript]):
        """``log`` restricted to these (original) transcripts."""
        return self._log_frame(self._logs.get(self._fingerprint(t), []) for t in transcripts)

    @staticmethod
    def _log_frame(groups):
        import pandas as pd

        from .writer import LOG_COLUMNS

        frame = pd.DataFrame([row for rows in groups for row in rows], columns=LOG_COLUMNS)
        frame["turn"] = frame["turn"].astype("Int64")
        return frame

    @property
    def review_items(self) -> list[ReviewItem]:
        """Spans below ``review_threshold``, with context, for ``qual.deid.review.write_review``."""
        return [item for items in self._reviews.values() for item in items]

    def rename(self, transcript: Transcript, new_id: str) -> None:
        """Give a transformed transcript's log rows another de-identified id."""
        for row in self._logs.get(self._fingerprint(transcript), []):
            row["document"] = new_id

    def review_items_of(self, transcripts: Iterable[Transcript]) -> list[ReviewItem]:
        return [item for t in transcripts for item in self._reviews.get(self._fingerprint(t), [])]

    # ----------------------------------------------------------------- detection

    def _get_analyzer(self):
        if self.analyzer is None:
            try:
                from .analyzer import Analyzer
            except ImportError as error:
                raise QualError("the de-identification analyzer is not available "
                                f"({type(error).__name__})") from None
            self.analyzer = Analyzer()
        return self.analyzer

    @staticmethod
    def _fingerprint(transcript: Transcript) -> tuple[str, int]:
        return (transcript.id, hash((transcript.text, tuple(sorted(map(str, transcript.attributes.items()))))))

    def _known_mentions(self, transcripts: Sequence[Transcript]) -> KnownMentions:
        known = KnownMentions()
        # Forms that earlier batches found surely are looked for again. An analyzer that can
        # remember strings does it itself (minding its keep-list and sentence starts).
        trusted = self.table.variants(NAME_LIKE | {EntityType.EMAIL, EntityType.PHONE},
                                      min_confidence=self.review_threshold)
        remember = getattr(self._get_analyzer(), "remember", None)
        if remember is not None:
            remember([(t, v) for t, v in trusted if t in NAME_LIKE])
            trusted = [(t, v) for t, v in trusted if t not in NAME_LIKE]
        for entity_type, variant in trusted:
            if entity_type is EntityType.PERSON:
                known.add_person(variant, "key", 0.95)
            else:
                known.add(entity_type, variant, "key", 0.95)
        for transcript in transcripts:
            for name, value in transcript.attributes.items():
                entity_type = ATTRIBUTE_TYPES.get(_attribute_key(name))
                if entity_type is None or not isinstance(value, str) or not value.strip():
                    continue
                for start, end in split_values(value):
                    part = value[start:end]
                    if entity_type is EntityType.PERSON:
                        known.add_person(part, "participants", 0.99)
                    elif entity_type not in FIXED_TAGS or entity_type in (EntityType.EMAIL, EntityType.PHONE):
                        known.add(entity_type, part, "participants", 0.99)
        for entity_type, term in self.decisions.always_redact:
            known.add(entity_type, term, "register", 1.0)
        return known

    def _texts(self, transcripts: Sequence[Transcript]) -> list[_Text]:
        texts = []
        for number, transcript in enumerate(transcripts):
            # Separators to spaces, same length: "Jayden_Smith_interview" reads as words.
            texts.append(_Text(number, "id", None, re.sub(r"[_\-.]", " ", transcript.id)))
            for label in transcript.speakers:
                texts.append(_Text(number, "speaker", label, label))
            for name, value in transcript.attributes.items():
                key = _attribute_key(name)
                if key in SAFE_ATTRIBUTES or key in ATTRIBUTE_TYPES or key in DATE_ATTRIBUTES:
                    continue
                if isinstance(value, str) and value.strip():
                    texts.append(_Text(number, "attribute", name, value))
            for turn in transcript.turns:
                texts.append(_Text(number, "text", turn.index, turn.text))
        return texts

    def _plan(self, transcripts: Sequence[Transcript]) -> dict[tuple[str, int], _Plan]:
        analyzer = self._get_analyzer()
        self._documents.update(t.id for t in transcripts)
        known = self._known_mentions(transcripts)  # first: it may teach the analyzer the key's names
        texts = self._texts(transcripts)
        log.debug("analysing %d texts from %d transcripts", len(texts), len(transcripts))
        detected = analyzer.analyze_corpus([t.text for t in texts])
        if len(detected) != len(texts):
            raise QualError("the analyzer returned results for a different number of texts")
        plans = [_Plan() for _ in transcripts]
        mentions: list[tuple[EntityType, str]] = []
        pending: list[tuple[_Replacement, int]] = []  # replacement, index into mentions

        def add(replacement: _Replacement) -> None:
            pending.append((replacement, len(mentions)))
            mentions.append((replacement.span.type, replacement.span.text))

        # Typed attributes first: the participant's own name anchors their entity.
        for number, transcript in enumerate(transcripts):
            for name, value in transcript.attributes.items():
                entity_type = ATTRIBUTE_TYPES.get(_attribute_key(name))
                if entity_type is None or not isinstance(value, str) or not value.strip():
                    continue
                for start, end in split_values(value):
                    span = Span(start, end, entity_type, "attribute", 1.0, value[start:end])
                    replacement = _Replacement("attribute", None, start, end, span, attribute=name)
                    plans[number].attributes.setdefault(name, []).append(replacement)
                    add(replacement)

        for item, spans in zip(texts, detected):
            plan = plans[item.transcript]
            document = transcripts[item.transcript].id
            spans = list(spans) + known.find(item.text)
            if item.part == "speaker":
                for replacement, kept in self._speaker_replacements(item.text, spans, document):
                    if kept:
                        if kept == KEEP:
                            plan.kept.append(replacement)
                        continue
                    plan.speakers.setdefault(item.key, []).append(replacement)
                    add(replacement)
                continue
            ranges = protected_ranges(item.text) if item.part == "text" else []
            cleaned = []
            for span in spans:
                span = _trim(span, item.text)
                span = _outside(span, ranges) if span is not None and ranges else span
                if span is not None:
                    cleaned.append(span)
            refined = [part for span in merge_overlaps(cleaned)
                       for part in refine(replace(span, text=item.text[span.start:span.end]), item.text)]
            for span in refined:
                bare, _ = split_possessive(span.text)
                if not normal_tokens(bare) and span.type is EntityType.PERSON:
                    continue
                turn = item.key if item.part == "text" else None
                replacement = _Replacement(item.part, turn, span.start, span.end, span,
                                           attribute=item.key if item.part == "attribute" else "")
                kept = self._kept(document, item.part, turn, span)
                if kept:
                    if item.part == "text" and kept == KEEP:
                        plan.kept.append(replacement)
                    continue
                if item.part == "text":
                    plan.text.setdefault(item.key, []).append(replacement)
                elif item.part == "id":
                    plan.id.append(replacement)
                else:
                    plan.attributes.setdefault(item.key, []).append(replacement)
                add(replacement)

        entities = self.table.link_all(mentions, [r.span.confidence for r, _ in pending])
        for replacement, index in pending:
            replacement.entity = entities[index]
        if self.surrogates:
            self.table.assign_surrogates()
        return {self._fingerprint(t): plan for t, plan in zip(transcripts, plans)}

    def _kept(self, document: str, part: str, turn: int | None, span: Span) -> str:
        """Why a reviewer keeps this span: "keep" (this occurrence), "always keep", or ""."""
        occurrence = (document, part, -1 if turn is None else turn, span.start, span.end, span.text)
        if occurrence in self.decisions.keep:
            self._applied.add(occurrence)
            return KEEP
        return ALWAYS_KEEP if self.decisions.always_kept(span.text) else ""

    @property
    def unmatched_decisions(self) -> int:
        """"keep" decisions for documents seen here that matched no detection: the input
        changed since the review sheet was written, so they were not applied."""
        return sum(1 for o in self.decisions.keep if o[0] in self._documents and o not in self._applied)

    def _speaker_replacements(self, label: str, spans: list[Span],
                              document: str) -> list[tuple[_Replacement, str]]:
        """A label's name parts, each with why a reviewer kept it ("" if not). Words that are no role
        word are taken for a name (recall first)."""
        out = []
        for start, end in _label_chunks(label):
            chunk = label[start:end]
            overlapping = [s for s in spans if s.start < end and start < s.end]
            best = max(overlapping, key=lambda s: s.confidence, default=None)
            if best is not None:
                span = Span(start, end, best.type, best.detector, best.confidence, chunk)
            else:
                span = Span(start, end, EntityType.PERSON, "speaker_label", LABEL_GUESS_CONFIDENCE, chunk)
            replacement = _Replacement("speaker", None, start, end, span, attribute=label)
            out.append((replacement, self._kept(document, "speaker", -1, span)))
        return out

    # ----------------------------------------------------------------- applying

    def _render(self, replacement: _Replacement) -> str:
        bare, suffix = split_possessive(replacement.span.text)
        entity = replacement.entity
        if entity is None:  # not linked (cannot happen after fit); still never leak
            return FIXED_TAGS.get(replacement.span.type, "[Redacted]") + suffix
        return self.table.render(entity, bare, self.surrogates) + suffix

    def _replace(self, text: str, replacements: Sequence[_Replacement]) -> str:
        for replacement in sorted(replacements, key=lambda r: r.start, reverse=True):
            text = text[:replacement.start] + self._render(replacement) + text[replacement.end:]
        return text

    def _apply(self, transcript: Transcript, plan: _Plan, fingerprint: tuple[str, int]) -> Transcript:
        new_id = self._replace(transcript.id, plan.id) if plan.id else transcript.id
        labels = self._new_labels(transcript, plan)
        log_rows: list[dict[str, Any]] = []
        review: list[ReviewItem] = []

        def record(replacement: _Replacement, turn: int | None) -> None:
            bare, _ = split_possessive(replacement.span.text)
            pseudonym = (self.table.render(replacement.entity, bare, self.surrogates)
                         if replacement.entity is not None else "[Redacted]")
            log_rows.append({
                "document": new_id, "turn": turn, "type": replacement.span.type.value,
                "pseudonym": pseudonym, "detector": replacement.span.detector,
                "confidence": round(float(replacement.span.confidence), 3),
            })

        turns = []
        for turn in transcript.turns:
            replacements = plan.text.get(turn.index, [])
            for replacement in replacements:
                record(replacement, turn.index)
            for replacement in plan.speakers.get(turn.speaker, []):
                record(replacement, turn.index)
            turns.append(Turn(index=turn.index, speaker=labels.get(turn.speaker, turn.speaker),
                              role=turn.role, text=self._replace(turn.text, replacements),
                              timestamp=turn.timestamp))
        for replacement in plan.id:
            record(replacement, None)
        attributes = self._new_attributes(transcript, plan, record)

        first_turn = {}
        for turn in transcript.turns:
            first_turn.setdefault(turn.speaker, turn.index)
        for turn_index, replacements in plan.text.items():
            text = transcript.turns[turn_index].text
            review += [self._review_item(transcript.id, "text", turn_index, text, r) for r in replacements
                       if r.span.confidence < self.review_threshold]
        for label, replacements in plan.speakers.items():
            review += [self._review_item(transcript.id, "speaker", first_turn.get(label, 0), label, r)
                       for r in replacements if r.span.confidence < self.review_threshold]
        # Occurrences a reviewer kept stay on the sheet with their decision, so that a sheet
        # written over the one it was read from loses nothing.
        for r in plan.kept:
            if r.part == "text":
                review.append(self._review_item(transcript.id, "text", r.turn, transcript.turns[r.turn].text, r))
            else:
                review.append(self._review_item(transcript.id, "speaker", first_turn.get(r.attribute, 0),
                                                r.attribute, r))
        self._logs[fingerprint] = log_rows
        self._reviews[fingerprint] = review

        from .writer import safe_stem

        return Transcript(id=new_id, source=f"{safe_stem(new_id)}.txt", turns=turns,
                          attributes=attributes, metadata={}, format=transcript.format)

    def _review_item(self, document: str, part: str, turn: int, text: str, r: _Replacement) -> ReviewItem:
        before, after = context_of(text, r.start, r.end)
        decision = self.decisions.by_occurrence.get(
            (document, part, turn if part == "text" else -1, r.start, r.end, r.span.text), "")
        return ReviewItem(document=document, part=part, turn=turn, start=r.start, end=r.end,
                          type=r.span.type, original=r.span.text, before=before, after=after,
                          pseudonym=self._render(r) if r.entity is not None else "",
                          confidence=float(r.span.confidence),
                          detector=r.span.detector, decision=decision)

    def _new_labels(self, transcript: Transcript, plan: _Plan) -> dict[str, str]:
        labels = {}
        roles: dict[str, Role] = {}
        for turn in transcript.turns:
            roles.setdefault(turn.speaker, turn.role)
        named = [label for label in transcript.speakers if plan.speakers.get(label)]
        if self.speaker_labels == "role":
            per_role = Counter(roles[label] for label in named)
            seen: Counter = Counter()
            for label in named:
                role = roles[label]
                seen[role] += 1
                name = str(role).capitalize()
                labels[label] = f"{name} {seen[role]}" if per_role[role] > 1 else name
            return labels
        for label in named:
            labels[label] = self._replace(label, plan.speakers[label])
        return labels

    def _new_attributes(self, transcript: Transcript, plan: _Plan, record) -> dict[str, Any]:
        attributes = {}
        for name, value in transcript.attributes.items():
            key = _attribute_key(name)
            replacements = plan.attributes.get(name, [])
            for replacement in replacements:
                record(replacement, None)
            if key in DATE_ATTRIBUTES:
                attributes[name] = _coarse_date(value)
            elif key in ATTRIBUTE_TYPES and isinstance(value, str) and value.strip():
                attributes[name] = "; ".join(self._render(r) for r in replacements) if replacements \
                    else FIXED_TAGS.get(ATTRIBUTE_TYPES[key], "[Redacted]")
            elif replacements:
                attributes[name] = self._replace(value, replacements)
            else:
                attributes[name] = value
        return attributes


# --------------------------------------------------------------------------- deidentify()


@dataclass
class DeidResult:
    """What ``deidentify`` did: de-identified transcripts, the log, failures, files written."""

    transcripts: list[Transcript]
    log: Any  # pandas DataFrame with writer.LOG_COLUMNS
    failures: list[FileFailure] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"DeidResult({len(self.transcripts)} transcripts, {len(self.log)} replacements, "
                f"{len(self.failures)} failures, {len(self.review_items)} to review)")

    @property
    def ok(self) -> bool:
        return not self.failures


def _inputs_inside(inputs: Sequence[Any], out_dir: Path) -> None:
    outer = out_dir.expanduser().resolve()
    for item in inputs:
        if isinstance(item, Transcript):
            continue
        path = Path(item).expanduser().resolve()
        if path == outer or outer in path.parents:
            raise UnsafeOutputError(f"{item}: an input lies inside the output folder {out_dir}; "
                                    "write the de-identified files to a folder of their own")


def _ingest(inputs: Sequence[Any], participants, interviewer, exclude: Sequence[Path],
            on_file=None) -> tuple[list[Transcript], list[FileFailure]]:
    ready = [item for item in inputs if isinstance(item, Transcript)]
    paths = [item for item in inputs if not isinstance(item, Transcript)]
    failures: list[FileFailure] = []
    if paths:
        from ..ingest import ingest

        # The output folder (and the key, review sheet ...) may sit under an input folder:
        # never read our own outputs back in as transcripts.
        result = ingest(paths, participants=participants, interviewer=interviewer,
                        exclude=list(exclude), on_file=on_file)
        ready += list(result.transcripts)
        failures += list(result.failures)
    return ready, failures


def deidentify(
    inputs: Sequence[str | Path | Transcript],
    out_dir: str | Path,
    *,
    key_path: str | Path | None = None,
    passphrase: str | None = None,
    participants: str | Path | None = None,
    interviewer: str | None = None,
    register: str | Path | None = None,
    keep_list: str | Path | None = None,
    review_path: str | Path | None = None,
    decisions_path: str | Path | None = None,
    surrogates: bool = False,
    review_threshold: float = REVIEW_THRESHOLD,
    speaker_labels: str = "pseudonym",
    columns: Sequence[str] | None = None,
    workers: int | None = None,
    analyzer=None,
    progress=None,
) -> DeidResult:
    """De-identify transcripts (or, with ``columns``, survey tables) into ``out_dir``.

    Writes ``<stem>.docx`` and ``<stem>.txt`` per transcript (``<stem>`` is the
    de-identified transcript id, made file-safe and unique), ``corpus.jsonl`` (merged by id
    with one already there, so batches add up) and ``deid_log.csv``; with ``columns``, each
    CSV/xlsx input is written under its own name with those columns de-identified. With
    ``key_path`` the pseudonyms are read from and saved to the encrypted key (passphrase
    from the argument or ``QUAL_KEY_PASSPHRASE``); without it they are consistent within
    this run only. ``review_path`` receives the uncertain spans; ``decisions_path`` applies
    a reviewer's decisions and records the "always" ones in the register and keep-list
    (``register``/``keep_list``, by default ``<key stem>.register.csv`` and
    ``<key stem>.keep.txt`` beside the key). ``progress(n)`` is called as work is done.
    """
    from ..files import ensure_outside
    from .key import KeyFile
    from .review import read_decisions, write_review

    out_dir = Path(out_dir)
    inputs = list(inputs)
    if not inputs:
        raise QualError("no inputs given")
    _inputs_inside(inputs, out_dir)
    register_path, keep_path = _decision_files(key_path, register, keep_list)
    identifiable = {"the pseudonym key": key_path, "the review sheet": review_path,
                    "the register": register_path, "the keep-list": keep_path}
    for what, path in identifiable.items():
        if path is not None:
            ensure_outside(path, out_dir, what)
    if review_path is not None and Path(review_path).suffix.lower() != ".xlsx":
        raise QualError(f"{review_path}: the review sheet must be an .xlsx file")

    decisions = read_decisions(decisions_path) if decisions_path is not None else Decisions()
    _remember_decisions(decisions, register_path, keep_path)
    if columns:
        transcripts, failures = [], []
    else:
        exclude = [out_dir] + [Path(p) for p in identifiable.values() if p is not None]
        transcripts, failures = _ingest(inputs, participants, interviewer, exclude)
    participants_frame = None
    if participants is not None:
        from ..ingest import read_participants

        participants_frame = read_participants(participants)

    def run(table: EntityTable):
        """Decide every pseudonym; return what writes the transcripts (after the key is saved,
        so that no output ever holds a tag the key does not know)."""
        engine_analyzer = analyzer
        if engine_analyzer is None:
            engine_analyzer = _default_analyzer(register_path, keep_path, decisions, participants_frame)
        if columns or (workers or 0) > 1:
            engine_analyzer = ParallelAnalyzer(engine_analyzer, workers)
        engine = Deidentifier(engine_analyzer, table, surrogates=surrogates,
                              review_threshold=review_threshold, decisions=decisions,
                              speaker_labels=speaker_labels)
        if columns:
            return _write_tables(engine, inputs, list(columns), out_dir, progress)
        engine.fit(transcripts)
        done = _transform_all(engine, transcripts, failures)
        return lambda: _write_outputs(engine, *done, failures, out_dir, progress)

    if key_path is None:
        log.warning("no key given: pseudonyms are consistent within this run only and nothing "
                    "is saved to map them back")
        finish = run(EntityTable())
    else:
        with KeyFile(key_path, passphrase).session(out_dir=out_dir) as table:
            finish = run(table)
    result = finish()
    if review_path is not None:
        result.written.append(write_review(result.review_items, review_path, out_dir))
    result.summary.update({
        "decisions_kept": len(decisions.keep), "always_keep": len(decisions.always_keep),
        "always_redact": len(decisions.always_redact),
    })
    if result.summary.get("decisions_unmatched"):
        log.warning("%d 'keep' decisions matched no detection (the input changed since the review); "
                    "those words stay redacted", result.summary["decisions_unmatched"])
    return result


def _decision_files(key_path, register, keep_list) -> tuple[Path | None, Path | None]:
    """Where "always" decisions are remembered: the files given, else beside the key."""
    register_path = Path(register) if register is not None else None
    keep_path = Path(keep_list) if keep_list is not None else None
    if key_path is not None:
        key = Path(key_path)
        register_path = register_path or key.with_name(key.stem + ".register.csv")
        keep_path = keep_path or key.with_name(key.stem + ".keep.txt")
    return register_path, keep_path


def _remember_decisions(decisions: Decisions, register_path: Path | None, keep_path: Path | None) -> None:
    """Add "always redact" to the register file and "always keep" to the keep-list file."""
    if decisions.always_redact:
        if register_path is None:
            log.warning("%d 'always redact' decisions apply to this run only: give --register or --key "
                        "to remember them", len(decisions.always_redact))
        else:
            from .register import Register

            register = Register.load(register_path) if register_path.exists() else Register()
            for entity_type, term in decisions.always_redact:
                register.add(entity_type, term)
            register.save(register_path)
    if decisions.always_keep:
        if keep_path is None:
            log.warning("%d 'always keep' decisions apply to this run only: give --keep or --key "
                        "to remember them", len(decisions.always_keep))
        else:
            from .keeplist import KeepList

            keep = KeepList.load(keep_path) if keep_path.exists() else KeepList()
            keep.update(decisions.always_keep)
            keep.save(keep_path)


def _default_analyzer(register_path: Path | None, keep_path: Path | None, decisions: Decisions,
                      participants_frame):
    """The standard analyzer, with the project's register and keep-list.

    The register gets, besides its file, the participants sheet's names and the "always
    redact" decisions; the keep-list is the shipped one plus the user's and "always keep".
    """
    try:
        from .analyzer import Analyzer
        from .keeplist import KeepList
        from .register import Register
    except ImportError as error:
        raise QualError(f"the de-identification analyzer is not available ({type(error).__name__})") from None
    register = Register.load(register_path) if register_path is not None and register_path.exists() else Register()
    for entity_type, term in decisions.always_redact:
        register.add(entity_type, term)
    if participants_frame is not None:
        register.update(Register.from_participants(participants_frame))
    keep = KeepList.default(*([keep_path] if keep_path is not None and keep_path.exists() else []))
    keep.update(decisions.always_keep)
    return Analyzer(register=register, keep_list=keep)


def _merge_log(path: Path, frame, documents: set[str]):
    """This run's log rows, plus the rows an earlier run wrote for other documents."""
    import pandas as pd

    if not path.exists():
        return frame
    try:
        previous = pd.read_csv(path, dtype={"document": str})
        previous = previous[~previous["document"].isin(documents)]
    except (ValueError, KeyError, OSError, pd.errors.ParserError):
        log.warning("the existing deid_log.csv in the output folder is unreadable; it is replaced")
        return frame
    if previous.empty:
        return frame
    previous["turn"] = previous["turn"].astype("Int64")
    return pd.concat([previous, frame], ignore_index=True)


def _write_tables(engine: Deidentifier, inputs: Sequence[Any], columns: list[str], out_dir: Path,
                  progress):
    import pandas as pd

    from .survey import deidentify_table
    from .writer import write_log

    failures: list[FileFailure] = []
    written: list[Path] = []
    logs = []
    review: list[ReviewItem] = []
    for item in inputs:
        path = Path(item)
        try:
            table_result = deidentify_table(path, columns, out_dir, engine=engine)
        except QualError as error:
            failures.append(FileFailure(str(path), str(error)))
        except Exception as error:  # noqa: BLE001 - one table must not stop the batch
            failures.append(FileFailure(str(path), f"{path}: could not be de-identified "
                                        f"({type(error).__name__})"))
        else:
            written.append(table_result.output)
            logs.append(table_result.log)
            review += table_result.review_items
        if progress is not None:
            progress(1)
    frame = engine._log_frame([]) if not logs else pd.concat(logs, ignore_index=True)
    summary = {
        "documents": len(logs), "replacements": int(len(frame)),
        "by_type": {str(k): int(v) for k, v in frame["type"].value_counts().items()},
        "flagged_for_review": len(review), "entities": len(engine.table), "failed": len(failures),
        "decisions_unmatched": engine.unmatched_decisions,
    }

    def finish() -> DeidResult:
        log_path = out_dir / "deid_log.csv"
        if logs:
            written.append(write_log(_merge_log(log_path, frame, set(frame["document"])), log_path))
        return DeidResult(transcripts=[], log=frame, failures=failures, written=written,
                          review_items=review, summary=summary)

    return finish


def _transform_all(engine: Deidentifier, transcripts: list[Transcript],
                   failures: list[FileFailure]) -> tuple[list[Transcript], list[Transcript]]:
    """(de-identified, original) transcripts; one that fails is a failure, not the batch's end."""
    clean: list[Transcript] = []
    originals: list[Transcript] = []
    for transcript in transcripts:
        try:
            clean.append(engine.transform(transcript))
            originals.append(transcript)
        except QualError as error:
            failures.append(FileFailure(transcript.source or transcript.id, str(error)))
        except Exception as error:  # noqa: BLE001 - one transcript must not stop the batch
            failures.append(FileFailure(transcript.source or transcript.id,
                                        f"{transcript.source or transcript.id}: could not be "
                                        f"de-identified ({type(error).__name__})"))
    return clean, originals


def _write_outputs(engine: Deidentifier, clean: list[Transcript], originals: list[Transcript],
                   failures: list[FileFailure], out_dir: Path, progress) -> DeidResult:
    from ..corpus import CORPUS_FILE, read_corpus, write_corpus
    from .writer import unique_stems, write_docx, write_log, write_txt

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stems = unique_stems([t.id for t in clean])
    seen_ids: set[str] = set()
    final = []
    for transcript, original, stem in zip(clean, originals, stems):
        if transcript.id in seen_ids:
            # "Jayden_interview" and "Jaden_interview" both became "[Person 1]_interview"
            engine.rename(original, stem)
            transcript = replace(transcript, id=stem)
        seen_ids.add(transcript.id)
        transcript = replace(transcript, source=f"{stem}.txt")
        try:
            written.append(write_docx(transcript, out_dir / f"{stem}.docx"))
            written.append(write_txt(transcript, out_dir / f"{stem}.txt"))
            final.append(transcript)
        except OSError as error:
            failures.append(FileFailure(str(out_dir / stem), f"{out_dir / stem}: cannot be written "
                                        f"({error.strerror or 'I/O error'})"))
        if progress is not None:
            progress(1)

    corpus_path = out_dir / CORPUS_FILE
    new_ids = {t.id for t in final}
    earlier = []
    if corpus_path.exists():
        try:
            earlier = [t for t in read_corpus(corpus_path) if t.id not in new_ids]
        except InputFileError:
            log.warning("the existing corpus.jsonl in the output folder is unreadable; it is replaced")
    written.append(write_corpus(earlier + final, corpus_path))

    frame = engine.log_of(originals)
    log_path = out_dir / "deid_log.csv"
    written.append(write_log(_merge_log(log_path, frame, new_ids), log_path))

    review = engine.review_items_of(originals)
    summary = {
        "documents": len(final),
        "replacements": int(len(frame)),
        "by_type": {str(k): int(v) for k, v in frame["type"].value_counts().items()},
        "flagged_for_review": len(review),
        "entities": len(engine.table),
        "failed": len(failures),
        "decisions_unmatched": engine.unmatched_decisions,
    }
    log.info("de-identified %d documents: %d replacements, %d flagged for review",
             summary["documents"], summary["replacements"], summary["flagged_for_review"])
    return DeidResult(transcripts=final, log=frame, failures=failures, written=written,
                      review_items=review, summary=summary)
