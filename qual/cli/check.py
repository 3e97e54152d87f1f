"""``qual check``: a thin wrapper over ``qual.check.check``.

Prints findings masked (file, part, location, offset, type, detector), never an identifier.
Exit codes: 0 clean, 1 findings that fail the check, 2 usage error or an input that could
not be read (reported on stderr, one line each; the other files are still checked).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .app import EXIT_USAGE, command, console
from .secure import open_project


@command("check")
def check_command(
    paths: list[Path] = typer.Argument(..., metavar="PATH", help="Files and folders (read recursively) to check."),
    key: Optional[Path] = typer.Option(None, "--key", help="Pseudonym key: its originals are searched for "
                                       "and are certain leaks. Passphrase from QUAL_KEY_PASSPHRASE or a prompt."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Baseline of reviewed findings to "
                                            "silence (from --update-baseline)."),
    update_baseline: Optional[Path] = typer.Option(None, "--update-baseline", help="Record the current "
                                                   "findings in this baseline file (created or updated) "
                                                   "and exit 0 (2 if an input could not be read)."),
    output_format: str = typer.Option("text", "--format", "-f", help="text, json or sarif."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file "
                                          "instead of stdout."),
    strict: bool = typer.Option(False, "--strict", help="Fail on every finding, however unsure, and on "
                                "files or parts that cannot be read."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0, help="Findings at least "
                                              "this confident fail the check (default 0.4; ignored with "
                                              "--strict)."),
    register: Optional[Path] = typer.Option(None, "--register", help="Register of known identifiers "
                                            "(TYPE,value lines); default: the one beside the key."),
    keep: Optional[Path] = typer.Option(None, "--keep", help="Keep-list of terms that are no identifiers; "
                                        "default: the one beside the key."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="Glob of paths to leave out "
                                                "(repeatable), e.g. '*.png' or 'docs/*'."),
    show_all: bool = typer.Option(False, "--show-all", help="Also list findings below the threshold."),
    mask: str = typer.Option("hash", "--mask", help="How findings are shown: 'hash' (#a41f9c, salted "
                             "per run) or 'initial' (J****** (7): first letter and length)."),
    no_ner: bool = typer.Option(False, "--no-ner", help="Leave out the NER model even when one is "
                                "installed (faster; the rules still run)."),
    complete: bool = typer.Option(False, "--complete", help="Let the NER model read every file. By "
                                  "default it reads only the files the rules do not already fail: the "
                                  "same files fail, faster, and a failing file lists the rules' findings."),
    jobs: Optional[int] = typer.Option(None, "--workers", "--jobs", "-j", min=1, help="Worker processes "
                                       "(default: every core, or QUAL_WORKERS; 1 = one process)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", envvar="QUAL_SCHEDULER",
                                            help="Check on a Dask cluster: the scheduler's address "
                                            "(tcp://host:8786) or 'local'. The files' text and the key's "
                                            "originals are sent to its workers. Needs qual[dask]."),
    allow_unscanned: bool = typer.Option(False, "--allow-unscanned", help="List files and parts that could not "
                                         "be read (not text, no format qual check reads, a scanned PDF page) "
                                         "without failing; by default they fail the check (exit 2)."),
) -> None:
    """Fail when files still hold identifiers: Word, Excel, PowerPoint, OpenDocument, RTF, PDF,
    text, CSV, JSON, XML, captions, HTML, REFI-QDA, images' metadata, gzip and zip, in every
    place they hide text. Findings and paths are shown masked; what cannot be read fails."""
    from ..check import GATE_THRESHOLD, check_paths, update_baseline as record_baseline
    from ..check.report import FORMATS, render
    from ..errors import QualError
    from ..files import write_text

    if output_format not in FORMATS:
        raise QualError(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    if mask not in ("hash", "initial"):
        raise QualError(f"--mask must be 'hash' or 'initial', not {mask!r}")
    if baseline is not None and update_baseline is not None and baseline != update_baseline:
        raise QualError("give either --baseline or --update-baseline (or the same file to both)")
    options = dict(project=open_project(key, register=register, keep=keep, may_create=False), strict=strict,
                   threshold=GATE_THRESHOLD if threshold is None else threshold,
                   exclude=exclude or (), jobs=jobs, scheduler=scheduler, mask=mask,
                   ner=None if no_ner else "auto", ignore=[output] if output else [],
                   allow_unscanned=allow_unscanned, complete=complete)
    if update_baseline is not None:
        result, recorded = record_baseline(paths, update_baseline, **options)
        for error in result.errors:
            console.print(f"error: {error}", markup=False, soft_wrap=True)
        typer.echo(f"baseline {update_baseline}: {len(result.findings)} finding(s) of "
                   f"{len(result.files)} file(s) recorded; {len(recorded)} fingerprint(s) in all")
        raise typer.Exit(EXIT_USAGE if result.errors else 0)

    for path in paths:  # a folder with nothing in it says so (an empty gate passes, but not in silence)
        if path.is_dir() and not any(p.is_file() for p in path.rglob("*")):
            console.print(f"note: {path}: is empty; there is nothing to check", markup=False, soft_wrap=True)
    result = check_paths(paths, baseline=baseline, **options)
    for warning in result.warnings:
        console.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if output_format == "text":
        report = render(result, "text", show_all=show_all, include_errors=False)
    elif output_format == "sarif":
        report = render(result, "sarif", stable_fingerprints=baseline is not None)
    else:
        report = render(result, "json")
    if output is not None:
        write_text(output, report)
    else:
        sys.stdout.write(report)
        sys.stdout.flush()
    for error in result.errors:
        console.print(f"error: {error}", markup=False, soft_wrap=True)
    if output is not None or output_format != "text":
        from ..check.report import summary_line

        console.print(summary_line(result), markup=False, soft_wrap=True)
    raise typer.Exit(result.exit_code)
