"""Showing a finding without showing the identifier: masks, fingerprints, and a last guard.

A finding is shown as a **mask**. The default, ``hash``, is ``#`` and six hex digits of
HMAC-SHA256 under a salt drawn afresh for every run: two findings of the same string in one
report have the same mask (so a reviewer sees "the same name, five times"), but a mask
cannot be looked up in a list of names, since the salt is never written anywhere. The
``initial`` style (``J****** (7)``, first character and length) helps a reviewer find the
word and gives a little away; it is there for teams that accept that.

A **fingerprint** is what a baseline records: SHA-256 of the baseline's salt, the file's
path relative to the baseline, the entity type and the string's normal form
(:func:`qual.deid.identity.normal_form`: case, accents, spacing and a possessive do not
matter). No text, no
offsets: an edit elsewhere in the file keeps it valid; moving or renaming the file does
not (the finding must be reviewed again in its new place). Anyone holding the baseline can
test a guess against a fingerprint, so only reviewed false positives belong in it.

:class:`Redactor` is the last guard: every string a report is built from (part, location,
error) passes through it, and any identifier found in this run is replaced by its mask.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Iterable

from ..deid.identity import normal_form

MASK_STYLES = ("hash", "initial")


def fingerprint(salt: str, relative_path: str, entity_type: str, text: str) -> str:
    digest = hashlib.sha256()
    for piece in (salt, relative_path.replace("\\", "/"), entity_type, normal_form(text)):
        digest.update(piece.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


class Masker:
    """Masks identifiers for display; ``style`` is ``hash`` (default) or ``initial``."""

    def __init__(self, style: str = "hash", salt: bytes | None = None) -> None:
        if style not in MASK_STYLES:
            raise ValueError(f"unknown mask style {style!r}; use one of {', '.join(MASK_STYLES)}")
        self.style = style
        self._salt = salt if salt is not None else secrets.token_bytes(16)

    def __repr__(self) -> str:
        return f"Masker({self.style!r})"

    def mask(self, text: str) -> str:
        if self.style == "initial":
            stripped = text.strip()
            return f"{stripped[:1]}{'*' * max(len(stripped) - 1, 0)} ({len(stripped)})"
        digest = hmac.new(self._salt, normal_form(text).encode("utf-8"), hashlib.sha256).hexdigest()
        return f"#{digest[:6]}"


class Redactor:
    """Replaces every known identifier, as it was written, in a string by its mask.

    Locations are made of lower-case vocabulary ("text box 1"); matching the case as found
    keeps a name that is also a word ("Box") from mangling them."""

    def __init__(self, masker: Masker, originals: Iterable[str] = ()) -> None:
        self.masker = masker
        self._originals: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.update(originals)

    def update(self, originals: Iterable[str]) -> None:
        for original in originals:
            original = original.strip()
            if len(original) >= 2:
                self._originals.add(original)
                self._pattern = None

    def __call__(self, text: str) -> str:
        if not self._originals or not text:
            return text
        if self._pattern is None:
            ordered = sorted(self._originals, key=len, reverse=True)
            self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(o) for o in ordered) + r")(?!\w)")
        # masked as the words it is, so "Jayden_Smith" shows the mask of the finding "Jayden Smith"
        return self._pattern.sub(lambda m: self.masker.mask(" ".join(re.findall(r"[^\W_]+", m.group()))), text)


class PathMasker:
    """Masks the identifying part of a path, as findings are masked.

    Every string found in the run (in a file name, a folder name, or a file's text) is
    replaced wherever it appears in a path component, in any case and whether its words are
    written with spaces, underscores, hyphens or dots between them ("Jayden Smith" in
    ``Jayden_Smith.docx``). A path that had anything masked gets the file's number in the
    scan, so that a user can still find it (``deid/#a41f9c_notes.txt [file 3]``).

    A path is split into words and its runs of words are looked up in a set of the found
    strings' words: a few dictionary look-ups per path, however many strings were found.
    """

    MAX_WORDS = 6  # longer strings are not looked for in a path

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self._found: set[tuple[str, ...]] = set()

    def update(self, originals: Iterable[str]) -> None:
        for original in originals:
            words = tuple(w.casefold() for w in _PATH_WORD.findall(original))
            if words and len(words) <= self.MAX_WORDS and sum(len(w) for w in words) >= 3:
                self._found.add(words)

    def _mask_component(self, component: str) -> str:
        matches = list(_PATH_WORD.finditer(component))
        if not self._found or not matches:
            return component
        words = [m.group().casefold() for m in matches]
        pieces, position, index = [], 0, 0
        while index < len(words):
            for length in range(min(self.MAX_WORDS, len(words) - index), 0, -1):
                if tuple(words[index:index + length]) in self._found:
                    start, end = matches[index].start(), matches[index + length - 1].end()
                    pieces += [component[position:start], self.masker.mask(" ".join(words[index:index + length]))]
                    position, index = end, index + length
                    break
            else:
                index += 1
        return "".join(pieces) + component[position:]

    def mask_path(self, path: str, index: int | None = None) -> str:
        parts = path.replace("\\", "/").split("/")
        masked = "/".join(self._mask_component(part) for part in parts)
        if masked == "/".join(parts):
            return path
        return f"{masked} [file {index}]" if index is not None else masked

    def mask_line(self, line: str) -> str:
        """An error line about a path the user gave (``x: no such file``): the path masked."""
        path, separator, rest = line.partition(": ")
        return self.mask_path(path) + separator + rest if separator else line


_PATH_WORD = re.compile(r"[^\W_]+")


# Folder names are the user's own choice ("pytest-of-root", "interviews_2022"): in them only
# confident findings (listed names, a title's name) are masked; in the file name's stem, what
# would fail the check gate (its extension is never read: "txt" is no name).
FOLDER_CONFIDENCE = 0.5
FILE_NAME_CONFIDENCE = 0.4


def found_in_path(path: str, analyzer) -> list[str]:
    """The identifiers ``analyzer`` finds in the folder names and the file name (less its
    extension) of ``path``, each read as words ("Kayden_Thornbury-interview" as "Kayden
    Thornbury interview")."""
    found = []
    components = path.replace("\\", "/").split("/")
    for position, component in enumerate(components):
        last = position == len(components) - 1
        if last and "." in component.lstrip("."):
            component = component.rsplit(".", 1)[0]
        words = re.sub(r"[_\-.]", " ", component)
        floor = FILE_NAME_CONFIDENCE if last else FOLDER_CONFIDENCE
        if words.strip():
            found += [words[span.start:span.end] for span in analyzer.analyze(words) if span.confidence >= floor]
    return found


def mask_path_identifiers(path: str, analyzer, masker: Masker | None = None) -> str:
    """``path`` with the identifiers ``analyzer`` finds in its names masked
    (``raw/#5c1d0e interview.docx``): the user still sees the folder and the file's other words."""
    paths = PathMasker(masker or Masker())
    paths.update(found_in_path(path, analyzer))
    return paths.mask_path(path)


def mask_failure(failure, analyzer, masker: Masker | None = None) -> str:
    """A failed file's one line (``path: problem; advice``) with the identifiers in its path
    masked: the console shows what to do and no name a file was called by."""
    text, path = str(failure), getattr(failure, "path", "")
    if not path:
        return text
    masked = mask_path_identifiers(path, analyzer, masker)
    return text.replace(path, masked) if masked != path else text
