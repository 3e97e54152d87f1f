"""Embeddings load and run offline: the network is blocked while the models load and embed."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest

from qual.coding import embeddings
from qual.coding.embeddings import (AUTO_MINILM_MAX_TEXTS, CachedEmbedder, MiniLMEmbedder, StaticEmbedder,
                                    choose_backend)
from qual.errors import QualError

SENTENCES = [
    "The DSL asked me to talk a worry through before she made a referral.",
    "She came to me to discuss a concern before referring it to the front door.",
    "Covid closed the schools and we did welfare calls over the phone.",
]


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to resolve or connect raises, and is recorded: a library that catches the
    error and carries on still fails the test."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[:2]))
        raise NetworkUsed("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    yield attempts
    assert not attempts, f"network attempted: {attempts}"


def check_vectors(vectors: np.ndarray, dimensions: int) -> None:
    assert vectors.shape == (len(SENTENCES), dimensions)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Two wordings of the same thing are closer than an unrelated sentence.
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_static_model_loads_and_embeds_with_the_network_blocked(no_network):
    embedder = StaticEmbedder()
    check_vectors(embedder.encode(SENTENCES), embedder.dimensions)
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


@pytest.mark.ml
@pytest.mark.slow
def test_minilm_loads_and_embeds_with_the_network_blocked(no_network):
    embedder = MiniLMEmbedder()
    check_vectors(embedder.encode(SENTENCES), 384)
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_the_shipped_static_model_is_small_and_attributed():
    files = {p.name: p.stat().st_size for p in embeddings.STATIC_MODEL_DIR.iterdir()}
    assert "model.safetensors" in files and "ATTRIBUTION.txt" in files
    assert max(files.values()) < 20_000_000
    assert "all-MiniLM-L6-v2" in (embeddings.STATIC_MODEL_DIR / "ATTRIBUTION.txt").read_text()


def test_a_missing_static_model_is_a_clear_error(tmp_path):
    with pytest.raises(QualError, match="build_static_embedder"):
        StaticEmbedder(tmp_path)


class CountingEmbedder:
    name = "counting"
    dimensions = 2

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_the_cache_embeds_each_distinct_text_once():
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    first = cached.encode(["a", "bb", "a"])
    second = cached.encode(["bb", "ccc"])
    assert inner.seen == ["a", "bb", "ccc"]
    assert first[0].tolist() == first[2].tolist() == [1.0, 1.0]
    assert second[0].tolist() == [2.0, 1.0]
    assert cached.encode([]).shape == (0, 2)


def test_auto_picks_minilm_for_a_few_interviews_and_static_for_many():
    assert choose_backend("auto", 300) == "minilm"
    assert choose_backend("auto", AUTO_MINILM_MAX_TEXTS + 1) == "static"
    assert choose_backend("minilm", 10**6) == "minilm"
    with pytest.raises(QualError, match="unknown embedder"):
        choose_backend("word2vec", 10)
