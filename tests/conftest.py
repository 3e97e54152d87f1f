"""Shared test fixtures: where the project, its samples and ``../shared`` are, and how to run
the ``qual`` command."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT / "transcripts_sample"
GOLD = PROJECT / "tests" / "gold"
CODEBOOK = PROJECT / "codebooks" / "swis_ipe.yaml"
SHARED = PROJECT.parent / "shared"
SHARED_DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/data/{'/'.join(parts)} is not available on this machine")
    return path


@pytest.fixture
def shared():
    return shared_path


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``: tests compare these to prove inputs were not modified."""
    root = Path(root)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# --------------------------------------------------------------------------- the CLI
# One way for every test file to run ``qual``: in this process (``cli``), or as a user runs
# it, the installed entry point in a child process (``run_qual``). Neither inherits
# QUAL_KEY_PASSPHRASE from the shell running the tests: a test that needs one passes it.


@pytest.fixture(scope="session")
def cli():
    """``cli(*args, env=None)``: ``qual ARGS`` run in-process through typer's ``CliRunner``, with
    every command registered; returns click's ``Result`` (``exit_code``, ``output``,
    ``stdout``, ``stderr``). ``env`` sets variables for the run (a value of None unsets one)."""
    from typer.testing import CliRunner

    from qual.cli import _register
    from qual.cli.app import app

    _register()
    runner = CliRunner()

    def invoke(*args, env: dict | None = None):
        environment = {"QUAL_KEY_PASSPHRASE": None} | (env or {})
        return runner.invoke(app, [str(a) for a in args], env=environment)

    return invoke


def run_qual(*args, env: dict | None = None, cwd: Path | None = None,
             timeout: float = 900) -> subprocess.CompletedProcess:
    """``qual ARGS`` through the installed entry point in a child process, as a user runs it;
    ``env`` adds to (or, with None values, removes from) this process's environment."""
    environment = {k: v for k, v in os.environ.items() if k != "QUAL_KEY_PASSPHRASE"}
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    qual = Path(sys.executable).with_name("qual")
    return subprocess.run([str(qual), *(str(a) for a in args)], capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)
