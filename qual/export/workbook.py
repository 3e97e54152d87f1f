"""The framework matrix as an Excel workbook that analysts work in.

Sheets: one per theme (cases in rows grouped by role, each code's quotes beside a yellow
summary column), Orphaned summaries when there are any, then Counts (segments),
Counts (yes-no), SW vs TM, Co-occurrence, Quotes, Code definitions (the codebook) and
Provenance.

Re-writing onto an existing workbook keeps every summary (see ``qual.export.summaries``).
The workbook is streamed (openpyxl write-only mode) so a 100-interview matrix with tens of
thousands of quotes stays fast and small in memory.
"""

from __future__ import annotations

import copy
import datetime
import logging
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..errors import QualError
from ..files import atomic_path
from ..text import shorten
from .cases import ROLE_NAMES
from .matrix import ATTRIBUTE_LABELS, EXCEL_CELL_LIMIT, FrameworkMatrix, fit_quotes
from .provenance import provenance_rows
from .summaries import (
    CASE_HEADER, GROUP_PREFIX, ORPHAN_COLUMNS, ORPHAN_SHEET, Summary, place_summaries, read_summary_list,
    summary_header,
)

log = logging.getLogger("qual.export.workbook")

CODEBOOK_SHEET = "Code definitions"
OVERVIEW_SHEETS = ("Counts (segments)", "Counts (yes-no)", "SW vs TM", "Co-occurrence", "Quotes",
                   CODEBOOK_SHEET, "Provenance")
QUOTES_SHEET = "Quotes"
LINE_HEIGHT = 15.0  # points per line of 11-point Calibri
MAX_ROW_HEIGHT = 409.0  # Excel's limit
MAX_LEGEND_HEIGHT = 150.0
CHARS_PER_WIDTH = 1.15  # average prose characters per unit of Excel column width
WIDTH = {"case": 12, "attribute": 16, "quote": 60, "summary": 42, "count": 7}
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # characters XML 1.0 cannot hold


@dataclass
class WriteReport:
    """What ``write_matrix_workbook`` did."""

    path: Path
    sheets: list[str]
    summaries_kept: int = 0
    orphaned: list[Summary] = field(default_factory=list)
    restored: list[Summary] = field(default_factory=list)
    truncated_cells: int = 0
    backup: Path | None = None
    summaries: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def orphaned_lines(self) -> list[str]:
        """One line per orphaned summary, naming case, code and why (never its text)."""
        return [f"{s.case} / {s.code} (was {s.sheet}!{s.cell}): {s.reason}" for s in self.orphaned]


# --------------------------------------------------------------------------- styles


class _Styles:
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
        self.shades = [PatternFill("solid", fgColor=c) for c in
                       ("FFFFFF", "DEEBF7", "C6DBEF", "9ECAE1", "6BAED6", "4292C6")]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub(" ", value)
        if len(value) > EXCEL_CELL_LIMIT:
            value = shorten(value, EXCEL_CELL_LIMIT)
    elif isinstance(value, float) and math.isnan(value):
        return None
    return value


def _cell(ws, value: Any, *, font=None, fill=None, alignment=None, border=None, number_format=None,
          as_text: bool = True, styles: "_Styles | None" = None):
    """A streamed cell. Text is stored as text even when it starts with '=' (no formula injection)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=_clean(value))
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


def _plain(ws, value: Any) -> Any:
    """An unstyled value, appended as is when that is safe (much faster than a cell object)."""
    value = _clean(value)
    if isinstance(value, str) and value.startswith("="):
        return _cell(ws, value)
    return value


def _new_sheet(wb, title: str, *, freeze: str | None, rows: int, columns: int):
    """A streamed sheet. What openpyxl writes before the first row (frozen panes, the sheet's
    size) must be known now; the size spares readers a scan of the whole sheet."""
    ws = wb.create_sheet(title)
    if freeze:
        ws.freeze_panes = freeze
    ref = f"A1:{_letter(max(1, columns))}{max(1, rows)}"
    ws.calculate_dimension = lambda: ref
    return ws


def _lines(text: Any, width: float) -> int:
    if text is None:
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def _height(values: Iterable[tuple[Any, float]], cap: float = MAX_ROW_HEIGHT) -> float:
    lines = max((_lines(v, w) for v, w in values), default=1)
    return min(cap, max(LINE_HEIGHT, lines * LINE_HEIGHT))


def _sheet_title(text: str, taken: set[str]) -> str:
    title = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", text)).strip().strip("'")
    if len(title) > 31:  # Excel's limit; cut between words
        cut = title[:32].rsplit(" ", 1)[0]
        title = cut if len(cut) >= 12 else title[:31]
    title = title.strip() or "Sheet"
    base, n = title, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def group_label(group: str) -> str:
    """The Case-column label of a role group's row (summaries typed there are kept too)."""
    return f"{GROUP_PREFIX}{group}"


