"""Build the fictional SWIS sample corpus and its gold annotations, deterministically.

    python scripts/make_samples.py                      # writes transcripts_sample/ and tests/gold/
    python scripts/make_samples.py --samples DIR --gold DIR
    python scripts/make_samples.py --lint               # also list capitalised words left unannotated

The interviews are written in ``scripts/samples/<ID>.txt`` with inline markup, so that every
offset in the gold is computed, never counted by hand:

    {child_jayden|Jayden}        an identifier of a registered entity (scripts/samples/entities.yaml)
    {DATE:date_icpc_summer|3rd of December}
                                 an identifier of an ad hoc entity with its type (dates, ages, numbers)
    {K|Kooth}                    a keep-term not in scripts/samples/keep_terms.txt
    {N|Will}                     a word that looks like a known name but is not one here
    {@}                          the recording time at this point of the turn (HH:MM:SS)

A data file is a YAML front matter between ``---`` lines, then turns: a line ``@ Speaker | CODE
CODE | flag`` opens a turn; each following non-empty line is one paragraph of it.

Every .docx/.xlsx is a zip whose entries and document properties carry timestamps; they are
pinned here so that running the script twice gives byte-identical files (tests/test_samples.py
checks it). Everything in the corpus is invented; phone numbers come from Ofcom's drama ranges.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import re
import sys
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "samples"
DEFAULT_SAMPLES = PROJECT / "transcripts_sample"
DEFAULT_GOLD = PROJECT / "tests" / "gold"

INTERVIEW_IDS = ["SW01", "SW02", "TM01", "SW03", "SW04", "TM02", "SW05", "TM03"]

# The 30 code ids of ../shared/specs/swis_ipe_codebook.md (tests check this list against the spec).
CODE_IDS = [
    "IMP.SETUP", "IMP.SPACE", "IMP.ALLOCATION", "IMP.FIDELITY", "IMP.COVID",
    "ROLE.STATUTORY", "ROLE.NONSTAT", "ROLE.CONSULT", "ROLE.TRAINING", "ROLE.CLARITY",
    "REL.DSL", "REL.STAFF", "REL.CSC", "REL.FAMILIES", "REL.STUDENTS",
    "REF.PROCESS", "REF.THRESHOLDS", "REF.INFOSHARE",
    "OUT.EARLY", "OUT.DEMAND", "OUT.SCHOOL", "OUT.CONFIDENCE",
    "DA.IDENTIFY", "DA.RESPONSE", "DA.KAP",
    "BF.BARRIERS", "BF.FACILITATORS", "BF.MANAGEMENT",
    "SUS.FUNDING", "SUS.FUTURE",
]

ENTITY_TYPES = [
    "PERSON", "SCHOOL", "LOCAL_AUTHORITY", "PLACE", "ADDRESS", "POSTCODE", "ORGANISATION",
    "EMAIL", "PHONE", "URL", "HANDLE", "DATE", "DATE_OF_BIRTH", "AGE", "CASE_NUMBER",
    "NI_NUMBER", "NHS_NUMBER",
]
TYPE_ALIASES = {"DOB": "DATE_OF_BIRTH", "CASE": "CASE_NUMBER", "NI": "NI_NUMBER",
                "NHS": "NHS_NUMBER", "LA": "LOCAL_AUTHORITY", "ORG": "ORGANISATION"}
# Named things: every occurrence of one of their surfaces must be annotated (checked below).
NAMED_TYPES = {"PERSON", "SCHOOL", "LOCAL_AUTHORITY", "PLACE", "ORGANISATION", "ADDRESS"}

FIXED_ZIP_TIME = (2022, 3, 31, 9, 0, 0)
WORDS_PER_SECOND = 2.6  # conversational speech, about 155 words a minute
# Fictional, non-identifying files: readable like any other file in the repository.
SHARED_READ = 0o644

MARKUP = re.compile(
    r"\{(?:(?P<type>[A-Z_]+):)?(?P<entity>[a-z][a-z0-9_]*)\|(?P<surface>[^{}|]+)\}"
    r"|\{(?P<flag>[KN])\|(?P<flagged>[^{}|]+)\}"
    r"|\{@\}"
)


class SampleError(Exception):
    """A mistake in the sample data files; the message says which file and turn."""


# --------------------------------------------------------------------------- data files


@dataclass
class Mention:
    start: int
    end: int
    type: str
    entity: str
    text: str

    def as_gold(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type,
                "entity": self.entity, "text": self.text}


@dataclass
class Marked:
    """Plain text produced from marked-up text, with what the markup said about it."""

    text: str
    identifiers: list[Mention] = field(default_factory=list)
    keeps: list[tuple[int, int]] = field(default_factory=list)
    not_names: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Turn:
    speaker: str
    codes: list[str]
    flags: set[str]
    paragraphs_source: list[str]
    role: str = ""
    text: str = ""
    paragraphs: list[str] = field(default_factory=list)
    marked: Marked | None = None
    keep_terms: list[tuple[int, int]] = field(default_factory=list)
    seconds: float = 0.0
    timestamp: str | None = None


@dataclass
class Interview:
    id: str
    meta: dict
    turns: list[Turn]
    source: Path


class Register:
    """The invented entities: one id per real-world thing, shared across interviews."""

    def __init__(self, path: Path):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.entities: dict[str, dict] = {}
        for entity_id, spec in raw.items():
            if spec["type"] not in ENTITY_TYPES:
                raise SampleError(f"{path.name}: {entity_id} has unknown type {spec['type']}")
            self.entities[entity_id] = spec
        self.ad_hoc_types: dict[str, str] = {}

    def resolve(self, entity: str, given_type: str | None, where: str) -> str:
        if given_type:
            given_type = TYPE_ALIASES.get(given_type, given_type)
            if given_type not in ENTITY_TYPES:
                raise SampleError(f"{where}: unknown type {given_type} for {entity}")
        if entity in self.entities:
            registered = self.entities[entity]["type"]
            if given_type and given_type != registered:
                raise SampleError(f"{where}: {entity} is {registered}, marked {given_type}")
            return registered
        if not given_type:
            raise SampleError(f"{where}: {entity} is not registered and has no type")
        if given_type in NAMED_TYPES - {"ADDRESS"}:
            raise SampleError(f"{where}: {given_type} entity {entity} must be registered")
        previous = self.ad_hoc_types.setdefault(entity, given_type)
        if previous != given_type:
            raise SampleError(f"{where}: {entity} used as {previous} and {given_type}")
        return given_type

    def name(self, entity: str) -> str:
        return self.entities[entity]["name"]


def parse_markup(source: str, register: Register, where: str, clock=None) -> Marked:
    pieces: list[str] = []
    marked = Marked("")
    position = 0
    last = 0
    for match in MARKUP.finditer(source):
        literal = source[last:match.start()]
        pieces.append(literal)
        position += len(literal)
        last = match.end()
        if match.group("entity"):
            surface = match.group("surface")
            kind = register.resolve(match.group("entity"), match.group("type"), where)
            marked.identifiers.append(
                Mention(position, position + len(surface), kind, match.group("entity"), surface))
        elif match.group("flag"):
            surface = match.group("flagged")
            target = marked.keeps if match.group("flag") == "K" else marked.not_names
            target.append((position, position + len(surface)))
        else:
            if clock is None:
                raise SampleError(f"{where}: {{@}} used where there is no recording time")
            surface = clock(position)
        pieces.append(surface)
        position += len(surface)
    pieces.append(source[last:])
    marked.text = "".join(pieces)
    leftover = re.search(r"[{}|]", marked.text)
    if leftover:
        raise SampleError(f"{where}: stray markup character near "
                          f"{marked.text[max(0, leftover.start() - 30):leftover.start() + 30]!r}")
    return marked


def read_interview(path: Path) -> Interview:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise SampleError(f"{path.name}: no front matter")
    _, front, body = raw.split("---\n", 2)
    meta = yaml.safe_load(front)
    turns: list[Turn] = []
    for number, line in enumerate(body.splitlines(), start=1):
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@ "):
            parts = [p.strip() for p in line[2:].split("|")]
            codes = parts[1].split() if len(parts) > 1 and parts[1] != "-" else []
            flags = set(parts[2].split()) if len(parts) > 2 else set()
            turns.append(Turn(parts[0], codes, flags, []))
        else:
            if not turns:
                raise SampleError(f"{path.name}:{number}: text before the first turn")
            turns[-1].paragraphs_source.append(line)
    return Interview(meta["id"], meta, turns, path)


# --------------------------------------------------------------------------- text conventions


def smart_quotes(text: str) -> str:
    """Word's AutoFormat: straight quotes become curly ones (same length, so offsets hold)."""
    out = []
    for i, char in enumerate(text):
        before = text[i - 1] if i else " "
        opening = before.isspace() or before in "([-\u2013\u2014"
        if char == "'":
            out.append("\u2018" if opening and i + 1 < len(text) and text[i + 1].isalpha() else "\u2019")
        elif char == '"':
            out.append("\u201c" if opening else "\u201d")
        else:
            out.append(char)
    return "".join(out)


