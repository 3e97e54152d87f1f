"""What every recognizer shares: the :class:`Doc` it reads and the :class:`Recognizer` base.

A :class:`Doc` is one normalised text, split into words once, with the keep-list, register
and lexicon of the analyzer that made it. Recognizers return :class:`~qual.deid.types.Span`
objects with offsets into ``doc.text`` (the normalised text); the analyzer maps them back to
the original.
"""

from __future__ import annotations

import abc
import bisect
import itertools
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable

from ..identity import PLACEHOLDER_RE, strip_accents
from ..normalize import NormalizedText, normalize
from ..types import EntityType, Span
from .lexicon import Lexicon, inflection_key, inflections, load_lexicon
from .phrases import bounded, lower_same_length
from .vocab import (DETERMINERS, FUNCTION_WORDS, NAME_COORDINATED, NAME_OBJECT_BEFORE, NAME_SUBJECT_ADVERBS,
                    NAME_SUBJECT_VERBS, NOT_BEFORE_A_NAME)

if TYPE_CHECKING:
    from ..keeplist import KeepList
    from ..register import Register

# A word: letters/digits, with inner apostrophes, hyphens and dots kept ("O'Brien",
# "Smith-Jones", "Jayden's").
WORD_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
DIGIT_RE = re.compile(r"\d")
# digits, and further digits within a margin's reach: one match per cluster of numbers
_DIGITS_RE = re.compile(r"\d+(?:\D{1,60}?\d+)*")
# Patterns that need a digit are run only this close to one (all of a phone number, a
# postcode, an NI number, a case code or a date lies within it).
DIGIT_MARGIN = 30
_SPLIT_RE = re.compile(r"([^\W_]+(?:['\-][^\W_]+)*)")
# Text between two words that ends a sentence (or a turn, or opens a quotation).
BREAK_CHARS = frozenset(".?!:;\"([]\n\u2026")
_SENTENCE_BREAK = re.compile(r"[.?!:;\"(\[\]\n\u2026]|^\s*-\s|\s-\s*$")
_DOTTED_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "prof", "rev", "revd", "st", "sgt",
                                   "cllr", "mx", "jr", "sr"})
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "nr", "art", "para", "paras", "p", "pp", "vol"})
# Machine-made codes that point at no one: GUIDs/UUIDs (file and object ids in REFI-QDA
# projects, Office files, exports) and #RRGGBB colours. A colour of digits only ("#165683")
# or letters only ("#ACCEDE", a hashtag) counts as one only where the text speaks of colour;
# after a word like "case" or "ref" a "#" code is a reference number and stays a finding.
_GUID_RE = re.compile(r"(?<![\w-])\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                      r"[0-9A-Fa-f]{12}\}?(?![\w-])")
_HEX32_RE = re.compile(r"(?<![\w-])[0-9A-Fa-f]{32}(?![\w-])")
# the middle of a GUID: a literal start, so the scan for it is fast
_GUID_MIDDLE_RE = re.compile(r"-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-")
_COLOUR_RE = re.compile(r"#(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?![\w-])")
_COLOUR_CONTEXT_RE = re.compile(r"colou?r|fill|background|foreground|border|shade|tint|hue|hex|rgb|palette",
                                re.IGNORECASE)
_REFERENCE_CONTEXT_RE = re.compile(
    r"\b(?:case|ref|reference|referral|file|id|client|child|pupil|ticket|record|account|number|no)\.?\s*[:#]?\s*$",
    re.IGNORECASE)
# An all-capitals code or acronym opening a label: "REF Referrals", "OUT.CONFIDENCE Staff ..."
_LABEL_CODE_RE = re.compile(r"[A-Z][A-Z0-9]+(?:[._\-][A-Z0-9]+)*")
# Between two parts of a machine-made code ("ROLE.NONSTAT", "REF_INFOSHARE")
_CODE_JOINERS = frozenset({".", "_"})
_VOWELS = frozenset("AEIOUY")
# An unknown word in capitals this long reads as a word (or name), a shorter one as an acronym
SHOUTED_UNKNOWN_LETTERS = 5


def _has_vowel(letters: str) -> bool:
    return any(strip_accents(c)[:1] in _VOWELS for c in letters)


