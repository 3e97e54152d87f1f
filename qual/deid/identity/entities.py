"""The entity types de-identification knows, each described once.

Every fact about a type that more than one module needs lives in its one entry below: what
it is (for people reading a report), whether it identifies someone on its own, the word of
its pseudonym tag and how the tag is numbered, how two mentions of it are compared, whether
a string found once is looked for everywhere, and how ``qual check`` looks for a key's
originals of it. Adding a type is adding one entry; the sets at the end of the module
(``DIRECT``, ``NAME_LIKE`` ...) are derived from the entries.

The pattern is the one of :class:`http.HTTPStatus`: an enum whose members carry their
description, so ``EntityType.SCHOOL.info.tag == "School"`` and ``EntityType("SCHOOL")``
and pickling work as for any enum.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# How a type's pseudonym tag is made.
NUMBERED = "numbered"    # [Person 1], [Person 2] ...: one tag per entity
LETTERED = "lettered"    # [School A], [School B] ... [School AA]: one tag per entity
FIXED = "fixed"          # [Email]: the same tag for every entity of the type

# How two mentions are compared to decide they name the same entity (see
# qual.deid.identity.normal.identity_key).
PERSON_NAME = "person name"            # titles dropped; first and last names (PersonName)
DISTINCTIVE_WORDS = "distinctive words"  # the words that say which one, not what kind
PHONE_DIGITS = "phone digits"          # digits only, +44 read as 0
DIGITS = "digits"                      # digits only
CASEFOLDED = "casefolded"              # the whole string without case
COMPACT = "compact"                    # without case, spaces, hyphens and slashes
WORDS = "words"                        # the normal word tokens

# How qual check looks for a key's originals of the type.
SEARCH_WORDS = "words"      # as whole words (and a name's parts)
SEARCH_SPACED = "spaced"    # also with any spacing between its characters ("07700 900 123")
NOT_SEARCHED = "not searched"  # "March" or "nine" would match everywhere and mean nothing

# Words that say what kind of school, council or organisation it is rather than which one:
# "Castlebrook Academy" and "Castlebrook" are the same school.
SCHOOL_GENERIC = frozenset({
    "academy", "academies", "school", "schools", "the", "of", "and", "church", "england", "ce",
    "c", "e", "cofe", "rc", "catholic", "roman", "methodist", "voluntary", "aided", "controlled",
    "federation", "trust", "multi", "community", "foundation", "free", "learning", "campus",
    "centre", "center", "studio", "utc", "technical", "international", "through", "all",
    "primary", "secondary", "junior", "juniors", "infant", "infants", "nursery", "high",
    "grammar", "college", "sixth", "form", "special", "pru", "pupil", "referral", "unit",
    "upper", "middle", "lower", "first", "prep", "preparatory", "girls", "boys",
})
# Words of SCHOOL_GENERIC that tell two schools of one name apart (a primary and a secondary).
SCHOOL_PHASES = frozenset({
    "primary", "secondary", "junior", "juniors", "infant", "infants", "nursery", "high",
    "grammar", "college", "sixth", "special", "pru", "referral", "upper", "middle", "lower",
    "first", "prep", "preparatory", "girls", "boys",
})
COUNCIL_GENERIC = frozenset({
    "council", "county", "borough", "city", "metropolitan", "district", "london", "of", "the",
    "royal", "and", "la", "local", "authority", "unitary", "cc", "mbc", "bc", "dc", "cbc",
    "children's", "childrens", "services", "service", "social", "care", "dept", "department",
})
ORGANISATION_GENERIC = frozenset({"the", "ltd", "limited", "plc", "cic", "llp", "inc", "co"})
# qual check looks for a part of a key's place or organisation name on its own ("Oakfield" of
# "Oakfield Road"); these words are no such part.
STREET_GENERIC = frozenset({"the", "road", "street", "lane", "avenue", "close", "drive", "estate",
                            "park", "way", "court", "crescent", "grove", "place", "square",
                            "green", "hill", "view", "gardens", "terrace", "walk", "rise"})
TEAM_GENERIC = ORGANISATION_GENERIC | {"team", "service", "services", "centre", "group"}


@dataclass(frozen=True)
class TypeInfo:
    """What one entity type is and how every stage treats it."""

    description: str            # for people: "A person's name" (reports, SARIF rules)
    direct: bool                # names someone on its own; else a quasi-identifier
    tag: str                    # the tag's word: "Person" in [Person 3]
    pseudonym: str = FIXED      # NUMBERED, LETTERED or FIXED: how the tag is made
    linked_by: str = WORDS      # how two mentions are compared (see the constants above)
    generic: frozenset[str] = frozenset()      # DISTINCTIVE_WORDS: words that name no one
    key_search: str = SEARCH_WORDS             # how qual check looks for the key's originals
    key_generic: frozenset[str] | None = None  # words qual check leaves out of a name's parts
    propagated: bool = True     # found once, looked for in every text of the corpus
    found_again: bool = False   # the key's and the participants sheet's forms of it are looked
                                # for in every new text (names, emails, phones: not dates)
    aliases: tuple[str, ...] = ()              # other names a register file may use


class EntityType(str, Enum):
    """The kinds of identifier de-identification finds; ``.info`` describes each."""

    info: TypeInfo

    def __new__(cls, value: str, info: TypeInfo) -> "EntityType":
        member = str.__new__(cls, value)
        member._value_ = value
        member.info = info
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, name: str) -> "EntityType | None":
        """The type a register file or a user means by ``name`` ("person", "LA", "org"), or None."""
        key = str(name).strip().upper().replace(" ", "_").replace("-", "_")
        for member in cls:
            if key == member.value or key in member.info.aliases:
                return member
        return None

    PERSON = "PERSON", TypeInfo(
        "A person's name", direct=True, tag="Person", pseudonym=NUMBERED, linked_by=PERSON_NAME,
        found_again=True, aliases=("NAME", "PEOPLE"))
    SCHOOL = "SCHOOL", TypeInfo(
        "A school's name", direct=True, tag="School", pseudonym=LETTERED, linked_by=DISTINCTIVE_WORDS,
        generic=SCHOOL_GENERIC, found_again=True)
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY", TypeInfo(
        "A local authority", direct=True, tag="Local authority", pseudonym=NUMBERED,
        linked_by=DISTINCTIVE_WORDS, generic=COUNCIL_GENERIC, found_again=True, aliases=("LA", "COUNCIL"))
    # a town, area, street or estate named alone
    PLACE = "PLACE", TypeInfo(
        "A town, area, street or estate", direct=False, tag="Place", pseudonym=NUMBERED,
        linked_by=DISTINCTIVE_WORDS, generic=frozenset({"the"}), key_generic=STREET_GENERIC,
        found_again=True, aliases=("LOCATION", "LOC", "GPE", "STREET", "ESTATE"))
    ADDRESS = "ADDRESS", TypeInfo("A street address", direct=True, tag="Address")
    POSTCODE = "POSTCODE", TypeInfo("A postcode", direct=True, tag="Postcode", linked_by=COMPACT,
                                    key_search=SEARCH_SPACED)
    # a named local organisation (a national body is on the keep-list instead)
    ORGANISATION = "ORGANISATION", TypeInfo(
        "A named local organisation", direct=False, tag="Organisation", pseudonym=NUMBERED,
        linked_by=DISTINCTIVE_WORDS, generic=ORGANISATION_GENERIC, key_generic=TEAM_GENERIC,
        found_again=True, aliases=("ORG", "ORGANIZATION"))
    EMAIL = "EMAIL", TypeInfo("An email address", direct=True, tag="Email", linked_by=CASEFOLDED,
                              found_again=True)
    PHONE = "PHONE", TypeInfo("A phone number", direct=True, tag="Phone", linked_by=PHONE_DIGITS,
                              key_search=SEARCH_SPACED, found_again=True)
    URL = "URL", TypeInfo("A web address", direct=True, tag="URL", linked_by=CASEFOLDED)
    HANDLE = "HANDLE", TypeInfo("A social-media handle", direct=True, tag="Handle", linked_by=CASEFOLDED)
    DATE = "DATE", TypeInfo("A date", direct=False, tag="Date", key_search=NOT_SEARCHED, propagated=False)
    DATE_OF_BIRTH = "DATE_OF_BIRTH", TypeInfo("A date of birth", direct=True, tag="Date of birth",
                                              propagated=False)
    AGE = "AGE", TypeInfo("An age", direct=False, tag="Age", key_search=NOT_SEARCHED, propagated=False)
    # case, reference and application numbers
    CASE_NUMBER = "CASE_NUMBER", TypeInfo("A case or reference number", direct=True, tag="Case number",
                                          linked_by=COMPACT, key_search=SEARCH_SPACED)
    NI_NUMBER = "NI_NUMBER", TypeInfo("A National Insurance number", direct=True, tag="NI number",
                                      linked_by=COMPACT, key_search=SEARCH_SPACED)
    NHS_NUMBER = "NHS_NUMBER", TypeInfo("An NHS number", direct=True, tag="NHS number", linked_by=DIGITS,
                                        key_search=SEARCH_SPACED)


def _types(test) -> frozenset[EntityType]:
    return frozenset(t for t in EntityType if test(t.info))


# The split used for recall targets: a direct identifier names someone on its own; a
# quasi-identifier narrows them down in combination with others.
DIRECT = _types(lambda info: info.direct)
QUASI = _types(lambda info: not info.direct)
# Names of people, schools, councils, places and organisations: linked by their words, split
# where one span joins two of them, and learned word by word.
NAME_LIKE = _types(lambda info: info.linked_by in (PERSON_NAME, DISTINCTIVE_WORDS))
INSTITUTIONS = _types(lambda info: info.linked_by == DISTINCTIVE_WORDS)
# Types whose every entity shares one tag ([Email]); the others are numbered or lettered.
FIXED_TYPES = _types(lambda info: info.pseudonym == FIXED)
# Types whose strings, found once, are looked for in every text.
PROPAGATED = _types(lambda info: info.propagated)
# Types whose forms in the key and the participants sheet are looked for in every new text.
FOUND_AGAIN = _types(lambda info: info.found_again)
