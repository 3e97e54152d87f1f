"""Pictures: the text they carry beside their pixels.

A photo or a screenshot put into a transcript keeps who took it and what it shows in its
metadata: PNG text chunks (``tEXt``, ``zTXt``, ``iTXt``, XMP), EXIF (Artist, ImageDescription,
Copyright, XPAuthor, XPComment, UserComment, HostComputer ...), a JPEG comment, XMP and IPTC
(by-line, caption, city). All of it is read; what cameras and programs write about
themselves (make, model, software, dates, versions) is not. Vector pictures (EMF, WMF:
charts and diagrams pasted from Excel or Visio) hold their labels as text records, which are
read as text. Pixels are not read: no OCR, so the text *drawn* in a raster image is not
checked (``docs/check.md`` says so).

PNG and the vector formats are parsed here (a few dozen lines each, and no pixel is ever
decoded); JPEG, TIFF, GIF and WebP metadata is read with Pillow, imported only when such a
picture is met, and never asked to decode pixels.
"""

from __future__ import annotations

import struct
import zlib
from typing import Iterator

from ..errors import InputFileError
from ..files import local_name, parse_xml
from .extract import MAX_TEXT_FILE_BYTES, TextUnit, Unreadable, register_extractor
from .vocabulary import machine_value

# EXIF tags a camera or program writes about itself, its settings and the time: no text a
# person typed (numbers and rationals are never read: only strings are).
_MACHINE_EXIF = frozenset({
    0x000B, 0x010F, 0x0110, 0x0131, 0x0132, 0x9000, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9101,
    0x9290, 0x9291, 0x9292, 0xA000, 0xA001, 0xA420, 0xA433, 0xA434, 0xA435, 0x927C, 0x0001, 0x0002,
})
_XP_TAGS = frozenset({0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F})  # Windows' UTF-16 title/comment/author
_USER_COMMENT = 0x9286
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
# PNG keywords and XMP properties programs fill in about themselves.
_MACHINE_KEYWORDS = frozenset({"software", "creation time", "date:create", "date:modify", "date:timestamp",
                               "raw profile type exif", "raw profile type iptc", "raw profile type xmp"})
_MACHINE_XMP = ("Date", "ID", "Tool", "softwareAgent", "format", "ICCProfile", "ColorMode", "when", "action",
                "changed", "Version", "Orientation", "Resolution", "Unit", "Dimension", "Compression")


def _text_units(part: str, where: str, value: str | bytes) -> Iterator[TextUnit]:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = value.replace("\x00", " ").strip()
    if value and not machine_value(value):
        yield TextUnit(part, where, value)


def _inflate(data: bytes, name: str) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_TEXT_FILE_BYTES)
    if inflater.unconsumed_tail:
        raise InputFileError(name, "has an image text chunk that unpacks to more than "
                             f"{MAX_TEXT_FILE_BYTES // 2**20} MB; refusing a possible bomb")
    return out


def xmp_units(part: str, data: bytes, name: str) -> Iterator[TextUnit]:
    """XMP (RDF/XML): creator, title, description, rights, keywords, location; not the
    program's own properties (dates, ids, tools, history)."""
    start = data.find(b"<")
    if start < 0:
        return
    root = parse_xml(data[start:].rstrip(b"\x00 \r\n"), name, "XMP metadata")
    for element in root.iter():
        if local_name(element).endswith(_MACHINE_XMP):
            continue
        if element.text and element.text.strip():
            yield from _text_units(part, "XMP", element.text)
        for key, value in element.attrib.items():
            if not local_name(key).endswith(_MACHINE_XMP):
                yield from _text_units(part, "XMP", value)


