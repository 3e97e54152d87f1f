"""qual: offline qualitative interview analysis, from Word transcripts to framework matrices.

The public API, in pipeline order (each name is a library function that returns plain data;
every ``qual`` command is a thin wrapper over one of them)::

    import qual

    corpus = qual.ingest(["interviews/"], participants="interviews/participants.xlsx")
    qual.deidentify(["interviews/"], "deid/", project=qual.SecureProject("../secure/swis.key"))
    qual.check(["deid/"]).exit_code                     # 0 clean, 1 findings, 2 unreadable
    codebook = qual.load_codebook("codebooks/swis_ipe.yaml")
    coded = qual.code(qual.ingest(["deid/"]).transcripts, codebook)
    matrix = qual.build_matrix(coded.codings, codebook, transcripts=coded.transcripts)
    qual.export_qdpx(coded.codings, coded.transcripts, codebook, "swis.qdpx")
    project = qual.import_qdpx("nvivo_export.qdpx")
    qual.run(["interviews/"], "codebooks/swis_ipe.yaml", "out/")   # all of the above at once

The stages, one subpackage each: ``qual.ingest``, ``qual.deid``, ``qual.check``,
``qual.coding``, ``qual.export``, ``qual.refi``; the shared model in ``qual.model``; plugins
(recognizers, suggesters, check readers, exporters) in ``qual.plugins``.

Names are resolved on first use, so ``import qual`` stays fast and loads none of the heavy
libraries (pandas, spaCy, torch); ``qual.check`` in CI starts in well under a second.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> (module, attribute); ``None`` as attribute: the module itself, which for
# ``ingest`` and ``check`` is callable (the subpackage and the function share the name).
_PUBLIC: dict[str, tuple[str, str | None]] = {
    # the pipeline
    "ingest": ("qual.ingest", None),
    "deidentify": ("qual.deid.pipeline", "deidentify"),
    "check": ("qual.check", None),
    "code": ("qual.coding.pipeline", "code_transcripts"),
    "build_matrix": ("qual.export.matrix", "build_matrix"),
    "export_framework": ("qual.export.outputs", "export_framework"),
    "export_qdpx": ("qual.refi.export", "export_qdpx"),
    "import_qdpx": ("qual.refi.importer", "read_project"),
    "run": ("qual.pipeline", "run_pipeline"),
    # what a notebook user meets
    "Transcript": ("qual.model", "Transcript"),
    "Turn": ("qual.model", "Turn"),
    "Role": ("qual.model", "Role"),
    "Codings": ("qual.model", "Codings"),
    "Codebook": ("qual.model", "Codebook"),
    "load_codebook": ("qual.coding.codebook", "load_codebook"),
    "read_transcript": ("qual.ingest.reader", "read_transcript"),
    "Analyzer": ("qual.deid.analyzer", "Analyzer"),
    "Deidentifier": ("qual.deid.engine", "Deidentifier"),
    "SecureProject": ("qual.deid.secure", "SecureProject"),
    "QualError": ("qual.errors", "QualError"),
    "InputFileError": ("qual.errors", "InputFileError"),
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'qual' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    if attribute is not None:
        globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names above resolve lazily
    from . import check, ingest
    from .coding.codebook import load_codebook
    from .coding.pipeline import code_transcripts as code
    from .deid.analyzer import Analyzer
    from .deid.engine import Deidentifier
    from .deid.pipeline import deidentify
    from .deid.secure import SecureProject
    from .errors import InputFileError, QualError
    from .export.matrix import build_matrix
    from .export.outputs import export_framework
    from .ingest.reader import read_transcript
    from .model import Codebook, Codings, Role, Transcript, Turn
    from .pipeline import run_pipeline as run
    from .refi.export import export_qdpx
    from .refi.importer import read_project as import_qdpx
