"""One OOXML package reader (``qual.ooxml``) for ingest, ``qual check`` and Word-comment import:
parts found through relationships and content types, or by what they hold, never by file name
alone."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from qual.files import local_name
from qual.ooxml import Package, paragraph_text

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def word_file(path: Path) -> Path:
    """A .docx made by python-docx, with a header, a comment and a title property."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Header of Hathersage"
    document.add_paragraph("Interviewer: How did it start?")
    paragraph = document.add_paragraph("Respondent: ")
    run = paragraph.add_run("my own office by the pastoral team")
    document.add_comment(run, text="IMP.SPACE", author="Coder", initials="C1")
    document.add_paragraph("Interviewer: Thanks.")
    document.add_paragraph("Respondent: You're welcome.")
    document.core_properties.title = "Notes by Ravenscar"
    document.save(path)
    return path


def _rels_of(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def renamed(source: Path, target: Path, renames: dict[str, str]) -> Path:
    """``source`` with parts renamed; their own relationships, the relationships that point to
    them and the content types follow them."""
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    moved = {**renames, **{_rels_of(old): _rels_of(new) for old, new in renames.items()}}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name.endswith(".rels") or name == "[Content_Types].xml":
                text = data.decode("utf-8")
                for old, new in renames.items():
                    for before, after in ((f'"/{old}"', f'"/{new}"'), (f'"{old}"', f'"{new}"'),
                                          (f'"{posixpath.basename(old)}"', f'"{posixpath.basename(new)}"')):
                        text = text.replace(before, after)
                data = text.encode("utf-8")
            archive.writestr(moved.get(name, name), data)
    return target


@pytest.fixture
def odd_names(tmp_path) -> Path:
    """The main document as word/document.bin, the header as word/header1.bin, the comments
    as word/notes-from-coder.bin: Word opens it, and so must qual."""
    source = word_file(tmp_path / "plain.docx")
    return renamed(source, tmp_path / "odd.docx", {"word/document.xml": "word/document.bin",
                                                    "word/header1.xml": "word/header1.bin",
                                                    "word/comments.xml": "word/notes-from-coder.bin"})


def test_the_renamed_package_still_says_what_its_parts_are(odd_names):
    with Package(odd_names) as package:
        assert "word/document.xml" not in package.names and "word/document.bin" in package.names
        main = package.main_part()
        assert main == "word/document.bin" and package.kind_of(main) == "word"
        related = package.related(main)
        assert related["header"] == ["word/header1.bin"] and related["comments"] == ["word/notes-from-coder.bin"]
        assert package.content_type("word/header1.bin").endswith("header+xml")
        assert package.is_xml("word/header1.bin") and package.root_name("word/header1.bin")[1] == "hdr"
        assert package.properties()["title"] == "Notes by Ravenscar"


def test_ingest_reads_a_document_found_through_its_relationships(odd_names):
    from qual.ingest.docx import read_docx

    document = read_docx(odd_names, odd_names.read_bytes())
    texts = [line.text for line in document.lines]
    assert "Interviewer: How did it start?" in texts
    assert document.metadata["headers"] == ["Header of Hathersage"]
    assert document.metadata["comments"][0]["text"] == "IMP.SPACE"
    assert document.metadata["properties"]["title"] == "Notes by Ravenscar"


def test_check_reads_every_part_by_what_it_is(odd_names):
    from qual.check.office import read_office

    units = list(read_office(odd_names.name, odd_names.read_bytes()))
    header = [u for u in units if "Hathersage" in u.text]
    assert header and header[0].part == "word/header1.bin" and header[0].location == "paragraph 1"
    body = [u for u in units if "pastoral team" in u.text]
    assert body and body[0].part == "word/document.bin" and body[0].location.startswith("paragraph ")
    assert any(u.text == "IMP.SPACE" and u.location.startswith("comment ") for u in units)
    assert any(u.text == "Notes by Ravenscar" and u.location == "property title" for u in units)


def test_word_comments_are_found_through_the_relationships(odd_names):
    from qual.coding.human import read_word_comments

    comments, text = read_word_comments(odd_names)
    assert [(c.text, c.quote) for c in comments] == [("IMP.SPACE", "my own office by the pastoral team")]
    assert text[comments[0].start:comments[0].end] == comments[0].quote


def test_a_relationship_outranks_a_usual_file_name(tmp_path):
    # word/document.xml is a decoy; the package's officeDocument relationship names the real one
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="/content/main.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'hyperlink" Target="mailto:someone@example.org" TargetMode="External"/></Relationships>')
    members = {
        "[Content_Types].xml": XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                     '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": XML + rels,
        "word/document.xml": XML + f"<w:document {W}><w:body><w:p><w:r><w:t>decoy</w:t></w:r></w:p></w:body>"
                                   "</w:document>",
        "content/main.xml": XML + f"<w:document {W}><w:body><w:p><w:r><w:t>I: real?</w:t></w:r></w:p></w:body>"
                                  "</w:document>",
    }
    path = tmp_path / "decoy.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with Package(path) as package:
        assert package.main_part() == "content/main.xml"
        external = [r for r in package.relationships("") if r.external]
        assert external[0].target == "mailto:someone@example.org" and external[0].kind == "hyperlink"
        assert paragraph_text(package.xml("content/main.xml").find(".//{*}p")) == "I: real?"


def test_a_package_without_relationships_is_read_by_what_its_parts_hold(tmp_path):
    members = {
        "[Content_Types].xml": XML + "<Types/>",
        "part1.xml": XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                           'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                           '<dc:creator>Mrs Ormerod</dc:creator></cp:coreProperties>',
        "part2.xml": XML + '<!-- made by hand --><!DOCTYPE w:document>'
                           f'<w:document {W}><w:body><w:p><w:r><w:t>text</w:t></w:r></w:p></w:body></w:document>',
    }
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with Package(tmp_path / "hand.docx", data.getvalue()) as package:
        assert package.main_part() == "part2.xml" and package.kind_of("part2.xml") == "word"
        assert package.root_name("part2.xml") == ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                                                  "document")
        assert package.property_parts() == {"core": ["part1.xml"]}
        assert package.properties() == {"author": "Mrs Ormerod"}
        assert package.has("PART1.XML")  # part names are case-insensitive


