"""Analysts' summaries in a framework workbook: reading them back, and placing them again.

A summary belongs to a (case, code) pair, not to a cell address: analysts sort rows, insert
columns and rename sheets, and a codebook revision may move a code to another theme. So the
workbook is read by its headers: in any sheet, the header row is the row with a ``Case``
cell, and a column whose header is ``Summary: <code id>`` holds summaries of that code.
Summaries whose case or code is gone are never dropped: they go to the
``Orphaned summaries`` sheet, and return to the matrix when their row and column come back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputFileError

CASE_HEADER = "Case"
SUMMARY_PREFIX = "Summary: "
SUMMARY_HEADER = re.compile(r"^\s*summary\s*:\s*(?P<code>\S+)\s*$", re.IGNORECASE)
ORPHAN_SHEET = "Orphaned summaries"
ORPHAN_COLUMNS = ("Case", "Code", "Summary", "Was in sheet", "Was in cell", "Orphaned since", "Reason")
HEADER_SEARCH_ROWS = 20
GROUP_PREFIX = "All "  # the Case label of a role group's row ("All SW"), see workbook.group_label


@dataclass(frozen=True)
class Summary:
    """What an analyst wrote for one case and code, and where it was found."""

    case: str
    code: str
    value: Any  # as typed: usually text; a number, date or formula stays what it was
    sheet: str = ""
    cell: str = ""
    orphaned_since: str = ""
    reason: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.case, self.code)

    @property
    def text(self) -> str:
        return "" if self.value is None else str(self.value)

    def __repr__(self) -> str:  # summaries quote transcripts; keep them out of tracebacks
        return f"Summary(case={self.case!r}, code={self.code!r}, sheet={self.sheet!r}, cell={self.cell!r})"


def summary_header(code_id: str) -> str:
    return f"{SUMMARY_PREFIX}{code_id}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_summary_list(path: str | Path) -> list[Summary]:
    """Every non-empty summary in a workbook written by ``qual matrix`` (or edited from one)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from ..files import vet_workbook

    path = Path(path)
    vet_workbook(path, what="framework workbook")
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types; none may quote text
        raise InputFileError(path, f"cannot be read as an Excel workbook ({type(error).__name__})",
                             "open and re-save it in Excel, or move it away to start a new one") from None
    found: list[Summary] = []
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            if sheet.title == ORPHAN_SHEET:
                found.extend(_read_orphans(rows))
                continue
            case_col: int | None = None
            summary_cols: dict[int, str] = {}
            for number, row in enumerate(rows, 1):
                if case_col is None:
                    case_col = next((i for i, v in enumerate(row)
                                     if isinstance(v, str) and v.strip() == CASE_HEADER), None)
                    if case_col is not None:
                        summary_cols = {i: m.group("code") for i, v in enumerate(row)
                                        if isinstance(v, str) and (m := SUMMARY_HEADER.match(v))}
                        if not summary_cols:
                            break  # an overview sheet: nothing an analyst writes is kept there
                    elif number >= HEADER_SEARCH_ROWS:
                        break
                    continue
                case = row[case_col] if case_col < len(row) else None
                for i, code in summary_cols.items():
                    value = row[i] if i < len(row) else None
                    if _blank(value):
                        continue
                    found.append(Summary(case="" if case is None else str(case).strip(), code=code,
                                         value=value, sheet=sheet.title,
                                         cell=f"{get_column_letter(i + 1)}{number}"))
    finally:
        workbook.close()
    return found


def _read_orphans(rows: Iterable[tuple]) -> list[Summary]:
    found = []
    header = None
    for row in rows:
        if header is None:
            if row and any(isinstance(v, str) and v.strip() == "Summary" for v in row):
                header = [str(v).strip() if v is not None else "" for v in row]
            continue
        record = dict(zip(header, row))
        value = record.get("Summary")
        if _blank(value):
            continue
        found.append(Summary(
            case=str(record.get("Case") or "").strip(), code=str(record.get("Code") or "").strip(),
            value=value, sheet=str(record.get("Was in sheet") or ""), cell=str(record.get("Was in cell") or ""),
            orphaned_since=str(record.get("Orphaned since") or ""), reason=str(record.get("Reason") or ""),
        ))
    return found


def read_summaries(path: str | Path):
    """The summaries of a framework workbook as a DataFrame: case, code, summary, sheet, cell,
    orphaned, scope.

    ``orphaned`` is True for summaries kept on the Orphaned summaries sheet (their case or code
    was not in the matrix when it was last written); ``scope`` is ``case``, or ``role group``
    for a summary typed in an ``All SW`` / ``All TM`` row.
    """
    import pandas as pd

    summaries = read_summary_list(path)
    return pd.DataFrame(
        [{"case": s.case, "code": s.code, "summary": s.value, "sheet": s.sheet, "cell": s.cell,
          "orphaned": bool(s.orphaned_since), "scope": "role group" if is_group_label(s.case) else "case"}
         for s in summaries],
        columns=["case", "code", "summary", "sheet", "cell", "orphaned", "scope"],
    )


def is_group_label(case: str) -> bool:
    return case.startswith(GROUP_PREFIX)


@dataclass
class Placement:
    """Where the summaries of an old workbook go in a new one."""

    placed: dict[tuple[str, str], Summary]
    orphaned: list[Summary]
    restored: list[Summary]  # were orphaned, and found their row and column again


def place_summaries(summaries: Iterable[Summary], valid: set[tuple[str, str]],
                    cases: set[str], codes: set[str], now: str | None = None) -> Placement:
    """Match summaries to the (case, code) cells of the new matrix; the rest become orphans."""
    now = now or datetime.now().strftime("%Y-%m-%d %H:%M")
    placed: dict[tuple[str, str], Summary] = {}
    orphaned: list[Summary] = []
    restored: list[Summary] = []
    # Summaries in the matrix sheets win over old orphans of the same cell.
    ordered = sorted(summaries, key=lambda s: bool(s.orphaned_since))
    for summary in ordered:
        key = summary.key
        if key in valid and key not in placed:
            placed[key] = summary
            if summary.orphaned_since:
                restored.append(summary)
            continue
        if key in placed and placed[key].text.strip() == summary.text.strip():
            continue  # the same words twice: nothing would be lost by keeping one
        if key in placed:
            reason = "another summary already fills this cell"
        elif summary.case not in cases and summary.code not in codes:
            reason = "case and code no longer in the matrix"
        elif summary.case not in cases:
            reason = "case no longer in the matrix"
        elif summary.code not in codes:
            reason = "code no longer in the matrix"
        else:
            reason = "no cell for this case and code"
        orphaned.append(replace(summary, orphaned_since=summary.orphaned_since or now, reason=reason))
    return Placement(placed=placed, orphaned=orphaned, restored=restored)
