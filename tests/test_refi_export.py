"""REFI-QDA export: the .qdpx validates against the REFI-QDA XSD and the semantic checks,
lays out sources as peers expect, and leaves nothing identifying in."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from lxml import etree

from conftest import CODEBOOK, PROJECT, shared_path
from qual.coding.codebook import load_codebook
from qual.errors import QualError
from qual.refi import build_qdpx, export_qdpx, validate_qdpx
from qual.refi.qdc import code_guid, theme_guid
from qual.refi.text import normalise_newlines
from test_refi_support import (
    CREATED, NS, RAW_NAME, SECRET, coding_rows, members, qde_root, small_codebook, small_corpus,
)


@pytest.fixture
def exported(tmp_path):
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    path = export_qdpx(codings, transcripts, small_codebook(), tmp_path / "project.qdpx", created=CREATED,
                       summaries={("SW01", "IMP.SETUP"): "Set-up was slow.\r\nThen it settled."})
    return path, transcripts, codings


def test_export_validates_against_the_shared_xsd(exported):
    path, _, _ = exported
    xsd = shared_path("refi", "Project-mrt2019.xsd")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    root = qde_root(path)
    assert schema.validate(root), schema.error_log
    assert validate_qdpx(path, xsd) == []


def test_real_codebook_and_sample_style_corpus_validate(tmp_path):
    if not CODEBOOK.is_file():
        pytest.skip("codebooks/swis_ipe.yaml is not in this checkout")
    codebook = load_codebook(CODEBOOK)
    transcripts = small_corpus()
    spec = [(d, q, c, s, st) for d, q, c, s, st in
            [("SW01", "Zoë and the head teacher were unsure", "IMP.SETUP", "human:a", "accepted"),
             ("SW01", "My office was next to Renée's café", "IMP.SPACE", "human:a", "accepted"),
             ("TM01a", "Induction took a term.", "Set-up and induction", "human:a", "accepted")]]
    path = export_qdpx(coding_rows(transcripts, spec), transcripts, codebook, tmp_path / "swis.qdpx")
    assert validate_qdpx(path, shared_path("refi", "Project-mrt2019.xsd")) == []
    root = qde_root(path)
    cases = root.findall("q:Cases/q:Case", NS)
    # every code and theme, and a code per case (NVivo's case nodes, which QualCoder reads)
    assert len(root.findall(".//q:Code", NS)) == len(codebook.codes) + len(codebook.themes) + len(cases)


def test_archive_layout_text_encoding_and_line_ends(exported):
    path, transcripts, _ = exported
    files = members(path)
    assert next(iter(files)) == "project.qde"
    assert all(name == "project.qde" or name.startswith("sources/") for name in files)
    root = qde_root(path)
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == [t.id for t in transcripts]
    for source, transcript in zip(sources, transcripts):
        path_attr = source.get("plainTextPath")
        assert path_attr == f"internal://{source.get('guid')}.txt"
        data = files["sources/" + path_attr[len("internal://"):]]
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        assert data.decode("utf-8") == transcript.text.replace("\r\n", "\n")
        assert source.get("creatingUser") and source.get("creationDateTime") == "2025-03-01T09:30:00Z"


def test_every_selection_re_extracts_its_coded_quote(exported):
    path, transcripts, codings = exported
    files = members(path)
    root = qde_root(path)
    code_ids = {code_guid(c.id): c.id for c in small_codebook().codes}
    case_names = {c.get("guid"): c.get("name") for c in root.findall("q:Cases/q:Case", NS)}
    expected = {(r.document, r.code if r.code in code_ids.values() else "IMP.SPACE",
                 normalise_newlines(r.text)[0]) for r in codings.itertuples() if r.status == "accepted"}
    found, case_texts = set(), set()
    for source in root.findall("q:Sources/q:TextSource", NS):
        text = files["sources/" + source.get("plainTextPath")[11:]].decode("utf-8")
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            for coding in selection.findall("q:Coding", NS):
                target = coding.find("q:CodeRef", NS).get("targetGUID")
                if target in case_names:   # the whole text, coded with its case's code
                    assert (start, end) == (0, len(text))
                    case_texts.add((case_names[target], source.get("name")))
                    continue
                found.add((source.get("name"), code_ids[target], text[start:end]))
                assert coding.get("creatingUser") and coding.get("creationDateTime")
    assert found == expected
    assert case_texts == {("SW01", "SW01"), ("TM01", "TM01a"), ("TM01", "TM01b"), ("SW02", "SW02")}


def test_positions_count_code_points_after_crlf_normalisation(exported):
    path, transcripts, codings = exported
    root = qde_root(path)
    quote = "the DSL and I met every week — it really helped 👍🏽.\r\nMy office"
    raw = transcripts[0].text
    lf, newline_map = normalise_newlines(raw)
    start = raw.index(quote)
    selection = [s for s in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")
                 if int(s.get("startPosition")) == newline_map(start)]
    assert selection and int(selection[0].get("endPosition")) == newline_map(start + len(quote))
    assert lf[newline_map(start):newline_map(start + len(quote))] == quote.replace("\r\n", "\n")
    # emoji and accents are one position each: the spec's code points are Python's str indices
    emoji = "👩🏾‍🏫"
    assert len(emoji) == 4


def test_codebook_themes_are_parent_codes_with_stable_guids(exported):
    path, _, _ = exported
    root = qde_root(path)
    codebook = small_codebook()
    top = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    cases = root.findall("q:Cases/q:Case", NS)
    # the themes, then one code per case with the case's GUID (NVivo's case nodes)
    assert [c.get("guid") for c in top] == [theme_guid(t.id) for t in codebook.themes] + [c.get("guid") for c in cases]
    assert [c.get("name") for c in top[len(codebook.themes):]] == [c.get("name") for c in cases]
    top = top[:len(codebook.themes)]
    assert all(c.get("isCodable") == "false" for c in top)
    children = {c.get("guid"): c for t in top for c in t.findall("q:Code", NS)}
    for code in codebook.codes:
        element = children[code_guid(code.id)]
        assert element.get("isCodable") == "true" and element.get("name") == code.name
        assert element.get("color", "").startswith("#") and len(element.get("color")) == 7
        description = element.find("q:Description", NS).text
        assert f"Code id: {code.id}" in description
        assert code.definition in description and (not code.include or code.include in description)
    # colours set in the codebook are kept; missing ones are filled
    assert children[code_guid("REL.DSL")].get("color") == "#D62728"


def test_same_input_same_bytes_and_guids(tmp_path):
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    first, _ = build_qdpx(codings, transcripts, small_codebook(), created=CREATED)
    second, _ = build_qdpx(codings, transcripts, small_codebook(), created=CREATED)
    assert first == second
    later, _ = build_qdpx(codings, transcripts, small_codebook())
    guids = lambda data: sorted(e.get("guid") for e in qde_root(data).iter() if e.get("guid"))  # noqa: E731
    assert guids(first) == guids(later)
    # unique, except that each case's code shares its case's GUID (NVivo's convention)
    cases = {c.get("guid") for c in qde_root(first).findall("q:Cases/q:Case", NS)}
    counts = {g: guids(first).count(g) for g in set(guids(first))}
    assert cases and {g for g, n in counts.items() if n > 1} == cases and set(counts[g] for g in cases) == {2}


def test_one_user_per_coder_and_status_filter():
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    data, result = build_qdpx(codings, transcripts, small_codebook(), created=CREATED, status="accepted")
    users = {u.get("name") for u in qde_root(data).findall("q:Users/q:User", NS)}
    # each person is a user; an accepted suggestion nobody put a name to is the project's user
    assert users == {"qual", "alice", "bob"}
    assert result.codings == 7 and result.status == "accepted"
    data, result = build_qdpx(codings, transcripts, small_codebook(), created=CREATED, status="all")
    users = {u.get("name") for u in qde_root(data).findall("q:Users/q:User", NS)}
    # unreviewed suggestions are their own user, so that they stay recognisable in a peer
    assert "qual suggestions" in users and result.codings == 8  # suggested in, rejected never
    only_suggested = codings.assign(status="suggested")
    _, result = build_qdpx(only_suggested, transcripts, small_codebook(), created=CREATED)
    assert result.status == "all" and result.codings == len(codings)
    with pytest.raises(QualError):
        build_qdpx(codings, transcripts, small_codebook(), status="everything")


def test_cases_group_a_participants_documents_with_safe_variables(exported):
    path, _, _ = exported
    root = qde_root(path)
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    assert set(variables.values()) == {"role", "local_authority", "trial_arm"}
    assert {v.get("typeOfVariable") for v in root.findall("q:Variables/q:Variable", NS)} == {"Text"}
    sources = {s.get("guid"): s.get("name") for s in root.findall("q:Sources/q:TextSource", NS)}
    cases = {}
    for case in root.findall("q:Cases/q:Case", NS):
        values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.find("q:TextValue", NS).text
                  for v in case.findall("q:VariableValue", NS)}
        documents = [sources[r.get("targetGUID")] for r in case.findall("q:SourceRef", NS)]
        cases[case.get("name")] = (values, documents)
    assert cases["SW01"] == ({"role": "SW", "local_authority": "[Local authority 2]",
                              "trial_arm": "intervention"}, ["SW01"])
    # a real council name is not a pseudonym tag: left out, never exported
    assert cases["TM01"] == ({"role": "TM", "trial_arm": "intervention"}, ["TM01a", "TM01b"])
    assert cases["SW02"] == ({"role": "SW"}, ["SW02"])


def test_participants_sheet_gives_only_safe_columns(tmp_path):
    transcripts = small_corpus()
    sheet = pd.DataFrame([{"participant_id": "SW02", "role": "SW", "trial_arm": "control",
                           "name": "Jane Smith", "local_authority": "Realtown Council"}])
    data, _ = build_qdpx(coding_rows(transcripts), transcripts, small_codebook(), participants=sheet,
                         created=CREATED)
    qde = members(data)["project.qde"]
    assert b"control" in qde
    assert b"Jane Smith" not in qde and b"Realtown" not in qde


def test_summaries_are_notes_with_dates_files_and_code_refs(exported):
    path, _, _ = exported
    files = members(path)
    root = qde_root(path)
    notes = root.findall("q:Notes/q:Note", NS)
    assert len(notes) == 1
    note = notes[0]
    assert note.get("creationDateTime") and note.get("creatingUser")
    assert files["sources/" + note.get("plainTextPath")[11:]].decode() == "Set-up was slow.\nThen it settled."
    refs = root.findall(".//q:Code/q:NoteRef", NS)
    assert [r.get("targetGUID") for r in refs] == [note.get("guid")]
    assert refs[0].getparent().get("guid") == code_guid("IMP.SETUP")


def test_nothing_identifying_from_outside_the_de_identified_text(exported):
    path, _, _ = exported
    blob = b"".join(members(path).values())
    for secret in (RAW_NAME, "/raw/", SECRET, "Northshire"):
        assert secret.encode() not in blob


def test_offsets_that_miss_their_quote_are_relocated_or_skipped():
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    codings.loc[0, ["start", "end"]] = [0, 5]  # wrong offsets, quote occurs once: relocated
    codings.loc[3, "text"] = "a quote that is nowhere"
    codings.loc[7, ["start", "end"]] = [None, None]  # no offsets at all: found by its quote
    data, result = build_qdpx(codings, transcripts, small_codebook(), created=CREATED)
    assert result.relocated == 2
    assert result.skipped["codings whose quote is not at its offsets nor once in its turn or transcript"] == 1
    assert validate_qdpx_bytes_ok(data)


def validate_qdpx_bytes_ok(data: bytes) -> bool:
    from qual.refi.validate import validate_qdpx_bytes

    return [p for p in validate_qdpx_bytes(data) if p.severity == "error"] == []


def test_unknown_codes_and_theme_codings_are_kept(tmp_path):
    transcripts = small_corpus()
    spec = [("SW01", "Zoë and the head teacher were unsure", "NEW.CODE", "human:a", "accepted"),
            ("SW01", "My office was next to Renée's café", "IMP", "human:a", "accepted"),
            ("SW02", "Nothing coded here.", "IMP.SPACE", "human:a", "accepted"),
            ("SW02", "Nothing coded here.", "imp.space", "human:a", "accepted")]
    data, result = build_qdpx(coding_rows(transcripts, spec), transcripts, small_codebook(), created=CREATED)
    root = qde_root(data)
    names = {c.get("name"): c for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    assert "NEW.CODE" in names and names["NEW.CODE"].getparent().get("name") == "Codes not in the codebook"
    assert names["Implementation"].get("isCodable") == "true"  # a theme coded directly is codable
    assert result.codings == 3 and result.skipped["duplicate codings (same span, code and coder)"] == 1
    assert validate_qdpx_bytes_ok(data)


def test_codings_of_documents_not_in_the_corpus_are_counted():
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    data, result = build_qdpx(codings, transcripts[1:], small_codebook(), created=CREATED)
    assert result.skipped["codings of documents that are not in the corpus"] == 5


def test_an_export_that_does_not_validate_is_not_written(tmp_path, monkeypatch):
    from qual.refi import validate as validate_module
    from qual.refi.model import Problem

    monkeypatch.setattr(validate_module, "validate_qdpx_bytes",
                        lambda *a, **k: [Problem("error", "planted", "X", "a planted problem")])
    target = tmp_path / "out.qdpx"
    transcripts = small_corpus()
    with pytest.raises(QualError, match="does not validate"):
        export_qdpx(coding_rows(transcripts), transcripts, small_codebook(), target)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_duplicate_document_ids_are_refused():
    transcripts = small_corpus()
    with pytest.raises(QualError, match="unique"):
        build_qdpx(coding_rows(transcripts), transcripts + [transcripts[0]], small_codebook())


def test_packaged_schemas_are_the_published_ones():
    for name in ("Project-mrt2019.xsd", "Codebook-mrt2019.xsd"):
        shipped = PROJECT / "qual" / "refi" / "resources" / name
        published = shared_path("refi", name)
        assert hashlib.sha256(shipped.read_bytes()).digest() == hashlib.sha256(published.read_bytes()).digest()
    assert "MIT" in (PROJECT / "qual" / "refi" / "resources" / "NOTICE.md").read_text()


def test_summaries_from_a_framework_workbook(tmp_path):
    """Summaries typed in the workbook 'qual matrix' writes (a 'Case' column and
    'Summary: <code id>' columns, in any sheet) become notes."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Implementation"
    sheet.append(["Case", "role", "IMP.SETUP", "Summary: IMP.SETUP"])
    sheet.append(["SW01", "SW", "quotes...", "Induction was slow 🐢."])
    sheet.append(["TM01", "TM", "", None])
    workbook.save(tmp_path / "framework.xlsx")
    transcripts = small_corpus()
    data, result = build_qdpx(coding_rows(transcripts), transcripts, small_codebook(),
                              summaries=tmp_path / "framework.xlsx", created=CREATED)
    assert result.notes == 1
    files = members(data)
    note = qde_root(data).find("q:Notes/q:Note", NS)
    assert files["sources/" + note.get("plainTextPath")[11:]].decode() == "Induction was slow 🐢."


