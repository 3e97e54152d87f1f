"""Survey free text: one or more columns of a CSV or xlsx table, de-identified."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from qual.deid import Deidentifier, ParallelAnalyzer, deidentify
from qual.deid.pseudonyms import EntityTable
from qual.deid.survey import deidentify_table, read_table
from qual.errors import InputFileError

from conftest import tree_hashes
from test_deid_pipeline import IDENTIFIERS, assert_clean, fake

ROWS = [
    ["id", "comment", "score", "other"],
    ["1", "Jayden Smith from Castlebrook Academy was brilliant", "5", "=1+1"],
    ["2", "", "3", "x"],
    ["3", "Call 07700 900123; Jayden's mum agreed [laughs]", "007", "Jayden"],
    ["4", "=HYPERLINK(\"http://x\") Kelly at Kirklees", "4", ""],
]


def write_csv(path: Path, rows=ROWS, encoding="utf-8", delimiter=",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def test_csv_column_is_deidentified_and_the_rest_is_unchanged(tmp_path: Path):
    source = write_csv(tmp_path / "survey.csv")
    before = tree_hashes(source)
    result = deidentify_table(source, "comment", tmp_path / "out", analyzer=fake(), workers=1)
    assert tree_hashes(source) == before
    with open(result.output, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [r[0] for r in rows] == [r[0] for r in ROWS]
    assert [r[2] for r in rows] == [r[2] for r in ROWS]            # "007" stays "007"
    assert [r[3] for r in rows] == [r[3] for r in ROWS]            # only the named column changes
    assert rows[1][1] == "[Person 1] from [School A] was brilliant"
    assert rows[2][1] == ""
    assert rows[3][1] == "Call [Phone]; [Person 1]'s mum agreed [laughs]"
    assert_clean(" ".join(r[1] for r in rows), IDENTIFIERS)
    assert result.cells == 3
    assert set(result.log["document"]) == {"survey:comment"}
    assert sorted(set(result.log["turn"])) == [0, 2, 3]
    assert_clean(result.log.to_csv(index=False))


def test_encoding_and_delimiter_are_kept(tmp_path: Path):
    source = write_csv(tmp_path / "latin.csv", [["comment", "x"], ["Jayden said café", "é"]],
                       encoding="cp1252", delimiter=";")
    result = deidentify_table(source, ["comment"], tmp_path / "out", analyzer=fake(), workers=1)
    data = result.output.read_bytes()
    assert data.decode("cp1252").splitlines() == ["comment;x", "[Person 1] said café;é"]


def test_xlsx_columns_in_every_sheet(tmp_path: Path):
    source = tmp_path / "survey.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "staff"
    for row in ROWS:
        sheet.append([int(v) if v.isdigit() and not v.startswith("0") else v or None for v in row])
    sheet.cell(row=2, column=4).data_type = "s"    # text typed in Excel that looks like a formula
    sheet.cell(row=5, column=2).data_type = "s"
    other = workbook.create_sheet("students")
    other.append(["comment"])
    other.append(["I like Mr Smith"])
    workbook.save(source)
    result = deidentify_table(source, "comment", tmp_path / "out", analyzer=fake(), workers=1)
    out = load_workbook(result.output)
    staff = [[c.value for c in row] for row in out["staff"].iter_rows()]
    assert staff[1] == [1, "[Person 1] from [School A] was brilliant", 5, "=1+1"]
    assert out["staff"].cell(row=2, column=4).data_type == "s"      # text, never a formula
    formula_text = out["staff"].cell(row=5, column=2)
    assert formula_text.value.startswith("=HYPERLINK") and formula_text.data_type == "s"
    assert "[Person 2] at [Local authority 1]" in formula_text.value
    assert out["students"]["A2"].value == "I like [Person 1]"     # one entity across sheets
    assert set(result.log["document"]) == {"survey:staff:comment", "survey:students:comment"}


def test_missing_column_names_the_file(tmp_path: Path):
    source = write_csv(tmp_path / "survey.csv")
    with pytest.raises(InputFileError, match="no column named 'answer'"):
        deidentify_table(source, "answer", tmp_path / "out", analyzer=fake(), workers=1)


def test_unsupported_table(tmp_path: Path):
    (tmp_path / "survey.ods").write_bytes(b"x")
    with pytest.raises(InputFileError, match=".csv or .xlsx"):
        read_table(tmp_path / "survey.ods")


def test_parallel_detection_matches_one_process(tmp_path: Path):
    from qual.deid.analyzer import Analyzer

    rows = [["comment"]] + [[f"Row {i}: Jayden met Kelly at Castlebrook Academy"] if i % 7 == 0
                            else [f"Row {i}: nothing to see, castlebrook was fine"] for i in range(120)]
    source = write_csv(tmp_path / "big.csv", rows)
    analyzer = Analyzer(ner=None)
    serial = deidentify_table(source, "comment", tmp_path / "serial", analyzer=analyzer, workers=1)
    parallel_analyzer = ParallelAnalyzer(analyzer, workers=2, min_texts=10)
    assert parallel_analyzer.runs_in_parallel
    engine = Deidentifier(parallel_analyzer, EntityTable())
    parallel = deidentify_table(source, "comment", tmp_path / "parallel", engine=engine)
    assert serial.output.read_text() == parallel.output.read_text()
    assert "castlebrook" not in parallel.output.read_text().lower()


def test_a_name_found_only_in_document_1_is_replaced_in_document_40_with_workers():
    """Propagation crosses worker processes: the analyzer's own mechanism, fed with the terms
    every worker learned, gives what one process gives."""
    from qual.deid.analyzer import Analyzer
    from qual.model import Role, Transcript, Turn

    def document(number: int, *texts: str) -> Transcript:
        return Transcript(f"doc{number}", f"doc{number}.txt",
                          [Turn(0, "SW", Role.PARTICIPANT, text) for text in texts])

    filler = ["We talked about attendance and the early help offer at length."] * 12
    documents = [document(n, *filler) for n in range(1, 41)]
    documents[0] = document(1, "I rang Mrs Quillfeather about the referral.")
    # (in a cased text: a transcript in lower case throughout is read caselessly, where an
    # unexplained word is itself a candidate)
    documents[39] = document(40, "The office said quillfeather never rang back.")
    alone = Analyzer(ner=None).analyze("The office said quillfeather never rang back.")
    assert alone == []  # nothing in document 40 itself says it is a name
    analyzer = ParallelAnalyzer(Analyzer(ner=None), workers=2, min_texts=10)
    assert analyzer.runs_in_parallel
    clean = Deidentifier(analyzer, EntityTable()).fit_transform(documents)
    assert "quillfeather" not in clean[39].turns[0].text.lower()
    assert clean[39].turns[0].text.startswith("The office said [Person 1]")
    assert "Quillfeather" not in clean[0].turns[0].text


def test_parallel_spans_equal_one_process_spans():
    from qual.deid.analyzer import Analyzer

    texts = (["Jayden Okafor's mum rang.", "Okafor was late again.", "We met at Castlebrook Academy."]
             + [f"Turn {i}: the DSL and the SENCOs met about Year 9." for i in range(60)]
             + ["castlebrook said no.", "okafor left."])
    analyzer = Analyzer(ner=None)
    serial = analyzer.analyze_corpus(texts)
    parallel = ParallelAnalyzer(analyzer, workers=2, min_texts=10).analyze_corpus(texts)
    assert [[(s.start, s.end, s.type, s.confidence) for s in spans] for spans in parallel] == \
        [[(s.start, s.end, s.type, s.confidence) for s in spans] for spans in serial]
    assert parallel[-1] and parallel[-2]


def test_an_analyzer_without_two_passes_runs_in_one_process():
    """Splitting such an analyzer's corpus would lose its own propagation across the parts."""
    from qual.deid.types import EntityType as T

    from test_deid_pipeline import FakeAnalyzer

    class FirstOnly(FakeAnalyzer):
        # detects "Zebedee" only in the first text of each call
        def analyze_corpus(self, texts):
            return [self.analyze(t) if i == 0 else [] for i, t in enumerate(texts)]

    texts = ["Zebedee came."] + ["Zebedee again."] * 30
    wrapped = ParallelAnalyzer(FirstOnly({"Zebedee": (T.PERSON, 0.9)}), workers=2, min_texts=4)
    assert not wrapped.runs_in_parallel
    spans = wrapped.analyze_corpus(texts)
    assert spans[0] and not any(spans[1:])


