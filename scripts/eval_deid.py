"""Evaluate de-identification detection, side by side with Presidio configured offline.

Data sets (each skipped with a message when absent):
  sample  the fictional SWIS sample corpus gold, tests/gold/<id>.json: every turn text
          analysed as one corpus (so propagation runs), once without and once with the
          register built from transcripts_sample/participants.xlsx
  swap    the same gold with every name, school, place, organisation and authority replaced
          (consistently per entity, in the same case and possessive form) by other values:
          first names given to fewer than 20 babies (so in no shipped list), listed names
          that are ordinary words (Hope, Will), invented surnames and place names spliced
          from halves of real ones, real authorities and places. A stand-in for the held-out
          transcripts: the rules cannot have been tuned to these values. --seeds sets how many
          replacements are drawn.
  tab     the Text Anonymization Benchmark (ECHR cases; ../shared/data/deid/tab/
          tab_entity_data_144.jsonl: 144 documents with mention-level gold)
  synth   presidio-research's 1,500 synthetic sentences (../shared/data/deid/presidio_synth/)

Metrics
  sample  recall per gold type: a mention is found when the predicted spans cover every one
          of its characters (partly covered mentions are counted apart as "partial");
          direct / quasi recall use qual.deid.types.DIRECT / QUASI. Keep-term survival: share
          of gold keep-terms that no predicted span touches. Non-identifier words kept: share
          of words outside every gold identifier that no predicted span touches. Labels and
          metadata: share of gold speaker-label and document-metadata identifiers the analyzer
          covers when run on the label or metadata value.
  tab     as TAB's evaluation.py defines them (Pilan et al. 2022): a mention is masked when
          every character is covered, ignoring spaces, punctuation and the words
          mr/mrs/ms/and/or/from/to/... TAB lists; mention recall over every mention of every
          entity that needs masking (DIRECT; QUASI), entity recall counts an entity only when
          all its masked mentions are masked; token precision (uniform weights) = share of
          predicted \\w+ tokens lying inside a DIRECT or QUASI gold mention. "any-entity
          precision" also accepts tokens inside NO_MASK entity mentions (any annotated entity).
  synth   recall per presidio-research entity type (character coverage as for sample).

Presidio runs in the same process with a blank spaCy pipeline (no model can be downloaded
here), its UK recognizers on, and tldextract kept offline.

    python scripts/eval_deid.py                 # every data set
    python scripts/eval_deid.py sample tab --no-presidio
    python scripts/eval_deid.py sample --misses /tmp/deid/misses.jsonl   # identifiable!
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable, Sequence

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))

from qual.deid.types import DIRECT, QUASI  # noqa: E402

SHARED = PROJECT.parent / "shared" / "data"
GOLD_DIR = PROJECT / "tests" / "gold"
PARTICIPANTS = PROJECT / "transcripts_sample" / "participants.xlsx"
TAB_FILE = SHARED / "deid" / "tab" / "tab_entity_data_144.jsonl"
SYNTH_FILE = SHARED / "deid" / "presidio_synth" / "synth_dataset_v2.json"

Spans = list[tuple[int, int]]
Detector = Callable[[Sequence[str]], list[Spans]]

# TAB's evaluation.py: tokens that do not count against a mask (titles, function words,
# punctuation), because annotators disagree on whether spans include them.
TAB_TOKENS_TO_IGNORE = ["mr", "mrs", "ms", "and", "or", "from", "until", "to", "about", "after",
                        "as", "at", "before", "between", "by", "during", "for", "in", "into",
                        "of", "on", "over", "since", "with", "the", "a", "an", "no", "nr",
                        "\u2019s", "'s"]
TAB_SKIP_RE = re.compile(
    "(?:" + "|".join([r"\b" + re.escape(t) + r"\b" for t in TAB_TOKENS_TO_IGNORE]
                     + [re.escape(p) for p in ",.-;:/&()[]\u2013'\" \u2019\u201c\u201d"]) + ")",
    re.IGNORECASE)


# --------------------------------------------------------------------------- detectors


def qual_detector(register=None, ner="auto") -> tuple[Detector, str]:
    from qual.deid.analyzer import Analyzer

    analyzer = Analyzer(register=register, ner=ner)

    def detect(texts: Sequence[str]) -> list[Spans]:
        return [[(s.start, s.end) for s in spans] for spans in analyzer.analyze_corpus(texts)]

    return detect, f"qual (NER: {analyzer.ner_model or 'rules only'})"


def build_presidio():
    """Presidio's AnalyzerEngine, offline: blank spaCy pipeline, UK recognizers on."""
    from presidio_engine import presidio_analyzer

    return presidio_analyzer()


