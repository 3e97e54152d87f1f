"""Codebooks in spreadsheets: our own round-trip layout, and other people's codebook sheets.

Our layout (``write_codebook_xlsx`` / ``read_codebook_xlsx``), for researchers who edit a
codebook in Excel or LibreOffice:

- sheet **Codes**, one row per code: theme id, theme name, code id, code name, definition,
  include, exclude, keywords (one per line or ``;``-separated), examples (one per line), colour;
- sheet **Themes**: theme id, name, description, colour;
- sheet **Codebook**: name, version, description (field / value rows).

``import_codebook_sheet`` reads spreadsheets of other shapes (.xlsx, .csv, .tsv): it finds
the sheet and header row that look like a codebook and maps columns by their header names
(code/name, definition/description, inclusion criteria, exclusion criteria, examples,
theme/category/parent, keywords, colour). Codes without a theme column go under one theme,
``CODES``; a code listed more than once (e.g. under several perspectives) is merged.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..errors import InputFileError
from ..model.codebook import (
    Code, Codebook, CodebookError, Theme, _did_you_mean, _text, assign_colours, codebook_from_dict,
    split_list, validate_codebook,
)

log = logging.getLogger("qual.coding.codebook_xlsx")

CODES_SHEET, THEMES_SHEET, INFO_SHEET = "Codes", "Themes", "Codebook"
CODES_HEADERS = ("theme id", "theme name", "code id", "code name", "definition", "include",
                 "exclude", "keywords", "examples", "colour")
THEMES_HEADERS = ("theme id", "name", "description", "colour")
INFO_FIELDS = ("name", "version", "description")
COLUMN_WIDTHS = {"theme id": 10, "theme name": 24, "code id": 18, "code name": 28, "definition": 50,
                 "include": 50, "exclude": 36, "keywords": 40, "examples": 60, "colour": 10,
                 "name": 32, "description": 70}
EXCEL_CELL_LIMIT = 32_767
# Sheet XML a codebook or a coder's table (tens of thousands of codings) can reach: openpyxl
# holds every cell of the workbook in memory here, ~1 KB each.
MAX_TABLE_SHEET_BYTES = 16 * 2**20

FLAT_THEME_ID = "CODES"
FLAT_THEME_NAME = "Codes"


# --------------------------------------------------------------------------- writing


def write_codebook_xlsx(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` in our layout, atomically: wrapped text, frozen headers, widths,
    a theme drop-down on the Codes sheet and each colour cell filled with its colour."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..files import atomic_path

    path = Path(path)
    theme_names = {t.id: t.name for t in codebook.themes}
    workbook = Workbook()
    codes_sheet = workbook.active
    codes_sheet.title = CODES_SHEET
    themes_sheet = workbook.create_sheet(THEMES_SHEET)
    info_sheet = workbook.create_sheet(INFO_SHEET)

    code_rows = [
        [c.theme, theme_names.get(c.theme, ""), c.id, c.name, c.definition, c.include, c.exclude,
         "\n".join(c.keywords), "\n".join(c.examples), c.colour]
        for c in codebook.codes
    ]
    theme_rows = [[t.id, t.name, t.description, t.colour] for t in codebook.themes]
    info_rows = [["name", codebook.name], ["version", codebook.version],
                 ["description", codebook.description]]

    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for sheet, headers, rows in ((codes_sheet, CODES_HEADERS, code_rows),
                                 (themes_sheet, THEMES_HEADERS, theme_rows),
                                 (info_sheet, ("field", "value"), info_rows)):
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = bold
        for row_number, row in enumerate(rows, 2):
            for column, value in enumerate(row, 1):
                cell = sheet.cell(row=row_number, column=column)
                _set_text(cell, value, path, sheet.title)
                cell.alignment = wrap
        for column, header in enumerate(headers, 1):
            letter = sheet.cell(row=1, column=column).column_letter
            sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(header, 16)
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = sheet.dimensions
    info_sheet.column_dimensions["B"].width = 90

    for sheet, colour_column in ((codes_sheet, len(CODES_HEADERS)), (themes_sheet, len(THEMES_HEADERS))):
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row=row, column=colour_column)
            if cell.value and re.fullmatch(r"#[0-9A-F]{6}", str(cell.value)):
                cell.fill = PatternFill("solid", fgColor="FF" + str(cell.value)[1:])

    if codebook.themes:
        # A drop-down of theme ids keeps hand-typed theme ids valid.
        choice = DataValidation(type="list", formula1=f"={THEMES_SHEET}!$A$2:$A${len(theme_rows) + 1}",
                                allow_blank=False, showErrorMessage=True,
                                errorTitle="Unknown theme", error="Choose a theme id from the Themes sheet")
        codes_sheet.add_data_validation(choice)
        choice.add(f"A2:A{max(len(code_rows) + 200, 2)}")

    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return path


def _set_text(cell, value: Any, path: Path, sheet: str) -> None:
    text = _text(value)
    if len(text) > EXCEL_CELL_LIMIT:
        raise InputFileError(path, f"a cell of sheet {sheet} would hold {len(text)} characters, more "
                             f"than Excel's {EXCEL_CELL_LIMIT}", "shorten that field of the codebook")
    if ILLEGAL_CHARACTERS_RE.search(text):
        # Control characters (pasted from PDFs) cannot be stored in .xlsx XML.
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        log.warning("%s: removed control characters from a cell of sheet %s", path.name, sheet)
    cell.value = text
    # openpyxl would store text starting with '=' as a formula; codebook text is never one.
    cell.data_type = "s"


# --------------------------------------------------------------------------- reading


def _load_workbook(path: Path):
    from openpyxl import load_workbook

    from ..files import guard_document, vet_workbook

    # Refuse bombs, and sheets too large for a codebook or a coder's table, before openpyxl
    # loads every cell into memory (a million-row sheet would take minutes and gigabytes).
    vet_workbook(path, max_sheet_bytes=MAX_TABLE_SHEET_BYTES, what="workbook")
    return guard_document(lambda: load_workbook(path, data_only=True), path)


def _norm_header(value: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _text(value).lower()).split())


def _sheet_rows(sheet) -> list[list[Any]]:
    """All cell values, with each merged range's value copied down its first column.

    Codebook authors merge a definition over the several codes it covers; a range merged
    across columns keeps its value in the first column only.
    """
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(row=merged.min_row, column=merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            if row - 1 < len(rows) and merged.min_col - 1 < len(rows[row - 1]):
                rows[row - 1][merged.min_col - 1] = value
    return rows


def read_codebook_xlsx(path: str | Path) -> Codebook:
    """Read a workbook in our layout; any other workbook goes to ``import_codebook_sheet``."""
    path = Path(path)
    workbook = _load_workbook(path)
    if CODES_SHEET not in workbook.sheetnames or not _is_our_layout(workbook[CODES_SHEET]):
        return import_codebook_sheet(path, workbook=workbook)
    problems: list[str] = []

    codes_rows = _sheet_rows(workbook[CODES_SHEET])
    code_columns = _strict_columns(codes_rows[0], CODES_HEADERS, CODES_SHEET, problems)
    themes: dict[str, dict[str, Any]] = {}
    if THEMES_SHEET in workbook.sheetnames:
        theme_rows = _sheet_rows(workbook[THEMES_SHEET])
        if theme_rows:
            theme_columns = _strict_columns(theme_rows[0], THEMES_HEADERS, THEMES_SHEET, problems)
            for number, row in enumerate(theme_rows[1:], 2):
                values = {field: _cell(row, index) for field, index in theme_columns.items()}
                if not any(values.values()):
                    continue
                if not values.get("theme id"):
                    problems.append(f"{THEMES_SHEET} row {number} has no theme id")
                    continue
                if values["theme id"] in themes:
                    problems.append(f"duplicate theme id '{values['theme id']}' ({THEMES_SHEET} row {number})")
                    continue
                themes[values["theme id"]] = {"id": values["theme id"], "name": values.get("name", ""),
                                              "description": values.get("description", ""),
                                              "colour": values.get("colour", "")}
    codes = []
    for number, row in enumerate(codes_rows[1:], 2):
        values = {field: _cell(row, index) for field, index in code_columns.items()}
        if not any(values.values()):
            continue
        if not values.get("code id"):
            problems.append(f"{CODES_SHEET} row {number} has no code id")
            continue
        theme_id = values.get("theme id", "")
        known_names = {_norm_header(t.get("name")) for t in themes.values()}
        if (theme_id and theme_id not in themes and values.get("theme name")
                and _norm_header(values["theme name"]) not in known_names):
            # A new theme typed straight into the Codes sheet (an existing theme's name with
            # an unknown id is a typo in the id, reported by validation).
            themes[theme_id] = {"id": theme_id, "name": values["theme name"]}
        codes.append({"id": values["code id"], "name": values.get("code name", ""), "theme": theme_id,
                      "definition": values.get("definition", ""), "include": values.get("include", ""),
                      "exclude": values.get("exclude", ""), "keywords": values.get("keywords", ""),
                      "examples": values.get("examples", ""), "colour": values.get("colour", "")})
    info: dict[str, str] = {}
    if INFO_SHEET in workbook.sheetnames:
        for row in _sheet_rows(workbook[INFO_SHEET])[1:]:
            key = _norm_header(_cell(row, 0))
            if key in INFO_FIELDS:
                info[key] = _cell(row, 1)
    data = {"name": info.get("name") or path.stem, "version": info.get("version", ""),
            "description": info.get("description", ""), "themes": list(themes.values()), "codes": codes}
    try:
        codebook = codebook_from_dict(data, path)
    except CodebookError as error:
        problems.extend(error.problems)
    if problems:
        raise CodebookError(path, list(dict.fromkeys(problems)))
    return codebook


def _is_our_layout(sheet) -> bool:
    header = {_norm_header(v) for v in next(sheet.iter_rows(max_row=1, values_only=True), ())}
    return {"code id", "theme id"} <= header


def _strict_columns(header_row: list[Any], allowed: tuple[str, ...], sheet: str,
                    problems: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, raw in enumerate(header_row):
        header = _norm_header(raw)
        if header == "color":
            header = "colour"
        if not header:
            continue
        if header not in allowed:
            problems.append(f"unknown column '{_text(raw)}' in sheet {sheet}{_did_you_mean(header, allowed)}")
        elif header in columns:
            problems.append(f"column '{header}' appears twice in sheet {sheet}")
        else:
            columns[header] = index
    return columns


def _cell(row: list[Any], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return _text(row[index])


# --------------------------------------------------------------------------- other shapes

# Header names, normalised (lower case, punctuation as spaces), that name each field exactly.
EXACT_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "code id", "code no", "code number", "code ref", "identifier", "short code", "abbreviation"),
    "name": ("code", "code name", "name", "label", "code label", "title", "node", "node name", "codes"),
    "definition": ("definition", "description", "description definition", "definition description",
                   "code definition", "code description", "meaning", "explanation", "memo"),
    "include": ("include", "inclusion", "inclusion criteria", "inclusions", "when to use", "when to apply",
                "include when", "criteria"),
    "exclude": ("exclude", "exclusion", "exclusion criteria", "exclusions", "when not to use",
                "do not use when", "exclude when"),
    "examples": ("examples", "example", "typical examples", "typical example", "atypical examples",
                 "example quotes", "examples of use", "quotes", "example quote"),
    "theme": ("theme", "theme id", "theme name", "category", "parent", "parent code", "group",
              "code group", "main theme", "parent node", "pattern code", "pattern codes", "family"),
    "keywords": ("keywords", "keyword", "key words", "search terms", "terms"),
    "colour": ("colour", "color"),
}
# Then looser patterns, tried in this order; a column is used once. Long headers such as
# "Why this code is relevant to RQ1?" are questions, not field names.
LOOSE_HEADERS: tuple[tuple[str, str], ...] = (
    ("definition", r"\b(definition|description|meaning)\b"),
    ("include", r"\binclu"),
    ("exclude", r"\bexclu"),
    ("examples", r"\bexamples?\b"),
    ("keywords", r"\bkey ?words?\b"),
    ("theme", r"\b(theme|category|categories|parent|pattern)\b"),
    ("colour", r"\bcolou?r\b"),
    ("name", r"\b(codes?|name|label)\b"),
)
MAX_HEADER_WORDS = 6
MULTI_COLUMN_FIELDS = {"examples"}
# Cells that say there is no example are not examples.
NOT_AN_EXAMPLE = re.compile(r"^\W*(there (is|are|were) no|no (a)?typical|not applicable|n/?a\b|none\b|"
                            r"see row|-+$)", re.IGNORECASE)


def map_columns(headers: list[Any], overrides: dict[str, str] | None = None) -> dict[str, list[int]]:
    """Field -> column indexes, from header names (``overrides`` maps field -> header text)."""
    normalised = [_norm_header(h) for h in headers]
    mapping: dict[str, list[int]] = {}
    used: set[int] = set()
    for field, header in (overrides or {}).items():
        wanted = _norm_header(header)
        if wanted not in normalised:
            raise ValueError(f"no column named '{header}'")
        index = normalised.index(wanted)
        mapping.setdefault(field, []).append(index)
        used.add(index)
    overridden = set(mapping)
    for field, names in EXACT_HEADERS.items():
        if field in overridden:
            continue
        for index, header in enumerate(normalised):
            if index not in used and header in names:
                if field in mapping and field not in MULTI_COLUMN_FIELDS:
                    continue
                mapping.setdefault(field, []).append(index)
                used.add(index)
    for field, pattern in LOOSE_HEADERS:
        if field in overridden or (field in mapping and field not in MULTI_COLUMN_FIELDS):
            continue
        for index, header in enumerate(normalised):
            if index in used or not header or len(header.split()) > MAX_HEADER_WORDS:
                continue
            if re.search(pattern, header):
                mapping.setdefault(field, []).append(index)
                used.add(index)
                if field not in MULTI_COLUMN_FIELDS:
                    break
    # "Description of the pattern code" describes the theme, not the code.
    if "theme" in mapping and "definition" in mapping and "definition" not in overridden:
        theme_words = normalised[mapping["theme"][0]].rstrip("s")
        for index in list(mapping["definition"]):
            if theme_words and theme_words in normalised[index] and theme_words not in {"code", "name"}:
                mapping["definition"].remove(index)
                mapping.setdefault("theme_description", []).append(index)
        if not mapping["definition"]:
            del mapping["definition"]
    return mapping


def _header_score(row: list[Any]) -> int:
    mapping = map_columns(row)
    if "name" not in mapping and "id" not in mapping:
        return 0
    return sum(len(v) for v in mapping.values())


def _find_header(rows: list[list[Any]], scan: int = 30) -> tuple[int, int]:
    """(row index, score) of the likeliest header row among the first ``scan`` rows."""
    best = (-1, 0)
    for index, row in enumerate(rows[:scan]):
        score = _header_score(row)
        if score > best[1]:
            best = (index, score)
    return best


def _read_table(path: Path) -> list[list[Any]]:
    import csv
    import io

    raw = path.read_bytes()
    text = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # pragma: no cover - cp1252 decodes almost anything
        raise InputFileError(path, "is neither UTF-8 nor Windows-1252 text", "save it as UTF-8 CSV")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def import_codebook_sheet(
    path: str | Path,
    *,
    sheet: str | None = None,
    columns: dict[str, str] | None = None,
    name: str | None = None,
    workbook=None,
) -> Codebook:
    """A codebook from a spreadsheet of another shape (.xlsx, .csv, .tsv).

    ``sheet``: which sheet (default: one named like "codebook", else the one whose header
    row looks most like a codebook). ``columns`` overrides the header mapping, field ->
    header text, e.g. ``{"name": "Pattern Codes", "definition": "Description/Definition of
    the Pattern Code"}``; fields are id, name, definition, include, exclude, examples,
    keywords, theme, theme_description, colour. Rows without a code name are skipped.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "does not exist", "check the path of the codebook")
    if path.suffix.lower() in {".csv", ".tsv", ".txt"}:
        candidates = [(path.stem, _read_table(path))]
    else:
        workbook = workbook or _load_workbook(path)
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise InputFileError(path, f"has no sheet '{sheet}'{_did_you_mean(sheet, workbook.sheetnames)}")
            names = [sheet]
        else:
            names = workbook.sheetnames
        candidates = [(n, _sheet_rows(workbook[n])) for n in names]

    best: tuple[int, str, list[list[Any]], int] | None = None
    for sheet_name, rows in candidates:
        header_index, score = _find_header(rows)
        if columns:
            header_index, score = next(
                ((i, 100) for i, row in enumerate(rows[:30]) if _has_headers(row, columns.values())),
                (-1, 0))
        if score <= 0:
            continue
        preferred = "codebook" in sheet_name.lower() or "code book" in sheet_name.lower()
        key = score + (1000 if preferred else 0)
        if best is None or key > best[0]:
            best = (key, sheet_name, rows, header_index)
    if best is None:
        wanted = f"the columns {', '.join(columns.values())}" if columns else \
            "a header row with a code (or name) column"
        raise InputFileError(path, f"no sheet has {wanted}",
                             "name the columns e.g. 'code', 'definition', 'inclusion criteria', 'examples'")
    _, sheet_name, rows, header_index = best
    try:
        mapping = map_columns(rows[header_index], columns)
    except ValueError as error:
        raise InputFileError(path, f"sheet {sheet_name}: {error}") from None
    unused = [_text(h) for i, h in enumerate(rows[header_index])
              if _text(h) and all(i not in v for v in mapping.values())]
    if unused:
        log.info("%s: sheet %s: %d column(s) not used", path.name, sheet_name, len(unused))

    codebook = _codebook_from_rows(rows[header_index + 1:], mapping, name or path.stem,
                                   header_index + 2, path)
    assign_colours(codebook)
    return validate_codebook(codebook, path)


