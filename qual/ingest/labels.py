"""Speaker labels: from the lines of a document to speaker turns.

Every reader (.docx, .txt) reduces its file to ``Line`` objects: a paragraph's text, the
bold text it starts with, and (for a speaker table) the label its layout gives. This
module finds the speaker labels among them, detected per document:

    Interviewer: text           I: text              Sarah Collins: text
    SURNAME:<TAB>text           [00:01:23] Speaker: text        00:19 PARTICIPANT 12:
    Speaker 1  0:03   (label and time alone; the text on the next lines, Otter/Teams)
    00:00:01 Speaker 1          [00:00:00.00] - Speaker 1     (NVivo, Happy Scribe)
    Sarah Collins (00:03):      Speaker1: [00:00:03] text     *1:40 = I1: text
    **Bold label** text         Interviewer - text            0:0<TAB>I1<TAB>text

A label is trusted when its form says it is one (a role word such as ``Interviewer`` or
``R``; a timestamp; ``SURNAME:`` in capitals; a bold label with a colon; a tab after the
colon; a table's speaker column) or when the same name opens two or more paragraphs.
Other paragraphs continue the current turn, so prose such as "So what she said was: ..."
never starts a turn. Lines before the first turn are the preamble (title, date lines,
a legend such as ``I1: Interviewer 1``); they are metadata, not speech.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from ..model import NON_SPEECH_RE, Role, Turn
from .roles import is_role_label, role_of_description, role_of_label

TIMESTAMP = r"\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?"
_LEADING_TIME = (
    # Danish style '*1:40 = ', '1.10.01 = ', '*1.36.02: '
    r"(?:\*?\s*(?P<ts_star>\d{1,2}[:.]\d{1,2}(?:[:.]\d{1,2})?)\s*[=:]\s*"
    # '[00:01:23] ', '(01:05) - ', '[09:26 ', and a span of time as Whisper writes it:
    # '[00:01:02.500 --> 00:01:05.000] '
    rf"|[\[(]\s*(?P<ts_bracket>{TIMESTAMP})(?:\s*(?:-->|[-–—])\s*{TIMESTAMP})?\s*[\])]?\s*(?:[-–—]\s*)?"
    # '00:19 ', '1.42.30 ', '5.00<TAB>'
    rf"|(?P<ts_bare>{TIMESTAMP}|\d{{1,2}}\.\d{{2}}(?:\.\d{{2}})?)\s+(?:[-–—]\s*)?)?"
)
# a label is words ('Sarah Collins', 'PARTICIPANT 12') or a pseudonym tag that replaced a
# name ('[Person 15]', '[School B]'), as de-identification writes them
TAG_BODY = r"[^\W\d_][^\[\]\n:：\t]{0,40}"
TAG_LABEL = rf"\[{TAG_BODY}\]"
_LABEL = rf"(?P<label>{TAG_LABEL}|[^\W\d_][^:：\t\[\]\n]{{0,60}}?)"
_TAG_LABEL = re.compile(rf"{TAG_LABEL}")
# 'N<TAB>' before a label: the turn's number, as qual's de-identified transcripts (and
# line-numbered transcripts) carry it so that a reference '(SW01, turn 35)' can be found
TURN_NUMBER = re.compile(r"^[ \u00a0]*(?P<number>\d{1,5})[.)]?\t+")
_TRAILING_TIME = rf"(?:\s*[\[(]\s*(?P<ts_after>{TIMESTAMP})(?:\s*(?:-->|[-–—])\s*{TIMESTAMP})?\s*[\])])?"
COLON_LABEL = re.compile(rf"^\s*{_LEADING_TIME}{_LABEL}{_TRAILING_TIME}\s*[:：](?!\d)(?!//)(?P<sep>[ \t\u00a0]*)")
# 'JONES<TAB>text' or 'I1<TAB>text' without a colon
TAB_LABEL = re.compile(rf"^\s*{_LEADING_TIME}(?P<label>[^\W\d_][\w .’'\-]{{0,40}}?)[ ]*\t+")
# 'Interviewer - text', 'R – text': dashes, for role words and codes only
DASH_LABEL = re.compile(rf"^\s*{_LEADING_TIME}(?P<label>[^\W\d_][\w .’']{{0,30}}?)\s+[-–—]\s+")
# 'TIME<TAB>SPEAKER<TAB>TEXT': the column heads of a tab-separated transcript
_COLUMN_HEADS = re.compile(r"^\s*[^\W\d_]+(?:[ ]?[^\W\d_]+)?(?:\t+[^\W\d_]+(?:[ ]?[^\W\d_]+)?){1,4}\s*$")
# 'Speaker 1  0:03' or 'Sarah Collins (00:03)' alone on a line; the text follows
STAMP_LINE = re.compile(rf"^\s*(?P<label>[^\W\d_][^:：\t\[\]\n]{{0,50}}?)\s*(?:[\[(]\s*(?P<ts1>{TIMESTAMP})\s*[\])]"
                        rf"|\s(?P<ts2>{TIMESTAMP}))\s*$")
# '00:00:01 Speaker 1' or '[00:00:00.00] - Speaker 1' alone on a line (NVivo, Happy Scribe)
STAMP_FIRST_LINE = re.compile(rf"^\s*[\[(]?\s*(?P<ts1>{TIMESTAMP})\s*[\])]?\s*(?:[-–—]\s*)?"
                              rf"(?P<label>[^\W\d_][^:：\t\[\]\n]{{0,50}}?)\s*$")
# a bracketed time or span of time opening a line that continues a turn
_CONTINUED_TIME = re.compile(rf"^\s*[\[(]\s*{TIMESTAMP}(?:\s*(?:-->|[-–—])\s*{TIMESTAMP})?\s*[\])]\s*")
# 'Speaker1: [00:00:03] text' (Sonix, Rev): the time written after the colon
_TIME_AFTER_COLON = re.compile(rf"[\[(]\s*(?P<ts>{TIMESTAMP})\s*[\])]\s*")

META_KEYS = frozenset({
    "date", "time", "duration", "length", "location", "place", "venue", "setting", "site", "project",
    "study", "title", "subject", "topic", "transcriber", "transcribed by", "transcription",
    "transcript", "recording", "recorded", "recorded by", "audio", "audio file", "file", "file name",
    "filename", "reference", "ref", "id", "participant id", "interview id", "interview",
    "interview date", "interview number", "interview no", "interview type", "interview mode",
    "mode", "format", "language", "key", "legend", "notes", "note", "nb", "ps", "comments", "comment",
    "page", "version", "status", "tape", "track", "source", "consent", "start time", "end time",
    "gender", "age", "role", "job title", "local authority", "la", "school", "trial arm", "arm",
    "cohort", "wave", "attendees", "present", "speakers", "participants present", "url", "link",
    "email", "tel", "phone", "address", "organisation", "organization", "pseudonym", "code",
    "case", "case id", "description", "summary", "keywords", "theme", "themes", "memo",
    "interview guide", "section", "part", "question", "questions", "prompt", "prompts", "probe",
    "probes", "aim", "aims", "purpose", "instructions", "introduction", "intro",
})
# 'Question:' and 'Part:' label a speaker (Q/A transcripts); 'Question 3:' and 'Part 2:' are headings.
_META_ROLE_OVERLAP = frozenset({"question", "questions", "part"})

STOPWORDS = frozenset("""
the this that these those it its we you he she they my our your his her their them us me
so and but or then well yes yeah yep no nope ok okay right um umm erm er uh hmm mm oh ah hi hello
thanks thank what when where why how who which if because as at in on for with from to by of about
after before also just like actually basically anyway now there here one two three first second
finally example eg ie etc please see said says say told asked remember think mean know sorry
great good fine sure exactly absolutely definitely really maybe perhaps probably obviously
is are was were be been being have has had do does did can could would should will shall might must
not never always sometimes often usually every each some any many much more most less least very
""".split())
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "del", "della",
                        "bin", "al", "el", "ten", "ter", "dos", "das", "y", "e", "af", "zu", "st"})
_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "miss", "prof", "professor", "sir", "dame", "rev", "cllr"})
_CODE = re.compile(r"[A-Z]{1,2}\d{0,3}|[A-Z]{1,3}\d{1,3}")
_CLASS_YEAR = re.compile(r"^[’'‘]\d{2}$")
_INITIAL = re.compile(r"^[^\W\d_]\.$")
_SENTENCE_MARKS = re.compile(r"[?!;\"“”…]|\.\s*[a-z]|\s-\s")


def normalise_label(label: str) -> str:
    """A label as written, minus the whitespace accidents (runs, NBSP, trailing dots)."""
    return " ".join(label.replace("\u00a0", " ").split()).strip().rstrip(":：").strip()


@functools.lru_cache(maxsize=8192)
def label_key(label: str) -> str:
    return normalise_label(label).casefold().rstrip(".").strip()


@functools.lru_cache(maxsize=8192)
def label_kind(label: str) -> str | None:
    """What a candidate label looks like: 'meta', 'role', 'code', 'caps', 'name', 'tag' (a
    pseudonym tag such as '[Person 15]'), or None (prose)."""
    text = normalise_label(label)
    if not text or len(text) > 60:
        return None
    if text.startswith("["):
        # '[Person 15]': a name de-identification replaced; '[laughs]' is no speaker
        return "tag" if _TAG_LABEL.fullmatch(text) and not NON_SPEECH_RE.fullmatch(text) else None
    key = text.casefold().rstrip(".")
    bare = re.sub(r"\s*(?:no\.?|number|#)?\s*\d*$", "", key).strip()
    if (key in META_KEYS and key not in _META_ROLE_OVERLAP) or (bare in META_KEYS and bare != key):
        return "meta"
    if _SENTENCE_MARKS.search(text):
        return None
    if is_role_label(text):
        return "role"
    if _CODE.fullmatch(text):
        return "code"
    tokens = text.replace(",", " ").split()
    if len(tokens) > 5 or tokens[0].casefold().strip(".") in STOPWORDS:
        return None
    letters = 0
    for index, token in enumerate(tokens):
        bare_token = token.strip("()")
        if not bare_token:
            return None
        lowered = bare_token.casefold().rstrip(".")
        if _CLASS_YEAR.match(bare_token) or _INITIAL.match(bare_token) or lowered in _HONORIFICS:
            continue
        if bare_token.isdigit() and len(bare_token) <= 3 and index:
            continue  # 'Speaker 3', 'PARTTICIPANT 18'
        if lowered in _PARTICLES and index and index < len(tokens) - 1:
            continue
        if not bare_token[0].isupper() or not re.fullmatch(r"[^\W\d_][\w’'\-.]*", bare_token):
            return None
        if lowered in STOPWORDS and index == 0:
            return None
        letters += 1
    if not letters:
        return None
    caps = all(t.isupper() for t in tokens if any(c.isalpha() for c in t) and not _INITIAL.match(t))
    return "caps" if caps and any(sum(c.isalpha() for c in t) >= 2 for t in tokens) else "name"


@dataclass
class Line:
    """One paragraph (or line) of a source document, as the readers hand it over."""

    text: str
    bold: str = ""                    # the bold text the line starts with, if any
    label: str | None = None          # a label given by layout (a speaker table's first column)
    timestamp: str | None = None      # a time given by layout (a table's time column)
    where: str = ""                   # 'paragraph 12', 'table 2 row 3': for messages, never text
    comments: list[tuple[str, int, int]] = field(default_factory=list)  # (comment id, start, end)
    opens_turns: bool = True          # False for a facts table's rows: never a speaker label

    @property
    def blank(self) -> bool:
        return not self.text.strip() and not self.label


@dataclass
class Candidate:
    """A line read as the start of a turn: which label, which time, where its text starts."""

    label: str
    timestamp: str | None
    text_start: int
    kind: str              # 'table', 'colon', 'tab', 'dash', 'stamp', 'time_first', 'bold'
    shape: str | None      # label_kind()
    bold: bool = False
    tab: bool = False
    number: int | None = None  # the turn number written before the label ('35<TAB>Name: ...')

    @property
    def strong(self) -> bool:
        """Does this one occurrence prove that the line opens a turn?"""
        if self.shape in (None, "meta"):
            return False
        if self.number is not None:
            return True  # a numbered turn says it is one
        if self.kind == "dash":
            return False  # 'SW03 – Hollinsford – 13.01.22' is a title line; only repetition tells
        if self.kind == "table" or self.shape == "role":
            return True
        if self.kind == "stamp":
            return False  # 'Duration 45:12' looks like 'Speaker 1  0:03'; only repetition tells
        if self.kind == "time_first":
            return self.shape == "caps"  # '[01:27] AMANADA' alone on its line
        if self.timestamp:
            return True
        if self.kind in ("colon", "tab") and (self.shape == "caps" or self.tab or self.bold):
            return True
        return False


def read_candidate(line: Line) -> Candidate | None:
    """The speaker label a line starts with, if its form allows one (not yet trusted)."""
    if not line.opens_turns:
        return None
    if line.label is not None:
        label = normalise_label(line.label)
        if not label:
            return None
        return Candidate(label, line.timestamp, _skip_space(line.text, 0), "table", label_kind(label) or "name")
    numbered = TURN_NUMBER.match(line.text)
    if numbered:
        cut = numbered.end()
        rest = Line(line.text[cut:], bold=line.bold[cut:] if line.bold.startswith(line.text[:cut]) else "")
        candidate = _text_candidate(rest)
        if candidate is not None:
            candidate.text_start += cut
            candidate.number = int(numbered["number"])
        return candidate
    return _text_candidate(line)


def _text_candidate(line: Line) -> Candidate | None:
    text = line.text
    if "\t" in text and _COLUMN_HEADS.match(text) and text.strip().upper() == text.strip():
        return None
    # the forms are tried in turn; one whose 'label' reads as prose ('Participant It has: ...'
    # with a bold 'Participant') gives way to the next
    for form in (_colon_form, _tab_form, _dash_form, _stamp_form, _bold_form):
        candidate = form(line)
        if candidate is not None and candidate.shape is not None:
            return candidate
    return None


def _times(match: re.Match) -> str | None:
    groups = match.groupdict()
    return next((groups[k] for k in ("ts_star", "ts_bracket", "ts_bare", "ts_after", "ts1", "ts2")
                 if groups.get(k)), None)


def _colon_form(line: Line) -> Candidate | None:
    match = COLON_LABEL.match(line.text)
    if not match:
        return None
    label = normalise_label(match["label"])
    bold = bool(line.bold) and normalise_label(line.bold).startswith(label)
    start = _skip_space(line.text, match.end())
    timestamp = _times(match)
    after = _TIME_AFTER_COLON.match(line.text, start) if timestamp is None else None
    if after:
        timestamp, start = after["ts"], _skip_space(line.text, after.end())
    shape = label_kind(label)
    if shape is None and not any(c.isupper() for c in line.text):
        shape = _caseless_name(label)  # 'priya raman: hi, can you hear me?' in a caseless line
    return Candidate(label, timestamp, start, "colon", shape, bold=bold, tab="\t" in match["sep"])


def _tab_form(line: Line) -> Candidate | None:
    match = TAB_LABEL.match(line.text)
    if not match:
        return None
    label = normalise_label(match["label"])
    shape = label_kind(label)
    if shape not in ("caps", "role", "code"):
        return None
    return Candidate(label, _times(match), _skip_space(line.text, match.end()), "tab", shape, tab=True)


def _dash_form(line: Line) -> Candidate | None:
    match = DASH_LABEL.match(line.text)
    if not match:
        return None
    label = normalise_label(match["label"])
    shape = label_kind(label)
    if shape not in ("role", "code") or len(label) < 2:  # 'I - I mean...' is speech, not a label
        return None
    return Candidate(label, _times(match), _skip_space(line.text, match.end()), "dash", shape)


def _stamp_form(line: Line) -> Candidate | None:
    match = STAMP_LINE.match(line.text)
    kind = "stamp"
    if not match:
        match, kind = STAMP_FIRST_LINE.match(line.text), "time_first"
        if not match:
            return None
        bracketed = line.text.lstrip()[:1] in "[("
        kind = "time_first" if bracketed else "stamp"
    label = normalise_label(match["label"])
    return Candidate(label, _times(match), len(line.text), kind, label_kind(label) or _caseless_name(label))


_LOWER_WORD = re.compile(r"[^\W\d_A-Z][\w’'\-]*")


def _caseless_name(label: str) -> str | None:
    """'jaspal dhillon' alone on a line with a time, or 'priya raman:' opening a line with no
    capital: a speech-to-text export in lower case (or lower-cased for privacy) writes names
    without capitals. Only repetition trusts such a label (it is never strong by itself)."""
    tokens = label.split()
    if not 1 <= len(tokens) <= 4 or not all(_LOWER_WORD.fullmatch(t) for t in tokens):
        return None
    if tokens[0] in STOPWORDS or label_key(label) in META_KEYS:
        return None
    return "name"


def _bold_form(line: Line) -> Candidate | None:
    bold, text = line.bold, line.text
    if not bold.strip():
        return None
    label = normalise_label(bold)
    rest = text[len(bold):] if text.startswith(bold) else ""
    # a bold label is short; a wholly bold paragraph is a heading or an emphasised sentence
    if not label or len(label.split()) > 5 or (not rest.strip() and len(label) > 40):
        return None
    return Candidate(label, None, _skip_space(text, len(bold)), "bold", label_kind(label), bold=True)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


UNLABELLED_SPEAKER = "Unknown"
UNLABELLED_SPEECH_WORDS = 40


@dataclass
class Segmentation:
    """A document cut into speaker turns (roles not yet decided), plus what was not speech."""

    turns: list[Turn]
    preamble: list[str]
    legend: dict[str, str]
    aliases: dict[str, str]
    comment_anchors: dict[str, list[dict]]
    locations: list[str] = field(default_factory=list)  # where each turn starts: 'paragraph 37'


def segment(lines: Sequence[Line]) -> Segmentation:
    """Cut a document's lines into turns, as the module docstring describes."""
    candidates: list[Candidate | None] = [None if line.blank else read_candidate(line) for line in lines]
    # a form that could hold a label but holds prose ('Transskribering af interview nr. 1' in
    # bold) is no candidate at all
    candidates = [c if c is not None and c.shape is not None else None for c in candidates]
    legend, legend_rows = _find_legend(lines, candidates)
    for row in legend_rows:
        candidates[row] = None
    if sum(1 for c in candidates if c is not None and c.number is not None) >= 2:
        # Turns are numbered: only a numbered line opens one. A paragraph inside a turn that
        # happens to start like a label ('[Person 3]: ...' quoted in speech) continues it.
        candidates = [c if c is not None and c.number is not None else None for c in candidates]

    accepted = _accepted_labels(candidates, legend)
    # a dash or time-stamped form seen once ('Interviewer – Hannah Price' in a title block)
    # does not open a turn even when its label is a speaker's elsewhere
    kinds = Counter((label_key(c.label), c.kind) for c in candidates if c is not None)

    stamped = stamp_style(candidates, accepted)

    def opens_turn(c: Candidate | None) -> bool:
        if c is None or label_key(c.label) not in accepted:
            return False
        return (c.strong or c.kind not in ("dash", "stamp", "time_first")
                or kinds[(label_key(c.label), c.kind)] >= 2 or (stamped and c.kind == "stamp"))

    starts = [i for i, c in enumerate(candidates) if opens_turn(c)]
    consumed = _merge_split_labels(lines, candidates, starts, accepted)
    starts = [i for i, c in enumerate(candidates) if opens_turn(c)]

    first = starts[0] if starts else len(lines)
    head = [row for row in range(first) if not lines[row].blank and row not in consumed]
    # Titles and date lines are short. A long paragraph before the first label is speech
    # whose label was never typed (a consent script read out): it opens an 'Unknown' turn
    # rather than vanish into metadata. Without any labelled turn there is nothing to join.
    speech = next((row for row in head if len(lines[row].text.split()) >= UNLABELLED_SPEECH_WORDS), None)
    if speech is not None and starts:
        head = [row for row in head if row < speech]
    preamble = [lines[row].text.strip() for row in head]
    for text in preamble:
        for label, description in legend_entries(text).items():
            legend.setdefault(label, description)
    drafts: list[_Draft] = []
    if speech is not None and starts:
        drafts.append(_Draft(UNLABELLED_SPEAKER, None, where=lines[speech].where))
        for row in range(speech, first):
            if not lines[row].blank and row not in consumed:
                drafts[-1].add(lines[row], _skip_space(lines[row].text, 0))
    start_set = set(starts)
    previous_span = False  # the turn so far opened on a span of time ('[a --> b] SPEAKER_01:')
    for row in range(first, len(lines)):
        line = lines[row]
        if row in start_set:
            candidate = candidates[row]
            span = "-->" in line.text[:candidate.text_start]
            if span and previous_span and drafts and label_key(drafts[-1].label) == label_key(candidate.label):
                # a diarised export writes one line per stretch of speech, each with its
                # speaker: the same speaker's lines in a row are one turn, as captions' cues
                # are; each line keeps its time mark (the speaker's tag goes: it is the turn's)
                time_mark = _CONTINUED_TIME.match(line.text)
                mark = time_mark.group().strip() if time_mark else ""
                rest = line.text[candidate.text_start:].strip()
                drafts[-1].add(Line(f"{mark} {rest}" if mark else rest, where=line.where), 0)
                continue
            previous_span = span
            drafts.append(_Draft(candidate.label, candidate.timestamp, where=line.where))
            drafts[-1].add(line, candidate.text_start)
        elif not line.blank and row not in consumed:
            # a line that goes on with the turn may open with the tool's time mark, as every
            # line of a Whisper export does ('[00:00:15.800 --> 00:00:19.000] we started ...'):
            # it stays, a transcriber's note that models and detectors read past
            drafts[-1].add(line, _skip_space(line.text, 0))

    drafts = [d for d in drafts if d.text]
    aliases = _aliases([d.label for d in drafts])
    turns = []
    anchors: dict[str, list[dict]] = {}
    for index, draft in enumerate(drafts):
        speaker = aliases.get(draft.label, draft.label)
        turns.append(Turn(index=index, speaker=speaker, role=Role.OTHER, text=draft.text,
                          timestamp=draft.timestamp))
        for comment_id, start, end in draft.comment_spans:
            anchors.setdefault(comment_id, []).append({"turn": index, "start": start, "end": end})
    return Segmentation(turns, preamble, legend, {k: v for k, v in aliases.items() if k != v}, anchors,
                        [draft.where for draft in drafts])


