"""Writing a REFI-QDA 1.0 project (.qdpx) that NVivo, ATLAS.ti, MAXQDA and QualCoder open:
the de-identified transcripts, the codebook, the cases with their variables, the codings and
the analysts' matrix summaries.

Layout (spec section 8): ``project.qde`` and a flat ``sources/`` folder. Each transcript is a
TextSource whose ``Transcript.text`` is written as ``sources/<GUID>.txt`` (UTF-8, LF, no
byte-order mark); each span a coder coded is a PlainTextSelection of that coder (positions in
code points, end exclusive) holding one Coding per code, each coder a User, unreviewed
suggestions the User ``qual suggestions``. Cases are participants (``participant_id``, else the
document id), with Text variables and SourceRefs, and, as NVivo writes them, a code with the
case's GUID coding the whole text of each of its sources. Summaries are
Notes (``internal://`` text files, with the creationDateTime QualCoder needs), referred to
from their code. GUIDs are stable (uuid5 of ids), so re-exports keep them.

Nothing identifying that the corpus keeps apart goes in: not ``Transcript.source`` (the raw
file name), not ``Transcript.metadata``, and case variables only through
``qual.export.cases.case_attributes`` (as in the matrix), which takes only pseudonymised values.

The codings come in through ``qual.model.codings.Codings`` (a DataFrame, a ``Codings`` or a
codings.csv), whose ``spans()`` are what a REFI-QDA selection holds.

Every export is validated (XSD shipped with qual, and the semantic checks) before it is
written; an export that fails is not written.
"""

from __future__ import annotations

import copy
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..errors import InputFileError, QualError
from ..export.cases import DEFAULT_ATTRIBUTES, case_attributes, case_of
from ..files import write_bytes
from ..model.codebook import OTHER_THEME, Code, Codebook
from ..model.codings import (
    QUOTED, STATUS_CHOICES, SUGGESTED, SUGGESTIONS_USER, Codings, is_blank, used_statuses,
)
from .model import INTERNAL, PROJECT_FILE, PROJECT_NS, SOURCES_FOLDER, Problem, stable_guid, xml_datetime
from .qdc import code_guid, codes_element, coloured, theme_guid
from .text import find_unique, normalise_newlines, selection_label, xml_safe

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Transcript

DEFAULT_CASE_ATTRIBUTES = DEFAULT_ATTRIBUTES
DEFAULT_USER = "qual"


@dataclass
class ExportResult:
    """What an export wrote: counts, the coding status used, and what was left out and why."""

    path: Path | None
    status: str
    status_note: str
    users: int = 0
    themes: int = 0
    codes: int = 0
    sources: int = 0
    cases: int = 0
    variables: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    relocated: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def lines(self) -> list[str]:
        lines = [
            f"codes: {self.codes} in {self.themes} themes",
            f"sources: {self.sources} transcripts",
            f"cases: {self.cases} with {self.variables} variables",
            f"codings: {self.codings} on {self.selections} selections ({self.status_note})",
            f"users: {self.users}",
            f"notes: {self.notes} matrix summaries",
        ]
        if self.relocated:
            lines.append(f"relocated: {self.relocated} codings whose offsets did not fit their quote "
                         "were placed where the quote occurs once in the turn or transcript")
        lines += [f"skipped: {count} {reason}" for reason, count in self.skipped.items()]
        lines += [f"warning: {message}" for message in self.warnings]
        lines += [f"warning: {problem}" for problem in self.problems]
        return lines


@dataclass
class _Selection:
    """One span coded by one user. Peers take a coding's coder from its selection's
    ``creatingUser`` (QualCoder does), so two coders of one span get a selection each."""

    document: str
    start: int
    end: int
    quote: str
    user: str
    codes: dict[str, None] = field(default_factory=dict)  # code ids, in order
    guid: str = ""

    def __post_init__(self) -> None:
        self.guid = stable_guid("selection", self.document, self.start, self.end, self.user)


