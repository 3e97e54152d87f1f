"""``qual code``: a thin wrapper over ``qual.coding.pipeline.code_transcripts``.

Prints counts, file names and code ids; never segment text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer

from .app import EXIT_FAILURES, command, console, progress

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


def _accept(review: Path, out: Path, codebook_path: Optional[Path], refit: bool, embedder: str) -> None:
    from ..coding.codebook import load_codebook
    from ..coding.pipeline import code_transcripts
    from ..coding.review import CODEBOOK_YAML, CODINGS_CSV, CODINGS_XLSX, apply_review, write_coding_outputs
    from ..corpus import CORPUS_FILE, read_corpus
    from ..errors import QualError
    from ..model.codings import ACCEPTED, REJECTED, Codings

    codings, counts = apply_review(review, out)
    typer.echo(f"decisions: {counts['accepted']} accepted, {counts['rejected']} rejected, "
               f"codes added by the reviewer: {counts['added']}"
               + (f", {counts['unmatched']} matched no coding and were ignored" if counts["unmatched"] else ""))
    codebook_file = codebook_path or (out / CODEBOOK_YAML)
    codebook = load_codebook(codebook_file) if codebook_file.exists() else None
    codings = Codings(codings)
    if not refit:
        codings.write(out / CODINGS_CSV)
        codings.write(out / CODINGS_XLSX, codebook=codebook)
        typer.echo(f"codings.csv -> {out / CODINGS_CSV}")
        typer.echo(f"codings.xlsx -> {out / CODINGS_XLSX}")
        return
    if codebook is None:
        raise QualError(f"{codebook_file}: no codebook to refit with; give --codebook FILE")
    corpus = out / CORPUS_FILE
    if not corpus.exists():
        raise QualError(f"{corpus}: the coded transcripts are missing; run 'qual code INPUT... --out {out}' first")
    human = codings.with_status(ACCEPTED, REJECTED).records()
    with progress("coding"):
        result = code_transcripts(read_corpus(corpus), codebook, human_codes=human, embedder=embedder)
    written = write_coding_outputs(result, out, codebook)
    _print_result(result, written)


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
    suggesters: str = typer.Option("rules,semantic,topic,learned", "--suggesters",
                                   help="Comma-separated suggesters to run."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                              help="Ensemble score a further suggestion needs (default 0.4); "
                                              "each segment's best code needs 0.25."),
    max_codes: int = typer.Option(2, "--max-codes", min=1, help="At most this many suggestions per segment."),
    embedder: str = typer.Option("auto", "--embedder", help="auto (MiniLM up to 1,500 segments, the static "
                                 "model above), minilm or static."),
    code_interviewer: bool = typer.Option(False, "--code-interviewer", help="Suggest codes for interviewer "
                                          "turns too."),
    max_words: int = typer.Option(150, "--max-words", min=20, help="Split turns longer than this at "
                                  "paragraph boundaries."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Processes for reading and the "
                                          "rules (default: every core, or QUAL_WORKERS; 1 = one process)."),
) -> None:
    """Suggest codes for every participant segment; write codings for review, topics and the corpus."""
    from ..coding.codebook import load_codebook
    from ..coding.pipeline import code_transcripts
    from ..coding.review import merge_decisions, previous_decisions, write_coding_outputs
    from ..coding.segments import SegmentRules
    from ..coding.suggesters import SelectionRule
    from ..errors import QualError
    from ..ingest import ingest

    if accept is not None:
        if inputs:
            raise QualError("--accept reads decisions only; give INPUT files without --accept to code them")
        _accept(accept, out, codebook, refit, embedder)
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
    for failure in batch.failures:
        console.print(f"[red]error:[/red] {failure}", markup=True, soft_wrap=True)
    if not batch.transcripts:
        raise QualError("no transcript could be read; nothing was coded")
    rules = SegmentRules(max_words=max_words, code_interviewer=code_interviewer)
    with progress("coding"):
        result = code_transcripts(batch.transcripts, book, suggesters=names, threshold=threshold,
                                  human_codes=human, embedder=embedder, segment_rules=rules,
                                  selection=SelectionRule(max_codes=max_codes), workers=workers)
    written = write_coding_outputs(result, out, book)
    _print_result(result, written)
    if batch.failures:
        raise typer.Exit(EXIT_FAILURES)
