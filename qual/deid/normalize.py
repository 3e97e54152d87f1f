"""Text normalisation before detection, with a map back to the original offsets.

Detectors see a cleaned copy of the text: Unicode NFKC (full-width letters, ligatures,
non-breaking spaces), zero-width and soft-hyphen characters removed, curly quotes and
apostrophes made straight. A name typed as ``Jay\\u200bden`` or ``Ｊａｙｄｅｎ`` then reads
``Jayden`` to every detector. Spans found on the clean copy are mapped back to the original
text, so whatever is redacted is exactly the original characters.

Only non-ASCII characters can change, so ASCII text passes through untouched and the common
case costs one ``str.isascii()`` call.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

# Characters that are invisible and only ever split a word: removed outright.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
_TRANSLATE = {ord(c): None for c in INVISIBLE}
_TRANSLATE.update({
    ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201a"): "'", ord("\u201b"): "'",
    ord("\u2032"): "'", ord("\u02bc"): "'", ord("\u0060"): "'", ord("\u00b4"): "'",
    ord("\u201c"): '"', ord("\u201d"): '"', ord("\u201e"): '"', ord("\u201f"): '"',
    ord("\u2033"): '"', ord("\u00ab"): '"', ord("\u00bb"): '"',
})
# A cluster is a character plus the combining marks that follow it; NFKC may merge them
# ("e" + U+0301 -> "é"), so a cluster is normalised as one unit.
_NON_ASCII_CLUSTER = re.compile(r"[^\x00-\x7f][\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff\ufe20-\ufe2f]*"
                                r"|[\x00-\x7f][\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff\ufe20-\ufe2f]+")


def _clean(cluster: str) -> str:
    text = unicodedata.normalize("NFKC", cluster.translate(_TRANSLATE))
    return text.translate(_TRANSLATE)


@dataclass(frozen=True)
class NormalizedText:
    """The normalised ``text`` of ``original`` and the map between their offsets.

    ``_changes`` lists the clusters that changed as (normalised start, normalised end,
    original start, original end); between them the two texts are offset by a constant.
    """

    original: str
    text: str
    _changes: tuple[tuple[int, int, int, int], ...] = field(default=(), repr=False)
    _norm_starts: tuple[int, ...] = field(default=(), repr=False)

    @property
    def identity(self) -> bool:
        return not self._changes

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised range ``[start, end)``.

        A range that begins or ends inside a changed cluster is widened to the whole
        cluster, so that mapping never cuts an original character in half.
        """
        if not self._changes:
            return start, end
        return self._map(start, is_end=False), self._map(end, is_end=True)

    def _map(self, position: int, is_end: bool) -> int:
        i = bisect.bisect_right(self._norm_starts, position) - 1
        if i < 0:
            return position
        norm_start, norm_end, orig_start, orig_end = self._changes[i]
        if position >= norm_end:
            # after the cluster: a constant shift
            return orig_end + (position - norm_end)
        if position == norm_start:
            # at the start of a cluster. An end offset here closes the text before it; an
            # empty cluster (a removed zero-width space) belongs to neither side.
            return orig_start
        return orig_end if is_end else orig_start


def normalize(text: str) -> NormalizedText:
    """Normalise ``text`` for detection (see the module docstring)."""
    if text.isascii():
        # A backtick typed as an apostrophe keeps its length: no offset moves.
        return NormalizedText(text, text.replace("`", "'") if "`" in text else text)
    pieces: list[str] = []
    changes: list[tuple[int, int, int, int]] = []
    original_position = 0
    normalised_length = 0
    for match in _NON_ASCII_CLUSTER.finditer(text):
        cluster = match.group()
        cleaned = _clean(cluster)
        if cleaned == cluster:
            continue
        start, end = match.span()
        pieces.append(text[original_position:start])
        normalised_length += start - original_position
        changes.append((normalised_length, normalised_length + len(cleaned), start, end))
        pieces.append(cleaned)
        normalised_length += len(cleaned)
        original_position = end
    pieces.append(text[original_position:])
    normalised = "".join(pieces).replace("`", "'")
    return NormalizedText(text, normalised, tuple(changes), tuple(c[0] for c in changes))


def join(parts: list[NormalizedText], separator: str) -> tuple[NormalizedText, list[int], list[int]]:
    """Several normalised texts as one, joined by an ASCII ``separator``, with the start of
    each part in the original and in the normalised join."""
    originals, texts, changes = [], [], []
    original_starts, normalised_starts = [], []
    original_position = normalised_position = 0
    for i, part in enumerate(parts):
        if i:
            original_position += len(separator)
            normalised_position += len(separator)
        original_starts.append(original_position)
        normalised_starts.append(normalised_position)
        originals.append(part.original)
        texts.append(part.text)
        for norm_start, norm_end, orig_start, orig_end in part._changes:
            changes.append((norm_start + normalised_position, norm_end + normalised_position,
                            orig_start + original_position, orig_end + original_position))
        original_position += len(part.original)
        normalised_position += len(part.text)
    joined = NormalizedText(separator.join(originals), separator.join(texts), tuple(changes),
                            tuple(c[0] for c in changes))
    return joined, original_starts, normalised_starts
