"""Caption files (.vtt, .srt) and caption-like text: cues -> speaker turns.

Teams writes each cue's speaker as a voice tag (``<v Sarah Collins>text</v>``); Zoom and
many SRT exports prefix the text (``Sarah Collins: text``), often only when the speaker
changes; older Teams Word exports put the speaker's name on its own line under the cue
time. Cues are ordered by start time (Teams writes overlapping cues out of order),
consecutive cues of one speaker become one turn (texts joined by a space), and a turn's
timestamp is its first cue's start as HH:MM:SS.

The parser is tolerant on purpose: a malformed cue (no or broken timing line, a blank line
inside a cue) continues the previous cue rather than failing the file or losing its words.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import InputFileError
from ..model import NON_SPEECH_RE, Role, Turn
from .labels import COLON_LABEL, TAG_BODY, is_first_name, label_kind, normalise_label

log = logging.getLogger("qual.ingest.captions")

_TIME = r"(?:(?P<{0}h>\d{{1,3}}):)?(?P<{0}m>\d{{1,2}}):(?P<{0}s>\d{{1,2}})(?:[.,](?P<{0}f>\d{{1,3}}))?"
TIMING = re.compile(rf"^\s*{_TIME.format('a')}\s*-->\s*{_TIME.format('b')}")
_LOOSE_TIMING = re.compile(r"-->")
_VOICE = re.compile(r"<v(?:\.[\w.\-]+)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>|\{\\[^}]*\}")
_SRT_SPEAKER = re.compile(r"^\s*(?:>>|-)\s*")
# '[Kwabena Mensah] text': a caption's speaker in brackets (an annotation is not: NON_SPEECH_RE)
_BRACKET_LABEL = re.compile(rf"^\s*\[(?P<label>{TAG_BODY})\]\s+(?=\S)")

NO_SPEAKERS_ADVICE = ("export the transcript with speaker names (Teams/Zoom: download the transcript, not the "
                      "captions) or put 'Name:' before each speaker's first cue")


@dataclass
class Cue:
    start: float
    text: str
    speaker: str | None
    order: int
    head: str | None = None   # first line of a multi-line cue without a voice: maybe a name
    rest: str = ""            # the text after that line
    timing: str = ""          # the cue's timing as written ("00:00:01.000 --> 00:00:04.000")
    named: bool = False       # the cue names its speaker (a voice tag or a 'Name:' prefix)
    ident: str = ""           # its identifier line when a number or a Teams id


def looks_like_captions(lines: Sequence[str]) -> bool:
    """True when text holds cue timings ('00:00:01.000 --> 00:00:04.000') rather than prose."""
    stripped = [line.strip() for line in lines[:400] if line.strip()]
    if stripped and stripped[0].startswith("WEBVTT"):
        return True
    timings = sum(1 for line in stripped if TIMING.match(line))
    return timings >= 2 and timings >= len(stripped) / 10


_CUE_ID = re.compile(r"\d+|[0-9a-fA-F]{8}-[0-9a-fA-F\-]{27}(?:/[\d\-]+)?")


def parse_cues(lines: Sequence[str], path: str | Path = "") -> tuple[list[Cue], int]:
    """Cues in file order, and how many malformed blocks were folded into a neighbour.

    Every timing line starts a cue, with or without a blank line before it (Word exports
    of captions have no blank paragraphs; hand-edited files lose them).
    """
    blocks: list[list[str]] = [[]]
    for raw in lines:
        line = raw.replace("\ufeff", "").rstrip()
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    cues: list[Cue] = []
    malformed = 0
    for block in blocks:
        if not block:
            continue
        timings = [i for i, line in enumerate(block) if TIMING.match(line)]
        if not timings:
            if block[0].strip().startswith(("WEBVTT", "NOTE", "STYLE", "REGION", "Kind:", "Language:")):
                continue
            malformed += _fold(cues, [line for line in block if not _LOOSE_TIMING.search(line)])
            continue
        # above the first timing: the cue's identifier (one line, any text, as WebVTT allows),
        # and above that, text that lost its own timing
        before = block[:timings[0]]
        if len(before) > 1 and not before[0].strip().startswith("WEBVTT"):
            malformed += _fold(cues, before[:-1])
        # a cue's identifier, kept when it is a number or a Teams id (other text may name someone)
        ident = before[-1].strip() if before and _CUE_ID.fullmatch(before[-1].strip()) else ""
        for n, row in enumerate(timings):
            end = timings[n + 1] if n + 1 < len(timings) else len(block)
            payload = block[row + 1:end]
            if n + 1 < len(timings) and payload and _CUE_ID.fullmatch(payload[-1].strip()):
                payload = payload[:-1]  # the next cue's number
            start = _seconds(TIMING.match(block[row]), "a")
            # the timing as the pattern reads it (text after it, hand-typed, may name someone)
            parts = _cue_parts(start, payload, len(cues), TIMING.match(block[row]).group().strip())
            for part in parts:
                part.ident = ident if n == 0 else ""
            cues.extend(parts)
    return cues, malformed


def _fold(cues: list[Cue], payload: list[str]) -> int:
    """Text without a usable timing continues the previous cue (or opens the first); 1 if any."""
    if payload and re.fullmatch(r"\d+", payload[0].strip()):
        payload = payload[1:]  # the SRT number of a cue whose timing is broken
    if not payload:
        return 0
    parts = _cue_parts(cues[-1].start if cues else 0.0, payload, len(cues), cues[-1].timing if cues else "")
    if parts and parts[0].speaker is None and cues:
        cues[-1].text = f"{cues[-1].text} {parts.pop(0).text}"
    cues.extend(parts)
    return 1


def _seconds(match: re.Match, prefix: str) -> float:
    hours = int(match[f"{prefix}h"] or 0)
    fraction = match[f"{prefix}f"] or "0"
    return hours * 3600 + int(match[f"{prefix}m"]) * 60 + int(match[f"{prefix}s"]) + int(fraction) / 10 ** len(fraction)


def _cue_parts(start: float, payload: list[str], order: int, timing: str = "") -> list[Cue]:
    """A cue's text, split where it changes voice ('<v A>hi</v> <v B>hello</v>')."""
    joined = " ".join(line.strip() for line in payload)
    voices = list(_VOICE.finditer(joined))
    if not voices:
        text = _clean(joined)
        if not text:
            return []
        cue = Cue(start, text, None, order, timing=timing)
        if len(payload) >= 2:
            cue.head, cue.rest = _clean(payload[0]), _clean(" ".join(payload[1:]))
        return [cue]
    parts = []
    leading = _clean(joined[:voices[0].start()])
    if leading:
        parts.append(Cue(start, leading, None, order, timing=timing))
    for i, voice in enumerate(voices):
        end = voices[i + 1].start() if i + 1 < len(voices) else len(joined)
        text = _clean(joined[voice.end():end])
        name = normalise_label(html.unescape(voice["name"] or "")) or None
        if text:
            parts.append(Cue(start, text, name, order + len(parts), timing=timing, named=name is not None))
    return parts


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).replace("\u200e", "").replace("\u200f", "").split())


