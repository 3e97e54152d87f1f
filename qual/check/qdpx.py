"""REFI-QDA projects: the .qde project XML and every source stored in a .qdpx.

In the project XML every element's text (source contents, notes, descriptions, variable
values) and every attribute that is not a GUID, number, date, flag or colour (source, case,
user and code names, paths) is read. Sources are read with the reader for their type
(.txt, .docx ...); a source qual check cannot read (PDF, audio, pictures) is listed as not
scanned. Locations name REFI-QDA's elements (``TextSource 3 @name``,
``Note 2, PlainTextContent``); an archive member is named when it has the standard
``sources/<GUID>.<ext>`` form, else by number.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..errors import InputFileError
from ..files import open_zip, parse_xml, read_member
from .extract import TextUnit, Unreadable, extract_member, register_extractor
from .package import local

# Element and attribute names of the REFI-QDA project schema (Project-mrt2019.xsd).
REFI_NAMES = frozenset("""
AudioSelection AudioSource BooleanValue Case Cases Code CodeBook CodeRef Codes Coding
DateTimeValue DateValue Description Edge FloatValue Graph Graphs IntegerValue Link Links
MemberCode MemberNote MemberSource Note NoteRef Notes PDFSelection PDFSource
PictureSelection PictureSource PlainTextContent PlainTextSelection Project Representation
SelectionRef Set Sets SourceRef Sources SyncPoint TextDescription TextSource TextValue
Transcript TranscriptSelection User Users Variable VariableRef VariableValue Variables Vertex
VideoSelection VideoSource basePath begin color creatingUser creatingUserGUID creationDateTime
currentPath direction end endPosition firstX firstY fromSyncPoint guid id isCodable lineStyle
modifiedDateTime modifyingUser modifyingUserGUID name origin originGUID page path
plainTextPath position representedGUID richTextPath secondX secondY shape sourceVertex
startPosition targetGUID targetVertex timeStamp toSyncPoint typeOfVariable
""".split())
_GUID = r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
_NOT_TEXT = re.compile(
    rf"{_GUID}|[-+]?\d+(?:\.\d+)?|true|false|#[0-9a-fA-F]{{6}}"
    r"|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|solid|dotted|dashed|OneWay|Bidirectional|Associative|Text|Date|DateTime|Boolean|Float|Integer"
)
_SOURCE_MEMBER = re.compile(rf"(?:[Ss]ources/)?{_GUID}\.[A-Za-z0-9]{{1,5}}")


def _name(element_or_attribute: str) -> str:
    return element_or_attribute if element_or_attribute in REFI_NAMES else "element"


def qde_units(part: str, root) -> Iterator[TextUnit]:
    counts: dict[str, int] = {}
    labels: dict = {}

    def label_of(element) -> str:
        if element not in labels:
            name = _name(local(element))
            counts[name] = counts.get(name, 0) + 1
            labels[element] = f"{name} {counts[name]}"
        return labels[element]

    for element in root.iter():
        name = local(element)
        if not name:
            if element.text and element.text.strip():  # an XML comment
                yield TextUnit(part, "XML comment", element.text)
            continue
        label = label_of(element)
        for key, value in element.attrib.items():
            attribute = key.rsplit("}", 1)[-1]
            if value.strip() and not _NOT_TEXT.fullmatch(value.strip()):
                yield TextUnit(part, f"{label} @{_name(attribute)}", value)
        if element.text and element.text.strip():
            parent = element.getparent()
            where = f"{label_of(parent)}, {_name(name)}" if parent is not None else label
            yield TextUnit(part, where, element.text)
        if element.tail and element.tail.strip():
            yield TextUnit(part, f"after {label}", element.tail)


@register_extractor(".qde")
def read_qde(name: str, data: bytes) -> Iterator[TextUnit]:
    yield from qde_units("", parse_xml(data, name, "project XML"))


@register_extractor(".qdpx")
def read_qdpx(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    archive = open_zip(name, data)
    try:
        members = [info.filename for info in archive.infolist() if not info.is_dir()]
        projects = [m for m in members if m.lower().endswith(".qde")]
        for number, member in enumerate(members, start=1):
            standard = member in projects and "/" not in member and re.fullmatch(r"[A-Za-z]{1,20}\.qde", member)
            label = member if standard or _SOURCE_MEMBER.fullmatch(member) else f"member {number}"
            if label != member:
                yield TextUnit(label, "member name", member)
            content = read_member(archive, member, name)
            if member in projects:
                yield from qde_units(label, parse_xml(content, name, label))
            elif content.strip():  # read by its suffix, else by what it is; else listed as unread
                yield from extract_member(name, member, content, label)
        if not projects:
            raise InputFileError(name, "holds no project (.qde) file; it is not a REFI-QDA project",
                                 "export it again from the QDA program")
    finally:
        archive.close()
