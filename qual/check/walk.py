"""The files and folders ``qual check`` reads below the paths it is given."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Sequence

# folders of tools, never of a project's outputs
SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".tox",
                             ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints"})


def find_files(paths: Iterable[str | Path], exclude: Sequence[str] = (),
               ignore: Iterable[Path] = ()) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]], list[str]]:
    """Files to check as ``(path, display)``: every file, whatever its type (one no reader
    fits is listed as not scanned when it is read); the folders below the paths given, as
    ``(path, display)`` (their names are read too); and errors (paths that do not exist)."""
    ignored = {p.expanduser().resolve() for p in ignore}
    files: list[tuple[Path, str]] = []
    folders: list[tuple[Path, str]] = []
    errors: list[str] = []
    seen: set[Path] = set()

    def excluded(relative: str, name: str) -> bool:
        return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(name, pattern)
                   for pattern in exclude)

    def add(path: Path, display: str) -> None:
        resolved = path.resolve()
        if resolved in seen or resolved in ignored:
            return
        seen.add(resolved)
        files.append((path, display))

    for given in paths:
        root = Path(given)
        if root.is_dir():
            found = []
            for folder, subfolders, names in os.walk(root, followlinks=False):
                subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED_FOLDERS
                                       and not excluded((Path(folder) / d).relative_to(root).as_posix(), d))
                if Path(folder) != root:
                    folders.append((Path(folder), folder))
                for name in sorted(names):
                    path = Path(folder) / name
                    relative = path.relative_to(root).as_posix()
                    if excluded(relative, name):
                        continue
                    if not path.is_file():
                        continue
                    found.append(path)
            for path in found:
                add(path, str(path))
        elif root.is_file():
            if excluded(root.as_posix(), root.name):
                continue
            add(root, str(root))
        elif root.exists():
            errors.append(f"{root}: neither a file nor a folder")
        else:
            errors.append(f"{root}: no such file or folder")
    return files, folders, errors
