"""Generated transcripts with planted names, for the property tests (``tests/test_fuzz.py``)
and the seeded 10,000-input run (``scripts/fuzz.py``).

An input is a file (.txt in several encodings and line-end conventions, .docx, .vtt, .srt)
of speaker turns whose text mixes ordinary interview talk with awkward Unicode (right-to-left
scripts, emoji, zero-width characters, soft hyphens, bidi controls) and, in natural
contexts, planted people's names: common first names of children born in England and Wales
(ONS baby-name lists) and invented surnames, written plain, in ALL CAPS, with a title, as a
possessive, or with a zero-width character or soft hyphen inside. Some inputs are broken on
purpose (truncated, bit-flipped, random bytes) and must be refused cleanly.

``fuzz_input(rng)`` draws one input from a ``random.Random``; the hypothesis strategies in
``tests/test_fuzz.py`` draw the same structure (``Turn``/``Planted``) and use the writers here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Sequence

import make_hostile as hostile

# Frequent first names of babies born in England and Wales (ONS), less those that are also
# everyday English words (Will, Rose, Grace ...): those are the sample corpus's business, and
# here a planted name must be unambiguous so that "it is in the output" means "it leaked".
FIRST_NAMES = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie",
    "Jacob", "Thomas", "Henry", "Freddie", "Alfie", "Theo", "Theodore", "Archie", "Joshua", "Alexander",
    "James", "Isaac", "Edward", "Lucas", "Tommy", "Finley", "Max", "Logan", "Ethan", "Mohammed",
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Florence",
    "Freya", "Poppy", "Ella", "Evie", "Charlotte", "Isabelle", "Sienna", "Elsie", "Daisy", "Sofia",
    "Emily", "Harper", "Matilda", "Phoebe", "Evelyn", "Maeve", "Aisha", "Zara", "Amira", "Layla",
    "Jayden", "Kayden", "Tyler", "Callum", "Kieran", "Shannon", "Chantelle", "Demi", "Precious", "Oluwaseun",
    "Siobhán", "Zoë", "Chloé", "Aoife", "Niamh", "Dafydd", "Rhiannon", "Kacper", "Zuzanna", "Ionuț",
)
_SURNAME_HEADS = ("Brack", "Quill", "Thistle", "Penny", "Feather", "Marrow", "Ashen", "Holly", "Winter",
                  "Cragg", "Dun", "Fenn", "Gorse", "Harrow", "Kettle", "Lark", "Moss", "Nettle", "Rook",
                  "Sorrel", "Tansy", "Umber", "Wren", "Yarrow", "Bramb", "Clough", "Dray", "Elm")
_SURNAME_TAILS = ("enshaw", "wood", "feather", "ington", "ley", "worth", "by", "combe", "thwaite", "stone",
                  "bridge", "holme", "croft", "ridge", "wick", "dale", "gate", "hurst", "more", "ford")
TITLES = ("Mrs", "Mr", "Miss", "Ms", "Dr")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
RTL = ("\u0645\u062f\u0631\u0633\u0629", "\u05e9\u05dc\u05d5\u05dd", "\u202eabc\u202c", "\u200f", "\u2067x\u2069")
EMOJI = ("\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u2764\ufe0f",
         "\U0001f1ec\U0001f1e7", "\U0001f308")
TALK = (
    "we had a strategy meeting about it on the Tuesday", "it went to the MASH and then back to early help",
    "honestly the office was a cupboard next to the pastoral team", "the parents were wary at first",
    "we did a lot of consultation with heads of year", "the DSL and I met every Monday",
    "the threshold for a section 47 was never clear", "I was based in the school three days a week",
    "[laughs] yeah, that was a hard one", "it was Covid so everything went online",
    "the kids knew exactly where to find me", "referrals went up in the spring term",
)
CONTEXTS = (
    "I spoke to {name} about it", "{name} said the referral was late", "me and {name} went to the meeting",
    "{name} from the MASH rang me back", "{name}, the DSL, was brilliant", "I worked with {name} most weeks",
    "we were worried about {name} at the time", "{name} was in Year 9 then",
)
LABELS = (("Interviewer", "Respondent"), ("I", "R"), ("Int", "P"), ("INTERVIEWER", "PARTICIPANT"),
          ("Speaker 1", "Speaker 2"), ("Researcher", "SW"))


@dataclass(frozen=True)
class Planted:
    """A person planted in a transcript."""

    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    def words(self) -> tuple[str, str]:
        return (self.first, self.last)


@dataclass
class Turn:
    speaker: str
    text: str
    start: float = 0.0


@dataclass
class FuzzInput:
    kind: str                     # txt-utf8, txt-cp1252, docx, vtt, broken-docx, ...
    name: str                     # file name
    data: bytes
    planted: list[Planted] = field(default_factory=list)
    expect_refusal: bool = False  # a broken input: refusing it is the right answer


def surname(rng: random.Random) -> str:
    return rng.choice(_SURNAME_HEADS) + rng.choice(_SURNAME_TAILS)


def hide(word: str, mark: str, at: int) -> str:
    """``word`` with an invisible ``mark`` inside it (never first or last)."""
    if len(word) < 3:
        return word
    position = 1 + at % (len(word) - 1)
    return word[:position] + mark + word[position:]


# How a planted name is written. Each keeps the full name recoverable by a reader.
STYLES = ("plain", "caps", "title", "possessive", "hidden", "hidden-caps", "first-then-title")


def render(person: Planted, style: str, mark: str = "\u200b", at: int = 1) -> str:
    if style == "plain":
        return person.full
    if style == "caps":
        return person.full.upper()
    if style == "title":
        return f"Mrs {person.last}"
    if style == "possessive":
        return f"{person.full}\u2019s mum"
    if style == "hidden":
        return f"{hide(person.first, mark, at)} {hide(person.last, mark, at + 1)}"
    if style == "hidden-caps":
        return f"{hide(person.first.upper(), mark, at)} {hide(person.last.upper(), mark, at)}"
    if style == "first-then-title":
        return f"{person.full} (Mr {person.last})"
    raise ValueError(style)


def noise(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return rng.choice(RTL)
    if kind < 0.6:
        return rng.choice(EMOJI)
    if kind < 0.8:
        return rng.choice(INVISIBLE)
    return rng.choice(("\u2014", "\u2026", "\u00a3200", "caf\u00e9", "na\u00efve", "\t", "  "))


def random_turns(rng: random.Random, people: Sequence[Planted]) -> list[Turn]:
    interviewer, participant = rng.choice(LABELS)
    turns = []
    count = rng.randint(2, 14)
    mentions = {p: False for p in people}
    for index in range(count):
        speaker = interviewer if index % 2 == 0 else participant
        pieces = [rng.choice(TALK)]
        for _ in range(rng.randint(0, 3)):
            pieces.append(noise(rng) if rng.random() < 0.5 else rng.choice(TALK))
        if people and (index % 2 == 1 or rng.random() < 0.3):
            person = rng.choice(list(people))
            # the first mention of a person is plain or in capitals, as a transcriber writes it
            style = rng.choice(STYLES) if mentions[person] else rng.choice(("plain", "caps", "possessive"))
            mentions[person] = True
            name = render(person, style, rng.choice(INVISIBLE), rng.randint(0, 5))
            pieces.insert(rng.randint(0, len(pieces)), rng.choice(CONTEXTS).format(name=name))
        text = ", ".join(pieces) + rng.choice((".", "?", "!", "..."))
        if rng.random() < 0.15:
            text += "\n" + rng.choice(TALK) + "."
        turns.append(Turn(speaker, text, start=index * rng.uniform(1, 20)))
    for person, mentioned in mentions.items():  # every planted person appears at least once
        if not mentioned:
            turns[-1].text += " " + CONTEXTS[0].format(name=person.full) + "."
    return turns


def to_txt(turns: Sequence[Turn], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    text = newline.join(f"{t.speaker}: {t.text.replace(chr(10), newline)}" for t in turns) + newline
    return text.encode(encoding)


def to_docx(turns: Sequence[Turn]) -> bytes:
    return hostile.docx_bytes(f"{t.speaker}: {t.text}" for t in turns)


def to_vtt(turns: Sequence[Turn]) -> bytes:
    cues = [(t.start, t.start + 5 + len(t.text) / 20, t.speaker, t.text.replace("\n", " ")) for t in turns]
    return hostile.vtt_text(cues).encode("utf-8")


def to_srt(turns: Sequence[Turn]) -> bytes:
    def stamp(seconds: float) -> str:
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{int(hours):02d}:{int(minutes):02d}:{int(secs):02d},{int(secs % 1 * 1000):03d}"

    blocks = []
    for number, turn in enumerate(turns, 1):
        end = turn.start + 5 + len(turn.text) / 20
        blocks.append(f"{number}\n{stamp(turn.start)} --> {stamp(end)}\n{turn.speaker}: {turn.text}\n")
    return "\n".join(blocks).encode("utf-8")


def _cp1252_safe(turns: Sequence[Turn]) -> list[Turn]:
    """The turns with what cp1252 cannot hold dropped (a cp1252 file cannot contain it)."""
    def keep(text: str) -> str:
        return "".join(c for c in text if c in "\n\t" or _encodable(c))

    return [Turn(t.speaker, keep(t.text), t.start) for t in turns]


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


WRITERS = ("txt-utf8", "txt-utf8-bom", "txt-cp1252", "txt-utf16", "txt-crlf", "txt-cr", "docx", "vtt", "srt")
BROKEN = ("broken-truncated-docx", "broken-bitflip-docx", "broken-random-bytes", "broken-empty",
          "broken-random-zip", "broken-nul-text")


def write(kind: str, turns: Sequence[Turn]) -> tuple[str, bytes]:
    """(file suffix, bytes) of ``turns`` written as ``kind`` (one of ``WRITERS``)."""
    if kind == "txt-utf8":
        return ".txt", to_txt(turns)
    if kind == "txt-utf8-bom":
        return ".txt", b"\xef\xbb\xbf" + to_txt(turns)
    if kind == "txt-cp1252":
        return ".txt", to_txt(_cp1252_safe(turns), "cp1252", "\r\n")
    if kind == "txt-utf16":
        return ".txt", to_txt(turns, "utf-16")
    if kind == "txt-crlf":
        return ".txt", to_txt(turns, newline="\r\n")
    if kind == "txt-cr":
        return ".txt", to_txt(turns, newline="\r")
    if kind == "docx":
        return ".docx", to_docx(turns)
    if kind == "vtt":
        return ".vtt", to_vtt(turns)
    if kind == "srt":
        return ".srt", to_srt(turns)
    raise ValueError(kind)


def broken(kind: str, rng: random.Random, turns: Sequence[Turn]) -> tuple[str, bytes]:
    if kind == "broken-truncated-docx":
        data = to_docx(turns)
        return ".docx", data[: rng.randint(0, len(data) - 1)]
    if kind == "broken-bitflip-docx":
        data = bytearray(to_docx(turns))
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return ".docx", bytes(data)
    if kind == "broken-random-bytes":
        return rng.choice((".docx", ".txt", ".vtt", ".srt")), rng.randbytes(rng.randint(1, 4096))
    if kind == "broken-empty":
        return rng.choice((".docx", ".txt", ".vtt")), rng.choice((b"", b" \n\t", b"\xef\xbb\xbf", b"\n\n\n"))
    if kind == "broken-random-zip":
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            names = ["word/document.xml", "[Content_Types].xml", "_rels/.rels", "word/styles.xml"]
            for name in rng.sample(names, rng.randint(0, len(names))):
                archive.writestr(name, rng.randbytes(rng.randint(0, 300)))
        return ".docx", buffer.getvalue()
    if kind == "broken-nul-text":
        data = bytearray(to_txt(turns))
        for _ in range(rng.randint(1, 40)):
            data.insert(rng.randrange(len(data) + 1), 0)
        return ".txt", bytes(data)
    raise ValueError(kind)


def cp1252_safe(person: Planted) -> Planted:
    keep = lambda text: "".join(c for c in text if _encodable(c))  # noqa: E731
    return Planted(keep(person.first), keep(person.last))


def fuzz_input(rng: random.Random, number: int = 0, broken_share: float = 0.15) -> FuzzInput:
    """One generated input; ``number`` makes the file name unique."""
    is_broken = rng.random() < broken_share
    kind = rng.choice(BROKEN if is_broken else WRITERS)
    people = [Planted(rng.choice(FIRST_NAMES), surname(rng)) for _ in range(rng.randint(0, 3))]
    if kind == "txt-cp1252":
        people = [cp1252_safe(p) for p in people]
    people = list({p.last: p for p in people}.values())  # one person per surname
    turns = random_turns(rng, people)
    suffix, data = broken(kind, rng, turns) if is_broken else write(kind, turns)
    return FuzzInput(kind, f"F{number:05d}{suffix}", data, people, expect_refusal=is_broken)


# --------------------------------------------------------------------------- one input through the pipeline

OK, REFUSED, CRASH, LEAK, CHECK_FAILED, UNCLEAR = "ok", "refused", "crash", "leak", "check failed", "unclear error"


@dataclass
class Outcome:
    status: str          # OK, REFUSED (clean one-line error), CRASH, LEAK, CHECK_FAILED, UNCLEAR
    detail: str = ""     # never an identifier: types, counts, masked words

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}" if self.detail else self.status


def _masked(word: str) -> str:
    return f"{word[:1]}{'*' * (len(word) - 1)}"


def planted_words(people: Sequence[Planted]) -> set[str]:
    from harness import normalise

    return {normalise(w) for p in people for w in p.words() if len(normalise(w)) >= 3}


def find_words(words: set[str], text: str) -> list[str]:
    import re

    from harness import normalise

    plain = normalise(text)
    return sorted(w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", plain))


def probe(item: FuzzInput, folder, deid_analyzer=None, check_analyzer=None) -> Outcome:
    """``item`` through de-identification (which ingests it) and ``qual check``, in-process.

    A crash is any exception that is not a ``QualError``; an unclear error is a failure
    message that is not one line naming the file; a leak is a planted name (any of its
    words, after removing invisible characters and folding case) in a de-identified file,
    a failure message or a log record; check failed means ``qual check`` found something
    in the de-identified output.
    """
    import logging
    import warnings
    from pathlib import Path

    from qual.check import check_paths
    from qual.deid.pipeline import deidentify
    from qual.errors import QualError

    folder = Path(folder)
    path = folder / item.name
    path.write_bytes(item.data)
    out = folder / "out"
    words = planted_words(item.planted)
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                records.append(record.getMessage())
            except Exception:  # noqa: BLE001 - a message that cannot format is itself reported
                records.append(f"<unformattable log record from {record.name}>")

    handler = Collect(logging.DEBUG)
    logger = logging.getLogger("qual")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if deid_analyzer is not None and hasattr(deid_analyzer, "fit"):
                deid_analyzer.fit([])  # forget what earlier inputs taught it
            try:
                result = deidentify([path], out, analyzer=deid_analyzer, workers=1)
            except QualError as error:
                return _refused(str(error), path, words, records)
            except Exception as error:  # noqa: BLE001 - that is what this looks for
                return Outcome(CRASH, f"deidentify raised {type(error).__name__}")
            for failure in result.failures:
                outcome = _refused(str(failure), path, words, [])
                if outcome.status != REFUSED:
                    return outcome
            leaked = find_words(words, "\n".join(records + [str(w.message) for w in caught]))
            if leaked:
                return Outcome(LEAK, "in a log record or warning: " + ", ".join(map(_masked, leaked)))
            if result.failures:
                return Outcome(REFUSED, result.failures[0].message[len(str(path)) + 2:][:120])
            for written in sorted(out.iterdir()):
                if written.suffix in (".txt", ".jsonl", ".csv"):
                    leaked = find_words(words, written.read_text(encoding="utf-8", errors="replace"))
                    if leaked:
                        return Outcome(LEAK, f"{written.suffix} output holds " + ", ".join(map(_masked, leaked)))
            try:
                checked = check_paths([out], analyzer=check_analyzer, jobs=1, ner=None)
            except QualError as error:
                return Outcome(CHECK_FAILED, f"check refused its own output: {type(error).__name__}")
            except Exception as error:  # noqa: BLE001
                return Outcome(CRASH, f"check_paths raised {type(error).__name__}")
            if checked.exit_code != 0:
                kinds = sorted({f"{f.type}/{f.detector}" for f in checked.failing}) if checked.failing else []
                return Outcome(CHECK_FAILED, f"exit {checked.exit_code}: {len(checked.failing)} finding(s) "
                                             f"{', '.join(kinds)[:200]}; {len(checked.errors)} error(s)")
            return Outcome(OK)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _refused(message: str, path, words: set[str], records: list[str]) -> Outcome:
    if "\n" in message or not message.startswith(f"{path}:"):
        return Outcome(UNCLEAR, f"message is not one line naming the file ({len(message.splitlines())} lines)")
    leaked = find_words(words, message + "\n".join(records))
    if leaked:
        return Outcome(LEAK, "in an error message: " + ", ".join(map(_masked, leaked)))
    return Outcome(REFUSED, message[len(str(path)) + 2:][:120])