def _has_headers(row: list[Any], headers: Iterable[str]) -> bool:
    present = {_norm_header(v) for v in row}
    return all(_norm_header(h) in present for h in headers)


def _codebook_from_rows(rows: list[list[Any]], mapping: dict[str, list[int]], name: str,
                        first_row_number: int, path: Path) -> Codebook:
    def one(row: list[Any], field: str) -> str:
        return _cell(row, mapping[field][0]) if field in mapping else ""

    themes: dict[str, Theme] = {}
    codes: dict[str, Code] = {}
    merged = 0
    for row in rows:
        code_name = one(row, "name") or one(row, "id")
        if not code_name:
            continue
        code_id = one(row, "id") or code_name
        theme_name = one(row, "theme")
        theme_key = " ".join(theme_name.casefold().split()) or FLAT_THEME_ID
        if theme_key not in themes:
            themes[theme_key] = Theme(id=theme_name or FLAT_THEME_ID, name=theme_name or FLAT_THEME_NAME)
        theme = themes[theme_key]
        theme_id = theme.id
        if not theme.description and one(row, "theme_description"):
            theme.description = one(row, "theme_description")
        examples = [line for index in mapping.get("examples", [])
                    for line in split_list(_cell(row, index), separators="\n")
                    if not NOT_AN_EXAMPLE.match(line)]
        key = " ".join(code_id.casefold().split())  # "knowledge sharing" == "Knowledge sharing"
        if key in codes:
            merged += 1
            code = codes[key]
            for field in ("definition", "include", "exclude"):
                if not getattr(code, field) and one(row, field):
                    setattr(code, field, one(row, field))
            code.examples.extend(e for e in examples if e not in code.examples)
            code.keywords.extend(k for k in split_list(one(row, "keywords")) if k not in code.keywords)
            continue
        colour = one(row, "colour")
        codes[key] = Code(
            id=code_id, name=code_name if one(row, "name") else code_id, theme=theme_id,
            definition=one(row, "definition"), include=one(row, "include"), exclude=one(row, "exclude"),
            keywords=split_list(one(row, "keywords")), examples=list(dict.fromkeys(examples)),
            colour=colour if re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) else "",
        )
    if merged:
        log.info("%s: %d repeated code row(s) merged into their first occurrence", path.name, merged)
    if not codes:
        raise InputFileError(path, "the codebook sheet has a header but no codes under it")
    for code in codes.values():
        code.colour = code.colour.upper()
    return Codebook(name=name, themes=list(themes.values()), codes=list(codes.values()))