def test_local_name_is_the_one_namespace_stripper():
    root = etree.fromstring(f'<w:p {W} w:rsidR="00A1"><!-- note --><w:r/></w:p>')
    assert local_name(root) == "p" and local_name(root.tag) == "p"
    assert [local_name(key) for key in root.attrib] == ["rsidR"]
    assert local_name(root[0]) == ""  # a comment has no name
    assert local_name("plain") == "plain"


def test_no_other_module_strips_namespaces_its_own_way():
    package = Path(__file__).resolve().parents[1] / "qual"
    own_way = re.compile(r"""\.rsplit\(\s*["']\}["']\s*,\s*1\s*\)\s*\[-1\]""")
    found = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
             if own_way.search(p.read_text("utf-8"))]
    # check/qdpx.py and deid/writer.py are the de-identification side's, refactored on its branch
    assert set(found) <= {"files.py", "check/qdpx.py", "deid/writer.py"}, found


def _zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_part_stored_alike_has_the_same_stored_digest_and_another_part_does_not():
    styles = b"<w:styles>" + b"<w:style/>" * 500 + b"</w:styles>"
    other = styles.replace(b"<w:style/>", b"<w:style w:styleId='x'/>", 1)
    first = _zip_of({"a.txt": b"first", "word/styles.xml": styles})
    second = _zip_of({"bb/longer-name.txt": b"second one", "word/styles.xml": styles})
    third = _zip_of({"word/styles.xml": other})
    stored = _zip_of({"word/styles.xml": styles}, zipfile.ZIP_STORED)
    digests = []
    for data in (first, second, third, stored):
        with Package("test.docx", data) as package:
            digests.append(package.stored_digest("word/styles.xml"))
            assert package.read("word/styles.xml") in (styles, other)  # reading still works after
    assert digests[0] == digests[1] and None not in digests
    assert digests[2] != digests[0] and digests[3] != digests[0]


def test_transcripts_sharing_a_template_read_as_each_alone(tmp_path):
    # the style table is cached by the stored styles part: bold speaker labels are found the
    # same in a document read after another of its template as in one read first
    from qual.ingest.docx import _STYLE_TABLES
    from qual.ingest.reader import read_transcript

    paths = []
    for k in range(2):
        document = docx.Document()
        paragraph = document.add_paragraph()
        paragraph.add_run("Interviewer:").bold = True
        paragraph.add_run(f" Question {k}?")
        strong = document.add_paragraph(style="Intense Quote")
        strong.add_run("Participant:")
        strong.add_run(f" Answer {k}.")
        paths.append(tmp_path / f"t{k}.docx")
        document.save(paths[-1])
    _STYLE_TABLES.clear()
    alone = read_transcript(paths[1])
    together = [read_transcript(path) for path in paths][1]
    assert [(t.speaker, t.text) for t in together.turns] == [(t.speaker, t.text) for t in alone.turns]
    assert len(_STYLE_TABLES) == 1
