"""Hostile transcripts for detection: the kinds of miss of issue 12, generated.

Every case is a small plain-text interview in which identifiers are written the way that
defeated rules tuned to tidy text: inside transcriber annotations, shaped like a pseudonym
tag, in lower case throughout, spelled out letter by letter, with odd separators, as dates
in words and odd formats, vehicle registrations and case references, short forms of a name,
a name heard by speech-to-text as two words. Names and places are
drawn with a fixed seed from qual's own lists (surnames no dictionary writes in lower case),
so the cases are reproducible without being any one example of the issue.

``deid_kind_cases(seed)`` returns :class:`KindCase` records: the file name (neutral, so a
finding's path can be shown), the text, and the strings that must not survive
``qual deidentify``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

SPEAKERS = ("Interviewer", "Participant")


@dataclass(frozen=True)
class KindCase:
    kind: str
    file_name: str
    text: str
    identifiers: tuple[str, ...]


def _pools(seed: int) -> dict[str, list[str]]:
    from qual.deid.recognizers.lexicon import load_lexicon

    lexicon = load_lexicon()
    firsts = sorted(n for n, count in lexicon.first_names.items()
                    if count >= 300 and 5 <= len(n) <= 8 and n.isalpha() and not lexicon.is_word(n))
    surnames = sorted(n for n, rate in lexicon.surnames.items()
                      if 1 <= rate and 6 <= len(n) <= 10 and n.isalpha() and not lexicon.is_word(n)
                      and n not in lexicon.first_names)
    towns = sorted(p for p, kind in lexicon.places.items()
                   if kind in ("Town", "Village") and p.isalpha() and 6 <= len(p) <= 10 and not lexicon.is_word(p))
    rng = random.Random(seed)
    return {"first": rng.sample(firsts, 40), "surname": rng.sample(surnames, 40), "town": rng.sample(towns, 20)}


def _turns(*lines: str) -> str:
    return "\n\n".join(f"{SPEAKERS[k % 2]}: {line}" for k, line in enumerate(lines)) + "\n"


def _phone(rng: random.Random) -> str:
    return f"07700 {rng.randint(900000, 900999)}"


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (f"{rng.choice('BLMNS')}{rng.choice('DEKLS')}{rng.randint(1, 9)} "
            f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}")


def deid_kind_cases(seed: int = 12) -> list[KindCase]:
    rng = random.Random(seed)
    pool = _pools(seed)
    firsts, surnames, towns = iter(pool["first"]), iter(pool["surname"]), iter(pool["town"])
    cases: list[KindCase] = []

    def add(kind: str, text: str, *identifiers: str) -> None:
        cases.append(KindCase(kind, f"kind_{len(cases):02d}_{kind}.txt", text, identifiers))

    # 1. inside transcriber annotations
    first, surname, phone = next(firsts), next(surnames), _phone(rng)
    add("annotation", _turns(
        "Who did you speak to first?",
        f"It was [inaudible, sounded like {first} {surname} {phone}] on the duty desk.",
        "And then?",
        f"[name redacted - {first} {surname}] came round. (laughs at {first}'s joke) It was fine."),
        first, surname, phone.replace(" ", ""))
    # 2. text shaped like a pseudonym tag
    first, surname = next(firsts), next(surnames)
    add("tag_shaped", _turns(
        "Who was the allocated worker?",
        f"That was [{first} {surname[0]}], and later [{first.upper()} {surname.upper()}] took over.",
        "Did that help?",
        f"Yes, [{surname}] was good with the kids."),
        first, surname)
    # 3. lower case throughout, as speech-to-text writes it
    first, surname, town = next(firsts), next(surnames), next(towns)
    school = f"{next(surnames)} academy"
    postcode = _postcode(rng)
    add("lower_case", _turns(
        "so how did the referral come about",
        f"well {first.lower()} {surname.lower()} said the school was worried, that's {school.lower()} "
        f"over in {town.lower()}, and they rang me at home",
        "where was that",
        f"we were at {rng.randint(2, 90)} {next(surnames).lower()} road then, "
        f"{postcode.lower().replace(' ', '')}, before we moved"),
        first, surname, school.split()[0], town, postcode.replace(" ", "").lower())
    # 4. spelled out
    first, surname = next(firsts), next(surnames)
    add("spelled", _turns(
        "Can you spell the name for me?",
        f"Yes, it's {'-'.join(first.upper())}, and the surname is {' '.join(surname.upper())}.",
        "Thank you.",
        f"So that's {'-'.join(first.upper())} with a {first[-1].upper()} on the end."),
        "".join(first.upper()), "".join(surname.upper()))
    # 5. dates in words, odd formats, vehicle registrations, case references
    reference = f"{rng.choice(['BR', 'KL', 'MS'])}/CIN/{rng.randint(2015, 2023)}/{rng.randint(1000, 9999):04d}"
    plate = f"{rng.choice('ABDLMKY')}{rng.choice('ABKXYT')}{rng.randint(10, 22)} {rng.choice('ABTZ')}{rng.choice('KTWX')}{rng.choice('AWZE')}"
    dotted = f"{rng.randint(10, 28)}.{rng.randint(10, 12)}.{rng.randint(15, 23)}"
    add("dates_codes", _turns(
        "When was she born?",
        "The second of the third, oh eight. She's thirteen now.",
        "And the case?",
        f"The reference is {reference}, opened {dotted}, and his car was {plate}."),
        "second of the third", reference, dotted, plate.replace(" ", ""))
    # 6. separators: en dashes, non-breaking hyphens, underscores, postcodes letter by letter
    number = rng.randint(900000, 900999)
    spaced = _postcode(rng)
    add("separators", _turns(
        "How can people reach you?",
        f"On 07700 \u2013 {number}, or 07700\u2011{number + 1}, or 07700_{number + 2}.",
        "And the office?",
        f"It's {' '.join(spaced.split()[0])}, {' '.join(spaced.split()[1])}."),
        f"07700{number}", f"07700{number + 1}", f"07700{number + 2}",
        spaced.replace(" ", ""))
    # 7. a name found once in full, then by its short forms and initials
    first, surname = next(firsts), next(surnames)
    add("short_forms", _turns(
        f"Tell me about {first} {surname}.",
        f"{first} {surname} is fifteen. We call {first[:3]} by that, {first[:3]} likes it. "
        f"{first[0]}.{surname[0]}. on the forms.",
        "And school?",
        f"{first[:3]} goes most days now."),
        first, surname, first[:3])
    # 8. a surname found in full, then heard by speech-to-text as two words
    first, surname = next(firsts), next(surnames)
    halves = _heard_apart(surname)
    add("heard_apart", _turns(
        f"Tell me about {first} {surname}.",
        f"{first} {surname} is in Year 9. Well, um, {halves} was quiet at first.",
        "And now?",
        f"Now {halves} comes to the lunch club."),
        first, surname, halves)
    # 9. contact details and references said aloud, in the pieces speech-to-text writes
    first, surname, town = next(firsts), next(surnames), next(towns)
    national_insurance = f"{rng.choice(['AB', 'CE', 'JK', 'TN'])} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.choice('ABCD')}"
    add("spoken_contact", _turns(
        "How can people reach you?",
        f"my email is {first[0].lower()} {surname.lower()} at {town.lower()} swis dot org dot uk, and the hub "
        f"is {town.lower()} family hub dot org dot uk",
        "And the family?",
        f"mum's insurance number is on the form, {national_insurance.lower()}, and I report to dave o {surname.lower()}"),
        surname, town, national_insurance.replace(" ", "").lower())
    # 10. a postcode and a reference read out one character at a time, digits in words
    postcode = _postcode(rng).lower().replace(" ", "")
    letters = "".join(rng.choice("bcdfghjkmnpqrstvwxz") for _ in range(3))
    digits = [rng.randint(0, 9) for _ in range(6)]
    said = " ".join(_DIGIT_WORDS[c] if c.isdigit() else c for c in postcode)
    add("said_codes", _turns(
        "And the address on the referral?",
        f"i got the postcode wrong as well, it's {said}, and i'd put the old one",
        "And the reference?",
        f"through mash the reference was {' '.join(letters)} {' '.join(_DIGIT_WORDS[str(d)] for d in digits)} "
        f"and then it came back as early help"),
        said, f"{' '.join(letters)} {' '.join(_DIGIT_WORDS[str(d)] for d in digits)}")
    # 11. a name the speaker puts right, the wrong word then a name too; letters given as initials
    first, surname, word = next(firsts), next(surnames), rng.choice(_EVERYDAY_NOUNS)
    add("put_right", _turns(
        "Who came through Encompass?",
        f"there was one in march for a boy called {word} sorry {first.lower()}, he's fifteen",
        "And who signed it off?",
        f"I did, I signed it, my initials, {first[0]}{surname[0]}, on every page."),
        word, first, f"{first[0]}{surname[0]}")
    # 12. a second name given straight after a school's, then used alone
    school, alias = next(surnames), rng.choice(_ALIASES)
    add("alias", _turns(
        "Which schools do you cover?",
        f"I cover {school} Academy, which everyone calls the {alias}, three days a week.",
        "And how is it there?",
        f"At the {alias} the notifications come first thing, and the {alias} staff are great."),
        school, f"the {alias}")
    return cases


_DIGIT_WORDS = {"0": "oh", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
                "7": "seven", "8": "eight", "9": "nine"}
# words misheard for a name, and words a school is nicknamed by
_EVERYDAY_NOUNS = ("lantern", "caravan", "window", "marble", "carpet", "button")
_ALIASES = ("Beacon", "Lantern", "Harbour", "Tower", "Ridge", "Anchor")


def _heard_apart(name: str) -> str:
    """``name`` in lower case as two words, as speech-to-text writes an unfamiliar name:
    split where neither half is a function word ("thorn bury")."""
    from qual.deid.recognizers.vocab import FUNCTION_WORDS

    name = name.lower()
    for cut in sorted(range(2, len(name) - 1), key=lambda k: abs(k - len(name) / 2)):
        if name[:cut] not in FUNCTION_WORDS and name[cut:] not in FUNCTION_WORDS:
            return f"{name[:cut]} {name[cut:]}"
    raise ValueError("no split")


def write_cases(folder: Path, seed: int = 12, *, lower_variants: bool = True) -> list[KindCase]:
    """Write every case (and, when ``lower_variants``, a lower-cased copy of each) to
    ``folder``; return what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in deid_kind_cases(seed):
        variants = [case]
        if lower_variants and case.kind != "lower_case":
            # the words in lower case, the speaker labels as they were
            text = re.sub(r"(?m)^(\w+: )(.*)$", lambda m: m.group(1) + m.group(2).lower(), case.text)
            variants.append(KindCase(case.kind + "_lower", case.file_name.replace(".txt", "_lower.txt"),
                                     text, tuple(i.lower() for i in case.identifiers)))
        for variant in variants:
            (folder / variant.file_name).write_text(variant.text, encoding="utf-8")
            written.append(variant)
    return written
