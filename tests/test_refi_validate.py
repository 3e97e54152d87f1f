"""Validation catches what the schema cannot: planted dangling references, bad offsets,
missing internal files, duplicate GUIDs, and the peers' known deviations."""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import shared_path
from qual.refi import build_qdpx, validate_qdc, validate_qdpx
from test_refi_support import CREATED, NS, coding_rows, members, rezip, small_codebook, small_corpus

P = "{urn:QDA-XML:project:1.0}"


@pytest.fixture
def good():
    transcripts = small_corpus()
    data, _ = build_qdpx(coding_rows(transcripts), transcripts, small_codebook(), created=CREATED,
                         summaries={("SW01", "IMP.SETUP"): "A summary."})
    return members(data)


def planted(tmp_path, files, change_qde=None, drop=(), add=None):
    files = dict(files)
    if change_qde is not None:
        root = etree.fromstring(files["project.qde"])
        change_qde(root)
        files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    for name in drop:
        del files[name]
    files.update(add or {})
    return rezip(tmp_path / "planted.qdpx", files)


def checks(problems, severity="error"):
    return {p.check for p in problems if p.severity == severity}


def first(root, tag):
    return next(root.iter(P + tag))


def test_a_clean_export_has_no_problem(tmp_path, good):
    assert validate_qdpx(planted(tmp_path, good), shared_path("refi", "Project-mrt2019.xsd")) == []


@pytest.mark.parametrize("change, check", [
    (lambda r: first(r, "CodeRef").set("targetGUID", "00000000-0000-0000-0000-000000000001"), "dangling-ref"),
    (lambda r: first(r, "SourceRef").set("targetGUID", "00000000-0000-0000-0000-000000000002"), "dangling-ref"),
    (lambda r: first(r, "NoteRef").set("targetGUID", "00000000-0000-0000-0000-000000000003"), "dangling-ref"),
    (lambda r: first(r, "VariableRef").set("targetGUID", "00000000-0000-0000-0000-000000000004"), "dangling-ref"),
    (lambda r: first(r, "Coding").set("creatingUser", "00000000-0000-0000-0000-000000000005"), "dangling-user"),
    (lambda r: first(r, "PlainTextSelection").set("endPosition", "100000"), "selection-bounds"),
    (lambda r: first(r, "PlainTextSelection").set("startPosition", "-3"), "selection-bounds"),
    (lambda r: (first(r, "PlainTextSelection").set("startPosition", "1"),
                first(r, "PlainTextSelection").set("endPosition", "20")), "selection-quote"),
    (lambda r: first(r, "Code").find(P + "Code").set("guid", first(r, "TextSource").get("guid")), "guid-unique"),
    (lambda r: first(r, "TextSource").set("plainTextPath", first(r, "TextSource").get("plainTextPath")[11:]),
     "path-scheme"),
    (lambda r: first(r, "TextSource").set("plainTextPath", "internal://no-such-file.txt"), "missing-internal"),
    (lambda r: etree.SubElement(first(r, "Note"), P + "PlainTextContent").__setattr__("text", "x"), "text-place"),
    (lambda r: first(r, "Code").set("color", "red"), "schema"),
])
def test_planted_errors_are_caught(tmp_path, good, change, check):
    problems = validate_qdpx(planted(tmp_path, good, change))
    assert check in checks(problems), problems


def test_a_missing_internal_file_is_caught(tmp_path, good):
    text_file = next(name for name in good if name.startswith("sources/"))
    problems = validate_qdpx(planted(tmp_path, good, drop=[text_file]))
    assert "missing-internal" in checks(problems)


def test_text_file_oddities_are_warned(tmp_path, good):
    root = etree.fromstring(good["project.qde"])
    source = root.find("q:Sources/q:TextSource", NS)
    name = "sources/" + source.get("plainTextPath")[11:]
    bom = planted(tmp_path, good, add={name: b"\xef\xbb\xbf" + good[name]})
    assert "text-bom" in checks(validate_qdpx(bom), "warning")
    crlf = planted(tmp_path, good, add={name: good[name].replace(b"\n", b"\r\n")})
    assert "text-line-ends" in checks(validate_qdpx(crlf), "warning")
    latin = planted(tmp_path, good, add={name: "café".encode("cp1252")})
    assert "text-encoding" in checks(validate_qdpx(latin))


def test_notes_without_a_date_are_warned(tmp_path, good):
    def undate(root):
        del first(root, "Note").attrib["creationDateTime"]

    assert "note-date" in checks(validate_qdpx(planted(tmp_path, good, undate)), "warning")


def test_schema_messages_do_not_quote_values(tmp_path, good):
    def bad_value(root):
        first(root, "Case").set("guid", "Jane-Smith-is-not-a-guid")

    problems = validate_qdpx(planted(tmp_path, good, bad_value))
    assert "schema" in checks(problems)
    assert not any("Jane" in str(p) for p in problems)


def test_xsd_false_skips_the_schema_and_a_bad_xsd_is_one_error(tmp_path, good):
    from qual.errors import InputFileError

    path = planted(tmp_path, good, lambda r: first(r, "Code").set("color", "red"))
    assert "schema" not in checks(validate_qdpx(path, False))
    bad = tmp_path / "bad.xsd"
    bad.write_text("<not-a-schema/>")
    with pytest.raises(InputFileError):
        validate_qdpx(path, bad)


def test_peers_samples_report_their_known_deviations():
    qc = validate_qdpx(shared_path("refi", "samples", "qc_demo.qdpx"))
    assert checks(qc) == {"path-scheme"}
    nvivo_style = validate_qdpx(shared_path("refi", "samples", "synthetic", "swis_probe_nvivo_style.qdpx"))
    assert "guid-unique" in checks(nvivo_style, "warning") and not checks(nvivo_style)
    skyloom = validate_qdpx(shared_path("refi", "samples", "skyloom_TestProject.qdpx"))
    assert {"missing-internal", "guid-unique"} <= checks(skyloom)
    assert "archive-layout" in checks(skyloom, "warning")


def test_every_shared_sample_passes_the_shared_schema():
    xsd = shared_path("refi", "Project-mrt2019.xsd")
    folder = shared_path("refi", "samples")
    for sample in [*folder.glob("*.qdpx"), *folder.glob("*.qde"), *folder.glob("synthetic/*.qdpx")]:
        assert "schema" not in checks(validate_qdpx(sample, xsd)), sample.name


def test_taguette_codebook_validates_once_empty_sets_are_stripped():
    problems = validate_qdc(shared_path("refi", "samples", "taguette_codebook_from_tests.qdc"),
                            shared_path("refi", "Codebook-mrt2019.xsd"))
    assert checks(problems) == set() and checks(problems, "warning") == {"empty-sets"}
