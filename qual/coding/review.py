"""Coding outputs on disk, and reading a reviewer's decisions back.

``write_coding_outputs(result, out_dir)`` writes, atomically (the codings through
``qual.model.codings.Codings.write``, their one writer):

    codings.csv    one row per suggestion or human code (``qual.model.codings.SCHEMA``)
    codings.xlsx   the same rows for review, with the code's name and an ``accept`` column
                   (a yes/no drop-down, blank = not decided yet); a "codes" sheet lists the codebook
    topics.csv     one row per topic: size, top words, matched codes, candidate new code or not
    topics.html    an interactive chart of the topics (plotly.js embedded: works offline)
    corpus.jsonl   the coded transcripts (qual.corpus), for matrices and REFI-QDA export
    codebook.yaml  the codebook the codes refer to

``read_review(path)`` reads the decisions from a reviewed codings.xlsx (or a codings.csv with
an ``accept`` or ``status`` column) through ``Codings.read``; ``apply_review(path, out_dir)`` folds them into
``out_dir/codings.csv``: accept = yes -> ``accepted``, no -> ``rejected``, blank -> unchanged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import InputFileError, QualError
from ..files import atomic_open, write_bytes
from ..model.codings import CODINGS_COLUMNS, KEY, Codings

log = logging.getLogger("qual.coding.review")

CODINGS_CSV = "codings.csv"
CODINGS_XLSX = "codings.xlsx"
TOPICS_CSV = "topics.csv"
TOPICS_HTML = "topics.html"
CODEBOOK_YAML = "codebook.yaml"


# --------------------------------------------------------------------------- writing


def write_coding_outputs(result, out_dir: str | Path, codebook=None) -> dict[str, Path]:
    """Write every output of ``qual code`` into ``out_dir``; returns name -> path."""
    from ..corpus import CORPUS_FILE, write_corpus
    from ..files import write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codings = Codings(result.codings)
    written = {
        "codings.csv": codings.write(out / CODINGS_CSV),
        "codings.xlsx": codings.write(out / CODINGS_XLSX, codebook=codebook, next_step=accept_command(out),
                                      uncoded=uncoded_segments(result.segments, codings.frame)),
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
        from ..model.codebook import write_codebook_yaml

        written["codebook.yaml"] = write_codebook_yaml(codebook, out / CODEBOOK_YAML)
    return written


def uncoded_segments(segments, codings) -> list[dict]:
    """The codable segments no coding row names, as rows without a code: the review sheet
    lists them too, so that a reviewer can give any segment a code."""
    if segments is None or not len(segments):
        return []
    coded = set(zip(codings["document"].astype(str), codings["segment"].astype(str)))
    columns = ["document", "segment", "speaker", "text", "turn", "timestamp", "role", "start", "end"]
    rows = []
    for record in segments[segments["codable"]][columns].to_dict("records"):
        if (str(record["document"]), str(record["segment"])) not in coded:
            rows.append({**record, "code": "", "status": ""})
    return rows


def accept_command(out_dir: str | Path) -> str:
    """The command that reads a reviewed codings.xlsx in ``out_dir`` back."""
    out = Path(out_dir)
    return f"qual code --accept {out / CODINGS_XLSX} --out {out}"


def _html_escape(text: str) -> str:
    import html

    return html.escape(text)


# --------------------------------------------------------------------------- reading


def read_review(path: str | Path):
    """Decisions in a reviewed codings.xlsx (or .csv): the codings, typed by the schema.

    ``status`` is ``accepted`` or ``rejected`` where the accept column says yes or no (rows left
    blank keep the status they had, so human codes stay accepted). Columns beyond the schema
    are kept. Raises a one-line error for a file that is not a review sheet.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "does not exist", "give the codings.xlsx written by 'qual code'")
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise InputFileError(path, "is not a review sheet", "give codings.xlsx (or codings.csv)")
    return Codings.read(path).frame


def human_codes_from(path: str | Path):
    """Accepted and rejected rows of a codings file or review sheet (the human decisions)."""
    frame = read_review(path)
    return frame[frame["status"].isin(["accepted", "rejected"])].reset_index(drop=True)


def merge_decisions(*frames):
    """Decision tables in order; the last word on a (document, segment, code) wins. None if empty."""
    import pandas as pd

    frames = [pd.DataFrame(f).astype(object) for f in frames if f is not None and len(f)]
    if not frames:
        return None
    decisions = pd.concat(frames, ignore_index=True)
    decisions = decisions.drop_duplicates(list(KEY), keep="last").reset_index(drop=True)
    # plain values (None for a blank turn), as any records of decisions would have
    return decisions.where(decisions.notna(), None)


