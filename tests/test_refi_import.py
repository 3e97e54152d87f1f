"""REFI-QDA import: every sample in ../shared/data/refi/samples reads with the expected
counts and an account of what was skipped, and the peers' known quirks are forgiven."""

from __future__ import annotations

import stat
import zipfile

import pytest

from conftest import shared_path, tree_hashes
from qual.coding.codebook import load_codebook
from qual.corpus import read_corpus
from qual.errors import InputFileError, QualError
from qual.refi import build_qdpx, read_project, read_qdc, write_import
from test_refi_support import CREATED, coding_rows, members, rezip, small_codebook, small_corpus

# sample: (users, codes, themes, text sources read, codings, cases, notes)
EXPECTED = {
    "ponte_blank-atlas-project.qdpx": (2, 0, 0, 0, 0, 0, 0),
    "ponte_target-atlas-project.qdpx": (2, 3, 1, 0, 0, 0, 0),
    "qc_demo.qdpx": (1, 262, 3, 2, 205, 0, 0),
    "qc_nvivo_project.qdpx": (2, 262, 3, 0, 0, 0, 0),
    "skyloom_Project.qde": (3, 14, 2, 0, 0, 0, 2),
    "skyloom_TestProject.qdpx": (3, 14, 2, 0, 0, 0, 2),
    "synthetic/swis_probe.qdpx": (1, 3, 1, 1, 3, 1, 1),
    "synthetic/swis_probe_nvivo_style.qdpx": (1, 3, 1, 1, 3, 1, 1),
    "taguette_codebook_from_tests.qdc": (0, 3, 1, 0, 0, 0, 0),
}


def read_entries(project) -> dict[str, int]:
    return {entry.topic: entry.count for entry in project.report.of_kind("read")}


def skipped(project) -> dict[str, int]:
    return {entry.topic: entry.count for entry in project.report.of_kind("skipped")}


def test_every_shared_sample_is_covered():
    folder = shared_path("refi", "samples")
    found = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_each_sample_imports_with_expected_counts(sample):
    users, codes, themes, sources, codings, cases, notes = EXPECTED[sample]
    path = shared_path("refi", "samples", *sample.split("/"))
    before = tree_hashes(path)
    project = read_project(path)
    assert tree_hashes(path) == before  # inputs are never modified
    assert (len(project.users), len(project.codebook.codes), len(project.codebook.themes)) == (users, codes, themes)
    assert (len(project.transcripts), len(project.codings), len(project.cases), len(project.notes)) == \
        (sources, codings, cases, notes)
    assert read_entries(project)["codes"] == codes
    assert project.report.lines()[0].startswith("info: REFI-QDA")
    # every coding re-extracts its quote from the transcript it names
    texts = project.texts
    for row in project.codings.itertuples():
        assert texts[row.document][row.start:row.end] == row.text
        assert row.status == "accepted" and row.source.startswith("refi:")


def test_qc_demo_positions_and_codes():
    project = read_project(shared_path("refi", "samples", "qc_demo.qdpx"))
    with zipfile.ZipFile(shared_path("refi", "samples", "qc_demo.qdpx")) as archive:
        raw = {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".txt")}
    # the texts start with a speaker label and are separated by blank lines: positions unchanged
    assert sorted(t.text for t in project.transcripts) == sorted(raw.values())
    assert set(project.codings["source"]) == {"refi:cp"}
    assert any("internal://" in line for line in project.report.lines())
    # repeated code names are made unique, ids stay unique, nesting is flattened to theme + code
    names = [c.name for c in project.codebook.codes]
    assert len(set(n.casefold() for n in names)) == len(names)
    assert "programming (cs_as_programming)" in names
    assert len(set(project.codebook.code_ids)) == 262


def test_nvivo_one_byte_sources_are_reported_empty():
    project = read_project(shared_path("refi", "samples", "qc_nvivo_project.qdpx"))
    assert any("empty" in topic and count == 2 for topic, count in skipped(project).items())
    assert [s.status for s in project.sources] == ["empty", "empty"]


