"""Generate the hostile-input corpus: broken, malicious and awkward files a batch meets.

    python tests/hostile/make_hostile.py DIR            # the small cases (well under a second)
    python tests/hostile/make_hostile.py DIR --big      # also the 100 MB transcript, the zip
                                                        # bombs and the 1-million-row sheet

Nothing here is committed as data: every file is built from code, deterministically (a
fixed seed), into a folder the caller chooses - the tests use a tmp dir. The big cases are
cheap to build: a zip bomb is a few megabytes of deflate blocks that repeat one compressed
megabyte of zeros (see ``deflate_repeated``), never gigabytes written to disk.

Each case says what it is, which reader it attacks and what must happen: ``refused`` (a
one-line error naming the file), ``read`` (the file goes through) or ``either`` (reading
it or refusing it cleanly are both correct; what matters is no crash, no hang, bounded
memory). ``make_hostile`` returns the cases; the tests in this folder run them.

The module also holds the small writers the property tests and ``scripts/fuzz.py`` use to
turn generated turns into .docx, .txt and .vtt files (``docx_bytes``, ``vtt_text``).
"""

from __future__ import annotations

import argparse
import io
import random
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence
from xml.sax.saxutils import escape

SEED = 20240807

# Readers a case is aimed at; the tests know how to feed each.
TRANSCRIPT = "transcript"        # qual ingest / deidentify / check
PARTICIPANTS = "participants"    # --participants
CODEBOOK = "codebook"            # qual codebook validate, --codebook
DECISIONS = "decisions"          # qual deidentify --decisions (a filled-in review sheet)
CODINGS_REVIEW = "codings"       # qual code --accept (a reviewed codings.xlsx)
SUMMARIES = "summaries"          # qual matrix on an existing workbook, export-qdpx --summaries
SURVEY = "survey"                # qual deidentify --column
HUMAN_CODES = "human_codes"      # qual agreement (a coded .docx / .xlsx)
QDPX = "qdpx"                    # qual import-qdpx / validate-qdpx
CHECKED = "checked"              # qual check (any file it reads)

REFUSED, READ, EITHER = "refused", "read", "either"


@dataclass
class HostileCase:
    """One generated file and what qual must do with it."""

    name: str                      # file name inside the output folder
    what: str                      # one line for test ids and the table
    readers: tuple[str, ...]       # which readers it is fed to
    expect: str                    # REFUSED, READ or EITHER
    message: str = ""              # regex a refusal must match (what the user needs to hear)
    big: bool = False
    names: tuple[str, ...] = ()    # identifiers in it that must never reach a log or the output
    check_expect: str = ""         # what ``qual check`` must do, when not ``expect`` (an empty
                                   # file holds no identifier: checking it is no error)
    build: Callable[[Path], None] = field(default=lambda path: None, repr=False)

    def path(self, root: Path) -> Path:
        return Path(root) / self.name


# --------------------------------------------------------------------------- zip plumbing


def deflate_repeated(prefix: bytes, unit: bytes, count: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``prefix + unit * count + suffix`` without ever building it.

    ``unit`` is compressed once, ending in a full flush (byte-aligned, no back-references
    into it), so the compressed unit can simply be repeated. Returns (data, crc32, size).
    """

    def part(data: bytes, final: bool) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    body = part(unit, final=False)
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    data = part(prefix, final=False) + body * count + part(suffix, final=True)
    return data, crc & 0xFFFFFFFF, len(prefix) + len(unit) * count + len(suffix)


@dataclass
class RawMember:
    name: str
    data: bytes            # stored bytes (already deflated when method == 8)
    crc: int
    size: int              # uncompressed size as the headers will claim it
    method: int = 8


def raw_zip(members: Sequence[RawMember], central: Sequence[tuple[str, int]] | None = None) -> bytes:
    """A zip built by hand, so that sizes, offsets and sharing can be whatever a bomb needs.

    ``central`` lists (name, index of the member whose local entry it points to); by default
    one central entry per member. Pointing many entries at one member gives an overlapping
    ("non-quoted") bomb.
    """
    out = io.BytesIO()
    offsets = []
    for member in members:
        offsets.append(out.tell())
        name = member.name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, member.method, 0, 0x21,
                              member.crc, len(member.data), member.size, len(name), 0))
        out.write(name)
        out.write(member.data)
    directory_start = out.tell()
    entries = central if central is not None else [(m.name, i) for i, m in enumerate(members)]
    for name, index in entries:
        member = members[index]
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, member.method, 0, 0x21,
                              member.crc, len(member.data), member.size, len(encoded), 0, 0, 0, 0, 0,
                              offsets[index]))
        out.write(encoded)
    directory_size = out.tell() - directory_start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), directory_size,
                          directory_start, 0))
    return out.getvalue()


def stored(name: str, data: bytes) -> RawMember:
    return RawMember(name, data, zlib.crc32(data) & 0xFFFFFFFF, len(data), method=0)


# --------------------------------------------------------------------------- Word documents

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
DOCUMENT_TAIL = "</w:body></w:document>"


def paragraph_xml(text: str) -> str:
    """One paragraph; line breaks inside ``text`` become <w:br/>, as Shift+Enter does."""
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(xml_chars(line))}</w:t>'
                          for line in text.split("\n"))
    return f"<w:p><w:r>{runs}</w:r></w:p>"


def xml_chars(text: str) -> str:
    """Drop what XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/FFFF)."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
                   or c > "\uffff")


