"""Text from every place a file keeps it, as :class:`TextUnit` objects that say where.

``extract_text_units(path)`` picks a reader by the file's suffix from the
``check_extractors`` registry of :mod:`qual.plugins`. Each reader is a small function; qual's
own are in ``text_formats``, ``office`` and ``qdpx`` (listed in
``qual.plugins.BUILTIN_MODULES``), and a project adds a format with
:func:`register_extractor`, or from another package through the ``qual_check_extractors``
entry-point group (the entry point's name is the suffix)::

    @register_extractor(".odt")
    def read_odt(name, data):
        yield TextUnit("content.xml", "paragraph 1", ...)

This module holds what every reader shares (:class:`TextUnit`, :class:`Unreadable`, the size
limits, :func:`extract_member` for documents inside documents, :func:`sniff` for files whose
name does not say what they are); the readers import it, and it imports none of them.

A file whose suffix no reader is registered for (no suffix at all, ``.dat``, ``.bak``) is not
skipped: :func:`sniff` looks at its first bytes and hands it to the reader of what it really
is (a zip-based Office or OpenDocument file, an OLE compound file, PDF, gzip, an image, RTF,
XML, or text). Only what is none of these is :class:`Unreadable`, and so listed, never passed.

A unit's ``part`` and ``location`` are built from the file's structure only (part names of
the format, numbers, a fixed vocabulary): never from its text, so that reporting a location
cannot repeat an identifier. What a reader cannot read raises ``InputFileError`` with a
one-line message that names the file and quotes nothing of it.
"""

from __future__ import annotations

import contextvars
import logging
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator

from .. import plugins
from ..errors import InputFileError

log = logging.getLogger("qual.check.extract")

# Bigger inputs are refused rather than read into memory: no transcript, sheet or project
# comes close, and a gate that runs out of memory in CI is a broken gate.
MAX_FILE_BYTES = 512 * 1024 * 1024
# The text of one file is analysed as a whole (a name found once is searched for everywhere in
# it), at about a megabyte a second and some 50 bytes of memory a character: 16 million
# characters is some 2.5 million words, twice a whole IPE's transcripts in one file.
MAX_CHECK_CHARACTERS = 16 * 2**20
# A text file (or an archive part holding XML) bigger than this cannot hold less text than
# the limit above allows, with its markup; it is refused before it is decoded or parsed.
MAX_TEXT_FILE_BYTES = 4 * MAX_CHECK_CHARACTERS
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text", ".rst", ".yaml", ".yml", ".csv", ".tsv",
                            ".tab", ".json", ".geojson", ".ipynb", ".jsonl", ".ndjson", ".vtt", ".srt",
                            ".html", ".htm", ".xhtml", ".log", ".xml", ".rtf"})
# How deep documents inside documents (a .docx inside a .qdpx) are followed.
MAX_NESTING = 3
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("qual_check_depth", default=0)


@dataclass(frozen=True)
class TextUnit:
    """One piece of text and where it lives.

    ``part``: the part of the file (``word/document.xml``, ``sheet 2``, ``sources/<guid>.txt``;
    empty for a plain text file). ``location``: where in the part (``paragraph 12``, ``cell B7``,
    ``comment 3``). ``first_line``: set when ``text`` is a run of the file's lines starting at
    that line; findings are then located by line. ``regions``: labelled ranges of ``text``
    (``tracked deletion``, ``field code``) that a finding inside them is reported with.
    """

    part: str
    location: str
    text: str
    first_line: int | None = None
    regions: tuple[tuple[int, int, str], ...] = ()

    def __repr__(self) -> str:  # the text may hold identifiers
        return f"TextUnit({self.part!r}, {self.location!r}, <{len(self.text)} chars>)"


_NUMBER_LIKE = re.compile(r"[\d\s.,:;/+()\-]*")
_INTEGER = re.compile(r"-?(\d+)(?:\.0+)?")


