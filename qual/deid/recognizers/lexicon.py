"""The shipped word lists: how common an English word is, first names, surnames, places and
local authorities. Built by ``scripts/build_gazetteers.py``; sources and licences are in
``qual/deid/resources/ATTRIBUTION.md``.

Loaded once per process (about 0.3 s) and shared by every analyzer.
"""

from __future__ import annotations

import functools
import gzip
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# Surname frequencies are per 100,000 people; this turns them into a count on the scale of
# the ONS birth counts (England and Wales, ~60 million people) so the two compare.
_SURNAME_TO_COUNT = 600.0


def resource_path(name: str) -> Path:
    return Path(str(resources.files("qual.deid") / "resources" / name))


def _read_tsv(name: str) -> list[list[str]]:
    with gzip.open(resource_path(name), "rb") as handle:
        lines = handle.read().decode("utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    zipf: dict[str, float]                # lower-case word -> Zipf frequency (0 = unknown)
    dictionary: frozenset[str]            # words a dictionary writes in lower case
    first_names: dict[str, int]           # "Jayden" -> births
    surnames: dict[str, float]            # "Okafor" -> per 100,000
    places: dict[str, str]                # "Milton Keynes" -> settlement type
    local_authorities: dict[str, str]     # any spelling -> authority
    countries: frozenset[str]             # "India", "New Zealand", "Africa"

    def word_zipf(self, word: str) -> float:
        lower = word.lower()
        zipf = self.zipf.get(lower)
        if zipf is None:
            if "-" not in lower:
                return 0.0
            # "Wi-Fi", "co-location": the closed-up spelling, else the rarer part
            zipf = self.zipf.get(lower.replace("-", ""))
            if zipf is None:
                zipf = min(self.zipf.get(part, 0.0) for part in lower.split("-"))
        return zipf

    def is_word(self, word: str) -> bool:
        """A dictionary writes ``word`` in lower case: an ordinary word, whatever else it is."""
        lower = word.lower()
        if lower in self.dictionary:
            return True
        if "-" in lower:
            parts = [p for p in lower.split("-") if p]
            return bool(parts) and (lower.replace("-", "") in self.dictionary
                                    or all(p in self.dictionary for p in parts))
        return False

    def first_name_count(self, word: str) -> int:
        return self.first_names.get(word, 0) or self.first_names.get(word.title(), 0)

    def surname_count(self, word: str) -> float:
        per_100k = self.surnames.get(word, 0.0) or self.surnames.get(word.title(), 0.0)
        return per_100k * _SURNAME_TO_COUNT

    @functools.cached_property
    def lowercase_names(self) -> frozenset[str]:
        """First names that, typed in lower case, are still no English word ("jayden")."""
        # a rare word needs a name given to 200 babies; a commoner one ("tracy", "nina")
        # to 1,000, which leaves out the likes of "dev"
        return frozenset(
            lower for name, count in self.first_names.items()
            if len(name) >= 3 and (lower := name.lower()) not in self.dictionary
            and (zipf := self.zipf.get(lower, 0.0)) < 4.0 and count >= (200 if zipf < 3.0 else 1000))

    def is_name(self, word: str) -> bool:
        return bool(self.first_name_count(word) or self.surname_count(word))

    def name_vs_word(self, word: str) -> float:
        """log10(people called ``word``) minus its Zipf frequency as a word.

        Positive for words that are mostly names (Jack, Grace, Smith), strongly negative for
        ordinary words that are also names (Will, May, Hope); -inf for words that are no name.
        """
        count = max(self.first_name_count(word), self.surname_count(word))
        if not count:
            return -math.inf
        return math.log10(count) - self.word_zipf(word)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    rows = _read_tsv("lexicon.tsv.gz")
    zipf = {row[0]: float(row[1]) for row in rows}
    dictionary = frozenset(row[0] for row in rows if row[2] == "1")
    first = {name: int(count) for name, count in _read_tsv("first_names.tsv.gz")}
    surnames = {name: float(freq) for name, freq in _read_tsv("surnames.tsv.gz")}
    places = {name: kind for name, kind in _read_tsv("places.tsv.gz")}
    authorities = {name: nice for name, nice in _read_tsv("local_authorities.tsv.gz")}
    countries = frozenset(row[0] for row in _read_tsv("countries.tsv.gz"))
    return Lexicon(zipf, dictionary, first, surnames, places, authorities, countries)