# --------------------------------------------------------------------------- sheets


def _theme_sheet(wb, title: str, matrix: FrameworkMatrix, theme, summaries: dict, styles: _Styles) -> int:
    codes = matrix.codes_of(theme.id)
    attributes = matrix.attributes
    n_attr = 1 + len(attributes)
    ws = _new_sheet(wb, title, freeze=f"{_letter(n_attr + 1)}4",
                    rows=3 + len(matrix.cases) + len(matrix.groups), columns=n_attr + 2 * len(codes))
    widths = [WIDTH["case"]] + [WIDTH["attribute"] if a != "role" else 8 for a in attributes]
    for _ in codes:
        widths += [WIDTH["quote"], WIDTH["summary"]]
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[_letter(i)].width = width
    last_col = _letter(len(widths))
    # Printed (or saved as PDF), each page repeats the header row and the case columns.
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "3:3"
    ws.print_title_cols = f"A:{_letter(n_attr)}"
    colour = (theme.colour or "").lstrip("#")
    if re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
        ws.sheet_properties.tabColor = colour

    ws.row_dimensions[1].height = 22
    ws.append([_cell(ws, f"{theme.name} ({theme.id})" if theme.name != theme.id else theme.id,
                     font=styles.title)])
    legend = [_cell(ws, (theme.description + "\n\n" if theme.description else "")
                    + "Write in the yellow Summary columns: 'qual matrix' keeps every summary when it "
                    "regenerates this workbook (matched by case and code).",
                    font=styles.legend_font, alignment=styles.wrap, fill=styles.legend_fill)]
    legend += [_cell(ws, None, fill=styles.legend_fill) for _ in attributes]
    legend_values: list[tuple[Any, float]] = [(legend[0].value, sum(widths[:n_attr]))]
    for code in codes:
        text = code.definition or ""
        if code.include:
            text += f"\nInclude: {code.include}"
        if code.exclude:
            text += f"\nExclude: {code.exclude}"
        text = text.strip() or "(no definition in the codebook)"
        legend.append(_cell(ws, text, font=styles.legend_font, alignment=styles.wrap, fill=styles.legend_fill))
        legend.append(_cell(ws, f"Your summary of what each case said about '{code.name}'",
                            font=styles.legend_font, alignment=styles.wrap, fill=styles.legend_fill))
        legend_values.append((text, WIDTH["quote"]))
    ws.row_dimensions[2].height = _height(legend_values, cap=MAX_LEGEND_HEIGHT)
    ws.merged_cells.add(f"A2:{_letter(n_attr)}2")
    ws.append(legend)

    header = [_cell(ws, CASE_HEADER, font=styles.header_font, fill=styles.header_fill,
                    alignment=styles.header_align, border=styles.border)]
    header += [_cell(ws, ATTRIBUTE_LABELS.get(a, a.replace("_", " ").capitalize()), font=styles.header_font,
                     fill=styles.header_fill, alignment=styles.header_align, border=styles.border)
               for a in attributes]
    for code in codes:
        header.append(_cell(ws, f"{code.id} {code.name}" if code.name != code.id else code.id,
                            font=styles.header_font, fill=styles.header_fill,
                            alignment=styles.header_align, border=styles.border))
        header.append(_cell(ws, summary_header(code.id), font=styles.header_font,
                            fill=styles.summary_header_fill, alignment=styles.header_align,
                            border=styles.border))
    ws.row_dimensions[3].height = 32
    ws.append(header)

    records = matrix.cases[attributes].to_dict("index")
    group_totals = matrix.counts.groupby(matrix.cases["group"]).sum()
    group_cases = matrix.presence.groupby(matrix.cases["group"]).sum()
    truncated = 0
    row_number = 3
    for group in matrix.groups:
        members = matrix.cases.index[matrix.cases["group"] == group]
        label = group_label(group)
        row = [_cell(ws, label, font=styles.bold, fill=styles.group_fill, border=styles.border)]
        for attribute in attributes:
            row.append(_cell(ws, group if attribute == "role" else None, font=styles.bold,
                             fill=styles.group_fill, border=styles.border))
        who = ROLE_NAMES.get(group, "cases")
        for code in codes:
            with_code = int(group_cases.loc[group, code.id])
            segments = int(group_totals.loc[group, code.id])
            row.append(_cell(ws, f"{with_code} of {len(members)} {who}; {segments} segments",
                             font=styles.bold, fill=styles.group_fill, border=styles.border))
            row.append(_summary_cell(ws, summaries.get((label, code.id)), styles))
        row_number += 1
        ws.append(row)
        for case in members:
            values = records[case]
            row = [_cell(ws, case, font=styles.bold, fill=styles.attribute_fill, alignment=styles.wrap,
                         border=styles.border)]
            row += [_cell(ws, values[a], fill=styles.attribute_fill, alignment=styles.wrap, border=styles.border)
                    for a in attributes]
            sizes: list[tuple[Any, float]] = []
            for code in codes:
                quotes = matrix.cell_quotes.get((case, code.id), [])
                text, shown = fit_quotes(quotes) if quotes else ("", 0)
                truncated += shown < len(quotes)
                row.append(_cell(ws, text, alignment=styles.wrap, border=styles.border))
                summary = summaries.get((case, code.id))
                row.append(_summary_cell(ws, summary, styles))
                sizes += [(text, WIDTH["quote"]), (summary.value if summary else None, WIDTH["summary"])]
            row_number += 1
            ws.row_dimensions[row_number].height = _height(sizes)
            ws.append(row)
    ws.auto_filter.ref = f"A3:{last_col}{max(row_number, 4)}"
    return truncated


