"""``export_framework``: codings.csv -> framework workbook, and optionally report and heatmap.

The library function behind ``qual matrix`` (and the matrix stage of ``qual run``). It finds
what belongs with a codings file: the de-identified ``corpus.jsonl`` beside it (case
attributes, document ids) and, when no codebook is given, a ``codebook.yaml`` beside it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..coding.codebook import Codebook
from ..errors import QualError
from .matrix import DEFAULT_ATTRIBUTES, FrameworkMatrix, build_matrix, load_codings
from .provenance import input_record, timestamp
from .workbook import WriteReport, check_workbook_target, write_matrix_workbook

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Transcript


@dataclass
class FrameworkOutputs:
    """What ``export_framework`` built and wrote."""

    matrix: FrameworkMatrix
    workbook: WriteReport
    report: Path | None = None
    heatmap: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> dict[str, Path]:
        files = {"framework matrix": self.workbook.path}
        if self.workbook.backup is not None:
            files["previous matrix (backup)"] = self.workbook.backup
        if self.report is not None:
            files["report"] = self.report
        if self.heatmap is not None:
            files["heatmap"] = self.heatmap
        return files


def _load_codebook(path: str | Path) -> Codebook:
    from ..coding.codebook import load_codebook

    return load_codebook(path)


def export_framework(
    codings: "str | Path | pd.DataFrame",
    out: str | Path,
    *,
    codebook: "str | Path | Codebook | None" = None,
    participants: "str | Path | pd.DataFrame | None" = None,
    corpus: "str | Path | Sequence[Transcript] | None" = None,
    status: str = "auto",
    report: str | Path | None = None,
    heatmap: str | Path | None = None,
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    keep_summaries: bool = True,
    provenance: dict[str, Any] | None = None,
) -> FrameworkOutputs:
    """Build the framework matrix of ``codings`` and write it to ``out`` (.xlsx).

    ``corpus``: the de-identified transcripts (a corpus.jsonl path or Transcript objects);
    by default the ``corpus.jsonl`` beside a codings file. ``report`` (.docx) and
    ``heatmap`` (.png) are written when given; the report embeds the heatmap (drawn to a
    temporary file when no ``heatmap`` path is given). ``keep_summaries=False`` starts the
    workbook afresh instead of carrying over the analysts' summaries of an existing one.
    """
    from ..corpus import CORPUS_FILE, read_corpus

    check_workbook_target(out)
    if report is not None:
        check_output_name(report, ".docx", "the report")
    if heatmap is not None:
        check_output_name(heatmap, ".png", "the heatmap")
    notes: list[str] = []
    inputs: list[dict[str, str]] = []
    codings_path = None if not isinstance(codings, (str, Path)) else Path(codings)
    frame = load_codings(codings_path) if codings_path is not None else codings
    if codings_path is not None:
        inputs.append(input_record(codings_path, "codings"))

    codebook_path = None
    if isinstance(codebook, Codebook):
        book = codebook
    else:
        if codebook is None and codings_path is not None:
            beside = codings_path.parent / "codebook.yaml"
            codebook = beside if beside.is_file() else None
        codebook_path = Path(codebook) if codebook is not None else None
        book = _load_codebook(codebook_path) if codebook_path is not None else None
    if codebook_path is not None:
        inputs.append(input_record(codebook_path, "codebook"))

    transcripts = None
    if corpus is None and codings_path is not None and (codings_path.parent / CORPUS_FILE).is_file():
        corpus = codings_path.parent / CORPUS_FILE
    if isinstance(corpus, (str, Path)):
        inputs.append(input_record(corpus, "de-identified corpus"))
        transcripts = read_corpus(corpus)
    elif corpus is not None:
        transcripts = list(corpus)
    if transcripts is None:
        notes.append("no corpus.jsonl found beside the codings: case attributes come from "
                      "--participants only, and uncoded cases are not listed")
    if isinstance(participants, (str, Path)):
        inputs.append(input_record(participants, "participants sheet (role and trial arm only)"))

    matrix = build_matrix(frame, book, participants=participants, transcripts=transcripts, status=status,
                          attributes=attributes)
    matrix.inputs = inputs
    matrix.settings["date"] = timestamp()
    written = write_matrix_workbook(matrix, out, existing=None if keep_summaries else False,
                                    provenance=provenance)
    outputs = FrameworkOutputs(matrix=matrix, workbook=written, notes=notes)
    if heatmap is not None:
        from .heatmap import write_heatmap

        outputs.heatmap = write_heatmap(matrix, heatmap)
    if report is not None:
        from .heatmap import write_heatmap
        from .report import write_report

        if outputs.heatmap is not None:
            outputs.report = write_report(matrix, report, heatmap=outputs.heatmap, summaries=written.summaries)
        else:
            with tempfile.TemporaryDirectory(prefix="qual-heatmap-") as folder:
                image = write_heatmap(matrix, Path(folder) / "heatmap.png")
                outputs.report = write_report(matrix, report, heatmap=image, summaries=written.summaries)
    return outputs


def check_output_name(path: str | Path, suffix: str, what: str) -> Path:
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise QualError(f"{path}: {what} must end in {suffix}")
    return path
