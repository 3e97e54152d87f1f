"""How many codes a segment gets (0-3), and fusion fitted on a researcher's reviewed segments.

Zero-shot (no reviewed segments yet), the decision is made per segment in two steps:

1. **Does the segment say anything codable?** Greetings, thanks, back-channels, small talk,
   clarifying questions, spelling a name or giving contact details carry no code, however
   "close" their best code is. :func:`substance` compares the segment (and, for short answers,
   the question it answers) with generic examples of such talk (``SMALL_TALK``) and with the
   codebook's texts, and counts its content words. A non-substantive segment gets no code
   selected (its ranked candidates are still listed for the reviewer).
2. **Which codes?** The segment's best code, and each further code whose fused score clears the
   threshold and is close enough to the best one (at most three).

With reviewed segments (``qual code --accept ... --refit``), :class:`FittedFusion` learns, from
the researcher's own decisions, how far to trust each suggester and each rank: one logistic
regression shared by all codes over the suggesters' scores, the zero-shot fused score, the
code's rank in the segment and the segment's substance, so that 10-20% of a project reviewed
(a few dozen accepted codes) is enough. Its threshold is the one that maximises F1 on
out-of-fold predictions for the reviewed segments. It replaces the zero-shot rule only when
that cross-validation says it does better.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass

import numpy as np

from ..segments import model_text

# Interview talk that carries no code in any codebook: greetings, thanks and sign-offs,
# back-channels, technical and small talk, clarifying questions, spelling and contact details.
SMALL_TALK = [
    "Hello, yes, I can hear you fine.",
    "Can you hear me okay? My connection keeps dropping.",
    "Sorry, you froze for a second there.",
    "Hang on, let me just shut the door.",
    "Is it recording now?",
    "Okay, I think it's recording now, so thank you for doing this, I know you're busy.",
    "Right, the transcription's on, you should see it at the bottom of the screen.",
    "Yes, that's fine, go ahead.",
    "No problem, happy to help.",
    "I'm well, thanks, how are you?",
    "It's been one of those weeks.",
    "Thanks for having me.",
    "Thank you, bye.",
    "Cheers, take care, bye now.",
    "Lovely to speak to you, bye.",
    "Okay.",
    "Yeah, yeah.",
    "Mm-hm, right.",
    "Sure.",
    "Ha, yes, exactly.",
    "Sorry, could you say the question again?",
    "What do you mean by that?",
    "Sorry, which bit do you mean?",
    "It's spelt with a double L at the end.",
    "My email's on the sheet, or you can ring my mobile.",
    "Email is best, or my work number.",
    "No, I think that's everything from me.",
    "Nothing else, I think we've covered it all.",
]

_WORD = re.compile(r"[a-z][a-z']+")
# Words that carry no content in speech: function words and interview fillers.
_EMPTY = set((
    "a an the and or but so if then than that this these those it its it's i i'm i've i'd i'll me my "
    "we we're we've our us you you're your he she they them their his her him is are was were be been "
    "being am do does did done have has had having to of in on at for with from by about as into up "
    "out over just really very quite yeah yes no not don't didn't okay ok right well oh um erm er uh "
    "mm hmm like know mean sort kind bit thing things lot sure fine thanks thank cheers bye hi hello "
    "sorry course great good lovely brilliant yep nope there here what which who how when where why "
    "can could would should will shall may might must got get go going went say said think "
    "pet mate love all too also some any one two"
).split())


def content_words(text: str) -> int:
    """Words that carry content (no function words or fillers) in a segment's text."""
    return sum(1 for word in _WORD.findall(model_text(text).lower()) if word not in _EMPTY)