def number_worth_reading(text: str, typed: bool = False) -> bool:
    """Whether a value made only of digits and separators could be an identifier.

    A typed number (a JSON number, an Excel numeric cell) cannot keep a phone number's leading
    zero: it is read when it is a whole number of 9 or more digits (a phone without its 0, an
    NHS number). A string of digits is read when it has 6 or more digits and a separator
    ("07700 900123", "2019-03-14"), or 9 or more without. Shorter runs are counts, offsets,
    years and scores, which fill every table qual writes.
    """
    if typed:
        match = _INTEGER.fullmatch(text.strip())
        return bool(match) and len(match.group(1)) >= 9
    digits = sum(c.isdigit() for c in text)
    separated = any(not c.isdigit() for c in text.strip())
    return digits >= 9 or (digits >= 6 and separated)


def is_number_like(text: str) -> bool:
    return bool(_NUMBER_LIKE.fullmatch(text))


@dataclass(frozen=True)
class Unreadable:
    """A part of a file whose content qual check cannot read. A part of a type it does not
    read (a PDF source inside a .qdpx) is a note by default and an error with ``strict``; a
    damaged part (``damaged=True``) is always an error. The rest of the file is still read."""

    part: str
    reason: str
    damaged: bool = False


Extractor = Callable[[str, bytes], Iterable["TextUnit | Unreadable"]]
KIND = "check_extractors"


def register_extractor(*suffixes: str) -> Callable[[Extractor], Extractor]:
    """Register ``reader(name, data) -> Iterable[TextUnit]`` for files with these suffixes
    (a convenience over ``qual.plugins.register("check_extractors", suffix)``)."""

    def decorate(reader: Extractor) -> Extractor:
        for suffix in suffixes:
            plugins.register(KIND, suffix.lower())(reader)
        return reader

    return decorate


def _extractors() -> dict[str, Extractor]:
    return plugins.get_all(KIND)


def supported_suffixes() -> frozenset[str]:
    return frozenset(_extractors())


def is_supported(path: str | Path) -> bool:
    return Path(path).suffix.lower() in supported_suffixes()


def extract_text_units(path: str | Path, data: bytes | None = None) -> Iterator["TextUnit | Unreadable"]:
    """Every piece of text in the file at ``path`` (or in ``data``, named by ``path``), and an
    :class:`Unreadable` for each part whose content cannot be read as text."""
    path = Path(path)
    if data is None:
        data = read_input(path)
    reader = _reader_for(path.name, path, data)
    if reader is None:
        yield Unreadable("", f"{_kind_of(path.name)} qual check cannot read (it is not text and "
                         "not a format it knows)")
        return
    yield from reader(str(path), data)


def _kind_of(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return f"a {suffix} file" if suffix and len(suffix) <= 8 and suffix[1:].isalnum() else "a file"


def read_input(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES or (size > MAX_TEXT_FILE_BYTES and path.suffix.lower() in _TEXT_SUFFIXES):
            limit = MAX_TEXT_FILE_BYTES if size <= MAX_FILE_BYTES else MAX_FILE_BYTES
            raise InputFileError(path, f"is {size // 2**20} MB, larger than the {limit // 2**20} MB qual check "
                                 "reads in one file", "split it into smaller files and check those")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except IsADirectoryError:
        raise InputFileError(path, "is a directory") from None
    except PermissionError:
        raise InputFileError(path, "cannot be read (permission denied)") from None
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or 'I/O error'})") from None


def extract_member(container: str, member: str, data: bytes,
                   label: str | None = None) -> list["TextUnit | Unreadable"]:
    """Units of a document stored inside another (a source in a .qdpx, an embedded workbook),
    each part prefixed with ``label`` (a safe name for the member; ``member`` by default)."""
    label = label or member
    depth = _DEPTH.get()
    if depth >= MAX_NESTING:
        return [Unreadable(label, "nested too deeply to be read", damaged=True)]
    reader = _reader_for(member, container, data)
    if reader is None:
        return [Unreadable(label, f"{_kind_of(member)} qual check cannot read (not text, not a known format)")]
    token = _DEPTH.set(depth + 1)
    units: list[TextUnit | Unreadable] = []
    try:
        for unit in reader(container, data):
            units.append(unit)
    except InputFileError as error:
        # a damaged document inside another: reported, and the container is read on
        units.append(Unreadable("", error.problem, damaged=True))
    finally:
        _DEPTH.reset(token)
    return [Unreadable(f"{label}/{unit.part}" if unit.part else label, unit.reason, unit.damaged)
            if isinstance(unit, Unreadable) else
            TextUnit(f"{label}/{unit.part}" if unit.part else label, unit.location, unit.text,
                     unit.first_line, unit.regions) for unit in units]


