"""Small text helpers shared by the exports."""

from __future__ import annotations

import re

ELLIPSIS = "\u2026"
# Characters that join the parts of one word: "don't", "co-location", "O'Brien".
_JOINERS = "'\u2019-\u2010_"
# Characters a cut may end on; they add nothing before an ellipsis.
_DANGLING = " \t\r\n,;:-\u2013\u2014([{\"'\u2018\u201c/"
_SPACE = re.compile(r"\s")


def _word_char(char: str) -> bool:
    return char.isalnum() or char in _JOINERS


def shorten(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` in at most ``limit`` characters, cut between words and ending ``ellipsis``.

    A cut inside a word would leave a fragment ("Enc…" of "Encompass") that means nothing
    to a reader and that no word list knows, so the text is cut after the last whole word
    that fits. The result is always a prefix of ``text`` followed by ``ellipsis``; only a
    first word longer than the whole limit is cut inside.

    >>> shorten("Operation Encompass notifications", 24)
    'Operation Encompass…'
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    if room <= 0:
        return ellipsis[:limit]
    head = text[:room]
    if _word_char(text[room]) and _word_char(head[-1]):
        # the cut falls inside a word: back to the space before it
        spaces = [m.start() for m in _SPACE.finditer(head)]
        if spaces and spaces[-1] > 0:
            head = head[:spaces[-1]]
    head = head.rstrip(_DANGLING) or text[:room]
    return head + ellipsis
