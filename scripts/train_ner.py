#!/usr/bin/env python
"""Train qual's shipped NER model and package it into ``qual/deid/resources/ner_model``.

    python scripts/make_ner_data.py --out /tmp/qual-ner/data
    nice python scripts/train_ner.py --data /tmp/qual-ner/data --work /tmp/qual-ner/train

A small CPU spaCy pipeline (tok2vec + ner), started from ``spacy init config --pipeline ner
--optimize efficiency`` and made narrower and shallower for speed (``ARCHITECTURE``): qual
runs it on every line of every transcript, so it must tag well over 15,000 words a second on
one core. Deterministic for a given seed and data. The best model on the development data
(recall weighted above precision) is written to the package with only what loading needs (no
optimizer state, no training data), an ``ATTRIBUTION.md`` naming every data source and its
licence, and ``meta.json`` saying how it was trained.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = PROJECT / "qual" / "deid" / "resources" / "ner_model"

# Tuned for speed first (measured in CPU time on one core, untrained weights, interview text):
# spaCy's efficiency default (width 96, depth 4) ~15,000 words/s; width 64, depth 3 ~24,000.
ARCHITECTURE = {
    "components.tok2vec.model.encode.width": 64,
    "components.tok2vec.model.encode.depth": 3,
    "components.tok2vec.model.encode.window_size": 1,
    "components.tok2vec.model.encode.maxout_pieces": 3,
    "components.tok2vec.model.embed.rows": [10000, 2000, 5000, 1000],
    "components.ner.model.hidden_width": 64,
    "components.ner.model.maxout_pieces": 2,
}
TRAINING = {
    "training.max_steps": 9000,
    "training.max_epochs": 0,
    "training.patience": 3000,
    "training.eval_frequency": 500,
    "training.dropout": 0.15,
    # recall before precision: a missed name leaks, a spurious one costs a word
    "training.score_weights": {"ents_f": 0.4, "ents_r": 0.6, "ents_p": 0.0, "ents_per_type": None},
}

ATTRIBUTION = """\
# qual's NER model: data sources and licences

