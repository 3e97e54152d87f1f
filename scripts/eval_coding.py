"""Evaluate the code suggesters against human coding, each alone and combined.

Data sets (each skipped with a message when absent):
  gold     the fictional SWIS sample corpus: tests/gold/<id>.json (codes per turn) with
           codebooks/swis_ipe.yaml
  scrum    ../shared/data/coded/scrum_quality: 249 coded interview chunks (with the question
           asked, from the authors' workbooks), 16 second-cycle pattern codes; the codebook is
           built from the authors' "Pattern Codes" sheets (definition; first-cycle codes as
           keywords and include clauses)
  llmcode  ../shared/data/coded/llmcode_games_as_art: 90 survey answers split into sentences,
           a sentence carrying the codes of the coded spans it overlaps; 31 codes with a
           description each (code names serve as keywords)

Metrics, on coded units (participant turns; scrum chunks; llmcode sentences):
  top1 / top3   share of coded units whose top-ranked (top 3) suggestions include a gold code
  micro/macro F1  at the default selection rule, over all codable units (uncoded ones count)
  kappa         mean per-code Cohen's kappa (per-code values with --per-code)
Rows: each suggester alone (its scores through the same selection rule), the zero-shot
ensemble (rules+semantic+topic), the learned suggester and the full ensemble; the learned
rows use 5-fold cross-validation by document (trained on the human codes of the other folds).

    python scripts/eval_coding.py                    # all data sets, default embedder (auto)
    python scripts/eval_coding.py gold --embedder static --per-code
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from qual.coding.codebook import Code, Codebook, Theme  # noqa: E402
from qual.model import Role, Transcript, Turn  # noqa: E402

SHARED = PROJECT.parent / "shared" / "data"
GOLD_DIR = PROJECT / "tests" / "gold"
SWIS_CODEBOOK = PROJECT / "codebooks" / "swis_ipe.yaml"
SCRUM = SHARED / "coded" / "scrum_quality"
LLMCODE = SHARED / "coded" / "llmcode_games_as_art"


class Dataset:
    """Transcripts, a codebook and gold codes per (document, turn)."""

    def __init__(self, name: str, transcripts: list[Transcript], codebook: Codebook,
                 gold: dict[tuple[str, int], set[str]], note: str = "") -> None:
        self.name = name
        self.transcripts = transcripts
        self.codebook = codebook
        self.gold = gold
        self.note = note


# --------------------------------------------------------------------------- loaders


def load_gold(gold_dir: Path = GOLD_DIR, codebook_path: Path = SWIS_CODEBOOK) -> Dataset | None:
    from qual.coding.codebook import load_codebook

    files = sorted(gold_dir.glob("*.json"))
    if not files or not codebook_path.exists():
        return None
    codebook = load_codebook(codebook_path)
    transcripts, gold = [], {}
    for path in files:
        data = json.loads(path.read_text("utf-8"))
        document = str(data.get("id") or path.stem)
        turns = []
        for i, turn in enumerate(data["turns"]):
            role = Role(turn.get("role", "other"))
            speaker = turn.get("speaker") or ("Interviewer" if role is Role.INTERVIEWER else "Participant")
            turns.append(Turn(index=i, speaker=speaker, role=role, text=turn["text"],
                              timestamp=turn.get("timestamp")))
            codes = [c for c in turn.get("codes", []) if c]
            if role is not Role.INTERVIEWER:
                gold[(document, i)] = set(codes)
        transcripts.append(Transcript(id=document, source=str(path), turns=turns,
                                      attributes=dict(data.get("attributes") or {})))
    return Dataset("gold", transcripts, codebook, gold, f"{len(files)} sample interviews")


def _clean_chunk(text: str) -> str:
    return " ".join(str(text).strip().strip('"“”').split())


def _scrum_questions() -> dict[str, str]:
    """Chunk text -> the interview question asked before it, from the authors' workbooks."""
    import openpyxl

    questions: dict[str, str] = {}
    for path in sorted((SCRUM / "original_xlsx").glob("Data Analysis - First Cycle - *.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book.sheetnames:
            if not sheet.startswith("Participant"):
                continue
            rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
            found = [(i, r.index("Question asked in the interview")) for i, r in enumerate(rows)
                     if "Question asked in the interview" in r]
            if not found:
                continue
            header, left = found[0]
            question = ""
            for row in rows[header + 1:]:
                if len(row) <= left + 1:
                    continue
                if row[left]:
                    question = " ".join(str(row[left]).split())
                if row[left + 1] and question:
                    questions.setdefault(_clean_chunk(row[left + 1]), question)
        book.close()
    return questions


def _scrum_codebook(codes_in_data: list[str]) -> Codebook:
    """The 16 pattern codes, from the authors' second-cycle 'Pattern Codes' sheets."""
    import openpyxl

    found: dict[str, dict] = {}
    for path in sorted((SCRUM / "original_xlsx").glob("Data Analysis - Second Cycle - *.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        rows = [list(r) for r in book["Pattern Codes"].iter_rows(values_only=True)]
        book.close()
        header, left = next((i, r.index("Pattern Codes")) for i, r in enumerate(rows) if "Pattern Codes" in r)
        names = [str(h or "") for h in rows[header]]
        definition_col = next(i for i, h in enumerate(names) if h.startswith("Description/Definition"))
        current = None
        for row in rows[header + 1:]:
            if row[left]:
                name = " ".join(str(row[left]).split())
                current = found.setdefault(name.lower(), {"name": name, "definition": "", "first": []})
                if row[definition_col]:
                    current["definition"] = " ".join(str(row[definition_col]).split())
            if current is not None and row[left + 1]:
                current["first"].append(" ".join(str(row[left + 1]).split()))
    codes = []
    for name in codes_in_data:
        info = found.get(name.lower(), {"name": name, "definition": "", "first": []})
        first = list(dict.fromkeys(info["first"]))
        codes.append(Code(
            id=name, name=name, theme="scrum", definition=info["definition"],
            include="; ".join(first), keywords=[name.lower()] + [f.lower() for f in first],
        ))
    return Codebook(name="scrum quality pattern codes", themes=[Theme("scrum", "Scrum and quality")], codes=codes)


def load_scrum() -> Dataset | None:
    import pandas as pd

    path = SCRUM / "scrum_quality_coded_data.csv"
    if not path.exists():
        return None
    data = pd.read_csv(path)
    data["chunk"] = data["text_chunk"].map(_clean_chunk)
    data["code"] = data["code_2"].map(lambda c: " ".join(str(c).split()))
    canonical = {}
    for code in data["code"]:
        canonical.setdefault(code.lower(), code)
    data["code"] = data["code"].map(lambda c: canonical[c.lower()])
    codebook = _scrum_codebook(sorted(canonical.values(), key=str.lower))
    questions = _scrum_questions()
    transcripts, gold = [], {}
    for (document, rq), group in data.groupby(["document ID", "research_question"], sort=False):
        doc_id = f"{document} {rq}".replace(" ", "_")
        turns, codes_of = [], {}
        for chunk, rows in group.groupby("chunk", sort=False):
            question = questions.get(chunk)
            if question:
                turns.append(Turn(index=0, speaker="Researcher", role=Role.INTERVIEWER, text=question))
            turns.append(Turn(index=0, speaker="Participant", role=Role.PARTICIPANT, text=chunk))
            codes_of[len(turns) - 1] = set(rows["code"])
        transcript = Transcript(id=doc_id, source=str(path), turns=turns)
        transcripts.append(transcript)
        for index, codes in codes_of.items():
            gold[(doc_id, index)] = codes
    with_question = sum(1 for c in set(data["chunk"]) if c in questions)
    return Dataset("scrum", transcripts, codebook, gold,
                   f"{len(gold)} chunks in {len(transcripts)} documents; {with_question} with their question")


_SPAN = re.compile(r"\*\*(.+?)\*\*<sup>(.*?)</sup>", re.S)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def load_llmcode() -> Dataset | None:
    texts_path = LLMCODE / "bopp_test_coded_texts.csv"
    descriptions_path = LLMCODE / "bopp_test_code_descriptions.csv"
    if not texts_path.exists():
        return None

    def read(path: Path) -> list[dict]:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        return list(csv.DictReader(io.StringIO(text)))

    codes = [Code(id=r["code"].strip(), name=r["code"].strip(), theme="art", definition=r["description"].strip(),
                  keywords=[r["code"].strip().lower()]) for r in read(descriptions_path)]
    codebook = Codebook(name="games as art", themes=[Theme("art", "Games as art")], codes=codes)
    known = {c.id for c in codes}
    transcripts, gold = [], {}
    for number, row in enumerate(read(texts_path)):
        coded = row["coded_text"]
        plain, spans, position = [], [], 0
        for match in _SPAN.finditer(coded):
            plain.append(coded[position:match.start()])
            start = sum(map(len, plain))
            plain.append(match.group(1))
            labels = {c.strip() for c in match.group(2).split(";") if c.strip() in known}
            spans.append((start, start + len(match.group(1)), labels))
            position = match.end()
        plain.append(coded[position:])
        text = "".join(plain)
        doc_id = f"response_{number:03d}"
        turns, codes_of = [], {}
        for sentence in _SENTENCE.finditer(text):
            s, e = sentence.span()
            if len(text[s:e].split()) < 3:
                continue
            labels = set()
            for start, end, span_labels in spans:
                overlap = min(e, end) - max(s, start)
                if overlap >= min(10, end - start):
                    labels |= span_labels
            turns.append(Turn(index=0, speaker="Respondent", role=Role.PARTICIPANT, text=" ".join(text[s:e].split())))
            codes_of[len(turns) - 1] = labels
        if turns:
            transcripts.append(Transcript(id=doc_id, source=str(texts_path), turns=turns))
            for index, labels in codes_of.items():
                gold[(doc_id, index)] = labels
    coded_units = sum(1 for v in gold.values() if v)
    return Dataset("llmcode", transcripts, codebook, gold,
                   f"{len(gold)} sentences ({coded_units} coded) in {len(transcripts)} responses")


LOADERS = {"gold": load_gold, "scrum": load_scrum, "llmcode": load_llmcode}


# --------------------------------------------------------------------------- scoring


def unit_matrix(segments, matrix: np.ndarray, units: list[tuple[str, int]]) -> np.ndarray:
    """Segment scores -> unit (turn) scores: the maximum over a turn's segments."""
    index = {unit: i for i, unit in enumerate(units)}
    out = np.zeros((len(units), matrix.shape[1]), dtype=np.float32)
    for row, (document, turn) in enumerate(zip(segments["document"], segments["turn"])):
        i = index.get((str(document), int(turn)))
        if i is not None:
            out[i] = np.maximum(out[i], matrix[row])
    return out


def chosen_matrix(result, units: list[tuple[str, int]]) -> np.ndarray:
    """The suggestions a user gets (codings.csv rows with status suggested), per unit and code."""
    index = {unit: i for i, unit in enumerate(units)}
    column = {c: i for i, c in enumerate(result.code_ids)}
    chosen = np.zeros((len(units), len(column)), dtype=bool)
    rows = result.codings[result.codings["status"] == "suggested"]
    for document, turn, code in zip(rows["document"], rows["turn"], rows["code"]):
        i = index.get((str(document), int(turn)))
        if i is not None and code in column:
            chosen[i, column[code]] = True
    return chosen


def gold_matrix(dataset: Dataset, units, code_ids) -> np.ndarray:
    column = {c: i for i, c in enumerate(code_ids)}
    truth = np.zeros((len(units), len(code_ids)), dtype=bool)
    for i, unit in enumerate(units):
        for code in dataset.gold[unit]:
            if code in column:
                truth[i, column[code]] = True
    return truth


def metrics(scores: np.ndarray, truth: np.ndarray, chosen: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import cohen_kappa_score

    coded = truth.any(axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")
    # A code ranks only if it has a score: zeros tied at the bottom are no suggestion.
    hit = truth[np.arange(len(truth))[:, None], order] & (np.take_along_axis(scores, order, axis=1) > 0)
    top1 = hit[:, 0][coded].mean() if coded.any() else float("nan")
    top3 = hit[:, :3].any(axis=1)[coded].mean() if coded.any() else float("nan")
    tp = (chosen & truth).sum()
    fp = (chosen & ~truth).sum()
    fn = (~chosen & truth).sum()
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    micro = 2 * precision * recall / max(precision + recall, 1e-9)
    f1s, kappas = [], []
    for c in range(truth.shape[1]):
        if not truth[:, c].any() and not chosen[:, c].any():
            continue
        t, p = truth[:, c], chosen[:, c]
        ctp = (t & p).sum()
        f1s.append(2 * ctp / max(t.sum() + p.sum(), 1))
        if t.any():
            kappas.append(cohen_kappa_score(t, p) if (t != t[0]).any() or (p != p[0]).any() else 0.0)
    return {"top1": float(top1), "top3": float(top3), "micro_f1": float(micro), "precision": float(precision),
            "recall": float(recall), "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
            "kappa": float(np.nanmean(kappas)) if kappas else 0.0, "per_code_kappa": kappas}


def per_code_kappa(truth: np.ndarray, chosen: np.ndarray, code_ids) -> dict[str, float]:
    from sklearn.metrics import cohen_kappa_score

    out = {}
    for c, code in enumerate(code_ids):
        if truth[:, c].any():
            t, p = truth[:, c], chosen[:, c]
            out[code] = float(cohen_kappa_score(t, p)) if (p != p[0]).any() else 0.0
    return out


def cross_validated_learned(result, dataset: Dataset, folds: int = 5, seed: int = 0) -> np.ndarray | None:
    """Learned-suggester scores for every segment, each predicted by a model that never saw
    the human codes of its own document's fold."""
    from qual.coding.pipeline import human_labels
    from qual.coding.suggesters import LearnedSuggester, SuggestContext
    from qual.coding.embeddings import get_embedder

    segments = result.segments
    documents = sorted(set(segments["document"].astype(str)))
    if len(documents) < 2:
        return None
    rng = np.random.default_rng(seed)
    shuffled = list(rng.permutation(documents))
    fold_of = {d: i % min(folds, len(documents)) for i, d in enumerate(shuffled)}
    human = [{"document": d, "turn": t, "segment": str(t), "code": c, "status": "accepted"}
             for (d, t), codes in dataset.gold.items() for c in codes]
    labels = human_labels(segments, dataset.codebook, human, complete_documents=True).labels
    # Documents with no gold code at all still count as reviewed (coded, nothing applied).
    codable = segments["codable"].to_numpy(bool)
    gold_documents = {d for d, _ in dataset.gold}
    reviewed = codable & segments["document"].astype(str).isin(gold_documents).to_numpy()
    labels[reviewed & np.isnan(labels).all(axis=1)] = 0.0
    fold = segments["document"].astype(str).map(fold_of).to_numpy()
    out = np.zeros_like(result.ensemble)
    embedder = get_embedder(result.embedder or "auto")
    others = {k: v for k, v in result.scores.items() if k != "learned"}
    for k in sorted(set(fold)):
        train_labels = labels.copy()
        train_labels[fold == k] = np.nan
        context = SuggestContext(embedder=embedder, answer_vectors=result.vectors[0],
                                 question_vectors=result.vectors[1], labels=train_labels)
        learned = LearnedSuggester().fit(segments, dataset.codebook, context, other_scores=others)
        if learned.available:
            out[fold == k] = learned.suggest(segments, context)[fold == k]
    return out


def evaluate(dataset: Dataset, embedder: str, show_per_code: bool = False, learned: bool = True) -> list[dict]:
    from qual.coding.pipeline import code_transcripts
    from qual.coding.suggesters import Ensemble, SelectionRule, select

    started = time.perf_counter()
    result = code_transcripts(dataset.transcripts, dataset.codebook, suggesters=("rules", "semantic", "topic"),
                              embedder=embedder)
    seconds = time.perf_counter() - started
    segments = result.segments
    units = list(dataset.gold)
    code_ids = result.code_ids
    truth = gold_matrix(dataset, units, code_ids)
    rule = SelectionRule()
    combiner = Ensemble()
    codable = segments["codable"].to_numpy(bool)
    rows = {}
    for name, matrix in result.scores.items():
        rows[name] = matrix
    if result.scores:
        rows["ensemble (zero-shot)"] = result.ensemble
    if learned:
        learned_scores = cross_validated_learned(result, dataset)
        if learned_scores is not None:
            rows["learned (5-fold CV)"] = learned_scores
            rows["ensemble + learned"] = combiner.combine({**result.scores, "learned": learned_scores})
    table, per_code_lines = [], []
    for name, matrix in rows.items():
        chosen = select(matrix, rule, eligible=codable)
        unit_scores = unit_matrix(segments, matrix, units)
        unit_chosen = unit_matrix(segments, chosen.astype(np.float32), units) > 0
        m = metrics(unit_scores, truth, unit_chosen)
        m["suggester"] = name
        table.append(m)
        if show_per_code and name.startswith("ensemble"):
            kappas = per_code_kappa(truth, unit_chosen, code_ids)
            per_code_lines.append(f"  per-code kappa, {name}: " + ", ".join(f"{c} {k:.2f}" for c, k in kappas.items()))
    coded = int(truth.any(axis=1).sum())
    print(f"\n{dataset.name}: {dataset.note}; {len(units)} units, {coded} coded, {len(code_ids)} codes; "
          f"embedder {result.embedder}; zero-shot run {seconds:.1f} s")
    for note in result.notes:
        print(f"  note: {note}")
    print(f"  {'suggester':24} {'top1':>6} {'top3':>6} {'microF1':>8} {'P':>6} {'R':>6} {'macroF1':>8} {'kappa':>6}")
    for m in table:
        print(f"  {m['suggester']:24} {m['top1']:6.3f} {m['top3']:6.3f} {m['micro_f1']:8.3f} {m['precision']:6.3f} "
              f"{m['recall']:6.3f} {m['macro_f1']:8.3f} {m['kappa']:6.3f}")
    for line in per_code_lines:
        print(line)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="*", metavar="DATASET", help=f"any of {', '.join(LOADERS)} (default: all)")
    parser.add_argument("--embedder", default="auto", choices=["auto", "minilm", "static"])
    parser.add_argument("--per-code", action="store_true", help="print per-code kappa")
    parser.add_argument("--no-learned", action="store_true", help="skip the cross-validated learned suggester")
    args = parser.parse_args(argv)
    unknown = [d for d in args.datasets if d not in LOADERS]
    if unknown:
        parser.error(f"unknown data set(s) {', '.join(unknown)}; choose from {', '.join(LOADERS)}")
    for name in args.datasets or list(LOADERS):
        dataset = LOADERS[name]()
        if dataset is None:
            print(f"\n{name}: data not available, skipped")
            continue
        evaluate(dataset, args.embedder, args.per_code, learned=not args.no_learned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