@dataclass
class _Draft:
    label: str
    timestamp: str | None
    where: str = ""
    paragraphs: list[str] = field(default_factory=list)
    comment_spans: list[tuple[str, int, int]] = field(default_factory=list)
    _length: int = 0

    def add(self, line: Line, start: int) -> None:
        body = line.text[start:].rstrip()
        if not body.strip():
            return
        offset = self._length + (1 if self.paragraphs else 0)
        self.paragraphs.append(body)
        self._length = offset + len(body)
        for comment_id, c_start, c_end in line.comments:
            s = min(max(c_start - start, 0), len(body))
            e = min(max(c_end - start, 0), len(body))
            if e > s:
                self.comment_spans.append((comment_id, offset + s, offset + e))

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _accepted_labels(candidates: Sequence[Candidate | None], legend: dict[str, str]) -> set[str]:
    """Label keys that open turns in this document."""
    counts: Counter[str] = Counter()
    strong: set[str] = set()
    coded: set[str] = set()
    shapes: dict[str, str | None] = {}
    for candidate in candidates:
        if candidate is None or candidate.shape in (None, "meta"):
            continue
        key = label_key(candidate.label)
        counts[key] += 1
        shapes.setdefault(key, candidate.shape)
        if candidate.kind in ("colon", "tab"):
            coded.add(key)
        if candidate.strong:
            strong.add(key)
    legend_keys = {label_key(k) for k in legend}
    accepted = {key for key in counts if key in strong or key in legend_keys or counts[key] >= 2}
    # where every speaker is a short code ('I', 'X', 'K'), a code seen once is a speaker too
    # (a third person, or a transcriber's slip) rather than the previous speaker's words
    if len(accepted) >= 2 and all(len(key) <= 3 for key in accepted):
        accepted |= {key for key in counts if shapes[key] == "code" and key in coded}
    # a name given once in full ('PAUL F. DANYOW ’16') and then short ('DANYOW') is one
    # speaker (see _aliases, which folds the two)
    short_names = [_name_tokens(k) for k in accepted if shapes.get(k) in ("name", "caps") and len(k.split()) == 1]
    for key in list(counts):
        if key not in accepted and shapes[key] in ("name", "caps"):
            tokens = _name_tokens(key)
            if any(short and short < tokens for short in short_names):
                accepted.add(key)
    # a document whose speakers stand alone on a line with a time ('Siobhan Mulcahy  0:02'),
    # trusted by repetition, gives a speaker who speaks once that way too ('Tendai Moyo  0:10')
    if stamp_style(candidates, accepted):
        accepted |= {key for key in _stamp_counts(candidates) if shapes.get(key) in ("name", "caps", "role", "code")}
    # a document whose speakers are written 'Name:' gives a person who speaks once that way
    # ('Tom: Sorry to interrupt') when the label is a first name, not a word ('Important:')
    if sum(key in coded for key in accepted) >= 2:
        accepted |= {key for key in counts if key not in accepted and key in coded and shapes[key] == "name"
                     and is_first_name(key)}
    return accepted