def load_keep_patterns(path: Path) -> re.Pattern:
    alternatives = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            alternatives.append(line[3:].strip())
        else:
            alternatives.append(re.escape(line).replace("'", "['\u2019]"))
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def clock_text(seconds: float, style: str) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if style == "otter":
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def vtt_time(seconds: float) -> str:
    millis = int(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def word_count(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------- building


def build(interview: Interview, register: Register, keep_re: re.Pattern) -> None:
    """Resolve markup into turn texts, offsets, roles and recording times."""
    meta = interview.meta
    speakers = meta["speakers"]
    curly = meta.get("smart_quotes", False)
    seconds = float(meta.get("start_seconds", 3.4))
    for index, turn in enumerate(interview.turns):
        where = f"{interview.source.name} turn {index}"
        if turn.speaker not in speakers:
            raise SampleError(f"{where}: speaker {turn.speaker!r} is not in the front matter")
        turn.role = speakers[turn.speaker]["role"]
        for code in turn.codes:
            if code not in CODE_IDS:
                raise SampleError(f"{where}: unknown code {code}")
        if turn.role != "participant" and turn.codes:
            raise SampleError(f"{where}: only participant turns carry codes")
        if "overlap" in turn.flags:
            # An interjection spoken over the end of the previous turn: it starts inside that
            # turn's last cue, so sorting cues by start time puts it between the two halves.
            last_start, last_length, _ = cue_layout(interview.turns[index - 1])[-1]
            seconds = last_start + 0.5 * last_length
        turn.seconds = seconds
        source = "\n".join(turn.paragraphs_source)
        start = seconds

        def clock(position: int, start=start) -> str:
            return clock_text(start + position / 6.0 / WORDS_PER_SECOND, "hms")

        marked = parse_markup(source, register, where, clock)
        text = smart_quotes(marked.text) if curly else marked.text
        marked.text = text
        for mention in marked.identifiers:
            mention.text = text[mention.start:mention.end]
        turn.marked = marked
        turn.text = text
        turn.paragraphs = text.split("\n")
        if any(p != p.strip() or not p for p in turn.paragraphs):
            raise SampleError(f"{where}: a paragraph has surrounding whitespace or is empty")
        if "  " in text or "\t" in text:
            raise SampleError(f"{where}: double space or tab in turn text")
        turn.keep_terms = keep_spans(text, marked, keep_re)
        if meta["format"] in {"docx", "vtt"} and meta["style"] in {"timestamped", "otter", "teams-vtt"}:
            style = "otter" if meta["style"] == "otter" else "hms"
            turn.timestamp = clock_text(seconds, style)
        if "overlap" in turn.flags:
            previous = interview.turns[index - 1]
            seconds = previous.seconds + duration(previous) + 0.3
        else:
            seconds += duration(turn) + 0.9


def duration(turn: Turn) -> float:
    return max(1.2, word_count(turn.text) / WORDS_PER_SECOND)


def cue_layout(turn: Turn) -> list[tuple[float, float, str]]:
    """(start seconds, length, text) of each .vtt cue of a turn."""
    cues = split_cues(turn)
    total = duration(turn)
    words_total = max(1, word_count(turn.text))
    start = turn.seconds
    layout = []
    for cue in cues:
        length = total * word_count(cue) / words_total
        layout.append((start, length, cue))
        start += length
    return layout


def keep_spans(text: str, marked: Marked, keep_re: re.Pattern) -> list[tuple[int, int]]:
    identifier_spans = [(m.start, m.end) for m in marked.identifiers]
    spans = set(marked.keeps)
    for match in keep_re.finditer(text):
        span = match.span()
        if not any(overlaps(span, other) for other in identifier_spans):
            spans.add(span)
    result = sorted(spans)
    for a, b in zip(result, result[1:]):
        if overlaps(a, b):
            raise SampleError(f"overlapping keep-terms at {a} and {b}")
    for span in result:
        if any(overlaps(span, other) for other in identifier_spans):
            raise SampleError(f"keep-term {text[span[0]:span[1]]!r} overlaps an identifier")
    return result


def metadata_mentions(interview: Interview, register: Register) -> tuple[dict, list[dict]]:
    """Resolve marked-up header/footer/comment/properties/preamble text."""
    meta = interview.meta
    curly = meta.get("smart_quotes", False)
    resolved: dict = {}
    found: list[dict] = []

    def resolve(source: str, where: str) -> str:
        marked = parse_markup(source, register, f"{interview.source.name} {where}")
        text = smart_quotes(marked.text) if curly and where != "properties" else marked.text
        for mention in marked.identifiers:
            found.append({"where": where, "text": text[mention.start:mention.end],
                          "type": mention.type, "entity": mention.entity})
        return text

    resolved["preamble"] = [resolve(line, "preamble") for line in meta.get("preamble", [])]
    resolved["table"] = [[resolve(cell, "preamble") for cell in row] for row in meta.get("table", [])]
    for part in ("header", "footer"):
        if meta.get(part):
            resolved[part] = resolve(meta[part], part)
    if meta.get("comment"):
        comment = dict(meta["comment"])
        comment["text"] = resolve(comment["text"], "comment")
        comment["author"] = resolve(comment["author"], "comment")
        resolved["comment"] = comment
    if meta.get("properties"):
        resolved["properties"] = {key: resolve(value, "properties")
                                  for key, value in meta["properties"].items()}
    return resolved, found


def attributes(interview: Interview, register: Register) -> dict:
    participant = interview.meta["participant"]
    schools = participant.get("schools") or []
    return {
        "participant_id": interview.id,
        "name": register.name(participant["name"]),
        "role": participant["role"],
        "local_authority": register.name(participant["local_authority"]),
        "school": "; ".join(register.name(s) for s in schools) or None,
        "trial_arm": participant["trial_arm"],
        "interview_date": str(participant["interview_date"]),
        "interviewer": register.name(participant["interviewer"]),
    }


def speaker_identifiers(interview: Interview) -> list[dict]:
    out = []
    for label, spec in interview.meta["speakers"].items():
        if spec.get("entity"):
            out.append({"speaker": label, "type": "PERSON", "entity": spec["entity"]})
    return out


def gold(interview: Interview, register: Register) -> dict:
    meta = interview.meta
    _, metadata_found = metadata_mentions(interview, register)
    return {
        "id": interview.id,
        "file": meta["file"],
        "format": meta["format"],
        "style": meta["style"],
        "attributes": attributes(interview, register),
        "turns": [
            {
                "index": i,
                "speaker": t.speaker,
                "role": t.role,
                "timestamp": t.timestamp,
                "text": t.text,
                "codes": t.codes,
                "identifiers": [m.as_gold() for m in t.marked.identifiers],
                "keep_terms": [{"start": s, "end": e, "text": t.text[s:e]} for s, e in t.keep_terms],
            }
            for i, t in enumerate(interview.turns)
        ],
        "speaker_identifiers": speaker_identifiers(interview),
        "metadata_identifiers": metadata_found,
    }


# --------------------------------------------------------------------------- checks


def check_corpus(interviews: list[Interview], register: Register) -> None:
    """Refuse data that would make the gold wrong: unannotated names, bad numbers, sizes."""
    surfaces: set[str] = set()
    for interview in interviews:
        for turn in interview.turns:
            for m in turn.marked.identifiers:
                if m.type in NAMED_TYPES:
                    surfaces.add(m.text)
    for spec_id, spec in register.entities.items():
        if spec["type"] in NAMED_TYPES and spec["type"] != "ADDRESS":
            surfaces.add(spec["name"])
    surface_re = re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))
        + r")(?![\w-])")
    problems = []
    for interview in interviews:
        words = sum(word_count(t.text) for t in interview.turns)
        if not 1500 <= words <= 3000:
            problems.append(f"{interview.id}: {words} words, outside 1,500-3,000")
        for i, turn in enumerate(interview.turns):
            covered = [(m.start, m.end) for m in turn.marked.identifiers] + turn.marked.not_names
            for match in surface_re.finditer(turn.text):
                if not any(c[0] <= match.start() and match.end() <= c[1] for c in covered):
                    problems.append(f"{interview.id} turn {i}: unannotated known name "
                                    f"{match.group()!r} at {match.start()}")
            for m in turn.marked.identifiers:
                problem = check_value(m)
                if problem:
                    problems.append(f"{interview.id} turn {i}: {problem}")
    if problems:
        raise SampleError("\n".join(problems))