def presidio_detector() -> tuple[Detector, str]:
    engine = build_presidio()

    def detect(texts: Sequence[str]) -> list[Spans]:
        return [[(r.start, r.end) for r in engine.analyze(text=text, language="en")]
                for text in texts]

    return detect, "Presidio (offline, blank spaCy, UK on)"


# --------------------------------------------------------------------------- coverage


def _covered_chars(spans: Spans) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def coverage(start: int, end: int, text: str, covered: set[int]) -> str:
    """'full' when every non-space character of [start, end) is covered, 'partial', or 'none'."""
    chars = [i for i in range(start, end) if not text[i].isspace()]
    hit = sum(1 for i in chars if i in covered)
    if chars and hit == len(chars):
        return "full"
    return "partial" if hit else "none"


# --------------------------------------------------------------------------- sample gold


def load_sample_gold() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))]


def sample_register():
    import pandas as pd

    from qual.deid.register import Register

    return Register.from_participants(pd.read_excel(PARTICIPANTS))


def evaluate_sample(detect: Detector, documents: list[dict], misses: list | None = None) -> dict:
    texts, turns = [], []
    for document in documents:
        for turn in document["turns"]:
            texts.append(turn["text"])
            turns.append((document["id"], turn))
    started = time.perf_counter()
    predicted = detect(texts)
    seconds = time.perf_counter() - started
    by_type: dict[str, Counter] = defaultdict(Counter)
    keep = Counter()
    words = Counter()
    for (doc_id, turn), spans in zip(turns, predicted):
        text = turn["text"]
        covered = _covered_chars(spans)
        for gold in turn["identifiers"]:
            result = coverage(gold["start"], gold["end"], text, covered)
            by_type[gold["type"]][result] += 1
            if result != "full" and misses is not None:
                misses.append({"doc": doc_id, "turn": turn["index"], "type": gold["type"],
                               "result": result, "text": gold["text"],
                               "context": text[max(0, gold["start"] - 60):gold["end"] + 60]})
        for term in turn.get("keep_terms", []):
            touched = any(i in covered for i in range(term["start"], term["end"]))
            keep["destroyed" if touched else "kept"] += 1
            if touched and misses is not None:
                misses.append({"doc": doc_id, "turn": turn["index"], "type": "KEEP",
                               "result": "destroyed", "text": term["text"],
                               "context": text[max(0, term["start"] - 60):term["end"] + 60]})
        identifier_chars = _covered_chars([(g["start"], g["end"]) for g in turn["identifiers"]])
        for match in re.finditer(r"\w+", text):
            span = range(match.start(), match.end())
            if any(i in identifier_chars for i in span):
                continue
            lost = any(i in covered for i in span)
            words["lost" if lost else "kept"] += 1
            if lost and misses is not None:
                misses.append({"doc": doc_id, "turn": turn["index"], "type": "WORD",
                               "result": "lost", "text": match.group(),
                               "context": text[max(0, match.start() - 60):match.end() + 60]})
    # identifiers in speaker labels and document metadata, analysed where they stand
    label_texts, label_gold = [], []
    for document in documents:
        for item in document.get("speaker_identifiers", []):
            label_texts.append(item["speaker"])
            label_gold.append(item["speaker"])
        for item in document.get("metadata_identifiers", []):
            label_texts.append(item["text"])
            label_gold.append(item["text"])
    label_found = 0
    for text, spans in zip(label_texts, detect(label_texts) if label_texts else []):
        label_found += coverage(0, len(text), text, _covered_chars(spans)) == "full"
    return {"by_type": by_type, "keep": keep, "words": words, "seconds": seconds,
            "chars": sum(len(t) for t in texts), "labels": (label_found, len(label_texts))}


