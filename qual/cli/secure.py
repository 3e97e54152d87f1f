"""The secure project for the commands that read or write the pseudonym key (``deidentify``,
``check``, ``run``): one place that asks for the passphrase.

The passphrase comes from ``QUAL_KEY_PASSPHRASE``, else it is asked for, hidden, when a
terminal is attached (twice for a key that does not exist yet). Without either, the library
raises its one-line "no passphrase" error when the key is opened.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ..deid.secure import SecureProject


def ask_passphrase(key: Path | None, *, may_create: bool = True) -> str | None:
    """The passphrase typed at the terminal, or None (none needed, set in the environment, or
    no terminal to ask at). ``may_create``: a key that does not exist yet will be created,
    so the passphrase is asked twice."""
    from ..deid.key import PASSPHRASE_ENV

    if key is None or os.environ.get(PASSPHRASE_ENV) or not sys.stdin.isatty():
        return None
    creating = may_create and not key.expanduser().exists()
    prompt = "New passphrase for the key" if creating else "Passphrase for the key"
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=creating)


def open_project(key: Path | None, *, register: Path | None = None, keep: Path | None = None,
                 may_create: bool = True) -> "SecureProject":
    """The command's secure project, its passphrase asked for now (before any progress bar)."""
    from ..deid.secure import SecureProject

    return SecureProject(key, ask_passphrase(key, may_create=may_create), register=register, keep_list=keep)
