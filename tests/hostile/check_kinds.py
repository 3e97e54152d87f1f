"""The hostile corpus of issue 16: one file for each kind of place a name hides from a gate.

    python tests/hostile/check_kinds.py DIR        # writes every file into DIR

Each :class:`Kind` is built from code, deterministically, into a folder the caller chooses
(tests use a tmp dir; nothing here is committed as data), and says which identifier it
plants, where ``qual check`` must report it (a pattern over ``part, location``), and
whether ``qual deidentify`` reads the format (then its de-identified output must pass).

Kinds: parts of a .docx that hold text out of sight (content-control list items, a mail
merge's data source, bookmark names, WordArt, legacy form fields, an OLE package, an embedded
.txt and .pptx, PNG text chunks and JPEG EXIF), a main document or header stored under a
name that hides it (``document.bin``, ``styles.xml``, ``theme1.xml``, ``header1.bin``), a
tracked deletion inside a word, the same hiding places in .xlsx and .pptx, caption cue
identifiers, and files of types a gate used to skip (RTF, OpenDocument text, spreadsheet and
presentation, XML, a log, a file with no extension, a Word backup .wbk, a legacy .doc,
gzip, zip, PDF). Clean files that a gate used to flag (Word's own part names, an empty
legacy form field) are here too, with ``planted=None``.
"""

from __future__ import annotations

import gzip
import io
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, str(Path(__file__).parent))
from make_hostile import GOOD_TURNS, ole2_bytes  # noqa: E402

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
NAMESPACES = (f'xmlns:w="{W}" xmlns:r="{R}" xmlns:v="urn:schemas-microsoft-com:vml" '
              'xmlns:o="urn:schemas-microsoft-com:office:office"')


@dataclass
class Kind:
    """One file: what it is, the identifier planted (None: a clean file that must pass), the
    pattern its finding's ``part, location`` must match, and whether ``qual deidentify``
    reads the format."""

    name: str
    what: str
    planted: str | None
    where: str = ""
    deidentify: bool = False
    build: Callable[[], bytes] = field(default=lambda: b"", repr=False)


# --------------------------------------------------------------------------- builders


