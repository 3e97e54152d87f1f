"""The README's Python example runs as written, on a copy of part of the sample corpus."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT / "transcripts_sample"


def readme_python_example() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    assert blocks, "the README has no Python example"
    return blocks[0]


@pytest.mark.ml
def test_readme_python_example_runs(tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers")
    interviews = tmp_path / "interviews"
    interviews.mkdir()
    for name in ("SWIS_SW01_interview.docx", "SWIS_TM03_interview.txt", "participants.xlsx"):
        shutil.copy(SAMPLES / name, interviews / name)
    shutil.copytree(PROJECT / "codebooks", tmp_path / "codebooks")
    monkeypatch.chdir(tmp_path)

    namespace: dict = {}
    exec(compile(readme_python_example(), "README.md", "exec"), namespace)

    assert len(namespace["transcripts"]) == 2
    assert {"document", "code", "status"} <= set(namespace["coded"].codings.columns)
    workbook = tmp_path / "framework.xlsx"
    assert workbook.is_file() and workbook.stat().st_size > 0
