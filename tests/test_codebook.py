"""The SWIS codebook, codebook loading/validation, YAML and xlsx round trips, sheet imports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import CODEBOOK, SHARED, shared_path, tree_hashes
from qual.coding.codebook import (
    Code, Codebook, CodebookError, Theme, assign_colours, codebook_to_yaml, load_codebook,
    save_codebook, validate_codebook,
)
from qual.coding.codebook_xlsx import import_codebook_sheet, map_columns
from qual.errors import InputFileError

# The ids of the SWIS IPE codebook specification (../shared/specs/swis_ipe_codebook.md).
SPEC_IDS = {
    "IMP": ["IMP.SETUP", "IMP.SPACE", "IMP.ALLOCATION", "IMP.FIDELITY", "IMP.COVID"],
    "ROLE": ["ROLE.STATUTORY", "ROLE.NONSTAT", "ROLE.CONSULT", "ROLE.TRAINING", "ROLE.CLARITY"],
    "REL": ["REL.DSL", "REL.STAFF", "REL.CSC", "REL.FAMILIES", "REL.STUDENTS"],
    "REF": ["REF.PROCESS", "REF.THRESHOLDS", "REF.INFOSHARE"],
    "OUT": ["OUT.EARLY", "OUT.DEMAND", "OUT.SCHOOL", "OUT.CONFIDENCE"],
    "DA": ["DA.IDENTIFY", "DA.RESPONSE", "DA.KAP"],
    "BF": ["BF.BARRIERS", "BF.FACILITATORS", "BF.MANAGEMENT"],
    "SUS": ["SUS.FUNDING", "SUS.FUTURE"],
}


@pytest.fixture(scope="module")
def swis() -> Codebook:
    return load_codebook(CODEBOOK)


def write(tmp_path: Path, text: str, name: str = "book.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal(**changes) -> dict:
    data = {
        "name": "Test book",
        "themes": [{"id": "T1", "name": "Theme one", "codes": [
            {"id": "T1.A", "name": "Code A", "definition": "a"},
            {"id": "T1.B", "name": "Code B"},
        ]}],
    }
    data.update(changes)
    return data


def problem_of(tmp_path: Path, data) -> str:
    path = write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    message = str(caught.value)
    assert str(path) in message  # the error names the file
    assert "\n" not in message  # one line
    return message


# --------------------------------------------------------------------------- the SWIS codebook


def test_swis_codebook_has_the_spec_ids_in_order(swis):
    assert [t.id for t in swis.themes] == list(SPEC_IDS)
    for theme, ids in SPEC_IDS.items():
        assert [c.id for c in swis.codes_of(theme)] == ids
    assert len(swis.codes) == 30


def test_swis_codebook_matches_the_spec_file(swis):
    path = SHARED / "specs" / "swis_ipe_codebook.md"
    if not path.exists():
        pytest.skip("../shared/specs is not available on this machine")
    text = path.read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([A-Z]+\.[A-Z]+) \| ([^|]+) \|", text, flags=re.MULTILINE)
    assert [code_id for code_id, _ in rows] == swis.code_ids
    for code_id, name in rows:
        assert swis.code(code_id).name == name.strip()


def test_every_swis_code_is_complete(swis):
    for code in swis.codes:
        assert code.definition and code.include, code.id
        assert 10 <= len(code.keywords) <= 30, code.id
        assert 4 <= len(code.examples) <= 15, code.id
        assert len(set(code.keywords)) == len(code.keywords), code.id
        assert all(k == k.lower() and k == k.strip() for k in code.keywords), code.id
        assert all(len(e.split()) >= 6 for e in code.examples), code.id


def test_swis_keywords_include_what_practitioners_say(swis):
    space = set(swis.code("IMP.SPACE").keywords)
    assert {"office", "desk", "lanyard", "based in", "hot desk"} <= space
    statutory = set(swis.code("ROLE.STATUTORY").keywords)
    assert {"section 47", "s47", "child protection", "cp plan", "strategy meeting", "icpc", "cin"} <= statutory


def test_swis_colours_distinct_themes_and_shades(swis):
    theme_colours = [t.colour for t in swis.themes]
    assert len(set(theme_colours)) == len(theme_colours)
    code_colours = [c.colour for c in swis.codes]
    assert len(set(code_colours)) == len(code_colours)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in theme_colours + code_colours)


def test_swis_yaml_is_what_save_writes(swis, tmp_path):
    """Canonical: loading and saving the shipped file changes nothing."""
    target = tmp_path / "again.yaml"
    save_codebook(swis, target)
    assert target.read_text(encoding="utf-8") == CODEBOOK.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- YAML reading


def test_flat_form_with_theme_field_loads(tmp_path):
    data = {"name": "Flat", "themes": [{"id": "T", "name": "Theme"}],
            "codes": [{"id": "C1", "name": "One", "theme": "T", "keywords": "a; b\nc"}]}
    book = load_codebook(write(tmp_path, yaml.safe_dump(data)))
    assert book.code("C1").theme == "T"
    assert book.code("C1").keywords == ["a", "b", "c"]


def test_plain_scalars_stay_text(tmp_path):
    text = ("name: Book\nversion: 1.10\nthemes:\n- id: T\n  name: Theme\n  codes:\n"
            "  - id: 1\n    name: no\n    keywords: [1:1, on, yes, 3.0]\n")
    book = load_codebook(write(tmp_path, text))
    assert book.version == "1.10"
    code = book.codes[0]
    assert (code.id, code.name) == ("1", "no")
    assert code.keywords == ["1:1", "on", "yes", "3.0"]


def test_color_spelling_and_short_colours_are_accepted(tmp_path):
    data = minimal()
    data["themes"][0]["color"] = "#abc"
    book = load_codebook(write(tmp_path, yaml.safe_dump(data)))
    assert book.themes[0].colour == "#AABBCC"


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["themes"][0]["codes"].append({"id": "T1.A", "name": "Again"}), "duplicate code id 'T1.A'"),
    (lambda d: d["themes"].append({"id": "T1", "name": "Twice"}), "duplicate theme id 'T1'"),
    (lambda d: d.setdefault("codes", []).append({"id": "X", "name": "X", "theme": "T2"}),
     "code 'X' has theme 'T2', which does not exist (did you mean 'T1'?)"),
    (lambda d: d.setdefault("codes", []).append({"id": "X", "name": "X"}), "code 'X' has no theme"),
    (lambda d: d["themes"][0]["codes"][0].update(defintion="typo"),
     "unknown field 'defintion' in code 'T1.A' (did you mean 'definition'?)"),
    (lambda d: d.update(descripton="typo"), "unknown field 'descripton' in the codebook (did you mean 'description'?)"),
    (lambda d: d["themes"][0]["codes"][1].pop("name"), "code 'T1.B' has no name"),
    (lambda d: d["themes"][0].pop("name"), "theme 'T1' has no name"),
    (lambda d: d.pop("name"), "the codebook has no name"),
    (lambda d: d["themes"][0]["codes"][1].pop("id"), "code 2 of theme 'T1' has no id"),
    (lambda d: d["themes"][0]["codes"][0].update(colour="blue"), "has colour 'blue', expected #RRGGBB"),
    (lambda d: d["themes"][0]["codes"][0].update(theme="T9"), "nested under theme 'T1' but says theme 'T9'"),
    (lambda d: d["themes"][0]["codes"][0].update(keywords={"a": 1}), "keywords of code 'T1.A' must be a list"),
    (lambda d: d["themes"][0]["codes"][1].update(name="code a"), "codes 'T1.A' and 'T1.B' have the same name"),
])
def test_each_problem_is_named(tmp_path, change, expected):
    data = minimal()
    change(data)
    assert expected in problem_of(tmp_path, data)


def test_all_problems_are_listed_at_once(tmp_path):
    data = minimal()
    data["themes"][0]["codes"].append({"id": "T1.A", "name": "Again"})
    data["themes"][0]["codes"][0]["exclud"] = "x"
    message = problem_of(tmp_path, data)
    assert "2 problems" in message and "duplicate code id" in message and "did you mean 'exclude'" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "name: x\nthemes:\n  - id: T\n   name: bad indent\n")
    with pytest.raises(InputFileError) as caught:
        load_codebook(path)
    assert "not valid YAML at line" in str(caught.value)


def test_not_a_mapping_and_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="no codebook mapping"):
        load_codebook(write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(InputFileError, match="does not exist"):
        load_codebook(tmp_path / "missing.yaml")
    with pytest.raises(InputFileError, match="unknown codebook format"):
        load_codebook(write(tmp_path, "x", "book.docx"))


def test_save_refuses_an_invalid_codebook(tmp_path):
    book = Codebook(name="B", themes=[Theme("T", "Theme")], codes=[Code("C", "C", "NOPE")])
    with pytest.raises(CodebookError, match="does not exist"):
        save_codebook(book, tmp_path / "b.yaml")
    assert not (tmp_path / "b.yaml").exists()


def test_yaml_round_trip_of_awkward_text(tmp_path):
    book = Codebook(name="Awkward: yes", version="2", description="multi\nline\n  indented",
                    themes=[Theme("T", "Théme #1", "desc: with colon")],
                    codes=[Code("T.1", "- dash start", "T", definition="'quoted' and \"double\"",
                                keywords=["yes", "no", "1:1", "a, b", "[x]", "{y}", "#z", "é"],
                                examples=["Line with: colon", "& ampersand * star", "x" * 300])])
    assign_colours(book)
    path = tmp_path / "awkward.yaml"
    save_codebook(book, path)
    assert load_codebook(path) == book
    assert codebook_to_yaml(load_codebook(path)) == path.read_text(encoding="utf-8")


def test_assign_colours_keeps_given_colours():
    book = Codebook(name="B", themes=[Theme("T", "T", colour="#123456"), Theme("U", "U")],
                    codes=[Code("a", "a", "T"), Code("b", "b", "T", colour="#ABCDEF"), Code("c", "c", "U")])
    assign_colours(book)
    assert book.themes[0].colour == "#123456"
    assert book.themes[1].colour and book.themes[1].colour != "#123456"
    assert book.codes[1].colour == "#ABCDEF"
    assert validate_codebook(book) is book


def test_find_by_id_or_name():
    book = Codebook(name="B", themes=[Theme("T", "T")], codes=[Code("IMP.SPACE", "Space and visibility", "T")])
    assert book.find("imp.space").id == "IMP.SPACE"
    assert book.find("  space AND visibility ").id == "IMP.SPACE"
    assert book.find("nothing") is None


# --------------------------------------------------------------------------- xlsx


def test_xlsx_round_trip_preserves_everything(swis, tmp_path):
    book = load_codebook(CODEBOOK)
    book.codes[0].definition = "=SUM(A1) is text, not a formula"
    book.codes[1].examples.append("An example; with a semicolon")
    book.codes[2].exclude = "Ünïcödé — dash"
    path = tmp_path / "swis.xlsx"
    save_codebook(book, path)
    again = load_codebook(path)
    assert again == book


def test_xlsx_layout_is_researcher_friendly(swis, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "swis.xlsx"
    save_codebook(swis, path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Codes", "Themes", "Codebook"]
    codes = workbook["Codes"]
    assert [c.value for c in codes[1]] == ["theme id", "theme name", "code id", "code name", "definition",
                                           "include", "exclude", "keywords", "examples", "colour"]
    assert codes.freeze_panes == "A2"
    assert codes.max_row == 31
    assert codes["E2"].alignment.wrap_text
    assert codes.column_dimensions["E"].width >= 40
    assert codes.data_validations.dataValidation  # theme id drop-down


def test_xlsx_edits_are_validated(swis, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "swis.xlsx"
    save_codebook(swis, path)
    workbook = load_workbook(path)
    codes = workbook["Codes"]
    codes["C3"] = "IMP.SETUP"  # duplicate id
    codes["A4"] = "IMPP"  # unknown theme
    codes["K1"] = "defintion"  # unknown column
    codes["C5"] = None  # a row without id
    workbook.save(path)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    message = str(caught.value)
    assert "duplicate code id 'IMP.SETUP'" in message
    assert "theme 'IMPP', which does not exist (did you mean 'IMP'?)" in message
    assert "unknown column 'defintion' in sheet Codes (did you mean 'definition'?)" in message
    assert "Codes row 5 has no code id" in message


def test_xlsx_new_theme_typed_in_codes_sheet(swis, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "swis.xlsx"
    save_codebook(swis, path)
    workbook = load_workbook(path)
    workbook["Codes"].append(["NEW", "A new theme", "NEW.ONE", "New code", "def", "", "", "a\nb", "", ""])
    workbook.save(path)
    book = load_codebook(path)
    assert book.theme("NEW").name == "A new theme"
    assert book.code("NEW.ONE").keywords == ["a", "b"]


# --------------------------------------------------------------------------- other shapes


def test_generic_sheet_maps_headers(tmp_path):
    import csv

    path = tmp_path / "theirs.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Category", "Code name", "Code description", "When to use", "Exclusion criteria",
                         "Example quotes", "Why is this code relevant to our research question?"])
        writer.writerow(["Barriers", "Workload", "Too much work", "Any mention", "Covid", "I had no time\nToo busy", "x"])
        writer.writerow(["Barriers", "workload ", "", "", "", "Swamped", ""])
        writer.writerow(["", "", "", "", "", "", ""])
        writer.writerow(["Enablers", "Buy-in", "Leaders support it", "", "", "N/A", ""])
    book = load_codebook(path)
    assert [t.name for t in book.themes] == ["Barriers", "Enablers"]
    workload = book.code("Workload")
    assert workload.theme == "Barriers" and workload.definition == "Too much work"
    assert workload.include == "Any mention" and workload.exclude == "Covid"
    assert workload.examples == ["I had no time", "Too busy", "Swamped"]  # repeated row merged
    assert book.code("Buy-in").examples == []  # "N/A" is not an example
    assert all(c.colour for c in book.codes)


def test_map_columns_prefers_exact_then_loose():
    mapping = map_columns(["Perspectives", "Code", "N (Total)", "Description/Definition", "Inclusion criteria",
                           "Typical examples", "Atypical examples", "Why this code is relevant to RQ1?"])
    assert mapping == {"name": [1], "definition": [3], "include": [4], "examples": [5, 6]}


def test_bopp_code_descriptions_load_as_flat_codebook():
    path = shared_path("coded", "llmcode_games_as_art", "bopp_test_code_descriptions.csv")
    book = load_codebook(path)
    assert len(book.codes) == 31
    assert [t.id for t in book.themes] == ["CODES"]
    assert book.code("emotional response").definition.startswith("Reflects")


def test_scrum_codebook_sheet_imports():
    folder = shared_path("coded", "scrum_quality", "original_xlsx")
    before = tree_hashes(folder)
    rq1 = load_codebook(folder / "Data Analysis - First Cycle - RQ1 - Final.xlsx")
    rq2 = import_codebook_sheet(folder / "Data Analysis - First Cycle - RQ2 - Final.xlsx", sheet="Codebook")
    assert len(rq1.codes) == 39 and len(rq2.codes) == 46
    subjective = rq1.code("Quality is a subjective concept")
    assert subjective.definition and subjective.include
    assert len(subjective.examples) == 3 and all(e.startswith('"') for e in subjective.examples)
    # "knowledge sharing" and "Knowledge sharing" are one code
    assert sum(c.id.lower() == "knowledge sharing" for c in rq2.codes) == 1
    # a definition merged over several rows reaches each code it covers
    assert rq1.code("Free of defects").definition == rq1.code("Conformity to business needs").definition
    assert tree_hashes(folder) == before


def test_scrum_pattern_codes_import_as_16_codes():
    folder = shared_path("coded", "scrum_quality", "original_xlsx")
    columns = {"name": "Pattern Codes", "definition": "Description/Definition of the Pattern Code"}
    codes = []
    for rq in ("RQ1", "RQ2"):
        book = import_codebook_sheet(folder / f"Data Analysis - Second Cycle - {rq} - Final.xlsx",
                                     columns=columns)
        codes += book.codes
        assert all(c.definition for c in book.codes)
    assert len(codes) == 16
    # by default the same sheet gives pattern codes as themes over first-cycle codes
    two_level = load_codebook(folder / "Data Analysis - Second Cycle - RQ2 - Final.xlsx")
    assert len(two_level.themes) == 14 and all(t.description for t in two_level.themes)


def test_sheet_without_a_codebook_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("alpha,beta\n1,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no sheet has"):
        load_codebook(path)


# --------------------------------------------------------------------------- REFI-QDA .qdc


def test_qdc_round_trip(swis, tmp_path):
    refi = pytest.importorskip("qual.refi")
    if not (hasattr(refi, "write_qdc") and hasattr(refi, "read_qdc")):
        pytest.skip("qual.refi has no write_qdc/read_qdc yet")
    path = tmp_path / "swis.qdc"
    save_codebook(swis, path)
    again = load_codebook(path)
    assert [(t.id, t.name) for t in again.themes] == [(t.id, t.name) for t in swis.themes]
    assert [(c.id, c.name, c.theme, c.colour) for c in again.codes] == \
        [(c.id, c.name, c.theme, c.colour) for c in swis.codes]
    assert [c.definition for c in again.codes] == [c.definition for c in swis.codes]


# --------------------------------------------------------------------------- CLI


def test_cli_validate_exit_codes(tmp_path, cli):
    assert cli("codebook", "validate", str(CODEBOOK)).exit_code == 0
    bad = write(tmp_path, yaml.safe_dump(minimal(codes=[{"id": "X", "name": "X", "theme": "Q"}])))
    result = cli("codebook", "validate", str(CODEBOOK), str(bad))
    assert result.exit_code == 1
    assert "which does not exist" in result.output


def test_cli_convert_and_show(tmp_path, cli):
    source = tmp_path / "in.yaml"
    shutil.copy(CODEBOOK, source)
    before = tree_hashes(source)
    target = tmp_path / "out.xlsx"
    result = cli("codebook", "convert", str(source), str(target))
    assert result.exit_code == 0, result.output
    assert load_codebook(target) == load_codebook(source)
    assert tree_hashes(source) == before
    assert cli("codebook", "convert", str(source), str(source)).exit_code == 2
    assert cli("codebook", "convert", str(source)).exit_code == 2
    shown = cli("codebook", "show", str(target))
    assert shown.exit_code == 0 and "ROLE.STATUTORY" in shown.output


def test_cli_convert_with_column_mapping(tmp_path, cli):
    path = tmp_path / "x.csv"
    path.write_text("Label,Meaning of it\nAlpha,first\nBeta,second\n", encoding="utf-8")
    target = tmp_path / "x.yaml"
    result = cli("codebook", "convert", str(path), str(target), "--column", "definition=Meaning of it")
    assert result.exit_code == 0, result.output
    assert load_codebook(target).code("Beta").definition == "second"
    assert cli("codebook", "convert", str(path), str(target), "--column", "nonsense").exit_code == 2


# --------------------------------------------------------------------------- properties

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
_text_value = st.text(_PRINTABLE, max_size=40).map(lambda s: " ".join(s.split()))
_item = _text_value.filter(lambda s: s and ";" not in s)


@st.composite
def codebooks(draw):
    theme_ids = draw(st.lists(st.from_regex(r"[A-Z]{1,4}", fullmatch=True), min_size=1, max_size=3, unique=True))
    themes = [Theme(t, draw(_text_value.filter(bool)), draw(_text_value)) for t in theme_ids]
    code_ids = draw(st.lists(st.from_regex(r"[A-Z]{1,3}\.[A-Z0-9]{1,4}", fullmatch=True), min_size=1,
                             max_size=5, unique=True))
    codes = [Code(c, f"{c} {draw(_text_value)}".strip(), draw(st.sampled_from(theme_ids)),
                  definition=draw(_text_value), include=draw(_text_value), exclude=draw(_text_value),
                  keywords=draw(st.lists(_item, max_size=4)), examples=draw(st.lists(_item, max_size=3)))
             for c in code_ids]
    book = Codebook(name=draw(_text_value.filter(bool)), themes=themes, codes=codes,
                    version=draw(_text_value), description=draw(_text_value))
    return assign_colours(book)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=codebooks())
def test_any_codebook_round_trips_through_yaml_and_xlsx(tmp_path, book):
    path = tmp_path / "book.xlsx"
    save_codebook(book, path)
    assert load_codebook(path) == book  # the sheet keeps the codes' order
    # YAML nests codes under their theme: codes come back grouped in theme order.
    order = {t.id: n for n, t in enumerate(book.themes)}
    grouped = Codebook(name=book.name, themes=book.themes, version=book.version, description=book.description,
                       codes=sorted(book.codes, key=lambda c: order[c.theme]))
    path = tmp_path / "book.yaml"
    save_codebook(book, path)
    assert load_codebook(path) == grouped


def test_control_characters_do_not_break_xlsx(tmp_path):
    book = load_codebook(CODEBOOK)
    book.codes[0].definition = "pasted\x0bfrom a PDF"
    path = tmp_path / "x.xlsx"
    save_codebook(book, path)
    assert load_codebook(path).codes[0].definition == "pastedfrom a PDF"