def _same_text(a: str, b: str) -> bool:
    return a == b or normalise_newlines(a)[0] == normalise_newlines(b)[0]


def _resolve_code(label: str, codebook: Codebook, theme_ids: set[str]) -> tuple[str, str]:
    """("code", id) / ("theme", id) / ("unknown", label) for a codings.csv code cell."""
    if label in codebook.code_ids:
        return "code", label
    if label in theme_ids:
        return "theme", label
    code = codebook.find(label)
    if code is not None:
        return "code", code.id
    return "unknown", label


def _summary_rows(summaries: Any) -> list[tuple[str, str, str, bool]]:
    """(case, code, text, orphaned) from a DataFrame (``qual.export.summaries.read_summaries``),
    a list of ``Summary`` objects, a mapping {(case, code): text}, or a workbook/CSV path."""
    import pandas as pd

    if summaries is None:
        return []
    if isinstance(summaries, (str, Path)):
        summaries = read_summaries_file(summaries)
    if isinstance(summaries, dict):
        return [(str(case), str(code), _summary_text(value), False) for (case, code), value in summaries.items()]
    if isinstance(summaries, pd.DataFrame):
        frame = summaries.rename(columns=lambda c: str(c).strip().lower())
        case_column = next((c for c in ("case", "participant_id", "document") if c in frame.columns), None)
        if case_column is None or "code" not in frame.columns or "summary" not in frame.columns:
            raise QualError("summaries need the columns case, code and summary")
        orphaned = frame["orphaned"] if "orphaned" in frame.columns else [False] * len(frame)
        return [("" if is_blank(case) else str(case).strip(), "" if is_blank(code) else str(code).strip(),
                 "" if is_blank(text) else str(text), bool(orph) if not is_blank(orph) else False)
                for case, code, text, orph in zip(frame[case_column], frame["code"], frame["summary"], orphaned)]
    return [(s.case, s.code, _summary_text(s), bool(getattr(s, "orphaned_since", ""))) for s in summaries]


def _summary_text(value: Any) -> str:
    """A summary as text: a ``Summary``'s text, or a cell value as typed (text, number, date)."""
    if hasattr(value, "text") and hasattr(value, "case"):
        value = value.text
    return "" if is_blank(value) else str(value)


