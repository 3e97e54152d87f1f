"""Ways to reach someone: emails (also spoken: "jay dot smith at gmail dot com"), URLs,
social-media handles, and UK phone numbers - written in any grouping, spoken digit by digit
("oh seven seven double oh ..."), including the Ofcom drama ranges that ``phonenumbers``
rejects as invalid (07700 900xxx, 0113 496 0xxx), since a real number typed in a transcript
looks exactly like them."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import Doc, Recognizer
from .vocab import FUNCTION_WORDS, SAID_DIGITS, SAID_REPEATS

EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                      r"\.[A-Za-z]{2,24}\b")
_TLD_WORDS = r"(?:com|co|uk|org|net|gov|sch|ac|nhs|io|info|me|biz|edu|police|email|mail)"
# speech-to-text splits what was said run together: an initial apart from the surname ("g
# costello at"), a domain of two or three words ("at dunmarsh swis dot org dot uk")
_NO_DOMAIN_WORD = r"(?!(?:the|a|an|my|our|his|her|their|your|this|that|dot|at)\b)"
SPOKEN_EMAIL_RE = re.compile(
    rf"(?:\b[A-Za-z]\s+)?\b[A-Za-z0-9_]+(?:\s+(?:dot|underscore|dash|hyphen)\s+[A-Za-z0-9_]+)*\s+at\s+"
    rf"{_NO_DOMAIN_WORD}[A-Za-z0-9-]+(?:\s+{_NO_DOMAIN_WORD}[A-Za-z0-9-]+){{0,2}}(?:\s+dot\s+{_TLD_WORDS})+\b",
    re.IGNORECASE)
# a web address said aloud: "dunmarsh family hub dot org dot uk" (the words before it, back to
# a function word, name the site)
SPOKEN_URL_RE = re.compile(r"(?<![\w'])(?:[A-Za-z0-9'-]+\s+){0,3}[A-Za-z0-9'-]+(?:\s+dot\s+(?:com|org|co|net|gov|uk|io|info|sch|ac|nhs))+\b",
                           re.IGNORECASE)
URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'()\[\]]+"
    r"|\b(?<![@.])[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*"
    r"\.(?:co\.uk|org\.uk|gov\.uk|sch\.uk|ac\.uk|nhs\.uk|police\.uk|ltd\.uk|me\.uk|net\.uk"
    r"|com|org|net|io|info|biz|uk|eu|ly|gl|be|tv|app)\b(?:/[^\s<>\"'()\[\]]*)?(?![@\w])",
    re.IGNORECASE)
# Social platforms and the words for an account's name on them ("user name" is two words)
_PLATFORMS = ("instagram", "insta", "ig", "snapchat", "snap", "tiktok", "twitter", "facebook", "fb",
              "discord", "twitch", "youtube", "xbox", "psn", "playstation", "steam", "roblox", "reddit",
              "telegram", "gamertag", "username", "handle",
              # an account named without its platform: "from an account called jay_trainz07"
              "account", "profile", "channel")
_PLATFORM_WORDS = frozenset(_PLATFORMS) | {"user"}
HANDLE_RE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?\b")

# UK numbers: a leading 0 or +44/0044, then 9-10 more digits in any grouping of spaces,
# hyphens, dots and brackets.
# (en and em dashes, non-breaking and other hyphens, underscores: "07700 \u2013 900123")
_SEP = r"[ \-.\u00a0_\u2010\u2011\u2012\u2013\u2014]{0,3}"
UK_PHONE_RE = re.compile(
    rf"(?<![\w+])(?:(?:\+|00){_SEP}44{_SEP}(?:\(0\){_SEP})?\(?|\(?0)\d(?:\)?{_SEP}\(?\d){{8,10}}(?![\d])")
INTERNATIONAL_PHONE_RE = re.compile(rf"(?<![\w+])\+{_SEP}[1-9]\d{{0,2}}(?:{_SEP}\(?\d+\)?){{2,6}}(?![\d])")
# A bare 6-8 digit local number is a phone number only when the words around say so.
LOCAL_PHONE_RE = re.compile(rf"(?<![\w+])\d{{3,5}}{_SEP}\d{{3,4}}(?![\d])")
_AT_RE = re.compile("@")
# words before a spoken address that are no part of it: "yeah, it's on their website dot com"
_NOT_A_SITE = frozenset({"yeah", "yes", "so", "um", "erm", "er", "uh", "like", "website", "site", "web",
                         "page", "address", "email", "it's", "its", "online", "go", "look", "see"})
_DOT_WORD_RE = re.compile(r"\bdot\b")
_URL_ANCHOR_RE = re.compile(r"www\.|://|\.(?:co|com|org|net|uk|io|info|biz|eu|ly|gl|be|tv|app)\b")
PHONE_CONTEXT_RE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|mob|number|call|ring|rang|text|texted|whatsapp|contact|"
    r"extension|ext|landline|dial|dialled)\b", re.IGNORECASE)

# how many digits each word says (a repeat says none itself: it doubles the next)
_DIGIT_WORDS = {**{word: 1 for word in SAID_DIGITS}, **{word: 0 for word in SAID_REPEATS},
                "hundred": 2, "thousand": 3}
_SPOKEN_TOKEN = (r"(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|double|"
                 r"treble|triple|hundred|thousand|\d{1,5})")
_DIGIT_WORD_SET = frozenset(_DIGIT_WORDS) - {"hundred", "thousand"}
_RUN_WORDS = frozenset(_DIGIT_WORDS)
SPOKEN_DIGITS_RE = re.compile(rf"\b{_SPOKEN_TOKEN}(?:[\s,\-]+{_SPOKEN_TOKEN}){{5,}}\b", re.IGNORECASE)
# A user name said aloud: words joined by a spoken "underscore" (said of nothing but a user
# name, an e-mail or a file), with its "at" and the digits said after it: "at hope underscore
# mcc zero eight"
_SPOKEN_JOIN = r"\s+(?:underscore|dot|dash|hyphen)\s+"
SPOKEN_HANDLE_RE = re.compile(
    rf"(?:\bat\s+)?\b[A-Za-z0-9]+(?:{_SPOKEN_JOIN}[A-Za-z0-9]+)*\s+underscore\s+[A-Za-z0-9]+"
    rf"(?:{_SPOKEN_JOIN}[A-Za-z0-9]+)*(?:\s+{_SPOKEN_TOKEN}\b)*", re.IGNORECASE)
_UNDERSCORE_WORD_RE = re.compile(r"\bunderscore\b", re.IGNORECASE)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _uk_national(text: str) -> str:
    """The national significant number: digits after 0, +44, 0044 or +44 (0)."""
    digits = _digits(text)
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and not text.lstrip("(").startswith("0"):
        digits = digits[2:]
    return digits[1:] if digits.startswith("0") else digits


@register_recognizer("contact.email", default=True)
class EmailRecognizer(Recognizer):
    entity_types = frozenset({EntityType.EMAIL})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if "@" in text:
            for match in doc.scan(EMAIL_RE, doc.windows(_AT_RE, 70, 260)):
                yield self.span(doc, *match.span(), EntityType.EMAIL, 0.99)
        if " dot " in doc.lowered:
            for match in doc.scan(SPOKEN_EMAIL_RE, doc.windows(_DOT_WORD_RE, 120, 80, lowered=True)):
                yield self.span(doc, *match.span(), EntityType.EMAIL, 0.85)


@register_recognizer("contact.url", default=True)
class UrlRecognizer(Recognizer):
    entity_types = frozenset({EntityType.URL})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if " dot " in doc.lowered:
            for match in doc.scan(SPOKEN_URL_RE, doc.windows(_DOT_WORD_RE, 80, 60, lowered=True)):
                # the site's name: the words right before the first "dot", back to a word
                # that is no part of it ("i looked at [the school] dot com" names nothing)
                name = match.group()[:re.search(r"\s+dot\s", match.group(), re.IGNORECASE).start()]
                start = None
                for word in reversed(list(re.finditer(r"\S+", name))):
                    if word.group().lower() in FUNCTION_WORDS or word.group().lower() in _NOT_A_SITE:
                        break
                    start = match.start() + word.start()
                if start is not None and name[start - match.start():].lower() not in _NOT_A_SITE:
                    yield self.span(doc, start, match.end(), EntityType.URL, 0.85)
        if "." not in text:
            return
        for match in doc.scan(URL_RE, doc.windows(_URL_ANCHOR_RE, 120, 200, lowered=True)):
            start, end = match.span()
            while end > start and text[end - 1] in ".,;:!?":
                end -= 1
            # "e.g." and "i.e." are no domains; a bare "word.com" is
            if end - start >= 4:
                yield self.span(doc, start, end, EntityType.URL, 0.95)


# "her snapchat is ellz.pritch", "insta: kayd3n_t", "his gamertag was Vortexx": a handle
# named by its platform, written without "@"
_PLATFORM_HANDLE_RE = re.compile(
    rf"\b(?:{'|'.join(_PLATFORMS)}|user\s?name)"
    r"(?:\s+(?:name|handle|username|account|id))?\s*(?:(?:is|was)\s+called|is|was|:|=|-|called)\s*"
    r"([A-Za-z0-9_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_])(?![\w@])", re.IGNORECASE)


@register_recognizer("contact.handle", default=True)
class HandleRecognizer(Recognizer):
    entity_types = frozenset({EntityType.HANDLE})

    def detect(self, doc: Doc) -> Iterable[Span]:
        if "@" in doc.text:
            for match in HANDLE_RE.finditer(doc.text):
                yield self.span(doc, *match.span(), EntityType.HANDLE, 0.9)
        if "underscore" in doc.lowered:
            for match in doc.scan(SPOKEN_HANDLE_RE, doc.windows(_UNDERSCORE_WORD_RE, 120, 120, lowered=True)):
                yield self.span(doc, *match.span(), EntityType.HANDLE, 0.85)
        if _PLATFORM_WORDS.isdisjoint(doc.lower_words):
            return  # (a set lookup per word: scanning the text for the platforms costs 5 times as much)
        windows: list[tuple[int, int]] = []
        for i, word in enumerate(doc.lower_words):
            if word in _PLATFORM_WORDS:
                if windows and doc.starts[i] <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], doc.ends[i] + 60)
                else:
                    windows.append((doc.starts[i], doc.ends[i] + 60))
        for match in doc.scan(_PLATFORM_HANDLE_RE, windows):
            handle = match.group(1)
            # a username's marks (a dot, an underscore, a digit), or a word no dictionary
            # knows; not "blocked", "private", "down"
            if any(c in handle for c in "._0123456789") or not doc.lexicon.is_word(handle):
                yield self.span(doc, *match.span(1), EntityType.HANDLE, 0.8)


@register_recognizer("contact.phone", default=True)
class PhoneRecognizer(Recognizer):
    """UK numbers in any grouping, international numbers, and local numbers in context."""

    entity_types = frozenset({EntityType.PHONE})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        if not doc.has_digit:
            return
        taken: list[tuple[int, int]] = []
        for match in doc.scan(UK_PHONE_RE, doc.digit_windows):
            if 9 <= len(_uk_national(match.group())) <= 10:
                taken.append(match.span())
                yield self.span(doc, *match.span(), EntityType.PHONE, 0.92)
        for match in doc.scan(INTERNATIONAL_PHONE_RE, doc.digit_windows):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if 8 <= len(_digits(match.group())) <= 15:
                taken.append(match.span())
                yield self.span(doc, *match.span(), EntityType.PHONE, 0.85)
        for match in doc.scan(LOCAL_PHONE_RE, doc.digit_windows):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if 6 <= len(_digits(match.group())) <= 8 and PHONE_CONTEXT_RE.search(
                    text, max(0, match.start() - 40), match.start()):
                yield self.span(doc, *match.span(), EntityType.PHONE, 0.8)


@register_recognizer("contact.spoken_phone", default=True)
class SpokenPhoneRecognizer(Recognizer):
    """Numbers read out: "oh seven seven double oh, nine hundred, one two three"."""

    entity_types = frozenset({EntityType.PHONE})

    def detect(self, doc: Doc) -> Iterator[Span]:
        text = doc.text
        words = doc.lower_words
        if _DIGIT_WORD_SET.isdisjoint(words):
            return
        # runs of 4+ number words close together; the full pattern runs only there
        indices = [i for i, w in enumerate(words) if w in _RUN_WORDS]
        for low, high in doc.digit_windows:  # numerals among the words ("oh seven 7 double")
            indices += [i for i in range(doc.word_at(low), doc.word_at(high))
                        if i < len(words) and words[i].isdigit()]
        indices = sorted(set(indices))
        ranges: list[tuple[int, int]] = []
        run_start = previous = None
        for i in indices + [None]:
            if i is not None and previous is not None and i == previous + 1:
                previous = i
                continue
            if run_start is not None and previous - run_start >= 3:
                ranges.append((max(0, doc.starts[run_start] - 1), doc.ends[previous]))
            run_start = previous = i
        for match in doc.scan(SPOKEN_DIGITS_RE, ranges):
            start, end = match.start(), match.end()
            while end > start and not text[end - 1].isalnum():
                end -= 1
            tokens = re.findall(r"[A-Za-z]+|\d+", text[start:end])
            digits = 0
            spelled = 0
            for token in tokens:
                if token.isdigit():
                    digits += len(token)
                else:
                    digits += _DIGIT_WORDS[token.lower()]
                    spelled += 1
            # "one or two" never gets here; a run of 7+ spoken digits is a number being read
            # out. A run of plain numerals is the written-phone recognizer's job.
            if spelled < 3 or digits < 7:
                continue
            first = tokens[0].lower()
            context = PHONE_CONTEXT_RE.search(text, max(0, start - 60), start)
            if first in {"zero", "oh", "o", "nought", "0"} or first.startswith("0") or context:
                yield self.span(doc, start, end, EntityType.PHONE, 0.85 if context else 0.75)