def exif_units(part: str, exif) -> Iterator[TextUnit]:
    """Every string EXIF tag of the main and the Exif directories, XP* and UserComment
    decoded, less what the camera or program writes about itself."""
    from PIL import ExifTags

    directories = [("", dict(exif))]
    try:
        directories.append(("", dict(exif.get_ifd(_EXIF_IFD))))
    except (KeyError, ValueError, TypeError, struct.error):
        pass
    for _, tags in directories:
        for tag, value in tags.items():
            if tag in _MACHINE_EXIF or tag in (_EXIF_IFD, _GPS_IFD):
                continue
            label = f"EXIF {ExifTags.TAGS.get(tag, f'tag {tag}')}"
            if tag in _XP_TAGS:
                raw = bytes(value) if isinstance(value, (tuple, list)) else value
                if isinstance(raw, bytes):
                    yield from _text_units(part, label, raw.decode("utf-16-le", "replace"))
            elif tag == _USER_COMMENT and isinstance(value, bytes):
                code, text = value[:8], value[8:]
                encoding = "utf-16-le" if code.startswith(b"UNICODE") else "latin-1"
                yield from _text_units(part, label, text.decode(encoding, "replace"))
            elif isinstance(value, str):
                yield from _text_units(part, label, value)


# --------------------------------------------------------------------------- PNG


