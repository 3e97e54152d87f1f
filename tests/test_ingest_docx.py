"""Word .docx ingest on documents generated here with python-docx (and XML edits where
python-docx cannot write the feature: tracked changes, fields, text boxes)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from qual.errors import InputFileError
from qual.ingest import read_transcript
from qual.model import Role

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def make_docx(path: Path, paragraphs, *, header=None, footer=None, title=None, author=None) -> Path:
    """Paragraphs are strings, or lists of (text, bold) runs."""
    document = docx.Document()
    for paragraph in paragraphs:
        p = document.add_paragraph()
        for text, bold in ([(paragraph, False)] if isinstance(paragraph, str) else paragraph):
            p.add_run(text).bold = bold
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    if title:
        document.core_properties.title = title
    if author:
        document.core_properties.author = author
    document.save(path)
    return path


def edit_body(path: Path, edit) -> Path:
    """Rewrite word/document.xml with ``edit(root)``: for features python-docx cannot write."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    root = etree.fromstring(members["word/document.xml"])
    edit(root)
    members["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def fragment(xml: str):
    return etree.fromstring(f'<w:x xmlns:w="{W_NS}" xmlns:mc="{MC_NS}">{xml}</w:x>')[0]


def paragraphs_of(root):
    return root.find(w("body")).findall(w("p"))


INTERVIEW = [
    "Interview with SW07 – 4 May 2023",
    "Interviewer: How did you come to the SWIS role?",
    "Respondent: I applied when the trial was advertised.",
    "It was a secondment at first.",
    "Interviewer: And the schools?",
    "Respondent: Two high schools. [laughs] Busy ones.",
]


def test_interviewer_respondent_docx(tmp_path):
    transcript = read_transcript(make_docx(tmp_path / "SW07 interview.docx", INTERVIEW))
    assert transcript.id == "SW07"
    assert transcript.format == "docx"
    assert [(t.speaker, t.role) for t in transcript.turns] == [
        ("Interviewer", Role.INTERVIEWER), ("Respondent", Role.PARTICIPANT),
        ("Interviewer", Role.INTERVIEWER), ("Respondent", Role.PARTICIPANT)]
    assert transcript.turns[1].text == "I applied when the trial was advertised.\nIt was a secondment at first."
    assert transcript.turns[3].annotations == [(18, 26)]
    assert transcript.metadata["preamble"] == ["Interview with SW07 – 4 May 2023"]
    assert transcript.metadata["turn_locations"] == ["paragraph 2", "paragraph 3", "paragraph 5", "paragraph 6"]
    # offsets locate each turn's text in the transcript's plain text
    for turn in transcript.turns:
        assert transcript.text[turn.start:turn.end] == turn.text


@pytest.mark.parametrize("paragraphs, speakers, stamps", [
    (["I: Hello?", "R: Hi.", "I: Ok?", "R: Yes."], ["I", "R", "I", "R"], [None] * 4),
    (["Hannah Price: Hello?", "Claire Whitfield: Hi.", "Hannah Price: Ok?", "Claire Whitfield: Yes."],
     ["Hannah Price", "Claire Whitfield", "Hannah Price", "Claire Whitfield"], [None] * 4),
    (["AVERY:\tHello?", "DOHERTY:\tHi.", "AVERY:\tOk?"], ["AVERY", "DOHERTY", "AVERY"], [None] * 3),
    (["[00:00:04] Interviewer: Hello?", "[00:00:13] SW: Hi.", "[00:01:02] Interviewer: Ok?"],
     ["Interviewer", "SW", "Interviewer"], ["00:00:04", "00:00:13", "00:01:02"]),
    (["Speaker 1  0:03", "Hello?", "Speaker 2  0:05", "Hi.", "Speaker 1  0:09", "Ok?"],
     ["Speaker 1", "Speaker 2", "Speaker 1"], ["0:03", "0:05", "0:09"]),
])
def test_label_styles(tmp_path, paragraphs, speakers, stamps):
    transcript = read_transcript(make_docx(tmp_path / "t.docx", paragraphs))
    assert [t.speaker for t in transcript.turns] == speakers
    assert [t.timestamp for t in transcript.turns] == stamps
    assert transcript.turns[0].role is Role.INTERVIEWER


def test_bold_labels(tmp_path):
    transcript = read_transcript(make_docx(tmp_path / "t.docx", [
        [("Interviewer", True), (" How did it start?", False)],
        [("Participant", True), (" Rushed, honestly.", False)],
        "More about that.",
        [("Interviewer:", True), (" And now?", False)],
        [("Participant: ", True), ("Better.", False)],
    ]))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Interviewer", "How did it start?"), ("Participant", "Rushed, honestly.\nMore about that."),
        ("Interviewer", "And now?"), ("Participant", "Better.")]


