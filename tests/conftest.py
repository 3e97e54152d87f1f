"""Shared test fixtures: where the project, its samples and ``../shared`` are."""

from __future__ import annotations

import hashlib
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


# --------------------------------------------------------------------------- the command line
# One way to run a qual command in a test, shared by the CLI tests of every stage.


@pytest.fixture(scope="session")
def cli():
    """Run a ``qual`` command in-process: ``cli("matrix", codings, "--out", out, env=None)`` returns
    typer's ``Result`` (``exit_code``, ``output``). Arguments may be paths; ``env`` adds variables."""
    from typer.testing import CliRunner

    from qual.cli import _register
    from qual.cli.app import app

    _register()
    runner = CliRunner()

    def invoke(*args, env: dict | None = None):
        return runner.invoke(app, [str(a) for a in args], env=env)

    return invoke
