"""Command-line interface: ``qual <command>``. Each module is a thin wrapper over the library."""

from __future__ import annotations

import typer

from .app import app, setup_logging


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"qual {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output (-vv for debug)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print qual's version and exit."),
) -> None:
    """Offline qualitative interview analysis: ingest -> de-identify -> code -> export."""
    setup_logging(verbose)


# Help lists commands in pipeline order; a module not named here is registered after these.
PIPELINE_ORDER = ("ingest", "deid", "check", "code", "codebook", "agreement", "matrix", "refi", "run",
                  "workspace")


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``; each imports its
    # library code lazily so that ``qual --help`` stays fast.
    import importlib
    import pkgutil

    present = {module.name for module in pkgutil.iter_modules(__path__)} - {"app"}
    for name in [*(n for n in PIPELINE_ORDER if n in present), *sorted(present - set(PIPELINE_ORDER))]:
        importlib.import_module(f"{__name__}.{name}")


def main() -> None:
    _register()
    try:
        app()
    except SystemExit as finished:
        _exit(finished.code)
    _exit(0)


def _exit(code) -> None:
    """End the process once the command has finished and its files are closed, without the
    interpreter's teardown, which frees every object one by one: half a second after a
    de-identification has loaded word lists and a model (a tenth of a 400-transcript run).
    Logs and the console are flushed first; every temporary folder, pool and cluster was
    closed by its own ``with`` block. Under coverage measurement, the usual exit."""
    import logging
    import os
    import sys

    if "coverage" in sys.modules:
        raise SystemExit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # as Python prints SystemExit("message")
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code)
