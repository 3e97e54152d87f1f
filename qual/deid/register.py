"""The project register: identifiers the project already knows, always redacted.

Names from the participants sheet (participants, interviewers, schools, local authorities
...) plus a user's list, in a plain file of ``TYPE,value`` lines::

    # qual register
    PERSON,Jayden Smith
    SCHOOL,Castlebrook Academy
    LOCAL_AUTHORITY,Northshire County Council

A line without a type is a person (or a school / council / estate, when its last word says
so). Each entry is matched with the variants a transcript uses: first name or surname alone,
possessives, titles (``Mrs Okafor``, ``Mr O``), initials, any case, and a transcriber's
near-misspellings (the fuzzy part lives in the register recognizer).

The register is identifiable: save it outside any de-identified output.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .recognizers.vocab import (COUNCIL_HEADS, FORMAL_TITLES, ORGANISATION_GENERIC,
                                ORGANISATION_HEADS, SCHOOL_GENERIC, SCHOOL_HEADS, STREET_HEADS)
from .types import EntityType

# A single-token variant that is a common English word (Zipf >= this) is matched only when
# capitalised, so that registering "Will Brown" does not redact every "will" and "brown".
COMMON_WORD_ZIPF = 3.5

# Name particles that are part of a surname but never a name on their own.
PARTICLES = frozenset({"de", "da", "del", "della", "der", "den", "di", "du", "van", "von", "la",
                       "le", "bin", "bint", "ibn", "al", "el", "ap", "mac", "st", "st.", "o"})


@dataclass(frozen=True)
class RegisterEntry:
    type: EntityType
    value: str

    def __repr__(self) -> str:  # the value is identifiable
        return f"RegisterEntry({self.type.value}, <{len(self.value)} chars>)"


@dataclass(frozen=True)
class Variant:
    """One string to look for, the entry it stands for, and how sure a match is.

    ``case_sensitive`` variants are ordinary words as well as names and match only as
    written (capitalised); ``strip_title`` is the length of a leading title that the
    redaction leaves in place (``Mrs`` of ``Mrs Okafor``).
    """

    text: str
    entry: RegisterEntry
    confidence: float
    case_sensitive: bool = False
    strip_title: int = 0

    def __repr__(self) -> str:
        return f"Variant({self.entry.type.value}, {self.confidence:.2f}, <{len(self.text)} chars>)"


# Column names of a participants sheet and what their values are.
_COLUMN_TYPES: list[tuple[re.Pattern[str], EntityType | None]] = [
    (re.compile(r"(^|_)(id|ids|code|codes|role|roles|gender|sex|age|type|date|dob|number|no|"
                r"count|pseudonym|pseudonyms|group|arm|condition|wave|notes?|comments?|"
                r"consent|status|file|filename|path|transcript|duration|words|language)($|_)"), None),
    (re.compile(r"e_?mail"), EntityType.EMAIL),
    (re.compile(r"phone|mobile|tel($|_)|telephone"), EntityType.PHONE),
    (re.compile(r"post_?code|zip"), EntityType.POSTCODE),
    (re.compile(r"address"), EntityType.ADDRESS),
    (re.compile(r"school|academy|setting|college"), EntityType.SCHOOL),
    (re.compile(r"local_?authority|(^|_)las?($|_)|(^|_)lea($|_)|council|authority|(^|_)site"),
     EntityType.LOCAL_AUTHORITY),
    (re.compile(r"place|town|city|area|location|region|borough|estate|street|village"),
     EntityType.PLACE),
    (re.compile(r"org|organisation|organization|employer|agency|team|service|provider"),
     EntityType.ORGANISATION),
    (re.compile(r"name|first|forename|given|surname|last|family|participant|interviewer|"
                r"interviewee|respondent|manager|supervisor|worker|practitioner|contact|"
                r"child|parent|carer|dsl|head|person|staff|researcher|speaker"), EntityType.PERSON),
]
_ID_LIKE = re.compile(r"^[A-Za-z]{0,4}[-_ ]?\d+[A-Za-z]?$")
_ROLE_WORDS = frozenset({"sw", "tm", "social worker", "team manager", "interviewer",
                         "participant", "respondent", "researcher", "n/a", "na", "none", "-",
                         "unknown", "yes", "no", "true", "false", "male", "female"})


def _column_type(column: str) -> EntityType | None:
    key = re.sub(r"[^a-z0-9]+", "_", str(column).lower()).strip("_")
    for pattern, entity_type in _COLUMN_TYPES:
        if pattern.search(key):
            return entity_type
    return None


def _infer_type(value: str) -> EntityType:
    words = value.lower().replace("'s", "").split()
    last = words[-1] if words else ""
    if "@" in value:
        return EntityType.EMAIL
    if last in SCHOOL_HEADS and len(words) > 1:
        return EntityType.SCHOOL
    if "council" in words:
        return EntityType.LOCAL_AUTHORITY
    if last in {"estate", "road", "street", "avenue", "lane", "close", "drive"}:
        return EntityType.PLACE
    if last in ORGANISATION_HEADS and len(words) > 1:
        return EntityType.ORGANISATION
    return EntityType.PERSON


class Register:
    """Known identifiers of a project; build with :meth:`from_participants`, :meth:`load`
    or :meth:`add`, combine with ``|``."""

    def __init__(self, entries: Iterable[RegisterEntry] = ()) -> None:
        self._entries: dict[tuple[EntityType, str], RegisterEntry] = {}
        self._variants: list[Variant] | None = None
        for entry in entries:
            self.add(entry.type, entry.value)

    # ------------------------------------------------------------------ building

    def add(self, type: EntityType | str, value: str) -> None:
        """Always redact ``value`` (a name, school, place ...) as ``type``."""
        entity_type = type if isinstance(type, EntityType) else EntityType.parse(type)
        if entity_type is None:
            raise ValueError(f"unknown entity type {type!r}; use one of "
                             + ", ".join(t.value for t in EntityType))
        value = " ".join(str(value).replace("\u2019", "'").split())
        if not value:
            return
        key = (entity_type, value.lower())
        if key not in self._entries:
            self._entries[key] = RegisterEntry(entity_type, value)
            self._variants = None

    def update(self, other: "Register | Iterable[RegisterEntry]") -> None:
        for entry in other:
            self.add(entry.type, entry.value)

    def __or__(self, other: "Register") -> "Register":
        merged = Register(self)
        merged.update(other)
        return merged

    @classmethod
    def from_participants(cls, frame: Any) -> "Register":
        """Names in a participants sheet (a pandas DataFrame, or a list of dicts).

        Name-bearing columns are found by their header (name, first_name, surname,
        interviewer, school, local_authority, email ...); ID, role and date columns are
        skipped. A first-name and a surname column are also joined into full names.
        """
        records = frame.to_dict("records") if hasattr(frame, "to_dict") else list(frame)
        register = cls()
        if not records:
            return register
        columns = list(records[0].keys())
        types = {column: _column_type(column) for column in columns}
        first_columns = [c for c in columns if types[c] is EntityType.PERSON
                         and re.search(r"first|forename|given", str(c), re.I)]
        last_columns = [c for c in columns if types[c] is EntityType.PERSON
                        and re.search(r"surname|last|family", str(c), re.I)]
        for record in records:
            for column, entity_type in types.items():
                if entity_type is None:
                    continue
                for value in _cell_values(record.get(column)):
                    register.add(entity_type, value)
            for first_column in first_columns:
                for last_column in last_columns:
                    first = _cell_values(record.get(first_column))
                    last = _cell_values(record.get(last_column))
                    if first and last:
                        register.add(EntityType.PERSON, f"{first[0]} {last[0]}")
        return register

    @classmethod
    def load(cls, path: str | Path) -> "Register":
        """Read a register file: ``TYPE,value`` CSV lines or plain lines (type inferred)."""
        from ..errors import InputFileError

        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise InputFileError(path, f"cannot read the register ({type(error).__name__})",
                                 "give a UTF-8 text or CSV file of TYPE,value lines") from None
        register = cls()
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [cell.strip() for cell in row]
            if not cells or not cells[0] or cells[0].startswith("#"):
                continue
            if len(cells) >= 2 and cells[0].lower() in {"type", "entity_type"}:
                continue  # a header row
            entity_type = EntityType.parse(cells[0]) if len(cells) >= 2 else None
            if entity_type is not None:
                value = ",".join(cells[1:]).strip()
            else:
                value = ",".join(cells).strip()
                entity_type = _infer_type(value)
            if value:
                register.add(entity_type, value)
        return register

    from_file = load

    def save(self, path: str | Path) -> None:
        """Write ``TYPE,value`` lines, owner-only (the register is identifiable)."""
        from ..files import OWNER_ONLY, write_text

        buffer = io.StringIO()
        buffer.write("# qual register: TYPE,value; identifiable - keep outside any output\n")
        writer = csv.writer(buffer, lineterminator="\n")
        for entry in sorted(self, key=lambda e: (e.type.value, e.value.lower())):
            writer.writerow([entry.type.value, entry.value])
        write_text(path, buffer.getvalue(), permissions=OWNER_ONLY)

    # ------------------------------------------------------------------ reading

    def __iter__(self) -> Iterator[RegisterEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, value: object) -> bool:
        if isinstance(value, RegisterEntry):
            return (value.type, value.value.lower()) in self._entries
        return isinstance(value, str) and any(
            e.value.lower() == value.lower() for e in self._entries.values())

    def __repr__(self) -> str:
        return f"Register(<{len(self)} entries>)"

    def variants(self) -> list[Variant]:
        """Every string that stands for a registered identifier (cached)."""
        if self._variants is None:
            from .recognizers.lexicon import load_lexicon

            lexicon = load_lexicon()
            found: dict[tuple[str, bool, int], Variant] = {}
            for entry in self._entries.values():
                for variant in _entry_variants(entry, lexicon):
                    key = (variant.text if variant.case_sensitive else variant.text.lower(),
                           variant.case_sensitive, variant.strip_title)
                    if key not in found or found[key].confidence < variant.confidence:
                        found[key] = variant
            self._variants = list(found.values())
        return self._variants

    def name_tokens(self) -> dict[str, RegisterEntry]:
        """Distinctive single words of registered names, for fuzzy matching (lower-cased)."""
        tokens: dict[str, RegisterEntry] = {}
        for variant in self.variants():
            if " " not in variant.text and not variant.strip_title and len(variant.text) >= 4 \
                    and variant.text.replace("-", "").replace("'", "").isalpha():
                tokens.setdefault(variant.text.lower(), variant.entry)
        return tokens


def _cell_values(value: Any) -> list[str]:
    if value is None:
        return []
    try:
        import math

        if isinstance(value, float) and math.isnan(value):
            return []
    except TypeError:
        pass
    text = " ".join(str(value).split())
    values = []
    for part in re.split(r";|\||\n| & | and ", text):
        part = part.strip(" ,")
        if len(part) < 2 or part.lower() in _ROLE_WORDS or _ID_LIKE.match(part):
            continue
        values.append(part)
    return values


def _tokens(value: str) -> list[str]:
    return re.findall(r"[^\W_](?:[\w]|['\-.](?=[^\W_]))*\.?", value)


def _entry_variants(entry: RegisterEntry, lexicon) -> Iterator[Variant]:
    value = entry.value
    yield Variant(value, entry, 0.99)
    if entry.type is EntityType.PERSON:
        yield from _person_variants(entry, lexicon)
    elif entry.type in (EntityType.SCHOOL, EntityType.ORGANISATION, EntityType.LOCAL_AUTHORITY,
                        EntityType.PLACE, EntityType.ADDRESS):
        yield from _institution_variants(entry, lexicon)
    elif entry.type is EntityType.PHONE:
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7:
            yield Variant(digits, entry, 0.99)


def _word_variant(word: str, entry: RegisterEntry, confidence: float, lexicon) -> Variant:
    common = lexicon.word_zipf(word) >= COMMON_WORD_ZIPF
    return Variant(word, entry, confidence, case_sensitive=common)


def _person_variants(entry: RegisterEntry, lexicon) -> Iterator[Variant]:
    words = [w for w in _tokens(entry.value) if w.lower().rstrip(".") not in FORMAL_TITLES]
    names = [w for w in words if len(w.rstrip(".")) > 1 and w.lower() not in PARTICLES]
    if not names:
        return
    for word in names:
        yield _word_variant(word, entry, 0.95, lexicon)
        for part in word.split("-"):
            if part != word and len(part) > 1:
                yield _word_variant(part, entry, 0.9, lexicon)
    if len(names) >= 2:
        first, last = names[0], names[-1]
        surname = " ".join(words[words.index(names[1]):]) if names[1] in words else last
        yield Variant(f"{first} {last}", entry, 0.99)
        yield Variant(f"{first[0]} {last}", entry, 0.97)
        yield Variant(f"{first[0]}. {last}", entry, 0.97)
        yield Variant(f"{first[0]}.{last[0]}.", entry, 0.9, case_sensitive=True)
        yield Variant(f"{first[0]}{last[0]}", entry, 0.6, case_sensitive=True)
        if surname != last:
            yield _word_variant(surname, entry, 0.95, lexicon)
        for title in ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Mr.", "Mrs.", "Ms.", "Dr."):
            # "Mrs O" for Okafor; the title itself stays in the text
            yield Variant(f"{title} {last[0]}", entry, 0.96, case_sensitive=True,
                          strip_title=len(title) + 1)
    else:
        only = names[0]
        for title in ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"):
            yield Variant(f"{title} {only[0]}", entry, 0.7, case_sensitive=True,
                          strip_title=len(title) + 1)


def _institution_variants(entry: RegisterEntry, lexicon) -> Iterator[Variant]:
    """"Castlebrook Academy" -> "Castlebrook"; "St Mary's Catholic Primary" -> "St Mary's"."""
    words = _tokens(entry.value)
    generic = SCHOOL_GENERIC | ORGANISATION_GENERIC | STREET_HEADS | {
        h for head in COUNCIL_HEADS for h in head.split()}
    heads = SCHOOL_HEADS | ORGANISATION_HEADS | STREET_HEADS | {"council", "county", "borough"}
    # drop trailing head words: "Castlebrook Primary School" -> "Castlebrook"
    core = list(words)
    while len(core) > 1 and core[-1].lower().rstrip(".") in (heads | generic):
        core.pop()
    while len(core) > 1 and core[0].lower() in {"the", "of"}:
        core.pop(0)
    if core and core != words:
        core_text = " ".join(core)
        distinctive = [w for w in core if w.lower().rstrip(".") not in generic]
        if distinctive:
            if len(core) == 1:
                yield _word_variant(core_text, entry, 0.93, lexicon)
            else:
                yield Variant(core_text, entry, 0.95)
    # the distinctive words alone, when they are no ordinary word ("Castlebrook")
    for word in words:
        bare = word.removesuffix("'s")
        if bare.lower().rstrip(".") in generic or len(bare) < 4:
            continue
        if lexicon.word_zipf(bare) < COMMON_WORD_ZIPF and not lexicon.first_name_count(bare):
            yield Variant(bare, entry, 0.85)
            if bare != word:
                yield Variant(word, entry, 0.87)  # "Bede's" for St Bede's: the 's is the name
