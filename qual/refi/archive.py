"""Opening what a user hands over as REFI-QDA: a .qdpx archive, a .qde file (with its
``sources`` folder beside it, if any) or a .qdc codebook, forgivingly.

Peers' exports differ from the spec in known ways (``../shared/data/refi/SOURCES.md``): the
.qde is named after the project or ``Project.qde``, the sources folder is ``Sources``, a
path lacks its ``internal://`` scheme, the XML starts with a byte-order mark or uses another
namespace version. Each is accepted here and noted, so that the import can say what it forgave.
Every zip and XML goes through ``qual.files`` (no zip bombs, no entity expansion).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable
from urllib.parse import unquote

from ..errors import InputFileError
from ..files import MAX_MEMBER_BYTES, local_name, open_zip, parse_xml, read_member
from .model import ABSOLUTE, CODEBOOK_NS, INTERNAL, PROJECT_FILE, PROJECT_NS, RELATIVE, SOURCES_FOLDER

UTF8_BOM = b"\xef\xbb\xbf"
_SCHEMES = (INTERNAL, RELATIVE, ABSOLUTE)


def namespace_of(element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


@dataclass(frozen=True)
class Located:
    """Where a source path attribute leads. ``scheme`` internal/relative/absolute/none;
    ``member`` the archive member (or file in the sources folder) when found; ``how``
    exact / case (found under another letter case or folder name) / elsewhere (found outside
    the sources folder) / missing / external."""

    value: str
    scheme: str
    file: str
    member: str | None
    how: str


@dataclass
class SourceFiles:
    """The files a project's internal paths point into: members of the archive, or files of
    the ``sources`` folder beside a lone .qde."""

    names: list[str] = field(default_factory=list)
    reader: Callable[[str], bytes] | None = None
    origin: str = ""

    def __post_init__(self) -> None:
        self._exact: dict[str, str] = {}
        self._lower: dict[str, str] = {}
        self._base: dict[str, str] = {}
        for name in self.names:
            key = name.replace("\\", "/")  # zips made on Windows may use backslashes
            self._exact.setdefault(key, name)
            self._lower.setdefault(key.lower(), name)
            self._base.setdefault(PurePosixPath(key).name.lower(), name)

    @property
    def folder(self) -> str | None:
        """The name of the sources folder as written (``sources`` per the spec, or ``Sources``)."""
        for name in self._exact:
            head = name.split("/", 1)[0]
            if "/" in name and head.lower() == SOURCES_FOLDER:
                return head
        return None

    def locate(self, value: str | None) -> Located | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        scheme = "none"
        rest = value
        for candidate in _SCHEMES:
            if value.lower().startswith(candidate):
                scheme = candidate[:-3]
                rest = value[len(candidate):]
                break
        if scheme in {"relative", "absolute"}:
            return Located(value, scheme, rest, None, "external")
        file = rest.lstrip("/")
        for name in dict.fromkeys([file, unquote(file)]):
            exact = f"{SOURCES_FOLDER}/{name}"
            if exact in self._exact:
                return Located(value, scheme, name, self._exact[exact], "exact")
            found = self._lower.get(exact.lower())
            if found is not None:
                return Located(value, scheme, name, found, "case")
            found = self._base.get(PurePosixPath(name).name.lower())
            if found is not None:
                return Located(value, scheme, name, found, "elsewhere")
        return Located(value, scheme, file, None, "missing")

    def read(self, member: str) -> bytes:
        if self.reader is None:
            raise KeyError(member)
        return self.reader(member)


@dataclass
class RefiFile:
    """A REFI-QDA file opened for reading: its XML root, the files its paths point into, and
    the notes of what was forgiven (``(check, message)`` pairs, no content)."""

    path: Path
    container: str  # qdpx, qde or qdc
    kind: str  # project or codebook
    xml_name: str
    xml: bytes
    root: object
    files: SourceFiles
    forgiven: list[tuple[str, str]] = field(default_factory=list)
    archive: zipfile.ZipFile | None = None

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None

    def __enter__(self) -> "RefiFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _parse(data: bytes, path: Path, part: str, forgiven: list[tuple[str, str]]):
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
        forgiven.append(("bom", f"{part} starts with a byte-order mark"))
    stripped = data.lstrip()
    if len(stripped) != len(data):
        forgiven.append(("leading-space", f"{part} has blank space before its XML declaration"))
        data = stripped
    return data, parse_xml(data, path, part)


def _kind(root, path: Path, part: str, forgiven: list[tuple[str, str]]) -> str:
    name = local_name(root)
    namespace = namespace_of(root)
    if name == "Project":
        expected = PROJECT_NS
        kind = "project"
    elif name == "CodeBook":
        expected = CODEBOOK_NS
        kind = "codebook"
    else:
        raise InputFileError(path, f"{part} is not a REFI-QDA project or codebook (root element <{name}>)",
                             "give a .qdpx, .qde or .qdc file exported by a QDA tool")
    if not namespace:
        forgiven.append(("namespace", f"{part} has no XML namespace; read as {expected}"))
    elif namespace != expected:
        forgiven.append(("namespace", f"{part} uses namespace {namespace}; read as {expected}"))
    return kind


def _choose_qde(names: list[str]) -> list[str]:
    qdes = [n for n in names if n.lower().endswith(".qde") and not n.endswith("/")]
    root_level = [n for n in qdes if "/" not in n]
    preferred = [n for n in root_level if n.lower() == PROJECT_FILE]
    return preferred + [n for n in root_level if n not in preferred] + [n for n in qdes if n not in root_level]


def open_refi(path: str | Path, data: bytes | None = None) -> RefiFile:
    """Open a .qdpx, .qde or .qdc (or their bytes, ``data``) whatever its extension says."""
    path = Path(path)
    if data is None:
        if not path.exists():
            raise InputFileError(path, "does not exist", "check the path")
        if path.is_dir():
            raise InputFileError(path, "is a folder", "give the .qdpx, .qde or .qdc file")
        with open(path, "rb") as handle:
            head = handle.read(4)
    else:
        head = data[:4]
    forgiven: list[tuple[str, str]] = []
    if head.startswith(b"PK"):
        archive = open_zip(path, data)
        try:
            return _open_archive(path, archive, forgiven)
        except BaseException:
            archive.close()
            raise
    if data is None:
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise InputFileError(path, f"is larger than {MAX_MEMBER_BYTES} bytes; refusing to parse it")
        data = path.read_bytes()
    xml, root = _parse(data, path, path.name or "XML", forgiven)
    kind = _kind(root, path, path.name or "XML", forgiven)
    container = "qdc" if kind == "codebook" else "qde"
    files = _sources_beside(path) if kind == "project" else SourceFiles()
    return RefiFile(path=path, container=container, kind=kind, xml_name=path.name, xml=xml, root=root,
                    files=files, forgiven=forgiven)


def _open_archive(path: Path, archive: zipfile.ZipFile, forgiven: list[tuple[str, str]]) -> RefiFile:
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    candidates = _choose_qde(names)
    if not candidates:
        qdcs = [n for n in names if n.lower().endswith(".qdc")]
        if not qdcs:
            raise InputFileError(path, "holds no .qde project file",
                                 "export the project again from its tool as REFI-QDA (.qdpx)")
        candidates = qdcs
    xml_name = candidates[0]
    if xml_name != PROJECT_FILE:
        forgiven.append(("qde-name", f"the project XML is named {xml_name!r}, not {PROJECT_FILE!r}"))
    if len(candidates) > 1:
        forgiven.append(("several-qde", f"{len(candidates)} .qde files in the archive; read {xml_name!r}"))
    xml, root = _parse(read_member(archive, xml_name, path), path, xml_name, forgiven)
    kind = _kind(root, path, xml_name, forgiven)
    others = [n for n in names if n != xml_name]
    files = SourceFiles(names=others, reader=lambda member: read_member(archive, member, path),
                        origin="archive")
    folder = files.folder
    if folder is not None and folder != SOURCES_FOLDER:
        forgiven.append(("sources-folder", f"the sources folder is named {folder!r}, not {SOURCES_FOLDER!r}"))
    return RefiFile(path=path, container="qdpx", kind=kind, xml_name=xml_name, xml=xml, root=root,
                    files=files, forgiven=forgiven, archive=archive)


def _sources_beside(qde: Path) -> SourceFiles:
    """The ``sources`` folder (any letter case) next to a lone .qde: an unzipped project."""
    parent = qde.parent
    try:
        folders = [p for p in parent.iterdir() if p.is_dir() and p.name.lower() == SOURCES_FOLDER]
    except OSError:
        folders = []
    if not folders:
        return SourceFiles()
    folder = folders[0].resolve()
    names = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_file():
            names.append(f"{SOURCES_FOLDER}/{entry.name}")

    def reader(member: str) -> bytes:
        file = (folder / PurePosixPath(member).name).resolve()
        if file.parent != folder:  # never follow a name out of the sources folder
            raise KeyError(member)
        if file.stat().st_size > MAX_MEMBER_BYTES:
            raise InputFileError(file, f"is larger than {MAX_MEMBER_BYTES} bytes")
        return file.read_bytes()

    return SourceFiles(names=names, reader=reader, origin="folder")
