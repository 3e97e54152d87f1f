"""One reader of OOXML packages (.docx, .xlsx, .pptx): parts, content types, relationships,
run text and document properties, over the guarded zip and XML primitives of ``qual.files``.

An OOXML file is an OPC package: a zip of parts, a ``[Content_Types].xml`` that says what each
part is, and ``_rels/*.rels`` relationship parts that say how the parts hang together. Parts are
found the way Word and Excel find them — through the package's relationships and the content
types — and, when a package lacks those (hand-made or damaged files), by what the part holds
(the name and namespace of its root element), never by its file name alone: a main document
stored as ``word/document.bin`` or a header as ``header1.bin`` is found through the
relationships.

Used by transcript ingest (``qual.ingest.docx``), ``qual check`` (``qual.check.office``) and
the import of Word comments as human codes (``qual.coding.human``).
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterator, NamedTuple
from urllib.parse import unquote

from .errors import InputFileError
from .files import MAX_MEMBER_BYTES, local_name, open_zip, parse_xml, read_member

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
CONTENT_TYPES = "[Content_Types].xml"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

# What a package's main part is, from its content type or, failing that, its root element.
KIND_CONTENT_TYPES = {
    "word": ("wordprocessingml", "ms-word"),
    "excel": ("spreadsheetml", "ms-excel"),
    "powerpoint": ("presentationml", "ms-powerpoint"),
}
KIND_ROOTS = {"document": "word", "workbook": "excel", "presentation": "powerpoint"}
# The three property parts (docProps/core.xml, app.xml, custom.xml in a usual package).
PROPERTY_RELATIONSHIPS = {"core": "core-properties", "extended": "extended-properties",
                          "custom": "custom-properties"}
PROPERTY_CONTENT_TYPES = {
    "core": "application/vnd.openxmlformats-package.core-properties+xml",
    "extended": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "custom": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
}
# Parts with no text a person typed, only names of styles, fonts and colours; large, so not read.
TEXTLESS_ROOTS = frozenset({"styles", "styleSheet", "fonts", "numbering", "webSettings", "theme", "themeOverride",
                            "Types"})
TEXTLESS_CONTENT_TYPES = ("styles+xml", "stylesWithEffects+xml", "fontTable+xml", "numbering+xml",
                          "webSettings+xml", "theme+xml", "themeOverride+xml")
# Core and app property elements, named as the standards name them.
PROPERTY_NAMES = frozenset("""
title subject creator keywords description lastModifiedBy category contentStatus identifier
language version revision Template Manager Company HyperlinkBase Application AppVersion
DocSecurity TitlesOfParts HeadingPairs Pages Words Characters CharactersWithSpaces Lines
Paragraphs TotalTime ScaleCrop LinksUpToDate SharedDoc HyperlinksChanged Notes Slides
HiddenSlides MMClips PresentationFormat
""".split())
# Written by the application, never typed by a person: timestamps, counts, the program's name.
MACHINE_PROPERTIES = frozenset("""
created modified lastPrinted Application AppVersion DocSecurity ScaleCrop LinksUpToDate SharedDoc
HyperlinksChanged TotalTime Pages Words Characters CharactersWithSpaces Lines Paragraphs Slides
Notes HiddenSlides MMClips
""".split())
_CORE_NAMES = {"creator": "author", "lastModifiedBy": "last_modified_by", "contentStatus": "content_status",
               "lastPrinted": "last_printed", "description": "comments"}
# The root element of an XML part, read from its first bytes (prolog, comments and DOCTYPE skipped).
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.S)
_ROOT = re.compile(rb"\s*<(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)([^>]*)")
_XMLNS = re.compile(rb"""xmlns(?::([\w.\-]+))?\s*=\s*["']([^"']*)["']""")
ROOT_HEAD_BYTES = 16_384


class Relationship(NamedTuple):
    """One relationship of a part: ``target`` is a part name (or a URL when ``external``)."""

    id: str
    type: str  # the full relationship type URI
    target: str
    external: bool

    @property
    def kind(self) -> str:
        """The type's last segment: 'officeDocument', 'header', 'comments', 'core-properties'..."""
        return self.type.rsplit("/", 1)[-1]


