"""``qual agreement A B``: agreement between two coders, or a coder and qual's suggestions; a
thin wrapper over ``qual.coding.agreement.compare_files``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import EXIT_FAILURES, command, console


@command("agreement")
def agreement_command(
    a: Path = typer.Argument(..., metavar="CODER_A", help="Coder A: codings.csv/.xlsx, a .docx with code comments, or a .qdpx"),
    b: Path = typer.Argument(..., metavar="CODER_B", help="Coder B (or qual's suggestions: the codings.csv 'qual code' wrote)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report as .xlsx"),
    codebook: Optional[Path] = typer.Option(
        None, "--codebook", "-c", help="Codebook: maps code names to ids, lists codes neither coder used"),
    unit: str = typer.Option("segment", "--unit", help="Unit of comparison: segment, turn or document"),
    corpus: Optional[Path] = typer.Option(
        None, "--corpus", help="corpus.jsonl of the transcripts (default: one beside A or B); locates "
        "quotes and adds every segment to the units compared"),
    coded_only: bool = typer.Option(
        False, "--coded-only", help="Compare only units someone coded, not every segment of the corpus"),
    status: str = typer.Option(
        "human", "--status", help="Which codings rows count: 'human' (default: codes accepted or added in "
        "review, and imported human codes), 'all' (also unreviewed suggestions: coder vs qual's "
        "suggestions), or a comma list of accepted, suggested, rejected"),
) -> None:
    """Agreement per code and overall: % agreement, Cohen's kappa, Krippendorff's alpha,
    Gwet's AC1, prevalence. By default only people's decisions count; unreviewed suggestions
    are left out and counted.

    \b
    qual agreement anna/codings.xlsx ben/codings.xlsx --out agreement.xlsx
    qual agreement coder1.docx coder2.docx --codebook codebooks/swis_ipe.yaml
    qual agreement human_codes.xlsx out/coding/codings.csv --status all     # coder vs suggestions
    """
    from rich.console import Console

    from ..coding.agreement import agreement_table, compare_files, parse_statuses, write_agreement_xlsx
    from ..coding.codebook import load_codebook
    from ..errors import QualError

    if out is not None and out.suffix.lower() != ".xlsx":
        raise QualError(f"{out}: the report is written as .xlsx; give a name ending in .xlsx")
    book = load_codebook(codebook) if codebook else None
    report, sides = compare_files(a, b, unit=unit, codebook=book, corpus=corpus, coded_only=coded_only,
                                  statuses=parse_statuses(status))
    lost_quotes = 0
    for side in sides:
        if side.unmatched_labels:
            console.print(f"{side.path}: {side.unmatched_labels} code label(s) not in the codebook were left out "
                          f"({side.distinct_unmatched} distinct)", markup=False, soft_wrap=True)
        if side.unlocated_quotes:
            lost_quotes += side.unlocated_quotes
            console.print(f"[yellow]warning:[/yellow] {side.path}: {side.unlocated_quotes} quote(s) were not "
                          "found in the transcripts and were left out", markup=True, soft_wrap=True)
    screen = Console(highlight=False)
    if not screen.is_terminal:
        screen = Console(highlight=False, width=150)  # piped or captured: do not squeeze the table
    screen.print(agreement_table(report))
    if report.left_out:
        console.print(f"not counted: {report.left_out_text()} (--status all counts unreviewed suggestions)",
                      markup=False, soft_wrap=True)
    if out is not None:
        write_agreement_xlsx(report, out)
        console.print(f"wrote {out}", markup=False, soft_wrap=True)
    if lost_quotes:
        raise typer.Exit(EXIT_FAILURES)