def test_missing_sources_and_media_are_reported_not_fatal():
    project = read_project(shared_path("refi", "samples", "skyloom_TestProject.qdpx"))
    reasons = skipped(project)
    assert reasons["text sources whose file is not in the archive"] == 8
    assert reasons["codings in text sources that were not read (missing)"] == 9
    assert reasons["sets (qual has no sets)"] == 16
    assert reasons["graphs (qual has no graphs)"] == 1
    assert any(line.startswith("warning: the project XML is named 'Project.qde'") for line in project.report.lines())
    # ATLAS.ti's flat "Group::code" names become a theme
    assert {c.theme for c in project.codebook.codes if "::" in c.name} == {"theme:Coke"}


def test_nvivo_case_nodes_become_cases_not_codes():
    project = read_project(shared_path("refi", "samples", "synthetic", "swis_probe_nvivo_style.qdpx"))
    assert "SW01" not in project.codebook.code_ids
    (case,) = project.cases
    assert case.name == "SW01" and case.documents == ["SW01_interview"]
    assert case.attributes == {"Role": "Social worker"}
    assert project.transcripts[0].attributes["Role"] == "Social worker"
    assert project.notes[0].text == "Weekly meetings recur across SW interviews."
    assert set(project.codings["code"]) == {"Early implementation barriers", "Relationships with school staff",
                                            "Facilitators"}


def test_turns_without_blank_lines_get_speakers_and_positions_move_with_the_text():
    project = read_project(shared_path("refi", "samples", "synthetic", "swis_probe.qdpx"))
    transcript = project.transcripts[0]
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "SW01", "SW01"]
    assert set(project.codings["role"]) == {"participant"}
    quotes = set(project.codings["text"])
    assert "the head teacher was unsure what a social worker would do in school" in quotes


def test_taguette_codebook_with_empty_sets():
    codebook = read_qdc(shared_path("refi", "samples", "taguette_codebook_from_tests.qdc"))
    assert [c.name for c in codebook.codes] == ["interesting", "people", "interesting\\places"]


# --------------------------------------------------------------------------- crafted quirks


@pytest.fixture
def exported():
    transcripts = small_corpus()
    data, _ = build_qdpx(coding_rows(transcripts), transcripts, small_codebook(), created=CREATED)
    return members(data)


def _codings_summary(project):
    return sorted(zip(project.codings["document"], project.codings["code"], project.codings["text"]))


def test_bom_and_namespace_variants_read_alike(tmp_path, exported):
    baseline = read_project(rezip(tmp_path / "a.qdpx", exported))
    qde = exported["project.qde"]
    variants = {
        "bom": b"\xef\xbb\xbf" + qde,
        "old-namespace": qde.replace(b"urn:QDA-XML:project:1.0", b"urn:QDA-XML:project:0.4"),
        "no-namespace": qde.replace(b' xmlns="urn:QDA-XML:project:1.0"', b""),
    }
    for name, data in variants.items():
        project = read_project(rezip(tmp_path / f"{name}.qdpx", {**exported, "project.qde": data}))
        assert _codings_summary(project) == _codings_summary(baseline), name
        assert len(project.codebook.codes) == len(baseline.codebook.codes)
        assert any(entry.kind == "warning" for entry in project.report.entries), name


def test_project_named_qde_and_capital_sources_folder(tmp_path, exported):
    renamed = {("ATLAS project.qde" if n == "project.qde" else n.replace("sources/", "Sources/")): d
               for n, d in exported.items()}
    project = read_project(rezip(tmp_path / "atlas.qdpx", renamed))
    assert len(project.codings) == 7
    lines = "\n".join(project.report.lines())
    assert "'ATLAS project.qde'" in lines and "'Sources'" in lines


