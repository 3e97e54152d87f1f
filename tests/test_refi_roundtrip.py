"""Round trips: export -> import gives back the same codes, cases and coded quotes, at the
same positions; a transcript with emoji, accented names and Windows line ends included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import CODEBOOK, shared_path
from qual.coding.codebook import load_codebook
from qual.model import Role, Transcript, Turn
from qual.refi import build_qdpx, export_qdpx, read_project, read_qdc, validate_qdc, write_qdc
from qual.refi.text import normalise_newlines
from test_refi_support import CREATED, coding_rows, members, rezip, small_codebook, small_corpus

CODE_FIELDS = ("id", "name", "theme", "definition", "include", "exclude", "colour")


def code_view(codebook):
    return [tuple(getattr(code, f) for f in CODE_FIELDS) for code in codebook.codes]


def theme_view(codebook):
    return [(t.id, t.name, t.description, t.colour) for t in codebook.themes]


def export_import(tmp_path, transcripts, codings, codebook, **kwargs):
    path = export_qdpx(codings, transcripts, codebook, tmp_path / "rt.qdpx", created=CREATED, **kwargs)
    return read_project(path, **({"reference": kwargs.pop("reference")} if "reference" in kwargs else {}))


def test_codes_and_themes_round_trip(tmp_path):
    codebook = small_codebook()
    transcripts = small_corpus()
    project = export_import(tmp_path, transcripts, coding_rows(transcripts), codebook)
    from qual.refi.qdc import coloured

    expected = coloured(codebook)  # colours missing in the codebook are filled on export
    assert code_view(project.codebook) == code_view(expected)
    assert theme_view(project.codebook) == theme_view(expected)
    # keywords and examples have no place in REFI-QDA: a reference codebook brings them back
    with_reference = read_project(tmp_path / "rt.qdpx", reference=codebook)
    assert [c.keywords for c in with_reference.codebook.codes] == [c.keywords for c in codebook.codes]
    assert [c.examples for c in with_reference.codebook.codes] == [c.examples for c in codebook.codes]


def test_real_codebook_round_trips_losslessly(tmp_path):
    if not CODEBOOK.is_file():
        pytest.skip("codebooks/swis_ipe.yaml is not in this checkout")
    codebook = load_codebook(CODEBOOK)
    project = export_import(tmp_path, [], None, codebook)
    assert code_view(project.codebook) == code_view(codebook)
    assert theme_view(project.codebook) == theme_view(codebook)
    full = read_project(tmp_path / "rt.qdpx", reference=codebook)
    assert full.codebook.codes == codebook.codes and full.codebook.themes == codebook.themes


def test_cases_round_trip(tmp_path):
    transcripts = small_corpus()
    project = export_import(tmp_path, transcripts, coding_rows(transcripts), small_codebook())
    cases = {c.name: (c.attributes, c.documents) for c in project.cases}
    assert cases == {
        "SW01": ({"role": "SW", "local_authority": "[Local authority 2]", "trial_arm": "intervention"}, ["SW01"]),
        "TM01": ({"role": "TM", "trial_arm": "intervention"}, ["TM01a", "TM01b"]),
        "SW02": ({"role": "SW"}, ["SW02"]),
    }
    by_id = {t.id: t for t in project.transcripts}
    assert by_id["TM01b"].attributes["participant_id"] == "TM01"
    assert by_id["SW01"].attributes["local_authority"] == "[Local authority 2]"


def test_coded_quotes_round_trip_at_the_same_positions(tmp_path):
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    project = export_import(tmp_path, transcripts, codings, small_codebook())
    accepted = codings[codings["status"] == "accepted"].replace({"code": {"Space in school": "IMP.SPACE"}})
    maps = {t.id: normalise_newlines(t.text)[1] for t in transcripts}
    # each coding comes back with its coder: the person named, else the project's user
    coder = {"human:alice": "alice", "human:bob": "bob"}
    expected = sorted((r.document, r.code, maps[r.document](r.start), maps[r.document](r.end),
                       normalise_newlines(r.text)[0], "refi:" + coder.get(r.source, "qual"),
                       coder.get(r.source, "qual")) for r in accepted.itertuples())
    got = sorted(zip(project.codings["document"], project.codings["code"], project.codings["start"],
                     project.codings["end"], project.codings["text"], project.codings["source"],
                     project.codings["coder"]))
    assert got == expected
    # the transcripts come back turn for turn: speakers, roles, timestamps, text
    for original, back in zip(transcripts, project.transcripts):
        assert back.id == original.id
        assert back.text == normalise_newlines(original.text)[0]
        assert [(t.speaker, t.role, t.timestamp) for t in back.turns] == \
            [(t.speaker, t.role, t.timestamp) for t in original.turns]
    # turn, speaker and role of each coding come from the transcript
    row = project.codings[project.codings["text"] == "the DSL 👩🏾‍🏫 was brilliant too"].iloc[0]
    assert (row["turn"], row["speaker"], row["role"]) == (3, "SW01", "participant")


def test_emoji_accents_and_windows_line_ends_keep_exact_offsets(tmp_path):
    """The issue's acceptance case: offsets into the CR LF text map exactly onto the LF text,
    and a second round trip changes nothing."""
    text = "Zoë said “hello” 👋🏽\r\nthen Anaïs and José met 🧑🏿‍🤝‍🧑🏻 every week.\r\nÅsa agreed.\r\n"
    transcript = Transcript(id="P1", source="", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "Tell me… 😀"),
        Turn(1, "Zoë", Role.PARTICIPANT, text, timestamp="01:02:03"),
    ])
    quotes = ["Anaïs and José met 🧑🏿‍🤝‍🧑🏻 every week", "👋🏽\r\nthen", "Åsa agreed.\r\n", "😀"]
    spec = [("P1", q, "IMP.SETUP", "human:a", "accepted") for q in quotes]
    codings = coding_rows([transcript], spec)
    project = export_import(tmp_path, [transcript], codings, small_codebook())
    lf, newline_map = normalise_newlines(transcript.text)
    assert project.transcripts[0].text == lf
    got = sorted(zip(project.codings["start"], project.codings["end"], project.codings["text"]))
    expected = sorted((newline_map(r.start), newline_map(r.end), r.text.replace("\r\n", "\n"))
                      for r in codings.itertuples())
    assert got == expected
    for start, end, quote in got:
        assert lf[start:end] == quote
    # again: LF text in, identical positions out
    second = export_import(tmp_path / "2", project.transcripts, project.codings.assign(
        source=project.codings["source"].str.removeprefix("refi:")), small_codebook())
    assert sorted(zip(second.codings["start"], second.codings["end"], second.codings["text"])) == got


def test_summaries_round_trip_as_notes(tmp_path):
    transcripts = small_corpus()
    project = export_import(tmp_path, transcripts, coding_rows(transcripts), small_codebook(),
                            summaries={("SW01", "IMP.SETUP"): "Slow start 🐢, then fine.",
                                       ("TM01", "REL.DSL"): "Close work with the DSL."})
    notes = {n.name: (n.text, n.about) for n in project.notes}
    assert notes == {"Summary SW01 / IMP.SETUP": ("Slow start 🐢, then fine.", ["code:IMP.SETUP"]),
                     "Summary TM01 / REL.DSL": ("Close work with the DSL.", ["code:REL.DSL"])}
    assert all(n.created == "2025-03-01T09:30:00Z" and n.user == "qual" for n in project.notes)


def test_import_then_export_is_stable(tmp_path):
    """A project qual read can be exported again (to another tool) without loss."""
    project = read_project(shared_path("refi", "samples", "qc_demo.qdpx"))
    data, result = build_qdpx(project.codings, project.transcripts, project.codebook, created=CREATED)
    assert result.codings == len(project.codings) and result.skipped == {}
    again = read_project(rezip(tmp_path / "again.qdpx", members(data)))
    assert sorted(zip(again.codings["document"], again.codings["code"], again.codings["start"],
                      again.codings["end"])) == \
        sorted(zip(project.codings["document"], project.codings["code"], project.codings["start"],
                   project.codings["end"]))


def test_qdc_round_trip_and_schema(tmp_path):
    codebook = small_codebook()
    path = write_qdc(codebook, tmp_path / "codebook.qdc")
    assert validate_qdc(path, shared_path("refi", "Codebook-mrt2019.xsd")) == []
    from qual.refi.qdc import coloured

    back = read_qdc(path)
    assert code_view(back) == code_view(coloured(codebook))
    assert theme_view(back) == theme_view(coloured(codebook))
    assert read_qdc(path, reference=codebook).codes[0].keywords == codebook.codes[0].keywords
    assert path.read_bytes().startswith(b"<?xml")


def test_qdc_through_save_and_load_codebook(tmp_path):
    from qual.coding.codebook import save_codebook

    if not CODEBOOK.is_file():
        pytest.skip("codebooks/swis_ipe.yaml is not in this checkout")
    codebook = load_codebook(CODEBOOK)
    save_codebook(codebook, tmp_path / "swis.qdc")
    back = load_codebook(tmp_path / "swis.qdc")
    assert code_view(back) == code_view(codebook)


# --------------------------------------------------------------------------- property

_ALPHABET = st.sampled_from(list("abcdefghij XYZ.,;:-'\"éèüñÅøß–—…“”") + ["👍🏽", "🧑🏿‍🤝‍🧑🏻", "😀", "\r\n", "\n", "\r",
                                                                        "\t", "中", "𝄞"])
_TURN_TEXT = st.lists(_ALPHABET, min_size=1, max_size=40).map("".join)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(_TURN_TEXT, min_size=1, max_size=4), picks=st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(1, 30)), min_size=1, max_size=6))
def test_any_text_and_span_round_trips(tmp_path_factory, turns, picks):
    speakers = ["Interviewer", "SW01"]
    transcript = Transcript(id="D1", source="", turns=[
        Turn(i, speakers[i % 2], Role.INTERVIEWER if i % 2 == 0 else Role.PARTICIPANT, text)
        for i, text in enumerate(turns)])
    text = transcript.text
    rows = []
    for position, length in picks:
        start = position % len(text)
        end = min(len(text), start + length)
        # a span may not split a CR LF pair: its quote would not exist in the LF text
        if text[start - 1:start + 1] == "\r\n" or text[end - 1:end + 1] == "\r\n":
            continue
        if not normalise_newlines(text[start:end])[0]:
            continue
        rows.append(("D1", start, end))
    if not rows:
        return
    import pandas as pd

    codings = pd.DataFrame([{"document": d, "segment": "0", "speaker": "", "text": text[s:e], "code": "REL.DSL",
                             "score": 1, "source": "human:x", "status": "accepted", "turn": None, "timestamp": "",
                             "role": "", "start": s, "end": e} for d, s, e in rows])
    folder = tmp_path_factory.mktemp("prop")
    project = export_import(folder, [transcript], codings, small_codebook())
    lf, newline_map = normalise_newlines(text)
    expected = {(newline_map(s), newline_map(e)) for _, s, e in rows if newline_map(s) < newline_map(e)}
    got = set(zip(project.codings["start"], project.codings["end"]))
    assert got == expected
    assert project.transcripts[0].text == lf
    for start, end, quote in zip(project.codings["start"], project.codings["end"], project.codings["text"]):
        assert lf[start:end] == quote


# --------------------------------------------------------------------------- the sample corpus


def test_sample_corpus_exports_valid_and_round_trips_exactly(tmp_path):
    """transcripts_sample (Word, VTT and text transcripts) ingested and segmented as qual does:
    the export validates against the REFI-QDA XSD and comes back turn for turn, coding for coding."""
    from conftest import SAMPLES, tree_hashes
    from qual.coding.segments import segment_transcripts
    from qual.ingest import ingest

    if not any(SAMPLES.glob("*.docx")):
        pytest.skip("transcripts_sample is not in this checkout")
    if not CODEBOOK.is_file():
        pytest.skip("codebooks/swis_ipe.yaml is not in this checkout")
    before = tree_hashes(SAMPLES)
    transcripts = ingest(SAMPLES, participants=SAMPLES / "participants.xlsx").transcripts
    assert len(transcripts) >= 5
    codebook = load_codebook(CODEBOOK)
    segments = segment_transcripts(transcripts)
    segments = segments[segments["codable"]].reset_index(drop=True)
    import pandas as pd

    codings = pd.DataFrame({
        "document": segments["document"], "segment": segments["segment"], "speaker": segments["speaker"],
        "text": segments["text"], "code": [codebook.code_ids[i % len(codebook.codes)] for i in range(len(segments))],
        "score": 0.7, "source": ["suggester:rules", "human:alice"] * (len(segments) // 2) + ["human:bob"] * (
            len(segments) % 2), "status": "accepted", "turn": segments["turn"], "timestamp": segments["timestamp"],
        "role": segments["role"], "start": segments["start"], "end": segments["end"]})
    path = export_qdpx(codings, transcripts, codebook, tmp_path / "sample.qdpx",
                       summaries={(transcripts[0].id, codebook.code_ids[0]): "A summary."})
    assert validate_qdpx_shared(path) == []
    project = read_project(path)
    assert tree_hashes(SAMPLES) == before
    for original, back in zip(transcripts, project.transcripts):
        lf = normalise_newlines(original.text)[0]
        assert back.text == lf
        assert [(t.speaker, t.role, t.timestamp) for t in back.turns] == \
            [(t.speaker, t.role, t.timestamp) for t in original.turns]
    maps = {t.id: normalise_newlines(t.text)[1] for t in transcripts}
    expected = {(r.document, r.code, maps[r.document](r.start), maps[r.document](r.end)) for r in codings.itertuples()}
    got = set(zip(project.codings["document"], project.codings["code"], project.codings["start"],
                  project.codings["end"]))
    assert got == expected


def validate_qdpx_shared(path):
    from qual.refi import validate_qdpx

    return validate_qdpx(path, shared_path("refi", "Project-mrt2019.xsd"))


def test_a_paragraph_that_looks_like_a_label_stays_in_its_turn(tmp_path):
    transcript = Transcript(id="P2", source="", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "What did they say?"),
        # paragraphs of a turn are separated by one line break (qual.model's layout)
        Turn(1, "[Person 3]", Role.PARTICIPANT, "She said:\nInterviewer: is that right?\nNote: yes."),
        Turn(2, "[00:10] [Person 3]", Role.PARTICIPANT, "Speaker 2: no", timestamp="00:00:09"),
    ])
    spec = [("P2", "Interviewer: is that right?", "REL.DSL", "human:a", "accepted")]
    project = export_import(tmp_path, [transcript], coding_rows([transcript], spec), small_codebook())
    back = project.transcripts[0]
    assert back.text == transcript.text
    assert [(t.speaker, t.role, t.text) for t in back.turns] == [(t.speaker, t.role, t.text) for t in transcript.turns]
    row = project.codings.iloc[0]
    assert (row["turn"], row["speaker"], row["role"]) == (1, "[Person 3]", "participant")


def test_unknown_codes_and_codings_of_a_theme_round_trip(tmp_path):
    transcripts = small_corpus()
    spec = [("SW01", "Zoë and the head teacher were unsure", "NEW.CODE", "human:a", "accepted"),
            ("SW01", "My office was next to Renée's café", "IMP", "human:a", "accepted"),
            ("SW02", "Nothing coded here.", "IMP.SPACE", "human:a", "accepted")]
    project = export_import(tmp_path, transcripts, coding_rows(transcripts, spec), small_codebook())
    assert sorted(project.codings["code"]) == ["IMP", "IMP.SPACE", "NEW.CODE"]
    assert project.codebook.code("NEW.CODE").theme == "(other)"
    assert "IMP" not in project.codebook.code_ids and project.codebook.theme("IMP").name == "Implementation"


def test_characters_xml_cannot_carry_stay_in_the_text(tmp_path):
    """Word's manual line break (vertical tab) and stray controls are fine in a .txt source but
    not in XML: names and descriptions drop them, positions and quotes keep them."""
    text = "Line one\x0bline two\x0c" + "and a long answer " * 5 + "\x01end"
    transcript = Transcript(id="P3\x07", source="", turns=[Turn(0, "P\x0b3", Role.PARTICIPANT, text)])
    spec = [("P3\x07", text[:80], "REL.DSL", "human:a", "accepted"),
            ("P3\x07", text[9:], "IMP.SETUP", "human:a", "accepted")]
    codings = coding_rows([transcript], spec)
    project = export_import(tmp_path, [transcript], codings, small_codebook())
    assert project.transcripts[0].text == transcript.text
    assert sorted(zip(project.codings["start"], project.codings["end"], project.codings["text"])) == \
        sorted(zip(codings["start"], codings["end"], codings["text"]))


def test_unreviewed_suggestions_come_back_as_suggestions(tmp_path):
    # REFI-QDA has no status: suggestions travel as the codings of the user "qual suggestions"
    transcripts = small_corpus()
    codings = coding_rows(transcripts)
    project = export_import(tmp_path, transcripts, codings, small_codebook(), status="all")
    back = project.codings
    suggested = back[back["status"] == "suggested"]
    assert list(zip(suggested["text"], suggested["code"])) == [("Staff were brilliant", "REL.STAFF")]
    assert set(suggested["coder"]) == {""} and set(suggested["source"]) == {"refi:qual suggestions"}
    assert (back["status"] == "accepted").sum() == (codings["status"] == "accepted").sum()
    from qual.coding.human import read_all_codes, read_human_codes

    human = read_human_codes(tmp_path / "rt.qdpx")
    assert "suggested" not in set(human["status"]) and "Staff were brilliant" not in set(human["text"])
    everything = read_all_codes(tmp_path / "rt.qdpx")
    assert (everything["status"] == "suggested").sum() == 1
