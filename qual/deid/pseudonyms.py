"""Entity linking and pseudonyms: every mention of one person, school or place gets one tag.

Mentions such as "Jayden Smith", "Jayden", "Jayden's", "jayden", "Jaden" (a transcriber's
misspelling) and "Mr Smith" are linked to one entity, which is given one typed tag in the
UK Data Service style (``[Person 3]``, ``[School B]``, ``[Local authority 2]``) or, on
request, a realistic surrogate name. The table of entities is what the encrypted key
stores, so later batches reuse the same tags and continue the numbering.

Linking rules (recall and consistency before precision):

* a mention is compared in a normal form: case, accents, punctuation, titles (Mr, Dr ...)
  and the possessive are ignored (:func:`qual.deid.identity.identity_key`);
* a full name links to the one known person whose first and last names it fits; a single
  name links to the one known person who has it as a first name or surname (a surname when
  it follows a title);
* a near-miss spelling (ratio >= 88, same initial, 4+ letters) counts as the same name;
* a single name shared by two or more known people cannot be attributed: it gets a tag of
  its own, the same everywhere, so it is still redacted and never guessed;
* schools, local authorities and organisations are compared on their distinctive words
  ("Castlebrook Academy" = "Castlebrook"), but a primary and a secondary school of the same
  name stay apart;
* identifiers without a useful identity (emails, phone numbers, dates ...) get a fixed tag
  such as ``[Email]``; they are still recorded in the key.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz, process

from .identity import (FIXED_TYPES, INSTITUTIONS, NAME_LIKE, EntityType, PersonName, distinctive_key, identity_key,
                       normal_tokens, split_possessive, tag_for, tag_number)

log = logging.getLogger("qual.deid.pseudonyms")

MAX_SURROGATE_DRAWS = 10_000
FUZZY_MIN_RATIO = 88
FUZZY_MIN_LENGTH = 4


def similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < FUZZY_MIN_LENGTH or a[0] != b[0]:
        return False
    return fuzz.ratio(a, b) >= FUZZY_MIN_RATIO


# --------------------------------------------------------------------------- entities


@dataclass(eq=False)  # an entity is itself: compared and hashed by identity
class Entity:
    """One real person, school, place ...: its tag, surrogate and every form it was seen in.

    ``variants`` hold originals and are identifiable: they live in the encrypted key only.
    """

    id: int
    type: EntityType
    pseudonym: str
    variants: set[str] = field(default_factory=set)
    surrogate: str | None = None
    ambiguous: bool = False  # a single name shared by several known people
    surrogate_attempt: int = 0
    confidence: dict[str, float] = field(default_factory=dict)  # best detection of each variant

    def __repr__(self) -> str:  # the variants are identifiable
        return f"Entity({self.id}, {self.type.value}, {self.pseudonym!r}, {len(self.variants)} variants)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type.value, "pseudonym": self.pseudonym,
            "surrogate": self.surrogate, "variants": sorted(self.variants),
            "ambiguous": self.ambiguous, "surrogate_attempt": self.surrogate_attempt,
            "confidence": {v: round(c, 3) for v, c in sorted(self.confidence.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Entity":
        return cls(
            id=int(data["id"]), type=EntityType(data["type"]), pseudonym=str(data["pseudonym"]),
            variants=set(data.get("variants") or ()), surrogate=data.get("surrogate"),
            ambiguous=bool(data.get("ambiguous", False)),
            surrogate_attempt=int(data.get("surrogate_attempt", 0)),
            confidence={str(k): float(v) for k, v in (data.get("confidence") or {}).items()},
        )


@dataclass
class _PersonNames:
    """What is known of one person's names, for linking."""

    firsts: set[str] = field(default_factory=set)
    lasts: set[str] = field(default_factory=set)
    singles: set[str] = field(default_factory=set)  # seen alone, position unknown

    def add(self, name: PersonName) -> None:
        if name.first:
            self.firsts.add(name.first)
        if name.last:
            self.lasts.add(name.last)
        if name.single:
            self.singles.add(name.single)

    def all(self) -> set[str]:
        return self.firsts | self.lasts | self.singles


