"""What de-identification finds: typed spans of text, and the entity types it knows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class EntityType(str, Enum):
    PERSON = "PERSON"                  # child, parent, professional, any named person
    SCHOOL = "SCHOOL"
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY"
    PLACE = "PLACE"                    # town, area, street or estate named alone
    ADDRESS = "ADDRESS"                # a street address (number and street)
    POSTCODE = "POSTCODE"
    ORGANISATION = "ORGANISATION"      # a named local organisation (not a national body)
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    URL = "URL"
    HANDLE = "HANDLE"                  # social-media handle
    DATE = "DATE"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    AGE = "AGE"
    CASE_NUMBER = "CASE_NUMBER"        # case, reference and application numbers
    NI_NUMBER = "NI_NUMBER"
    NHS_NUMBER = "NHS_NUMBER"

    def __str__(self) -> str:
        return self.value


# The split used for recall targets: a direct identifier names someone on its own; a
# quasi-identifier narrows them down in combination with others.
DIRECT = frozenset({
    EntityType.PERSON, EntityType.SCHOOL, EntityType.LOCAL_AUTHORITY, EntityType.EMAIL,
    EntityType.PHONE, EntityType.URL, EntityType.HANDLE, EntityType.POSTCODE, EntityType.ADDRESS,
    EntityType.CASE_NUMBER, EntityType.NI_NUMBER, EntityType.NHS_NUMBER, EntityType.DATE_OF_BIRTH,
})
QUASI = frozenset({EntityType.PLACE, EntityType.ORGANISATION, EntityType.DATE, EntityType.AGE})


@dataclass(frozen=True)
class Span:
    """A detected identifier: ``text[start:end]`` of the analysed text.

    ``text`` is the original and is identifiable: it may go into the encrypted key and
    the review sheet, never into a log, a console or de-identified output.
    """

    start: int
    end: int
    type: EntityType
    detector: str
    confidence: float
    text: str = ""

    def __repr__(self) -> str:  # keeps the original out of tracebacks and debug output
        return (f"Span({self.start}, {self.end}, {self.type.value}, {self.detector!r}, "
                f"{self.confidence:.2f})")

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end
