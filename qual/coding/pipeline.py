"""``code_transcripts``: segments -> embeddings -> suggesters -> ensemble -> codings.

The library function behind ``qual code``. It returns a :class:`CodingResult` of plain data
(DataFrames, arrays); :func:`qual.coding.review.write_coding_outputs` writes it to disk.

codings (one row per suggestion, ``qual.coding.CODINGS_COLUMNS``):
    ``document, segment, speaker, text, code, score, source, status, turn, timestamp, role,
    start, end``. ``segment`` is the turn index ("12") or turn.paragraph ("12.2", see
    :mod:`qual.coding.segments`); ``start``/``end`` are offsets in ``Transcript.text``.
    ``score`` is the ensemble score in [0, 1]; ``source`` the suggesters that voted for the
    code ("rules+semantic"), ``ensemble`` when none did on its own, ``human`` for a human's
    code. ``status`` is ``suggested``, ``accepted`` (a human applied it) or ``rejected`` (a
    human turned the suggestion down; kept so it is not suggested again).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

from ..errors import QualError
from ..model import Transcript
from . import CODINGS_COLUMNS
from .codebook import Codebook
from .embeddings import Embedder, choose_backend, get_embedder
from .segments import SegmentRules, model_text, segment_transcripts, sentences
from .suggesters import DEFAULT_SUGGESTERS, Ensemble, SelectionRule, SuggestContext, make_suggester
from .suggesters.fusion import SMALL_TALK, FittedFusion, select_codes, substance

log = logging.getLogger("qual.coding.pipeline")

STATUSES = ("suggested", "candidate", "accepted", "rejected")
TOPIC_COLUMNS = ["topic", "size", "label", "top_words", "fit_share", "codes", "best_code", "best_score", "candidate",
                 "examples"]


# What each stage is called while it runs, for a progress line ("suggesting: semantic").
STEP_NAMES = {"segment": "segmenting the transcripts", "load embedder": "loading the embedding model",
              "embed": "embedding segments", "ensemble": "combining the suggesters' scores",
              "topic chart": "drawing the topic chart"}
EMBED_BATCH = 256  # segments embedded between two progress reports


class _StageClock:
    """Wall-clock and CPU seconds per named stage (``with clock("embed"): ...``); each stage
    is announced to ``progress(step, done, total)`` as it starts."""

    def __init__(self, progress: Callable[..., None] | None = None) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.progress = progress or (lambda *a, **k: None)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        self.progress(STEP_NAMES.get(stage, f"suggesting: {stage}"), 0, None)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[stage] = self.wall.get(stage, 0.0) + time.perf_counter() - wall
            self.cpu[stage] = self.cpu.get(stage, 0.0) + time.process_time() - cpu


@dataclass
class CodingResult:
    """Everything ``qual code`` produces, as plain data.

    ``scores`` holds each suggester's (segments x codes) matrix and ``ensemble`` the combined
    one, rows aligned with ``segments`` and columns with ``code_ids``: the evaluation script
    reads them to measure each suggester alone.
    """

    codings: "object"  # pandas.DataFrame with CODINGS_COLUMNS
    segments: "object"  # pandas.DataFrame with SEGMENT_COLUMNS
    topics: "object"  # pandas.DataFrame, one row per topic
    candidates: list[dict]
    scores: dict[str, np.ndarray]
    ensemble: np.ndarray
    chosen: np.ndarray  # (segments x codes) booleans: the codes proposed (selected)
    code_ids: list[str]
    selection: SelectionRule
    embedder: str
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # wall-clock seconds per stage
    cpu_timings: dict[str, float] = field(default_factory=dict)  # CPU seconds of this process per stage
    transcripts: list[Transcript] = field(default_factory=list)
    topic_chart: object | None = None
    topic_png: bytes | None = None  # the same chart as a static PNG
    vectors: tuple = (None, None)  # (answer, question) embeddings per segment, for reuse

    @property
    def suggestions(self):
        return self.codings[self.codings["status"] == "suggested"]


# --------------------------------------------------------------------------- human codes


def _segment_index(segments) -> tuple[dict, dict]:
    by_id, by_turn = {}, {}
    for row, (document, segment, turn) in enumerate(zip(segments["document"], segments["segment"], segments["turn"])):
        by_id[(str(document), str(segment))] = row
        by_turn.setdefault((str(document), int(turn)), []).append(row)
    return by_id, by_turn


def _rows_of(record, by_id, by_turn) -> list[int]:
    document, segment = str(record.get("document", "")), str(record.get("segment", "")).strip()
    if (document, segment) in by_id:
        return [by_id[(document, segment)]]
    turn = record.get("turn")
    if turn is None or (isinstance(turn, float) and np.isnan(turn)) or turn == "":
        turn = segment.split(".")[0]
    try:
        return list(by_turn.get((document, int(float(turn))), []))
    except (TypeError, ValueError):
        return []


class HumanLabels(NamedTuple):
    labels: np.ndarray  # (segments x codes): 1 applied, 0 not, NaN not reviewed
    accepted: list[tuple[int, int]]  # (segment row, code column)
    rejected: list[tuple[int, int]]
    unknown_codes: set[str]  # labels that are not in the codebook
    unmatched: int  # decisions whose segment is not among these transcripts


def human_labels(segments, codebook: Codebook, human_codes, complete_documents: bool = False) -> HumanLabels:
    """(segments x codes) labels from human decisions: 1 applied, 0 not, NaN not reviewed.

    ``human_codes`` is a DataFrame (or records) with ``document``, ``segment`` (or ``turn``),
    ``code`` (id or name) and ``status`` (``accepted``/``rejected``; rows with another status
    are ignored). A segment with any decision counts as reviewed: codes a human did not
    accept there are 0. With ``complete_documents``, every codable segment of a document that
    has any human code is reviewed (a transcript coded in full, e.g. imported from NVivo).
    """
    import pandas as pd

    labels = np.full((len(segments), len(codebook.codes)), np.nan, dtype=np.float32)
    if human_codes is None:
        return HumanLabels(labels, [], [], set(), 0)
    frame = pd.DataFrame(human_codes)
    if frame.empty:
        return HumanLabels(labels, [], [], set(), 0)
    if "status" not in frame:
        frame["status"] = "accepted"
    column_of = {code.id: i for i, code in enumerate(codebook.codes)}
    by_id, by_turn = _segment_index(segments)
    decided: set[int] = set()
    accepted: list[tuple[int, int]] = []
    rejected: list[tuple[int, int]] = []
    unknown: set[str] = set()
    unmatched = 0
    for record in frame.to_dict("records"):
        status = str(record.get("status", "")).strip().lower()
        if status not in ("accepted", "rejected"):
            continue
        label = str(record.get("code", "")).strip()
        found = codebook.find(label) if hasattr(codebook, "find") else None
        code_id = found.id if found else label
        if code_id not in column_of:
            unknown.add(label)
            continue
        rows = _rows_of(record, by_id, by_turn)
        unmatched += not rows
        for row in rows:
            decided.add(row)
            (accepted if status == "accepted" else rejected).append((row, column_of[code_id]))
    codable = segments["codable"].to_numpy(bool)
    if complete_documents:
        documents = {str(segments["document"].iat[row]) for row, _ in accepted}
        decided.update(np.flatnonzero(codable & segments["document"].astype(str).isin(documents).to_numpy()))
    for row in decided:
        labels[row] = 0.0
    for row, column in accepted:
        labels[row, column] = 1.0
    for row, column in rejected:
        labels[row, column] = 0.0
    return HumanLabels(labels, sorted(set(accepted)), sorted(set(rejected) - set(accepted)), unknown, unmatched)


# --------------------------------------------------------------------------- pipeline


def embed_segments(segments, embedder: Embedder, progress: Callable[..., None] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Answer vectors for every segment and question vectors (zeros where there is no question).
    ``progress(step, done, total)`` hears "embedding N of M segments" after each batch."""
    texts = [model_text(t) for t in segments["text"]]
    if progress is None or len(texts) <= EMBED_BATCH:
        answers = embedder.encode(texts)
    else:
        parts = []
        for first in range(0, len(texts), EMBED_BATCH):
            parts.append(np.asarray(embedder.encode(texts[first:first + EMBED_BATCH])))
            done = min(first + EMBED_BATCH, len(texts))
            progress(f"embedding {done:,} of {len(texts):,} segments", done, len(texts))
        answers = np.concatenate(parts)
    questions = np.zeros_like(answers)
    asked = [i for i, q in enumerate(segments["question"]) if q]
    if asked:
        unique = list(dict.fromkeys(segments["question"].iloc[asked]))
        vectors = dict(zip(unique, embedder.encode(unique)))
        for i in asked:
            questions[i] = vectors[segments["question"].iat[i]]
    return answers, questions