def capitals_read_as_word(word: str, lexicon: Lexicon) -> bool:
    """``word`` (without a possessive) is written in capitals and reads as a word or a name
    rather than as an acronym: "GEORGE", "BRACKENSHAW", "MAX", "SAFEGUARDING" do; "DSL",
    "NSPCC" (no vowel), "GP" (two letters), "KAP", "IRO" (short, and no listed name or
    dictionary word) do not. A word in capitals that reads as a word is judged as its
    title-cased form (``George``), by the name lists and the dictionary, with a capital that
    says no more than a sentence's first.
    """
    if not word.isupper():
        return False
    letters = "".join(c for c in word if c.isalpha())
    if len(letters) < 3 or len(letters) + sum(c in "'-" for c in word) != len(word):
        return False  # two letters, or digits and symbols: an acronym or a code
    if not _has_vowel(letters):
        return False
    if len(letters) >= SHOUTED_UNKNOWN_LETTERS:
        return True
    return lexicon.is_name(word) or lexicon.is_word(word)


# Verbs whose subject is a person whatever stands before it ("said" is left out: "the report said")
_TOLD_VERBS = frozenset({"told", "tells", "rang", "rings", "phoned", "texted", "emailed", "messaged",
                         "replied", "cried", "admitted", "disclosed"})
_NOT_BEFORE_A_NAME = NOT_BEFORE_A_NAME | DETERMINERS


