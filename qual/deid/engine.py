"""The engine: detect identifiers across a corpus, link them to entities and replace them.

``Deidentifier`` is used in the scikit-learn style a notebook user knows:

>>> deid = Deidentifier(key=EntityTable())       # or a table read with qual.deid.key
>>> clean = deid.fit_transform(transcripts)       # corpus-wide detection and linking
>>> deid.log                                      # DataFrame: document, turn, type, pseudonym ...

``fit`` plans a corpus afresh (detection over all of it together, then linking); ``partial_fit``
plans more transcripts beside those already planned. Either way the pseudonyms come from the
key's table, which is extended, never forgotten: the same person keeps their tag across batches.

What a de-identified transcript keeps and loses:

* every turn's text, with each identifier replaced by its entity's tag (or surrogate);
  transcriber annotations such as ``[laughs]`` and timestamps are kept as written;
* speaker labels that hold a name are replaced by the person's tag (the same tag the name
  gets in the text) or, with ``speaker_labels="role"``, by the role;
* attributes: see :mod:`qual.deid.attributes`;
* ``metadata`` (the source's headers, footers, comments and properties) is dropped; a caption
  file's cue layout (timings and where each cue's text starts, moved to the de-identified
  text) is kept apart (:meth:`Deidentifier.cue_layout_of`) for the writer to write the
  captions back;
* the id is de-identified too (a file stem can hold a name) and ``source`` becomes the
  name of the de-identified .txt.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from ..errors import QualError
from ..model import Role, Transcript, Turn
from .attributes import ATTRIBUTE_TYPES, DATE_ATTRIBUTES, SAFE_ATTRIBUTES, attribute_key, coarse_date, split_values
from .identity import FIXED_TYPES, FOUND_AGAIN, NAME_LIKE, EntityType, normal_tokens, split_possessive, tag_for
from .known import KnownMentions
from .mentions import label_chunks, outside_protected, protected_ranges, refine, trim_mention
from .pseudonyms import Entity, EntityTable
from .review import ALWAYS_KEEP, KEEP, Decisions, ReviewItem, context_of
from .spans import merge_overlaps
from .types import Span

log = logging.getLogger("qual.deid.engine")

REVIEW_THRESHOLD = 0.7
LABEL_GUESS_CONFIDENCE = 0.5  # a speaker label that is no known role word: probably a name


def _fixed_tag(entity_type: EntityType) -> str:
    """The tag of a type that has one for all its entities; ``[Redacted]`` for the others."""
    return tag_for(entity_type, 0) if entity_type in FIXED_TYPES else "[Redacted]"


def _with_text(span: Span, text: str) -> Span:
    """``span`` holding the text it covers (a copy only when it does not already)."""
    covered = text[span.start:span.end]
    return span if span.text == covered else replace(span, text=covered)


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
        # a caption file's cues in its de-identified turns (see cue_layout_of)
        self._cue_layouts: dict[tuple[str, int], list] = {}
        self._applied: set[tuple] = set()
        self._documents: set[str] = set()

    def __repr__(self) -> str:
        return (f"Deidentifier({len(self.table)} entities, surrogates={self.surrogates}, "
                f"review_threshold={self.review_threshold})")

    # ----------------------------------------------------------------- public API

    def fit(self, transcripts: Iterable[Transcript]) -> "Deidentifier":
        """Plan ``transcripts`` afresh: detect identifiers in all of them together and give
        their entities pseudonyms. What earlier ``fit`` or ``partial_fit`` calls planned, logged
        and listed for review is forgotten; the key's entities are kept (and extended), so a
        person keeps their tag."""
        self._plans = {}
        self._logs = {}
        self._reviews = {}
        self._cue_layouts = {}
        self._applied = set()
        self._documents = set()
        return self.partial_fit(transcripts)

    def partial_fit(self, transcripts: Iterable[Transcript]) -> "Deidentifier":
        """Plan ``transcripts`` (detected together) beside those already planned."""
        transcripts = list(transcripts)
        if transcripts:
            self._plans.update(self._plan(transcripts))
        return self

    def transform(self, transcript: Transcript) -> Transcript:
        """The de-identified copy of one transcript (planned by ``fit``, or now, as by
        ``partial_fit``, if it was not)."""
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
        Never the original text. Covers every transcript transformed since the last ``fit``.
        """
        return self._log_frame(self._logs.values())

    def cue_layout_of(self, transcript: Transcript) -> list | None:
        """For a transformed (original) caption file: per de-identified turn, its cues as
        ``[offset, timing, named, id]``, the offset where the cue's text starts in the turn
        (moved past the replacements); timings and offsets only. Kept apart from the
        de-identified transcript, whose metadata stays empty: the writer writes the captions
        back from it."""
        return self._cue_layouts.get(self._fingerprint(transcript))

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
        trusted = self.table.variants(FOUND_AGAIN, min_confidence=self.review_threshold)
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
                entity_type = ATTRIBUTE_TYPES.get(attribute_key(name))
                if entity_type is None or not isinstance(value, str) or not value.strip():
                    continue
                for start, end in split_values(value):
                    part = value[start:end]
                    if entity_type is EntityType.PERSON:
                        known.add_person(part, "participants", 0.99)
                    elif entity_type in FOUND_AGAIN:
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
                key = attribute_key(name)
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
                entity_type = ATTRIBUTE_TYPES.get(attribute_key(name))
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
            if not spans:
                continue
            ranges = protected_ranges(item.text) if item.part == "text" else []
            cleaned = []
            for span in spans:
                span = trim_mention(span, item.text)
                span = outside_protected(span, ranges) if span is not None and ranges else span
                if span is not None:
                    cleaned.append(span)
            refined = [part for span in merge_overlaps(cleaned)
                       for part in refine(_with_text(span, item.text), item.text)]
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
        self._found_again_by_key(transcripts, texts, plans, analyzer)
        if self.surrogates:
            self.table.assign_surrogates()
        return {self._fingerprint(t): plan for t, plan in zip(transcripts, plans)}

    def _found_again_by_key(self, transcripts: Sequence[Transcript], texts: list[_Text], plans: list[_Plan],
                            analyzer) -> None:
        """The key's own search (:class:`~qual.deid.keysearch.KeySearch`, the one ``qual check
        --key`` runs over the output), with every original the key now holds, this run's
        included: where it finds an original no replacement covers ("DC" once "DC" is known
        as a person), that mention is replaced too, so that the check and this run agree."""
        from .keysearch import KeySearch

        search = KeySearch(self.table)
        if not len(search):
            return
        keep_list = getattr(analyzer, "keep_list", None)
        found: list[tuple[_Replacement, _Plan, Any]] = []
        for item in texts:
            if item.part == "speaker":
                continue  # labels are replaced whole (see _speaker_replacements)
            hits = search.find(item.text)
            if not hits:
                continue
            plan = plans[item.transcript]
            planned = (plan.text.get(item.key, []) if item.part == "text" else plan.id if item.part == "id"
                       else plan.attributes.get(item.key, []))
            taken = [(r.start, r.end) for r in planned]
            taken += [(r.start, r.end) for r in plan.kept if item.part == "text" and r.turn == item.key]
            if keep_list is not None:
                taken += [(start, end) for start, end in keep_list.find(item.text)]
            ranges = protected_ranges(item.text) if item.part == "text" else []
            turn = item.key if item.part == "text" else None
            for span in hits:
                span = outside_protected(span, ranges) if ranges else span
                if span is None or any(start < span.end and span.start < end for start, end in taken):
                    continue
                if self._kept(transcripts[item.transcript].id, item.part, turn, span):
                    continue
                replacement = _Replacement(item.part, turn, span.start, span.end, span,
                                           attribute=item.key if item.part == "attribute" else "")
                found.append((replacement, plan, item.key))
                taken.append((span.start, span.end))
        if not found:
            return
        entities = self.table.link_all([(r.span.type, r.span.text) for r, _, _ in found],
                                       [r.span.confidence for r, _, _ in found])
        for (replacement, plan, key), entity in zip(found, entities):
            replacement.entity = entity
            if replacement.part == "text":
                plan.text.setdefault(key, []).append(replacement)
            elif replacement.part == "id":
                plan.id.append(replacement)
            else:
                plan.attributes.setdefault(key, []).append(replacement)

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
        for start, end in label_chunks(label):
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
            return _fixed_tag(replacement.span.type) + suffix
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

        layout = transcript.metadata.get("cue_layout")
        if layout and len(layout) == len(transcript.turns):
            # a caption file's cues, moved to where their text starts in the de-identified turns
            # (timings and offsets only: a cue's text is the output's, never the source's)
            self._cue_layouts[fingerprint] = [
                [[self._moved(offset, plan.text.get(turn.index, [])), *rest] for offset, *rest in cues]
                for turn, cues in zip(transcript.turns, layout)]
        return Transcript(id=new_id, source=f"{safe_stem(new_id)}.txt", turns=turns,
                          attributes=attributes, metadata={}, format=transcript.format)

    def _moved(self, offset: int, replacements: Sequence[_Replacement]) -> int:
        """Where ``offset`` of a turn's text lies once ``replacements`` are made; inside one, at
        its end (a name cut between two cues goes whole with the first)."""
        moved = offset
        for replacement in replacements:
            if replacement.start < offset < replacement.end:
                moved += replacement.end - offset
            if replacement.start < offset:
                moved += len(self._render(replacement)) - (replacement.end - replacement.start)
        return moved

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
            key = attribute_key(name)
            replacements = plan.attributes.get(name, [])
            for replacement in replacements:
                record(replacement, None)
            if key in DATE_ATTRIBUTES:
                attributes[name] = coarse_date(value)
            elif key in ATTRIBUTE_TYPES and isinstance(value, str) and value.strip():
                attributes[name] = "; ".join(self._render(r) for r in replacements) if replacements \
                    else _fixed_tag(ATTRIBUTE_TYPES[key])
            elif replacements:
                attributes[name] = self._replace(value, replacements)
            else:
                attributes[name] = value
        return attributes
