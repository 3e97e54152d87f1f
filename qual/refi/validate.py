"""Validating REFI-QDA files: the XSD, and what the XSD cannot say.

Schema-valid is not importable. The checks the schema cannot make are the ones peers trip
over: every reference (CodeRef, SourceRef, NoteRef, VariableRef, SelectionRef, users) resolves;
every ``internal://`` path exists in the archive; GUIDs are unique; a text source has its text
in exactly one place; every selection lies inside its text and, where the quote is known,
re-extracts it; notes carry the date QualCoder needs. Problems name elements by GUID and files
by path, never by their text.

The REFI-QDA 1.0 schemas (MIT, REFI) ship in ``qual/refi/resources`` so that every export is
checked on the user's machine too; ``xsd=False`` skips the schema, a path uses another copy.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import InputFileError
from ..files import local_name
from .archive import RefiFile, SourceFiles, UTF8_BOM, open_refi
from .model import Problem, normalise_guid
from .text import label_matches, looks_like_quote, quote_fits

RESOURCES = Path(__file__).parent / "resources"
SCHEMA_FILES = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}
SOURCE_ELEMENTS = {"TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"}
TEXT_ELEMENTS = {"TextSource", "Representation", "Transcript", "Note", "TextDescription"}
SELECTION_ELEMENTS = {"PlainTextSelection", "PictureSelection", "PDFSelection", "AudioSelection",
                      "VideoSelection", "TranscriptSelection"}
USER_ATTRIBUTES = ("creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID")
MAX_SCHEMA_PROBLEMS = 50
# Files qual wrote name each selection after its quote, so the quote can be checked from the
# file alone; other tools' names are checked loosely, when they look like a quote at all.
QUAL_ORIGIN = re.compile(r"^qual \d+(?:\.\d+)*\b")


def packaged_schema(kind: str) -> Path | None:
    """The shipped XSD for ``project`` or ``codebook``, or None if the package lacks it."""
    path = RESOURCES / SCHEMA_FILES[kind]
    return path if path.is_file() else None


@lru_cache(maxsize=8)
def _load_schema(path: str):
    from lxml import etree

    from ..files import safe_xml_parser

    try:
        return etree.XMLSchema(etree.parse(path, parser=safe_xml_parser()))
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
        raise InputFileError(path, f"is not a usable XML schema ({type(error).__name__})",
                             "give the REFI-QDA Project or Codebook .xsd") from None


def _mask(message: str) -> str:
    """An lxml schema message without the offending value (it may be a participant's data)."""
    message = re.sub(r"(value|Value) '[^']*'", r"\1 '…'", message)
    return re.sub(r": '[^']*' (is not)", r": '…' \1", message)


def strip_empty_sets(root) -> int:
    """Remove ``<Sets/>`` elements with no ``<Set>`` (Taguette writes one; the schema needs a Set)."""
    removed = 0
    for element in list(root.iter()):
        if local_name(element) == "Sets" and not any(local_name(c) == "Set" for c in element):
            element.getparent().remove(element)
            removed += 1
    return removed


def schema_problems(root, kind: str, xsd: str | Path | None | bool = None) -> list[Problem]:
    """XSD problems of a parsed .qde/.qdc ``root`` (a copy is checked; empty Sets stripped first)."""
    import copy

    if xsd is False:
        return []
    schema_path = Path(xsd) if xsd not in (None, True) else packaged_schema(kind)
    if schema_path is None:
        return []
    schema = _load_schema(str(schema_path))
    problems = []
    if any(not any(local_name(c) == "Set" for c in e) for e in root.iter("{*}Sets")):
        root = copy.deepcopy(root)  # the caller's tree stays as it was read
        strip_empty_sets(root)
        problems.append(Problem("warning", "empty-sets", "Sets",
                                "empty <Sets/> (Taguette writes it); removed before schema validation"))
    if not schema.validate(root):
        errors = list(schema.error_log)
        for error in errors[:MAX_SCHEMA_PROBLEMS]:
            problems.append(Problem("error", "schema", f"line {error.line}", _mask(error.message)))
        if len(errors) > MAX_SCHEMA_PROBLEMS:
            problems.append(Problem("error", "schema", "", f"and {len(errors) - MAX_SCHEMA_PROBLEMS} more"))
    return problems


# --------------------------------------------------------------------------- semantic checks


def _decode(data: bytes) -> tuple[str | None, list[str]]:
    """Text of a source file as UTF-8 (the spec's encoding) and what is odd about it."""
    notes = []
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
        notes.append("bom")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, notes
    if "\r" in text:
        notes.append("cr")
    return text, notes


def semantic_problems(root, files: SourceFiles, *, quotes: Mapping[str, str] | None = None,
                      check_layout: bool = True, container: str = "qdpx",
                      xml_name: str = "") -> list[Problem]:
    """Everything the schema cannot check in a project (or codebook) ``root``.

    ``quotes`` maps selection GUIDs to the text they must re-extract; without it the
    selections of a qual export are checked against their names (the quote's start).
    """
    problems: list[Problem] = []

    def add(severity: str, check: str, where: str, message: str) -> None:
        problems.append(Problem(severity, check, where, message))

    elements = [(e, local_name(e)) for e in root.iter() if isinstance(e.tag, str)]
    by_kind: dict[str, set[str]] = {}
    guid_kinds: dict[str, list[str]] = {}
    for element, kind in elements:
        guid = element.get("guid")
        if guid is None:
            continue
        key = normalise_guid(guid)
        by_kind.setdefault(kind, set()).add(key)
        guid_kinds.setdefault(key, []).append(kind)

    codes = by_kind.get("Code", set())
    qual_origin = bool(QUAL_ORIGIN.match(root.get("origin") or ""))
    for key, kinds in guid_kinds.items():
        if len(kinds) < 2:
            continue
        if sorted(kinds) == ["Case", "Code"]:
            if not qual_origin:  # qual writes its cases so on purpose: QualCoder reads no other link
                add("warning", "guid-unique", key, "a case and a code share this GUID (NVivo writes cases "
                    "as codes this way); other tools see two objects")
        else:
            add("error", "guid-unique", key, f"GUID used by {len(kinds)} elements ({', '.join(sorted(set(kinds)))})")

    sources = set().union(*(by_kind.get(k, set()) for k in SOURCE_ELEMENTS))
    notes = by_kind.get("Note", set())
    variables = by_kind.get("Variable", set())
    users = by_kind.get("User", set())
    selections = set().union(*(by_kind.get(k, set()) for k in SELECTION_ELEMENTS))
    vertices = by_kind.get("Vertex", set())
    everything = set(guid_kinds)
    ref_targets = {
        "CodeRef": (codes, "code"), "MemberCode": (codes, "code"),
        "SourceRef": (sources, "source"), "MemberSource": (sources, "source"),
        "NoteRef": (notes, "note"), "MemberNote": (notes, "note"),
        "VariableRef": (variables, "variable"), "SelectionRef": (selections, "selection"),
    }
    for element, kind in elements:
        if kind in ref_targets:
            # The codebook schema's MemberCode names its code in 'guid', the project's in 'targetGUID'.
            target = element.get("targetGUID") or (element.get("guid") if kind == "MemberCode" else None)
            pool, what = ref_targets[kind]
            if target is not None and normalise_guid(target) not in pool:
                add("error", "dangling-ref", normalise_guid(target), f"{kind} points at no {what}")
        elif kind == "Link":
            for attribute in ("originGUID", "targetGUID"):
                target = element.get(attribute)
                if target and normalise_guid(target) not in everything:
                    add("error", "dangling-ref", normalise_guid(target), f"Link {attribute} points at nothing")
        elif kind in {"Vertex", "Edge"}:
            target = element.get("representedGUID")
            if target and normalise_guid(target) not in everything:
                add("error", "dangling-ref", normalise_guid(target), f"{kind} representedGUID points at nothing")
            for attribute in ("sourceVertex", "targetVertex"):
                target = element.get(attribute)
                if target and normalise_guid(target) not in vertices:
                    add("error", "dangling-ref", normalise_guid(target), f"Edge {attribute} points at no vertex")
        for attribute in USER_ATTRIBUTES:
            value = element.get(attribute)
            if value is not None and normalise_guid(value) not in users:
                add("error", "dangling-user", normalise_guid(element.get("guid") or "") or kind,
                    f"{attribute} of a {kind} is not a user of the project")

    if check_layout and container == "qdpx":
        if xml_name and xml_name != "project.qde":
            add("warning", "archive-layout", xml_name, "the project XML should be 'project.qde' at the archive root")
        folder = files.folder
        if folder is not None and folder != "sources":
            add("warning", "archive-layout", folder, "the sources folder should be named 'sources'")

    for element, kind in elements:
        where = normalise_guid(element.get("guid") or "") or kind
        for attribute in ("plainTextPath", "richTextPath", "path"):
            value = element.get(attribute)
            if value is None:
                continue
            located = files.locate(value)
            if located is None:
                add("error", "path-empty", where, f"{attribute} is empty")
                continue
            if located.scheme == "none":
                add("error", "path-scheme", where, f"{attribute} has no internal://, relative:// or absolute:// "
                    "scheme (qc writes a bare file name)")
            if located.how == "external":
                continue
            if located.member is None:
                if container != "qdc" and (files.names or container == "qdpx"):
                    add("error", "missing-internal", where, f"{attribute} names a file that is not in the archive")
                elif container == "qde":
                    add("warning", "missing-internal", where, f"{attribute}: no sources folder beside the .qde")
            elif located.how == "case":
                add("warning", "path-case", where, f"{attribute} found only under another letter case")
            elif located.how == "elsewhere":
                add("warning", "path-folder", where, f"{attribute} found outside the sources folder")

        if kind in TEXT_ELEMENTS:
            has_content = any(local_name(c) == "PlainTextContent" for c in element)
            has_path = element.get("plainTextPath") is not None
            if kind != "Transcript" and has_content == has_path:
                add("error", "text-place", where, "a text needs PlainTextContent or plainTextPath, not "
                    + ("both" if has_content else "neither"))
        if kind == "Note" and not (element.get("creationDateTime") or element.get("modifiedDateTime")):
            add("warning", "note-date", where, "note without creationDateTime: QualCoder cannot import it")

    for element, kind in elements:
        if kind not in {"TextSource", "Representation", "Transcript"}:
            continue
        text = _element_text(element, files, add)
        for selection in element:
            if local_name(selection) != "PlainTextSelection":
                continue
            _check_selection(selection, text, quotes, qual_origin, add)
    return problems


def _element_text(element, files: SourceFiles, add) -> str | None:
    where = normalise_guid(element.get("guid") or "") or local_name(element)
    for child in element:
        if local_name(child) == "PlainTextContent":
            return child.text or ""
    located = files.locate(element.get("plainTextPath"))
    if located is None or located.member is None:
        return None
    try:
        data = files.read(located.member)
    except (KeyError, InputFileError):
        return None
    text, notes = _decode(data)
    if text is None:
        add("error", "text-encoding", where, "plain text is not UTF-8")
        return None
    if "bom" in notes:
        add("warning", "text-bom", where, "plain text starts with a byte-order mark; tools disagree on "
            "whether it counts as a position")
        text = text[1:] if text.startswith("\ufeff") else text
    if "cr" in notes:
        add("warning", "text-line-ends", where, "plain text has CR line ends; tools disagree on whether "
            "CR LF counts as one position or two")
    return text


def _check_selection(selection, text: str | None, quotes: Mapping[str, str] | None, qual_origin: bool,
                     add) -> None:
    where = normalise_guid(selection.get("guid") or "") or "PlainTextSelection"
    try:
        start = int(selection.get("startPosition"))
        end = int(selection.get("endPosition"))
    except (TypeError, ValueError):
        return  # the schema reports it
    if start < 0 or end < start:
        add("error", "selection-bounds", where, f"positions {start}-{end} are not a range")
        return
    if start == end:
        add("warning", "empty-selection", where, "selection selects nothing")
    if text is None:
        return
    if end > len(text):
        add("error", "selection-bounds", where, f"end {end} is past the end of its text ({len(text)} characters)")
        return
    extract = text[start:end]
    key = normalise_guid(selection.get("guid"))
    if quotes is not None and key in quotes:
        if extract != quotes[key]:
            add("error", "selection-quote", where, "does not re-extract its coded quote from the source text")
    elif qual_origin and selection.get("name") is not None:
        if not label_matches(selection.get("name"), extract):
            add("error", "selection-quote", where, "the text at its positions is not the quote its name starts")
    elif looks_like_quote(selection.get("name")) and not quote_fits(selection.get("name"), extract):
        add("warning", "selection-name", where, "its name looks like a quote but is not the text at its "
            "positions (positions counted another way?)")


# --------------------------------------------------------------------------- entry points


def validate_refi(refi: RefiFile, xsd: str | Path | None | bool = None,
                  quotes: Mapping[str, str] | None = None) -> list[Problem]:
    problems = schema_problems(refi.root, refi.kind, xsd)
    problems += semantic_problems(refi.root, refi.files, quotes=quotes, container=refi.container,
                                  xml_name=refi.xml_name)
    return problems


def validate_qdpx(path: str | Path, xsd: str | Path | None | bool = None, *,
                  quotes: Mapping[str, str] | None = None) -> list[Problem]:
    """Schema and semantic problems of a .qdpx (or a .qde with its sources folder, or a .qdc).

    ``xsd``: the schema to use; None uses the copy shipped with qual (the schema part is
    skipped when none is found), False skips it. ``quotes``: selection GUID -> expected text.
    An empty list means the file is valid.
    """
    with open_refi(path) as refi:
        return validate_refi(refi, xsd, quotes)


def validate_qdc(path: str | Path, xsd: str | Path | None | bool = None) -> list[Problem]:
    """Schema and semantic problems of a .qdc codebook."""
    with open_refi(path) as refi:
        return validate_refi(refi, xsd)


def validate_qdpx_bytes(data: bytes, xsd: str | Path | None | bool = None, *,
                        quotes: Mapping[str, str] | None = None, name: str = "export.qdpx") -> list[Problem]:
    with open_refi(name, data=data) as refi:
        return validate_refi(refi, xsd, quotes)


def validate_qdc_bytes(data: bytes, xsd: str | Path | None | bool = None, name: str = "export.qdc") -> list[Problem]:
    with open_refi(name, data=data) as refi:
        return validate_refi(refi, xsd)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def problem_counts(problems: Iterable[Problem]) -> Counter:
    return Counter(p.check for p in problems)
