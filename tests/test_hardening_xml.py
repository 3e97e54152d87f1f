"""XML and archive safety: every reader of a user's zip or XML refuses entity bombs, external
entities and zip bombs, quickly and in bounded memory.

Two halves:

* an audit of the package source (``ast``): every call that parses XML or opens a workbook,
  a Word file or a zip is either ``qual.files``' own guarded code, a reviewed site listed
  here with the reason it is safe, or an openpyxl/pandas workbook read preceded in the same
  function by ``open_zip``/``vet_workbook``. A new parser call fails the audit until it is
  reviewed and listed;
* a test per reader: the hostile files of ``tests/hostile/make_hostile.py`` fed to the
  library function a command uses, each in a child process with a time limit and a peak
  memory measured, so that an expanding bomb shows as a timeout or gigabytes, not as a
  hung test run.
"""

from __future__ import annotations

import ast
import os
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import PROJECT

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import make_hostile as hostile  # noqa: E402
from harness import run_child  # noqa: E402

PACKAGE = PROJECT / "qual"

# ----------------------------------------------------------------------------------- audit

# Calls that parse XML or open an archive or workbook, by the name they are called with.
PARSERS = {
    "fromstring", "XML", "parse", "iterparse", "XMLParser", "document_fromstring", "HTMLParser",
    "XMLSchema", "load_workbook", "read_excel", "ZipFile", "Document", "minidom", "parseString",
    "make_parser", "ElementTree",
}

# Reviewed sites: (file, function, call) -> why it is safe. Keep the reason specific.
REVIEWED = {
    ("qual/files.py", "open_zip", "ZipFile"): "the guarded opener itself: member count, sizes and ratios checked",
    ("qual/files.py", "parse_xml", "fromstring"): "the guarded parser: no DTD entities, no network, no huge trees",
    ("qual/files.py", "safe_xml_parser", "XMLParser"): "resolve_entities=False, no_network, load_dtd=False",
    ("qual/refi/validate.py", "_load_schema", "XMLSchema"): "the XSD shipped with qual (or --xsd), parsed safely",
    ("qual/refi/validate.py", "_load_schema", "parse"): "parser=safe_xml_parser()",
    ("qual/check/text_formats.py", "read_html", "HTMLParser"): "libxml2's HTML parser defines no entities; "
                                                                "no_network, huge_tree=False",
    ("qual/check/text_formats.py", "read_html", "document_fromstring"): "with that HTMLParser",
    ("qual/deid/writer.py", "_template", "ZipFile"): "reads back the blank document python-docx just made",
    ("qual/deid/writer.py", "docx_bytes", "ZipFile"): "appends qual's own document part to its own template zip",
    ("qual/deid/writer.py", "blank_document", "Document"): "a new document from python-docx's own template",
    ("qual/export/report.py", "write_report", "Document"): "a new document from python-docx's own template",
    ("qual/export/sheets.py", "splice_rows", "ZipFile"): "re-reads and rewrites the workbook qual just saved",
    ("qual/refi/export.py", "_zip", "ZipFile"): "writes qual's own .qdpx into memory",
    ("qual/app/safety.py", "xlsx_header", "iterparse"): "an archive vetted by open_zip; resolve_entities=False, "
                                                         "no_network, huge_tree=False; stops after the first row "
                                                         "and the shared strings it needs",
}
# Workbook readers must vet the archive (bombs, sheet sizes) in the same function first.
WORKBOOK_READERS = {"load_workbook", "read_excel"}
VETTERS = {"open_zip", "vet_workbook"}


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def parser_calls() -> list[tuple[str, str, str, int, list[str]]]:
    """(file, enclosing function, call, line, names called earlier in that function)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        relative = path.relative_to(PROJECT).as_posix()
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _called_name(call)
            if name not in PARSERS:
                continue
            if name == "parse" and not (isinstance(call.func, ast.Attribute)
                                        and isinstance(call.func.value, ast.Name)
                                        and call.func.value.id in {"etree", "ET", "ElementTree", "minidom"}):
                continue  # urllib.parse, argparse and the like
            if name == "Document" and not call.args and not call.keywords:
                enclosing = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or f.lineno)]
                function = min(enclosing, key=lambda f: (f.end_lineno or 0) - f.lineno).name if enclosing else ""
                found.append((relative, function, "Document", call.lineno, []))
                continue
            enclosing = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or f.lineno)]
            function = min(enclosing, key=lambda f: (f.end_lineno or 0) - f.lineno) if enclosing else None
            earlier = []
            if enclosing:  # calls before this one in the outermost enclosing function (closures too)
                outer = max(enclosing, key=lambda f: (f.end_lineno or 0) - f.lineno)
                earlier = [_called_name(c) for c in ast.walk(outer)
                           if isinstance(c, ast.Call) and c.lineno < call.lineno]
            found.append((relative, function.name if function else "", name, call.lineno, earlier))
    return found


def test_every_xml_zip_and_workbook_reader_is_guarded():
    unreviewed = []
    for file, function, call, line, earlier in parser_calls():
        if (file, function, call) in REVIEWED:
            continue
        if call in WORKBOOK_READERS and VETTERS & set(earlier):
            continue  # vetted by open_zip / vet_workbook before openpyxl or pandas opens it
        if call in {"Element", "SubElement"}:
            continue
        unreviewed.append(f"{file}:{line} {function}(): {call}")
    assert not unreviewed, ("XML/zip/workbook readers that neither go through qual.files nor are reviewed "
                            "in tests/test_hardening_xml.py: " + "; ".join(unreviewed))


def test_the_reviewed_list_has_no_stale_entries():
    present = {(file, function, call) for file, function, call, _, _ in parser_calls()}
    stale = sorted(f"{f} {fn}(): {c}" for f, fn, c in REVIEWED if (f, fn, c) not in present)
    assert not stale, "reviewed sites that no longer exist (update REVIEWED): " + "; ".join(stale)


def test_openpyxl_parses_with_defusedxml_or_a_safe_expat():
    """openpyxl reads sheets with defusedxml when it is installed, else with the standard
    library's expat, which has refused billion-laughs amplification since expat 2.4.0."""
    import pyexpat

    import openpyxl

    version = tuple(int(part) for part in pyexpat.EXPAT_VERSION.split("_")[1].split("."))
    assert openpyxl.DEFUSEDXML or version >= (2, 4, 0), (
        f"openpyxl would parse workbooks with expat {pyexpat.EXPAT_VERSION} and no defusedxml")