# An interviewer asking who or what was just named ("Who's Rav?", "DC being...", "Sorry, your
# manager is?", "Is that Mr Okonjo?"): a short answer to it clarifies and carries no code.
_CLARIFYING_RE = re.compile(
    r"^\W*(?:sorry,?\s*|and\s+|so\s+)?(?:who(?:'s|\s+is|\s+was|\s+are)\b|is\s+that\b|was\s+that\b|"
    r"you\s+mean\b|meaning\b|as\s+in\b|which\s+(?:one|school|team|person)\b)"
    r"|\b(?:being|is|was|meaning)\s*(?:\.\.\.|…|\?)\s*$", re.IGNORECASE)
CLARIFYING_QUESTION_WORDS = 4
CLARIFYING_ANSWER_WORDS = 25


def clarifies(question: str, answer: str) -> bool:
    """``answer`` is a short reply to a question asking who or what was just named."""
    question = str(question or "").strip()
    return (0 < len(question.split()) <= CLARIFYING_QUESTION_WORDS and bool(_CLARIFYING_RE.search(question))
            and len(str(answer).split()) < CLARIFYING_ANSWER_WORDS)


# A way to reach or to file someone, as written or as qual's pseudonym tag for it: a segment
# that holds one and says little else gives details ("my email's ..., or ring the office";
# "it's under her Early Help number, ...; she was born ..."), however close it is to a code.
_DETAIL_TYPES = ("EMAIL", "PHONE", "URL", "HANDLE", "POSTCODE", "ADDRESS", "DATE_OF_BIRTH",
                 "CASE_NUMBER", "NI_NUMBER", "NHS_NUMBER")
DETAILS_MAX_WORDS = 9


@functools.lru_cache(maxsize=1)
def _detail_patterns() -> list[re.Pattern]:
    from ...deid.identity.entities import EntityType
    from ...deid.recognizers.contact import EMAIL_RE, SPOKEN_EMAIL_RE, SPOKEN_URL_RE, UK_PHONE_RE, URL_RE
    from ...deid.recognizers.ids import NI_RE, POSTCODE_RE

    tags = "|".join(re.escape(EntityType(name).info.tag) for name in _DETAIL_TYPES)
    return [re.compile(rf"\[(?:{tags})(?: [A-Z0-9]+)?\]"), EMAIL_RE, SPOKEN_EMAIL_RE, SPOKEN_URL_RE, UK_PHONE_RE,
            URL_RE, NI_RE, POSTCODE_RE]


def gives_details(text: str) -> bool:
    """``text`` holds a contact detail or a reference (written, or as qual's tag for one) and
    says little else: under :data:`DETAILS_MAX_WORDS` content words besides it."""
    text = str(text or "")
    found = False
    for pattern in _detail_patterns():
        text, count = pattern.subn(" ", text)
        found = found or count > 0
    return found and content_words(text) < DETAILS_MAX_WORDS


@dataclass
class Substance:
    """Per segment: how much it looks like small talk rather than like any code."""

    small_talk: np.ndarray  # best similarity to SMALL_TALK (answer and question mixed)
    coded: np.ndarray  # best similarity to any code's texts, mixed the same way
    words: np.ndarray  # content words
    clarification: np.ndarray | None = None  # a short reply to "who's that?" (see clarifies)
    details: np.ndarray | None = None  # gives contact details or a reference (see gives_details)
    opening: np.ndarray | None = None  # the reply to an interview's small-talk opening (see substance)

    def margin(self) -> np.ndarray:
        return self.coded - self.small_talk

    def substantive(self, margin: float = 0.0, min_words: int = 3) -> np.ndarray:
        """Zero-shot: enough content words, closer to some code than to small talk, and not a
        reply that only says who or what was meant."""
        keep = (self.words >= min_words) & (self.margin() > margin)
        for aside in (self.clarification, self.details, self.opening):
            if aside is not None:
                keep &= ~aside
        return keep

    def features(self) -> np.ndarray:
        return np.column_stack([self.margin(), np.log1p(self.words)]).astype(np.float32)


