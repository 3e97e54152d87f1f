"""A recognizer that records each time a process loads it, for the Dask tests: its module
must be importable by the worker processes (they get this folder on PYTHONPATH)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from qual.deid.recognizers.base import Recognizer
from qual.deid.types import EntityType


class LoadCountingRecognizer(Recognizer):
    """Finds nothing; leaves a file named after the process each time it is unpickled (as a
    model would be loaded)."""

    name = "test.load_counting"
    entity_types = frozenset({EntityType.PERSON})

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        Path(self.folder, f"loaded-{os.getpid()}-{uuid.uuid4().hex}").touch()

    def detect(self, doc):
        return []
