"""Dates in digits ("12/03/2019", "2019-03-12") and words ("the 3rd of March 2019",
"March 3rd", "Monday 12 June", "September 2020"), years, academic years ("2019/20"), dates
of birth (a date after "born", "date of birth", "DOB"), and ages ("aged 7", "a 14-year-old",
"she's fifteen")."""

from __future__ import annotations

import re
from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import Doc, Recognizer
from .vocab import KIN_PEOPLE, NUMBER_TEENS, NUMBER_TENS, NUMBER_UNITS, PERSON_NOUNS

# Months and weekdays must be capitalised, so that "may" the verb is no month.
_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
           r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)"
_ORDINAL_WORDS = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                  r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
                  r"nineteenth|twentieth|twenty[- ]?(?:first|second|third|fourth|fifth|sixth|"
                  r"seventh|eighth|ninth)|thirtieth|thirty[- ]?first)")
_DAY = rf"(?i:(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
_YEAR = r"(?:(?:19|20)\d\d|'\d\d)"
_SPOKEN_YEAR = (r"(?:(?:nineteen|twenty)[- ](?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
                r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
                r"|two thousand(?: and)?(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten|"
                r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
                r"twenty(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?))?)")
_ANY_YEAR = rf"(?:{_YEAR}|(?i:{_SPOKEN_YEAR}))"

NUMERIC_PATTERNS = [
    # 12/03/2019, 12.3.19, 2019-03-12; in a file name too ("interview_15-02-2022.m4a": an
    # underscore joins words there, it does not make the date part of one)
    re.compile(r"(?<![^\W_]|[/.\-])(?:(?:0?[1-9]|[12]\d|3[01])[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:(?:19|20)\d\d|\d\d)"
               r"|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:(?:19|20)\d\d|\d\d)"
               r"|(?:19|20)\d\d-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01]))(?![^\W_]|[/\-]|\.\d)"),
]
# academic and financial years (2019/20, 2019-2020) and ISO year-months (2021-11)
YEAR_PAIR_RE = re.compile(r"(?<![\w/])((?:19|20)\d\d)[/\-]((?:19|20)?\d\d)(?![\w/]|-\d)")
# Dates in words hold a month or weekday name: they are looked for only around one. Their words
# stay on one line: "...since October.\n\n18 [00:04:21]" is a month, then the next turn's number
_SP = r"[^\S\n]"
WORDED_PATTERNS = [
    # (Monday) (the) 3rd (of) March (2019)
    re.compile(rf"\b(?:{_WEEKDAYS},?{_SP}+)?(?:the{_SP}+)?{_DAY}{_SP}+(?:of{_SP}+)?{_MONTHS}(?:,?{_SP}+{_ANY_YEAR})?\b"),
    # (Monday) March (the) 3rd (, 2019)
    re.compile(rf"\b(?:{_WEEKDAYS},?{_SP}+)?{_MONTHS}{_SP}+(?:the{_SP}+)?{_DAY}(?:,?{_SP}+{_ANY_YEAR})?\b"),
    # Monday the 3rd
    re.compile(rf"\b{_WEEKDAYS}{_SP}+(?:the{_SP}+)?{_DAY}\b(?![ \t\u00a0]*(?:minutes|hours|days|weeks|times))"),
]
# "the second of the third, oh eight", "14th of the 2nd 2010": a day and a month both as
# ordinals, as people say a date of birth; looked for only around "of the"
_MONTH_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
                  r"(?:0?[1-9]|1[0-2])(?:st|nd|rd|th))")
_SHORT_SPOKEN_YEAR = r"(?:oh|o|zero)[- ](?:one|two|three|four|five|six|seven|eight|nine)"
ORDINAL_DATE_RE = re.compile(rf"\b(?:the\s+)?{_DAY}\s+of\s+the\s+{_MONTH_ORDINAL}\b"
                             rf"(?:,?\s+(?:{_SHORT_SPOKEN_YEAR}|{_SPOKEN_YEAR}|(?:19|20)?\d\d)\b)?",
                             re.IGNORECASE)
_OF_THE_RE = re.compile(r"\bof the\b")
# "8th of september 2020", "ninth of june, two thousand and nine": a month in lower case
# (speech-to-text, hurried typing) is a month after an ordinal day ("may" is then no verb)
_ORDINAL_DAY = rf"(?:(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)|{_ORDINAL_WORDS})"
_MONTHS_LOWER = ("january|february|march|april|may|june|july|august|september|october|november|"
                 "december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec")
