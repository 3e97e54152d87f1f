"""What every sheet of qual's workbooks shares: styles, streamed cells, row heights, sheet
titles, print setup, and the fast path that splices tens of thousands of rows into a saved
sheet as XML.

Sheets are streamed (openpyxl write-only mode): what is written before the first row (frozen
panes, the size, print settings) is set when the sheet is made.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from ..text import shorten

EXCEL_CELL_LIMIT = 32_767
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # characters XML 1.0 cannot hold
SHEET_TITLE_LIMIT = 31  # Excel's
# Words that begin a phrase: a sheet title cut before one of them ends where a phrase ends
# ('ROLE Role and activities', not 'ROLE Role and activities of the').
_PHRASE_STARTS = frozenset({"and", "or", "of", "the", "with", "in", "on", "for", "to", "by", "from", "at",
                            "a", "an", "as", "about", "between", "into", "within", "without", "&"})
A4 = 9  # openpyxl's paperSize for A4


class Styles:
    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="BFBFBF")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.title = Font(bold=True, size=14)
        self.bold = Font(bold=True)
        self.header_font = Font(bold=True, color="FFFFFF")
        self.legend_font = Font(italic=True, size=9, color="404040")
        self.header_fill = PatternFill("solid", fgColor="1F4E78")
        self.summary_header_fill = PatternFill("solid", fgColor="7F6000")
        self.summary_fill = PatternFill("solid", fgColor="FFF2CC")
        self.attribute_fill = PatternFill("solid", fgColor="F2F2F2")
        self.group_fill = PatternFill("solid", fgColor="D9E1F2")
        self.legend_fill = PatternFill("solid", fgColor="FAFAFA")
        self.orphan_fill = PatternFill("solid", fgColor="FCE4D6")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.header_align = Alignment(wrap_text=True, vertical="center")
        self.rotated = Alignment(text_rotation=90, vertical="bottom", horizontal="center")
        self.centre = Alignment(horizontal="center", vertical="top")
        self.top = Alignment(vertical="top")
        self.shades = [PatternFill("solid", fgColor=c) for c in
                       ("FFFFFF", "DEEBF7", "C6DBEF", "9ECAE1", "6BAED6", "4292C6")]


def clean(value: Any) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub(" ", value)
        if len(value) > EXCEL_CELL_LIMIT:
            value = shorten(value, EXCEL_CELL_LIMIT)
    elif isinstance(value, float) and math.isnan(value):
        return None
    return value


def styled_cell(ws, value: Any, *, font=None, fill=None, alignment=None, border=None, number_format=None,
          as_text: bool = True, styles: "Styles | None" = None):
    """A streamed cell. Text is stored as text even when it starts with '=' (no formula injection)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=clean(value))
    if as_text and isinstance(cell.value, str) and cell.data_type != "s":
        cell.data_type = "s"
    if font is None and fill is None and alignment is None and border is None and not number_format:
        return cell
    # Assigning style objects hashes them on every cell (most of openpyxl's write time); each
    # combination is resolved once and its style array copied.
    cache = ws.parent.__dict__.setdefault("_qual_style_cache", {})
    key = (id(font), id(fill), id(alignment), id(border), number_format)
    cached = cache.get(key)
    if cached is None:
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if border is not None:
            cell.border = border
        if number_format:
            cell.number_format = number_format
        cache[key] = copy.copy(cell._style)
    else:
        cell._style = copy.copy(cached)
    return cell


def plain_value(ws, value: Any) -> Any:
    """An unstyled value, appended as is when that is safe (much faster than a cell object)."""
    value = clean(value)
    if isinstance(value, str) and value.startswith("="):
        return styled_cell(ws, value)
    return value


def new_sheet(wb, title: str, *, freeze: str | None, rows: int, columns: int, title_rows: str | None = None,
              title_columns: str | None = None):
    """A streamed sheet. What openpyxl writes before the first row (frozen panes, the sheet's
    size, how it prints: see ``print_setup``) must be known now; the size spares readers a
    scan of the whole sheet."""
    ws = wb.create_sheet(title)
    if freeze:
        ws.freeze_panes = freeze
    ref = f"A1:{column_letter(max(1, columns))}{max(1, rows)}"
    ws.calculate_dimension = lambda: ref
    print_setup(ws, rows=rows, columns=columns, title_rows=title_rows, title_columns=title_columns)
    return ws


