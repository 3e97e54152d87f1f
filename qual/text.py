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


# --------------------------------------------------------------------------- cells and rows
#
# Excel and LibreOffice do not size a row to wrapped text written by a program: without a
# height the text runs over the rows below (in LibreOffice, and in a PDF or print of it).
# The heights are estimated from the text's length and the column's width.

LINE_HEIGHT = 15.0        # points per line of 11-point Calibri (Excel's default)
MAX_ROW_HEIGHT = 409.0    # Excel's largest row height, in points
CHARS_PER_WIDTH = 1.15    # average prose characters per unit of Excel column width
WRAP_LOSS = 0.9           # word wrap leaves the end of most lines empty


def cell_lines(text: object, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` units wide (at least 1)."""
    if text is None:
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH * WRAP_LOSS))
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def row_height(cells, cap: float = MAX_ROW_HEIGHT) -> float:
    """The height (points) of a row of wrapped cells, from ``(text, width)`` pairs; at most ``cap``."""
    lines = max((cell_lines(text, width) for text, width in cells), default=1)
    return min(cap, max(LINE_HEIGHT, lines * LINE_HEIGHT))


def lines_that_fit(height: float = MAX_ROW_HEIGHT) -> int:
    return max(1, int(height // LINE_HEIGHT))


def fit_cell(text: str, width: float, *, height: float = MAX_ROW_HEIGHT, note: str = "") -> str:
    """``text``, cut between words so that it fits a wrapped cell ``width`` wide in a row of
    ``height`` points, ending with ``note`` when cut (say where the whole text is)."""
    room = lines_that_fit(height)
    if cell_lines(text, width) <= room:
        return text
    per_line = max(1, int(width * CHARS_PER_WIDTH * WRAP_LOSS))
    tail = f" {note}" if note else ""
    limit = max(1, room * per_line - len(tail) - per_line)
    cut = shorten(text, limit)
    while cell_lines(cut + tail, width) > room and len(cut) > 1:
        limit = int(limit * 0.9)
        cut = shorten(text, limit)
    return cut + tail


def excerpt(text: str, start: int, end: int, context: int = 80) -> str:
    """The span ``text[start:end]`` with about ``context`` characters of the text around it,
    cut between words and marked with an ellipsis where the text goes on."""
    start, end = max(0, start), min(len(text), end)
    before, span, after = text[:start], text[start:end], text[end:]
    if len(before) > context:
        # reversed twice: keep the end of what comes before, cut between words
        before = shorten(before[::-1], context)[::-1]
        before = ELLIPSIS + before[len(ELLIPSIS):].lstrip() if before.startswith(ELLIPSIS) else before
    if len(after) > context:
        after = shorten(after, context)
    return f"{before}{span}{after}"
