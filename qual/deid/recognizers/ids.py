"""Codes that point at one person or one case: UK postcodes, National Insurance numbers
(format and the prefixes HMRC never issues), NHS numbers (modulus-11 check digit), and case,
reference and application numbers."""

from __future__ import annotations

import re
from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import Doc, Recognizer
from .vocab import FUNCTION_WORDS, SAID_DIGITS, SAID_REPEATS

# starts with a character class so the scan is fast; the word boundary before is checked after.
# Any first letter: no area starts with Q, V or X, but invented and misheard ones do ("QX7 4RU"
# in a training transcript), and a postcode's shape is rare enough in speech.
POSTCODE_RE = re.compile(
    r"[A-Z](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2}\b")
_ORDINAL_END_RE = re.compile(r"\d(?:st|nd|rd|th)$")
# The outward half alone ("LS6") only counts after the word postcode or inside an address.
OUTWARD_RE = re.compile(r"\b(?:postcode|post code|zip)\s*(?:is|was|:)?\s*"
                        r"([A-Za-z]{1,2}[0-9][0-9A-Za-z]?)\b", re.IGNORECASE)

NI_RE = re.compile(r"\b([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])\b", re.IGNORECASE)
# letters HMRC uses in prefixes; others (QQ, the documentation prefix) are no real number
# but a transcript quoting one is still quoting an NI number
_NI_PREFIX_RE = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]")
_NI_NEVER_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
NI_CONTEXT_CHARS = 120
NI_CONTEXT_RE = re.compile(r"national insurance|\bN\.?I\.?\b|\bNINO\b", re.IGNORECASE)

NHS_RE = re.compile(r"(?<![\d+])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?!\d)")
_PHONE_PREFIX_RE = re.compile(r"(?:\+\s?44|\(0\)|\b0044|\(0)\s?\(?$")
NHS_CONTEXT_RE = re.compile(r"\bNHS\b|\bhealth (?:service )?number|\bCHI\b", re.IGNORECASE)

# "case number CP-2021-0457", "ref: 12345/AB", "application no. 18403/91": a code after one of
# these words. Codes are found first (they are few) and the words looked for just before.
CASE_CONTEXT_RE = re.compile(
    r"\b(?:case|ref|reference|referral|file|id|client|child|pupil|upn|uln|account|application|"
    r"crime|incident|claim|log|record|patient|hospital|docket|court|order|serial|passport|"
    r"licence|license|registration|reg|policy|membership|student|staff|employee|payroll|"
    r"mosaic|liquidlogic|lcs|ehm|collar|badge|warrant|shoulder|call\s?sign|tenancy|pc|dc|ps|ds|sgt)"
    r"\s*(?:no\.?|nos\.?|number|num|#|ref\.?|id|code)?\s*[:#.,]?\s*(?:is|was)?\s*$",
    re.IGNORECASE)
# ... or after any service's "number" ("her Early Help number, EH 20417"), when the code has
# three digits or more
NUMBER_CONTEXT_RE = re.compile(r"\b(?!(?:a|an|the|any|some|that|this|what|which|large|small|big|huge|"
                               r"total|same|whole|good|fair|high|low)\s)[A-Za-z]+\s+(?:number|no\.)\s*[:#.,]?\s*(?:is|was)?\s*$", re.IGNORECASE)
_APART_PREFIX_RE = re.compile(r"(?<![\w\-/])(?:[A-Z]{1,4}|[a-z]{1,4}) $")
_DIGIT_TOKEN_RE = re.compile(r"\d[\w\-/.]*")
CONTEXT_CODE_RE = re.compile(r"[A-Za-z]{0,4}[\-/]?\d[\w\-/.]*\d|\d{3,}|[A-Za-z]{1,4}[\-/]?\d{2,}[A-Za-z]?|"
                             r"(?:[A-Za-z0-9]{1,6}[\-/]){1,5}\d[\w\-/]*\d")
