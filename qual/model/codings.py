"""Codings: which code applies to which span of which transcript, by whom, and how sure.

A coding is a span of a transcript's plain text (``document``, ``start``, ``end``: offsets
into ``Transcript.text``) with a ``code``, a ``score``, the ``source`` that applied it (the
suggesters that voted, ``human`` or ``human:<coder>``), a ``status`` (``suggested``,
``accepted``, ``rejected``) and the ``coder``, the person who applied or decided it, as in QualCoder's ``code_text`` table. qual codes segments (a turn,
or a paragraph of a long turn), so each row also says which ``segment`` and ``turn`` it is and
carries the segment's ``text``, ``speaker``, ``role`` and ``timestamp``: the row can be read
and reviewed on its own. A whole turn is just a span.

This module is the one schema of the codings table (``SCHEMA``: columns, types, statuses) and
its one reader and writer, for every stage that hands codings on: coding (review, human codes,
the coding pipeline), matrices, REFI-QDA export and import, agreement:

    codings = Codings.read("out/coding/codings.csv")     # or the reviewed codings.xlsx
    codings.frame                                       # a pandas DataFrame, typed by SCHEMA
    codings.write("codings.csv")                        # .csv: SCHEMA's columns; .xlsx: the review sheet

Types: text columns hold ``str`` ("" when blank), ``score`` a float (NaN when blank), and
``turn``/``start``/``end`` nullable integers (pandas ``Int64``). Columns a file has beyond
the schema are kept after it; the CSV writer writes the schema's columns, in order. Adding a
column is one line in ``SCHEMA``.

pandas and openpyxl are imported inside the functions that need them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple

from ..errors import InputFileError, QualError

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("qual.model.codings")


@dataclass(frozen=True)
class Column:
    """One column of the codings table.

    ``kind``: ``label`` (text, surrounding spaces dropped; a number Excel made of an id such
    as 12.0 is written back as "12"), ``text`` (kept exactly as written: quotes),
    ``number`` (float), ``integer`` (nullable integer), ``boolean`` (true/false; blank: true
    unless the row is a ``candidate``, as in files written before the column existed) or
    ``status`` (one of ``STATUSES``).
    """

    name: str
    kind: str
    description: str


SCHEMA: tuple[Column, ...] = (
    Column("document", "label", "the transcript's id (Transcript.id)"),
    Column("segment", "label", "the coded unit: turn index ('12') or turn.paragraph ('12.2')"),
    Column("speaker", "label", "the speaker label of the segment's turn"),
    Column("text", "text", "the segment's text: the quote"),
    Column("code", "label", "the code's id in the codebook (a name is matched too)"),
    Column("score", "number", "how likely the code applies, in [0, 1] (1 for a human's code)"),
    Column("source", "label", "who applied it: the suggesters that voted ('rules+semantic'), 'human[:coder]'"),
    Column("status", "status", "suggested, accepted or rejected"),
    Column("turn", "integer", "the turn's index in the transcript"),
    Column("timestamp", "label", "the turn's timestamp, when the transcript has one"),
    Column("role", "label", "the speaker's role: interviewer, participant or other"),
    Column("start", "integer", "offset of the span's first character in Transcript.text"),
    Column("end", "integer", "offset just after the span's last character"),
    Column("rank", "integer", "the code's rank among the segment's candidate codes (1-5); blank for a person's code"),
    Column("selected", "boolean", "whether the code is proposed for the segment (false: a lower-ranked candidate)"),
    Column("coder", "label", "who decided: the name of the person who applied, accepted or rejected the "
           "code (blank for an undecided machine suggestion, or when nobody gave a name)"),
)
CODINGS_COLUMNS: list[str] = [column.name for column in SCHEMA]
COLUMN_KINDS: dict[str, str] = {column.name: column.kind for column in SCHEMA}

SUGGESTED, CANDIDATE, ACCEPTED, REJECTED = "suggested", "candidate", "accepted", "rejected"
# suggested: proposed by the suggesters, not reviewed; candidate: ranked for the segment but not
# proposed (a reviewer may accept it); accepted/rejected: a person's decision.
STATUSES = (SUGGESTED, CANDIDATE, ACCEPTED, REJECTED)
# Which codings a matrix or an export uses: "auto" is accepted ones once any is accepted.
STATUS_CHOICES = ("auto", "accepted", "all")

# The columns without which a table is not codings; a matrix or an export also needs the quote.
REQUIRED = ("document", "segment", "code")
QUOTED = (*REQUIRED, "text")
KEY = ("document", "segment", "code")  # one decision per code and segment

# Sources that name a person: a human's code ('human:anna') or a peer tool's user ('refi:anna').
HUMAN_SOURCE_PREFIX = "human:"
REFI_SOURCE_PREFIX = "refi:"
# The REFI-QDA user under whom unreviewed suggestions are exported, so that a peer tool keeps
# them apart from people's codes and they come back to qual as suggestions, not decisions.
SUGGESTIONS_USER = "qual suggestions"

# The review sheet's decision column: a reviewer's yes or no becomes the row's status.
ACCEPT_COLUMN = "accept"
YES = frozenset({"yes", "y", "true", "1", "x", "accept", "accepted", "ok", "keep", "\u2713", "\u2714"})
NO = frozenset({"no", "n", "false", "0", "reject", "rejected", "drop", "remove", "\u2717", "\u2718"})

CSV_ADVICE = "give the codings.csv written by 'qual code'"


# --------------------------------------------------------------------------- cell values


def is_blank(value: Any) -> bool:
    """None, NaN, pandas' NA or NaT, or text of spaces only."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pandas' NA refuses to be a truth value
        return True


