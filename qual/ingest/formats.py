"""What a file really is, whatever its name says, and what to tell the user when it is not
something we read.

Files are recognised by their first bytes: a renamed legacy ``.doc`` or an RTF saved with a
``.docx`` name is common in real project folders, and the useful message is "save it as
.docx", not a zip error.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputFileError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

# Suffixes read as transcripts, and suffixes of documents a user may have meant as
# transcripts (reported with advice rather than skipped in silence).
TRANSCRIPT_SUFFIXES = frozenset({".docx", ".txt", ".vtt", ".srt"})
CORPUS_SUFFIXES = frozenset({".jsonl"})
CONVERTIBLE_SUFFIXES = frozenset({".doc", ".docm", ".dot", ".dotx", ".rtf", ".odt", ".pdf", ".pages", ".wpd"})

SAVE_AS_DOCX = "open it in Word or LibreOffice and save it as .docx"
_ADVICE_BY_SUFFIX = {
    ".pdf": "qual cannot read PDF transcripts; export the transcript from its source as .docx or .txt",
    ".pages": "export it from Pages as a Word document (.docx)",
}


def sniff(path: str | Path, data: bytes) -> str:
    """The format of a file's content: 'docx', 'text', 'vtt', 'srt'; raises for the rest.

    'text' may still turn out to hold captions; see ``captions.looks_like_captions``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not data:
        raise InputFileError(path, "is empty (0 bytes)", "check that the transcript was saved or copied completely")
    if data.startswith(OLE2_MAGIC):
        raise _ole2_error(path, data)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(ZIP_MAGIC):
        return "docx"
    if data.startswith(b"PK"):
        raise InputFileError(path, "is a damaged zip archive (corrupt or truncated)",
                             "re-save it from Word, or copy it again from its source")
    if head.startswith(b"{\\rtf"):
        raise InputFileError(path, "is an RTF document" + (", not a .docx" if suffix == ".docx" else ""),
                             SAVE_AS_DOCX)
    if head.startswith(b"%PDF"):
        raise InputFileError(path, "is a PDF", _ADVICE_BY_SUFFIX[".pdf"])
    lowered = head[:200].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"mime-version:")) or b"<html" in lowered:
        raise InputFileError(path, "is a web page (HTML/MHT), not a transcript file", SAVE_AS_DOCX)
    if suffix in (".docx", ".docm", ".dotx"):
        raise InputFileError(path, "is not a Word .docx file (no zip signature; damaged or renamed)",
                             SAVE_AS_DOCX)
    if suffix in CONVERTIBLE_SUFFIXES:
        raise InputFileError(path, f"is a {suffix} file, which qual does not read",
                             _ADVICE_BY_SUFFIX.get(suffix, SAVE_AS_DOCX))
    if suffix == ".vtt":
        return "vtt"
    if suffix == ".srt":
        return "srt"
    return "text"


def _ole2_error(path: Path, data: bytes) -> InputFileError:
    """OLE2 compound files: a legacy Word 97-2003 document, or an encrypted Office file."""
    # Office stores a password-protected .docx/.xlsx as an OLE2 container holding the
    # encrypted package; its directory names the streams in UTF-16.
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return InputFileError(path, "is password-protected (encrypted)",
                              "open it in Word, remove the password (File > Info > Protect Document), "
                              "and save it again")
    if "WordDocument".encode("utf-16-le") in data:
        return InputFileError(path, "is a legacy Word 97-2003 document (.doc)", SAVE_AS_DOCX)
    return InputFileError(path, "is a legacy Office 97-2003 file (such as a .doc), not a .docx", SAVE_AS_DOCX)
