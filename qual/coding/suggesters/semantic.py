"""Semantic: segment embeddings against each code's definition, include clauses and examples.

Each code is represented by several texts: "name: definition", each clause of its include
rule, and each of its first-person examples (and, once a researcher has accepted codes, the
accepted segments themselves). Two views of the same evidence are combined:

- **nearest examples**: a segment's similarity to a code is the mean of its ``top_k`` best
  cosine similarities to the code's texts, so one close example counts but a single lucky
  match does not dominate;
- **codebook classifier**: a multinomial logistic regression trained on the codebook's own
  texts (each labelled with its code), which learns what sets a code apart from the others.
  Evaluative codes (barriers, facilitators, outcomes, thresholds) cut across topics: their
  examples talk about IT, travel or DSLs like the topical codes do, and what distinguishes
  them is the framing ("the hardest thing was", "what made it work"), which a discriminative
  model picks up and a nearest-example match does not.

A turn that touches two codes often does so in two sentences, so each view scores the whole
segment and its best sentence, and averages the two. The interviewer's question is mixed in
(more for short answers, whose meaning often lies in the question: "Yes, definitely").

Scores are not probabilities and differ between codes (some definitions are close to
everything). They are made comparable by standardising twice, per code over the corpus's
segments (the per-code standardisation is what lets a cross-cutting code stand out where it is
unusually present) and per segment over the codes, and mapped to [0, 1] with a logistic curve.
"""

from __future__ import annotations

import re
import warnings

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


def best_sentence(whole: np.ndarray, sentence_scores: np.ndarray | None, owners: np.ndarray | None) -> np.ndarray:
    """Per segment row, the best score among its sentences (the whole segment's where it has one)."""
    best = whole.copy()
    if sentence_scores is None or owners is None or not len(owners):
        return best
    order = np.argsort(owners, kind="stable")
    owners_sorted, scores_sorted = owners[order], sentence_scores[order]
    starts = np.flatnonzero(np.r_[True, owners_sorted[1:] != owners_sorted[:-1]])
    rows = owners_sorted[starts]
    best[rows] = np.maximum.reduceat(scores_sorted, starts, axis=0)
    return best


