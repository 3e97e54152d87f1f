"""Reading and writing files safely: atomic writes, owner-only files, hashes, and
guarded access to zip archives and XML (Word, Excel and REFI-QDA files are zips of XML).

Every module that writes an output or opens a user's zip/XML goes through here, so that
"no half-written file under a final name" and "no entity bomb, no zip bomb" hold everywhere.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Callable, Iterator

from .errors import InputFileError, UnsafeOutputError

# A transcript's XML is a few MB at most; these bounds are far above any real document
# and far below what a zip bomb unpacks to.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 20_000
# A participants sheet, codebook or review sheet is well under a few MB of sheet XML; a
# million-row sheet is ~100 MB. Readers pass their own bound to ``vet_workbook``.
MAX_SHEET_XML_BYTES = 64 * 1024 * 1024

OWNER_ONLY = 0o600


# --------------------------------------------------------------------------- writing


def _current_umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``.

    For libraries that save to a file name (python-docx, openpyxl, matplotlib). If the
    block raises or the process dies, ``path`` is untouched and the temporary is removed
    (or, after a kill, left under a ``.tmp`` name that no reader mistakes for output).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600; ordinary outputs get the permissions open() would have given.
    final_mode = mode if mode is not None else 0o666 & ~_current_umask()
    batch = _current_batch()
    try:
        os.chmod(tmp, final_mode)
        yield tmp
        os.chmod(tmp, final_mode)
        if batch is not None:
            batch.append((tmp, target))  # made durable and renamed when the batch ends
            return
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if (batch is None or not batch or batch[-1][0] != tmp) and tmp.exists():
            tmp.unlink()


# (process id, pending writes): a forked worker inherits its parent's value but is no part of
# that batch (it could never finish it), so the process id is checked.
_batch: contextvars.ContextVar[tuple[int, list[tuple[Path, Path]]] | None] = contextvars.ContextVar(
    "qual_write_batch", default=None)


def _current_batch() -> list[tuple[Path, Path]] | None:
    batch = _batch.get()
    return batch[1] if batch is not None and batch[0] == os.getpid() else None


@contextlib.contextmanager
def durable_batch() -> Iterator[None]:
    """Atomic writes inside this block become durable together, and appear when it ends.

    Each file is written to its temporary name as usual; when the block ends, one sync of
    the file system (``syncfs`` on Linux) replaces a sync per file - a few milliseconds each,
    seconds for hundreds of outputs - and then every file is renamed into place. A file is
    on disk in full before its final name points to it, as with ``atomic_path`` alone. If the
    block raises, no file of it is renamed and the temporaries are removed.
    """
    if _current_batch() is not None:  # nested: the outer batch finishes the job
        yield
        return
    pending: list[tuple[Path, Path]] = []
    token = _batch.set((os.getpid(), pending))
    try:
        yield
    except BaseException:
        _batch.reset(token)
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    _batch.reset(token)
    try:
        _sync([tmp for tmp, _ in pending])
        for tmp, target in pending:
            os.replace(tmp, target)
    finally:
        for tmp, _ in pending:
            if tmp.exists():
                tmp.unlink()


def _sync(paths: list[Path]) -> None:
    """Flush ``paths`` to disk: one ``syncfs`` per file system where Linux has it, else a
    ``fsync`` per file."""
    if not paths:
        return
    syncfs = _syncfs()
    if syncfs is not None:
        devices: dict[int, Path] = {}
        for path in paths:
            devices.setdefault(path.stat().st_dev, path)
        for path in devices.values():
            fd = os.open(path, os.O_RDONLY)
            try:
                if syncfs(fd) == 0:
                    continue
            finally:
                os.close(fd)
            syncfs = None  # refused (an odd file system): fall back below
            break
        else:
            return
    for path in paths:
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())


@functools.lru_cache(maxsize=1)
def _syncfs():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


@contextlib.contextmanager
def atomic_open(
    path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None,
    permissions: int | None = None,
) -> Iterator[IO]:
    """``open()`` for writing, atomically: readers see the old file or the whole new one."""
    if "b" in mode:
        encoding = None
    with atomic_path(path, permissions) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()


def write_text(path: str | Path, text: str, permissions: int | None = None) -> None:
    with atomic_open(path, "w", permissions=permissions) as handle:
        handle.write(text)


def write_bytes(path: str | Path, data: bytes, permissions: int | None = None) -> None:
    with atomic_open(path, "wb", permissions=permissions) as handle:
        handle.write(data)


def ensure_outside(identifiable: str | Path, output_dir: str | Path, what: str = "the key") -> None:
    """Refuse to put an identifiable file (key, review sheet) inside the de-identified output."""
    inner = Path(identifiable).expanduser().resolve()
    outer = Path(output_dir).expanduser().resolve()
    if inner == outer or outer in inner.parents:
        raise UnsafeOutputError(
            f"{identifiable}: {what} is identifiable and may not be written inside the output "
            f"folder {output_dir}; give a path outside it"
        )


# --------------------------------------------------------------------------- reading


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def open_zip(path: str | Path, data: bytes | None = None) -> zipfile.ZipFile:
    """Open a zip-based document after checking it is not a bomb; errors name the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except zipfile.BadZipFile:
        raise InputFileError(path, "not a valid zip-based document (corrupt or truncated)",
                             "re-save or re-export it") from None
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or 'I/O error'})") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        archive.close()
        raise InputFileError(path, f"archive has {len(members)} members, too many to be a document")
    total = 0
    # Member names are not quoted: inside a .qdpx they can be named after a person.
    for number, info in enumerate(members, 1):
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > 10_000_000 and ratio > MAX_COMPRESSION_RATIO):
            archive.close()
            raise InputFileError(path, f"archive member {number} would unpack to "
                                 f"{info.file_size} bytes; refusing a possible zip bomb")
    if total > MAX_ARCHIVE_BYTES:
        archive.close()
        raise InputFileError(path, f"archive would unpack to {total} bytes; refusing a possible zip bomb")
    return archive


