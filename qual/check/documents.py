"""Other documents a de-identified folder meets: RTF, OpenDocument, XML, PDF, gzip and zip.

* **RTF** is read by a careful reader of our own: the well-kept converters (``striprtf``)
  drop exactly the groups where identifiers hide (author and operator, comments and their
  authors, bookmarks, field codes, headers, user properties). Here every group is read
  except those that hold only the format's own vocabulary or binary data (font and colour
  tables, style sheets, themes); pictures are read for their text (EMF/WMF labels) and
  embedded objects with the OLE reader.
* **OpenDocument** (.odt, .ods, .odp and their templates): ``content.xml`` (body, tracked
  changes, annotations and their authors), ``styles.xml`` (headers and footers live in its
  master pages), ``meta.xml`` (creator, title, keywords, user-defined fields), ``settings.xml``
  (string settings such as the printer's name), embedded objects and pictures, through the
  guarded zip and XML primitives of ``qual.files``.
* **XML**: every text node, comment and text-like attribute.
* **PDF** with the well-kept ``pypdf`` (imported only when a PDF is met): the text of every
  page, the document information and XMP metadata, annotations and their authors, form field
  values, bookmarks (outline) and attached files. A page that holds images but no text (a
  scan) is listed as unread: there is no OCR.
* **gzip**: unpacked within a bound and read by the inner file's name (``notes.csv.gz``).
* **zip**: every member, with the reader of what it is.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Iterator

from ..errors import InputFileError
from ..files import open_zip, parse_xml, read_member
from .extract import MAX_TEXT_FILE_BYTES, TextUnit, Unreadable, extract_member, register_extractor, sniff
from .package import generic_units, local
from .vocabulary import as_words, machine_value, software_generated
from .word import blank_field_vocabulary

# --------------------------------------------------------------------------- RTF

# Groups that hold only the format's own vocabulary (fonts, colours, styles, lists, themes,
# revision ids) or binary data: not read. Every other group is.
_RTF_SKIPPED = frozenset("""
fonttbl colortbl stylesheet themedata colorschememapping datastore latentstyles rsidtbl generator
xmlnstbl mmathPr listtable listoverridetable panose fontemb fontfile wgrffmtfilter blipuid pgdsctbl
defchp defpap fchars lchars listpicture bkmkend passwordhash password falt filetbl pntxta pntxtb
""".split())
# Groups that are places of their own, reported by name; the rest of their kind is the body.
_RTF_PLACES = frozenset("""
info title subject author operator keywords comment doccomm company manager category hlinkbase
userprops propname staticval annotation atnauthor atnid atnicn header headerl headerr headerf footer
footerl footerr footerf footnote fldinst bkmkstart revtbl protusertbl docvar shptxt sp sn sv
ffdeftext ffhelptext ffstattext ffname ffl xe tc txe objname objclass
""".split())
# Places that hold a name, which the application may have made up itself.
_RTF_NAMES = frozenset({"bkmkstart", "ffname", "objname", "objclass", "propname", "sn"})
_RTF_CHARACTERS = {"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "tab": "\t",
                   "cell": "\t", "nestcell": "\t", "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022",
                   "lquote": "\u2018", "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d",
                   "emspace": " ", "enspace": " ", "qmspace": " "}
_RTF_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|[\r\n]+|([^\\{}\r\n]+)",
                        re.DOTALL)


class _RtfGroup:
    __slots__ = ("place", "skip", "uc", "hex")

    def __init__(self, place: str, skip: bool, uc: int, hex_data: bool) -> None:
        self.place, self.skip, self.uc, self.hex = place, skip, uc, hex_data


@register_extractor(".rtf")
def read_rtf(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    """RTF, every group read but the format's vocabulary and binary data (see above)."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise InputFileError(name, "is not an RTF document (damaged, or another format named .rtf)")
    codepage = "cp1252"
    texts: dict[str, list[str]] = {"body": []}
    counts: dict[str, int] = {}
    binaries: list[tuple[str, str]] = []
    group = _RtfGroup("body", False, 1, False)
    stack: list[_RtfGroup] = []
    starting = ignorable = False
    skip_chars = 0
    position = 0
    for match in _RTF_TOKEN.finditer(data):
        if match.start() < position:
            continue  # inside \bin data
        word, parameter, hex_byte, symbol, brace, plain = match.groups()
        if brace == b"{":
            stack.append(group)
            group = _RtfGroup(group.place, group.skip, group.uc, False)
            starting, ignorable = True, False
            continue
        if brace == b"}":
            group = stack.pop() if stack else group
            starting = ignorable = False
            continue
        if symbol == b"*":
            ignorable = True
            continue
        if word is not None:
            word = word.decode("ascii")
            number = int(parameter) if parameter else None
            if starting or ignorable:
                destination = ignorable
                starting = ignorable = False
                if word in _RTF_SKIPPED:
                    group.skip = True
                    continue
                if word in ("pict", "objdata"):
                    group.skip, group.hex = True, True
                    counts[word] = counts.get(word, 0) + 1
                    group.place = f"{'picture' if word == 'pict' else 'object'} {counts[word]}"
                    binaries.append((group.place, ""))
                    continue
                if word in _RTF_PLACES or destination:
                    counts[word] = counts.get(word, 0) + 1
                    group.place = f"{word} {counts[word]}"
                    texts.setdefault(group.place, [])
                    continue
            if word == "ansicpg" and number:
                codepage = f"cp{number}"
            elif word == "uc" and number is not None:
                group.uc = number
            elif word == "u" and number is not None and not group.skip:
                texts[group.place].append(chr(number % 65536))
                skip_chars = group.uc
            elif word == "bin" and number:
                position = match.end() + number
            elif word in _RTF_CHARACTERS and not group.skip:
                texts[group.place].append(_RTF_CHARACTERS[word])
            continue
        if skip_chars and hex_byte is not None:
            skip_chars -= 1  # the fallback of a \u character
            continue
        if skip_chars and plain is not None:
            dropped = min(len(plain), skip_chars)
            plain, skip_chars = plain[dropped:], skip_chars - dropped
            if not plain:
                continue
        if group.hex and plain is not None:
            place, seen = binaries[-1]
            binaries[-1] = (place, seen + plain.decode("ascii", "ignore"))
        elif group.skip:
            continue
        elif hex_byte is not None:
            texts[group.place].append(bytes([int(hex_byte, 16)]).decode(codepage, "replace"))
        elif symbol is not None:
            texts[group.place].append({b"~": "\u00a0", b"-": "", b"_": "-"}.get(symbol, symbol.decode("latin-1")))
        elif plain is not None:
            texts[group.place].append(plain.decode(codepage, "replace"))
    body = "".join(texts.pop("body"))
    for number, paragraph in enumerate(body.split("\n"), start=1):
        if paragraph.strip():
            yield TextUnit("", f"paragraph {number}", paragraph)
    for place, pieces in texts.items():
        text = "".join(pieces)
        if place.startswith("fldinst"):
            text = blank_field_vocabulary(text, True)
        elif place.split()[0] in _RTF_NAMES and software_generated(text.strip()):
            continue  # "_GoBack", "Text1", "Word.Document.12": the application's own names
        if text.strip() and not machine_value(re.sub(r"\s+", "", text)):
            yield TextUnit("", place, text)
    for place, hex_text in binaries:
        yield from _rtf_binary(name, place, hex_text)