# A code of several segments, letters first ("BR/CIN/2021/0338", "kl-cin-2019-8540"): in any
# case, with at least three separators and four digits in a row
SEGMENTED_CODE_RE = re.compile(r"[A-Za-z]{1,6}(?:[\-/][A-Za-z0-9]{1,8}){2,6}")
_FOUR_DIGITS_RE = re.compile(r"\d{4}")
# The letters (up to six) and separator of a segment before a code's digits ("CIN/")
_SEGMENT_BEFORE_RE = re.compile(r"[A-Za-z0-9]{1,6}[\-/]$")
# UK vehicle registrations since 2001 ("KX19 TZW", "kx19tzw")
VEHICLE_RE = re.compile(r"(?<![\w\-/])[A-Za-z]{2}\d{2} ?[A-Za-z]{3}(?![\w\-/])")
# A code of letters and digits ("LA123456", "CP-2021-0457", "18403/91") even without context.
CODE_RE = re.compile(
    r"(?<![\w/\-])(?:[A-Z]{1,5}[\-/]?\d{4,}[A-Z]?|[A-Z]{1,5}[\-/]\d{2,}[\-/]\d{2,}|"
    r"\d{3,6}/\d{2,4}(?:/\d{1,4})?|\d{2,4}[\-/][A-Z]{1,4}[\-/]?\d{2,})(?![\w/\-])")
# Bank and network numbers: IBANs, sort codes, IP addresses.
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
SORT_CODE_RE = re.compile(r"(?<![\d-])\d{2}-\d{2}-\d{2}(?![\d-])")
IP_RE = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?!\d|\.\d)")
# Any long run of digits that no other recognizer explains is treated as an identifier.
LONG_NUMBER_RE = re.compile(r"(?<![\w.,])\d(?:[ \-]?\d){5,}(?![\w])")
_YEAR_MONTH_RE = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])")
_ACADEMIC_YEAR_RE = re.compile(r"(?:19|20)(\d\d)/(\d\d)$")


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number check digit (modulus 11) is right."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def ni_number_ok(text: str) -> bool:
    """Plausible National Insurance number: valid prefix letters, 6 digits, suffix A-D."""
    match = NI_RE.fullmatch(text.strip())
    if not match:
        return False
    prefix = match.group(1).upper()
    return bool(_NI_PREFIX_RE.fullmatch(prefix)) and prefix not in _NI_NEVER_ISSUED


@register_recognizer("ids.postcode", default=True)
class PostcodeRecognizer(Recognizer):
    entity_types = frozenset({EntityType.POSTCODE})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if not doc.has_digit:
            return
        for match in POSTCODE_RE.finditer(text):
            start = match.start()
            if start and text[start - 1].isalnum():
                continue
            yield self.span(doc, *match.span(), EntityType.POSTCODE, 0.95)
        # in lower case too ("ls6 2qt", "ms63ra"): speech-to-text and hurried typing write them so
        upper = text.upper()
        for match in POSTCODE_RE.finditer(upper if len(upper) == len(text) else ""):
            start, end = match.span()
            found = text[start:end]
            if (start and text[start - 1].isalnum()) or not found.islower() or _ORDINAL_END_RE.search(found):
                continue  # in capitals (found above), mixed ("Y9 2nd"), or an ordinal ("ls6 2nd")
            yield self.span(doc, start, end, EntityType.POSTCODE, 0.8)
        if "post" in doc.lowered or "zip" in doc.lowered:
            for match in OUTWARD_RE.finditer(text):
                yield self.span(doc, *match.span(1), EntityType.POSTCODE, 0.8)


@register_recognizer("ids.ni_number", default=True)
class NiNumberRecognizer(Recognizer):
    entity_types = frozenset({EntityType.NI_NUMBER})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if not doc.has_digit:
            return
        for match in doc.scan(NI_RE, doc.digit_windows):
            valid = ni_number_ok(match.group())
            # (the words that name it may come a sentence earlier: "mum's National Insurance
            # number on a post-it on my desk from doing that form, QD 48 26 71 C")
            context = NI_CONTEXT_RE.search(text, max(0, match.start() - NI_CONTEXT_CHARS), match.start())
            if context:
                yield self.span(doc, *match.span(), EntityType.NI_NUMBER, 0.97)
            elif match.group().isupper():
                yield self.span(doc, *match.span(), EntityType.NI_NUMBER, 0.9 if valid else 0.7)
            elif valid:  # in lower case (speech-to-text), only with prefix letters HMRC issues
                yield self.span(doc, *match.span(), EntityType.NI_NUMBER, 0.8)


@register_recognizer("ids.nhs_number", default=True)
class NhsNumberRecognizer(Recognizer):
    entity_types = frozenset({EntityType.NHS_NUMBER})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if not doc.has_digit:
            return
        for match in doc.scan(NHS_RE, doc.digit_windows):
            digits = "".join(match.groups())
            context = NHS_CONTEXT_RE.search(text, max(0, match.start() - 60), match.start())
            if _PHONE_PREFIX_RE.search(text, max(0, match.start() - 8), match.start()):
                continue  # the tail of "+44 (0)113 496 0581"
            if nhs_checksum_ok(digits):
                # a valid check digit on a number starting 0 is as likely a phone number;
                # without context a phone reading of the same digits wins
                if digits[0] != "0" or context:
                    yield self.span(doc, *match.span(), EntityType.NHS_NUMBER, 0.97 if context else 0.88)
            elif context:
                # mistyped in the transcript, still somebody's number
                yield self.span(doc, *match.span(), EntityType.NHS_NUMBER, 0.75)