def can_extract(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in supported_suffixes()


def _reader_for(name: str, path: str | Path, data: bytes | None = None) -> Extractor | None:
    """The reader registered for the name's suffix, else the reader of what ``data`` is
    (:func:`sniff`); None when it is nothing qual check reads."""
    suffix = PurePosixPath(name).suffix.lower()
    readers = _extractors()
    reader = readers.get(suffix)
    if reader is not None:
        return reader
    if data is None:
        kinds = ", ".join(sorted(readers))
        raise InputFileError(path, f"is a {suffix or 'suffix-less'} file, which qual check does not read",
                             f"it reads {kinds}")
    sniffed = sniff(data)
    return readers.get(sniffed) if sniffed else None


# --------------------------------------------------------------------------- sniffing

SNIFF_BYTES = 8192
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"),
                (b"GIF89a", ".gif"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"), (b"BM", ".bmp"))
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_START = re.compile(rb"\s*(?:<\?xml|<!--|<[A-Za-z_][\w.:-]*[\s>/])")
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


def sniff(data: bytes) -> str | None:
    """The suffix of the format ``data`` is in, from its first bytes, whatever its name says;
    None for a binary format qual check does not know.

    Containers: a zip holding ``[Content_Types].xml`` is an Office file (.docx/.xlsx/.pptx:
    one reader), one whose ``mimetype`` says OpenDocument is .odt, one holding a ``.qde``
    is .qdpx, any other zip is .zip; an OLE compound file, an SQLite database, PDF, gzip, PNG, JPEG, GIF, TIFF,
    BMP, WebP, EMF and WMF by their signatures. Text: RTF, HTML, XML and WebVTT by how they
    start, anything else that decodes as text is plain text.
    """
    head = data[:SNIFF_BYTES]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(OLE_MAGIC):
        return ".ole"
    if head.startswith(b"SQLite format 3\x00"):
        return ".sqlite"
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return ".pdf"
    if head.startswith(b"\x1f\x8b"):
        return ".gz"
    for magic, suffix in _IMAGE_MAGIC:
        if head.startswith(magic):
            return suffix
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head[:4] == b"\x01\x00\x00\x00" and head[40:44] == b" EMF":
        return ".emf"
    if head[:4] == b"\xd7\xcd\xc6\x9a" or (head[:6] in (b"\x01\x00\x09\x00\x00\x03", b"\x02\x00\x09\x00\x00\x03")):
        return ".wmf"
    if not looks_like_text(head):
        return None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return ".rtf"
    if stripped.startswith(b"WEBVTT"):
        return ".vtt"
    if _HTML_START.match(stripped):
        return ".html"
    if _XML_START.match(stripped):
        return ".xml"
    return ".txt"


def looks_like_text(head: bytes) -> bool:
    """Text in some encoding: a UTF-16/32 byte-order mark, or no NUL byte and hardly any
    control characters (a binary format has both within its first kilobytes)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if not head or b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls <= len(head) // 100


def _sniff_zip(data: bytes) -> str:
    from ..files import open_zip

    try:
        with open_zip("", data) as archive:
            names = archive.namelist()
            lowered = {name.lower() for name in names}
            if "[content_types].xml" in lowered:
                return ".docx"  # the Office reader tells Word, Excel and PowerPoint apart itself
            if "mimetype" in lowered:
                with archive.open("mimetype") as handle:
                    if handle.read(100).startswith(b"application/vnd.oasis.opendocument"):
                        return ".odt"
            if any(name.lower().endswith(".qde") for name in names):
                return ".qdpx"
    except (InputFileError, OSError, ValueError):
        pass  # the reader it goes to refuses it with a clear line
    return ".zip"
