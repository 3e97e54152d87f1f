"""Coding outputs on disk, and reading a reviewer's decisions back.

``write_coding_outputs(result, out_dir)`` writes, atomically:

    codings.csv    one row per suggestion or human code (``qual.coding.CODINGS_COLUMNS``)
    codings.xlsx   the same rows for review, with the code's name and an ``accept`` column
                   (a yes/no drop-down, blank = not decided yet); a "codes" sheet lists the codebook
    topics.csv     one row per topic: size, top words, matched codes, candidate new code or not
    topics.html    an interactive chart of the topics (plotly.js embedded: works offline)
    corpus.jsonl   the coded transcripts (qual.corpus), for matrices and REFI-QDA export
    codebook.yaml  the codebook the codes refer to

``read_review(path)`` reads the decisions from a reviewed codings.xlsx (or a codings.csv with
an ``accept`` or ``status`` column); ``apply_review(path, out_dir)`` folds them into
``out_dir/codings.csv``: accept = yes -> ``accepted``, no -> ``rejected``, blank -> unchanged.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from ..errors import InputFileError, QualError
from ..files import atomic_open, atomic_path, vet_workbook, write_bytes
from . import CODINGS_COLUMNS

log = logging.getLogger("qual.coding.review")

CODINGS_CSV = "codings.csv"
CODINGS_XLSX = "codings.xlsx"
TOPICS_CSV = "topics.csv"
TOPICS_HTML = "topics.html"
CODEBOOK_YAML = "codebook.yaml"

REVIEW_COLUMNS = ["document", "segment", "speaker", "text", "code", "code name", "score", "source",
                  "status", "accept", "turn", "timestamp", "role", "start", "end", "rank", "selected"]
YES = {"yes", "y", "true", "1", "accept", "accepted", "x", "✓"}
NO = {"no", "n", "false", "0", "reject", "rejected"}
EXCEL_CELL_LIMIT = 32_767
_KEY = ("document", "segment", "code")


# --------------------------------------------------------------------------- writing


def write_codings_csv(codings, path: str | Path) -> Path:
    path = Path(path)
    with atomic_open(path, "w", newline="") as handle:
        codings.reindex(columns=CODINGS_COLUMNS).to_csv(handle, index=False)
    return path


def _text_cell(sheet, value, alignment=None):
    """A write-only cell that Excel shows as text: never a formula, never over the cell limit."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - 40] + " [... cut: full text in codings.csv]"
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=SUM(...)" in a transcript must stay text
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType":
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value


def write_review_xlsx(codings, path: str | Path, codebook=None) -> Path:
    """codings.xlsx: one row per coding, an ``accept`` drop-down (yes/no) for the reviewer.

    Written in openpyxl's streaming mode: 20,000 suggestions (100 interviews) take seconds.
    A sheet already at ``path`` (perhaps with a reviewer's own columns and formatting) is
    kept as ``codings.previous.xlsx`` first: its decisions are carried over, not its layout.
    """
    path = Path(path)
    if path.is_file():
        write_bytes(path.with_name(f"{path.stem}.previous{path.suffix}"), path.read_bytes())
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    names = {code.id: code.name for code in codebook.codes} if codebook is not None else {}
    book = Workbook(write_only=True)
    sheet = book.create_sheet("codings")
    widths = {"document": 14, "segment": 9, "speaker": 14, "text": 80, "code": 18, "code name": 28,
              "score": 7, "source": 16, "status": 10, "accept": 8}
    for column, name in enumerate(REVIEW_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(name, 9)
    sheet.freeze_panes = "B2"
    last = len(codings) + 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(REVIEW_COLUMNS))}{max(last, 2)}"
    validation = DataValidation(type="list", formula1='"yes,no"', allow_blank=True,
                                showErrorMessage=True, errorTitle="accept",
                                error="Choose yes or no, or leave it blank.")
    accept_letter = get_column_letter(REVIEW_COLUMNS.index("accept") + 1)
    validation.add(f"{accept_letter}2:{accept_letter}{last + 1000}")
    sheet.data_validations.append(validation)  # the streaming sheet has no add_data_validation()

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name in REVIEW_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    columns = {name: codings[name].tolist() if name in codings else [None] * len(codings)
               for name in CODINGS_COLUMNS}
    for i in range(len(codings)):
        status = str(columns["status"][i] or "suggested")
        code = columns["code"][i]
        values = {name: columns[name][i] for name in CODINGS_COLUMNS}
        values["code name"] = names.get(code, "")
        values["accept"] = "yes" if status == "accepted" else "no" if status == "rejected" else None
        row = []
        for name in REVIEW_COLUMNS:
            value = _plain(values.get(name))
            if name == "text":
                row.append(_text_cell(sheet, value, wrap))
            elif isinstance(value, str) and value[:1] in "=+-@":
                row.append(_text_cell(sheet, value))
            else:
                row.append(value)
        sheet.append(row)

    if codebook is not None:
        codes = book.create_sheet("codes")
        for letter, width in zip("ABCDEF", (18, 30, 8, 60, 60, 40)):
            codes.column_dimensions[letter].width = width
        codes.append([_bold(codes, h, bold) for h in ("code", "name", "theme", "definition", "include", "exclude")])
        for code in codebook.codes:
            codes.append([_text_cell(codes, v, wrap) for v in
                          (code.id, code.name, code.theme, code.definition, code.include, code.exclude)])
    how = book.create_sheet("how to review")
    how.column_dimensions["A"].width = 120
    for line in (
        "Review the suggested codes on the 'codings' sheet.",
        "accept: choose yes to accept a code for the segment, no to reject it; leave blank if undecided.",
        "To add a code a suggester missed, copy a row of the segment, change 'code' and set accept to yes.",
        "Rows with status 'candidate' are the segment's next-ranked codes (rank 1-5), not proposed: accept one to apply it.",
        "Then run: qual code --accept codings.xlsx --out <this folder>   (add --refit to retrain the "
        "learned suggester on your decisions and code again)",
        "segment: the turn number ('12'), or turn.paragraph ('12.2') where a long turn was split.",
        "start/end: character offsets of the segment in the transcript's plain text.",
    ):
        how.append([line])
    path = Path(path)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path