def test_selection_names_are_cut_between_words_and_still_match(exported):
    from qual.refi.text import ELLIPSIS, LABEL_LENGTH, label_matches, selection_label

    quote = "So the main route really is Operation Encompass, and then the DSL rings me straight away."
    label = selection_label(quote)
    assert len(label) <= LABEL_LENGTH and label.endswith(ELLIPSIS)
    assert not quote[len(label) - 1].isalnum()  # the last word kept is whole
    assert label_matches(label, quote) and not label_matches(label, "So the main route was the MASH")
    path, _, _ = exported
    root = qde_root(path)
    files = members(path)
    for source in root.findall("q:Sources/q:TextSource", NS):
        text = files["sources/" + source.get("plainTextPath")[11:]].decode("utf-8")
        for selection in source.findall("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            name = selection.get("name")
            assert label_matches(name, text[start:end])
            if name.endswith(ELLIPSIS):
                cut = len(name) - 1
                assert not (text[start + cut - 1].isalnum() and text[start + cut].isalnum()), name
    assert validate_qdpx(path) == []


def test_one_selection_per_span_and_coder():
    # QualCoder takes a coding's coder from its selection: two coders of one span, two selections
    transcripts = small_corpus()
    spec = [("SW01", "Zoë and the head teacher were unsure", "IMP.SETUP", "human:alice", "accepted"),
            ("SW01", "Zoë and the head teacher were unsure", "REL.STAFF", "human:alice", "accepted"),
            ("SW01", "Zoë and the head teacher were unsure", "IMP.SETUP", "human:bob", "accepted"),
            ("SW01", "Zoë and the head teacher were unsure", "REL.DSL", "suggester:rules", "suggested")]
    data, result = build_qdpx(coding_rows(transcripts, spec), transcripts, small_codebook(), created=CREATED,
                              status="all")
    root = qde_root(data)
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
    cases = {c.get("guid") for c in root.findall("q:Cases/q:Case", NS)}
    selections = [s for s in root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection")
                  if s.find("q:Coding/q:CodeRef", NS).get("targetGUID") not in cases]
    assert len(selections) == 3 and result.selections == 3 and result.codings == 4
    by_user = {users[s.get("creatingUser")]: s for s in selections}
    assert set(by_user) == {"alice", "bob", "qual suggestions"}
    for user, selection in by_user.items():
        assert {users[c.get("creatingUser")] for c in selection.findall("q:Coding", NS)} == {user}
    assert len(by_user["alice"].findall("q:Coding", NS)) == 2
    assert len({(s.get("startPosition"), s.get("endPosition")) for s in selections}) == 1
