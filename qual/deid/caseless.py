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
from collections import Counter
from typing import TYPE_CHECKING

from .caseless_context import (_I_FORMS, _ORGANISED_HEADS, _WORD_RE, FILLERS, NAME_OVER_WORD, _before_names,
                               _inside_any)
from .recognizers.vocab import ESTATE_HEADS, FUNCTION_WORDS, STREET_HEADS

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
_LINE_RE = re.compile(r"[^\n]+")
_TWO_WORDS_RE = re.compile(r"[^\W\d_]+\W+[^\W\d_]+")
_HEADS = _ORGANISED_HEADS | STREET_HEADS | ESTATE_HEADS
# A surname after a capitalised word gets one when it is no commoner a word than this.
SURNAME_AFTER_NAME_ZIPF = 4.5
_JOINED = frozenset("@/\\_.:=#")


# A speaker label at a line's start ("Participant: ", "00:01:02 Sam Jones: "): written by
# the transcriber's template, so its capitals say nothing about how the speech is written
_LABEL_RE = re.compile(r"(?m)^[ \t]*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]+)?[A-Z][\w'.\- ]{0,40}:[ \t]")


# A capital opening a word for certain (after a space or a mark; not "I", "I'm"): counted in
# one quick pass to rule a text out before counting its words (see _surely_cased)
_CAPITAL_START_RE = re.compile(r"[\s\"(\[{,.;:!?/\-](?:[A-HJ-Z]|I[a-z])")


def _without_labels(text: str) -> str:
    if ":" in text:
        return _LABEL_RE.sub(lambda m: " " * len(m.group()), text)
    return text


