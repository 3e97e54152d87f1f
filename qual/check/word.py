"""Word parts (document, headers, footers, notes, comments, settings) read the way a leak
hides in them.

Besides the text of paragraphs, tables and text boxes, a Word part keeps text in places
Word shows only on request: tracked deletions and insertions (read as they are, and, when
a change cuts through a word, also with the change accepted and with it rejected, so that
``Kay<del>lee</del>den`` is read as both "Kayleeden" and "Kayden"), field codes, content
controls (title, tag and every drop-down item's text and value), bookmark names, legacy
form fields (name, default text, help and status-bar text, drop-down entries), VML WordArt
and shape titles, image alt text, editing permissions, document variables and the
mail-merge data source (connection string, query, table). Names Word makes up itself
(``_GoBack``, ``Text1``, field keywords such as ``FORMTEXT``) are structure and are not read
as text; see :mod:`qual.check.vocabulary`.
"""

from __future__ import annotations

import re
from typing import Iterator

from .extract import TextUnit
from .package import Package, _safe_id, attribute, generic_units, local
from .vocabulary import as_words, machine_value, software_generated

# The first word of a field instruction is the field's type (FORMTEXT, HYPERLINK, MERGEFIELD)
# and a switch is a backslash and a letter, with a format keyword after \* (MERGEFORMAT):
# Word's vocabulary, not a person's text. Arguments (a quoted address, a bookmark) are read.
_FIELD_KEYWORD = re.compile(r"^(\s*)([A-Z][A-Za-z]*)(?=\s|$)")
_FIELD_SWITCH = re.compile(r"(?<![\w\\])\\(?:\*\s*[A-Za-z]+|[@#!]|[A-Za-z])(?=\s|$|\\)")
# Word's own names for legacy form fields: "Text1", "Check2", "Dropdown3".
_FORM_FIELD_KINDS = {"textInput": "Text", "checkBox": "Check", "ddList": "Dropdown"}


