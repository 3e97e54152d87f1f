"""``qual code``: a thin wrapper over ``qual.coding.pipeline.code_transcripts``.

Prints counts, file names and code ids; never segment text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .app import EXIT_FAILURES, command, console, failure_line, progress, step_progress

log = logging.getLogger("qual.cli.code")

_CODINGS_SUFFIXES = {".csv", ".xlsx", ".xlsm"}


def _is_codings_file(path: Path) -> bool:
    """A codings.csv / review .xlsx given among the inputs (human codes), not a transcript."""
    if path.suffix.lower() not in _CODINGS_SUFFIXES or not path.is_file():
        return False
    try:
        from ..coding.review import read_review

        frame = read_review(path)
    except Exception:  # noqa: BLE001 - not a codings file: leave it to ingest
        return False
    return {"document", "segment", "code"} <= set(frame.columns)


def _transcript_inputs(inputs: list[Path]) -> list[Path]:
    """A folder written by 'qual deidentify' holds the same interviews twice (.docx/.txt and
    corpus.jsonl): read its corpus.jsonl, which also carries the case attributes."""
    from ..corpus import CORPUS_FILE

    chosen = []
    for path in inputs:
        corpus = path / CORPUS_FILE
        chosen.append(corpus if path.is_dir() and corpus.is_file() else path)
    return chosen


def _human_codes(paths: list[Path]):
    import pandas as pd

    from ..coding.review import human_codes_from

    frames = [human_codes_from(p) for p in paths]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else None


def _print_result(result, written: dict[str, Path]) -> None:
    codings = result.codings
    suggested = int((codings["status"] == "suggested").sum())
    accepted = int((codings["status"] == "accepted").sum())
    rejected = int((codings["status"] == "rejected").sum())
    codable = int(result.segments["codable"].sum()) if len(result.segments) else 0
    with_codes = codings[codings["status"] == "suggested"][["document", "segment"]].drop_duplicates()
    typer.echo(f"coded {len(result.transcripts)} transcripts: {codable} segments to code, "
               f"{suggested} suggestions on {len(with_codes)} segments"
               + (f", {accepted} accepted and {rejected} rejected human codes kept" if accepted or rejected else ""))
    for note in result.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    if len(result.topics):
        typer.echo(f"topics: {len(result.topics)}, {len(result.candidates)} match no code (candidate new codes)")
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items())
    console.print(f"time: {timing}", markup=False, soft_wrap=True)
    for name, path in written.items():
        typer.echo(f"{name} -> {path}")


def _next_steps(out: Path, accepted: int) -> None:
    """What to run after the decisions are in: the matrix, or another round of review."""
    coded = out / "codings.csv"
    if accepted:
        typer.echo("next: build the framework matrix of the accepted codes:\n"
                   f"  qual matrix {coded} --out {out.parent / 'framework.xlsx'} --report {out.parent / 'report.docx'}\n"
                   f"  or export them for NVivo, ATLAS.ti, MAXQDA, QualCoder: qual export-qdpx {coded} "
                   f"--out {out.parent / 'project.qdpx'}\n"
                   f"  or suggest again, learning from your decisions: qual code --accept {out / 'codings.xlsx'} "
                   f"--out {out} --refit")
    else:
        typer.echo(f"next: no code is accepted yet; review {out / 'codings.xlsx'} (accept: yes or no) and run "
                   f"qual code --accept {out / 'codings.xlsx'} --out {out}")


def _accept(review: Path, out: Path, codebook_path: Optional[Path], refit: bool, embedder: str,
            coder: Optional[str] = None) -> None:
    from ..coding.codebook import load_codebook
    from ..coding.pipeline import code_transcripts
    from ..coding.review import (
        CODEBOOK_YAML, CODINGS_CSV, CODINGS_XLSX, accept_command, apply_review, write_coding_outputs,
    )
    from ..corpus import CORPUS_FILE, read_corpus
    from ..errors import QualError
    from ..model.codings import ACCEPTED, REJECTED, Codings

    codings, counts = apply_review(review, out, coder=coder)
    typer.echo(f"decisions: {counts['accepted']} accepted, {counts['rejected']} rejected, "
               f"codes added by the reviewer: {counts['added']}"
               + (f", {counts['unmatched']} matched no coding and were ignored" if counts["unmatched"] else ""))
    codebook_file = codebook_path or (out / CODEBOOK_YAML)
    codebook = load_codebook(codebook_file) if codebook_file.exists() else None
    codings = Codings(codings)
    if not refit:
        codings.write(out / CODINGS_CSV)
        codings.write(out / CODINGS_XLSX, codebook=codebook, next_step=accept_command(out))
        typer.echo(f"codings.csv -> {out / CODINGS_CSV}")
        typer.echo(f"codings.xlsx -> {out / CODINGS_XLSX}")
        _next_steps(out, int((codings.frame["status"] == ACCEPTED).sum()))
        return
    if codebook is None:
        raise QualError(f"{codebook_file}: no codebook to refit with; give --codebook FILE")
    corpus = out / CORPUS_FILE
    if not corpus.exists():
        raise QualError(f"{corpus}: the coded transcripts are missing; run 'qual code INPUT... --out {out}' first")
    human = codings.with_status(ACCEPTED, REJECTED).records()
    with step_progress("coding") as step:
        result = code_transcripts(read_corpus(corpus), codebook, human_codes=human, embedder=embedder,
                                  progress=step)
    written = write_coding_outputs(result, out, codebook)
    _print_result(result, written)
    _next_steps(out, int((result.codings["status"] == ACCEPTED).sum()))


@command("code")
def code_command(
    inputs: Optional[list[Path]] = typer.Argument(None, metavar="INPUT", help="De-identified transcripts (.docx/.txt), folders, "
                                                  "corpus.jsonl; codings.csv/.xlsx files with accepted codes."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", "-c", help="Codebook (.yaml, .xlsx or .qdc)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for codings.csv/.xlsx, topics.csv/.html, "
                             "corpus.jsonl, codebook.yaml."),
    accept: Optional[Path] = typer.Option(None, "--accept", help="Read the decisions in a reviewed codings.xlsx "
                                          "into OUT/codings.csv (no INPUT needed)."),
    refit: bool = typer.Option(False, "--refit", help="With --accept: code again, training the learned "
                               "suggester on the decisions."),
    coder: Optional[str] = typer.Option(None, "--coder", help="With --accept: the reviewer's name, for "
                                        "decisions whose 'coder' cell is blank (agreement and REFI-QDA "
                                        "exports name coders by it)."),
    suggesters: str = typer.Option("rules,semantic,topic,learned", "--suggesters",
                                   help="Comma-separated suggesters to run."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                              help="Ensemble score a further suggestion needs (default 0.4); "
                                              "each segment's best code needs 0.25."),
    max_codes: int = typer.Option(3, "--max-codes", min=1, help="At most this many codes proposed per segment "
                                  "(each segment lists its 5 best candidates, ranked)."),
    embedder: str = typer.Option("auto", "--embedder", help="auto (MiniLM up to 1,500 segments, the static "
                                 "model above), minilm or static."),
    code_interviewer: bool = typer.Option(False, "--code-interviewer", help="Suggest codes for interviewer "
                                          "turns too."),
    max_words: int = typer.Option(150, "--max-words", min=20, help="Split turns longer than this at "
                                  "paragraph boundaries."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Processes for reading and the "
                                          "rules (default: every core, or QUAL_WORKERS; 1 = one process)."),
) -> None:
    """Suggest codes for every participant segment; write codings for review, topics and the corpus.

    \b
    Examples:
      qual code out/transcripts --codebook codebooks/swis_ipe.yaml --out coded
      qual code deid/*.docx --codebook codebooks/swis_ipe.yaml --out coded --suggesters rules,semantic
      qual code --accept coded/codings.xlsx --out coded --coder "Anna Reviewer"
      qual code --accept coded/codings.xlsx --out coded --refit      (learn from the decisions)
    """
    from ..coding.codebook import load_codebook
    from ..coding.pipeline import code_transcripts
    from ..coding.review import accept_command, merge_decisions, previous_decisions, write_coding_outputs
    from ..coding.segments import SegmentRules
    from ..coding.suggesters import SelectionRule
    from ..errors import QualError
    from ..ingest import ingest, nothing_read

    if accept is not None:
        if inputs:
            raise QualError("--accept reads decisions only; give INPUT files without --accept to code them")
        _accept(accept, out, codebook, refit, embedder, coder)
        return
    if not inputs:
        raise QualError("give the transcripts to code (or --accept a reviewed codings.xlsx)")
    if codebook is None:
        raise QualError("give the codebook with --codebook FILE")
    names = tuple(n.strip() for n in suggesters.split(",") if n.strip())
    book = load_codebook(codebook)
    codings_files = [p for p in inputs if _is_codings_file(p)]
    transcript_paths = _transcript_inputs([p for p in inputs if p not in codings_files])
    prior = previous_decisions(out)
    if prior is not None:
        typer.echo(f"keeping {len(prior)} human decisions already in {out}")
    human = merge_decisions(prior, _human_codes(codings_files) if codings_files else None)
    with progress("reading", total=None) as advance:
        batch = ingest(transcript_paths, on_file=lambda _p: advance(), workers=workers)
    if not batch.transcripts:
        raise nothing_read(transcript_paths, batch.failures, exclude=[out])
    for failure in batch.failures:
        console.print(f"[red]error:[/red] {escape(failure_line(failure))}", markup=True, soft_wrap=True)
    rules = SegmentRules(max_words=max_words, code_interviewer=code_interviewer)
    with step_progress("coding") as step:
        result = code_transcripts(batch.transcripts, book, suggesters=names, threshold=threshold,
                                  human_codes=human, embedder=embedder, segment_rules=rules,
                                  selection=SelectionRule(max_codes=max_codes), progress=step,
                                  workers=workers)
    written = write_coding_outputs(result, out, book)
    _print_result(result, written)
    typer.echo(f"next: review the suggestions in {out / 'codings.xlsx'} (accept: yes or no), then run "
               f"{accept_command(out)}")
    if batch.failures:
        raise typer.Exit(EXIT_FAILURES)
