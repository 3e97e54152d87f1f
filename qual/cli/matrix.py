"""``qual matrix``: a thin wrapper over ``qual.export.outputs.export_framework``.

Prints counts, file names and case/code ids; never a quote or a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import command, console


def print_framework_outputs(outputs) -> None:
    """The console account of a framework export (shared with ``qual run``)."""
    matrix = outputs.matrix
    console.print(f"codings used: {matrix.status_note}" + (f" ({matrix.status_advice})" if matrix.status_advice
                                                         else ""), markup=False, soft_wrap=True)
    for message in [*outputs.notes, *matrix.warnings]:
        console.print(f"note: {message}", markup=False, soft_wrap=True)
    written = outputs.workbook
    groups = ", ".join(f"{g} {int((matrix.cases['group'] == g).sum())}" for g in matrix.groups)
    typer.echo(f"framework matrix: {len(matrix.cases)} cases ({groups or 'none'}) x "
               f"{len(matrix.code_list)} codes, {len(matrix.quotes)} quotes -> {written.path}")
    if written.summaries_kept or written.orphaned or written.restored:
        typer.echo(f"summaries: {written.summaries_kept} kept in place"
                   + (f", {len(written.restored)} restored from the Orphaned summaries sheet"
                      if written.restored else ""))
    if written.orphaned:
        console.print(f"{len(written.orphaned)} summaries no longer have a row or column; they are kept on "
                      "the 'Orphaned summaries' sheet:", markup=False, soft_wrap=True)
        for line in written.orphaned_lines:
            console.print(f"  {line}", markup=False, soft_wrap=True)
    if written.truncated_cells:
        typer.echo(f"{written.truncated_cells} cells were longer than Excel allows; they end with a pointer "
                   "to the Quotes sheet, which holds every quote")
    if written.backup is not None:
        typer.echo(f"the previous workbook was copied to {written.backup}")
    if outputs.report is not None:
        typer.echo(f"report -> {outputs.report}")
    if outputs.heatmap is not None:
        typer.echo(f"heatmap -> {outputs.heatmap}")


@command("matrix")
def matrix_command(
    codings: Path = typer.Argument(..., metavar="CODINGS", help="codings.csv written by 'qual code'."),
    out: Path = typer.Option(..., "--out", "-o", help="The framework workbook to write (.xlsx). An existing "
                             "one keeps every summary typed into it."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", "-c", help="Codebook (.yaml/.xlsx/.qdc); "
                                            "default: codebook.yaml beside CODINGS, else code ids only."),
    participants: Optional[Path] = typer.Option(None, "--participants", "-p", help="Participants sheet: only "
                                                "its role and trial_arm columns are used."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="De-identified corpus.jsonl (default: the one "
                                          "beside CODINGS)."),
    status: str = typer.Option("auto", "--status", help="accepted | all | auto (accepted when any code has been "
                               "accepted, else all)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the Word report (.docx)."),
    heatmap: Optional[Path] = typer.Option(None, "--heatmap", help="Also draw the heatmap (.png)."),
    attribute: Optional[list[str]] = typer.Option(None, "--attribute", help="Case attribute column to show "
                                                  "(repeatable; default role, local_authority, trial_arm)."),
    fresh: bool = typer.Option(False, "--fresh", help="Do not carry over the summaries of an existing workbook."),
) -> None:
    """Framework matrix (cases x codes, one sheet per theme) from CODINGS into an Excel workbook."""
    from ..export.matrix import DEFAULT_ATTRIBUTES
    from ..export.outputs import export_framework

    outputs = export_framework(
        codings, out, codebook=codebook, participants=participants, corpus=corpus, status=status.lower(),
        report=report, heatmap=heatmap, attributes=attribute or DEFAULT_ATTRIBUTES, keep_summaries=not fresh,
    )
    print_framework_outputs(outputs)
