"""Topic: BERTopic on the segments, seeded with the codebook, topics mapped to codes.

BERTopic is fitted on the codable segments with the same embeddings the semantic suggester
uses, and with each code's keywords as a seed topic (guided topic modelling nudges segments
towards the code they resemble; the keywords are boosted in c-TF-IDF). Each topic is then
matched to codes on two signals: how close the topic's centroid is to the code's description
and examples (embedding similarity, standardised across codes), and how much of the topic's
c-TF-IDF word weight falls on the code's keywords (compared on lemmas). A segment inherits its
topic's code scores (kept for evaluation; measured, they add nothing to the fused score, so
the ensemble gives them no weight by default: topics are an exploration aid, see docs/coding.md).

A topic is a **candidate new code** only when it matches no code *and* its segments fit no
existing code well (fewer than ``fit_share`` of them have a semantic score of at least
``fit_score`` for any code) *and* it is not small talk (its segments have a median of at least
``min_content_words`` content words). Its label is its top words, without pronouns,
contractions or interview fillers. The chart shows every topic's label, size and mapped codes
without hovering, as a static PNG bar chart (matplotlib) and as an interactive HTML map (plotly).

Parameters scale with the corpus, because BERTopic's defaults fail at both ends (measured in
``stack_notes.md``): fewer than ``min_segments`` segments give no topics (the reason is
recorded); below ``hdbscan_from`` segments there is no UMAP/HDBSCAN, only k-means with k
scaled to the size (one interview of 60 segments gets ~6 topics); above it, PCA (not UMAP,
whose numba compilation alone costs 30-50 s per process) and HDBSCAN with ``min_cluster_size``
about 1% of the segments, then outliers are reassigned to the nearest topic by embedding. When
HDBSCAN finds fewer than ``min_dense_topics`` topics or leaves more than ``max_outliers`` of the
segments unclustered (measured on a synthetic 100-interview corpus: 5 topics, half the segments
outliers), k-means with k = sqrt(n)/3 (20 to 40) is used instead, and the notes say so.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from ..segments import model_text
from .base import SuggestContext, Suggester, register_suggester
from .rules import english_pipeline

log = logging.getLogger("qual.coding.topic")

# Interview talk that would otherwise label every topic.
FILLERS = (
    "um umm erm er uh uhm ah oh mm mmm mhm hmm yeah yep yes no nope okay ok right well like know mean "
    "sort kind just really think thing things stuff got get gets getting bit lot lots actually honestly "
    "basically obviously literally gonna wanna guess suppose quite probably maybe say says said saying "
    "going go goes went want wanted way yeah's don didn doesn isn wasn weren couldn wouldn shouldn ve ll "
    "re s t d m did does doing done come came look looking make made bit little pretty definitely "
    "certainly absolutely course time times day days year years people person good great"
).split()

_PSEUDONYM_TAG = re.compile(r"\[[^\[\]\n]{1,40}\]")
# Words that name no topic: pronouns and determiners (contractions are dropped by their apostrophe).
PRONOUNS = set((
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves this that these those there "
    "here who whom whose which what one ones someone somebody something anyone anybody anything "
    "everyone everybody everything nobody nothing"
).split())


def topic_label(words: list[str], size: int = 4) -> str:
    """A topic's label: its first ``size`` top words that are not pronouns, contractions or fillers."""
    kept = []
    for word in words:
        parts = str(word).lower().split()
        if not parts or any("'" in p or "’" in p or p in PRONOUNS or p in FILLERS for p in parts):
            continue
        if any(p in " ".join(kept).split() for p in parts):
            continue  # "safeguarding lead" after "safeguarding" adds little
        kept.append(str(word).lower())
        if len(kept) == size:
            break
    return ", ".join(kept)


def topic_document(text: str) -> str:
    """Segment text as the topic vectorizer sees it: no transcriber notes or [Pseudonym] tags."""
    return _PSEUDONYM_TAG.sub(" ", model_text(text))


