"""Word and Excel files read the way a leak hides in them: from their XML, not their surface.

A .docx keeps text in the body and its tables, headers, footers, footnotes, endnotes,
comments, tracked deletions and insertions, field codes, text boxes, image alt text,
content-control titles, document variables, external link targets and the core, app and
custom properties; an .xlsx in cells (shared and inline strings, formula literals, numbers
long enough to be a phone or NHS number), sheet and defined names, notes and threaded
comments with their authors, drawings, charts, pivot caches that still hold deleted data,
shared strings no cell uses any more, headers and footers, and the same properties. All of
it is read here; any XML part no reader knows is read for its text nodes, so nothing falls
through. Embedded .docx/.xlsx documents are read too.

Locations are built from the structure (``table 1, row 2, cell 3, paragraph 1``,
``sheet 2 (hidden), cell B7``) and from the format's own part names; sheet names, property
names and author names are read as text, never used as labels.

The package is read with ``qual.ooxml.Package``: parts are found through relationships and
content types, and recognised by their root element, never by file name alone (a header
stored as ``header1.bin`` is read as a header).
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from ..errors import InputFileError
from ..files import local_name as local, read_member
from ..ooxml import MACHINE_PROPERTIES, PROPERTY_NAMES, Package as OoxmlPackage, Relationship, string_item_text
from .extract import MAX_TEXT_FILE_BYTES, TextUnit, can_extract, extract_member, number_worth_reading, register_extractor

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

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
# Cheap tests on a part's bytes before parsing it: a text node, or an attribute that holds text.
_TEXT_NODE = re.compile(rb">\s*[^<\s]")
_TEXT_ATTRIBUTE = re.compile(rb"[\s:](?:descr|title|alt|tooltip|author|initials|displayName|userId|providerId)=")

# Attributes that hold text a person typed, wherever they occur.
_TEXT_ATTRIBUTES = {
    "descr": "alt text", "title": "title", "alt": "alt text", "tooltip": "tooltip",
    "author": "author", "initials": "initials", "displayName": "display name",
    "userId": "user id", "providerId": "identity provider",
}
_HIDDEN_STATES = frozenset({"hidden", "veryHidden"})
_W3CDTF = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
# Names Word and Excel give drawings themselves ("Text Box 2", "Picture 3", "image1.png").
_DEFAULT_DRAWING_NAME = re.compile(
    r"(?:Text ?Box|Picture|Image|Graphic|Chart|Diagram|Shape|Rectangle|Rounded Rectangle|Oval|Group|"
    r"(?:Straight )?(?:Arrow )?Connector|Line|Freeform|Canvas|Object|Content Placeholder|Title|Table|"
    r"SmartArt|Ink|Video|Audio|Drawing|Comment|Grafik|Bild|Imagen|Zone de texte)(?: \d+)?"
    r"|(?:image|media|Picture|IMG|DSC|Screenshot)[_ -]?\d*(?:\.[A-Za-z]{2,4})?", re.IGNORECASE)


def attribute(element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None


def part_label(name: str) -> str | None:
    """``name`` when it is built from the format's vocabulary, else None (it could be anything)."""
    for component in name.split("/"):
        if component == ".rels":
            continue
        match = _PART_COMPONENT.fullmatch(component)
        if not match or (match.group(1).lower().strip("_") not in _PART_WORDS and component != "_rels"):
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
    """Member names outside the format's vocabulary are text too ("Jayden.xml")."""
    for member in package.unknown_names:
        yield TextUnit(package.label(member), "part name", member)


def embedded_units(package: Package, member: str, number: int) -> Iterator[TextUnit]:
    label = member if _EMBEDDED_NAME.fullmatch(member) else f"embedded document {number}"
    package.done.add(member)
    yield from extract_member(package.name, member, read_member(package.archive, member, package.name), label)