def substance(segments, context, small_talk_vectors: np.ndarray, short_words: int = 20,
              question_weight: float = 0.45) -> Substance:
    """Compare each segment (and the question before a short answer) with small talk and with
    the codebook's texts (``context.code_vectors["semantic"]``)."""
    n = len(segments)
    words = np.asarray([content_words(t) for t in segments["text"]], dtype=np.float32)
    questions_text = segments["question"] if "question" in segments else [""] * n
    clarification = np.asarray([clarifies(q, t) for q, t in zip(questions_text, segments["text"])], dtype=bool)
    details = np.asarray([gives_details(t) for t in segments["text"]], dtype=bool)
    answers = context.answer_vectors
    if answers is None or not len(small_talk_vectors):
        return Substance(np.zeros(n, np.float32), np.ones(n, np.float32), words, clarification, details)
    prototypes = context.code_vectors.get("semantic")

    def best(vectors, bank):
        if bank is None or not len(bank):
            return np.zeros(len(vectors), np.float32)
        return (vectors @ bank.T).max(axis=1)

    chat, coded = best(answers, small_talk_vectors), best(answers, prototypes)
    questions = context.question_vectors
    opening = None
    if questions is not None:
        # An interview opens with talk about the recording, thanks and how the day is going;
        # the reply to it is warm-up however much it says ("No, you're fine, I'm parked up
        # outside the school with a meal deal"): a codable segment of the first turn a
        # participant takes in a document, when the turn it answers speaks of the recording,
        # consent or thanks and is closer to small talk than to any code, gets no code (not
        # an excerpt that opens on "Can you tell me more?").
        opens = np.asarray([bool(_OPENING_RE.search(str(q or ""))) for q in questions_text], dtype=bool)
        opening = first_reply(segments) & opens & (best(questions, prototypes) < best(questions, small_talk_vectors))
        asked = np.linalg.norm(questions, axis=1) > 0
        weight = np.where(asked & (np.asarray([len(str(t).split()) for t in segments["text"]]) < short_words),
                          question_weight, 0.0).astype(np.float32)
        chat = (1 - weight) * chat + weight * best(questions, small_talk_vectors)
        coded = (1 - weight) * coded + weight * best(questions, prototypes)
    return Substance(chat.astype(np.float32), coded.astype(np.float32), words, clarification, details, opening)


# What an interview's opening talks about: the recording, the captions or transcription, consent,
# thanks ("Okay, I think it's recording now, so thank you for doing this")
_OPENING_RE = re.compile(r"\b(?:record(?:ing|ed|er)?|thanks?|thank you|consent|transcri\w*|captions?)\b",
                         re.IGNORECASE)


def first_reply(segments) -> np.ndarray:
    """Per segment: whether it belongs to the reply to a document's opening turn (the
    document's first codable turn, right after one turn of the interviewer's)."""
    n = len(segments)
    if not n or not {"document", "turn", "codable"} <= set(segments.columns):
        return np.zeros(n, bool)
    codable = segments["codable"].to_numpy(bool)
    turns = segments["turn"].where(codable)
    first = turns.groupby(segments["document"]).transform("min")
    return (codable & (segments["turn"] == first).to_numpy() & (segments["turn"] == 1).to_numpy()).astype(bool)


def rank_matrix(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each code within its row (0 = the row's best)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks[np.arange(len(order))[:, None], order] = np.arange(order.shape[1])[None, :]
    return ranks


def select_codes(scores: np.ndarray, *, threshold: float, floor: float, relative: float, max_codes: int,
                 substantive: np.ndarray | None = None, eligible: np.ndarray | None = None) -> np.ndarray:
    """Boolean (segments x codes): the best code when it reaches ``floor``; further codes at or
    above ``threshold`` and ``relative`` x the best; at most ``max_codes``; nothing for a
    segment that is not ``substantive`` or not ``eligible``."""
    chosen = scores >= threshold
    if scores.shape[1]:
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(scores)), best]
        top = best_score >= floor
        chosen[np.flatnonzero(top), best[top]] = True
        if relative > 0:
            chosen &= scores >= relative * best_score[:, None]
        if max_codes and scores.shape[1] > max_codes:
            chosen &= rank_matrix(scores) < max_codes
    for mask in (substantive, eligible):
        if mask is not None:
            chosen &= mask[:, None]
    return chosen