def previous_decisions(out_dir: str | Path):
    """The accept/reject decisions already in ``out_dir``: codings.csv, then a reviewed
    codings.xlsx whose decisions were never applied (its word wins). None when there are none.
    Coding into the same folder again keeps a reviewer's work instead of overwriting it."""
    out = Path(out_dir)
    return merge_decisions(*(human_codes_from(out / name) for name in (CODINGS_CSV, CODINGS_XLSX)
                             if (out / name).is_file()))


def _locatable(record: dict) -> bool:
    from ..model.codings import is_blank

    return not any(is_blank(record.get(c)) for c in ("document", "segment", "start", "end"))


def _whole_text(row: dict, out: Path) -> str:
    """A segment's text; a review sheet cuts texts too long for a row, the corpus holds them."""
    from ..model.codings_xlsx import CUT_NOTE

    text = str(row.get("text") or "")
    corpus = out / "corpus.jsonl"
    if not text.endswith(CUT_NOTE) or not corpus.is_file():
        return text
    from ..corpus import read_corpus

    for transcript in read_corpus(corpus):
        if transcript.id == row["document"]:
            return transcript.text[int(row["start"]):int(row["end"])]
    return text


def apply_review(review_path: str | Path, out_dir: str | Path, coder: str | None = None):
    """Fold the decisions of a reviewed sheet into ``out_dir/codings.csv``; returns the new codings.

    Rows are matched on (document, segment, code). A row the reviewer added (a code the
    suggesters missed, or a code for a segment nothing was suggested for) with accept = yes
    becomes an ``accepted`` human code, located like the other rows of its segment. Each
    decision keeps the name in the sheet's ``coder`` column, else ``coder``.
    Returns (codings DataFrame, counts dict).
    """
    import pandas as pd

    out = Path(out_dir)
    reviewed = read_review(review_path)
    current_path = out / CODINGS_CSV
    if current_path.exists():
        current = Codings.read(current_path).frame[CODINGS_COLUMNS].copy()
    else:
        current = reviewed[CODINGS_COLUMNS].copy()
        current["status"] = current["status"].where(current["status"].isin(["accepted"]), "suggested")
    decisions = reviewed[reviewed["status"].isin(["accepted", "rejected"])]
    index = {tuple(row): i for i, row in enumerate(current[list(KEY)].itertuples(index=False, name=None))}
    counts = {"accepted": 0, "rejected": 0, "added": 0, "unmatched": 0}
    statuses = current["status"].tolist()
    sources = current["source"].tolist()
    coders = current["coder"].tolist()
    added = []
    segment_rows = {}
    for i, row in enumerate(current.itertuples(index=False)):
        segment_rows.setdefault((row.document, row.segment), i)
    for record in decisions.to_dict("records"):
        key = tuple(record[c] for c in KEY)
        name = record.get("coder") or coder or ""
        if key in index:
            i = index[key]
            statuses[i] = record["status"]
            coders[i] = name or coders[i]
            counts[record["status"]] += 1
        elif record["status"] == "accepted" and ((key[0], key[1]) in segment_rows or _locatable(record)):
            # a code for a segment that has rows (copied from one), or for one that had none
            # (the sheet lists every segment; the row itself says where the segment is)
            if (key[0], key[1]) in segment_rows:
                template = current.iloc[segment_rows[(key[0], key[1])]].to_dict()
            else:
                template = {c: record.get(c) for c in CODINGS_COLUMNS}
                template["text"] = _whole_text(template, out)
            added.append({**template, "code": key[2], "score": 1.0, "source": "human", "status": "accepted",
                          "coder": name, "rank": None, "selected": True})
            counts["added"] += 1
        else:
            counts["unmatched"] += 1
    current["status"] = statuses
    current["source"] = sources
    current["coder"] = coders
    if "selected" in current:  # an accepted candidate is now a code of its segment; a rejected one is not
        current["selected"] = [s == "accepted" or (s == "suggested" and str(v).lower() in ("true", "1"))
                               for s, v in zip(statuses, current["selected"])]
    if added:
        current = pd.concat([current.astype(object), pd.DataFrame(added, columns=CODINGS_COLUMNS)],
                            ignore_index=True)
    if counts["unmatched"]:
        log.warning("%d decisions match no coding in %s", counts["unmatched"], current_path)
    if current.empty and decisions.empty:
        raise QualError(f"{review_path}: no decisions found; set the accept column to yes or no")
    return Codings(current).frame, counts
