"""OLE compound files: legacy Word documents and backups (.doc, .dot, .wbk) and the objects
Office embeds (``word/embeddings/oleObject1.bin``).

A compound file is a small file system of storages and streams, read with the well-kept
``olefile`` package. What is read:

* the summary properties every compound file may carry (title, subject, author, keywords,
  comments, last saved by, template, company, manager, category);
* a Word 97-2003 document (``WordDocument`` stream): its whole text (body, footnotes,
  headers, comments, endnotes and text boxes, deleted text of tracked changes included),
  through the piece table of its table stream as [MS-DOC] describes it;
* an embedded package (``\\x01Ole10Native``, what Word makes of a file dragged into a
  document): its label, the paths it was copied from, and the file itself, read with the
  reader of what it is (within the nesting bound);
* any other stream that holds a file of a known kind (a PDF, a zip, text) is read as that.

What the application writes for itself (``\\x01CompObj``, ``\\x03ObjInfo``, the preview
pictures ``\\x02OlePres000``) is structure. Legacy Excel and PowerPoint contents, macro
projects and other binary streams are listed as unread, never passed silently.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Iterator

from ..errors import InputFileError
from .extract import MAX_CHECK_CHARACTERS, TextUnit, Unreadable, extract_member, register_extractor, sniff
from .vocabulary import software_generated

# Summary properties (olefile's names) a person or their account fills in.
_PROPERTIES = ("title", "subject", "author", "keywords", "comments", "template", "last_saved_by",
               "category", "manager", "company")
# The binary contents of the other Office 97-2003 formats, by their main stream.
_LEGACY_CONTENTS = {"Workbook": "legacy Excel (97-2003) cells", "Book": "legacy Excel (5.0) cells",
                    "PowerPoint Document": "legacy PowerPoint (97-2003) slides",
                    "Equation Native": "an equation", "VBA": "macro code (VBA)", "_VBA_PROJECT_CUR": "macro code (VBA)"}
# Word 97 control characters, each mapped to one character so offsets are kept.
_WORD_CONTROLS = str.maketrans({"\r": "\n", "\x07": "\t", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n",
                                "\x13": " ", "\x14": " ", "\x15": " ", "\x01": " ", "\x08": " ",
                                "\x02": " ", "\x05": " ", "\x1e": "-", "\x1f": " "})


@register_extractor(".ole", ".doc", ".dot", ".wbk")
def read_ole(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error, IndexError):
        raise InputFileError(name, "is a damaged OLE compound file (legacy Office)",
                             "open it in its application and save it again") from None
    try:
        streams = ole.listdir(streams=True, storages=False)
        top = {path[0] for path in streams}
        if {"EncryptionInfo", "EncryptedPackage"} <= top:
            raise InputFileError(name, "is password-protected (encrypted), which qual check cannot read",
                                 "remove the password, then check it")
        yield from _property_units(ole)
        unread: set[str] = set()
        for path in streams:
            yield from _stream_units(ole, name, path, unread)
    except (OSError, ValueError, struct.error, IndexError):
        raise InputFileError(name, "is a damaged OLE compound file (legacy Office)",
                             "open it in its application and save it again") from None
    finally:
        ole.close()


def _property_units(ole) -> Iterator[TextUnit]:
    try:
        meta = ole.get_metadata()
    except Exception:  # noqa: BLE001 - damaged property sets: the streams are still read
        return
    encoding = f"cp{meta.codepage}" if getattr(meta, "codepage", None) else "cp1252"
    for attribute in _PROPERTIES:
        value = getattr(meta, attribute, None)
        if isinstance(value, bytes):
            try:
                value = value.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                value = value.decode("latin-1")
        if isinstance(value, str) and value.strip("\x00 ") and not software_generated(value.strip("\x00 ")):
            yield TextUnit("properties", f"property {attribute}", value.strip("\x00 "))


def _label(path: list[str]) -> str:
    # a stream's own name, unless it could be anything: then a number stable across runs
    parts = [part if part.isprintable() and software_generated(part) else f"stream {zlib.crc32(part.encode()) % 1000}"
             for part in (p.lstrip("\x01\x02\x03\x05") for p in path)]
    return "/".join(parts)


def _stream_units(ole, name: str, path: list[str], unread: set[str]) -> Iterator[TextUnit | Unreadable]:
    leaf = path[-1]
    folder = path[:-1]
    if leaf.startswith(("\x01", "\x02", "\x03", "\x05")) and leaf != "\x01Ole10Native":
        return  # CompObj, Ole, ObjInfo, previews, property sets (read above): the application's own
    legacy = next((what for key, what in _LEGACY_CONTENTS.items() if key in path), None)
    if legacy is not None:
        if legacy not in unread:
            unread.add(legacy)
            yield Unreadable(_label(path), f"{legacy}, which qual check does not read")
        return
    if leaf in ("1Table", "0Table", "Data", "ObjectPool") or "ObjectPool" in folder:
        return  # a Word document's tables and pictures: read with its WordDocument stream
    stream = ole.openstream(path).read(MAX_CHECK_CHARACTERS * 2 + 1)
    if leaf == "WordDocument":
        tables = {t: ole.openstream(folder + [t]).read() for t in ("0Table", "1Table") if ole.exists("/".join(folder + [t]))}
        text = word97_text(name, stream, tables)
        if text.strip():
            yield TextUnit(_label(path), "text", text, first_line=1)
        return
    if leaf == "\x01Ole10Native":
        yield from _package_units(name, stream, _label(path))
        return
    if not stream.strip(b"\x00"):
        return
    kind = sniff(stream)
    if kind is None:
        yield Unreadable(_label(path), "a binary stream qual check cannot read")
    else:
        yield from extract_member(name, f"stream{kind}", stream, _label(path))


def _zero_terminated(data: bytes, position: int) -> tuple[str, int]:
    end = data.find(b"\x00", position)
    if end < 0:
        raise ValueError("unterminated string")
    return data[position:end].decode("cp1252", "replace"), end + 1


def _package_units(name: str, stream: bytes, label: str) -> Iterator[TextUnit | Unreadable]:
    """An OLE Package object: label, source path, temporary path, then the file itself."""
    try:
        position = 6  # native data size, then a 2-byte type
        file_name, position = _zero_terminated(stream, position)
        source, position = _zero_terminated(stream, position)
        position += 8
        temporary, position = _zero_terminated(stream, position)
        size = struct.unpack_from("<I", stream, position)[0]
        content = stream[position + 4:position + 4 + size]
    except (ValueError, struct.error):
        yield Unreadable(label, "an embedded package whose header is damaged", damaged=True)
        return
    for where, value in (("package label", file_name), ("source path", source), ("temporary path", temporary)):
        if value.strip():
            yield TextUnit(label, where, value.replace("\\", " \\ ").replace("_", " "))
    inner = file_name.replace("\\", "/").rsplit("/", 1)[-1] or "package"
    yield from extract_member(name, inner, content, f"{label}/embedded file")


def word97_text(name: str, word: bytes, tables: dict[str, bytes]) -> str:
    """The text of a Word 97-2003 document, from its piece table ([MS-DOC] 2.8.35): every
    story in character order, deleted text of tracked changes included. Word 6/95 files keep
    their text in one run between ``fcMin`` and ``fcMac``."""
    if len(word) < 0x01A2 + 8 or struct.unpack_from("<H", word, 0)[0] not in (0xA5EC, 0xA5DC):
        raise InputFileError(name, "has a Word text stream that is damaged or of an unknown version")
    version, flags = struct.unpack_from("<H", word, 2)[0], struct.unpack_from("<H", word, 0x0A)[0]
    if flags & 0x0100:
        raise InputFileError(name, "is password-protected (encrypted), which qual check cannot read",
                             "remove the password, then check it")
    if version < 101:  # Word 6 and 95
        start, end = struct.unpack_from("<II", word, 0x18)
        return word[start:end].decode("cp1252", "replace").translate(_WORD_CONTROLS)
    table = tables.get("1Table" if flags & 0x0200 else "0Table", b"")
    clx_at, clx_size = struct.unpack_from("<II", word, 0x01A2)
    clx = table[clx_at:clx_at + clx_size]
    position = 0
    while position < len(clx) and clx[position] == 1:  # Prc: formatting, skipped
        position += 3 + struct.unpack_from("<H", clx, position + 1)[0]
    if position + 5 > len(clx) or clx[position] != 2:
        raise InputFileError(name, "has a Word piece table that is damaged", "open it in Word and save it again")
    size = struct.unpack_from("<I", clx, position + 1)[0]
    plc = clx[position + 5:position + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        return ""
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces = []
    total = 0
    for index in range(count):
        length = max(0, min(cps[index + 1] - cps[index], MAX_CHECK_CHARACTERS - total))
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            pieces.append(word[start:start + length].decode("cp1252", "replace"))
        else:
            pieces.append(word[fc:fc + 2 * length].decode("utf-16-le", "replace"))
        total += length
    return "".join(pieces).translate(_WORD_CONTROLS)
