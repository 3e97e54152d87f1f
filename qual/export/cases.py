"""Cases and the attributes every export shows of them: safe values only.

A case is a participant (``participant_id`` in a transcript's attributes), else the transcript
itself. Matrices (``qual.export.matrix``) and REFI-QDA projects (``qual.refi.export``) show the
same attributes of a case, decided here once.

Where case attributes come from, and why: the de-identified ``corpus.jsonl`` carries each
case's attributes with identifying values already replaced by pseudonym tags
(``[Local authority 2]``). A raw participants sheet holds real names, schools and local
authorities, so only the columns in ``SAFE_SHEET_COLUMNS`` (role, trial arm) are ever taken
from it. Attributes that identify in a raw sheet (``IDENTIFYING_ATTRIBUTES``) are shown only
when their value is a pseudonym tag; anything else is left out with a warning that names the
case and the column, never the value.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..model.codings import is_blank

if TYPE_CHECKING:  # pandas is imported lazily so that `qual --help` stays fast
    import pandas as pd

    from ..model import Transcript

DEFAULT_ATTRIBUTES = ("role", "local_authority", "trial_arm")
# The only columns of a raw participants sheet that can never name a person, school or place.
SAFE_SHEET_COLUMNS = ("role", "trial_arm")
# Case attributes that are identifiers in a raw participants sheet; in a matrix they must be
# pseudonym tags written by de-identification.
IDENTIFYING_ATTRIBUTES = frozenset({
    "name", "participant_name", "school", "schools", "local_authority", "la", "interviewer",
    "email", "phone", "address", "postcode", "date_of_birth", "dob", "team", "area",
})
PSEUDONYM_TAG = re.compile(r"^\[[^\[\]\n]{1,60}\](?:\s*(?:[,;/&]|and)\s*\[[^\[\]\n]{1,60}\])*$")
ROLE_ORDER = ("SW", "TM")
ROLE_NAMES = {"SW": "social workers", "TM": "team managers"}
NO_ROLE = "(no role)"


def normalise_role(value: Any) -> str:
    """``SW`` / ``TM`` for the usual spellings of the two SWIS roles; other values as written."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    key = re.sub(r"[^a-z]", "", text.lower())
    if not key:
        return ""
    if key in {"tm", "teammanager", "manager", "swistm"} or "manager" in key:
        return "TM"
    if key in {"sw", "swissw", "socialworker"} or "socialworker" in key:
        return "SW"
    return text


def snake_case(name: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def read_participants_sheet(participants: "pd.DataFrame | str | Path") -> "pd.DataFrame":
    """A participants sheet (or a DataFrame of one) with snake_case column names."""
    import pandas as pd

    from ..ingest import read_participants

    if isinstance(participants, pd.DataFrame):
        return participants.rename(columns=snake_case)
    return read_participants(Path(participants)).rename(columns=snake_case)


def _sheet_rows_by_case(sheet: "pd.DataFrame", cases: Iterable[str],
                        documents_of: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Match participants-sheet rows to cases, by participant id or by file name stem."""
    by_key: dict[str, dict[str, Any]] = {}
    for record in sheet.to_dict("records"):
        for column in ("participant_id", "file", "document", "id"):
            value = record.get(column)
            if not is_blank(value):
                by_key.setdefault(str(value).strip().lower(), record)
                by_key.setdefault(Path(str(value).strip()).stem.lower(), record)
    matched = {}
    for case in cases:
        for key in [case, *documents_of.get(case, [])]:
            record = by_key.get(str(key).strip().lower())
            if record is not None:
                matched[case] = record
                break
    return matched


def case_attributes(
    cases: Sequence[str],
    *,
    transcripts: Sequence["Transcript"] | None = None,
    participants: "pd.DataFrame | str | Path | None" = None,
    attributes: Sequence[str] = DEFAULT_ATTRIBUTES,
    documents_of: dict[str, list[str]] | None = None,
    warnings: list[str] | None = None,
) -> "pd.DataFrame":
    """One row per case with the requested attributes and its role ``group``; safe values only."""
    import pandas as pd

    warnings = warnings if warnings is not None else []
    documents_of = documents_of or {}
    attributes = [snake_case(a) for a in attributes]
    wanted = list(dict.fromkeys([*attributes, "role"]))  # the role groups the rows even when not shown
    values: dict[str, dict[str, Any]] = {case: {} for case in cases}

    for transcript in transcripts or ():
        case = case_of(transcript)
        if case not in values:
            continue
        attrs = {snake_case(k): v for k, v in (transcript.attributes or {}).items()}
        for attribute in wanted:
            if attribute in attrs and not is_blank(attrs[attribute]):
                values[case].setdefault(attribute, attrs[attribute])

    sheet_rows: dict[str, dict[str, Any]] = {}
    if participants is not None:
        sheet = read_participants_sheet(participants)
        sheet_rows = _sheet_rows_by_case(sheet, cases, documents_of)
        for case, record in sheet_rows.items():
            for attribute in wanted:
                if attribute in SAFE_SHEET_COLUMNS and not is_blank(record.get(attribute)):
                    values[case].setdefault(attribute, record[attribute])

    left_out: dict[str, list[str]] = {}
    for case, attrs in values.items():
        for attribute in list(attrs):
            if attribute in SAFE_SHEET_COLUMNS:
                continue
            value = str(attrs[attribute]).strip()
            raw = sheet_rows.get(case, {}).get(attribute)
            same_as_sheet = not is_blank(raw) and str(raw).strip().lower() == value.lower()
            if same_as_sheet or (attribute in IDENTIFYING_ATTRIBUTES and not PSEUDONYM_TAG.match(value)):
                del attrs[attribute]
                left_out.setdefault(attribute, []).append(case)
    for attribute, affected in left_out.items():
        shown = ", ".join(affected[:5]) + (f" and {len(affected) - 5} more" if len(affected) > 5 else "")
        warnings.append(
            f"'{attribute}' left out for {len(affected)} case(s) ({shown}): its value was not "
            "de-identified (not a pseudonym tag, or the same as in the participants sheet), so it may "
            "identify; de-identify the corpus first")

    rows = []
    for case in cases:
        row = {"case": case}
        for attribute in attributes:
            value = values[case].get(attribute, "")
            row[attribute] = normalise_role(value) if attribute == "role" else ("" if is_blank(value) else str(value))
        row["group"] = normalise_role(values[case].get("role")) or NO_ROLE
        row["documents"] = ", ".join(documents_of.get(case, [])) or case
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["case", *attributes, "group", "documents"]).set_index("case")
    order = {group: i for i, group in enumerate(ROLE_ORDER)}
    frame["_order"] = [order.get(g, len(ROLE_ORDER) + (1 if g == NO_ROLE else 0)) for g in frame["group"]]
    frame["_key"] = [_natural_key(c) for c in frame.index]
    frame = frame.sort_values(["_order", "group", "_key"], kind="stable").drop(columns=["_order", "_key"])
    return frame


def _natural_key(text: str) -> tuple:  # "SW2" before "SW10"
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", str(text)))


def case_of(transcript: "Transcript") -> str:
    """The case a transcript belongs to: its participant (``participant_id``), else itself."""
    pid = (transcript.attributes or {}).get("participant_id")
    return str(pid).strip() if not is_blank(pid) else str(transcript.id)
