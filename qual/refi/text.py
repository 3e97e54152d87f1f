"""The plain text of REFI-QDA text sources and the positions in it.

REFI-QDA counts positions in Unicode code points from 0, end exclusive (spec 10.2): exactly
Python ``str`` indices, so emoji and accented letters need no conversion. What tools disagree
on is line ends: the spec counts every code point of the file, so CR LF is two; ATLAS.ti
writes CR LF files but counts CR LF as one. qual writes LF only, and on import normalises to
LF, moving every position with the text (``NewlineMap``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..model import LABEL_SEPARATOR, TURN_SEPARATOR, Role, Transcript, Turn
from ..text import shorten

# Characters XML 1.0 cannot carry at all (lxml refuses them): C0 controls other than tab,
# LF and CR, lone surrogates and the two non-characters.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LABEL_SPACES = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
ELLIPSIS = "\u2026"
LABEL_LENGTH = 60


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (they cannot reach a .qde file)."""
    return _XML_INVALID.sub("", text or "")


@dataclass(frozen=True)
class NewlineMap:
    """Where each position of a text goes when its line ends become LF.

    ``removed`` lists, in order, the positions of the CRs dropped from CR LF pairs (a lone CR
    becomes LF and keeps its place). A position moves left by the number of CRs removed
    before it; a position between CR and LF lands on the LF.
    """

    removed: tuple[int, ...] = field(default_factory=tuple)

    def __call__(self, position: int) -> int:
        return position - bisect.bisect_left(self.removed, position)

    @property
    def identity(self) -> bool:
        return not self.removed


def normalise_newlines(text: str) -> tuple[str, NewlineMap]:
    """``text`` with CR LF and lone CR turned into LF, and the map of old to new positions."""
    if "\r" not in text:
        return text, NewlineMap()
    removed = tuple(m.start() for m in re.finditer("\r\n", text))
    return text.replace("\r\n", "\n").replace("\r", "\n"), NewlineMap(removed)


def selection_label(quote: str, limit: int = LABEL_LENGTH) -> str:
    """The ``name`` of a selection: the start of its quote on one line, as ATLAS.ti and
    MAXQDA show a quotation; ``…`` marks a cut, made between words (a word cut short would
    be a fragment no reader or word list knows). Validation compares it with the source text."""
    return shorten(xml_safe(quote).translate(_LABEL_SPACES), limit, ELLIPSIS)


def label_matches(label: str, extract: str) -> bool:
    """Whether a selection ``name`` written by ``selection_label`` fits the text it selects."""
    wanted = selection_label(extract, limit=10**9)
    if label.endswith(ELLIPSIS):
        return wanted.startswith(label[:-1])
    return wanted == label


def looks_like_quote(label: str | None) -> bool:
    """Whether a peer's selection name is probably the start of the selected text (ATLAS.ti,
    MAXQDA) rather than a generated name (``line:6``, ``Quotation 6:1``, a GUID)."""
    if not label or len(label.strip()) < 8:
        return False
    return not re.match(r"^(?:line:\d|quotation \d|selection \d|\{?[0-9a-f]{8}-)", label.strip(), re.I)


def quote_fits(label: str, extract: str) -> bool:
    """A looser ``label_matches`` for peers' names: spaces collapsed, a trailing ``…`` or ``...`` cut."""
    def squash(text: str) -> str:
        return " ".join(text.split())

    name = squash(label)
    cut = name.endswith(ELLIPSIS) or name.endswith("...")
    name = name.rstrip(ELLIPSIS).rstrip(".") if cut else name
    text = squash(extract)
    if not name:
        return False
    return text.startswith(name) if cut else text == name or text.startswith(name)


# --------------------------------------------------------------------------- text -> transcript

UNLABELLED_SPEAKER = "Text"
_TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A speaker label: a name of up to 40 characters without a colon, or a pseudonym tag such as
# "[Person 6]" (de-identification writes those), after an optional "[00:01:02] " timestamp.
_SPEAKER = r"\[[^\]\n:]{1,40}\]|[^\s:\[\]][^:\n]{0,39}?"
_LABEL = re.compile(
    rf"(?:\[(?P<timestamp>{_TIMESTAMP})\] )?(?P<speaker>{_SPEAKER})" + re.escape(LABEL_SEPARATOR)
)


