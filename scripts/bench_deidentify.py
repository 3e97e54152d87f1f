#!/usr/bin/env python
"""Benchmark ``qual deidentify`` as a whole process on Word transcripts, against Presidio.

    python scripts/bench_deidentify.py                      # 400 synthetic .docx, ~5 MB of text
    python scripts/bench_deidentify.py --n 40 --words 2300  # a quick look
    python scripts/bench_deidentify.py --ner-model PATH     # qual and Presidio with a spaCy model too

Every row is a whole process started from the shell, timed from start to exit on the same files
in the same run (ratios are only ever taken between rows of one run):

* ``qual deidentify DIR --out OUT --key KEY``: every core (the default), and ``--workers 1``;
* Presidio as a user would script it: python-docx reads each file's paragraphs, Presidio's
  ``AnalyzerEngine`` (offline: a blank spaCy pipeline through ``NlpEngineProvider``, its UK
  recognizers added) analyses each paragraph (a third faster than whole documents),
  ``presidio-anonymizer`` replaces what it found, and a .txt and a .docx are written per file;
  in one process, as Presidio runs;
* with ``--ner-model PATH`` (a spaCy pipeline with an ``ner`` component; by default the model
  that ships in ``qual/deid/resources/ner_model`` when there is one): qual with that model as
  its shipped NER, and Presidio with that model instead of the blank pipeline.

Columns: wall seconds; CPU seconds of the process and its workers; MB/s of transcript text
(wall); peak memory, the largest sum of the proportional set sizes (PSS: pages shared by forked
workers counted once in all) of the process and its workers, sampled every 0.1 s in a second run
of the same row (the timed run is not sampled: sampling takes CPU from the cores qual uses and
not from those one-process Presidio leaves idle; ``--no-memory`` skips the second runs); "names left": how
many of the participants' and interviewers' names, schools and councils that the corpus's
participants sheet lists (not given to either tool) are still found, case-insensitively, in the
output text: a recall check on identifiers nobody typed into the tools. The two qual rows must
write byte-identical text, corpus and log (checked and printed).

The corpus is ``scripts/make_synthetic_corpus.py``'s, generated once into ``--cache``.

``--phases`` instead times where one process spends its time (``--workers 1``, in this process):
reading the files, detection and linking (``fit``), applying the plan (``transform``) and
writing the outputs; run it with ``PYTHONPATH`` pointing at another checkout of qual to compare
before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):  # --phases of another checkout: PYTHONPATH says which qual
    sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "scripts"))

TARGET_RATIO = 5.0


# --------------------------------------------------------------------------- measuring


def measure(command: list[str], env: dict | None = None, sample_memory: bool = True) -> dict:
    """Run ``command``; wall seconds, CPU seconds (it and its children), and, with
    ``sample_memory``, sampled peak memory (else 0)."""
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()
    if not sample_memory:
        stop.set()

    def sample() -> None:
        nonlocal peak
        try:
            parent = psutil.Process(process.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            try:
                for member in [parent, *parent.children(recursive=True)]:
                    try:
                        total += _proportional_size(member)
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            peak = max(peak, total)
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    before = os.times()
    _, stderr = process.communicate()
    after = os.times()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak / 2**20}


def _proportional_size(process) -> int:
    """A process's proportional set size (its share of pages it shares with forked workers),
    where Linux says; else its resident size."""
    try:
        return process.memory_full_info().pss
    except AttributeError:
        return process.memory_info().rss


def corpus_text_mb(folder: Path) -> float:
    from qual.ingest import ingest

    result = ingest([folder], workers=1)
    return sum(len(turn.text.encode("utf-8")) for t in result.transcripts for turn in t.turns) / 1e6


def known_identifiers(folder: Path) -> list[str]:
    """Names, schools and councils from the participants sheet, and each person's parts."""
    import pandas as pd

    sheet = pd.read_excel(folder / "participants.xlsx", dtype=str)
    found: set[str] = set()
    for column in ("name", "interviewer", "school", "local_authority"):
        for value in sheet.get(column, pd.Series(dtype=str)).dropna():
            for part in str(value).split(";"):
                part = part.strip()
                if part:
                    found.add(part)
                    if column in ("name", "interviewer"):
                        found.update(word for word in part.split() if len(word) > 2)
    return sorted(found)


def names_left(out: Path, identifiers: list[str]) -> int:
    import re

    from collections import Counter

    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.txt"))).lower()
    # a name of word characters only is counted as a whole \w+ run, which is what \bname\b
    # matches (one pass over the text, not one per name); the others by their pattern
    words = Counter(re.findall(r"\w+", text))
    return sum(words[name.lower()] if re.fullmatch(r"\w+", name)
               else len(re.findall(rf"\b{re.escape(name.lower())}\b", text)) for name in identifiers)


def identical(one: Path, other: Path) -> bool:
    names = sorted(p.name for p in one.iterdir() if p.suffix in (".txt", ".jsonl", ".csv"))
    if names != sorted(p.name for p in other.iterdir() if p.suffix in (".txt", ".jsonl", ".csv")):
        return False
    return all((one / name).read_bytes() == (other / name).read_bytes() for name in names)