def is_first_name(label: str) -> bool:
    """The label's first word is a listed first name, about as common a name as a word or more
    (log10 of people so named minus its Zipf frequency: "Tom" -0.8, "Mark" -0.7; not "Hope"
    -1.4, "Will" -3.0, "Important", "Note"): the bound detection puts on a surname that is
    also a word."""
    from ..deid.recognizers.lexicon import load_lexicon
    from ..deid.recognizers.names import COMMON_WORD_SURNAME

    first = label.split()[0].title()
    return load_lexicon().name_vs_word(first) > COMMON_WORD_SURNAME


def _stamp_counts(candidates: Sequence[Candidate | None]) -> Counter[str]:
    return Counter(label_key(c.label) for c in candidates if c is not None and c.kind == "stamp")


def stamp_style(candidates: Sequence[Candidate | None], accepted: set[str]) -> bool:
    """The document writes its speakers on lines of their own with a time: some speaker so
    written is accepted and does so twice or more."""
    return any(count >= 2 and key in accepted for key, count in _stamp_counts(candidates).items())


def _find_legend(lines: Sequence[Line], candidates: list[Candidate | None]) -> tuple[dict[str, str], list[int]]:
    """A key at the top ('I1: Interviewer 1', 'R: Respondent', 'Interviewer: Jane Smith').

    The block is the run of labelled lines before any label repeats. It is a legend only if
    every entry reads as a description (a role word, or a short name), none is a question,
    and the block ends where the speech begins (a repeated label or an unlabelled line).
    """
    rows = [i for i, line in enumerate(lines) if not line.blank]
    position = 0
    while position < len(rows) and (candidates[rows[position]] is None
                                     or candidates[rows[position]].shape == "meta"):
        position += 1
    entries: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    metas = 0
    while position < len(rows):
        row = rows[position]
        candidate = candidates[row]
        if candidate is None:
            break
        if metas >= 2 and entries and position and row - rows[position - 1] > 1:
            break  # a header of case notes ends at its blank line; the turns follow
        if candidate.shape == "meta":
            position += 1
            metas += 1
            continue
        key = label_key(candidate.label)
        if key in seen or candidate.kind not in ("colon", "bold") or candidate.timestamp:
            break
        description = lines[row].text[candidate.text_start:].strip()
        entries.append((row, candidate.label, description))
        seen.add(key)
        position += 1
    if not entries:
        return {}, []
    following = candidates[rows[position]] if position < len(rows) else None
    # speech starts after the block: an unlabelled line, a label of the block, or a one-off
    # label-like line (a column heading); a new recurring label means the block was speech
    ended_by_speech = following is None or label_key(following.label) in seen or sum(
        1 for c in candidates if c is not None and label_key(c.label) == label_key(following.label)) == 1
    # ... or the block is a header: its people among case notes ('Participant: Ayesha Mahmood',
    # 'Role: DSL', 'LA: Kirklees', 'Date: ...'), then 'Q:' and 'A:' take turns
    ended_by_speech = ended_by_speech or metas >= 2
    described = all(_describes_speaker(label, description) for _, label, description in entries)
    stated = any(role_of_description(description) is not None or role_of_label(label) is not None
                 for _, label, description in entries)
    # a lone entry followed by unlabelled text is more likely the first turn than a key
    lone = len(entries) == 1 and following is None
    if lone or not (ended_by_speech and described and stated and position < len(rows)):
        return {}, []
    return {label: description for _, label, description in entries}, [row for row, _, _ in entries]