def _summary_cell(ws, summary: Summary | None, styles: _Styles):
    # An analyst's value goes back exactly as it was read (text, number, date or formula).
    value = summary.value if summary else None
    number_format = "yyyy-mm-dd" if isinstance(value, (datetime.date, datetime.datetime)) else None
    return _cell(ws, value, fill=styles.summary_fill, alignment=styles.wrap, border=styles.border,
                 as_text=False, number_format=number_format)


def _shade(value: float, maximum: float, styles: _Styles):
    if not value or maximum <= 0:
        return None
    return styles.shades[min(len(styles.shades) - 1, 1 + int(4 * value / maximum))]


def _case_table(wb, title: str, heading: str, matrix: FrameworkMatrix, styles: _Styles, *, yes_no: bool) -> None:
    attributes = matrix.attributes
    codes = matrix.codes
    n_attr = 1 + len(attributes)
    ws = _new_sheet(wb, title, freeze=f"{_letter(n_attr + 1)}3",
                    rows=2 + len(matrix.cases) + len(matrix.groups), columns=n_attr + len(codes))
    ws.column_dimensions["A"].width = WIDTH["case"]
    for i, attribute in enumerate(attributes, 2):
        ws.column_dimensions[_letter(i)].width = 8 if attribute == "role" else WIDTH["attribute"]
    for i in range(len(codes)):
        ws.column_dimensions[_letter(n_attr + 1 + i)].width = WIDTH["count"]
    ws.append([_cell(ws, heading, font=styles.title)])
    header = [_cell(ws, CASE_HEADER, font=styles.header_font, fill=styles.header_fill, border=styles.border)]
    header += [_cell(ws, ATTRIBUTE_LABELS.get(a, a), font=styles.header_font, fill=styles.header_fill,
                     border=styles.border) for a in attributes]
    header += [_cell(ws, code, font=styles.header_font, fill=styles.header_fill, alignment=styles.rotated,
                     border=styles.border) for code in codes]
    ws.row_dimensions[2].height = min(MAX_ROW_HEIGHT, 7 * max((len(c) for c in codes), default=4) + 10)
    ws.append(header)
    maximum = float(matrix.counts.values.max()) if matrix.counts.size else 0.0
    for group in matrix.groups:
        members = matrix.cases.index[matrix.cases["group"] == group]
        row = [_cell(ws, group_label(group), font=styles.bold, fill=styles.group_fill, border=styles.border)]
        row += [_cell(ws, group if a == "role" else None, font=styles.bold, fill=styles.group_fill,
                      border=styles.border) for a in attributes]
        for code in codes:
            value = (int(matrix.presence.loc[members, code].sum()) if yes_no
                     else int(matrix.counts.loc[members, code].sum()))
            row.append(_cell(ws, value, font=styles.bold, fill=styles.group_fill, alignment=styles.centre,
                             border=styles.border))
        ws.append(row)
        for case in members:
            row = [_cell(ws, case, font=styles.bold, border=styles.border)]
            row += [_cell(ws, matrix.cases.loc[case, a], border=styles.border) for a in attributes]
            for code in codes:
                count = int(matrix.counts.loc[case, code])
                value = ("yes" if count else "no") if yes_no else count
                row.append(_cell(ws, value, fill=_shade(count if not yes_no else (maximum if count else 0),
                                                        maximum, styles),
                                 alignment=styles.centre, border=styles.border))
            ws.append(row)
    last_row = 2 + len(matrix.cases) + len(matrix.groups)
    ws.auto_filter.ref = f"A2:{_letter(n_attr + len(codes))}{max(last_row, 3)}"


