"""Word, Excel and PowerPoint files read the way a leak hides in them: from their XML, not
their surface.

A .docx keeps text in the body and its tables, headers, footers, footnotes, endnotes,
comments, tracked deletions and insertions, field codes, text boxes, image alt text,
content controls, bookmarks, form fields, WordArt, document variables, the mail-merge data
source, external link targets and the core, app and custom properties; an .xlsx in cells
(shared and inline strings, formula literals, numbers long enough to be a phone or NHS
number), sheet and defined names, notes and threaded comments with their authors, drawings,
charts, pivot caches that still hold deleted data, shared strings no cell uses any more,
data connections, headers and footers, and the same properties; a .pptx in slides, notes,
comments and their authors, sections and tags. Every package may embed documents, OLE
objects and images, which are read with the reader of what they are. The readers are split
by kind: :mod:`qual.check.word`, :mod:`qual.check.excel` and, for what every package
shares, :mod:`qual.check.package`.

Locations are built from the structure (``table 1, row 2, cell 3, paragraph 1``,
``sheet 2 (hidden), cell B7``) and from the format's own part names; sheet names, property
names and author names are read as text, never used as labels.
"""

from __future__ import annotations

from typing import Iterator

from .excel import Workbook
from .extract import TextUnit, Unreadable, register_extractor
from .package import Package, name_units, property_units, relationship_units, remaining_units
from .word import word_units

__all__ = ["Package", "read_office"]


@register_extractor(".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm", ".xltx", ".xltm", ".pptx", ".pptm",
                    ".potx", ".ppsx")
def read_office(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    """A Word, Excel or PowerPoint file, whichever it really is (the suffix may lie)."""
    package = Package(name, data)
    try:
        yield from name_units(package)
        main = package.main_part()
        if main is not None and package.kind_of(main) == "excel":
            yield from Workbook(package, main).read()
        else:
            yield from word_units(package)
        yield from property_units(package)
        yield from relationship_units(package)
        yield from remaining_units(package)
    finally:
        package.archive.close()
