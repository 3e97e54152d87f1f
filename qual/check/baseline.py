"""The baseline: reviewed findings that should no longer fail the build.

Like a secret scanner's baseline, it is a JSON file of fingerprints (see
:mod:`qual.check.masking`), grouped by file path relative to the baseline's folder, with
the entity type and detector of each so that a reviewer can see what was accepted::

    {
      "format": "qual-check-baseline", "version": 1, "salt": "<32 hex>",
      "files": {"deid/SW01.docx": [{"fingerprint": "<64 hex>", "type": "PLACE",
                                    "detector": "places.gazetteer", "count": 2}]}
    }

It holds no text and no offsets. A finding is silenced when its fingerprint is recorded for
its file: the same string of the same type in the same file. Updating rewrites the entries
of the files that were scanned and keeps those of files that were not.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..errors import QualError
from ..files import write_text
from .masking import new_salt

if TYPE_CHECKING:
    from .scanner import Finding

BASELINE_FORMAT = "qual-check-baseline"
BASELINE_VERSION = 1


@dataclass
class Baseline:
    salt: str = field(default_factory=new_salt)
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    path: Path | None = None

    def __repr__(self) -> str:
        return f"Baseline({len(self.files)} files, {len(self)} fingerprints)"

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.files.values())

    @property
    def root(self) -> Path:
        """Paths in the baseline are relative to its folder (or, unsaved, the working folder)."""
        return (self.path.expanduser().resolve().parent if self.path is not None else Path.cwd().resolve())

    def relative(self, file: str | Path) -> str:
        return Path(os.path.relpath(Path(file).expanduser().resolve(), self.root)).as_posix()

    def fingerprints(self) -> set[str]:
        return {entry["fingerprint"] for entries in self.files.values() for entry in entries}

    # ----------------------------------------------------------------- reading / writing

    @classmethod
    def load(cls, path: str | Path) -> "Baseline":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise QualError(f"{path}: baseline not found; create it with --update-baseline {path}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise QualError(f"{path}: not a readable qual check baseline (JSON); re-create it with "
                            "--update-baseline") from None
        try:
            if data.get("format") != BASELINE_FORMAT:
                raise ValueError
            if int(data.get("version", 0)) > BASELINE_VERSION:
                raise QualError(f"{path}: baseline version {data.get('version')} is newer than this "
                                "qual understands; upgrade qual")
            salt = str(data["salt"])
            files = {str(name): [dict(fingerprint=str(e["fingerprint"]), type=str(e.get("type", "")),
                                      detector=str(e.get("detector", "")), count=int(e.get("count", 1)))
                                 for e in entries]
                     for name, entries in dict(data.get("files") or {}).items()}
        except QualError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            raise QualError(f"{path}: not a qual check baseline; re-create it with --update-baseline") from None
        return cls(salt=salt, files=files, path=path)

    @classmethod
    def load_or_new(cls, path: str | Path) -> "Baseline":
        path = Path(path)
        if path.exists():
            return cls.load(path)
        return cls(path=path)

    def record(self, findings: Iterable["Finding"], scanned: Iterable[str],
               path_of: "Callable[[Finding], str] | None" = None) -> None:
        """Replace the entries of the ``scanned`` files (relative paths) by ``findings``.
        ``path_of``: a finding's path as given (``Finding.file`` is masked for display)."""
        for name in scanned:
            self.files.pop(name, None)
        grouped: dict[str, dict[str, dict[str, Any]]] = {}
        for finding in findings:
            name = self.relative(path_of(finding) if path_of is not None else finding.file)
            entries = grouped.setdefault(name, {})
            entry = entries.setdefault(finding.fingerprint, {
                "fingerprint": finding.fingerprint, "type": finding.type,
                "detector": finding.detector, "count": 0})
            entry["count"] += 1
        for name, entries in grouped.items():
            self.files[name] = sorted(entries.values(), key=lambda e: (e["type"], e["fingerprint"]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": BASELINE_FORMAT,
            "version": BASELINE_VERSION,
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "note": "qual check baseline: reviewed findings, as salted fingerprints (no text). "
                    "Only accepted false positives belong here.",
            "salt": self.salt,
            "files": {name: self.files[name] for name in sorted(self.files) if self.files[name]},
        }

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path is not None else self.path
        if target is None:
            raise QualError("no path given for the baseline")
        write_text(target, json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n")
        self.path = target
        return target
