"""Issue 16: ``qual check`` reads every place a file can show, lists and fails on what it
cannot read, and masks paths.

The corpus is ``tests/hostile/check_kinds.py``: one file per kind of hiding place, built at
test time. Every raw file must fail with a finding located in the part where the name was
planted; the clean ones (Word's own part names, an empty form field) must give no finding at
all; the de-identified versions of those ``qual deidentify`` reads must pass.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from qual.check import TextUnit, check_paths, extract_text_units, format_json, format_sarif, format_text
from qual.check.extract import Unreadable, sniff

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from check_kinds import check_kinds, docx, make_check_kinds, para  # noqa: E402
from harness import run_qual  # noqa: E402

KINDS = check_kinds()
PLANTED = [k for k in KINDS if k.planted]
CLEAN = [k for k in KINDS if not k.planted]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("check_kinds")
    make_check_kinds(folder)
    return folder


@pytest.fixture(scope="module")
def analyzer():
    from qual.deid.secure import SecureProject

    return SecureProject().analyzer(ner=None)


def words_of(planted: str) -> list[str]:
    return [w for w in re.findall(r"[A-Z][a-z]+|[a-z]{3,}", planted) if w not in ("Mrs",)]


@pytest.mark.parametrize("kind", PLANTED, ids=lambda k: k.name)
def test_every_raw_kind_fails_and_names_the_part(corpus: Path, analyzer, kind):
    result = check_paths([corpus / kind.name], analyzer=analyzer, jobs=1)
    places = [f"{f.part}, {f.location}" for f in result.failing]
    assert result.exit_code == 1, f"{kind.name} ({kind.what}): exit {result.exit_code}, {places}, {result.errors}"
    assert any(re.search(kind.where, place) for place in places), f"{kind.name}: not found at {kind.where}: {places}"
    shown = format_json(result) + format_sarif(result) + format_text(result, show_all=True)
    for word in words_of(kind.planted):
        assert word.lower() not in shown.lower(), f"{kind.name}: the report shows what it found"


@pytest.mark.parametrize("kind", CLEAN, ids=lambda k: k.name)
def test_names_the_application_makes_up_are_no_findings(corpus: Path, analyzer, kind):
    result = check_paths([corpus / kind.name], analyzer=analyzer, jobs=1)
    assert result.exit_code == 0 and not result.findings, \
        f"{kind.name} ({kind.what}): {[(f.part, f.location, f.detector) for f in result.findings]}"


def test_the_whole_corpus_through_the_cli_names_every_file_and_shows_no_name(corpus: Path):
    result = run_qual(["check", corpus, "--no-ner", "-j", "1"], timeout=300)
    assert not result.crashed() and not result.timed_out, result.describe()
    assert result.returncode == 1, result.describe()  # findings; nothing left unread
    for kind in PLANTED:
        assert kind.name in result.stdout, f"{kind.name} is not named\n{result.describe()}"
        for word in words_of(kind.planted):
            assert word.lower() not in result.output.lower(), f"{kind.name}: the output shows a planted name"
    assert "not scanned" not in result.output


def test_the_deidentified_versions_pass(corpus: Path, tmp_path: Path):
    inputs = [corpus / k.name for k in KINDS if k.deidentify]
    out = tmp_path / "deid"
    deidentified = run_qual(["deidentify", *inputs, "-o", out], timeout=300)
    assert deidentified.returncode == 0, deidentified.describe()
    assert len(list(out.glob("*.txt"))) == len(inputs)
    checked = run_qual(["check", out, "--no-ner", "-j", "1"], timeout=300)
    assert checked.returncode == 0, checked.describe()


# --------------------------------------------------------------------------- unread files


AUDIO = b"\x00\x00\x00\x20ftypM4A " + bytes(range(256)) * 4


def test_a_file_no_reader_fits_fails_unless_allowed_and_its_name_is_still_read(tmp_path: Path, analyzer):
    (tmp_path / "notes.txt").write_text("Nothing to see.\n", encoding="utf-8")
    (tmp_path / "Jayden Okafor.m4a").write_bytes(AUDIO)
    default = check_paths([tmp_path], analyzer=analyzer, jobs=1)
    assert default.exit_code == 2 and len(default.not_scanned) == 1 and not default.errors
    assert any(f.location == "file name" for f in default.failing)  # the name of an unread file is read
    allowed = check_paths([tmp_path], analyzer=analyzer, jobs=1, allow_unscanned=True)
    assert allowed.exit_code == 1 and allowed.not_scanned  # still listed; the name still fails
    (tmp_path / "Jayden Okafor.m4a").rename(tmp_path / "recording.m4a")
    assert check_paths([tmp_path], analyzer=analyzer, jobs=1, allow_unscanned=True).exit_code == 0
    assert "not scanned" in format_text(check_paths([tmp_path], analyzer=analyzer, jobs=1))


def test_the_cli_says_how_to_accept_unread_files(tmp_path: Path):
    (tmp_path / "recording.m4a").write_bytes(AUDIO)
    failed = run_qual(["check", tmp_path, "--no-ner", "-j", "1"], timeout=120)
    assert failed.returncode == 2 and "--allow-unscanned" in failed.output, failed.describe()
    allowed = run_qual(["check", tmp_path, "--no-ner", "-j", "1", "--allow-unscanned"], timeout=120)
    assert allowed.returncode == 0 and "not scanned" in allowed.output, allowed.describe()


@pytest.mark.parametrize("data, suffix", [
    (b"PK\x03\x04", ".zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".ole"),
    (b"%PDF-1.7\n", ".pdf"), (b"\x1f\x8b\x08\x00", ".gz"), (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff\xe0", ".jpg"), (b"{\\rtf1\\ansi hello}", ".rtf"), (b"<?xml version='1.0'?><a/>", ".xml"),
    (b"<!DOCTYPE html><html></html>", ".html"), (b"WEBVTT\n\n", ".vtt"), ("Zoë rang.\n".encode("utf-16"), ".txt"),
    (b"plain words\n", ".txt"), (AUDIO, None), (bytes(range(256)), None),
])
def test_a_file_is_read_by_what_it_is_whatever_its_name(data: bytes, suffix):
    assert sniff(data) == suffix


def test_a_renamed_file_is_read_by_what_it_is(tmp_path: Path, analyzer):
    path = tmp_path / "scan.dat"
    path.write_bytes(docx(para("I rang Mrs Abernethy.")))
    result = check_paths([path], analyzer=analyzer, jobs=1)
    assert result.exit_code == 1 and any(f.part == "word/document.xml" for f in result.failing)


# --------------------------------------------------------------------------- what is read, in detail


def test_a_tracked_change_inside_a_word_is_read_with_and_without_it(tmp_path: Path):
    body = ('<w:p><w:r><w:t xml:space="preserve">We rang Jay</w:t></w:r><w:ins w:id="1" w:author="R">'
            '<w:r><w:t>xyz</w:t></w:r></w:ins><w:r><w:t xml:space="preserve">den and </w:t></w:r>'
            '<w:del w:id="2" w:author="R"><w:r><w:delText>the </w:delText></w:r></w:del>'
            '<w:r><w:t>team.</w:t></w:r></w:p>')
    path = tmp_path / "changes.docx"
    path.write_bytes(docx(body))
    texts = {u.location: u.text for u in extract_text_units(path) if isinstance(u, TextUnit)}
    rejected = [t for where, t in texts.items() if where.endswith("(tracked changes rejected)")]
    assert rejected == ["We rang Jayden and the team."]
    # the deletion lies between words: the text as it is already holds every word of both versions
    assert not [where for where in texts if where.endswith("(tracked changes accepted)")]


def test_field_keywords_and_switches_are_not_read_but_their_arguments_are(tmp_path: Path):
    body = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK '
            '"mailto:jo@example.org" \\o "Mrs Sowerby" \\* MERGEFORMAT </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    path = tmp_path / "field.docx"
    path.write_bytes(docx(body))
    [unit] = [u for u in extract_text_units(path) if isinstance(u, TextUnit) and "field code" in str(u.regions)]
    assert "HYPERLINK" not in unit.text and "MERGEFORMAT" not in unit.text and "\\o" not in unit.text
    assert '"mailto:jo@example.org"' in unit.text and '"Mrs Sowerby"' in unit.text


def test_a_scanned_pdf_page_is_listed_as_unread(tmp_path: Path, analyzer):
    from check_kinds import minimal_pdf

    data = minimal_pdf("", "").replace(b"/Font << /F1 5 0 R >>", b"/XObject << /Im1 5 0 R >>")
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    result = check_paths([path], analyzer=analyzer, jobs=1)
    assert result.exit_code == 2 and any("page 1" in line and "OCR" in line for line in result.not_scanned)


def test_an_encrypted_member_and_a_damaged_file_are_errors_not_passes(tmp_path: Path, analyzer):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really")
    (tmp_path / "broken.rtf").write_bytes(b"not rtf at all")
    result = check_paths([tmp_path], analyzer=analyzer, jobs=1)
    assert result.exit_code == 2 and len(result.errors) == 2


def test_images_are_read_for_metadata_and_the_programs_own_words_are_not(tmp_path: Path):
    from check_kinds import jpeg_with_exif, png_with_text

    (tmp_path / "a.png").write_bytes(png_with_text([(b"tEXt", b"Software\x00Matplotlib version3.9"),
                                                    (b"tEXt", b"Comment\x00Mrs Gillibrand")]))
    (tmp_path / "b.jpg").write_bytes(jpeg_with_exif("Mrs Gillibrand", "x"))
    png = [u.text for u in extract_text_units(tmp_path / "a.png") if isinstance(u, TextUnit)]
    jpg = [u.text for u in extract_text_units(tmp_path / "b.jpg") if isinstance(u, TextUnit)]
    assert "Mrs Gillibrand" in png and not any("Matplotlib" in t for t in png)
    assert "Mrs Gillibrand" in jpg and not any("Firmware" in t for t in jpg)


def test_a_zip_inside_a_zip_inside_a_zip_stops_at_the_nesting_bound(tmp_path: Path, analyzer):
    from check_kinds import zip_of

    data = b"Mrs Abernethy\n"
    for _ in range(5):
        data = zip_of({"inner.zip" if data[:2] == b"PK" else "a.txt": data})
    path = tmp_path / "deep.zip"
    path.write_bytes(data)
    units = list(extract_text_units(path))
    assert any(isinstance(u, Unreadable) and "nested" in u.reason for u in units)


# --------------------------------------------------------------------------- paths


def test_a_name_in_a_file_or_folder_name_is_masked_in_every_output(tmp_path: Path, analyzer):
    folder = tmp_path / "deid" / "Castlebrook Academy visits"
    folder.mkdir(parents=True)
    (folder / "Jayden_Okafor_notes.txt").write_text("He rang Mrs Abernethy.\n", encoding="utf-8")
    (tmp_path / "deid" / "plain.txt").write_text("Nothing here.\n", encoding="utf-8")
    result = check_paths([tmp_path / "deid"], analyzer=analyzer, jobs=1)
    assert {f.location for f in result.failing} >= {"file name", "folder name", "line 1"}
    outputs = {"text": format_text(result, show_all=True), "json": format_json(result),
               "sarif": format_sarif(result)}
    [index] = {f.file_index for f in result.failing if f.location in ("file name", "line 1")}
    for name, output in outputs.items():
        for word in ("Jayden", "Okafor", "Castlebrook", "Abernethy"):
            assert word not in output, f"{word} in the {name} output"
        assert f"_notes.txt [file {index}]" in output if name != "sarif" else f'"fileIndex": {index}' in output, name
    assert "plain.txt" not in outputs["text"]  # clean: not listed
    shown = [f.file for f in result.failing if f.location == "line 1"]
    assert shown and shown[0].endswith(f"_notes.txt [file {index}]") and "#" in shown[0]
    assert index in {f["file_index"] for f in json.loads(outputs["json"])["findings"]}


def test_a_path_without_an_identifier_is_shown_as_it_is(tmp_path: Path, analyzer):
    (tmp_path / "SW01_interview.txt").write_text("He rang Mrs Abernethy.\n", encoding="utf-8")
    result = check_paths([tmp_path], analyzer=analyzer, jobs=1)
    assert [f.file for f in result.failing] == [str(tmp_path / "SW01_interview.txt")]


def test_a_baseline_records_the_path_not_its_mask(tmp_path: Path, analyzer):
    from qual.check import update_baseline

    folder = tmp_path / "deid"
    folder.mkdir()
    (folder / "Jayden_Okafor_notes.txt").write_text("He rang Mrs Abernethy.\n", encoding="utf-8")
    baseline = tmp_path / ".qual-baseline.json"
    recorded, saved = update_baseline([folder], baseline, analyzer=analyzer, jobs=1)
    assert recorded.failing and list(saved.files) == ["deid/Jayden_Okafor_notes.txt"]
    again = check_paths([folder], analyzer=analyzer, jobs=1, baseline=baseline)
    assert again.exit_code == 0 and again.silenced == len(recorded.findings)


def test_a_password_protected_office_file_under_any_name_is_an_error(tmp_path: Path, analyzer):
    import make_hostile

    (tmp_path / "report").write_bytes(make_hostile.encrypted_docx_bytes())  # no suffix: sniffed as OLE
    (tmp_path / "report.docx").write_bytes(make_hostile.encrypted_docx_bytes())
    result = check_paths([tmp_path], analyzer=analyzer, jobs=1)
    assert result.exit_code == 2 and len(result.errors) == 2
    assert all("password" in line for line in result.errors)


def test_compressed_and_international_png_text_chunks_are_read(tmp_path: Path):
    import zlib

    from check_kinds import png_with_text

    chunks = [(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"Taken by Mrs Gillibrand")),
              (b"iTXt", b"Author\x00\x00\x00en\x00Author\x00Zo\xc3\xab Okafor"),
              (b"iTXt", b"Title\x00\x01\x00\x00\x00" + zlib.compress("Mrs Quigley".encode()))]
    path = tmp_path / "photo.png"
    path.write_bytes(png_with_text(chunks))
    texts = [u.text for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert "Taken by Mrs Gillibrand" in texts and "Zoë Okafor" in texts and "Mrs Quigley" in texts


def emf_with_text(runs: list[str]) -> bytes:
    """An EMF picture: its header, one ExtTextOutW record per run (on one baseline), EOF."""
    import struct

    header = struct.pack("<II", 1, 88) + bytes(32) + struct.pack("<I", 0x464D4520) + bytes(44)
    records = b""
    for x, text in enumerate(runs):
        encoded = text.encode("utf-16-le")
        size = 76 + len(encoded) + (-len(encoded) % 4)
        records += (struct.pack("<II", 84, size) + bytes(16) + struct.pack("<Iff", 1, 1.0, 1.0)
                    + struct.pack("<iiIII", 10 * x, 100, len(text), 76, 0) + bytes(20)
                    + encoded.ljust(size - 76, b"\x00"))
    return header + records + struct.pack("<II", 14, 20) + bytes(12)


def test_the_labels_of_a_vector_picture_are_read_and_a_word_drawn_letter_by_letter_is_whole(tmp_path: Path):
    path = tmp_path / "chart.emf"
    path.write_bytes(emf_with_text(["Referrals by", "Mrs Blenkinsop", "K", "a", "y", "d", "e", "n"]))
    [line] = [u.text for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert line == "Referrals by Mrs Blenkinsop Kayden"
