"""Writing what an import read to a folder, in the files the rest of qual reads:
``codebook.yaml``, ``codings.csv``, ``corpus.jsonl``, and ``cases.csv`` / ``notes.csv``.

A peer's project may hold raw, identifiable transcripts (nothing says it was de-identified),
so the files that carry text (corpus, codings, notes, cases) are written owner-only, and an
existing file is replaced only when asked (``force``): ``--out`` may well be the folder of a
``qual code`` run whose suggestions must not be lost.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import QualError
from ..files import OWNER_ONLY, atomic_open
from ..model.codebook import CodebookError, write_codebook_yaml
from ..model.codings import Codings
from .model import RefiProject

CODEBOOK_FILE = "codebook.yaml"
CODINGS_FILE = "codings.csv"
CORPUS_FILE = "corpus.jsonl"
CASES_FILE = "cases.csv"
NOTES_FILE = "notes.csv"


def write_import(project: RefiProject, out_dir: str | Path, *, force: bool = False) -> dict[str, Path]:
    """Write ``project`` into ``out_dir``; returns {what: path} of the files written.

    The codebook is written only when it has codes, and only if it passes
    ``qual.coding.codebook``'s checks (problems go to ``project.report``); the corpus and
    codings only for a project (not for a lone codebook).
    """
    import pandas as pd


    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise QualError(f"{out}: is a file; --out must be a folder")
    planned = [CODEBOOK_FILE]
    if project.kind == "project":
        planned += [CODINGS_FILE, CORPUS_FILE, CASES_FILE]
        if project.notes:
            planned.append(NOTES_FILE)
    existing = [name for name in planned if (out / name).exists()]
    if existing and not force:
        raise QualError(f"{out}: already holds {', '.join(existing)}; give another --out, or --force to "
                        "replace them")
    if Path(project.path).resolve().parent == out.resolve() and Path(project.path).name in planned:
        raise QualError(f"{out}: writing there would replace the file being imported")
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    if project.codebook.codes:
        try:
            written["codebook"] = write_codebook_yaml(project.codebook, out / CODEBOOK_FILE)
        except CodebookError as error:
            project.report.skipped("codebook.yaml", 1, f"the codebook has {len(error.problems)} problems "
                                   "qual cannot save; codings.csv still names its codes")
    else:
        project.report.skipped("codebook.yaml", 1, "the project has no codes")
    if project.kind != "project":
        return written

    written["codings"] = Codings(project.codings).write(out / CODINGS_FILE, permissions=OWNER_ONLY)

    with atomic_open(out / CORPUS_FILE, "w", permissions=OWNER_ONLY) as handle:
        for transcript in project.transcripts:
            handle.write(json.dumps(transcript.to_dict(), ensure_ascii=False) + "\n")
    written["corpus"] = out / CORPUS_FILE

    variables = sorted({key for case in project.cases for key in case.attributes})
    rows = [{"case": case.name, "guid": case.guid, "documents": "; ".join(case.documents),
             **{key: case.attributes.get(key, "") for key in variables}} for case in project.cases]
    with atomic_open(out / CASES_FILE, "w", newline="", permissions=OWNER_ONLY) as handle:
        pd.DataFrame(rows, columns=["case", "guid", "documents", *variables]).to_csv(handle, index=False)
    written["cases"] = out / CASES_FILE

    if project.notes:
        rows = [{"guid": n.guid, "name": n.name, "created": n.created, "user": n.user, "about": "; ".join(n.about),
                 "description": n.description, "text": n.text} for n in project.notes]
        with atomic_open(out / NOTES_FILE, "w", newline="", permissions=OWNER_ONLY) as handle:
            pd.DataFrame(rows).to_csv(handle, index=False)
        written["notes"] = out / NOTES_FILE
    return written