def _bold(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def write_coding_outputs(result, out_dir: str | Path, codebook=None) -> dict[str, Path]:
    """Write every output of ``qual code`` into ``out_dir``; returns name -> path."""
    from ..corpus import CORPUS_FILE, write_corpus
    from ..files import write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "codings.csv": write_codings_csv(result.codings, out / CODINGS_CSV),
        "codings.xlsx": write_review_xlsx(result.codings, out / CODINGS_XLSX, codebook),
    }
    topics_path = out / TOPICS_CSV
    with atomic_open(topics_path, "w", newline="") as handle:
        result.topics.to_csv(handle, index=False)
    written["topics.csv"] = topics_path
    html_path = out / TOPICS_HTML
    if result.topic_chart is not None:
        write_text(html_path, result.topic_chart.to_html(include_plotlyjs=True, full_html=True))
    else:
        reason = "; ".join(n for n in result.notes if n.startswith("topic")) or "the topic suggester did not run"
        write_text(html_path, "<!DOCTYPE html><html><head><meta charset='utf-8'><title>topics</title></head>"
                              f"<body><p>No topic chart: {_html_escape(reason)}.</p></body></html>")
    written["topics.html"] = html_path
    if getattr(result, "topic_png", None):
        write_bytes(out / "topics.png", result.topic_png)
        written["topics.png"] = out / "topics.png"
    if result.transcripts:
        written["corpus.jsonl"] = write_corpus(result.transcripts, out / CORPUS_FILE)
    if codebook is not None:
        from .codebook import save_codebook

        written["codebook.yaml"] = save_codebook(codebook, out / CODEBOOK_YAML)
    return written


def _html_escape(text: str) -> str:
    import html

    return html.escape(text)


# --------------------------------------------------------------------------- reading


def read_codings(path: str | Path):
    """A codings.csv written by qual (or an edited copy); ids stay strings."""
    import pandas as pd

    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"document": str, "segment": str, "code": str, "status": str, "rank": "Int64"},
                            keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise InputFileError(path, "does not exist") from None
    except (UnicodeDecodeError, pd.errors.ParserError):
        raise InputFileError(path, "is not a readable CSV file", "export it again as CSV (UTF-8)") from None
    missing = [c for c in ("document", "segment", "code") if c not in frame]
    if missing:
        raise InputFileError(path, f"has no {', '.join(missing)} column", "give the codings.csv written by 'qual code'")
    return frame


def _xlsx_rows(path: Path):
    import pandas as pd
    from openpyxl import load_workbook

    vet_workbook(path, what="codings workbook")  # bombs and million-row sheets, before openpyxl
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types on a bad file
        raise InputFileError(path, f"cannot be read as a workbook ({type(error).__name__})",
                             "save it again from Excel or LibreOffice as .xlsx") from None
    try:
        sheet = book["codings"] if "codings" in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise InputFileError(path, "has no rows", "give the codings.xlsx written by 'qual code'")
    header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    records = [dict(zip(header, row)) for row in rows[1:] if any(v not in (None, "") for v in row)]
    return pd.DataFrame(records, columns=header)


