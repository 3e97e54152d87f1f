"""The data every stage of qual passes on: a transcript and its speaker turns.

A transcript is laid out as one plain text (``Transcript.text``) in which every turn
occupies a known character range; those offsets are what de-identification spans,
coded segments and REFI-QDA selections refer to. The layout is fixed here, once,
so that every stage agrees on it:

    <label>: <text of turn 0>\n\n<label>: <text of turn 1>\n\n...

where ``<label>`` is ``[timestamp] speaker`` when the turn has a timestamp, and a
turn's paragraphs are separated by a single ``\n`` inside its text.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable, Iterator

TURN_SEPARATOR = "\n\n"
LABEL_SEPARATOR = ": "


class Role(str, Enum):
    INTERVIEWER = "interviewer"
    PARTICIPANT = "participant"
    OTHER = "other"

    def __str__(self) -> str:  # so f-strings and CSVs show "participant", not "Role.PARTICIPANT"
        return self.value


# Transcribers mark what was not speech in square brackets: [laughs], [inaudible 00:12:03],
# [crosstalk]. Pseudonym tags written by de-identification ([Person 3], [School B]) use the
# same brackets, so the annotation vocabulary is explicit rather than "anything in brackets".
NON_SPEECH_WORDS = (
    "laugh", "laughs", "laughing", "laughter", "chuckles", "giggles", "inaudible", "unclear",
    "indistinct", "crosstalk", "cross talk", "overlapping", "overtalking", "talking over",
    "pause", "long pause", "silence", "sigh", "sighs", "cough", "coughs", "coughing",
    "clears throat", "background noise", "noise", "interruption", "interrupted", "phone rings",
    "phone ringing", "door knock", "knock", "audio cuts out", "audio drops", "break in recording",
    "recording paused", "recording resumed", "recording stopped", "recording starts",
    "recording ends", "end of recording", "end of interview", "tape ends", "music", "applause",
    "sneezes", "yawns", "whispers", "whispering", "cries", "crying", "upset", "emotional",
    "redacted", "name redacted", "removed", "deleted", "unintelligible", "?", "...",
)
_TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
NON_SPEECH_RE = re.compile(
    r"\[(?:"
    + "|".join(re.escape(w) for w in sorted(NON_SPEECH_WORDS, key=len, reverse=True))
    + r")(?:[ ,:;-]+[^\[\]\n]{0,60})?\]"
    + rf"|\[\s*{_TIMESTAMP}(?:\s*-->\s*{_TIMESTAMP})?\s*\]"
    + r"|\((?:laughs|laughter|inaudible|crosstalk|pause|sighs|coughs|unclear)\b[^()\n]{0,40}\)",
    re.IGNORECASE,
)


def non_speech_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of transcriber annotations such as ``[laughs]`` in ``text``."""
    return [m.span() for m in NON_SPEECH_RE.finditer(text)]


@dataclass
class Turn:
    """One speaker turn. ``start``/``end`` locate ``text`` inside ``Transcript.text``."""

    index: int
    speaker: str
    role: Role
    text: str
    timestamp: str | None = None
    start: int = 0
    end: int = 0

    @property
    def label(self) -> str:
        return f"[{self.timestamp}] {self.speaker}" if self.timestamp else self.speaker

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")

    @property
    def annotations(self) -> list[tuple[int, int]]:
        """Non-speech annotations in this turn, as ranges within ``text``."""
        return non_speech_spans(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Transcript:
    """An interview: who, from which file, with which case attributes, and its turns.

    ``metadata`` holds what the source carried besides speech (page headers and footers,
    comments, document properties). It is identifiable and is never turned into turns.
    """

    id: str
    source: str
    turns: list[Turn] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str = ""

    def __post_init__(self) -> None:
        self.layout()

    def layout(self) -> None:
        """Renumber turns and recompute their offsets within ``text``; call after editing turns."""
        position = 0
        for i, turn in enumerate(self.turns):
            turn.index = i
            if i:
                position += len(TURN_SEPARATOR)
            position += len(turn.label) + len(LABEL_SEPARATOR)
            turn.start = position
            position += len(turn.text)
            turn.end = position

    @property
    def text(self) -> str:
        return TURN_SEPARATOR.join(
            f"{turn.label}{LABEL_SEPARATOR}{turn.text}" for turn in self.turns
        )

    @property
    def speakers(self) -> list[str]:
        """Distinct speaker labels in order of first appearance."""
        return list(dict.fromkeys(turn.speaker for turn in self.turns))

    @property
    def words(self) -> int:
        return sum(turn.words for turn in self.turns)

    def participant_turns(self) -> Iterator[Turn]:
        return (t for t in self.turns if t.role is Role.PARTICIPANT)

    def with_turns(self, turns: Iterable[Turn], **changes: Any) -> "Transcript":
        """A copy with new turns (offsets recomputed) and any other fields changed."""
        return replace(self, turns=[replace(t) for t in turns], **changes)

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, built directly: asdict's recursive copy of every turn
        # cost more than the JSON encoding of the corpus
        return {
            "id": self.id, "source": self.source,
            "turns": [{"index": t.index, "speaker": t.speaker, "role": str(t.role), "text": t.text,
                       "timestamp": t.timestamp, "start": t.start, "end": t.end} for t in self.turns],
            "attributes": copy.deepcopy(self.attributes), "metadata": copy.deepcopy(self.metadata),
            "format": self.format,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Transcript":
        turns = [
            Turn(
                index=t.get("index", i),
                speaker=t["speaker"],
                role=Role(t.get("role", "other")),
                text=t["text"],
                timestamp=t.get("timestamp"),
            )
            for i, t in enumerate(data.get("turns", []))
        ]
        return cls(
            id=data["id"],
            source=data.get("source", ""),
            turns=turns,
            attributes=dict(data.get("attributes") or {}),
            metadata=dict(data.get("metadata") or {}),
            format=data.get("format", ""),
        )

    def to_dataframe(self):
        """One row per turn, with the case attributes repeated on every row."""
        import pandas as pd

        return pd.DataFrame(turn_records([self]))


def turn_records(transcripts: Iterable[Transcript]) -> list[dict[str, Any]]:
    rows = []
    for transcript in transcripts:
        for turn in transcript.turns:
            row = {
                "document": transcript.id,
                "turn": turn.index,
                "speaker": turn.speaker,
                "role": str(turn.role),
                "timestamp": turn.timestamp,
                "text": turn.text,
                "start": turn.start,
                "end": turn.end,
                "words": turn.words,
            }
            # A case attribute named like a turn column (the sheet's ``role``: SW/TM) is kept
            # under ``case_<name>`` rather than dropped or overwriting the turn's own value.
            for key, value in transcript.attributes.items():
                row[f"case_{key}" if key in row else key] = value
            rows.append(row)
    return rows


def corpus_dataframe(transcripts: Iterable[Transcript]):
    """All turns of several transcripts as one DataFrame (one row per turn)."""
    import pandas as pd

    return pd.DataFrame(turn_records(transcripts))
