"""What an application writes by itself, told apart from what a person typed.

Office, LibreOffice and image software name things on their own: an embedded workbook is
stored as ``Microsoft_Excel_Worksheet.xlsx``, a drawing is ``Text Box 2``, a hidden bookmark
``_GoBack``, a legacy form field ``Text1``, a chart's axis ``autoZero``. Read as text, those
names look like capitalised words nothing explains, and a gate that reports them cries wolf.
Rather than list every such name, the rule is general: a name made only of ordinary words
(words a dictionary writes in lower case, or words as common as "Microsoft" and "PowerPoint")
and numbers, none of which is mostly a person's name, is structure. A name with any other
word in it ("Kayleeden", "JaydenSmith", "Castlebrook") is read as text, split into its words.

``machine_value`` does the same for attribute values: numbers, identifiers, colours, dates,
namespace URIs and lower-case keywords (``minMax``, ``accent1``) are no text a person typed.
"""

from __future__ import annotations

import functools
import re

# A word at least this common (Zipf) reads as vocabulary even when no dictionary writes it in
# lower case: product and company names ("Microsoft" 4.4, "PowerPoint" 3.2, "Excel").
COMMON_ZIPF = 3.0
_WORD_PIECES = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*%?")
_HEX = re.compile(r"(?:0x|#)?[0-9A-Fa-f]{6,}|[0-9A-F]{8}")
_GUID = re.compile(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_KEYWORD = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*|[a-z]+(?:[-_][a-z0-9]+)+")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})+")
_NAMESPACE = re.compile(r"(?:urn:|https?://(?:schemas\.|purl\.org/|www\.w3\.org/|ns\.adobe\.com/))\S*")
# Names Word, Excel and PowerPoint give drawings themselves ("Text Box 2", "Picture 3",
# "image1.png"), in the languages Office ships in most often.
DEFAULT_DRAWING_NAME = re.compile(
    r"(?:Text ?Box|Picture|Image|Graphic|Chart|Diagram|Shape|Rectangle|Rounded Rectangle|Oval|Group|"
    r"(?:Straight )?(?:Arrow )?Connector|Line|Freeform|Canvas|Object|Content Placeholder|Title|Table|"
    r"SmartArt|Ink|Video|Audio|Drawing|Comment|Grafik|Bild|Imagen|Zone de texte)(?: \d+)?"
    r"|(?:image|media|Picture|IMG|DSC|Screenshot)[_ -]?\d*(?:\.[A-Za-z]{2,4})?", re.IGNORECASE)


def words_of(name: str) -> list[str]:
    """The words of a name as software writes one: ``JaydenSmith_notes-2`` -> Jayden, Smith,
    notes, 2."""
    return _WORD_PIECES.findall(name)


def as_words(name: str) -> str:
    """A name written out as words, for the detectors ("JaydenSmith" -> "Jayden Smith")."""
    return " ".join(words_of(name))


@functools.lru_cache(maxsize=1)
def _lexicon():
    from ..deid.recognizers.lexicon import load_lexicon

    return load_lexicon()


@functools.lru_cache(maxsize=50_000)
def _ordinary(word: str) -> bool:
    """A word of the vocabulary: a dictionary word or a common one, or an abbreviation of up
    to three letters (``Toc``, ``Hlk``, ``Ref`` of Word's hidden bookmarks); in each case
    not mostly a person's name ("Grace" is a word; "Jack" and "Amy" are names)."""
    if len(word) <= 2 or word.isdigit():
        return True
    lexicon = _lexicon()
    if not (len(word) <= 3 or lexicon.is_word(word) or lexicon.word_zipf(word) >= COMMON_ZIPF):
        return False
    return lexicon.name_vs_word(word) <= 0


def software_generated(name: str) -> bool:
    """Whether ``name`` is one an application makes up by itself: made of ordinary words and
    numbers only (``Microsoft_Excel_Worksheet``, ``_GoBack``, ``Text1``, ``Heading 2``), or
    one of the drawing names Office gives (``Text Box 2``). Such a name is structure, not
    content; any other name is read as text."""
    name = name.strip().strip("_")
    if not name:
        return True
    if DEFAULT_DRAWING_NAME.fullmatch(name):
        return True
    stem = name.rsplit(".", 1)[0] if re.search(r"\.[A-Za-z]{1,5}$", name) else name
    return all(_ordinary(word) for word in words_of(stem))


def machine_token(value: str) -> bool:
    """A GUID, or a hexadecimal token of 12 characters or more with letters and digits both
    (``9f3a61c0d2b4e817``): an id software made up. Digits alone are not: a phone number is
    digits too, and is read."""
    value = value.strip()
    if _GUID.fullmatch(value):
        return True
    # 12 characters or more: a short one ("ada1981", "bea12") may be a person's handle
    return (len(value) >= 12 and bool(_HEX.fullmatch(value)) and any(c.isdigit() for c in value)
            and any(c.isalpha() for c in value))


def machine_value(value: str) -> bool:
    """An attribute value no person typed: empty, a number, an id, a colour, a GUID, a date,
    a namespace URI, or one lower-case keyword (``minMax``, ``accent1``, ``preserve``) that
    is not a name."""
    value = value.strip()
    if not value or not any(c.isalpha() for c in value):
        return True
    if (_NUMBER.fullmatch(value) or _HEX.fullmatch(value) or _GUID.fullmatch(value) or _DATE.fullmatch(value)
            or _NAMESPACE.fullmatch(value) or _LANGUAGE.fullmatch(value)):
        return True
    if _KEYWORD.fullmatch(value):
        # "minMax", "autoZero", "preserve": a keyword; "jayden": a name typed in lower case
        return not value.isalpha() or not value.islower() or value not in _lexicon().lowercase_names
    return False