def test_deidentify_with_columns_uses_the_key_and_writes_the_log(tmp_path: Path):
    source = write_csv(tmp_path / "survey.csv")
    key = tmp_path / "secure" / "k.qualkey"
    result = deidentify([source], tmp_path / "out", columns=["comment"], key_path=key,
                        passphrase="survey pass", analyzer=fake())
    assert result.ok and result.summary["documents"] == 1
    assert (tmp_path / "out" / "survey.csv").exists() and (tmp_path / "out" / "deid_log.csv").exists()
    from qual.deid.key import load_key
    from qual.deid.types import EntityType

    table = load_key(key, "survey pass")
    assert table.find(EntityType.PERSON, "Jayden").pseudonym == "[Person 1]"
    missing = deidentify([tmp_path / "nope.csv", source], tmp_path / "out2", columns=["comment"],
                         analyzer=fake())
    assert len(missing.failures) == 1 and "nope.csv" in str(missing.failures[0])


def test_names_in_the_file_name_sheet_names_and_headers_are_deidentified(tmp_path: Path):
    from openpyxl import Workbook, load_workbook

    source = tmp_path / "Jayden Smith survey.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Castlebrook Academy"
    sheet.append(["id", "comment", "Notes on Jayden", 7])
    sheet.append(["1", "Kelly rang", "x", 3])
    workbook.save(source)
    result = deidentify_table(source, "comment", tmp_path / "out", analyzer=fake(), workers=1)
    assert result.output.parent == tmp_path / "out"
    assert "Jayden" not in result.output.name and "Smith" not in result.output.name
    assert result.output.suffix == ".xlsx"
    out = load_workbook(result.output)
    (title,) = out.sheetnames
    assert "Castlebrook" not in title and not set(title) & set("[]:*?/\\")
    header = [cell.value for cell in out[title][1]]
    assert header[0] == "id" and header[1] == "comment" and header[3] == 7
    assert "Jayden" not in header[2] and header[2].startswith("Notes on ")
    assert "Kelly" not in str(out[title]["B2"].value)
    assert not any("Jayden" in str(d) or "Castlebrook" in str(d) for d in result.log["document"])
    assert "Jayden" not in repr(result)


def test_tables_whose_names_deidentify_alike_are_both_written(tmp_path: Path):
    """Two survey files named after one person (or two numbers read as case numbers) get the
    same de-identified name; neither may overwrite the other."""
    (tmp_path / "in").mkdir()
    one = write_csv(tmp_path / "in" / "Jayden Smith.csv")
    other = write_csv(tmp_path / "in" / "jayden smith.CSV", rows=ROWS[:2])
    result = deidentify([one, other], tmp_path / "out", columns=["comment"], key_path=tmp_path / "k.qualkey",
                        passphrase="survey pass", analyzer=fake())
    assert result.ok
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if p.suffix.lower() == ".csv"
                     and p.name != "deid_log.csv")
    assert len(written) == 2, written
    assert len({name.casefold() for name in written}) == 2
    assert not any("jayden" in name.lower() for name in written)
    rows = sorted(len(list(csv.reader(open(tmp_path / "out" / name, encoding="utf-8")))) for name in written)
    assert rows == [2, len(ROWS)]
