"""Caseless text: lines written without capitals, and the truecased copy the rules read.

Speech-to-text often writes a whole transcript in lower case (``kayden thornbury said``,
``ravensworth academy``, ``27 ashgrove road``). The rules judge names by their capitals, so
such a line is detected as caseless (:func:`caseless_lines`) and the rules read a copy of it in
which the words that are probably names carry a capital again (:func:`truecase`): the copy has
the same length, so every offset still points into the original. The learned model reads the
line in lower case, as it was trained to (``doc.caseless_ranges``).

Which words get a capital (stricter than capitals would be: a capital is evidence the line
does not give):

* a word no dictionary explains (``kayden``, ``thornbury``, ``ravensworth``), unless a
  keep-term or a filler;
* a listed first name, surname, place or local authority that is more often a name than a
  word (``jack``, ``rotherham``);
* a listed surname right after a word that got a capital (``kayden little``);
* the head word of a school, organisation, street or estate right after a word that got a
  capital (``ravensworth academy``, ``ashgrove road``);
* ``i`` (as cased text writes it). A sentence's first word gets no capital: it would say
  nothing, and the rules judge rare words at a sentence's start as unknown ones.

Words joined to a URL, an e-mail address or a code (``www.example.com``, ``a_b``) are left
as they are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .recognizers.vocab import (ESTATE_HEADS, FUNCTION_WORDS, ORGANISATION_HEADS, SCHOOL_HEADS,
                                STREET_HEADS)

if TYPE_CHECKING:
    from .keeplist import KeepList
    from .recognizers.lexicon import Lexicon

# A line of at least this many words with no capital is caseless; a longer one with capitals
# on fewer than CASELESS_SHARE of its words is too (a stray "I" or an acronym).
CASELESS_MIN_WORDS = 3
# ... and as many words a line, on average, as speech has
LINE_WORDS = 3
_BLANK_LINE_RE = re.compile(r"^[^\S\n]*$", re.MULTILINE)
CASELESS_SHARE = 0.02
_LONG_LINE_WORDS = 25
PROSE_LINE_WORDS = 8
LIST_COMMAS = 0.25
# "upskilled", "reassessed": a dictionary word after one of these is a word
_PREFIXES = ("up", "down", "out", "over", "under", "re", "pre", "non", "co", "mis", "un", "de",
             "sub", "inter", "multi", "self", "anti", "post", "cross", "counter", "mid", "semi")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_LINE_RE = re.compile(r"[^\n]+")
_I_FORMS = frozenset({"i", "i'm", "i'll", "i've", "i'd"})
# Spoken fillers and hesitations speech-to-text writes out (not all are dictionary words).
FILLERS = frozenset({"um", "umm", "erm", "er", "uh", "uhm", "hmm", "mm", "mhm", "mmm", "ah", "oh",
                     "eh", "yeah", "yep", "nah", "ok", "okay", "aha", "uh-huh", "gonna", "wanna",
                     "gotta", "kinda", "sorta", "dunno", "cos", "coz", "innit", "ya", "yeh"})
_HEADS = SCHOOL_HEADS | ORGANISATION_HEADS | STREET_HEADS | ESTATE_HEADS
# A name more often a name than a word (log10 people minus Zipf) gets a capital.
NAME_OVER_WORD = 0.0
# A surname after a capitalised word gets one when it is no commoner a word than this.
SURNAME_AFTER_NAME_ZIPF = 4.5
_JOINED = frozenset("@/\\_.:=#")


def _is_caseless(words: list[str]) -> bool:
    if len(words) < CASELESS_MIN_WORDS:
        return False
    capitals = sum(1 for w in words if w[0].isupper() and w.lower() not in _I_FORMS)
    if len(words) < _LONG_LINE_WORDS:
        return capitals == 0
    return capitals < CASELESS_SHARE * len(words)


def caseless_lines(text: str) -> list[tuple[int, int]]:
    """Ranges of the lines of ``text`` written without capitals (see ``CASELESS_*``); a text
    that is caseless as a whole counts as one range, so its short lines ("yeah ok") go too.
    In a text with capitals, a line without is caseless only when it reads as speech (eight
    words or more, not a list of comma-separated keywords): a cased document's lower-case
    lines are more often lists, code and keywords than speech."""
    words = _WORD_RE.findall(text)
    lines = text.count("\n") + 1 - len(_BLANK_LINE_RE.findall(text))
    if _is_caseless(words) and len(words) >= LINE_WORDS * lines \
            and text.count(",") < LIST_COMMAS * len(words):
        # (a column of single words, "stage\ningest\nheatmap", is no speech)
        return [(0, len(text))] if text else []
    if "\n" not in text:
        return []
    ranges = []
    for match in _LINE_RE.finditer(text):
        line_words = _WORD_RE.findall(match.group())
        if len(line_words) >= PROSE_LINE_WORDS and match.group().count(",") < LIST_COMMAS * len(line_words) \
                and _is_caseless(line_words):
            ranges.append(match.span())
    return ranges


def truecase(text: str, ranges: list[tuple[int, int]], lexicon: "Lexicon",
             keep_list: "KeepList | None" = None) -> str:
    """``text`` with the words inside ``ranges`` that are probably names capitalised (see the
    module docstring); same length, so offsets are unchanged."""
    if not ranges:
        return text
    chars = list(text)
    kept = keep_list.find(text) if keep_list is not None else []
    for low, high in ranges:
        _truecase_range(text, chars, low, high, lexicon, kept, keep_list)
    return "".join(chars)


def _inside_any(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(low <= start and end <= high for low, high in ranges)


def _truecase_range(text: str, chars: list[str], low: int, high: int, lexicon: "Lexicon",
                    kept: list[tuple[int, int]], keep_list: "KeepList | None") -> None:
    matches = list(_WORD_RE.finditer(text, low, high))
    capitalised = [False] * len(matches)
    for k, match in enumerate(matches):
        start, end = match.span()
        word = match.group()
        lower = word.lower()
        before = text[start - 1] if start > low else " "
        after = text[end] if end < high else " "
        if (before in _JOINED and start - 1 > low and not text[start - 2].isspace()) or (
                after in _JOINED and end + 1 < high and not text[end + 1].isspace()) or (
                before.isdigit() and lower not in _HEADS):
            continue  # part of an address, a URL, a code or a postcode
        if not word.islower():
            capitalised[k] = word[0].isupper() and lower not in _I_FORMS
            continue
        if lower in _I_FORMS:
            chars[start] = chars[start].upper()
            continue
        if lower in FILLERS or len(lower) < 2 or _inside_any(kept, start, end) or (
                keep_list is not None and lower.endswith("s") and lower[:-1] in keep_list):
            continue  # a filler, a keep-term ("idva") or its plural ("idvas")
        name = _probably_name(lower, lexicon)
        if not name and k > 0 and capitalised[k - 1] and text[matches[k - 1].end():start] == " ":
            # "kayden little", "ravensworth academy", "ashgrove road"
            name = lower in _HEADS or (lexicon.surname_count(lower.title()) > 0
                                       and lexicon.word_zipf(lower) < SURNAME_AFTER_NAME_ZIPF)
        if name:
            chars[start] = chars[start].upper()
            capitalised[k] = True


def _probably_name(lower: str, lexicon: "Lexicon") -> bool:
    if lower in FUNCTION_WORDS:
        return False
    if not lexicon.is_word(lower):
        # "upskilled", "reassessed": a prefix before a word
        return not any(lower.startswith(p) and len(lower) - len(p) >= 4 and lexicon.is_word(lower[len(p):])
                       for p in _PREFIXES)
    title = lower.title()
    if title in lexicon.places or title in lexicon.local_authorities:
        return lexicon.word_zipf(lower) < 3.0
    return lexicon.name_vs_word(title) > NAME_OVER_WORD
