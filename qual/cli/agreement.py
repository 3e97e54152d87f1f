"""``qual agreement A B``: agreement between two coders, or a coder and qual's suggestions."""

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
        "accepted,suggested", "--status", help="Rows of a codings file to count, by status "
        "(comma-separated; add 'rejected' to count rejected suggestions)"),
) -> None:
    """Agreement per code and overall: % agreement, Cohen's kappa, Krippendorff's alpha,
    Gwet's AC1, prevalence.

    \b
    qual agreement coder1.docx coder2.docx --codebook codebooks/swis_ipe.yaml
    qual agreement human_codes.xlsx out/codings.csv --out agreement.xlsx
    """
    from rich.console import Console

    from ..coding.agreement import UNITS, agreement, agreement_table, write_agreement_xlsx
    from ..coding.codebook import load_codebook
    from ..coding.human import read_codes_file
    from ..errors import QualError

    if unit not in UNITS:
        raise QualError(f"--unit {unit!r}: choose one of {', '.join(UNITS)}")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise QualError(f"{out}: the report is written as .xlsx; give a name ending in .xlsx")
    book = load_codebook(codebook) if codebook else None
    transcripts, corpus_path = _transcripts(corpus, a, b)
    statuses = {s.strip().lower() for s in status.split(",") if s.strip()}

    sides = []
    lost_quotes = 0
    for label, path in (("A", a), ("B", b)):
        result = read_codes_file(path, transcripts, book, human_only=False)
        frame = result.codings
        if "status" in frame.columns and len(frame):
            frame = frame[frame["status"].fillna("accepted").str.lower().isin(statuses)]
        if result.unmatched_labels:
            console.print(f"{path}: {sum(result.unmatched_labels.values())} code label(s) not in the "
                          f"codebook were left out ({len(result.unmatched_labels)} distinct)")
        if result.unlocated_quotes:
            lost_quotes += result.unlocated_quotes
            console.print(f"[yellow]warning:[/yellow] {path}: {result.unlocated_quotes} quote(s) were not "
                          "found in the transcripts and were left out", markup=True)
        if frame.empty:
            raise QualError(f"{path}: no codes to compare (after reading statuses {', '.join(sorted(statuses))})")
        sides.append(frame)

    units = None
    if transcripts and not coded_only and unit != "document":
        from ..coding.segments import segment_transcripts

        segments = segment_transcripts(transcripts)
        units = segments[segments["codable"]]
    report = agreement(sides[0], sides[1], unit=unit, codebook=book, units=units,
                       coder_a=a.name, coder_b=b.name)
    if corpus_path:
        report.universe += f"; transcripts from {corpus_path}"
    screen = Console(highlight=False)
    if not screen.is_terminal:
        screen = Console(highlight=False, width=150)  # piped or captured: do not squeeze the table
    screen.print(agreement_table(report))
    if out is not None:
        write_agreement_xlsx(report, out)
        console.print(f"wrote {out}")
    if lost_quotes:
        raise typer.Exit(EXIT_FAILURES)


def _transcripts(corpus: Optional[Path], *inputs: Path):
    from ..corpus import CORPUS_FILE, read_corpus
    from ..errors import QualError

    if corpus is not None:
        if not corpus.exists():
            raise QualError(f"{corpus}: does not exist; give the corpus.jsonl that 'qual code' or "
                            "'qual ingest' wrote")
        return read_corpus(corpus), corpus
    for path in inputs:
        candidate = path.parent / CORPUS_FILE
        if candidate.exists():
            return read_corpus(candidate), candidate
    return None, None
