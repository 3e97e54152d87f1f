"""The real-text and development-set tables of ``scripts/eval_deid.py`` (imported by it).

* ``realner``: ../shared/data/deid/realner_dev/ (UNER English Web Treebank, DEVELOPMENT split;
  real web text). Each document analysed on its own. Coverage recall (a mention is caught when
  every letter and digit of it lies inside predicted spans, its SOURCE.md) of persons, places,
  places without countries and continents, organisations; name-type precision: the share of
  predicted name-type spans (qual: person, school, local authority, place, organisation;
  Presidio: PERSON, LOCATION, ORGANIZATION, NRP) that touch a gold mention.
* ``heldout``: the TEST splits of BTC, WNUT-17 and GUM in ../shared/data/ner/ as
  ``scripts/make_ner_data.py`` defines them (never trained or tuned on): the same person and
  place recall and name-type precision, each sentence analysed on its own.
* ``swis``: ../shared/data/deid/swis_dev/ (DEVELOPMENT split): ``qual.deidentify`` on its
  plain texts and native files, scored by its own ``score_dev.py deid``, as written and on
  lower-cased copies (lower-cased gold and plain text beside them, so the scorer compares like
  with like).
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data"
REALNER = SHARED / "deid" / "realner_dev" / "en_ewt-ud-dev.jsonl"
SWIS = SHARED / "deid" / "swis_dev"
NER_DIR = SHARED / "ner"
CONTINENTS = {"africa", "asia", "europe", "america", "north america", "south america",
              "antarctica", "australia", "oceania", "the americas", "middle east", "the middle east"}

# (start, end, is a name-type span)
Typed = list[tuple[int, int, bool]]
TypedDetector = Callable[[Sequence[str]], list[Typed]]


def qual_typed_detector(ner="auto") -> tuple[TypedDetector, str]:
    """qual's analyzer, each text on its own (propagation within the text only)."""
    from qual.deid.analyzer import Analyzer
    from qual.deid.identity import NAME_LIKE

    analyzer = Analyzer(ner=ner)

    def detect(texts: Sequence[str]) -> list[Typed]:
        return [[(s.start, s.end, s.type in NAME_LIKE) for s in analyzer.analyze(text)] for text in texts]

    return detect, f"qual (NER: {'shipped model' if analyzer.ner_model else 'rules only'})"


PRESIDIO_NAME_TYPES = {"PERSON", "LOCATION", "ORGANIZATION", "NRP", "GPE"}
PRESIDIO_CONTEXT = ["name", "called", "school", "lives", "live", "address", "town", "city", "from",
                    "mum", "dad", "son", "daughter", "worker", "teacher", "council", "street"]


def presidio_typed_detector(engine, label: str) -> tuple[TypedDetector, str]:
    def detect(texts: Sequence[str]) -> list[Typed]:
        return [[(r.start, r.end, r.entity_type in PRESIDIO_NAME_TYPES)
                 for r in engine.analyze(text=text, language="en", context=PRESIDIO_CONTEXT)]
                for text in texts]

    return detect, label


def build_presidio_spacy(model_path: Path):
    """Presidio as strong as it gets offline: a real spaCy NER pipeline (qual's shipped model,
    the only one on this machine; no model can be downloaded) through NlpEngineProvider, its
    labels mapped to Presidio's (ORG kept), its UK recognizers on, context words given."""
    from presidio_engine import presidio_analyzer

    return presidio_analyzer(model_path, {
        "model_to_presidio_entity_mapping": {"PERSON": "PERSON", "PER": "PERSON", "LOC": "LOCATION",
                                             "GPE": "LOCATION", "FAC": "LOCATION",
                                             "ORG": "ORGANIZATION", "NORP": "NRP"},
        "labels_to_ignore": [],
        "low_confidence_score_multiplier": 1.0,
        "low_score_entity_names": [],
    })


# --------------------------------------------------------------------------- scoring


def _country_names() -> set[str]:
    path = PROJECT / "qual" / "deid" / "resources" / "countries.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        names = {line.split("\t")[0].strip().lower() for line in handle
                 if line.strip() and not line.startswith("#")}
    return names | CONTINENTS


def _caught(text: str, start: int, end: int, covered: set[int]) -> bool:
    return all(k in covered for k in range(start, end) if text[k].isalnum())


def score_names(texts: Sequence[str], golds: Sequence[list[tuple[int, int, str]]],
                predicted: Sequence[Typed], countries: set[str]) -> dict[str, list[int]]:
    """Coverage recall per gold type (and places without countries); name-type precision."""
    hits: dict[str, list[int]] = {}
    touched = named = 0
    for text, gold, found in zip(texts, golds, predicted):
        covered = {k for start, end, _ in found for k in range(start, end)}
        gold_chars = {k for start, end, _ in gold for k in range(start, end)}
        for start, end, kind in gold:
            kind = {"PER": "PERSON", "LOC": "PLACE", "GPE": "PLACE"}.get(kind, kind)
            keys = [kind]
            if kind == "PLACE" and text[start:end].strip().lower().removeprefix("the ") not in countries:
                keys.append("PLACE w/o countries")
            for key in keys:
                record = hits.setdefault(key, [0, 0])
                record[0] += _caught(text, start, end, covered)
                record[1] += 1
        for start, end, is_name in found:
            if is_name:
                named += 1
                touched += any(k in gold_chars for k in range(start, end) if text[k].isalnum())
    hits["name-type precision"] = [touched, named]
    return hits


def _ratio(pair) -> str:
    return f"{pair[0] / pair[1]:.3f}" if pair and pair[1] else "-"


REAL_COLUMNS = ("PERSON", "PLACE", "PLACE w/o countries", "ORG", "name-type precision")


