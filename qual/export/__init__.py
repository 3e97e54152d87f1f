"""Exports of coded interviews: Framework-method matrices in Excel (with analysts' summaries
that survive regeneration), a Word report, and a heatmap.

    >>> from qual.export import build_matrix, write_matrix_workbook, write_report, write_heatmap
    >>> matrix = build_matrix("out/coding/codings.csv", codebook, transcripts=corpus)
    >>> write_matrix_workbook(matrix, "framework.xlsx")      # keeps summaries already typed
    >>> write_report(matrix, "report.docx"); write_heatmap(matrix, "heatmap.png")

or all at once, as ``qual matrix`` does: ``export_framework(codings_csv, "framework.xlsx", ...)``.
"""

from .matrix import DEFAULT_ATTRIBUTES, EXCEL_CELL_LIMIT, FrameworkMatrix, build_matrix, fit_quotes, reference
from .summaries import Summary, read_summaries
from .workbook import WriteReport, write_matrix_workbook


def __getattr__(name):
    # The report, heatmap and the one-call export import python-docx / matplotlib when used.
    if name == "write_report":
        from .report import write_report

        return write_report
    if name == "choose_quotes":
        from .report import choose_quotes

        return choose_quotes
    if name == "write_heatmap":
        from .heatmap import write_heatmap

        return write_heatmap
    if name in {"export_framework", "FrameworkOutputs"}:
        from . import outputs

        return getattr(outputs, name)
    raise AttributeError(name)


__all__ = [
    "DEFAULT_ATTRIBUTES", "EXCEL_CELL_LIMIT", "FrameworkMatrix", "FrameworkOutputs", "Summary",
    "WriteReport", "build_matrix", "choose_quotes", "export_framework", "fit_quotes",
    "read_summaries", "reference", "write_heatmap", "write_matrix_workbook", "write_report",
]