def test_headers_footers_comments_and_properties_are_metadata(tmp_path):
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.add_paragraph("Interviewer: Who referred Kayla?")
    answer = document.add_paragraph("Respondent: The DSL did.")
    document.sections[0].header.paragraphs[0].text = "Respondent: Gemma Hartley (SW01)"
    document.sections[0].footer.paragraphs[0].text = "CONFIDENTIAL – Stockport"
    document.add_comment(answer.runs, text="Check the DSL's name", author="Hannah Price", initials="HP")
    document.core_properties.title = "Interview with Gemma Hartley"
    document.core_properties.author = "Hannah Price"
    document.save(path)

    transcript = read_transcript(path)
    assert len(transcript.turns) == 2
    assert "Gemma" not in transcript.text  # the header is not a turn
    assert transcript.metadata["headers"] == ["Respondent: Gemma Hartley (SW01)"]
    assert transcript.metadata["footers"] == ["CONFIDENTIAL – Stockport"]
    [comment] = transcript.metadata["comments"]
    assert (comment["author"], comment["initials"], comment["text"]) == ("Hannah Price", "HP", "Check the DSL's name")
    [anchor] = comment["anchors"]
    assert transcript.turns[anchor["turn"]].text[anchor["start"]:anchor["end"]] == "The DSL did."
    assert transcript.metadata["properties"]["title"] == "Interview with Gemma Hartley"
    assert transcript.metadata["properties"]["author"] == "Hannah Price"


def test_tracked_insertions_kept_and_deletions_dropped(tmp_path):
    path = make_docx(tmp_path / "t.docx", ["Interviewer: What ", "Respondent: First half ", "second half.",
                                           "Interviewer: Moved?", "Respondent: Yes."])

    def edit(root):
        question, first_half, _, moved, _ = paragraphs_of(root)
        question.append(fragment('<w:del w:id="1" w:author="T"><w:r><w:delText>struck words</w:delText></w:r></w:del>'))
        question.append(fragment('<w:ins w:id="2" w:author="T"><w:r><w:t>inserted words</w:t></w:r></w:ins>'))
        question.append(fragment('<w:r><w:t>?</w:t></w:r>'))
        # a deleted paragraph mark: accepting it joins this paragraph with the next
        ppr = first_half.find(w("pPr"))
        if ppr is None:
            ppr = etree.SubElement(first_half, w("pPr"))
            first_half.insert(0, ppr)
        ppr.append(fragment('<w:rPr><w:del w:id="3" w:author="T"/></w:rPr>'))
        moved.append(fragment('<w:moveFrom w:id="4" w:author="T"><w:r><w:t> old place</w:t></w:r></w:moveFrom>'))
        moved.append(fragment('<w:moveTo w:id="5" w:author="T"><w:r><w:t> new place</w:t></w:r></w:moveTo>'))

    transcript = read_transcript(edit_body(path, edit))
    assert [t.text for t in transcript.turns] == [
        "What inserted words?", "First half second half.", "Moved? new place", "Yes."]
    assert "struck" not in transcript.text and "old place" not in transcript.text


