"""REFI-QDA interchange: .qdpx projects and .qdc codebooks out of and into qual.

Out: ``export_qdpx`` writes the de-identified transcripts, codebook, cases, codings and
matrix summaries as a REFI-QDA 1.0 project that NVivo, ATLAS.ti, MAXQDA and QualCoder open;
``write_qdc`` writes the codebook alone. Both validate what they write (XSD and semantic
checks) before writing it.

In: ``read_project`` reads a .qdpx, .qde or .qdc from any of those tools (and Taguette, qc),
forgivingly, into a codebook, transcripts and ``codings.csv`` rows, with an account of what
was read and skipped; ``read_qdc`` reads a codebook. ``validate_qdpx`` checks a file.
"""

from .export import (
    DEFAULT_CASE_ATTRIBUTES, ExportResult, build_qdpx, export_codings_file, export_qdc_file, export_qdpx,
)
from .importer import detect_tool, read_project, read_qdc
from .model import (
    Problem, ReadReport, RefiCase, RefiNote, RefiProject, RefiSource, RefiUser, stable_guid,
)
from .qdc import write_qdc
from .validate import validate_qdc, validate_qdpx
from .write import write_import

__all__ = [
    "DEFAULT_CASE_ATTRIBUTES", "ExportResult", "Problem", "ReadReport", "RefiCase", "RefiNote", "RefiProject",
    "RefiSource", "RefiUser", "build_qdpx", "detect_tool", "export_codings_file", "export_qdc_file",
    "export_qdpx", "read_project", "read_qdc", "stable_guid", "validate_qdc", "validate_qdpx", "write_import",
    "write_qdc",
]