@register_recognizer("ids.case_number", default=True)
class CaseNumberRecognizer(Recognizer):
    """Reference numbers: after a word like case/ref/application, any code of letters and
    digits, any long run of digits, IBANs, sort codes and IP addresses."""

    entity_types = frozenset({EntityType.CASE_NUMBER})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if not doc.has_digit:
            return
        # every run starting with a digit, widened over the letters before it ("CP-21-0457");
        # a regex that starts with a digit scans fast, the widening is a few steps each
        for match in _DIGIT_TOKEN_RE.finditer(text):
            start, end = match.span()
            if end - start <= 2 and start and not (text[start - 1].isalpha() or text[start - 1] in "-/"):
                continue  # "12", "00:19": too short to be a code on its own
            if start and text[start - 1] in "-/" and start > 1 and text[start - 2].isalpha():
                start -= 1
            letters = 0
            while start and letters < 5 and text[start - 1].isascii() and text[start - 1].isalpha():
                start -= 1
                letters += 1
            for _ in range(5):  # earlier segments: "BR/CIN/" of "BR/CIN/2021/0338"
                before = _SEGMENT_BEFORE_RE.search(text, max(0, start - 7), start)
                if before is None or not before.group()[0].isascii():
                    break
                start = before.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "_-/"):
                continue  # the tail of a longer word
            while end > start and text[end - 1] in ".-/":
                end -= 1
            if CONTEXT_CODE_RE.fullmatch(text, start, end):
                # the scheme's letters may stand apart: "Early Help number, EH 20417"
                prefix = _APART_PREFIX_RE.search(text, max(0, start - 6), start)
                if prefix and prefix.group().strip().lower() in FUNCTION_WORDS:
                    prefix = None  # "number is 20417": the word is no scheme's letters
                for low in ((prefix.start(), start) if prefix else (start,)):
                    if CASE_CONTEXT_RE.search(text, max(0, low - 40), low) or (
                            sum(c.isdigit() for c in text[start:end]) >= 3
                            and NUMBER_CONTEXT_RE.search(text, max(0, low - 40), low)):
                        yield self.span(doc, low, end, EntityType.CASE_NUMBER, 0.9)
                        break
                else:
                    low = None
                if low is not None:
                    continue
            segmented = SEGMENTED_CODE_RE.fullmatch(text, start, end)
            if segmented and segmented.group().count("/") + segmented.group().count("-") >= 3 \
                    and _FOUR_DIGITS_RE.search(segmented.group()):
                yield self.span(doc, start, end, EntityType.CASE_NUMBER, 0.8)
                continue
            # in any case: speech-to-text and hurried typing write "wyv/22/0417" as well
            candidate = text[start:end]
            upper = candidate.upper()
            code = CODE_RE.search(upper if len(upper) == len(candidate) else candidate)
            if code is None:
                continue
            year = _ACADEMIC_YEAR_RE.match(code.group())
            if year and (int(year.group(1)) + 1) % 100 == int(year.group(2)):
                continue  # "2019/20" is an academic year (the dates recognizer has it)
            yield self.span(doc, start + code.start(), start + code.end(), EntityType.CASE_NUMBER, 0.8)
        for match in doc.scan(LONG_NUMBER_RE, doc.digit_windows):
            if _YEAR_MONTH_RE.fullmatch(match.group()):
                continue  # "2021-11": a year and month (the dates recognizer has it)
            yield self.span(doc, *match.span(), EntityType.CASE_NUMBER, 0.6)
        for match in doc.scan(VEHICLE_RE, doc.digit_windows):
            yield self.span(doc, *match.span(), EntityType.CASE_NUMBER, 0.7)
        for pattern in (IBAN_RE, SORT_CODE_RE, IP_RE):
            for match in doc.scan(pattern, doc.digit_windows):
                yield self.span(doc, *match.span(), EntityType.CASE_NUMBER, 0.8)


# Letters (and digits) spelled out one by one: "K-A-Y-D-E-N", "T H O R N B U R Y",
# "L S 6, 2 Q T". Four characters or more, three of them different ("I, I, I" is a stammer).
SPELLED_RE = re.compile(r"(?<![\w\-.'\u2019])[^\W\d_](?:(?:[ \-.]|\s?,\s{0,3})[^\W_]){3,}(?![\w\-])")


