"""The data every stage of qual passes on, one model per idea.

    transcript  ``Transcript``, ``Turn``, ``Role``: an interview and the plain-text layout that
                every offset refers to
    codings     ``Codings``: which code applies to which span, by whom, with which status;
                the one schema, reader and writer of codings.csv / codings.xlsx
    codebook    ``Codebook``, ``Theme``, ``Code``: the framework, its checks and its YAML form

Importing this package imports neither pandas nor openpyxl: they load when a table is read,
built or written.
"""

from .codebook import Code, Codebook, Theme
from .codings import CODINGS_COLUMNS, SCHEMA, STATUSES, Codings
from .transcript import (
    LABEL_SEPARATOR, NON_SPEECH_RE, NON_SPEECH_WORDS, TURN_SEPARATOR, Role, Transcript, Turn, corpus_dataframe,
    non_speech_spans, turn_records,
)

__all__ = [
    "CODINGS_COLUMNS", "Code", "Codebook", "Codings", "LABEL_SEPARATOR", "NON_SPEECH_RE", "NON_SPEECH_WORDS",
    "Role", "SCHEMA", "STATUSES", "TURN_SEPARATOR", "Theme", "Transcript", "Turn", "corpus_dataframe",
    "non_speech_spans", "turn_records",
]