def _known_labels(speakers: Iterable[str]) -> re.Pattern:
    """The label pattern for a text whose speakers are known (a qual export lists them)."""
    names = "|".join(re.escape(s) for s in sorted(set(speakers), key=len, reverse=True))
    return re.compile(rf"(?:\[(?P<timestamp>{_TIMESTAMP})\] )?(?P<speaker>{names})" + re.escape(LABEL_SEPARATOR))
_INTERVIEWER = re.compile(
    r"^(?:interviewer|int|i|q|researcher|facilitator|moderator|evaluator)\s*\d*$", re.IGNORECASE
)
_MAX_LABEL_WORDS = 4


def guess_role(speaker: str) -> Role:
    """Interviewer for the usual interviewer labels (``Interviewer``, ``INT``, ``I``, ``Q``...),
    else participant; the role cannot be known from a peer's plain text."""
    if _INTERVIEWER.match(speaker.strip()):
        return Role.INTERVIEWER
    if speaker == UNLABELLED_SPEAKER:
        return Role.OTHER
    return Role.PARTICIPANT


class LayoutMap:
    """Where positions of a source text land in the transcript built from it.

    ``segments`` are (source start, source end, transcript start) of the stretches copied
    unchanged (each turn's label and text); only the blank lines between turns may differ.
    A start inside such a gap moves to the next turn, an end to the end of the previous one.
    """

    def __init__(self, segments: Iterable[tuple[int, int, int]], length: int) -> None:
        self.segments = tuple(segments)
        self.length = length
        self._starts = [src for src, _, _ in self.segments]
        # The stretches cover the whole source and the gaps between them are line breaks in
        # both texts: one shift for all means the same gaps, so the same text.
        self.exact = len({new - src for src, _, new in self.segments}) <= 1
        self.shift = self.segments[0][2] - self.segments[0][0] if self.segments else 0

    def start(self, position: int) -> int:
        if self.exact:
            return position + self.shift
        i = bisect.bisect_right(self._starts, position) - 1
        if i >= 0 and position < self.segments[i][1]:
            src, _, new = self.segments[i]
            return new + position - src
        return self.segments[i + 1][2] if i + 1 < len(self.segments) else self.length

    def end(self, position: int) -> int:
        if self.exact:
            return position + self.shift
        i = bisect.bisect_left(self._starts, position) - 1
        if i < 0:
            return self.segments[0][2] if self.segments else 0
        src, src_end, new = self.segments[i]
        return new + min(position, src_end) - src

    def __repr__(self) -> str:
        return f"LayoutMap({len(self.segments)} stretches, exact={self.exact}, shift={self.shift})"


def _label_starts(text: str, speakers: Iterable[str] | None = None) -> list[tuple[int, re.Match]]:
    """Line starts that begin with a speaker label and are taken as the start of a turn.

    With the ``speakers`` known (qual's own exports), a turn starts at the start of the text
    or after a blank line, with one of them. Otherwise at the start of the text, after a blank
    line, or with a speaker seen at two line starts (a wrapped line that happens to hold a
    colon is not a new speaker)."""
    pattern = _known_labels(speakers) if speakers else _LABEL
    candidates = []
    for position in [0, *(m.end() for m in re.finditer("\n", text))]:
        match = pattern.match(text, position)
        if match is not None and (speakers or len(match.group("speaker").split()) <= _MAX_LABEL_WORDS):
            candidates.append((position, match))
    counts: dict[str, int] = {}
    for _, match in candidates:
        counts[match.group("speaker")] = counts.get(match.group("speaker"), 0) + 1
    return [(position, match) for position, match in candidates
            if position == 0 or text[max(0, position - 2):position] == "\n\n"
            or (counts[match.group("speaker")] > 1 and not speakers)]