def _role_sheet(wb, matrix: FrameworkMatrix, styles: _Styles) -> None:
    groups = [*matrix.groups, "All"]
    ws = _new_sheet(wb, "SW vs TM", freeze="D3", rows=2 + len(matrix.code_list), columns=3 + 3 * len(groups))
    sizes = {g: int((matrix.cases["group"] == g).sum()) for g in matrix.groups}
    sizes["All"] = len(matrix.cases)
    for i, width in enumerate([10, 18, 34] + [11] * (3 * len(groups)), 1):
        ws.column_dimensions[_letter(i)].width = width
    ws.append([_cell(ws, "Cases with each code, by role: "
                     + "; ".join(f"{g} {sizes[g]} cases" for g in groups), font=styles.title)])
    columns = ["Theme", "Code", "Name"]
    for group in groups:
        columns += [f"{group}: cases with code", f"{group}: share of cases", f"{group}: segments"]
    ws.append([_cell(ws, c, font=styles.header_font, fill=styles.header_fill, alignment=styles.header_align,
                     border=styles.border) for c in columns])
    ws.row_dimensions[2].height = 45
    table = matrix.role_comparison
    for code in matrix.code_list:
        record = table.loc[code.id]
        row = [_cell(ws, code.theme, border=styles.border), _cell(ws, code.id, font=styles.bold, border=styles.border),
               _cell(ws, code.name, border=styles.border)]
        for group in groups:
            share = record[f"{group} share"]
            row += [_cell(ws, int(record[f"{group} cases with code"]), border=styles.border, alignment=styles.centre),
                    _cell(ws, None if math.isnan(share) else float(share), number_format="0%",
                          border=styles.border, alignment=styles.centre,
                          fill=_shade(0 if math.isnan(share) else share, 1.0, styles)),
                    _cell(ws, int(record[f"{group} segments"]), border=styles.border, alignment=styles.centre)]
        ws.append(row)
    ws.auto_filter.ref = f"A2:{_letter(len(columns))}{2 + max(1, len(matrix.code_list))}"


def _cooccurrence_sheet(wb, matrix: FrameworkMatrix, styles: _Styles) -> None:
    codes = matrix.codes
    ws = _new_sheet(wb, "Co-occurrence", freeze="B3", rows=5 + 2 * len(codes), columns=1 + len(codes))
    ws.column_dimensions["A"].width = 18
    for i in range(len(codes)):
        ws.column_dimensions[_letter(2 + i)].width = WIDTH["count"]
    for table, heading in (
        (matrix.cooccurrence, "Segments coded with both codes (diagonal: segments with the code)"),
        (matrix.case_cooccurrence, "Cases with both codes (diagonal: cases with the code)"),
    ):
        ws.append([_cell(ws, heading, font=styles.title)])
        ws.append([_cell(ws, "Code", font=styles.header_font, fill=styles.header_fill, border=styles.border)]
                  + [_cell(ws, c, font=styles.header_font, fill=styles.header_fill, alignment=styles.rotated,
                           border=styles.border) for c in codes])
        maximum = float(table.values.max()) if table.size else 0.0
        for code in codes:
            row = [_cell(ws, code, font=styles.bold, border=styles.border)]
            for other in codes:
                value = int(table.loc[code, other])
                row.append(_cell(ws, value, alignment=styles.centre, border=styles.border,
                                 fill=_shade(value, maximum, styles),
                                 font=styles.bold if code == other else None))
            ws.append(row)
        ws.append([])