def label_text(value: Any) -> str:
    """A label cell as text: "" when blank, "12" for the 12.0 a spreadsheet made of "12"."""
    if is_blank(value):
        return ""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decision(value: Any) -> str | None:
    """``accepted``/``rejected`` for a yes/no cell, None when blank, ``unknown`` otherwise."""
    text = label_text(value).lower()
    if not text or text == "nan":
        return None
    if text in YES:
        return ACCEPTED
    if text in NO:
        return REJECTED
    return "unknown"


def coder_of(coder: Any, source: Any) -> str:
    """The name of the person behind a coding: the ``coder`` cell, else the name in a
    ``human:NAME`` or ``refi:NAME`` source; "" for a machine suggestion or an unnamed human."""
    name = label_text(coder)
    if name:
        return name
    source = label_text(source)
    for prefix in (HUMAN_SOURCE_PREFIX, REFI_SOURCE_PREFIX):
        if source.startswith(prefix) and source[len(prefix):].strip():
            name = source[len(prefix):].strip()
            return "" if name == SUGGESTIONS_USER else name
    return ""


def plain(value: Any) -> Any:
    """A cell value as plain Python: None for blanks, ints and floats for numpy scalars."""
    if is_blank(value) and not (isinstance(value, str) and value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


# --------------------------------------------------------------------------- the table


def _integers(values) -> list:
    """Nullable integers: blanks, and numbers with a fractional part, become <NA>."""
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce")
    return [pd.NA if pd.isna(n) or float(n) != int(n) else int(n) for n in numbers]


def _boolean(value: Any) -> bool | None:
    text = label_text(value).lower()
    if not text:
        return None
    return text in YES


def normalise(frame: "pd.DataFrame", source: str | Path = "codings",
              required: Iterable[str] = REQUIRED) -> "pd.DataFrame":
    """``frame`` typed by ``SCHEMA``: required columns checked, absent ones added blank, an
    ``accept`` column's decisions applied to ``status``, rows without a document or a code
    dropped. Columns beyond the schema are kept, after it."""
    import pandas as pd

    frame = pd.DataFrame(frame).copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.loc[:, ~pd.Index(frame.columns).duplicated()]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputFileError(source, f"has no column {', '.join(missing)}",
                             "it must have the columns of qual's codings.csv")
    for column in SCHEMA:
        values = frame[column.name].tolist() if column.name in frame.columns else [None] * len(frame)
        if column.kind == "label":
            frame[column.name] = pd.Series([label_text(v) for v in values], index=frame.index, dtype=object)
        elif column.kind == "text":
            frame[column.name] = pd.Series(["" if is_blank(v) and not isinstance(v, str) else str(v)
                                            for v in values], index=frame.index, dtype=object)
        elif column.kind == "status":
            frame[column.name] = pd.Series([label_text(v).lower() or SUGGESTED for v in values],
                                           index=frame.index, dtype=object)
        elif column.kind == "number":
            frame[column.name] = pd.to_numeric(pd.Series(values, index=frame.index, dtype=object),
                                               errors="coerce").astype(float)
        elif column.kind == "integer":
            frame[column.name] = pd.array(_integers(pd.Series(values, index=frame.index, dtype=object)),
                                          dtype="Int64")
        elif column.kind == "boolean":
            frame[column.name] = pd.Series([_boolean(v) for v in values], index=frame.index, dtype=object)
        else:  # pragma: no cover - a schema mistake
            raise QualError(f"unknown kind of codings column {column.kind!r}")
    if "selected" in COLUMN_KINDS:  # blank: proposed unless it is a lower-ranked candidate
        frame["selected"] = [status != CANDIDATE if value is None else value
                             for value, status in zip(frame["selected"], frame["status"])]
        frame["selected"] = frame["selected"].astype(bool)
    if len(frame) and frame["turn"].isna().any():  # a segment id "12" or "12.2" names its turn
        from_segment = pd.array(_integers(frame["segment"].str.split(".").str[0]), dtype="Int64")
        frame["turn"] = frame["turn"].fillna(pd.Series(from_segment, index=frame.index))
    if ACCEPT_COLUMN in frame.columns:
        decisions = frame[ACCEPT_COLUMN].map(decision)
        unknown = int((decisions == "unknown").sum())
        if unknown:
            log.warning("%d accept cells are neither yes nor no and were ignored", unknown)
        decided = decisions.isin([ACCEPTED, REJECTED])
        frame.loc[decided, "status"] = decisions[decided]
    frame = frame[(frame["document"] != "") & (frame["code"] != "")]
    extra = [c for c in frame.columns if c not in COLUMN_KINDS]
    return frame[[*CODINGS_COLUMNS, *extra]].reset_index(drop=True)


def empty_frame() -> "pd.DataFrame":
    """A codings table with no rows and every column of the schema, typed."""
    import pandas as pd

    return normalise(pd.DataFrame(columns=CODINGS_COLUMNS))


class CodedSpan(NamedTuple):
    """One coding as REFI-QDA (and QualCoder's ``code_text``) sees it: a span with a code and a coder."""

    document: str
    start: int | None
    end: int | None
    code: str
    coder: str  # the person who applied or decided it ("" for a machine suggestion or when unnamed)
    source: str  # what applied it: suggesters ('rules+semantic'), 'human:anna', 'refi:anna'
    status: str
    score: float | None
    text: str
    turn: int | None


class Codings:
    """The codings table: a pandas DataFrame typed and checked by ``SCHEMA`` (``.frame``).

    ``Codings(frame)``, ``Codings.from_records(rows)`` and ``Codings.read(path)`` all give the
    same types; ``write(path)`` writes codings.csv or the codings.xlsx review sheet.
    """

    def __init__(self, data: "Codings | pd.DataFrame | Iterable[dict] | None" = None, *,
                 source: str | Path = "codings", required: Iterable[str] = REQUIRED) -> None:
        import pandas as pd

        if isinstance(data, Codings):
            self.frame = data.frame
            missing = [c for c in required if c not in self.frame.columns]
            if missing:  # pragma: no cover - every schema column is present in a Codings
                raise InputFileError(source, f"has no column {', '.join(missing)}")
            return
        if data is None:
            data = pd.DataFrame(columns=CODINGS_COLUMNS)
        elif not isinstance(data, pd.DataFrame):
            data = pd.DataFrame(list(data), columns=None)
            for column in CODINGS_COLUMNS:
                if column not in data.columns:
                    data[column] = None
        self.frame = normalise(data, source, required)

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> "Codings":
        """Codings from dicts (missing columns blank, extra keys kept)."""
        return cls(list(records))

    @classmethod
    def read(cls, path: str | Path, *, required: Iterable[str] = REQUIRED) -> "Codings":
        """A codings.csv written by qual (or an edited copy), or a codings.xlsx review sheet
        (its accept column's yes/no become the rows' status)."""
        path = Path(path)
        if not path.is_file():
            raise InputFileError(path, "does not exist" if not path.exists() else "is not a file", CSV_ADVICE)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            frame = _read_xlsx_rows(path)
        elif suffix in (".csv", ".txt", ""):
            frame = _read_csv_rows(path)
        else:
            raise InputFileError(path, "is not a codings file", "give codings.csv or codings.xlsx")
        return cls(frame, source=path, required=required)

    def write(self, path: str | Path, *, codebook=None, permissions: int | None = None, next_step: str = "",
              uncoded: Iterable[dict] = ()) -> Path:
        """codings.csv (``.csv``: the schema's columns, in order) or the review sheet (``.xlsx``,
        with the code names of ``codebook``, ``next_step``: the command to run after reviewing,
        and ``uncoded``: segments without a coding, listed with a blank code for the reviewer
        to fill in), written atomically."""
        path = Path(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from .codings_xlsx import write_review_sheet

            frame = self.frame
            uncoded = list(uncoded)
            if uncoded:  # after the codings: the segments nothing was suggested for
                import pandas as pd

                frame = pd.concat([frame.astype(object), pd.DataFrame(uncoded).astype(object)], ignore_index=True)
            return write_review_sheet(frame, path, codebook, CODINGS_COLUMNS, next_step=next_step)
        from ..files import atomic_open

        with atomic_open(path, "w", newline="", permissions=permissions) as handle:
            self.frame.reindex(columns=CODINGS_COLUMNS).to_csv(handle, index=False)
        return path

    # ------------------------------------------------------------------ views

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:  # counts only: the rows quote transcripts
        counts = ", ".join(f"{n} {status}" for status, n in self.status_counts().items() if n)
        return f"Codings({len(self)} rows{': ' + counts if counts else ''})"

    def status_counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for status, n in self.frame["status"].value_counts().items():
            counts[str(status)] = int(n)
        return counts

    def with_status(self, *statuses: str) -> "Codings":
        """The rows whose status is one of ``statuses``."""
        return Codings(self.frame[self.frame["status"].isin(statuses)])

    def select(self, status: str = "auto") -> tuple["Codings", str, str]:
        """The rows a matrix or an export uses for ``status`` (see ``resolve_status``), the
        status used, and a sentence saying why."""
        effective, note = resolve_status(self.frame, status)
        return self.with_status(*used_statuses(effective)), effective, note

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain Python values (None for blanks)."""
        return [{k: plain(v) for k, v in row.items()} for row in self.frame.to_dict("records")]

    def spans(self) -> Iterator[CodedSpan]:
        """Every row as a ``CodedSpan``: what REFI-QDA export (and a coding store) keep."""
        frame = self.frame
        columns = [frame[c].tolist() for c in ("document", "start", "end", "code", "coder", "source", "status",
                                               "score", "text", "turn")]
        for document, start, end, code, coder, source, status, score, text, turn in zip(*columns):
            yield CodedSpan(document, plain(start), plain(end), code, coder_of(coder, source), source, status,
                            plain(score), text, plain(turn))

    def coders(self) -> list[str]:
        """The names of the people behind these codings (``coder_of`` each row), in order."""
        frame = self.frame
        names = (coder_of(c, s) for c, s in zip(frame["coder"].tolist(), frame["source"].tolist()))
        return list(dict.fromkeys(n for n in names if n))


def _read_csv_rows(path: Path) -> "pd.DataFrame":
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(path, "is not UTF-8 text", "save it as CSV UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise InputFileError(path, f"is not a readable CSV ({type(error).__name__})",
                             "regenerate it with 'qual code'") from None


def _read_xlsx_rows(path: Path) -> "pd.DataFrame":
    from .codings_xlsx import read_review_sheet

    return read_review_sheet(path)


# --------------------------------------------------------------------------- statuses


def used_statuses(effective: str) -> set[str]:
    """The statuses a matrix or export of ``effective`` status (accepted / all) shows."""
    return {ACCEPTED} if effective == ACCEPTED else {ACCEPTED, SUGGESTED}


def status_advice(codings: "pd.DataFrame | Codings", effective: str) -> str:
    """What a user could do about the codings a matrix or export used, for the console only
    (a document says what it shows, not which command to type): "" when nothing."""
    frame = codings.frame if isinstance(codings, Codings) else codings
    accepted = int((frame["status"] == ACCEPTED).sum()) if len(frame) else 0
    suggested = int((frame["status"] == SUGGESTED).sum()) if len(frame) else 0
    if effective == ACCEPTED and suggested:
        return "use --status all to include the unreviewed suggestions"
    if effective == "all" and not accepted and suggested:
        return "review the suggestions in codings.xlsx and run again for a matrix of accepted codes"
    return ""


def resolve_status(codings: "pd.DataFrame | Codings", status: str) -> tuple[str, str]:
    """The status actually used (``accepted`` or ``all``) for the ``status`` asked for, and a
    sentence saying why (for console, provenance and the report: it names no command; see
    ``status_advice``)."""
    frame = codings.frame if isinstance(codings, Codings) else codings
    if status not in STATUS_CHOICES:
        raise QualError(f"--status must be one of {', '.join(STATUS_CHOICES)}, not {status!r}")
    accepted = int((frame["status"] == ACCEPTED).sum()) if len(frame) else 0
    suggested = int((frame["status"] == SUGGESTED).sum()) if len(frame) else 0
    if status == "auto":
        if accepted:
            return ACCEPTED, (f"accepted codes only ({accepted} rows); {suggested} unreviewed "
                              "suggestions left out")
        return "all", f"no code has been accepted yet, so all {suggested} unreviewed suggestions are shown"
    if status == ACCEPTED:
        note = f"accepted codes only ({accepted} rows)"
        if not accepted:
            note += "; none has been accepted yet, so the matrix is empty"
        return ACCEPTED, note
    return "all", f"accepted ({accepted}) and unreviewed suggested ({suggested}) codes; rejected ones left out"