def zip_of(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            archive.writestr(info, content.encode("utf-8") if isinstance(content, str) else content,
                             compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def turns_xml() -> str:
    return "".join(para(turn) for turn in GOOD_TURNS)


def relationships(rels: list[tuple[str, str, str]], external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return (XML + f'<Relationships xmlns="{PKG}">' + "".join(
        f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target={quoteattr(target)}{mode}/>'
        for rid, kind, target in rels) + "</Relationships>")


def docx(body: str = "", *, main: str = "word/document.xml", parts: dict[str, str | bytes] | None = None,
         rels: list[tuple[str, str, str]] = (), overrides: dict[str, str] | None = None,
         defaults: dict[str, str] | None = None) -> bytes:
    """A .docx whose main part is ``main`` (found through the package relationship), with
    the relationships ``rels`` from it and the ``parts`` they point to."""
    folder, base = main.rsplit("/", 1)
    types = {"xml": "application/xml", "rels": "application/vnd.openxmlformats-package.relationships+xml",
             "png": "image/png", "jpeg": "image/jpeg", "bin": "application/vnd.openxmlformats-officedocument.oleObject",
             **(defaults or {})}
    overrides = {main: WORD_MAIN, **(overrides or {})}
    content_types = (XML + f'<Types xmlns="{CT}">'
                     + "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in types.items())
                     + "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items())
                     + "</Types>")
    members: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": relationships([("rId1", "officeDocument", main)]),
        main: XML + f"<w:document {NAMESPACES}><w:body>{turns_xml()}{body}<w:sectPr/></w:body></w:document>",
    }
    if rels:
        members[f"{folder}/_rels/{base}.rels"] = relationships(list(rels))
    members.update(parts or {})
    return zip_of(members)


def png_with_text(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A 1x1 PNG with text chunks (tEXt: keyword\\0text; iTXt likewise, uncompressed)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        import zlib
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    import zlib
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    texts = b"".join(chunk(kind, body) for kind, body in chunks)
    return b"\x89PNG\r\n\x1a\n" + header + texts + pixels + chunk(b"IEND", b"")


def jpeg_with_exif(artist: str, description: str) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (2, 2), "white")
    exif = Image.Exif()
    exif[0x013B] = artist                                    # Artist
    exif[0x010E] = description                               # ImageDescription
    exif[0x9C9D] = (artist + "\x00").encode("utf-16-le")     # XPAuthor
    exif[0x0131] = "Camera Firmware 1.0"                     # Software: the camera's own
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def ole_package(file_name: str, content: bytes) -> bytes:
    """An OLE object as Word stores a file dragged into a document (``\\x01Ole10Native``)."""
    label = file_name.encode("cp1252") + b"\x00"
    source = f"C:\\Users\\research\\Desktop\\{file_name}".encode("cp1252") + b"\x00"
    temporary = f"C:\\Temp\\{file_name}".encode("cp1252") + b"\x00"
    native = (struct.pack("<H", 2) + label + source + struct.pack("<II", 0x00030000, len(temporary))
              + temporary + struct.pack("<I", len(content)) + content)
    return ole2_bytes({"\x01Ole10Native": struct.pack("<I", len(native)) + native})


def word97(text: str) -> bytes:
    """A Word 97-2003 document (.doc, .wbk) holding ``text``: a FIB that points to a piece
    table in the 1Table stream, and the text stored as 8-bit characters."""
    encoded = text.replace("\n", "\r").encode("cp1252")
    fib = bytearray(1024)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0x00C1)       # wIdent, nFib (Word 97)
    struct.pack_into("<H", fib, 0x0A, 0x0200)            # fWhichTblStm: the 1Table stream
    struct.pack_into("<I", fib, 0x4C, len(encoded))      # ccpText
    piece_table = struct.pack("<II", 0, len(encoded)) + struct.pack("<HIH", 0, (1024 * 2) | 0x40000000, 0)
    clx = b"\x02" + struct.pack("<I", len(piece_table)) + piece_table
    struct.pack_into("<II", fib, 0x01A2, 0, len(clx))    # fcClx, lcbClx
    return ole2_bytes({"WordDocument": bytes(fib) + encoded, "1Table": clx})


def minimal_pdf(text: str, author: str) -> bytes:
    """A one-page PDF whose page shows ``text`` and whose document information names the
    ``author``, written by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Author ({author}) /Producer (qual test) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def opendocument(kind: str, content_body: str, styles_body: str = "", meta: str = "") -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    style = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
    draw = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
    ns = (f'xmlns:office="{office}" xmlns:text="{text}" xmlns:table="{table}" xmlns:style="{style}" '
          f'xmlns:draw="{draw}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"')
    return zip_of({
        "mimetype": f"application/vnd.oasis.opendocument.{kind}",
        "content.xml": XML + f'<office:document-content {ns}><office:font-face-decls><style:font-face '
                             'style:name="Liberation Serif"/></office:font-face-decls><office:body>'
                             f"{content_body}</office:body></office:document-content>",
        "styles.xml": XML + f"<office:document-styles {ns}><office:master-styles>{styles_body}"
                            "</office:master-styles></office:document-styles>",
        "meta.xml": XML + f"<office:document-meta {ns}><office:meta><meta:generator>LibreOffice/7.6"
                          f"</meta:generator>{meta}</office:meta></office:document-meta>",
        "META-INF/manifest.xml": XML + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                                       'xmlns:manifest:1.0"/>',
    })


def pptx(slide_text: str, comment_author: str) -> bytes:
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return zip_of({
        "[Content_Types].xml": XML + f'<Types xmlns="{CT}"><Default Extension="xml" ContentType="application/xml"/>'
                                     f'<Override PartName="/ppt/presentation.xml" ContentType="{main}"/></Types>',
        "_rels/.rels": relationships([("rId1", "officeDocument", "ppt/presentation.xml")]),
        "ppt/presentation.xml": XML + f'<p:presentation xmlns:p="{p}" xmlns:r="{R}"><p:sldIdLst>'
                                      '<p:sldId id="256" r:id="rId2"/></p:sldIdLst></p:presentation>',
        "ppt/_rels/presentation.xml.rels": relationships([("rId2", "slide", "slides/slide1.xml"),
                                                          ("rId3", "commentAuthors", "commentAuthors.xml")]),
        "ppt/slides/slide1.xml": XML + f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:nvSpPr>'
                                       '<p:cNvPr id="2" name="Title 1"/></p:nvSpPr><p:txBody><a:p><a:r>'
                                       f"<a:t>{escape(slide_text)}</a:t></a:r></a:p></p:txBody></p:sp>"
                                       "</p:spTree></p:cSld></p:sld>",
        "ppt/commentAuthors.xml": XML + f'<p:cmAuthorLst xmlns:p="{p}"><p:cmAuthor id="1" '
                                        f'name={quoteattr(comment_author)} initials="XX" lastIdx="1" clrIdx="0"/>'
                                        "</p:cmAuthorLst>",
    })


def xlsx_with_connection(connection: str) -> bytes:
    s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    return zip_of({
        "[Content_Types].xml": XML + f'<Types xmlns="{CT}"><Default Extension="xml" ContentType="application/xml"/>'
                                     f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/></Types>',
        "_rels/.rels": relationships([("rId1", "officeDocument", "xl/workbook.xml")]),
        "xl/workbook.xml": XML + f'<workbook xmlns="{s}" xmlns:r="{R}"><sheets><sheet name="Data" sheetId="1" '
                                 'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": relationships([("rId1", "worksheet", "worksheets/sheet1.xml"),
                                                     ("rId2", "connections", "connections.xml")]),
        "xl/worksheets/sheet1.xml": XML + f'<worksheet xmlns="{s}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                                          "<is><t>total</t></is></c></row></sheetData></worksheet>",
        "xl/connections.xml": XML + f'<connections xmlns="{s}"><connection id="1" name="Query1" type="1">'
                                    f'<dbPr connection={quoteattr(connection)} command="SELECT * FROM list"/>'
                                    "</connection></connections>",
    })


# --------------------------------------------------------------------------- the kinds


def check_kinds() -> list[Kind]:
    def with_part(name: str, data: bytes, content_type: str, rel_kind: str = "package") -> bytes:
        return docx(parts={f"word/embeddings/{name}": data}, rels=[("rId9", rel_kind, f"embeddings/{name}")],
                    overrides={f"word/embeddings/{name}": content_type})

    return [
        Kind("listitem.docx", "a content control's drop-down items (w:listItem)", "Mrs Quigley",
             r"word/document\.xml, content control \d+, list item", True, lambda: docx(
                 '<w:sdt><w:sdtPr><w:dropDownList><w:listItem w:displayText="Choose one" w:value="0"/>'
                 '<w:listItem w:displayText="Mrs Quigley" w:value="Mrs Quigley"/></w:dropDownList></w:sdtPr>'
                 f'<w:sdtContent>{para("Choose one")}</w:sdtContent></w:sdt>')),
        Kind("mailmerge.docx", "a mail merge's connection string and query", "Mrs Ravensworth",
             r"word/settings\.xml, mail merge", True, lambda: docx(
                 rels=[("rId5", "settings", "settings.xml")],
                 overrides={"word/settings.xml": "application/vnd.openxmlformats-officedocument."
                                                 "wordprocessingml.settings+xml"},
                 parts={"word/settings.xml": XML + f'<w:settings {NAMESPACES}><w:mailMerge>'
                        '<w:mainDocumentType w:val="formLetters"/><w:linkToQuery/><w:dataType w:val="native"/>'
                        '<w:connectString w:val="Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\Data\\'
                        'list.xlsx"/><w:query w:val="SELECT * FROM `Sheet1$` WHERE carer = \'Mrs Ravensworth\'"/>'
                        '</w:mailMerge></w:settings>'})),
        Kind("bookmark.docx", "a bookmark's name", "JaydenOkafor", r"word/document\.xml, bookmark \d+", True,
             lambda: docx('<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
                          '<w:p><w:bookmarkStart w:id="1" w:name="JaydenOkafor"/><w:r><w:t>See above.</w:t>'
                          '</w:r><w:bookmarkEnd w:id="1"/></w:p>')),
        Kind("wordart.docx", "VML WordArt (v:textpath string)", "Mrs Pemberton",
             r"word/document\.xml, WordArt \d+", True, lambda: docx(
                 '<w:p><w:r><w:pict><v:shape id="WordArt1" type="#_x0000_t136" style="width:200pt">'
                 '<v:textpath style="font-family:Arial" string="Mrs Pemberton"/></v:shape></w:pict></w:r></w:p>')),
        Kind("formfield.docx", "a legacy form field's default, help and status text", "Mrs Hargreaves",
             r"word/document\.xml, form field \d+ \((?:default|help|status)", True, lambda: docx(
                 '<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:enabled/>'
                 '<w:helpText w:type="text" w:val="Ask Mrs Hargreaves"/><w:statusText w:type="text" '
                 'w:val="Call Mrs Hargreaves"/><w:textInput><w:default w:val="Mrs Hargreaves"/></w:textInput>'
                 '</w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText>'
                 '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>placeholder</w:t></w:r>'
                 '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')),
        Kind("ole_package.docx", "an embedded OLE package (oleObject1.bin) holding a text file",
             "Mrs Winterbottom", r"word/embeddings/oleObject1\.bin/.*", True, lambda: with_part(
                 "oleObject1.bin", ole_package("visit notes.txt", b"We met Mrs Winterbottom at home.\r\n"),
                 "application/vnd.openxmlformats-officedocument.oleObject", "oleObject")),
        Kind("embedded_txt.docx", "an embedded .txt part", "Mrs Fairclough", r"embedded document \d+|notes\.txt",
             True, lambda: with_part("notes.txt", b"Follow up with Mrs Fairclough.\n", "text/plain")),
        Kind("embedded_pptx.docx", "an embedded .pptx", "Mrs Openshaw",
             r"word/embeddings/Microsoft_PowerPoint_Presentation\.pptx/ppt/slides/slide1\.xml", True,
             lambda: with_part("Microsoft_PowerPoint_Presentation.pptx", pptx("Visit by Mrs Openshaw", "Reviewer"),
                               "application/vnd.openxmlformats-officedocument.presentationml.presentation")),
        Kind("png_text.docx", "PNG text chunks of an image in word/media", "Mrs Gillibrand",
             r"word/media/image1\.png, text chunk", True, lambda: docx(
                 parts={"word/media/image1.png": png_with_text([(b"tEXt", b"Author\x00Mrs Gillibrand"),
                                                                (b"tEXt", b"Software\x00Paint 1.0")])},
                 rels=[("rId7", "image", "media/image1.png")])),
        Kind("jpeg_exif.docx", "JPEG EXIF (Artist, ImageDescription, XPAuthor) of an image in word/media",
             "Mrs Blenkinsop", r"word/media/image1\.jpeg, EXIF", True, lambda: docx(
                 parts={"word/media/image1.jpeg": jpeg_with_exif("Mrs Blenkinsop", "Photo by Mrs Blenkinsop")},
                 rels=[("rId7", "image", "media/image1.jpeg")])),
        Kind("main_as_bin.docx", "the main document stored as word/document.bin", "Mrs Thwaite",
             r"word/document\.bin, paragraph", True, lambda: docx(para("I told Mrs Thwaite."),
                                                                  main="word/document.bin")),
        Kind("main_as_styles.docx", "the main document stored as word/styles.xml", "Mrs Ackerley",
             r"word/styles\.xml, paragraph", True, lambda: docx(para("I told Mrs Ackerley."), main="word/styles.xml")),
        Kind("main_as_theme.docx", "the main document stored as word/theme/theme1.xml", "Mrs Brocklehurst",
             r"word/theme/theme1\.xml, paragraph", True, lambda: docx(
                 para("I told Mrs Brocklehurst."), main="word/theme/theme1.xml",
                 overrides={"word/theme/theme1.xml": WORD_MAIN})),
        Kind("header_as_bin.docx", "a header stored as word/header1.bin", "Mrs Cattermole",
             r"word/header1\.bin, paragraph", True, lambda: docx(
                 parts={"word/header1.bin": XML + f"<w:hdr {NAMESPACES}>{para('Notes on Mrs Cattermole')}</w:hdr>"},
                 rels=[("rId3", "header", "header1.bin")],
                 overrides={"word/header1.bin": "application/octet-stream"})),
        Kind("deletion_in_word.docx", "a tracked deletion inside a word (Kay<del>lee</del>den)", "Kayden",
             r"word/document\.xml, paragraph \d+ \(tracked changes accepted\)", True, lambda: docx(
                 '<w:p><w:r><w:t xml:space="preserve">Respondent: we rang kay</w:t></w:r><w:del w:id="1" '
                 'w:author="Reviewer" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>lee</w:delText></w:r></w:del>'
                 '<w:r><w:t xml:space="preserve">den about it.</w:t></w:r></w:p>')),
        Kind("connection.xlsx", "an Excel data connection's connection string", "Mrs Dunwoody",
             r"xl/connections\.xml, connection string", False,
             lambda: xlsx_with_connection("DSN=Excel;DBQ=C:\\Users\\Mrs Dunwoody\\list.xlsx")),
        Kind("comment_author.pptx", "a PowerPoint comment author's name", "Ottoline Pennyfeather",
             r"ppt/commentAuthors\.xml, name", False, lambda: pptx("Quarterly review", "Ottoline Pennyfeather")),
        Kind("cue_identifier.vtt", "caption cue identifiers", "jayden-okafor",
             r"cue \d+ identifier", True, lambda: (
                 "WEBVTT\n\njayden-okafor-1\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did the first term go?"
                 "\n\njayden-okafor-2\n00:00:04.500 --> 00:00:09.000\n<v Respondent>Busy, but the DSL and I met "
                 "every Monday.\n").encode()),
        Kind("notes.rtf", "RTF: author, comment and body", "Mrs Gorringe", r"(?:author|annotation|paragraph) \d+",
             False, lambda: (b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0\\fswiss Helvetica;}}{\\info{\\author "
                             b"Mrs Gorringe}}\\f0\\pard Interviewer: hello\\par Respondent: I saw Mrs Gorringe"
                             b"{\\*\\annotation Ask Mrs Gorringe} today.\\par}")),
        Kind("notes.odt", "OpenDocument text: body, header (styles.xml) and creator", "Mrs Hebblethwaite",
             r"(?:content|styles|meta)\.xml", False, lambda: opendocument(
                 "text", "<office:text><text:p>I met Mrs Hebblethwaite.</text:p></office:text>",
                 '<style:master-page style:name="Standard"><style:header><text:p>About Mrs Hebblethwaite'
                 "</text:p></style:header></style:master-page>",
                 "<dc:creator>Mrs Hebblethwaite</dc:creator>")),
        Kind("grid.ods", "OpenDocument spreadsheet: a cell and a sheet name", "Mrs Illingsworth",
             r"content\.xml", False, lambda: opendocument(
                 "spreadsheet", '<office:spreadsheet><table:table table:name="Mrs Illingsworth"><table:table-row>'
                 "<table:table-cell><text:p>Rang Mrs Illingsworth</text:p></table:table-cell></table:table-row>"
                 "</table:table></office:spreadsheet>")),
        Kind("slides.odp", "OpenDocument presentation: slide text", "Mrs Jagger", r"content\.xml", False,
             lambda: opendocument("presentation", '<office:presentation><draw:page draw:name="page1"><draw:frame>'
                                  "<draw:text-box><text:p>Visit by Mrs Jagger</text:p></draw:text-box></draw:frame>"
                                  "</draw:page></office:presentation>")),
        Kind("export.xml", "XML: an attribute and a text node", "Mrs Kenworthy", r"name|text|paragraph", False,
             lambda: (XML + '<cases><case id="1" name="Mrs Kenworthy"><note>Seen by Mrs Kenworthy</note></case>'
                      "</cases>").encode()),
        Kind("run.log", "a log file", "Mrs Lightfoot", r"line \d+", False,
             lambda: b"2024-01-01 10:00 loaded transcript\n2024-01-01 10:01 matched Mrs Lightfoot\n"),
        Kind("NOTES", "a file with no extension (sniffed as text)", "Mrs Micklethwaite", r"line \d+", False,
             lambda: b"Call notes\nMrs Micklethwaite rang about the referral.\n"),
        Kind("backup.wbk", "a Word backup (.wbk: an OLE compound file)", "Mrs Nettleship",
             r"WordDocument, line \d+", False,
             lambda: word97("Interviewer: hello\nRespondent: I told Mrs Nettleship about it.\n")),
        Kind("legacy.doc", "a Word 97-2003 document", "Mrs Oldroyd", r"WordDocument, line \d+", False,
             lambda: word97("Respondent: Mrs Oldroyd came to the meeting.\n")),
        Kind("rows.csv.gz", "a gzip-compressed CSV", "Mrs Pickles", r"gzip content, row \d+, column \d+", False,
             lambda: gzip.compress(b"id,note\n1,Rang Mrs Pickles\n", mtime=0)),
        Kind("bundle.zip", "a zip holding a text file", "Mrs Quarmby", r"member \d+, line \d+", False,
             lambda: zip_of({"notes/visit.txt": "We met Mrs Quarmby.\n"})),
        Kind("letter.pdf", "a PDF: page text and author", "Mrs Royston", r"page 1|document information", False,
             lambda: minimal_pdf("Letter to Mrs Royston", "Mrs Royston")),
        # clean files a gate used to flag
        Kind("word_part_names.docx", "Word's own part names (Microsoft_Excel_Worksheet.xlsx, oleObject1.bin)",
             None, "", True, lambda: docx(
                 parts={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_with_connection("DSN=Excel"),
                        "word/embeddings/oleObject1.bin": ole_package("Package.txt", b"total\r\n")},
                 rels=[("rId8", "package", "embeddings/Microsoft_Excel_Worksheet.xlsx"),
                       ("rId9", "oleObject", "embeddings/oleObject1.bin")])),
        Kind("empty_formtext.docx", "an empty legacy FORMTEXT field", None, "", True, lambda: docx(
            '<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:enabled/>'
            '<w:calcOnExit w:val="0"/><w:textInput/></w:ffData></w:fldChar></w:r><w:r><w:instrText '
            'xml:space="preserve"> FORMTEXT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:t>\u2002\u2002\u2002\u2002\u2002</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '<w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>')),
    ]


def make_check_kinds(root: str | Path) -> list[Kind]:
    """Write every kind into ``root``; return them."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    kinds = check_kinds()
    for kind in kinds:
        (root / kind.name).write_bytes(kind.build())
    return kinds


if __name__ == "__main__":
    for made in make_check_kinds(sys.argv[1] if len(sys.argv) > 1 else "check_kinds"):
        print(f"{made.name:<24} {made.what}")