class Package:
    """An OPC package: its parts, what they are, and how they relate.

    ``max_part_bytes`` bounds what ``read`` unpacks of one part (the archive itself is vetted by
    ``open_zip``). Parsed parts are kept: a part is parsed once however often it is asked for.
    """

    def __init__(self, path, data: bytes | None = None, *, max_part_bytes: int = MAX_MEMBER_BYTES) -> None:
        self.path = path
        self.archive = open_zip(path, data)
        self.max_part_bytes = max_part_bytes
        self.names = [info.filename for info in self.archive.infolist() if not info.is_dir()]
        self._by_folded = {}
        for name in self.names:
            self._by_folded.setdefault(name.lower(), name)  # part names are case-insensitive
        self._parsed: dict[str, object] = {}
        self._relationships: dict[str, list[Relationship]] = {}
        self._overrides: dict[str, str] | None = None
        self._defaults: dict[str, str] = {}
        self._targets: set[str] | None = None

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.archive.close()

    # ------------------------------------------------------------------ parts

    def part_name(self, name: str) -> str | None:
        """The member ``name`` refers to (part names are case-insensitive), or None."""
        return self._by_folded.get(name.lstrip("/").lower())

    def has(self, name: str) -> bool:
        return self.part_name(name) is not None

    def size(self, name: str) -> int:
        return self.archive.getinfo(name).file_size

    def label(self, name: str) -> str:
        """How errors name a part (a subclass may hide names that could identify)."""
        return name

    def read(self, name: str) -> bytes:
        """A part's bytes, refused beyond ``max_part_bytes`` whatever the zip header claims."""
        if self.size(name) > self.max_part_bytes:
            raise InputFileError(self.path, f"has a part ({self.label(name)}) that unpacks to more than "
                                 f"{self.max_part_bytes // 2**20} MB")
        return read_member(self.archive, name, self.path)

    def stored_digest(self, name: str) -> bytes | None:
        """A digest of the part as stored in the zip (compressed), read without unpacking it:
        two parts stored alike unpack alike, so it keys what is derived from a part's bytes
        (a template's styles, the same in every transcript made from it). None when the
        part is encrypted or its local header does not read as zip's format says."""
        import hashlib
        import struct
        import zipfile

        info = self.archive.getinfo(name)
        handle = self.archive.fp
        if info.flag_bits & 0x1 or handle is None:
            return None
        try:
            position = handle.tell()
            try:
                handle.seek(info.header_offset)
                header = handle.read(zipfile.sizeFileHeader)
                if len(header) != zipfile.sizeFileHeader:
                    return None
                fields = struct.unpack(zipfile.structFileHeader, header)
                if fields[zipfile._FH_SIGNATURE] != zipfile.stringFileHeader:
                    return None
                handle.seek(fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
                stored = handle.read(info.compress_size)
            finally:
                handle.seek(position)
        except (OSError, struct.error, ValueError, AttributeError):  # (zipfile's layout names moved)
            return None
        if len(stored) != info.compress_size:
            return None
        digest = hashlib.blake2b(stored, digest_size=20)
        digest.update(struct.pack("<HQ", info.compress_type, info.file_size))
        return digest.digest()

    def xml(self, name: str):
        """A part parsed (``qual.files.parse_xml``: no entities, no network), once."""
        if name not in self._parsed:
            self._parsed[name] = parse_xml(self.read(name), self.path, self.label(name))
        return self._parsed[name]

    def root_name(self, name: str) -> tuple[str, str]:
        """(namespace, local name) of a part's root element, read from its first bytes only;
        ("", "") when the part does not start like XML."""
        with self.archive.open(name) as handle:
            head = handle.read(ROOT_HEAD_BYTES)
        head = head.removeprefix(b"\xef\xbb\xbf")
        position = 0
        while match := _PROLOG.match(head, position):
            position = match.end()
        root = _ROOT.match(head, position)
        if root is None:
            return "", ""
        prefix = (root.group(1) or b"").decode("ascii", "replace")
        namespaces = {(m.group(1) or b"").decode("ascii", "replace"): m.group(2).decode("utf-8", "replace")
                      for m in _XMLNS.finditer(root.group(3))}
        return namespaces.get(prefix, ""), root.group(2).decode("ascii", "replace")

    # ------------------------------------------------------------------ content types

    def content_type(self, name: str) -> str:
        """The part's content type from ``[Content_Types].xml`` (an Override for the part, else
        the Default for its extension); "" when the package does not say."""
        if self._overrides is None:
            self._overrides = {}
            types = self.part_name(CONTENT_TYPES)
            if types is not None:
                for element in self.xml(types):
                    kind = local_name(element)
                    if kind == "Override" and element.get("PartName"):
                        part = element.get("PartName").lstrip("/").lower()
                        self._overrides[part] = element.get("ContentType", "")
                    elif kind == "Default" and element.get("Extension"):
                        self._defaults[element.get("Extension").lower()] = element.get("ContentType", "")
        override = self._overrides.get(name.lower())
        if override is not None:
            return override
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        return self._defaults.get(extension, "")

    def is_xml(self, name: str) -> bool:
        """Whether a part is XML: its content type says so, or (when the package has no content
        type for it) it is a relationship target or has an XML extension and starts like XML."""
        content_type = self.content_type(name)
        if content_type:
            return content_type.endswith(("xml", "vmlDrawing"))
        if not (name.lower().endswith((".xml", ".rels", ".vml")) or name in self.relationship_targets()):
            return False
        return self.root_name(name) != ("", "")

    def is_textless(self, name: str) -> bool:
        """Styles, fonts, numbering, themes, web settings and the content types: no typed text."""
        content_type = self.content_type(name)
        if content_type.endswith(TEXTLESS_CONTENT_TYPES):
            return True
        return self.root_name(name)[1] in TEXTLESS_ROOTS

    # ------------------------------------------------------------------ relationships

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of part ``source`` ("" for the package's own), targets resolved to
        member names; internal targets that are not in the package are left out."""
        if source in self._relationships:
            return self._relationships[source]
        folder, base = posixpath.split(source)
        rels_name = self.part_name(posixpath.join(folder, "_rels", f"{base}.rels"))
        found: list[Relationship] = []
        if rels_name is not None:
            for rel in self.xml(rels_name):
                if local_name(rel) != "Relationship":
                    continue
                target = rel.get("Target") or ""
                external = (rel.get("TargetMode") or "").lower() == "external"
                if not external:
                    resolved = self._resolve(folder, target)
                    if resolved is None:
                        continue
                    target = resolved
                found.append(Relationship(rel.get("Id") or "", rel.get("Type") or "", target, external))
        self._relationships[source] = found
        return found

    def _resolve(self, folder: str, target: str) -> str | None:
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        return self.part_name(path) or self.part_name(unquote(path))

    def related(self, source: str) -> dict[str, list[str]]:
        """Relationship kind ('header', 'comments', ...) -> internal target parts, in file order."""
        found: dict[str, list[str]] = {}
        for rel in self.relationships(source):
            if not rel.external:
                found.setdefault(rel.kind, []).append(rel.target)
        return found

    def relationship_targets(self) -> set[str]:
        """Every part some relationship in the package points to."""
        if self._targets is None:
            self._targets = set()
            for rels_name in self.relationship_parts():
                folder = posixpath.dirname(posixpath.dirname(rels_name))
                source = posixpath.join(folder, posixpath.basename(rels_name)[: -len(".rels")]).rstrip("/")
                self._targets.update(rel.target for rel in self.relationships(source) if not rel.external)
        return self._targets

    def relationship_parts(self) -> Iterator[str]:
        """The relationship parts (``_rels/*.rels``), in file order."""
        return (name for name in self.names if name.lower().endswith(".rels")
                and posixpath.basename(posixpath.dirname(name)) == "_rels")

    # ------------------------------------------------------------------ what the package is

    def main_part(self) -> str | None:
        """The main part (document, workbook, presentation): the package's officeDocument
        relationship, else the part whose content type or root element says so."""
        for rel in self.relationships(""):
            if rel.kind == "officeDocument" and not rel.external:
                return rel.target
        for name in self.names:
            content_type = self.content_type(name)
            if content_type.endswith("main+xml") and _kind_of_content_type(content_type) is not None:
                return name
        for name in self.names:
            if name != CONTENT_TYPES and self.is_xml(name) and self.root_name(name)[1] in KIND_ROOTS:
                return name
        return None

    def kind_of(self, name: str) -> str | None:
        """'word', 'excel' or 'powerpoint' for a main part, from its content type, else its root."""
        kind = _kind_of_content_type(self.content_type(name))
        if kind is None:
            kind = KIND_ROOTS.get(self.root_name(name)[1])
        return kind

    def property_parts(self) -> dict[str, list[str]]:
        """'core', 'extended', 'custom' -> their parts: through the package's relationships, else
        their content types, else their root element (coreProperties, Properties)."""
        found: dict[str, list[str]] = {}
        related = self.related("")
        for kind, rel_kind in PROPERTY_RELATIONSHIPS.items():
            parts = list(related.get(rel_kind, []))
            for name in self.names:
                if name not in parts and self.content_type(name) == PROPERTY_CONTENT_TYPES[kind]:
                    parts.append(name)
            if parts:
                found[kind] = parts
        if found:
            return found
        for name in self.names:
            if name == CONTENT_TYPES or not self.is_xml(name):
                continue
            namespace, root = self.root_name(name)
            if root == "coreProperties":
                found.setdefault("core", []).append(name)
            elif root == "Properties" and "extended-properties" in namespace:
                found.setdefault("extended", []).append(name)
            elif root == "Properties" and "custom-properties" in namespace:
                found.setdefault("custom", []).append(name)
        return found

    def properties(self) -> dict[str, str]:
        """Core (title, author, dates...), extended (Company, Manager) and custom properties."""
        properties: dict[str, str] = {}
        parts = self.property_parts()
        for name in parts.get("core", []):
            for element in self.xml(name):
                local = local_name(element)
                value = (element.text or "").strip()
                if local and value:
                    properties[_CORE_NAMES.get(local, local)] = value
        for name in parts.get("extended", []):
            for element in self.xml(name):
                local = local_name(element)
                if local in ("Company", "Manager", "HyperlinkBase") and (element.text or "").strip():
                    properties[local.lower()] = element.text.strip()
        for name in parts.get("custom", []):
            for prop in self.xml(name):
                key = prop.get("name")
                value = "".join(prop.itertext()).strip()
                if key and value:
                    properties[f"custom:{key}"] = value
        return properties


def _kind_of_content_type(content_type: str) -> str | None:
    for kind, markers in KIND_CONTENT_TYPES.items():
        if any(marker in content_type for marker in markers):
            return kind
    return None


# --------------------------------------------------------------------------- WordprocessingML text


def run_text(element) -> str:
    """The text an element of a run adds: ``w:t``, a tab, a line break, a non-breaking hyphen."""
    tag = element.tag
    if tag == f"{W}t":
        return element.text or ""
    if tag == f"{W}tab":
        return "\t"
    if tag in (f"{W}br", f"{W}cr"):
        return "\n"
    if tag == f"{W}noBreakHyphen":
        return "-"
    return ""


def paragraph_text(paragraph) -> str:
    """A ``w:p``'s text as Word shows it (runs joined, tabs and breaks kept)."""
    return "".join(run_text(element) for element in paragraph.iter())


# --------------------------------------------------------------------------- SpreadsheetML text


def string_item_text(element) -> str:
    """The text of a shared or inline string (``si``, ``is``) (runs joined;
    phonetic guides kept apart)."""
    main = []
    phonetic = []
    for child in element:
        name = local_name(child)
        if name == "t":
            main.append(child.text or "")
        elif name == "r":
            main.extend(t.text or "" for t in child if local_name(t) == "t")
        elif name == "rPh":
            phonetic.extend(t.text or "" for t in child if local_name(t) == "t")
    text = "".join(main)
    return text + ("\n" + "".join(phonetic) if phonetic else "")