def _quotes_sheet(wb, matrix: FrameworkMatrix, styles: _Styles) -> None:
    """Every quote, one per row. The sheet is laid out by openpyxl with one template row; its
    tens of thousands of rows are spliced in as XML after saving (see ``_splice_rows``),
    because openpyxl's per-cell cost made this sheet most of the matrix stage's time."""
    attributes = matrix.attributes
    columns = [(CASE_HEADER, WIDTH["case"])]
    columns += [(ATTRIBUTE_LABELS.get(a, a), 8 if a == "role" else WIDTH["attribute"]) for a in attributes]
    columns += [("Theme", 10), ("Code", 18), ("Code name", 24), ("Reference", 24), ("Speaker", 14),
                ("Score", 7), ("Status", 10), ("Quote", 90)]
    q = matrix.quotes
    ws = _new_sheet(wb, QUOTES_SHEET, freeze="B2", rows=1 + len(q), columns=len(columns))
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[_letter(i)].width = width
    ws.append([_cell(ws, name, font=styles.header_font, fill=styles.header_fill, border=styles.border)
               for name, _ in columns])
    template = [_cell(ws, ROWS_MARKER)] + [None] * (len(columns) - 2) + [_cell(ws, "-", alignment=styles.wrap)]
    ws.append(template)
    ws.auto_filter.ref = f"A1:{_letter(len(columns))}{max(2, len(q) + 1)}"

    cases = matrix.cases
    quote_width = columns[-1][1]
    attribute_values = [q["case"].map(cases[a]).fillna("").tolist() for a in attributes]
    scores = [None if _na(v) else round(float(v), 3) for v in q["score"].tolist()]
    texts = []
    for text in q["text"].tolist():
        if len(text) > EXCEL_CELL_LIMIT:
            head = shorten(text, EXCEL_CELL_LIMIT - 200)
            text = f"{head} [{len(text) - len(head) + 1} more characters: see the transcript]"
        texts.append(text)
    fields = [q["case"].tolist(), *attribute_values, q["theme"].tolist(), q["code"].tolist(),
              q["code_name"].tolist(), q["reference"].tolist(), q["speaker"].tolist(), scores,
              q["status"].tolist(), texts]
    columns_xml = [_cell_fragments(values) for values in fields]
    letters = [_letter(i) for i in range(1, len(columns) + 1)]
    heights = [_height([(text, quote_width)]) for text in texts]

    def rows(quote_style: str) -> Iterator[str]:
        styles_ = [""] * (len(letters) - 1) + [f' s="{quote_style}"' if quote_style else ""]
        for i, row in enumerate(zip(*columns_xml)):
            r = i + 2
            cells = "".join(f'<c r="{letter}{r}"{style}{fragment}</c>'
                            for letter, style, fragment in zip(letters, styles_, row) if fragment)
            yield f'<row r="{r}" ht="{heights[i]:g}" customHeight="1">{cells}</row>'

    wb.__dict__.setdefault("_qual_splices", []).append((ROWS_MARKER, rows))


_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;",
                           **{chr(c): " " for c in (*range(0, 9), 11, 12, *range(14, 32))}})


def _cell_fragments(values: list[Any]) -> list[str]:
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


def _splice_rows(path: Path, splices: list[tuple[str, Callable[[str], Iterator[str]]]]) -> None:
    """Replace each sheet's template row (the one holding its marker) by the rows it renders,
    styled like the template's last cell. Rewrites the saved package in place."""
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
        styles = re.findall(rb' s="(\d+)"', data[start:end])
        quote_style = styles[-1].decode() if styles else ""
        parts[name] = data[:start] + "".join(render(quote_style)).encode("utf-8") + data[end:]
    # Level 1: several times faster than the default for a few per cent more bytes.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in infos:
            target.writestr(info.filename, parts[info.filename])


