"""Codebooks in REFI-QDA: the ``<Codes>`` tree of a .qdc or .qde file, to and from
``qual.coding.codebook.Codebook``.

Out: themes are parent codes (``isCodable="false"``: categories in QualCoder, folders in
MAXQDA; a theme that codings point at directly is made codable), codes nest under their theme
with a stable GUID (uuid5 of the code id, so a re-export keeps them), name, ``#RRGGBB`` colour
and a description holding the definition, include and exclude rules and the code id.

In: any depth of nesting from any tool is flattened to theme + code. The top-level codes are
the themes; every codable code becomes a code of its top-level ancestor's theme. Ids come from
the ``Code id:`` line qual writes, else from a reference codebook (by GUID, then name), else
from the code's name (its path of names when the name is not unique).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from ..errors import QualError
from ..files import local_name
from ..model.codebook import Code, Codebook, Theme, assign_colours, normalise_colour
from .model import CODEBOOK_NS, ReadReport, normalise_guid, stable_guid
from .text import xml_safe

if TYPE_CHECKING:
    from lxml import etree

INCLUDE_LABEL = "Include: "
EXCLUDE_LABEL = "Exclude: "
CODE_ID_LABEL = "Code id: "
THEME_ID_LABEL = "Theme id: "
_LABELS = {INCLUDE_LABEL: "include", EXCLUDE_LABEL: "exclude", CODE_ID_LABEL: "code_id",
           THEME_ID_LABEL: "theme_id"}
UNGROUPED = Theme(id="(ungrouped)", name="Codes without a parent",
                  description="Top-level codes of the imported project that have no child codes.")
THEME_PREFIX = "theme:"


def code_guid(code_id: str) -> str:
    return stable_guid("code", code_id)


def theme_guid(theme_id: str) -> str:
    return stable_guid("theme", theme_id)


# --------------------------------------------------------------------------- descriptions


def code_description(code: Code) -> str:
    """Definition, include and exclude rules and the code id, as paragraphs a researcher can
    read in NVivo or ATLAS.ti and ``parse_description`` can split again."""
    blocks = [code.definition] if code.definition else []
    if code.include:
        blocks.append(INCLUDE_LABEL + code.include)
    if code.exclude:
        blocks.append(EXCLUDE_LABEL + code.exclude)
    blocks.append(CODE_ID_LABEL + code.id)
    return "\n\n".join(blocks)


def theme_description(theme: Theme) -> str:
    blocks = [theme.description] if theme.description else []
    blocks.append(THEME_ID_LABEL + theme.id)
    return "\n\n".join(blocks)


def parse_description(text: str | None) -> dict[str, str]:
    """Split a description written by ``code_description``/``theme_description``; a peer's
    description without those labels is all definition."""
    fields = {"definition": "", "include": "", "exclude": "", "code_id": "", "theme_id": ""}
    current = "definition"
    parts: dict[str, list[str]] = {key: [] for key in fields}
    for block in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n\n"):
        for label, key in _LABELS.items():
            if block.startswith(label):
                current = key
                block = block[len(label):]
                break
        parts[current].append(block)
    for key, blocks in parts.items():
        fields[key] = "\n\n".join(blocks).strip()
    return fields


# --------------------------------------------------------------------------- writing


def codes_element(codebook: Codebook, namespace: str, *, codable_themes: Iterable[str] = (),
                  note_refs: Mapping[str, list[str]] | None = None) -> "etree._Element":
    """The ``<Codes>`` element of ``codebook``: themes as parent codes, codes nested in them.

    ``note_refs`` maps a code id to the GUIDs of notes about it (project files only; the
    codebook schema has no NoteRef). Codes whose theme is not in the codebook are top-level.
    """
    from lxml import etree

    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}"

    codable_themes = set(codable_themes)
    note_refs = note_refs or {}
    codes_el = etree.Element(tag("Codes"))

    def add_code(parent, code: Code) -> None:
        element = etree.SubElement(parent, tag("Code"), guid=code_guid(code.id),
                                   name=xml_safe(code.name or code.id), isCodable="true")
        if code.colour:
            element.set("color", code.colour)
        etree.SubElement(element, tag("Description")).text = xml_safe(code_description(code))
        for note in note_refs.get(code.id, []):
            etree.SubElement(element, tag("NoteRef"), targetGUID=note)

    for theme in codebook.themes:
        element = etree.SubElement(codes_el, tag("Code"), guid=theme_guid(theme.id),
                                   name=xml_safe(theme.name or theme.id),
                                   isCodable="true" if theme.id in codable_themes else "false")
        if theme.colour:
            element.set("color", theme.colour)
        etree.SubElement(element, tag("Description")).text = xml_safe(theme_description(theme))
        for code in codebook.codes_of(theme.id):
            add_code(element, code)
    theme_ids = {theme.id for theme in codebook.themes}
    for code in codebook.codes:
        if code.theme not in theme_ids:
            add_code(codes_el, code)
    return codes_el


def coloured(codebook: Codebook) -> Codebook:
    """A copy of ``codebook`` in which every theme and code has a colour: peers' importers pick
    random colours (QualCoder) or none when a code has none. Colours already set are kept."""
    return assign_colours(copy.deepcopy(codebook))


def qdc_bytes(codebook: Codebook, origin: str | None = None) -> bytes:
    """The .qdc XML of ``codebook`` (UTF-8, no byte-order mark)."""
    from lxml import etree

    from .. import __version__

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS},
                         origin=origin or f"qual {__version__}")
    root.append(codes_element(coloured(codebook), CODEBOOK_NS))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_qdc(codebook: Codebook, path: str | Path, *, origin: str | None = None) -> Path:
    """Write ``codebook`` as a REFI-QDA .qdc file, atomically, after validating it against the
    Codebook XSD (shipped with qual) and for unique GUIDs."""
    from ..files import write_bytes
    from .validate import validate_qdc_bytes

    path = Path(path)
    if not codebook.codes:
        raise QualError(f"{path}: the codebook has no codes; a .qdc needs at least one")
    data = qdc_bytes(codebook, origin)
    errors = [p for p in validate_qdc_bytes(data) if p.severity == "error"]
    if errors:  # a bug in qual, not in the codebook: refuse to write a file peers would reject
        raise QualError(f"{path}: the .qdc qual built does not validate ({errors[0]}); "
                        "please report this")
    write_bytes(path, data)
    return path


# --------------------------------------------------------------------------- reading


@dataclass
class _Node:
    guid: str
    name: str
    codable: bool
    colour: str
    fields: dict[str, str]
    depth: int
    parent: "_Node | None" = None
    children: list["_Node"] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return names[::-1]

    @property
    def top(self) -> "_Node":
        node = self
        while node.parent is not None:
            node = node.parent
        return node


@dataclass
class CodeMap:
    """A codebook read from a ``<Codes>`` tree, with the GUID of each code and theme."""

    codebook: Codebook
    code_of_guid: dict[str, str]  # normalised GUID of a codable code -> code id
    guid_of: dict[str, str]  # code or theme id -> GUID as written
    max_depth: int = 0


def _description(element) -> str:
    for child in element:
        if local_name(child) == "Description":
            return child.text or ""
    return ""


def _unique(value: str, taken: set[str], more: str = "") -> str:
    """``value``, or ``value (more)``, or ``value #2``... whichever is not yet ``taken`` (case-folded)."""
    candidates = [value] + ([f"{value} ({more})"] if more else [])
    for candidate in candidates:
        if candidate.casefold() not in taken:
            taken.add(candidate.casefold())
            return candidate
    number = 2
    while f"{value} #{number}".casefold() in taken:
        number += 1
    taken.add(f"{value} #{number}".casefold())
    return f"{value} #{number}"


