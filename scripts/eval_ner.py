#!/usr/bin/env python
"""Measure qual's NER model alone (no rules): recall, precision and speed, by split.

    python scripts/eval_ner.py                           # the shipped model, every table
    python scripts/eval_ner.py --model /tmp/qual-ner/train1/output/model-best --only realner,swis
    python scripts/eval_ner.py --json /tmp/ner-eval.json

Tables (every number names its split):

* ``realner_dev``: Universal NER English Web Treebank, development split (real web text).
  A mention is caught when every one of its letters and digits is covered by a detected span of
  any type (its SOURCE.md); place recall with and without countries and continents;
  name-type precision: the share of detected PERSON/LOC/ORG spans that touch a gold mention
  (share a letter or digit with one). As written and lower-cased.
* corpora TEST splits (``make_ner_data.corpus_split``; never trained or tuned on): the same
  coverage recall for persons and places, name-type precision, and spaCy's exact-match
  precision/recall per label. As written and lower-cased.
* ``swis_dev``: the four fictional SWIS interviews (development split), ``plain/`` text with
  its gold offsets: recall of PERSON, SCHOOL, LA, PLACE, ORG mentions, as written and
  lower-cased, and detected name spans that touch no identifier.
* on realner_dev and swis_dev also "both (union)": the model run on each line as written and
  lower-cased, spans united (a loader option, measured).
* speed: words a second on interview-like text (synthetic speech from names and places the
  training never used), one process (CPU time and wall time) and ``nlp.pipe(n_process=2)``
  (wall time), and peak memory.

The model runs as qual runs it: line by line through ``qual.deid.recognizers.ner.load_pipeline``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_ner_data as data  # noqa: E402

SHARED = data.PROJECT.parent / "shared" / "data"
NAME_TYPES = {"PERSON", "PER", "PERS", "LOC", "GPE", "FAC", "LOCATION", "ORG", "ORGANIZATION"}
CONTINENTS = {"africa", "asia", "europe", "america", "north america", "south america",
              "antarctica", "australia", "oceania", "the americas", "middle east", "the middle east"}


def load_model(path):
    from qual.deid.recognizers.ner import load_pipeline, shipped_model_path

    model = path or shipped_model_path()
    if model is None:
        raise SystemExit("no model: give --model or train one with scripts/train_ner.py")
    return load_pipeline(model)


def predict(nlp, texts: list[str], batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
    """Entity spans per text, found line by line as qual's recognizer does."""
    pieces, owners = [], []
    for index, text in enumerate(texts):
        offset = 0
        for line in text.split("\n"):
            if line.strip():
                pieces.append((offset, line))
                owners.append(index)
            offset += len(line) + 1
    found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    parsed = nlp.pipe((line for _, line in pieces), batch_size=batch_size)
    for (offset, _), owner, doc in zip(pieces, owners, parsed):
        for ent in doc.ents:
            if ent.label_.upper() in NAME_TYPES:
                found[owner].append((offset + ent.start_char, offset + ent.end_char, ent.label_))
    return found


# "both": the model run on the text as written and on its lower-cased copy, spans united: what
# a loader that also reads every line in lower case would find (a proposal, measured here).
VARIANTS = ("as written", "lower-cased", "both (union)")


def predict_variant(nlp, texts: list[str], variant: str) -> list[list[tuple[int, int, str]]]:
    lowered = [t.lower() if len(t.lower()) == len(t) else t for t in texts]
    if variant == "as written":
        return predict(nlp, texts)
    if variant == "lower-cased":
        return predict(nlp, lowered)
    return [a + b for a, b in zip(predict(nlp, texts), predict(nlp, lowered))]


def covered_chars(spans) -> set[int]:
    return {k for start, end, _ in spans for k in range(start, end)}


def caught(text: str, start: int, end: int, covered: set[int]) -> bool:
    return all(k in covered for k in range(start, end) if text[k].isalnum())


def touches(text: str, start: int, end: int, gold_chars: set[int]) -> bool:
    return any(k in gold_chars for k in range(start, end) if text[k].isalnum())


def countries() -> set[str]:
    with gzip.open(data.RESOURCES / "countries.tsv.gz", "rt", encoding="utf-8") as handle:
        names = {line.strip().lower() for line in handle if line.strip() and not line.startswith("#")}
    return names | CONTINENTS


def ratio(hit: int, total: int) -> str:
    return f"{hit / total:.3f} ({hit}/{total})" if total else "-"


