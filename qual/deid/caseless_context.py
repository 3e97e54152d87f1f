"""Caseless text: the context readers, which find names the word-by-word reading of
:mod:`qual.deid.caseless` cannot see (everyday words that name a school, a congregation, a
street or a person because of the words around them).

Each reader takes the caseless range ``text[low:high]``, the positions the forward reading
capitalised and the keep-terms' ranges, and returns the positions of further capitals;
:func:`_before_names` runs them all (``_CONTEXT_READERS``).
"""

from __future__ import annotations

import bisect
import itertools
import re
from typing import TYPE_CHECKING

from .recognizers.vocab import (FUNCTION_WORDS, NUMBER_TEENS, NUMBER_TENS, NUMBER_UNITS, ORGANISATION_GENERIC,
                                ORGANISATION_HEADS, PERSON_NOUNS, PLACE_MODIFIERS, SAINT_TITLES, SCHOOL_HEADS,
                                STREET_HEADS)

if TYPE_CHECKING:
    from .recognizers.lexicon import Lexicon

_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_I_FORMS = frozenset({"i", "i'm", "i'll", "i've", "i'd"})
# Spoken fillers and hesitations speech-to-text writes out (not all are dictionary words).
FILLERS = frozenset({"um", "umm", "erm", "er", "uh", "uhm", "hmm", "mm", "mhm", "mmm", "ah", "oh",
                     "eh", "yeah", "yep", "nah", "ok", "okay", "aha", "uh-huh", "gonna", "wanna",
                     "gotta", "kinda", "sorta", "dunno", "cos", "coz", "innit", "ya", "yeh"})
_ORGANISED_HEADS = SCHOOL_HEADS | ORGANISATION_HEADS
# A congregation's name holds a word at least this rare ("harvest" 3.9, "covenant" 3.4; not
# "big old", "good new")
CONGREGATION_WORD_ZIPF = 4.5
# A name more often a name than a word (log10 people minus Zipf) gets a capital.
NAME_OVER_WORD = 0.0
# A word rarer than this right before a listed surname that got a capital is taken for a
# given name nobody listed ("twee pham"); "quaint" (3.3) is not.
RARE_BEFORE_SURNAME_ZIPF = 3.0