def docx_bytes(paragraphs: Iterable[str] = (), document_xml: str | bytes | None = None,
               extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal, valid .docx (Word and python-docx open it) with these paragraphs."""
    if document_xml is None:
        document_xml = DOCUMENT_HEAD + "".join(paragraph_xml(p) for p in paragraphs) + DOCUMENT_TAIL
    if isinstance(document_xml, str):
        document_xml = document_xml.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES.encode()), ("_rels/.rels", PACKAGE_RELS.encode()),
                           ("word/document.xml", document_xml), *(extra or {}).items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx_members(document_xml: RawMember) -> list[RawMember]:
    """The members of a minimal .docx around a hand-built word/document.xml."""
    return [stored("[Content_Types].xml", CONTENT_TYPES.encode()), stored("_rels/.rels", PACKAGE_RELS.encode()),
            document_xml]


GOOD_TURNS = (
    "Interviewer: Thanks for making time. How did the first term go?",
    "Respondent: Busy. I was based in the pastoral office, so the kids knew where to find me.",
    "Interviewer: And the referrals?",
    "Respondent: Mostly early help, a couple of section 47s. The DSL and I met every Monday.",
)

# An entity bomb: ten levels of ten, a billion "lol"s (3 GB) if anything expanded it.
BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def with_dtd(xml: str, dtd: str) -> str:
    """Put ``dtd`` after the XML declaration of ``xml``."""
    head, _, rest = xml.partition("?>")
    return head + "?>" + dtd + rest


def billion_laughs_document() -> str:
    body = paragraph_xml("Interviewer: &lol9;").replace("&amp;lol9;", "&lol9;")
    return with_dtd(DOCUMENT_HEAD + body + DOCUMENT_TAIL, BILLION_LAUGHS_DTD)


def external_entity_document(target: Path) -> str:
    dtd = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{target.resolve().as_uri()}">]>'
    body = paragraph_xml("Interviewer: &xxe;").replace("&amp;xxe;", "&xxe;")
    return with_dtd(DOCUMENT_HEAD + body + paragraph_xml("Respondent: fine.") + DOCUMENT_TAIL, dtd)


# --------------------------------------------------------------------------- OLE2 (legacy .doc, encrypted Office)


def ole2_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal Compound File (MS-CFB v3) holding ``streams``, as Word 97-2003 and
    password-protected Office files are. Each stream is padded to 4,096 bytes so it lives in
    regular sectors (no mini stream); one FAT sector and one directory sector suffice. olefile
    (and so qual check) opens it."""
    sector = 512
    names = list(streams)
    assert len(names) <= 3, "one directory sector holds the root and three streams"
    bodies = [streams[n] + b"\0" * max(0, 4096 - len(streams[n])) for n in names]
    bodies = [b + b"\0" * (-len(b) % sector) for b in bodies]
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat = [fat_sector, end]  # sector 0: the FAT; sector 1: the directory
    starts = []
    for body in bodies:
        count = len(body) // sector
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [end]
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<iii", -1, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))  # 128 bytes: start sector, 64-bit size

    # siblings in a right-leaning chain, sorted as CFB compares names (length, then upper case)
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    right_of = {order[k]: (order[k + 1] + 1 if k + 1 < len(order) else -1) for k in range(len(order))}
    directory = entry("Root Entry", 5, order[0] + 1 if order else -1, -1, end, 0)
    for i, name in enumerate(names):
        # the padded size: a stream under 4,096 bytes would be looked for in the mini stream
        directory += entry(name, 2, -1, right_of[i], starts[i], len(bodies[i]))
    directory = directory.ljust(sector, b"\0")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(bodies)


def legacy_doc_bytes() -> bytes:
    fib = struct.pack("<HH", 0xA5EC, 0xC1) + b"\0" * 508  # a Word 97 FIB's magic and version
    return ole2_bytes({"WordDocument": fib, "1Table": b"\0" * 64})


def encrypted_docx_bytes() -> bytes:
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'  # agile encryption
    return ole2_bytes({"EncryptionInfo": info, "EncryptedPackage": struct.pack("<Q", 4096) + random_bytes(4096)})


def random_bytes(n: int, seed: int = SEED) -> bytes:
    return random.Random(seed).randbytes(n)


# --------------------------------------------------------------------------- Excel workbooks

XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
XLSX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_XML = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{S_NS}" xmlns:r="{R_NS}">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{S_NS}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(row: int, column: int, value: object) -> str:
    ref = f"{column_letter(column)}{row}"
    if isinstance(value, str) and value.startswith("="):
        return f'<c r="{ref}"><f>{escape(value[1:])}</f></c>'  # a formula with no cached value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(xml_chars(str(value)))}</t></is></c>'


def row_xml(row: int, values: Sequence[object]) -> str:
    return f'<row r="{row}">' + "".join(cell_xml(row, c, v) for c, v in enumerate(values)) + "</row>"


def xlsx_bytes(rows: Sequence[Sequence[object]] = (), sheet: str = "Sheet1", *, sheet_xml: str | None = None,
               workbook_xml: str | None = None) -> bytes:
    """A minimal .xlsx with one sheet of ``rows`` (strings inline, ``=...`` as formulas)."""
    if sheet_xml is None:
        sheet_xml = SHEET_HEAD + "".join(row_xml(i, r) for i, r in enumerate(rows, 1)) + SHEET_TAIL
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", XLSX_TYPES), ("_rels/.rels", XLSX_RELS),
                           ("xl/workbook.xml", workbook_xml or WORKBOOK_XML.replace("{name}", escape(sheet))),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS), ("xl/worksheets/sheet1.xml", sheet_xml)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0)), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def with_entity_bomb(xlsx: bytes, member: str) -> bytes:
    """The same workbook with a billion-laughs DTD put into one of its XML members."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                text = with_dtd(data.decode("utf-8"), BILLION_LAUGHS_DTD)
                # reference the entity in the first text node (or sheet name), so that a parser
                # that expands entities must expand it
                text = text.replace("<t>", "<t>&lol9;", 1).replace('<t xml:space="preserve">',
                                                                     '<t xml:space="preserve">&lol9;', 1)
                text = text.replace('<sheet name="', '<sheet name="&lol9;', 1)
                data = text.encode("utf-8")
            target.writestr(info, data)
    return buffer.getvalue()


PARTICIPANT_COLUMNS = ["participant_id", "file", "name", "role", "local_authority", "school", "trial_arm",
                       "interview_date", "interviewer"]
PARTICIPANT_ROW = ["H01", "H01_interview.txt", "Bethany Quellwright", "SW", "Calderwick", "Moorgate Academy",
                   "intervention", "2021-11-18", "Hannah Price"]

CODEBOOK_ROWS = [["theme id", "theme name", "code id", "code name", "definition"],
                 ["IMP", "Implementation", "IMP.SPACE", "Space in school", "Where the social worker sat."],
                 ["IMP", "Implementation", "IMP.SETUP", "Set-up", "How the role started."]]
CODINGS_ROWS = [["document", "segment", "code", "accept", "text"], ["H01", "H01-s1", "IMP.SPACE", "yes", "x"]]
REVIEW_ROWS = [["document", "turn", "type", "original", "context", "decision"],
               ["H01", 1, "PERSON", "Bethany", "spoke to Bethany", "redact"]]
SURVEY_ROWS = [["id", "comment"], ["1", "Bethany Quellwright at Moorgate Academy was a great help"]]


# --------------------------------------------------------------------------- text transcripts


def transcript_text(turns: Sequence[tuple[str, str]], newline: str = "\n") -> str:
    return newline.join(f"{speaker}: {text}" for speaker, text in turns) + newline


def vtt_text(cues: Sequence[tuple[float, float, str, str]]) -> str:
    """WebVTT with ``<v Speaker>`` voices; cues are (start, end, speaker, text) in seconds."""

    def stamp(seconds: float) -> str:
        seconds = max(0.0, seconds)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"

    blocks = ["WEBVTT", ""]
    for number, (start, end, speaker, text) in enumerate(cues, 1):
        blocks += [str(number), f"{stamp(start)} --> {stamp(end)}", f"<v {speaker}>{text}</v>", ""]
    return "\n".join(blocks)


# Phrases of a social worker's day, for big generated transcripts.
FILLER = (
    "we had a strategy meeting about it on the Tuesday and the DSL came along",
    "it went to the MASH and then back to early help, which took weeks",
    "honestly the office was a cupboard next to the pastoral team but it worked",
    "the parents were wary at first, they thought I was there to take the kids",
    "we did a lot of consultation with heads of year, just quick chats in the corridor",
)


def big_text_transcript(path: Path, megabytes: int) -> None:
    """A plausible transcript of ``megabytes`` MB, written in chunks (never all in memory)."""
    target = megabytes * 2**20
    written = 0
    number = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        while written < target:
            chunk = []
            for _ in range(2000):
                number += 1
                speaker = "Interviewer" if number % 2 else "Respondent"
                chunk.append(f"{speaker}: {FILLER[number % len(FILLER)]}, point {number}.\n")
            block = "".join(chunk)
            handle.write(block)
            written += len(block)


def big_docx_transcript(path: Path, megabytes: int) -> None:
    """A .docx whose document.xml is ``megabytes`` MB of ordinary turns (repeated blocks)."""
    unit = "".join(paragraph_xml(f"{'Interviewer' if i % 2 == 0 else 'Respondent'}: {FILLER[i % len(FILLER)]}.")
                   for i in range(200))
    unit_bytes = unit.encode()
    count = max(1, megabytes * 2**20 // len(unit_bytes))
    data, crc, size = deflate_repeated(DOCUMENT_HEAD.encode(), unit_bytes, count, DOCUMENT_TAIL.encode())
    path.write_bytes(raw_zip(docx_members(RawMember("word/document.xml", data, crc, size))))


def million_row_participants(path: Path, rows: int = 1_000_000) -> None:
    """A participants sheet with a million distinct rows, streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in (("[Content_Types].xml", XLSX_TYPES), ("_rels/.rels", XLSX_RELS),
                           ("xl/workbook.xml", WORKBOOK_XML.replace("{name}", "Participants")),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            handle.write(SHEET_HEAD.encode())
            handle.write(row_xml(1, PARTICIPANT_COLUMNS).encode())
            for start in range(2, rows + 1, 10_000):
                block = "".join(
                    f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>P{r:07d}</t></is></c>'
                    f'<c r="B{r}" t="inlineStr"><is><t>P{r:07d}.docx</t></is></c>'
                    f'<c r="D{r}" t="inlineStr"><is><t>SW</t></is></c></row>'
                    for r in range(start, min(start + 10_000, rows + 1)))
                handle.write(block.encode())
            handle.write(SHEET_TAIL.encode())


def zip_bomb(path: Path, gigabytes: int = 2) -> None:
    """A .docx whose document.xml really unpacks to ``gigabytes`` GB (a few MB on disk)."""
    unit = b"<w:p/>" * (2**20 // 6)
    count = gigabytes * 2**30 // len(unit)
    data, crc, size = deflate_repeated(DOCUMENT_HEAD.encode(), unit, count, DOCUMENT_TAIL.encode())
    path.write_bytes(raw_zip(docx_members(RawMember("word/document.xml", data, crc, size))))


def overlapping_bomb(path: Path, entries: int = 400) -> None:
    """Many central-directory entries sharing one 9 MB member: each looks harmless, the sum
    is gigabytes (a "non-quoted overlap" bomb)."""
    unit = b"<w:p/>" * (2**20 // 6)
    data, crc, size = deflate_repeated(DOCUMENT_HEAD.encode(), unit, 9, DOCUMENT_TAIL.encode())
    members = docx_members(RawMember("word/document.xml", data, crc, size))
    central = [(m.name, i) for i, m in enumerate(members)] + [(f"word/media/part{i}.xml", 2) for i in range(entries)]
    path.write_bytes(raw_zip(members, central))


def many_members(path: Path, count: int = 25_000) -> None:
    members = docx_members(stored("word/document.xml", docx_document(GOOD_TURNS).encode()))
    members += [stored(f"customXml/item{i}.xml", b"<a/>") for i in range(count)]
    path.write_bytes(raw_zip(members))


def docx_document(paragraphs: Iterable[str]) -> str:
    return DOCUMENT_HEAD + "".join(paragraph_xml(p) for p in paragraphs) + DOCUMENT_TAIL


def deep_nesting_document(depth: int = 100_000) -> bytes:
    return (DOCUMENT_HEAD + paragraph_xml(GOOD_TURNS[0]) + "<w:sdt><w:sdtContent>" * depth
            + "</w:sdtContent></w:sdt>" * depth + DOCUMENT_TAIL).encode()


def huge_text_node_document(megabytes: int = 12) -> bytes:
    return (DOCUMENT_HEAD + paragraph_xml("Interviewer: " + "a" * (megabytes * 2**20)) + DOCUMENT_TAIL).encode()


# --------------------------------------------------------------------------- REFI-QDA

QDE_NS = "urn:QDA-XML:project:1.0"


def qdpx_bytes(project_xml: str, sources: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_xml.encode("utf-8"))
        for name, data in (sources or {}).items():
            archive.writestr(f"sources/{name}", data)
    return buffer.getvalue()


def qde_project(body: str = "") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{QDE_NS}" name="hostile" '
            f'origin="hostile">{body}</Project>')


# --------------------------------------------------------------------------- the corpus

# Names the awkward-text cases carry: each must be found and removed by de-identification.
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


def _text(content: str, encoding: str = "utf-8", newline: str | None = None) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        text = content if newline is None else content.replace("\n", newline)
        path.write_bytes(text.encode(encoding))

    return build


def _bytes(make: Callable[[], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(make())


def _good_docx() -> bytes:
    return docx_bytes(GOOD_TURNS)


def _truncated_docx() -> bytes:
    data = docx_bytes(GOOD_TURNS * 50)
    return data[: len(data) * 3 // 5]


def _corrupt_docx() -> bytes:
    data = bytearray(docx_bytes(GOOD_TURNS * 50))
    rng = random.Random(SEED)
    for _ in range(200):  # flip bytes inside the compressed data, keep the headers
        position = rng.randrange(200, len(data) - 300)
        data[position] ^= 0xFF
    return bytes(data)


def _external_entity(path: Path) -> None:
    secret = path.with_name("xxe_secret.dat")
    secret.write_text("XXESECRETMARKER Jemima Thistlewood\n", encoding="utf-8")
    path.write_bytes(docx_bytes(document_xml=external_entity_document(secret)))


def _vtt_malformed() -> str:
    return "\n".join([
        "WEBVTT - meeting",
        "",
        "NOTE a note block",
        "",
        "1",
        "00:00:05.000 --> 00:00:01.000",       # ends before it starts
        "<v Interviewer>Shall we start?</v>",
        "",
        "2",
        "00:00:00.500 --> 00:00:09.000",       # overlaps cue 1 and starts earlier
        "<v Respondent>Yes, go on.",           # unclosed voice tag
        "",
        "3",
        "00:00:03.000 -> 00:00:04.000",        # malformed arrow
        "<v Interviewer>Overlap one</v>",
        "",
        "4",
        "99:99:99.999 --> 100:00:00.000",      # impossible timestamps
        "<v Respondent><i><b>nested <c.red>tags</b></i></v>",
        "",
        "5",
        "00:00:10.000 --> 00:00:12.000 align:start position:10%",
        "",                                     # a cue with no text
        "6",
        "00:00:11.000 --> 00:00:11.500",
        "<v>no speaker name</v>",
        "",
        "7",
        "garbage line without timing",
        "<v Interviewer>And then?</v>",
        "",
        "8",
        "00:00:13.000 --> 00:00:20.000",
        "<v Respondent>I went to see Thaddeus Brimblecombe at home.</v>",
        "",
        "9",
        "00:00:14.000 --> 00:00:15.000",
        "<v Interviewer>Right.</v>",
        "",
    ])


def _mixed_newlines() -> str:
    lines = [f"{speaker}: {text}" for speaker, text in (
        ("Interviewer", "How was the first week?"), ("Respondent", "Fine; I met Ottoline Featherstonehaugh."),
        ("Interviewer", "And the school?"), ("Respondent", "Busy, really busy."),
        ("Interviewer", "Anything else?"), ("Respondent", "No, that's it."))]
    endings = ["\r\n", "\r", "\n", "\u2028", "\r\n", "\n"]
    return "".join(line + ending for line, ending in zip(lines, endings))


def _zero_width_names() -> str:
    turns = [("Interviewer", "Who did you work with?")]
    for i, (first, last) in enumerate((("Jemima", "Thistlewood"), ("Ottoline", "Pennyfeather"),
                                       ("Bartholomew", "Quince"))):
        mark = ZERO_WIDTH[i % len(ZERO_WIDTH)]
        hidden = first[:2] + mark + first[2:] + " " + last[:3] + ZERO_WIDTH[(i + 5) % 6] + last[3:]
        turns += [("Respondent", f"I worked with {hidden} most weeks."), ("Interviewer", "Go on.")]
    turns.append(("Respondent", "That was the team."))
    return transcript_text(turns)


def _all_caps() -> str:
    return transcript_text([
        ("INTERVIEWER", "WHO REFERRED THE FAMILY?"),
        ("RESPONDENT", "IT WAS MRS QUELLWRIGHT, BETHANY QUELLWRIGHT'S MUM, AT MOORGATE ACADEMY."),
        ("INTERVIEWER", "AND THEN?"),
        ("RESPONDENT", "I RANG JEMIMA THISTLEWOOD ON 07700 900461."),
    ])


def _rtl() -> str:
    return transcript_text([
        ("Interviewer", "How do families who speak Arabic or Hebrew find you?"),
        ("Respondent", "One mum, \u0641\u0627\u0637\u0645\u0629 \u0627\u0644\u0632\u0647\u0631\u0627\u0621, "
                       "brought her son \u05d9\u05d5\u05e1\u05e3 to the office."),
        ("Interviewer", "\u202eSure, and the interpreter?\u202c"),
        ("Respondent", "\u200fThe interpreter came from the council \u2067Moorgate\u2069 team."),
    ])


def _emoji() -> str:
    return transcript_text([
        ("Interviewer \U0001f3a4", "How did the kids react? \U0001f914"),
        ("Respondent \U0001f469\u200d\U0001f4bc", "They loved it \U0001f44d\U0001f3fd \u2764\ufe0f Bethany "
                                                  "Quellwright drew me a \U0001f308."),
        ("Interviewer \U0001f3a4", "\U0001f600\U0001f600\U0001f600"),
        ("Respondent \U0001f469\u200d\U0001f4bc", "\U0001f1ec\U0001f1e7 flag, family emoji "
                                                  "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466."),
    ])


def _cp1252() -> bytes:
    return transcript_text([
        ("Interviewer", "What did it cost the school?"),
        ("Respondent", "About \u00a3200 a term \u2013 Siobh\u00e1n O\u2019Rourke sorted the \u201cbudget\u201d."),
        ("Interviewer", "And Zo\u00eb?"),
        ("Respondent", "Zo\u00eb was at Moorgate Academy \u2026 caf\u00e9 meetings."),
    ], newline="\r\n").encode("cp1252")


def _invalid_utf8() -> bytes:
    good = transcript_text([("Interviewer", "How was it?"), ("Respondent", "Fine, Bethany was fine."),
                            ("Interviewer", "Good."), ("Respondent", "Yes.")]).encode()
    return good[:40] + b"\xc3\x28\xff\xfe\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" + good[40:] + b"\xed\xa0\x80"


def _binary_txt() -> bytes:
    return random_bytes(64 * 1024)


def _corrupt_jsonl() -> bytes:
    return (b'{"id": "X1", "turns": [{"speaker": "I", "text": "a"}]}\n{"id": "X2", "turns": [}\n'
            b'\xff\xfe not json\n')


def hostile_cases(root: Path) -> list[HostileCase]:
    """Every case, small and big; ``make_hostile`` builds them."""
    bomb_book = xlsx_bytes([PARTICIPANT_COLUMNS, PARTICIPANT_ROW], "Participants")
    cases = [
        # --- archives that are not what they claim
        HostileCase("corrupt_zip.docx", "zip signature, garbage after it", (TRANSCRIPT, CHECKED), REFUSED,
                    r"zip|damaged|corrupt", build=_bytes(lambda: b"PK\x03\x04" + random_bytes(5000))),
        HostileCase("corrupt_members.docx", "zip whose deflate streams are damaged", (TRANSCRIPT, CHECKED),
                    REFUSED, r"cannot be read|corrupt|damaged|malformed|zip", build=_bytes(_corrupt_docx)),
        HostileCase("truncated.docx", "a .docx cut off at 60%", (TRANSCRIPT, CHECKED), REFUSED,
                    r"zip|damaged|truncated|corrupt", build=_bytes(_truncated_docx)),
        HostileCase("billion_laughs.docx", "document.xml is a billion-laughs entity bomb", (TRANSCRIPT, CHECKED),
                    REFUSED, r"entit", build=_bytes(lambda: docx_bytes(document_xml=billion_laughs_document()))),
        HostileCase("external_entity.docx", "document.xml pulls a local file in (XXE)", (TRANSCRIPT, CHECKED),
                    REFUSED, r"entit", names=("XXESECRETMARKER", "Thistlewood"), build=_external_entity),
        HostileCase("deep_nesting.docx", "100,000 nested content controls", (TRANSCRIPT, CHECKED), EITHER,
                    r"malformed|cannot be read|nest", build=_bytes(lambda: docx_bytes(
                        document_xml=deep_nesting_document()))),
        HostileCase("huge_text_node.docx", "one 12 MB run of text", (TRANSCRIPT, CHECKED), EITHER,
                    r"malformed|cannot be read|large|turns|bomb", build=_bytes(lambda: docx_bytes(
                        document_xml=huge_text_node_document()))),
        HostileCase("many_members.docx", "25,000 archive members", (TRANSCRIPT, CHECKED), REFUSED,
                    r"members", build=many_members),
        HostileCase("password_protected.docx", "an encrypted Office file (OLE2 EncryptedPackage)",
                    (TRANSCRIPT, CHECKED), REFUSED, r"password|encrypted", build=_bytes(encrypted_docx_bytes)),
        HostileCase("legacy.docx", "a Word 97-2003 .doc renamed .docx", (TRANSCRIPT, CHECKED), REFUSED,
                    r"legacy|97-2003|\.doc", build=_bytes(legacy_doc_bytes)),
        HostileCase("legacy.doc", "a Word 97-2003 .doc", (TRANSCRIPT,), REFUSED, r"legacy|97-2003|\.doc",
                    build=_bytes(legacy_doc_bytes)),
        HostileCase("rtf_renamed.docx", "an RTF document renamed .docx", (TRANSCRIPT, CHECKED), REFUSED, r"RTF",
                    build=_text("{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard Interviewer: hello "
                                "\\par Respondent: hi\\par}")),
        HostileCase("xlsx_renamed.docx", "an Excel workbook renamed .docx", (TRANSCRIPT,), REFUSED, r"Excel",
                    build=_bytes(lambda: bomb_book)),
        # --- empty documents
        HostileCase("empty.docx", "0 bytes named .docx", (TRANSCRIPT, CHECKED), REFUSED, r"empty",
                    build=_bytes(lambda: b"")),
        HostileCase("empty.txt", "0 bytes", (TRANSCRIPT, CHECKED), REFUSED, r"empty", build=_bytes(lambda: b""),
                    check_expect=EITHER),
        HostileCase("whitespace.txt", "only spaces, tabs and newlines", (TRANSCRIPT, CHECKED), REFUSED, r"empty",
                    build=_text(" \t\n\r\n   \n\u00a0\u2003\n"), check_expect=EITHER),
        HostileCase("empty_body.docx", "a valid .docx with no paragraphs", (TRANSCRIPT, CHECKED), REFUSED,
                    r"empty|no detectable", build=_bytes(lambda: docx_bytes([])), check_expect=EITHER),
        HostileCase("whitespace.docx", "a valid .docx whose paragraphs are blank", (TRANSCRIPT, CHECKED), REFUSED,
                    r"empty|no detectable", build=_bytes(lambda: docx_bytes(["   ", "\t", "\u00a0", ""])),
                    check_expect=EITHER),
        HostileCase("no_turns.txt", "prose with no speaker labels", (TRANSCRIPT,), REFUSED, r"no detectable",
                    build=_text("This is an interview guide.\nAsk about the office.\nAsk about referrals.\n")),
        # --- text encodings and awkward characters
        HostileCase("invalid_utf8.txt", "UTF-8 with invalid byte sequences", (TRANSCRIPT, CHECKED), EITHER,
                    r"UTF-8|encoding|binary", build=_bytes(_invalid_utf8)),
        HostileCase("binary.txt", "64 KB of random bytes named .txt", (TRANSCRIPT, CHECKED), REFUSED,
                    r"binary|encoding|UTF-8|no detectable", build=_bytes(_binary_txt)),
        HostileCase("cp1252.txt", "Windows-1252 with CRLF, pound signs, curly quotes", (TRANSCRIPT, CHECKED), READ,
                    names=("O\u2019Rourke",), build=_bytes(_cp1252)),
        HostileCase("utf16.txt", "UTF-16 with a byte-order mark", (TRANSCRIPT, CHECKED), READ,
                    names=("Quellwright",), build=_text(transcript_text([
                        ("Interviewer", "Hello?"), ("Respondent", "Bethany Quellwright here."),
                        ("Interviewer", "Thanks."), ("Respondent", "Bye.")]), "utf-16")),
        HostileCase("mixed_newlines.txt", "CRLF, CR, LF and U+2028 line ends mixed", (TRANSCRIPT, CHECKED), READ,
                    names=("Featherstonehaugh",), build=_text(_mixed_newlines())),
        HostileCase("rtl.txt", "Arabic and Hebrew names, bidi override characters", (TRANSCRIPT, CHECKED), READ,
                    build=_text(_rtl())),
        HostileCase("emoji.txt", "emoji in labels and text (ZWJ sequences, flags, skin tones)",
                    (TRANSCRIPT, CHECKED), READ, names=("Quellwright",), build=_text(_emoji())),
        HostileCase("zero_width_names.txt", "zero-width characters and soft hyphens inside names",
                    (TRANSCRIPT, CHECKED), READ, names=("Jemima Thistlewood", "Ottoline Pennyfeather",
                                                         "Bartholomew Quince"), build=_text(_zero_width_names())),
        HostileCase("all_caps.txt", "a transcript typed in capitals", (TRANSCRIPT, CHECKED), READ,
                    names=("Quellwright", "Jemima Thistlewood"), build=_text(_all_caps())),
        HostileCase("long_line.txt", "one 8 MB line with no line break", (TRANSCRIPT,), EITHER,
                    r"no detectable|large", build=_text("Interviewer: " + "very " * (8 * 2**20 // 5))),
        HostileCase("nul_bytes.txt", "text with NUL bytes scattered through it", (TRANSCRIPT, CHECKED), EITHER,
                    r"binary|encoding|UTF", build=_bytes(lambda: b"Interviewer: hi\x00\nRespondent: h\x00i\n" * 50)),
        HostileCase("corpus.jsonl", "a corpus.jsonl with broken lines", (TRANSCRIPT, CHECKED), REFUSED,
                    r"JSON|line \d+", build=_bytes(_corrupt_jsonl)),
        # --- captions
        HostileCase("overlapping.vtt", "WebVTT with overlapping, reversed and malformed cues",
                    (TRANSCRIPT, CHECKED), EITHER, r"cue|caption|timestamp|no detectable",
                    names=("Brimblecombe",), build=_text(_vtt_malformed())),
        HostileCase("malformed.srt", "SRT with missing numbers and broken times", (TRANSCRIPT, CHECKED), EITHER,
                    r"cue|caption|subtitle|timestamp|no detectable", build=_text(
                        "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: hi\n\nx\n00:00:03,000 --> \nRespondent: "
                        "hello\n\n3\n00:00:02,500 --> 00:00:01,000\n\n\n4\n-00:00:01,000 --> 00:00:05,000\n"
                        "Interviewer: fine\n")),
        # --- spreadsheets
        HostileCase("participants_formula.xlsx", "participants sheet with formulas (HYPERLINK, DDE)",
                    (PARTICIPANTS,), EITHER, r"", build=_bytes(lambda: xlsx_bytes([
                        PARTICIPANT_COLUMNS,
                        ["H01", "H01_interview.txt", '=HYPERLINK("http://example.org/x","Bethany")', "SW",
                         "=1+1", "=cmd|' /C calc'!A0", "intervention", "=TODAY()", "Hannah Price"]],
                        "Participants"))),
        HostileCase("participants_entity_bomb.xlsx", "participants sheet with an entity bomb in the sheet XML",
                    (PARTICIPANTS,), REFUSED, r"cannot be read|entit|malformed",
                    build=_bytes(lambda: with_entity_bomb(bomb_book, "xl/worksheets/sheet1.xml"))),
        HostileCase("participants_workbook_bomb.xlsx", "participants sheet with an entity bomb in workbook.xml",
                    (PARTICIPANTS,), REFUSED, r"cannot be read|entit|malformed",
                    build=_bytes(lambda: with_entity_bomb(bomb_book, "xl/workbook.xml"))),
        HostileCase("codebook_entity_bomb.xlsx", "codebook workbook with an entity bomb", (CODEBOOK,), REFUSED,
                    r"cannot be read|entit|malformed", build=_bytes(lambda: with_entity_bomb(
                        xlsx_bytes(CODEBOOK_ROWS, "Codes"), "xl/worksheets/sheet1.xml"))),
        HostileCase("decisions_entity_bomb.xlsx", "review decisions with an entity bomb", (DECISIONS,), REFUSED,
                    r"cannot be read|entit|malformed", build=_bytes(lambda: with_entity_bomb(
                        xlsx_bytes(REVIEW_ROWS, "Review"), "xl/worksheets/sheet1.xml"))),
        HostileCase("codings_entity_bomb.xlsx", "reviewed codings.xlsx with an entity bomb", (CODINGS_REVIEW,
                    HUMAN_CODES), REFUSED, r"cannot be read|entit|malformed", build=_bytes(lambda: with_entity_bomb(
                        xlsx_bytes(CODINGS_ROWS, "Codings"), "xl/worksheets/sheet1.xml"))),
        HostileCase("summaries_entity_bomb.xlsx", "framework workbook with an entity bomb", (SUMMARIES,), REFUSED,
                    r"cannot be read|entit|malformed", build=_bytes(lambda: with_entity_bomb(
                        xlsx_bytes([["case", "IMP.SPACE"], ["H01", "a summary"]], "IMP"),
                        "xl/worksheets/sheet1.xml"))),
        HostileCase("survey_entity_bomb.xlsx", "survey table with an entity bomb", (SURVEY,), REFUSED,
                    r"cannot be read|entit|malformed", build=_bytes(lambda: with_entity_bomb(
                        xlsx_bytes(SURVEY_ROWS, "Survey"), "xl/worksheets/sheet1.xml"))),
        HostileCase("checked_entity_bomb.xlsx", "a workbook to check, with an entity bomb", (CHECKED,), REFUSED,
                    r"cannot be read|entit|malformed", build=_bytes(lambda: with_entity_bomb(
                        xlsx_bytes(SURVEY_ROWS, "Survey"), "xl/worksheets/sheet1.xml"))),
        HostileCase("human_codes_entity_bomb.docx", "a coded .docx (Word comments) with an entity bomb",
                    (HUMAN_CODES,), REFUSED, r"entit", build=_bytes(lambda: docx_bytes(
                        document_xml=billion_laughs_document()))),
        # --- REFI-QDA
        HostileCase("entity_bomb.qdpx", "a .qdpx whose project.qde is an entity bomb", (QDPX, CHECKED), REFUSED,
                    r"entit", build=_bytes(lambda: qdpx_bytes(with_dtd(
                        qde_project('<Description>&lol9;</Description>'), BILLION_LAUGHS_DTD)))),
        HostileCase("truncated.qdpx", "a .qdpx cut in half", (QDPX, CHECKED), REFUSED, r"zip|damaged|corrupt|truncated",
                    build=_bytes(lambda: qdpx_bytes(qde_project(), {"a.txt": b"x" * 5000})[:300])),
    ]
    big = [
        HostileCase("zip_bomb.docx", "document.xml unpacks to 2 GB from a few MB", (TRANSCRIPT, CHECKED), REFUSED,
                    r"bomb", big=True, build=zip_bomb),
        HostileCase("overlap_bomb.docx", "400 directory entries share one 9 MB member (3.5 GB in all)",
                    (TRANSCRIPT, CHECKED), REFUSED, r"bomb|overlap|members", big=True, build=overlapping_bomb),
        HostileCase("huge_100mb.txt", "a 100 MB plain-text transcript", (TRANSCRIPT,), EITHER,
                    r"large|too", big=True, build=lambda path: big_text_transcript(path, 100)),
        HostileCase("huge_100mb.docx", "a .docx with 100 MB of document.xml", (TRANSCRIPT,), EITHER,
                    r"large|too|bomb", big=True, build=lambda path: big_docx_transcript(path, 100)),
        HostileCase("participants_1m_rows.xlsx", "a participants sheet with 1,000,000 rows", (PARTICIPANTS,),
                    EITHER, r"rows|large|too", big=True, build=million_row_participants),
    ]
    return cases + big


def make_hostile(root: str | Path, *, big: bool = False, only: Iterable[str] | None = None) -> list[HostileCase]:
    """Build the hostile corpus into ``root`` (small cases; ``big`` adds the large ones)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    wanted = set(only) if only is not None else None
    built = []
    for case in hostile_cases(root):
        if (case.big and not big) or (wanted is not None and case.name not in wanted):
            continue
        case.build(case.path(root))
        built.append(case)
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the corpus into")
    parser.add_argument("--big", action="store_true", help="also the 100 MB transcript, zip bombs, 1M-row sheet")
    args = parser.parse_args(argv)
    for case in make_hostile(args.out, big=args.big):
        size = case.path(args.out).stat().st_size
        print(f"{case.name:<34} {size:>12,} B  {case.expect:<8} {case.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
