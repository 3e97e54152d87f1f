"""Reading REFI-QDA projects from NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette, qc and qual,
forgivingly, into the codebook, transcripts and codings that agreement statistics and the
learned suggester use.

Every text source that can be read becomes a transcript whose ``text`` is the source text
with LF line ends; every text selection with a coding becomes a ``codings.csv`` row (status
``accepted``, source ``refi:<user>``, coder the user's name) whose offsets select the same
characters; the codings of the user ``qual suggestions`` (qual's unreviewed suggestions,
exported apart) come back with status ``suggested``. What cannot
be read (pictures, PDFs without a text representation, audio and video, missing files,
selections outside their text, codings of unknown codes) is skipped and counted in the
``report``, with the reason, never silently.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from ..errors import InputFileError, QualError
from ..files import local_name
from ..model import Role, Transcript
from ..model.codebook import Codebook
from ..model.codings import ACCEPTED, SUGGESTED, SUGGESTIONS_USER, Codings
from .archive import RefiFile, UTF8_BOM, open_refi
from .model import (
    ReadReport, RefiCase, RefiNote, RefiProject, RefiSource, RefiUser, normalise_guid,
)
from .qdc import codes_of, read_codes
from .text import (
    normalise_newlines, looks_like_quote, quote_fits, transcript_from_text, turn_at,
)
from .validate import QUAL_ORIGIN, validate_refi

log = logging.getLogger("qual.refi.importer")

TOOLS = (
    (r"\bnvivo\b", "NVivo"), (r"\batlas\.?ti\b", "ATLAS.ti"), (r"\bmaxqda\b", "MAXQDA"),
    (r"\bqualcoder\b", "QualCoder"), (r"\btaguette\b", "Taguette"), (r"\bquirkos\b", "Quirkos"),
    (r"\bdedoose\b", "Dedoose"), (r"\btransana\b", "Transana"), (r"\bf4", "f4analyse"),
    (r"\bqda ?miner\b", "QDA Miner"), (r"^qual\b", "qual"), (r"^qc\b", "qc"),
)
TEXT_SUFFIXES = re.compile(r"\.(?:txt|docx?|rtf|odt|pdf|html?|md)$", re.IGNORECASE)
SPEAKERS_LINE = re.compile(r"^Speakers: (?P<speakers>.+)$", re.MULTILINE)
SPEAKER_ROLE = re.compile(r"^(?P<speaker>.+) \((?P<role>interviewer|participant|other)\)$")
MEDIA_KINDS = {"PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video", "PDFSource": "pdf"}
SELECTION_KINDS = {"PictureSelection": "picture", "PDFSelection": "PDF", "AudioSelection": "audio",
                   "VideoSelection": "video", "TranscriptSelection": "transcript"}


def detect_tool(origin: str | None) -> str:
    """The tool that wrote a file, from its ``origin`` attribute ("NVivo for Mac 15.0.0" -> NVivo)."""
    origin = (origin or "").strip()
    for pattern, tool in TOOLS:
        if re.search(pattern, origin, re.IGNORECASE):
            return tool
    return origin.split()[0] if origin else "unknown tool"


def _children(element, name: str) -> list:
    return [child for child in element if local_name(child) == name]


def _child(element, name: str):
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _typed(value_element) -> Any:
    kind = local_name(value_element)
    text = (value_element.text or "").strip()
    if kind == "IntegerValue":
        return _int(text) if _int(text) is not None else text
    if kind == "FloatValue":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "BooleanValue":
        return text.lower() in {"true", "1"}
    return text


class _Reader:
    """One import: the state shared by the steps of ``read_project``."""

    def __init__(self, refi: RefiFile, reference: Codebook | None, report: ReadReport) -> None:
        self.refi = refi
        self.root = refi.root
        self.reference = reference
        self.report = report
        self.origin = self.root.get("origin") or ""
        self.tool = detect_tool(self.origin)
        # qual's own exports are in qual's layout: turns after blank lines, roles in the description
        self.qual_export = bool(QUAL_ORIGIN.match(self.origin))
        self.users: dict[str, RefiUser] = {}
        self.variables: dict[str, str] = {}
        self.documents: dict[str, str] = {}  # source GUID -> document id
        self.selection_document: dict[str, str] = {}
        self.transcripts: list[Transcript] = []
        self.sources: list[RefiSource] = []
        self.rows: list[dict[str, Any]] = []
        self.notes: list[RefiNote] = []
        self.note_about: dict[str, list[str]] = {}
        self.case_links: dict[str, set[str]] = {}  # case GUID -> documents (NVivo case nodes)
        self.skipped: dict[str, int] = {}
        self.forgiven: dict[str, int] = {}
        self.case_nodes: set[str] = set()
        self.transcript_by_id: dict[str, Transcript] = {}
        self.code_map = None

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    # ------------------------------------------------------------------ parts of the project

    def section(self, name: str):
        return _child(self.root, name)

    def read_users(self) -> None:
        users = self.section("Users")
        for element in _children(users, "User") if users is not None else []:
            guid = normalise_guid(element.get("guid"))
            name = (element.get("name") or element.get("id") or "").strip() or f"user {len(self.users) + 1}"
            self.users[guid] = RefiUser(guid=element.get("guid") or "", name=name)

    def user_name(self, *elements) -> str | None:
        """The name of the first element's user, None when no element names a known user."""
        for element in elements:
            if element is None:
                continue
            for attribute in ("creatingUser", "modifyingUser", "creatingUserGUID"):
                user = self.users.get(normalise_guid(element.get(attribute)))
                if user is not None:
                    return user.name
        return None

    def user_label(self, *elements) -> str:
        name = self.user_name(*elements)
        return f"refi:{name if name is not None else self.tool}"

    def read_variables(self) -> None:
        variables = self.section("Variables")
        for element in _children(variables, "Variable") if variables is not None else []:
            self.variables[normalise_guid(element.get("guid"))] = (element.get("name") or "").strip()

    def variable_values(self, element) -> dict[str, Any]:
        values = {}
        for value in _children(element, "VariableValue"):
            ref = _child(value, "VariableRef")
            name = self.variables.get(normalise_guid(ref.get("targetGUID"))) if ref is not None else None
            if not name:
                self.skip("variable values of unknown variables")
                continue
            typed = [c for c in value if local_name(c).endswith("Value")]
            values[name] = _typed(typed[0]) if typed else ""
        return values

    def case_guids(self) -> set[str]:
        cases = self.section("Cases")
        return {normalise_guid(c.get("guid")) for c in _children(cases, "Case")} if cases is not None else set()

    def coded_guids(self) -> set[str]:
        return {normalise_guid(ref.get("targetGUID")) for ref in self.root.iter()
                if isinstance(ref.tag, str) and local_name(ref) == "CodeRef"
                and ref.getparent() is not None and local_name(ref.getparent()) == "Coding"}

    def read_codebook(self, name: str) -> None:
        code_guids = {normalise_guid(e.get("guid")) for e in self.root.iter()
                      if isinstance(e.tag, str) and local_name(e) == "Code"}
        self.case_nodes = self.case_guids() & code_guids
        self.code_map = read_codes(codes_of(self.root), name=name, report=self.report,
                                   reference=self.reference, exclude=self.case_nodes,
                                   coded=self.coded_guids())

    # ------------------------------------------------------------------ sources

    def read_sources(self) -> None:
        sources = self.section("Sources")
        if sources is None:
            return
        taken: set[str] = set()
        for element in sources:
            kind = local_name(element)
            if kind == "TextSource":
                self.read_text_source(element, element, taken)
            elif kind == "PDFSource":
                representation = _child(element, "Representation")
                self.count_media_selections(element)
                self.count_source_codings(element)
                if representation is not None:
                    self.read_text_source(representation, element, taken, kind="pdf")
                else:
                    self.sources.append(RefiSource(guid=element.get("guid") or "", name=element.get("name") or "",
                                                   kind="pdf", status="not-text"))
                    self.skip("PDF sources without a plain-text representation (qual reads text)")
            elif kind in MEDIA_KINDS:
                self.sources.append(RefiSource(guid=element.get("guid") or "", name=element.get("name") or "",
                                               kind=MEDIA_KINDS[kind], status="not-text",
                                               path=element.get("path") or ""))
                self.skip(f"{MEDIA_KINDS[kind]} sources (qual reads text)")
                self.count_media_selections(element)
                self.count_source_codings(element)
        self.transcript_by_id = {t.id: t for t in self.transcripts}

    def count_media_selections(self, element) -> None:
        for selection in element.iter():
            name = local_name(selection) if isinstance(selection.tag, str) else ""
            if name in SELECTION_KINDS:
                codings = len(_children(selection, "Coding"))
                self.skip(f"codings of {SELECTION_KINDS[name]} selections (not text)", codings)

    def count_source_codings(self, element) -> None:
        for coding in _children(element, "Coding"):
            ref = _child(coding, "CodeRef")
            if ref is not None and normalise_guid(ref.get("targetGUID")) in self.case_nodes:
                continue
            self.skip("codings of whole sources (qual reads codings of text selections)")

    def source_text(self, element) -> tuple[str | None, str, str]:
        """(text, status, path) of a text source: from PlainTextContent or its plainTextPath."""
        content = _child(element, "PlainTextContent")
        if content is not None:
            return content.text or "", "read", ""
        path = element.get("plainTextPath")
        located = self.refi.files.locate(path)
        if located is None:
            if element.get("richTextPath"):
                return None, "no-plain-text", ""
            return None, "no-text", ""
        if located.scheme == "none":
            self.forgive("paths without the internal:// scheme read as internal files")
        if located.how == "external":
            return None, "external", located.value
        if located.member is None:
            return None, "missing", located.value
        if located.how == "elsewhere":
            self.forgive("internal files found outside the sources folder")
        try:
            data = self.refi.files.read(located.member)
        except KeyError:
            return None, "missing", located.value
        if data.startswith(UTF8_BOM):
            data = data[len(UTF8_BOM):]
            self.forgive("plain texts starting with a byte-order mark (not counted as a position)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = _guess_encoding(data)
            if encoding is None:
                return None, "undecodable", located.value
            text = data.decode(encoding)
            self.forgive(f"plain texts not in UTF-8, read as {encoding}")
        return text, "read", located.value

    def forgive(self, what: str) -> None:
        self.forgiven[what] = self.forgiven.get(what, 0) + 1

    def document_id(self, element, owner, taken: set[str]) -> str:
        name = (owner.get("name") or element.get("name") or "").strip()
        document = TEXT_SUFFIXES.sub("", name).strip() or normalise_guid(owner.get("guid") or element.get("guid"))
        unique, number = document, 2
        while unique.casefold() in taken:
            unique = f"{document}-{number}"
            number += 1
        taken.add(unique.casefold())
        return unique

    def roles_of(self, owner) -> dict[str, Role]:
        """Speaker roles a qual export lists in the source description (``Speakers: A (interviewer); ...``)."""
        if not self.qual_export:
            return {}
        description = _child(owner, "Description")
        match = SPEAKERS_LINE.search(description.text or "") if description is not None else None
        roles = {}
        for item in (match.group("speakers").split("; ") if match else []):
            found = SPEAKER_ROLE.match(item.strip())
            if found:
                roles[found.group("speaker")] = Role(found.group("role"))
        return roles

    def read_text_source(self, element, owner, taken: set[str], kind: str = "text") -> None:
        guid = owner.get("guid") or element.get("guid") or ""
        name = owner.get("name") or element.get("name") or ""
        selections = _children(element, "PlainTextSelection")
        codings_here = sum(len(_children(s, "Coding")) for s in selections)
        if kind == "text":
            self.count_source_codings(element)
        text, status, path = self.source_text(element)
        if text is not None and not text.strip():
            text, status = None, "empty"
        if text is None:
            reasons = {
                "missing": "text sources whose file is not in the archive",
                "external": "text sources outside the archive (relative:// or absolute://; not read)",
                "empty": "text sources that are empty (NVivo writes a 1-byte .txt for some sources)",
                "no-plain-text": "text sources with rich text only (no plain-text representation)",
                "no-text": "text sources with no text and no path",
                "undecodable": "text sources whose encoding could not be told",
            }
            self.skip(reasons[status])
            self.skip(f"codings in text sources that were not read ({status})", codings_here)
            self.sources.append(RefiSource(guid=guid, name=name, kind=kind, status=status, path=path))
            return
        document = self.document_id(element, owner, taken)
        self.documents[normalise_guid(guid)] = document
        if normalise_guid(element.get("guid")) != normalise_guid(guid):
            self.documents[normalise_guid(element.get("guid"))] = document
        raw = text
        lf_text, newline_map = normalise_newlines(raw)
        convention = "lf"
        if not newline_map.identity:
            convention = self.line_end_convention(raw, lf_text, selections)
        attributes = self.variable_values(owner)
        roles = self.roles_of(owner)
        transcript, layout = transcript_from_text(document, lf_text, roles, attributes, speakers=list(roles))
        if layout.segments and not _labelled(transcript):
            self.forgive("texts that do not start with a speaker label (a 'Text: ' label was put in front)")
        if not layout.exact:
            self.forgive("texts whose turns are not separated by a blank line (one was put between turns; "
                         "positions moved with the text)")
        self.transcripts.append(transcript)
        self.sources.append(RefiSource(guid=guid, name=name, kind=kind, status="read", document=document,
                                       path=path))
        full_text = transcript.text  # a property that joins the turns: computed once
        turn_starts = [turn.start for turn in transcript.turns]
        for selection in selections:
            self.read_selection(selection, element, owner, transcript, full_text, turn_starts, lf_text, layout,
                                newline_map if convention == "raw" else None)
        for coding in _children(element, "Coding"):
            ref = _child(coding, "CodeRef")
            case = normalise_guid(ref.get("targetGUID")) if ref is not None else ""
            if case in self.case_nodes:
                self.case_links.setdefault(case, set()).add(document)
        for note_ref in _children(owner, "NoteRef"):
            self.note_about.setdefault(normalise_guid(note_ref.get("targetGUID")), []).append(f"document:{document}")

    def line_end_convention(self, raw: str, lf_text: str, selections: list) -> str:
        """Whether the positions of a CR LF text count CR LF as two (the spec) or one (ATLAS.ti).

        Decided by which reading makes more selection names (often the quote's start) fit the
        text; ATLAS.ti's way when nothing tells them apart, the spec's for everyone else.
        """
        votes = {"raw": 0, "lf": 0}
        for selection in selections:
            label = selection.get("name")
            start, end = _int(selection.get("startPosition")), _int(selection.get("endPosition"))
            if not looks_like_quote(label) or start is None or end is None:
                continue
            votes["raw"] += quote_fits(label, raw[start:end])
            votes["lf"] += quote_fits(label, lf_text[start:end])
        if votes["raw"] != votes["lf"]:
            convention = max(votes, key=votes.get)
        else:
            convention = "lf" if self.tool == "ATLAS.ti" else "raw"
        self.forgive("texts with CR LF line ends, positions read as counting CR LF as "
                     + ("one character" if convention == "lf" else "two characters"))
        return convention

    def read_selection(self, selection, element, owner, transcript: Transcript, full_text: str,
                       turn_starts: list[int], lf_text: str, layout, newline_map) -> None:
        codings = _children(selection, "Coding")
        start, end = _int(selection.get("startPosition")), _int(selection.get("endPosition"))
        guid = normalise_guid(selection.get("guid"))
        document = transcript.id
        self.selection_document[guid] = document
        description = _child(selection, "Description")
        if description is not None and (description.text or "").strip():
            self.notes.append(RefiNote(guid=selection.get("guid") or "", name="selection memo",
                                       text=description.text.strip(), created=selection.get("creationDateTime") or "",
                                       user=self.user_label(selection).removeprefix("refi:"),
                                       about=[f"selection:{guid}", f"document:{document}"]))
        for note_ref in _children(selection, "NoteRef"):
            self.note_about.setdefault(normalise_guid(note_ref.get("targetGUID")), []).append(f"selection:{guid}")
        if not codings:
            return
        if start is None or end is None:
            self.skip("codings of selections without integer positions", len(codings))
            return
        if newline_map is not None:
            start, end = newline_map(start), newline_map(end)
        if start > end:
            start, end = end, start
            self.forgive("selections with start after end (read the other way round)")
        if start < 0 or end > len(lf_text):
            self.skip("codings of selections outside their text", len(codings))
            return
        if start == end:
            self.skip("codings of empty selections (start = end)", len(codings))
            return
        start, end = layout.start(start), layout.end(end)
        if start >= end:
            self.skip("codings of selections that hold only line breaks between turns", len(codings))
            return
        quote = full_text[start:end]
        turn = turn_at(transcript, start, turn_starts)
        for coding in codings:
            ref = _child(coding, "CodeRef")
            target = normalise_guid(ref.get("targetGUID")) if ref is not None else ""
            if target in self.case_nodes:
                self.case_links.setdefault(target, set()).add(document)
                continue
            code = self.code_map.code_of_guid.get(target)
            if code is None:
                self.skip("codings of codes that are not in the codebook")
                continue
            source = self.user_label(coding, selection, element, owner, self.root)
            user = self.user_name(coding, selection, element, owner, self.root)
            # REFI-QDA has no status: qual exports unreviewed suggestions as their own user
            suggestion = user == SUGGESTIONS_USER
            self.rows.append({
                "document": document, "segment": "" if turn is None else str(turn.index),
                "speaker": "" if turn is None else turn.speaker, "text": quote, "code": code,
                "score": None if suggestion else 1.0, "source": source,
                "status": SUGGESTED if suggestion else ACCEPTED, "coder": "" if suggestion else user or "",
                "turn": None if turn is None else turn.index,
                "timestamp": "" if turn is None or turn.timestamp is None else turn.timestamp,
                "role": "" if turn is None else str(turn.role), "start": start, "end": end,
            })

    # ------------------------------------------------------------------ cases and notes

    def read_cases(self) -> list[RefiCase]:
        cases_el = self.section("Cases")
        cases: list[RefiCase] = []
        source_variables = 0
        for element in _children(cases_el, "Case") if cases_el is not None else []:
            guid = normalise_guid(element.get("guid"))
            attributes = self.variable_values(element)
            refs = [normalise_guid(r.get("targetGUID")) for r in _children(element, "SourceRef")]
            if element.get("name") is None and len(refs) == 1:
                # MAXQDA and Quirkos keep a source's variables in a nameless case.
                document = self.documents.get(refs[0])
                if document is not None:
                    self.transcript_by_id[document].attributes.update(attributes)
                source_variables += 1
                continue
            documents = [self.documents[r] for r in refs if r in self.documents]
            unread = sum(1 for r in refs if r not in self.documents)
            if unread:
                self.skip("case links to sources that were not read", unread)
            for selection in _children(element, "SelectionRef"):
                document = self.selection_document.get(normalise_guid(selection.get("targetGUID")))
                if document is not None:
                    documents.append(document)
            documents.extend(sorted(self.case_links.get(guid, ())))
            description = _child(element, "Description")
            case = RefiCase(guid=element.get("guid") or "", name=(element.get("name") or "").strip() or guid,
                            attributes=attributes, documents=list(dict.fromkeys(documents)),
                            description=(description.text or "").strip() if description is not None else "")
            cases.append(case)
            for document in case.documents:
                transcript = self.transcript_by_id[document]
                for key, value in attributes.items():
                    transcript.attributes.setdefault(key, value)
                if case.name != document:
                    transcript.attributes.setdefault("participant_id", case.name)
        if source_variables:
            self.report.info(f"{source_variables} nameless cases hold source variables (MAXQDA, Quirkos)",
                             "read as attributes of their transcript")
        return cases

    def read_notes(self) -> None:
        code_of_element = {}
        for element in self.root.iter():
            if isinstance(element.tag, str) and local_name(element) == "Code":
                code_of_element[normalise_guid(element.get("guid"))] = element
        code_id_by_guid = {normalise_guid(g): c for c, g in self.code_map.guid_of.items()}
        for guid, element in code_of_element.items():
            for note_ref in _children(element, "NoteRef"):
                about = f"code:{code_id_by_guid.get(guid, guid)}"
                self.note_about.setdefault(normalise_guid(note_ref.get("targetGUID")), []).append(about)
        for note_ref in _children(self.root, "NoteRef"):
            self.note_about.setdefault(normalise_guid(note_ref.get("targetGUID")), []).append("project")
        links = self.section("Links")
        link_count = 0
        for link in _children(links, "Link") if links is not None else []:
            origin, target = normalise_guid(link.get("originGUID")), normalise_guid(link.get("targetGUID"))
            if target in self.selection_document:
                self.note_about.setdefault(origin, []).append(f"selection:{target}")
            else:
                link_count += 1
        if link_count:
            self.skip("links between objects (qual has no links)", link_count)
        notes_el = self.section("Notes")
        unreadable = 0
        for element in _children(notes_el, "Note") if notes_el is not None else []:
            text, status, _ = self.source_text(element)
            if text is None and status != "empty":
                unreadable += 1
                continue
            guid = normalise_guid(element.get("guid"))
            description = _child(element, "Description")
            self.notes.append(RefiNote(
                guid=element.get("guid") or "", name=(element.get("name") or "").strip(), text=text or "",
                created=element.get("creationDateTime") or element.get("modifiedDateTime") or "",
                user=self.user_label(element).removeprefix("refi:"),
                description=(description.text or "").strip() if description is not None else "",
                about=list(dict.fromkeys(self.note_about.get(guid, []))),
            ))
        if unreadable:
            self.skip("notes whose text could not be read (file missing, or no text)", unreadable)

    def count_unsupported(self) -> None:
        sets = self.section("Sets")
        if sets is not None and len(_children(sets, "Set")):
            self.skip("sets (qual has no sets)", len(_children(sets, "Set")))
        graphs = self.section("Graphs")
        if graphs is not None and len(_children(graphs, "Graph")):
            self.skip("graphs (qual has no graphs)", len(_children(graphs, "Graph")))


def _guess_encoding(data: bytes) -> str | None:
    """The encoding of a text that is not UTF-8. Windows-1252 when it fits: QDA tools on
    Windows write it, and guesses on a short text often pick a neighbour (cp1250) that turns
    'è' into 'č'."""
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    encodings = [result.encoding for result in results]
    if "cp1252" in encodings:
        return "cp1252"
    best = results.best()
    return best.encoding if best is not None else None


def _labelled(transcript: Transcript) -> bool:
    from .text import UNLABELLED_SPEAKER

    return not transcript.turns or transcript.turns[0].speaker != UNLABELLED_SPEAKER


def _codings_frame(rows: list[dict[str, Any]]):
    """The codings read, typed by the codings schema (``qual.model.codings``)."""
    return Codings.from_records(rows).frame


def read_project(path: str | Path, *, reference: Codebook | None = None,
                 xsd: str | Path | None | bool = None) -> RefiProject:
    """Read a REFI-QDA .qdpx, .qde (with a ``sources`` folder beside it, if any) or .qdc.

    ``reference``: a codebook whose code ids should be used for codes that match it (by the
    GUID qual gave them, else by name); codes from a .qdc that qual wrote keep their ids anyway.
    ``xsd``: schema to validate against (None: the one shipped with qual; False: none).
    Raises ``InputFileError`` only when the file cannot be read at all; everything else is
    forgiven or skipped and said in ``project.report``.
    """
    path = Path(path)
    report = ReadReport()
    with open_refi(path) as refi:
        try:
            return _read(refi, path, reference, xsd, report)
        except (InputFileError, QualError):
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:  # a shape no tool was seen to write
            log.debug("REFI import failed: %s", type(error).__name__)
            raise InputFileError(path, f"could not be read as REFI-QDA ({type(error).__name__})",
                                 "check that it opens in the tool that exported it") from None


def _read(refi: RefiFile, path: Path, reference: Codebook | None, xsd, report: ReadReport) -> RefiProject:
    reader = _Reader(refi, reference, report)
    name = (refi.root.get("name") or "").strip() or path.stem
    what = "codebook" if refi.kind == "codebook" else "project"
    report.info(f"REFI-QDA {what} ({refi.container}) from {reader.tool}",
                f"origin {reader.origin!r}" if reader.origin else "no origin given")
    for _, message in refi.forgiven:
        report.warning(message)
    problems = validate_refi(refi, xsd)
    errors = [p for p in problems if p.severity == "error"]
    schema_errors = sum(1 for p in errors if p.check == "schema")
    if schema_errors:
        report.warning("schema problems (the file does not validate against the REFI-QDA XSD)", schema_errors)
    semantic = sorted({p.check for p in errors if p.check != "schema"})
    if semantic:
        report.warning("semantic problems", len(errors) - schema_errors, ", ".join(semantic))
    if refi.kind == "project":
        reader.read_users()
        reader.read_variables()
    reader.read_codebook(name)
    code_map = reader.code_map
    codebook = code_map.codebook
    if refi.kind == "project":
        report.read("users", len(reader.users))
    codes_detail = f"{len(codebook.themes)} themes"
    if code_map.max_depth > 2:
        codes_detail += f"; nested up to {code_map.max_depth} levels, flattened to theme + code"
    report.read("codes", len(codebook.codes), codes_detail)
    project = RefiProject(path=str(path), kind=refi.kind, origin=reader.origin, tool=reader.tool, name=name,
                          codebook=codebook, code_guids=dict(code_map.guid_of), problems=problems,
                          report=report, users=list(reader.users.values()))
    if refi.kind == "codebook":
        if refi.root.find(".//{*}Sets") is not None:
            report.skipped("code sets", len(refi.root.findall(".//{*}Set")), "qual has no sets")
        project.codings = _codings_frame([])
        return project

    reader.read_sources()
    cases = reader.read_cases()
    reader.read_notes()
    reader.count_unsupported()
    rows = reader.rows
    seen, unique_rows = set(), []
    for row in rows:
        key = (row["document"], row["start"], row["end"], row["code"], row["source"])
        if key in seen:
            reader.skip("duplicate codings (same text, code and user)")
            continue
        seen.add(key)
        unique_rows.append(row)

    text_sources = [s for s in reader.sources if s.kind in {"text", "pdf"} and s.status != "not-text"]
    read = [s for s in text_sources if s.status == "read"]
    report.read("text sources", len(read), f"of {len(text_sources)}" if len(read) != len(text_sources) else "")
    report.read("cases", len(cases))
    spans = len({(r["document"], r["start"], r["end"]) for r in unique_rows})
    report.read("codings", len(unique_rows), f"on {spans} distinct text spans")
    report.read("notes", len(reader.notes))
    for what, count in reader.forgiven.items():
        report.warning(what, count)
    for reason, count in reader.skipped.items():
        report.skipped(reason, count, "")
    project.transcripts = reader.transcripts
    project.codings = _codings_frame(unique_rows)
    project.cases = cases
    project.notes = reader.notes
    project.sources = reader.sources
    return project


def read_qdc(path: str | Path, *, reference: Codebook | None = None) -> Codebook:
    """The codebook of a .qdc file (a .qdpx or .qde is read for its codebook too).

    Forgiving as ``read_project`` is: byte-order mark, any namespace, Taguette's empty ``<Sets/>``.
    """
    project = read_project(path, reference=reference)
    if not project.codebook.codes and not project.codebook.themes:
        raise InputFileError(path, "holds no codes", "export the codebook again from its tool")
    return project.codebook
