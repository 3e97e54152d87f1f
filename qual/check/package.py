"""What qual check reads in every OOXML package (.docx, .xlsx, .pptx), whatever its kind.

:class:`Package` is ``qual.ooxml.Package`` as qual check needs it: parts labelled by names
that cannot identify, each part read once, and parts classified by what they hold. Here are
the readers every package shares: properties, relationship targets, part names, and
:func:`remaining_units`, which reads whatever the Word, Excel and PowerPoint readers did not
take: XML parts for their text and text attributes, embedded documents and OLE objects,
images (their metadata), vector pictures (their text), printer settings (the printer's name).
A part no reader fits is read as text when it is text, and listed as unread when it is not:
nothing falls through.

Parts are found through ``[Content_Types].xml`` and the relationships, and a part is
classified by what it holds (its root element, its first bytes), never by its name or its
declared content type alone: a main document stored as ``word/document.bin``,
``word/styles.xml`` or ``word/theme/theme1.xml`` is read as the document it is.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from ..errors import InputFileError
from ..files import local_name as local, read_member
from ..ooxml import CONTENT_TYPES, MACHINE_PROPERTIES, PROPERTY_NAMES, TEXTLESS_ROOTS, Package as OoxmlPackage, Relationship
from .extract import MAX_TEXT_FILE_BYTES, OLE_MAGIC as OLE2_MAGIC, TextUnit, Unreadable, extract_member, number_worth_reading
from .vocabulary import as_words, machine_value, software_generated

# Parts whose names are the format's vocabulary and can be shown as they are.
_PART_WORDS = frozenset("""
document header footer footnotes endnotes comments commentsextended commentsids
commentsextensible settings styles styleswitheffects fonttable websettings numbering theme
people glossary workbook sharedstrings sheet worksheets threadedcomment threadedcomments person
persons drawing drawings chart charts chartsheet chartsheets pivotcachedefinition
pivotcacherecords pivotcache pivottable pivottables table tables externallink externallinks
calcchain connections querytable querytables core app custom docprops word xl ppt customxml item
itemprops rels media image embeddings vmldrawing vbaproject printersettings metadata volatiledeps
slide slides slidelayout slidelayouts slidemaster slidemasters notesslide notesslides
notesmaster notesmasters handoutmaster handoutmasters presentation presprops viewprops
tablestyles thumbnail content_types colors style ctrlprops activex richdata
""".split())
_PART_COMPONENT = re.compile(r"\[?([A-Za-z_]+)\]?\d*((?:\.[A-Za-z]{1,5})*)")
_EMBEDDED_NAME = re.compile(r"(?:word|xl|ppt)/embeddings/(?:Microsoft_[A-Za-z_]+|oleObject|package)\d*\.\w+")
_CELL_REF = re.compile(r"\$?[A-Z]{1,3}\$?\d{1,7}")
_SAFE_ID = re.compile(r"(?:rId)?-?\d{1,9}|R[0-9a-fA-F]{4,32}")  # comment, note and relationship ids
# Attributes that hold text a person typed, wherever they occur: alt text and titles, authors,
# VML WordArt (``v:textpath string``), the connection string, query and source file of an
# Excel data connection, the paths Excel keeps of where a workbook was saved
# (``x15ac:absPath url``), the user who reserved a shared workbook, and the input and error
# messages of a data-validation rule.
_TEXT_ATTRIBUTES = {
    "descr": "alt text", "title": "title", "alt": "alt text", "tooltip": "tooltip",
    "author": "author", "initials": "initials", "displayName": "display name",
    "userId": "user id", "providerId": "identity provider", "string": "WordArt text",
    "connection": "connection string", "command": "query", "sourceFile": "source file", "url": "address",
    "userName": "user name", "prompt": "input message", "promptTitle": "input message title",
    "error": "error message", "errorTitle": "error message title", "text": "text", "href": "link",
    "string-value": "value",
}
# Attributes that name or hold a value: typed by a person (a comment author's name, a slide
# section, a tag's value, a filter value) or made up by the application ("Title 1",
# "PivotTable1", "minMax"); read unless the value is plainly the application's own.
_NAME_ATTRIBUTES = {"name": "name", "val": "value", "value": "value"}
# Cheap tests on a part's bytes before parsing it: a text node, or an attribute that holds text.
_TEXT_NODE = re.compile(rb">\s*[^<\s]")
_TEXT_ATTRIBUTE = re.compile(rb"[\s:](?:" + "|".join(sorted({*_TEXT_ATTRIBUTES, *_NAME_ATTRIBUTES})).encode()
                             + rb")=")
# A link to a part of the same package: no scheme, no drive, not up and out of the package.
_INTERNAL_REFERENCE = re.compile(r"(?![a-zA-Z][\w+.-]*:|/|\\|\.\./)")
_HIDDEN_STATES = frozenset({"hidden", "veryHidden"})
_W3CDTF = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
def attribute(element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None


def part_label(name: str) -> str | None:
    """``name`` when it is built from the format's vocabulary or is a name the application
    makes up (``Microsoft_Excel_Worksheet1.xlsx``, ``oleObject2.bin``), else None (it could
    be anything, a person's name included)."""
    for component in name.split("/"):
        if component == ".rels":
            continue
        match = _PART_COMPONENT.fullmatch(component)
        if match and (match.group(1).lower().strip("_") in _PART_WORDS or component == "_rels"):
            continue
        if not software_generated(component):
            return None
    return name


def _safe_id(value: str | None, fallback: int) -> str:
    return value if value and _SAFE_ID.fullmatch(value) else str(fallback)


class Package(OoxmlPackage):
    """An OOXML package as ``qual check`` reads it: parts labelled by names that cannot
    identify, each part read once (``done``), and no part larger than qual check reads."""

    def __init__(self, name: str, data: bytes) -> None:
        if data.startswith(OLE2_MAGIC):
            raise InputFileError(name, "is password-protected (encrypted) or a legacy Office 97-2003 "
                                 "file, which qual check cannot read",
                                 "remove the password or save it in the current format, then check it")
        self._labels: dict[str, str] = {}
        self._roots: dict[str, tuple[str, str]] = {}
        super().__init__(name, data, max_part_bytes=MAX_TEXT_FILE_BYTES)
        self.name = name
        self.members = self.names
        self.unknown_names: list[str] = []
        for number, member in enumerate(self.members, start=1):
            label = part_label(member)
            if label is None:
                label = f"part {number}"
                self.unknown_names.append(member)
            self._labels[member] = label
        self.done: set[str] = set()

    def label(self, member: str) -> str:
        return self._labels.get(member, member)

    def root_name(self, member: str) -> tuple[str, str]:
        if member not in self._roots:
            self._roots[member] = super().root_name(member)
        return self._roots[member]

    def is_xml(self, member: str) -> bool:
        """XML by its content type, or by what it holds: a part declared as binary (a main
        document stored as ``document.bin``) that starts like XML is read as XML."""
        return super().is_xml(member) or self.root_name(member) != ("", "")

    def is_textless(self, member: str) -> bool:
        """Styles, fonts, numbering, themes: by the part's root element only. A content type
        or a name can lie (a document stored as ``word/styles.xml``); the root cannot."""
        return self.root_name(member)[1] in TEXTLESS_ROOTS

    def xml(self, member: str):
        self.done.add(member)
        return super().xml(member)

    def read(self, member: str) -> bytes:
        """A part's bytes, refused when they are more XML than qual check reads."""
        if self.size(member) > MAX_TEXT_FILE_BYTES:
            raise InputFileError(self.name, f"has a part ({self.label(member)}) that unpacks to more than "
                                 f"{MAX_TEXT_FILE_BYTES // 2**20} MB of XML, more than qual check reads",
                                 "split the document and check the parts")
        return read_member(self.archive, member, self.name)

    def might_hold_text(self, member: str) -> bool:
        """False when the part has no text node and no text attribute. Styles, fonts,
        numbering, themes and web settings hold names of styles and fonts in attributes only,
        and are large: they are not parsed."""
        if self.is_textless(member):
            return False
        data = self.read(member)
        return bool(_TEXT_NODE.search(data) or _TEXT_ATTRIBUTE.search(data))

    def rels(self, member: str) -> dict[str, Relationship]:
        """A part's relationships by id, targets resolved to member names."""
        return {rel.id: rel for rel in self.relationships(member)}


# --------------------------------------------------------------------------- shared parts


def property_units(package: Package) -> Iterator[TextUnit]:
    """The core, app and custom properties (docProps/core.xml, app.xml, custom.xml in a usual
    package): every property, by its standard name."""
    parts = package.property_parts()
    for member in [*parts.get("core", []), *parts.get("extended", [])]:
        root = package.xml(member)
        for number, element in enumerate(root, start=1):
            name = local(element)
            label = name if name in PROPERTY_NAMES else f"property {number}"
            texts = [t for t in element.itertext() if t.strip()]
            if name in MACHINE_PROPERTIES and all(_W3CDTF.fullmatch(t.strip()) or _NUMBER.fullmatch(t.strip())
                                                   or name in ("Application", "AppVersion") for t in texts):
                continue
            for k, text in enumerate(texts, start=1):
                where = f"property {label}" + (f", item {k}" if len(texts) > 1 else "")
                yield TextUnit(package.label(member), where, text)
    for member in parts.get("custom", []):
        root = package.xml(member)
        for number, element in enumerate(root, start=1):
            name = element.get("name")
            if name:
                yield TextUnit(package.label(member), f"custom property {number} (name)", name)
            for text in element.itertext():
                if text.strip():
                    yield TextUnit(package.label(member), f"custom property {number} (value)", text)


def relationship_units(package: Package) -> Iterator[TextUnit]:
    """External targets of every relationship part: hyperlinks, mailto:, linked files and
    templates (a template path often holds a user name)."""
    for member in package.members:
        if not member.endswith(".rels"):
            continue
        root = package.xml(member)
        for number, rel in enumerate(root, start=1):
            if (rel.get("TargetMode") or "").lower() == "external" and rel.get("Target"):
                where = f"relationship {_safe_id(rel.get('Id'), number)} (external target)"
                yield TextUnit(package.label(member), where, rel.get("Target"))


def name_units(package: Package) -> Iterator[TextUnit]:
    """Member names outside the format's vocabulary are text too ("Jayden.xml"), read as words
    ("JaydenSmith.xml" -> "Jayden Smith xml")."""
    for member in package.unknown_names:
        yield TextUnit(package.label(member), "part name", member)
        if re.search(r"[a-z][A-Z]", member):  # "JaydenSmith" read as two words
            yield TextUnit(package.label(member), "part name (as words)", as_words(member.replace("/", " ")))


def embedded_units(package: Package, member: str, number: int) -> Iterator[TextUnit | Unreadable]:
    """A part that is a file of its own (an embedded workbook, an OLE object, an image, a
    chunk of HTML or RTF): read with the reader of what it is, within the nesting bound."""
    label = member if _EMBEDDED_NAME.fullmatch(member) or part_label(member) else f"embedded document {number}"
    package.done.add(member)
    if package.size(member) > MAX_TEXT_FILE_BYTES:
        yield Unreadable(label, f"unpacks to more than {MAX_TEXT_FILE_BYTES // 2**20} MB, more than qual "
                         "check reads of one part")
        return
    yield from extract_member(package.name, member, read_member(package.archive, member, package.name), label)


def generic_units(label: str, root, prefix: str = "", skip: Iterable[str] = (),
                  names: bool = True) -> Iterator[TextUnit]:
    """Every text node and text attribute of an XML part no specific reader handles.

    ``names``: also the ``name``/``val``/``value`` attributes whose values are not the
    application's own (left out where a specific reader knows which of them hold text, as
    in Word's settings, whose ``val`` attributes are switches and font names).

    DrawingML paragraphs (``a:p``) are read whole, so a word split over runs stays whole.
    Elements named in ``skip`` (local names) are left to their specific reader. The search
    runs as XPath, in C: a styles part has thousands of elements and no text.
    """
    blocked = ["p", *skip]
    outside = " or ".join(f"local-name()='{name}'" for name in blocked)
    outside_skip = " or ".join(f"local-name()='{name}'" for name in skip)
    not_skipped = f"[not(ancestor-or-self::*[{outside_skip}])]" if skip else ""
    paragraphs = root.xpath(f"descendant-or-self::*[local-name()='p'][not(ancestor::*[{outside}])]{not_skipped}")
    for number, paragraph in enumerate(paragraphs, start=1):
        text = "".join(paragraph.itertext())
        if text.strip():
            yield TextUnit(label, f"{prefix}paragraph {number}", text)
    texts = root.xpath(f"descendant-or-self::text()[normalize-space()][not(ancestor::*[{outside}])]")
    for number, text in enumerate(texts, start=1):
        yield TextUnit(label, f"{prefix}text {number}", str(text))
    wanted = (*_TEXT_ATTRIBUTES, *_NAME_ATTRIBUTES) if names else tuple(_TEXT_ATTRIBUTES)
    condition = " or ".join(f"local-name()='{name}'" for name in wanted)
    scope = f"[not(ancestor-or-self::*[{outside_skip}])]" if skip else ""
    for value in root.xpath(f"descendant-or-self::*{scope}/@*[{condition}][normalize-space()]"):
        unit = _attribute_unit(label, prefix, local(value.attrname), str(value))
        if unit is not None:
            yield unit


def _attribute_unit(label: str, prefix: str, name: str, value: str) -> TextUnit | None:
    kind = _TEXT_ATTRIBUTES.get(name)
    if kind is not None:
        if name in ("displayName", "text") and software_generated(value):
            return None  # "Table1"
        if name == "href" and _INTERNAL_REFERENCE.match(value):
            return None  # a part of the same package ("Pictures/1000000000.png", "./Object 1")
        return TextUnit(label, f"{prefix}{kind}", value)
    kind = _NAME_ATTRIBUTES.get(name)
    if kind is None or machine_value(value) or software_generated(value):
        return None
    return TextUnit(label, f"{prefix}{kind}", as_words(value) if re.search(r"[a-z][A-Z]", value) else value)


def attribute_units(label: str, element, prefix: str = "") -> Iterator[TextUnit]:
    for key, value in element.attrib.items():
        if value.strip():
            unit = _attribute_unit(label, prefix, local(key), value)
            if unit is not None:
                yield unit


def remaining_units(package: Package) -> Iterator[TextUnit | Unreadable]:
    """Whatever no specific reader took: XML parts for their text, every other part with the
    reader of what it is (embedded documents, OLE objects, images, vector pictures, HTML or
    RTF chunks, text), fonts left out (glyphs and font names), printer settings for the
    printer's name. A part none of these fits is listed as unread."""
    embedded = 0
    for member in package.members:
        if member in package.done or member.endswith(".rels") or member == CONTENT_TYPES:
            continue
        if package.is_xml(member):
            if not package.might_hold_text(member):
                package.done.add(member)
            elif package.root_name(member)[1] in ("pivotCacheDefinition", "pivotCacheRecords"):
                yield from pivot_units(package, member)
            else:
                yield from generic_units(package.label(member), package.xml(member))
            continue
        content_type = package.content_type(member).lower()
        package.done.add(member)
        if "font" in content_type or member.lower().endswith((".odttf", ".ttf", ".otf", ".fntdata")):
            continue  # glyphs, and the names of fonts: the application's, not a person's
        if content_type.endswith("printersettings") or "printersettings" in member.lower():
            yield from printer_units(package, member)
            continue
        embedded += 1
        yield from embedded_units(package, member, embedded)


def printer_units(package: Package, member: str) -> Iterator[TextUnit]:
    """A printer-settings part is a Windows DEVMODE: the printer's name (often a person's or a
    computer's: "Jayden's HP") in its first 32 UTF-16 characters; the rest is the driver's."""
    head = read_member(package.archive, member, package.name)[:64]
    name = head.decode("utf-16-le", "replace").split("\0", 1)[0]
    if name.strip() and not software_generated(name):
        yield TextUnit(package.label(member), "printer name", name)


def pivot_units(package: Package, member: str) -> Iterator[TextUnit]:
    """A pivot cache keeps a copy of the source data, even after the sheet is deleted."""
    root = package.xml(member)
    label = package.label(member)
    items = 0
    for element in root.iter():
        name = local(element)
        if name == "cacheField" and element.get("name"):
            yield TextUnit(label, "cache field name", element.get("name"))
        elif name in ("s", "n", "d") and element.get("v"):
            value = element.get("v")
            if name == "s" or number_worth_reading(value, typed=True):
                items += 1
                yield TextUnit(label, f"cached item {items}", value)
    yield from generic_units(label, root)