# a day without its ordinal before a month spelled in full ("born 12 april 2011"; not "2 may")
_FULL_MONTHS_LOWER = "january|february|march|april|june|july|august|september|october|november|december"
# ("the first may be ...": a day in words, or the month may, only with "of" between)
LOWER_MONTH_DATE_RE = re.compile(rf"\b(?:the\s+)?(?:{_ORDINAL_DAY}\s+of\s+(?:{_MONTHS_LOWER})|"
                                 rf"(?:{_MONTHS_LOWER.replace('may|', '')})\s+the\s+{_ORDINAL_DAY}|"
                                 rf"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)\s+(?:{_MONTHS_LOWER.replace('may|', '')})|"
                                 rf"(?<![\d.,:/])(?:[12][0-9]|3[01]|0?[1-9])\s+(?:{_FULL_MONTHS_LOWER}))\b"
                                 rf"(?:,?\s+(?:{_YEAR}|{_SPOKEN_YEAR}|\d\d(?![\d:])))?", re.IGNORECASE)
_LOWER_MONTH_RE = re.compile(rf"\b(?:{_MONTHS_LOWER})\b")
_LOWER_MONTH_WORDS = frozenset(form for month in _MONTHS_LOWER.split("|") for form in (month, month + "'s"))
_ANCHOR_RE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|"
                        r"Sat|Sun)[a-z]*\b")
# A time of day said with a date pins an event down ("at 2 a.m. on the 12th of June", "the 3rd
# of May at 9.30pm"): it is part of the date's span
_CLOCK = r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|o'clock)|\d{1,2}[:.]\d{2})"
_TIME_BEFORE_RE = re.compile(rf"(?<![\w:.]){_CLOCK}\s+on\s+(?:the\s+)?$", re.IGNORECASE)
_TIME_AFTER_RE = re.compile(rf",?\s+at\s+{_CLOCK}(?![\w:])", re.IGNORECASE)
# A year alone, or a month of a year, narrows little down: reported with a confidence below
# the CI gate's (0.4), so a reviewer weighs it and coarsened dates kept on purpose (an
# interview's year-month) do not fail ``qual check``.
YEAR_CONFIDENCE = 0.35
# "September 2020": the year is masked and the month kept, as for a year alone
MONTH_YEAR_RE = re.compile(rf"\b{_MONTHS}\s+(?:of\s+)?({_ANY_YEAR})\b")
# "born in two thousand and eight", "born in 2009": the year of birth alone
BORN_YEAR_RE = re.compile(rf"\bborn\s+(?:in\s+|back\s+in\s+)?((?:(?:{_MONTHS_LOWER})\s+(?:of\s+)?)?{_ANY_YEAR})\b",
                          re.IGNORECASE)
# "his dob is fourteen oh three oh nine": a date of birth said digit by digit
_SPOKEN_DIGIT = rf"(?:zero|oh|o|double|{'|'.join(NUMBER_UNITS + NUMBER_TEENS)}|twenty|thirty)"
SPOKEN_DOB_RE = re.compile(rf"\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|born\s+on)\s*(?:is|was|:|-)?\s*"
                           rf"({_SPOKEN_DIGIT}(?:[\s,\-]+(?:{_SPOKEN_YEAR}|{_SPOKEN_DIGIT})){{2,7}})\b",
                           re.IGNORECASE)
_BIRTH_WORD_RE = re.compile(r"\b(?:born|dob|d\.o\.b|birth)\b", re.IGNORECASE)
_BORN_RE = re.compile(r"\bborn\b", re.IGNORECASE)
_LEADING_RE = re.compile(rf"^(?:{_WEEKDAYS},?\s+)?(?:the\s+)?", re.IGNORECASE)
YEAR_RE = re.compile(r"(?<![\w.,/£$€-])(?:19[3-9]\d|20[0-4]\d)(?![\w/%]|[.,]\d)")
DOB_CONTEXT_RE = re.compile(r"\b(?:born|birth|d\.?o\.?b\.?|birthday|b\.)\W*(?:\w+\W+){0,3}$",
                            re.IGNORECASE)

_NUMBER_WORDS = (rf"(?:{'|'.join(NUMBER_UNITS + NUMBER_TEENS + NUMBER_TENS)})"
                 rf"(?:[- ](?:{'|'.join(NUMBER_UNITS)}))?")
