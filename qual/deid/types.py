"""What de-identification finds: typed spans of text. The entity types themselves, with
everything known about each, are in :mod:`qual.deid.identity.entities`."""

from __future__ import annotations

from dataclasses import dataclass

from .identity.entities import DIRECT, QUASI, EntityType

__all__ = ["DIRECT", "QUASI", "EntityType", "Span"]


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