def score_documents(texts, golds, predicted, country_names=frozenset()):
    """Coverage recall per gold type (PER/LOC/ORG or any), places without countries, and
    name-type precision. ``golds``: per text, (start, end, type) with type '-' unknown."""
    hits: dict[str, list[int]] = {}
    touched = detected = 0
    for text, gold, found in zip(texts, golds, predicted):
        covered = covered_chars(found)
        known = [g for g in gold if g[2] != data.MISSING]
        gold_chars = covered_chars(gold)  # unknown spans neither count for nor against
        for start, end, kind in known:
            keys = [kind]
            if kind in ("LOC", "PLACE") and text[start:end].strip().lower().removeprefix("the ") not in country_names:
                keys.append(kind + " w/o countries")
            for key in keys:
                record = hits.setdefault(key, [0, 0])
                record[1] += 1
                record[0] += caught(text, start, end, covered)
        for start, end, _ in found:
            detected += 1
            touched += touches(text, start, end, gold_chars)
    return hits, touched, detected


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def eval_realner(nlp, results: dict) -> None:
    path = SHARED / "deid" / "realner_dev" / "en_ewt-ud-dev.jsonl"
    if not path.exists():
        print(f"\n(skipped realner_dev: {path} absent)")
        return
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    names = countries()
    rows = []
    originals = [r["text"] for r in records]
    for variant in VARIANTS:
        texts = [t.lower() if variant == "lower-cased" else t for t in originals]
        golds = [[(m["start"], m["end"], m["type"]) for m in r["mentions"]] for r in records]
        hits, touched, detected = score_documents(texts, golds, predict_variant(nlp, originals, variant), names)
        row = {"PER": hits.get("PER"), "LOC": hits.get("LOC"),
               "LOC w/o countries": hits.get("LOC w/o countries"), "ORG": hits.get("ORG")}
        results[f"realner_dev/{variant}"] = {**{k: v for k, v in row.items()},
                                             "name_precision": [touched, detected]}
        rows.append([variant] + [ratio(*v) if v else "-" for v in row.values()] + [ratio(touched, detected)])
    print_table("realner_dev (UNER English Web Treebank, DEVELOPMENT split): coverage recall, name-type precision",
                ["text", "person recall", "place recall", "place w/o countries", "org recall",
                 "name-type precision"], rows)


def eval_corpora(nlp, ner_dir: Path, results: dict) -> None:
    from spacy.scorer import Scorer
    from spacy.training import Example as SpacyExample

    if not ner_dir.is_dir():
        print(f"\n(skipped corpora: {ner_dir} absent)")
        return
    rows, strict_rows = [], []
    for corpus in ("btc", "wnut17", "wikigold", "gum"):
        examples = data.corpus_split(ner_dir, corpus, "test")
        for variant in ("as written", "lower-cased"):
            if variant == "lower-cased":
                examples_v = [data.lower(e) for e in examples]
            else:
                examples_v = examples
            pairs = [e.text_and_spans() for e in examples_v]
            texts = [t for t, _ in pairs]
            golds = [s for _, s in pairs]
            predicted = predict(nlp, texts)
            hits, touched, detected = score_documents(texts, golds, predicted)
            key = f"{corpus}/test/{variant}"
            results[key] = {"PERSON": hits.get("PERSON"), "LOC": hits.get("LOC"),
                            "ORG": hits.get("ORG"), "name_precision": [touched, detected]}
            rows.append([corpus, variant, ratio(*hits.get("PERSON", [0, 0])),
                         ratio(*hits.get("LOC", [0, 0])), ratio(*hits.get("ORG", [0, 0])),
                         ratio(touched, detected)])
            # spaCy's exact-match scores (unknown GUM spans dropped from the gold)
            scored = []
            for text, gold, found in zip(texts, golds, predicted):
                reference = data.to_doc(nlp, data.Example([text], corpus))
                ents = [reference.char_span(s, e, label=l) for s, e, l in gold if l != data.MISSING]
                reference.set_ents([e for e in ents if e is not None], default="outside")
                doc = nlp.make_doc(text)
                doc.set_ents([sp for sp in (doc.char_span(s, e, label=l) for s, e, l in found)
                              if sp is not None], default="outside")
                scored.append(SpacyExample(doc, reference))
            per_type = Scorer.score_spans(scored, "ents")["ents_per_type"]
            results[key]["strict"] = per_type
            strict_rows.append([corpus, variant] + [
                "{p:.2f}/{r:.2f}/{f:.2f}".format(**per_type[label]) if label in per_type else "-"
                for label in data.LABELS])
    print_table("Corpora, TEST splits (never trained or tuned on): coverage recall, name-type precision",
                ["corpus", "text", "person recall", "place recall", "org recall", "name-type precision"], rows)
    print_table("Corpora, TEST splits: exact-match precision/recall/F per label",
                ["corpus", "text", *data.LABELS], strict_rows)