def _rtf_binary(name: str, place: str, hex_text: str) -> Iterator[TextUnit | Unreadable]:
    digits = re.sub(r"[^0-9a-fA-F]", "", hex_text)
    payload = bytes.fromhex(digits[: len(digits) // 2 * 2])
    ole = payload.find(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if ole >= 0:  # an OLE1 header, then the object's compound file
        payload = payload[ole:]
    if not payload.strip(b"\x00"):
        return
    if sniff(payload) is None:
        if place.startswith("object"):
            yield Unreadable(place, "an embedded object qual check cannot read")
        return  # a raster picture with no metadata block: pixels are not read
    yield from extract_member(name, "embedded", payload, place)


# --------------------------------------------------------------------------- OpenDocument

# Members named by the format itself; any other name is shown by number and read as text.
_ODF_NAME = re.compile(r"(?:content|styles|meta|settings|manifest)\.(?:xml|rdf)|mimetype|"
                       r"META-INF/manifest\.xml|Thumbnails/thumbnail\.png|Configurations2/.*|"
                       r"(?:Object|ObjectReplacements/Object) \d+(?:/(?:content|styles|meta|settings)\.xml)?|"
                       r"Pictures/[0-9A-Fa-f]{16,40}\.\w{2,5}|media/[\w.-]+")
# Elements that hold only the format's vocabulary (fonts, styles) or the program's own data.
_ODF_SKIPPED = frozenset({"font-face-decls", "automatic-styles", "styles", "generator", "creation-date",
                          "date", "editing-cycles", "editing-duration", "document-statistic", "print-date"})


def _odf_tree(root):
    for element in list(root.iter()):
        name = local(element)
        if name in _ODF_SKIPPED and element.getparent() is not None:
            element.getparent().remove(element)
        elif name == "s":  # runs of spaces, tabs and line breaks, so words stay apart
            element.text = " " * int(element.get("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}c", "1") or 1)
        elif name == "tab":
            element.text = "\t"
        elif name == "line-break":
            element.text = "\n"
    return root


@register_extractor(".odt", ".ods", ".odp", ".odg", ".ott", ".ots", ".otp", ".odf")
def read_odf(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    archive = open_zip(name, data)
    try:
        members = [info.filename for info in archive.infolist() if not info.is_dir()]
        if "content.xml" not in members and "mimetype" not in members:
            raise InputFileError(name, "is not an OpenDocument file (no content.xml)", "re-save it")
        for number, member in enumerate(members, start=1):
            label = member if _ODF_NAME.fullmatch(member) else f"member {number}"
            if label != member:
                yield TextUnit(label, "member name", as_words(member.replace("/", " ")))
            if member == "mimetype" or member.startswith(("META-INF/", "Configurations2/")):
                continue
            if member.startswith(("Basic/", "Scripts/")):
                yield Unreadable(label, "macro code, which qual check does not read")
                continue
            content = read_member(archive, member, name)
            if member.endswith((".xml", ".rdf")):
                root = _odf_tree(parse_xml(content, name, label))
                if member.rsplit("/", 1)[-1] == "settings.xml":
                    yield from _odf_settings(label, root)
                else:
                    yield from generic_units(label, root)
            elif content.strip():
                yield from extract_member(name, member, content, label)
    finally:
        archive.close()


def _odf_settings(label: str, root) -> Iterator[TextUnit]:
    """String settings (a printer's name, a database's path); numbers and switches are not."""
    for number, item in enumerate(root.iter("{*}config-item"), start=1):
        if (item.get("{urn:oasis:names:tc:opendocument:xmlns:config:1.0}type") == "string" and item.text
                and not machine_value(item.text) and not software_generated(item.text)):
            yield TextUnit(label, f"setting {number}", item.text)


# --------------------------------------------------------------------------- XML


@register_extractor(".xml", ".xsl", ".xslt", ".svg", ".rdf", ".plist", ".kml", ".gpx")
def read_xml(name: str, data: bytes) -> Iterator[TextUnit]:
    """Every text node, comment and text-like attribute (names and values that are not the
    application's own vocabulary)."""
    if not data.strip():
        return
    root = parse_xml(data, name, "XML")
    yield from generic_units("", root)
    for number, comment in enumerate(root.xpath("//comment()"), start=1):
        if comment.text and comment.text.strip():
            yield TextUnit("", f"XML comment {number}", comment.text)


# --------------------------------------------------------------------------- gzip and zip


@register_extractor(".gz", ".gzip")
def read_gzip(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    """The unpacked file (at most as much as qual check reads of a text file), read by its own
    name: the one stored in the gzip header, else the file's name less ``.gz``."""
    if len(data) < 18 or data[:2] != b"\x1f\x8b":
        raise InputFileError(name, "is not a gzip file (damaged, or another format named .gz)")
    inner = re.sub(r"\.(?:gz|gzip)$", "", name.rsplit("/", 1)[-1], flags=re.IGNORECASE) or "content"
    flags = data[3]
    position = 10
    stored = None
    if flags & 0x04:
        position += 2 + struct.unpack_from("<H", data, position)[0]
    if flags & 0x08:
        end = data.find(b"\x00", position)
        stored = data[position:end].decode("latin-1", "replace") if end > 0 else None
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        content = inflater.decompress(data, MAX_TEXT_FILE_BYTES)
    except zlib.error:
        raise InputFileError(name, "is a damaged gzip file", "re-create it") from None
    if inflater.unconsumed_tail:
        raise InputFileError(name, f"unpacks to more than {MAX_TEXT_FILE_BYTES // 2**20} MB, more than qual "
                             "check reads of one file", "unpack it and check the parts")
    if stored:
        yield TextUnit("", "stored file name", as_words(stored))
        inner = stored.replace("\\", "/").rsplit("/", 1)[-1]
    yield from extract_member(name, inner, content, "gzip content")


@register_extractor(".zip")
def read_zip(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    """Every member, named by number (a member's name is read as text) and read with the
    reader of what it is."""
    archive = open_zip(name, data)
    try:
        for number, info in enumerate((i for i in archive.infolist() if not i.is_dir()), start=1):
            label = f"member {number}"
            yield TextUnit(label, "member name", as_words(info.filename.replace("/", " ")))
            if info.flag_bits & 0x1:
                yield Unreadable(label, "an encrypted member, which qual check cannot read", damaged=True)
                continue
            yield from extract_member(name, info.filename, read_member(archive, info.filename, name), label)
    finally:
        archive.close()


# --------------------------------------------------------------------------- PDF

# Document information a program fills in about itself.
_PDF_MACHINE = frozenset({"/Creator", "/Producer", "/CreationDate", "/ModDate", "/Trapped", "/PTEX.Fullbanner"})


@register_extractor(".pdf")
def read_pdf(name: str, data: bytes) -> Iterator[TextUnit | Unreadable]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings may quote the file
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputFileError(name, "is a password-protected PDF, which qual check cannot read",
                                 "remove the password, then check it")
        units = list(_pdf_units(name, reader))
    except InputFileError:
        raise
    except NotImplementedError:
        # pypdf's word for a PDF feature it does not implement (an encryption method, a stream
        # filter): the file is not damaged, and no reader here can read it
        raise InputFileError(name, "is a PDF using a feature qual check cannot read (an encryption or "
                             "compression method pypdf does not support)",
                             "print it to a new PDF or save it as text, then check that") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, struct.error,
            zlib.error, RecursionError):
        raise InputFileError(name, "is a PDF that cannot be read (damaged)",
                             "check that it opens in a PDF viewer and save it again") from None
    yield from units


def _pdf_units(name: str, reader) -> Iterator[TextUnit | Unreadable]:
    for key, value in (reader.metadata or {}).items():
        if key not in _PDF_MACHINE and isinstance(value, str) and not machine_value(value):
            yield TextUnit("document information", f"property {key.lstrip('/') if software_generated(key.lstrip('/')) else 'custom'}",
                           value)
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is not None:
        from .media import xmp_units

        yield from xmp_units("XMP metadata", metadata.get_object().get_data(), name)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        if text.strip():
            yield TextUnit(f"page {number}", "text", text, first_line=1)
        elif "/XObject" in (page.get("/Resources") or {}):
            yield Unreadable(f"page {number}", "holds images but no text (a scan?); images are not OCR'd")
        for index, annotation in enumerate(page.get("/Annots") or [], start=1):
            annotation = annotation.get_object()
            for key, kind in (("/Contents", "text"), ("/T", "author"), ("/Subj", "subject")):
                value = annotation.get(key)
                if isinstance(value, str) and value.strip():
                    yield TextUnit(f"page {number}", f"annotation {index} ({kind})", value)
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if isinstance(uri, str):
                yield TextUnit(f"page {number}", f"annotation {index} (link)", uri)
    for number, (field_name, value) in enumerate((reader.get_form_text_fields() or {}).items(), start=1):
        if field_name and not software_generated(field_name):
            yield TextUnit("form", f"field {number} (name)", as_words(field_name))
        if isinstance(value, str) and value.strip():
            yield TextUnit("form", f"field {number} (value)", value)
    yield from _outline_units(reader.outline, [0])
    for number, (file_name, contents) in enumerate(reader.attachments.items(), start=1):
        label = f"attachment {number}"
        yield TextUnit(label, "file name", as_words(file_name))
        for content in contents:
            yield from extract_member(name, file_name, content, label)


def _outline_units(outline, counter: list[int]) -> Iterator[TextUnit]:
    for item in outline:
        if isinstance(item, list):
            yield from _outline_units(item, counter)
        elif getattr(item, "title", None):
            counter[0] += 1
            yield TextUnit("outline", f"bookmark {counter[0]}", str(item.title))
