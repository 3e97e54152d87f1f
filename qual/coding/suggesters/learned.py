"""Learned: a classifier trained on human codes, suggesting codes for the segments not yet coded.

One logistic regression per code (one-vs-rest) on the segment features: the answer's
embedding, the question's embedding, and the semantic and rules scores when those suggesters
ran (so the classifier learns how far to trust each for this project's coders). Probabilities
are calibrated with ``CalibratedClassifierCV`` (Platt/sigmoid, 3 folds) when a code has enough
positives and negatives; with fewer, the plain regression is used. Codes with fewer than
``min_positives`` human examples get no learned suggestions (noted). More accepted codes ->
more codes covered and better estimates: refit after each review round (``qual code --accept``).

A learned model is kept only for the codes where it beats the zero-shot scores on held-out
reviewed segments: each code's model is cross-validated over the reviewed segments (``folds``
folds), and its out-of-fold average precision is compared with that of the other suggesters'
combined score on the same segments. Reviewed segments get their out-of-fold scores, so what is
fitted on them later (the fusion, :mod:`qual.coding.suggesters.fusion`) sees honest numbers.

``labels`` in the context: 1 = a human applied the code, 0 = a human decided it does not apply
(rejected, or another code was chosen for a reviewed segment), NaN = not reviewed.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from .base import SuggestContext, Suggester, register_suggester

log = logging.getLogger("qual.coding.learned")


@register_suggester("learned")
class LearnedSuggester(Suggester):
    """Calibrated one-vs-rest logistic regression on embeddings, from accepted human codes."""

    def __init__(self, min_positives: int = 3, calibrate_from: int = 8, regularisation: float = 1.0,
                 question_weight: float = 0.5, use_other_suggesters: bool = True, random_state: int = 0,
                 folds: int = 3, gate: bool = True) -> None:
        super().__init__()
        self.min_positives = min_positives
        self.calibrate_from = calibrate_from
        self.regularisation = regularisation
        self.question_weight = question_weight
        self.use_other_suggesters = use_other_suggesters
        self.random_state = random_state
        self.folds = folds
        self.gate = gate
        self.models: dict[int, object] = {}
        self.out_of_fold: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.other_scores: dict[str, np.ndarray] = {}

    def features(self, context: SuggestContext, rows: np.ndarray | None = None) -> np.ndarray:
        parts = [context.answer_vectors]
        if context.question_vectors is not None:
            parts.append(self.question_weight * context.question_vectors)
        if self.use_other_suggesters:
            for name in sorted(self.other_scores):
                parts.append(self.other_scores[name])
        matrix = np.hstack(parts).astype(np.float32)
        return matrix if rows is None else matrix[rows]

    def fit(self, segments, codebook, context: SuggestContext, other_scores: dict | None = None) -> "LearnedSuggester":
        super().fit(segments, codebook, context)
        self.other_scores = dict(other_scores or {})
        if context.answer_vectors is None:
            return self.unavailable("no embeddings")
        if not context.has_labels:
            return self.unavailable("no human codes yet: accept or import some to train it")
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        labels = context.labels
        features = self.features(context)
        reference = self._zero_shot()
        skipped, beaten = [], []
        for column, code in enumerate(codebook.codes):
            known = np.flatnonzero(~np.isnan(labels[:, column]))
            y = labels[known, column].astype(int)
            positives, negatives = int(y.sum()), int(len(y) - y.sum())
            if positives < self.min_positives or negatives < self.min_positives:
                skipped.append(code.id)
                continue
            if self.gate:
                held_out = self._cross_validate(features[known], y)
                if held_out is None or (reference is not None and
                                        _average_precision(y, held_out) <= _average_precision(y, reference[known, column])):
                    beaten.append(code.id)
                    continue
                self.out_of_fold[column] = (known, held_out)
            model = self._model(positives, negatives, LogisticRegression, CalibratedClassifierCV)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(features[known], y)
            self.models[column] = model
        if skipped:
            self.notes.append(f"{len(skipped)} codes have fewer than {self.min_positives} human examples "
                              "and get no learned suggestions")
        if beaten:
            self.notes.append(f"{len(beaten)} codes keep the zero-shot scores: their learned model did not beat "
                              "them on held-out reviewed segments")
        if not self.models:
            return self.unavailable(f"no code has a learned model that beats the zero-shot scores yet"
                                    if beaten else f"no code has {self.min_positives} or more human examples yet")
        self.notes.append(f"{len(self.models)} codes use a learned model")
        return self

    def _model(self, positives: int, negatives: int, regression, calibrated):
        base = regression(C=self.regularisation, max_iter=1000, class_weight="balanced")
        if min(positives, negatives) >= self.calibrate_from:
            return calibrated(base, method="sigmoid", cv=3)
        return base

    def _zero_shot(self) -> np.ndarray | None:
        if not self.other_scores:
            return None
        from .ensemble import Ensemble

        return Ensemble().combine(self.other_scores)

    def _cross_validate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        """Out-of-fold probabilities of a code's model over the reviewed segments."""
        from sklearn.linear_model import LogisticRegression

        folds = np.random.default_rng(self.random_state).permutation(len(y)) % self.folds
        out = np.zeros(len(y), dtype=np.float32)
        for fold in range(self.folds):
            train = folds != fold
            if y[train].min() == y[train].max():
                return None
            model = LogisticRegression(C=self.regularisation, max_iter=1000, class_weight="balanced")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(x[train], y[train])
            out[~train] = model.predict_proba(x[~train])[:, 1] ** 2
        return out

    def suggest(self, segments, context: SuggestContext | None = None) -> np.ndarray:
        context = context or self.context
        scores = self.zeros(segments)
        if not self.available:
            return scores
        features = self.features(context)
        for column, model in self.models.items():
            probability = model.predict_proba(features)[:, 1]
            if not hasattr(model, "calibrated_classifiers_"):
                # A balanced, uncalibrated regression overstates rare codes; temper it.
                probability = probability ** 2
            scores[:, column] = probability
            if column in self.out_of_fold and len(segments) == len(context.labels):
                rows, held_out = self.out_of_fold[column]
                scores[rows, column] = held_out
        return scores


def _average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, scores)) if 0 < y.sum() < len(y) else 0.0