def test_lone_qde_reads_its_sources_folder(tmp_path, exported):
    folder = tmp_path / "unzipped"
    (folder / "Sources").mkdir(parents=True)
    for name, data in exported.items():
        target = folder / ("project.qde" if name == "project.qde" else "Sources/" + name.split("/", 1)[1])
        target.write_bytes(data)
    project = read_project(folder / "project.qde")
    assert len(project.codings) == 7 and len(project.transcripts) == 4
    alone = tmp_path / "alone" / "project.qde"
    alone.parent.mkdir()
    alone.write_bytes(exported["project.qde"])
    project = read_project(alone)
    assert len(project.transcripts) == 0 and len(project.codebook.codes) == 4
    assert skipped(project)["text sources whose file is not in the archive"] == 4


def _project_xml(origin: str, text_path: str, selections: str, extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="{origin}">
<Users><User guid="11111111-1111-1111-1111-111111111111" name="coder"/></Users>
<CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="help" isCodable="true"/></Codes></CodeBook>
{extra}
<Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="P1.docx" plainTextPath="{text_path}">
{selections}</TextSource></Sources></Project>""".encode()


def _selection(start: int, end: int, name: str) -> str:
    return (f'<PlainTextSelection guid="44444444-4444-4444-4444-{start:012d}" name="{name}" startPosition="{start}" '
            f'endPosition="{end}"><Coding guid="55555555-5555-5555-5555-{start:012d}" '
            f'creatingUser="11111111-1111-1111-1111-111111111111">'
            '<CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding></PlainTextSelection>')


CRLF_TEXT = "Interviewer: Hello there.\r\n\r\nP1: I met the head teacher every week.\r\nIt helped a lot.\r\n"


@pytest.mark.parametrize("origin, counting, name", [
    ("MAXQDA 2022", "raw", "It helped a lot."),  # the spec: CR LF is two positions
    ("ATLAS.ti 9.1", "lf", "It helped a lot."),  # ATLAS.ti: CR LF is one
    ("MAXQDA 2022", "lf", "It helped a lot."),  # names decide against the tool's default
    ("ATLAS.ti 9.1", "lf", "Quotation 1:1"),  # nothing to tell: ATLAS.ti's way
    ("NVivo 14", "raw", "Selection 3"),  # nothing to tell: the spec's way
])
def test_crlf_positions_are_read_either_way(tmp_path, origin, counting, name):
    quote = "It helped a lot."
    raw_start = CRLF_TEXT.index(quote)
    start = raw_start if counting == "raw" else CRLF_TEXT.replace("\r\n", "\n").index(quote)
    xml = _project_xml(origin, "internal://t.txt", _selection(start, start + len(quote), name))
    project = read_project(rezip(tmp_path / "crlf.qdpx", {"project.qde": xml, "sources/t.txt": CRLF_TEXT.encode()}))
    (row,) = project.codings.itertuples()
    assert row.text == quote and row.document == "P1" and row.speaker == "P1" and row.source == "refi:coder"
    assert "\r" not in project.transcripts[0].text
    assert any("CR LF" in line for line in project.report.lines())


def test_plain_text_content_maxqda_source_variables_and_cp1252(tmp_path):
    extra = ('<Variables><Variable guid="66666666-6666-6666-6666-666666666666" name="Age group" '
             'typeOfVariable="Integer"/></Variables><Cases><Case guid="77777777-7777-7777-7777-777777777777">'
             '<VariableValue><VariableRef targetGUID="66666666-6666-6666-6666-666666666666"/>'
             '<IntegerValue>3</IntegerValue></VariableValue>'
             '<SourceRef targetGUID="33333333-3333-3333-3333-333333333333"/></Case></Cases>')
    text = "P1: Café crème was lovely."
    xml = _project_xml("MAXQDA 2020", "internal://t.txt", _selection(4, 14, "Café crème"), extra)
    project = read_project(rezip(tmp_path / "m.qdpx", {"project.qde": xml, "sources/t.txt": text.encode("cp1252")}))
    assert project.codings.iloc[0]["text"] == "Café crème"
    assert project.transcripts[0].attributes == {"Age group": 3}
    assert project.cases == []
    assert any("not in UTF-8" in line for line in project.report.lines())


def test_paths_cannot_leave_the_sources_folder(tmp_path):
    folder = tmp_path / "project"
    (folder / "sources").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("P1: secret", encoding="utf-8")
    (folder / "project.qde").write_bytes(_project_xml("x", "internal://../../secret.txt", ""))
    project = read_project(folder / "project.qde")
    assert project.transcripts == [] and project.sources[0].status == "missing"


def test_selections_out_of_range_empty_or_dangling_are_counted(tmp_path):
    text = "P1: short text"
    selections = (_selection(4, 999, "x") + _selection(6, 6, "y")
                  + _selection(4, 9, "z").replace("22222222-2222-2222-2222-222222222222",
                                                  "99999999-9999-9999-9999-999999999999"))
    xml = _project_xml("qc 1.0", "internal://t.txt", selections)
    project = read_project(rezip(tmp_path / "s.qdpx", {"project.qde": xml, "sources/t.txt": text.encode()}))
    assert len(project.codings) == 0
    assert skipped(project) == {"codings of selections outside their text": 1,
                                "codings of empty selections (start = end)": 1,
                                "codings of codes that are not in the codebook": 1}


def test_unreadable_files_are_one_line_errors(tmp_path):
    garbage = tmp_path / "garbage.qdpx"
    garbage.write_text("this is not a project", encoding="utf-8")
    no_qde = rezip(tmp_path / "empty.qdpx", {"readme.txt": b"hello"})
    truncated = tmp_path / "truncated.qdpx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    entity = tmp_path / "entity.qde"
    entity.write_bytes(b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY e "x">]><Project name="p">&e;</Project>')
    wrong_root = tmp_path / "other.qde"
    wrong_root.write_bytes(b"<html/>")
    for path in (garbage, no_qde, truncated, entity, wrong_root, tmp_path / "missing.qdpx"):
        with pytest.raises(InputFileError) as caught:
            read_project(path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message


def test_reference_codebook_restores_ids_and_what_refi_cannot_carry(tmp_path, exported):
    # A tool that keeps names but drops descriptions (and so the "Code id:" lines)
    from lxml import etree

    root = etree.fromstring(exported["project.qde"])
    for description in root.findall(".//{urn:QDA-XML:project:1.0}Code/{urn:QDA-XML:project:1.0}Description"):
        description.getparent().remove(description)
    stripped = rezip(tmp_path / "stripped.qdpx", {**exported, "project.qde": etree.tostring(root)})
    plain = read_project(stripped)
    assert "IMP.SETUP" not in plain.codebook.code_ids
    restored = read_project(stripped, reference=small_codebook())
    assert set(restored.codebook.code_ids) == set(small_codebook().code_ids)
    assert restored.codebook.code("IMP.SETUP").keywords == ["induction", "first week"]
    assert restored.codebook.code("IMP.SETUP").definition == "How it started.\n\nA second paragraph."
    assert set(restored.codings["code"]) == {"IMP.SETUP", "REL.STAFF", "REL.DSL", "IMP.SPACE"}


def test_write_import_writes_what_qual_reads_back(tmp_path, exported):
    from qual.model.codings import Codings

    project = read_project(rezip(tmp_path / "p.qdpx", exported))
    out = tmp_path / "out"
    written = write_import(project, out)
    assert set(written) == {"codebook", "codings", "corpus", "cases"}
    assert load_codebook(written["codebook"]).code_ids == small_codebook().code_ids
    assert [t.id for t in read_corpus(written["corpus"])] == ["SW01", "TM01a", "TM01b", "SW02"]
    codings = Codings.read(written["codings"]).frame
    assert len(codings) == 7 and set(codings["status"]) == {"accepted"}
    for name in ("codings", "corpus", "cases"):
        assert stat.S_IMODE(written[name].stat().st_mode) == 0o600
    with pytest.raises(QualError, match="--force"):
        write_import(project, out)
    assert write_import(project, out, force=True) == written
    codebook_only = read_project(shared_path("refi", "samples", "taguette_codebook_from_tests.qdc"))
    assert set(write_import(codebook_only, tmp_path / "cb")) == {"codebook"}