def blank_field_vocabulary(text: str, starts_field: bool) -> str:
    """A field instruction with its type keyword (when ``starts_field``) and its switches
    blanked at the same length, so that offsets still point into the paragraph."""
    if starts_field:
        text = _FIELD_KEYWORD.sub(lambda m: m.group(1) + " " * len(m.group(2)), text, count=1)
    return _FIELD_SWITCH.sub(lambda m: " " * len(m.group()), text)


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
        self.bookmarks()
        self.form_fields()
        self.word_art()
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

        field_start = [False]

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
                    put(blank_field_vocabulary(child.text or "", field_start[0]), region or "field code")
                    field_start[0] = False
                elif name == "fldChar":
                    field_start[0] = attribute(child, "fldCharType") == "begin"
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
                    put(f" {blank_field_vocabulary(attribute(child, 'instr') or '', True)} ", "field code")
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
        text = "".join(pieces)
        self.add(location, text, tuple(regions))
        for kind, without in (("tracked deletion", "accepted"), ("tracked insertion", "rejected")):
            variant = _without_cut_words(text, [(start, end) for start, end, label in regions if label == kind])
            if variant is not None:
                self.add(f"{location} (tracked changes {without})", variant)
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
        """A content control's title and tag, which Word shows on hover, and the display text
        and value of every item of its drop-down list or combo box."""
        self.controls += 1
        items = 0
        for prop in props:
            name = local(prop)
            if name in ("alias", "tag") and attribute(prop, "val"):
                kind = "title" if name == "alias" else "tag"
                self.add(f"content control {self.controls} ({kind})", attribute(prop, "val"))
            elif name in ("dropDownList", "comboBox"):
                for item in prop:
                    if local(item) != "listItem":
                        continue
                    items += 1
                    for key, kind in (("displayText", "display text"), ("value", "value")):
                        value = attribute(item, key)
                        if value and not (key == "value" and value == attribute(item, "displayText")):
                            self.add(f"content control {self.controls}, list item {items} ({kind})", value)

    def alt_text(self, element, new: bool) -> None:
        if new or not self.drawings:
            self.drawings += 1
            self._drawing_values = set()
        for key, kind in (("descr", "alt text"), ("title", "title"), ("name", "name")):
            value = element.get(key)
            if key == "name" and value and software_generated(value.strip()):
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

    def bookmarks(self) -> None:
        """Bookmark names (a person may name one "JaydenSmith") and the users an editing
        permission names; Word's own hidden bookmarks (``_GoBack``, ``_Toc68163924``) are not."""
        number = 0
        for value in self.root.xpath("//*[local-name()='bookmarkStart']/@*[local-name()='name']"):
            number += 1
            if not software_generated(str(value)):
                self.add(f"bookmark {number} (name)", _spelled(str(value)))
        for number, value in enumerate(self.root.xpath("//*[local-name()='permStart']/@*[local-name()='ed']"),
                                       start=1):
            self.add(f"editing permission {number} (user)", str(value))

    def form_fields(self) -> None:
        """Legacy form fields (FORMTEXT, FORMCHECKBOX, FORMDROPDOWN): the field's name, its
        default text, the help and status-bar texts, and the drop-down entries."""
        for number, data in enumerate(self.root.xpath("//*[local-name()='ffData']"), start=1):
            where = f"form field {number}"
            kinds = {_FORM_FIELD_KINDS.get(local(child)) for child in data} - {None}
            for child in data:
                name = local(child)
                value = attribute(child, "val")
                if name == "name" and value:
                    default_name = any(re.fullmatch(rf"{kind}\d*", value) for kind in kinds)
                    if not default_name and not software_generated(value):
                        self.add(f"{where} (name)", _spelled(value))
                elif name in ("helpText", "statusText") and value:
                    self.add(f"{where} ({'help text' if name == 'helpText' else 'status text'})", value)
                elif name in ("textInput", "ddList"):
                    for entry in child:
                        entry_value = attribute(entry, "val")
                        if local(entry) in ("default", "listEntry") and entry_value:
                            kind = "default text" if local(entry) == "default" else "drop-down entry"
                            self.add(f"{where} ({kind})", entry_value)

    def word_art(self) -> None:
        """VML WordArt keeps its text in an attribute (``v:textpath string``)."""
        for number, value in enumerate(self.root.xpath("//*[local-name()='textpath']/@string"), start=1):
            self.add(f"WordArt {number}", str(value))

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
            yield from mail_merge_units(label, root)
            yield from generic_units(label, root, names=False)
        elif kind == "people":
            for number, person in enumerate((e for e in root if local(e)), start=1):
                for element in person.iter():
                    for key, kind_ in (("author", "name"), ("userId", "user id")):
                        if attribute(element, key):
                            yield TextUnit(label, f"person {number} ({kind_})", attribute(element, key))
        else:
            package.done.discard(member)



def mail_merge_units(label: str, settings) -> Iterator[TextUnit]:
    """A mail merge's data source: connection string, query, table, field names and mapped
    columns (``w:mailMerge``, ``w:odso``) are values, not text nodes; a connection string
    names the file and often the user's folder, a query the people selected."""
    for merge in settings.xpath("*[local-name()='mailMerge']"):
        number = 0
        for element in merge.iter():
            value = attribute(element, "val")
            if value and not machine_value(value):
                number += 1
                yield TextUnit(label, f"mail merge {number} ({local(element)})", value)


def _spelled(name: str) -> str:
    """A name as words when it is written as one ("JaydenSmith" -> "Jayden Smith")."""
    return as_words(name) if re.search(r"[a-z][A-Z]|_", name) else name


def _without_cut_words(text: str, ranges: list[tuple[int, int]]) -> str | None:
    """``text`` with ``ranges`` removed, when removing one joins two pieces of a word
    (``Kay`` + ``den``); None when every change lies between words, where the text read as
    it is already holds every word of both versions."""
    if not ranges or not any(0 < start and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
                             for start, end in ranges):
        return None
    pieces = []
    position = 0
    for start, end in sorted(ranges):
        pieces.append(text[position:max(start, position)])
        position = max(position, end)
    pieces.append(text[position:])
    return "".join(pieces)
