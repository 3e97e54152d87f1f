"""``export_framework``: codings -> framework workbook, and optionally report and heatmap.

The one orchestrator of matrix -> workbook -> heatmap -> report, behind ``qual matrix`` and the
matrix, heatmap and report stages of ``qual run``. Given a codings file, it finds what belongs
with it: the de-identified ``corpus.jsonl`` beside it (case attributes, document ids) and, when
no codebook is given, a ``codebook.yaml`` beside it.

Its steps are reported to a ``Stages`` object: ``qual run`` times each one and lists it in
run_summary.csv; the default does nothing.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ..errors import QualError
from ..model.codebook import Codebook
from ..model.codings import QUOTED, Codings
from .matrix import DEFAULT_ATTRIBUTES, FrameworkMatrix, build_matrix
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
        if self.heatmap is not None:
            files["heatmap"] = self.heatmap
        if self.report is not None:
            files["report"] = self.report
        return files


class Stages:
    """Where ``export_framework`` reports its steps ("matrix", "heatmap", "report").

    ``stage(name)`` wraps a step and yields an object whose ``detail`` the step sets to a
    one-line account (counts, never text); ``skip(name, detail)`` records a step not taken.
    This default does nothing; ``qual run`` times and lists each step.
    """

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[Any]:
        yield SimpleNamespace(detail="")

    def skip(self, name: str, detail: str) -> None:
        pass


def export_framework(
    codings: "str | Path | Codings | pd.DataFrame",
    out: str | Path,
    *,
    codebook: "str | Path | Codebook | None" = None,
    participants: "str | Path | pd.DataFrame | None" = None,
    corpus: "str | Path | Sequence[Transcript] | None" = None,
    status: str = "auto",
    report: str | Path | None = None,
    heatmap: str | Path | None = None,
    draw_heatmap: bool = True,
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    keep_summaries: bool = True,
    provenance: dict[str, Any] | None = None,
    inputs: list[dict[str, str]] | None = None,
    settings: dict[str, Any] | None = None,
    stages: Stages | None = None,
) -> FrameworkOutputs:
    """Build the framework matrix of ``codings`` and write it to ``out`` (.xlsx).

    ``corpus``: the de-identified transcripts (a corpus.jsonl path or Transcript objects);
    by default the ``corpus.jsonl`` beside a codings file. ``report`` (.docx) and
    ``heatmap`` (.png) are written when given; the report embeds the heatmap (drawn to a
    temporary file when no ``heatmap`` path is given), unless ``draw_heatmap`` is False: then
    no heatmap is drawn at all. ``keep_summaries=False`` starts the workbook afresh instead
    of carrying over the analysts' summaries of an existing one. ``inputs``: the provenance
    records of the inputs (default: one per input given as a file); ``settings``: more lines
    for the provenance sheet. ``stages``: see ``Stages``.
    """
    from ..corpus import CORPUS_FILE, read_corpus

    stages = stages or Stages()
    check_workbook_target(out)
    if report is not None:
        check_output_name(report, ".docx", "the report")
    if heatmap is not None:
        check_output_name(heatmap, ".png", "the heatmap")
    notes: list[str] = []
    records: list[dict[str, str]] = []
    codings_path = Path(codings) if isinstance(codings, (str, Path)) else None
    if codings_path is not None:
        codings = Codings.read(codings_path, required=QUOTED)
        records.append(input_record(codings_path, "codings"))

    book, codebook_path = None, None
    if isinstance(codebook, Codebook):
        book = codebook
    else:
        if codebook is None and codings_path is not None:
            beside = codings_path.parent / "codebook.yaml"
            codebook = beside if beside.is_file() else None
        if codebook is not None:
            from ..coding.codebook import load_codebook

            codebook_path = Path(codebook)
            book = load_codebook(codebook_path)
            records.append(input_record(codebook_path, "codebook"))

    transcripts = None
    if corpus is None and codings_path is not None and (codings_path.parent / CORPUS_FILE).is_file():
        corpus = codings_path.parent / CORPUS_FILE
    if isinstance(corpus, (str, Path)):
        records.append(input_record(corpus, "de-identified corpus"))
        transcripts = read_corpus(corpus)
    elif corpus is not None:
        transcripts = list(corpus)
    if transcripts is None:
        notes.append("no corpus.jsonl found beside the codings: case attributes come from "
                     "--participants only, and uncoded cases are not listed")
    if isinstance(participants, (str, Path)):
        records.append(input_record(participants, "participants sheet (role and trial arm only)"))

    with stages.stage("matrix") as step:
        matrix = build_matrix(codings, book, participants=participants, transcripts=transcripts, status=status,
                              attributes=attributes)
        matrix.inputs = records if inputs is None else inputs
        matrix.settings["date"] = timestamp()
        matrix.settings.update(settings or {})
        written = write_matrix_workbook(matrix, out, existing=None if keep_summaries else False,
                                        provenance=provenance)
        step.detail = (f"{len(matrix.cases)} cases x {len(matrix.code_list)} codes, {len(matrix.quotes)} "
                       f"quotes; {written.summaries_kept} summaries kept, {len(written.orphaned)} orphaned")
    outputs = FrameworkOutputs(matrix=matrix, workbook=written, notes=notes)

    if heatmap is not None and draw_heatmap:
        from .heatmap import write_heatmap

        with stages.stage("heatmap") as step:
            outputs.heatmap = write_heatmap(matrix, heatmap)
            step.detail = "codes x cases and codes x role"
    else:
        stages.skip("heatmap", "not asked for")
    if report is not None:
        with stages.stage("report") as step:
            outputs.report = _write_report(matrix, report, outputs.heatmap, written, draw_heatmap)
            step.detail = f"{len(matrix.theme_list)} themes, {len(matrix.code_list)} codes"
    else:
        stages.skip("report", "not asked for")
    return outputs


def _write_report(matrix: FrameworkMatrix, path: str | Path, heatmap: Path | None, written: WriteReport,
                  draw_heatmap: bool) -> Path:
    """The Word report, with the heatmap beside it, else one drawn to a temporary file."""
    from .report import write_report

    if heatmap is not None or not draw_heatmap:
        return write_report(matrix, path, heatmap=heatmap, summaries=written.summaries)
    from .heatmap import write_heatmap

    with tempfile.TemporaryDirectory(prefix="qual-heatmap-") as folder:
        image = write_heatmap(matrix, Path(folder) / "heatmap.png")
        return write_report(matrix, path, heatmap=image, summaries=written.summaries)


def check_output_name(path: str | Path, suffix: str, what: str) -> Path:
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise QualError(f"{path}: {what} must end in {suffix}")
    return path