def _decision(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text or text == "nan":
        return None
    if text in YES:
        return "accepted"
    if text in NO:
        return "rejected"
    return "unknown"


def _key_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_review(path: str | Path):
    """Decisions in a reviewed codings.xlsx (or .csv): one row per decided coding.

    Returns a DataFrame with the codings columns and ``status`` set to ``accepted`` or
    ``rejected`` from the accept column (rows left blank keep the status they had, so human
    codes stay accepted). Raises a one-line error for a file that is not a review sheet.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "does not exist", "give the codings.xlsx written by 'qual code'")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame = _xlsx_rows(path)
    elif path.suffix.lower() == ".csv":
        frame = read_codings(path)
    else:
        raise InputFileError(path, "is not a review sheet", "give codings.xlsx (or codings.csv)")
    missing = [c for c in _KEY if c not in frame]
    if missing:
        raise InputFileError(path, f"has no {', '.join(missing)} column", "give the codings.xlsx written by 'qual code'")
    for column in _KEY:
        frame[column] = frame[column].map(_key_text)
    frame = frame[(frame["document"] != "") & (frame["code"] != "")].copy()
    status = frame["status"].map(lambda s: _key_text(s).lower() or "suggested") if "status" in frame else \
        ["suggested"] * len(frame)
    frame["status"] = list(status)
    if "accept" in frame:
        decisions = frame["accept"].map(_decision)
        bad = int((decisions == "unknown").sum())
        if bad:
            log.warning("%d accept cells are neither yes nor no and were ignored", bad)
        decided = decisions.isin(["accepted", "rejected"])
        frame.loc[decided, "status"] = decisions[decided]
    return frame.reindex(columns=[c for c in CODINGS_COLUMNS if c in frame] + [c for c in frame if c not in CODINGS_COLUMNS])


def human_codes_from(path: str | Path):
    """Accepted and rejected rows of a codings file or review sheet (the human decisions)."""
    frame = read_review(path)
    return frame[frame["status"].isin(["accepted", "rejected"])].reset_index(drop=True)


def merge_decisions(*frames):
    """Decision tables in order; the last word on a (document, segment, code) wins. None if empty."""
    import pandas as pd

    frames = [pd.DataFrame(f) for f in frames if f is not None and len(f)]
    if not frames:
        return None
    decisions = pd.concat(frames, ignore_index=True)
    return decisions.drop_duplicates(list(_KEY), keep="last").reset_index(drop=True)


def previous_decisions(out_dir: str | Path):
    """The accept/reject decisions already in ``out_dir``: codings.csv, then a reviewed
    codings.xlsx whose decisions were never applied (its word wins). None when there are none.
    Coding into the same folder again keeps a reviewer's work instead of overwriting it."""
    out = Path(out_dir)
    return merge_decisions(*(human_codes_from(out / name) for name in (CODINGS_CSV, CODINGS_XLSX)
                             if (out / name).is_file()))


def apply_review(review_path: str | Path, out_dir: str | Path):
    """Fold the decisions of a reviewed sheet into ``out_dir/codings.csv``; returns the new codings.

    Rows are matched on (document, segment, code). A row the reviewer added (a code the
    suggesters missed) with accept = yes becomes an ``accepted`` human code, located like the
    other rows of its segment. Returns (codings DataFrame, counts dict).
    """
    import pandas as pd

    out = Path(out_dir)
    reviewed = read_review(review_path)
    current_path = out / CODINGS_CSV
    if current_path.exists():
        current = read_codings(current_path)
        for column in _KEY:
            current[column] = current[column].map(_key_text)
    else:
        current = reviewed.reindex(columns=CODINGS_COLUMNS).copy()
        current["status"] = current["status"].where(current["status"].isin(["accepted"]), "suggested")
    current = current.reindex(columns=CODINGS_COLUMNS)
    decisions = reviewed[reviewed["status"].isin(["accepted", "rejected"])]
    index = {tuple(row): i for i, row in enumerate(current[list(_KEY)].itertuples(index=False, name=None))}
    counts = {"accepted": 0, "rejected": 0, "added": 0, "unmatched": 0}
    statuses = current["status"].tolist()
    sources = current["source"].tolist()
    added = []
    segment_rows = {}
    for i, row in enumerate(current.itertuples(index=False)):
        segment_rows.setdefault((row.document, row.segment), i)
    for record in decisions.to_dict("records"):
        key = tuple(record[c] for c in _KEY)
        if key in index:
            i = index[key]
            statuses[i] = record["status"]
            counts[record["status"]] += 1
        elif record["status"] == "accepted" and (key[0], key[1]) in segment_rows:
            template = current.iloc[segment_rows[(key[0], key[1])]].to_dict()
            added.append({**template, "code": key[2], "score": 1.0, "source": "human", "status": "accepted",
                          "rank": None, "selected": True})
            counts["added"] += 1
        else:
            counts["unmatched"] += 1
    current["status"] = statuses
    current["source"] = sources
    if "selected" in current:  # an accepted candidate is now a code of its segment; a rejected one is not
        current["selected"] = [s == "accepted" or (s == "suggested" and str(v).lower() in ("true", "1"))
                               for s, v in zip(statuses, current["selected"])]
    if added:
        current = pd.concat([current, pd.DataFrame(added, columns=CODINGS_COLUMNS)], ignore_index=True)
    if counts["unmatched"]:
        log.warning("%d decisions match no coding in %s", counts["unmatched"], current_path)
    if current.empty and decisions.empty:
        raise QualError(f"{review_path}: no decisions found; set the accept column to yes or no")
    return current, counts
