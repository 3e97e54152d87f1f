"""Codebook files: ``load_codebook`` / ``save_codebook`` pick the format from the extension.

    .yaml .yml   the canonical form (``qual.model.codebook``)
    .xlsx .xlsm  our spreadsheet layout, or a sheet of another shape (``qual.coding.codebook_xlsx``)
    .csv .tsv    a table of codes of any usual shape (``import_codebook_sheet``)
    .qdc .qdpx   REFI-QDA (``qual.refi``)

The model itself (``Codebook``, ``Theme``, ``Code``, validation, YAML) lives in
``qual.model.codebook`` and is re-exported here, so ``from qual.coding.codebook import Codebook``
keeps working. This module sits above every format (REFI-QDA included) so that none of them
has to import the others: the formats import the model, never this module.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError, QualError
from ..model.codebook import (  # re-exported: the codebook's public names (see __all__)
    CODE_FIELDS, COLOUR_RE, FIELD_ALIASES, OTHER_THEME, THEME_FIELDS, THEME_PALETTE, TOP_FIELDS, YAML_HEADER,
    Code, Codebook, CodebookError, Theme, assign_colours, codebook_from_dict, codebook_problems, codebook_to_dict,
    codebook_to_yaml, normalise_colour, read_codebook_yaml, split_list, validate_codebook, write_codebook_yaml,
)

__all__ = [
    "CODE_FIELDS", "COLOUR_RE", "FIELD_ALIASES", "OTHER_THEME", "THEME_FIELDS", "THEME_PALETTE", "TOP_FIELDS",
    "YAML_HEADER", "Code", "Codebook", "CodebookError", "Theme", "assign_colours", "codebook_from_dict",
    "codebook_problems", "codebook_to_dict", "codebook_to_yaml", "import_codebook_sheet", "load_codebook",
    "normalise_colour", "read_codebook_yaml", "save_codebook", "split_list", "validate_codebook",
    "write_codebook_yaml",
]

YAML_SUFFIXES = {".yaml", ".yml"}
SHEET_SUFFIXES = {".xlsx", ".xlsm"}
TABLE_SUFFIXES = {".csv", ".tsv"}
REFI_SUFFIXES = {".qdc", ".qdpx"}


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook from .yaml/.yml, .xlsx (our layout, or another shape via
    ``import_codebook_sheet``), .csv (code, description...) or REFI-QDA .qdc/.qdpx.

    Raises ``InputFileError`` (``CodebookError`` for content problems) naming the file.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "does not exist", "check the path of the codebook")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a codebook file")
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return read_codebook_yaml(path)
    if suffix in SHEET_SUFFIXES:
        from .codebook_xlsx import read_codebook_xlsx

        return read_codebook_xlsx(path)
    if suffix in TABLE_SUFFIXES:
        return import_codebook_sheet(path)
    if suffix == ".qdc":
        from ..refi.importer import read_qdc

        return read_qdc(path)
    if suffix == ".qdpx":
        from ..refi.importer import read_project

        return read_project(path).codebook
    raise InputFileError(path, f"has an unknown codebook format '{suffix or '(none)'}'",
                         "use .yaml, .xlsx, .csv, .qdc or .qdpx")


def import_codebook_sheet(path: str | Path, **options) -> Codebook:
    """A codebook from a spreadsheet of another shape; see ``codebook_xlsx.import_codebook_sheet``."""
    from .codebook_xlsx import import_codebook_sheet as import_sheet

    return import_sheet(path, **options)


def save_codebook(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` atomically as .yaml/.yml, .xlsx or REFI-QDA .qdc (by extension).

    The codebook is validated first, so that no unusable file is written.
    """
    path = Path(path)
    validate_codebook(codebook, path)
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        write_codebook_yaml(codebook, path)
    elif suffix in SHEET_SUFFIXES:
        from .codebook_xlsx import write_codebook_xlsx

        write_codebook_xlsx(codebook, path)
    elif suffix == ".qdc":
        from ..refi.qdc import write_qdc

        write_qdc(codebook, path)
    else:
        raise QualError(f"{path}: cannot save a codebook as '{suffix or '(none)'}'; use .yaml, .xlsx or .qdc")
    return path
