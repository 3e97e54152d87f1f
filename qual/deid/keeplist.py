"""The keep-list: the domain's own vocabulary that de-identification must leave alone.

Children's social care and school terms (Early Help, MASH, Section 47, Year 9), national
bodies (NSPCC, Ofsted), months, days, holidays, subjects, fillers and speaker words. The
shipped list is ``qual/deid/resources/keep_list.txt``; a user adds terms in a plain file of
their own (one term per line, ``#`` comments) or with :meth:`KeepList.add`.

A keep-term is matched as whole words in any case, and with a possessive ("SENCO's"); an
acronym also in the plural, written in capitals as an acronym is ("SENCOs", "IDVAs", "DSLs'";
not "Das" for "DA"). Only the project register beats it: a name the user registered is
redacted even when it is also a keep-term.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from .recognizers.lexicon import resource_path
from .recognizers.phrases import PhraseMatcher, lower_same_length

SHIPPED_KEEP_LIST = "keep_list.txt"


def read_terms(path: str | Path) -> list[str]:
    """The terms of a keep-list file: one per line, blank lines and ``#`` comments skipped."""
    from ..errors import InputFileError

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(path, f"cannot read the keep-list ({type(error).__name__})",
                             "give a UTF-8 text file with one term per line") from None
    terms = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            terms.append(line)
    return terms


def is_acronym(term: str) -> bool:
    """One word written mostly in capitals ("IDVA", "SENCo", "DfE"): its plural adds an "s"."""
    letters = [c for c in term if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return " " not in term and capitals >= 2 and 2 * capitals >= len(letters) \
        and not term.isdigit() and term[-1:].isalnum()


class KeepList:
    """A set of terms that are never redacted (unless the register names them)."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._terms: dict[str, str] = {}       # lower-cased -> as written
        self._plurals: dict[str, str] = {}     # plural of an acronym, as written -> its key
        self._matcher: PhraseMatcher[str] | None = None
        self._plural_matcher: PhraseMatcher[str] | None = None
        for term in terms:
            self.add(term)

    # ------------------------------------------------------------------ building

    @classmethod
    def shipped(cls) -> "KeepList":
        """The keep-list that comes with qual."""
        return cls(read_terms(resource_path(SHIPPED_KEEP_LIST)))

    @classmethod
    def default(cls, *user_files: str | Path) -> "KeepList":
        """The shipped list plus the terms of each user file."""
        keep = cls.shipped()
        for path in user_files:
            keep.update(read_terms(path))
        return keep

    @classmethod
    def load(cls, path: str | Path) -> "KeepList":
        """Only the terms of ``path`` (no shipped terms)."""
        return cls(read_terms(path))

    def add(self, term: str) -> None:
        """Always keep ``term`` (a word or phrase)."""
        term = " ".join(term.replace("\u2019", "'").split())
        if term:
            key = lower_same_length(term)
            self._terms.setdefault(key, term)
            if is_acronym(term):
                for written in (term, term.upper()):
                    self._plurals.setdefault(written + "s", key)
            self._matcher = self._plural_matcher = None

    def update(self, terms: Iterable[str]) -> None:
        for term in terms:
            self.add(term)

    def discard(self, term: str) -> None:
        key = lower_same_length(" ".join(term.split()))
        if self._terms.pop(key, None) is not None:
            self._plurals = {plural: of for plural, of in self._plurals.items() if of != key}
            self._matcher = self._plural_matcher = None

    def save(self, path: str | Path) -> None:
        """Write the terms, one per line, atomically."""
        from ..files import write_text

        lines = ["# qual keep-list: one term per line; matched as whole words in any case"]
        lines += sorted(self._terms.values(), key=str.lower)
        write_text(path, "\n".join(lines) + "\n")

    # ------------------------------------------------------------------ reading

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        term = " ".join(term.split())
        return lower_same_length(term) in self._terms or term in self._plurals

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms.values())

    def find(self, text: str, searchable: str | None = None,
             searchable_cased: str | None = None) -> list[tuple[int, int]]:
        """Character ranges of every keep-term occurrence in ``text`` (may overlap).
        ``searchable`` and ``searchable_cased``: the text's bounded lower-cased and bounded
        forms (:func:`~qual.deid.recognizers.phrases.bounded`), when the caller has them."""
        if self._matcher is None:
            self._matcher = PhraseMatcher(((key, key) for key in self._terms), case_sensitive=False)
            self._plural_matcher = PhraseMatcher(((p, p) for p in self._plurals), case_sensitive=True)
        found = [(start, end) for start, end, _ in self._matcher.find(text, searchable)]
        if self._plurals and "s" in text:
            found += [(start, end) for start, end, _ in self._plural_matcher.find(text, searchable_cased)]
        return found
