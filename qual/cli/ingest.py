"""``qual ingest``: a thin wrapper over ``qual.ingest.ingest`` and ``write_ingest``.

Prints a per-file table (file, turns, speakers, words) on stdout and one line per failed
file on stderr; never a speaker label or any transcript text (labels can be names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .app import EXIT_FAILURES, EXIT_USAGE, command, console, failure_line, masked_path, progress


@command("ingest")
def ingest_command(
    inputs: list[Path] = typer.Argument(..., metavar="INPUT", help="Transcript files (.docx, .txt, .vtt, .srt, corpus.jsonl) "
                                        "or folders (read recursively)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for corpus.jsonl, summary.csv and turns.csv "
                             "(identifiable: the raw transcripts)."),
    participants: Optional[Path] = typer.Option(None, "--participants", "-p",
                                                help="Participants sheet (.xlsx or .csv): participant id, "
                                                "file name and case attributes per interview. Default: "
                                                "participants.xlsx/.csv in an input folder."),
    interviewer: Optional[str] = typer.Option(None, "--interviewer", "-i",
                                              help="The interviewer's speaker label (e.g. 'R', 'Int') or "
                                              "name, when it should not be inferred. Comma-separate several."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Processes reading files "
                                          "(default: every core, or QUAL_WORKERS; 1 = one process)."),
) -> None:
    """Read transcripts into OUT/corpus.jsonl, with a per-file summary; exit 1 if any file failed."""
    from ..ingest import find_inputs, find_participants_sheet, ingest, no_inputs_message, write_ingest

    if participants is None:
        participants = find_participants_sheet(inputs)
        if participants is not None:
            console.print(f"using the participants sheet {participants}", soft_wrap=True)
    files, _ = find_inputs(inputs, exclude=[out])
    if participants is not None:
        files = [f for f in files if f.resolve() != participants.resolve()]
    if not files:
        message = no_inputs_message(inputs, exclude=[out]) or \
            f"{', '.join(map(str, inputs))}: no transcript found besides the participants sheet"
        console.print(f"[red]error:[/red] {escape(message)}", markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    with progress("reading", total=len(files), enabled=len(files) > 1) as advance:
        result = ingest(inputs, participants=participants, interviewer=interviewer, exclude=[out],
                        on_file=lambda _path: advance(), workers=workers)
    written = write_ingest(result, out)
    _print_summary(result)
    for failure in result.failures:
        console.print(f"[red]error:[/red] {escape(failure_line(failure))}", markup=True, soft_wrap=True)
    if result.unmatched:
        console.print(f"warning: {len(result.unmatched)} transcript(s) have no row in the participants sheet: "
                      + ", ".join(masked_path(Path(p).name) for p in result.unmatched), soft_wrap=True)
    if result.unused_rows:
        console.print(f"warning: {len(result.unused_rows)} row(s) of the participants sheet match no "
                      "transcript", soft_wrap=True)
    words = sum(t.words for t in result.transcripts)
    typer.echo(f"read {len(result.transcripts)} transcript(s), {words:,} words; "
               f"{len(result.failures)} failed; wrote {written['corpus']}, {written['summary'].name}, "
               f"{written['turns'].name} (identifiable: keep them safe)")
    if result.failures:
        raise typer.Exit(EXIT_FAILURES)


def _print_summary(result) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, justify in (("file", "left"), ("turns", "right"), ("speakers", "right"), ("words", "right"),
                          ("status", "left")):
        table.add_column(name, justify=justify)
    for row in result.summary.itertuples(index=False):
        table.add_row(masked_path(Path(row.file).name), str(row.turns), str(row.speakers), f"{row.words:,}",
                      row.status)
    import sys

    # piped output (CI logs, files) gets the table at its natural width, not wrapped at 80
    width = None if sys.stdout.isatty() else 40 + max((len(Path(f).name) for f in result.summary["file"]), default=0)
    Console(highlight=False, width=width).print(table)