def transcript_from_text(document: str, text: str, roles: Mapping[str, Role] | None = None,
                         attributes: Mapping | None = None,
                         speakers: Iterable[str] | None = None) -> tuple[Transcript, LayoutMap]:
    """A transcript built from a source's plain text, and where the text's positions land in it.

    Turns start at lines that begin with ``Speaker: `` or ``[00:01:02] Speaker: `` (see
    ``_label_starts``); text before the first label becomes a turn labelled ``Text``. Labels
    and turn texts are copied unchanged, so a selection keeps its characters; only the line
    breaks between turns become the blank line of qual's layout (``qual.model``). For text in
    that layout (what qual exports) the transcript text is the source text exactly;
    ``speakers`` (listed by qual's own exports) are the only labels then, and only after a
    blank line, so a paragraph that happens to start like a label stays in its turn.
    """
    speakers = list(speakers or [])
    transcript, layout = _build(document, text, roles or {}, dict(attributes or {}), speakers)
    if speakers and not (layout.exact and layout.shift == 0):
        # the listed speakers do not lay the text out exactly (a label with a character XML
        # could not carry, say): the general reading may
        other = _build(document, text, roles or {}, dict(attributes or {}), [])
        if other[1].exact and other[1].shift == 0:
            return other
    return transcript, layout


def _build(document: str, text: str, roles: Mapping[str, Role], attributes: dict,
           speakers: list[str]) -> tuple[Transcript, LayoutMap]:
    starts = _label_starts(text, speakers) if text else []
    pieces: list[tuple[int, int, re.Match | None]] = []  # (source start, source end, label)
    if text and (not starts or starts[0][0] != 0):
        pieces.append((0, starts[0][0] if starts else len(text), None))
    for number, (position, match) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(text)
        pieces.append((position, end, match))
    turns: list[Turn] = []
    copied: list[tuple[int, int, bool]] = []  # source range of each turn (label and text), labelled?
    for number, (position, end, match) in enumerate(pieces):
        if number + 1 < len(pieces):  # the line break(s) before the next label are the separator
            newlines = len(text[position:end]) - len(text[position:end].rstrip("\n"))
            end -= min(newlines, len(TURN_SEPARATOR))
        if match is None:
            turns.append(Turn(index=0, speaker=UNLABELLED_SPEAKER, role=Role.OTHER, text=text[position:end]))
            copied.append((position, end, False))
            continue
        speaker = match.group("speaker")
        turns.append(Turn(index=number, speaker=speaker, role=roles.get(speaker) or guess_role(speaker),
                          text=text[match.end():end], timestamp=match.group("timestamp")))
        copied.append((position, end, True))
    transcript = Transcript(id=document, source="", turns=turns, attributes=attributes, format="refi")
    segments = []
    for turn, (src, src_end, labelled) in zip(transcript.turns, copied):
        # a labelled turn is copied from its label on; the added "Text: " label has no source
        new = turn.start - len(turn.label) - len(LABEL_SEPARATOR) if labelled else turn.start
        segments.append((src, src_end, new))
    layout = LayoutMap(tuple(segments), len(transcript.text))
    full = transcript.text
    if any(full[new:new + src_end - src] != text[src:src_end] for src, src_end, new in segments):
        # never expected; one unlabelled turn is a safe layout rather than wrong offsets
        turn = Turn(index=0, speaker=UNLABELLED_SPEAKER, role=Role.OTHER, text=text)
        transcript = Transcript(id=document, source="", turns=[turn], attributes=attributes, format="refi")
        shift = len(UNLABELLED_SPEAKER) + len(LABEL_SEPARATOR)
        layout = LayoutMap(((0, len(text), shift),), len(transcript.text))
    return transcript, layout


def turn_at(transcript: Transcript, position: int, starts: list[int] | None = None) -> Turn | None:
    """The turn whose text holds ``position``, else the next turn (a position in a label).
    ``starts``: the turns' start offsets, when the caller looks up many positions."""
    starts = starts if starts is not None else [turn.start for turn in transcript.turns]
    index = bisect.bisect_right(starts, position) - 1
    if index >= 0 and position < transcript.turns[index].end:
        return transcript.turns[index]
    if index + 1 < len(transcript.turns):
        return transcript.turns[index + 1]
    return transcript.turns[index] if index >= 0 else None


def find_unique(text: str, quote: str, within: Iterable[tuple[int, int]] = ()) -> int | None:
    """The start of ``quote`` in ``text`` if it occurs exactly once in the first range of
    ``within`` that holds it (then in the whole text); None when absent or ambiguous."""
    if not quote:
        return None
    for lo, hi in [*within, (0, len(text))]:
        first = text.find(quote, lo, hi)
        if first < 0:
            continue
        if text.find(quote, first + 1, hi) >= 0:
            return None
        return first
    return None
