"""Word .docx: the body as lines in document order, everything else as metadata.

The package is read with ``qual.ooxml.Package`` (over ``qual.files``' bomb and entity checks:
parts found through relationships and content types) and its WordprocessingML walked with
lxml. python-docx is not used for reading: its ``Paragraph.text`` skips tracked insertions
and does not say which text is bold, and opening a document through it cost 18 ms against 7 ms
for a 9,000-word transcript, and 55 ms against the XML parse alone on a bloated 2 MB
document.xml (measured on the project machine; see docs/ingest.md).

What the walk does, and why:
- tracked insertions (``w:ins``, ``w:moveTo``) are kept and deletions (``w:del``,
  ``w:moveFrom``) dropped: the document as it reads with all changes accepted;
- a deleted paragraph mark joins the paragraph to the next, as accepting it would;
- a line break inside a paragraph starts a new line (a label is often followed by
  Shift+Enter and then the text);
- field instructions (``PAGE``, ``HYPERLINK ...``) are not text; their results are;
- text boxes are read after the paragraph that anchors them (once: the VML fallback copy
  Word writes beside each text box is skipped);
- tables are read row by row in place; a table whose columns are (speaker, text), with or
  without a time column, gives each row's speaker as the line's label;
- page headers and footers, comments (with the turns they are anchored to), footnotes and
  endnotes, and document properties become metadata, never turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..files import parse_xml
from ..ooxml import STRICT_W_NS, W, Package
from .formats import SAVE_AS_DOCX
from .labels import TIMESTAMP, Line, label_kind, normalise_label

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

P, R, T, TBL, TR, TC = (f"{W}{n}" for n in ("p", "r", "t", "tbl", "tr", "tc"))
TAB, BR, CR, NBH = (f"{W}{n}" for n in ("tab", "br", "cr", "noBreakHyphen"))
COMMENT_START, COMMENT_END = f"{W}commentRangeStart", f"{W}commentRangeEnd"
_BLOCK_CONTAINERS = {f"{W}{n}" for n in ("sdt", "sdtContent", "customXml", "ins", "moveTo")}
_FALSE = {"0", "false", "off", "none"}
_TIME_CELL = re.compile(rf"^\s*[\[(]?\s*{TIMESTAMP}\s*[\])]?\s*$")
_HEADER_WORDS = {"speaker", "name", "who", "person", "role", "time", "timestamp", "text", "transcript",
                 "utterance", "speech", "content", "dialogue", "response", "words", "what was said"}


@dataclass
class WordDocument:
    lines: list[Line]
    metadata: dict[str, Any] = field(default_factory=dict)


# The body's XML of a 13,000-word interview is ~2 MB (Word writes ~150 bytes of markup per
# word); 32 MB is ~200,000 words. Beyond it, parsing would cost minutes and gigabytes for what
# cannot be one interview, so the size in the archive's header is checked before unpacking.
MAX_DOCUMENT_XML_BYTES = 32 * 2**20


def read_docx(path: str | Path, data: bytes) -> WordDocument:
    """Read a .docx file's bytes (already known to be a zip) into lines and metadata."""
    with Package(path, data) as package:
        main = main_document(package)
        unpacked = package.size(main)
        if unpacked > MAX_DOCUMENT_XML_BYTES:
            raise InputFileError(path, f"its text unpacks to {unpacked // 2**20} MB of XML, more than "
                                 f"{MAX_DOCUMENT_XML_BYTES // 2**20} MB: too large to be one transcript",
                                 "check that it is the right file, or split it into interviews")
        root = package.xml(main)
        body = root.find(f"{W}body")
        if body is None:
            if root.tag.startswith(f"{{{STRICT_W_NS}}}"):
                raise InputFileError(path, "is saved as Strict Open XML, which qual does not read",
                                     "save it as a regular Word Document (.docx)")
            raise InputFileError(path, "has no document body", SAVE_AS_DOCX)
        rels = package.related(main)
        styles = _StyleBold(lambda: _style_table(package, rels["styles"][0]) if rels.get("styles") else {})
        reader = _BodyReader(styles)
        reader.read(body)
        metadata: dict[str, Any] = {
            "headers": _unique(t for part in rels.get("header", []) for t in _story_text(package.xml(part), styles)),
            "footers": _unique(t for part in rels.get("footer", []) for t in _story_text(package.xml(part), styles)),
        }
        notes = _unique(t for kind in ("footnotes", "endnotes") for part in rels.get(kind, [])
                        for t in _story_text(package.xml(part), styles))
        if notes:
            metadata["notes"] = notes
        metadata["comments"] = [c for part in rels.get("comments", []) for c in _comments(package.xml(part), styles)]
        metadata["properties"] = package.properties()
        return WordDocument(reader.lines, metadata)