_AGE = rf"(?:\d{{1,3}}|{_NUMBER_WORDS})"
_NUMBER_WORD_SET = frozenset(re.findall(r"[a-z]+", _NUMBER_WORDS)) - {"one"}
_OLD_RE = re.compile(r"(?:year|yr|month)s?[\s-]*old\b")
_AGE_CUES = frozenset({"he's", "she's", "they're", "i'm", "you're", "who's", "he'd", "she'd",
                       "they'd", "he'll", "she'll", "is", "was", "were", "are", "am", "be",
                       "turned", "turns", "turning"})
_AGE_WORD_RE = re.compile(r"\bage(?:d|s)?\b")
_AGE_WORDS = frozenset({"age", "aged", "ages"})
# "Dawson's 19", "ashby's seven.", "my son is eleven": a person's age with a name or a word
# for a person as the subject (see _person_subject); only where the clause ends at the number
_NAMED_AGE_RE = re.compile(
    rf"\b([^\W\d_][^\W\d_'-]*)(?:'s|\s+(?:is|was|are|were|turned|turns|has\s+just\s+turned))\s+"
    rf"(?:only\s+|just\s+|nearly\s+|almost\s+|about\s+|now\s+)?({_AGE})"
    rf"(?=\s*(?:[.,;!?)]|$|(?:and|now|so|but|next|this|in|years?|yrs?)\b))", re.IGNORECASE)
# An age given as the answer to "how old is he?" or to "so he's twelve?" (a person asked
# about: not "how old is the building?"): the reply opens with it ("twelve, yeah, thirteen
# next month"), in the next text (a turn) or after the question on its line
_ASKED_AGE_RE = re.compile(
    rf"\b(?:how old(?: (?:is|was|are|were|will|would|'s))? (?:he|she|they|him|her|his|their|your|the (?:boy|girl|child|"
    rf"kids?|children|lad|lass|baby|son|daughter|brother|sister|twins?)|(?-i:[A-Z][a-z]+)\b)"
    rf"|(?:he|she|they)(?:'s|'re| is| are| was| were)(?: only| just| nearly| now| about)? {_AGE}\b)"
    rf"[^?\n]{{0,60}}\?[ \t]*(?:\n[ \t]*)*(?:(?:um|erm|er|uh|oh|so|well|yeah|he's|she's|"
    rf"they're|he is|she is|they are|about|nearly|just)[ ,]+)*({_AGE})\b"
    rf"(?:[ ,]+(?:yeah|yes|um|erm|and|but|so)?[ ,]*({_AGE})\b)?", re.IGNORECASE)
# A child's age said in apposition after a name, in words, set off by commas
_APPOSED_AGES = frozenset(NUMBER_UNITS[1:] + NUMBER_TEENS[:-1])  # two to eighteen
_COUNTED_HEADS = frozenset({"year", "years", "room", "chapter", "page", "level", "step", "section", "stage",
                            "tier", "band", "grade", "set", "group", "table", "question", "number", "part"})
# a subject this common a word ("that's seven", "it's two", "there's nine") is no person
_SUBJECT_ZIPF = 5.5


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


AGE_PATTERNS = [
    # 7 years old, a 14-year-old, seven-year-old, 18 months old
    re.compile(rf"\b{_AGE}(?:\s*|-)(?:years?|yrs?|months?)(?:\s*|-)old\b", re.IGNORECASE),
    # aged 7, age 12, at the age of 15, ages 11 to 16
    re.compile(rf"\b(?:aged|ages?|age of)\s+{_AGE}(?:\s*(?:-|to|and)\s*{_AGE})?\b", re.IGNORECASE),
    # she's fifteen, he was 14, who is 9, turns 16, she was twelve at the time (what follows is
    # read on the same line: a turn's end is no "and" of "fifteen and twenty")
    re.compile(rf"\b(?:(?:he|she|they|who|i|you)(?:'s|'re|'m|'d|'ll| is| was| were| are| am| would| will)"
               rf"(?: be)?|turned|turns|turning)\s+(?:only\s+|just\s+|nearly\s+|almost\s+|about\s+|now\s+)?{_AGE}\b"
               rf"(?![ \t\u00a0]*(?:%|per\b|percent|minutes|mins|hours|hrs|days|weeks|months|times|o'clock|"
               rf"pounds|quid|p\b|pence|miles|metres|feet|foot|inches|kilos|stone|points|degrees|"
               rf"people|of|out|or|and(?!\s+(?:his|her|their|he|she|my|mum|dad)\b)|in|on|at(?!\s+(?:the|that)\s+(?:time|point|stage)\b)|"
               rf"to|more|less|too|a\b|an\b|the\b|kids|children|pupils|"
               rf"schools|cases|families|things|ways|referrals|[:.]\d))",
               re.IGNORECASE),
    # she turned fifteen in June, turns 18 next month, she'll be sixteen in June: a birthday,
    # whatever follows but a unit
    re.compile(rf"\b(?:turned|turns|turning|(?:he|she|they|who|i|you)(?:'ll|\s+will|\s+would|'d)\s+be)\s+(?:only\s+|just\s+|nearly\s+|almost\s+)?{_AGE}\b"
               rf"(?![ \t\u00a0]*(?:%|per\b|percent|minutes|mins|hours|hrs|days|weeks|times|o'clock|pounds|quid|"
               rf"p\b|pence|miles|degrees|points|[:.]\d))", re.IGNORECASE),
]