def read_summaries_file(path: str | Path) -> "pd.DataFrame":
    """Summaries from a framework workbook written by ``qual matrix`` (.xlsx), or from a CSV
    with the columns case, code, summary."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "does not exist", "give the framework workbook written by 'qual matrix'")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from ..export.summaries import read_summaries

        return read_summaries(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise InputFileError(path, f"is not a readable CSV ({type(error).__name__})",
                             "give a CSV with the columns case, code, summary") from None


@dataclass
class _Plan:
    """Everything the project will hold, decided before any XML is written."""

    user: str
    transcripts: dict[str, "Transcript"]
    lf_texts: dict[str, str]
    codebook: Codebook
    codable_themes: set[str] = field(default_factory=set)
    selections: dict[tuple[str, int, int], _Selection] = field(default_factory=dict)
    coders: dict[str, None] = field(default_factory=dict)
    documents_of: dict[str, list[str]] = field(default_factory=dict)
    case_values: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: list[str] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    note_refs: dict[str, list[str]] = field(default_factory=dict)


def _plan_codings(plan: _Plan, codings: Codings, result: ExportResult) -> None:
    """Place every coding on a span of the LF text: at its offsets when they hold its quote,
    else where the quote occurs once in its turn (or transcript); else skip it."""
    theme_ids = {t.id for t in plan.codebook.themes}
    unknown: dict[str, None] = {}
    maps = {document: normalise_newlines(t.text) for document, t in plan.transcripts.items()}
    raws = {document: t.text for document, t in plan.transcripts.items()}
    for row in codings.spans():
        document = row.document
        if document not in plan.transcripts:
            result.skip("codings of documents that are not in the corpus")
            continue
        raw, (lf_text, newline_map) = raws[document], maps[document]
        kind, code_id = _resolve_code(row.code, plan.codebook, theme_ids)
        if kind == "theme":
            plan.codable_themes.add(code_id)
        elif kind == "unknown":
            unknown[code_id] = None
        quote = row.text
        start, end = row.start, row.end
        fits = start is not None and end is not None and 0 <= start <= end <= len(raw) and (
            not quote or _same_text(raw[start:end], quote))
        if fits:
            start, end = newline_map(start), newline_map(end)
        else:
            lf_quote = normalise_newlines(quote)[0]
            turns = plan.transcripts[document].turns
            turn_range = []
            if row.turn is not None and 0 <= row.turn < len(turns):
                turn = turns[row.turn]
                turn_range = [(newline_map(turn.start), newline_map(turn.end))]
            found = find_unique(lf_text, lf_quote, turn_range)
            if found is None:
                result.skip("codings whose quote is not at its offsets nor once in its turn or transcript")
                continue
            start, end = found, found + len(lf_quote)
            result.relocated += 1
        if start == end:
            result.skip("codings of empty text spans")
            continue
        user = coding_user(row, plan.user)
        plan.coders[user] = None
        key = (document, start, end, user)
        if key not in plan.selections:
            plan.selections[key] = _Selection(document, start, end, lf_text[start:end], user)
        if code_id in plan.selections[key].codes:
            result.skip("duplicate codings (same span, code and coder)")
        plan.selections[key].codes[code_id] = None
    if unknown:
        result.warnings.append(f"{len(unknown)} code(s) in the codings are not in the codebook; they are "
                               f"exported under '{OTHER_THEME.name}'")
        if OTHER_THEME.id not in theme_ids:
            plan.codebook.themes.append(copy.copy(OTHER_THEME))
        plan.codebook.codes += [Code(id=code, name=code, theme=OTHER_THEME.id) for code in unknown]


def coding_user(row, default: str) -> str:
    """The REFI-QDA user of a coding: the person who applied or accepted it (``coder``, or the
    name in a ``human:NAME`` source), ``default`` when nobody is named, and the distinct user
    ``qual suggestions`` for a suggestion nobody reviewed, so that it stays one in a peer tool
    and comes back to qual as a suggestion (REFI-QDA has no status)."""
    if row.status == SUGGESTED:
        return SUGGESTIONS_USER
    return row.coder or default


def _plan_cases(plan: _Plan, participants: Any, attributes: Sequence[str], result: ExportResult) -> None:
    """Cases are participants; their variables are the safe attributes the matrix shows too."""
    for document, transcript in plan.transcripts.items():
        plan.documents_of.setdefault(case_of(transcript), []).append(document)
    warnings: list[str] = []
    frame = case_attributes(list(plan.documents_of), transcripts=list(plan.transcripts.values()),
                            participants=participants, attributes=attributes,
                            documents_of=plan.documents_of, warnings=warnings)
    result.warnings += warnings
    columns = [c for c in frame.columns if c not in {"group", "documents"}]
    plan.variables = [c for c in columns if frame[c].astype(str).str.strip().astype(bool).any()]
    for case in plan.documents_of:
        plan.case_values[case] = {v: str(frame.at[case, v]) for v in plan.variables
                                  if not is_blank(frame.at[case, v])}


def _plan_notes(plan: _Plan, summaries: Any, result: ExportResult) -> None:
    """Each non-empty summary becomes a note, referred to from its code."""
    theme_ids = {t.id for t in plan.codebook.themes}
    code_lookup = {c.id: c for c in plan.codebook.codes}
    no_code = no_case = 0
    for case, code_label, text, orphaned in _summary_rows(summaries):
        if not text.strip():
            continue
        kind, code_id = _resolve_code(code_label, plan.codebook, theme_ids)
        no_code += kind != "code"
        no_case += case not in plan.documents_of
        guid = stable_guid("note", case, code_id)
        code = code_lookup.get(code_id)
        description = (f"Framework matrix summary: case {case}, code {code_id}"
                       + (f" ({code.name})" if code is not None else "")
                       + ("; orphaned in the workbook (its case or code was not in the matrix)" if orphaned else ""))
        plan.notes.append({"guid": guid, "name": f"Summary {case} / {code_id}", "text": text,
                           "description": description})
        if kind == "code":
            plan.note_refs.setdefault(code_id, []).append(guid)
    if no_code:
        result.warnings.append(f"{no_code} summaries are of codes not in the codebook; their notes are "
                               "attached to no code")
    if no_case:
        result.warnings.append(f"{no_case} summaries are of cases not in the corpus")


def _project_xml(plan: _Plan, name: str | None, when: str,
                 result: ExportResult) -> tuple[bytes, list[tuple[str, bytes]], dict[str, str]]:
    """project.qde, the files of sources/, and the quote of every selection (by GUID).

    The element tree lives only inside this function: it is freed before validation parses
    the file again."""
    from lxml import etree

    from .. import __version__

    def tag(local: str) -> str:
        return f"{{{PROJECT_NS}}}{local}"

    user_guid = {coder: stable_guid("user", coder) for coder in plan.coders}
    root = etree.Element(tag("Project"), nsmap={None: PROJECT_NS},
                         name=xml_safe(name or plan.codebook.name or "qual export"),
                         origin=f"qual {__version__}", creatingUserGUID=user_guid[plan.user], creationDateTime=when)
    users = etree.SubElement(root, tag("Users"))
    for coder, guid in user_guid.items():
        etree.SubElement(users, tag("User"), guid=guid, name=xml_safe(coder))
    codes_el = codes_element(plan.codebook, PROJECT_NS, codable_themes=plan.codable_themes,
                             note_refs=plan.note_refs)
    for case in plan.documents_of:
        # NVivo's convention, which QualCoder and NVivo read: a case is also a code with the
        # case's GUID, coding the whole text of each of its sources (see _case_selection)
        etree.SubElement(codes_el, tag("Code"), guid=stable_guid("case", case), name=xml_safe(case),
                         isCodable="true")
    etree.SubElement(root, tag("CodeBook")).append(codes_el)

    variable_guid = {v: stable_guid("variable", v) for v in plan.variables}
    if plan.variables:
        variables = etree.SubElement(root, tag("Variables"))
        for variable, guid in variable_guid.items():
            etree.SubElement(variables, tag("Variable"), guid=guid, name=xml_safe(variable), typeOfVariable="Text")
    source_guid = {document: stable_guid("source", document) for document in plan.transcripts}
    if plan.documents_of:
        cases = etree.SubElement(root, tag("Cases"))
        for case, documents in plan.documents_of.items():
            case_el = etree.SubElement(cases, tag("Case"), guid=stable_guid("case", case), name=xml_safe(case))
            for variable, value in plan.case_values[case].items():
                value_el = etree.SubElement(case_el, tag("VariableValue"))
                etree.SubElement(value_el, tag("VariableRef"), targetGUID=variable_guid[variable])
                etree.SubElement(value_el, tag("TextValue")).text = xml_safe(value)
            for document in documents:
                etree.SubElement(case_el, tag("SourceRef"), targetGUID=source_guid[document])

    members: list[tuple[str, bytes]] = []
    quotes: dict[str, str] = {}
    case_of_document = {document: case for case, documents in plan.documents_of.items() for document in documents}
    by_document: dict[str, list[_Selection]] = {}
    for selection in plan.selections.values():
        by_document.setdefault(selection.document, []).append(selection)
    sources = etree.SubElement(root, tag("Sources")) if plan.transcripts else None
    for document, transcript in plan.transcripts.items():
        guid = source_guid[document]
        file_name = f"{guid}.txt"
        source = etree.SubElement(sources, tag("TextSource"), guid=guid, name=xml_safe(document),
                                  plainTextPath=f"{INTERNAL}{file_name}", creatingUser=user_guid[plan.user],
                                  creationDateTime=when)
        speakers: dict[str, str] = {}
        for turn in transcript.turns:
            speakers.setdefault(turn.speaker, str(turn.role))
        description = f"Transcript {document}, de-identified, exported by qual"
        if speakers:  # read back by qual's import: the roles are not in the text
            description += "\nSpeakers: " + "; ".join(f"{s} ({r})" for s, r in speakers.items())
        etree.SubElement(source, tag("Description")).text = xml_safe(description)
        for selection in sorted(by_document.get(document, []), key=lambda s: (s.start, s.end, s.user)):
            selection_el = etree.SubElement(
                source, tag("PlainTextSelection"), guid=selection.guid, name=selection_label(selection.quote),
                startPosition=str(selection.start), endPosition=str(selection.end),
                creatingUser=user_guid[selection.user], creationDateTime=when)
            for code_id in selection.codes:
                coding = etree.SubElement(
                    selection_el, tag("Coding"),
                    guid=stable_guid("coding", document, selection.start, selection.end, code_id, selection.user),
                    creatingUser=user_guid[selection.user], creationDateTime=when)
                target = theme_guid(code_id) if code_id in plan.codable_themes else code_guid(code_id)
                etree.SubElement(coding, tag("CodeRef"), targetGUID=target)
                result.codings += 1
            quotes[selection.guid] = selection.quote
            result.selections += 1
        case = case_of_document.get(document)
        if case is not None and plan.lf_texts[document]:
            guid = _case_selection(source, tag, document, case, plan.lf_texts[document], user_guid[plan.user], when)
            quotes[guid] = plan.lf_texts[document]
        members.append((f"{SOURCES_FOLDER}/{file_name}", plan.lf_texts[document].encode("utf-8")))
    if plan.notes:
        notes = etree.SubElement(root, tag("Notes"))
        for note in plan.notes:
            file_name = f"{note['guid']}.txt"
            note_el = etree.SubElement(notes, tag("Note"), guid=note["guid"], name=xml_safe(note["name"]),
                                       plainTextPath=f"{INTERNAL}{file_name}", creatingUser=user_guid[plan.user],
                                       creationDateTime=when)
            etree.SubElement(note_el, tag("Description")).text = xml_safe(note["description"])
            members.append((f"{SOURCES_FOLDER}/{file_name}", normalise_newlines(note["text"])[0].encode("utf-8")))
    etree.SubElement(root, tag("Description")).text = xml_safe(
        f"De-identified interview transcripts coded against the codebook {plan.codebook.name!r}"
        + (f" version {plan.codebook.version}" if plan.codebook.version else "") + f"; exported by qual {__version__}.")
    result.users = len(user_guid)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True), members, quotes


def _case_selection(source, tag, document: str, case: str, text: str, user: str, when: str) -> str:
    """The whole text of a source, coded with its case's code: how NVivo links a case to its
    sources in REFI-QDA, and the only link QualCoder reads (it turns the code back into the
    case, and the coding into the case's text). ``Case/SourceRef`` says the same for tools
    that follow the spec."""
    from lxml import etree

    guid = stable_guid("case-text", case, document)
    selection = etree.SubElement(source, tag("PlainTextSelection"), guid=guid, name=selection_label(text),
                                 startPosition="0", endPosition=str(len(text)), creatingUser=user,
                                 creationDateTime=when)
    coding = etree.SubElement(selection, tag("Coding"), guid=stable_guid("case-coding", case, document),
                              creatingUser=user, creationDateTime=when)
    etree.SubElement(coding, tag("CodeRef"), targetGUID=stable_guid("case", case))
    return guid


def _zip(members: list[tuple[str, bytes]], created: datetime) -> bytes:
    """The .qdpx archive: project.qde first, then sources/, with one fixed date (same input, same bytes)."""
    buffer = io.BytesIO()
    stamp = max(created.astimezone(timezone.utc).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, data in members:
            info = zipfile.ZipInfo(member, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_qdpx(
    codings: "Codings | pd.DataFrame | None",
    transcripts: Sequence["Transcript"],
    codebook: Codebook,
    *,
    summaries: Any = None,
    participants: "pd.DataFrame | str | Path | None" = None,
    user: str = DEFAULT_USER,
    cases_attributes: Sequence[str] = DEFAULT_CASE_ATTRIBUTES,
    status: str = "auto",
    name: str | None = None,
    created: datetime | None = None,
    xsd: str | Path | None | bool = None,
) -> tuple[bytes, ExportResult]:
    """The bytes of a validated .qdpx, and the account of what is in it (``path`` is None).

    Arguments as for ``export_qdpx``. Raises ``QualError`` when the project does not validate.
    """
    from .validate import errors as error_problems, validate_qdpx_bytes

    if status not in STATUS_CHOICES:
        raise QualError(f"status must be one of {', '.join(STATUS_CHOICES)}, not {status!r}")
    user = (user or DEFAULT_USER).strip() or DEFAULT_USER
    created = created or datetime.now(timezone.utc)
    codings = Codings(codings, required=QUOTED)
    used, effective, note = codings.select(status)
    result = ExportResult(path=None, status=effective, status_note=note)
    result.skip(f"codings with status other than {' or '.join(sorted(used_statuses(effective)))}",
                len(codings) - len(used))
    codings = used

    by_id: dict[str, "Transcript"] = {}
    for transcript in transcripts:
        if transcript.id in by_id:
            raise QualError(f"two transcripts have the id {transcript.id!r}; document ids must be unique")
        by_id[transcript.id] = transcript
    plan = _Plan(user=user, transcripts=by_id, codebook=copy.deepcopy(codebook), coders={user: None},
                 lf_texts={document: normalise_newlines(t.text)[0] for document, t in by_id.items()})
    _plan_codings(plan, codings, result)
    plan.codebook = coloured(plan.codebook)
    _plan_cases(plan, participants, cases_attributes, result)
    _plan_notes(plan, summaries, result)

    qde, members, quotes = _project_xml(plan, name, xml_datetime(created), result)
    data = _zip([(PROJECT_FILE, qde), *members], created)
    del qde, members
    problems = validate_qdpx_bytes(data, xsd, quotes=quotes)
    failed = error_problems(problems)
    if failed:  # a bug in qual: never hand peers a file they would reject or misread
        shown = "; ".join(str(p) for p in failed[:3])
        raise QualError(f"the REFI-QDA project qual built does not validate ({len(failed)} problems: {shown}); "
                        "nothing was written; please report this")
    result.problems = problems
    result.themes = len(plan.codebook.themes)
    result.codes = len(plan.codebook.codes)
    result.sources = len(by_id)
    result.cases = len(plan.documents_of)
    result.variables = len(plan.variables)
    result.notes = len(plan.notes)
    return data, result


def export_qdpx(
    codings: "Codings | pd.DataFrame | None",
    transcripts: Sequence["Transcript"],
    codebook: Codebook,
    path: str | Path,
    *,
    summaries: Any = None,
    participants: "pd.DataFrame | str | Path | None" = None,
    user: str = DEFAULT_USER,
    cases_attributes: Sequence[str] = DEFAULT_CASE_ATTRIBUTES,
    status: str = "auto",
    name: str | None = None,
    created: datetime | None = None,
    xsd: str | Path | None | bool = None,
) -> Path:
    """Write a REFI-QDA 1.0 project of the de-identified ``transcripts``, ``codebook`` and
    ``codings`` (``qual.model.codings``; offsets into ``Transcript.text``) to ``path``.

    ``status``: ``auto`` (accepted codings when any is accepted, else accepted and suggested),
    ``accepted`` or ``all`` (accepted and suggested; rejected never). ``summaries``: matrix
    summaries (``read_summaries`` DataFrame, a workbook path, or {(case, code): text}) written as
    notes. ``participants``: a participants sheet for case variables (only its role and trial
    arm columns; other attributes come from the de-identified corpus). ``user``: the user that
    creates the project; each coding's ``source`` becomes a user of its own. ``created``: the
    creation time written (default now), ``xsd``: see ``validate_qdpx``.

    The project is validated before it is written, atomically; see ``build_qdpx`` for the counts.
    """
    data, _ = build_qdpx(codings, transcripts, codebook, summaries=summaries, participants=participants,
                         user=user, cases_attributes=cases_attributes, status=status, name=name,
                         created=created, xsd=xsd)
    path = Path(path)
    write_bytes(path, data)
    return path


# --------------------------------------------------------------------------- from files (the CLI)

CORPUS_FILE = "corpus.jsonl"
CODEBOOK_BESIDE = "codebook.yaml"
DEFAULT_CODEBOOK = Path("codebooks") / "swis_ipe.yaml"


def find_codebook(codings_path: Path, codebook: str | Path | None) -> Path:
    """The codebook to export with: the one given, else ``codebook.yaml`` beside the codings,
    else ``codebooks/swis_ipe.yaml`` in the working folder."""
    if codebook is not None:
        return Path(codebook)
    for candidate in (codings_path.parent / CODEBOOK_BESIDE, DEFAULT_CODEBOOK):
        if candidate.is_file():
            return candidate
    raise InputFileError(codings_path, f"no codebook given, and neither {CODEBOOK_BESIDE} beside it nor "
                         f"{DEFAULT_CODEBOOK} exists", "give the codebook with --codebook FILE")


def export_codings_file(
    codings_path: str | Path,
    out: str | Path,
    *,
    corpus: str | Path | None = None,
    codebook: str | Path | None = None,
    participants: str | Path | None = None,
    summaries: str | Path | None = None,
    status: str = "auto",
    user: str = DEFAULT_USER,
    name: str | None = None,
    cases_attributes: Sequence[str] = DEFAULT_CASE_ATTRIBUTES,
) -> ExportResult:
    """``qual export-qdpx``: export ``codings.csv`` with the ``corpus.jsonl`` beside it (or
    ``corpus``) and the codebook (see ``find_codebook``) to the .qdpx ``out``."""
    from ..coding.codebook import load_codebook
    from ..corpus import read_corpus

    codings_path = Path(codings_path)
    out = Path(out)
    corpus_path = Path(corpus) if corpus is not None else codings_path.parent / CORPUS_FILE
    if not corpus_path.is_file():
        raise InputFileError(corpus_path if corpus is not None else codings_path,
                             "does not exist" if corpus is not None else f"no {CORPUS_FILE} beside it",
                             "give the de-identified corpus the codings refer to with --corpus FILE")
    codebook_path = find_codebook(codings_path, codebook)
    inputs = [codings_path, corpus_path, codebook_path] + [Path(p) for p in (participants, summaries) if p]
    if any(out.resolve() == p.resolve() for p in inputs):
        raise QualError(f"{out}: the output would overwrite an input; give another --out")
    frame = Codings.read(codings_path, required=QUOTED)
    transcripts = read_corpus(corpus_path)
    book = load_codebook(codebook_path)
    data, result = build_qdpx(frame, transcripts, book, summaries=summaries, participants=participants,
                              user=user, cases_attributes=cases_attributes, status=status, name=name)
    write_bytes(out, data)
    result.path = out
    return result


def export_qdc_file(codebook_path: str | Path, out: str | Path) -> Path:
    """``qual export-qdc``: a codebook file (.yaml, .xlsx, .csv, .qdc, .qdpx) as a REFI-QDA .qdc."""
    from ..coding.codebook import load_codebook
    from .qdc import write_qdc

    codebook_path, out = Path(codebook_path), Path(out)
    if out.resolve() == codebook_path.resolve():
        raise QualError(f"{out}: the output would overwrite the codebook; give another --out")
    return write_qdc(load_codebook(codebook_path), out)
