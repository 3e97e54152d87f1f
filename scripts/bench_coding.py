"""Benchmark code suggestions: N synthetic interviews -> seconds per stage and peak memory.

Interviews are generated from the codebook's examples and definitions and the sample corpus
turns (``tests/gold``, when present): each answer strings together 1-4 sentences about one
code (sometimes one more about another), with interview fillers and small random edits, so
that nearly every turn is a different text (the embedding cache gets no free ride); a fifth
of the answers are short ("Yes."), a tenth run over several paragraphs.
If ``scripts/make_synthetic_corpus.py`` exists and offers ``make_corpus(n, seed)``, it is used
instead. The default N=100 is about 1M words, the size of a whole IPE.

    python scripts/bench_coding.py                       # 100 interviews, embedder auto
    python scripts/bench_coding.py -n 5 --embedder minilm
    python scripts/bench_coding.py -n 100 --embedder static --write /tmp/bench_out
    python scripts/bench_coding.py -n 100 --write /tmp/bench_out --baseline ../main   # side by side

Prints one table: stage, seconds, and the peak resident memory of the process. With
``--baseline DIR`` (another checkout of qual, e.g. ``git worktree add ../base main``) the same
benchmark runs first on that checkout's code and codebook, then on this one, each in its own
process, and a last table gives both totals and their ratio: before/after measured side by side.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if "--project" in sys.argv:  # measure another checkout's code (see --baseline)
    PROJECT = Path(sys.argv[sys.argv.index("--project") + 1]).resolve()
sys.path.insert(0, str(PROJECT))

from qual.model import Role, Transcript, Turn  # noqa: E402

FILLERS = ["um,", "erm,", "you know,", "I mean,", "sort of", "to be honest,", "yeah,", "like,", "basically,",
           "I think", "so", "and", "but", "obviously"]
QUESTIONS = [
    "Can you tell me a bit more about that?", "How did that work in practice?", "What helped with that?",
    "What got in the way?", "How did the school respond?", "Can you give me an example?",
    "How did that compare with your previous role?", "What would you change?", "How did families react?",
    "And how did that affect your caseload?", "What did the DSL make of that?", "Anything else on that?",
]
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


SHORT_ANSWERS = ["Yeah, definitely.", "Yes.", "Not really, no.", "Mm, I think so.", "That's right.",
                 "Sometimes, yeah.", "I'm not sure, to be honest.", "Exactly."]


def sentence_pools(codebook) -> dict[str, list[str]]:
    """Sentences by code: its examples and definition, and sample-corpus turns coded with it."""
    pools: dict[str, list[str]] = {}
    for code in codebook.codes:
        pool = list(code.examples)
        pool += [s for s in _SENTENCES.split(code.definition or "") if len(s.split()) > 5]
        pools[code.id] = pool
    gold_dir = PROJECT / "tests" / "gold"
    for path in sorted(gold_dir.glob("*.json")):
        for turn in json.loads(path.read_text("utf-8")).get("turns", []):
            codes = [c for c in turn.get("codes", []) if c in pools]
            if turn.get("role") != "interviewer" and codes:
                pools[codes[0]].extend(s for s in _SENTENCES.split(turn.get("text", "")) if len(s.split()) > 4)
    return {k: [s.strip() for s in v if s.strip()] for k, v in pools.items() if v}


def vary(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    if len(words) > 6 and rng.random() < 0.6:
        words.insert(rng.randrange(1, len(words)), rng.choice(FILLERS))
    if len(words) > 8 and rng.random() < 0.3:
        del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


def synthetic_interview(number: int, codebook, pools: dict[str, list[str]], rng: random.Random,
                        words: int = 10_000) -> Transcript:
    """An interview of ~``words`` words: each answer mostly about one code, some about two."""
    names = {code.id: code.name.lower() for code in codebook.codes}
    ids = list(pools)
    turns, total = [], 0
    while total < words:
        code = rng.choice(ids)
        question = rng.choice(QUESTIONS + [f"Can you tell me about {names[code]}?"] * 4)
        turns.append(Turn(index=0, speaker="Interviewer", role=Role.INTERVIEWER, text=question))
        draw = rng.random()
        if draw < 0.2:
            text = rng.choice(SHORT_ANSWERS)
        elif draw < 0.3:  # a long answer over several paragraphs
            text = "\n".join(" ".join(vary(rng.choice(pools[code]), rng) for _ in range(4)) for _ in range(3))
        else:
            sentences = [vary(rng.choice(pools[code]), rng) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.4:
                sentences.append(vary(rng.choice(pools[rng.choice(ids)]), rng))
            text = " ".join(sentences)
        turns.append(Turn(index=0, speaker=f"SW{number:03d}", role=Role.PARTICIPANT, text=text))
        total += len(question.split()) + len(text.split())
    return Transcript(id=f"SYN{number:03d}", source="synthetic", turns=turns,
                      attributes={"role": rng.choice(["SW", "TM"])})


def make_transcripts(n: int, codebook, seed: int = 0, generator: str = "auto") -> tuple[list[Transcript], str]:
    """N interviews: from ``scripts/make_synthetic_corpus.py`` (written as .docx, then ingested)
    when it exists and ``generator`` is auto/corpus, else from this script's own generator."""
    maker = PROJECT / "scripts" / "make_synthetic_corpus.py"
    if generator in ("auto", "corpus") and maker.exists():
        import tempfile

        from qual.ingest import ingest

        spec = importlib.util.spec_from_file_location("make_synthetic_corpus", maker)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with tempfile.TemporaryDirectory(prefix="bench_coding_") as folder:
            module.make_corpus(n, folder, seed=seed)
            batch = ingest([folder])
        return batch.transcripts, "make_synthetic_corpus.py (.docx, ingested)"
    rng = random.Random(seed)
    pools = sentence_pools(codebook)
    return [synthetic_interview(i, codebook, pools, rng) for i in range(n)], "bench_coding.py's own generator"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--interviews", type=int, default=100)
    parser.add_argument("--embedder", default="auto", choices=["auto", "minilm", "static"])
    parser.add_argument("--suggesters", default="rules,semantic,topic")
    parser.add_argument("--codebook", type=Path, default=PROJECT / "codebooks" / "swis_ipe.yaml")
    parser.add_argument("--project", type=Path, help="the checkout whose qual package is measured (default: this one)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure first, side by side")
    parser.add_argument("--json", type=Path, help="write the stage times to this file")
    parser.add_argument("--write", type=Path, help="also write the outputs to this folder (timed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generator", default="auto", choices=["auto", "corpus", "own"],
                        help="corpus: scripts/make_synthetic_corpus.py; own: this script's generator")
    args = parser.parse_args()
    if args.baseline:
        return side_by_side(args)

    from qual.coding.codebook import load_codebook
    from qual.coding.pipeline import code_transcripts

    codebook = load_codebook(args.codebook)
    started = time.perf_counter()
    transcripts, source = make_transcripts(args.interviews, codebook, args.seed, args.generator)
    generate = time.perf_counter() - started
    words = sum(t.words for t in transcripts)
    started = time.perf_counter()
    result = code_transcripts(transcripts, codebook, suggesters=tuple(args.suggesters.split(",")),
                              embedder=args.embedder)
    coding = time.perf_counter() - started
    stages = {name: (seconds, result.cpu_timings.get(name, float("nan"))) for name, seconds in result.timings.items()}
    if args.write:
        from qual.coding.review import write_coding_outputs

        started, cpu = time.perf_counter(), time.process_time()
        write_coding_outputs(result, args.write, codebook)
        stages["write outputs"] = (time.perf_counter() - started, time.process_time() - cpu)
    segments = len(result.segments)
    codable = int(result.segments["codable"].sum())
    print(f"\n{args.interviews} interviews, {words:,} words, {segments:,} segments ({codable:,} to code), "
          f"embedder {result.embedder}; generated by {source} in {generate:.1f} s (not counted below)")
    for note in result.notes:
        print(f"  note: {note}")
    print(f"  {'stage':28} {'wall s':>8} {'CPU s':>8}")
    for name, (seconds, cpu) in stages.items():
        print(f"  {name:28} {seconds:8.1f} {cpu:8.1f}")
    total = sum(s for s, _ in stages.values())
    total_cpu = sum(c for _, c in stages.values())
    print(f"  {'total':28} {total:8.1f} {total_cpu:8.1f}")
    print(f"  {'code_transcripts() end to end':28} {coding:8.1f}")
    print(f"  {'segments per second (wall)':28} {codable / max(total, 1e-9):8.0f}")
    print(f"  {'peak RSS (MB)':28} {peak_rss_mb():8.0f}")
    print("  (CPU s counts this process's threads; wall s above CPU s means waiting for a busy machine,"
          " below it means several cores at work)")
    print(f"  suggestions: {int((result.codings['status'] == 'suggested').sum()):,}; codings rows: "
          f"{len(result.codings):,}; topics: {len(result.topics)}, candidate new codes: {len(result.candidates)}")
    if args.json:
        args.json.write_text(json.dumps({"stages": stages, "total": total, "coding": coding,
                                         "peak_mb": peak_rss_mb(), "rows": len(result.codings)}), encoding="utf-8")
    return 0


