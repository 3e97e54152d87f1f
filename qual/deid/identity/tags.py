"""The pseudonym-tag grammar: what qual writes in place of an identifier, and the one pattern
that recognises exactly that.

A tag is the type's tag word in square brackets (see :mod:`qual.deid.identity.entities`):

* numbered: ``[Person 3]``, ``[Local authority 2]``, ``[Place 1]``, ``[Organisation 4]``;
* lettered: ``[School B]`` (``[School AA]`` after ``[School Z]``);
* fixed: ``[Email]``, ``[Phone]``, ``[Date of birth]`` ... (one tag for the whole type).

:data:`TAG_RE` matches those and nothing else, so re-running de-identification or ``qual
check`` on de-identified text leaves tags alone. :data:`PLACEHOLDER_RE` is a looser shape:
the bracketed placeholders other tools (and people) write for a redaction, ``[REDACTED]``,
``[NAME]``, ``[Person 3]``; detection reads none of them as an identifier.
"""

from __future__ import annotations

import re

from .entities import FIXED, LETTERED, NUMBERED, EntityType


def letters(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA: school tags continue past Z without repeating."""
    out = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        out = chr(ord("A") + remainder) + out
    return out


def letters_value(value: str) -> int:
    """The number of a letter sequence: A -> 1, Z -> 26, AA -> 27 (the inverse of :func:`letters`)."""
    number = 0
    for ch in value:
        number = number * 26 + (ord(ch) - ord("A") + 1)
    return number


def tag_for(entity_type: EntityType, number: int) -> str:
    """The tag of the ``number``-th entity of ``entity_type`` (fixed types ignore ``number``)."""
    info = entity_type.info
    if info.pseudonym == FIXED:
        return f"[{info.tag}]"
    if info.pseudonym == LETTERED:
        return f"[{info.tag} {letters(number)}]"
    return f"[{info.tag} {number}]"


def tag_number(tag: str) -> int | None:
    """The number of a numbered or lettered tag (``[Person 3]`` -> 3, ``[School AA]`` -> 27),
    None for a fixed tag or any other text."""
    match = _NUMBER_RE.search(tag or "")
    if not match:
        return None
    value = match.group(1)
    return int(value) if value.isdigit() else letters_value(value)


def _words(style: str) -> str:
    return "|".join(re.escape(t.info.tag) for t in EntityType if t.info.pseudonym == style)


# Any tag qual writes, and nothing else.
TAG_RE = re.compile(
    rf"\[(?:(?:{_words(NUMBERED)}) \d+|(?:{_words(LETTERED)}) [A-Z]+|(?:{_words(FIXED)}))\]"
)
_NUMBER_RE = re.compile(r" (\d+|[A-Z]+)\]$")

# Words a redaction placeholder is made of: qual's own tag words and what other tools and
# people write ("[REDACTED]", "[NAME]", "[CHILD_NAME]", "[Name 2]", "[school]").
PLACEHOLDER_WORDS = frozenset({t.info.tag.lower() for t in EntityType} | {
    "name", "names", "first", "surname", "last", "full", "redacted", "redaction", "removed",
    "deleted", "withheld", "anonymised", "anonymized", "anon", "pseudonym", "person", "child",
    "children", "young", "parent", "carer", "mother", "father", "mum", "dad", "sibling",
    "brother", "sister", "family", "participant", "interviewee", "staff", "worker", "social",
    "teacher", "pupil", "student", "professional", "colleague", "manager", "school", "college",
    "academy", "place", "location", "town", "city", "village", "area", "region", "county",
    "council", "la", "authority", "local", "organisation", "organization", "org", "company",
    "service", "charity", "agency", "address", "street", "road", "estate", "postcode", "number",
    "phone", "tel", "telephone", "mobile", "email", "e-mail", "date", "dob", "birth", "age",
    "id", "ref", "reference", "case", "nhs", "ni", "other", "unknown", "identifier", "info",
    "information", "details", "of", "the", "and", "x", "xx", "xxx", "xxxx", "name's",
})
_PLACEHOLDER_WORD = r"[A-Za-z][A-Za-z'\-]*"


def is_placeholder(text: str) -> bool:
    """``text`` (a bracketed placeholder shape) is made of placeholder words: ``[Name 2]``,
    ``[CHILD_NAME]``; not ``[Kayden T]`` or ``[KAYDEN THORNBURY]``, text shaped like a tag
    that names someone."""
    words = re.findall(_PLACEHOLDER_WORD, text)
    return bool(words) and all(w.lower() in PLACEHOLDER_WORDS for w in words)


# The shape of a redaction placeholder, made of placeholder words (PLACEHOLDER_WORDS): words
# with a number or letters ("[Person 3]", "[Name 2]", "[School B]"), or words in capitals
# ("[REDACTED]", "[NAME]", "[CHILD_NAME]"). Text of that shape made of other words
# ("[Kayden T]") is no placeholder: detection reads it as any other text.
_PLACEHOLDER_SHAPE_RE = re.compile(r"\[(?:[A-Z][A-Za-z ]{1,30} [A-Z0-9]{1,4}|[A-Z][A-Z_ ]{2,30})\]")


class _Placeholders:
    """``PLACEHOLDER_RE``: the shape, filtered by :func:`is_placeholder` (a regular expression
    cannot hold the vocabulary check and stay readable)."""

    pattern = _PLACEHOLDER_SHAPE_RE.pattern

    def finditer(self, text: str):
        return (m for m in _PLACEHOLDER_SHAPE_RE.finditer(text) if _placeholder_body(m.group()))

    def fullmatch(self, text: str):
        match = _PLACEHOLDER_SHAPE_RE.fullmatch(text)
        return match if match and _placeholder_body(match.group()) else None


def _placeholder_body(tag: str) -> bool:
    body = tag[1:-1]
    words = body.replace("_", " ").split()
    if len(words) > 1 and re.fullmatch(r"[A-Z0-9]{1,4}", words[-1]) and not is_placeholder(words[-1]):
        words = words[:-1]  # "[Name 2]", "[School B]": the number or letters
    return is_placeholder(" ".join(words))


PLACEHOLDER_RE = _Placeholders()