def _average_precision(truth: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    truth = truth.ravel()
    return float(average_precision_score(truth, scores.ravel())) if 0 < truth.sum() < truth.size else 0.0


def f1(chosen: np.ndarray, truth: np.ndarray) -> float:
    tp = float((chosen & truth).sum())
    return 2 * tp / max(float(chosen.sum() + truth.sum()), 1.0)


class FittedFusion:
    """One logistic regression for all codes over per-(segment, code) features, fitted on
    reviewed segments; a threshold chosen on its out-of-fold predictions."""

    def __init__(self, min_positives: int = 15, folds: int = 3, regularisation: float = 1.0,
                 max_codes: int = 3, random_state: int = 0) -> None:
        self.min_positives = min_positives
        self.folds = folds
        self.regularisation = regularisation
        self.max_codes = max_codes
        self.random_state = random_state
        self.model = None
        self.threshold = 0.5
        self.floor = 0.5
        self.relative = 0.0
        self.gain = 0.0  # out-of-fold F1 over the zero-shot rule on the reviewed segments
        self.note = ""

    @staticmethod
    def features(scores: dict[str, np.ndarray], zero_shot: np.ndarray, substance_features: np.ndarray) -> np.ndarray:
        """(segments x codes x features), flattened to (segments*codes, features)."""
        n, k = zero_shot.shape
        ranks = rank_matrix(zero_shot)
        best = zero_shot.max(axis=1, keepdims=True)
        columns = [zero_shot, zero_shot - best]
        columns += [(ranks == r).astype(np.float32) for r in range(3)]
        columns += [scores[name] for name in sorted(scores)]
        columns += [np.repeat(substance_features[:, j:j + 1], k, axis=1) for j in range(substance_features.shape[1])]
        # One indicator per code: the regression's (shrunk) per-code offsets are per-code thresholds.
        columns += [np.broadcast_to((np.arange(k) == c).astype(np.float32), (n, k)) for c in range(k)]
        return np.stack(columns, axis=2).reshape(n * k, len(columns)).astype(np.float32)

    def fit(self, features: np.ndarray, labels: np.ndarray, zero_shot_chosen: np.ndarray,
            zero_shot: np.ndarray) -> "FittedFusion":
        """``labels``: (segments x codes) 1/0/NaN; fitted on the reviewed rows (any label). The fit
        is used only when, out of fold, it both ranks the codes better (average precision) and
        chooses them better (F1) than the zero-shot ``zero_shot`` scores and ``zero_shot_chosen``."""
        from sklearn.linear_model import LogisticRegression

        n, k = labels.shape
        reviewed = np.flatnonzero(~np.isnan(labels).all(axis=1))
        truth = np.nan_to_num(labels[reviewed]) == 1
        positives = int(truth.sum())
        if positives < self.min_positives or len(reviewed) < 2 * self.folds:
            self.note = (f"fusion: {positives} accepted codes on reviewed segments; at least "
                         f"{self.min_positives} are needed to fit it, zero-shot fusion kept")
            return self
        x = features.reshape(n, k, -1)[reviewed]
        y = truth.astype(int)
        folds = np.random.default_rng(self.random_state).permutation(len(reviewed)) % self.folds
        out_of_fold = np.zeros((len(reviewed), k), dtype=np.float32)
        for fold in range(self.folds):
            train, test = folds != fold, folds == fold
            if y[train].sum() == 0 or y[train].sum() == y[train].size:
                self.note = "fusion: too few accepted codes in a fold; zero-shot fusion kept"
                return self
            model = self._model(LogisticRegression).fit(x[train].reshape(-1, x.shape[2]), y[train].ravel())
            out_of_fold[test] = model.predict_proba(x[test].reshape(-1, x.shape[2]))[:, 1].reshape(-1, k)
        best_f1, best = -1.0, (0.5, 0.5, 0.0)
        for threshold in np.arange(0.1, 0.75, 0.05):
            for floor in np.arange(0.05, threshold + 0.01, 0.05):
                for relative in (0.0, 0.5, 0.7):
                    chosen = select_codes(out_of_fold, threshold=threshold, floor=floor, relative=relative,
                                          max_codes=self.max_codes)
                    score = f1(chosen, truth)
                    if score > best_f1 + 1e-9:
                        best_f1, best = score, (float(threshold), float(floor), relative)
        baseline = f1(zero_shot_chosen[reviewed], truth)
        self.gain = best_f1 - baseline
        ranked_better = _average_precision(truth, out_of_fold) > _average_precision(truth, zero_shot[reviewed])
        if self.gain > 0 and not ranked_better:
            # Better counts but a worse order would cost the reviewer their top candidates.
            self.note = (f"fusion: fitted on {len(reviewed)} reviewed segments ranked codes worse than the "
                         "zero-shot scores there (out-of-fold); zero-shot kept")
            return self
        if self.gain <= 0:
            self.note = (f"fusion: fitted on {len(reviewed)} reviewed segments did not beat the zero-shot "
                         f"rule there (out-of-fold F1 {best_f1:.2f} vs {baseline:.2f}); zero-shot kept")
            return self
        self.threshold, self.floor, self.relative = best
        self.model = self._model(LogisticRegression).fit(x.reshape(-1, x.shape[2]), y.ravel())
        self.note = (f"fusion: fitted on {len(reviewed)} reviewed segments ({positives} accepted codes); "
                     f"out-of-fold F1 {best_f1:.2f} vs zero-shot {baseline:.2f}; threshold {self.threshold:.2f}")
        return self

    def fit_rule(self, zero_shot: np.ndarray, labels: np.ndarray, substantive: np.ndarray | None,
                 default: tuple[float, float, float], min_gain: float = 0.02) -> tuple[float, float, float] | None:
        """When the fusion is not used: the selection rule (threshold, floor, relative) that fits
        the reviewed segments best on the zero-shot scores, keeping their order; a project whose
        turns carry more (or fewer) codes than the default assumes gets more (or fewer). Returned
        only when it beats ``default`` there by ``min_gain`` F1, else None."""
        reviewed = np.flatnonzero(~np.isnan(labels).all(axis=1))
        truth = np.nan_to_num(labels[reviewed]) == 1
        if int(truth.sum()) < self.min_positives:
            return None
        scores = zero_shot[reviewed]
        gate = substantive[reviewed] if substantive is not None else None

        def score(rule):
            return f1(select_codes(scores, threshold=rule[0], floor=rule[1], relative=rule[2],
                                   max_codes=self.max_codes, substantive=gate), truth)

        baseline = score(default)
        best, best_f1 = None, baseline + min_gain
        for threshold in np.arange(0.2, 0.61, 0.05):
            for relative in (0.5, 0.6, 0.7, 0.8):
                rule = (float(threshold), min(default[1], float(threshold)), relative)
                value = score(rule)
                if value > best_f1:
                    best, best_f1 = rule, value
        if best is not None:
            self.note += (f"; selection rule fitted on the reviewed segments instead: threshold {best[0]:.2f}, "
                          f"relative {best[2]:.1f} (F1 there {best_f1:.2f} vs {baseline:.2f})")
        return best

    def _model(self, cls):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls(C=self.regularisation, max_iter=2000)

    @property
    def fitted(self) -> bool:
        return self.model is not None

    def predict(self, features: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        return self.model.predict_proba(features)[:, 1].reshape(shape).astype(np.float32)
