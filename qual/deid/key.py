"""The pseudonym key: which original belongs to which pseudonym, encrypted at rest.

The key is the one file that can undo de-identification, so:

* it is encrypted with a key derived from a passphrase (scrypt, n=2**17, r=8, p=1) using
  AES-256-GCM from ``cryptography``: authenticated, so a wrong passphrase or a single
  altered byte gives a ``KeyFileError`` and never garbage pseudonyms;
* the file starts with one plain JSON line (format, version, KDF parameters, salt, nonce)
  that is bound to the ciphertext as associated data, so it cannot be edited either;
* it is written atomically and owner-only (0600), and never inside the output folder;
* runs that share a key take a lock beside it (``<key>.lock``, via ``filelock``) for the
  whole session, from reading the key to writing it back (read-merge-write), so two runs
  never lose each other's entities or hand one tag to two people, whatever the interleaving;
* it has an id and a revision, raised whenever its entities change; ``qual deidentify``
  records in its output folder (``deid_provenance.json``) the revision each file was
  written against, and ``qual check --key`` reports files written against an older
  revision (or another key) as stale;
* a key file that group or others can read is tightened to 0600 when a session opens it,
  and the run says so; ``qual check --key`` warns about one (and refuses it with ``--strict``).

The passphrase comes from the caller, else from ``QUAL_KEY_PASSPHRASE``; the CLI prompts
for it when neither is set and a terminal is attached.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import secrets
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..errors import KeyFileError
from ..files import OWNER_ONLY, ensure_outside, write_bytes
from .pseudonyms import EntityTable

log = logging.getLogger("qual.deid.key")

PASSPHRASE_ENV = "QUAL_KEY_PASSPHRASE"
KEY_FORMAT = "qual-pseudonym-key"
KEY_VERSION = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1  # ~0.9 s and 128 MB once per run: slow to guess
# Bounds on what a header may ask for, so a crafted file cannot make scrypt eat the machine.
MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P = 2**20, 16, 4
MAX_HEADER_BYTES = 4096


def resolve_passphrase(passphrase: str | None = None) -> str:
    """The passphrase given, else ``QUAL_KEY_PASSPHRASE``; an error when there is none."""
    if passphrase is None:
        passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise KeyFileError(
            f"no passphrase for the key: set {PASSPHRASE_ENV} or run interactively to be asked"
        )
    return passphrase


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    return base64.b64decode(str(text), validate=True)


class KeyFile:
    """One encrypted key file on disk. ``session()`` is the usual way in.

    >>> with KeyFile("secure/key.qualkey", passphrase).session(out_dir="deid") as table:
    ...     ...  # link entities; the table is merged into the file on success
    """

    def __init__(self, path: str | Path, passphrase: str | None = None, *,
                 lock_timeout: float = -1) -> None:
        self.path = Path(path).expanduser()
        self._passphrase = passphrase
        self.lock_timeout = lock_timeout
        self._derived: dict[tuple[bytes, int, int, int], bytes] = {}
        self._salt: bytes | None = None
        self.key_id: str | None = None  # random, fixed when the key is made: names no one
        self.revision = 0               # raised each time the key's entities change

    def __repr__(self) -> str:
        return f"KeyFile({str(self.path)!r})"

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @property
    def passphrase(self) -> str:
        self._passphrase = resolve_passphrase(self._passphrase)
        return self._passphrase

    def exists(self) -> bool:
        return self.path.exists()

    # ----------------------------------------------------------------- locking

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the key's lock; a second run waits here until the first has saved."""
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.lock_path), mode=OWNER_ONLY)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.info("another run is using the key; waiting for it to finish")
            try:
                lock.acquire(timeout=self.lock_timeout)
            except Timeout:
                raise KeyFileError(f"{self.path}: the key is in use by another run; try again "
                                   "when it has finished") from None
        try:
            yield
        finally:
            lock.release()

    # ----------------------------------------------------------------- reading / writing

    def _derive(self, salt: bytes, n: int, r: int, p: int) -> bytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        cache_key = (salt, n, r, p)
        if cache_key not in self._derived:
            self._derived[cache_key] = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(
                self.passphrase.encode("utf-8"))
        return self._derived[cache_key]

    def _parse(self, data: bytes) -> tuple[bytes, bytes, bytes, bytes, tuple[int, int, int]]:
        """The key file's header line, ciphertext, salt, nonce and scrypt (n, r, p), checked."""
        header_line, newline, ciphertext = data.partition(b"\n")
        try:
            if not newline or len(header_line) > MAX_HEADER_BYTES:
                raise ValueError
            header = json.loads(header_line.decode("utf-8"))
            if header.get("format") != KEY_FORMAT:
                raise ValueError
            kdf, cipher = header["kdf"], header["cipher"]
            salt, nonce = _unb64(kdf["salt"]), _unb64(cipher["nonce"])
            n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
            if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise KeyFileError(f"{self.path}: not a qual key file, or its header was altered") from None
        if int(header.get("version", 0)) > KEY_VERSION:
            raise KeyFileError(f"{self.path}: key format version {header.get('version')} is newer "
                               "than this qual understands; upgrade qual")
        if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= MAX_SCRYPT_R
                and 1 <= p <= MAX_SCRYPT_P and len(nonce) == 12 and len(salt) >= 16):
            raise KeyFileError(f"{self.path}: the key header's parameters are out of range; "
                               "the file was altered")
        return header_line, ciphertext, salt, nonce, (n, r, p)

    def derive_ahead(self) -> None:
        """Derive the encryption key now, for the salt that this key's next read or write will
        use, so that scrypt's half second (slow by design) can overlap other work. Does
        nothing when the passphrase or the file is not usable: the session says why."""
        try:
            passphrase = resolve_passphrase(self._passphrase)
        except KeyFileError:
            return
        self._passphrase = passphrase
        if self.exists():
            try:
                _, _, salt, _, (n, r, p) = self._parse(self.path.read_bytes())
            except (KeyFileError, OSError):
                return
        else:
            self._salt = salt = self._salt or os.urandom(16)  # the first write's salt
            n, r, p = SCRYPT_N, SCRYPT_R, SCRYPT_P
        self._derive(salt, n, r, p)

    def read_payload(self) -> dict[str, Any]:
        """Decrypt and return the key's JSON payload (callers normally hold ``lock()``)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise KeyFileError(f"{self.path}: key file not found") from None
        except OSError as error:
            raise KeyFileError(f"{self.path}: key file cannot be read ({error.strerror})") from None
        header_line, ciphertext, salt, nonce, (n, r, p) = self._parse(data)
        try:
            plain = AESGCM(self._derive(salt, n, r, p)).decrypt(nonce, ciphertext, header_line)
        except InvalidTag:
            raise KeyFileError(f"{self.path}: wrong passphrase, or the key file was altered or "
                               "damaged; nothing was changed") from None
        try:
            payload = json.loads(plain.decode("utf-8"))
            if not isinstance(payload, dict) or "table" not in payload:
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            raise KeyFileError(f"{self.path}: the key decrypted but its content is not a qual "
                               "key") from None
        self._salt = salt
        self.key_id = str(payload.get("key_id") or "") or None
        self.revision = int(payload.get("revision") or 0)
        return payload

    def read(self) -> EntityTable:
        try:
            return EntityTable.from_payload(self.read_payload()["table"])
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError):
            raise KeyFileError(f"{self.path}: the key's entity table is malformed") from None

    def write(self, table: EntityTable) -> None:
        """Encrypt ``table`` and write it atomically, owner-only (callers hold ``lock()``)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt = self._salt or os.urandom(16)
        self._salt = salt
        nonce = os.urandom(12)  # fresh for every write; the salt may be reused with it
        header = {
            "format": KEY_FORMAT, "version": KEY_VERSION,
            "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
            "cipher": {"name": "AES-256-GCM", "nonce": _b64(nonce)},
            "note": "qual pseudonym key: identifiable; keep it apart from de-identified data",
        }
        header_line = json.dumps(header, sort_keys=True).encode("utf-8")
        self.key_id = self.key_id or _new_key_id()
        self.revision += 1
        payload = {
            "version": KEY_VERSION,
            "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "key_id": self.key_id,
            "revision": self.revision,
            "table": table.to_payload(),
        }
        plain = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        ciphertext = AESGCM(self._derive(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(
            nonce, plain, header_line)
        write_bytes(self.path, header_line + b"\n" + ciphertext, permissions=OWNER_ONLY)

    def merge_into_file(self, table: EntityTable) -> EntityTable:
        """Read-merge-write under the caller's lock; returns what was written. The key is
        written (and its revision raised) only when its entities changed."""
        if self.exists():
            merged = self.read()
            before = merged.to_payload()
            clashes = merged.merge(table)
            if clashes:
                raise KeyFileError(
                    f"{self.path}: another run changed the key while this one was working and "
                    f"{len(clashes)} pseudonyms would clash; the key was not changed, re-run")
            if merged.to_payload() == before:
                return merged
        else:
            merged = table
        self.write(merged)
        return merged

    def group_or_others_can_read(self) -> int | None:
        """The key file's mode when group or others may read or write it, else None."""
        try:
            mode = stat.S_IMODE(self.path.stat().st_mode)
        except OSError:
            return None
        return mode if mode & 0o077 else None

    def tighten(self) -> int | None:
        """Make the key file owner-only; return the mode it had when that changed something."""
        mode = self.group_or_others_can_read()
        if mode is not None:
            os.chmod(self.path, OWNER_ONLY)
            log.warning("the key %s could be read by group or others (mode %s); its permissions were "
                        "tightened to 0600", self.path, oct(mode)[2:].zfill(4))
        return mode

    @contextlib.contextmanager
    def session(self, out_dir: str | Path | None = None, create: bool = True) -> Iterator[EntityTable]:
        """Lock the key, yield its table (new if the file does not exist), save on success."""
        if out_dir is not None:
            ensure_outside(self.path, out_dir, "the pseudonym key")
            ensure_outside(self.lock_path, out_dir, "the pseudonym key's lock")
        if not self.exists() and not create:
            raise KeyFileError(f"{self.path}: key file not found")
        self._passphrase = resolve_passphrase(self._passphrase)  # fail before any work if none
        with self.lock():
            self.tighten()
            table = self.read() if self.exists() else EntityTable()
            yield table
            self.merge_into_file(table)


def load_key(path: str | Path, passphrase: str | None = None) -> EntityTable:
    """Read a key file into an ``EntityTable`` (for a notebook; the CLI uses a session)."""
    key = KeyFile(path, passphrase)
    with key.lock():
        return key.read()


def save_key(table: EntityTable, path: str | Path, passphrase: str | None = None, *,
             out_dir: str | Path | None = None) -> Path:
    """Merge ``table`` into the key file at ``path`` (created if absent), owner-only."""
    key = KeyFile(path, passphrase)
    if out_dir is not None:
        ensure_outside(key.path, out_dir, "the pseudonym key")
    with key.lock():
        key.merge_into_file(table)
    return key.path


# --------------------------------------------------------------------------- which key wrote what

PROVENANCE_FILE = "deid_provenance.json"
PROVENANCE_FORMAT = "qual-deid-provenance"


def record_key_version(out_dir: str | Path, written: list[Path], key: "KeyFile | None") -> Path | None:
    """Record in ``out_dir/deid_provenance.json`` the key (its id, never its path) and the
    revision each of ``written`` was de-identified against; entries of files written by
    earlier runs are kept. Nothing here identifies anyone."""
    from ..files import write_text

    out_dir = Path(out_dir)
    path = out_dir / PROVENANCE_FILE
    entries = read_key_versions(out_dir)
    key_id = key.key_id if key is not None else None
    for file in written:
        if Path(file).parent.resolve() == out_dir.resolve() and Path(file).name != PROVENANCE_FILE:
            entries[Path(file).name] = {"key": key_id, "revision": key.revision if key is not None else None}
    if not entries:
        return None
    document = {"format": PROVENANCE_FORMAT, "version": 1, "files": dict(sorted(entries.items()))}
    write_text(path, json.dumps(document, indent=1) + "\n")
    return path


def read_key_versions(folder: str | Path) -> dict[str, dict[str, Any]]:
    """File name -> {"key": id, "revision": n} from a folder's ``deid_provenance.json``
    (empty when there is none, or it is not one)."""
    path = Path(folder) / PROVENANCE_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("format") != PROVENANCE_FORMAT:
        return {}
    files = document.get("files")
    return {str(k): v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}


def stale_files(folder: str | Path, key: "KeyFile") -> list[tuple[str, str]]:
    """(file name, why) for the files of ``folder`` de-identified against an older revision of
    ``key`` or against another key (read ``key`` first, so that its id and revision are known)."""
    stale = []
    for name, entry in read_key_versions(folder).items():
        if not (Path(folder) / name).exists():
            continue
        if entry.get("key") != key.key_id:
            stale.append((name, "was de-identified with another key, or without one"))
        elif int(entry.get("revision") or 0) < key.revision:
            stale.append((name, f"was de-identified against revision {entry.get('revision')} of the key, "
                                f"which is now at revision {key.revision}: run qual deidentify on its source "
                                "again so that it uses what the key learned since"))
    return stale


def _new_key_id() -> str:
    """A random id for a new key, with a letter in it: an id of digits alone could read as a
    phone number wherever it is written (deid_provenance.json, which qual check reads)."""
    while True:
        key_id = secrets.token_hex(8)
        if not key_id.isdigit():
            return key_id
