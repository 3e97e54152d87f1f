"""Exporters: the files qual writes from a coded project, registered in ``qual.plugins`` (kind
``exporters``) under one signature::

    exporter(project: CodedProject, path, **options) -> Path

=============  ==================================================================================
name           writes
=============  ==================================================================================
framework      the framework matrix workbook (.xlsx; ``write_matrix_workbook``: summaries kept)
report         the Word report (.docx; ``write_report``; option ``heatmap``: a PNG to show)
heatmap        codes x cases and codes x role (.png; ``write_heatmap``)
qdpx           the REFI-QDA project (.qdpx; ``qual.refi.export_qdpx``)
codebook       the codebook as .yaml, .xlsx or REFI-QDA .qdc (``save_codebook``, by suffix)
codings        codings.csv or the codings.xlsx review sheet (``Codings.write``, by suffix)
=============  ==================================================================================

A package installed beside qual adds one through the ``qual_exporters`` entry point, or in a
notebook::

    from qual.plugins import registry

    @registry.exporters.register("acme.nvivo-csv")
    def nvivo_csv(project, path, **options): ...

``export(project, "report", "report.docx")`` runs one by name. The matrix the matrix-based
exporters need is built once per project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .. import plugins
from ..model.codebook import Codebook
from ..model.codings import Codings
from .cases import DEFAULT_ATTRIBUTES

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Transcript
    from .matrix import FrameworkMatrix


@dataclass(repr=False)
class CodedProject:
    """What every export is made from: the de-identified transcripts, the codebook, the codings,
    and which codings and case attributes a matrix shows (see ``build_matrix``)."""

    codings: Any  # Codings, or anything Codings() takes: a DataFrame of its columns, records
    codebook: Codebook
    transcripts: "list[Transcript]" = field(default_factory=list)
    participants: "pd.DataFrame | str | Path | None" = None
    status: str = "auto"
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES
    _matrix: "FrameworkMatrix | None" = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.codings = Codings(self.codings)
        self.transcripts = list(self.transcripts)

    @property
    def matrix(self) -> "FrameworkMatrix":
        """The framework matrix of the project, built on first use."""
        if self._matrix is None:
            from .matrix import build_matrix

            self._matrix = build_matrix(self.codings, self.codebook, participants=self.participants,
                                        transcripts=self.transcripts, status=self.status,
                                        attributes=self.attributes)
        return self._matrix

    def __repr__(self) -> str:  # counts only: transcripts and codings hold interview text
        return (f"CodedProject({len(self.transcripts)} transcripts, {len(self.codebook.codes)} codes, "
                f"{self.codings!r}, status={self.status!r})")


def export(project: CodedProject, name: str, path: str | Path, **options) -> Path:
    """Write ``project`` to ``path`` with the exporter ``name`` (see the table above)."""
    return Path(plugins.get("exporters", name)(project, path, **options))


@plugins.register("exporters", "framework")
def framework_workbook(project: CodedProject, path: str | Path, **options) -> Path:
    from .workbook import write_matrix_workbook

    return write_matrix_workbook(project.matrix, path, **options).path


@plugins.register("exporters", "report")
def word_report(project: CodedProject, path: str | Path, **options) -> Path:
    from .report import write_report

    return write_report(project.matrix, path, **options)


@plugins.register("exporters", "heatmap")
def heatmap_image(project: CodedProject, path: str | Path, **options) -> Path:
    from .heatmap import write_heatmap

    return write_heatmap(project.matrix, path, **options)


@plugins.register("exporters", "qdpx")
def refi_project(project: CodedProject, path: str | Path, **options) -> Path:
    from ..refi.export import export_qdpx

    options = {"participants": project.participants, "status": project.status, **options}
    return export_qdpx(project.codings, project.transcripts, project.codebook, path, **options)


@plugins.register("exporters", "codebook")
def codebook_file(project: CodedProject, path: str | Path, **options) -> Path:
    from ..coding.codebook import save_codebook

    return save_codebook(project.codebook, path, **options)


@plugins.register("exporters", "codings")
def codings_file(project: CodedProject, path: str | Path, **options) -> Path:
    return project.codings.write(path, **{"codebook": project.codebook, **options})
