"""``qual export-qdpx``, ``qual export-qdc``, ``qual import-qdpx``, ``qual validate-qdpx``:
REFI-QDA projects and codebooks for NVivo, ATLAS.ti, MAXQDA and QualCoder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import EXIT_FAILURES, command

# Left out on purpose, not a failure: codings of another status, duplicates.
_EXPECTED_SKIPS = ("codings with status", "duplicate codings")


@command("export-qdpx")
def export_qdpx(
    codings: Path = typer.Argument(..., metavar="CODINGS", help="codings.csv written by 'qual code' (offsets into the corpus)."),
    out: Path = typer.Option(..., "--out", "-o", help="The .qdpx file to write."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="De-identified corpus.jsonl the codings refer "
                                          "to [default: corpus.jsonl beside CODINGS]."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", help="Codebook (.yaml, .xlsx, .qdc) [default: "
                                            "codebook.yaml beside CODINGS, else codebooks/swis_ipe.yaml]."),
    participants: Optional[Path] = typer.Option(None, "--participants", help="Participants sheet (.xlsx/.csv): "
                                                "role and trial arm for the case variables."),
    summaries: Optional[Path] = typer.Option(None, "--summaries", help="Framework workbook from 'qual matrix' "
                                             "(or a CSV case,code,summary): summaries become notes."),
    status: str = typer.Option("auto", "--status", help="auto (accepted if any, else all), accepted, or all "
                               "(accepted and suggested; never rejected)."),
    user: str = typer.Option("qual", "--user", help="User name that creates the project."),
    name: Optional[str] = typer.Option(None, "--name", help="Project name [default: the codebook's name]."),
) -> None:
    """Write a REFI-QDA project (.qdpx) of the de-identified transcripts, codebook, cases, codings and summaries."""
    from ..refi import export_codings_file

    result = export_codings_file(codings, out, corpus=corpus, codebook=codebook, participants=participants,
                                 summaries=summaries, status=status, user=user, name=name)
    typer.echo(f"{out}: REFI-QDA project written and validated")
    for line in result.lines():
        typer.echo(f"  {line}")
    if any(not reason.startswith(_EXPECTED_SKIPS) for reason in result.skipped):
        raise typer.Exit(EXIT_FAILURES)


@command("export-qdc")
def export_qdc(
    codebook: Path = typer.Argument(..., metavar="CODEBOOK", help="Codebook file (.yaml, .xlsx, .csv, .qdc, .qdpx)."),
    out: Path = typer.Option(..., "--out", "-o", help="The .qdc file to write."),
) -> None:
    """Write a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
    from ..refi import export_qdc_file

    export_qdc_file(codebook, out)
    typer.echo(f"{out}: REFI-QDA codebook written and validated")


@command("import-qdpx")
def import_qdpx(
    file: Path = typer.Argument(..., metavar="FILE", help="A .qdpx project, a .qde file (with its sources folder) or a .qdc codebook."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder to write codebook.yaml, codings.csv, "
                                       "corpus.jsonl, cases.csv and notes.csv into."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", help="Reference codebook: codes that match it "
                                            "(by GUID or name) keep its ids, keywords and examples."),
    force: bool = typer.Option(False, "--force", help="Replace files that already exist in --out."),
    problems: bool = typer.Option(False, "--problems", help="Also list every validation problem."),
) -> None:
    """Read a REFI-QDA project or codebook from NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette; say what was read."""
    from ..coding.codebook import load_codebook
    from ..refi import read_project, write_import

    reference = load_codebook(codebook) if codebook is not None else None
    project = read_project(file, reference=reference)
    written = write_import(project, out, force=force) if out is not None else {}
    typer.echo(f"{file}:")
    for line in project.report.lines():
        typer.echo(f"  {line}")
    if problems:
        for problem in project.problems:
            typer.echo(f"  {problem}")
    elif project.problems:
        typer.echo(f"  ({len(project.problems)} validation problems; --problems lists them)")
    for what, path in written.items():
        typer.echo(f"  wrote {what}: {path}")
    if out is not None and project.kind == "project":
        typer.echo("  the texts are written as the project held them: run 'qual check' on them before sharing")


@command("validate-qdpx")
def validate_qdpx(
    file: Path = typer.Argument(..., metavar="FILE", help="A .qdpx, .qde or .qdc file."),
    xsd: Optional[Path] = typer.Option(None, "--xsd", help="Schema to validate against [default: the REFI-QDA "
                                       "1.0 schema shipped with qual]."),
) -> None:
    """Check a REFI-QDA file against the XSD and what the XSD cannot check; exit 1 on any error."""
    from ..refi import validate_qdpx as validate

    found = validate(file, xsd)
    for problem in found:
        typer.echo(f"{file}: {problem}")
    errors = sum(1 for p in found if p.severity == "error")
    typer.echo(f"{file}: {errors} errors, {len(found) - errors} warnings")
    if errors:
        raise typer.Exit(EXIT_FAILURES)
