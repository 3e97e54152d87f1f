"""``qual run``: the whole pipeline, a thin wrapper over ``qual.pipeline.run_pipeline``.

Prints stage progress, counts, timings and the files written; never transcript text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .app import EXIT_FAILURES, command, console, failure_line
from .secure import open_project


def _reporter():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..pipeline import Reporter

    class RichReporter(Reporter):
        """A bar per stage on a terminal; one line per finished stage otherwise (CI logs)."""

        def __init__(self) -> None:
            self.live = sys.stderr.isatty()
            self.bar = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.fields[detail]}"), console=console,
                                disable=not self.live)
            self.task = None

        def __enter__(self):
            self.bar.__enter__()
            return self

        def __exit__(self, *exc):
            return self.bar.__exit__(*exc)

        def start(self, stage: str, total: int | None = None) -> None:
            self.task = self.bar.add_task(stage, total=total, detail="")

        def advance(self, n: int = 1) -> None:
            if self.task is not None:
                self.bar.advance(self.task, n)

        def step(self, description: str, done: int = 0, total: int | None = None) -> None:
            if self.task is not None:  # the stage's own steps: "embedding 1,024 of 2,400 segments"
                self.bar.update(self.task, detail=description, completed=done, total=total)

        def finish(self, stage) -> None:
            if self.task is not None:
                done = self.bar.tasks[-1].total or 1
                self.bar.update(self.task, total=done, completed=done, detail=f"{stage.status}: {stage.detail}")
            if not self.live:
                console.print(f"{stage.name}: {stage.status} in {stage.seconds:.1f} s"
                              + (f" - {stage.detail}" if stage.detail else ""), markup=False, soft_wrap=True)

    return RichReporter()


@command("run")
def run_command(
    inputs: list[Path] = typer.Argument(..., metavar="INPUT", help="Folder(s) or files of transcripts."),
    codebook: Path = typer.Option(..., "--codebook", "-c", help="Framework codebook (.yaml/.xlsx/.qdc)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: de-identified material only."),
    participants: Optional[Path] = typer.Option(None, "--participants", "-p", help="Participants sheet "
                                                "(default: participants.xlsx/.csv in the input folder)."),
    key: Optional[Path] = typer.Option(None, "--key", help="Encrypted pseudonym key, outside --out (passphrase "
                                       "from QUAL_KEY_PASSPHRASE or a prompt)."),
    review: Optional[Path] = typer.Option(None, "--review", help="Write uncertain spans to this .xlsx "
                                          "(identifiable: outside --out)."),
    interviewer: Optional[str] = typer.Option(None, "--interviewer", help="The interviewer's speaker label."),
    status: str = typer.Option("auto", "--status", help="Codings in the matrix: accepted | all | auto."),
    embedder: Optional[str] = typer.Option(None, "--embedder", help="Embedding backend for coding "
                                           "(auto, minilm, static)."),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the Word report."),
    no_heatmap: bool = typer.Option(False, "--no-heatmap", help="Skip the heatmap."),
    no_qdpx: bool = typer.Option(False, "--no-qdpx", help="Skip the REFI-QDA project."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Processes for reading and "
                                          "de-identifying (default: every core, or QUAL_WORKERS; 1 = one process)."),
) -> None:
    """Ingest -> de-identify -> code -> framework matrix -> heatmap -> report -> .qdpx, into OUT.

    \b
    Examples:
      qual run transcripts_sample --codebook codebooks/swis_ipe.yaml --out out
      qual run interviews/ --codebook codebooks/swis_ipe.yaml --out out --key ../secure/swis.key --review ../secure/review.xlsx
      qual run interviews/ --codebook codebooks/swis_ipe.yaml --out out --status accepted --no-qdpx

    Then review out/coding/codings.xlsx and run the same command again: the decisions, the
    pseudonyms (with the same --key) and the summaries typed into out/framework.xlsx are kept.
    """
    from rich.table import Table

    from ..pipeline import run_pipeline

    project = open_project(key)
    with _reporter() as reporter:
        result = run_pipeline(
            inputs, codebook, out, participants=participants, project=project,
            review_path=review, interviewer=interviewer, status=status.lower(), embedder=embedder,
            report=not no_report, heatmap=not no_heatmap, qdpx=not no_qdpx, reporter=reporter,
            workers=workers,
        )

    stages = Table(title="stages", title_justify="left")
    for column in ("stage", "status", "seconds", "peak MB", "what"):
        stages.add_column(column, overflow="fold")
    for stage in result.stages:
        stages.add_row(stage.name, stage.status, f"{stage.seconds:.1f}",
                       "" if stage.peak_rss_mb is None else f"{stage.peak_rss_mb:.0f}", stage.detail)
    console.print(stages)
    files = Table(title=f"written (de-identified, in {out})", title_justify="left")
    files.add_column("what")
    files.add_column("where", overflow="fold")
    for label, path in result.written.items():
        files.add_row(label, str(path))
    console.print(files)
    if key is not None:
        console.print(f"pseudonym key (identifiable, keep it apart): {key}", markup=False, soft_wrap=True)
    if review is not None:
        console.print(f"review sheet (identifiable, keep it apart): {review}", markup=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    if result.orphaned_summaries:
        console.print(f"{len(result.orphaned_summaries)} summaries no longer have a row or column; they are kept "
                      "on the 'Orphaned summaries' sheet:", markup=False, soft_wrap=True)
        for line in result.orphaned_summaries:
            console.print(f"  {line}", markup=False, soft_wrap=True)
    for failure in result.failures:
        console.print(f"failed: {failure_line(failure)}", markup=False, soft_wrap=True)
    if result.missing_stages:
        console.print(f"not run (library missing): {', '.join(result.missing_stages)}", markup=False)
    if not result.ok:
        if result.failures:
            console.print(f"{len(result.failures)} input(s) failed; the others went through", markup=False)
        raise typer.Exit(EXIT_FAILURES)