def main_document(package: Package) -> str:
    """The package's main Word document part; a clear error when the zip is something else."""
    path = package.path
    main = package.main_part()
    kind = package.kind_of(main) if main is not None else None
    if kind == "word":
        return main
    if package.has("mimetype") and b"opendocument.text" in package.read(package.part_name("mimetype"))[:100]:
        raise InputFileError(path, "is an OpenDocument text file (.odt), not a .docx", SAVE_AS_DOCX)
    if kind == "excel":
        raise InputFileError(path, "is an Excel workbook, not a Word document",
                             "give the transcript's .docx; a participants sheet goes to --participants")
    if kind == "powerpoint":
        raise InputFileError(path, "is a PowerPoint file, not a Word document", "give the transcript's .docx")
    raise InputFileError(path, "is a zip archive but not a Word document", SAVE_AS_DOCX)


def _unique(texts) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t.strip()))


# Parsed style tables by a digest of the styles part: documents made from one template (a
# project's transcripts usually are) share the part byte for byte, and parsing it is most of
# the cost of reading a short transcript (python-docx's template holds 350 KB of styles).
_STYLE_TABLES: dict[bytes, dict[str, tuple[bool | None, str | None]]] = {}
_STYLE_TABLES_KEPT = 64


def _style_table(package: Package, part: str) -> dict[str, tuple[bool | None, str | None]]:
    """Style id -> (bold or not or unsaid, the style it is based on), for the styles part."""
    import hashlib

    # keyed by the part as stored, when the zip allows: a cached table then costs no unpacking
    digest = package.stored_digest(part)
    data = None
    if digest is None:
        data = package.read(part)
        digest = hashlib.blake2b(data, digest_size=20).digest()
    table = _STYLE_TABLES.get(digest)
    if table is None:
        table = {}
        data = package.read(part) if data is None else data
        for style in parse_xml(data, package.path, package.label(part)).iter(f"{W}style"):
            style_id = style.get(f"{W}styleId")
            if style_id:
                based = style.find(f"{W}basedOn")
                table[style_id] = (_bold_of(style.find(f"{W}rPr")),
                                   based.get(f"{W}val") if based is not None else None)
        if len(_STYLE_TABLES) >= _STYLE_TABLES_KEPT:
            _STYLE_TABLES.pop(next(iter(_STYLE_TABLES)))
        _STYLE_TABLES[digest] = table
    return table


class _StyleBold:
    """Which paragraph and character styles make text bold (following basedOn chains).

    The style table is read on the first question (parsed once per distinct styles part,
    see :func:`_style_table`), and each answer is kept."""

    def __init__(self, load) -> None:
        self._load = load
        self._raw: dict[str, tuple[bool | None, str | None]] | None = None
        self._bold: dict[str, bool] = {}

    def __call__(self, style_id: str | None) -> bool:
        if not style_id:
            return False
        if style_id not in self._bold:
            if self._raw is None:
                self._raw = self._load()
            raw = self._raw
            seen, current, value = set(), style_id, None
            while current in raw and current not in seen and value is None:
                seen.add(current)
                value, current = raw[current]
            self._bold[style_id] = bool(value)
        return self._bold[style_id]


def _bold_of(rpr) -> bool | None:
    if rpr is None:
        return None
    b = rpr.find(f"{W}b")
    if b is None:
        return None
    return b.get(f"{W}val", "true").lower() not in _FALSE


def _prune(root) -> tuple[set, dict]:
    """Drop deleted text and VML fallbacks; detach text boxes. Works on our parsed copy only.

    Returns the paragraphs whose mark was deleted (to be joined with the next) and the
    text boxes anchored in each paragraph.
    """
    joined = set()
    for element in list(root.iter(f"{W}del", f"{W}moveFrom", f"{MC}Fallback")):
        parent = element.getparent()
        if parent is None:
            continue
        if parent.tag == f"{W}rPr":
            holder = parent.getparent()
            if holder is not None and holder.tag == f"{W}pPr":
                joined.add(holder.getparent())
            continue  # a deleted paragraph mark or run property, not deleted text
        if parent.tag == f"{W}trPr":
            row = parent.getparent()
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)  # a deleted table row
            continue
        parent.remove(element)
    boxes: dict = {}
    for box in list(root.iter(f"{W}txbxContent")):
        host = box.getparent()
        while host is not None and host.tag != P:
            host = host.getparent()
        parent = box.getparent()
        if parent is not None:
            parent.remove(box)
        if host is not None:
            boxes.setdefault(host, []).append(box)
    return joined, boxes