def generic_units(label: str, root, prefix: str = "", skip: Iterable[str] = ()) -> Iterator[TextUnit]:
    """Every text node and text attribute of an XML part no specific reader handles.

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
    names = " or ".join(f"local-name()='{name}'" for name in _TEXT_ATTRIBUTES)
    scope = f"[not(ancestor-or-self::*[{outside_skip}])]" if skip else ""
    for value in root.xpath(f"descendant-or-self::*{scope}/@*[{names}][normalize-space()]"):
        kind = _TEXT_ATTRIBUTES[local(value.attrname)]
        yield TextUnit(label, f"{prefix}{kind}", str(value))


def attribute_units(label: str, element, prefix: str = "") -> Iterator[TextUnit]:
    for key, value in element.attrib.items():
        kind = _TEXT_ATTRIBUTES.get(local(key))
        if kind and value.strip():
            yield TextUnit(label, f"{prefix}{kind}", value)


def remaining_units(package: Package) -> Iterator[TextUnit]:
    """Whatever no specific reader took: XML parts for their text, embedded documents."""
    embedded = 0
    for member in package.members:
        if member in package.done or member.endswith(".rels"):
            continue
        lowered = member.lower()
        if package.is_xml(member):
            if not package.might_hold_text(member):
                package.done.add(member)
            elif package.root_name(member)[1] in ("pivotCacheDefinition", "pivotCacheRecords"):
                yield from pivot_units(package, member)
            else:
                yield from generic_units(package.label(member), package.xml(member))
        elif can_extract(member) and lowered.endswith((".docx", ".docm", ".xlsx", ".xlsm")):
            embedded += 1
            yield from embedded_units(package, member, embedded)


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


# --------------------------------------------------------------------------- Word


class WordPart:
    """The text of one Word XML part (document, header, footnotes, comments ...)."""

    def __init__(self, label: str, root) -> None:
        self.label = label
        self.root = root
        self.units: list[TextUnit] = []
        self.visited: set = set()
        self.tables = self.text_boxes = self.drawings = self.shapes = self.controls = 0
        self._drawing_values: set[str] = set()

    def read(self) -> list[TextUnit]:
        root = self.root
        kind = local(root)
        if kind == "document":
            for body in root:
                if local(body) == "body":
                    self.container(body, "")
        elif kind in ("footnotes", "endnotes", "comments"):
            noun = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}[kind]
            for number, note in enumerate(root, start=1):
                if not local(note):
                    continue
                where = f"{noun} {_safe_id(attribute(note, 'id'), number)}, "
                self.container(note, where)
        elif kind == "glossaryDocument":
            for number, body in enumerate((e for e in root.iter() if local(e) == "docPartBody"), start=1):
                self.container(body, f"building block {number}, ")
        else:  # hdr, ftr and anything shaped like them
            self.container(root, "")
        self.people()
        self.leftovers()
        return self.units

    def add(self, location: str, text: str, regions: tuple = ()) -> None:
        if text.strip():
            self.units.append(TextUnit(self.label, location, text, None, regions))

    def blocks(self, element, wanted: tuple[str, ...]) -> Iterator:
        """Children named ``wanted``, looking through content controls and custom XML."""
        for child in element:
            name = local(child)
            if name in wanted:
                yield child
            elif name in ("sdt", "customXml", "smartTag", "sdtContent", "ins", "del", "moveTo",
                          "moveFrom"):
                if name == "sdt":
                    self.content_control(child)
                yield from self.blocks(child, wanted)
            elif name == "AlternateContent":
                for branch in child:
                    yield from self.blocks(branch, wanted)
                    break  # the first choice; a fallback repeats it

    def container(self, element, where: str) -> None:
        paragraphs = 0
        for block in self.blocks(element, ("p", "tbl")):
            if local(block) == "p":
                paragraphs += 1
                self.paragraph(block, f"{where}paragraph {paragraphs}")
            else:
                self.table(block, where)

    def table(self, table, where: str) -> None:
        self.tables += 1
        number = self.tables
        for r, row in enumerate(self.blocks(table, ("tr",)), start=1):
            for c, cell in enumerate(self.blocks(row, ("tc",)), start=1):
                self.container(cell, f"{where}table {number}, row {r}, cell {c}, ")

    def content_control(self, sdt) -> None:
        for child in sdt:
            if local(child) == "sdtPr":
                self.content_control_props(child)

    def paragraph(self, paragraph, location: str) -> None:
        pieces: list[str] = []
        regions: list[tuple[int, int, str]] = []
        nested: list = []
        length = 0

        def put(text: str, region: str | None) -> None:
            nonlocal length
            if not text:
                return
            if region:
                regions.append((length, length + len(text), region))
            pieces.append(text)
            length += len(text)

        def walk(element, region: str | None) -> None:
            for child in element:
                name = local(child)
                if not name:
                    continue
                if name == "t":
                    self.visited.add(child)
                    put(child.text or "", region)
                elif name in ("delText", "delInstrText"):
                    self.visited.add(child)
                    put(child.text or "", "tracked deletion")
                elif name == "instrText":
                    self.visited.add(child)
                    put(child.text or "", region or "field code")
                elif name == "tab":
                    put("\t", None)
                elif name in ("br", "cr"):
                    put("\n", None)
                elif name == "noBreakHyphen":
                    put("-", None)
                elif name in ("txbxContent", "p", "tbl"):
                    nested.append(child)
                elif name in ("ins", "moveTo"):
                    walk(child, "tracked insertion")
                elif name in ("del", "moveFrom"):
                    walk(child, "tracked deletion")
                elif name == "fldSimple":
                    put(f" {attribute(child, 'instr') or ''} ", "field code")
                    walk(child, region)
                elif name == "hyperlink":
                    if attribute(child, "tooltip"):
                        self.add(f"{location}, hyperlink tooltip", attribute(child, "tooltip"))
                    walk(child, region)
                elif name in ("docPr", "cNvPr"):
                    self.alt_text(child, new=name == "docPr")
                elif name in ("shape", "imagedata", "rect", "roundrect", "oval", "group"):
                    self.shape(child)
                    walk(child, region)
                elif name == "sdtPr":
                    self.content_control_props(child)
                elif name in ("rPr", "pPr"):
                    continue
                else:
                    walk(child, region)

        walk(paragraph, None)
        self.add(location, "".join(pieces), tuple(regions))
        seen_boxes: set[str] = set()
        for element in nested:
            if local(element) == "txbxContent":
                text = "".join(t.text or "" for t in element.iter() if local(t) in ("t", "delText"))
                if text in seen_boxes:  # the fallback copy of a text box already read
                    for t in element.iter():
                        if local(t) in ("t", "delText", "instrText"):
                            self.visited.add(t)
                    continue
                seen_boxes.add(text)
                self.text_boxes += 1
                self.container(element, f"text box {self.text_boxes}, ")
            elif local(element) == "tbl":
                self.table(element, f"{location}, ")
            else:
                self.paragraph(element, f"{location}, inner paragraph")

    def content_control_props(self, props) -> None:
        """A content control's title and tag, which Word shows on hover."""
        self.controls += 1
        for prop in props:
            if local(prop) in ("alias", "tag") and attribute(prop, "val"):
                kind = "title" if local(prop) == "alias" else "tag"
                self.add(f"content control {self.controls} ({kind})", attribute(prop, "val"))

    def alt_text(self, element, new: bool) -> None:
        if new or not self.drawings:
            self.drawings += 1
            self._drawing_values = set()
        for key, kind in (("descr", "alt text"), ("title", "title"), ("name", "name")):
            value = element.get(key)
            if key == "name" and value and _DEFAULT_DRAWING_NAME.fullmatch(value.strip()):
                continue
            if value and value.strip() and value not in self._drawing_values:
                self._drawing_values.add(value)
                self.add(f"drawing {self.drawings}, {kind}", value)

    def shape(self, element) -> None:
        values = [(kind, attribute(element, key)) for key, kind in (("alt", "alt text"), ("title", "title"))]
        values = [(kind, value) for kind, value in values if value and value.strip()]
        if values:
            self.shapes += 1
            for kind, value in values:
                self.add(f"shape {self.shapes}, {kind}", value)

    def people(self) -> None:
        """Authors and initials of comments and tracked changes, each distinct value once."""
        seen: dict[tuple[str, str], int] = {}
        for value in self.root.xpath("//@*[local-name()='author' or local-name()='initials']"):
            kind = local(value.attrname)
            value = str(value)
            if value.strip() and (kind, value) not in seen:
                seen[(kind, value)] = len([k for k in seen if k[0] == kind]) + 1
                self.add(f"{kind} {seen[(kind, value)]} of comments and tracked changes", value)

    def leftovers(self) -> None:
        """Text nodes the structured walk did not reach (unusual nesting): read them anyway."""
        number = 0
        text_nodes = self.root.xpath("//*[local-name()='t' or local-name()='delText' or "
                                     "local-name()='instrText' or local-name()='delInstrText']")
        for element in text_nodes:
            if element not in self.visited:
                if element.text and element.text.strip():
                    number += 1
                    self.add(f"other text {number}", element.text)