def embed_sentences(segments, embedder: Embedder, rows=None) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of the sentences of segments with more than one sentence, and the segment row of each.

    A one-sentence segment's sentence is the segment itself, so it is left out (the semantic
    suggester falls back on the segment's own vector)."""
    rows = range(len(segments)) if rows is None else rows
    texts, owners = [], []
    column = segments["text"]
    for row in rows:
        pieces = sentences(column.iat[row])
        if len(pieces) > 1:
            texts.extend(pieces)
            owners.extend([row] * len(pieces))
    if not texts:
        return np.zeros((0, getattr(embedder, "dimensions", 1)), dtype=np.float32), np.zeros(0, dtype=np.int64)
    return embedder.encode(texts), np.asarray(owners, dtype=np.int64)


CANDIDATES = 5  # ranked candidate codes listed per segment in codings.csv


def _decision_coders(human_codes) -> dict[tuple[str, str, str], str]:
    """(document, segment, code) -> the name of who decided it, from the human decisions."""
    import pandas as pd

    frame = pd.DataFrame(human_codes) if human_codes is not None else pd.DataFrame()
    if frame.empty or not {"document", "segment", "code", "coder"} <= set(frame.columns):
        return {}
    return {(str(d), str(s), str(c)): str(n).strip() for d, s, c, n in
            zip(frame["document"], frame["segment"], frame["code"], frame["coder"])
            if isinstance(n, str) and n.strip()}