def read_codes(codes_el, *, name: str, report: ReadReport, reference: Codebook | None = None,
               exclude: Iterable[str] = (), coded: Iterable[str] = ()) -> CodeMap:
    """Flatten a ``<Codes>`` element (any namespace, any depth) into theme + code.

    ``exclude``: GUIDs that are not codes (NVivo's case nodes). ``coded``: GUIDs that codings
    point at: a non-codable code among them is read as a code anyway, so no coding is lost.
    """
    exclude = {normalise_guid(g) for g in exclude}
    coded = {normalise_guid(g) for g in coded}
    nodes: list[_Node] = []
    bad_colours = 0
    excluded = 0

    def walk(element, parent: _Node | None, depth: int) -> None:
        nonlocal bad_colours, excluded
        for child in element:
            if local_name(child) != "Code":
                continue
            guid = child.get("guid") or ""
            if normalise_guid(guid) in exclude:
                excluded += 1
                continue
            colour = normalise_colour(child.get("color") or child.get("colour"))
            if colour is None:
                bad_colours += 1
                colour = ""
            node = _Node(guid=guid, name=(child.get("name") or "").strip() or "(unnamed)",
                         codable=(child.get("isCodable") or "true").strip().lower() not in {"false", "0"},
                         colour=colour, fields=parse_description(_description(child)),
                         depth=depth, parent=parent)
            nodes.append(node)
            if parent is not None:
                parent.children.append(node)
            walk(child, node, depth + 1)

    if codes_el is not None:
        walk(codes_el, None, 1)
    if excluded:
        report.info(f"{excluded} codes are case nodes (same GUID as a case)", "read as cases, not codes")
    if bad_colours:
        report.warning("code colours not #RRGGBB", bad_colours, "read without a colour")

    forced = [n for n in nodes if not n.codable and normalise_guid(n.guid) in coded]
    for node in forced:
        node.codable = True
    if forced:
        report.warning("codes marked isCodable=false have codings", len(forced), "read as codes")

    ref_code_by_guid: dict[str, Code] = {}
    ref_code_by_name: dict[str, Code] = {}
    ref_theme_by_guid: dict[str, Theme] = {}
    ref_theme_by_name: dict[str, Theme] = {}
    if reference is not None:
        for code in reference.codes:
            ref_code_by_guid[normalise_guid(code_guid(code.id))] = code
            ref_code_by_name.setdefault(code.name.casefold(), code)
            ref_code_by_name.setdefault(code.id.casefold(), code)
        for theme in reference.themes:
            ref_theme_by_guid[normalise_guid(theme_guid(theme.id))] = theme
            ref_theme_by_name.setdefault(theme.name.casefold(), theme)

    # Themes: top-level codes with children, top-level codes tagged as themes, and the
    # "Group::code" prefixes ATLAS.ti uses for a flat code list.
    theme_nodes = [n for n in nodes if n.depth == 1 and (n.children or n.fields["theme_id"])]
    code_nodes = [n for n in nodes if n.codable and not (n in theme_nodes and n.fields["theme_id"])]
    top_names = {n.name for n in nodes if n.depth == 1}

    code_ids: set[str] = set()
    code_id_of: dict[int, str] = {}
    name_counts: dict[str, int] = {}
    for node in code_nodes:
        name_counts[node.name.casefold()] = name_counts.get(node.name.casefold(), 0) + 1
    from_reference = 0
    for node in code_nodes:
        ref = ref_code_by_guid.get(normalise_guid(node.guid)) or ref_code_by_name.get(node.name.casefold())
        if node.fields["code_id"]:
            wanted = node.fields["code_id"]
        elif ref is not None:
            wanted = ref.id
            from_reference += 1
        elif name_counts[node.name.casefold()] == 1:
            wanted = node.name
        else:
            wanted = "/".join(node.path)
        code_id_of[id(node)] = _unique(wanted, code_ids)
    if from_reference:
        report.info(f"{from_reference} codes matched to the reference codebook", "its code ids are used")

    themes: list[Theme] = []
    theme_of_top: dict[int, str] = {}
    theme_ids: set[str] = set()
    for node in theme_nodes:
        ref = ref_theme_by_guid.get(normalise_guid(node.guid)) or ref_theme_by_name.get(node.name.casefold())
        wanted = node.fields["theme_id"] or (ref.id if ref is not None else node.name)
        if wanted.casefold() in code_ids and not node.fields["theme_id"]:
            wanted = THEME_PREFIX + wanted
        theme_id = _unique(wanted, theme_ids)
        theme_of_top[id(node)] = theme_id
        themes.append(Theme(id=theme_id, name=node.name, description=node.fields["definition"],
                            colour=node.colour))
    grouped: dict[str, str] = {}  # "Group" of "Group::code" -> theme id

    def theme_for(node: _Node) -> str:
        top = node.top
        if id(top) in theme_of_top:
            return theme_of_top[id(top)]
        if "::" in node.name:
            group = node.name.split("::", 1)[0].strip()
            if group and group not in grouped:
                wanted = THEME_PREFIX + group if (group.casefold() in code_ids or group in top_names) else group
                grouped[group] = _unique(wanted, theme_ids)
                themes.append(Theme(id=grouped[group], name=group))
            if group:
                return grouped[group]
        if UNGROUPED.id not in theme_ids:
            theme_ids.add(UNGROUPED.id)
            themes.append(copy.copy(UNGROUPED))
        return UNGROUPED.id

    codes: list[Code] = []
    code_names: set[str] = set()
    renamed = 0
    for node in code_nodes:
        parent_name = node.parent.name if node.parent is not None else ""
        code_name = _unique(node.name, code_names, parent_name)
        renamed += code_name != node.name
        codes.append(Code(id=code_id_of[id(node)], name=code_name, theme=theme_for(node),
                          definition=node.fields["definition"], include=node.fields["include"],
                          exclude=node.fields["exclude"], colour=node.colour))
    if renamed:
        report.warning("code names made unique", renamed, "a repeated name gets its parent's name in brackets")
    if reference is not None:
        _fill_from(reference, codes)
    # Themes keep the order of the file, with a theme's codes in file order.
    order = {theme.id: i for i, theme in enumerate(themes)}
    codes.sort(key=lambda c: order.get(c.theme, len(order)))

    code_of_guid = {normalise_guid(n.guid): code_id_of[id(n)] for n in code_nodes}
    # A theme qual exported as codable (codings pointed at the theme itself): codings keep its id.
    code_of_guid.update({normalise_guid(n.guid): theme_of_top[id(n)] for n in theme_nodes
                         if n.codable and n.fields["theme_id"]})
    guid_of = {code_id_of[id(n)]: n.guid for n in code_nodes}
    guid_of.update({theme_of_top[id(n)]: n.guid for n in theme_nodes})
    max_depth = max((n.depth for n in nodes), default=0)
    codebook = Codebook(name=name, themes=themes, codes=codes)
    return CodeMap(codebook=codebook, code_of_guid=code_of_guid, guid_of=guid_of, max_depth=max_depth)


def _fill_from(reference: Codebook, codes: list[Code]) -> None:
    """Give codes that the reference codebook has (same id) what REFI-QDA cannot carry
    (keywords, examples) and what the file left empty; what the file says wins."""
    known = {code.id: code for code in reference.codes}
    for code in codes:
        ref = known.get(code.id)
        if ref is None:
            continue
        code.keywords = list(ref.keywords)
        code.examples = list(ref.examples)
        for name in ("definition", "include", "exclude", "colour"):
            if not getattr(code, name):
                setattr(code, name, getattr(ref, name))


def codes_of(root) -> "etree._Element | None":
    """The ``<Codes>`` element of a ``<CodeBook>`` or ``<Project>`` root, whatever its namespace."""
    for child in root:
        if local_name(child) == "Codes":
            return child
        if local_name(child) == "CodeBook":
            return codes_of(child)
    return None
