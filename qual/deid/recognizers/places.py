"""Places and institutions.

* ``places.gazetteer``: British settlements (OS Open Names) and local authorities with all
  their spellings (mySociety). A place name that is also an ordinary word (Reading, Bath,
  Sale) counts only capitalised mid-sentence and not after "the";
* ``places.institution``: schools, councils, local organisations, streets and estates by
  the words that end their names (``Castlebrook Academy``, ``Oakfield Primary School``,
  ``Northshire County Council``, ``Meadow Lane``, ``the Marsh Farm estate``), and street
  addresses (``14 Meadow Lane``). The name part must hold a word that is no generic word,
  so ``Virtual School``, ``Primary School`` or ``Family Hub`` alone are left alone.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import Doc, Recognizer
from .lexicon import Lexicon, load_lexicon
from .phrases import PhraseMatcher
from .vocab import (DETERMINERS, ESTATE_HEADS, FUNCTION_WORDS, LANDMARK_HEADS, NAME_HEADS, ORGANISATION_GENERIC,
                    NUMBER_TEENS, NUMBER_TENS, NUMBER_UNITS, ORGANISATION_HEADS, PLACE_MODIFIERS,
                    PLACE_PREPOSITIONS, SAINT_TITLES, SCHOOL_GENERIC, SCHOOL_HEADS, STREET_HEADS)

COMMON_ZIPF = 3.0
# A listed place in lower case after a preposition: redacted, failing the check gate
LOWER_CASE_PLACE = 0.6
# a listed place of several words, none of them all common ("High Wycombe", "Stoke on Trent"):
# above a first name inside it (0.85), so that the place types the span
MULTIWORD_PLACE = 0.9
# "the Priory", "the Grange" alone: redacted, failing the gate, listed for review
HOUSE_NAME = 0.6


@functools.lru_cache(maxsize=1)
def _shouted_places() -> PhraseMatcher:
    """Places and countries in any case, for names written in capitals ("MANCHESTER");
    built the first time a text has such words."""
    lexicon = load_lexicon()
    places: PhraseMatcher[str] = PhraseMatcher(
        ((name, kind) for name, kind in lexicon.places.items()), case_sensitive=False)
    for country in lexicon.countries:
        places.add(country, "Country")
    return places


@functools.lru_cache(maxsize=1)
def _gazetteer_matchers() -> tuple[PhraseMatcher, PhraseMatcher]:
    lexicon = load_lexicon()
    places: PhraseMatcher[str] = PhraseMatcher(
        ((name, kind) for name, kind in lexicon.places.items()), case_sensitive=True)
    for lowered, form in lexicon.multiword_places.items():
        if form not in lexicon.places:  # "Stoke on Trent", "Kings Lynn": as people write them
            places.add(form, "variant")
    for country in lexicon.countries:
        places.add(country, "Country")
    authorities: PhraseMatcher[str] = PhraseMatcher(
        ((name, nice) for name, nice in lexicon.local_authorities.items()), case_sensitive=False)
    return places, authorities


def _common(lexicon: Lexicon, phrase: str) -> bool:
    """Every word of ``phrase`` is an ordinary English word."""
    return all(lexicon.word_zipf(word) >= COMMON_ZIPF for word in phrase.replace("-", " ").split())


@register_recognizer("places.gazetteer", default=True)
class GazetteerRecognizer(Recognizer):
    entity_types = frozenset({EntityType.PLACE, EntityType.LOCAL_AUTHORITY})

    def detect(self, doc: Doc) -> Iterable[Span]:
        places, authorities = _gazetteer_matchers()
        lexicon = doc.lexicon
        text = doc.text
        for start, end, _ in authorities.find(text, doc.searchable(False)):
            if not text[start].isupper():
                continue
            confidence = self._confidence(doc, start, end, lexicon, 0.85)
            if confidence:
                council = "council" in doc.lowered[start:end]
                yield self.span(doc, self._with_modifier(doc, start), end, EntityType.LOCAL_AUTHORITY,
                                0.95 if council else confidence)
        for start, end, kinds in places.find(text, doc.searchable(True)):
            # "New Zealand", "the United States": a capital on every word of a country's
            # name says more than a sentence's first capital or an article takes away
            named = "Country" in kinds and " " in text[start:end]
            # a place of several words, each as the list writes it ("Stoke on Trent"), is that
            # place, though one of its words is a first name ("Trent", "Lynn")
            rare = MULTIWORD_PLACE if " " in text[start:end] else 0.75
            confidence = self._confidence(doc, start, end, lexicon, rare, named)
            if confidence and "Country" in kinds and len(kinds) == 1:
                # a country narrows little down: reported, for a reviewer to weigh
                confidence = 0.5 if not doc.is_kept(start, end) else 0.0
            if confidence:
                yield self.span(doc, self._with_modifier(doc, start), self._with_region(doc, end),
                                EntityType.PLACE, confidence)
        if doc.shouted_words:
            yield from self._shouted(doc, lexicon)
        yield from self._lower_case(doc, lexicon)

    def _lower_case(self, doc: Doc, lexicon: Lexicon) -> Iterable[Span]:
        """A listed place typed in lower case after a word that leads to a place ("going to
        baguio", "resorts in kollam", "moved to greater noida"), when a word of it is no
        dictionary word ("reading", "bath" stay words)."""
        if lexicon.lowercase_place_words.isdisjoint(doc.lower_words):
            return
        text, places = doc.text, lexicon.lowercase_places
        for match in _LOWER_PLACE_RE.finditer(text):
            first, second = match.group(2), match.group(3)
            if second and f"{first} {second}" in places:
                start, end = match.start(2), match.end(3)
            elif first in places:
                start, end = match.span(2)
            else:
                continue
            if not doc.is_kept(start, end):
                yield self.span(doc, start, end, EntityType.PLACE, LOWER_CASE_PLACE)

    def _shouted(self, doc: Doc, lexicon: Lexicon) -> Iterable[Span]:
        """Places written in capitals ("I LIVE IN MIDDLESBROUGH"): a capital that says nothing,
        so only a place whose name is no common word."""
        matcher = _shouted_places()
        lowered = doc.lowered
        for low, high in doc.shouted_ranges():
            for start, end, kinds in matcher.find(lowered[low:high]):
                start, end = start + low, end + low
                if not doc.text[start:end].isupper() or doc.is_kept(start, end):
                    continue
                if "Country" in kinds and len(kinds) == 1:
                    confidence = 0.5  # a country narrows little down: for a reviewer to weigh
                else:
                    confidence = self._shouted_confidence(doc, start, end, lexicon)
                if confidence:
                    yield self.span(doc, start, end, EntityType.PLACE, confidence)

    @staticmethod
    def _shouted_confidence(doc: Doc, start: int, end: int, lexicon: Lexicon) -> float:
        """A place in capitals: its capitals say nothing, so a one-word name that is also a
        dictionary word ("READING", "BATH") is taken for the word; a name that is no word
        ("ROTHERHAM") is a place, however often the news prints it."""
        i = doc.word_at(start)
        if i >= len(doc) or doc.starts[i] != start:
            return 0.0
        parts = doc.text[start:end].replace("-", " ").split()
        if all(lexicon.is_word(part) for part in parts):
            return 0.6 if len(parts) > 1 else 0.0  # "SOUTH SHIELDS", not "READING"
        previous = doc.previous_lower(i) if doc.adjacent(i) else ""
        return 0.8 if previous in PLACE_PREPOSITIONS else 0.75

    @staticmethod
    def _with_region(doc: Doc, end: int) -> int:
        """Where a place's name ends, with the state or province that follows it in an address
        ("Baltimore, MD 21202", "Lawrence, KS"); not over a code the keep-list holds ("OH" is
        the filler "oh" too), which would leave it in the middle of the span."""
        match = _REGION_AFTER_PLACE_RE.match(doc.text, end)
        if not match or match.group(1) not in _REGION_CODES or doc.is_kept(*match.span(1)):
            return end
        return match.end()

    @staticmethod
    def _with_modifier(doc: Doc, start: int) -> int:
        """Where a place's name starts, with a capitalised "North", "New", "Greater" ... before
        it ("Southern Italy", "New Westminster")."""
        i = doc.word_at(start)
        if 0 < i < len(doc) and doc.adjacent(i) and doc.words[i - 1] in PLACE_MODIFIERS:
            return doc.starts[i - 1]
        return start

    @staticmethod
    def _confidence(doc: Doc, start: int, end: int, lexicon: Lexicon, rare: float,
                    named: bool = False) -> float:
        if doc.is_kept(start, end):
            return 0.0
        i = doc.word_at(start)
        if i >= len(doc) or doc.starts[i] != start:
            return 0.0
        phrase = doc.text[start:end]
        if phrase.isupper() and not all(doc.shouted(j) for j in range(i, doc.word_at(end - 1) + 1)):
            return 0.0  # an acronym that happens to spell a hamlet
        if not _common(lexicon, phrase):
            return rare
        previous = doc.previous_lower(i) if doc.adjacent(i) else ""
        if (doc.capital_says_nothing(i) or previous in DETERMINERS) and not named:
            return 0.0
        # "in Reading", "from Bath": a common word capitalised mid-sentence; "in Stoke on
        # Trent", "near Kings Lynn": a place of several words, each capitalised as listed
        if previous in PLACE_PREPOSITIONS:
            return MULTIWORD_PLACE if " " in phrase else 0.65
        return 0.5




# The postal codes of US states, Canadian provinces and Australian states, after a place in an
# address ("Chillicothe, OH"); a ZIP code after them goes with them. Codes that are also words
# or everyday abbreviations ("Leeds, OK then", "in Leeds, LA colleagues") are left out.
_REGION_CODES = frozenset("""AL AK AZ AR CA CT DE DC FL GA IL IA KS KY MD MA MI MN MO MT NE NV NH NJ NM NY NC
    ND OH RI SC SD TN TX UT VT VA WA WV WI WY PR AB BC MB NL NS NT NU PE QC SK YT NSW VIC QLD TAS""".split())
_REGION_AFTER_PLACE_RE = re.compile(r"(?:, ?| )([A-Z]{2,3})(?: \d{5}(?:-\d{4})?)?(?![\w'])")

# head words whose name part must be a rare word (or carry a house number)
_AMBIGUOUS_STREET = frozenset({"court", "house", "park", "hill", "green", "view", "place", "way",
                               "bank", "gate", "chase", "lodge", "manor", "tower", "towers", "fold",
                               "croft", "vale", "brow", "row", "walk", "rise", "yard", "wharf",
                               "meadow", "meadows", "heights", "st", "dr", "flats", "precinct",
                               "grange", "fields", "brook", "mount", "cross", "end", "side",
                               "moor", "wood", "farm"})
_AMBIGUOUS_ORGANISATION = frozenset({"team", "services", "service", "unit", "group", "home",
                                     "homes", "house", "hall", "court", "project", "network",
                                     "practice", "partnership", "police", "club", "centre",
                                     "center", "hub", "library", "forum", "alliance", "agency",
                                     "company", "co", "inc", "collective", "federation", "lodge",
                                     "nhs", "society", "association", "foundation", "housing",
                                     "council", "aid", "advice", "carers", "refuge", "bank",
                                     "pantry", "kitchen"})
# A landmark's name with its head in lower case ("the Gaza strip", "Manaus stadium"): the head
# is part of the name (heads of buildings people pass, "the hotel", "the beach", are left out)
_LOWERCASE_LANDMARK_HEADS = frozenset({"island", "islands", "isle", "bay", "gulf", "strait", "peninsula",
                                       "lake", "loch", "lough", "river", "reservoir", "falls", "desert",
                                       "sea", "ocean", "strip", "memorial", "monument", "museum", "stadium",
                                       "arena", "airport", "station", "castle", "palace", "abbey", "pier",
                                       "harbour", "harbor", "marina", "zoo"})
_LOWERCASE_HEADS = frozenset({"school", "academy", "primary", "college", "nursery", "estate",
                              "road", "street", "lane", "avenue", "close", "drive", "crescent",
                              "council", "surgery", "hospital", "mosque", "church", "refuge",
                              "hostel", "shelter"}) | _LOWERCASE_LANDMARK_HEADS
# Places where people live or shelter, named by capitalised words however common ("the Links
# estate", "the Brighter Days refuge"): the name says where a child or a family is
_NAMED_DWELLINGS = ESTATE_HEADS | {"refuge", "hostel", "shelter"}
_CONNECTORS = frozenset({"of", "the", "&", "upon", "le", "cum", "de"})
# A word that leads to a place, then one or two lower-case words ("moved to greater noida")
_LOWER_PLACE_RE = re.compile(r"(?<![\w'])(" + "|".join(sorted(PLACE_PREPOSITIONS, key=len, reverse=True))
                             + r") ([a-z][a-z]{2,})(?: ([a-z][a-z]{2,}))?(?![\w'])")
# "Flat 4", "Apt. 595", "Suite 501": the part of an address before the street
_UNIT_RE = re.compile(r"\b(?:Flat|Apartment|Apt\.?|Suite|Unit|Room|Plot|PO Box|P\.O\. Box|Box)"
                      r"\s?(?:No\.?\s?)?\d{1,5}[A-Za-z]?\b")
# A street is named by any word, "Manor" of "Manor Avenue" or "Park" of "Park Road" too
_STREET_GENERIC = frozenset({"the", "old", "new", "upper", "lower", "north", "south", "east",
                             "west", "great", "little", "of", "&"})
# Words that do not name a landmark on their own: "the National Museum", "City Airport"
_LANDMARK_GENERIC = _STREET_GENERIC | {"national", "royal", "international", "city", "county", "central",
                                       "main", "local", "regional", "public", "grand"}
# Religious names of schools and churches: "Our Lady of Lourdes", "Holy Trinity", "Sacred Heart"
_DEDICATIONS = (("our", "lady"), ("holy",), ("sacred", "heart"), ("blessed",),
                ("corpus", "christi"), ("christ", "the", "king"), ("all", "saints"),
                ("all", "souls"), ("english", "martyrs"), ("most", "holy"))
_DEDICATION_STARTS = frozenset(d[0] for d in _DEDICATIONS)
_COUNCIL_WORDS = frozenset({"council"})
# Words English names a house, a home or a school by, alone after "the" ("The Priory", "the
# Grange", "the Hollies"); generic ones ("Hall", "Court", "Park", "Green") are not among them
_HOUSE_NAMES = frozenset({"priory", "grange", "manor", "lodge", "hollies", "beeches", "oaks", "limes",
                          "elms", "willows", "laurels", "cedars", "firs", "poplars", "pines", "larches",
                          "gables", "cloisters", "rookery", "paddocks", "spinney", "coppice"})
# Landmarks named by their head first: "Gulf of Mexico", "Isle of Wight", "Tower of London"
_HEADS_BEFORE_OF = frozenset({"gulf", "bay", "isle", "isles", "sea", "strait", "straits", "lake",
                              "river", "museum", "palace", "tower"})


def _category(head: str) -> str:
    if head in SCHOOL_HEADS:
        return "school"
    if head in LANDMARK_HEADS:
        return "landmark"
    if head in _COUNCIL_WORDS:
        return "council"
    if head in STREET_HEADS and head not in ORGANISATION_HEADS:
        return "street"
    if head in ORGANISATION_HEADS and head not in STREET_HEADS:
        return "organisation"
    return "either"


@register_recognizer("places.institution", default=True)
class InstitutionRecognizer(Recognizer):
    entity_types = frozenset({EntityType.SCHOOL, EntityType.ORGANISATION, EntityType.PLACE,
                              EntityType.ADDRESS, EntityType.LOCAL_AUTHORITY})

    def detect(self, doc: Doc) -> Iterable[Span]:
        words = doc.words
        lower_words = doc.lower_words
        last_end = -1
        heads = NAME_HEADS.intersection(lower_words)
        candidates = [i for i, w in enumerate(lower_words) if w in heads] if heads else []
        for i in candidates:
            word = words[i]
            lower = lower_words[i]
            if i <= last_end or i == 0:
                continue
            if not word[0].isupper() and lower not in _LOWERCASE_HEADS:
                continue
            found = self._name_before(doc, i) or self._name_after(doc, i)
            if found is None:
                continue
            start, end, entity_type, confidence = found
            last_end = end
            yield self.span(doc, doc.starts[start], doc.base_end(end), entity_type, confidence)
        yield from self._saints(doc)
        yield from self._dedications(doc)
        yield from self._house_names(doc)
        yield from self._named_then_said(doc)
        for match in _UNIT_RE.finditer(doc.text):
            yield self.span(doc, *match.span(), EntityType.ADDRESS, 0.8)

    def _named_then_said(self, doc: Doc) -> Iterable[Span]:
        """A place named by a word or two after "the" (or by up to four after a preposition),
        then said to be a school or an organisation: "the Hive, which is the family hub", "the
        Bridge? ... the PRU", "the lighthouse, it's a family centre", "from roads and roots,
        which is a traveller support group". The everyday words name it because what follows
        says what it is."""
        lowered = doc.lowered
        if "which" not in lowered and "it's" not in lowered and "that's" not in lowered:
            return
        windows = doc.windows(_SAID_TO_BE_RE, 60, 80, lowered=True)
        for match in itertools.chain(doc.scan(_NAMED_THEN_SAID_RE, windows),
                                     doc.scan(_NAMED_AFTER_PREPOSITION_THEN_SAID_RE, windows)):
            name = match.group(1)
            start = match.start(1)
            if any(word in FUNCTION_WORDS or doc.lexicon.word_zipf(word) >= _SAID_TO_BE_MAX_ZIPF
                   for word in name.lower().split() if word not in ("and", "&")) \
                    or doc.is_kept(start, match.end(1)) or name.lower() in SCHOOL_HEADS | ORGANISATION_HEADS:
                continue  # "the school, which is ...", "the MASH, which is ...", "the same, it's a"
            head = match.group(2).lower()
            entity_type = EntityType.SCHOOL if head in SCHOOL_HEADS else EntityType.ORGANISATION
            yield self.span(doc, start, match.end(1), entity_type, 0.7)

    def _house_names(self, doc: Doc) -> Iterable[Span]:
        """"The Priory", "the Grange", "the Hollies" mid-sentence: a school, home or house
        named as English names them, by a word that capitalised after "the" names one place."""
        lower = doc.lower_words
        if _HOUSE_NAMES.isdisjoint(lower):
            return
        for i in doc.capitalised:
            if lower[i] in _HOUSE_NAMES and i and lower[i - 1] == "the" and doc.adjacent(i) \
                    and not doc.sentence_initial(i) and not doc.shouted(i) and i not in doc.keep_words \
                    and not (i + 1 < len(lower) and doc.adjacent(i + 1) and doc.words[i + 1][0].isupper()):
                yield self.span(doc, doc.starts[i], doc.ends[i], EntityType.PLACE, HOUSE_NAME)

    def _dedications(self, doc: Doc) -> Iterable[Span]:
        """"Our Lady of Lourdes", "Holy Trinity", "Sacred Heart": a school or church."""
        words, lower = doc.words, doc.lower_words
        for i in doc.capitalised:
            if lower[i] not in _DEDICATION_STARTS:
                continue
            for dedication in _DEDICATIONS:
                end = i + len(dedication) - 1
                if end >= len(words) or tuple(lower[i:end + 1]) != dedication \
                        or not all(words[k][0].isupper() or lower[k] == "the" for k in range(i, end + 1)):
                    continue
                # what follows: "of Lourdes", "Trinity", "Catholic Primary School"
                k = end + 1
                if k + 1 < len(words) and lower[k] == "of" and doc.adjacent(k) \
                        and words[k + 1][0].isupper():
                    k += 1
                while k < len(words) and doc.adjacent(k) and words[k][0].isupper() and k - i < 8 \
                        and lower[k] not in FUNCTION_WORDS:
                    end = k
                    k += 1
                if end == i + len(dedication) - 1 and dedication in (("holy",), ("blessed",)):
                    continue  # "Holy" alone names nothing
                final = lower[end]
                entity_type = (EntityType.ORGANISATION if final in ORGANISATION_HEADS
                               and final not in SCHOOL_HEADS else EntityType.SCHOOL)
                yield self.span(doc, doc.starts[i], doc.ends[end], entity_type, 0.85)
                break

    def _saints(self, doc: Doc) -> Iterable[Span]:
        """"St Bede's", "St. Anne's Catholic Primary", "Saint Michael": a school or church
        here, possessive included since it is part of the name."""
        words = doc.words
        for i in doc.capitalised:
            word = words[i]
            if word.lower() not in SAINT_TITLES or i + 1 >= len(words):
                continue
            j = i + 1
            if not (doc.adjacent_or_dotted(j) and words[j][0].isupper()) or j in doc.keep_words:
                continue
            end = j
            while end + 1 < len(words) and doc.adjacent(end + 1) and words[end + 1][0].isupper() \
                    and words[end].lower() not in ("'s",) and end - j < 4 \
                    and (words[end + 1].lower() in (NAME_HEADS | SCHOOL_GENERIC)
                         or not doc.lexicon.is_word(words[end + 1])):
                end += 1
            final = words[end].lower()
            if final in ORGANISATION_HEADS and final not in SCHOOL_HEADS:
                entity_type = EntityType.ORGANISATION
            elif (final in STREET_HEADS or final in LANDMARK_HEADS) and final not in SCHOOL_HEADS:
                entity_type = EntityType.PLACE
            else:
                entity_type = EntityType.SCHOOL
            yield self.span(doc, doc.starts[i], doc.ends[end], entity_type, 0.85)

    def _name_before(self, doc: Doc, head: int) -> tuple[int, int, EntityType, float] | None:
        words = doc.words
        lexicon = doc.lexicon
        head_lower = words[head].lower()
        category = _category(head_lower)
        lowercase_head = not words[head][0].isupper()
        # walk left over capitalised words and connectors ("Newcastle upon Tyne Hospital"),
        # and over a plural possessive ("Elvermoor Girls' Academy")
        start = head
        while start > 0 and doc.adjacent_or_possessive(start):
            previous = words[start - 1]
            if previous.isupper() and ((start - 1 in doc.keep_words and not doc.shouted(start - 1)) or (
                    previous.lower() in FUNCTION_WORDS and previous.lower() not in _CONNECTORS)):
                break  # "the DSL Oakfield Academy link", "WITH THE DSL AT OAKFIELD ACADEMY"
            if previous[0].isupper():
                if previous.lower() in FUNCTION_WORDS and previous.lower() not in _CONNECTORS:
                    break  # "In Hong Kong's High Court": a function word is no part of a name
                if (doc.sentence_initial(start - 1) or doc.shouted(start - 1)) and lexicon.is_word(previous) \
                        and lexicon.word_zipf(previous) >= 4.0 and not lexicon.is_name(previous):
                    # "At Prittlewell Vale": the sentence's first word is no part of it, nor
                    # "AT" of "WE MET AT MOORGATE ACADEMY"
                    break
                start -= 1
            elif previous.lower() in _CONNECTORS and start - 2 >= 0 and doc.adjacent(start - 1) \
                    and words[start - 2][0].isupper():
                start -= 1
            else:
                break
            if doc.sentence_initial(start):
                break
        while start < head and words[start].lower() in _CONNECTORS:
            start += 1
        if start == head:
            return None
        # further head words after this one: "Oakfield Primary School", "Academy Trust"
        end = head
        while end + 1 < len(words) and doc.adjacent(end + 1) and words[end + 1][0].isupper() \
                and words[end + 1].lower() in (NAME_HEADS | SCHOOL_GENERIC) \
                and words[end + 1].lower() not in FUNCTION_WORDS:
            end += 1
        # "Court of First Instance", "University of Leeds"
        if end + 2 < len(words) and words[end + 1] == "of" and doc.adjacent(end + 1) \
                and doc.adjacent(end + 2) and category != "street":
            k = end + 2
            if words[k] == "the" and k + 1 < len(words) and doc.adjacent(k + 1):
                k += 1
            last = None
            while k < len(words) and k - end <= 5 and words[k][0].isupper() \
                    and (k == end + 2 or doc.adjacent(k)) and words[k].lower() not in DETERMINERS:
                last = k
                k += 1
            if last is not None:
                end = last
        if words[end].lower() in SCHOOL_HEADS:
            # the name's last head says what it is: "Wyndham Park Academy", "Mill Lane Primary"
            # are schools named after a place or street
            category = "school"
        generic = {"school": SCHOOL_GENERIC, "street": _STREET_GENERIC,
                   "landmark": _LANDMARK_GENERIC}.get(category, ORGANISATION_GENERIC)
        keep = doc.keep_words
        distinctive = [j for j in range(start, head)
                       if words[j].lower() not in generic and doc.base(j).lower() not in generic
                       and words[j].lower() not in DETERMINERS and j not in keep
                       and not (j == start and doc.sentence_initial(j)
                                and lexicon.word_zipf(words[j]) >= 4.0)]
        if not distinctive:
            return None
        rarest = min(lexicon.word_zipf(doc.base(j)) for j in distinctive)
        possessive_name = any(words[j] != doc.base(j) for j in range(start, head))
        # "the Links estate", "the Brighter Days refuge": capitalised words between "the" and
        # such a head name it however common they are (not a nationality: "the English estate")
        named_dwelling = (lowercase_head and head_lower in _NAMED_DWELLINGS and not possessive_name
                          and start > 0 and words[start - 1].lower() == "the"
                          and all(not lexicon.is_demonym(words[j]) for j in distinctive))
        if lowercase_head and (rarest >= 4.0 or possessive_name) and not named_dwelling:
            return None  # "English school", "Jayden's school"
        # a landmark's name always needs a word rarer than an everyday one: "Love Island",
        # "Swan Lake", "Training Camp", "Bus Station" name a show, a ballet, nothing
        ambiguous = category == "landmark" or head_lower in (_AMBIGUOUS_STREET if category == "street"
                                                             else _AMBIGUOUS_ORGANISATION)
        number = _house_number_start(doc, start)
        limit = 3.5 if category == "street" else 4.5
        if ambiguous and rarest >= limit and number is None:
            return None
        if category == "landmark":
            if lexicon.first_name_count(doc.base(head - 1)) and lexicon.surname_count(words[head]):
                return None  # "Ann Lake", "Jo Camp": a person's name is the names' business
            if end + 1 < len(words) and doc.adjacent(end + 1) and words[end + 1].lower() in NAME_HEADS:
                return None  # "the Safe Harbour hostel": the head after it says what it is
            return start, end, EntityType.PLACE, 0.8
        if lowercase_head:
            end = head - 1  # "the Beckside estate": the name, not the common noun
        if category == "school":
            return start, end, EntityType.SCHOOL, 0.9
        if category == "council":
            return start, end, EntityType.LOCAL_AUTHORITY, 0.9
        if category in ("street", "either") and head_lower in STREET_HEADS:
            if number is not None:
                return number, end, EntityType.ADDRESS, 0.95
            if head_lower in ESTATE_HEADS or category == "street":
                return start, end, EntityType.PLACE, 0.85
        return start, end, EntityType.ORGANISATION, 0.8

    @staticmethod
    def _name_after(doc: Doc, head: int) -> tuple[int, int, EntityType, float] | None:
        """A landmark named after its head: "Gulf of Mexico", "Isle of Wight", "the Tower of
        London"; the name is one to four capitalised words, none a function word."""
        words = doc.words
        if words[head].lower() not in _HEADS_BEFORE_OF or not words[head][0].isupper() \
                or doc.shouted(head) or head + 2 >= len(words) or words[head + 1] != "of" \
                or not (doc.adjacent(head + 1) and doc.adjacent(head + 2)):
            return None
        end = None
        k = head + 2
        while k < len(words) and k - head <= 5 and (k == head + 2 or doc.adjacent(k)) \
                and words[k][0].isupper() and words[k].lower() not in FUNCTION_WORDS \
                and k not in doc.keep_words:
            end = k
            k += 1
        if end is None:
            return None
        return head, end, EntityType.PLACE, 0.8


# "the Hive, which is the family hub", "the lighthouse, it's a family centre"; a word this
# common names nothing so ("the same, it's a big school", "the office, which is a unit")
_SAID_TO_BE_MAX_ZIPF = 5.0
_SAID_TO_BE_RE = re.compile(r"\b(?:which|that|it)(?:'s|\s+is|\s+was)\b")
_SAID_HEADS = '|'.join(sorted(SCHOOL_HEADS | ORGANISATION_HEADS))
_NAMED_THEN_SAID_RE = re.compile(
    rf"\b[Tt]he ([A-Za-z][a-z]+(?: [A-Za-z][a-z]+)?)[,?]? (?:which|that|it)(?:'s| is| was) "
    rf"(?:a|an|the|our|their|like a) (?:[A-Za-z]+ ){{0,2}}((?i:{_SAID_HEADS}))\b")
# ... or named after a preposition, by up to four words ("a worker from roads and roots, which
# is a traveller support group", "linked her with Second Step, which is a charity")
_NAMED_AFTER_PREPOSITION_THEN_SAID_RE = re.compile(
    rf"\b(?:from|with|to|at|by|called|for|via) ((?:[A-Za-z][a-z']+ (?:and|&) )?[A-Za-z][a-z']+"
    rf"(?: [A-Za-z][a-z']+)?), (?:which|that|who)(?:'s| is| was| are) "
    rf"(?:a|an|the|our|their|like a) (?:[A-Za-z]+ ){{0,2}}((?i:{_SAID_HEADS}))\b")


def _house_number(word: str) -> bool:
    return word[:-1].isdigit() if word[-1:].isalpha() and len(word) > 1 else word.isdigit()


_TENS = frozenset(NUMBER_TENS)
_UNITS_AND_TEENS = frozenset(NUMBER_UNITS + NUMBER_TEENS)


def _house_number_start(doc: Doc, start: int) -> int | None:
    """The word where a house number right before word ``start`` begins: "27", "86A", or said
    in words as speech-to-text writes it ("forty one", "forty-one", "nine")."""
    if start <= 0 or not doc.adjacent(start):
        return None
    before = doc.words[start - 1]
    if _house_number(before):
        return start - 1
    lower = before.lower()
    if lower in _TENS or lower.split("-")[0] in _TENS and lower.split("-")[-1] in _UNITS_AND_TEENS:
        return start - 1
    if lower in _UNITS_AND_TEENS:
        if start >= 2 and doc.adjacent(start - 1) and doc.words[start - 2].lower() in _TENS:
            return start - 2
        return start - 1
    return None
