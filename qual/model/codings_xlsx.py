"""codings.xlsx, the review sheet: the codings with the code's name and an ``accept`` column.

Written and read only through ``qual.model.codings.Codings`` (``write`` / ``read``), which
types the rows by the codings schema; this module lays them out in Excel and reads them back
as they are. It imports nothing of the schema, which passes its columns in.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import InputFileError
from ..files import atomic_path, vet_workbook, write_bytes
from ..text import fit_cell, row_height

if TYPE_CHECKING:
    import pandas as pd

SHEET = "codings"
REVIEW_COLUMNS = ["document", "segment", "speaker", "text", "code", "code name", "score", "source",
                  "status", "accept", "coder", "turn", "timestamp", "role", "start", "end", "rank", "selected"]
COLUMN_WIDTHS = {"document": 14, "segment": 9, "speaker": 14, "text": 80, "code": 18, "code name": 28,
                 "score": 7, "source": 16, "status": 10, "accept": 8, "coder": 12}
EXCEL_CELL_LIMIT = 32_767
# A text too long for the tallest row is shown cut, and says so; codings.csv holds it whole
# (``qual code --accept`` reads the decisions from this sheet and the texts from codings.csv).
CUT_NOTE = "[… cut to fit the row: the whole text is in codings.csv]"
HOW_TO_REVIEW = (
    "Review the suggested codes on the 'codings' sheet.",
    "accept: choose yes to accept a code for the segment, no to reject it; leave blank if undecided.",
    "coder: your name or initials; agreement statistics and REFI-QDA exports name you by it.",
    "Rows with status 'candidate' are the segment's next-ranked codes (rank 1-5), not proposed: accept one to apply it.",
    "To add a code to a segment (one a suggester missed, or one with no suggestion at all), copy a "
    "row of that segment (every segment has a row), change 'code' and set accept to yes.",
    "Then run the command on the last line of this sheet (add --refit to retrain the learned suggester "
    "on your decisions and code again).",
    "segment: the turn number ('12'), or turn.paragraph ('12.2') where a long turn was split; turns are "
    "numbered from 0, as in the de-identified transcripts.",
    "start/end: character offsets of the segment in the transcript's plain text.",
    "A text too long for one row ends with a note; the whole text is in codings.csv.",
)


def _plain(value: Any) -> Any:
    """A cell value: None for blanks (NaN, <NA>, ""), plain numbers for numpy scalars."""
    if value is None or (isinstance(value, str) and value == ""):
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):  # pandas' NA
        return None
    return value.item() if hasattr(value, "item") else value


def _text_cell(sheet, value, alignment=None):
    """A write-only cell that Excel shows as text: never a formula, never over the cell limit."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - len(CUT_NOTE) - 1] + " " + CUT_NOTE
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=SUM(...)" in a transcript must stay text
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _like(template, cell):
    """``cell`` with ``template``'s style."""
    cell._style = copy.copy(template._style)  # noqa: SLF001 - openpyxl's style array; see _styled
    return cell


def _styled(sheet, value, **style):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def write_review_sheet(frame: "pd.DataFrame", path: str | Path, codebook, columns: Sequence[str],
                       next_step: str = "") -> Path:
    """codings.xlsx: one row per coding of ``frame`` (``columns`` of the codings schema), an
    ``accept`` drop-down (yes/no) and a ``coder`` column for the reviewer, and the codebook's
    codes on a second sheet. Each row is as tall as its text needs (at most Excel's 409
    points; a longer text is cut there and says so). ``next_step``: the command to run after
    reviewing, shown on the "how to review" sheet.

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
    sheet = book.create_sheet(SHEET)
    for column, name in enumerate(REVIEW_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = COLUMN_WIDTHS.get(name, 9)
    sheet.freeze_panes = "B2"
    last = len(frame) + 1
    # printed or saved as PDF: A4 landscape, the sheet's width on the page, the header on each page
    sheet.page_setup.paperSize = 9
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(REVIEW_COLUMNS))}{max(last, 2)}"
    validation = DataValidation(type="list", formula1='"yes,no"', allow_blank=True,
                                showErrorMessage=True, errorTitle="accept",
                                error="Choose yes or no, or leave it blank.")
    accept_letter = get_column_letter(REVIEW_COLUMNS.index("accept") + 1)
    validation.add(f"{accept_letter}2:{accept_letter}{last + 1000}")
    sheet.data_validations.append(validation)  # the streaming sheet has no add_data_validation()

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    sheet.append([_styled(sheet, name, font=bold, fill=fill) for name in REVIEW_COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    # every cell of a row starts at its top, beside the text; one styled cell of each kind is
    # made and its style copied (assigning a style object per cell is most of openpyxl's time)
    wrapped = _styled(sheet, None, alignment=wrap)
    topped = _styled(sheet, None, alignment=Alignment(vertical="top"))
    text_width = COLUMN_WIDTHS["text"]
    values_of = {name: frame[name].tolist() if name in frame else [None] * len(frame) for name in columns}
    for i in range(len(frame)):
        values = {name: values_of[name][i] for name in columns}
        status = str(_plain(values["status"]) or "suggested")
        values["code name"] = names.get(values["code"], "")
        values["accept"] = "yes" if status == "accepted" else "no" if status == "rejected" else None
        text = _plain(values.get("text"))
        if isinstance(text, str):
            values["text"] = text = fit_cell(text, text_width, note=CUT_NOTE)
        # rows are streamed: the height is set before the row is written
        sheet.row_dimensions[i + 2].height = row_height([(text, text_width),
                                                         (values["code name"], COLUMN_WIDTHS["code name"])])
        row = []
        for name in REVIEW_COLUMNS:
            value = _plain(values.get(name))
            if value is None:
                row.append(None)
            elif name in ("text", "code name"):
                row.append(_like(wrapped, _text_cell(sheet, value)))
            else:
                cell = _text_cell(sheet, value) if isinstance(value, str) and value[:1] in "=+-@" else \
                    WriteOnlyCell(sheet, value=value)
                row.append(_like(topped, cell))
        sheet.append(row)

    if codebook is not None:
        codes = book.create_sheet("codes")
        for letter, width in zip("ABCDEF", (18, 30, 8, 60, 60, 40)):
            codes.column_dimensions[letter].width = width
        codes.append([_styled(codes, h, font=bold) for h in ("code", "name", "theme", "definition", "include",
                                                             "exclude")])
        for code in codebook.codes:
            codes.append([_text_cell(codes, v, wrap) for v in
                          (code.id, code.name, code.theme, code.definition, code.include, code.exclude)])
    how = book.create_sheet("how to review")
    how.column_dimensions["A"].width = 120
    for line in HOW_TO_REVIEW:
        how.append([line])
    if next_step:
        how.append([f"Next: {next_step}"])
    with atomic_path(path) as tmp:
        book.save(tmp)
    return path


def read_review_sheet(path: str | Path) -> "pd.DataFrame":
    """The rows of a review sheet's ``codings`` sheet (else its first), as written in it:
    headers lower-cased, empty rows left out."""
    import pandas as pd
    from openpyxl import load_workbook

    path = Path(path)
    vet_workbook(path, what="codings workbook")  # bombs and million-row sheets, before openpyxl
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types on a bad file
        raise InputFileError(path, f"cannot be read as a workbook ({type(error).__name__})",
                             "save it again from Excel or LibreOffice as .xlsx") from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise InputFileError(path, "has no rows", "give the codings.xlsx written by 'qual code'")
    header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
    records = [dict(zip(header, row)) for row in rows[1:] if any(v not in (None, "") for v in row)]
    return pd.DataFrame(records, columns=header)
