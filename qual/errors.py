"""Errors a user sees. Their messages are one line, name the file, say what to do, and
never quote the document's text (which may hold an identifier)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class QualError(Exception):
    """A problem the user can act on; the CLI prints ``str(error)`` and no traceback."""


class InputFileError(QualError):
    """One input file could not be read; the batch goes on with the others."""

    def __init__(self, path: str | Path, problem: str, advice: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        message = f"{self.path}: {problem}"
        if advice:
            message += f"; {advice}"
        super().__init__(message)

    def __reduce__(self):
        # rebuilt from its message and fields when it comes back from a worker process
        # (subclasses take other arguments, so __init__ is not called again)
        return _rebuild_error, (type(self), self.args, self.__dict__)


def _rebuild_error(cls: type, args: tuple, fields: dict) -> Exception:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(fields)
    return error


class KeyFileError(QualError):
    """The pseudonym key cannot be opened (wrong passphrase, tampered, unreadable)."""


class UnsafeOutputError(QualError):
    """An identifiable file (key, review sheet) was asked to be written among de-identified output."""


@dataclass
class FileFailure:
    """A failed input in a batch: which file, and the one-line reason."""

    path: str
    message: str

    def __str__(self) -> str:
        return self.message


class NothingReadError(QualError):
    """No input of a command could be used: an empty folder, or every file failed. Carries the
    failures, so that each file's reason is printed on a line of its own before this one."""

    def __init__(self, message: str, failures=()) -> None:
        super().__init__(message)
        self.failures = list(failures)