@register_recognizer("ids.spelled_out", default=True)
class SpelledOutRecognizer(Recognizer):
    """A name or postcode spelled out character by character: letters only are a name (a
    person's, most often), letters and digits a postcode. In a cased text the letters must be
    capitals (how people write a spelling); in a caseless one, any."""

    entity_types = frozenset({EntityType.PERSON, EntityType.POSTCODE})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        caseless = bool(getattr(doc, "caseless_ranges", ()))
        for match in SPELLED_RE.finditer(text):
            characters = [c for c in match.group() if c.isalnum()]
            if len({c.lower() for c in characters}) < 3:
                continue
            letters = [c for c in characters if c.isalpha()]
            if not caseless and not all(c.isupper() for c in letters):
                continue
            word = "".join(characters)
            if len(letters) == len(characters) and doc.lexicon.is_word(word) and not doc.lexicon.is_name(word.title()):
                continue  # "U P D A T E D": a word spaced out for emphasis
            if len(letters) < len(characters):
                yield self.span(doc, *match.span(), EntityType.POSTCODE, 0.6)
            else:
                yield self.span(doc, *match.span(), EntityType.PERSON, 0.6)


# A code said aloud holds at least this many digits; with letters as well it needs no context
SAID_CODE_DIGITS = 4


@register_recognizer("ids.spoken_code", default=True)
class SpokenCodeRecognizer(Recognizer):
    """A postcode or a reference read out one character at a time, digits as words, as
    speech-to-text writes it: "x v seven two n d" (a postcode by its shape), "s f c two two oh
    one four seven" (letters and four digits or more), "the reference was two two oh one four
    seven" (digits alone, after a word that announces a code). Phone numbers are the spoken
    phone recognizer's."""

    entity_types = frozenset({EntityType.POSTCODE, EntityType.CASE_NUMBER})

    def detect(self, doc: Doc) -> Iterable[Span]:
        words = doc.lower_words
        if not any(w in SAID_DIGITS for w in words):
            return
        text = doc.text
        # a run starts at a digit word or a single letter (a Python loop over every word of
        # a long corpus costs; over these few it does not)
        starts = [k for k, w in enumerate(words) if w in SAID_DIGITS or (len(w) == 1 and w.isalnum())]
        done = -1
        for i in starts:
            if i <= done:
                continue
            run = self._run(doc, words, i)
            if not run:
                continue
            first, last, characters = run
            done = last
            letters = sum(c.isalpha() for c in characters)
            digits = len(characters) - letters
            start, end = doc.starts[first], doc.ends[last]
            if letters and digits and 5 <= len(characters) <= 7 and POSTCODE_RE.fullmatch(
                    characters[:-3].upper() + " " + characters[-3:].upper()):
                yield self.span(doc, start, end, EntityType.POSTCODE, 0.85)
            elif digits >= SAID_CODE_DIGITS and letters:
                yield self.span(doc, start, end, EntityType.CASE_NUMBER, 0.85)
            elif digits >= SAID_CODE_DIGITS and (CASE_CONTEXT_RE.search(text, max(0, start - 40), start)
                                                 or NUMBER_CONTEXT_RE.search(text, max(0, start - 40), start)):
                yield self.span(doc, start, end, EntityType.CASE_NUMBER, 0.8)

    @staticmethod
    def _run(doc: Doc, words: list[str], i: int) -> tuple[int, int, str] | None:
        """The words from ``i`` that each say one character (a letter, a digit, "double"
        before a digit), one space or comma apart, and the characters they say."""
        characters, last = "", None
        text = doc.text
        j = i
        while j < len(words) and len(characters) < 16:
            word = words[j]
            if last is not None and text[doc.ends[last]:doc.starts[j]] not in (" ", ", ", "-"):
                break
            if word in SAID_REPEATS and j + 1 < len(words) and words[j + 1] in SAID_DIGITS:
                characters += SAID_DIGITS[words[j + 1]] * SAID_REPEATS[word]
                last = j = j + 1
            elif word in SAID_DIGITS or (word.isdigit() and len(word) == 1):
                characters += SAID_DIGITS.get(word, word)
            elif len(word) == 1 and word.isalpha() and (characters or word not in "ai"):
                characters += word  # "a" and "i" open a run only as the article and the pronoun do not
            else:
                break
            last = j
            j += 1
        if last is None:
            return None
        return (i, last, characters) if len(characters) >= 5 else None
