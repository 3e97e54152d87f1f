"""Whole-word phrase lookup over a text with Aho-Corasick (pyahocorasick): one pass over the
text finds every listed phrase, however long the list. Used by the keep-list, the register,
the gazetteers and propagation.

Word boundaries are built into the search rather than checked afterwards: the text is
searched in a "bounded" form, in which every character that is no letter or digit becomes a
NUL and the whole is wrapped in NULs, and each phrase is bounded the same way. ``"Jayden"``
is looked for as ``"\\0jayden\\0"``, which matches "Jayden's" and "Smith-Jayden" but never the
inside of "Jaydens"; the search reports real matches only, so a list with "A" or "I" in it
costs nothing extra.
"""

from __future__ import annotations

import re

from typing import Generic, Hashable, Iterable, TypeVar

import ahocorasick

from ..identity.normal import lower_same_length

__all__ = ["BOUNDARY", "PhraseMatcher", "bounded", "is_word_char", "lower_same_length"]
T = TypeVar("T", bound=Hashable)
BOUNDARY = "\x00"


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


_ASCII_TABLE = bytes(c if c < 128 and is_word_char(chr(c)) else 0 for c in range(256))
_LATIN1_TABLE = bytes(c if is_word_char(chr(c)) else 0 for c in range(256))
# _ASCII_TABLE that keeps line breaks: many phrases are keyed in one pass, one per line
_ASCII_LINES_TABLE = _ASCII_TABLE[:10] + b"\n" + _ASCII_TABLE[11:]
_BEYOND_LATIN1_RE = re.compile("[^\x00-\xff]")
# non-word characters met so far -> NUL, for str.translate; grows with the texts seen
_SEEN: set[str] = set()
_NON_WORD: dict[int, str] = {}


def bounded(text: str) -> str:
    """``text`` with every non-word character replaced by NUL, wrapped in NULs (same offsets
    plus one)."""
    if text.isascii():
        return BOUNDARY + text.encode("ascii").translate(_ASCII_TABLE).decode("ascii") + BOUNDARY
    try:  # one byte per character keeps the offsets
        return BOUNDARY + text.encode("latin-1").translate(_LATIN1_TABLE).decode("latin-1") + BOUNDARY
    except UnicodeEncodeError:
        pass
    if not any(map(is_word_char, set(_BEYOND_LATIN1_RE.findall(text)))):
        # beyond Latin-1 only punctuation (curly quotes, dashes, an ellipsis): each becomes
        # "?", a non-word character, and the byte table does the rest (str.translate with a
        # mapping takes some 20 times as long)
        return BOUNDARY + text.encode("latin-1", "replace").translate(_LATIN1_TABLE).decode("latin-1") + BOUNDARY
    new = set(text) - _SEEN
    if new:
        _NON_WORD.update((ord(c), BOUNDARY) for c in new if not is_word_char(c))
        _SEEN.update(new)
    return BOUNDARY + text.translate(_NON_WORD) + BOUNDARY


class PhraseMatcher(Generic[T]):
    """Find whole-word occurrences of phrases; each phrase carries one or more payloads.

    With ``case_sensitive=False`` phrases and text are compared lower-cased. Phrases match
    across any single non-word character where they have one ("A&E" also finds "A-E").
    """

    def __init__(self, phrases: Iterable[tuple[str, T]] = (), case_sensitive: bool = True) -> None:
        self.case_sensitive = case_sensitive
        self._payloads: dict[str, list[T]] = {}
        self._automaton: ahocorasick.Automaton | None = None
        self.add_all(phrases)

    def _key(self, phrase: str) -> str:
        phrase = phrase if self.case_sensitive else lower_same_length(phrase)
        return bounded(phrase)

    def add(self, phrase: str, payload: T) -> None:
        phrase = phrase.strip()
        if not phrase or not any(is_word_char(c) for c in phrase):
            return
        key = self._key(phrase)
        payloads = self._payloads.setdefault(key, [])
        if payload not in payloads:
            payloads.append(payload)
        self._automaton = None

    def add_all(self, phrases: Iterable[tuple[str, T]]) -> None:
        """:meth:`add` each ``(phrase, payload)``, in order. Runs of ASCII phrases (most of the
        gazetteers' tens of thousands, built in every run) are keyed together, in one pass."""
        run: list[tuple[str, T]] = []
        for phrase, payload in phrases:
            phrase = phrase.strip()
            if phrase.isascii() and "\n" not in phrase:
                run.append((phrase, payload))
                continue
            self._add_ascii(run)
            run = []
            self.add(phrase, payload)
        self._add_ascii(run)

    def _add_ascii(self, items: list[tuple[str, T]]) -> None:
        if not items:
            return
        joined = "\n".join(phrase for phrase, _ in items)
        # ASCII lower-casing keeps the length, as lower_same_length does
        lowered = joined if self.case_sensitive else joined.lower()
        bodies = lowered.encode("ascii").translate(_ASCII_LINES_TABLE).decode("ascii").split("\n")
        for (_, payload), body in zip(items, bodies, strict=True):
            if not body.strip(BOUNDARY):  # empty, or no word character in it
                continue
            payloads = self._payloads.setdefault(BOUNDARY + body + BOUNDARY, [])
            if payload not in payloads:
                payloads.append(payload)
        self._automaton = None

    def __len__(self) -> int:
        return len(self._payloads)

    def __contains__(self, phrase: str) -> bool:
        return self._key(phrase.strip()) in self._payloads

    def payloads(self, phrase: str) -> list[T]:
        return self._payloads.get(self._key(phrase.strip()), [])

    def _build(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for key, payloads in self._payloads.items():
            automaton.add_word(key, (len(key), tuple(payloads)))
        if len(automaton):
            automaton.make_automaton()
        return automaton

    def find(self, text: str, searchable: str | None = None) -> list[tuple[int, int, tuple[T, ...]]]:
        """Every whole-word occurrence as ``(start, end, payloads)``, overlapping ones included.

        ``searchable`` may pass ``bounded(text)`` (or ``bounded(lower_same_length(text))``
        for a case-insensitive matcher) when the caller has it already.
        """
        if not self._payloads:
            return []
        if self._automaton is None:
            self._automaton = self._build()
        if searchable is None:
            searchable = bounded(text if self.case_sensitive else lower_same_length(text))
        # a key "\0word\0" ending at padded index `last` covers text [last - len + 1, last - 1)
        return [(last - length + 1, last - 1, payloads)
                for last, (length, payloads) in self._automaton.iter(searchable)]
