"""One orchestrator of matrix -> workbook -> heatmap -> report (``export_framework``), used by
``qual matrix`` and by ``qual run``, which times each of its steps."""

from __future__ import annotations

import contextlib
import zipfile
from types import SimpleNamespace

from qual.export.outputs import Stages, export_framework
from test_matrix import sample_codebook, sample_codings, sample_transcripts


class Recorder(Stages):
    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def stage(self, name):
        step = SimpleNamespace(detail="")
        yield step
        self.steps.append((name, step.detail))

    def skip(self, name, detail):
        self.steps.append((name, f"skipped: {detail}"))


def images_in(report) -> list[str]:
    with zipfile.ZipFile(report) as archive:
        return [n for n in archive.namelist() if n.startswith("word/media/")]


def test_every_step_is_reported_in_order(tmp_path):
    recorder = Recorder()
    outputs = export_framework(sample_codings(), tmp_path / "framework.xlsx", codebook=sample_codebook(),
                               corpus=sample_transcripts(), report=tmp_path / "report.docx",
                               heatmap=tmp_path / "heatmap.png", stages=recorder, settings={"pipeline": "test"})
    assert [name for name, _ in recorder.steps] == ["matrix", "heatmap", "report"]
    assert recorder.steps[0][1].startswith("4 cases x 4 codes")
    assert list(outputs.written) == ["framework matrix", "heatmap", "report"]
    assert outputs.matrix.settings["pipeline"] == "test" and "date" in outputs.matrix.settings
    assert images_in(outputs.report)


def test_the_report_draws_its_heatmap_unless_no_heatmap_is_wanted(tmp_path):
    recorder = Recorder()
    outputs = export_framework(sample_codings(), tmp_path / "a.xlsx", codebook=sample_codebook(),
                               corpus=sample_transcripts(), report=tmp_path / "a.docx", stages=recorder)
    assert outputs.heatmap is None and images_in(outputs.report)  # drawn to a temporary file
    assert ("heatmap", "skipped: not asked for") in recorder.steps
    assert not list(tmp_path.glob("*.png"))
    without = export_framework(sample_codings(), tmp_path / "b.xlsx", codebook=sample_codebook(),
                               corpus=sample_transcripts(), report=tmp_path / "b.docx", draw_heatmap=False)
    assert without.heatmap is None and not images_in(without.report)


def test_inputs_given_are_the_provenance(tmp_path):
    record = {"what": "input transcripts", "file": "(8 files)", "sha256": "0" * 64}
    outputs = export_framework(sample_codings(), tmp_path / "f.xlsx", codebook=sample_codebook(),
                               corpus=sample_transcripts(), inputs=[record])
    assert outputs.matrix.inputs == [record]
    assert outputs.report is None and outputs.heatmap is None
