"""``qual deidentify``: a thin wrapper over ``qual.deid.deidentify``.

Everything printed here is counts, file names the user typed, and one-line errors; never a
detected identifier (the log and the summary carry types and pseudonyms only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer

from .app import EXIT_FAILURES, command, console, failure_line, progress
from .secure import open_project

log = logging.getLogger("qual.cli.deid")


@command("deidentify")
def deidentify_command(
    inputs: list[Path] = typer.Argument(..., metavar="INPUT", help="Transcripts, folders or corpus.jsonl (or tables with --column)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the de-identified files."),
    key: Optional[Path] = typer.Option(None, "--key", help="Encrypted pseudonym key (read and updated; "
                                       "outside --out). Passphrase from QUAL_KEY_PASSPHRASE or a prompt."),
    participants: Optional[Path] = typer.Option(None, "--participants", help="Participants sheet (.xlsx/.csv)."),
    register: Optional[Path] = typer.Option(None, "--register", help="Register of known identifiers "
                                            "(TYPE,value lines); default beside the key."),
    keep: Optional[Path] = typer.Option(None, "--keep", help="Keep-list of terms never redacted; "
                                        "default beside the key."),
    review: Optional[Path] = typer.Option(None, "--review", help="Write uncertain spans to this .xlsx "
                                          "(identifiable: outside --out)."),
    decisions: Optional[Path] = typer.Option(None, "--decisions", help="Apply a filled-in review sheet."),
    surrogates: bool = typer.Option(False, "--surrogates", help="Realistic surrogate names instead of [Person N] tags."),
    column: Optional[list[str]] = typer.Option(None, "--column", help="De-identify this column of CSV/xlsx "
                                               "inputs (repeatable)."),
    speaker_labels: str = typer.Option("pseudonym", "--speaker-labels",
                                       help="Replace names in speaker labels by 'pseudonym' or 'role'."),
    review_threshold: float = typer.Option(0.7, "--review-threshold", min=0.0, max=1.0,
                                           help="Flag spans less confident than this for review."),
    interviewer: Optional[str] = typer.Option(None, "--interviewer", help="The interviewer's speaker label."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Processes for reading, detection and "
                                          "writing (default: every core, or QUAL_WORKERS; 1 = one process)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", envvar="QUAL_SCHEDULER",
                                            help="Detect on a Dask cluster: the scheduler's address "
                                            "(tcp://host:8786) or 'local'. Identifiable text is sent to its "
                                            "workers. Needs qual[dask]."),
) -> None:
    """De-identify transcripts (or survey columns) into OUT: .docx, .txt, corpus.jsonl, deid_log.csv."""
    from ..deid.pipeline import deidentify
    from ..errors import QualError
    from ..ingest import no_inputs_message

    if not column:  # an empty folder says so, before a key is opened
        empty = no_inputs_message(inputs, exclude=[out])
        if empty is not None:
            raise QualError(empty)
    project = open_project(key, register=register, keep=keep)
    with progress("de-identifying") as advance:
        result = deidentify(
            inputs, out, project=project, participants=participants,
            interviewer=interviewer, review_path=review,
            decisions_path=decisions, surrogates=surrogates, review_threshold=review_threshold,
            speaker_labels=speaker_labels, columns=column or None, workers=workers, scheduler=scheduler,
            progress=advance,
        )
    summary = result.summary
    by_type = ", ".join(f"{name} {count}" for name, count in sorted(summary.get("by_type", {}).items()))
    unit = "tables" if column else "documents"
    typer.echo(f"de-identified {summary.get('documents', 0)} {unit} into {out}: "
               f"{summary.get('replacements', 0)} replacements" + (f" ({by_type})" if by_type else ""))
    typer.echo(f"flagged for review: {summary.get('flagged_for_review', 0)}"
               + (f" (written to {review})" if review else ""))
    if decisions:
        typer.echo(f"decisions applied: {summary.get('decisions_kept', 0)} kept occurrences, "
                   f"{summary.get('always_keep', 0)} always keep, {summary.get('always_redact', 0)} always redact")
    if key:
        typer.echo(f"key: {summary.get('entities', 0)} entities in {key}")
    for failure in result.failures:
        console.print(f"failed: {failure_line(failure)}", markup=False, soft_wrap=True)
    if result.failures:
        console.print(f"{len(result.failures)} input(s) failed"
                      + ("; nothing was de-identified" if not summary.get("documents") else ""), markup=False)
        raise typer.Exit(EXIT_FAILURES)