SWIS_TYPES = ("PERSON", "SCHOOL", "LA", "PLACE", "ORG")


def eval_swis(nlp, results: dict) -> None:
    root = SHARED / "deid" / "swis_dev"
    if not root.is_dir():
        print(f"\n(skipped swis_dev: {root} absent)")
        return
    rows = []
    originals, golds = [], []
    for gold_path in sorted((root / "gold").glob("D0*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        originals.append((root / "plain" / f"{gold['id']}.txt").read_text(encoding="utf-8"))
        golds.append([(g["doc_start"], g["doc_end"], g["type"]) for g in gold["identifiers"]
                      if g.get("doc_start") is not None])
    for variant in VARIANTS:
        texts = [t.lower() if variant == "lower-cased" and len(t.lower()) == len(t) else t
                 for t in originals]
        predicted = predict_variant(nlp, originals, variant)
        hits, touched, detected = score_documents(texts, golds, predicted)
        words = sum(len(t.split()) for t in texts)
        results[f"swis_dev/{variant}"] = {**{t: hits.get(t) for t in SWIS_TYPES},
                                          "name_precision": [touched, detected], "words": words}
        rows.append([variant] + [ratio(*hits.get(t, [0, 0])) for t in SWIS_TYPES]
                    + [ratio(touched, detected), f"{(detected - touched) * 1000 / words:.1f}"])
    print_table("swis_dev (4 fictional SWIS interviews, DEVELOPMENT split): coverage recall",
                ["text", *SWIS_TYPES, "name-type precision", "spans touching no identifier /1000 words"],
                rows)


def speed_text(words_wanted: int, seed: int = 11) -> list[str]:
    """Interview-like lines from names and places the training never used."""
    rng = random.Random(seed)
    filler = data.Filler(data.load_pools("heldout"), rng)
    lines, words = [], 0
    while words < words_wanted:
        line = " ".join(data.synthetic_example(filler, rng).text_and_spans()[0] for _ in range(3))
        lines.append(line)
        words += len(line.split())
    return lines


def eval_speed(nlp, model_path, words: int, results: dict) -> None:
    lines = speed_text(words)
    count = sum(len(line.split()) for line in lines)
    list(nlp.pipe(lines[:50]))
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in nlp.pipe(lines, batch_size=64):
        pass
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rows = [["1 process", f"{count / cpu:,.0f}", f"{count / wall:,.0f}"]]
    results["speed"] = {"words": count, "one_process_cpu_wps": count / cpu, "one_process_wall_wps": count / wall}
    wall2 = time.perf_counter()
    for _ in nlp.pipe(lines, batch_size=64, n_process=2):
        pass
    wall2 = time.perf_counter() - wall2
    rows.append(["nlp.pipe(n_process=2)", "-", f"{count / wall2:,.0f}"])
    results["speed"]["two_process_wall_wps"] = count / wall2
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["speed"]["peak_rss_mb"] = own
    results["speed"]["peak_rss_child_mb"] = children
    size = sum(p.stat().st_size for p in Path(model_path).rglob("*") if p.is_file()) / 1e6
    results["speed"]["model_mb"] = size
    print_table(f"Speed on {count:,} words of interview-like text (synthetic, held-out names), "
                f"one line at a time; model {size:.1f} MB on disk",
                ["run", "words/s (CPU time)", "words/s (wall time)"], rows)
    print(f"peak memory: this process {own:.0f} MB (model loaded, all tables); a worker {children:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="spaCy pipeline (default: the shipped one)")
    parser.add_argument("--ner-dir", type=Path, default=data.DEFAULT_NER_DIR)
    parser.add_argument("--only", default="realner,corpora,swis,speed")
    parser.add_argument("--speed-words", type=int, default=200_000)
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    from qual.deid.recognizers.ner import shipped_model_path

    model_path = args.model or shipped_model_path()
    nlp = load_model(model_path)
    wanted = set(args.only.split(","))
    results: dict = {"model": str(model_path.name if model_path else None)}
    if "realner" in wanted:
        eval_realner(nlp, results)
    if "corpora" in wanted:
        eval_corpora(nlp, args.ner_dir, results)
    if "swis" in wanted:
        eval_swis(nlp, results)
    if "speed" in wanted:
        eval_speed(nlp, model_path, args.speed_words, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
