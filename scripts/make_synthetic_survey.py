#!/usr/bin/env python
"""Generate a synthetic student survey with a free-text column, for benchmarking ``--column``.

    python scripts/make_synthetic_survey.py 280000 /tmp/survey.csv            # the issue's size
    python scripts/make_synthetic_survey.py 2000 /tmp/small.csv --seed 3

Writes a CSV with ``respondent, year_group, school_type, comment``: ``comment`` is what a
secondary-school pupil types into "Is there anything else you want to tell us?". Lengths follow
what such questions get: a fifth of the answers are a word or three ("no", "more clubs"), most
are a sentence or two, a tail are a paragraph (median about 15 words, mean about 22). About one
answer in four names someone or somewhere: a teacher by title and surname ("Mr Okafor"), a
friend or a bully by first name, a school, a town or estate, a council; about one in a hundred
gives an email or a phone number. Every name is invented here (the name lists of
``make_synthetic_corpus.py``); the same seed gives the same file.

``--gold FILE`` also writes the planted identifiers, one JSON line per answer that has any
(``{"row": 12, "identifiers": ["Mr Okafor", ...]}``), for a recall count.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_synthetic_corpus import (ADULT_NAMES, FIRST_NAMES, LOCAL_AUTHORITIES, PLACES,  # noqa: E402
                                   SCHOOL_KINDS, SCHOOL_STEMS, SURNAMES, _phone)

from qual.files import atomic_open  # noqa: E402

SHORT = ("no", "No", "nothing", "Nothing really", "n/a", "N/A", "no thanks", "more clubs", "longer lunch",
         "its fine", "idk", "not really", "better food", "more trips", "less homework", "no comment",
         "Everything is good", "Nope", "fix the toilets", "more sport")
OPENERS = ("I think", "Honestly", "To be honest", "Sometimes", "Most of the time", "In year 7", "Last year",
           "At lunch", "In lessons", "When I started", "I feel like", "")
BODY = (
    "the teachers are really helpful when you ask for help",
    "there is not enough time at lunch to eat and see your friends",
    "some lessons are really noisy and it is hard to concentrate",
    "the toilets are always locked or dirty",
    "I don't feel safe on the bus home because older kids push in",
    "homework is too much on some nights and none on others",
    "I wish there were more clubs after school like drama or coding",
    "the canteen runs out of food before the last year groups get there",
    "people get away with bullying because nobody tells anyone",
    "my form tutor checks in with me every morning which helps",
    "the library is a good place to go when it is loud outside",
    "I get anxious before tests and nobody really talks about it",
    "the new behaviour system is unfair because you get a detention for little things",
    "we should be able to wear trainers in PE and on non uniform days",
    "the school counsellor helped me a lot when my grandad died",
    "phones being taken off us is annoying but I get why",
    "there should be more help with revision for GCSEs",
    "the school app never works so I miss homework",
    "I like that we have more say in the school council now",
    "it takes ages to get help from student services",
)
NAMED = (
    "{teacher} is the best teacher I have had, she explains things properly",
    "{teacher} shouts at the whole class when it is only a few people messing about",
    "{friend} and {friend2} keep saying stuff about me in the group chat",
    "I moved here from {school} and it is much better here",
    "{teacher} helped me when {friend} was being horrible to me in year 8",
    "the walk from {place} is really long and there is no bus",
    "my mum says {la} should pay for the bus pass",
    "I want to say thank you to {teacher} for everything this year",
    "{friend} got excluded and it wasn't even his fault",
    "we had a trip to {place} and it was the best day",
    "the PE department, especially {teacher}, make it fun",
    "{teacher} in science never marks our books",
    "my brother went to {school} and they had way more clubs",
)
CONTACT = (
    "you can email me at {email} if you want to know more",
    "if someone wants to talk my number is {phone}",
)
SCHOOL_TYPES = ("academy", "community school", "free school", "voluntary aided")


def answer(rng: random.Random) -> tuple[str, list[str]]:
    """One answer and the identifiers planted in it."""
    if rng.random() < 0.2:
        return rng.choice(SHORT), []
    planted: list[str] = []

    def fill(template: str) -> str:
        surname = rng.choice(SURNAMES)
        values = {
            "teacher": f"{rng.choice(('Mr', 'Mrs', 'Miss', 'Ms'))} {surname}",
            "friend": rng.choice(FIRST_NAMES), "friend2": rng.choice(FIRST_NAMES),
            "school": f"{rng.choice(SCHOOL_STEMS)} {rng.choice(SCHOOL_KINDS)}",
            "place": rng.choice(PLACES).removeprefix("the "), "la": rng.choice(LOCAL_AUTHORITIES),
            "email": f"{rng.choice(FIRST_NAMES).lower()}{rng.randrange(10, 99)}@pupils.example.org",
            "phone": _phone(rng),
        }
        for name, value in values.items():
            if "{" + name + "}" in template:
                planted.append(value)
        return template.format(**values)

    sentences = []
    for _ in range(rng.choices((1, 2, 3, 5), weights=(50, 30, 14, 6))[0]):
        roll = rng.random()
        if roll < 0.01:
            sentence = fill(rng.choice(CONTACT))
        elif roll < 0.17:
            sentence = fill(rng.choice(NAMED))
        else:
            sentence = rng.choice(BODY)
        opener = rng.choice(OPENERS)
        sentence = f"{opener} {sentence}" if opener else sentence
        sentences.append(sentence[0].upper() + sentence[1:] + rng.choice((".", ".", "!", "")))
    return " ".join(sentences), planted


def make_survey(rows: int, path: str | Path, *, seed: int = 11, gold: str | Path | None = None) -> dict:
    rng = random.Random(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    named = words = planted_total = 0
    gold_lines = []
    with atomic_open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "year_group", "school_type", "comment"])
        for row in range(rows):
            text, planted = answer(rng)
            writer.writerow([f"R{row + 1:06d}", rng.randrange(7, 12), rng.choice(SCHOOL_TYPES), text])
            words += len(text.split())
            if planted:
                named += 1
                planted_total += len(planted)
                gold_lines.append(json.dumps({"row": row, "identifiers": planted}))
    if gold is not None:
        with atomic_open(gold, "w") as handle:
            handle.write("\n".join(gold_lines) + ("\n" if gold_lines else ""))
    return {"rows": rows, "words": words, "answers_with_identifiers": named, "identifiers": planted_total,
            "path": str(path)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int, help="number of answers")
    parser.add_argument("out", type=Path, help="the CSV to write")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--gold", type=Path, help="also write the planted identifiers (JSON lines)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    made = make_survey(args.rows, args.out, seed=args.seed, gold=args.gold)
    print(f"wrote {made['rows']:,} answers ({made['words']:,} words; {made['answers_with_identifiers']:,} "
          f"with {made['identifiers']:,} identifiers) to {made['path']} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
