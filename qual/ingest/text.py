"""Plain-text transcripts: decoding bytes whose encoding nobody wrote down.

Transcripts arrive as UTF-8 (with or without a byte-order mark), as UTF-16 from Windows
tools, or as cp1252 from older Word "Save as text". A wrong guess silently garbles names,
which then escape de-identification, so decoding is strict: a file we cannot decode with
confidence is refused with advice rather than read as mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from ..errors import InputFileError

log = logging.getLogger("qual.ingest.text")

SAVE_AS_UTF8 = "save it as UTF-8 text (in Word: Save As > Plain Text > Unicode (UTF-8))"

# Encodings we accept from a guess. Transcripts are English or another European language;
# a guess outside this family (Big5 for cp1252 bytes, say) is more likely wrong than right.
_PLAUSIBLE = {
    "cp1252", "windows-1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250", "windows-1250",
    "iso8859_2", "mac_roman", "cp1257", "iso8859_13", "cp1254", "iso8859_9",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def decode_text(data: bytes, path: str | Path = "") -> tuple[str, str]:
    """Decode a text file's bytes; returns ``(text, encoding)``.

    Raises ``InputFileError`` for empty, binary or undecodable content.
    """
    if not data.strip():
        raise InputFileError(path, "is empty", "check that the transcript was exported completely")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), path), encoding
            except UnicodeDecodeError:
                raise InputFileError(path, f"starts with a {encoding} byte-order mark but is not valid "
                                     f"{encoding}", SAVE_AS_UTF8) from None
    if b"\x00" in data[:4096]:
        encoding = _utf16_without_bom(data)
        if encoding:
            return _checked(data.decode(encoding), path), encoding
        raise InputFileError(path, "is a binary file, not text", "export the transcript as .docx or UTF-8 .txt")
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    return _guess_legacy(data, path)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    encoding = "utf-16-le" if odd_nuls > 0.3 * half and even_nuls < 0.05 * half else (
        "utf-16-be" if even_nuls > 0.3 * half and odd_nuls < 0.05 * half else None)
    if encoding:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            return None
    return encoding


def _guess_legacy(data: bytes, path: str | Path) -> tuple[str, str]:
    """Bytes that are not UTF-8: cp1252 when it fits, else a plausible guess, else refuse."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _CONTROL.search(text.replace("\t", "").replace("\n", "").replace("\r", "")):
        return _checked(text, path), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = (best.encoding or "").lower() if best is not None else ""
    if best is None or encoding not in _PLAUSIBLE:
        raise InputFileError(path, "is not UTF-8 and its encoding cannot be determined", SAVE_AS_UTF8)
    log.info("decoded a file as %s (guessed)", encoding)
    return _checked(str(best), path), encoding


def _checked(text: str, path: str | Path) -> str:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputFileError(path, "is empty (only whitespace)", "check that the transcript was exported completely")
    sample = text[:20000]
    controls = len(_CONTROL.findall(sample))
    if controls > max(8, len(sample) // 100):
        raise InputFileError(path, "looks like binary data, not text", "export the transcript as .docx or UTF-8 .txt")
    return text


def text_lines(text: str) -> list[str]:
    """Lines of a text file; any newline convention (\\r\\n, \\r, \\n, U+2028)."""
    return text.splitlines()
