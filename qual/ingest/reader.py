"""One transcript file -> one ``Transcript``: format by content, speakers, roles.

``read_transcript`` is the only entry point; every failure is an ``InputFileError`` whose
one-line message names the file, says what is wrong and what to do, and quotes none of
the file's text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputFileError
from ..model import Transcript, Turn
from .captions import read_captions, looks_like_captions
from .formats import CORPUS_SUFFIXES, sniff
from .labels import Line, segment
from .participants import participant_id_from_name
from .roles import infer_roles
from .text import decode_text, text_lines

log = logging.getLogger("qual.ingest")

# A 1M-word evaluation (~100 interviews) is ~6 MB of text, and the longest interview a few
# hundred KB: a single transcript over this is a wrong file (a data dump, a concatenation, a
# log). Refusing it up front keeps one stray file from costing minutes and gigabytes: reading
# takes ~1 s per MB of text, de-identifying ~3.5 s and ~55 MB of memory per MB (measured on a
# 10 MB transcript); see tests/hostile.
MAX_TRANSCRIPT_BYTES = 16 * 2**20
NO_TURNS_ADVICE = ("label each turn with its speaker ('Interviewer: ...', 'R: ...'); if it is not a "
                   "transcript (an interview guide, notes), leave it out")


def read_transcript(
    path: str | Path,
    *,
    interviewer: str | Iterable[str] | None = None,
    interviewer_name: str | None = None,
    transcript_id: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> Transcript:
    """Read one transcript file (.docx, .txt, .vtt, .srt).

    ``interviewer`` names the interviewer's label (``"R"`` when the transcriber used R for
    the researcher) or the interviewer's name; several may be given. Without it, roles
    are inferred (label words, then who asks the questions, then who speaks first).
    ``interviewer_name`` (from a participants sheet) is used like ``interviewer`` when it
    matches a label and ignored quietly when it does not (labels such as 'I' and 'R').
    ``transcript_id`` and ``attributes`` set the transcript's id and case attributes; the
    default id is a participant code in the file name ('SW01' in
    'SWIS_SW01_interview.docx'), else the file stem.

    Raises ``InputFileError`` with a one-line message when the file cannot be used.
    """
    path = Path(path)
    if path.suffix.lower() in CORPUS_SUFFIXES:
        raise InputFileError(path, "is a corpus of several transcripts, not one",
                             "read it with qual.corpus.read_corpus() or qual.ingest.ingest()")
    try:
        if path.stat().st_size > MAX_TRANSCRIPT_BYTES:
            raise InputFileError(path, f"is larger than {MAX_TRANSCRIPT_BYTES // 2**20} MB, too large to be "
                                 "a transcript", "check that it is the right file, or split it into interviews")
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputFileError(path, "is a folder", "use qual.ingest.ingest() for folders") from None
    except FileNotFoundError:
        raise InputFileError(path, "does not exist") from None
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or 'I/O error'})") from None
    kind = sniff(path, data)
    try:
        turns, metadata, file_format = _read_turns(path, data, kind)
    except (InputFileError, MemoryError, RecursionError):
        raise
    except Exception as error:  # noqa: BLE001 - a parser failure is the file's problem; hide its message
        raise InputFileError(path, f"cannot be read ({type(error).__name__})",
                             "check that it opens in its application and re-save it") from None
    if not turns:
        raise InputFileError(path, "has no detectable speaker turns", NO_TURNS_ADVICE)
    decision = infer_roles(turns, interviewer=interviewer or interviewer_name, legend=metadata.get("legend"))
    if interviewer and decision.method != "option":
        log.warning("%s: the interviewer given matches no speaker label; roles were inferred (%s)",
                    path.name, decision.method)
    for turn in turns:
        turn.role = decision.roles[turn.speaker]
    metadata["roles_by"] = decision.method
    return Transcript(
        id=transcript_id or participant_id_from_name(path),
        source=str(path),
        turns=turns,
        attributes=dict(attributes or {}),
        metadata=metadata,
        format=file_format,
    )


def _read_turns(path: Path, data: bytes, kind: str) -> tuple[list[Turn], dict[str, Any], str]:
    if kind == "docx":
        from .docx import read_docx

        document = read_docx(path, data)
        lines, metadata = document.lines, document.metadata
        texts = [line.text for line in lines]
        if looks_like_captions(texts):
            turns, info = read_captions(texts, path)
            metadata.update(info)
            return turns, metadata, "docx"
        if not any(line.text.strip() for line in lines):
            raise InputFileError(path, "is an empty Word document (no text in its body)",
                                 "check that you exported the right file")
        return (*_segmented(lines, metadata), "docx")

    text, encoding = decode_text(data, path)
    raw_lines = text_lines(text)
    metadata: dict[str, Any] = {"encoding": encoding}
    if kind in ("vtt", "srt") or looks_like_captions(raw_lines):
        file_format = kind if kind in ("vtt", "srt") else ("vtt" if text.lstrip().startswith("WEBVTT") else "srt")
        turns, info = read_captions(raw_lines, path)
        metadata.update(info)
        return turns, metadata, file_format
    lines = [Line(raw, where=f"line {number}") for number, raw in enumerate(raw_lines, 1)]
    return (*_segmented(lines, metadata), "txt")


def _segmented(lines: list[Line], metadata: dict[str, Any]) -> tuple[list[Turn], dict[str, Any]]:
    result = segment(lines)
    metadata["preamble"] = result.preamble
    if result.legend:
        metadata["legend"] = result.legend
    if result.aliases:
        metadata["speaker_aliases"] = result.aliases
    metadata["turn_locations"] = result.locations
    for comment in metadata.get("comments", []):
        comment["anchors"] = result.comment_anchors.get(comment["id"], [])
    return result.turns, metadata