# --------------------------------------------------------------------------- Presidio


def build_presidio(model: str | None):
    """Presidio's AnalyzerEngine offline: ``model`` (a spaCy pipeline path) or a blank one."""
    from presidio_engine import presidio_analyzer

    return presidio_analyzer(model, {"model_to_presidio_entity_mapping": {
        "PERSON": "PERSON", "PER": "PERSON", "LOC": "LOCATION", "GPE": "LOCATION", "FAC": "LOCATION",
        "ORG": "ORGANIZATION", "DATE": "DATE_TIME"}})


def presidio_run(corpus: Path, out: Path, model: str | None) -> None:
    """What a Presidio user's script does: read, analyse, anonymise, write, file by file."""
    import docx
    from presidio_anonymizer import AnonymizerEngine

    analyzer = build_presidio(model)
    anonymizer = AnonymizerEngine()
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(corpus.glob("*.docx")):
        clean = []
        for paragraph in docx.Document(str(path)).paragraphs:
            # paragraph by paragraph: Presidio is faster so than on a whole document's text
            text = paragraph.text
            found = analyzer.analyze(text=text, language="en") if text.strip() else []
            clean.append(anonymizer.anonymize(text=text, analyzer_results=found).text if found else text)
        (out / f"{path.stem}.txt").write_text("\n".join(clean), encoding="utf-8")
        document = docx.Document()
        for line in clean:
            document.add_paragraph(line)
        document.save(str(out / f"{path.stem}.docx"))


def phases(corpus: Path) -> int:
    """CPU seconds of each phase of ``deidentify(..., workers=1)`` in this process."""
    import time as clock

    import qual
    from qual.deid import engine, pipeline

    spent: dict[str, list[float]] = {}

    def timed(owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started, wall = clock.process_time(), clock.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                so_far = spent.setdefault(label, [0.0, 0.0])
                so_far[0] += clock.process_time() - started
                so_far[1] += clock.perf_counter() - wall

        setattr(owner, name, wrapper)

    timed(pipeline, "_ingest", "read the .docx files (ingest)")
    timed(engine.Deidentifier, "fit", "detect and link (fit)")
    timed(pipeline, "_transform_all", "apply the plan (transform)")
    timed(pipeline, "_write_outputs", "write .docx, .txt, corpus.jsonl, log")
    work = Path(tempfile.mkdtemp(prefix="qual-bench-phases-"))
    try:
        started, wall = clock.process_time(), clock.perf_counter()
        pipeline.deidentify([corpus], work / "out", key_path=work / "secure" / "k.qualkey",
                            passphrase="benchmark passphrase, not a secret", workers=1)
        total, total_wall = clock.process_time() - started, clock.perf_counter() - wall
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"qual from {Path(qual.__file__).parent}, {len(list(corpus.glob('*.docx')))} .docx, one process, "
          f"load average {_load()}")
    print("| phase | CPU s | wall s |")
    print("|---|---:|---:|")
    for label, (seconds, elapsed) in spent.items():
        print(f"| {label} | {seconds:.1f} | {elapsed:.1f} |")
    print(f"| **deidentify() in all** | **{total:.1f}** | **{total_wall:.1f}** |")
    return 0


def qual_with_model(model: str, argv: list[str]) -> int:
    """``qual`` with ``model`` taking the place of the shipped NER model."""
    from qual.deid.recognizers import ner

    ner.shipped_model_path = lambda: Path(model)
    ner.installed_english_models = lambda: []
    from qual.cli import main

    sys.argv = ["qual", *argv]
    return main()


