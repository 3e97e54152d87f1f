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
    # a table-of-contents field listing the headings
    body = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert 'TOC \\o "1-2"' in body and body.count('w:fldCharType="begin"') == 1
    assert "updateFields" in zipfile.ZipFile(path).read("word/settings.xml").decode()
    toc = [p.text for p in document.paragraphs if p.style.name.startswith("TOC ")]
    assert "Set-up and induction (IMP.SETUP)" in toc
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