_KEY_EQUALS = re.compile(r"^\s*([^\W_]{1,3}\d{0,2})\s*[=:]\s*([^=]{2,60}?)\s*$")
_KEY_PAREN = re.compile(r"([^\W\d_][^\W\d_\- ]*(?: [^\W\d_][^\W\d_\-]*){0,2})\s*\(\s*([^\W_]{1,3}\d{0,2})\s*\)")


def legend_entries(text: str) -> dict[str, str]:
    """A key written in one line: 'I = interviewer, X = informant', 'Interviewer (I) Informant (X)'."""
    entries: dict[str, str] = {}
    for part in re.split(r"[;,]", text):
        match = _KEY_EQUALS.match(part)
        if match and "=" in part:
            entries[match[1]] = match[2]
    for match in _KEY_PAREN.finditer(text):
        # 'Interviewer (I)', not 'Siobhán Doherty (TM03)': only role descriptions make a key
        if role_of_description(match[1]) is not None:
            entries.setdefault(match[2], match[1])
    return entries


def _describes_speaker(label: str, description: str) -> bool:
    if not description or "?" in description or description.endswith(("!", ".")) and not \
            re.search(r"\b[^\W\d_]\.$", description):
        return False
    if len(description.split()) > 6:
        return False
    if role_of_description(description) is not None:
        return True
    return label_kind(description) in ("name", "caps") and len(description.split()) <= 4