def vet_workbook(path: str | Path, data: bytes | None = None, *, max_sheet_bytes: int = MAX_SHEET_XML_BYTES,
                 what: str = "workbook") -> None:
    """Refuse an .xlsx before openpyxl opens it: a bomb (``open_zip``), XML that declares
    entities, or a sheet whose XML is too large to read in bounded time and memory.

    openpyxl parses a whole sheet just to size it when the sheet has no ``<dimension>``
    element, and holds every cell in memory outside read-only mode, so a million-row sheet
    costs minutes and gigabytes before the first row reaches the caller. The unpacked sizes
    in the archive's header are checked instead, in microseconds.
    """
    with open_zip(path, data) as archive:
        for info in archive.infolist():
            name = info.filename.lower()
            if name.endswith((".xml", ".rels")):
                # Excel never writes a DTD. Refused here, whichever XML parser openpyxl uses
                # (lxml, or expat with or without defusedxml), as parse_xml refuses one.
                with archive.open(info) as handle:
                    if b"<!ENTITY" in handle.read(65536):
                        raise InputFileError(path, "declares XML entities; refusing a possible entity-expansion "
                                             "attack", "re-save the file in its application")
            if name.startswith("xl/worksheets/") or name == "xl/sharedstrings.xml":
                if info.file_size > max_sheet_bytes:
                    # the member is not named: a sheet's file name can be a person's name
                    raise InputFileError(path, f"has a worksheet that unpacks to {info.file_size // 2**20} MB of "
                                         f"XML, more than the {max_sheet_bytes // 2**20} MB a {what} can be",
                                         "check that it is the right file")


def read_member(archive: zipfile.ZipFile, name: str, path: str | Path = "") -> bytes:
    """Read one archive member, stopping at the size limit whatever its header claims."""
    with archive.open(name) as handle:
        data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise InputFileError(path or archive.filename or "archive",
                             f"an archive member is larger than {MAX_MEMBER_BYTES} bytes")
    return data


def safe_xml_parser():
    """An lxml parser that expands no entities, fetches nothing and refuses huge trees."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False,
    )


def parse_xml(data: bytes, path: str | Path = "", part: str = ""):
    """Parse untrusted XML bytes (from a .docx, .xlsx, .qde ...) into an lxml element."""
    from lxml import etree

    if b"<!ENTITY" in data[:65536]:
        raise InputFileError(path, f"{part or 'XML'} declares entities; refusing a possible "
                             "entity-expansion attack", "re-save the file in its application")
    try:
        return etree.fromstring(data, parser=safe_xml_parser())
    except etree.XMLSyntaxError as error:
        where = f" in {part}" if part else ""
        raise InputFileError(path, f"malformed XML{where} (line {error.position[0]})",
                             "re-save or re-export it") from None


def local_name(node) -> str:
    """The name of an element, a tag or an attribute without its namespace ('p' for
    '{http://...}p'); "" for comments and processing instructions, which have no name."""
    tag = getattr(node, "tag", node)
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def guard_document(opener: Callable[[], object], path: str | Path) -> object:
    """Run a library's file opener, turning its exceptions into a one-line error for ``path``.

    Library exceptions may quote document content; the message here never does.
    """
    try:
        return opener()
    except InputFileError:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure is the file's problem
        raise InputFileError(path, f"cannot be read ({type(error).__name__})",
                             "check that it opens in its application and re-save it") from None