def test_fields_line_breaks_and_text_boxes(tmp_path):
    path = make_docx(tmp_path / "t.docx", ["", "Interviewer: See ", "Respondent: Fine.", "Interviewer: Ok?"])

    def edit(root):
        otter, see, fine, _ = paragraphs_of(root)
        see.append(fragment('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'))
        see.append(fragment('<w:r><w:instrText>HYPERLINK "https://example.org"</w:instrText></w:r>'))
        see.append(fragment('<w:r><w:fldChar w:fldCharType="separate"/></w:r>'))
        see.append(fragment('<w:hyperlink><w:r><w:t>the guidance</w:t></w:r></w:hyperlink>'))
        see.append(fragment('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
        see.append(fragment('<w:r><w:t>?</w:t></w:r>'))
        # Shift+Enter between a label and its text
        otter.append(fragment('<w:r><w:t>Title line</w:t><w:br/><w:t>Second title line</w:t></w:r>'))
        fine.append(fragment(
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r>'
            '<w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>'
            '<w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r>'))

    transcript = read_transcript(edit_body(path, edit))
    assert transcript.turns[0].text == "See the guidance?"
    assert "HYPERLINK" not in transcript.text
    assert transcript.turns[1].text == "Fine.\nBoxed note"
    assert transcript.metadata["preamble"] == ["Title line", "Second title line"]


def test_speaker_tables_and_other_tables(tmp_path):
    path = tmp_path / "t.docx"
    document = docx.Document()
    facts = document.add_table(rows=3, cols=2)
    for row, (key, value) in zip(facts.rows, [("Participant", "Joanne (TM02)"), ("Local authority", "Hollinsford"),
                                              ("Interviewer", "Priya Raman")]):
        row.cells[0].text, row.cells[1].text = key, value
    speech = document.add_table(rows=5, cols=3)
    rows = [("Time", "Speaker", "Text"), ("00:01", "Interviewer", "How is it going?"),
            ("00:05", "TM", "Well, mostly."), ("", "", "Mostly well."), ("00:09", "Interviewer", "Why?")]
    for row, values in zip(speech.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("TM: Because the schools wanted it.")
    numbers = document.add_table(rows=2, cols=3)
    for row, values in zip(numbers.rows, [("Year", "Referrals", "Change"), ("2022", "41", "-25%")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.save(path)

    transcript = read_transcript(path)
    assert [(t.speaker, t.timestamp, t.text) for t in transcript.turns] == [
        ("Interviewer", "00:01", "How is it going?"), ("TM", "00:05", "Well, mostly.\nMostly well."),
        ("Interviewer", "00:09", "Why?"),
        ("TM", None, "Because the schools wanted it.\nYear\nReferrals\nChange\n2022\n41\n-25%")]
    assert transcript.metadata["preamble"][:3] == [
        "Participant\tJoanne (TM02)", "Local authority\tHollinsford", "Interviewer\tPriya Raman"]
    assert transcript.turns[0].role is Role.INTERVIEWER


def test_two_column_speaker_table_without_header(tmp_path):
    path = tmp_path / "t.docx"
    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    for row, values in zip(table.rows, [("I", "Ready?"), ("R", "Yes."), ("I", "Go on?"), ("R", "Ok.")]):
        row.cells[0].text, row.cells[1].text = values
    document.save(path)
    assert [t.speaker for t in read_transcript(path).turns] == ["I", "R", "I", "R"]


def test_teams_word_export_with_cue_times(tmp_path):
    path = make_docx(tmp_path / "t.docx", [
        "0:0:0.0 --> 0:0:3.520", "Collins, Sarah", "Hello, can you hear me?",
        "0:0:4.100 --> 0:0:6.000", "Avery, Tom", "Yes, I can.",
        "0:0:6.500 --> 0:0:8.000", "Avery, Tom", "Go ahead.",
        "0:0:9.000 --> 0:0:12.000", "Collins, Sarah", "Great, so first question?",
    ])
    transcript = read_transcript(path)
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Collins, Sarah", "Hello, can you hear me?"), ("Avery, Tom", "Yes, I can. Go ahead."),
        ("Collins, Sarah", "Great, so first question?")]
    assert transcript.turns[1].timestamp == "00:00:04"


def test_interviewer_option(tmp_path):
    path = make_docx(tmp_path / "t.docx", ["I: Hello?", "R: Hi.", "I: So?", "R: Yes."])
    transcript = read_transcript(path, interviewer="R")
    assert [t.role for t in transcript.turns] == [Role.PARTICIPANT, Role.INTERVIEWER] * 2
    assert transcript.metadata["roles_by"] == "option"


def test_empty_and_whitespace_documents_fail(tmp_path):
    empty = tmp_path / "empty.docx"
    docx.Document().save(empty)
    with pytest.raises(InputFileError, match=r"empty\.docx: is an empty Word document"):
        read_transcript(empty)
    blank = make_docx(tmp_path / "blank.docx", ["   ", "\t", ""])
    with pytest.raises(InputFileError, match="is an empty Word document"):
        read_transcript(blank)


def test_no_speaker_turns_fails_with_advice(tmp_path):
    guide = make_docx(tmp_path / "guide.docx", ["Background", "Would you like to introduce yourself?",
                                                "Who lives in this house? How long have you lived here?"])
    with pytest.raises(InputFileError) as caught:
        read_transcript(guide)
    message = str(caught.value)
    assert message.startswith(f"{guide}: has no detectable speaker turns")
    assert "interview guide" in message and "\n" not in message
    assert "Who lives" not in message


def test_not_word_zips(tmp_path):
    workbook = tmp_path / "sheet.docx"
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputFileError, match="is an Excel workbook"):
        read_transcript(workbook)
    odt = tmp_path / "notes.docx"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(InputFileError, match=r"OpenDocument text file \(\.odt\).*save it as \.docx"):
        read_transcript(odt)


def test_malformed_xml_inside_the_docx(tmp_path):
    path = make_docx(tmp_path / "t.docx", ["I: a?", "R: b."])
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["word/document.xml"] = members["word/document.xml"][:-40]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    with pytest.raises(InputFileError, match="malformed XML"):
        read_transcript(path)


def test_entity_declarations_are_refused(tmp_path):
    path = make_docx(tmp_path / "t.docx", ["I: a?", "R: b."])
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    body = members["word/document.xml"].decode()
    members["word/document.xml"] = body.replace(
        "?>", '?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', 1).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    with pytest.raises(InputFileError, match="declares entities"):
        read_transcript(path)
