"""The secure project: everything identifiable that de-identification keeps, opened once.

A project's identifiable side is the encrypted pseudonym key and, beside it, the register of
known identifiers (``<key stem>.register.csv``) and the keep-list of words that are none
(``<key stem>.keep.txt``), both grown by a reviewer's "always" decisions, and the key's
passphrase. :class:`SecureProject` holds them for ``qual deidentify``, ``qual check``,
``qual run`` and a notebook alike::

    from qual.deid import SecureProject, deidentify
    from qual.check import check

    project = SecureProject("../secure/swis.key")      # passphrase from QUAL_KEY_PASSPHRASE
    deidentify(["interviews/"], "deid/", project=project)
    check(["deid/"], project=project)                  # the key's originals are certain leaks

The passphrase is the one given, else ``QUAL_KEY_PASSPHRASE``, read once; the key file is one
:class:`~qual.deid.key.KeyFile`, so the slow key derivation runs once however many stages use
it. Without a key, pseudonyms are consistent within one run only.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import QualError

if TYPE_CHECKING:
    from .analyzer import Analyzer
    from .keeplist import KeepList
    from .key import KeyFile
    from .pseudonyms import EntityTable
    from .register import Register
    from .review import Decisions

log = logging.getLogger("qual.deid.secure")

REGISTER_SUFFIX = ".register.csv"
KEEP_LIST_SUFFIX = ".keep.txt"


class SecureProject:
    """The key, register, keep-list and passphrase of a project.

    ``key``: the encrypted pseudonym key (read and updated; it need not exist yet).
    ``passphrase``: the key's passphrase (default: ``QUAL_KEY_PASSPHRASE``). ``register`` and
    ``keep_list``: the project's files, by default beside the key; a file that does not exist
    yet is empty until a reviewer's decisions create it.
    """

    def __init__(self, key: str | Path | None = None, passphrase: str | None = None, *,
                 register: str | Path | None = None, keep_list: str | Path | None = None) -> None:
        self.key_path = Path(key) if key is not None else None
        self._register_given = register is not None
        self._keep_list_given = keep_list is not None
        self.register_path = Path(register) if register is not None else self._beside_key(REGISTER_SUFFIX)
        self.keep_list_path = Path(keep_list) if keep_list is not None else self._beside_key(KEEP_LIST_SUFFIX)
        self._passphrase = passphrase
        self._key_file: KeyFile | None = None

    @classmethod
    def of(cls, project: "SecureProject | None" = None, *, key: str | Path | None = None,
           passphrase: str | None = None, register: str | Path | None = None,
           keep_list: str | Path | None = None) -> "SecureProject":
        """``project``, or one made of the files given (what ``deidentify``, ``check`` and
        ``run`` accept instead of a project)."""
        if project is None:
            return cls(key, passphrase, register=register, keep_list=keep_list)
        if any(value is not None for value in (key, passphrase, register, keep_list)):
            raise QualError("give either a secure project or its key, passphrase, register and "
                            "keep-list, not both")
        return project

    def __repr__(self) -> str:
        return (f"SecureProject(key={str(self.key_path) if self.key_path else None!r}, "
                f"register={str(self.register_path) if self.register_path else None!r}, "
                f"keep_list={str(self.keep_list_path) if self.keep_list_path else None!r})")

    def _beside_key(self, suffix: str) -> Path | None:
        if self.key_path is None:
            return None
        return self.key_path.with_name(self.key_path.stem + suffix)

    # ----------------------------------------------------------------- the key

    @property
    def has_key(self) -> bool:
        return self.key_path is not None

    @property
    def passphrase(self) -> str:
        """The key's passphrase: the one given, else ``QUAL_KEY_PASSPHRASE`` (a ``KeyFileError``
        saying how to give one when there is neither)."""
        from .key import resolve_passphrase

        self._passphrase = resolve_passphrase(self._passphrase)
        return self._passphrase

    @property
    def key_file(self) -> "KeyFile":
        if self.key_path is None:
            raise QualError("this project has no pseudonym key; give one (--key)")
        if self._key_file is None:
            from .key import KeyFile

            self._key_file = KeyFile(self.key_path, self._passphrase)
        return self._key_file

    def read_key(self) -> "EntityTable":
        """The key's entity table (read under the key's lock)."""
        key_file = self.key_file
        with key_file.lock():
            return key_file.read()

    @contextlib.contextmanager
    def session(self, out_dir: str | Path | None = None) -> Iterator["EntityTable"]:
        """The entity table to link into: the key's, saved back (read-merge-write, under its
        lock) when the block succeeds; without a key, a new one that lives in memory only."""
        if self.key_path is None:
            from .pseudonyms import EntityTable

            log.warning("no key given: pseudonyms are consistent within this run only and nothing "
                        "is saved to map them back")
            yield EntityTable()
            return
        with self.key_file.session(out_dir=out_dir) as table:
            yield table

    # ----------------------------------------------------------------- files beside it

    def identifiable_files(self) -> dict[str, Path]:
        """The project's identifiable files, by what they are (for refusing them in an output
        folder and leaving them out of inputs)."""
        files = {"the pseudonym key": self.key_path, "the register": self.register_path,
                 "the keep-list": self.keep_list_path}
        return {what: path for what, path in files.items() if path is not None}

    def ensure_outside(self, out_dir: str | Path) -> None:
        """Refuse to run when an identifiable file would lie inside ``out_dir``."""
        from ..files import ensure_outside

        for what, path in self.identifiable_files().items():
            ensure_outside(path, out_dir, what)

    def register(self, *, must_exist: bool = False) -> "Register":
        """The project register (empty while its file does not exist). ``must_exist``: a
        register file given by name must be there (``qual check``)."""
        from .register import Register

        path = self.register_path
        if path is not None and path.exists():
            return Register.load(path)
        if must_exist and self._register_given:
            raise QualError(f"{path}: register not found")
        return Register()

    def keep_list(self, *, must_exist: bool = False) -> "KeepList":
        """The shipped keep-list plus the project's (when its file exists)."""
        from .keeplist import KeepList

        path = self.keep_list_path
        if path is not None and path.exists():
            return KeepList.default(path)
        if must_exist and self._keep_list_given:
            raise QualError(f"{path}: keep-list not found")
        return KeepList.default()

    def remember(self, decisions: "Decisions") -> None:
        """Record a reviewer's "always redact" terms in the register file and "always keep"
        terms in the keep-list file, so every later run (and ``qual check``) knows them."""
        if decisions.always_redact:
            if self.register_path is None:
                log.warning("%d 'always redact' decisions apply to this run only: give --register or --key "
                            "to remember them", len(decisions.always_redact))
            else:
                from .register import Register

                register = Register.load(self.register_path) if self.register_path.exists() else Register()
                for entity_type, term in decisions.always_redact:
                    register.add(entity_type, term)
                register.save(self.register_path)
        if decisions.always_keep:
            if self.keep_list_path is None:
                log.warning("%d 'always keep' decisions apply to this run only: give --keep or --key "
                            "to remember them", len(decisions.always_keep))
            else:
                from .keeplist import KeepList

                keep = KeepList.load(self.keep_list_path) if self.keep_list_path.exists() else KeepList()
                keep.update(decisions.always_keep)
                keep.save(self.keep_list_path)

    # ----------------------------------------------------------------- the analyzer

    def analyzer(self, *, decisions: "Decisions | None" = None, participants: Any = None,
                 ner: Any = "auto", must_exist: bool = False) -> "Analyzer":
        """The standard analyzer with this project's register and keep-list.

        The register gets, besides its file, the participants sheet's names (a DataFrame) and
        the "always redact" decisions; the keep-list is the shipped one plus the project's and
        the "always keep" decisions. ``ner`` as for :class:`~qual.deid.analyzer.Analyzer`.
        """
        try:
            from .analyzer import Analyzer
            from .register import Register
        except ImportError as error:
            raise QualError(f"the de-identification analyzer is not available ({type(error).__name__})") from None
        register = self.register(must_exist=must_exist)
        keep = self.keep_list(must_exist=must_exist)
        if decisions is not None:
            for entity_type, term in decisions.always_redact:
                register.add(entity_type, term)
            keep.update(decisions.always_keep)
        if participants is not None:
            register.update(Register.from_participants(participants))
        return Analyzer(register=register, keep_list=keep, ner=ner)