@register_extractor(".png")
def read_png(name: str, data: bytes) -> Iterator[TextUnit]:
    """PNG text chunks (``tEXt``, ``zTXt``, ``iTXt``: keyword and text) and EXIF (``eXIf``)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InputFileError(name, "is not a PNG image (damaged, or another format named .png)")
    position, chunks = 8, 0
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        chunks += 1
        if kind == b"IEND":
            break
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keyword, _, rest = body.partition(b"\x00")
            key = keyword.decode("latin-1", "replace")
            if kind == b"tEXt":
                text = rest.decode("latin-1", "replace")
            elif kind == b"zTXt":
                text = _inflate(rest[1:], name).decode("latin-1", "replace")
            else:
                compressed = rest[:1] == b"\x01"
                _, _, rest = rest[2:].partition(b"\x00")  # language tag
                _, _, rest = rest.partition(b"\x00")      # translated keyword
                raw = _inflate(rest, name) if compressed else rest
                if key == "XML:com.adobe.xmp":
                    yield from xmp_units("", raw, name)
                    continue
                text = raw.decode("utf-8", "replace")
            if key.lower() not in _MACHINE_KEYWORDS:
                yield from _text_units("", f"text chunk {chunks} (keyword)", key)
                yield from _text_units("", f"text chunk {chunks}", text)
        elif kind == b"eXIf":
            from PIL import Image

            exif = Image.Exif()
            try:
                exif.load(body)
            except Exception:  # noqa: BLE001 - a damaged EXIF block: the rest is still read
                raise InputFileError(name, "has an EXIF block that cannot be read") from None
            yield from exif_units("", exif)


# --------------------------------------------------------------------------- other raster images


@register_extractor(".jpg", ".jpeg", ".jpe", ".jfif", ".tif", ".tiff", ".gif", ".webp", ".bmp")
def read_image(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    """EXIF, XMP, IPTC and comments of a JPEG, TIFF, GIF, WebP or BMP (Pillow opens the file
    header only; no pixel is decoded)."""
    import io
    import warnings

    from PIL import Image, IptcImagePlugin, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
            units = list(exif_units("", image.getexif()))
            for key in ("comment", "description", "title", "author", "copyright"):
                value = image.info.get(key)
                if isinstance(value, (str, bytes)):
                    units += _text_units("", key, value)
            xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
            if isinstance(xmp, (bytes, str)):
                units += xmp_units("", xmp.encode("utf-8") if isinstance(xmp, str) else xmp, name)
            if image.format in ("JPEG", "TIFF"):
                for (record, dataset), value in (IptcImagePlugin.getiptcinfo(image) or {}).items():
                    if record == 2 and dataset != 0:
                        for item in value if isinstance(value, list) else [value]:
                            units += _text_units("", f"IPTC 2:{dataset}", item)
    except Image.DecompressionBombError:
        yield Unreadable("", "an image too large for the image library to open; its metadata was not read")
        return
    except InputFileError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise InputFileError(name, "is an image whose metadata cannot be read (damaged, or another format)",
                             "check that it opens in an image viewer") from None
    yield from units


# --------------------------------------------------------------------------- vector pictures


def _lines(runs: list[tuple[int, str]]) -> list[str]:
    """Text runs joined into lines by their baseline, with a space between runs; runs of one
    character each (a word drawn glyph by glyph) are joined without one, so the word is
    whole again."""
    lines: list[list[str]] = []
    baseline = None
    for y, text in runs:
        if not text:
            continue
        if baseline is None or y != baseline:
            lines.append([])
        lines[-1].append(text)
        baseline = y
    joined = []
    for pieces in lines:
        line = pieces[0]
        for previous, piece in zip(pieces, pieces[1:]):
            glued = len(previous.strip()) <= 1 and len(piece.strip()) <= 1
            line += piece if glued or line.endswith(" ") or piece.startswith(" ") else " " + piece
        joined.append(line)
    return [line for line in joined if line.strip()]


@register_extractor(".emf")
def read_emf(name: str, data: bytes) -> Iterator[TextUnit]:
    """EMF text records (ExtTextOutA/W) and the EMF+ DrawString records Office writes beside
    them; font names and everything else that is drawn are structure."""
    runs: list[tuple[int, str]] = []
    position = 0
    while position + 8 <= len(data):
        kind, size = struct.unpack_from("<II", data, position)
        if size < 8 or position + size > len(data):
            break
        record = data[position:position + size]
        if kind in (83, 84) and size >= 76:
            y = struct.unpack_from("<i", record, 40)[0]
            count, offset = struct.unpack_from("<II", record, 44)
            width = 2 if kind == 84 else 1
            raw = record[offset:offset + count * width]
            runs.append((y, raw.decode("utf-16-le" if width == 2 else "cp1252", "replace")))
        elif kind == 70 and record[12:16] == b"EMF+":
            runs += _emf_plus_strings(record[16:])
        position += size
        if kind == 14:  # EMR_EOF
            break
    for number, line in enumerate(_lines(runs), start=1):
        yield TextUnit("", f"text line {number}", line)


def _emf_plus_strings(data: bytes) -> list[tuple[int, str]]:
    runs = []
    position = 0
    while position + 12 <= len(data):
        kind, _, size, data_size = struct.unpack_from("<HHII", data, position)
        if size < 12 or position + size > len(data):
            break
        if kind == 0x401C and data_size >= 28:  # DrawString
            count = struct.unpack_from("<I", data, position + 20)[0]
            y = int(struct.unpack_from("<f", data, position + 28)[0])
            raw = data[position + 40:position + 40 + 2 * count]
            runs.append((y, raw.decode("utf-16-le", "replace")))
        position += size
    return runs


@register_extractor(".wmf")
def read_wmf(name: str, data: bytes) -> Iterator[TextUnit]:
    """WMF text records (TextOut, ExtTextOut)."""
    position = 22 if data[:4] == b"\xd7\xcd\xc6\x9a" else 0  # the "placeable" header
    if position + 18 > len(data):
        return
    position += struct.unpack_from("<H", data, position + 2)[0] * 2  # the header's size in words
    runs: list[tuple[int, str]] = []
    while position + 6 <= len(data):
        size_words, function = struct.unpack_from("<IH", data, position)
        size = size_words * 2
        if size < 6 or position + size > len(data) or function == 0:
            break
        record = data[position + 6:position + size]
        if function == 0x0521 and len(record) >= 2:  # TextOut
            length = struct.unpack_from("<H", record)[0]
            text = record[2:2 + length]
            after = 2 + length + (length & 1)
            y = struct.unpack_from("<h", record, after)[0] if len(record) >= after + 2 else 0
            runs.append((y, text.decode("cp1252", "replace")))
        elif function == 0x0A32 and len(record) >= 8:  # ExtTextOut
            y, _, length, options = struct.unpack_from("<hhhH", record)
            start = 8 + (8 if options & 0x0006 else 0)
            runs.append((y, record[start:start + max(length, 0)].decode("cp1252", "replace")))
        position += size
    for number, line in enumerate(_lines(runs), start=1):
        yield TextUnit("", f"text line {number}", line)