This spaCy pipeline (tok2vec + ner; labels PERSON, LOC, ORG) was trained by
`scripts/train_ner.py` on data built by `scripts/make_ner_data.py` from the sources below.
The model's weights are derived from them. Because one source (GUM's Wikivoyage texts) is
licensed CC BY-SA 3.0, **this model is shared under CC BY-SA 4.0**
(https://creativecommons.org/licenses/by-sa/4.0/); the rest of qual stays MIT.
Changes made to every corpus: labels mapped to PERSON/LOC/ORG (see docs/ner-model.md),
texts re-tokenised, and copies lower-cased, upper-cased, stripped of punctuation, given
fillers, misspellings and transcriber annotations. No text of any corpus is included here.

| source | used | licence |
|---|---|---|
| Broad Twitter Corpus (Derczynski, Bontcheva and Roberts, COLING 2016; https://github.com/GateNLP/broad_twitter_corpus) | sections A, B, E, F, G and the first half of H | CC BY 4.0 |
| WNUT-17 Emerging and Rare Entities (Derczynski, Nichols, van Erp and Limsopatham, W-NUT 2017; https://noisy-text.github.io/2017/emerging-rare-entities.html) | train split | CC BY 4.0 |
| wikigold (Balasuriya, Ringland, Nothman, Murphy and Curran, 2009; https://figshare.com/articles/Learning_multilingual_named_entity_recognition_from_Wikipedia/5462500) | 7 documents in 10 | CC BY 4.0 |
| GUM, Georgetown University Multilayer corpus (Zeldes 2017, Language Resources and Evaluation 51(3); https://corpling.uis.georgetown.edu/gum/) | train split without its wikiHow documents | annotations CC BY 4.0; texts: Wikinews CC BY 2.5, Wikivoyage CC BY-SA 3.0. The wikiHow part (CC BY-NC-SA 3.0) was **not** used: a non-commercial licence does not allow shipping a model trained on it |
| synthetic interview speech written for qual (`scripts/ner_templates.py`) | all | MIT |
| names and places filling it: qual's shipped lists (`qual/deid/resources/ATTRIBUTION.md`) | first names, surnames, places, local authorities, countries | ONS baby names and OS Open Names: Open Government Licence v3.0 (contains public sector information licensed under the OGL v3.0; contains OS data (c) Crown copyright and database right); US Census 1990 names: public domain; local authority names (c) mySociety, CC BY 4.0; word frequencies from wordfreq (Robyn Speer), CC BY-SA 4.0 |

GUM annotators are credited at https://corpling.uis.georgetown.edu/gum/. The BTC, WNUT-17,
wikigold and GUM authors do not endorse qual or this model.
"""


# Static "vectors" that are no embeddings: for each lower-cased word, what qual's shipped lists
# know of it. They let the model weigh a word that is a first name, a surname, a place or a
# council, and how common it is as an English word, without capitals (speech-to-text).
FEATURES = ("first name", "surname", "UK place", "local authority", "country", "word frequency",
            "lower-case dictionary word", "listed")


def build_feature_vectors(folder: Path) -> Path:
    """A blank pipeline whose vectors table holds ``FEATURES`` per lower-cased word."""
    import math

    import numpy
    import spacy
    from spacy.vectors import Vectors

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import make_ner_data as data

    rows: dict[str, list[float]] = {}

    def row(word: str) -> list[float]:
        return rows.setdefault(word.lower(), [0.0] * len(FEATURES))

    def parts(name: str) -> list[str]:
        return [p for p in name.replace("-", " ").split() if any(c.isalpha() for c in p)]

    for word, (zipf, lower_word) in data.load_lexicon().items():
        if zipf >= 2.5:
            vector = row(word)
            vector[5], vector[6] = zipf / 8.0, float(lower_word)
    for name, births, *_ in data._tsv("first_names.tsv.gz"):
        row(name)[0] = max(row(name)[0], math.log10(int(births) + 1) / 6.0)
    for name, per_100k, *_ in data._tsv("surnames.tsv.gz"):
        row(name)[1] = max(row(name)[1], math.log10(float(per_100k) * 600 + 1) / 6.0)
    for column, lists in ((2, [r[0] for r in data._tsv("places.tsv.gz")]),
                          (3, [r[0] for r in data._tsv("local_authorities.tsv.gz")]),
                          (4, [r[0] for r in data._tsv("countries.tsv.gz")])):
        for name in lists:
            tokens = parts(name)
            for token in tokens:
                vector = row(token)
                vector[column] = max(vector[column], 1.0 if len(tokens) == 1 else 0.5)
    for vector in rows.values():
        vector[7] = 1.0
    nlp = spacy.blank("en")
    keys = sorted(rows)
    table = numpy.asarray([rows[k] for k in keys], dtype="float32")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=table,
                                keys=[nlp.vocab.strings.add(k) for k in keys],
                                name="qual_gazetteer_features", attr="LOWER")
    nlp.to_disk(folder)
    return folder


def build_config(data: Path, seed: int, overrides: dict):
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    settings = {**ARCHITECTURE, **TRAINING, **overrides,
                "paths.train": str(data / "train.spacy"), "paths.dev": str(data / "dev.spacy"),
                "system.seed": seed}
    for dotted, value in settings.items():
        *parents, key = dotted.split(".")
        section = config
        for name in parents:
            section = section[name]
        section[key] = value
    return config


def package(best: Path, out: Path, info: dict) -> None:
    """Copy the trained pipeline to ``out`` with its attribution and training notes."""
    import spacy

    nlp = spacy.load(best)
    nlp.meta.update({
        "name": "qual_ner", "version": info["version"], "license": "CC BY-SA 4.0",
        "author": "qual developers", "url": "", "email": "",
        "description": "Small CPU NER (PERSON, LOC, ORG) for de-identifying interview transcripts; "
                       "trained by scripts/train_ner.py. See ATTRIBUTION.md.",
        "sources": [
            {"name": "Broad Twitter Corpus", "license": "CC BY 4.0"},
            {"name": "WNUT-17", "license": "CC BY 4.0"},
            {"name": "wikigold", "license": "CC BY 4.0"},
            {"name": "GUM (without wikiHow)", "license": "CC BY 4.0 / CC BY 2.5 / CC BY-SA 3.0"},
            {"name": "synthetic interview speech (qual)", "license": "MIT"},
        ],
        "qual_training": info,
    })
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    # the training run's paths are this machine's, and loading needs none of them
    from spacy.util import load_config

    config = load_config(staging / "config.cfg", interpolate=False)
    for key in ("train", "dev", "vectors", "init_tok2vec"):
        config["paths"][key] = None
    config["initialize"]["vectors"] = None
    config.to_disk(staging / "config.cfg")
    # The string store still holds every token seen in training (user names from tweets among
    # them): training data, which loading does not need. Keep the labels and the feature
    # vectors' keys (words of qual's shipped lists); the tokenizer adds the rest as it reads.
    keep = {nlp.vocab.strings[key] for key in nlp.vocab.vectors.keys()}
    keep |= set(nlp.get_pipe("ner").labels)
    strings_path = staging / "vocab" / "strings.json"
    strings = json.loads(strings_path.read_text(encoding="utf-8"))
    strings_path.write_text(json.dumps([s for s in strings if s in keep], ensure_ascii=False),
                            encoding="utf-8")
    (staging / "ATTRIBUTION.md").write_text(ATTRIBUTION, encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)


def training_info(args, best: Path, minutes: float, cpu_minutes: float | None) -> dict:
    scores = json.loads((best / "meta.json").read_text(encoding="utf-8")).get("performance", {})
    manifest_path = args.data / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    return {
        "version": args.version, "seed": args.seed,
        "command": "scripts/make_ner_data.py; scripts/train_ner.py",
        "architecture": ARCHITECTURE, "feature_vectors": [] if args.no_features else list(FEATURES),
        "training": {k: v for k, v in TRAINING.items() if k != "training.score_weights"},
        "max_steps": args.max_steps, "wall_minutes": round(minutes, 1),
        "cpu_minutes": None if cpu_minutes is None else round(cpu_minutes, 1),
        "data": manifest.get("splits", {}),
        "dev_scores": {k: v for k, v in scores.items() if k.startswith("ents_") and k != "ents_per_type"},
    }


def package_stopped_run(args) -> int:
    """Package the best checkpoint of a run stopped early, saying so in meta.json."""
    best = args.work / "output" / "model-best"
    if not (best / "config.cfg").exists():
        print(f"{best}: no checkpoint to package", file=sys.stderr)
        return 2
    started = (args.work / "config.cfg").stat().st_mtime
    last = max(p.stat().st_mtime for p in (args.work / "output").rglob("*") if p.is_file())
    info = training_info(args, best, (last - started) / 60, None)
    if args.log and args.log.exists():
        steps = [int(line.split()[1]) for line in args.log.read_text(encoding="utf-8").splitlines()
                 if len(line.split()) > 2 and line.split()[0].isdigit() and line.split()[1].isdigit()]
        info["steps_trained"] = max(steps) if steps else None
    info["stopped_early"] = True
    package(best, args.out, info)
    print(f"packaged {best} to {args.out}: {info['dev_scores']}, {info.get('steps_trained')} steps, "
          f"{info['wall_minutes']} min wall")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with train.spacy, dev.spacy")
    parser.add_argument("--work", type=Path, required=True, help="folder for checkpoints (not shipped)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the packaged model goes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", type=int, default=TRAINING["training.max_steps"])
    parser.add_argument("--version", default="0.1.0")
    parser.add_argument("--no-package", action="store_true", help="train only")
    parser.add_argument("--package-only", action="store_true",
                        help="package WORK/output/model-best of a run that was stopped before "
                             "max-steps (give its console log with --log to record the steps)")
    parser.add_argument("--log", type=Path, default=None, help="the training console log")
    parser.add_argument("--no-features", action="store_true",
                        help="leave out the word-list feature vectors (FEATURES)")
    args = parser.parse_args(argv)
    for name in ("train.spacy", "dev.spacy"):
        if not (args.data / name).exists():
            print(f"{args.data / name}: missing; run scripts/make_ner_data.py first", file=sys.stderr)
            return 2
    if args.package_only:
        return package_stopped_run(args)
    from spacy.cli.train import train

    args.work.mkdir(parents=True, exist_ok=True)
    overrides: dict = {"training.max_steps": args.max_steps}
    if not args.no_features:
        overrides["paths.vectors"] = str(build_feature_vectors(args.work / "feature_vectors"))
        overrides["initialize.vectors"] = overrides["paths.vectors"]
        overrides["components.tok2vec.model.embed.include_static_vectors"] = True
    config = build_config(args.data, args.seed, overrides)
    config_path = args.work / "config.cfg"
    config.to_disk(config_path)
    started = time.time()
    cpu_started = time.process_time()
    train(config_path, args.work / "output")
    minutes = (time.time() - started) / 60
    cpu_minutes = (time.process_time() - cpu_started) / 60
    best = args.work / "output" / "model-best"
    info = training_info(args, best, minutes, cpu_minutes)
    print(f"trained in {minutes:.1f} min wall, {cpu_minutes:.1f} min CPU; dev {info['dev_scores']}")
    if not args.no_package:
        package(best, args.out, info)
        size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file()) / 1e6
        print(f"packaged to {args.out} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
