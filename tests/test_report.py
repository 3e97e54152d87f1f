"""The Word report: headings for a table of contents, definitions, counts by role, and
illustrative quotes chosen for strength and variety, with references."""

from __future__ import annotations

import zipfile

import docx
import pandas as pd
import pytest
from test_matrix import (QUOTES, coding_row, convert_to_pdf, sample_codebook, sample_codings,
                         sample_transcripts)

from qual.errors import QualError
from qual.export import build_matrix
from qual.export.report import choose_quotes, excerpt, quote_strength, write_report


@pytest.fixture
def matrix():
    return build_matrix(sample_codings(), sample_codebook(), transcripts=sample_transcripts())


def headings(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def table_of_contents(path) -> list[tuple[str, str]]:
    """(text, bookmark) of each entry of the report's table of contents."""
    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    sdt = [s for s in root.iter(f"{W}sdt") if s.find(f".//{W}docPartGallery") is not None
           and s.find(f".//{W}docPartGallery").get(f"{W}val") == "Table of Contents"]
    assert len(sdt) == 1
    entries = []
    for link in sdt[0].iter(f"{W}hyperlink"):
        text = "".join(t.text for t in link.iter(f"{W}t"))
        entries.append((text, link.get(f"{W}anchor")))
    return entries


def test_the_table_of_contents_is_a_real_one_whose_entries_lead_to_their_headings(matrix, tmp_path):
    from lxml import etree

    path = write_report(matrix, tmp_path / "report.docx")
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    entries = table_of_contents(path)
    marks = {}
    for paragraph in root.iter(f"{W}p"):
        for mark in paragraph.iter(f"{W}bookmarkStart"):
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            marks[mark.get(f"{W}name")] = (style.get(f"{W}val") if style is not None else "",
                                          "".join(t.text for t in paragraph.iter(f"{W}t")))
    assert len(entries) > 5
    for text, bookmark in entries:
        style, heading = marks[bookmark]
        assert heading == text and style.startswith("Heading")
    # one TOC field: begun in the first entry, ended in the last, around all of them
    sdt = next(root.iter(f"{W}sdt"))
    chars = [c.get(f"{W}fldCharType") for c in sdt.iter(f"{W}fldChar")]
    assert chars == ["begin", "separate", "end"]
    assert 'TOC \\o "1-2" \\h' in "".join(t.text for t in sdt.iter(f"{W}instrText"))


def test_report_structure(matrix, tmp_path):
    path = write_report(matrix, tmp_path / "report.docx",
                        summaries={("SW01", "IMP.SETUP"): "Induction was informal.", ("All SW", "REL.DSL"): 2})
    document = docx.Document(str(path))
    found = headings(document)
    assert ("Heading 1", "Implementation and set-up (IMP)") in found
    assert ("Heading 2", "Set-up and induction (IMP.SETUP)") in found
    assert [t for s, t in found if s == "Heading 2"] == [
        "Set-up and induction (IMP.SETUP)", "Space and visibility in school (IMP.SPACE)",
        "With designated safeguarding leads (REL.DSL)", "With parents and families (REL.FAMILIES)"]
    assert found[0] == ("Heading 1", "Overview") and found[-1] == ("Heading 1", "About this report")
    # a table-of-contents field listing the headings, as Word writes one
    body = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert body.count('TOC \\o "1-2"') == 1
    assert "updateFields" in zipfile.ZipFile(path).read("word/settings.xml").decode()
    toc = table_of_contents(path)
    assert "Set-up and induction (IMP.SETUP)" in [text for text, _ in toc]
    assert [text for text, _ in toc] == ["Overview", *[t for _, t in found[1:]]]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Definition: Recruiting and induction of SWIS social workers." in text
    assert "Exclude: later delivery (ROLE.*)" in text
    assert "Coded in: 2 of 4 cases, 3 segments; 1 of 3 social workers (2 segments); 1 of 1 team managers " \
           "(1 segments)." in text
    assert "No segment was coded with this code." not in text
    assert "unreviewed machine suggestions" in text  # nothing accepted: the reader is told
    assert "SW01: Induction was informal." in text and "All SW: 2" in text
    assert document.core_properties.author == "qual"
    assert len(document.tables) == 2 and document.tables[0].rows[0].cells[0].text == "Code"


def test_quotes_in_the_report_carry_references(matrix, tmp_path):
    document = docx.Document(str(write_report(matrix, tmp_path / "report.docx")))
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert f"\u201c{QUOTES['setup_tm01']}\u201d (TM01, turn 1; TM)" in quotes
    assert f"\u201c{QUOTES['families_sw02']}\u201d (SW02, turn 3, para 2, 00:03:00; SW)" in quotes
    assert not any("rejected suggestion" in q for q in quotes)


def test_code_without_segments_says_so(tmp_path):
    codings = sample_codings()
    matrix = build_matrix(codings[codings["code"] != "REL.FAMILIES"], sample_codebook(),
                          transcripts=sample_transcripts())
    text = "\n".join(p.text for p in docx.Document(str(write_report(matrix, tmp_path / "r.docx"))).paragraphs)
    assert "No segment was coded with this code." in text


def _quotes(rows) -> pd.DataFrame:
    matrix = build_matrix(pd.DataFrame(rows), sample_codebook(), transcripts=sample_transcripts())
    return matrix.quotes


SENTENCE = ("I think the biggest thing for me was being in the school every day so the staff "
            "got to know me and would come and ask about a child before it became a referral")


def test_choose_quotes_prefers_strength_and_varies_cases_and_roles():
    rows = [coding_row("SW01", 1, "IMP.SETUP", SENTENCE + " number one.", 0.95),
            coding_row("SW01", 3, "IMP.SETUP", "Completely different words about the first weeks of the job, "
                       "the induction pack and meeting the head teacher on day one in September.", 0.94),
            coding_row("SW02", 1, "IMP.SETUP", "Another case talking about how recruitment went in the summer "
                       "term and how long the vetting took before she could start in school.", 0.6),
            coding_row("TM01", 1, "IMP.SETUP", "As a manager I had to get the induction right for three new "
                       "starters and agree with each school how the role would work.", 0.5),
            coding_row("SW03", 1, "IMP.SETUP", "Yes.", 0.99)]
    chosen = choose_quotes(_quotes(rows), 3)
    assert list(chosen["case"])[0] == "SW01"
    assert sorted(chosen["case"]) == ["SW01", "SW02", "TM01"]  # a weaker quote of another case beats SW01's second
    assert "TM" in set(chosen["group"])  # the other role is represented
    assert "Yes." not in set(chosen["text"])  # too short to illustrate anything


def test_choose_quotes_skips_near_duplicates():
    rows = [coding_row("SW01", 1, "IMP.SETUP", SENTENCE + ".", 0.9),
            coding_row("SW02", 1, "IMP.SETUP", SENTENCE + ", you know.", 0.9),
            coding_row("TM01", 1, "IMP.SETUP", SENTENCE.replace("biggest", "main") + ".", 0.9)]
    chosen = choose_quotes(_quotes(rows), 3)
    assert len(chosen) == 1


def test_quote_strength_and_excerpt():
    base = {"score": 0.8, "status": "suggested", "role": "participant", "text": SENTENCE}
    assert quote_strength({**base, "status": "accepted"}) > quote_strength(base)
    assert quote_strength({**base, "role": "interviewer"}) < quote_strength(base)
    assert quote_strength({**base, "text": "Yes, definitely."}) < quote_strength(base)
    assert quote_strength({**base, "text": (SENTENCE + ". ") * 8}) < quote_strength(base)
    long = ("This is one sentence about the work. " * 40).strip()
    cut = excerpt(long, 50)
    assert cut.endswith("about the work. [...]")
    assert len(cut.split()) <= 52
    assert excerpt("short  and\nsweet") == "short and sweet"


def test_report_name_must_be_docx(matrix, tmp_path):
    with pytest.raises(QualError, match=".docx"):
        write_report(matrix, tmp_path / "report.pdf")


@pytest.mark.slow
def test_report_opens_in_libreoffice(matrix, tmp_path):
    from qual.export.heatmap import write_heatmap

    image = write_heatmap(matrix, tmp_path / "heatmap.png")
    path = write_report(matrix, tmp_path / "report.docx", heatmap=image)
    pdf = convert_to_pdf(path, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_report_and_workbook_name_no_command(tmp_path):
    import re

    import openpyxl

    from qual.export import write_matrix_workbook

    codings = sample_codings()
    codings.loc[0, "status"] = "accepted"      # accepted codes shown, unreviewed suggestions left out
    matrix = build_matrix(codings, sample_codebook(), transcripts=sample_transcripts())
    assert matrix.status == "accepted" and "--status all" in matrix.status_advice   # for the console only
    document = docx.Document(str(write_report(matrix, tmp_path / "report.docx")))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "unreviewed suggestions left out" in text
    assert not re.search(r"--[a-z]|\bqual (?:run|code|matrix)\b", text)
    workbook = openpyxl.load_workbook(write_matrix_workbook(matrix, tmp_path / "framework.xlsx").path)
    cells = [str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not [c for c in cells if re.search(r"--[a-z]", c) and not c.startswith("Package")]