_WORD_PARTS = ("document", "hdr", "ftr", "footnotes", "endnotes", "comments", "glossaryDocument")
_WORD_KINDS = (*_WORD_PARTS, "settings", "people")


def _is_word_part(package: Package, member: str) -> bool:
    """A WordprocessingML part, whatever its name: its root element says so."""
    if member in package.done or not package.is_xml(member) or package.is_textless(member):
        return False
    namespace, kind = package.root_name(member)
    return kind in _WORD_KINDS and (not namespace or "wordprocessingml" in namespace
                                    or "schemas.microsoft.com/office/word" in namespace)


def word_units(package: Package) -> Iterator[TextUnit]:
    for member in package.members:
        if not _is_word_part(package, member):
            continue
        root = package.xml(member)
        kind = local(root)
        label = package.label(member)
        if kind in _WORD_PARTS:
            yield from WordPart(label, root).read()
        elif kind == "settings":
            variables = 0
            for element in root.iter():
                if local(element) == "docVar":
                    variables += 1
                    for key, kind_ in (("name", "name"), ("val", "value")):
                        if attribute(element, key):
                            yield TextUnit(label, f"document variable {variables} ({kind_})",
                                           attribute(element, key))
            yield from generic_units(label, root)
        elif kind == "people":
            for number, person in enumerate((e for e in root if local(e)), start=1):
                for element in person.iter():
                    for key, kind_ in (("author", "name"), ("userId", "user id")):
                        if attribute(element, key):
                            yield TextUnit(label, f"person {number} ({kind_})", attribute(element, key))
        else:
            package.done.discard(member)


