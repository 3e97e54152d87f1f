"""Every exporter ``qual.plugins`` knows writes, through one signature, a file its format's reader
opens; qual's own are registered by name; one added at run time is found."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qual import plugins
from qual.export.exporters import CodedProject, export
from test_refi_support import RAW_NAME, coding_rows, small_codebook, small_corpus

SUFFIX = {"framework": ".xlsx", "report": ".docx", "heatmap": ".png", "qdpx": ".qdpx", "codebook": ".qdc",
          "codings": ".xlsx"}


@pytest.fixture(scope="module")
def project() -> CodedProject:
    transcripts = small_corpus()
    return CodedProject(coding_rows(transcripts), small_codebook(), transcripts)


def test_qual_s_own_exporters_are_registered():
    assert set(SUFFIX) <= set(plugins.names("exporters"))


@pytest.mark.parametrize("name", plugins.names("exporters"))
def test_every_exporter_writes_a_file_that_opens(name, project, tmp_path):
    path = tmp_path / f"out{SUFFIX.get(name, '')}"
    written = export(project, name, path)
    assert written == path and path.is_file() and path.stat().st_size > 0
    data = path.read_bytes()
    if path.suffix in {".xlsx", ".docx", ".qdpx"}:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    elif path.suffix == ".png":
        assert data.startswith(b"\x89PNG")
    elif path.suffix == ".qdc":
        from qual.refi import validate_qdc

        assert not [p for p in validate_qdc(path) if p.severity == "error"]
    assert RAW_NAME.encode() not in data  # the raw file name of a transcript never reaches an export


def test_the_matrix_is_built_once_per_project(project):
    assert project.matrix is project.matrix
    assert "Zoë" not in repr(project) and "transcripts" in repr(project)


def test_an_exporter_registered_at_run_time_is_found(project, tmp_path):
    @plugins.register("exporters", "test.code-list")
    def code_list(coded: CodedProject, path, **options) -> Path:
        Path(path).write_text("\n".join(coded.codebook.code_ids), encoding="utf-8")
        return Path(path)

    try:
        written = export(project, "test.code-list", tmp_path / "codes.txt")
        assert written.read_text(encoding="utf-8").splitlines() == small_codebook().code_ids
    finally:
        plugins.unregister("exporters", "test.code-list")
