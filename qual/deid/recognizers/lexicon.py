"""The shipped word lists: how common an English word is, first names, surnames, places and
local authorities. Built by ``scripts/build_gazetteers.py``; sources and licences are in
``qual/deid/resources/ATTRIBUTION.md``.

Loaded once per process (about 0.2 s) and shared by every analyzer.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..identity import strip_accents

# Surname frequencies are per 100,000 people; this turns them into a count on the scale of
# the ONS birth counts (England and Wales, ~60 million people) so the two compare.
_SURNAME_TO_COUNT = 600.0


def resource_path(name: str) -> Path:
    return Path(str(resources.files("qual.deid") / "resources" / name))


def _read_columns(name: str, count: int) -> list[list[str]]:
    """The ``count`` columns of a shipped TSV file.

    One split of the whole text, then every ``count``-th field: three times faster than a
    split per line on the 216,000-line lexicon, which is most of ``qual check``'s start-up.
    A file with comments or blank lines below its header is read line by line instead.
    """
    with gzip.open(resource_path(name), "rb") as handle:
        text = handle.read().decode("utf-8")
    while text.startswith("#"):
        text = text[text.find("\n") + 1:] if "\n" in text else ""
    fields = text.replace("\r\n", "\n").replace("\n", "\t").split("\t")
    if fields and fields[-1] == "":
        fields.pop()
    if len(fields) % count or "" in fields[::count]:
        rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
        return [[row[k] if k < len(row) else "" for row in rows] for k in range(count)]
    return [fields[k::count] for k in range(count)]


def _numbers(values: list[str], kind: type) -> list:
    """``values`` as numbers; a shipped list repeats few values, so each is parsed once."""
    parsed = {value: kind(value) for value in set(values)}
    return list(map(parsed.__getitem__, values))


_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def inflection_stems(lower: str) -> list[str]:
    """Base forms a lower-case word may be an inflection of: "referrals" -> "referral",
    "churches" -> "church", "agencies" -> "agency", "desking" -> "desk", "upskilled" ->
    "upskill", "preventatively" -> "preventative". Candidates only: a caller checks them
    against a word list."""
    stems = []
    n = len(lower)
    if n > 4 and lower.endswith("ies"):
        stems.append(lower[:-3] + "y")
    if n > 3 and lower.endswith("es") and lower[:-2].endswith(_SIBILANT_ENDINGS):
        stems.append(lower[:-2])
    if n > 3 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        stems.append(lower[:-1])
    for suffix in ("ing", "ed"):
        if n > len(suffix) + 2 and lower.endswith(suffix):
            stem = lower[:-len(suffix)]
            stems += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                stems.append(stem[:-1])  # "planned" -> "plan"
    if n > 5 and lower.endswith("ly"):
        stems.append(lower[:-2])
    return stems


_KEY_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


@functools.lru_cache(maxsize=65536)
def inflection_key(lower: str) -> str:
    """One form for a word and its plural, possessive and -ing/-ed forms, to count how often
    a word occurs whatever its inflection (crude; good enough for counting)."""
    if lower.endswith("'s"):
        lower = lower[:-2]
    for suffix, replacement in _KEY_SUFFIXES:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 3 and not lower.endswith(("ss", "us", "is")):
            return lower[:-len(suffix)] + replacement
    return lower


@functools.lru_cache(maxsize=65536)
def inflections(key: str) -> tuple[str, ...]:
    """The lower-case forms whose :func:`inflection_key` is ``key``, as far as they are made
    by the suffixes it strips: "referral" -> referral, referrals, referral's ..."""
    stems = [key, key + "e"] if not key.endswith("e") else [key]
    if key.endswith("y"):
        stems.append(key[:-1] + "ies")
    forms = {key}
    for stem in stems:
        for suffix in ("", "s", "es", "ed", "ing", "'s"):
            form = stem + suffix
            if inflection_key(form) == key:
                forms.add(form)
    if key[-1:] != "e" and len(key) > 2:
        for suffix in ("ed", "ing"):
            form = key + key[-1] + suffix  # "planned": key "plann" covers it already
            if inflection_key(form) == key:
                forms.add(form)
    return tuple(sorted(forms))