class _BodyReader:
    """Walks WordprocessingML block content and collects ``Line`` objects."""

    def __init__(self, styles: _StyleBold, where: str = "paragraph") -> None:
        self.styles = styles
        self.lines: list[Line] = []
        self.where = where
        self._paragraphs = 0
        self._tables = 0
        self._joined: set = set()
        self._boxes: dict = {}
        self._open_comments: dict[str, tuple[int, int]] = {}
        self._pending: list[tuple[int, str, int, int]] = []  # spans on lines not finished yet
        self._current_where = where
        self._reset_line()

    def read(self, root) -> None:
        self._joined, self._boxes = _prune(root)
        self.block(root)
        if self._text:
            self._finish_line()

    # ------------------------------------------------------------------ block level
    def block(self, container) -> None:
        for child in container:
            tag = child.tag
            if tag == P:
                self.paragraph(child)
            elif tag == TBL:
                self.table(child)
            elif tag in _BLOCK_CONTAINERS:
                self.block(child)
            elif tag == COMMENT_START:
                self._open_comments[child.get(f"{W}id", "")] = (len(self.lines), self._length)
            elif tag == COMMENT_END:
                self._close_comment(child.get(f"{W}id", ""))
            elif tag == f"{MC}AlternateContent":
                self.block(child)
            elif tag == f"{MC}Choice":
                self.block(child)

    def paragraph(self, p) -> None:
        self._paragraphs += 1
        if not self._text:
            self._current_where = f"{self.where} {self._paragraphs}"
        ppr = p.find(f"{W}pPr")
        style = None
        if ppr is not None:
            pstyle = ppr.find(f"{W}pStyle")
            style = pstyle.get(f"{W}val") if pstyle is not None else None
        paragraph_bold = self.styles(style)
        # iterating runs (not all descendants) skips the paragraph properties, whose tab
        # stops share the tag of a typed tab and can outnumber the text elements
        for element in p.iter(R, COMMENT_START, COMMENT_END):
            tag = element.tag
            if tag == R:
                for child in element:
                    tag = child.tag
                    if tag == T:
                        text = child.text
                        if text:
                            self._add(text, element, paragraph_bold)
                    elif tag == TAB:
                        self._add("\t", element, paragraph_bold)
                    elif tag == BR or tag == CR:
                        self._finish_line()  # a line, page or column break inside the paragraph
                    elif tag == NBH:
                        self._add("-", element, paragraph_bold)
            elif tag == COMMENT_START:
                self._open_comments[element.get(f"{W}id", "")] = (len(self.lines), self._length)
            else:
                self._close_comment(element.get(f"{W}id", ""))
        if p not in self._joined:
            self._finish_line()
        for box in self._boxes.get(p, ()):
            self.block(box)

    def table(self, tbl) -> None:
        self._tables += 1
        number = self._tables
        rows: list[list[list[Line]]] = []
        for tr in tbl.iterchildren(TR, *_BLOCK_CONTAINERS):
            for row in ([tr] if tr.tag == TR else tr.iter(TR)):
                cells = []
                for tc in row.iter(TC):
                    if _nearest(tc, TR) is not row:
                        continue  # cells of a nested table are read with their own cell
                    cell_reader = _BodyReader(self.styles, where=f"table {number} row {len(rows) + 1} paragraph")
                    cell_reader._boxes = self._boxes
                    cell_reader._joined = self._joined
                    cell_reader.block(tc)
                    if cell_reader._text:
                        cell_reader._finish_line()
                    cells.append(cell_reader.lines)
                rows.append(cells)
        layout = _speaker_table_layout(rows)
        if layout is None and _is_key_value_table(rows):
            # 'Participant | Joanne (TM02)', 'Date | 24 Feb': facts about the interview, kept
            # as one line per row that never opens a turn (it lands in the preamble)
            for row_number, cells in enumerate(rows, 1):
                text = "\t".join(_cell_text(cell).replace("\n", " ") for cell in cells)
                if text.strip():
                    self.lines.append(Line(text, where=f"table {number} row {row_number}", opens_turns=False))
            return
        for row_number, cells in enumerate(rows, 1):
            where = f"table {number} row {row_number}"
            if layout is None or len(cells) <= max(c for c in layout if c is not None):
                for cell in cells:
                    self.lines.extend(cell)
                continue
            label_col, text_col, time_col = layout
            label = normalise_label(_cell_text(cells[label_col]))
            stamp = _cell_text(cells[time_col]).strip(" []()") if time_col is not None else None
            text_lines = [line for line in cells[text_col] if not line.blank]
            if _is_header_row(label, _cell_text(cells[text_col])):
                self.lines.append(Line("\t".join(_cell_text(c) for c in cells), where=where))
                continue
            if not label:
                self.lines.extend(text_lines)
                continue
            first = text_lines[0] if text_lines else Line("")
            self.lines.append(Line(first.text, label=label, timestamp=stamp or None, where=where,
                                   comments=first.comments))
            self.lines.extend(text_lines[1:])

    # ------------------------------------------------------------------ text
    def _add(self, text: str, run, paragraph_bold: bool) -> None:
        if self._bold_open:
            if self._is_bold(run, paragraph_bold):
                self._bold_prefix.append(text)
            elif text.strip():
                self._bold_open = False
            else:
                self._bold_prefix.append(text)
        self._text.append(text)
        self._length += len(text)

    def _is_bold(self, run, paragraph_bold: bool) -> bool:
        rpr = run.find(f"{W}rPr")
        bold = _bold_of(rpr)
        if bold is not None:
            return bold
        rstyle = rpr.find(f"{W}rStyle") if rpr is not None else None
        return self.styles(rstyle.get(f"{W}val")) if rstyle is not None else paragraph_bold

    def _reset_line(self) -> None:
        self._text: list[str] = []
        self._length = 0
        self._bold_prefix: list[str] = []
        self._bold_open = True

    def _finish_line(self) -> None:
        text = "".join(self._text)
        bold = "".join(self._bold_prefix)
        number = len(self.lines)
        comments = [(cid, s, e) for n, cid, s, e in self._pending if n == number]
        if comments:
            self._pending = [span for span in self._pending if span[0] != number]
        self.lines.append(Line(text, bold=bold if bold.strip() else "", where=self._current_where, comments=comments))
        self._reset_line()

    def _close_comment(self, comment_id: str) -> None:
        start = self._open_comments.pop(comment_id, None)
        if start is None:
            return
        start_line, start_pos = start
        end_line, end_pos = len(self.lines), self._length
        for number in range(start_line, end_line + 1):
            s = start_pos if number == start_line else 0
            if number < len(self.lines):
                e = end_pos if number == end_line else len(self.lines[number].text)
                if e > s:
                    self.lines[number].comments.append((comment_id, s, e))
            elif end_pos > s:
                self._pending.append((number, comment_id, s, end_pos))


