"""qual check reads every place a file hides text: one identifier is planted in each hidden
place of a .docx (and of an .xlsx, a .qdpx, a .csv and the text formats) and each must be
found, by its location.

The fixtures are written as raw XML, the way Word and Excel store them, so that each place
is exactly where the application would put it. Planted identifiers are surnames after a
title ("Mrs Abernethy"), one distinct surname per place.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from qual.check import TextUnit, check_paths, extract_text_units
from qual.check.extract import Unreadable

W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
     'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
     'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
     'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
     'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
     'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
     'xmlns:v="urn:schemas-microsoft-com:vml"')
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Where each planted surname hides in the .docx: (part, location prefix).
DOCX_PLACES = {
    "Abernethy": ("word/document.xml", "paragraph 2"),
    "Blackwood": ("word/document.xml", "table 1, row 1, cell 2, paragraph 1"),
    "Cartwright": ("word/document.xml", "paragraph 3 (tracked deletion)"),
    "Dunmore": ("word/document.xml", "paragraph 4 (tracked insertion)"),
    "Ellingham": ("word/document.xml", "text box 1, paragraph 1"),
    "Fairweather": ("word/document.xml", "drawing 2, alt text"),
    "Greenhalgh": ("word/document.xml", "drawing 2, title"),
    "Hollingsworth": ("word/header1.xml", "paragraph 1"),
    "Illingworth": ("word/footer1.xml", "paragraph 1"),
    "Jessop": ("word/footnotes.xml", "footnote 1, paragraph 1"),
    "Kettleborough": ("word/endnotes.xml", "endnote 1, paragraph 1"),
    "Lockwood": ("word/comments.xml", "comment 0, paragraph 1"),
    "Mottram": ("word/comments.xml", "author 1 of comments and tracked changes"),
    "Northcott": ("word/document.xml", "author 1 of comments and tracked changes"),
    "Ormerod": ("docProps/core.xml", "property creator"),
    "Pickersgill": ("docProps/core.xml", "property title"),
    "Quarmby": ("docProps/app.xml", "property Manager"),
    "Rawcliffe": ("docProps/custom.xml", "custom property 1 (value)"),
    "Sowerby": ("word/document.xml", "paragraph 7 (field code)"),
}


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def docx_members(body_extra: str = "") -> dict[str, str]:
    """A .docx with one planted surname in each hidden place of DOCX_PLACES."""
    textbox = paragraph("Note: ring Mrs Ellingham before the visit.")
    body = (
        paragraph("Interviewer: Thank you for coming in today.")
        + paragraph("Respondent: I spoke to Mrs Abernethy about it.")
        + '<w:tbl><w:tr><w:tc>' + paragraph("Venue") + '</w:tc><w:tc>'
        + paragraph("Met Mrs Blackwood there") + '</w:tc></w:tr></w:tbl>'
        + '<w:p><w:r><w:t xml:space="preserve">We then saw </w:t></w:r>'
          '<w:del w:id="1" w:author="Mrs Northcott" w:date="2024-01-01T00:00:00Z"><w:r>'
          '<w:delText>Mrs Cartwright</w:delText></w:r></w:del>'
          '<w:r><w:t xml:space="preserve"> at the school.</w:t></w:r></w:p>'
        + '<w:p><w:r><w:t xml:space="preserve">Later </w:t></w:r>'
          '<w:ins w:id="2" w:author="Mrs Northcott" w:date="2024-01-01T00:00:00Z"><w:r>'
          '<w:t>Mrs Dunmore</w:t></w:r></w:ins>'
          '<w:r><w:t xml:space="preserve"> came to the meeting.</w:t></w:r></w:p>'
        + '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
          '<wp:docPr id="2" name="Text Box 2"/><a:graphic><a:graphicData><wps:wsp><wps:txbx>'
          f'<w:txbxContent>{textbox}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic>'
          '</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>'
          f'<w:txbxContent>{textbox}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
          '</mc:AlternateContent></w:r></w:p>'
        + '<w:p><w:r><w:drawing><wp:inline><wp:docPr id="3" name="Picture 3" '
          'descr="Photo of Mrs Fairweather at the gate" title="Mrs Greenhalgh"/><a:graphic><a:graphicData>'
          '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="Picture 3" descr="Photo of Mrs Fairweather at the gate"/>'
          '</pic:nvPicPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
        + '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
          ' HYPERLINK "mailto:office@example.org" \\o "Mrs Sowerby" </w:instrText></w:r>'
          '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>the office</w:t></w:r>'
          '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        + body_extra
    )
    return {
        "[Content_Types].xml": XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                     '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": XML + f"<w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>",
        "word/header1.xml": XML + f"<w:hdr {W}>{paragraph('Interview with Mrs Hollingsworth')}</w:hdr>",
        "word/footer1.xml": XML + f"<w:ftr {W}>{paragraph('Transcribed for Mrs Illingworth')}</w:ftr>",
        "word/footnotes.xml": XML + f'<w:footnotes {W}><w:footnote w:type="separator" w:id="-1">'
                                    f'<w:p/></w:footnote><w:footnote w:id="1">'
                                    f'{paragraph("Mrs Jessop asked not to be named.")}</w:footnote></w:footnotes>',
        "word/endnotes.xml": XML + f'<w:endnotes {W}><w:endnote w:id="1">'
                                   f'{paragraph("Confirmed later by Mrs Kettleborough.")}</w:endnote></w:endnotes>',
        "word/comments.xml": XML + f'<w:comments {W}><w:comment w:id="0" w:author="Mrs Mottram" '
                                   f'w:initials="MM">{paragraph("Check with Mrs Lockwood first")}'
                                   f'</w:comment></w:comments>',
        "docProps/core.xml": XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                                   'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                                   'xmlns:dcterms="http://purl.org/dc/terms/" '
                                   'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                                   '<dc:title>Interview notes about Mrs Pickersgill</dc:title>'
                                   '<dc:creator>Mrs Ormerod</dc:creator>'
                                   '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T10:00:00Z</dcterms:created>'
                                   '</cp:coreProperties>',
        "docProps/app.xml": XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                                  'extended-properties"><Application>Microsoft Office Word</Application>'
                                  '<Manager>Mrs Quarmby</Manager><Words>120</Words></Properties>',
        "docProps/custom.xml": XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                                     'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
                                     '2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" '
                                     'pid="2" name="Reviewer"><vt:lpwstr>Mrs Rawcliffe</vt:lpwstr></property>'
                                     '</Properties>',
    }


def write_docx(path: Path, **kwargs) -> Path:
    path.write_bytes(zip_bytes(docx_members(**kwargs)))
    return path


XLSX_PLACES = {
    "Thistlethwaite": ("xl/worksheets/sheet1.xml", "sheet 1, cell B2"),
    "Uttley": ("xl/worksheets/sheet1.xml", "sheet 1, cell C2"),
    "Verity": ("xl/worksheets/sheet2.xml", "sheet 2 (hidden), cell A1"),
    "Whiteley": ("xl/workbook.xml", "sheet 2 (hidden) (name)"),
    "Yardley": ("xl/sharedStrings.xml", "shared string 3 (in no cell)"),
    "Ackroyd": ("xl/comments1.xml", "sheet 1, comment on B2"),
    "Bottomley": ("xl/comments1.xml", "sheet 1, comment author 1"),
    "Crabtree": ("docProps/core.xml", "property creator"),
    "Dewhurst": ("xl/worksheets/sheet1.xml", "sheet 1, cell D2 (formula)"),
}


def xlsx_members() -> dict[str, str]:
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    return {
        "[Content_Types].xml": XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                     '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": XML + f'<Relationships {rels}><Relationship Id="rId1" Type="{rel}/officeDocument" '
                             'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": XML + f'<workbook {main} xmlns:r="{rel}"><sheets>'
                                 '<sheet name="Data" sheetId="1" r:id="rId1"/>'
                                 '<sheet name="Mrs Whiteley" sheetId="2" state="hidden" r:id="rId2"/>'
                                 '</sheets><definedNames><definedName name="_xlnm._FilterDatabase" '
                                 'localSheetId="0" hidden="1">Data!$A$1:$D$2</definedName></definedNames></workbook>',
        "xl/_rels/workbook.xml.rels": XML + f'<Relationships {rels}>'
                                            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                                            f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/sheet2.xml"/>'
                                            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                                            '</Relationships>',
        "xl/sharedStrings.xml": XML + f'<sst {main} count="3" uniqueCount="3"><si><t>participant</t></si>'
                                      '<si><r><t>Seen by Mrs </t></r><r><t>Thistlethwaite</t></r></si>'
                                      '<si><t>Mrs Yardley (row deleted)</t></si></sst>',
        "xl/worksheets/sheet1.xml": XML + f'<worksheet {main}><sheetData>'
                                          '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                                          '<row r="2"><c r="B2" t="s"><v>1</v></c>'
                                          '<c r="C2" t="inlineStr"><is><t>Rang Mrs Uttley</t></is></c>'
                                          '<c r="D2" t="str"><f>IF(A1="x","Mrs Dewhurst","")</f><v></v></c>'
                                          '</row></sheetData></worksheet>',
        "xl/worksheets/_rels/sheet1.xml.rels": XML + f'<Relationships {rels}><Relationship Id="rId1" '
                                                     f'Type="{rel}/comments" Target="../comments1.xml"/></Relationships>',
        "xl/worksheets/sheet2.xml": XML + f'<worksheet {main}><sheetData><row r="1">'
                                          '<c r="A1" t="inlineStr"><is><t>Mrs Verity</t></is></c>'
                                          '</row></sheetData></worksheet>',
        "xl/comments1.xml": XML + f'<comments {main}><authors><author>Mrs Bottomley</author></authors>'
                                  '<commentList><comment ref="B2" authorId="0"><text><r><t>Ask Mrs Ackroyd</t></r>'
                                  '</text></comment></commentList></comments>',
        "docProps/core.xml": XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                                   'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                                   '<dc:creator>Mrs Crabtree</dc:creator></cp:coreProperties>',
    }


SOURCE_GUID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
DOCX_SOURCE_GUID = "9A1B2C3D-0000-4000-8000-00000000ABCD"
QDPX_PLACES = {
    "Fothergill": ("project.qde", "User 1 @name"),
    "Gledhill": ("project.qde", "TextSource 1, Description"),
    "Haworth": ("project.qde", "Note 1, PlainTextContent"),
    "Ingham": (f"sources/{SOURCE_GUID}.txt", "line 2"),
    "Jowett": (f"sources/{DOCX_SOURCE_GUID}.docx/word/document.xml", "paragraph 1"),
}


def qdpx_members() -> dict[str, str | bytes]:
    project = (XML + '<Project xmlns="urn:QDA-XML:project:1.0" name="SWIS evaluation" origin="qual">'
               '<Users><User guid="11111111-2222-3333-4444-555555555555" name="Mrs Fothergill"/></Users>'
               f'<Sources><TextSource guid="{SOURCE_GUID}" name="SW01" plainTextPath="internal://{SOURCE_GUID}.txt">'
               '<Description>Interview arranged by Mrs Gledhill</Description></TextSource></Sources>'
               '<Notes><Note guid="66666666-7777-8888-9999-000000000000" name="memo">'
               '<PlainTextContent>Follow up with Mrs Haworth</PlainTextContent></Note></Notes></Project>')
    source_docx = docx_members()
    source_docx["word/document.xml"] = XML + f"<w:document {W}><w:body>{paragraph('I told Mrs Jowett.')}</w:body></w:document>"
    for name in ("word/header1.xml", "word/footer1.xml", "word/footnotes.xml", "word/endnotes.xml",
                 "word/comments.xml", "docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"):
        source_docx.pop(name)
    return {
        "project.qde": project,
        f"sources/{SOURCE_GUID}.txt": "Interviewer: Hello.\nRespondent: I told Mrs Ingham about it.\n",
        f"sources/{DOCX_SOURCE_GUID}.docx": zip_bytes(source_docx),
    }


TEXT_FILES = {
    "notes.csv": ("id,text\n1,hello\n2,I rang Mrs Kershaw yesterday\n", "Kershaw", "", "row 3, column 2"),
    "notes.txt": ("Interview notes\n\nWe met Mrs Lumb at the school.\n", "Lumb", "", "line 3"),
    "notes.md": ("# Notes\n\n- met Mrs Midgley\n", "Midgley", "", "line 3"),
    "notes.json": (json.dumps({"notes": [{"text": "Ask Mrs Nuttall"}]}), "Nuttall", "", "$.notes[0].text"),
    "notes.jsonl": ('{"text": "nothing here"}\n{"text": "Mrs Oddie rang"}\n', "Oddie", "", "line 2, $.text"),
    "call.vtt": ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Who did you see?\n\n2\n"
                 "00:00:04.500 --> 00:00:07.000\n<v Respondent>I saw Mrs Pilling.\n", "Pilling", "", "line 9"),
    "call.srt": ("1\n00:00:01,000 --> 00:00:04,000\nI saw Mrs Ramsbottom.\n", "Ramsbottom", "", "line 3"),
    "page.html": ('<html><body>\n<p>Hello</p>\n<img alt="Photo of Mrs Sutcliffe" src="x.png">\n'
                  '<script>var data = {"name": "Mrs Tattersall"};</script>\n</body></html>',
                  "Sutcliffe", "", "line 3 (attribute alt)"),
}


def found_at(result, name_offsets, part, location):
    return [f for f in result.findings
            if f.part == part and f.location.startswith(location) and f.offset in name_offsets]


def offsets_of(units, surname):
    """Where the surname (or its title) starts in the units of its place."""
    out = set()
    for unit in units:
        if isinstance(unit, TextUnit) and surname in unit.text:
            i = unit.text.index(surname)
            line_start = unit.text.rfind("\n", 0, i) + 1 if unit.first_line is not None else 0
            out |= {i - line_start, i - line_start - 4}
    return out


# --------------------------------------------------------------------------- tests


def test_every_hidden_place_of_a_docx_is_found_by_location(tmp_path):
    path = write_docx(tmp_path / "planted.docx")
    units = list(extract_text_units(path))
    result = check_paths([path], jobs=1)
    for surname, (part, location) in DOCX_PLACES.items():
        hits = found_at(result, offsets_of(units, surname), part, location)
        assert hits, f"{surname} planted in {part} at {location} was not found"
        assert all(h.failing for h in hits)
    assert result.exit_code == 1


def test_text_box_fallback_copy_is_not_reported_twice(tmp_path):
    path = write_docx(tmp_path / "planted.docx")
    units = [u for u in extract_text_units(path) if isinstance(u, TextUnit) and "Ellingham" in u.text]
    assert len(units) == 1


def test_every_hidden_place_of_an_xlsx_is_found_by_location(tmp_path):
    path = tmp_path / "planted.xlsx"
    path.write_bytes(zip_bytes(xlsx_members()))
    units = list(extract_text_units(path))
    result = check_paths([path], jobs=1)
    for surname, (part, location) in XLSX_PLACES.items():
        assert found_at(result, offsets_of(units, surname), part, location), \
            f"{surname} planted in {part} at {location} was not found"
    # Excel's built-in names (_xlnm.*) are no text a person typed
    assert not [u for u in units if isinstance(u, TextUnit) and "FilterDatabase" in u.text]


def test_qdpx_project_xml_and_every_source_are_read(tmp_path):
    path = tmp_path / "project.qdpx"
    path.write_bytes(zip_bytes(qdpx_members()))
    units = list(extract_text_units(path))
    result = check_paths([path], jobs=1)
    for surname, (part, location) in QDPX_PLACES.items():
        assert found_at(result, offsets_of(units, surname), part, location), \
            f"{surname} planted in {part} at {location} was not found"


def test_qdpx_source_that_cannot_be_read_is_listed_not_hidden(tmp_path):
    members = qdpx_members()
    members[f"sources/{SOURCE_GUID[:-4]}AAAA.m4a"] = b"\x00\x00\x00\x20ftypM4A " + bytes(range(256))  # audio
    path = tmp_path / "project.qdpx"
    path.write_bytes(zip_bytes(members))
    assert any(isinstance(u, Unreadable) for u in extract_text_units(path))
    default = check_paths([path], jobs=1)
    assert default.not_scanned and not default.errors and default.exit_code == 2
    lenient = check_paths([path], jobs=1, allow_unscanned=True)
    assert lenient.not_scanned and not lenient.errors and lenient.exit_code == 1  # the planted names
    strict = check_paths([path], jobs=1, strict=True)
    assert strict.errors and strict.exit_code == 2


def test_a_damaged_source_is_an_error_and_the_rest_of_the_project_is_still_read(tmp_path):
    members = qdpx_members()
    members[f"sources/{DOCX_SOURCE_GUID}.docx"] = b"PK\x03\x04 damaged"
    path = tmp_path / "project.qdpx"
    path.write_bytes(zip_bytes(members))
    result = check_paths([path], jobs=1)
    assert result.exit_code == 2 and len(result.errors) == 1
    assert DOCX_SOURCE_GUID in result.errors[0] and "Jowett" not in result.errors[0]
    assert any(f.part == f"sources/{SOURCE_GUID}.txt" for f in result.failing)


@pytest.mark.parametrize("name", sorted(TEXT_FILES))
def test_text_formats_are_found_by_location(tmp_path, name):
    content, surname, part, location = TEXT_FILES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    units = list(extract_text_units(path))
    result = check_paths([path], jobs=1)
    hits = [f for f in result.findings if f.part == part and f.location.startswith(location)]
    assert hits, f"{surname} in {name} not found at {location}"
    assert result.exit_code == 1
    assert offsets_of(units, surname) & {h.offset for h in hits}


def test_html_script_data_is_read_but_embedded_libraries_are_not(tmp_path):
    library = "/*! plotly.js v2 | Copyright 2012-2024, Plotly, Inc. | MIT */\n" + ("var a='Mrs Uttley';" * 2000)
    page = (f'<html><head><script>{library}</script></head><body>\n'
            '<script>Plotly.newPlot("x", [{"hovertext": ["said Mrs Tattersall"], '
            '"y": {"dtype": "f8", "bdata": "AAAAAAAASkChlQ"}}])</script></body></html>')
    path = tmp_path / "topics.html"
    path.write_text(page, encoding="utf-8")
    texts = [u.text for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert any("Tattersall" in t for t in texts)
    assert not any("Uttley" in t for t in texts)
    assert not any("AAAAAAAASkChlQ" in t for t in texts)


def test_caption_voice_names_are_read_and_timings_blanked(tmp_path):
    path = tmp_path / "call.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Mrs Pilling>Hello there.\n", encoding="utf-8")
    (unit,) = [u for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert "Mrs Pilling" in unit.text and "-->" not in unit.text
    assert len(unit.text) == len(path.read_text(encoding="utf-8"))  # offsets unchanged


def test_caption_cue_numbers_and_teams_ids_are_blanked_not_read_as_codes(tmp_path):
    """A cue ending "the reference number is" and the next cue's number (or Teams id) read
    together are no case number; a cue identifier that is words is still read."""
    path = tmp_path / "call.srt"
    path.write_text("210\n00:14:01,000 --> 00:14:03,000\nSo the reference number is\n\n"
                    "211\n00:14:03,000 --> 00:14:05,000\non the form, I think.\n", encoding="utf-8")
    (unit,) = [u for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert "211" not in unit.text and "210" not in unit.text
    vtt = tmp_path / "teams.vtt"
    vtt.write_text("WEBVTT\n\n5ce42461-af5b-acc0-5787-f5b8b449d0cd/12-0\n00:00:01.000 --> 00:00:04.000\n"
                   "<v [Person 1]>The number is\n\njayden-okafor-2\n00:00:04.000 --> 00:00:05.000\nfine.\n",
                   encoding="utf-8")
    units = [u for u in extract_text_units(vtt) if isinstance(u, TextUnit)]
    assert "5ce42461" not in units[0].text and "jayden-okafor-2" in units[0].text
    assert any("Jayden Okafor" in u.text for u in units[1:])


def test_json_keys_are_scanned_and_only_schema_words_shown_in_paths(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"participant_id": "SW01", "Mrs Wadsworth": {"text": "x"}}), encoding="utf-8")
    units = [u for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert any(u.text == "Mrs Wadsworth" and u.location.endswith("(key)") for u in units)
    assert all("Wadsworth" not in u.location for u in units)
    assert any(u.location == "$.participant_id" for u in units)


def test_member_names_outside_the_format_are_read_not_shown(tmp_path):
    members = docx_members()
    members["customXml/Mrs Yardley.xml"] = XML + "<root/>"
    path = tmp_path / "odd.docx"
    path.write_bytes(zip_bytes(members))
    units = [u for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert any(u.text == "customXml/Mrs Yardley.xml" for u in units)
    assert all("Yardley" not in u.part and "Yardley" not in u.location for u in units)


def test_machine_written_properties_are_not_findings(tmp_path):
    path = write_docx(tmp_path / "planted.docx")
    units = [u for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert not [u for u in units if u.text.startswith("2024-01-01T")]
    assert not [u for u in units if u.text == "Microsoft Office Word"]


def test_numbers_are_read_when_they_could_be_a_phone_or_nhs_number(tmp_path):
    from qual.check.extract import number_worth_reading

    assert number_worth_reading("7700900123", typed=True)           # a mobile without its 0
    assert not number_worth_reading("123456", typed=True)           # an offset
    assert not number_worth_reading("1234567.25", typed=True)
    assert number_worth_reading("07700 900123") and number_worth_reading("2019-03-14")
    assert not number_worth_reading("104233") and not number_worth_reading("0.8731")
    path = tmp_path / "turns.json"
    path.write_text(json.dumps({"start": 104233, "end": 104871, "phone": 7700900461}), encoding="utf-8")
    texts = [u.text for u in extract_text_units(path) if isinstance(u, TextUnit)]
    assert "7700900461" in texts and "104233" not in texts


def test_a_reader_from_an_installed_package_is_found_and_used(tmp_path):
    # a tiny third-party package, installed beside qual, adds a format through an entry point
    package = tmp_path / "site" / "qual_demo_reader"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent('''
        from qual.check.extract import TextUnit

        def read_notes(name, data):
            for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
                yield TextUnit("", f"note {number}", line)
    '''))
    info = tmp_path / "site" / "qual_demo_reader-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: qual-demo-reader\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[qual_check_extractors]\n.notes = qual_demo_reader:read_notes\n")
    notes = tmp_path / "visit.notes"
    notes.write_text("All fine.\nZebedee Okafor rang from 07700 900123.\n", encoding="utf-8")
    code = textwrap.dedent(f'''
        from qual.check import check, supported_suffixes
        result = check([{str(notes)!r}], ner=None)
        print(".notes" in supported_suffixes(), result.exit_code, sorted({{f.location for f in result.failing}}))
    ''')
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with_plugin = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 env=environment | {"PYTHONPATH": str(tmp_path / "site")})
    assert with_plugin.returncode == 0, with_plugin.stderr[-2000:]
    assert with_plugin.stdout.strip() == "True 1 ['note 2']"
    without = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)
    # without the reader the file is still no pass: it is text, and read as text
    assert without.stdout.strip() == "False 1 ['line 2']"


def test_a_pdf_feature_pypdf_does_not_implement_is_one_line_not_damage(monkeypatch):
    """pypdf raises NotImplementedError for an encryption or filter it lacks: the file is not
    damaged, and the line says what to do instead."""
    import pypdf

    from qual.check.documents import read_pdf
    from qual.errors import InputFileError

    def unsupported(*args, **kwargs):
        raise NotImplementedError("an unsupported filter")

    monkeypatch.setattr(pypdf, "PdfReader", unsupported)
    with pytest.raises(InputFileError) as raised:
        list(read_pdf("scan.pdf", b"%PDF-1.7\n"))
    assert "damaged" not in str(raised.value) and "pypdf does not support" in str(raised.value)