def side_by_side(args) -> int:
    """The same benchmark on ``--baseline``'s code, then on this checkout's, each in a fresh process."""
    import subprocess
    import tempfile

    forwarded = [a for a in sys.argv[1:]]
    at = forwarded.index("--baseline")
    del forwarded[at:at + 2]
    totals = {}
    with tempfile.TemporaryDirectory(prefix="bench_coding_") as folder:
        for label, project in (("baseline", args.baseline.resolve()), ("this checkout", PROJECT)):
            out = Path(folder) / f"{len(totals)}.json"
            command = [sys.executable, str(Path(__file__).resolve()), *forwarded, "--project", str(project),
                       "--json", str(out)]
            if "--codebook" not in forwarded:
                command += ["--codebook", str(project / "codebooks" / "swis_ipe.yaml")]
            print(f"\n== {label}: {project}", flush=True)
            subprocess.run(command, check=True)
            totals[label] = json.loads(out.read_text("utf-8"))
    before, after = totals["baseline"], totals["this checkout"]
    print(f"\n  {'':28} {'baseline':>10} {'this':>10} {'ratio':>7}")
    for name in ("coding", "total"):
        print(f"  {name + ' (wall s)':28} {before[name]:10.1f} {after[name]:10.1f} {after[name] / before[name]:7.2f}")
    print(f"  {'peak RSS (MB)':28} {before['peak_mb']:10.0f} {after['peak_mb']:10.0f} "
          f"{after['peak_mb'] / before['peak_mb']:7.2f}")
    print(f"  {'codings rows':28} {before['rows']:10,} {after['rows']:10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
