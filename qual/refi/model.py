"""What REFI-QDA exchange reads and writes: a project as plain data, the account of an
import, validation problems, and the GUIDs that identify everything in a .qde file.

Nothing here holds document text in a ``repr``: sources, notes and quotes may quote a
transcript, so only counts, ids and GUIDs ever reach a message or a log line.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..model.codebook import Codebook

if TYPE_CHECKING:  # pandas is imported lazily so that `qual --help` stays fast
    import pandas as pd

    from ..model import Transcript

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_FILE = "project.qde"
SOURCES_FOLDER = "sources"
INTERNAL = "internal://"
RELATIVE = "relative://"
ABSOLUTE = "absolute://"

# The XSD's GUIDType: 8-4-4-4-12 hex digits, optionally in braces.
GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")

# Stable GUIDs (uuid5) so that re-exporting the same codebook and corpus gives the same GUIDs:
# a tool that re-imports the project recognises its codes and sources.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/qual-project/qual/refi-qda")


def stable_guid(kind: str, *key: Any) -> str:
    """The GUID of a ``kind`` of object (code, source, ...) with this key, upper case as peers write it."""
    name = kind + ":" + "\x1f".join(str(part) for part in key)
    return str(uuid.uuid5(_NAMESPACE, name)).upper()


def normalise_guid(value: str | None) -> str:
    """A GUID as a lookup key: braces and spaces removed, upper case ('' for None)."""
    return (value or "").strip().strip("{}").upper()


def is_guid(value: str | None) -> bool:
    return bool(value) and bool(GUID_RE.match(value.strip()))


def xml_datetime(moment: datetime | None = None) -> str:
    """``xsd:dateTime`` in UTC, to the second, as REFI-QDA peers write it (``2019-03-27T17:46:39Z``)."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a REFI-QDA file. ``where`` names an element by GUID or a member by
    path, never by its text; ``severity`` is ``error`` (peers may refuse or misread the file)
    or ``warning`` (the file works but bends the standard)."""

    severity: str
    check: str
    where: str
    message: str

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.severity} [{self.check}]{where} {self.message}"


# --------------------------------------------------------------------------- import account


@dataclass(frozen=True)
class ReportEntry:
    """A line of the account of an import: what was ``read``, ``skipped`` (and why), a
    ``warning`` about something read forgivingly, or plain ``info``."""

    kind: str
    topic: str
    count: int
    detail: str = ""

    def __str__(self) -> str:
        count = f"{self.count} " if self.count >= 0 else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.kind}: {count}{self.topic}{detail}"


@dataclass
class ReadReport:
    """The account of what an import read, skipped and forgave; counts only, never text."""

    entries: list[ReportEntry] = field(default_factory=list)

    def add(self, kind: str, topic: str, count: int = -1, detail: str = "") -> None:
        if count == 0 and kind in {"skipped", "warning"}:
            return
        self.entries.append(ReportEntry(kind, topic, count, detail))

    def read(self, topic: str, count: int, detail: str = "") -> None:
        self.add("read", topic, count, detail)

    def skipped(self, topic: str, count: int, why: str) -> None:
        self.add("skipped", topic, count, why)

    def warning(self, topic: str, count: int = -1, detail: str = "") -> None:
        self.add("warning", topic, count, detail)

    def info(self, topic: str, detail: str = "") -> None:
        self.add("info", topic, -1, detail)

    def of_kind(self, kind: str) -> list[ReportEntry]:
        return [entry for entry in self.entries if entry.kind == kind]

    def lines(self) -> list[str]:
        return [str(entry) for entry in self.entries]


# --------------------------------------------------------------------------- project


@dataclass
class RefiUser:
    guid: str
    name: str

    def __repr__(self) -> str:  # a researcher's name is kept out of logs
        return f"RefiUser({self.guid})"


@dataclass
class RefiSource:
    """A source of the project: ``kind`` text/pdf/picture/audio/video; ``status`` read, empty,
    missing, external (outside the archive, not read) or not-text; ``document`` is the
    transcript id it became (text sources that were read)."""

    guid: str
    name: str
    kind: str
    status: str
    document: str = ""
    path: str = ""

    def __repr__(self) -> str:  # source names may name an interviewee
        return f"RefiSource({self.guid}, {self.kind}, {self.status})"


@dataclass
class RefiCase:
    """A case (participant) with its variables and the documents (transcript ids) it groups."""

    guid: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    documents: list[str] = field(default_factory=list)
    description: str = ""

    def __repr__(self) -> str:
        return f"RefiCase({self.guid}, {len(self.attributes)} variables, {len(self.documents)} documents)"


@dataclass
class RefiNote:
    """A note (memo): its text, who wrote it and when, and the GUIDs of what refers to it."""

    guid: str
    name: str
    text: str
    created: str = ""
    user: str = ""
    description: str = ""
    about: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # memos quote and discuss transcripts
        return f"RefiNote({self.guid}, {len(self.text)} characters)"


@dataclass
class RefiProject:
    """A REFI-QDA project (or codebook) as read by ``read_project``.

    ``transcripts`` are the text sources that were read, as qual transcripts whose ``text``
    is the source text (line ends normalised to LF; a label is put in front of text that does
    not start with a speaker label); ``texts`` maps each transcript id to that text.
    ``codings`` is typed by the codings schema (``qual.model.codings``), with offsets into
    ``Transcript.text``, status ``accepted`` and source ``refi:<user or tool>``. ``report`` says
    what was read, skipped and why; ``problems`` what schema and semantic validation found.
    """

    path: str
    kind: str  # "project" or "codebook"
    origin: str
    tool: str
    name: str
    codebook: Codebook
    transcripts: list["Transcript"] = field(default_factory=list)
    codings: "pd.DataFrame | None" = None
    cases: list[RefiCase] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    users: list[RefiUser] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    code_guids: dict[str, str] = field(default_factory=dict)  # code or theme id -> GUID
    report: ReadReport = field(default_factory=ReadReport)
    problems: list[Problem] = field(default_factory=list)

    @property
    def texts(self) -> dict[str, str]:
        return {t.id: t.text for t in self.transcripts}

    def transcript(self, document: str) -> "Transcript":
        for transcript in self.transcripts:
            if transcript.id == document:
                return transcript
        raise KeyError(document)

    def __repr__(self) -> str:
        return (f"RefiProject({self.kind}, tool={self.tool!r}, {len(self.codebook.codes)} codes, "
                f"{len(self.transcripts)} transcripts, "
                f"{0 if self.codings is None else len(self.codings)} codings, {len(self.cases)} cases, "
                f"{len(self.notes)} notes)")