def realner_table(detectors: list[tuple[str, TypedDetector]], print_table) -> dict:
    if not REALNER.exists():
        print("realner: ../shared/data/deid/realner_dev is absent; skipped")
        return {}
    records = [json.loads(line) for line in REALNER.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in records]
    golds = [[(m["start"], m["end"], m["type"]) for m in r["mentions"]] for r in records]
    countries = _country_names()
    results = {}
    for name, detect in detectors:
        started = time.perf_counter()
        results[name] = score_names(texts, golds, detect(texts), countries)
        results[name]["seconds"] = time.perf_counter() - started
    rows = [[column] + [_ratio(r.get(column)) for r in results.values()] for column in REAL_COLUMNS]
    rows.append(["mentions (person / place w/o countries)"] +
                [f"{r['PERSON'][1]} / {r['PLACE w/o countries'][1]}" for r in results.values()])
    print_table(f"realner_dev (UNER EWT, DEVELOPMENT split, {len(texts)} documents): coverage recall, "
                "name-type precision", ["metric", *results], rows)
    return results


def heldout_table(detectors: list[tuple[str, TypedDetector]], print_table) -> dict:
    if not NER_DIR.is_dir():
        print("heldout: ../shared/data/ner is absent; skipped")
        return {}
    sys.path.insert(0, str(PROJECT / "scripts"))
    import make_ner_data as data

    countries = _country_names()
    results: dict[str, dict] = {}
    rows = []
    for corpus in ("btc", "wnut17", "gum"):
        pairs = [e.text_and_spans() for e in data.corpus_split(NER_DIR, corpus, "test")]
        texts = [t for t, _ in pairs]
        golds = [[(s, e, label) for s, e, label in spans if label != data.MISSING] for _, spans in pairs]
        for name, detect in detectors:
            scores = score_names(texts, golds, detect(texts), countries)
            results[f"{corpus}/{name}"] = scores
            rows.append([f"{corpus} test", name] + [_ratio(scores.get(c)) for c in
                                                     ("PERSON", "PLACE", "PLACE w/o countries",
                                                      "name-type precision")])
    print_table("Held-out real text, TEST splits (never tuned on): coverage recall, name-type precision",
                ["corpus", "detector", "person", "place", "place w/o countries", "name-type precision"], rows)
    return results


# --------------------------------------------------------------------------- swis_dev


def _lowered_copy(folder: Path, swis: Path = SWIS) -> tuple[Path, Path, Path]:
    """Lower-cased plain texts and gold of a SWIS-like set (offsets unchanged)."""
    plain, gold = folder / "plain", folder / "gold"
    plain.mkdir()
    gold.mkdir()
    for path in sorted((swis / "plain").glob("D*.txt")):
        text = path.read_text(encoding="utf-8")
        lowered = text.lower()
        (plain / path.name).write_text(lowered if len(lowered) == len(text) else text, encoding="utf-8")
    for path in sorted((swis / "gold").glob("D*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        for mention in record["identifiers"] + record.get("document_identifiers", []):
            mention["text"] = mention["text"].lower()
        record["keep_term_counts"] = {}  # a keep-term's case is what the survival count reads
        (gold / path.name).write_text(json.dumps(record), encoding="utf-8")
    return plain, gold, plain


def _deidentify(inputs: list[Path], out: Path) -> None:
    from qual.deid.pipeline import deidentify

    deidentify(inputs, out, workers=1)


def _score(out: Path, gold: Path, plain: Path, swis: Path = SWIS) -> dict:
    report = out.parent / f"{out.name}.json"
    subprocess.run([sys.executable, str(swis / "score_dev.py"), "deid", str(out), "--gold", str(gold),
                    "--plain", str(plain), "--json", str(report)], check=True, stdout=subprocess.DEVNULL)
    return json.loads(report.read_text(encoding="utf-8"))


def swis_table(print_table, swis: Path = SWIS, title: str = "swis_dev (DEVELOPMENT split)") -> dict:
    """A SWIS-like set (swis_dev, or one built by the same builder: ``D*.txt`` in plain/,
    native files in docx/ and raw/, gold/, its score_dev.py) through ``qual deidentify``."""
    if not (swis / "score_dev.py").exists():
        print(f"swis: {swis} is absent; skipped")
        return {}
    work = Path(tempfile.mkdtemp(prefix="qual-swis-"))
    results = {}
    try:
        # as written: the plain texts, and the native files (Word-only mentions)
        native = [p for p in [*(swis / "docx").glob("D*"), *(swis / "raw").glob("D*")]
                  if p.suffix.lower() in (".docx", ".txt", ".vtt", ".srt")]
        for label, inputs in (("plain/ as written", sorted((swis / "plain").glob("D*.txt"))),
                              ("native files", sorted(native))):
            out = work / label.split()[0].strip("/")
            _deidentify(inputs, out)
            results[label] = _score(out, swis / "gold", swis / "plain", swis)
        lowered = work / "lower"
        lowered.mkdir()
        plain, gold, _ = _lowered_copy(lowered, swis)
        out = work / "lower-out"
        _deidentify(sorted(plain.glob("D*.txt")), out)
        results["plain/ lower-cased"] = _score(out, gold, plain, swis)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    metrics = ("recall_direct", "recall_quasi", "recall_all", "keep_term_survival", "word_retention")
    rows = [[m] + [str(r.get(m)) for r in results.values()] for m in metrics]
    types = sorted({t for r in results.values() for t in r["by_type"]})
    rows += [[f"  {t}"] + [f"{r['by_type'][t]['recall']} ({r['by_type'][t]['mentions']})" if t in r["by_type"] else "-"
                           for r in results.values()] for t in types]
    print_table(f"{title}: qual deidentify scored by its score_dev.py",
                ["metric", *results], rows)
    return results