def _codings_frame(segments, codebook, ensemble, chosen, scores, combiner, accepted, rejected_pairs,
                   eligible, candidates: int = CANDIDATES,
                   coders: dict[tuple[str, str, str], str] | None = None):
    """One row per (segment, code) for each codable segment's best ``candidates`` codes, with
    ``rank`` (1 = best) and ``selected`` (proposed to the reviewer), plus every human decision,
    with ``coder``: who decided it (from ``coders``), blank for the suggesters' rows.

    A selected candidate has status ``suggested``; the others ``candidate``: listed so that a
    reviewer sees what ranked next and can accept it, never counted as a code (matrices and
    REFI-QDA export read ``accepted`` and ``suggested`` rows only)."""
    import pandas as pd

    code_ids = codebook.code_ids
    accepted_set = set(accepted)
    rejected_set = set(rejected_pairs) - accepted_set
    decided = accepted_set | rejected_set
    ranks = np.zeros(ensemble.shape, dtype=np.int32)
    rows_ = np.flatnonzero(eligible)
    records = []
    if len(rows_) and ensemble.shape[1]:
        order = np.argsort(-ensemble[rows_], axis=1, kind="stable")
        ranks[rows_[:, None], order] = np.arange(1, ensemble.shape[1] + 1)[None, :]
        keep = min(candidates, ensemble.shape[1])
        top_rows = np.repeat(rows_, keep)
        top_columns = order[:, :keep].ravel()
        positive = ensemble[top_rows, top_columns] > 0
        top_rows, top_columns = top_rows[positive], top_columns[positive]
        sources = combiner.sources(scores, top_rows, top_columns) if len(top_rows) and scores else \
            ["ensemble"] * len(top_rows)
        for row, column, source in zip(top_rows.tolist(), top_columns.tolist(), sources):
            if (row, column) in decided:
                continue
            selected = bool(chosen[row, column])
            records.append((row, column, float(ensemble[row, column]), source,
                            "suggested" if selected else "candidate", selected))
    for row, column in sorted(accepted_set):
        records.append((row, column, 1.0, "human", "accepted", True))
    for row, column in sorted(rejected_set):
        records.append((row, column, float(ensemble[row, column]), "human", "rejected", False))
    if not records:
        return pd.DataFrame(columns=CODINGS_COLUMNS)
    rows_, columns_, scores_, sources_, statuses_, selected_ = (list(x) for x in zip(*records))
    rank_ = [int(ranks[r, c]) if 0 < ranks[r, c] <= candidates else None for r, c in zip(rows_, columns_)]
    located = segments.iloc[rows_]
    frame = pd.DataFrame({
        "document": located["document"].to_numpy(), "segment": located["segment"].to_numpy(),
        "speaker": located["speaker"].to_numpy(), "text": located["text"].to_numpy(),
        "code": [code_ids[c] for c in columns_], "score": np.round(scores_, 3), "source": sources_,
        "status": statuses_, "turn": located["turn"].to_numpy(), "timestamp": located["timestamp"].to_numpy(),
        "role": located["role"].to_numpy(), "start": located["start"].to_numpy(), "end": located["end"].to_numpy(),
        "rank": pd.array(rank_, dtype="Int64"), "selected": selected_,
        "_row": rows_,
        "_order": [int(ranks[r, c]) or 10_000 for r, c in zip(rows_, columns_)],
    })
    coders = coders or {}
    frame["coder"] = ["" if status in ("suggested", "candidate") else coders.get((str(d), str(s), c), "")
                      for d, s, c, status in zip(frame["document"], frame["segment"], frame["code"], frame["status"])]
    frame = frame.sort_values(["_row", "_order"], kind="stable")
    return frame.drop(columns=["_row", "_order"]).reset_index(drop=True)


