"""Plain-text transcripts: encodings and bad bytes (qual.ingest.text via read_transcript)."""

from __future__ import annotations

import codecs

import pytest

from qual.errors import InputFileError
from qual.ingest import read_transcript
from qual.ingest.text import decode_text
from qual.model import Role

TRANSCRIPT = (
    "SWIS interview – Siobhán Doherty (TM03)\n"
    "\n"
    "AVERY:\tCould you tell me about the café meetings?\n"
    "DOHERTY:\tWe call them the ‘drop-ins’ – they’re on Fridays.\n"
    "They’re popular.\n"
    "AVERY:\tWhy?\n"
    "DOHERTY:\tBecause nobody feels judged… [laughs]\n"
)


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16"),
])
def test_encodings(tmp_path, encoding, expected):
    path = tmp_path / "TM03.txt"
    path.write_bytes(TRANSCRIPT.encode(encoding))
    transcript = read_transcript(path)
    assert transcript.metadata["encoding"] == expected
    assert transcript.format == "txt"
    assert [t.speaker for t in transcript.turns] == ["AVERY", "DOHERTY", "AVERY", "DOHERTY"]
    assert transcript.turns[1].text == "We call them the ‘drop-ins’ – they’re on Fridays.\nThey’re popular."
    assert transcript.turns[0].role is Role.INTERVIEWER
    assert transcript.metadata["preamble"] == ["SWIS interview – Siobhán Doherty (TM03)"]


def test_windows_line_endings(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(TRANSCRIPT.replace("\n", "\r\n").encode("utf-8"))
    transcript = read_transcript(path)
    assert "\r" not in transcript.text
    assert len(transcript.turns) == 4


def test_latin1_names_survive_a_legacy_encoding():
    text, encoding = decode_text("Siobhán, Zoë and Mr Ó Súilleabháin".encode("cp1252"))
    assert (text, encoding) == ("Siobhán, Zoë and Mr Ó Súilleabháin", "cp1252")


def test_empty_whitespace_and_binary_files_fail(tmp_path):
    cases = {
        "zero.txt": (b"", "is empty"),
        "spaces.txt": (b"  \n\t\r\n  ", "is empty"),
        "bom_only.txt": (codecs.BOM_UTF8 + b"\n\n", "is empty"),
        "binary.txt": (bytes(range(256)) * 8, "binary"),
    }
    for name, (data, problem) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputFileError) as caught:
            read_transcript(path)
        assert str(caught.value).startswith(f"{path}: ") and problem in str(caught.value), name


def test_undecodable_text_fails_with_advice(tmp_path):
    path = tmp_path / "odd.txt"
    # bytes that are not UTF-8 and leave cp1252 undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d)
    path.write_bytes(b"Interviewer: \x81\x8d\x8f\x90\x9d \x81\x8d\x8f\x90\x9d\n" * 20)
    with pytest.raises(InputFileError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert "encoding" in message and "UTF-8" in message


def test_a_text_without_labels_fails(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("16:37:03 Workers link. Now you can play.\n16:37:25 Hey, nice to meet you.\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="has no detectable speaker turns"):
        read_transcript(path)


def test_error_messages_never_quote_the_text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Kayla Bennett was at risk.\nHer address is 4 Elm Road.\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_transcript(path)
    assert "Kayla" not in str(caught.value) and "Elm" not in str(caught.value)
