"""``qual app PROJECT_DIR``: the coding workspace in the browser, a thin wrapper over ``qual.app``.

Prints the address to open (with its access token) and counts; never transcript text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import QualError
from .app import EXIT_FAILURES, EXIT_USAGE, command, console

INSTALL_HINT = "the workspace needs the 'app' extra: pip install 'qual[app]' (Starlette, uvicorn, Jinja2)"


def _print_notes(notes) -> None:
    for note in notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)


@command("app")
def app_command(
    project_dir: Path = typer.Argument(..., metavar="PROJECT_DIR", help="A folder written by 'qual run --out' or "
                                       "'qual code --out'."),
    port: Optional[int] = typer.Option(None, "--port", help="Port on 127.0.0.1 (default 8765, or any free one)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser; just print the address."),
    export: bool = typer.Option(False, "--export", help="Write codings.csv, codings.xlsx, framework.xlsx, report.docx "
                                "and project.qdpx from the workspace, and exit (no server)."),
) -> None:
    """Open the coding workspace of PROJECT_DIR in the browser (on 127.0.0.1 only).

    \b
    qual app out/                 # read, code, review and summarise; Ctrl-C to stop
    qual app out/ --export        # bring the files up to date with the workspace
    """
    from ..app import export_project, open_project, unexported_changes

    if port is not None and not 0 < port < 65536:
        raise QualError(f"--port {port}: give a port between 1 and 65535")
    project = open_project(project_dir)
    if project.created:
        documents = project.store.query("SELECT COUNT(*) AS n FROM documents")[0]["n"]
        console.print(f"workspace created: {project.store.path} ({documents} documents)", markup=False,
                      soft_wrap=True)
    _print_notes(project.notes)
    if export:
        result = export_project(project)
        _print_notes(result["notes"])
        for path in result["files"]:
            typer.echo(f"{path.name} -> {path}")
        return
    try:  # the web parts need the 'app' extra; the store and --export do not
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401

        from ..app.server import WorkspaceServer
    except ImportError:
        # printed here, not raised: the shared error printer reads "[app]" as a style tag
        console.print(f"error: {INSTALL_HINT}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    server = WorkspaceServer(project, port)
    typer.echo(f"qual app: open {server.url}   (only on this computer; Ctrl-C to stop)")
    if not no_browser:
        import threading
        import webbrowser

        threading.Timer(0.3, webbrowser.open, (server.url,)).start()
    server.run()
    pending = unexported_changes(project.store)
    if pending:
        console.print(f"exporting {pending} change(s) to the project's files ...", markup=False)
        try:
            export_project(project)
        except QualError as error:
            console.print(f"[red]error:[/red] {error}; the workspace keeps every change: run "
                          f"'qual app {project_dir} --export' later", markup=True, soft_wrap=True)
            raise typer.Exit(EXIT_FAILURES) from None
        console.print("files up to date", markup=False)