@register_suggester("semantic")
class SemanticSuggester(Suggester):
    """Nearest codebook examples and a classifier trained on them, per segment and per sentence."""

    def __init__(self, top_k: int = 3, question_weight_short: float = 0.45, question_weight_long: float = 0.2,
                 short_words: int = 20, sentence_share: float = 0.5, classifier_share: float = 0.5,
                 classifier_c: float = 4.0, slope: float = 1.6, offset: float = 2.6, row_share: float = 0.25,
                 min_corpus: int = 30, learn_from_labels: bool = True, folds: int = 3) -> None:
        super().__init__()
        self.top_k = top_k
        self.question_weight_short = question_weight_short
        self.question_weight_long = question_weight_long
        self.short_words = short_words
        self.sentence_share = sentence_share
        self.classifier_share = classifier_share
        self.classifier_c = classifier_c
        self.slope = slope
        self.offset = offset
        self.row_share = row_share
        self.min_corpus = min_corpus
        self.learn_from_labels = learn_from_labels
        self.folds = folds
        self.classifier = None
        self.fold_classifiers: list = []
        self.accepted_rows = np.zeros(0, dtype=np.int64)
        self.accepted_codes = np.zeros(0, dtype=np.int64)

    def fit(self, segments, codebook, context: SuggestContext) -> "SemanticSuggester":
        super().fit(segments, codebook, context)
        if context.embedder is None:
            return self.unavailable("no embedder")
        if "semantic" not in context.code_vectors:
            context.code_vectors["semantic"], context.code_vectors["semantic_owners"] = \
                prototype_matrix(codebook, context.embedder)
        prototypes = context.code_vectors["semantic"]
        owners = context.code_vectors["semantic_owners"]
        labels = context.labels
        if self.learn_from_labels and labels is not None and context.answer_vectors is not None \
                and len(labels) == len(segments):
            # Accepted segments become examples of their codes: the researcher's own data says
            # what a code looks like in this project better than the codebook can.
            self.accepted_rows, self.accepted_codes = (a.astype(np.int64) for a in np.nonzero(labels == 1))
        if self.classifier_share > 0:
            self.classifier = self._train(prototypes, owners, context, self.accepted_rows)
            if len(self.accepted_rows) and self.classifier is not None:
                # Reviewed segments are scored by classifiers that never saw them, so that what is
                # fitted on reviewed segments later (fusion, thresholds) sees honest scores.
                reviewed = np.flatnonzero(~np.isnan(labels).all(axis=1))
                folds = np.random.default_rng(context.random_state).permutation(len(reviewed)) % self.folds
                self.fold_classifiers = []
                for fold in range(self.folds):
                    held = reviewed[folds == fold]
                    keep = self.accepted_rows[~np.isin(self.accepted_rows, held)]
                    self.fold_classifiers.append((held, self._train(prototypes, owners, context, keep)))
        if len(self.accepted_rows):
            self.notes.append(f"{len(self.accepted_rows)} accepted codes used as examples")
        return self

    def _train(self, prototypes, owners, context: SuggestContext, accepted_rows: np.ndarray):
        from sklearn.linear_model import LogisticRegression

        x, y = prototypes, owners
        if len(accepted_rows):
            codes = self.accepted_codes[np.isin(self.accepted_rows, accepted_rows)]
            x = np.vstack([prototypes, context.answer_vectors[self.accepted_rows[np.isin(self.accepted_rows, accepted_rows)]]])
            y = np.concatenate([owners, codes])
        if len(set(y.tolist())) < 2:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return LogisticRegression(C=self.classifier_c, max_iter=2000).fit(x, y)

    # ------------------------------------------------------------------ the two views

    def _nearest(self, vectors: np.ndarray, rows: np.ndarray | None, context: SuggestContext) -> np.ndarray:
        """Top-k mean similarity to each code's texts; ``rows``: the segment row of each vector,
        so that an accepted segment is never its own example."""
        prototypes = context.code_vectors["semantic"]
        owners = context.code_vectors["semantic_owners"]
        n_codes = len(self.codebook.codes)
        similarity = vectors @ prototypes.T
        if len(self.accepted_rows):
            learned = vectors @ context.answer_vectors[self.accepted_rows].T
            if rows is not None:
                learned[rows[:, None] == self.accepted_rows[None, :]] = -1.0
            similarity = np.hstack([similarity, learned])
            owners = np.concatenate([owners, self.accepted_codes])
        return top_k_mean(similarity, owners, n_codes, self.top_k)

    def _classified(self, vectors: np.ndarray, classifier=None) -> np.ndarray:
        n_codes = len(self.codebook.codes)
        out = np.zeros((len(vectors), n_codes), dtype=np.float32)
        classifier = classifier or self.classifier
        if classifier is None or not len(vectors):
            return out
        decision = classifier.decision_function(vectors)
        if decision.ndim == 1:  # two classes
            decision = np.column_stack([-decision, decision])
        classes = classifier.classes_
        out[:, classes] = decision
        if len(classes) < n_codes:
            out[:, np.setdiff1d(np.arange(n_codes), classes)] = decision.min()
        return out

    def _view(self, score, segments, context: SuggestContext, answers: np.ndarray) -> np.ndarray:
        rows = np.arange(len(answers))
        whole = score(answers, rows)
        if self.sentence_share > 0 and context.sentence_vectors is not None and len(context.sentence_vectors):
            sentence = score(context.sentence_vectors, context.sentence_owner)
            whole = (1 - self.sentence_share) * whole + self.sentence_share * best_sentence(
                whole, sentence, context.sentence_owner)
        questions = context.question_vectors
        if questions is not None:
            has_question = np.linalg.norm(questions, axis=1) > 0
            if has_question.any():
                words = np.asarray([len(str(t).split()) for t in segments["text"]])
                weight = np.where(words < self.short_words, self.question_weight_short, self.question_weight_long)
                weight = np.where(has_question, weight, 0.0).astype(np.float32)[:, None]
                asked = np.zeros_like(whole)
                asked[has_question] = score(questions[has_question], None)
                whole = (1 - weight) * whole + weight * asked
        return whole

    def raw_similarity(self, segments, context: SuggestContext) -> np.ndarray:
        """Cosine view: top-k similarity to the code's texts, sentence and question mixed in."""
        answers = self._answers(segments, context)
        return self._view(lambda v, r: self._nearest(v, r, context), segments, context, answers)

    def _answers(self, segments, context: SuggestContext) -> np.ndarray:
        answers = context.answer_vectors
        if answers is None:
            answers = context.embedder.encode([model_text(t) for t in segments["text"]])
        return answers

    def suggest(self, segments, context: SuggestContext | None = None) -> np.ndarray:
        context = context or self.context
        if not self.available:
            return self.zeros(segments)
        codable = segments["codable"].to_numpy(bool) if "codable" in segments else None
        answers = self._answers(segments, context)
        nearest = self._view(lambda v, r: self._nearest(v, r, context), segments, context, answers)
        by_code = standardise(nearest, axis=0, mask=codable)
        if self.classifier is not None and self.classifier_share > 0:
            classified = self._view(lambda v, r: self._classified(v), segments, context, answers)
            for held, classifier in self.fold_classifiers:
                if classifier is not None and len(held) and len(segments) == len(context.labels):
                    fold_view = self._view(lambda v, r: self._classified(v, classifier), segments, context, answers)
                    classified[held] = fold_view[held]
            by_code = ((1 - self.classifier_share) * by_code
                       + self.classifier_share * standardise(classified, axis=0, mask=codable))
            nearest = (1 - self.classifier_share) * standardise(nearest, axis=1) + \
                self.classifier_share * standardise(classified, axis=1)
        if codable is not None and codable.sum() < self.min_corpus:
            # Too few segments to know a code's typical similarity: lean on the per-segment view.
            by_code = 0.5 * by_code
        by_segment = standardise(nearest, axis=1)
        combined = (1 - self.row_share) * by_code + self.row_share * by_segment
        scores = sigmoid(self.slope * combined - self.offset)
        context.semantic_scores = scores
        return scores