# --------------------------------------------------------------------------- Excel


class Workbook:
    def __init__(self, package: Package, workbook: str) -> None:
        self.package = package
        self.workbook = workbook
        self.shared: list[str] = []
        self.used: set[int] = set()
        self.shared_label = ""

    def read(self) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(self.workbook)
        rels = package.rels(self.workbook)
        for rel in rels.values():
            if rel.kind == "sharedStrings" and not rel.external:
                self.shared = [string_item_text(si) for si in package.xml(rel.target) if local(si) == "si"]
                self.shared_label = package.label(rel.target)
        label = package.label(self.workbook)
        sheets = [e for e in root.iter() if local(e) == "sheet"]
        for number, sheet in enumerate(sheets, start=1):
            hidden = " (hidden)" if sheet.get("state") in _HIDDEN_STATES else ""
            where = f"sheet {number}{hidden}"
            if sheet.get("name"):
                yield TextUnit(label, f"{where} (name)", sheet.get("name"))
            target = rels.get(attribute(sheet, "id") or "")
            if target is not None and not target.external:
                yield from self.sheet(target.target, where)
        names = [e for e in root.iter() if local(e) == "definedName"]
        for number, defined in enumerate(names, start=1):
            if defined.get("name") and not defined.get("name").startswith("_xlnm."):
                yield TextUnit(label, f"defined name {number} (name)", defined.get("name"))
            if defined.text and defined.text.strip():
                yield TextUnit(label, f"defined name {number} (formula)", defined.text)
        for index, text in enumerate(self.shared):
            if index not in self.used and text.strip():
                yield TextUnit(self.shared_label, f"shared string {index + 1} (in no cell)", text)
        yield from generic_units(label, root, skip=("sheet", "definedName"))

    def sheet(self, member: str, where: str) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(member)
        label = package.label(member)
        for child in root:
            if local(child) == "sheetData":
                yield from self.cells(label, child, where)
        rels = package.rels(member)
        for element in root.iter():
            if local(element) == "hyperlink":
                ref = element.get("ref") or ""
                ref = ref if _CELL_REF.fullmatch(ref.split(":")[0] or "-") else "a cell"
                for key in ("display", "location"):
                    if element.get(key):
                        yield TextUnit(label, f"{where}, hyperlink on {ref} ({key})", element.get(key))
        yield from generic_units(label, root, f"{where}, ", skip=("sheetData", "hyperlink"))
        for rel in rels.values():
            if rel.external or rel.target in package.done:
                continue
            if rel.kind == "comments":
                yield from self.comments(rel.target, where)
            elif rel.kind == "threadedComment":
                yield from self.threaded(rel.target, where)
            elif rel.kind == "drawing":
                yield from generic_units(package.label(rel.target), package.xml(rel.target), f"{where}, drawing, ")

    def cells(self, label: str, sheet_data, where: str) -> Iterator[TextUnit]:
        for row_number, row in enumerate(sheet_data, start=1):
            if local(row) != "row":
                continue
            row_ref = row.get("r") or str(row_number)
            for column, cell in enumerate(row, start=1):
                if local(cell) != "c":
                    continue
                ref = cell.get("r") or ""
                if not _CELL_REF.fullmatch(ref):
                    from openpyxl.utils import get_column_letter  # only for a cell without its reference

                    ref = f"{get_column_letter(column)}{row_ref}"
                kind = cell.get("t") or "n"
                value = formula = None
                inline = None
                for child in cell:
                    name = local(child)
                    if name == "v":
                        value = child.text
                    elif name == "f":
                        formula = child.text
                    elif name == "is":
                        inline = child
                text = None
                if kind == "s" and value is not None:
                    try:
                        index = int(value)
                        text = self.shared[index]
                        self.used.add(index)
                    except (ValueError, IndexError):
                        text = None
                elif kind == "inlineStr" and inline is not None:
                    text = string_item_text(inline)
                elif kind in ("str", "d"):
                    text = value
                elif kind == "n" and value and number_worth_reading(value, typed=True):
                    text = value  # a phone or NHS number typed as a number
                if text and text.strip():
                    yield TextUnit(label, f"{where}, cell {ref}", text)
                if formula and '"' in formula:
                    yield TextUnit(label, f"{where}, cell {ref} (formula)", formula)

    def comments(self, member: str, where: str) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(member)
        label = package.label(member)
        for element in root.iter():
            name = local(element)
            if name == "authors":
                for number, author in enumerate(element, start=1):
                    if author.text and author.text.strip():
                        yield TextUnit(label, f"{where}, comment author {number}", author.text)
            elif name == "comment":
                ref = element.get("ref") or ""
                ref = ref if _CELL_REF.fullmatch(ref) else "a cell"
                text = "".join(element.itertext())
                if text.strip():
                    yield TextUnit(label, f"{where}, comment on {ref}", text)

    def threaded(self, member: str, where: str) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(member)
        label = package.label(member)
        for element in root:
            if local(element) != "threadedComment":
                continue
            ref = element.get("ref") or ""
            ref = ref if _CELL_REF.fullmatch(ref) else "a cell"
            for child in element.iter():
                if local(child) == "text" and child.text and child.text.strip():
                    yield TextUnit(label, f"{where}, threaded comment on {ref}", child.text)
                elif local(child) == "mention":
                    yield from attribute_units(label, child, f"{where}, mention in comment on {ref}, ")


# --------------------------------------------------------------------------- entry point


@register_extractor(".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm", ".xltx", ".xltm", ".pptx")
def read_office(name: str, data: bytes) -> Iterator[TextUnit]:
    """A Word, Excel or PowerPoint file, whichever it really is (the suffix may lie)."""
    package = Package(name, data)
    yield from name_units(package)
    main = package.main_part()
    if main is not None and package.kind_of(main) == "excel":
        yield from Workbook(package, main).read()
    else:
        yield from word_units(package)
    yield from property_units(package)
    yield from relationship_units(package)
    yield from remaining_units(package)
    package.archive.close()