@register_recognizer("dates.date", default=True)
class DateRecognizer(Recognizer):
    """Dates and years; a date right after "born" or "date of birth" is a date of birth."""

    entity_types = frozenset({EntityType.DATE, EntityType.DATE_OF_BIRTH})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        found: set[tuple[int, int, float]] = set()
        has_digit = doc.has_digit
        if has_digit:
            for pattern in NUMERIC_PATTERNS:
                for match in doc.scan(pattern, doc.digit_windows):
                    found.add((match.start(), match.end(), 0.9))
            for match in doc.scan(YEAR_RE, doc.digit_windows):
                found.add((match.start(), match.end(), YEAR_CONFIDENCE))
            for match in doc.scan(YEAR_PAIR_RE, doc.digit_windows):
                first, second = int(match.group(1)), int(match.group(2)) % 100
                academic = second == (first + 1) % 100
                found.add((match.start(), match.end(), 0.5 if academic else YEAR_CONFIDENCE))
        for anchor in _ANCHOR_RE.finditer(text):
            low, high = max(0, anchor.start() - 50), min(len(text), anchor.end() + 40)
            for pattern in WORDED_PATTERNS:
                for match in pattern.finditer(text, low, high):
                    # "Monday the 10th of January" -> "10th of January": the weekday and
                    # "the" say nothing about who, and the weekday is a keep-term
                    lead = _LEADING_RE.match(match.group()).end()
                    found.add((match.start() + lead, match.end(), 0.9))
            if has_digit or " nineteen" in text or " two thousand" in text:
                for match in MONTH_YEAR_RE.finditer(text, low, high):
                    found.add((*match.span(1), YEAR_CONFIDENCE))
        if "born" in doc.lowered:
            for match in doc.scan(BORN_YEAR_RE, doc.windows(_BORN_RE, 0, 50, lowered=True)):
                found.add((*match.span(1), 0.9))  # a date of birth: "born" is its context
        if "birth" in doc.lowered or "dob" in doc.lowered or "d.o.b" in doc.lowered or "born" in doc.lowered:
            for match in doc.scan(SPOKEN_DOB_RE, doc.windows(_BIRTH_WORD_RE, 20, 90, lowered=True)):
                found.add((*match.span(1), 0.9))
        # (a set lookup per word first: scanning the text for the months takes 5 times as long)
        lower_months = () if _LOWER_MONTH_WORDS.isdisjoint(doc.words) else doc.windows(_LOWER_MONTH_RE, 30, 45)
        for match in doc.scan(LOWER_MONTH_DATE_RE, lower_months):
            lead = _LEADING_RE.match(match.group()).end()
            found.add((match.start() + lead, match.end(), 0.9))
        for match in doc.scan(ORDINAL_DATE_RE, doc.windows(_OF_THE_RE, 30, 50, lowered=True)):
            lead = _LEADING_RE.match(match.group()).end()
            found.add((match.start() + lead, match.end(), 0.9))
        for start, end, confidence in sorted(found):
            if confidence >= 0.9:  # a day's date, not a year: the time of day it gives goes with it
                before = _TIME_BEFORE_RE.search(text, max(0, start - 30), start)
                after = _TIME_AFTER_RE.match(text, end)
                start, end = before.start() if before else start, after.end() if after else end
            context = text[max(0, start - 40):start]
            if DOB_CONTEXT_RE.search(context):
                yield self.span(doc, start, end, EntityType.DATE_OF_BIRTH, 0.95)
            else:
                yield self.span(doc, start, end, EntityType.DATE, confidence)