def _merge_split_labels(lines: Sequence[Line], candidates: list[Candidate | None], starts: list[int],
                        accepted: set[str]) -> set[int]:
    """'PAUL F.' on one line and 'DANYOW ’16: text' on the next make one label.

    Returns the rows whose text was folded into the next line's label."""
    consumed: set[int] = set()
    counts = Counter(label_key(candidates[i].label) for i in starts)
    for row in starts:
        candidate = candidates[row]
        if row == 0 or candidate.shape != "caps" or counts[label_key(candidate.label)] > 1:
            continue
        previous = lines[row - 1]
        if previous.blank or candidates[row - 1] is not None:
            continue
        fragment = normalise_label(previous.text)
        tokens = fragment.split()
        if not 1 <= len(tokens) <= 4 or label_kind(fragment) != "caps":
            continue
        merged = f"{fragment} {candidate.label}"
        candidate.label = merged
        accepted.add(label_key(merged))
        consumed.add(row - 1)
    return consumed


def _name_tokens(label: str) -> frozenset[str]:
    tokens = set()
    for token in re.findall(r"[^\W\d_][\w’'\-]*", label.casefold()):
        if len(token) >= 2 and token not in _HONORIFICS and token not in _PARTICLES and not token.isdigit():
            tokens.add(token)
    return frozenset(tokens)


