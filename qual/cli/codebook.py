"""``qual codebook validate|convert|show``: check, convert and look at codebooks."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .app import EXIT_FAILURES, EXIT_USAGE, command, console


class CodebookAction(str, Enum):
    validate = "validate"
    convert = "convert"
    show = "show"


@command("codebook")
def codebook(
    action: CodebookAction = typer.Argument(..., metavar="ACTION", help="validate FILE...; convert SOURCE TARGET; show FILE"),
    files: List[Path] = typer.Argument(..., metavar="FILE", help="Codebook file(s): .yaml/.yml, .xlsx, .csv, .qdc"),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="convert: the sheet of a spreadsheet to read"),
    column: List[str] = typer.Option(
        [], "--column", help="convert: FIELD=HEADER to say which column holds a field, e.g. "
        "--column 'name=Pattern Codes' (fields: id, name, definition, include, exclude, examples, "
        "keywords, theme, theme_description, colour)"),
    examples: bool = typer.Option(False, "--examples", help="show: list keywords and examples too"),
) -> None:
    """Validate, convert or show codebooks.

    \b
    qual codebook validate codebooks/swis_ipe.yaml      # names every problem; exit 1 if any file is invalid
    qual codebook convert codebooks/swis_ipe.yaml swis.xlsx   # YAML <-> xlsx <-> REFI-QDA .qdc
    qual codebook convert their_codebook.xlsx ours.yaml --sheet Codebook
    qual codebook show codebooks/swis_ipe.yaml --examples
    """
    from ..coding.codebook import load_codebook

    if action is CodebookAction.validate:
        failed = 0
        for path in files:
            try:
                book = load_codebook(path)
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
                from ..errors import QualError

                failed += 1
                message = str(error) if isinstance(error, QualError) else \
                    f"{path}: cannot be read ({type(error).__name__})"
                console.print(f"[red]invalid:[/red] {message}", markup=True, soft_wrap=True)
                continue
            typer.echo(f"ok: {path}: {len(book.themes)} themes, {len(book.codes)} codes")
        if failed:
            raise typer.Exit(EXIT_FAILURES)
        return

    if action is CodebookAction.convert:
        if len(files) != 2:
            console.print("[red]error:[/red] convert takes a SOURCE and a TARGET file", markup=True)
            raise typer.Exit(EXIT_USAGE)
        source, target = files
        book = _read_for_convert(source, sheet, column)
        from ..coding.codebook import assign_colours, save_codebook

        if source.resolve() == target.resolve():
            console.print("[red]error:[/red] SOURCE and TARGET are the same file; inputs are never "
                          "overwritten", markup=True)
            raise typer.Exit(EXIT_USAGE)
        assign_colours(book)
        save_codebook(book, target)
        typer.echo(f"wrote {target}: {len(book.themes)} themes, {len(book.codes)} codes")
        return

    if len(files) != 1:
        console.print("[red]error:[/red] show takes one codebook file", markup=True)
        raise typer.Exit(EXIT_USAGE)
    _show(load_codebook(files[0]), examples)


def _read_for_convert(source: Path, sheet: Optional[str], columns: List[str]):
    from ..coding.codebook import load_codebook
    from ..errors import QualError

    if not sheet and not columns:
        return load_codebook(source)
    from ..coding.codebook_xlsx import import_codebook_sheet

    mapping = {}
    for item in columns:
        field, _, header = item.partition("=")
        if not field.strip() or not header.strip():
            raise QualError(f"--column {item!r}: write FIELD=HEADER, e.g. 'definition=Code description'")
        mapping[field.strip().lower()] = header.strip()
    return import_codebook_sheet(source, sheet=sheet, columns=mapping or None)


def _show(book, examples: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = Console(highlight=False)
    title = f"{book.name}" + (f" (version {book.version})" if book.version else "")
    table = Table(title=Text(f"{title}: {len(book.themes)} themes, {len(book.codes)} codes"),
                  title_justify="left", show_lines=examples)
    table.add_column("code")
    table.add_column("name")
    table.add_column("keywords" if examples else "kw", justify="left" if examples else "right")
    table.add_column("examples" if examples else "ex", justify="left" if examples else "right")
    for theme in book.themes:
        table.add_row(Text(theme.id, style="bold"), Text(theme.name, style="bold"), "", "")
        for code in book.codes_of(theme.id):
            if examples:
                table.add_row(Text(code.id), Text(code.name), Text("; ".join(code.keywords)),
                              Text("\n".join(code.examples)))
            else:
                table.add_row(Text(code.id), Text(code.name), str(len(code.keywords)), str(len(code.examples)))
    out.print(table)