@register_recognizer("dates.age", default=True)
class AgeRecognizer(Recognizer):
    entity_types = frozenset({EntityType.AGE})

    def detect(self, doc: Doc) -> Iterable[Span]:
        lowered = doc.lowered
        for pattern, anchor, cue, before, after in ((AGE_PATTERNS[0], _OLD_RE, "old", 40, 4),
                                                    (AGE_PATTERNS[1], _AGE_WORD_RE, "age", 2, 40)):
            if cue not in lowered or (cue == "age" and _AGE_WORDS.isdisjoint(doc.lower_words)):
                continue  # ("age" is in "page" and "message": the words say more, sooner)
            for match in doc.scan(pattern, doc.windows(anchor, before, after, lowered=True)):
                yield self.span(doc, *match.span(), EntityType.AGE, 0.85)
        if "?" in lowered:
            for match in _ASKED_AGE_RE.finditer(doc.text):
                for group in (1, 2):
                    value = match.group(group)
                    if value and (not value.isdigit() or 1 <= int(value) <= 25):
                        yield self.span(doc, *match.span(group), EntityType.AGE, 0.55)
        # "she's fifteen", "he'd be 14": only at a number a few words after such a verb
        words = doc.lower_words
        numbers = [i for i, w in enumerate(words) if w in _NUMBER_WORD_SET]
        for low, high in doc.digit_windows:
            numbers += [i for i in range(doc.word_at(low), min(len(words), doc.word_at(high)))
                        if words[i].isdigit()]
        ranges = [(max(0, doc.starts[i] - 40), doc.ends[i] + 15) for i in numbers
                  if not _AGE_CUES.isdisjoint(words[max(0, i - 4):i])
                  or any(w.endswith("'s") for w in words[max(0, i - 3):i])]
        ranges = _merge(ranges)
        for match in doc.scan(_NAMED_AGE_RE, ranges):
            if _person_subject(doc, match.group(1)):
                value = match.group(2)
                if not value.isdigit() or 1 <= int(value) <= 110:
                    yield self.span(doc, *match.span(2), EntityType.AGE, 0.55)
        lexicon = doc.lexicon
        for i in numbers:
            # in apposition after a name: "Yusuf Al-Amin, thirteen, the family came over"
            if i < 1 or words[i] not in _APPOSED_AGES or doc.gap_before(i) != ", " \
                    or (i + 1 < len(words) and doc.gap_before(i + 1).strip()[:1] not in (",", ".", ";")):
                continue
            previous = doc.words[i - 1].removesuffix("'s")
            if previous[:1].isupper() and not doc.sentence_initial(i - 1) and previous.lower() not in _COUNTED_HEADS \
                    and (lexicon.is_name(previous) or not lexicon.is_word(previous)):
                yield self.span(doc, doc.starts[i], doc.ends[i], EntityType.AGE, 0.55)
        for match in (*doc.scan(AGE_PATTERNS[2], ranges), *doc.scan(AGE_PATTERNS[3], ranges)):
            # only the number: "she's [fifteen]"
            number = re.search(rf"{_AGE}$", match.group(), re.IGNORECASE)
            if number:
                start = match.start() + number.start()
                value = number.group()
                if value.isdigit() and not 1 <= int(value) <= 110:
                    continue
                yield self.span(doc, start, match.end(), EntityType.AGE, 0.55)


def _person_subject(doc: Doc, word: str) -> bool:
    """Whether ``word``, the subject of "is nineteen", is a person: a word for one ("my son's
    eleven"), a listed first name, or a word no dictionary knows ("ashby's seven")."""
    lower = word.lower()
    if lower in PERSON_NOUNS or lower in KIN_PEOPLE or lower.removesuffix("s") in PERSON_NOUNS:
        return True  # "my son's eleven", "the twins are eleven", "her brothers are nine and seven"
    lexicon = doc.lexicon
    if lexicon.word_zipf(word) >= _SUBJECT_ZIPF:
        return False
    return lexicon.first_name_count(word) > 0 or not lexicon.is_word(word)