def _nearest(element, tag: str):
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _cell_text(cell: list[Line]) -> str:
    return "\n".join(line.text.strip() for line in cell if not line.blank)


def _is_header_row(label: str, text: str) -> bool:
    return label.casefold() in _HEADER_WORDS or text.strip().casefold() in _HEADER_WORDS


def _speaker_table_layout(rows: list[list[list[Line]]]) -> tuple[int, int, int | None] | None:
    """(label column, text column, time column) when a table is a transcript laid out in cells."""
    body = [row for row in rows if row]
    if len(body) < 2:
        return None
    width = max(len(row) for row in body)
    if not 2 <= width <= 4:
        return None
    texts = [[_cell_text(row[c]) if c < len(row) else "" for c in range(width)] for row in body]
    time_col = None
    for c in range(width):
        values = [row[c] for row in texts if row[c] and not _is_header_row(row[c], "")]
        if values and sum(bool(_TIME_CELL.match(v)) for v in values) >= 0.6 * len(values):
            time_col = c
            break
    label_col = None
    for c in range(width):
        if c == time_col:
            continue
        values = [row[c] for row in texts if row[c] and not _is_header_row(row[c], "")]
        if len(values) < 2:
            continue
        shaped = sum(1 for v in values if "\n" not in v and len(v.split()) <= 6
                     and label_kind(v) in ("role", "code", "caps", "name"))
        distinct = len({v.casefold() for v in values})
        # speakers take turns, so a speaker column repeats itself; a column of distinct
        # names is a key ('Participant', 'Local authority', 'Date') of a facts table
        if shaped >= 0.6 * len(values) and distinct < len(values) and distinct <= max(8, len(values) // 2):
            label_col = c
            break
    if label_col is None:
        return None
    rest = [c for c in range(width) if c not in (label_col, time_col)]
    if not rest:
        return None
    text_col = max(rest, key=lambda c: sum(len(row[c]) for row in texts))
    return label_col, text_col, time_col


def _is_key_value_table(rows: list[list[list[Line]]]) -> bool:
    body = [row for row in rows if any(cell for cell in row)]
    if not body or any(len(row) != 2 for row in body):
        return False
    keys = [_cell_text(row[0]) for row in body]
    return all(key and "\n" not in key and len(key.split()) <= 6 for key in keys) and \
        len({key.casefold() for key in keys}) == len(keys)


def _story_text(root, styles: _StyleBold) -> list[str]:
    reader = _BodyReader(styles)
    reader.read(root)
    return [line.text.strip() for line in reader.lines if not line.blank]


def _comments(root, styles: _StyleBold) -> list[dict[str, Any]]:
    comments = []
    for comment in root.iter(f"{W}comment"):
        reader = _BodyReader(styles)
        reader.read(comment)
        comments.append({
            "id": comment.get(f"{W}id", ""),
            "author": comment.get(f"{W}author", ""),
            "initials": comment.get(f"{W}initials", ""),
            "date": comment.get(f"{W}date", ""),
            "text": "\n".join(line.text.strip() for line in reader.lines if not line.blank),
        })
    return comments