DRAMA_RANGES = [  # Ofcom numbers reserved for drama (national significant number, no leading 0)
    ("7700900", 3), ("1134960", 3), ("1144960", 3), ("1154960", 3), ("1164960", 3),
    ("1174960", 3), ("1184960", 3), ("1214960", 3), ("1314960", 3), ("1414960", 3),
    ("1514960", 3), ("1614960", 3), ("2079460", 3), ("1632960", 3), ("1914980", 3),
    ("2920180", 3), ("2896496", 3), ("8081570", 3), ("9098790", 3),
]
SPOKEN_DIGITS = {"oh": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                 "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}


def spoken_to_digits(text: str) -> str:
    digits = []
    words = re.findall(r"[a-z]+|\d", text.lower())
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("double", "triple") and i + 1 < len(words):
            digit = SPOKEN_DIGITS.get(words[i + 1], words[i + 1])
            digits.append(digit * (2 if word == "double" else 3))
            i += 2
            continue
        digits.append(SPOKEN_DIGITS.get(word, word if word.isdigit() else ""))
        i += 1
    return "".join(digits)


def is_drama_number(text: str) -> bool:
    digits = re.sub(r"\D", "", text) or spoken_to_digits(text)
    if digits.startswith("44"):
        digits = digits[2:]
    digits = digits.lstrip("0")
    return any(digits.startswith(prefix) and len(digits) == len(prefix) + rest
               for prefix, rest in DRAMA_RANGES)


def nhs_number_valid(text: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", text)]
    if len(digits) != 10:
        return False
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def check_value(m: Mention) -> str | None:
    if m.type == "PHONE" and not is_drama_number(m.text):
        return f"phone {m.entity} is not in an Ofcom drama range"
    if m.type == "NHS_NUMBER" and not nhs_number_valid(m.text):
        return f"NHS number {m.entity} fails the mod-11 check"
    if m.type == "NI_NUMBER" and not m.text.replace(" ", "").startswith("QQ"):
        return f"NI number {m.entity} does not use HMRC's QQ example prefix"
    if m.type in ("EMAIL", "URL") and ".example." not in m.text:
        return f"{m.type} {m.entity} is not on an example domain"
    return None


COMMON_CAPITALISED = {
    "I", "I'm", "I'd", "I've", "I'll", "OK", "Mum", "Dad", "Mr", "Mrs", "Miss", "Ms", "Dr", "PC",
    "Sir", "Nan",
}


def lint(interviews: list[Interview]) -> list[str]:
    """Capitalised words in mid-sentence that are neither identifiers nor keep-terms."""
    out = []
    for interview in interviews:
        for i, turn in enumerate(interview.turns):
            covered = ([(m.start, m.end) for m in turn.marked.identifiers] + turn.keep_terms
                       + turn.marked.not_names)
            for match in re.finditer(r"[A-Z][\w'\u2019-]*", turn.text):
                before = turn.text[:match.start()].rstrip(" ")
                if not before or before[-1] in ".?!\n\"\u201c\u2018:[-\u2013":
                    continue  # sentence-initial: capitalised anyway
                word = match.group().replace("\u2019", "'")
                if word in COMMON_CAPITALISED or any(c[0] <= match.start() < c[1] for c in covered):
                    continue
                out.append(f"{interview.id} turn {i}: {match.group()}")
    return out


# --------------------------------------------------------------------------- writers


def pin_zip(data: bytes, core_date: str = "2022-03-31T09:00:00Z") -> bytes:
    """Rewrite a zip with fixed entry times and fixed document-property dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + core_date.encode() + rb"\2", blob)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 0
            target.writestr(entry, blob, compresslevel=6)
    return out.getvalue()


def docx_bytes(interview: Interview, register: Register) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    meta = interview.meta
    resolved, _ = metadata_mentions(interview, register)
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    section = document.sections[0]
    if resolved.get("header"):
        section.header.paragraphs[0].text = resolved["header"]
    if resolved.get("footer"):
        section.footer.paragraphs[0].text = resolved["footer"]

    for line in resolved["preamble"]:
        document.add_paragraph(line)
    if resolved["table"]:
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for key, value in resolved["table"]:
            cells = table.add_row().cells
            cells[0].text = key
            cells[1].text = value
        document.add_paragraph("")

    style = meta["style"]
    comment = resolved.get("comment")
    half = len(interview.turns) // 2
    for index, turn in enumerate(interview.turns):
        label = turn.speaker
        paragraphs = turn.paragraphs
        if style == "otter":
            document.add_paragraph(f"{label}  {turn.timestamp}")
            for text in paragraphs:
                document.add_paragraph(text)
            document.add_paragraph("")
            continue
        first = document.add_paragraph()
        if style == "timestamped":
            prefix = f"[{turn.timestamp}] {label}: "
        elif style == "bold-labels":
            colon = turn.role == "interviewer" or index < half
            first.add_run(f"{label}:" if colon else label).bold = True
            prefix = " "
        else:
            prefix = f"{label}: "
        anchor = None
        if comment and comment["turn"] == index:
            position = paragraphs[0].find(comment["anchor"])
            if position < 0:
                raise SampleError(f"{interview.id}: comment anchor not in turn {index}'s first paragraph")
            anchor = (position, position + len(comment["anchor"]))
        if anchor:
            text = paragraphs[0]
            first.add_run(prefix + text[:anchor[0]])
            anchored = first.add_run(text[anchor[0]:anchor[1]])
            first.add_run(text[anchor[1]:])
            made = document.add_comment(anchored, text=comment["text"], author=comment["author"],
                                        initials=comment.get("initials", ""))
            made._comment_elm.set(qn("w:date"), comment.get("date", "2021-11-22T10:15:00Z"))
        else:
            first.add_run(prefix + paragraphs[0])
        for text in paragraphs[1:]:
            document.add_paragraph(text)

    properties = document.core_properties
    props = resolved.get("properties", {})
    properties.author = props.get("author", "")
    properties.title = props.get("title", "")
    properties.last_modified_by = props.get("last_modified_by", "")
    properties.comments = ""
    properties.subject = ""
    properties.revision = 3
    moment = dt.datetime(2022, 3, 31, 9, 0, 0)
    properties.created = moment
    properties.modified = moment
    buffer = io.BytesIO()
    document.save(buffer)
    return pin_zip(buffer.getvalue())


def vtt_text(interview: Interview) -> str:
    """A Teams .vtt: long turns split into cues at sentence ends; one interjection overlaps."""
    namespace = uuid.UUID(hashlib.sha256(interview.id.encode()).hexdigest()[:32])
    lines = ["WEBVTT", ""]
    cue_number = 0
    for turn in interview.turns:
        for start, length, cue in cue_layout(turn):
            cue_number += 1
            guid = uuid.uuid5(namespace, str(cue_number))
            lines.append(f"{guid}/{cue_number + 11}-0")
            lines.append(f"{vtt_time(start)} --> {vtt_time(start + length)}")
            shown = cue
            cue_words = cue.split(" ")
            if len(cue_words) > 14:  # Teams wraps long cues over two lines
                half = len(cue_words) // 2
                shown = " ".join(cue_words[:half]) + "\n" + " ".join(cue_words[half:])
            lines.append(f"<v {turn.speaker}>{shown}</v>")
            lines.append("")
    return "\n".join(lines)


def split_cues(turn: Turn) -> list[str]:
    """Cut a turn at sentence ends (never inside an identifier) into cues of 4-22 words."""
    text = turn.text
    protected = [(m.start, m.end) for m in turn.marked.identifiers]
    cuts = []
    last = 0
    words_since = 0
    for match in re.finditer(r" ", text):
        words_since += 1
        position = match.start()
        inside = any(s <= position < e for s, e in protected)
        sentence_end = text[position - 1] in ".?!"
        if inside:
            continue
        if (sentence_end and words_since >= 5) or words_since >= 22:
            cuts.append(text[last:position])
            last = position + 1
            words_since = 0
    cuts.append(text[last:])
    if " ".join(cuts) != text:
        raise SampleError(f"cue split does not reproduce the turn text of {turn.speaker}")
    return cuts


def txt_bytes(interview: Interview, register: Register) -> bytes:
    resolved, _ = metadata_mentions(interview, register)
    lines = list(resolved["preamble"]) + [""]
    for turn in interview.turns:
        lines.append(f"{turn.speaker}:\t{turn.paragraphs[0]}")
        lines.extend(turn.paragraphs[1:])
        lines.append("")
    text = "\r\n".join(lines)
    return text.encode(interview.meta.get("encoding", "cp1252"))


def participants_bytes(interviews: list[Interview], register: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Participants"
    columns = ["participant_id", "file", "name", "role", "local_authority", "school", "trial_arm",
               "interview_date", "interviewer"]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for interview in interviews:
        row = attributes(interview, register)
        row["file"] = interview.meta["file"]
        row["interview_date"] = dt.date.fromisoformat(row["interview_date"])
        sheet.append([row[c] for c in columns])
        sheet.cell(sheet.max_row, columns.index("interview_date") + 1).number_format = "DD/MM/YYYY"
    widths = {"A": 14, "B": 30, "C": 20, "D": 6, "E": 18, "F": 60, "G": 14, "H": 14, "I": 16}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    moment = dt.datetime(2022, 3, 31, 9, 0, 0)
    workbook.properties.creator = "SWIS IPE team"
    workbook.properties.created = moment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return pin_zip(buffer.getvalue())


# --------------------------------------------------------------------------- main


def load(data_dir: Path = DATA) -> tuple[list[Interview], Register]:
    register = Register(data_dir / "entities.yaml")
    keep_re = load_keep_patterns(data_dir / "keep_terms.txt")
    interviews = [read_interview(data_dir / f"{i}.txt") for i in INTERVIEW_IDS]
    for interview in interviews:
        build(interview, register, keep_re)
    check_corpus(interviews, register)
    return interviews, register


def generate(samples_dir: Path = DEFAULT_SAMPLES, gold_dir: Path = DEFAULT_GOLD,
             data_dir: Path = DATA) -> dict[str, Path]:
    """Write the sample files and gold; returns {name: path} of everything written."""
    sys.path.insert(0, str(PROJECT))
    from qual.files import write_bytes, write_text

    interviews, register = load(data_dir)
    written: dict[str, Path] = {}
    for interview in interviews:
        meta = interview.meta
        target = Path(samples_dir) / meta["file"]
        if meta["format"] == "docx":
            write_bytes(target, docx_bytes(interview, register), permissions=SHARED_READ)
        elif meta["format"] == "vtt":
            write_bytes(target, vtt_text(interview).encode("utf-8"), permissions=SHARED_READ)
        elif meta["format"] == "txt":
            write_bytes(target, txt_bytes(interview, register), permissions=SHARED_READ)
        else:
            raise SampleError(f"{interview.id}: unknown format {meta['format']}")
        written[meta["file"]] = target
        gold_path = Path(gold_dir) / f"{interview.id}.json"
        write_text(gold_path, json.dumps(gold(interview, register), ensure_ascii=False, indent=1) + "\n",
                   permissions=SHARED_READ)
        written[gold_path.name] = gold_path
    sheet = Path(samples_dir) / "participants.xlsx"
    write_bytes(sheet, participants_bytes(interviews, register), permissions=SHARED_READ)
    written[sheet.name] = sheet
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--lint", action="store_true",
                        help="list capitalised words that are neither identifiers nor keep-terms")
    args = parser.parse_args(argv)
    try:
        written = generate(args.samples, args.gold)
    except SampleError as error:
        print(f"make_samples: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {args.samples} and {args.gold}")
    if args.lint:
        interviews, _ = load()
        for line in lint(interviews):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
