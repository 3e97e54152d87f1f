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
from rich.markup import escape

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


@functools.lru_cache(maxsize=1)
def _path_masking():
    """The rules-only analyzer and the masker that hide names in the paths a console shows
    (one per process, made the first time a path is shown)."""
    from ..check.masking import Masker
    from ..deid.analyzer import Analyzer

    return Analyzer(ner=None), Masker()


def masked_path(path: str) -> str:
    """``path`` as a console shows it: any identifier in its names masked (a file name can hold
    a child's name); the same name gets the same mask throughout a run."""
    from ..check.masking import mask_path_identifiers

    return mask_path_identifiers(path, *_path_masking())


def failure_line(failure) -> str:
    """A failed input's line for the console, with any identifier in its path masked
    (``bad/#5c1d0e_interview.docx: not a valid ...``)."""
    if not getattr(failure, "path", ""):
        return str(failure)
    from ..check.masking import mask_failure

    return mask_failure(failure, *_path_masking())


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
                for failure in getattr(error, "failures", ()):  # each file that failed, with its reason
                    console.print(f"[red]error:[/red] {escape(failure_line(failure))}", markup=True,
                                  soft_wrap=True)
                console.print(f"[red]error:[/red] {escape(str(error))}", markup=True, soft_wrap=True)
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


@contextmanager
def step_progress(first: str = "starting", enabled: bool = True) -> Iterator[Callable[..., None]]:
    """A progress line on stderr for a task of several steps; yields ``step(description,
    done=0, total=None)``, which names the step ("embedding 1,024 of 2,400 segments") and
    moves its bar. Silent when stderr is no terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if not enabled or not sys.stderr.isatty():
        yield lambda *a, **k: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(first, total=None)

        def step(description: str, done: int = 0, total: int | None = None) -> None:
            bar.update(task, description=description, completed=done, total=total)

        yield step


class ConsoleHandler(logging.Handler):
    """Log lines printed through the rich console that draws the progress bars, so a warning
    appears above a bar instead of breaking it in two."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:  # noqa: BLE001 - a log call that fails to format must not print its arguments
            return
        console.print(message, markup=False, highlight=False, soft_wrap=True)


def setup_logging(verbose: int) -> None:
    """``-v``/``-vv`` turn up qual's own loggers only.

    qual's log lines carry counts and positions by rule; other libraries' debug output is not
    held to that rule (numba alone writes tens of KB per run, and a parser's debug line may
    quote its input), so they stay at WARNING however verbose qual is. A log call that fails
    to format must not print its arguments (logging's default), which could be text.
    """
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    root = logging.getLogger()
    if not any(isinstance(h, ConsoleHandler) for h in root.handlers):
        handler = ConsoleHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
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
