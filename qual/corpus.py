"""A corpus on disk: transcripts as JSON Lines (one ``Transcript.to_dict()`` per line).

Every stage that hands transcripts to the next writes and reads this format, so that a
notebook user can pick up the pipeline at any stage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputFileError
from .files import atomic_open
from .model import Transcript

CORPUS_FILE = "corpus.jsonl"


def corpus_line(transcript: Transcript) -> str:
    """One transcript as its line of ``corpus.jsonl`` (newline included)."""
    return json.dumps(transcript.to_dict(), ensure_ascii=False) + "\n"


def write_corpus(transcripts: Iterable[Transcript | str], path: str | Path, permissions: int | None = None) -> Path:
    """Write ``corpus.jsonl`` (atomically): transcripts, or lines made by :func:`corpus_line`
    (in worker processes, say), in order."""
    path = Path(path)
    with atomic_open(path, "w", permissions=permissions) as handle:
        for transcript in transcripts:
            handle.write(transcript if isinstance(transcript, str) else corpus_line(transcript))
    return path


def iter_corpus(path: str | Path) -> Iterator[Transcript]:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield Transcript.from_dict(json.loads(line))
                    except (ValueError, KeyError, TypeError):
                        raise InputFileError(path, f"line {number} is not a qual transcript record",
                                             "regenerate it with 'qual ingest'") from None
    except UnicodeDecodeError:
        raise InputFileError(path, "is not UTF-8 JSON Lines", "regenerate it with 'qual ingest'") from None


def read_corpus(path: str | Path) -> list[Transcript]:
    return list(iter_corpus(path))