def _na(value: Any) -> bool:
    try:
        import pandas as pd

        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _codebook_sheet(wb, matrix: FrameworkMatrix, styles: _Styles) -> None:
    ws = _new_sheet(wb, CODEBOOK_SHEET, freeze="C2", rows=1 + len(matrix.code_list), columns=8)
    columns = [("Theme id", 10), ("Theme", 24), ("Code id", 18), ("Code", 26), ("Definition", 50),
               ("Include", 40), ("Exclude", 30), ("Keywords", 40)]
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[_letter(i)].width = width
    ws.append([_cell(ws, name, font=styles.header_font, fill=styles.header_fill, border=styles.border)
               for name, _ in columns])
    themes = {t.id: t for t in matrix.theme_list}
    for i, code in enumerate(matrix.code_list, 2):
        theme = themes.get(code.theme)
        values = [code.theme, theme.name if theme else "", code.id, code.name, code.definition, code.include,
                  code.exclude, "; ".join(code.keywords)]
        ws.row_dimensions[i].height = _height(zip(values, [w for _, w in columns]), cap=120)
        ws.append([_cell(ws, v or None, alignment=styles.wrap, border=styles.border) for v in values])
    ws.auto_filter.ref = f"A1:H{max(2, len(matrix.code_list) + 1)}"


def _provenance_sheet(wb, matrix: FrameworkMatrix, extra: dict[str, Any], styles: _Styles) -> None:
    rows = provenance_rows(matrix, extra)
    ws = _new_sheet(wb, "Provenance", freeze="A2", rows=1 + len(rows), columns=2)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 110
    ws.append([_cell(ws, "Item", font=styles.header_font, fill=styles.header_fill),
               _cell(ws, "Value", font=styles.header_font, fill=styles.header_fill)])
    for label, value in rows:
        date_format = "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime.datetime) else None
        ws.append([_cell(ws, label, font=styles.bold),
                   _cell(ws, value, alignment=styles.wrap, number_format=date_format)])


def _orphan_sheet(wb, orphans: Sequence[Summary], styles: _Styles) -> None:
    ws = _new_sheet(wb, ORPHAN_SHEET, freeze="C3", rows=2 + len(orphans), columns=len(ORPHAN_COLUMNS))
    ws.sheet_properties.tabColor = "C00000"
    for i, width in enumerate((12, 18, 60, 24, 12, 18, 36), 1):
        ws.column_dimensions[_letter(i)].width = width
    ws.append([_cell(ws, "Summaries whose case or code is no longer in the matrix. They are kept here, "
                     "and move back into the matrix when their case and code return.", font=styles.bold)])
    ws.append([_cell(ws, c, font=styles.header_font, fill=styles.header_fill, border=styles.border)
               for c in ORPHAN_COLUMNS])
    for i, s in enumerate(orphans, 3):
        ws.row_dimensions[i].height = _height([(s.value, 60)])
        ws.append([_cell(ws, s.case), _cell(ws, s.code),
                   _cell(ws, s.value, alignment=styles.wrap, fill=styles.orphan_fill, as_text=False),
                   _cell(ws, s.sheet), _cell(ws, s.cell), _cell(ws, s.orphaned_since), _cell(ws, s.reason)])


# --------------------------------------------------------------------------- writing


def lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open workbook."""
    for candidate in (path.parent / f"~${path.name}", path.parent / f".~lock.{path.name}#"):
        if candidate.exists():
            return candidate
    return None


def _is_qual_workbook(path: Path) -> bool:
    """Whether ``path`` looks like a workbook written by qual (it has a Provenance sheet)."""
    from ..errors import InputFileError
    from ..files import open_zip, parse_xml, read_member

    try:
        with open_zip(path) as archive:
            root = parse_xml(read_member(archive, "xl/workbook.xml", path), path, "xl/workbook.xml")
    except (InputFileError, KeyError):
        return False
    return any(el.get("name") == "Provenance" for el in root.iter("{*}sheet"))


def check_workbook_target(path: str | Path) -> None:
    """Refuse, before any work is done, a target that cannot or must not be replaced: a name
    not ending in .xlsx, a workbook open in Excel or LibreOffice, or a file of that name that
    ``qual matrix`` did not write (it may be someone's work)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise QualError(f"{path}: the framework matrix is an Excel workbook; give a name ending in .xlsx")
    lock = lock_file(path)
    if lock is not None:
        raise QualError(f"{path}: the workbook is open in Excel or LibreOffice (lock file {lock.name}); "
                        "close it and run again (or delete the lock file if nothing has it open)")
    if path.exists() and not _is_qual_workbook(path):
        raise QualError(f"{path}: exists and was not written by 'qual matrix'; "
                        "give another --out or move it away, so nothing in it is lost")


def write_matrix_workbook(
    matrix: FrameworkMatrix,
    path: str | Path,
    *,
    existing: str | Path | bool | None = None,
    provenance: dict[str, Any] | None = None,
    backup: bool = True,
) -> WriteReport:
    """Write ``matrix`` to ``path`` (atomically), keeping the summaries of ``existing``.

    ``existing``: the workbook whose summaries are carried over; by default ``path`` itself
    when it exists; ``False`` starts afresh. Summaries are matched by (case, code); those with
    no row or column are listed in the report and kept on the Orphaned summaries sheet.
    With ``backup``, a workbook being replaced that held summaries is first copied to
    ``<name>.previous.xlsx``.
    """
    from openpyxl import Workbook

    path = Path(path)
    check_workbook_target(path)
    source: Path | None
    if existing is False:
        source = None
    elif existing is None or existing is True:
        source = path if path.exists() else None
    else:
        source = Path(existing)
    old = read_summary_list(source) if source is not None else []

    valid: set[tuple[str, str]] = set()
    case_labels = set(matrix.cases.index) | {group_label(g) for g in matrix.groups}
    for theme in matrix.theme_list:
        for code in matrix.codes_of(theme.id):
            valid.update((case, code.id) for case in case_labels)
    placement = place_summaries(old, valid, case_labels, set(matrix.codes))

    styles = _Styles()
    workbook = Workbook(write_only=True)
    taken = {name.lower() for name in (*OVERVIEW_SHEETS, ORPHAN_SHEET)}
    sheets: list[str] = []
    truncated = 0
    for theme in matrix.theme_list:
        title = _sheet_title(f"{theme.id} {theme.name}" if theme.name != theme.id else theme.id, taken)
        truncated += _theme_sheet(workbook, title, matrix, theme, placement.placed, styles)
        sheets.append(title)
    if placement.orphaned:
        _orphan_sheet(workbook, placement.orphaned, styles)
        sheets.append(ORPHAN_SHEET)
    _case_table(workbook, "Counts (segments)", "Coded segments per case and code", matrix, styles, yes_no=False)
    _case_table(workbook, "Counts (yes-no)", "Does the case have the code? (group rows: cases with it)",
                matrix, styles, yes_no=True)
    _role_sheet(workbook, matrix, styles)
    _cooccurrence_sheet(workbook, matrix, styles)
    _quotes_sheet(workbook, matrix, styles)
    _codebook_sheet(workbook, matrix, styles)
    extra = dict(provenance or {})
    extra["Summaries carried over"] = f"{len(placement.placed)} placed, {len(placement.orphaned)} orphaned"
    _provenance_sheet(workbook, matrix, extra, styles)
    sheets += list(OVERVIEW_SHEETS)

    backup_path = None
    if backup and old and path.exists():
        backup_path = path.with_name(f"{path.stem}.previous{path.suffix}")
        with atomic_path(backup_path) as tmp:
            shutil.copyfile(path, tmp)
    try:
        with atomic_path(path) as tmp:
            workbook.save(tmp)
            _splice_rows(tmp, workbook.__dict__.get("_qual_splices", []))
    except PermissionError:
        raise QualError(f"{path}: cannot be replaced (permission denied; is it open in Excel?); "
                        "close it and run again") from None
    for summary in placement.orphaned:
        log.warning("orphaned summary: %s / %s (%s)", summary.case, summary.code, summary.reason)
    return WriteReport(
        path=path, sheets=sheets, summaries_kept=len(placement.placed), orphaned=placement.orphaned,
        restored=placement.restored, truncated_cells=truncated, backup=backup_path,
        summaries={key: s.value for key, s in placement.placed.items()},
    )
