"""What every suggester shares: the interface, its registration and the context they read.

A suggester is a small class registered by name in ``qual.plugins`` (spaCy-style; a package
installed beside qual adds one through the ``qual_suggesters`` entry point): ``fit(segments, codebook,
context)`` then ``suggest(segments, context) -> scores``, where ``scores`` is a float32 matrix
with one row per segment and one column per code of the codebook, each in [0, 1] and meant to
read as "how likely this code applies" on the same scale for every suggester, so the ensemble
can combine them. A suggester that cannot work on the input (no human codes yet, too few
segments for topics) sets ``available = False`` and says why in ``notes``; its scores are zero
and the ensemble leaves it out.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Iterator

import numpy as np

from ... import plugins
from ..codebook import Codebook


class _SuggesterNames(Mapping):
    """A read-only view of the suggesters in ``qual.plugins`` (name -> class): qual's own and
    any a package installed beside qual provides through the ``qual_suggesters`` entry point."""

    def __getitem__(self, name: str) -> type["Suggester"]:
        from ...errors import QualError

        try:
            return plugins.get("suggesters", name)
        except QualError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(plugins.names("suggesters"))

    def __len__(self) -> int:
        return len(plugins.names("suggesters"))


SUGGESTERS: Mapping[str, type["Suggester"]] = _SuggesterNames()


def register_suggester(name: str) -> Callable[[type["Suggester"]], type["Suggester"]]:
    """Class decorator: register a suggester as ``name`` in ``qual.plugins`` (kind ``suggesters``),
    for ``make_suggester``, ``code_transcripts`` and the CLI."""

    def decorate(cls: type["Suggester"]) -> type["Suggester"]:
        cls.name = name
        return plugins.register("suggesters", name)(cls)

    return decorate


def make_suggester(name: str, **config) -> "Suggester":
    from ...errors import QualError

    try:
        cls = SUGGESTERS[name]
    except KeyError:
        raise QualError(f"unknown suggester {name!r}; choose from {', '.join(sorted(SUGGESTERS))}") from None
    return cls(**config)


@dataclass
class SuggestContext:
    """What suggesters read besides the segments themselves (all rows align with the segments).

    ``answer_vectors``: embeddings of each segment's own text. ``question_vectors``: of the
    interviewer question before it (zeros where there is none). ``labels``: human decisions,
    a (segments x codes) matrix of 1 (applies), 0 (does not) and NaN (not reviewed).
    ``sentence_vectors``/``sentence_owner``: embeddings of each segment's sentences and the
    segment row each belongs to (a turn that covers two codes often does so in two sentences).
    ``semantic_scores``: filled by the semantic suggester for others to reuse.
    """

    embedder: object | None = None
    answer_vectors: np.ndarray | None = None
    question_vectors: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None
    sentence_owner: np.ndarray | None = None
    labels: np.ndarray | None = None
    code_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    semantic_scores: np.ndarray | None = None
    random_state: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def has_labels(self) -> bool:
        return self.labels is not None and bool(np.any(self.labels == 1))


class Suggester(abc.ABC):
    """Base class. Subclasses set ``available`` and ``notes`` in ``fit`` and return scores from ``suggest``."""

    name: ClassVar[str] = "base"

    def __init__(self) -> None:
        self.available = True
        self.notes: list[str] = []
        self.codebook: Codebook | None = None
        self.context: SuggestContext | None = None

    def fit(self, segments, codebook: Codebook, context: SuggestContext) -> "Suggester":
        self.codebook = codebook
        self.context = context
        return self

    @abc.abstractmethod
    def suggest(self, segments, context: SuggestContext | None = None) -> np.ndarray:
        """Scores, one row per segment and one column per code of the fitted codebook."""

    def fit_suggest(self, segments, codebook: Codebook, context: SuggestContext) -> np.ndarray:
        return self.fit(segments, codebook, context).suggest(segments, context)

    def unavailable(self, reason: str) -> "Suggester":
        self.available = False
        self.notes.append(reason)
        return self

    def zeros(self, segments) -> np.ndarray:
        return np.zeros((len(segments), len(self.codebook.codes)), dtype=np.float32)


def sigmoid(values: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(values, -30, 30)))).astype(np.float32)