@dataclass
class Doc:
    """A text ready for detection."""

    normalized: NormalizedText
    lexicon: Lexicon
    keep_list: "KeepList | None" = None
    register: "Register | None" = None
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    keep_ranges: list[tuple[int, int]] = field(default_factory=list)
    _keep_words: set[int] | None = None
    _lowered: str | None = None
    _lower_words: list[str] | None = None
    _capitalised: list[int] | None = None
    _has_digit: bool | None = None
    _initial: dict[int, bool] = field(default_factory=dict)
    _digit_windows: list[tuple[int, int]] | None = None
    _searchable: dict[bool, str] = field(default_factory=dict)
    # where each text of a joined batch starts (normalised offsets); one text when empty
    text_starts: list[int] = field(default_factory=list)
    _lowercase_index: dict[int, Counter] | None = None  # per text: words as written -> count
    _text_word_starts: list[int] | None = None
    _shouted: set[int] | None = None
    # ranges of lines written without capitals (qual.deid.caseless), sorted; the text of a
    # caseless line is a truecased copy, what the original wrote is ``normalized.original``
    caseless_ranges: list[tuple[int, int]] = field(default_factory=list)
    # the rules' spans, set by the analyzer before a learned model reads the document
    rule_spans: list = field(default_factory=list)
    # (settled words, words that could hold a name): qual.deid.recognizers.ner's, once per document
    model_candidates: "tuple[set[int], list[int]] | None" = None

    @classmethod
    def make(cls, text: "str | NormalizedText", keep_list: "KeepList | None" = None,
             register: "Register | None" = None, lexicon: Lexicon | None = None,
             text_starts: list[int] | None = None) -> "Doc":
        """``text_starts``: where each text starts when several are joined into one document
        (what counts as "the same text" for :meth:`lowercase_uses`)."""
        normalized = text if isinstance(text, NormalizedText) else normalize(text)
        doc = cls(normalized, lexicon or load_lexicon(), keep_list, register)
        doc.text_starts = list(text_starts or [])
        # one C-level split gives words and the gaps between them; offsets follow from the
        # running sum of their lengths
        parts = _SPLIT_RE.split(normalized.text)
        offsets = list(itertools.accumulate(map(len, parts), initial=0))
        doc.words = parts[1::2]
        doc.starts = offsets[1:-1:2]
        doc.ends = offsets[2::2]
        doc.keep_ranges = _merge_ranges(doc._keep_ranges())
        return doc

    @property
    def text(self) -> str:
        return self.normalized.text

    def windows(self, anchor: re.Pattern, before: int, after: int,
                lowered: bool = False) -> list[tuple[int, int]]:
        """Merged character ranges around each match of a cheap ``anchor`` pattern: an
        expensive pattern is then run only there (``pattern.finditer(text, low, high)``)."""
        text = self.lowered if lowered else self.normalized.text
        size = len(text)
        merged: list[tuple[int, int]] = []
        for match in anchor.finditer(text):
            low, high = max(0, match.start() - before), min(size, match.end() + after)
            if merged and low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
            else:
                merged.append((low, high))
        return merged

    @property
    def digit_windows(self) -> list[tuple[int, int]]:
        """Ranges around every run of digits (see ``DIGIT_MARGIN``)."""
        if self._digit_windows is None:
            self._digit_windows = self.windows(_DIGITS_RE, DIGIT_MARGIN, DIGIT_MARGIN)
        return self._digit_windows

    def scan(self, pattern: re.Pattern, ranges: list[tuple[int, int]],
             lowered: bool = False) -> Iterable[re.Match]:
        """``pattern.finditer`` over each range of the text (or of its lower-cased form)."""
        text = self.lowered if lowered else self.normalized.text
        for low, high in ranges:
            yield from pattern.finditer(text, low, high)

    @property
    def has_digit(self) -> bool:
        if self._has_digit is None:
            self._has_digit = DIGIT_RE.search(self.normalized.text) is not None
        return self._has_digit

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = lower_same_length(self.text)
        return self._lowered

    @property
    def lower_words(self) -> list[str]:
        if self._lower_words is None:
            self._lower_words = list(map(str.lower, self.words))
            if len(self.lowered) != len(self.normalized.text):
                self._lower_words = _SPLIT_RE.split(self.lowered)[1::2]
        return self._lower_words

    @property
    def capitalised(self) -> list[int]:
        """Indices of the words that begin with a capital letter."""
        if self._capitalised is None:
            first_letters = map(operator.itemgetter(0), self.words)
            self._capitalised = list(itertools.compress(itertools.count(),
                                                        map(str.isupper, first_letters)))
        return self._capitalised

    @property
    def shouted_words(self) -> set[int]:
        """Indices of the words written in capitals that read as words or names (see
        :func:`capitals_read_as_word`), less the parts of a code ("ROLE.NONSTAT")."""
        if self._shouted is None:
            shouted = set()
            words = self.words
            text = self.normalized.text
            for i in self.capitalised:
                word = words[i]
                if len(word) < 3 or not word.isupper():
                    continue
                if not capitals_read_as_word(self.base(i), self.lexicon):
                    continue
                before = text[self.ends[i - 1]:self.starts[i]] if i > 0 else ""
                after = text[self.ends[i]:self.starts[i + 1]] if i + 1 < len(words) else ""
                if (before in _CODE_JOINERS and words[i - 1].isupper()) or (
                        after in _CODE_JOINERS and words[i + 1].isupper()):
                    continue  # a part of a code: "ROLE.NONSTAT", "REF_INFOSHARE"
                shouted.add(i)
            self._shouted = shouted
        return self._shouted

    def shouted(self, i: int) -> bool:
        """Word ``i`` is written in capitals and reads as a word or a name ("GEORGE", not
        "DSL"): its capitals say no more than a sentence's first capital."""
        return i in self.shouted_words

    def capital_says_nothing(self, i: int) -> bool:
        """Word ``i``'s capital is no evidence of a name: it opens a sentence, or a heading or
        label after its code, or the word is written in capitals."""
        return self.sentence_initial(i) or self.opens_label(i) or self.shouted(i)

    def shouted_ranges(self) -> list[tuple[int, int]]:
        """Character ranges of runs of shouted words (with the gaps inside a run)."""
        ranges: list[tuple[int, int]] = []
        previous = -2
        for i in sorted(self.shouted_words):
            if i == previous + 1 and ranges and self.starts[i] - ranges[-1][1] <= 3:
                ranges[-1] = (ranges[-1][0], self.ends[i])
            else:
                ranges.append((self.starts[i], self.ends[i]))
            previous = i
        return ranges

    def release(self) -> None:
        """Drop what only the recognizers needed (a corpus keeps its documents between
        detection and propagation)."""
        self._lower_words = None
        self._capitalised = None
        self._digit_windows = None
        self._lowercase_index = None
        self._text_word_starts = None
        self._shouted = None
        self.rule_spans = []
        self.model_candidates = None

    def searchable(self, case_sensitive: bool) -> str:
        """The text in the bounded form :class:`PhraseMatcher` searches (lower-cased unless
        ``case_sensitive``), built once per document."""
        if case_sensitive not in self._searchable:
            self._searchable[case_sensitive] = bounded(self.text if case_sensitive else self.lowered)
        return self._searchable[case_sensitive]

    def __len__(self) -> int:
        return len(self.words)

    # ------------------------------------------------------------------ keep-list

    def _keep_ranges(self) -> list[tuple[int, int]]:
        from ..mentions import annotation_shapes

        # of a transcriber annotation only its shape (keyword, timestamp, brackets) is kept:
        # what is inside it ("[inaudible, sounded like Kayden Thornbury]") is text like any other
        ranges = annotation_shapes(self.text)
        # redaction placeholders ([Person 3], [REDACTED]): never identifiers
        ranges += [m.span() for m in PLACEHOLDER_RE.finditer(self.text)]
        ranges += self._machine_codes()
        # nationalities ("Palestinians", "Argentinian") identify no one
        lexicon = self.lexicon
        ranges += [(self.starts[i], self.ends[i]) for i in self.capitalised
                   if len(self.words[i]) >= 5 and lexicon.is_demonym(self.base(i))]
        if self.keep_list is not None:
            ranges += self.keep_list.find(self.text, self.searchable(False), self.searchable(True))
        return ranges

    def _machine_codes(self) -> list[tuple[int, int]]:
        """GUIDs and colours (see ``_GUID_RE``, ``_COLOUR_RE``): never identifiers."""
        text = self.text
        ranges = []
        if "-" in text:
            for middle in _GUID_MIDDLE_RE.finditer(text):
                guid = _GUID_RE.search(text, max(0, middle.start() - 9), middle.end() + 15)
                if guid and guid.start() < middle.start():
                    ranges.append(guid.span())
        if len(text) >= 32 and self.has_digit:
            ranges += [m.span() for m in self.scan(_HEX32_RE, self.digit_windows)]
        if "#" in text:
            for match in _COLOUR_RE.finditer(text):
                before = text[max(0, match.start() - 40):match.start()]
                if _REFERENCE_CONTEXT_RE.search(before):
                    continue  # "case #123456", "ref #A1B2C3": a reference number
                code = match.group()[1:]
                mixed = any(c.isdigit() for c in code) and any(c.isalpha() for c in code)
                if not (mixed and len(code) >= 6) and not _COLOUR_CONTEXT_RE.search(before):
                    continue
                ranges.append(match.span())
        return ranges

    @property
    def keep_words(self) -> set[int]:
        """Indices of words inside a keep-term or a transcriber annotation."""
        if self._keep_words is None:
            keep: set[int] = set()
            for start, end in self.keep_ranges:
                first = bisect.bisect_left(self.ends, start + 1)
                last = bisect.bisect_left(self.starts, end)
                keep.update(range(first, last))
            self._keep_words = keep
        return self._keep_words

    def is_kept(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies wholly inside one keep range."""
        i = bisect.bisect_right(self.keep_ranges, (start, float("inf"))) - 1
        return i >= 0 and self.keep_ranges[i][0] <= start and end <= self.keep_ranges[i][1]

    # ------------------------------------------------------------------ words

    def word_at(self, position: int) -> int:
        """Index of the word containing or following character ``position``."""
        return bisect.bisect_right(self.ends, position)

    def base(self, i: int) -> str:
        """The word without a possessive ending: "Jayden's" -> "Jayden"."""
        word = self.words[i]
        if word[-2:] in ("'s", "'S") and len(word) > 3:
            return word[:-2]
        return word

    def base_end(self, i: int) -> int:
        return self.starts[i] + len(self.base(i))

    def gap_before(self, i: int) -> str:
        """The characters between word ``i - 1`` and word ``i``."""
        previous_end = self.ends[i - 1] if i > 0 else 0
        return self.text[previous_end:self.starts[i]]

    def sentence_initial(self, i: int) -> bool:
        """Word ``i`` opens a sentence, a turn, a quotation or a line."""
        known = self._initial.get(i)
        if known is None:
            known = self._initial[i] = self._sentence_initial(i)
        return known

    def _sentence_initial(self, i: int) -> bool:
        if i == 0:
            return True
        gap = self.normalized.text[self.ends[i - 1]:self.starts[i]]
        if gap == " ":
            return False
        if not BREAK_CHARS.isdisjoint(gap) or ("-" in gap and _SENTENCE_BREAK.search(gap)):
            # "Mr. Smith", "J. Smith": a dot after a title or an initial ends no sentence
            return not (gap.strip() == "." and self._abbreviation(i - 1))
        # an opening single quote: "about 'Facilitators'" (an apostrophe inside a word,
        # "don't", is part of the word, not a gap)
        return len(gap) >= 2 and gap[-1] == "'" and (gap[-2].isspace() or gap[-2] in "([{")

    def _abbreviation(self, j: int) -> bool:
        """Word ``j`` takes a dot that ends no sentence: an initial, a title, or "no." before
        a number."""
        word = self.words[j]
        lower = word.lower()
        if len(word) == 1 and word.isupper() or lower in _DOTTED_ABBREVIATIONS:
            return True
        return lower in _NUMBER_ABBREVIATIONS and j + 1 < len(self.words) \
            and self.words[j + 1][0].isdigit()

    def opens_label(self, i: int) -> bool:
        """Word ``i`` follows an all-capitals code or acronym, as the first word of a heading or
        label after its code does ("REF Referrals and thresholds", "OUT.CONFIDENCE Staff
        confidence"): its capital says as little as a sentence's first."""
        if i <= 0 or not self.words[i - 1].isupper() or self.starts[i] - self.ends[i - 1] != 1 \
                or self.normalized.text[self.ends[i - 1]] != " ":
            return False
        j = i - 1
        while j > 0 and self.normalized.text[self.ends[j - 1]:self.starts[j]] in (".", "_", "-") \
                and self.words[j - 1].isupper():
            j -= 1  # "OUT.CONFIDENCE": the whole code
        code = self.normalized.text[self.starts[j]:self.ends[i - 1]]
        if len(code) < 2 or not _LABEL_CODE_RE.fullmatch(code):
            return False
        return j == 0 or self.sentence_initial(j)

    def lowercase_uses(self, i: int) -> int:
        """How often the word at ``i`` occurs written in lower case (in any inflection:
        "referral" for "Referrals") in the same text. A word used so is an ordinary word
        there, whatever its capital at ``i`` says."""
        if self._text_word_starts is None:
            self._text_word_starts = [bisect.bisect_left(self.starts, s) for s in self.text_starts]
            self._lowercase_index = {}
        bounds = self._text_word_starts
        k = bisect.bisect_right(bounds, i) - 1 if bounds else 0
        counts = self._lowercase_index.get(k)
        if counts is None:
            low = bounds[k] if bounds and k >= 0 else 0
            high = bounds[k + 1] if bounds and k + 1 < len(bounds) else len(self.words)
            counts = self._lowercase_index[k] = Counter(self.words[low:high])
        key = inflection_key(self.words[i].lower())
        return sum(counts[form] for form in inflections(key))

    def is_initial(self, j: int) -> bool:
        word = self.words[j]
        return len(word) == 1 and word.isupper()

    def is_capitalised(self, i: int) -> bool:
        word = self.words[i]
        return word[0].isupper()

    def lower(self, i: int) -> str:
        return self.words[i].lower()

    def previous_lower(self, i: int, skip: int = 1) -> str:
        j = i - skip
        return self.words[j].lower() if j >= 0 else ""

    def next_lower(self, i: int, skip: int = 1) -> str:
        j = i + skip
        return self.words[j].lower() if j < len(self.words) else ""

    def stands_as_a_name(self, i: int) -> bool:
        """Whether word ``i`` stands where a name would, as a clause's subject, a possessive or an
        object set off by punctuation: "miles is quite", "miles usually forwards it", "will
        eventually found", "will picked up", "miles's office", "will and me decide", "me and will
        went", "i said to will, let me", "summer, summer leary"; not "miles apart", "two miles
        is", "i will usually", "the gas bill was"."""
        word = self.lower_words[i]
        if i + 1 < len(self) and self.lower_words[i + 1] == word and self.gap_before(i + 1).strip() == ",":
            return True  # "year 10, summer, summer leary": a speaker saying the name again, in full
        if i > 1 and self.previous_lower(i) == "and" and self.previous_lower(i, 2) in NAME_COORDINATED \
                and self.adjacent(i) and self.adjacent(i - 1):
            return True  # "me and will went": no modal follows "me and"
        if i > 0 and self.adjacent(i) and self.previous_lower(i) in _NOT_BEFORE_A_NAME:
            return False
        if i > 0 and self.previous_lower(i).isdigit():
            return False
        if word.endswith("'s") and len(word) > 3:
            return True  # "miles's office", "miles's not in" (a name's possessive or "is")
        if i > 0 and self.adjacent(i) and self.previous_lower(i) in NAME_OBJECT_BEFORE and (
                i + 1 >= len(self) or self.gap_before(i + 1).strip()[:1] in (",", ".", ";", "!", "?")
                or (self.next_lower(i) == "and" and self.adjacent(i + 1))):
            return True  # "i said to will, let me", "a safety plan with rose, we got"
        if i + 1 >= len(self) or not self.adjacent(i + 1):
            return False
        if i + 1 < len(self) and self.adjacent(i + 1) and self.next_lower(i) in _TOLD_VERBS:
            return True  # "in the end summer told me": only a person tells, rings or texts
        if i > 0 and self.adjacent(i) and self.previous_lower(i) not in FUNCTION_WORDS \
                and self.previous_lower(i).isalpha() and self.previous_lower(i) not in NAME_OBJECT_BEFORE \
                and not self.previous_lower(i).endswith("ly") and not self.words[i - 1][:1].isupper() \
                and self.lexicon.is_word(self.previous_lower(i)):
            return False  # "the gas bill was": a word before it makes it a noun's head (not "at hazelmere miles")
        following = self.next_lower(i)
        if following in NAME_SUBJECT_VERBS:
            return True
        if following == "and" and i + 2 < len(self) and self.next_lower(i, 2) in NAME_COORDINATED:
            return True  # "will and me decide"
        if following.endswith("ed") and len(following) > 4 and following not in FUNCTION_WORDS:
            return True  # "will picked up that ...": a modal takes no past tense
        adverb = following in NAME_SUBJECT_ADVERBS or (following.endswith("ly") and len(following) > 5)
        return (adverb and i + 2 < len(self) and self.adjacent(i + 2)
                and (self.next_lower(i, 2) in NAME_SUBJECT_VERBS
                     or (self.next_lower(i, 2).endswith(("s", "ed")) and len(self.next_lower(i, 2)) > 3
                         and self.next_lower(i, 2) not in FUNCTION_WORDS)))

    def adjacent(self, i: int) -> bool:
        """Word ``i`` follows word ``i - 1`` with only spaces between (same phrase)."""
        if i <= 0:
            return False
        start, previous_end = self.starts[i], self.ends[i - 1]
        return start - previous_end <= 2 and self.normalized.text[previous_end:start] in (" ", "  ")

    def adjacent_or_possessive(self, i: int) -> bool:
        """Like :meth:`adjacent`, also after a plural possessive's apostrophe ("Girls' Academy",
        "St Thomas' Church")."""
        if self.adjacent(i):
            return True
        start, previous_end = self.starts[i], self.ends[i - 1]
        return (start - previous_end == 2 and self.normalized.text[previous_end:start] in ("' ", "\u2019 ")
                and self.words[i - 1][-1:].lower() == "s")

    def adjacent_or_dotted(self, i: int) -> bool:
        """Like :meth:`adjacent`, also across the dot of an initial or title ("J. Smith")."""
        if i <= 0:
            return False
        start, previous_end = self.starts[i], self.ends[i - 1]
        if start - previous_end > 3:
            return False
        gap = self.normalized.text[previous_end:start]
        return gap in (" ", "  ") or (gap in (".", ". ", ".  ") and self._abbreviation(i - 1))


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class Recognizer(abc.ABC):
    """A detector of one family of identifiers.

    Subclasses set ``name`` (the registry name, also ``Span.detector``) and
    ``entity_types``, and implement :meth:`detect`. Register a subclass with
    ``@register_recognizer("family.kind")`` from :mod:`qual.deid.registry` (or, from another
    package, through the ``qual_recognizers`` entry-point group: see :mod:`qual.plugins`).
    Every registered recognizer passes the contract in ``tests/test_recognizer_contract.py``:
    spans inside the text and of its declared types, the same result every time, no text in
    its ``repr``, and picklable (worker processes receive it).
    """

    name: ClassVar[str] = ""
    entity_types: ClassVar[frozenset[EntityType]] = frozenset()

    @abc.abstractmethod
    def detect(self, doc: Doc) -> Iterable[Span]:
        """The spans this recognizer finds in ``doc`` (normalised offsets)."""

    def span(self, doc: Doc, start: int, end: int, entity_type: EntityType,
             confidence: float, detector: str | None = None) -> Span:
        return Span(start, end, entity_type, detector or self.name, round(confidence, 3),
                    doc.text[start:end])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