def _fits(name: str | None, known: set[str], fuzzy: bool = True) -> bool:
    if name is None:
        return False
    return name in known or (fuzzy and any(similar(name, k) for k in known))


def _name_fits(name: PersonName, known: _PersonNames, fuzzy: bool) -> bool:
    if name.single is not None:
        return _fits(name.single, known.all(), fuzzy)
    if len(name.tokens) == 1:  # "Mr Smith": a surname
        return _fits(name.last, known.lasts | known.singles, fuzzy)
    if not known.firsts and not known.lasts:
        # Only single names known so far: "Jayden", then "Jayden Smith".
        return _fits(name.first, known.singles, fuzzy) or _fits(name.last, known.singles, fuzzy)
    first_ok = _fits(name.first, known.firsts, fuzzy) if known.firsts else True
    last_ok = _fits(name.last, known.lasts, fuzzy) if known.lasts else True
    return first_ok and last_ok


class EntityTable:
    """The entities of a corpus and their pseudonyms; what the key file stores.

    ``link(type, text)`` returns the entity a mention belongs to, creating it when new.
    ``link_all`` does the same for a batch in an order that does not depend on which
    document came first (full names before single names), and numbers new entities in
    order of first appearance.
    """

    def __init__(self, seed: str | None = None) -> None:
        self.entities: list[Entity] = []
        self.counters: dict[str, int] = {}
        self.seed = seed or secrets.token_hex(16)
        self._by_key: dict[tuple[EntityType, str], Entity] = {}
        self._person_names: dict[int, _PersonNames] = {}
        self._distinct: dict[int, list[tuple[str, frozenset[str]]]] = {}
        self._ids: dict[int, Entity] = {}
        self._name_index: dict[str, set[int]] = {}  # name token -> people who have it
        # a name's words (titles dropped) -> the entities that have that exact form, of any
        # name-like type: one string is one entity, whichever type a detector called it
        self._by_form: dict[str, list[Entity]] = {}
        self._next_id = 1

    # ----------------------------------------------------------------- persistence

    def to_payload(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "counters": dict(self.counters),
            "entities": [entity.to_dict() for entity in self.entities],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "EntityTable":
        table = cls(seed=payload.get("seed"))
        for data in payload.get("entities", []):
            table._add(Entity.from_dict(data))
        for type_name, value in (payload.get("counters") or {}).items():
            table.counters[type_name] = max(int(value), table.counters.get(type_name, 0))
        return table

    def merge(self, other: "EntityTable") -> list[Entity]:
        """Add ``other``'s entities that this table lacks; return the pseudonym clashes.

        Used for read-merge-write of the key: an entity of ``other`` with the same type and
        pseudonym as one here is the same entity (variants are pooled); a clash is an entity
        whose variants link to one here under a different pseudonym.
        """
        clashes = []
        by_pseudonym = {(e.type, e.pseudonym): e for e in self.entities if e.type not in FIXED_TYPES}
        for entity in other.entities:
            if entity.type in FIXED_TYPES:
                for variant in entity.variants:
                    self.link(entity.type, variant, entity.confidence.get(variant, 1.0))
                continue
            mine = by_pseudonym.get((entity.type, entity.pseudonym))
            if mine is not None and mine.variants and entity.variants and not (mine.variants & entity.variants):
                clashes.append(entity)  # one tag, two different people
                continue
            known = {self._by_key.get((entity.type, self._key(entity.type, v))) for v in entity.variants}
            known.discard(None)
            if known - {mine}:
                clashes.append(entity)  # one person, two different tags
                continue
            if mine is None:
                mine = Entity(self._next_id, entity.type, entity.pseudonym, set(), entity.surrogate,
                              entity.ambiguous, entity.surrogate_attempt)
                self._add(mine)
                by_pseudonym[(mine.type, mine.pseudonym)] = mine
            for variant in entity.variants:
                self._remember(mine, variant, entity.confidence.get(variant))
        for type_name, value in other.counters.items():
            self.counters[type_name] = max(value, self.counters.get(type_name, 0))
        return clashes

    # ----------------------------------------------------------------- lookup

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self):
        return iter(self.entities)

    def get(self, entity_id: int) -> Entity:
        return self._ids[entity_id]

    def variants(self, types: Iterable[EntityType] | None = None,
                 min_confidence: float = 0.0) -> list[tuple[EntityType, str]]:
        """Known original forms, for finding them again in new text.

        With ``min_confidence``, only forms detected at least that surely (or never scored:
        read from an older key) and of three letters or more: a doubtful detection such as
        "Like" at the start of a sentence must not become a name to look for everywhere.
        """
        wanted = set(types) if types is not None else None
        out = []
        for entity in self.entities:
            if wanted is not None and entity.type not in wanted:
                continue
            for variant in sorted(entity.variants):
                if min_confidence and (entity.confidence.get(variant, 1.0) < min_confidence
                                       or sum(ch.isalnum() for ch in variant) < 3):
                    continue
                out.append((entity.type, variant))
        return out

    def find(self, entity_type: EntityType, text: str) -> Entity | None:
        """The entity this mention belongs to, without creating one."""
        entity = self._by_key.get((entity_type, self._key(entity_type, text)))
        if entity is not None or entity_type in FIXED_TYPES:
            return entity
        if entity_type is EntityType.PERSON:
            candidates = self._person_candidates(PersonName.parse(text))
        else:
            candidates = self._distinct_candidates(entity_type, text)
        return candidates[0] if len(candidates) == 1 else None

    # ----------------------------------------------------------------- linking

    def link(self, entity_type: EntityType, text: str, confidence: float = 1.0) -> Entity:
        """The entity of one mention (created, numbered and remembered if new)."""
        entity = self._resolve(entity_type, text)
        self._remember(entity, text, confidence)
        if not entity.pseudonym:
            self._number(entity)
        return entity

    def link_all(self, mentions: Sequence[tuple[EntityType, str]],
                 confidences: Sequence[float] | None = None) -> list[Entity]:
        """Link a batch of mentions; new entities are numbered in order of first appearance.

        ``confidences`` (one per mention) are remembered with each form, so that later
        batches look again only for forms that were surely identifiers.
        """
        keys = [(entity_type, self._key(entity_type, text)) for entity_type, text in mentions]
        first_seen: dict[tuple[EntityType, str], int] = {}
        for position, key in enumerate(keys):
            first_seen.setdefault(key, position)

        def specificity(item: tuple[tuple[EntityType, str], int]) -> tuple:
            (entity_type, key), position = item
            # Full names first, so that a lone first name or "Mr Smith" finds its person
            # among all the full names rather than the first one seen.
            if entity_type is EntityType.PERSON:
                name = PersonName.parse(originals[(entity_type, key)])
                return (-len(name.tokens), position)
            return (-len(key.split()), position)

        resolved: dict[tuple[EntityType, str], Entity] = {}
        originals: dict[tuple[EntityType, str], str] = {}
        for key, (_, text) in zip(keys, mentions):
            originals.setdefault(key, text)
        for (entity_type, key), _ in sorted(first_seen.items(), key=specificity):
            resolved[(entity_type, key)] = self._resolve(entity_type, originals[(entity_type, key)])
        for (entity_type, key), _ in sorted(first_seen.items(), key=lambda item: item[1]):
            entity = resolved[(entity_type, key)]
            if not entity.pseudonym:
                self._number(entity)
        out = [resolved[key] for key in keys]
        # each form once, with its best confidence (remembering a form again changes nothing
        # but its confidence), in order of first mention
        best: dict[tuple[int, str], float] = {}
        for position, (entity, (_, text)) in enumerate(zip(out, mentions)):
            confidence = confidences[position] if confidences is not None else 1.0
            form = (entity.id, text)
            if confidence > best.get(form, -1.0):
                best[form] = confidence
        for (entity_id, text), confidence in best.items():
            self._remember(self._ids[entity_id], text, confidence)
        return out

    def _key(self, entity_type: EntityType, text: str) -> str:
        return identity_key(entity_type, text)

    def _resolve(self, entity_type: EntityType, text: str) -> Entity:
        key = self._key(entity_type, text)
        entity = self._by_key.get((entity_type, key))
        if entity_type in NAME_LIKE:
            # A form the table already holds keeps its entity, even when a detector now calls
            # it another type ("Castlebrook" a school in one run, "Mr Castlebrook" a person in
            # the next): one string, one pseudonym, whichever run came first.
            holders = self._by_form.get(PersonName.parse(text).key, [])
            same = [e for e in holders if e.type is entity_type]
            if holders and not (entity is not None and entity in same):
                entity = (same or holders)[0]
        if entity is None:
            if entity_type is EntityType.PERSON:
                name = PersonName.parse(text)
                candidates = self._person_candidates(name)
                if len(candidates) == 1:
                    entity = candidates[0]
                else:
                    entity = self._new(entity_type)
                    entity.ambiguous = len(candidates) > 1 and len(name.tokens) == 1
                    if len(candidates) > 1:
                        log.debug("a person mention fits %d known people; given a tag of its own",
                                  len(candidates))
            elif entity_type not in FIXED_TYPES:
                candidates = self._distinct_candidates(entity_type, text)
                entity = candidates[0] if len(candidates) == 1 else self._new(entity_type)
            else:
                entity = self._new(entity_type)
        self._remember(entity, text)
        return entity

    def _person_candidates(self, name: PersonName) -> list[Entity]:
        """Known people this mention fits: exact names first, near-miss spellings if none,
        then a lone first name that is a short form of one known name ("Jay", "Seun")."""
        if not name.tokens:
            return []
        candidates = self._person_candidates_by_spelling(name)
        if candidates or name.single is None or len(name.single) < 3:
            return candidates
        short = name.single
        out = []
        for entity_id, known in self._person_names.items():
            if self._ids[entity_id].ambiguous:
                continue
            if any(len(k) > len(short) and (k.startswith(short) or (len(short) >= 4 and k.endswith(short)))
                   for k in known.firsts | known.singles):
                out.append(self._ids[entity_id])
        return out

    def _person_candidates_by_spelling(self, name: PersonName) -> list[Entity]:
        for fuzzy in (False, True):
            ids: set[int] = set()
            for token in name.tokens:
                ids |= self._name_index.get(token, set())
                if fuzzy and len(token) >= FUZZY_MIN_LENGTH:
                    for other, _, _ in process.extract(token, list(self._name_index), scorer=fuzz.ratio,
                                                       score_cutoff=FUZZY_MIN_RATIO, limit=None):
                        if similar(token, other):
                            ids |= self._name_index[other]
            out = [self._ids[i] for i in sorted(ids)
                   if not self._ids[i].ambiguous and _name_fits(name, self._person_names[i], fuzzy)]
            if out:
                return out
        return []

    def _distinct_candidates(self, entity_type: EntityType, text: str) -> list[Entity]:
        """Known schools, councils ... this mention names.

        The same distinctive words (or a near-miss spelling of them), or a part of them
        ("Shoebury" of "Shoebury Heights"). Failing that, an entity of another institution
        type with the same distinctive words, when they are two or more: a detector may call
        "Hollinsford Grange" a council in one place and a school in another, but "Stockport"
        alone may well be the town and not Stockport Academy.
        """
        core, phases = distinctive_key(entity_type, text)
        if not core:
            return []
        words = set(core.split())
        exact, partial = [], []
        for entity in self.entities:
            forms = self._distinct.get(entity.id, ())
            if entity.type is not entity_type or not forms:
                continue
            known_phases = frozenset().union(*(p for _, p in forms))
            if phases and known_phases and not (phases & known_phases):
                continue  # Castlebrook Primary is not Castlebrook Secondary
            if any(known == core or (len(core) >= 6 and fuzz.ratio(core, known) >= 92) for known, _ in forms):
                exact.append(entity)
            elif any(words < set(known.split()) for known, _ in forms):
                partial.append(entity)
        if exact or partial:
            return exact or partial
        if len(words) < 2:
            return []
        return [entity for entity in self.entities
                if entity.type in INSTITUTIONS and entity.type is not entity_type
                and any(known == core for known, _ in self._distinct.get(entity.id, ()))]

    # ----------------------------------------------------------------- bookkeeping

    def _add(self, entity: Entity) -> None:
        self.entities.append(entity)
        self._ids[entity.id] = entity
        self._next_id = max(self._next_id, entity.id + 1)
        if entity.type is EntityType.PERSON:
            self._person_names.setdefault(entity.id, _PersonNames())
        for variant in list(entity.variants):
            self._remember(entity, variant)
        self._count(entity)

    def _new(self, entity_type: EntityType) -> Entity:
        entity = Entity(self._next_id, entity_type, "")
        self._add(entity)
        return entity

    def _remember(self, entity: Entity, text: str, confidence: float | None = None) -> None:
        text = " ".join(text.split())
        if not text:
            return
        bare, _ = split_possessive(text)
        variant = bare.strip() or text
        entity.variants.add(variant)
        if confidence is not None:
            entity.confidence[variant] = max(float(confidence), entity.confidence.get(variant, 0.0))
        key = self._key(entity.type, text)
        self._by_key.setdefault((entity.type, key), entity)
        if entity.type in NAME_LIKE:
            holders = self._by_form.setdefault(PersonName.parse(text).key, [])
            if entity not in holders:
                holders.append(entity)
        if entity.type is EntityType.PERSON:
            if not entity.ambiguous:
                name = PersonName.parse(text)
                self._person_names.setdefault(entity.id, _PersonNames()).add(name)
                for token in name.tokens:
                    self._name_index.setdefault(token, set()).add(entity.id)
        elif entity.type not in FIXED_TYPES:
            forms = self._distinct.setdefault(entity.id, [])
            form = distinctive_key(entity.type, text)
            if form not in forms:
                forms.append(form)

    def _number(self, entity: Entity) -> None:
        if entity.type in FIXED_TYPES:
            entity.pseudonym = tag_for(entity.type, 0)
            return
        number = self.counters.get(entity.type.value, 0) + 1
        self.counters[entity.type.value] = number
        entity.pseudonym = tag_for(entity.type, number)

    def _count(self, entity: Entity) -> None:
        """Keep counters above every number in use (for entities read from a key)."""
        number = tag_number(entity.pseudonym)
        if number is None or entity.type in FIXED_TYPES:
            return
        self.counters[entity.type.value] = max(self.counters.get(entity.type.value, 0), number)

    # ----------------------------------------------------------------- surrogates

    def real_name_tokens(self) -> set[str]:
        return {token for e in self.entities if e.type is EntityType.PERSON
                for v in e.variants for token in normal_tokens(v)}

    def assign_surrogates(self) -> int:
        """Give every person a surrogate name that is no real name in the table.

        Drawn from a hash of the key's random seed and the entity, so the same key always
        gives the same surrogate; re-drawn (and counted) when a newly seen real name or
        another entity's surrogate collides with it.
        """
        real = self.real_name_tokens()
        taken: set[str] = set()
        redrawn = 0
        for entity in self.entities:
            if entity.type is not EntityType.PERSON:
                continue
            collided = False
            for _ in range(MAX_SURROGATE_DRAWS):
                first, last = self._draw(entity)
                if (first.casefold() not in real and last.casefold() not in real
                        and f"{first} {last}" not in taken):
                    break
                entity.surrogate_attempt += 1
                collided = True
            else:
                raise ValueError("no surrogate name left that is not a real name in the key")
            if collided and entity.surrogate is not None:
                redrawn += 1
            entity.surrogate = f"{first} {last}"
            taken.add(entity.surrogate)
        if redrawn:
            log.info("%d surrogate names re-drawn because a real name now matches them", redrawn)
        return redrawn

    def _draw(self, entity: Entity) -> tuple[str, str]:
        digest = hashlib.sha256(f"{self.seed}:{entity.id}:{entity.surrogate_attempt}".encode()).digest()
        first = SURROGATE_FIRST_NAMES[int.from_bytes(digest[:4], "big") % len(SURROGATE_FIRST_NAMES)]
        last = SURROGATE_SURNAMES[int.from_bytes(digest[4:8], "big") % len(SURROGATE_SURNAMES)]
        return first, last

    def render(self, entity: Entity, mention: str, surrogates: bool = False) -> str:
        """The replacement for one mention: its tag, or its surrogate in the mention's shape."""
        if not surrogates or entity.type is not EntityType.PERSON or not entity.surrogate:
            return entity.pseudonym
        first, _, last = entity.surrogate.partition(" ")
        name = PersonName.parse(mention)
        if name.titled:
            title = mention.strip().split()[0]
            return f"{title} {last}" if len(name.tokens) == 1 else f"{title} {first} {last}"
        if name.single is not None:
            known = self._person_names.get(entity.id, _PersonNames())
            is_surname = _fits(name.single, known.lasts) and not _fits(name.single, known.firsts)
            return last if is_surname else first
        return f"{first} {last}"


