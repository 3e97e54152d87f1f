#!/usr/bin/env python
"""Generate a synthetic SWIS interview corpus for benchmarking ``qual run``.

    python scripts/make_synthetic_corpus.py 100 /tmp/qual-bench/corpus          # ~1M words
    python scripts/make_synthetic_corpus.py 10 /tmp/small --words 3000 --seed 3

Writes N interviews as .docx (speaker-label styles vary: ``Interviewer:``/``Respondent:``,
``I:``/``R:``, timestamped ``[00:01:23] Interviewer:``) of about ``--words`` words each, and
``participants.xlsx``. Answers are recombined from a bank of sentences written for this
script in the way SWIS social workers and team managers talk about the trial, with
fillers, false starts and transcriber annotations, and with invented identifiers (children,
parents, staff, schools, local authorities, places, phone numbers in Ofcom's drama ranges,
emails, dates, ages, case numbers) so that de-identification has realistic work to do.
Everything is fictional; the same seed gives the same text (file timestamps differ).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qual.files import atomic_path  # noqa: E402

FIRST_NAMES = (
    "Jayden Kayla Aisha Kacper Oluwaseun Mohammed Precious Siobhan Zoe Ionut Grace Will Rose Hope "
    "Summer Faith Chase Tyler Leah Amelia Harvey Ellie-Mae Reece Shannon Bilal Fatima Daniel Priya "
    "Connor Nathan Courtney Jordan Liam Maisie Oscar Ruby Kai Tia Mason Lacey Imran Zainab Callum "
    "Demi Kieran Bethany Ravi Aleksandra Tomasz Chloe Jack Ava Freddie Isla Logan Skye Ayesha Yusuf"
).split()
ADULT_NAMES = (
    "Kelly Donna Sharon Lisa Michelle Gary Wayne Darren Paul Joanne Claire Nicola Sarah Emma Rachel "
    "Hannah Tom Gareth Sunita Adebayo Marek Helen Julie Karen Steve Mark Andrea Denise Nadia Farhan"
).split()
SURNAMES = (
    "Okafor Hussain Smith Hargreaves Kowalski Price Osei Bennett Walsh Ahmed Clarke Fletcher Nowak "
    "Brennan Patel Jones Whitfield Adeyemi Thornton Begum Murphy Dawson Sutcliffe Khan Robinson "
    "Lowe Popescu Greenwood Ellis Barker Chowdhury Mensah Gallagher Holt Rahman Wood Pearson"
).split()
SCHOOL_STEMS = ("Castlebrook Ashworth Park Moorside Kingsmead Riverside Highfield Longlands Oakwood "
                "Brambleton Fairfield Westgate Holmewood Summerhill Thornbury Greystone Millbank").split()
SCHOOL_KINDS = ("Academy", "High School", "Community College", "School", "Catholic High",
                "Church of England Academy", "Free School")
LOCAL_AUTHORITIES = ("Calderbrook", "North Marlshire", "Eastwick", "Harrowfield", "Westmoor", "Kirkdale",
                     "South Fenby", "Redbridge Vale", "Ashton Moor", "Lyndale", "Greyford", "Newhaven Bay")
PLACES = ("the Crossfields estate", "Marlowe Road", "the Brookside estate", "Hollin Lane", "Eastfield",
          "the Meadows", "Station Road", "Parkside", "the Larches", "Canal Street", "Moor End", "Bankfoot")
ORGANISATIONS = ("Harbour Women's Aid", "the Phoenix Youth Hub", "the Beacon Family Centre",
                 "Northern Lights Young Carers", "the Junction Project", "Safe Haven DA Service")
MONTHS = ("January February March April May June July August September October November December").split()

QUESTIONS = {
    "IMP": ["How did you come into the SWIS role?", "Can you tell me about your first few weeks in school?",
            "Where are you based day to day?", "How is your time split between your schools?",
            "Has it been delivered the way it was designed, do you think?", "How did Covid affect things?"],
    "ROLE": ["What does a typical week look like for you?", "How much statutory work do you hold?",
             "What kind of early help or lower-level work do you do?", "Do staff come to you for advice?",
             "Have you delivered any training in school?", "Is everyone clear about what you're there for?"],
    "REL": ["How is your relationship with the DSL?", "What about other staff, teachers, heads of year?",
            "How does it work with the wider team and the front door?", "How do parents react to you?",
            "Do students come and find you?"],
    "REF": ["Talk me through how a referral works now.", "What about thresholds, has that changed?",
            "How does information sharing work between school and children's services?"],
    "OUT": ["What difference do you think it makes?", "Has it changed the number of referrals?",
            "Any effect on attendance or behaviour?", "Are staff more confident about safeguarding?"],
    "DA": ["How do you find out when a young person is living with domestic abuse?",
           "What happens after an Operation Encompass notification?", "How confident are DSLs around DA?"],
    "BF": ["What gets in the way?", "What has helped it work?", "How are you supported and supervised?"],
    "SUS": ["What about funding once the trial ends?", "Would you recommend it? What would you change?"],
}

ANSWERS = {
    "IMP": [
        "I saw the advert for the SWIS post and, {filler} I'd been in a locality team for about four years so I fancied something different.",
        "The first few weeks were mostly me walking round {school}, introducing myself to anyone who'd stand still.",
        "We had an induction day with the other SWIS workers at {la} and then we were just sort of dropped into schools.",
        "At {school} I've got a little office off the pastoral corridor, which, honestly, makes all the difference because people can find me.",
        "At the second school I was hot-desking in the library for the first term and nobody knew where I was.",
        "I wear the school lanyard now, which sounds daft, but the kids see me as part of the place rather than a visitor.",
        "I do Monday to Wednesday at {school} and Thursday and Friday at {school2}, but it never quite works out like that.",
        "My caseload is about twelve at the minute, which is lower than in the locality team but it creeps up.",
        "In our authority we adapted it a bit, so the social workers hold some cases and the rest is early help.",
        "Each school's done it differently, {school2} wanted me in every meeting and {school} just wanted referrals dealt with.",
        "When lockdown hit in March the school shut to most kids and I was doing welfare calls on Teams from my kitchen.",
        "Doing home visits in masks, standing on doorsteps, it was really hard to build anything during Covid.",
    ],
    "ROLE": [
        "I hold a small number of statutory cases, child in need and a couple on child protection plans, and I do the section 47s that come in from my schools.",
        "Last week I had a strategy meeting on the Tuesday and an ICPC on the Thursday for {child}, so that took up most of it.",
        "A lot of what I do is below threshold, like one-to-one sessions with {child} in Year 9 who was struggling after her dad left.",
        "I run a drop-in on a Wednesday lunchtime and that's when the younger ones come and find me.",
        "Staff will catch me in the corridor and say, can I just run something by you, and that's probably the most valuable bit.",
        "Mrs {staff_surname} will come in with a cup of tea and talk a concern through before she decides whether to ring the front door.",
        "I did a training session for the whole staff on neglect and then a briefing on contextual safeguarding for the pastoral team.",
        "I did an assembly for Year 8 on healthy relationships, which I was terrified about, {filler}.",
        "At the start some of the teachers thought I was an extra pastoral worker who'd do the attendance visits.",
        "There's a boundary there, I'm not school staff and I'm not going to chase uniform, but it took a while to get that across.",
    ],
    "REL": [
        "The DSL at {school}, {staff}, has been brilliant, we meet every Monday morning and go through the list.",
        "The deputy DSL was a bit wary of me at first, I think she thought I was there to check up on her.",
        "The heads of year are the ones I see most, they're on the corridors and they know the kids inside out.",
        "The head teacher was really behind it from day one, which made the rest of the staff take it seriously.",
        "With the MASH it's been mixed, some of the managers get it and some still see it as schools jumping the queue.",
        "I still go to the locality team meeting every other week so I don't lose touch with my colleagues.",
        "Handing a case over to the long-term team can be a bit clunky, the family has to start again with someone new.",
        "Parents are wary, there's a real stigma about social workers, but when they meet me at school it's different.",
        "{parent} said to me, you're not like the social worker we had before, you actually listen.",
        "The students just call me Miss or by my first name, and a few of them will come and knock on my door.",
        "{child} told her friend to come and see me, and that's how we found out what was going on at home.",
    ],
    "REF": [
        "If a referral's needed I can do it there and then, rather than school sending a form to the front door and waiting days.",
        "Before, school would ring the MASH and it might be a week before anyone got back to them.",
        "I think school's understanding of thresholds has got a lot better, fewer referrals that are just worry.",
        "Some things were going in as referrals that were really early help, so we stepped them down straight away.",
        "Information sharing is better because I can look on Liquidlogic and tell the DSL what she needs to know.",
        "We had to be careful about consent and what I could share with school, that was a learning curve for both sides.",
        "The case number was {case_number} and I remember because it came back three times.",
    ],
    "OUT": [
        "We're picking things up a lot earlier, before it gets to crisis, and I think that's the biggest difference.",
        "There was a lad in Year 10, {child}, who'd have ended up in care if we hadn't got in when we did.",
        "I don't know if referrals have gone down overall, but the ones we get are more appropriate.",
        "His attendance went from about sixty per cent to over ninety by the end of the year.",
        "She'd had two fixed-term exclusions before Christmas and none since we started working together.",
        "Staff are more confident now, they'll ring me and say I think this is neglect, rather than just being worried.",
        "The pastoral team know the language now, they talk about risk and protective factors.",
    ],
    "DA": [
        "Most of the time we find out through Operation Encompass, the police notification comes in first thing.",
        "Sometimes it's a disclosure, {child} just said it in a lesson, my mum's boyfriend hit her again.",
        "You notice it in behaviour too, kids who are exhausted or really jumpy, or don't want to go home.",
        "After an Encompass notification I'll check in with the young person the same morning, just a quiet word.",
        "We did a safety plan with {child} and her mum and referred them on to {organisation}.",
        "Some of the DSLs are really confident around domestic abuse and some still think it's not the school's business.",
        "We did training on coercive control for the DSLs and it really opened some eyes.",
    ],
    "BF": [
        "The workload is the main thing, when you've got two schools and statutory cases it gets really stretched.",
        "The DSL at {school2} left in October and we had to start from scratch with the new one.",
        "The IT was a nightmare, I couldn't get on the school system and they couldn't get on ours.",
        "Travelling between schools eats into the day, it's twenty minutes across {place} at the best of times.",
        "Having the head teacher's support made all the difference, if she said it was important, it happened.",
        "Being on site is the key thing, people can just knock on the door.",
        "I'd worked with some of the families before so there was already a bit of trust there.",
        "Supervision with my manager is every four weeks and she's really good at helping me think things through.",
        "The SWIS workers meet up every month as a group, and that peer support has kept me going, {filler}.",
        "As a team manager I try to protect their time in school, because otherwise they get pulled back into the office.",
    ],
    "SUS": [
        "I don't know what happens when the funding stops, the schools can't afford to pay for it themselves.",
        "The council say they're looking at it, but everyone's budgets are so tight.",
        "I'd absolutely recommend it, but I'd want fewer schools per worker so you can really be part of the place.",
        "If I could change one thing it would be starting in September rather than halfway through the year.",
        "You'd need the same person in the same school for a few years for it to really work.",
    ],
}
FILLERS = ("you know", "I mean", "to be honest", "sort of", "I suppose", "if that makes sense", "like")
OPENERS = ("Yeah, so", "Um,", "Erm,", "Yeah.", "So,", "Well,", "I think", "Honestly,", "Right, so", "Mm,")
ANNOTATIONS = ("[laughs]", "[inaudible {ts}]", "[crosstalk]", "[pause]", "[sighs]")
INTERJECTIONS = ("Mm-hm.", "Yeah.", "Right.", "Okay.", "That's really interesting.", "Sure.")
STYLES = ("interviewer-respondent", "i-r", "timestamped")
PERSONAL = [
    "You can ring me on {phone} if anything else comes up, that's my work mobile.",
    "My email's {email} if you need to send anything over.",
    "It was the {day} of {month} when it all kicked off, I remember because it was a Friday.",
    "She's {age} now, so she's in Year {year_group}.",
    "They live over on {place}, just behind the shops.",
    "His date of birth is {dob}, so he's one of the youngest in the year.",
]


def _phone(rng: random.Random) -> str:
    return rng.choice([f"07700 900{rng.randrange(1000):03d}", f"0113 496 0{rng.randrange(1000):03d}",
                       f"0161 496 0{rng.randrange(1000):03d}", f"020 7946 0{rng.randrange(1000):03d}"])


class Interview:
    """One fictional interview: who, where, and the people and places that come up in it."""

    def __init__(self, number: int, rng: random.Random) -> None:
        self.rng = rng
        self.role = "TM" if number % 4 == 3 else "SW"
        self.id = f"{self.role}{number + 1:03d}"
        self.name = f"{rng.choice(ADULT_NAMES)} {rng.choice(SURNAMES)}"
        self.interviewer = f"{rng.choice(ADULT_NAMES)} {rng.choice(SURNAMES)}"
        self.la = rng.choice(LOCAL_AUTHORITIES)
        self.schools = [f"{stem} {rng.choice(SCHOOL_KINDS)}" for stem in rng.sample(SCHOOL_STEMS, 2)]
        self.children = rng.sample(FIRST_NAMES, 10)
        self.staff = [f"{rng.choice(ADULT_NAMES)} {rng.choice(SURNAMES)}" for _ in range(4)]
        self.style = STYLES[number % len(STYLES)]
        self.arm = "intervention"
        self.date = date(2021, 1, 11) + timedelta(days=rng.randrange(500))
        self.email_domain = self.schools[0].split()[0].lower() + "-school.example.org"

    def fill(self, template: str) -> str:
        rng = self.rng
        child = rng.choice(self.children)
        staff = rng.choice(self.staff)
        values = {
            "child": child if rng.random() > 0.15 else f"{child} {rng.choice(SURNAMES)}",
            "parent": rng.choice([f"His mum {rng.choice(ADULT_NAMES)}", f"{child}'s dad",
                                  f"Mrs {rng.choice(SURNAMES)}", f"{rng.choice(ADULT_NAMES)}, the nan,"]),
            "staff": staff, "staff_surname": staff.split()[-1],
            "school": self.schools[0] if rng.random() > 0.3 else self.schools[0].split()[0],
            "school2": self.schools[1], "la": self.la, "place": rng.choice(PLACES),
            "organisation": rng.choice(ORGANISATIONS), "filler": rng.choice(FILLERS),
            "case_number": f"{rng.randrange(2_000_000, 2_999_999)}", "phone": _phone(rng),
            "email": f"{staff.split()[0].lower()}.{staff.split()[-1].lower()}@{self.email_domain}",
            "day": f"{rng.randrange(1, 29)}th", "month": rng.choice(MONTHS), "age": rng.choice(
                ["eleven", "twelve", "thirteen", "fourteen", "fifteen"]), "year_group": rng.randrange(7, 12),
            "dob": f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 13):02d}/20{rng.randrange(6, 12):02d}",
        }
        return template.format(**values)

    def answer(self, theme: str, clock: int) -> list[str]:
        """An answer of one to three paragraphs, each a few sentences about ``theme``."""
        rng = self.rng
        paragraphs = []
        used: set[str] = set()
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            opener = rng.choice(OPENERS)
            sentences = [opener]
            for position in range(rng.randrange(2, 6)):
                pool = ANSWERS[theme] if rng.random() > 0.2 else ANSWERS[rng.choice(list(ANSWERS))]
                template = rng.choice([t for t in pool if t not in used] or pool)
                if rng.random() < 0.12:
                    template = rng.choice(PERSONAL)
                used.add(template)
                sentence = self.fill(template)
                if position == 0 and opener.endswith(",") and not template.startswith(("{", "I ", "I'")):
                    sentence = sentence[0].lower() + sentence[1:]  # "Um, the first few weeks..."
                if rng.random() < 0.1:
                    words = sentence.split()
                    cut = rng.randrange(1, max(2, len(words) // 3))
                    sentence = " ".join(words[:cut]) + ", " + sentence  # a false start
                sentences.append(sentence)
                if rng.random() < 0.08:
                    ts = f"{clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}"
                    sentences.append(rng.choice(ANNOTATIONS).format(ts=ts))
            paragraphs.append(" ".join(sentences))
        return paragraphs

    def turns(self, words: int) -> list[tuple[str, list[str], str]]:
        """(speaker, paragraphs, timestamp) turns until about ``words`` words have been said."""
        rng = self.rng
        turns = [("Interviewer", ["Thanks for agreeing to talk to me. Just to check, you've read the "
                                  "information sheet and you're happy for me to record?"], "00:00:05"),
                 ("Respondent", ["Yeah, that's fine."], "00:00:14")]
        total, clock = 25, 20
        themes = list(QUESTIONS)
        while total < words:
            theme = rng.choice(themes)
            question = rng.choice(QUESTIONS[theme])
            turns.append(("Interviewer", [question], _clock(clock)))
            clock += 6 + len(question.split()) // 3
            answer = self.answer(theme, clock)
            turns.append(("Respondent", answer, _clock(clock)))
            said = sum(len(p.split()) for p in answer)
            total += said + len(question.split())
            clock += said * 60 // 150
            if rng.random() < 0.15:
                turns.append(("Interviewer", [rng.choice(INTERJECTIONS)], _clock(clock)))
                turns.append(("Respondent", [self.fill(rng.choice(ANSWERS[theme]))], _clock(clock + 3)))
                clock += 20
        turns.append(("Interviewer", ["That's everything I wanted to ask. Thank you so much."], _clock(clock)))
        return turns


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _label(style: str, speaker: str, timestamp: str, role: str) -> str:
    short = {"Interviewer": "I", "Respondent": "R"}[speaker]
    if style == "i-r":
        return f"{short}:"
    if style == "timestamped":
        return f"[{timestamp}] {'Interviewer' if speaker == 'Interviewer' else role}:"
    return f"{speaker}:"


def write_interview(interview: Interview, path: Path, words: int) -> int:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.author = interview.interviewer
    props.title = f"Interview with {interview.name}"
    props.created = props.modified = datetime(2022, 1, 1, tzinfo=timezone.utc)
    props.last_modified_by = interview.interviewer
    props.revision = 1
    document.sections[0].header.paragraphs[0].text = f"SWIS IPE - {interview.name} - {interview.date:%d/%m/%Y}"
    document.add_paragraph(f"Interview with {interview.name}, {interview.la}, {interview.date:%d %B %Y}")
    said = 0
    for speaker, paragraphs, timestamp in interview.turns(words):
        first = document.add_paragraph()
        first.add_run(_label(interview.style, speaker, timestamp, interview.role)).bold = interview.style != "timestamped"
        first.add_run(" " + paragraphs[0])
        for paragraph in paragraphs[1:]:
            document.add_paragraph(paragraph)
        said += sum(len(p.split()) for p in paragraphs)
    with atomic_path(path) as tmp:
        document.save(str(tmp))
    return said


def make_corpus(n: int, out_dir: str | Path, *, words: int = 10_000, seed: int = 7) -> dict:
    """Write ``n`` interviews and ``participants.xlsx`` into ``out_dir``; returns counts."""
    import pandas as pd

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows, total = [], 0
    for number in range(n):
        interview = Interview(number, random.Random(rng.randrange(2**32)))
        name = f"SWIS_{interview.id}_interview.docx"
        total += write_interview(interview, out / name, words)
        rows.append({"participant_id": interview.id, "file": name, "name": interview.name,
                     "role": interview.role, "local_authority": interview.la,
                     "school": "; ".join(interview.schools), "trial_arm": interview.arm,
                     "interview_date": interview.date.isoformat(), "interviewer": interview.interviewer})
    with atomic_path(out / "participants.xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            pd.DataFrame(rows).to_excel(writer, index=False, sheet_name="participants")
    return {"interviews": n, "words": total, "folder": str(out)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of interviews (100 is about 1M words)")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--words", type=int, default=10_000, help="words per interview (default 10,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    made = make_corpus(args.n, args.out_dir, words=args.words, seed=args.seed)
    print(f"wrote {made['interviews']} interviews, {made['words']:,} words, and participants.xlsx to "
          f"{made['folder']} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