def _recall(counters: Iterable[Counter]) -> tuple[float, int, int, int]:
    total = Counter()
    for counter in counters:
        total.update(counter)
    n = sum(total.values())
    return (total["full"] / n if n else float("nan")), total["full"], total["partial"], n


def sample_rows(result: dict) -> dict[str, str]:
    by_type = result["by_type"]
    rows = {}
    for group, members in (("direct", DIRECT), ("quasi", QUASI)):
        recall, full, partial, n = _recall(by_type[t.value] for t in members if t.value in by_type)
        rows[f"{group} recall"] = f"{recall:.3f} ({full}/{n}, {partial} partial)"
    for entity_type in sorted(by_type):
        recall, full, partial, n = _recall([by_type[entity_type]])
        rows[f"  {entity_type}"] = f"{recall:.3f} ({full}/{n}{f', {partial} partial' if partial else ''})"
    keep, words = result["keep"], result["words"]
    rows["keep-term survival"] = f"{keep['kept'] / max(1, sum(keep.values())):.3f} ({keep['kept']}/{sum(keep.values())})"
    rows["non-identifier words kept"] = (f"{words['kept'] / max(1, sum(words.values())):.4f} "
                                         f"({words['kept']}/{sum(words.values())})")
    found, total = result["labels"]
    rows["label/metadata identifiers found"] = f"{found}/{total}"
    return rows


def sample_summary(result: dict) -> dict[str, float]:
    """The four target numbers (used by tests/test_deid_detect_gold.py)."""
    by_type = result["by_type"]
    direct = _recall(by_type[t.value] for t in DIRECT if t.value in by_type)[0]
    quasi = _recall(by_type[t.value] for t in QUASI if t.value in by_type)[0]
    keep, words = result["keep"], result["words"]
    return {"direct": direct, "quasi": quasi,
            "keep": keep["kept"] / max(1, sum(keep.values())),
            "words": words["kept"] / max(1, sum(words.values())),
            "labels": result["labels"][0] / max(1, result["labels"][1])}


# --------------------------------------------------------------------------- swapped gold

_TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_KEEP_TOKENS = {"st", "saint", "academy", "school", "primary", "high", "catholic", "church",
                "of", "england", "ce", "c", "e", "rc", "the", "and", "&", "college", "junior",
                "infant", "infants", "nursery", "community", "road", "street", "lane", "avenue",
                "close", "drive", "parade", "way", "estate", "park", "grange", "hub", "project",
                "youth", "centre", "trust", "council", "county", "city", "borough", "women's",
                "women\u2019s", "aid", "services", "service", "team", "mr", "mrs", "ms", "miss",
                "dr", "on", "sea", "upon", "holy", "trinity", "heights", "vale", "brook", "green",
                "fields", "view", "house", "court", "family", "mental", "health"}


