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


@pytest.mark.parametrize("most", [1, 3, 7])
def test_the_colour_bar_of_counts_shows_whole_numbers(most):
    import matplotlib.pyplot as plt

    from qual.export.heatmap import heatmap_figure

    rows = [coding_row("SW01", i, "IMP.SETUP", f"quote {i}") for i in range(1, most + 1)]
    rows.append(coding_row("SW02", 1, "IMP.SPACE", "another quote"))
    matrix = build_matrix(pd.DataFrame(rows), sample_codebook(), transcripts=sample_transcripts())
    figure = heatmap_figure(matrix)
    try:
        figure.canvas.draw()
        bar = next(axes for axes in figure.axes if axes.get_ylabel() == "segments")
        ticks = [t for t in bar.get_yticks() if bar.get_ylim()[0] - 1e-9 <= t <= bar.get_ylim()[1] + 1e-9]
        labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
        assert labels and all(label.lstrip("\u2212-").isdigit() for label in labels)
    finally:
        plt.close(figure)