def kmeans_topics(n: int) -> int:
    """k for k-means: about one topic per ten segments for one interview, at most 40 for many."""
    if n < 500:
        return int(min(30, max(2, round(n / 10))))
    return int(min(40, max(20, round(np.sqrt(n) / 3))))


class _Backend:
    """Our embedder as a BERTopic embedding backend (needed for seed topics and outliers)."""

    def __new__(cls, embedder):
        from bertopic.backend import BaseEmbedder

        class Backend(BaseEmbedder):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def embed(self, documents, verbose=False):
                return self.inner.encode([str(d) for d in documents])

        return Backend(embedder)


@register_suggester("topic")
class TopicSuggester(Suggester):
    """Seeded BERTopic; segments inherit the codes their topic matches."""

    def __init__(self, min_segments: int = 10, hdbscan_from: int = 500, pca_dims: int = 10,
                 min_dense_topics: int = 10, max_outliers: float = 0.6,
                 match_threshold: float = 0.5, inherit: float = 0.8, top_words: int = 10,
                 fit_score: float = 0.5, fit_share: float = 0.25, min_content_words: int = 6,
                 max_fit_segments: int = 4000, random_state: int = 0) -> None:
        super().__init__()
        self.min_segments = min_segments
        self.hdbscan_from = hdbscan_from
        self.min_dense_topics = min_dense_topics
        self.max_outliers = max_outliers
        self.pca_dims = pca_dims
        self.match_threshold = match_threshold
        self.inherit = inherit
        self.top_words = top_words
        self.fit_score = fit_score
        self.fit_share = fit_share
        self.min_content_words = min_content_words
        self.max_fit_segments = max_fit_segments
        self.random_state = random_state
        self.model = None
        self.topics_table = None
        self.candidates = None
        self.method = ""

    # ------------------------------------------------------------------ fitting

    def _models(self, n: int, seed_words: list[str], force_kmeans: bool = False):
        from bertopic.vectorizers import ClassTfidfTransformer
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

        stop_words = sorted(set(ENGLISH_STOP_WORDS) | set(FILLERS))
        vectorizer = CountVectorizer(stop_words=stop_words, min_df=1, ngram_range=(1, 2),
                                     token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b")
        ctfidf = ClassTfidfTransformer(reduce_frequent_words=True, seed_words=seed_words or None,
                                       seed_multiplier=2)
        if n < self.hdbscan_from or force_kmeans:
            from bertopic.dimensionality import BaseDimensionalityReduction
            from sklearn.cluster import KMeans

            k = kmeans_topics(n)
            self.method = f"k-means, k={k}"
            return BaseDimensionalityReduction(), KMeans(n_clusters=k, n_init=2, random_state=self.random_state), vectorizer, ctfidf
        from hdbscan import HDBSCAN
        from sklearn.decomposition import PCA

        size = max(10, n // 100)
        self.method = f"PCA({self.pca_dims}) + HDBSCAN(min_cluster_size={size})"
        reducer = PCA(n_components=self.pca_dims, random_state=self.random_state)
        clusterer = HDBSCAN(min_cluster_size=size, min_samples=5, prediction_data=False,
                            core_dist_n_jobs=1)
        return reducer, clusterer, vectorizer, ctfidf

    def fit(self, segments, codebook, context: SuggestContext) -> "TopicSuggester":
        super().fit(segments, codebook, context)
        if context.embedder is None or context.answer_vectors is None:
            return self.unavailable("no embeddings")
        codable = segments["codable"].to_numpy(bool)
        rows = np.flatnonzero(codable)
        self.rows = rows
        self.n_segments = len(segments)
        if len(rows) < self.min_segments:
            return self.unavailable(
                f"too few segments for topics ({len(rows)}; at least {self.min_segments} are needed)")
        docs = [topic_document(t) for t in segments["text"].iloc[rows]]
        embeddings = np.array(context.answer_vectors[rows], dtype=np.float32, copy=True)
        seed_topics = [[str(k).lower() for k in code.keywords if str(k).strip()] or [code.name.lower()]
                       for code in codebook.codes]
        seed_words = sorted({w for topic in seed_topics for k in topic for w in k.split()})
        sample = np.arange(len(docs))
        if len(docs) > self.max_fit_segments:
            # Topics are an exploration aid: a random sample finds the same themes at a fraction of
            # the cost on a large project, and every other segment joins its nearest topic.
            rng = np.random.default_rng(self.random_state)
            sample = np.sort(rng.choice(len(docs), self.max_fit_segments, replace=False))
        try:
            self._fit_bertopic([docs[i] for i in sample], embeddings[sample], seed_topics, seed_words, context)
        except Exception as error:  # noqa: BLE001 - a failed topic model must not stop coding
            log.warning("topic model failed (%s); topic suggestions left out", type(error).__name__)
            return self.unavailable(f"the topic model failed on this input ({type(error).__name__})")
        if len(sample) < len(docs):
            fitted = self.assignments
            topic_ids = sorted(t for t in set(fitted.tolist()) if t != -1)
            if topic_ids:
                centroids = np.stack([self.embeddings[fitted == t].mean(axis=0) for t in topic_ids])
                centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
                self.assignments = np.asarray(topic_ids)[(embeddings @ centroids.T).argmax(axis=1)]
                self.assignments[sample] = fitted
            else:
                self.assignments = np.full(len(docs), -1)
            self.embeddings = embeddings
            self.notes.append(f"topics fitted on a random sample of {len(sample)} of {len(docs)} segments; "
                              "the others joined their nearest topic")
        self._map_topics(segments, docs, context)
        return self

    def _fit_bertopic(self, docs, embeddings, seed_topics, seed_words, context) -> None:
        from bertopic import BERTopic

        n = len(docs)
        for force_kmeans in (False, True):
            reducer, clusterer, vectorizer, ctfidf = self._models(n, seed_words, force_kmeans)
            model = BERTopic(
                embedding_model=_Backend(context.embedder), umap_model=reducer, hdbscan_model=clusterer,
                vectorizer_model=vectorizer, ctfidf_model=ctfidf, seed_topic_list=seed_topics,
                top_n_words=self.top_words, calculate_probabilities=False, verbose=False,
            )
            # BERTopic warns that topics set by reduce_outliers are manual, which is intended here.
            logging.getLogger("BERTopic").setLevel(logging.ERROR)
            # BERTopic nudges the embeddings it is given towards the seed topics, in place.
            topics, _ = model.fit_transform(docs, embeddings.copy())
            topics = np.asarray(topics)
            found, outliers = len(set(topics.tolist()) - {-1}), float((topics == -1).mean())
            if force_kmeans or n < self.hdbscan_from or (found >= self.min_dense_topics and
                                                          outliers <= self.max_outliers):
                break
            # Measured on interview-like text: HDBSCAN can find a handful of dense topics and leave
            # most segments as outliers; k-means topics are then the more useful map.
            self.notes.append(f"HDBSCAN found {found} dense topics and {outliers:.0%} outliers in {n} "
                              "segments; k-means used instead")
        if (topics == -1).any() and (topics != -1).any():
            topics = np.asarray(model.reduce_outliers(docs, list(topics), strategy="embeddings",
                                                      embeddings=embeddings))
            logging.getLogger("BERTopic").setLevel(logging.ERROR)
            model.update_topics(docs, topics=list(topics), vectorizer_model=vectorizer, ctfidf_model=ctfidf,
                                top_n_words=self.top_words)
        self.model = model
        self.assignments = topics
        self.embeddings = embeddings

    # ------------------------------------------------------------------ topics -> codes

    def _keyword_lemmas(self) -> list[set[str]]:
        """Each code's keywords as lemma strings (whole keywords: "team" alone is not "locality team")."""
        nlp = english_pipeline()
        return [{" ".join(t.lemma_ for t in nlp(str(keyword))) for keyword in code.keywords}
                for code in self.codebook.codes]

    def _map_topics(self, segments, docs, context: SuggestContext) -> None:
        import pandas as pd

        model, topics = self.model, self.assignments
        topic_ids = sorted(t for t in set(topics.tolist()) if t != -1)
        if not topic_ids:
            self.unavailable("the topic model put every segment in the outlier group")
            return
        semantic = context.semantic_scores
        if semantic is None or len(semantic) != self.n_segments:
            from .semantic import SemanticSuggester

            semantic = SemanticSuggester().fit(segments, self.codebook, context).suggest(segments, context)
        semantic = semantic[self.rows]
        # Embedding signal: how strongly the topic's segments, on average, resemble each code.
        # An off-topic cluster resembles no code well, so it scores low everywhere.
        by_embedding = np.stack([semantic[topics == t].mean(axis=0) for t in topic_ids])
        by_embedding = np.clip((by_embedding - 0.1) / 0.4, 0.0, 1.0)

        nlp = english_pipeline()
        keyword_sets = self._keyword_lemmas()
        by_words = np.zeros_like(by_embedding)
        words_of: dict[int, list[str]] = {}
        for row, topic in enumerate(topic_ids):
            words = [(w, s) for w, s in (model.get_topic(topic) or []) if w]
            words_of[topic] = [w for w, _ in words]
            total = sum(max(s, 0) for _, s in words) or 1.0
            lemmas = [(" ".join(t.lemma_ for t in nlp(w)), max(s, 0) / total) for w, s in words]
            for column, keyset in enumerate(keyword_sets):
                by_words[row, column] = sum(weight for lem, weight in lemmas if lem in keyset)
        # c-TF-IDF signal: the share of the topic's top-word weight that falls on the code's keywords.
        by_words = np.minimum(1.0, by_words / 0.3) * 0.8
        match = 1.0 - (1.0 - by_embedding) * (1.0 - by_words)
        self.topic_ids = topic_ids
        self.match = match.astype(np.float32)
        centroids = np.stack([self.embeddings[topics == t].mean(axis=0) for t in topic_ids])

        from .fusion import content_words

        seg_ids = (segments["document"].astype(str) + "#" + segments["segment"].astype(str)).to_numpy()
        fits = semantic.max(axis=1) >= self.fit_score  # the segment fits some existing code well
        words = np.asarray([content_words(t) for t in segments["text"].iloc[self.rows]])
        records, candidates = [], []
        for row, topic in enumerate(topic_ids):
            members = np.flatnonzero(topics == topic)
            order = np.argsort(-(self.embeddings[members] @ centroids[row]))
            examples = [seg_ids[self.rows[i]] for i in members[order[:3]]]
            ranked = np.argsort(-match[row])
            matched = [(self.codebook.codes[c].id, float(match[row, c])) for c in ranked
                       if match[row, c] >= self.match_threshold][:3]
            fit_share = float(fits[members].mean())
            small_talk = float(np.median(words[members])) < self.min_content_words
            candidate = not matched and fit_share < self.fit_share and not small_talk
            record = {
                "topic": int(topic), "size": int(len(members)),
                "label": topic_label(words_of[topic]),
                "top_words": ", ".join(words_of[topic][: self.top_words]),
                "fit_share": round(fit_share, 3),
                "codes": "; ".join(f"{c} ({s:.2f})" for c, s in matched),
                "best_code": self.codebook.codes[ranked[0]].id,
                "best_score": round(float(match[row, ranked[0]]), 3),
                "candidate": candidate, "examples": "; ".join(examples),
            }
            records.append(record)
            if candidate:
                candidates.append({**record, "example_texts": [docs[i] for i in members[order[:3]]]})
        self.topics_table = pd.DataFrame(records)
        self.candidates = candidates
        self.notes.append(f"{len(topic_ids)} topics ({self.method}); {len(candidates)} fit no existing code "
                          "(candidate new codes)")

    # ------------------------------------------------------------------ suggesting

    def suggest(self, segments, context: SuggestContext | None = None) -> np.ndarray:
        scores = self.zeros(segments)
        if not self.available or self.model is None:
            return scores
        if len(segments) == self.n_segments:  # topics are fitted on, and scored for, the same segments
            index = {t: i for i, t in enumerate(self.topic_ids)}
            for row, topic in zip(self.rows, self.assignments):
                if topic in index:
                    scores[row] = self.inherit * self.match[index[topic]]
        return scores

    def _layout(self):
        """2-D positions of the topics (their centroids' first two principal components)."""
        centroids = np.stack([self.embeddings[self.assignments == t].mean(axis=0) for t in self.topic_ids])
        centred = centroids - centroids.mean(axis=0)
        if len(centroids) >= 3:
            u, s, _ = np.linalg.svd(centred, full_matrices=False)
            return u[:, :2] * s[:2]
        return np.column_stack([np.arange(len(centroids)), np.zeros(len(centroids))])

    def _captions(self) -> list[str]:
        table = self.topics_table
        return [f"{r.label or 'topic ' + str(r.topic)} ({r.size})\n"
                + ("candidate new code" if r.candidate else
                   ", ".join(c.split(" (")[0] for c in r.codes.split("; ")[:2]) if r.codes else f"{r.best_code}?")
                for r in table.itertuples()]

    def chart(self):
        """An interactive plotly figure of the topics: position by content, size by segments,
        each bubble captioned with its label, size and best-matched code."""
        import plotly.graph_objects as go

        if self.topics_table is None or self.topics_table.empty:
            return None
        table = self.topics_table
        xy = self._layout()
        colours = ["#BBBBBB" if c else "#1F77B4" for c in table["candidate"]]
        hover = [
            f"topic {r.topic} ({r.size} segments)<br>{r.top_words}<br>"
            + (f"codes: {r.codes}" if r.codes else "matches no code")
            + ("<br>candidate new code" if r.candidate else "")
            for r in table.itertuples()
        ]
        sizes = 12 + 40 * np.sqrt(table["size"].to_numpy() / max(table["size"].max(), 1))
        figure = go.Figure(go.Scatter(
            x=xy[:, 0], y=xy[:, 1], mode="markers+text", text=[c.replace("\n", "<br>") for c in self._captions()],
            textposition="top center", textfont={"size": 10}, hovertext=hover, hoverinfo="text",
            marker={"size": sizes, "color": colours, "line": {"width": 1, "color": "#333333"}, "opacity": 0.7},
        ))
        figure.update_layout(
            title=f"Topics in the coded segments ({self.method}): label (segments), best-matched code; "
                  "grey = candidate new code",
            xaxis={"visible": False}, yaxis={"visible": False}, template="plotly_white", height=800,
        )
        return figure

    def chart_png(self, dpi: int = 110) -> bytes | None:
        """The topics as a static PNG (matplotlib), readable without hovering: one bar per topic,
        longest first, labelled with its top words, its size and its matched codes (a bubble map
        of many topics overlaps its own labels)."""
        if self.topics_table is None or self.topics_table.empty:
            return None
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        table = self.topics_table.sort_values("size", ascending=True, kind="stable")
        sizes = table["size"].to_numpy()
        colours = ["#BBBBBB" if c else "#1F77B4" for c in table["candidate"]]
        mapped = ["candidate new code" if r.candidate else
                  (", ".join(c.split(" (")[0] for c in r.codes.split("; ")[:3]) if r.codes else f"{r.best_code}?")
                  for r in table.itertuples()]
        height = max(3.0, 0.32 * len(table) + 1.2)
        figure, axes = plt.subplots(figsize=(12, height))
        positions = np.arange(len(table))
        axes.barh(positions, sizes, color=colours, edgecolor="#333333", linewidth=0.5)
        axes.set_yticks(positions, [f"{r.label or 'topic ' + str(r.topic)}" for r in table.itertuples()],
                        fontsize=8)
        for y, size, text in zip(positions, sizes, mapped):
            axes.text(size, y, f"  {size}  {text}", va="center", fontsize=7.5)
        axes.set_xlim(0, sizes.max() * 1.6)
        axes.set_xlabel("segments")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.set_title(f"Topics in the coded segments ({self.method}): top words, segments and matched codes; "
                       "grey = candidate new code", fontsize=10)
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png", dpi=dpi)
        plt.close(figure)
        return buffer.getvalue()