# Common names in England and Wales, for surrogates. Written for qual; no source data copied.
SURROGATE_FIRST_NAMES = (
    "Adam", "Aisha", "Alex", "Alfie", "Amber", "Amelia", "Amy", "Andrew", "Anna", "Archie",
    "Ava", "Ben", "Beth", "Bethany", "Callum", "Cameron", "Caitlin", "Charlie", "Charlotte",
    "Chloe", "Connor", "Daisy", "Daniel", "David", "Dylan", "Eleanor", "Elijah", "Ella",
    "Ellie", "Emily", "Emma", "Erin", "Ethan", "Eve", "Evie", "Faith", "Finley", "Freddie",
    "Freya", "Gemma", "George", "Georgia", "Grace", "Hannah", "Harley", "Harriet", "Harry",
    "Harvey", "Hollie", "Imogen", "Isaac", "Isabel", "Isla", "Jack", "Jacob", "Jade", "James",
    "Jasmine", "Jessica", "Joe", "Joel", "Joseph", "Josh", "Katie", "Kayla", "Kieran", "Laura",
    "Layla", "Leah", "Leo", "Lewis", "Lily", "Logan", "Louis", "Lucy", "Luke", "Maisie",
    "Maria", "Martha", "Matthew", "Megan", "Mia", "Millie", "Mohammed", "Molly", "Naomi",
    "Nathan", "Niamh", "Noah", "Olivia", "Oscar", "Owen", "Paige", "Phoebe", "Poppy", "Rachel",
    "Reece", "Riley", "Rose", "Rosie", "Ruby", "Ryan", "Sam", "Samuel", "Sara", "Scarlett",
    "Sean", "Sienna", "Sophie", "Stephen", "Summer", "Tom", "Toby", "Tyler", "Will", "Yusuf",
    "Zara", "Zoe",
)
SURROGATE_SURNAMES = (
    "Adams", "Ahmed", "Ali", "Allen", "Anderson", "Atkinson", "Bailey", "Baker", "Barker",
    "Bell", "Bennett", "Brooks", "Brown", "Burton", "Butler", "Campbell", "Carter", "Chapman",
    "Clark", "Clarke", "Cole", "Collins", "Cook", "Cooper", "Cox", "Davies", "Davis", "Dixon",
    "Edwards", "Ellis", "Evans", "Fisher", "Fletcher", "Foster", "Fox", "Gibson", "Graham",
    "Gray", "Green", "Griffiths", "Hall", "Harris", "Harrison", "Hill", "Holmes", "Hughes",
    "Hunt", "Hussain", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly", "Khan",
    "King", "Knight", "Lee", "Lewis", "Lloyd", "Marshall", "Martin", "Mason", "Matthews",
    "Miller", "Mills", "Mitchell", "Moore", "Morgan", "Morris", "Murphy", "Owen", "Palmer",
    "Parker", "Patel", "Pearson", "Phillips", "Powell", "Price", "Richards", "Roberts",
    "Robinson", "Rogers", "Russell", "Saunders", "Scott", "Shaw", "Simpson", "Smith", "Stevens",
    "Stewart", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "Webb",
    "White", "Wilkinson", "Williams", "Wilson", "Wood", "Wright", "Young",
)
