"""The typer application and what every command shares: error handling that never prints
document text, progress bars on stderr, and exit codes.

Exit codes: 0 success; 1 the command ran but something failed or was found (a bad input
file in a batch, findings from ``qual check``); 2 usage error or unusable input.
"""

from __future__ import annotations

import functools
import logging
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import typer
from rich.console import Console

from ..errors import QualError

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2

# Tracebacks with local variables would print transcript text into CI logs.
app = typer.Typer(
    name="qual",
    help="Offline qualitative interview analysis: ingest, de-identify, code, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

console = Console(stderr=True, highlight=False)
log = logging.getLogger("qual")

F = TypeVar("F", bound=Callable)


def command(*args, **kwargs) -> Callable[[F], F]:
    """``@app.command`` whose failures become one line on stderr and an exit code.

    A ``QualError`` is the user's to act on and its message is printed. Any other
    exception is a bug; only its type is shown, since its message may quote text.
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            try:
                return fn(*a, **kw)
            except (typer.Exit, typer.Abort, SystemExit):
                raise
            except QualError as error:
                console.print(f"[red]error:[/red] {error}", markup=True, soft_wrap=True)
                raise typer.Exit(EXIT_USAGE) from None
            except KeyboardInterrupt:
                console.print("interrupted; no output was left half-written")
                raise typer.Exit(130) from None
            except Exception as error:  # noqa: BLE001
                console.print(
                    f"[red]error:[/red] internal error in 'qual {fn.__name__.replace('_', '-')}' "
                    f"({type(error).__name__}); please report it. The message is withheld because "
                    "it may quote transcript text.", markup=True, soft_wrap=True,
                )
                log.debug("internal error type %s", type(error).__name__)
                raise typer.Exit(EXIT_USAGE) from None

        return app.command(*args, **kwargs)(wrapper)

    return decorate


@contextmanager
def progress(description: str, total: int | None = None, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance(n=1)``. Silent when stderr is no terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not enabled or not sys.stderr.isatty():
        yield lambda n=1: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def setup_logging(verbose: int) -> None:
    """``-v``/``-vv`` turn up qual's own loggers only.

    qual's log lines carry counts and positions by rule; other libraries' debug output is not
    held to that rule (numba alone writes tens of KB per run, and a parser's debug line may
    quote its input), so they stay at WARNING however verbose qual is. A log call that fails
    to format must not print its arguments (logging's default), which could be text.
    """
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("qual").setLevel(level)
    logging.raiseExceptions = False
    warnings.showwarning = _show_warning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python warnings at the CLI boundary: where from and what kind, without the message.

    A library's warning about a cell or a paragraph may quote it (pandas, openpyxl and the
    date parsers do quote values), and Python would print it and the source line into the CI
    log. qual's own warnings follow the no-text rule and keep their message.
    """
    origin = Path(str(filename))
    own = "qual" in origin.parts and "site-packages" not in origin.parts
    text = str(message) if own else "message withheld: it may quote document text"
    log.warning("%s from %s line %s (%s)", getattr(category, "__name__", "Warning"), origin.name, lineno, text)