# A name only a large dictionary lists as a word counts as rarely a word when it is this long
# and this common a name (births; people per the surname count): rarer names or shorter ones
# ("al", "si") are as often something else
RARE_WORD_NAME_MIN_LENGTH = 3
RARE_WORD_NAME_MIN_BIRTHS = 500
RARE_WORD_NAME_MIN_SURNAME = 5000

# words whose "'s" is "is" or "has", not a possessive ("it's", "that's")
_CONTRACTED_S = frozenset({"it", "that", "he", "she", "there", "here", "what", "who", "where", "let",
                           "how", "when", "why", "everything", "nothing", "something", "everyone", "someone"})

_DEMONYM_SUFFIXES = ("ian", "ean", "an", "n", "i", "ese", "ish", "ic")


@dataclass(frozen=True)
class Lexicon:
    zipf: dict[str, float]                # lower-case word -> Zipf frequency (0 = unknown)
    dictionary: frozenset[str]            # words a dictionary writes in lower case
    first_names: dict[str, int]           # "Jayden" -> births
    surnames: dict[str, float]            # "Okafor" -> per 100,000
    places: dict[str, str]                # "Milton Keynes" -> settlement type
    local_authorities: dict[str, str]     # any spelling -> authority
    countries: frozenset[str]             # "India", "New Zealand", "Africa"
    # the dictionary's words a standard-size dictionary has too ("bill", not "ann" or "jess")
    common_dictionary: frozenset[str] = frozenset()
    # lower-case word not in the dictionary -> the dictionary word it inflects, or None
    _inflected_cache: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    # word as written -> is_demonym (asked of every capitalised word of every document)
    _demonym_cache: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    # word as written -> what the NER model's reader makes of it (recognizers.ner._readings)
    readings_cache: dict[str, tuple[bool, bool, bool]] = field(default_factory=dict, compare=False, repr=False)

    def word_zipf(self, word: str) -> float:
        lower = word.lower()
        zipf = self.zipf.get(lower)
        if zipf is None:
            if "-" not in lower:
                stem = self._inflected(lower)
                return self.zipf.get(stem, 0.0) if stem else 0.0
            # "Wi-Fi", "co-location": the closed-up spelling, else the rarer part
            zipf = self.zipf.get(lower.replace("-", ""))
            if zipf is None:
                zipf = min(self.word_zipf(part) for part in lower.split("-"))
        return zipf

    def is_word(self, word: str) -> bool:
        """A dictionary writes ``word`` in lower case: an ordinary word, whatever else it is.
        Plurals and -ing/-ed/-ly forms of dictionary words count ("codings", "desking"),
        unless the form itself is a listed name ("Childs")."""
        lower = word.lower()
        if lower in self.dictionary:
            return True
        if "-" in lower:
            parts = [p for p in lower.split("-") if p]
            return bool(parts) and (lower.replace("-", "") in self.dictionary
                                    or all(self.is_word(p) for p in parts))
        return self._inflected(lower) is not None

    def _inflected(self, lower: str) -> str | None:
        """The dictionary word ``lower`` inflects, when it is no listed name itself."""
        cache = self._inflected_cache
        if lower in cache:
            return cache[lower]
        found = None
        for stem in inflection_stems(lower):
            if stem in self.dictionary:
                found = None if self.is_name(lower) else stem
                break
        if len(cache) < 200_000:
            cache[lower] = found
        return found

    def first_name_count(self, word: str) -> int:
        count = self.first_names.get(word, 0) or self.first_names.get(word.title(), 0)
        if not count and not word.isascii():
            # "Zoë", "ZOË", "Chloé": the lists spell most names without their accents
            folded = strip_accents(word)
            if folded != word:
                count = self.first_names.get(folded, 0) or self.first_names.get(folded.title(), 0)
        return count

    def surname_count(self, word: str) -> float:
        per_100k = self.surnames.get(word, 0.0) or self.surnames.get(word.title(), 0.0)
        if not per_100k and not word.isascii():
            folded = strip_accents(word)
            if folded != word:
                per_100k = self.surnames.get(folded, 0.0) or self.surnames.get(folded.title(), 0.0)
        return per_100k * _SURNAME_TO_COUNT

    @functools.cached_property
    def lowercase_names(self) -> frozenset[str]:
        """First names that, typed in lower case, are still no English word ("jayden"; "molly",
        which only a large dictionary lists, too)."""
        # a rare word needs a name given to 200 babies; a commoner one ("tracy", "nina")
        # to 1,000, which leaves out the likes of "dev"
        return frozenset(
            lower for name, count in self.first_names.items()
            if len(name) >= 3 and not self.is_common_word(lower := name.lower())
            and (zipf := self.zipf.get(lower, 0.0)) < 4.0 and count >= (200 if zipf < 3.0 else 1000))

    @functools.cached_property
    def lowercase_places(self) -> frozenset[str]:
        """Places of one or two words that, typed in lower case, are still no English word
        ("baguio", "greater noida"; not "reading", "bath", "mountain view")."""
        out = set()
        for name in self.places:
            words = name.lower().split()
            if len(words) <= 2 and all(w.isalpha() for w in words) \
                    and any(w not in self.dictionary and len(w) >= 4 for w in words):
                out.add(" ".join(words))
        return frozenset(out)

    @functools.cached_property
    def multiword_places(self) -> dict[str, str]:
        """Listed places and local authorities of two to four words, keyed by their lower-case
        form ("high wycombe" -> "High Wycombe", "newcastle upon tyne" -> "Newcastle upon
        Tyne"), also without hyphens and apostrophes ("stoke on trent", "kings lynn"): what
        caseless reading capitalises whole once one word of them reads as a name."""
        out = {}
        for name in (*self.places, *self.local_authorities.values()):
            # as speech-to-text writes them too: "stoke on trent", "kings lynn"
            for form in {name, name.replace("-", " "), name.replace("'", "").replace("\u2019", "")}:
                if 2 <= len(form.split()) <= 4:
                    out.setdefault(form.lower(), form)
        return out

    @functools.cached_property
    def lowercase_place_words(self) -> frozenset[str]:
        """The words of :attr:`lowercase_places` that no dictionary has: a text holds none of
        them, it holds no such place (a quick test before looking)."""
        return frozenset(w for place in self.lowercase_places for w in place.split() if w not in self.dictionary)

    @functools.cached_property
    def language_words(self) -> frozenset[str]:
        """Words of the English names of the world's languages (Unicode CLDR,
        ``languages.tsv.gz``): "Gaelic", "Swiss" (of "Swiss German"), "Tigrinya". A language
        or a people, which identifies no one; less the words that are also listed names or
        places ("Mari", "Delaware"), which stay for the other detectors to judge."""
        return frozenset(w for w in self._language_entries
                         if not self.is_name(w) and w not in self.places and w not in self.countries
                         and w not in self.local_authorities)

    @functools.cached_property
    def _language_entries(self) -> tuple[str, ...]:
        return tuple(_read_columns("languages.tsv.gz", 1)[0])

    def names_a_people(self, word: str) -> bool:
        """``word`` names a language or a people ("Gaelic", "Swiss", "Eritreans")."""
        return word in self.language_words or self.is_demonym(word)

    @functools.cached_property
    def country_words(self) -> frozenset[str]:
        """The words of the listed countries' names as written ("Hong", "Kong", "Romania")."""
        return frozenset(word.removesuffix(",") for country in self.countries for word in country.split())

    @functools.cached_property
    def _countries_lower(self) -> frozenset[str]:
        return frozenset(c.lower() for c in self.countries)

    def is_demonym(self, word: str) -> bool:
        """``word`` names the people of a listed country ("Palestinians", "Israeli",
        "Argentinian", "Vietnamese"): a nationality, which identifies no one."""
        known = self._demonym_cache.get(word)
        if known is None:
            known = self._is_demonym(word)
            if len(self._demonym_cache) < 200_000:
                self._demonym_cache[word] = known
        return known

    def _is_demonym(self, word: str) -> bool:
        lower = word.lower()
        if len(lower) < 5 or not lower.isalpha():
            return False
        countries = self._countries_lower
        for form in (lower, lower[:-1] if lower.endswith("s") else None):
            if not form:
                continue
            for suffix in _DEMONYM_SUFFIXES:
                stem = form[:-len(suffix)]
                if form.endswith(suffix) and len(stem) >= 3 and any(
                        stem + ending in countries for ending in ("", "a", "e", "ia", "o", "y")):
                    return True
        return False

    def is_name(self, word: str) -> bool:
        return bool(self.first_name_count(word) or self.surname_count(word))

    def name_vs_word(self, word: str) -> float:
        """log10(people called ``word``) minus its Zipf frequency as a word.

        Positive for words that are mostly names (Jack, Grace, Smith), strongly negative for
        ordinary words that are also names (Will, May, Hope); -inf for words that are no name.
        A name that is only a rare word (:meth:`rarely_a_word`: Ann, Jess) counts no
        frequency as a word: wordfreq's count of it is the name's.
        """
        count = max(self.first_name_count(word), self.surname_count(word))
        if not count:
            return -math.inf
        return math.log10(count) - (0.0 if self.rarely_a_word(word) else self.word_zipf(word))

    def is_common_word(self, word: str) -> bool:
        """A standard-size dictionary writes ``word`` (or the word it inflects) in lower case:
        "mo", "lazy", not "zee" or "jess"."""
        lower = word.lower()
        return lower in self.common_dictionary or self._inflected(lower) in self.common_dictionary

    @functools.cached_property
    def contractions_unmarked(self) -> frozenset[str]:
        """Contractions as speech-to-text writes them without the apostrophe ("dont",
        "werent", "youre", "thats"): words, not unknown capitals."""
        out = set()
        for word, zipf in self.zipf.items():
            if zipf < 3.0 or "'" not in word:
                continue
            stem, _, ending = word.partition("'")
            if ending in ("t", "re", "ve", "ll", "m", "d") or (ending == "s" and stem in _CONTRACTED_S):
                out.add(stem + ending)
        return frozenset(out)

    def rarely_a_word(self, word: str) -> bool:
        """``word`` is a common name that only a large dictionary lists as a word ("ann",
        "jess", "chapman", not "bill", "hope"): written in lower case, it is hardly ever the
        word, and its frequency counts the name. Not a language, people, country or place
        ("english", "danish", "kent"), whose capital says nothing about a person."""
        lower = word.lower()
        if len(lower) < RARE_WORD_NAME_MIN_LENGTH or lower not in self.dictionary or not self.common_dictionary \
                or self.is_common_word(lower):
            return False
        title = lower.title()
        if not (self.first_name_count(title) >= RARE_WORD_NAME_MIN_BIRTHS
                or self.surname_count(title) >= RARE_WORD_NAME_MIN_SURNAME):
            return False
        return not (title in self.countries or title in self.places or title in self.local_authorities
                    or lower in self._language_words_lower or self.is_demonym(title))

    @functools.cached_property
    def _language_words_lower(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self._language_entries)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    words, frequencies, lower_case = _read_columns("lexicon.tsv.gz", 3)
    zipf = dict(zip(words, _numbers(frequencies, float)))
    # flag 2: a word of the standard-size dictionary; 1: of the large one only
    dictionary = frozenset(itertools.compress(words, (flag in ("1", "2") for flag in lower_case)))
    common = frozenset(itertools.compress(words, map("2".__eq__, lower_case)))
    names, births = _read_columns("first_names.tsv.gz", 2)
    surnames, per_100k = _read_columns("surnames.tsv.gz", 2)
    places = dict(zip(*_read_columns("places.tsv.gz", 2)))
    authorities = dict(zip(*_read_columns("local_authorities.tsv.gz", 2)))
    countries = frozenset(_read_columns("countries.tsv.gz", 1)[0])
    return Lexicon(zipf, dictionary, dict(zip(names, _numbers(births, int))),
                   dict(zip(surnames, _numbers(per_100k, float))), places, authorities, countries, common)
