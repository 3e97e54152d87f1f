"""A heatmap of codes x cases (coded segments) beside codes x role (share of cases), as a PNG
for the report and the README. matplotlib is imported lazily, with the Agg backend (no display).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import QualError
from ..files import atomic_path
from ..text import shorten
from .matrix import FrameworkMatrix

MAX_LABEL = 38


def _label(code) -> str:
    text = code.id if code.name == code.id else f"{code.id} {code.name}"
    return shorten(text, MAX_LABEL)


def write_heatmap(matrix: FrameworkMatrix, path: str | Path, *, dpi: int = 150) -> Path:
    """Draw the heatmap of ``matrix`` to ``path`` (PNG, written atomically) and return the path."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise QualError(f"{path}: the heatmap is a PNG image; give a name ending in .png")
    import matplotlib.pyplot as plt

    figure = heatmap_figure(matrix)
    try:
        with atomic_path(path) as tmp:
            figure.savefig(tmp, format="png", dpi=dpi)
    finally:
        plt.close(figure)
    return path


def heatmap_figure(matrix: FrameworkMatrix):
    """The matplotlib figure of the heatmap (the caller closes it)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    codes = matrix.code_list
    cases = list(matrix.cases.index)
    groups = matrix.groups
    counts = matrix.counts.reindex(index=cases, columns=[c.id for c in codes]).fillna(0).to_numpy().T
    shares = np.array([[matrix.role_comparison.loc[c.id, f"{g} share"] for g in groups] for c in codes],
                      dtype=float).reshape(len(codes), len(groups))

    n_codes, n_cases = max(1, len(codes)), max(1, len(cases))
    width = min(40.0, 4.5 + 0.22 * n_cases + 0.6 * max(1, len(groups)))
    height = min(30.0, 2.2 + 0.26 * n_codes)
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(width, height), squeeze=True, layout="constrained",
        gridspec_kw={"width_ratios": [n_cases, max(1.2 * len(groups), 1.5, 0.08 * n_cases)]})
    blues = LinearSegmentedColormap.from_list("counts", ["#FFFFFF", "#C6DBEF", "#4292C6", "#08306B"])
    masked = np.ma.masked_equal(counts, 0) if counts.size else np.zeros((n_codes, n_cases))
    image = left.imshow(masked if counts.size else np.zeros((n_codes, n_cases)), aspect="auto",
                        cmap=blues, vmin=0, vmax=max(1.0, float(counts.max()) if counts.size else 1.0),
                        interpolation="nearest")
    left.set_facecolor("white")
    left.set_yticks(range(len(codes)), [_label(c) for c in codes], fontsize=8)
    case_font = 8 if n_cases <= 40 else 6 if n_cases <= 80 else 5
    left.set_xticks(range(len(cases)), cases, rotation=90, fontsize=case_font)
    left.set_xlim(-0.5, n_cases - 0.5)
    left.set_ylim(n_codes - 0.5, -0.5)
    if counts.size and n_cases <= 30 and n_codes <= 40:
        for y, x in zip(*np.nonzero(counts)):
            value = counts[y, x]
            left.text(x, y, str(int(value)), ha="center", va="center", fontsize=6,
                      color="white" if value > 0.6 * counts.max() else "black")
    # Role groups side by side, separated, and named along the top.
    position, centres, names = 0, [], []
    for group in groups:
        size = int((matrix.cases["group"] == group).sum())
        if position:
            left.axvline(position - 0.5, color="black", linewidth=1.2)
        centres.append(position + size / 2 - 0.5)
        names.append(f"{group} (n={size})")
        position += size
    top = left.secondary_xaxis("top")
    top.set_xticks(centres, names, fontsize=9, fontweight="bold")
    top.tick_params(length=0)
    _theme_lines(left, codes)
    left.set_title("Coded segments per case", fontsize=10)
    colourbar = figure.colorbar(image, ax=right, fraction=0.1, pad=0.06, label="segments")
    # counts are whole numbers: ticks at whole numbers only, written without decimals
    colourbar.locator = MaxNLocator(integer=True, min_n_ticks=2)
    colourbar.formatter = StrMethodFormatter("{x:.0f}")
    colourbar.update_ticks()
    colourbar.ax.tick_params(labelsize=7)
    colourbar.ax.yaxis.label.set_size(8)

    purples = LinearSegmentedColormap.from_list("shares", ["#FFFFFF", "#DADAEB", "#807DBA", "#3F007D"])
    right.imshow(np.nan_to_num(shares) if shares.size else np.zeros((n_codes, 1)), aspect="auto",
                 cmap=purples, vmin=0, vmax=1, interpolation="nearest")
    right.set_xticks(range(len(groups)), groups, fontsize=8)
    right.set_yticks([])
    right.set_ylim(n_codes - 0.5, -0.5)
    for y in range(shares.shape[0]):
        for x in range(shares.shape[1]):
            value = shares[y, x]
            if not np.isnan(value):
                right.text(x, y, f"{value:.0%}", ha="center", va="center", fontsize=6,
                           color="white" if value > 0.6 else "black")
    _theme_lines(right, codes)
    right.set_title("Cases with code", fontsize=10)
    right_top = right.secondary_xaxis("top")
    right_top.set_xticks([])
    return figure


def _theme_lines(axes, codes) -> None:
    for i in range(1, len(codes)):
        if codes[i].theme != codes[i - 1].theme:
            axes.axhline(i - 0.5, color="#555555", linewidth=0.8)