def _swap_pools(rng) -> dict[str, list[str]]:
    import csv
    from collections import Counter as Count

    from qual.deid.recognizers.lexicon import load_lexicon

    lexicon = load_lexicon()
    births = Count()
    path = SHARED / "gazetteers" / "ons_babynames" / "ons_babynames_EW_1996_2024.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            births[row["name"].strip().title()] += int(row["count"])
    plain = lambda w: w.isalpha() and len(w) >= 3  # noqa: E731
    unlisted = [n for n, c in births.items() if c < 20 and plain(n) and n not in lexicon.first_names
                and not lexicon.is_word(n)]
    listed = [n for n, c in births.items() if c >= 1000 and plain(n) and not lexicon.is_word(n)]
    wordlike = [n for n, c in births.items() if c >= 1000 and plain(n) and lexicon.is_word(n)]
    places = [p for p, kind in lexicon.places.items() if p.isalpha() and len(p) >= 5]
    authorities = sorted({nice for nice in lexicon.local_authorities.values()
                          if nice.replace(" ", "").isalpha() and " " not in nice})

    def splice() -> str:
        while True:
            a, b = rng.choice(places), rng.choice(places)
            word = (a[: max(2, len(a) // 2)] + b[len(b) // 2:]).title()
            if word not in lexicon.places and not lexicon.is_name(word) and not lexicon.is_word(word) \
                    and lexicon.word_zipf(word) == 0:
                return word

    return {"unlisted": unlisted, "listed": listed, "wordlike": wordlike, "places": places,
            "authorities": authorities, "splice": splice}


def swap_gold(documents: list[dict], seed: int = 0) -> list[dict]:
    """The gold with other identifier values (see the module docstring, "swap")."""
    import copy
    import random

    rng = random.Random(seed)
    pools = _swap_pools(rng)
    first_of: dict[str, str] = {}       # entity -> lower first token of its longest mention
    maps: dict[str, dict[str, str]] = defaultdict(dict)
    for document in documents:
        for turn in document["turns"]:
            for gold in turn["identifiers"]:
                tokens = _TOKEN_RE.findall(gold["text"])
                if tokens and (gold["entity"] not in first_of or len(tokens) > 1):
                    first_of.setdefault(gold["entity"], tokens[0].lower())

    def replacement(entity: str, entity_type: str, token: str, position: int) -> str:
        key = token.lower()
        if key in maps[entity]:
            return maps[entity][key]
        if entity_type == "PERSON":
            if len(token) == 1:
                value = rng.choice("BCDFGHJKLMNPRSTW")
            elif position == 0 and key == first_of.get(entity):
                draw = rng.random()
                pool = "wordlike" if draw < 0.2 else "listed" if draw < 0.6 else "unlisted"
                value = rng.choice(pools[pool])
            else:
                value = pools["splice"]()
        elif entity_type == "LOCAL_AUTHORITY":
            value = rng.choice(pools["authorities"]) if rng.random() < 0.5 else pools["splice"]()
        elif entity_type == "PLACE" and rng.random() < 0.5:
            value = rng.choice(pools["places"])
        else:
            value = pools["splice"]()
        maps[entity][key] = value
        return value

    def swap_text(gold: dict) -> str:
        text = gold["text"]
        if gold["type"] not in {"PERSON", "SCHOOL", "LOCAL_AUTHORITY", "PLACE", "ORGANISATION",
                                "ADDRESS"}:
            return text
        pieces, last = [], 0
        for position, match in enumerate(_TOKEN_RE.finditer(text)):
            token = match.group()
            suffix = ""
            for ending in ("'s", "\u2019s"):
                if token.endswith(ending) and len(token) > 3:
                    token, suffix = token[:-2], ending
            if token.lower() in _KEEP_TOKENS or token.isdigit():
                continue
            new = replacement(gold["entity"], gold["type"], token, position)
            new = new.lower() if token.islower() else new.upper() if token.isupper() and len(token) > 1 else new
            pieces += [text[last:match.start()], new + suffix]
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)

    swapped = copy.deepcopy(documents)
    for document in swapped:
        for turn in document["turns"]:
            text = turn["text"]
            golds = sorted(turn["identifiers"], key=lambda g: g["start"])
            news = [swap_text(g) for g in golds]
            ends_and_shifts: list[tuple[int, int]] = []   # (old end of an edit, total shift after it)
            pieces, last, shift = [], 0, 0
            for gold, new in zip(golds, news):
                pieces += [text[last:gold["start"]], new]
                shift += len(new) - (gold["end"] - gold["start"])
                ends_and_shifts.append((gold["end"], shift))
                last = gold["end"]
            pieces.append(text[last:])

            def moved(position: int) -> int:
                # the running shift of the last edit that ends at or before the position
                shift_here = 0
                for end, total in ends_and_shifts:
                    if end > position:
                        break
                    shift_here = total
                return position + shift_here

            for gold, new in zip(golds, news):
                gold["start"] = moved(gold["start"])
                gold["end"] = gold["start"] + len(new)
                gold["text"] = new
            for term in turn.get("keep_terms", []):
                term["start"], term["end"] = moved(term["start"]), moved(term["end"])
            turn["text"] = "".join(pieces)
    return swapped


# --------------------------------------------------------------------------- TAB


class TabDocument:
    """One TAB document: text and entities with mention-level masking decisions."""

    def __init__(self, record: dict) -> None:
        self.doc_id = record["metadata"]["provenance"]["doc_id"]
        self.split = record["metadata"]["provenance"].get("dataset_type", "")
        self.text = record["text"]
        entities = record["entities"]
        if isinstance(entities, str):
            entities = ast.literal_eval(entities)
        self.entities: dict[str, dict] = {}
        for mention in entities:
            need = mention["identifier_type"] in ("DIRECT", "QUASI")
            entity = self.entities.setdefault(mention["entity_id"], {
                "mentions": [], "masking": [], "direct": mention["identifier_type"] == "DIRECT",
                "type": mention["entity_type"]})
            entity["mentions"].append((mention["start_offset"], mention["end_offset"]))
            entity["masking"].append(need)
        for entity in self.entities.values():
            # as in evaluation.py: an entity masked in one mention needs masking
            entity["need"] = any(entity["masking"])
        self.masked_gold = [(s, e) for ent in self.entities.values() if ent["need"]
                            for (s, e), m in zip(ent["mentions"], ent["masking"]) if m]
        self.any_gold = [span for ent in self.entities.values() for span in ent["mentions"]]

    def mention_masked(self, start: int, end: int, covered: set[int]) -> bool:
        missing = set(range(start, end)) - covered
        if missing:
            for skip in TAB_SKIP_RE.finditer(self.text[start:end].lower()):
                missing -= set(range(start + skip.start(), start + skip.end()))
        return not missing


def load_tab(split: str | None = None) -> list[TabDocument]:
    documents = [TabDocument(json.loads(line)) for line in TAB_FILE.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return [d for d in documents if split in (None, "all", d.split)]


def evaluate_tab(detect: Detector, documents: list[TabDocument]) -> dict[str, float]:
    started = time.perf_counter()
    predicted = detect([d.text for d in documents])
    seconds = time.perf_counter() - started
    counts = Counter()
    per_type = defaultdict(Counter)
    for document, spans in zip(documents, predicted):
        covered = _covered_chars(spans)
        for entity in document.entities.values():
            if not entity["need"]:
                continue
            group = "direct" if entity["direct"] else "quasi"
            all_masked = True
            for (start, end), needs in zip(entity["mentions"], entity["masking"]):
                masked = document.mention_masked(start, end, covered)
                counts[f"{group} mentions"] += 1
                counts[f"{group} mentions masked"] += masked
                per_type[entity["type"]]["n"] += 1
                per_type[entity["type"]]["masked"] += masked
                if not masked and needs:
                    all_masked = False
            counts[f"{group} entities"] += 1
            counts[f"{group} entities masked"] += all_masked
        masked_gold = _covered_chars(document.masked_gold)
        any_gold = _covered_chars(document.any_gold)
        for start, end in spans:
            for token in re.finditer(r"\w+", document.text[start:end]):
                chars = range(start + token.start(), start + token.end())
                counts["tokens"] += 1
                # "fully covered by an annotator's masked mention": check every character
                counts["tokens true"] += all(i in masked_gold for i in chars)
                counts["tokens any entity"] += all(i in any_gold for i in chars)
    ratio = lambda a, b: counts[a] / counts[b] if counts[b] else float("nan")  # noqa: E731
    return {
        "direct mention recall": ratio("direct mentions masked", "direct mentions"),
        "quasi mention recall": ratio("quasi mentions masked", "quasi mentions"),
        "direct entity recall": ratio("direct entities masked", "direct entities"),
        "quasi entity recall": ratio("quasi entities masked", "quasi entities"),
        "token precision": ratio("tokens true", "tokens"),
        "any-entity precision": ratio("tokens any entity", "tokens"),
        "masked tokens": counts["tokens"],
        "seconds": seconds,
        "per type": {t: c["masked"] / c["n"] for t, c in per_type.items()},
    }


# --------------------------------------------------------------------------- synth


def evaluate_synth(detect: Detector) -> dict[str, tuple[int, int]]:
    records = json.loads(SYNTH_FILE.read_text(encoding="utf-8"))
    predicted = detect([r["full_text"] for r in records])
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record, spans in zip(records, predicted):
        covered = _covered_chars(spans)
        for gold in record["spans"]:
            result = coverage(gold["start_position"], gold["end_position"], record["full_text"], covered)
            found[gold["entity_type"]][0] += result == "full"
            found[gold["entity_type"]][1] += 1
    return {k: (v[0], v[1]) for k, v in found.items()}


# --------------------------------------------------------------------------- printing


def print_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    Console(width=140).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", metavar="DATASET",
                        help="sample, swap, tab, synth, realner, heldout, swis (default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="swap: how many replacement draws")
    parser.add_argument("--no-presidio", action="store_true", help="qual only")
    parser.add_argument("--ner", default="auto", help="qual's ner= argument (auto, none, a path)")
    parser.add_argument("--tab-split", default="all", choices=["all", "train", "dev", "test"])
    parser.add_argument("--swis-set", type=Path, action="append", default=[], metavar="DIR",
                        help="swis: also score a set built by swis_dev's builder in DIR (its split "
                             "is read from DIR/SPLIT)")
    parser.add_argument("--misses", type=Path, default=None,
                        help="write missed sample mentions with context to this JSONL file "
                             "(it holds identifiers: keep it out of shared places)")
    args = parser.parse_args(argv)
    every = ["sample", "swap", "tab", "synth", "realner", "heldout", "swis"]
    args.datasets = args.datasets or every
    unknown = set(args.datasets) - set(every)
    if unknown:
        parser.error(f"unknown data set(s): {', '.join(sorted(unknown))}")
    ner = None if args.ner.lower() in ("none", "off") else args.ner

    detectors: list[tuple[str, Detector]] = []
    started = time.perf_counter()
    detect, label = qual_detector(ner=ner)
    detectors.append((label, detect))
    print(f"qual analyzer ready in {time.perf_counter() - started:.1f} s")
    if not args.no_presidio:
        started = time.perf_counter()
        detect, label = presidio_detector()
        detectors.append((label, detect))
        print(f"Presidio ready in {time.perf_counter() - started:.1f} s")

    if "sample" in args.datasets:
        documents = load_sample_gold()
        if not documents:
            print("sample: no gold in tests/gold; skipped")
        else:
            runs = list(detectors)
            if PARTICIPANTS.exists():
                detect, label = qual_detector(register=sample_register(), ner=ner)
                runs.insert(1, (label + " + register", detect))
            results = []
            misses: list | None = [] if args.misses else None
            for i, (name, detect) in enumerate(runs):
                # misses of the first run only: qual without a register
                result = evaluate_sample(detect, documents, misses if i == 0 else None)
                results.append((name, sample_rows(result), result))
            keys = list(results[0][1])
            for _, rows, _ in results[1:]:
                keys += [k for k in rows if k not in keys]
            print_table(f"Sample corpus gold ({len(documents)} transcripts, "
                        f"{sum(len(d['turns']) for d in documents)} turns)",
                        ["metric"] + [name for name, _, _ in results],
                        [[k] + [rows.get(k, "-") for _, rows, _ in results] for k in keys])
            if misses is not None:
                from qual.files import OWNER_ONLY, write_text

                write_text(args.misses, "".join(json.dumps(m) + "\n" for m in misses),
                           permissions=OWNER_ONLY)
                print(f"{len(misses)} misses written to {args.misses} (identifiable)")

    if "swap" in args.datasets:
        documents = load_sample_gold()
        if not documents or not (SHARED / "gazetteers").exists():
            print("swap: needs tests/gold and ../shared/data/gazetteers; skipped")
        else:
            columns = []
            for seed in range(args.seeds):
                swapped = swap_gold(documents, seed)
                misses = [] if args.misses else None
                result = evaluate_sample(detectors[0][1], swapped, misses)
                columns.append((f"seed {seed}", sample_rows(result)))
                if misses:
                    from qual.files import OWNER_ONLY, write_text

                    path = args.misses.with_name(f"{args.misses.stem}.swap{seed}{args.misses.suffix}")
                    write_text(path, "".join(json.dumps(m) + "\n" for m in misses),
                               permissions=OWNER_ONLY)
            keys = [k for k in columns[0][1] if not k.startswith("  ") or "PERSON" in k
                    or "SCHOOL" in k or "PLACE" in k or "ORGANISATION" in k or "LOCAL" in k]
            print_table(f"Swapped sample gold ({detectors[0][0]}, no register): other names, "
                        "schools and places in the same transcripts",
                        ["metric"] + [c for c, _ in columns],
                        [[k] + [rows.get(k, "-") for _, rows in columns] for k in keys])

    if "tab" in args.datasets:
        if not TAB_FILE.exists():
            print("tab: ../shared/data/deid/tab is absent; skipped")
        else:
            documents = load_tab(args.tab_split)
            chars = sum(len(d.text) for d in documents)
            results = [(name, evaluate_tab(detect, documents)) for name, detect in detectors]
            metrics = ["direct mention recall", "quasi mention recall", "direct entity recall",
                       "quasi entity recall", "token precision", "any-entity precision"]
            rows = [[m] + [f"{r[m]:.3f}" for _, r in results] for m in metrics]
            rows.append(["masked tokens"] + [str(r["masked tokens"]) for _, r in results])
            rows.append(["MB/s"] + [f"{chars / 1e6 / r['seconds']:.2f}" for _, r in results])
            print_table(f"TAB ({len(documents)} ECHR documents, split={args.tab_split}, "
                        f"{chars / 1e6:.2f} MB)", ["metric"] + [n for n, _ in results], rows)
            types = sorted({t for _, r in results for t in r["per type"]})
            print_table("TAB mention recall by gold entity type (DIRECT+QUASI)",
                        ["type"] + [n for n, _ in results],
                        [[t] + [f"{r['per type'].get(t, float('nan')):.3f}" for _, r in results]
                         for t in types])

    if "synth" in args.datasets:
        if not SYNTH_FILE.exists():
            print("synth: ../shared/data/deid/presidio_synth is absent; skipped")
        else:
            results = [(name, evaluate_synth(detect)) for name, detect in detectors]
            types = sorted({t for _, r in results for t in r}, key=lambda t: -results[0][1][t][1])
            rows = [[f"{t} ({results[0][1][t][1]})"] +
                    [f"{r[t][0] / r[t][1]:.3f}" for _, r in results] for t in types]
            totals = [sum(r[t][0] for t in types) / sum(r[t][1] for t in types) for _, r in results]
            rows.append(["all spans"] + [f"{v:.3f}" for v in totals])
            print_table("presidio-research synthetic sentences: recall by entity type",
                        ["type (spans)"] + [n for n, _ in results], rows)

    if {"realner", "heldout", "swis"} & set(args.datasets):
        import eval_deid_real as real
        from qual.deid.recognizers.ner import shipped_model_path

        typed = [real.qual_typed_detector(ner=ner)[::-1]]
        if not args.no_presidio:
            if shipped_model_path() is not None:
                engine = real.build_presidio_spacy(shipped_model_path())
                typed.append(("Presidio + spaCy (shipped model, UK, context)",
                              real.presidio_typed_detector(engine, "")[0]))
            typed.append(("Presidio (blank spaCy, UK)",
                          real.presidio_typed_detector(build_presidio(), "")[0]))
        if "realner" in args.datasets:
            real.realner_table(typed, print_table)
        if "heldout" in args.datasets:
            real.heldout_table(typed, print_table)
        if "swis" in args.datasets:
            real.swis_table(print_table)
            for folder in args.swis_set:
                split = folder / "SPLIT"
                label = split.read_text(encoding="utf-8").strip() if split.exists() else "split not stated"
                real.swis_table(print_table, folder, f"{folder.name} ({label})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