# ----------------------------------------------------------------------------------- readers

# One call per reader of user files, as the commands make it. Each runs in a child process.
READERS = {
    "ingest: transcript": "from qual.ingest import read_transcript; read_transcript(PATH)",
    "ingest: participants sheet": "from qual.ingest import read_participants; read_participants(PATH)",
    "codebook: load_codebook": "from qual.coding.codebook import load_codebook; load_codebook(PATH)",
    "agreement: human codes": "from qual.coding.human import read_human_codes; read_human_codes(PATH)",
    "deidentify --decisions": "from qual.deid.review import read_decisions; read_decisions(PATH)",
    "deidentify --column (survey)": "from qual.deid.survey import read_table; read_table(PATH, ['comment'])",
    "code --accept": "from qual.coding.review import read_review; read_review(PATH)",
    "matrix: existing workbook": "from qual.export.summaries import read_summary_list; read_summary_list(PATH)",
    "matrix --participants": "from qual.export.cases import read_participants_sheet; read_participants_sheet(PATH)",
    "import-qdpx": "from qual.refi import read_project; read_project(PATH)",
    "validate-qdpx": "from qual.refi import validate_qdpx; validate_qdpx(PATH)",
    "check": ("from qual.check import check_paths; r = check_paths([PATH], ner=None, jobs=1); "
              "print('REFUSED', *r.errors) if r.errors else print('CHECKED', len(r.findings)); "
              "raise SystemExit(2 if r.errors else 0)"),
}
# Which hostile file each reader gets (it must be refused); the zip bombs are built per test.
BOMBS = {
    "ingest: transcript": ["billion_laughs.docx", "external_entity.docx"],
    "ingest: participants sheet": ["participants_entity_bomb.xlsx", "participants_workbook_bomb.xlsx"],
    "codebook: load_codebook": ["codebook_entity_bomb.xlsx"],
    "agreement: human codes": ["codings_entity_bomb.xlsx", "human_codes_entity_bomb.docx"],
    "deidentify --decisions": ["decisions_entity_bomb.xlsx"],
    "deidentify --column (survey)": ["survey_entity_bomb.xlsx"],
    "code --accept": ["codings_entity_bomb.xlsx"],
    "matrix: existing workbook": ["summaries_entity_bomb.xlsx"],
    "matrix --participants": ["participants_entity_bomb.xlsx"],
    "import-qdpx": ["entity_bomb.qdpx"],
    "validate-qdpx": ["entity_bomb.qdpx"],
    "check": ["billion_laughs.docx", "external_entity.docx", "checked_entity_bomb.xlsx", "entity_bomb.qdpx"],
}
WORKBOOK_READERS_BY_NAME = [name for name, files in BOMBS.items() if any(f.endswith(".xlsx") for f in files)]

CHILD = textwrap.dedent("""
    import resource, sys
    from qual.errors import QualError
    PATH = sys.argv[1]
    try:
        {call}
    except QualError as error:
        message = str(error)
        print("REFUSED", message.replace(chr(10), " "))
        sys.exit(2)
    print("ACCEPTED")
""")
LIMIT_SECONDS = 60
LIMIT_MB = 1024