def code_transcripts(
    transcripts: Iterable[Transcript],
    codebook: Codebook,
    *,
    suggesters: Sequence[str] = DEFAULT_SUGGESTERS,
    threshold: float | None = None,
    human_codes=None,
    embedder: "str | Embedder | None" = None,
    segment_rules: SegmentRules | None = None,
    selection: SelectionRule | None = None,
    weights: dict[str, float] | None = None,
    complete_documents: bool = False,
    suggester_config: dict[str, dict] | None = None,
    fit_fusion: bool = True,
    progress: Callable[..., None] | None = None,
    workers: int | None = None,
) -> CodingResult:
    """Suggest codes from ``codebook`` for every participant segment of ``transcripts``.

    ``suggesters``: names from the registry, run in this order (``learned`` last: it reads
    the others' scores). ``threshold``: the ensemble score a suggestion needs (default
    ``SelectionRule().threshold``). ``human_codes``: accepted/rejected decisions (a DataFrame
    like codings.csv) kept in the output and used to train the learned suggester.
    ``embedder``: ``"auto"`` (default), ``"minilm"``, ``"static"`` or an object with
    ``encode(texts)``. ``progress(step, done, total)`` is told each step as it starts (and
    the embedding step batch by batch), for a progress line. ``workers``: processes for the
    rules' parsing (default: every core; 1 = this process; the result is the same); the
    embedders and the topic model use every core through their own threads.
    """
    import pandas as pd

    clock = _StageClock(progress)
    notes: list[str] = []
    transcripts = list(transcripts)
    if not codebook.codes:
        raise QualError("the codebook has no codes")
    suggester_config = {name: dict(options) for name, options in (suggester_config or {}).items()}
    if workers is not None and "rules" in suggesters:
        suggester_config.setdefault("rules", {}).setdefault("workers", workers)
    for name in suggesters:
        make_suggester(name, **suggester_config.get(name, {}))  # a QualError names the choices

    with clock("segment"):
        segments = segment_transcripts(transcripts, segment_rules)
    codable = segments["codable"].to_numpy(bool) if len(segments) else np.zeros(0, bool)
    code_ids = codebook.code_ids

    labels, accepted, rejected, unknown, unmatched = human_labels(segments, codebook, human_codes,
                                                                  complete_documents)
    if unknown:
        notes.append(f"{len(unknown)} human code labels are not in the codebook and were ignored")
    if unmatched:
        notes.append(f"{unmatched} human decisions refer to segments not in these transcripts and were ignored")

    needs_embeddings = any(n in suggesters for n in ("semantic", "topic", "learned"))
    vectors = (None, None)
    backend_name = ""
    embedder_object = None
    if needs_embeddings and len(segments):
        n_texts = int(codable.sum()) + segments["question"][codable].nunique()
        if isinstance(embedder, str) or embedder is None:
            backend_name = choose_backend(embedder or "auto", n_texts)
        else:
            backend_name = getattr(embedder, "name", type(embedder).__name__)
        with clock("load embedder"):
            embedder_object = get_embedder(embedder or "auto", n_texts)
        with clock("embed"):
            vectors = embed_segments(segments, embedder_object, progress)
            sentence_vectors, sentence_owner = embed_sentences(segments, embedder_object, np.flatnonzero(codable))
            small_talk_vectors = embedder_object.encode(SMALL_TALK)
        notes.append(f"embedder: {backend_name} ({n_texts} texts, {len(sentence_owner)} sentences)")
    else:
        sentence_vectors = sentence_owner = small_talk_vectors = None

    context = SuggestContext(embedder=embedder_object, answer_vectors=vectors[0], question_vectors=vectors[1],
                             labels=labels, sentence_vectors=sentence_vectors, sentence_owner=sentence_owner)
    config = suggester_config or {}
    scores: dict[str, np.ndarray] = {}
    fitted = {}
    ordered = [n for n in suggesters if n != "learned"] + [n for n in suggesters if n == "learned"]
    for name in ordered:
        with clock(name):
            suggester = make_suggester(name, **config.get(name, {}))
            if len(segments) == 0:
                suggester.codebook = codebook
                suggester.unavailable("no segments")
            elif name == "learned":
                suggester.fit(segments, codebook, context, other_scores=dict(scores))
            else:
                suggester.fit(segments, codebook, context)
            matrix = suggester.suggest(segments, context) if suggester.available else None
        notes.extend(f"{name}: {note}" for note in suggester.notes)
        fitted[name] = suggester
        if matrix is not None:
            scores[name] = matrix
    rule = selection or SelectionRule()
    if threshold is not None:
        rule = replace(rule, threshold=threshold, floor=min(rule.floor, threshold))
    combiner = Ensemble(weights={**Ensemble().weights, **(weights or {})})
    with clock("ensemble"):
        if scores:
            ensemble = combiner.combine(scores)
            found = substance(segments, context, small_talk_vectors if small_talk_vectors is not None
                              else np.zeros((0, 1), np.float32))
            substantive = found.substantive(rule.small_talk_margin, rule.min_words) if vectors[0] is not None \
                else None
            chosen = select_codes(ensemble, threshold=rule.threshold, floor=rule.floor, relative=rule.relative,
                                  max_codes=rule.max_codes, substantive=substantive, eligible=codable)
            if fit_fusion and not np.isnan(labels).all():
                fusion = FittedFusion(max_codes=rule.max_codes, random_state=context.random_state)
                features = fusion.features({k: v for k, v in scores.items() if combiner.weights.get(k, 0.5) > 0},
                                           ensemble, found.features())
                fusion.fit(features, labels, chosen, ensemble)
                fitted_rule = None if fusion.fitted else fusion.fit_rule(
                    ensemble, labels, substantive, (rule.threshold, rule.floor, rule.relative))
                notes.append(fusion.note)
                if fitted_rule is not None:
                    chosen = select_codes(ensemble, threshold=fitted_rule[0], floor=fitted_rule[1],
                                          relative=fitted_rule[2], max_codes=rule.max_codes,
                                          substantive=substantive, eligible=codable)
                if fusion.fitted:
                    ensemble = fusion.predict(features, ensemble.shape)
                    chosen = select_codes(ensemble, threshold=fusion.threshold, floor=fusion.floor,
                                          relative=fusion.relative,
                                          max_codes=rule.max_codes, substantive=substantive, eligible=codable)
            if substantive is not None:
                notes.append(f"{int((~substantive & codable).sum())} of {int(codable.sum())} segments read as "
                             "small talk (greetings, thanks, back-channels, contact details): no code proposed")
        else:
            ensemble = np.zeros((len(segments), len(code_ids)), dtype=np.float32)
            chosen = np.zeros_like(ensemble, dtype=bool)
            notes.append("no suggester produced scores; only human codes are listed")
        codings = _codings_frame(segments, codebook, ensemble, chosen, scores, combiner, accepted, rejected,
                                 eligible=codable, candidates=max(CANDIDATES, rule.max_codes),
                                 coders=_decision_coders(human_codes))

    topic = fitted.get("topic")
    topics = topic.topics_table if topic is not None and topic.topics_table is not None else pd.DataFrame(
        columns=TOPIC_COLUMNS)
    candidates = list(topic.candidates or []) if topic is not None and topic.available else []
    with clock("topic chart"):
        chart = topic.chart() if topic is not None and topic.available else None
        chart_png = topic.chart_png() if topic is not None and topic.available else None
    return CodingResult(
        codings=codings, segments=segments, topics=topics, candidates=candidates, scores=scores,
        ensemble=ensemble, chosen=chosen, code_ids=code_ids, selection=rule, embedder=backend_name, notes=notes,
        timings=clock.wall, cpu_timings=clock.cpu, transcripts=transcripts, topic_chart=chart,
        topic_png=chart_png,
        vectors=vectors,
    )