def cue_turns(cues: list[Cue], path: str | Path = "") -> tuple[list[Turn], dict]:
    """Merge cues into turns; raises when no cue names its speaker."""
    _name_prefixes(cues)
    if not any(cue.speaker for cue in cues):
        _name_lines(cues)
    if not any(cue.speaker for cue in cues):
        raise InputFileError(path, "has captions but no speaker names", NO_SPEAKERS_ADVICE)
    ordered = sorted(cues, key=lambda cue: (cue.start, cue.order))
    turns: list[Turn] = []
    # where each cue's text starts in its turn, its timing and whether it names its speaker:
    # no text, so a de-identified caption file can be written back cue by cue
    layout: list[list[list]] = []
    speaker = "Unknown"
    for cue in ordered:
        speaker = cue.speaker or speaker
        if turns and turns[-1].speaker == speaker:
            layout[-1].append([len(turns[-1].text) + 1, cue.timing, cue.named, cue.ident])
            turns[-1].text = f"{turns[-1].text} {cue.text}"
        else:
            turns.append(Turn(index=len(turns), speaker=speaker, role=Role.OTHER, text=cue.text,
                              timestamp=_clock(cue.start)))
            layout.append([[0, cue.timing, True, cue.ident]])
    return turns, {"cues": len(cues), "cue_layout": layout}


def _name_prefixes(cues: list[Cue]) -> None:
    """'Sarah Collins: text' cues (Zoom, SRT), '[Sarah Collins] text' cues (captions that
    bracket the speaker), '[Person 3]: text' (captions qual de-identified) and a name on its
    own first line (Teams .docx)."""
    prefixed: list[tuple[Cue, str, str]] = []
    for cue in cues:
        if cue.speaker:
            continue
        text = _SRT_SPEAKER.sub("", cue.text)
        colon = COLON_LABEL.match(text)
        match = colon or _BRACKET_LABEL.match(text)
        if match and not colon and _qual_tag(f"[{match['label']}]"):
            continue  # a pseudonym tag speaks only before a colon: "[School A] in ..." is speech
        if match and label_kind(match["label"]) in ("role", "code", "caps", "name", "tag") \
                and not NON_SPEECH_RE.match(text):
            prefixed.append((cue, normalise_label(match["label"]), text[match.end():].strip()))
    counts = Counter(label for _, label, _ in prefixed)
    # the file names its speakers so: a full name given once is a speaker who speaks once
    styled = any(count >= 2 or label_kind(label) in ("role", "caps") for label, count in counts.items())
    for cue, label, text in prefixed:
        # a one-off 'Name:' is more likely speech ('Note: ...') unless it is a role word or in
        # capitals, or, in a file whose speakers are named that way, a full name or a listed
        # first name (as in a transcript's 'Name:' labels)
        if counts[label] >= 2 or label_kind(label) in ("role", "caps", "tag") or (
                styled and label_kind(label) == "name" and (len(label.split()) >= 2 or is_first_name(label))):
            cue.speaker, cue.text, cue.named = label, text, True


def _qual_tag(text: str) -> bool:
    """``text`` is a pseudonym tag as qual writes them ("[School A]", "[Person 3]")."""
    from ..deid.identity.tags import TAG_RE

    return TAG_RE.fullmatch(text) is not None


def _name_lines(cues: list[Cue]) -> None:
    """Old Teams Word exports: under each cue time, the speaker's name alone on a line."""
    heads = Counter(cue.head for cue in cues if cue.head and cue.rest)
    names = {head for head, count in heads.items()
             if label_kind(head) in ("role", "caps", "name") and (count >= 2 or label_kind(head) == "role")}
    for cue in cues:
        if cue.head in names and cue.rest:
            cue.speaker, cue.text, cue.named = normalise_label(cue.head), cue.rest, True


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def read_captions(lines: Sequence[str], path: str | Path = "") -> tuple[list[Turn], dict]:
    """Turns from the lines of a caption file; metadata counts cues and malformed blocks."""
    cues, malformed = parse_cues(lines, path)
    if not cues:
        raise InputFileError(path, "has no caption cues", "check that the file is a complete .vtt/.srt export")
    turns, info = cue_turns(cues, path)
    if malformed:
        info["malformed_cues"] = malformed
        log.info("%d malformed caption blocks were folded into their neighbours", malformed)
    return turns, info