def run_reader(call: str, path: Path) -> tuple[int | None, str, float]:
    """(exit code or None on timeout, output, peak MB) of ``call`` on ``path`` in a child."""
    result = run_child([sys.executable, "-c", CHILD.format(call=call), str(path)], timeout=LIMIT_SECONDS,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return result.returncode, result.output, result.peak_rss_mb


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile_xml")
    hostile.make_hostile(root)
    return root


CASES = [(reader, name) for reader, names in BOMBS.items() for name in names]


@pytest.mark.parametrize(("reader", "name"), CASES, ids=[f"{r} <- {n}" for r, n in CASES])
def test_reader_refuses_entity_bombs(corpus: Path, reader: str, name: str):
    code, output, peak = run_reader(READERS[reader], corpus / name)
    assert code is not None, f"{reader} did not finish within {LIMIT_SECONDS} s on {name}: {output[-2000:]}"
    assert "Traceback" not in output, output[-3000:]
    assert code == 2 and "REFUSED" in output, f"{reader} did not refuse {name}: {output[-2000:]}"
    assert str(corpus / name) in output or name in output, f"the message does not name the file: {output}"
    assert "XXESECRETMARKER" not in output and "lol" not in output.replace("billion_laughs", "")
    assert peak < LIMIT_MB, f"{reader} used {peak:.0f} MB on {name}"


def test_padded_dtd_beyond_the_first_64_kb_is_not_expanded(tmp_path: Path):
    """A DOCTYPE pushed past the 64 KB prefix ``parse_xml`` scans (behind a long comment) meets
    the parser's own settings: no entity is expanded, no file is read."""
    secret = tmp_path / "secret.dat"
    secret.write_text("XXESECRETMARKER", encoding="utf-8")
    padding = "<!--" + "x" * 70_000 + "-->"
    dtd = (padding + f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{secret.as_uri()}">'
           + hostile.BILLION_LAUGHS_DTD[len("<!DOCTYPE lolz ["):])
    body = hostile.paragraph_xml("Interviewer: &xxe; and &lol9;").replace("&amp;xxe;", "&xxe;").replace(
        "&amp;lol9;", "&lol9;")
    document = hostile.with_dtd(hostile.DOCUMENT_HEAD + body + hostile.paragraph_xml("Respondent: fine.")
                                + hostile.DOCUMENT_TAIL, dtd)
    path = tmp_path / "padded.docx"
    path.write_bytes(hostile.docx_bytes(document_xml=document))
    code, output, peak = run_reader(
        "from qual.ingest import read_transcript; t = read_transcript(PATH); print('TEXT', t.text)", path)
    assert code is not None and "Traceback" not in output, output[-3000:]
    assert "XXESECRETMARKER" not in output and "lollol" not in output
    assert peak < LIMIT_MB


@pytest.fixture(scope="module")
def xlsx_bomb(tmp_path_factory) -> Path:
    """An .xlsx whose sheet unpacks to 1 GB (a few MB on disk)."""
    path = tmp_path_factory.mktemp("xlsx_bomb") / "bomb.xlsx"
    unit = b"<row><c><v>1</v></c></row>" * 40_000
    data, crc, size = hostile.deflate_repeated(hostile.SHEET_HEAD.encode(), unit, 2**30 // len(unit),
                                               hostile.SHEET_TAIL.encode())
    members = [hostile.stored(name, text.encode()) for name, text in (
        ("[Content_Types].xml", hostile.XLSX_TYPES), ("_rels/.rels", hostile.XLSX_RELS),
        ("xl/workbook.xml", hostile.WORKBOOK_XML.replace("{name}", "Sheet1")),
        ("xl/_rels/workbook.xml.rels", hostile.WORKBOOK_RELS))]
    members.append(hostile.RawMember("xl/worksheets/sheet1.xml", data, crc, size))
    path.write_bytes(hostile.raw_zip(members))
    return path


@pytest.mark.parametrize("reader", WORKBOOK_READERS_BY_NAME)
def test_workbook_readers_refuse_a_zip_bomb_from_its_headers(xlsx_bomb: Path, reader: str):
    code, output, peak = run_reader(READERS[reader], xlsx_bomb)
    assert code == 2 and "REFUSED" in output, f"{reader}: {output[-2000:]}"
    assert peak < LIMIT_MB


def test_docx_zip_bomb_is_refused_from_its_headers(tmp_path: Path):
    path = tmp_path / "bomb.docx"
    hostile.zip_bomb(path, gigabytes=1)
    code, output, peak = run_reader(READERS["ingest: transcript"], path)
    assert code == 2 and "bomb" in output, output
    assert peak < 300, f"{peak:.0f} MB: the bomb was unpacked"
