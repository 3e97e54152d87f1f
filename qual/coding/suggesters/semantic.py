"""Semantic: segment embeddings against each code's definition, include clauses and examples.

Each code is represented by several embeddings: "name: definition", each clause of its
include rule, and each example statement. A segment's similarity to a code is the mean of its
``top_k`` best cosine similarities to those, so one close example counts but a single lucky
match does not dominate. The interviewer's question is mixed in (more for short answers,
whose meaning often lies in the question: "Yes, definitely").

Cosine similarities are not probabilities and differ between codes (some definitions are
close to everything). They are made comparable by standardising twice, per code over the
corpus's segments and per segment over the codes, and mapped to [0, 1] with a logistic curve,
so that a code that stands out for this segment, and this segment for the code, scores high.
"""

from __future__ import annotations

import re

import numpy as np

from ..segments import model_text
from .base import SuggestContext, Suggester, register_suggester, sigmoid

_CLAUSES = re.compile(r"\s*[;\n]\s*")


def code_prototypes(code) -> list[str]:
    """The texts that stand for a code: name with definition, include clauses, examples."""
    texts = [f"{code.name}: {code.definition}".strip(": ") if code.definition else code.name]
    texts += [clause for clause in _CLAUSES.split(code.include or "") if len(clause.split()) >= 2]
    texts += [example for example in code.examples if example.strip()]
    return [t for t in dict.fromkeys(texts) if t]


def prototype_matrix(codebook, embedder) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of every code's prototypes, and the code (column) each row belongs to."""
    texts, owners = [], []
    for column, code in enumerate(codebook.codes):
        for text in code_prototypes(code):
            texts.append(text)
            owners.append(column)
    return embedder.encode(texts), np.asarray(owners)


def top_k_mean(similarities: np.ndarray, owners: np.ndarray, n_codes: int, k: int) -> np.ndarray:
    """Per code, the mean of each row's ``k`` highest similarities among that code's prototypes."""
    out = np.zeros((similarities.shape[0], n_codes), dtype=np.float32)
    for column in range(n_codes):
        block = similarities[:, owners == column]
        if block.shape[1] == 0:
            continue
        kk = min(k, block.shape[1])
        top = -np.partition(-block, kk - 1, axis=1)[:, :kk] if kk < block.shape[1] else block
        out[:, column] = top.mean(axis=1)
    return out


def standardise(matrix: np.ndarray, axis: int, mask: np.ndarray | None = None, floor: float = 0.02) -> np.ndarray:
    reference = matrix if mask is None else matrix[mask]
    if axis == 0 and reference.shape[0] < 2:
        reference = matrix
    mean = reference.mean(axis=axis, keepdims=True)
    spread = np.maximum(reference.std(axis=axis, keepdims=True), floor)
    return (matrix - mean) / spread


@register_suggester("semantic")
class SemanticSuggester(Suggester):
    """Embedding similarity between segments (with their question) and code descriptions."""

    def __init__(self, top_k: int = 2, question_weight_short: float = 0.45, question_weight_long: float = 0.2,
                 short_words: int = 20, slope: float = 1.6, offset: float = 2.6, row_share: float = 0.5,
                 min_corpus: int = 30) -> None:
        super().__init__()
        self.top_k = top_k
        self.question_weight_short = question_weight_short
        self.question_weight_long = question_weight_long
        self.short_words = short_words
        self.slope = slope
        self.offset = offset
        self.row_share = row_share
        self.min_corpus = min_corpus

    def fit(self, segments, codebook, context: SuggestContext) -> "SemanticSuggester":
        super().fit(segments, codebook, context)
        if context.embedder is None:
            return self.unavailable("no embedder")
        if "semantic" not in context.code_vectors:
            context.code_vectors["semantic"], context.code_vectors["semantic_owners"] = \
                prototype_matrix(codebook, context.embedder)
        return self

    def raw_similarity(self, segments, context: SuggestContext) -> np.ndarray:
        prototypes = context.code_vectors["semantic"]
        owners = context.code_vectors["semantic_owners"]
        answers = context.answer_vectors
        if answers is None:
            answers = context.embedder.encode([model_text(t) for t in segments["text"]])
        n_codes = len(self.codebook.codes)
        similarity = top_k_mean(answers @ prototypes.T, owners, n_codes, self.top_k)
        questions = context.question_vectors
        if questions is not None:
            has_question = np.linalg.norm(questions, axis=1) > 0
            if has_question.any():
                words = np.asarray([len(str(t).split()) for t in segments["text"]])
                weight = np.where(words < self.short_words, self.question_weight_short, self.question_weight_long)
                weight = np.where(has_question, weight, 0.0).astype(np.float32)[:, None]
                asked = top_k_mean(questions @ prototypes.T, owners, n_codes, self.top_k)
                similarity = (1 - weight) * similarity + weight * asked
        return similarity

    def suggest(self, segments, context: SuggestContext | None = None) -> np.ndarray:
        context = context or self.context
        if not self.available:
            return self.zeros(segments)
        similarity = self.raw_similarity(segments, context)
        codable = segments["codable"].to_numpy(bool) if "codable" in segments else None
        by_code = standardise(similarity, axis=0, mask=codable)
        if codable is not None and codable.sum() < self.min_corpus:
            # Too few segments to know a code's typical similarity: lean on the per-segment view.
            by_code = 0.5 * by_code
        by_segment = standardise(similarity, axis=1)
        combined = (1 - self.row_share) * by_code + self.row_share * by_segment
        scores = sigmoid(self.slope * combined - self.offset)
        context.semantic_scores = scores
        return scores
