"""The heatmap PNG of codes x cases and codes x role."""

from __future__ import annotations

import pandas as pd
import pytest
from test_matrix import coding_row, sample_codebook, sample_codings, sample_transcripts

from qual.coding import CODINGS_COLUMNS
from qual.errors import QualError
from qual.export import build_matrix
from qual.export.heatmap import write_heatmap

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_heatmap_is_a_png_image(tmp_path):
    import matplotlib.image

    matrix = build_matrix(sample_codings(), sample_codebook(), transcripts=sample_transcripts())
    path = write_heatmap(matrix, tmp_path / "heatmap.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert width > 600 and height > 200
    assert image[..., :3].std() > 0.05  # something is drawn
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, no leftovers


def test_heatmap_of_many_cases_and_of_nothing(tmp_path):
    rows = [coding_row(f"SW{i:03d}", 1, code, "Some words about it all.") for i in range(120)
            for code in ("IMP.SETUP", "REL.DSL") if (i + len(code)) % 3]
    many = build_matrix(pd.DataFrame(rows), sample_codebook())
    assert write_heatmap(many, tmp_path / "many.png").stat().st_size > 10_000
    empty = build_matrix(pd.DataFrame(columns=CODINGS_COLUMNS), sample_codebook())
    assert write_heatmap(empty, tmp_path / "empty.png").read_bytes()[:8] == PNG_SIGNATURE


def test_heatmap_name_must_be_png(tmp_path):
    matrix = build_matrix(sample_codings(), sample_codebook())
    with pytest.raises(QualError, match=".png"):
        write_heatmap(matrix, tmp_path / "heatmap.jpg")


def test_long_code_labels_are_cut_between_words():
    from qual.coding.codebook import Code
    from qual.export.heatmap import MAX_LABEL, _label

    code = Code("DA.ENCOMPASS", "Operation Encompass notifications and safeguarding briefings", "DA")
    label = _label(code)
    assert len(label) <= MAX_LABEL and label.endswith("\u2026")
    assert f"{code.id} {code.name}".startswith(label[:-1])
    assert label[:-1].split()[-1] in f"{code.id} {code.name}".split()
