"""The workspace's one door to the rest of qual: reading a project's outputs and writing them.

Everything the workspace needs from the pipeline's library goes through this adapter:
reading ``codings.csv``, ``corpus.jsonl``, ``codebook.yaml`` and the summaries of
``framework.xlsx``; segmenting transcripts; writing ``codings.csv``/``codings.xlsx``
(``qual.coding.review``), ``framework.xlsx``, ``report.docx`` and ``heatmap.png``
(``qual.export``), ``project.qdpx`` (``qual.refi``); agreement statistics
(``qual.coding.agreement``) and new suggestions (``qual.coding.pipeline.code_transcripts``).
When the codings model of issue 11 lands, only this module changes.

Codings in the workspace are spans: (document, start, end, code, coder, status, score,
source), offsets into ``Transcript.text``. ``codings_frame`` turns them into rows of the
``codings.csv`` the other commands read (the codings model, ``qual.model.codings``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..errors import QualError

if TYPE_CHECKING:
    import pandas as pd

    from ..coding.codebook import Codebook
    from ..model import Transcript

CODER_COLUMN = "coder"
HUMAN_SOURCE = "human"
HUMAN_PREFIX = "human:"  # qual.coding.human writes a named coder's source as "human:<coder>"
IMPORTED_CODER = "reviewer"  # decisions read from files that do not say who made them
MATRIX_STATUS = "auto"  # accepted codes as soon as any is accepted, else all suggestions


@dataclass(frozen=True)
class ProjectFiles:
    """Where a project's files are: a ``qual run`` folder (``coding/`` inside) or a
    ``qual code`` folder (codings.csv at the top)."""

    root: Path
    coding: Path  # the folder of codings.csv, codings.xlsx, codebook.yaml
    corpus: Path

    @property
    def codings_csv(self) -> Path:
        return self.coding / "codings.csv"

    @property
    def codings_xlsx(self) -> Path:
        return self.coding / "codings.xlsx"

    @property
    def codebook(self) -> Path:
        return self.coding / "codebook.yaml"

    @property
    def memos(self) -> Path:
        return self.coding / "memos.csv"

    @property
    def framework(self) -> Path:
        return self.root / "framework.xlsx"

    @property
    def report(self) -> Path:
        return self.root / "report.docx"

    @property
    def heatmap(self) -> Path:
        return self.root / "heatmap.png"

    @property
    def qdpx(self) -> Path:
        return self.root / "project.qdpx"

    def tracked(self) -> dict[str, Path]:
        """The files the workspace imports from and exports to, by name."""
        return {"codings.csv": self.codings_csv, "codings.xlsx": self.codings_xlsx,
                "codebook.yaml": self.codebook, "framework.xlsx": self.framework,
                "report.docx": self.report, "project.qdpx": self.qdpx}


def locate(root: str | Path) -> ProjectFiles:
    """The project files under ``root``; a one-line error when it is not a qual output folder."""
    from ..corpus import CORPUS_FILE

    root = Path(root)
    if not root.is_dir():
        raise QualError(f"{root}: is not a folder; give the folder 'qual run' or 'qual code' wrote")
    for coding in (root / "coding", root):
        if (coding / "codings.csv").is_file():
            for corpus in (coding / CORPUS_FILE, root / "transcripts" / CORPUS_FILE):
                if corpus.is_file():
                    return ProjectFiles(root=root, coding=coding, corpus=corpus)
            raise QualError(f"{coding}: has codings.csv but no {CORPUS_FILE} beside it; run 'qual code' "
                            "into this folder again")
    raise QualError(f"{root}: holds no codings.csv; open the folder 'qual run --out' or 'qual code --out' wrote")


# --------------------------------------------------------------------------- reading


def read_transcripts(files: ProjectFiles) -> list["Transcript"]:
    from ..corpus import read_corpus

    return read_corpus(files.corpus)


def read_codebook(files: ProjectFiles, codings: "pd.DataFrame") -> "Codebook":
    """codebook.yaml beside the codings; else one made from the code ids (no definitions)."""
    from ..coding.codebook import assign_colours, load_codebook
    from ..export.matrix import codebook_from_codings

    book = load_codebook(files.codebook) if files.codebook.is_file() else codebook_from_codings(codings)
    return assign_colours(book)


def read_codings(path: Path) -> "pd.DataFrame":
    """codings.csv, typed by the codings model: ids as text, offsets as Int64, coder '' when blank."""
    from ..model import Codings

    frame = Codings.read(path).frame.copy()
    frame[CODER_COLUMN] = frame[CODER_COLUMN].fillna("").astype(str).str.strip()
    return frame


def coder_of(row_coder: str, source: str) -> str:
    """Who made a decision read from a file: its coder column, a "human:<name>" source, else ''."""
    if row_coder:
        return row_coder
    if source.startswith(HUMAN_PREFIX) and source[len(HUMAN_PREFIX):].strip():
        return source[len(HUMAN_PREFIX):].strip()
    return ""


def is_human_source(source: str) -> bool:
    return source == HUMAN_SOURCE or source.startswith(HUMAN_PREFIX)


def read_summaries(path: Path) -> list[tuple[str, str, str]]:
    """(case, code, text) of every summary in a framework workbook, orphans included."""
    from ..export.summaries import read_summary_list

    if not path.is_file():
        return []
    return [(s.case, s.code, s.text) for s in read_summary_list(path) if s.text.strip()]


def segment_records(transcripts: Sequence["Transcript"]) -> list[dict[str, Any]]:
    """The coding units of ``qual code`` (default rules): document, segment, turn, start, end, codable."""
    from ..coding.segments import segment_transcripts

    frame = segment_transcripts(transcripts)
    return [{"document": str(r.document), "segment": str(r.segment), "turn": int(r.turn), "start": int(r.start),
             "end": int(r.end), "codable": bool(r.codable)} for r in frame.itertuples(index=False)]


def reference(document: str, segment: str, turn: int | None, timestamp: str | None) -> str:
    """The reference a quote carries in framework.xlsx and the report ("SW01, turn 12, 00:03:15")."""
    from ..export.matrix import reference as matrix_reference

    return matrix_reference(document, segment, turn, timestamp or "")


def case_of(attributes: dict[str, Any], document: str) -> str:
    """The case a transcript belongs to: its participant, else itself (as the matrix groups them)."""
    value = attributes.get("participant_id")
    return str(value).strip() if value not in (None, "") and str(value).strip() else document


# --------------------------------------------------------------------------- codebook


def codebook_to_records(book: "Codebook") -> tuple[dict[str, str], list[dict], list[dict]]:
    """(codebook fields, themes, codes) as plain records for the store."""
    meta = {"name": book.name, "version": book.version, "description": book.description}
    themes = [{"id": t.id, "name": t.name, "description": t.description, "colour": t.colour} for t in book.themes]
    codes = [{"id": c.id, "name": c.name, "theme": c.theme, "definition": c.definition, "include": c.include,
              "exclude": c.exclude, "keywords": list(c.keywords), "examples": list(c.examples), "colour": c.colour}
             for c in book.codes]
    return meta, themes, codes


def codebook_from_records(meta: dict[str, str], themes: Iterable[dict], codes: Iterable[dict]) -> "Codebook":
    from ..coding.codebook import Code, Codebook, Theme

    return Codebook(
        name=meta.get("name") or "codebook", version=meta.get("version") or "",
        description=meta.get("description") or "",
        themes=[Theme(id=t["id"], name=t["name"], description=t.get("description") or "",
                      colour=t.get("colour") or "") for t in themes],
        codes=[Code(id=c["id"], name=c["name"], theme=c["theme"], definition=c.get("definition") or "",
                    include=c.get("include") or "", exclude=c.get("exclude") or "",
                    keywords=list(c.get("keywords") or []), examples=list(c.get("examples") or []),
                    colour=c.get("colour") or "") for c in codes],
    )


# --------------------------------------------------------------------------- codings out


def codings_frame(rows: Iterable[dict[str, Any]], transcripts: dict[str, "Transcript"]) -> "pd.DataFrame":
    """codings.csv rows from span codings.

    A suggestion nobody has decided on is a ``suggested`` row; once coders have decided, their
    decisions stand in its place, one row per coder (``coder`` column; ``source`` keeps the
    suggesters' names, or ``human`` for a code a person applied). ``text`` is the span.
    """
    import pandas as pd

    from ..model.codings import CODINGS_COLUMNS

    rows = list(rows)
    decided = {(r["document"], r["start"], r["end"], r["code"]) for r in rows if r["coder"]}
    texts = {document: transcript.text for document, transcript in transcripts.items()}  # a property: built once
    out = []
    for r in rows:
        key = (r["document"], r["start"], r["end"], r["code"])
        if not r["coder"] and key in decided:
            continue
        transcript = transcripts[r["document"]]
        turn = transcript.turns[r["turn"]] if r.get("turn") is not None and 0 <= r["turn"] < len(transcript.turns) \
            else None
        out.append({
            "document": r["document"], "segment": r["segment"], "speaker": turn.speaker if turn else "",
            "text": texts[r["document"]][r["start"]:r["end"]], "code": r["code"], "score": r["score"],
            "source": r["source"], "status": r["status"], "turn": r.get("turn"),
            "timestamp": (turn.timestamp or "") if turn else "", "role": str(turn.role) if turn else "",
            "start": r["start"], "end": r["end"], CODER_COLUMN: r["coder"],
        })
    frame = pd.DataFrame(out, columns=CODINGS_COLUMNS)
    return frame.sort_values(["document", "start", "end", "code", CODER_COLUMN], kind="stable").reset_index(drop=True)


def write_codings_files(frame: "pd.DataFrame", files: ProjectFiles, book: "Codebook") -> list[Path]:
    """codings.csv (with the coder column) and the review sheet codings.xlsx, and codebook.yaml."""
    from ..coding.codebook import save_codebook
    from ..model import Codings

    files.coding.mkdir(parents=True, exist_ok=True)
    codings = Codings(frame)
    codings.write(files.codings_csv)
    codings.write(files.codings_xlsx, codebook=book)
    save_codebook(book, files.codebook)
    return [files.codings_csv, files.codings_xlsx, files.codebook]


def write_memos_csv(memos: list[dict[str, Any]], transcripts: dict[str, "Transcript"], path: Path) -> Path:
    """memos.csv: one row per memo (document, start, end, reference, coder, memo, updated)."""
    import csv

    from ..files import atomic_open

    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document", "start", "end", "turn", "reference", "coder", "memo", "updated"])
        for memo in memos:
            transcript = transcripts[memo["document"]]
            turn = next((t for t in transcript.turns if t.start <= memo["start"] <= t.end), None)
            ref = reference(memo["document"], "", turn.index if turn else None, turn.timestamp if turn else "")
            writer.writerow([memo["document"], memo["start"], memo["end"], turn.index if turn else "", ref,
                             memo["coder"], memo["text"], memo["updated"]])
    return path


def read_memos_csv(path: Path) -> list[dict[str, Any]]:
    """The memos a previous export wrote (memos.csv), so that a rebuilt store keeps them."""
    import csv

    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    memos = []
    for row in rows:
        try:
            memos.append({"document": row["document"], "start": int(row["start"]), "end": int(row["end"]),
                          "coder": row.get("coder") or IMPORTED_CODER, "text": row.get("memo") or ""})
        except (KeyError, TypeError, ValueError):
            raise QualError(f"{path}: is not a memos.csv written by 'qual app'; move it away and open again") from None
    return memos


def matrix_rows(frame: "pd.DataFrame") -> "pd.DataFrame":
    """The rows the framework matrix is built from: the matrix counts one quote per (segment,
    code), so several spans of one code in one segment become one quote, their texts joined
    with " … " in transcript order; the same span accepted by two coders is one quote."""
    import pandas as pd

    if frame.empty:
        return frame
    key = ["document", "segment", "code", "status"]
    frame = (frame.sort_values(["document", "start", "end"], kind="stable")
             .drop_duplicates(["document", "segment", "code", "start", "end", "status"]))
    several = frame.duplicated(key, keep=False)
    if not several.any():
        return frame
    grouped = frame[several].groupby(key, sort=False)
    joined = grouped.head(1).set_index(key)
    joined["text"] = grouped["text"].agg(lambda texts: " … ".join(t.strip() for t in texts))
    joined["end"] = grouped["end"].max()
    return pd.concat([frame[~several], joined.reset_index()[frame.columns]], ignore_index=True)


def framework_matrix(frame: "pd.DataFrame", book: "Codebook", transcripts: Sequence["Transcript"]):
    """The FrameworkMatrix framework.xlsx shows (``qual.export.build_matrix``, status auto)."""
    from ..export.matrix import build_matrix

    return build_matrix(matrix_rows(frame), book, transcripts=list(transcripts), status=MATRIX_STATUS)


def _summaries_workbook(summaries: dict[tuple[str, str], str], folder: Path) -> Path:
    """The store's summaries as a workbook in the layout ``qual.export.summaries`` reads
    (a ``Case`` column and ``Summary: <code>`` columns), for write_matrix_workbook to place."""
    from openpyxl import Workbook

    from ..export.summaries import CASE_HEADER, summary_header

    codes = sorted({code for _, code in summaries})
    cases = sorted({case for case, _ in summaries})
    book = Workbook()
    sheet = book.active
    sheet.title = "summaries"
    sheet.append([CASE_HEADER, *(summary_header(code) for code in codes)])
    for case in cases:
        sheet.append([case, *(summaries.get((case, code)) for code in codes)])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a summary starting with "=" stays text
    path = folder / "summaries.xlsx"
    book.save(path)
    return path


def write_framework_files(frame: "pd.DataFrame", book: "Codebook", transcripts: Sequence["Transcript"],
                          summaries: dict[tuple[str, str], str], files: ProjectFiles) -> dict[str, Any]:
    """framework.xlsx (with the store's summaries), heatmap.png, report.docx and project.qdpx."""
    from ..export.heatmap import write_heatmap
    from ..export.provenance import timestamp
    from ..export.report import write_report
    from ..export.summaries import is_group_label
    from ..export.workbook import check_workbook_target, write_matrix_workbook
    from ..refi import export_qdpx

    check_workbook_target(files.framework)
    matrix = framework_matrix(frame, book, transcripts)
    matrix.settings["date"] = timestamp()
    matrix.settings["pipeline"] = "qual app (workspace export)"
    summaries = {key: text for key, text in summaries.items() if text.strip()}
    with tempfile.TemporaryDirectory(prefix="qual-app-") as folder:
        existing = _summaries_workbook(summaries, Path(folder)) if summaries else False
        written = write_matrix_workbook(matrix, files.framework, existing=existing)
        heatmap = files.heatmap if files.heatmap.exists() else Path(folder) / "heatmap.png"
        write_heatmap(matrix, heatmap)
        write_report(matrix, files.report, heatmap=heatmap, summaries=written.summaries)
    # REFI-QDA notes belong to cases; a role group's summary has no case to go to. Each
    # coding's user is its coder (the suggesters' names for suggestions).
    qdpx_rows = frame.assign(source=[coder or source for coder, source in zip(frame[CODER_COLUMN], frame["source"])])
    export_qdpx(qdpx_rows, transcripts, book, files.qdpx, status=matrix.status,
                summaries={k: v for k, v in summaries.items() if not is_group_label(k[0])})
    return {"matrix": matrix, "workbook": written}


# --------------------------------------------------------------------------- agreement, suggestions


def agreement_report(a_rows: "pd.DataFrame", b_rows: "pd.DataFrame", units: "pd.DataFrame", book: "Codebook",
                     coder_a: str, coder_b: str):
    """Per-code and overall agreement of two coders' applied codes over ``units`` (segments),
    with ``qual.coding.agreement``: % agreement, Cohen's kappa, Krippendorff's alpha, Gwet's AC1."""
    from ..coding.agreement import agreement

    return agreement(a_rows, b_rows, unit="segment", codebook=book, units=units, same_documents=False,
                     coder_a=coder_a, coder_b=coder_b)


def suggest(transcripts: Sequence["Transcript"], book: "Codebook", human: "pd.DataFrame",
            options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """New suggestions from ``qual code``'s library function, trained on the human decisions
    (``human``: document, segment, code, status rows). Runs in a worker process."""
    from ..coding.pipeline import code_transcripts

    result = code_transcripts(list(transcripts), book, human_codes=human if len(human) else None,
                              **(options or {}))
    codings = result.codings
    codings = codings[codings["status"] == "suggested"]
    return [{"document": str(r.document), "segment": str(r.segment), "code": str(r.code),
             "score": float(r.score), "source": str(r.source), "start": int(r.start), "end": int(r.end),
             "turn": int(r.turn)} for r in codings.itertuples(index=False)]