# --------------------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="interviews (default 400)")
    parser.add_argument("--words", type=int, default=2300, help="words per interview (default 2,300: ~5 MB in all)")
    parser.add_argument("--corpus", type=Path, help="a folder of .docx with a participants.xlsx (skips generation)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "qual-bench-cache")
    parser.add_argument("--ner-model", help="a spaCy pipeline for the 'with a model' rows (default: the shipped "
                        "one; 'none': no such rows)")
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="skip the second, memory-sampled run of each row")
    parser.add_argument("--phases", action="store_true", help="CPU seconds per phase of one process, no table")
    parser.add_argument("--presidio-run", nargs=2, type=Path, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--qual-with-model", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.presidio_run:
        presidio_run(*args.presidio_run, args.model)
        return 0
    if args.qual_with_model is not None:
        return qual_with_model(args.model, args.qual_with_model)

    corpus = args.corpus
    if corpus is None:
        corpus = args.cache / f"deid-n{args.n}-w{args.words}"
        if len(list(corpus.glob("*.docx"))) < args.n:
            from make_synthetic_corpus import make_corpus

            print(f"generating {args.n} interviews into {corpus} ...", flush=True)
            make_corpus(args.n, corpus, words=args.words, seed=7)
    if args.phases:
        return phases(corpus)
    files = sorted(corpus.glob("*.docx"))
    megabytes = corpus_text_mb(corpus)
    identifiers = known_identifiers(corpus) if (corpus / "participants.xlsx").exists() else []
    model = None if (args.ner_model or "").lower() == "none" else args.ner_model
    if args.ner_model is None:
        from qual.deid.recognizers.ner import shipped_model_path

        shipped = shipped_model_path()
        model = str(shipped) if shipped is not None else None

    work = Path(tempfile.mkdtemp(prefix="qual-bench-deid-"))
    env = {**os.environ, "QUAL_KEY_PASSPHRASE": "benchmark passphrase, not a secret"}
    env.pop("QUAL_WORKERS", None)
    python = sys.executable
    script = Path(python).parent / "qual"  # this environment's qual, not another on PATH
    qual = [str(script)] if script.exists() else [python, "-c", "from qual.cli import main; main()"]
    me = [python, str(Path(__file__).resolve())]
    # the input corpus is read before timing starts, so every row finds it in the page cache
    runs = []
    memory = not args.no_memory
    try:
        def timed_and_sampled(name: str, command_to: Any) -> None:
            # Timed without sampling memory: reading a process's page map (PSS) every 0.1 s
            # costs the machine CPU, taken from qual's two busy cores but from the idle second
            # core of one-process Presidio (measured: +0.7 s on qual's 8.5 s). Peak memory
            # comes from a second run, sampled, into a folder of its own.
            out = work / f"out{len(runs)}"
            result = measure(command_to(out, work / f"key{len(runs)}"), env, sample_memory=False)
            if memory:
                sampled = measure(command_to(work / f"mem{len(runs)}", work / f"memkey{len(runs)}"), env)
                shutil.rmtree(work / f"mem{len(runs)}", ignore_errors=True)
                result["peak_mb"] = sampled["peak_mb"]
            runs.append({"name": name, "out": out, **result})
            print(f"  {name}: {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU, "
                  f"{result['peak_mb']:,.0f} MB", flush=True)

        def qual_row(name: str, extra: list[str], with_model: bool = False) -> None:
            def command_to(out: Path, keys: Path) -> list[str]:
                argv = ["deidentify", str(corpus), "--out", str(out), "--key", str(keys / "k.qualkey"), *extra]
                return [*me, "--model", model, "--qual-with-model", *argv] if with_model else [*qual, *argv]

            timed_and_sampled(name, command_to)

        def presidio_row(name: str, with_model: bool = False) -> None:
            def command_to(out: Path, keys: Path) -> list[str]:
                return [*me, "--presidio-run", str(corpus), str(out)] + (["--model", model] if with_model else [])

            timed_and_sampled(name, command_to)

        load = _load()
        print(f"{len(files)} .docx, {megabytes:.2f} MB of transcript text; load average {load}", flush=True)
        qual_row("qual deidentify (all cores)", [])
        qual_row("qual deidentify --workers 1", ["--workers", "1"])
        if not args.no_presidio:
            presidio_row("Presidio, blank spaCy pipeline")
        if model is not None:
            qual_row("qual deidentify (all cores), spaCy NER model", [], with_model=True)
            qual_row("qual deidentify --workers 1, spaCy NER model", ["--workers", "1"], with_model=True)
            if not args.no_presidio:
                presidio_row("Presidio, the same spaCy model", with_model=True)
        same = identical(runs[0]["out"], runs[1]["out"])

        print()
        print(f"`qual deidentify` whole process on {len(files)} Word transcripts ({megabytes:.2f} MB of text), "
              f"{platform.node() or 'this machine'}, {os.cpu_count()} cores, load average before/after "
              f"{load} / {_load()}")
        print()
        print("| run | wall s | CPU s | MB/s (wall) | peak memory MB | names left | x Presidio (blank) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        presidio = next((r for r in runs if r["name"].startswith("Presidio, blank")), None)
        for run in runs:
            ratio = f"{presidio['seconds'] / run['seconds']:.1f}" if presidio else "-"
            left = names_left(run["out"], identifiers) if identifiers else "-"
            peak = f"{run['peak_mb']:,.0f}" if memory else "-"
            print(f"| {run['name']} | {run['seconds']:.1f} | {run['cpu']:.1f} | {megabytes / run['seconds']:.2f} | "
                  f"{peak} | {left} | {ratio} |")
        print()
        print(f"all cores and --workers 1 wrote byte-identical .txt, corpus.jsonl and deid_log.csv: {same}")
        if presidio:
            ratio = presidio["seconds"] / runs[0]["seconds"]
            print(f"qual on all cores is {ratio:.1f}x Presidio-with-a-blank-pipeline's throughput: "
                  f"{'meets' if ratio >= TARGET_RATIO else 'MISSES'} the {TARGET_RATIO:.0f}x target")
        if model is None:
            print("no spaCy NER model given or shipped: the rows with a model were not run")
        return 0 if same else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    sys.exit(main())
