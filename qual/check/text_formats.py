"""Text-based files: plain text and Markdown, captions (.vtt/.srt), CSV/TSV, JSON/JSONL and HTML.

Plain text, Markdown and captions are read whole, so the detectors see sentences as they
were written, and findings are located by line. Caption timings and markup are blanked
(same length) but a ``<v Name>`` voice keeps its name: it is one of the places a name hides.
CSV cells are located by row and column, JSON strings by their path (object keys are
themselves scanned, and shown in a path only when they are plainly schema words), HTML by
line. An HTML page's embedded JavaScript libraries (a ``<script>`` that opens with a
licence banner, such as the plotly.js of an interactive chart) are code, not data, and are
skipped; the string literals of every other script are read, which is where a chart keeps
its labels and hover texts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterator

from ..errors import InputFileError
from .extract import TextUnit, is_number_like, number_worth_reading, register_extractor
from .vocabulary import machine_token

# Keys shown in a JSON path: snake_case or camelCase identifiers, or common schema words.
_CODE_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+|[A-Z][A-Z0-9_]*_[A-Z0-9_]+")
_SCHEMA_WORDS = frozenset("""
id ids text texts name names type types start end speaker speakers role roles turn turns
attributes attribute metadata meta source sources format index timestamp timestamps document
documents code codes theme themes label labels value values data items item count counts words
version created modified date dates title description notes note comment comments status
segment segments score scores confidence detector detectors file files path paths part parts
location locations offset offsets length results result findings finding rules rule level
message messages kind category categories children parent parents key keys pseudonym
pseudonyms entities entity tag tags summary summaries topic topics cases case variables
variable properties property settings options config layout x y z width height color colour
mode size font family template annotations annotation trace traces hovertext hovertemplate
marker line lines style content contents body header footer html url uri run runs tool
driver schema language lang locale extract extracts quote quotes excerpt memo memos user users
""".split())
_STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.){1,10000}"|\'(?:[^\'\\\n]|\\.){1,10000}\'')
_LIBRARY_BANNER = re.compile(r"@license|copyright|\(c\)\s*\d{4}|/\*!|\bMIT\b", re.IGNORECASE)
_LIBRARY_MIN_CHARS = 20_000
_BINARY_KEY = re.compile(r"[\"']bdata[\"']\s*:\s*$")
_HTML_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "value", "content", "label",
                    "href", "src", "data-title", "data-name")


def _decode(name: str, data: bytes) -> str:
    from ..ingest.text import decode_text

    if not data.strip():
        return ""
    text, _ = decode_text(data, name)
    return text


# --------------------------------------------------------------------------- plain text


@register_extractor(".txt", ".md", ".markdown", ".text", ".rst", ".yaml", ".yml", ".log")
def read_plain(name: str, data: bytes) -> Iterator[TextUnit]:
    text = _decode(name, data)
    if text.strip():
        yield TextUnit("", "text", text, first_line=1)


_VTT_TIMING = re.compile(r"^[ \t]*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}[ \t]+-->[ \t]+\S+.*$", re.MULTILINE)
_CAPTION_TAG = re.compile(r"</?(?:c|i|b|u|ruby|rt|lang|font|span)(?:[.\s][^<>\n]*)?>|</v>|<\d{1,2}:\d{2}[^<>\n]*>"
                          r"|^WEBVTT\b", re.IGNORECASE | re.MULTILINE)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+([^<>\n]*)>")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


@register_extractor(".vtt", ".srt")
def read_captions(name: str, data: bytes) -> Iterator[TextUnit]:
    """Captions with timings, machine cue ids and markup blanked (offsets kept); voice names
    stay as text, and other cue identifiers are read on their own (:func:`_cue_identifiers`)."""
    text = _decode(name, data)
    if not text.strip():
        return
    chars = list(text)

    def blank(start: int, end: int) -> None:
        chars[start:end] = " " * (end - start)

    for match in _VTT_TIMING.finditer(text):
        blank(*match.span())
    for match in _CAPTION_TAG.finditer(text):
        blank(*match.span())
    for match in _VOICE.finditer(text):
        blank(match.start(), match.start(1))
        blank(match.end(1), match.end())
        # the voice's name is read as a speaker label ("<v Interviewer>How did ...": no
        # "Interviewer How" read as one phrase, "How" as a place mid-sentence)
        chars[match.end() - 1] = ":"
    # a cue's number or Teams id (before its timing) is no text: "the reference number is"
    # at the end of one cue and the next cue's "211" read together are no case number
    position = 0
    lines = text.splitlines(keepends=True)
    for line, following in zip(lines, lines[1:] + [""]):
        if "-->" in following and _VTT_TIMING.match(following) and line.strip() \
                and _MACHINE_CUE_ID.fullmatch(line.strip()):
            blank(position, position + len(line.rstrip("\r\n")))
        position += len(line)
    yield TextUnit("", "text", "".join(chars), first_line=1)
    yield from _cue_identifiers(text)


_MACHINE_CUE_ID = re.compile(r"[\d\s]*|[0-9A-Fa-f/_.:\-]+")


def _cue_identifiers(text: str) -> Iterator[TextUnit]:
    """A cue's identifier (the line before its timing) is a label, like a file name: read as
    words in title case too, so that ``jayden-okafor-2`` is read as "Jayden Okafor 2".
    Numbers and the GUIDs Teams writes are left out."""
    from .vocabulary import words_of

    lines = text.splitlines()
    number = 0
    for previous, line in zip(lines, lines[1:]):
        if "-->" in line and _VTT_TIMING.match(line):
            number += 1
            ident = previous.strip()
            if ident and "-->" not in ident and not _MACHINE_CUE_ID.fullmatch(ident):
                yield TextUnit("", f"cue {number} identifier", " ".join(w.title() for w in words_of(ident)))


# --------------------------------------------------------------------------- CSV


@register_extractor(".csv", ".tsv", ".tab")
def read_csv(name: str, data: bytes) -> Iterator[TextUnit]:
    text = _decode(name, data)
    if not text.strip():
        return
    if name.lower().endswith((".tsv", ".tab")):
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row_number, row in enumerate(reader, start=1):
            for column, cell in enumerate(row, start=1):
                if not cell.strip() or (is_number_like(cell) and not number_worth_reading(cell)):
                    continue
                yield TextUnit("", f"row {row_number}, column {column}", cell)
    except csv.Error:
        raise InputFileError(name, f"is not valid CSV (near line {reader.line_num})",
                             "check its quoting, or re-export it") from None


# --------------------------------------------------------------------------- JSON


_KEY_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _key_label(key: str, number: int) -> str:
    """A key as shown in a path: itself when it is plainly a field name (schema words, or
    snake_case/camelCase made of dictionary words), else its position: a key can be a name."""
    if key.lower() in _SCHEMA_WORDS:
        return f".{key}"
    if _CODE_KEY.fullmatch(key):
        from ..deid.recognizers.lexicon import load_lexicon

        lexicon = load_lexicon()
        parts = _KEY_PART.findall(key)
        if all(p.isdigit() or p.lower() in _SCHEMA_WORDS or lexicon.is_word(p.lower()) for p in parts):
            return f".{key}"
    return f".<key {number}>"


def _json_units(value: Any, path: str, keys_seen: set[str], prefix: str) -> Iterator[TextUnit]:
    # iterative, so a deeply nested file cannot exhaust the stack
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            children = []
            for number, (key, child) in enumerate(value.items(), start=1):
                label = path + _key_label(key, number)
                if key not in keys_seen:
                    keys_seen.add(key)
                    if key.strip() and not is_number_like(key):
                        yield TextUnit("", f"{prefix}{label} (key)", key)
                children.append((child, label))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(child, f"{path}[{i}]") for i, child in enumerate(value)]))
        elif isinstance(value, str):
            # an id software made up (a key's id in deid_provenance.json, a GUID) is no text;
            # a random one can hold a run of digits shaped like a phone number
            if value.strip() and not (is_number_like(value) and not number_worth_reading(value)) \
                    and not machine_token(value):
                yield TextUnit("", f"{prefix}{path}", value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if number_worth_reading(str(value), typed=True):
                yield TextUnit("", f"{prefix}{path}", str(value))


@register_extractor(".json", ".geojson", ".ipynb")
def read_json(name: str, data: bytes) -> Iterator[TextUnit]:
    text = _decode(name, data)
    if not text.strip():
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputFileError(name, f"is not valid JSON (line {error.lineno}, column {error.colno})",
                             "fix or re-export it") from None
    except RecursionError:
        raise InputFileError(name, "is nested too deeply to be read as JSON") from None
    yield from _json_units(value, "$", set(), "")


@register_extractor(".jsonl", ".ndjson")
def read_jsonl(name: str, data: bytes) -> Iterator[TextUnit]:
    """One JSON value per line; a bad line is reported after the good ones were read."""
    text = _decode(name, data)
    keys_seen: set[str] = set()
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            bad.append(number)
            continue
        yield from _json_units(value, "$", keys_seen, f"line {number}, ")
    if bad:
        raise InputFileError(name, f"{len(bad)} line(s) are not valid JSON (first: line {bad[0]})",
                             "fix or re-export it")


# --------------------------------------------------------------------------- HTML


def _script_strings(script: str, first_line: int) -> Iterator[TextUnit]:
    for match in _STRING_LITERAL.finditer(script):
        if _BINARY_KEY.search(script, max(0, match.start() - 12), match.start()):
            continue  # plotly's base64-encoded number arrays
        literal = match.group()
        if literal[0] == "'":
            literal = '"' + literal[1:-1].replace('\\\'', "'").replace('"', '\\"') + '"'
        try:
            value = json.loads(literal)
        except json.JSONDecodeError:
            value = literal[1:-1]
        if isinstance(value, str) and value.strip() and any(c.isalpha() for c in value):
            line = first_line + script.count("\n", 0, match.start())
            yield TextUnit("", f"line {line} (script)", value)


def is_library(script: str) -> bool:
    """An embedded JavaScript library (licence banner at its top), not a page's own data."""
    return len(script) >= _LIBRARY_MIN_CHARS and bool(_LIBRARY_BANNER.search(script[:3000]))


@register_extractor(".html", ".htm", ".xhtml")
def read_html(name: str, data: bytes) -> Iterator[TextUnit]:
    from lxml import etree, html

    if not data.strip():
        return
    parser = html.HTMLParser(no_network=True, remove_comments=False, remove_pis=False,
                             huge_tree=False, recover=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        raise InputFileError(name, "cannot be read as HTML", "check that it opens in a browser") from None
    for element in root.iter():
        line = element.sourceline or 0
        if element.tag is etree.Comment:
            if element.text and element.text.strip():
                yield TextUnit("", f"line {line} (comment)", element.text)
        elif isinstance(element.tag, str):
            tag = element.tag.lower()
            for key in _HTML_ATTRIBUTES:
                value = element.get(key)
                if value and value.strip():
                    yield TextUnit("", f"line {line} (attribute {key})", value)
            if tag == "script":
                script = element.text or ""
                if not element.get("src") and not is_library(script):
                    yield from _script_strings(script, line)
            elif tag != "style" and element.text and element.text.strip():
                yield TextUnit("", f"line {line}", element.text)
        if element.tail and element.tail.strip():
            parent = element.getparent()
            yield TextUnit("", f"line {(parent.sourceline if parent is not None else None) or line}",
                           element.tail)
