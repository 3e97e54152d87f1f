#!/usr/bin/env python
"""Build the training and development data of qual's shipped NER model (spaCy DocBins).

    python scripts/make_ner_data.py --out /tmp/qual-ner/data            # ../shared/data/ner
    python scripts/make_ner_data.py --ner-dir PATH --out DIR --synthetic 2000 --seed 1

Writes ``train.spacy`` and ``dev.spacy`` and ``manifest.json`` (counts per source and split).
Labels: PERSON, LOC, ORG (the mapping from each corpus is in ``LABEL_MAP`` and in
docs/ner-model.md). Sources:

* the openly licensed corpora in ``../shared/data/ner`` (their TRAIN parts for training, their
  dev parts for model selection; their TEST parts are read only by ``scripts/eval_ner.py``):
  Broad Twitter Corpus (CC BY 4.0), WNUT-17 (CC BY 4.0), wikigold (CC BY 4.0), GUM (annotations
  CC BY 4.0; texts CC BY 2.5 news and interviews, CC BY-SA 3.0 travel guides; the wikiHow part,
  CC BY-NC-SA 3.0, is excluded: a non-commercial licence does not allow shipping a model
  trained on it in an MIT package);
* synthetic interview speech from ``scripts/ner_templates.py``, filled from qual's shipped name,
  place and local-authority lists;
* augmented copies: lower case (speech-to-text), no punctuation with fillers, numbers in
  words, misspellings, names inside transcriber annotations, ALL CAPS.

The splits of the corpora are fixed here (``corpus_split``) and reused by the evaluation, so
that nothing in a test split is ever trained or tuned on. Same seed, same data.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ner_templates as T  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
RESOURCES = PROJECT / "qual" / "deid" / "resources"
DEFAULT_NER_DIR = PROJECT.parent / "shared" / "data" / "ner"
LABELS = ("PERSON", "LOC", "ORG")
MISSING = "-"  # a span whose annotation is unknown: neither an entity nor outside one

# corpus label -> qual's label; absent labels are outside (O)
LABEL_MAP = {
    "btc": {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"},
    "wnut17": {"person": "PERSON", "location": "LOC", "group": "ORG", "corporation": "ORG"},
    "wikigold": {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"},
    "gum": {"person": "PERSON", "place": "LOC", "organization": "ORG"},
}


# --------------------------------------------------------------------------- examples

@dataclass
class Example:
    """A text as segments: plain strings, or (surface, label) entities. Augmentations work on
    segments so entity offsets never have to be tracked by hand."""

    segments: list = field(default_factory=list)
    source: str = ""

    def text_and_spans(self) -> tuple[str, list[tuple[int, int, str]]]:
        parts, spans, position = [], [], 0
        for segment in self.segments:
            if isinstance(segment, tuple):
                surface, label = segment
                spans.append((position, position + len(surface), label))
                parts.append(surface)
                position += len(surface)
            else:
                parts.append(segment)
                position += len(segment)
        return "".join(parts), spans

    def copy(self, segments) -> "Example":
        return Example(list(segments), self.source)


_NO_SPACE_BEFORE = {",", ".", "!", "?", ":", ";", ")", "]", "'s", "n't", "'re", "'m", "'ve",
                    "'ll", "'d", "%", "'S", "N'T", "…"}
_NO_SPACE_AFTER = {"(", "[", "#", "@"}


def from_tokens(words: list[str], labels: list[str | None], source: str) -> Example:
    """Tokens with one label per token (entity label, None outside, MISSING unknown) and a
    token-run boundary flag folded in: a label starting with 'B:' opens a new entity."""
    segments: list = []
    index = 0
    while index < len(words):
        label = labels[index]
        if label is None:
            run_end = index + 1
            while run_end < len(words) and labels[run_end] is None:
                run_end += 1
        else:
            run_end = index + 1
            while run_end < len(words) and labels[run_end] == label.removeprefix("B:"):
                run_end += 1
        chunk = _detokenize(words[index:run_end])
        need_space = bool(segments) and words[index] not in _NO_SPACE_BEFORE and \
            words[index - 1] not in _NO_SPACE_AFTER
        if need_space:
            segments.append(" ")
        segments.append(chunk if label is None else (chunk, label.removeprefix("B:")))
        index = run_end
    return Example(segments, source)


def _detokenize(words: list[str]) -> str:
    out = ""
    for position, word in enumerate(words):
        if position and word not in _NO_SPACE_BEFORE and words[position - 1] not in _NO_SPACE_AFTER:
            out += " "
        out += word
    return out


# --------------------------------------------------------------------------- corpora

def read_conll(path: Path, separator: str | None = "\t") -> list[tuple[list[str], list[str]]]:
    """Sentences of (words, tags) from a CoNLL file; -DOCSTART- lines start a document and are
    returned as an empty sentence so callers can group by document."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.rstrip("\r\n")
        if not line.strip():
            if words:
                sentences.append((words, tags))
                words, tags = [], []
            continue
        fields = line.split(separator) if separator else line.split()
        if fields[0] == "-DOCSTART-":
            if words:
                sentences.append((words, tags))
                words, tags = [], []
            sentences.append(([], []))
            continue
        if len(fields) < 2:
            fields = line.split()
        words.append(fields[0])
        tags.append(fields[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def bio_labels(tags: list[str], mapping: dict[str, str]) -> list[str | None]:
    """IOB2 or IO tags -> per-token labels, 'B:' marking a token that opens an entity."""
    labels: list[str | None] = []
    previous = None
    for tag in tags:
        if tag == "O" or "-" not in tag:
            labels.append(None)
            previous = None
            continue
        prefix, kind = tag.split("-", 1)
        label = mapping.get(kind)
        if label is None:
            labels.append(None)
            previous = None
            continue
        opens = prefix == "B" or previous != kind
        labels.append(("B:" + label) if opens else label)
        previous = kind
    return labels


def stable_bucket(key: str, buckets: int = 10) -> int:
    return zlib.crc32(key.encode("utf-8")) % buckets


def corpus_split(ner_dir: Path, corpus: str, split: str) -> list[Example]:
    """One split ('train', 'dev' or 'test') of one corpus as examples, labels mapped.

    BTC: sections A, B, E, F, G and the first half of H train (its last quarter is dev),
    the second half of H is test (the corpus authors' proposal). WNUT-17: its own files.
    wikigold: documents by position, 7 of 10 train, 1 dev, 2 test. GUM: its train file less
    the wikiHow sentences (licence), every 10th sentence of it dev; its test file is test.
    """
    if corpus == "btc":
        data = ner_dir / "BTC" / "CONLL-format" / "data"
        sentences: list = []
        if split == "train":
            for section in "abefg":
                sentences += read_conll(data / f"{section}.conll")
        h = read_conll(data / "h.conll")
        half = len(h) // 2
        if split == "train":
            sentences += h[: half * 3 // 4]
        elif split == "dev":
            sentences = h[half * 3 // 4: half]
        else:
            sentences = h[half:]
        mapping = LABEL_MAP["btc"]
    elif corpus == "wnut17":
        data = ner_dir / "WNUT17" / "CONLL-format" / "data"
        file = {"train": "train/wnut17train.conll", "dev": "dev/emerging.dev.conll",
                "test": "test/emerging.test.annotated"}[split]
        sentences = read_conll(data / file)
        mapping = LABEL_MAP["wnut17"]
    elif corpus == "wikigold":
        raw = read_conll(ner_dir / "wikigold" / "CONLL-format" / "data" / "wikigold.conll.txt", None)
        document, sentences = -1, []
        wanted = {"train": {1, 2, 4, 6, 7, 8, 9}, "dev": {3}, "test": {0, 5}}[split]
        for words, tags in raw:
            if not words:
                document += 1
                continue
            if document % 10 in wanted:
                sentences.append((words, tags))
        mapping = LABEL_MAP["wikigold"]
    elif corpus == "gum":
        return gum_split(ner_dir / "GUM" / "CONLL-format", split)
    else:
        raise ValueError(f"unknown corpus {corpus}")
    examples = []
    for words, tags in sentences:
        if words:
            examples.append(from_tokens(words, bio_labels(tags, mapping), corpus))
    return examples


_PRONOUNS = {"i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her",
             "they", "them", "their", "it", "its", "this", "that", "these", "those", "who",
             "everyone", "someone", "anyone", "people", "myself", "himself", "herself"}
_CONNECTORS = {"of", "the", "and", "de", "la", "du", "von", "van", "der", "al", "bin", "&", "-",
               "'s", "'", "for", "on", "upon", "in", "at", "y", "da", "di", "le"}
_LEADING = {"the", "a", "an", "this", "that", "these", "those", "my", "our", "his", "her",
            "their", "your"}


def gum_split(gum_dir: Path, split: str) -> list[Example]:
    """GUM annotates every mention (pronouns and common nouns too); a named entity is kept
    when its words, less a leading determiner, are capitalised (connectors aside) and it is
    not a lone pronoun or a sentence-initial common word. Other person/place/organisation
    mentions that hold a capitalised word are marked unknown (nested names were flattened into
    them), so they teach the model neither way."""
    lexicon = load_lexicon()
    if split == "test":
        sentences = read_conll(gum_dir / "data" / "test" / "gum-test.conll")
    else:
        excluded = set()
        for path in sorted((gum_dir / "data-by-corpustype" / "whow").glob("*.tsv")):
            for words, _ in read_conll(path):
                excluded.add(tuple(words))
        sentences = [s for s in read_conll(gum_dir / "data" / "train" / "gum-train.conll")
                     if s[0] and tuple(s[0]) not in excluded]
        sentences = [s for n, s in enumerate(sentences) if (n % 10 == 9) == (split == "dev")]
    examples = []
    for words, tags in sentences:
        if not words:
            continue
        labels: list[str | None] = [None] * len(words)
        for start, end, kind in _iob_spans(tags):
            label = LABEL_MAP["gum"].get(kind)
            if label is None:
                continue
            first = start
            while first < end and words[first].lower() in _LEADING:
                first += 1
            last = end
            while last > first and words[last - 1] in ("'s", "'", ",", "."):
                last -= 1
            span = words[first:last]
            content = [w for w in span if w.lower() not in _CONNECTORS and any(c.isalnum() for c in w)]
            capitalised = [w for w in content if w[:1].isupper()]
            if not capitalised or all(w.lower() in _PRONOUNS for w in content):
                continue  # a pronoun or common-noun mention: outside
            named = len(capitalised) == len(content) and not (
                len(content) == 1 and (content[0].lower() in _PRONOUNS or (
                    first == 0 and lexicon.get(content[0].lower(), (0, 0))[0] >= 4.0)))
            if named:
                labels[first] = "B:" + label
                for k in range(first + 1, last):
                    labels[k] = label
            else:
                for k in range(start, end):
                    labels[k] = "B:" + MISSING if k == start else MISSING
        examples.append(from_tokens(words, labels, "gum"))
    return examples


def _iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans, start, kind = [], None, None
    for index, tag in enumerate(tags + ["O"]):
        prefix, _, tag_kind = tag.partition("-")
        if start is not None and (prefix != "I" or tag_kind != kind):
            spans.append((start, index, kind))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, kind = index, tag_kind
    return spans


# --------------------------------------------------------------------------- word lists

def _tsv(name: str) -> list[list[str]]:
    with gzip.open(RESOURCES / name, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]


_LEXICON: dict[str, tuple[float, int]] = {}


def load_lexicon() -> dict[str, tuple[float, int]]:
    """word -> (Zipf frequency, 1 if a lower-case dictionary word)."""
    if not _LEXICON:
        for row in _tsv("lexicon.tsv.gz"):
            if len(row) >= 3:
                _LEXICON[row[0]] = (float(row[1]), int(row[2]))
    return _LEXICON


@dataclass
class Pools:
    first: list[str]
    word_names: list[str]
    surnames: list[str]
    places: list[str]
    authorities: list[str]
    countries: list[str]
    abroad: list[str]
    saints: list[str]
    stems: list[str]


def load_pools(part: str) -> Pools:
    """The name lists, split by a stable hash so that development text uses names and places
    the training text never saw ('train': 8 of 10 buckets, 'dev': 1, 'heldout': 1)."""
    buckets = {"train": set(range(2, 10)), "dev": {0}, "heldout": {1}}[part]

    def keep(values):
        chosen = sorted({v for v in values if stable_bucket(v) in buckets})
        return chosen or sorted(set(values))

    lexicon = load_lexicon()
    counted = [(row[0], int(row[1])) for row in _tsv("first_names.tsv.gz") if len(row) > 1]
    first = [name for name, births in counted if births >= 20] + T.EXTRA_FIRST_NAMES
    # names that are also everyday words (Will, Amber, Hunter), common enough as names
    word_names = [n for n, births in counted if births >= 150 and len(n) >= 3 and n.isalpha()
                  and lexicon.get(n.lower(), (0, 0))[1] == 1 and lexicon[n.lower()][0] >= 3.0]
    word_names = sorted(set(word_names) | {w.capitalize() for w in T.WORD_USES})
    surnames = [row[0].title() for row in _tsv("surnames.tsv.gz") if row and row[0]]
    surnames += T.EXTRA_SURNAMES
    places = [row[0] for row in _tsv("places.tsv.gz")
              if len(row) > 1 and row[1] in ("City", "Town", "Village", "Suburban Area")]
    authorities = sorted({row[1] for row in _tsv("local_authorities.tsv.gz") if len(row) > 1})
    countries = [row[0] for row in _tsv("countries.tsv.gz") if row and row[0]]
    stems = [a + b for a in ("Oak", "Ash", "Elm", "Hazel", "Heather", "Marl", "Brook", "Kings",
                             "Queens", "Castle", "Wood", "Green", "Holly", "Fern", "Beech",
                             "Birch", "Thorn", "Bramble", "Moor", "Rother", "Hill", "Cliff",
                             "Wyvern", "Kestle", "Stow", "Raven", "Brindle", "Ashgrove", "Lark",
                             "Willow", "Harrow", "Wend", "Sax", "Tan", "Marsh", "Black", "Red")
             for b in ("field", "mere", "wood", "brook", "gate", "dale", "ley", "bury", "ton",
                       "ham", "side", "well", "ford", "by", "stead", "worth", "lands", "croft",
                       "moor", "pits", "haven")]
    return Pools(first=keep(first), word_names=keep(word_names), surnames=keep(surnames),
                 places=keep(places), authorities=keep(authorities), countries=countries,
                 abroad=keep(T.ABROAD), saints=T.SAINTS, stems=keep(stems))


# --------------------------------------------------------------------------- synthetic speech

class Filler:
    """Surfaces for the template slots."""

    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.p, self.rng = pools, rng

    def pick(self, values):
        return self.rng.choice(values)

    def first(self) -> str:
        return self.pick(self.p.word_names) if self.rng.random() < 0.08 else self.pick(self.p.first)

    def surname(self) -> str:
        name = self.pick(self.p.surnames)
        r = self.rng.random()
        if r < 0.06:
            name += "-" + self.pick(self.p.surnames)
        elif r < 0.12:
            # capitals inside the name: MacLeod, McAllister, O'Connor, FitzGerald, DeSouza
            name = self.rng.choice(("Mac", "Mc", "O'", "Fitz", "De", "Di", "Van ")) + name
        return name

    def fill(self, slot: str) -> str:
        r, rng = self.rng.random(), self.rng
        if slot == "first":
            return self.first()
        if slot == "wordname":
            return self.pick(self.p.word_names)
        if slot == "full":
            middle = f" {rng.choice('ABCDEFGHJKLMNPRST')}." if r < 0.05 else ""
            return f"{self.first()}{middle} {self.surname()}"
        if slot == "titled":
            title = self.pick(T.TITLES)
            return f"{title} {self.first()} {self.surname()}" if r < 0.15 else f"{title} {self.surname()}"
        if slot == "surname":
            return self.surname()
        if slot == "surname_plural":
            name = self.surname()
            return name + ("es" if name.endswith(("s", "x", "z", "sh", "ch")) else "s")
        if slot in ("school", "school_short"):
            return self.school(short=slot == "school_short")
        if slot == "la":
            return self.pick(self.p.authorities) if r < 0.7 else self.pick(self.p.stems) + rng.choice(("", "shire", ""))
        if slot == "council":
            la = self.fill("la")
            return rng.choice((f"{la} Council", f"{la} County Council", f"{la} City Council",
                               f"{la} Borough Council", f"{la} Metropolitan Borough Council",
                               f"London Borough of {la}", f"{la} Children's Services"))
        if slot == "place":
            place = self.pick(self.p.places) if r < 0.75 else self.pick(self.p.stems)
            if rng.random() < 0.1:
                place = rng.choice(("Upper", "Lower", "North", "South", "East", "West", "Great",
                                    "Little", "Nether", "Old", "New")) + " " + place
            return place
        if slot == "abroad":
            return self.pick(self.p.abroad)
        if slot == "country":
            return self.pick(self.p.countries)
        if slot == "street":
            name = rng.choice((self.pick(self.p.stems), self.surname(), self.pick(self.p.places),
                               self.pick(self.p.saints)))
            number = "" if r < 0.4 else (f"{rng.randint(1, 240)} " if r < 0.85 else
                                          f"{rng.randint(1, 99)}{rng.choice('ABC')} ")
            return f"{number}{name} {self.pick(T.STREET_WORDS)}"
        if slot == "estate":
            name = rng.choice((self.pick(self.p.stems), self.pick(self.p.places), self.surname()))
            return f"{name} {self.pick(T.ESTATE_WORDS)}"
        if slot == "org":
            head = rng.choice((self.pick(T.ORG_FIRST_WORDS), self.pick(self.p.stems),
                               self.pick(self.p.places), self.surname() + "'s",
                               f"{self.pick(self.p.stems)} Lane"))
            return f"{head} {self.pick(T.ORG_WORDS)}"
        raise KeyError(slot)

    def school(self, short: bool) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.25:
            name = f"St {self.pick(self.p.saints)}'s"
        elif kind < 0.6:
            name = self.pick(self.p.stems)
        elif kind < 0.85:
            name = self.pick(self.p.places)
        else:
            name = f"{self.first()} {self.surname()}" if rng.random() < 0.3 else self.surname()
        if short:
            return name
        extra = rng.choice(("", "", "", " RC", " Catholic", " C of E")) if name.startswith("St ") else ""
        return f"{name}{extra} {self.pick(T.SCHOOL_WORDS)}"


_SLOT = re.compile(r"\{(\w+)\}")


def synthetic_example(filler: Filler, rng: random.Random) -> Example:
    """One to three sentences of interview speech with their entities."""
    segments: list = []
    if rng.random() < 0.06:
        template = rng.choice(T.SHORT_LINES).replace(
            "{clock}", f"{rng.randint(0, 59)}:{rng.randint(0, 59):02d}")
        return Example(_fill_template(template, filler), "synthetic")
    for index in range(rng.choice((1, 1, 2, 2, 3))):
        kind = rng.random()
        if kind < 0.6:
            template = rng.choice(T.WITH_ENTITIES)
        elif kind < 0.76:
            template = rng.choice(T.PLAIN)
        elif kind < 0.86:
            template = rng.choice(T.NOT_NAME_SENTENCES)
            for kind_name, values in T.NOT_NAMES.items():
                while "{" + kind_name + "}" in template:
                    template = template.replace("{" + kind_name + "}", rng.choice(values), 1)
        else:
            word = rng.choice(sorted(T.WORD_USES))
            template = rng.choice(T.WORD_USES[word]).replace("{word}", word)
        if index:
            segments.append(" ")
        segments += _fill_template(template, filler)
    return Example(segments, "synthetic")


def _fill_template(template: str, filler: Filler) -> list:
    segments: list = []
    position = 0
    for match in _SLOT.finditer(template):
        if match.start() > position:
            segments.append(template[position:match.start()])
        segments.append((filler.fill(match.group(1)), T.SLOT_LABELS[match.group(1)]))
        position = match.end()
    if position < len(template):
        segments.append(template[position:])
    return segments


# --------------------------------------------------------------------------- augmentation

_FILLERS = ("um", "erm", "uh", "like", "you know", "I mean", "sort of", "kind of", "so", "yeah")
_PUNCT = re.compile(r"[.,!?;:\"()]")
_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if not rest else " and " + number_words(rest))
    if 2000 <= n < 2100:
        return "two thousand" + ("" if n == 2000 else " and " + number_words(n - 2000)) \
            if n < 2010 else "twenty " + number_words(n - 2000)
    if 1900 <= n < 2000:
        return "nineteen " + (number_words(n - 1900) if n > 1909 else "oh " + _ONES[n - 1900])
    return " ".join(_ONES[int(d)] for d in str(n))


def _map_segments(example: Example, plain, entity) -> Example:
    return example.copy([entity(s) if isinstance(s, tuple) else plain(s) for s in example.segments])


def lower(example: Example) -> Example:
    return _map_segments(example, str.lower, lambda s: (s[0].lower(), s[1]))


def upper(example: Example) -> Example:
    return _map_segments(example, str.upper, lambda s: (s[0].upper(), s[1]))


def words_for_numbers(example: Example) -> Example:
    def convert(text: str) -> str:
        return re.sub(r"\b\d{1,4}\b", lambda m: number_words(int(m.group())), text)
    return _map_segments(example, convert, lambda s: (convert(s[0]), s[1]))


def speech_to_text(example: Example, rng: random.Random) -> Example:
    """Lower case, no punctuation, fillers between words: what speech recognition writes."""
    def plain(text: str) -> str:
        text = _PUNCT.sub("", text.lower())
        words = text.split(" ")
        out = []
        for word in words:
            out.append(word)
            if word and rng.random() < 0.08:
                out.append(rng.choice(_FILLERS).lower())
        return " ".join(out)
    result = _map_segments(example, plain, lambda s: (_PUNCT.sub("", s[0].lower()).strip() or s[0].lower(), s[1]))
    return words_for_numbers(result) if rng.random() < 0.5 else result


def misspell(example: Example, rng: random.Random, rate: float = 0.06) -> Example:
    """Transcriber and recogniser noise: a dropped, doubled or swapped letter here and there."""
    def noisy(word: str) -> str:
        if len(word) < 4 or not word.isalpha() or rng.random() > rate:
            return word
        k = rng.randrange(1, len(word) - 1)
        op = rng.random()
        if op < 0.35:
            return word[:k] + word[k + 1:]
        if op < 0.7:
            return word[:k] + word[k] + word[k:]
        return word[:k] + word[k + 1] + word[k] + word[k + 2:]
    def text(value: str) -> str:
        return " ".join(noisy(w) for w in value.split(" "))
    return _map_segments(example, text, lambda s: (text(s[0]), s[1]))


def annotate(example: Example, rng: random.Random) -> Example:
    """Put one entity inside a transcriber annotation, as transcribers do with unclear names."""
    positions = [k for k, s in enumerate(example.segments) if isinstance(s, tuple) and s[1] != MISSING]
    if not positions:
        return example
    k = rng.choice(positions)
    stamp = f"{rng.randint(0, 1):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    before, after = rng.choice((
        ("[inaudible, sounded like ", "]"), (f"[inaudible {stamp} - sounded like ", "]"),
        ("[unclear: ", "]"), ("[name redacted - ", "]"), ("(laughs at ", "'s joke)"),
        ("[crosstalk] ", ""), ("[inaudible] ", " [inaudible]"), (f"[{stamp}] ", "")))
    segments = list(example.segments)
    segments[k:k + 1] = [before, segments[k], after]
    return example.copy(segments)


def augmented(example: Example, rng: random.Random, synthetic: bool) -> list[Example]:
    """The example and its noisy copies; synthetic speech gets more of them than the corpora."""
    scale = 1.0 if synthetic else 0.45
    out = [example]
    if rng.random() < 0.5 * scale:
        out.append(lower(example))
    if rng.random() < 0.35 * scale:
        out.append(speech_to_text(example, rng))
    if rng.random() < 0.05 * scale:
        out.append(upper(example))
    if rng.random() < 0.15 * scale:
        copy = misspell(example, rng)
        out.append(lower(copy) if rng.random() < 0.4 else copy)
    if synthetic and rng.random() < 0.12:
        copy = annotate(example, rng)
        out.append(lower(copy) if rng.random() < 0.4 else copy)
    if synthetic and rng.random() < 0.1:
        out.append(words_for_numbers(example))
    return out


# --------------------------------------------------------------------------- DocBins

def to_doc(nlp, example: Example):
    """A spaCy Doc with the example's entities; unknown spans are marked missing."""
    text, spans = example.text_and_spans()
    doc = nlp.make_doc(text)
    entities, missing, taken = [], [], set()
    for start, end, label in spans:
        span = doc.char_span(start, end, label="" if label == MISSING else label,
                             alignment_mode="expand")
        if span is None or not text[start:end].strip():
            continue
        tokens = set(range(span.start, span.end))
        if tokens & taken:
            continue
        taken |= tokens
        (missing if label == MISSING else entities).append(span)
    doc.set_ents(entities, missing=missing, default="outside")
    return doc


def build(ner_dir: Path, out: Path, synthetic: int, seed: int, corpora=("btc", "wnut17",
          "wikigold", "gum")) -> dict:
    import spacy
    from spacy.tokens import DocBin

    rng = random.Random(seed)
    nlp = spacy.blank("en")
    manifest: dict = {"seed": seed, "labels": list(LABELS), "splits": {}}
    for split in ("train", "dev"):
        examples: list[Example] = []
        counts: dict[str, int] = {}
        for corpus in corpora:
            part = corpus_split(ner_dir, corpus, split)
            counts[corpus] = len(part)
            for example in part:
                examples += augmented(example, rng, synthetic=False) if split == "train" else [example, lower(example)]
        filler = Filler(load_pools("train" if split == "train" else "dev"), rng)
        wanted = synthetic if split == "train" else max(1, synthetic // 8)
        for _ in range(wanted):
            example = synthetic_example(filler, rng)
            examples += augmented(example, rng, synthetic=True) if split == "train" else [
                example, speech_to_text(example, rng)]
        counts["synthetic"] = wanted
        rng.shuffle(examples)
        docs = DocBin(store_user_data=False)
        words = 0
        for example in examples:
            doc = to_doc(nlp, example)
            words += len(doc)
            docs.add(doc)
        out.mkdir(parents=True, exist_ok=True)
        docs.to_disk(out / f"{split}.spacy")
        manifest["splits"][split] = {"sources": counts, "docs": len(examples), "tokens": words}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ner-dir", type=Path, default=DEFAULT_NER_DIR,
                        help="the NER corpora (default ../shared/data/ner)")
    parser.add_argument("--out", type=Path, required=True, help="folder for train/dev .spacy files")
    parser.add_argument("--synthetic", type=int, default=14000, help="synthetic training utterances")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpora", default="btc,wnut17,wikigold,gum")
    args = parser.parse_args(argv)
    if not args.ner_dir.is_dir():
        print(f"{args.ner_dir}: no such folder; give the NER corpora with --ner-dir", file=sys.stderr)
        return 2
    manifest = build(args.ner_dir, args.out, args.synthetic, args.seed,
                     tuple(c for c in args.corpora.split(",") if c))
    for split, info in manifest["splits"].items():
        print(f"{split}: {info['docs']} docs, {info['tokens']} tokens, sources {info['sources']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