def _surely_cased(text: str) -> bool:
    """Whether ``text`` (labels blanked) has too many capitals to be caseless, whatever its
    word count: at least one, and one in 1/CASELESS_SHARE of the most words it could hold
    (a word takes a letter and a separator). Half of an interview's turns are ruled out so,
    at a fifth of the cost of counting their words."""
    capitals = len(_CAPITAL_START_RE.findall(text))
    return capitals > 0 and capitals >= CASELESS_SHARE * ((len(text) + 1) // 2)


def _word_counts(text: str) -> tuple[int, int]:
    """Words, and words that begin with a capital (less "I", "I'm" ... and speaker labels),
    counted without keeping them (a transcript can be one line of millions of words)."""
    return _counts(_without_labels(text))


def _counts(text: str) -> tuple[int, int]:
    """:func:`_word_counts` of a text whose speaker labels are blanked already."""
    # counted in C by Counter (holding each distinct word once), then a look at each
    # distinct capitalised word
    counts = Counter(map(re.Match.group, _WORD_RE.finditer(text)))
    capitals = sum(count for word, count in counts.items()
                   if word[0].isupper() and word.lower() not in _I_FORMS)
    return sum(counts.values()), capitals


def _is_caseless(counts: tuple[int, int]) -> bool:
    words, capitals = counts
    if words < CASELESS_MIN_WORDS:
        return False
    if words < _LONG_LINE_WORDS:
        return capitals == 0
    return capitals < CASELESS_SHARE * words


# Speech holds at least this share of function words; a list of keywords does not.
LIST_FUNCTION_SHARE = 0.2


def _reads_as_list(text: str, words: int) -> bool:
    """Comma-separated keywords ("ingest, deid, check, export"), not speech with its commas
    ("a girl, summer, she's in year 9, she's thirteen, and ...")."""
    if text.count(",") < LIST_COMMAS * words:
        return False
    sample = _WORD_RE.findall(text, 0, 20_000)
    return sum(w.lower() in FUNCTION_WORDS for w in sample) < LIST_FUNCTION_SHARE * len(sample)


def caseless_lines(text: str) -> list[tuple[int, int]]:
    """Ranges of the lines of ``text`` written without capitals (see ``CASELESS_*``); a text
    that is caseless as a whole counts as one range, so its short lines ("yeah ok") go too.
    In a text with capitals, a line without is caseless only when it reads as speech (eight
    words or more, not a list of comma-separated keywords): a cased document's lower-case
    lines are more often lists, code and keywords than speech."""
    blanked = _without_labels(text)
    if _surely_cased(blanked):
        if "\n" not in text:
            return []
        counts = (0, 0)  # not caseless as a whole; its lines are looked at below
    else:
        counts = _counts(blanked)
    words = counts[0]
    lines = text.count("\n") + 1 - len(_BLANK_LINE_RE.findall(text))
    if _is_caseless(counts) and words >= LINE_WORDS * lines and not _reads_as_list(blanked, words):
        # (a column of single words, "stage\ningest\nheatmap", is no speech); its lines of
        # one word are left as they are too: a file's format, an id, a heading ("txt", "p07")
        if "\n" not in text:
            return [(0, len(text))] if text else []
        return [match.span() for match in _LINE_RE.finditer(text)
                if _TWO_WORDS_RE.search(match.group())]
    if "\n" not in text:
        return []
    ranges = []
    for match in _LINE_RE.finditer(text):
        blanked = _without_labels(match.group())
        if _surely_cased(blanked):
            continue
        counts = _counts(blanked)
        if counts[0] >= PROSE_LINE_WORDS and not _reads_as_list(blanked, counts[0]) and _is_caseless(counts):
            ranges.append(match.span())
    return ranges


def truecase(text: str, ranges: list[tuple[int, int]], lexicon: "Lexicon",
             keep_list: "KeepList | None" = None) -> str:
    """``text`` with the words inside ``ranges`` that are probably names capitalised (see the
    module docstring); same length, so offsets are unchanged."""
    if not ranges:
        return text
    kept = _merged(keep_list.find(text)) if keep_list is not None else []
    capitals: list[int] = []
    for low, high in ranges:
        found = _truecase_range(text, low, high, lexicon, kept, keep_list)
        found += _before_names(text, low, high, set(found), lexicon, kept)
        capitals += found + _whole_places(text, low, high, set(found), lexicon)
    if not capitals:
        return text
    pieces, position = [], 0
    for index in sorted(set(capitals)):
        pieces += [text[position:index], text[index].upper()]
        position = index + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _whole_places(text: str, low: int, high: int, capitals: set[int], lexicon: "Lexicon") -> list[int]:
    """Capitals for the other words of a listed place of several words once one of its words
    got one ("high [W]ycombe", "market [H]arborough", "newcastle upon [T]yne"): the gazetteer
    reads places in their own case, so a place left half capitalised is found half, and its
    other words identify it as well as the rest. Each word gets the case the list gives it
    ("upon" stays lower)."""
    if not capitals:
        return []
    places = lexicon.multiword_places
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD_RE.finditer(text, low, high)]
    out: list[int] = []
    for i in range(len(words)):
        for n in (4, 3, 2):
            run = words[i:i + n]
            if len(run) < n or any(text[a[1]:b[0]] != " " for a, b in zip(run, run[1:])):
                continue
            if not any(start in capitals for start, _, _ in run) or run[0][2] in FUNCTION_WORDS \
                    or run[-1][2] in FUNCTION_WORDS:
                continue  # "the orchard" of "the orchard estate" is no place called The Orchard
            listed = places.get(" ".join(word for _, _, word in run))
            if listed is None:
                continue
            out += [start for (start, _, _), form in zip(run, listed.split()) if form[:1].isupper()]
            break
    return out



