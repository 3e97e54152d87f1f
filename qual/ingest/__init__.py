"""Transcripts in: Word .docx, plain text, WebVTT and SRT captions, and a participants sheet.

    >>> from qual.ingest import ingest, write_ingest
    >>> result = ingest(["transcripts/"], participants="participants.xlsx")
    >>> result.summary            # one row per file: turns, speakers, words, status, error
    >>> result.failures           # files that could not be read, each with a one-line reason
    >>> write_ingest(result, "out/")   # corpus.jsonl, summary.csv, turns.csv (identifiable!)

``read_transcript(path)`` reads one file into a ``qual.model.Transcript``. Speaker labels
are detected per document (``qual.ingest.labels``), roles inferred (``qual.ingest.roles``).
"""

from ..callable_package import make_callable
from .batch import IngestResult, find_inputs, ingest, no_inputs_message, nothing_read, write_ingest
from .labels import Line, label_kind, segment
from .participants import (
    ParticipantSheet,
    attributes_from_row,
    find_participants_sheet,
    participant_id_from_name,
    read_participants,
)
from .reader import read_transcript
from .roles import infer_roles, role_of_label

# ``qual.ingest(paths, ...)`` calls ``ingest``: the package is also the public function.
make_callable(__name__, ingest)

__all__ = [
    "IngestResult",
    "Line",
    "ParticipantSheet",
    "attributes_from_row",
    "find_inputs",
    "find_participants_sheet",
    "no_inputs_message",
    "nothing_read",
    "infer_roles",
    "ingest",
    "label_kind",
    "participant_id_from_name",
    "read_participants",
    "read_transcript",
    "role_of_label",
    "segment",
    "write_ingest",
]
