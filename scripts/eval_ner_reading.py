#!/usr/bin/env python
"""What reading only some sentences costs the NER model: rules and model together, every
sentence read against the sentences ``worth_reading`` chooses, on DEVELOPMENT splits only.

    python scripts/eval_ner_reading.py          # the table of docs/ner-model.md
    python scripts/eval_ner_reading.py -v       # and every span found one way and not the other

realner_dev (../shared/data/deid/realner_dev) and the dev splits of BTC, WNUT-17 and GUM as
``scripts/make_ner_data.py`` defines them, as written and lower-cased; each text analysed on its
own, scored as ``scripts/eval_deid.py`` scores real text (coverage recall, name-type precision).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))

import eval_deid_real as real  # noqa: E402
import make_ner_data as data  # noqa: E402

COLUMNS = ("PERSON", "PLACE w/o countries", "ORG", "name-type precision")


def development_sets() -> dict[str, tuple[list[str], list]]:
    sets = {}
    if real.REALNER.exists():
        records = [json.loads(line) for line in real.REALNER.read_text(encoding="utf-8").splitlines() if line.strip()]
        sets["realner_dev"] = ([r["text"] for r in records],
                               [[(m["start"], m["end"], m["type"]) for m in r["mentions"]] for r in records])
    if real.NER_DIR.is_dir():
        for corpus in ("btc", "wnut17", "gum"):
            pairs = [e.text_and_spans() for e in data.corpus_split(real.NER_DIR, corpus, "dev")]
            golds = [[(s, e, label) for s, e, label in spans if label != data.MISSING] for _, spans in pairs]
            sets[f"{corpus} dev"] = ([t for t, _ in pairs], golds)
            sets[f"{corpus} dev, lower-cased"] = ([t.lower() for t, _ in pairs], golds)
    return sets


def main() -> int:
    from qual.deid.analyzer import Analyzer
    from qual.deid.identity import NAME_LIKE

    analyzer = Analyzer(ner="auto")
    model = next((r for r in analyzer.recognizers if r.name == "ner.spacy"), None)
    if model is None:
        print("no NER model: nothing to compare")
        return 1
    sets = development_sets()
    if not sets:
        print("../shared/data is absent: nothing to measure")
        return 1
    countries = real._country_names()
    print(f"{'split':26s} {'reading':10s} " + " ".join(f"{c[:12]:>14s}" for c in COLUMNS) + "  CPU s")
    for name, (texts, golds) in sets.items():
        found = {}
        for every in (True, False):
            model.read_every_sentence = every
            started = time.process_time()
            spans = [[(s.start, s.end, s.type in NAME_LIKE) for s in analyzer.analyze(t)] for t in texts]
            seconds = time.process_time() - started
            scores = real.score_names(texts, golds, spans, countries)
            found[every] = spans
            cells = " ".join(f"{scores[c][0]:>6d}/{scores[c][1]:<7d}" if c in scores else f"{'-':>14s}"
                             for c in COLUMNS)
            print(f"{name:26s} {'every' if every else 'chosen':10s} {cells}  {seconds:5.1f}", flush=True)
        if "-v" in sys.argv:
            for text, every_spans, chosen_spans in zip(texts, found[True], found[False]):
                for start, end, _ in sorted(set(every_spans) - set(chosen_spans)):
                    print(f"    only reading every sentence: {text[start:end]!r}")
                for start, end, _ in sorted(set(chosen_spans) - set(every_spans)):
                    print(f"    only reading the chosen ones: {text[start:end]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
