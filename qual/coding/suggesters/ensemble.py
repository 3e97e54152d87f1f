"""The combiner: one ranked list per segment from all suggesters' scores, with their sources.

Scores of the available suggesters are combined per (segment, code) as a weighted noisy-OR,
``1 - prod(1 - w_i * s_i)``: one confident suggester is enough to rank a code high, two that
agree rank it higher, and a suggester that did not run (learned before any human codes) is
simply absent rather than counted as a "no". A suggestion's ``source`` names every suggester
whose own score reached ``vote`` (e.g. ``rules+semantic``); ``ensemble`` when none did alone.

Which suggestions are kept is decided by :func:`select`: every code at or above the
threshold, and the segment's best code when it reaches ``floor`` (so a segment whose best
evidence is moderate still gets its top suggestion), at most ``max_codes`` per segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Topics get no weight: measured on the development and held-out sets, they add nothing to the
# ranking (docs/coding.md); their scores stay in CodingResult.scores for evaluation.
DEFAULT_WEIGHTS = {"rules": 0.7, "semantic": 0.8, "topic": 0.0, "learned": 1.0}


@dataclass
class SelectionRule:
    """Which ensemble scores become suggestions (see module docstring).

    ``small_talk_margin`` and ``min_words``: a segment is proposed codes only when it has at
    least ``min_words`` content words and is closer to some code than to small talk by more
    than the margin (see :mod:`qual.coding.suggesters.fusion`)."""

    threshold: float = 0.4
    floor: float = 0.25
    max_codes: int = 3
    relative: float = 0.7  # further codes need at least this fraction of the segment's best score
    small_talk_margin: float = 0.05
    min_words: int = 2


@dataclass
class Ensemble:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    vote: float = 0.5

    def combine(self, scores: dict[str, np.ndarray]) -> np.ndarray:
        if not scores:
            raise ValueError("no suggester produced scores")
        remaining = None
        for name, matrix in scores.items():
            weight = self.weights.get(name, 0.5)
            if weight <= 0:
                continue
            term = 1.0 - weight * np.clip(matrix, 0.0, 1.0)
            remaining = term if remaining is None else remaining * term
        if remaining is None:
            return np.zeros_like(next(iter(scores.values())), dtype=np.float32)
        return (1.0 - remaining).astype(np.float32)

    def sources(self, scores: dict[str, np.ndarray], rows: np.ndarray, columns: np.ndarray) -> list[str]:
        names = list(scores)
        labels = []
        names = [name for name in names if self.weights.get(name, 0.5) > 0]
        for row, column in zip(rows, columns):
            voters = [name for name in names if scores[name][row, column] >= self.vote]
            labels.append("+".join(voters) if voters else "ensemble")
        return labels


def select(combined: np.ndarray, rule: SelectionRule, eligible: np.ndarray | None = None) -> np.ndarray:
    """Boolean (segments x codes): which scores become suggestions under ``rule``."""
    chosen = combined >= rule.threshold
    if combined.shape[1]:
        best = combined.argmax(axis=1)
        best_score = combined[np.arange(len(combined)), best]
        top = best_score >= rule.floor
        chosen[np.flatnonzero(top), best[top]] = True
        if rule.relative > 0:
            chosen &= combined >= rule.relative * best_score[:, None]
        if rule.max_codes and combined.shape[1] > rule.max_codes:
            order = np.argsort(-combined, axis=1)
            rank = np.empty_like(order)
            rank[np.arange(len(order))[:, None], order] = np.arange(order.shape[1])[None, :]
            chosen &= rank < rule.max_codes
    if eligible is not None:
        chosen &= eligible[:, None]
    return chosen