def _aliases(labels: list[str]) -> dict[str, str]:
    """Canonical label for each written label: case variants and full names fold together."""
    counts = Counter(labels)
    canonical: dict[str, str] = {}
    by_key: dict[str, list[str]] = {}
    for label in counts:
        by_key.setdefault(label_key(label), []).append(label)
    for variants in by_key.values():
        best = max(variants, key=lambda v: (counts[v], -labels.index(v)))
        for variant in variants:
            canonical[variant] = best
    merged = Counter()
    for label, count in counts.items():
        merged[canonical[label]] += count
    # 'PAUL F. DANYOW ’16' introduced once, then 'DANYOW' throughout: one speaker. Only a
    # single-name short form folds a full name, and only when no other label shares it,
    # so 'Sarah Collins' and 'Mr Collins' (a couple) stay two speakers.
    names = [label for label in merged if not is_role_label(label) and label_kind(label) in ("name", "caps")]
    for label in names:
        tokens = _name_tokens(label)
        if merged[label] > 2 or len(tokens) < 2:
            continue
        shorter = [other for other in names if other != label and len(label.split()) > 1
                   and len(other.split()) == 1 and _name_tokens(other) and _name_tokens(other) < tokens
                   and merged[other] >= merged[label]]
        if len(shorter) != 1:
            continue
        token = next(iter(_name_tokens(shorter[0])))
        if sum(1 for other in names if token in _name_tokens(other)) != 2:
            continue
        for variant, target in canonical.items():
            if target == label:
                canonical[variant] = shorter[0]
    return canonical