def sheet_title(text: str, taken: set[str]) -> str:
    """A unique sheet title from ``text``, within Excel's 31 characters and free of the signs it
    refuses; a long one is cut where a phrase ends (before 'and', 'of', 'with', a comma ...),
    never in the middle of one, and never on a word such as 'the'."""
    title = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", text)).strip().strip("'")
    if len(title) > SHEET_TITLE_LIMIT:
        title = _phrase_cut(title, SHEET_TITLE_LIMIT)
    title = title.strip() or "Sheet"
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = _phrase_cut(base, SHEET_TITLE_LIMIT - len(suffix)) + suffix, n + 1
    taken.add(title.lower())
    return title


def _phrase_cut(title: str, limit: int) -> str:
    if len(title) <= limit:
        return title
    words = title.split(" ")
    best = ""
    for count in range(1, len(words)):
        head = " ".join(words[:count])
        if len(head) > limit:
            break
        last, following = words[count - 1], words[count]
        ends_phrase = last.endswith((",", ";", ")")) or following.lower() in _PHRASE_STARTS or following[:1] in "(-–"
        if ends_phrase and last.lower().strip(",;") not in _PHRASE_STARTS:
            best = head.rstrip(",;")
    if not best:  # no phrase ends in time: the first word(s) that fit, never ending on 'the'
        head = shorten(title, limit, "").rstrip(",;")
        while " " in head and head.rsplit(" ", 1)[1].lower() in _PHRASE_STARTS:
            head = head.rsplit(" ", 1)[0]
        best = head or title[:limit]
    return best


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def print_setup(ws, *, rows: int, columns: int, title_rows: str | None = None, title_columns: str | None = None,
                landscape: bool = True) -> None:
    """Print (or save as PDF) on A4, scaled to the page's width, with the header rows (and case
    columns) repeated on every page and the print area set to the sheet's cells."""
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    if title_columns:
        ws.print_title_cols = title_columns
    ws.print_area = f"A1:{column_letter(max(1, columns))}{max(1, rows)}"


# --------------------------------------------------------------------------- splicing rows

_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;",
                           **{chr(c): " " for c in (*range(0, 9), 11, 12, *range(14, 32))}})


def cell_fragments(values: list[Any]) -> list[str]:
    """Each value as the inside of an inline cell (after ``<c r=.. s=..``), or "" for none.
    Columns repeat the same few values (case, code, status), so fragments are cached."""
    cache: dict[Any, str] = {}
    out = []
    for value in values:
        if value is None or value == "":
            out.append("")
            continue
        fragment = cache.get(value)
        if fragment is None:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                fragment = "" if math.isnan(value) else f"><v>{value!r}</v>"
            else:
                text = str(value).translate(_XML_TEXT)
                space = ' xml:space="preserve"' if text != text.strip() else ""
                fragment = f' t="inlineStr"><is><t{space}>{text}</t></is>'
            if len(cache) < 10_000:
                cache[value] = fragment
        out.append(fragment)
    return out


ROWS_MARKER = "qual-template-row-7f3c2e91"  # only in the one-row placeholder sheet


def splice_rows(path: Path, splices: list[tuple[str, Callable[[dict[str, str]], Iterator[str]]]]) -> None:
    """Replace each sheet's template row (the one holding its marker) by the rows it renders;
    ``render`` gets the template's style of each column (letter -> style index). Rewrites
    the saved package in place."""
    import zipfile

    if not splices:
        return
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
        infos = source.infolist()
    for marker, render in splices:
        token = marker.encode("utf-8")
        name = next((n for n, data in parts.items() if n.startswith("xl/worksheets/") and token in data), None)
        if name is None:
            raise RuntimeError("template row not found in the saved workbook")
        data = parts[name]
        at = data.index(token)
        start = data.rindex(b"<row ", 0, at)
        end = data.index(b"</row>", at) + len(b"</row>")
        # each column's style, as the template row's cell in that column has it
        styles = {column.decode(): style.decode() for column, style in
                  re.findall(rb'<c r="([A-Z]+)\d+"[^>]*? s="(\d+)"', data[start:end])}
        parts[name] = data[:start] + "".join(render(styles)).encode("utf-8") + data[end:]
    # Level 1: several times faster than the default for a few per cent more bytes.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in infos:
            target.writestr(info.filename, parts[info.filename])


def is_na(value: Any) -> bool:
    try:
        import pandas as pd

        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
