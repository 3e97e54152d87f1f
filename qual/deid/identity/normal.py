"""When two strings are the same identifier: the normal forms every stage compares.

* :func:`strip_accents` and :func:`fold`: accents off ("Zoë" = "Zoe"); ``fold`` keeps every
  offset, for searching in text;
* :func:`split_possessive`: "Jayden's" is "Jayden" and an "'s" that stays outside the tag;
* :func:`normal_tokens`: a mention's words without case, accents, punctuation or possessive;
* :func:`normal_form`: the same as one string, punctuation kept (masks and baseline
  fingerprints of ``qual check``, so it must not change between versions);
* :func:`identity_key`: the key under which two mentions of a type name one entity ("Mr
  Smith" and "smith's"; "Castlebrook Academy" and "Castlebrook"; "07700 900123" and
  "+447700900123"), by the type's ``linked_by`` rule.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from .entities import (CASEFOLDED, COMPACT, DIGITS, DISTINCTIVE_WORDS, PERSON_NAME, PHONE_DIGITS,
                       SCHOOL_PHASES, EntityType)

# Words before a name that are no part of it when mentions are compared ("Mr Smith" = "Smith").
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "sir", "dame", "lady",
    "lord", "rev", "revd", "reverend", "fr", "father", "sister", "brother", "cllr", "councillor",
    "auntie", "aunty", "aunt", "uncle", "nan", "nana", "nanny", "grandma", "grandad", "granddad",
    "grandpa", "nanny", "mum", "mam", "dad",
})
POSSESSIVE_RE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_FORM_POSSESSIVE = re.compile(r"['\u2019]s?$", re.IGNORECASE)


def strip_accents(text: str) -> str:
    """``text`` in compatibility decomposition without its combining marks: "Zoë" -> "Zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _strip_accent(char: str) -> str:
    base = strip_accents(char)
    return base if len(base) == 1 else char


def lower_same_length(text: str) -> str:
    """``text.lower()`` with every offset unchanged (a few characters, e.g. U+0130, grow
    when lower-cased; those keep their case)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def fold(text: str, lower: bool = True) -> str:
    """Same length as ``text``: lower-cased (optionally) and without accents, so that offsets
    found in the folded text hold in ``text``."""
    text = lower_same_length(text) if lower else text
    if text.isascii():
        return text
    table = {ord(c): _strip_accent(c) for c in set(text) if not c.isascii()}
    return text.translate({k: v for k, v in table.items() if v != chr(k)})


def split_possessive(text: str) -> tuple[str, str]:
    """``"Jayden's"`` -> ``("Jayden", "'s")``: the possessive stays outside the tag."""
    stripped = text.rstrip()
    match = POSSESSIVE_RE.search(stripped)
    if match and match.start() > 0:
        return stripped[: match.start()], stripped[match.start():] + text[len(stripped):]
    return text, ""


def normal_tokens(text: str) -> list[str]:
    """Lower-case, accent-free word tokens of a mention, possessive removed."""
    return list(_normal_tokens(text))


@functools.lru_cache(maxsize=65536)  # a corpus repeats its names thousands of times
def _normal_tokens(text: str) -> tuple[str, ...]:
    core, _ = split_possessive(text.strip())
    core = strip_accents(unicodedata.normalize("NFKC", core)).casefold().replace("’", "'")
    core = re.sub(r"[^\w'\- ]+", " ", core)
    tokens = []
    for token in core.split():
        token = token.strip("'-_")
        token = re.sub(r"'s$", "", token)
        if token:
            tokens.append(token)
    return tuple(tokens)


def normal_form(text: str) -> str:
    """The one string two mentions of an identifier share: case, accents, spacing,
    apostrophes and a possessive ending do not matter; other punctuation does."""
    text = strip_accents(text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    text = " ".join(text.split())
    return _FORM_POSSESSIVE.sub("", text) if len(text) > 3 else text


@dataclass(frozen=True)
class PersonName:
    """A person mention in normal form: title removed, first/last name known where it can be."""

    tokens: tuple[str, ...]
    titled: bool

    @classmethod
    @functools.lru_cache(maxsize=65536)
    def parse(cls, text: str) -> "PersonName":
        tokens = normal_tokens(text)
        titled = False
        while len(tokens) > 1 and tokens[0] in TITLES:
            tokens = tokens[1:]
            titled = True
        return cls(tuple(tokens), titled)

    @property
    def first(self) -> str | None:
        return self.tokens[0] if len(self.tokens) > 1 else None

    @property
    def last(self) -> str | None:
        if len(self.tokens) > 1 or (self.titled and self.tokens):
            return self.tokens[-1]
        return None

    @property
    def single(self) -> str | None:
        """The one name of an untitled single-word mention, whose position is unknown."""
        return self.tokens[0] if len(self.tokens) == 1 and not self.titled else None

    @property
    def key(self) -> str:
        return " ".join(self.tokens)


@functools.lru_cache(maxsize=65536)
def distinctive_key(entity_type: EntityType, text: str) -> tuple[str, frozenset[str]]:
    """The words that identify a school, council, place or organisation, and (schools) its phase."""
    tokens = normal_tokens(text)
    generic = entity_type.info.generic or frozenset({"the"})
    tokens = ["st" if t == "saint" else t for t in tokens]
    core = [t for t in tokens if t not in generic]
    phases = frozenset(t for t in tokens if t in SCHOOL_PHASES) if entity_type is EntityType.SCHOOL else frozenset()
    if not core:  # "The Academy": nothing distinctive; keep the whole form
        core = tokens
    return " ".join(core), phases


def identity_key(entity_type: EntityType, text: str) -> str:
    """The key two mentions of ``entity_type`` share when they name the same entity."""
    rule = entity_type.info.linked_by
    if rule == PERSON_NAME:
        return PersonName.parse(text).key
    if rule == DISTINCTIVE_WORDS:
        core, phases = distinctive_key(entity_type, text)
        return core + ("|" + " ".join(sorted(phases)) if phases else "")
    if rule in (PHONE_DIGITS, DIGITS):
        digits = re.sub(r"\D", "", text)
        if rule == PHONE_DIGITS and digits.startswith("44"):
            digits = "0" + digits[2:]
        return digits or text.strip().casefold()
    if rule == CASEFOLDED:
        return text.strip().casefold()
    if rule == COMPACT:
        return re.sub(r"[\s\-/]", "", text).casefold()
    return " ".join(normal_tokens(text)) or text.strip().casefold()