def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _truecase_range(text: str, low: int, high: int, lexicon: "Lexicon",
                    kept: list[tuple[int, int]], keep_list: "KeepList | None") -> list[int]:
    """Where in ``text[low:high]`` a capital goes."""
    capitals: list[int] = []
    previous_end = -1
    previous_capitalised = False  # what the word before got
    for match in _WORD_RE.finditer(text, low, high):
        start, end = match.span()
        after_name = previous_capitalised and text[previous_end:start] == " "
        previous_end, previous_capitalised = end, False
        word = match.group()
        lower = word.lower()
        before = text[start - 1] if start > low else " "
        after = text[end] if end < high else " "
        if (before in _JOINED and start - 1 > low and not text[start - 2].isspace()) or (
                after in _JOINED and end + 1 < high and not text[end + 1].isspace()) or (
                before.isdigit() and lower not in _HEADS):
            continue  # part of an address, a URL, a code or a postcode
        if not word.islower():
            previous_capitalised = word[0].isupper() and lower not in _I_FORMS
            continue
        if lower in _I_FORMS:
            capitals.append(start)
            continue
        if lower in FILLERS or len(lower) < 3 or lower in _CLITICS or _inside_any(kept, start, end) or (
                keep_list is not None and lower.endswith("s") and lower[:-1] in keep_list):
            continue  # a filler, "n't", a keep-term ("idva") or its plural ("idvas")
        name = _probably_name(lower, lexicon)
        if not name and after_name:
            # "kayden little", "ravensworth academy", "ashgrove road"
            name = lower in _HEADS or (lexicon.surname_count(lower.title()) > 0
                                       and lexicon.word_zipf(lower) < SURNAME_AFTER_NAME_ZIPF)
        if name:
            capitals.append(start)
            previous_capitalised = True
    return capitals


def _probably_name(lower: str, lexicon: "Lexicon") -> bool:
    if lower in FUNCTION_WORDS or lower in lexicon.contractions_unmarked:
        return False  # "werent", "youre": a contraction without its apostrophe
    if not lexicon.is_word(lower):
        if lexicon.is_name(lower):
            return True
        title = lower.title()
        if title in lexicon.places or title in lexicon.local_authorities:
            return True
        folded = _folded(lower)
        if lexicon.is_word(folded) or lexicon.word_zipf(folded) >= UNLISTED_WORD_ZIPF:
            return False  # "café", "cafe", "ok": words a lower-case dictionary lacks
        # "upskilled", "reassessed": a prefix before a word; "shoul", "naborhood": a typing
        # slip of a common word (speech-to-text writes words, people typing slip)
        return not any(lower.startswith(p) and len(lower) - len(p) >= 4 and lexicon.is_word(lower[len(p):])
                       for p in _PREFIXES) and not _misspelt_word(lower, lexicon)
    title = lower.title()
    if title in lexicon.places or title in lexicon.local_authorities:
        return lexicon.word_zipf(lower) < 3.0
    return lexicon.name_vs_word(title) > NAME_OVER_WORD


# A word this frequent that no list names is a word, whatever the dictionary says
UNLISTED_WORD_ZIPF = 3.5


def _folded(word: str) -> str:
    """``word`` without its accents ("café" -> "cafe")."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_CLITICS = frozenset({"n't", "nt", "'s", "'ll", "'re", "'ve", "'d", "'m"})
# A common word ("should", "neighbourhood") this close (rapidfuzz ratio) to an unknown one
# makes it a slip of that word.
MISSPELT_RATIO = 85
MISSPELT_COMMON_ZIPF = 4.0


_COMMON_WORDS: dict[int, list[str]] = {}
_MISSPELT: dict[str, bool] = {}


def _common_words(lexicon: "Lexicon") -> dict[int, list[str]]:
    """Common dictionary words by length (built once; the lexicon is one per process)."""
    if not _COMMON_WORDS:
        for word, zipf in lexicon.zipf.items():
            if zipf >= MISSPELT_COMMON_ZIPF and word.isalpha() and word in lexicon.dictionary \
                    and not lexicon.is_name(word):
                _COMMON_WORDS.setdefault(len(word), []).append(word)
    return _COMMON_WORDS


def _misspelt_word(lower: str, lexicon: "Lexicon") -> bool:
    if len(lower) < 4:
        return False
    known = _MISSPELT.get(lower)
    if known is None:
        from rapidfuzz import fuzz, process

        words = _common_words(lexicon)
        candidates = [w for n in range(len(lower) - 1, len(lower) + 2) for w in words.get(n, ())]
        known = process.extractOne(lower, candidates, scorer=fuzz.ratio,
                                   score_cutoff=MISSPELT_RATIO) is not None
        if len(_MISSPELT) < 50_000:
            _MISSPELT[lower] = known
    return known