def _inside_any(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """``[start, end)`` lies inside one of the sorted, merged ``ranges``."""
    i = bisect.bisect_right(ranges, (start, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= start and end <= ranges[i][1]


# "42 larch walk", "forty one cinder lane": a house number, a word or two, a street head
_UNITS = "|".join(NUMBER_UNITS)
_SPOKEN_NUMBERS = frozenset(NUMBER_UNITS) | frozenset(NUMBER_TEENS) | frozenset(NUMBER_TENS)
_NUMBER_IN_WORDS = rf"(?:(?:{'|'.join(NUMBER_TENS)})(?:[ -](?:{_UNITS}))?|{_UNITS}|{'|'.join(NUMBER_TEENS)})"
_STREET_RE = re.compile(rf"\b(?:\d{{1,4}}[a-z]?|(?P<spoken>{_NUMBER_IN_WORDS})) ((?:[a-z]+ ){{1,2}})"
                        rf"(?:{'|'.join(sorted(STREET_HEADS))})\b")
# A street after a house number in words names itself by a word at least this rare ("cinder"
# 3.0; not "one main road", "two new houses")
SPOKEN_NUMBER_STREET_ZIPF = 4.0


_MEASURES = frozenset({"minute", "minutes", "min", "mins", "hour", "hours", "mile", "miles", "metres",
                       "meters", "yards", "seconds", "second", "day", "days", "week", "weeks", "month",
                       "months", "year", "years", "times", "more", "or", "and", "to", "odd", "percent",
                       "pounds", "quid", "people", "kids", "children", "of"})


# A word that got a capital, a word or two, and the head of a school or an organisation:
# "wyvernham young carers", "kestlewick learning partnership", "harbourlight women's project"
_WORDS_THEN_HEAD_RE = re.compile(
    rf" ((?:[a-z]+(?:'s)? ){{1,2}})(?:{'|'.join(sorted(_ORGANISED_HEADS))})\b")


# A congregation named by two or three words before its head, none of them a function word:
# "harvest life ministries", "new covenant fellowship" (a church a family goes to identifies it;
# one word before the head is a kind, "the methodist church", "a big church")
_CONGREGATION_HEADS = ("ministries", "ministry", "fellowship", "tabernacle", "church", "chapel",
                       "cathedral", "mosque", "gurdwara", "synagogue", "temple", "assembly")
_CONGREGATION_RE = re.compile(rf"(?<![\w'])((?:[a-z]+ ){{2,3}})({'|'.join(_CONGREGATION_HEADS)})\b")


# A school named by two or three words before its kind, none of them a function word: "holy
# trinity catholic high school", "oak tree primary" (one word before the kind is a kind too:
# "a catholic school", "the local academy")
_SCHOOL_KINDS = ("catholic", "rc", "c of e", "ce", "church of england", "methodist", "jewish", "islamic",
                 "muslim", "christian", "community", "free", "high", "primary", "secondary", "grammar",
                 "junior", "infant", "infants", "comprehensive", "girls'", "boys'", "girls", "boys")
_SCHOOL_KIND_WORDS = frozenset(w for kind in _SCHOOL_KINDS for w in kind.split()) | SCHOOL_HEADS
_SCHOOL_RE = re.compile(rf"(?<![\w'])((?:[a-z]+(?:'s)? ){{1,5}})((?:(?:{'|'.join(_SCHOOL_KINDS)}) ){{0,3}}"
                        rf"(?:school|academy|college|primary))\b")
# ... and an organisation, by the same measure: "the pelham family hub", "brighter futures project"
_ORGANISATION_RE = re.compile(rf"(?<![\w'])((?:[a-z]+(?:'s)? ){{1,5}})({'|'.join(sorted(ORGANISATION_HEADS))})\b")
# An estate named by a word rarer than an everyday one: "the orchard estate" (not "the
# council estate", "the trading estate")
_ESTATE_RE = re.compile(r"\bthe ([a-z]+) (?:estate|flats)\b")
ESTATE_NAME_MAX_ZIPF = 4.0
# A first name after the words that give one: "who goes by jess", "a lad called hunter",
# "everybody calls him mo"
_NAMED_RE = re.compile(r"\b(?:called|named|nicknamed|known as|goes by|go by|went by|name's|name is|name was|"
                       r"(?:calls?|calling|call) (?:him|her|them|me)|(?:known|called) (?:him|her) as|"
                       r"(?:know|knows|knew) (?:me|him|her|them|us) as)"
                       r"\s+([a-z]+)\b")
# ... or said to be someone's kin or to hold a role: "joy is her cousin", "mark was their social worker"
_IS_ROLE_RE = re.compile(rf"\b([a-z]+) (?:is|was|'s) (?:her|his|their|my|our) (?:[a-z]+ )?"
                         rf"(?:{'|'.join(sorted(PERSON_NOUNS))})\b")
# ... or the subject of a verb of speech at a clause's start: "river said no" (no river speaks)
_SPEAKS_RE = re.compile(r"(?:^|[.?!,;:] |\b(?:and|but|so|then|because) )([a-z]+) "
                        r"(?:said|says|told|asked|rang|phoned|texted|emailed|replied|messaged)\b", re.MULTILINE)
_PLACE_MODIFIER_WORDS = frozenset(w.lower() for w in PLACE_MODIFIERS)
# Someone named in apposition, set off by commas after a word for a person: "mum, patience,
# was", "the dsl, miles, forwards it"
_APPOSITION_RE = re.compile(rf"\b(?:{'|'.join(sorted(PERSON_NOUNS))}) ?, ([a-z]+) ?,")
# Someone named, then said to be in a year group or given a role: "summer, she's in year 8",
# "dawn, the learning mentor," (the cased reading's context after a name)
_ROLE_AFTER_RE = re.compile(rf"\b([a-z]+) ?, (?:(?:she|he|they)(?:'s| is| are) in year\b|"
                            rf"(?:the|my|our|his|her|their) (?:[a-z]+ ){{0,2}}(?:{'|'.join(sorted(PERSON_NOUNS))})\b)")
# A street named straight after a preposition, with no article: "takeaway on station parade",
# "down mill lane" (not "on the high street", "in some way", "in first place": heads that are
# also everyday nouns are left out)
_PLAIN_STREET_HEADS = ("road", "street", "lane", "avenue", "crescent", "parade", "terrace", "grove", "mews")
_STREET_AFTER_RE = re.compile(rf"\b(?:on|in|off|along|down|up|at|from|to|near|round|onto|past) "
                              rf"((?:[a-z]+ ){{1,2}})({'|'.join(_PLAIN_STREET_HEADS)})\b")
# A first name (or its short form) said, then said again with more of the name: "mercy, mercy
# bo ateng", "jo, joanne tranter"
_SAID_AGAIN_RE = re.compile(r"\b([a-z]{2,}) ?, ([a-z]{2,}) ([a-z]+)\b")
# A word put right with another: "caravan sorry karwan", "faith, no, sorry, faye", "leeds i
# mean bradford" (the second a name, the first then a name misspoken)
_PUT_RIGHT_RE = re.compile(r"\b([a-z]+) ?,? (?:no ?,? )?(?:sorry|i mean|i meant|or rather) ?,? ([a-z]+)\b")
# what a speaker apologises for, not a name put right ("yeah sorry jayden", "it's me sorry")
_NOT_PUT_RIGHT = frozenset({"yeah", "yes", "no", "okay", "ok", "right", "well", "oh", "so", "um", "erm",
                            "sorry", "thanks", "hi", "hello", "me", "you", "again"})
# A name spoken to at the start of a question: "cal, have you got a minute?"
_ADDRESSED_RE = re.compile(r"(?:^|[\"\u201c.?!] ?)([a-z]{2,}) ?, (?:have|can|could|are|do|did|would|will|is|"
                           r"were|should|shall) (?:you|we)\b")
# A family named by its surname in the plural: "the mirzas"
_FAMILY_PLURAL_RE = re.compile(r"\bthe ([a-z]{4,}s)\b")
# A title and a single letter: "mr q", "miss k"
_TITLE_LETTER_RE = re.compile(r"(?<![\w'])(mr|mrs|ms|miss|mx) ([a-z])(?![\w'])")
# A surname's prefix that speech-to-text writes apart: "o hare" (O'Hare), "mc donagh"
_SPLIT_SURNAME_RE = re.compile(r"(?<![\w'])(o|mc|mac) ([a-z]{3,})\b")
# ... or asked after: "how's joy doing now?", "how is hope getting on" (no one asks how a word is doing)
_ASKED_AFTER_RE = re.compile(r"\bhow(?:'s| is| was| are) ([a-z]+) (?:doing|getting on|coping|getting along|"
                             r"settling|managing|finding)\b")
# ... or set off by commas before "who" at a clause's start: "a year 8, hope, who came" (a
# relative "who" says its antecedent is a person; not "there was no hope, who knows")
_WHO_AFTER_RE = re.compile(r"(?:[.?!,;:] |\b(?:and|but|so|then|because|with|to|for|like) )([a-z]+) ?, who(?:'s)?\b")
# ... and without the comma speech-to-text leaves out, "spoke to bola our dsl": then only a
# rare word (a name no list holds) or a listed first name that is more a name than a word
_ROLE_AFTER_BARE_RE = re.compile(rf"\b([a-z]+) (?:the|my|our|his|her|their) (?:[a-z]+ ){{0,1}}"
                                 rf"(?:{'|'.join(sorted(PERSON_NOUNS))})\b")


def _name_before(words: list[str], lexicon: "Lexicon", generic=ORGANISATION_GENERIC) -> list[str]:
    """The words right before a head that name it, back to a function, filler or ``generic``
    word ("goes to [harvest life] ministries"); none when no word of them is rarer than an
    everyday one ("a big old church")."""
    name: list[str] = []
    for word in reversed(words):
        bare = word.removesuffix("'s")
        if bare in FUNCTION_WORDS or bare in FILLERS or len(bare) < 3 or bare in generic or len(name) == 3:
            break
        name.insert(0, word)
    # "i cover [wrenfield] academy", "we visit [oakfield] school": an everyday word before a
    # word no dictionary has is the sentence's, not the name's
    while len(name) > 1 and lexicon.word_zipf(name[0]) >= EVERYDAY_BEFORE_NAME_ZIPF \
            and name[0] not in _PLACE_MODIFIERS_LOWER and not lexicon.is_word(name[1].removesuffix("'s")):
        name.pop(0)
    return name if any(lexicon.word_zipf(w.removesuffix("'s")) < CONGREGATION_WORD_ZIPF for w in name) else []


# A word this common before a word no dictionary has opens no name ("cover", "visit", "love"),
# unless it is a place's prefix ("upper wendham academy", "great ayton primary")
_PLACE_MODIFIERS_LOWER = frozenset(m.lower() for m in PLACE_MODIFIERS)
EVERYDAY_BEFORE_NAME_ZIPF = 4.5


def _holds_kept(kept: list[tuple[int, int]], position: int, words: list[str]) -> bool:
    """One of ``words``, written from ``position`` one space apart, lies in a keep-term."""
    for word in words:
        if _inside_any(kept, position, position + len(word)):
            return True
        position += len(word) + 1
    return False


def _rare_or_no_word(word: str, lexicon: "Lexicon") -> bool:
    """``word`` is rarer than a word before a surname, or no dictionary word at all ("noor")."""
    bare = word.removesuffix("'s")
    return lexicon.word_zipf(bare) < RARE_BEFORE_SURNAME_ZIPF or not lexicon.is_word(bare)


def _given_name_only(word: str, lexicon: "Lexicon") -> bool:
    """``word`` is a listed first name and no listed surname ("tyrese", not "grace")."""
    name = word.removesuffix("'s").title()
    return bool(lexicon.first_name_count(name)) and not lexicon.surname_count(name)


def _before_names(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                  kept: list[tuple[int, int]]) -> list[int]:
    """Capitals the forward reading cannot see, where a word's context says it is a name
    (each context reader below says which; ``capitals`` are the words the forward reading
    capitalised, ``kept`` the keep-terms' ranges)."""
    return [position for reader in _CONTEXT_READERS
            for position in reader(text, low, high, capitals, lexicon, kept)]


def _congregations(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                   kept: list[tuple[int, int]]) -> list[int]:
    """A congregation named by two or three words before its head: "harvest life ministries"."""
    more = []
    for match in _CONGREGATION_RE.finditer(text, low, high):
        name = _name_before(match.group(1).split(), lexicon)
        if len(name) < 2:
            continue  # "go to church", "the local church", "a big old church"
        position = match.start(2) - sum(len(w) + 1 for w in name)
        if _inside_any(kept, position, match.end(2)):
            continue
        for word in name:
            more.append(position)
            position += len(word) + 1
        more.append(match.start(2))
    return more


def _schools_and_organisations(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                               kept: list[tuple[int, int]]) -> list[int]:
    """A school or organisation named by everyday words before its kind: "holy trinity catholic
    high school", "lady of lourdes catholic college", "st bride's ...", "the pelham family hub"."""
    more = []
    for match in itertools.chain(_SCHOOL_RE.finditer(text, low, high), _ORGANISATION_RE.finditer(text, low, high)):
        words, kind = match.group(1).split(), match.group(2).split()
        school = match.re is _SCHOOL_RE
        kinds = _SCHOOL_KIND_WORDS if school else ORGANISATION_GENERIC
        while words and words[-1] in kinds and words[-1] not in FUNCTION_WORDS:
            kind.insert(0, words.pop())  # "holy trinity [catholic high school]", "pelham [family hub]"
        name = _name_before(words, lexicon, kinds | ORGANISATION_GENERIC)
        before = words[:len(words) - len(name)]
        if school and name and len(before) >= 2 and before[-1] == "of" and before[-2] not in FUNCTION_WORDS \
                and before[-2] not in FILLERS:
            name = before[-2:] + name  # "[lady of lourdes] catholic college"
        elif school and name and before and before[-1] in SAINT_TITLES:
            name = before[-1:] + name  # "[st bride's] catholic college": the saint's title is the name's
        if len(name) < 2 and not (name and _rare_or_no_word(name[0], lexicon)):
            continue  # "a catholic school", "the local academy", "a good high school"
        if not school and (not any(_rare_or_no_word(w, lexicon) for w in name)
                           or (_given_name_only(name[0], lexicon) and len(kind) == 1) or (
                len(name) == 1 and lexicon.is_word(name[0]) and not lexicon.surname_count(name[0].title()))):
            # an organisation's everyday words mostly say what it does ("the consultation week
            # team"); one rare word names what is done there ("the slimming club"), a surname who;
            # a first name before a bare head is someone doing something ("kayden loves football
            # club"), before a kind and a head a name ("noor women's circle")
            continue
        if kind == ["school"] and not any(lexicon.word_zipf(w) < RARE_BEFORE_SURNAME_ZIPF for w in name):
            continue  # "sends things back saying school should": "school" alone is mostly the word
        position = match.end(2) - sum(len(w) + 1 for w in name + kind) + 1
        if _inside_any(kept, position, match.end(2)) or _holds_kept(kept, position, name):
            continue  # a keep-term's words name no one here: "a fortnightly swis group"
        if school and name and name[0] == "lady" and len(words) > len(name) and words[-len(name) - 1] == "our":
            position -= len("our ")  # "Our Lady": the title of a saint, as "St"
            more.append(position)
            position += len("our ")
        for word in name + kind:
            if word not in FUNCTION_WORDS:  # "Lady of Lourdes", as cased text writes it
                more.append(position)
            position += len(word) + 1
    return more


def _names_given_by_context(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                            kept: list[tuple[int, int]]) -> list[int]:
    """A listed first name its context gives: in apposition ("mum, patience, was"), with a year
    group or a role after it ("summer, she's in year 8", "joy is her cousin"), after the words that
    give a name ("who goes by jess", "everyone calls her zee"), speaking ("river said no") or
    before a relative "who" ("a year 8, hope, who came") or asked after ("how's joy doing")."""
    more = []
    for match in itertools.chain(_APPOSITION_RE.finditer(text, low, high), _ROLE_AFTER_RE.finditer(text, low, high),
                                 _NAMED_RE.finditer(text, low, high), _IS_ROLE_RE.finditer(text, low, high),
                                 _SPEAKS_RE.finditer(text, low, high), _WHO_AFTER_RE.finditer(text, low, high),
                                 _ASKED_AFTER_RE.finditer(text, low, high)):
        word = match.group(1)
        # a name given by the words that give one may be two letters, or no listed name but
        # no everyday word either ("everyone calls her zee", "a lad called ty")
        given = match.re is _NAMED_RE
        if word not in FUNCTION_WORDS and word not in FILLERS and len(word) >= (2 if given else 3) \
                and (lexicon.first_name_count(word.title())
                     or (given and not lexicon.is_common_word(word))):
            more.append(match.start(1))
    return more


def _streets_after_a_preposition(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                                 kept: list[tuple[int, int]]) -> list[int]:
    """A street named straight after a preposition: "a takeaway on station parade"."""
    more = []
    for match in _STREET_AFTER_RE.finditer(text, low, high):
        words = match.group(1).split()
        if any(w in FUNCTION_WORDS or w in FILLERS or w.isdigit() or w in _SPOKEN_NUMBERS for w in words) \
                or _holds_kept(kept, match.start(1), words):
            continue  # "in some way", "on two roads", a keep-term's words
        position = match.start(1)
        for word in words + [match.group(2)]:
            more.append(position)
            position += len(word) + 1
    return more


def _names_said_again(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                      kept: list[tuple[int, int]]) -> list[int]:
    """A first name, or its short form, said again with more of the name: "mercy, mercy bo
    ateng", "jo, joanne tranter"."""
    more = []
    for match in _SAID_AGAIN_RE.finditer(text, low, high):
        said, name, after = match.groups()
        if name.startswith(said) and (len(said) >= 3 or name != said) and said not in FUNCTION_WORDS \
                and said not in FILLERS and lexicon.first_name_count(name.title()) \
                and after not in FUNCTION_WORDS and (not lexicon.is_common_word(after)
                                                     or lexicon.surname_count(after.title())):
            more += [match.start(1), match.start(2), match.start(3)]
    return more


def _split_surnames(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                    kept: list[tuple[int, int]]) -> list[int]:
    """A surname's prefix written apart: "dave o hare", "the mc donagh family"."""
    more = []
    for match in _SPLIT_SURNAME_RE.finditer(text, low, high):
        if lexicon.surname_count((match.group(1) + match.group(2).removesuffix("s")).title()):
            more += [match.start(1), match.start(2)]  # "dave o hare", "the mc donagh family"
    return more


def _estates(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
             kept: list[tuple[int, int]]) -> list[int]:
    """An estate named by a rare word: "the orchard estate"."""
    more = []
    for match in _ESTATE_RE.finditer(text, low, high):
        word = match.group(1)
        if word not in FUNCTION_WORDS and word not in ORGANISATION_GENERIC \
                and lexicon.word_zipf(word) < ESTATE_NAME_MAX_ZIPF and not _inside_any(kept, *match.span(1)):
            more.append(match.start(1))
    return more


def _rare_word_before_a_role(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                             kept: list[tuple[int, int]]) -> list[int]:
    """A rare word, or a name more often a name than a word, before a role without the comma
    speech-to-text leaves out: "spoke to bola our dsl"."""
    more = []
    for match in _ROLE_AFTER_BARE_RE.finditer(text, low, high):
        word = match.group(1)
        if word not in FUNCTION_WORDS and word not in FILLERS and len(word) > 2 \
                and not _inside_any(kept, *match.span(1)) \
                and (lexicon.word_zipf(word) < RARE_BEFORE_SURNAME_ZIPF
                     or lexicon.name_vs_word(word.title()) > NAME_OVER_WORD):
            more.append(match.start(1))
    return more


def _words_before_a_head(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                         kept: list[tuple[int, int]]) -> list[int]:
    """The words between a word that got a capital and the head of its school or organisation:
    "wyvernham young carers"."""
    more = []
    for capital in sorted(capitals):
        name = _WORD_RE.match(text, capital, high)
        match = _WORDS_THEN_HEAD_RE.match(text, name.end(), high) if name else None
        if match is None or name.group().lower() in _I_FORMS or lexicon.first_name_count(name.group().title()):
            continue  # a person: "kayden loves football club", "i'd tell school"
        words = match.group(1).split()
        if any(word in FUNCTION_WORDS or word in FILLERS or len(word) < 3 for word in words):
            continue  # "kayden went to college", "ravensworth and the trust"
        position = match.start(1)
        for word in words:  # a keep-term's words too: "High" of "Hazelmere High School"
            more.append(position)
            position += len(word) + 1
        more.append(match.end(1))  # the head
    return more


def _words_before_a_capital(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                            kept: list[tuple[int, int]]) -> list[int]:
    """The word right before one that got a capital: a place's prefix ("upper wendham"), a listed
    first name before a surname ("miles fairweather"), a rare word before a listed surname
    ("kestrel brennan")."""
    more = []
    previous = None
    for match in _WORD_RE.finditer(text, low, high):
        if previous is not None and match.start() in capitals and previous.start() not in capitals \
                and text[previous.end():match.start()] == " " and previous.group().lower() in _PLACE_MODIFIER_WORDS \
                and not lexicon.first_name_count(match.group().title()):
            more.append(previous.start())  # "upper wendham", "north tyneside"
        elif previous is not None and match.start() in capitals and previous.start() not in capitals \
                and text[previous.end():match.start()] == " " and match.group().lower() not in _I_FORMS:
            lower = previous.group().lower()
            if lower not in FUNCTION_WORDS and lower not in FILLERS and len(lower) > 2 \
                    and not _inside_any(kept, *previous.span()) and (
                        # a given name before a surname (not before "I": "can i share"), not
                        # before another given name: "said tyrese" is the verb however often
                        # Said is a name
                        (lexicon.first_name_count(lower.title())
                         and not _given_name_only(match.group(), lexicon))
                        # a given name nobody listed that is also a rare word, before a surname
                        or (lexicon.word_zipf(lower) < RARE_BEFORE_SURNAME_ZIPF
                            and lexicon.surname_count(match.group().title()) > 0)):
                more.append(previous.start())
        previous = match
    return more


def _streets_after_a_number(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                            kept: list[tuple[int, int]]) -> list[int]:
    """The words of a street after a house number: "42 larch walk", "forty one cinder lane"."""
    more = []
    for match in _STREET_RE.finditer(text, low, high):
        street = match.group(2).split()
        if _MEASURES.intersection(street):
            continue  # "a 15 minute walk", "2 miles down the road"
        if match.group("spoken") and not any(lexicon.word_zipf(w) < SPOKEN_NUMBER_STREET_ZIPF for w in street):
            continue
        position = match.start(2)
        for word in street:
            if word not in FUNCTION_WORDS and position not in capitals and not _inside_any(kept, position, position + len(word)):
                more.append(position)
            position += len(word) + 1
        if match.end(2) not in capitals:
            more.append(match.end(2))  # the head: "Walk"
    return more


def _names_put_right(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                     kept: list[tuple[int, int]]) -> list[int]:
    """A word the speaker puts right with a name is that name misspoken or misheard: "a boy
    called caravan sorry karwan", "faith, no, sorry, faye": it says who as well as the name."""
    more = []
    for match in _PUT_RIGHT_RE.finditer(text, low, high):
        said = match.group(1)
        if match.start(2) in capitals and said not in FUNCTION_WORDS and said not in FILLERS \
                and said not in _NOT_PUT_RIGHT and len(said) >= 2 and not _inside_any(kept, *match.span(1)):
            more.append(match.start(1))
    return more


def _names_addressed(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                     kept: list[tuple[int, int]]) -> list[int]:
    """Someone spoken to by name at the start of a question: "cal, have you got a minute?",
    "\"mo, can you ring her\"" (a listed first name, or a word no dictionary has)."""
    more = []
    for match in _ADDRESSED_RE.finditer(text, low, high):
        word = match.group(1)
        if word not in FUNCTION_WORDS and word not in FILLERS and word not in _NOT_PUT_RIGHT \
                and (lexicon.first_name_count(word.title()) or not lexicon.is_word(word)) \
                and not _inside_any(kept, *match.span(1)):
            more.append(match.start(1))
    return more


def _families_by_surname(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                         kept: list[tuple[int, int]]) -> list[int]:
    """A family named by its surname in the plural: "a family, the mirzas", "the kowalskis" (a
    listed surname or name that no standard dictionary has, so "the smiths", "the browns",
    "the marks" stay words)."""
    more = []
    for match in _FAMILY_PLURAL_RE.finditer(text, low, high):
        plural = match.group(1)
        for stem in (plural[:-1], plural[:-2] if plural.endswith("es") else None):
            listed = stem and (lexicon.surname_count(stem.title()) or lexicon.first_name_count(stem.title()))
            if stem and len(stem) >= 3 and listed and not lexicon.is_common_word(stem) \
                    and not _inside_any(kept, *match.span(1)):
                more.append(match.start(1))
                break
    return more


def _titles_with_a_letter(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon",
                          kept: list[tuple[int, int]]) -> list[int]:
    """A title and a letter, as children name staff: "mr q", "miss k" (not "miss a lesson")."""
    return [position for match in _TITLE_LETTER_RE.finditer(text, low, high)
            if not (match.group(1) == "miss" and match.group(2) in "ai")
            for position in (match.start(1), match.start(2))]


_CONTEXT_READERS = (_congregations, _schools_and_organisations, _names_given_by_context,
                    _streets_after_a_preposition, _names_said_again, _split_surnames, _estates,
                    _rare_word_before_a_role, _words_before_a_head, _words_before_a_capital,
                    _streets_after_a_number, _names_put_right, _titles_with_a_letter, _names_addressed,
                    _families_by_surname)
