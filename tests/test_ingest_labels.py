"""Speaker-label detection and turn segmentation (qual.ingest.labels), on lines alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qual.coding.segments import model_text
from qual.ingest.labels import Line, label_kind, read_candidate, segment


def lines(*texts: str) -> list[Line]:
    return [Line(text) for text in texts]


def turns_of(*texts: str):
    return segment(lines(*texts)).turns


@pytest.mark.parametrize("label, kind", [
    ("Interviewer", "role"), ("Respondent", "role"), ("I", "role"), ("R", "role"), ("Int", "role"),
    ("Participant 3", "role"), ("PARTTICIPANT 18", "role"), ("Speaker 1", "role"), ("Unknown", "role"),
    ("SW03", "role"), ("I1", "role"), ("K", "code"), ("JS", "code"),
    ("Sarah Collins", "name"), ("Dr. Smith", "name"), ("Willem van Asperen", "name"), ("O'Brien", "name"),
    ("DANYOW", "caps"), ("PAUL F. DANYOW ’16", "caps"),
    ("Date", "meta"), ("Location", "meta"), ("Transcribed by", "meta"), ("Interview date", "meta"),
    ("So what she said was", None), ("Then he said", None), ("Yeah", None), ("well", None),
    ("The thing is, really", None), ("Why", None),
])
def test_label_kind(label, kind):
    assert label_kind(label) == kind


def test_colon_label_with_leading_and_trailing_timestamps():
    for text, label, stamp in [
        ("[00:01:23] Speaker 2: Hello", "Speaker 2", "00:01:23"),
        ("00:19 PARTICIPANT 12: Hi", "PARTICIPANT 12", "00:19"),
        ("(01:05) - Interviewer: So", "Interviewer", "01:05"),
        ("Sarah Collins (00:03): Right", "Sarah Collins", "00:03"),
        ("*1:40 = I1: Hvad kom i fra?", "I1", "1:40"),
        ("[09:26 PARTICIPANT 11: a bracket the transcriber forgot to close", "PARTICIPANT 11", "09:26"),
    ]:
        candidate = read_candidate(Line(text))
        assert (candidate.label, candidate.timestamp) == (label, stamp), text


def test_times_and_urls_are_not_labels():
    assert read_candidate(Line("At 10:30 we met the DSL")) is None
    candidate = read_candidate(Line("https://example.org/page is where it was"))
    assert candidate is None or candidate.label != "https"


def test_interviewer_respondent_style():
    turns = turns_of("Interviewer: How long have you been in post?", "Respondent: About two years.",
                     "Interviewer: And before that?", "Respondent: Children in need team.")
    assert [t.speaker for t in turns] == ["Interviewer", "Respondent", "Interviewer", "Respondent"]
    assert turns[0].text == "How long have you been in post?"


def test_question_answer_style_and_numbered_headings():
    result = segment(lines("Question 1: Your role", "Question: What is your role?", "Answer: Team manager.",
                           "Question: Since when?", "Answer: 2020."))
    assert [t.speaker for t in result.turns] == ["Question", "Answer", "Question", "Answer"]
    assert result.preamble == ["Question 1: Your role"]


def test_continuation_paragraphs_join_with_newline_and_keep_inner_spacing():
    turns = turns_of("I: First question?", "R: First answer.", "", "  More of the answer,\twith a tab.  ",
                     "[laughs] and an annotation", "I: Next?")
    assert len(turns) == 3
    assert turns[1].text == "First answer.\nMore of the answer,\twith a tab.\n[laughs] and an annotation"


def test_surname_tab_style_and_split_label_is_one_speaker():
    result = segment(lines(
        "Calvin C. Jones Jr. ’68", "Dartmouth College Oral History Program", "May 13, 2015", "",
        "PAUL F.\u00a0", "DANYOW ’16: \tToday is Wednesday. This is Paul.", "", "\tThank you for coming.", "",
        "JONES:\tMy pleasure.", "", "DANYOW:\tWhere were you born?", "", "JONES:\tIn Utah."))
    assert [t.speaker for t in result.turns] == ["DANYOW", "JONES", "DANYOW", "JONES"]
    assert result.turns[0].text == "Today is Wednesday. This is Paul.\nThank you for coming."
    assert result.aliases == {"PAUL F. DANYOW ’16": "DANYOW"}
    assert result.preamble == ["Calvin C. Jones Jr. ’68", "Dartmouth College Oral History Program", "May 13, 2015"]


def test_name_labels_need_repetition_but_prose_with_colons_does_not_start_turns():
    turns = turns_of(
        "Hannah Price: Tell me about the referral.",
        "Claire Whitfield: Well, the DSL rang me.",
        "What she said was: we need you now.",
        "Social Services: that was the old name for it.",
        "Hannah Price: And then?",
        "Claire Whitfield: We went round.")
    assert [t.speaker for t in turns] == ["Hannah Price", "Claire Whitfield", "Hannah Price", "Claire Whitfield"]
    assert "What she said was: we need you now." in turns[1].text
    assert "Social Services: that was the old name for it." in turns[1].text


def test_otter_label_and_time_alone_on_a_line():
    turns = turns_of("Interview SW04", "", "Speaker 1  0:03", "Can you hear me?", "", "Speaker 2  0:05",
                     "Yes, fine.", "Still me.", "", "Speaker 1  0:09", "Good.")
    assert [(t.speaker, t.timestamp) for t in turns] == [("Speaker 1", "0:03"), ("Speaker 2", "0:05"),
                                                         ("Speaker 1", "0:09")]
    assert turns[1].text == "Yes, fine.\nStill me."


def test_a_one_off_time_line_in_the_header_is_not_a_speaker():
    result = segment(lines("Duration 45:12", "Sarah Collins  0:03", "Hello.", "Tom Avery  0:05", "Hi.",
                           "Sarah Collins  0:09", "Right.", "Tom Avery  0:12", "Yes."))
    assert result.preamble == ["Duration 45:12"]
    assert len(result.turns) == 4


def test_a_speaker_who_speaks_once_in_a_label_and_time_transcript():
    # the document's form is trusted by the speaker who repeats; the one who speaks once is
    # a speaker too, not the previous speaker's words
    result = segment(lines("Duration 45:12", "Siobhan Mulcahy  0:02", "So tell me about your role.",
                           "Tendai Moyo  0:10", "I cover two schools.", "Siobhan Mulcahy  0:25", "Thanks."))
    assert result.preamble == ["Duration 45:12"]
    assert [t.timestamp for t in result.turns] == ["0:02", "0:10", "0:25"]
    assert result.turns[1].text == "I cover two schools."


def test_a_first_name_who_speaks_once_among_name_labels():
    # among speakers written 'Name:', a first name that speaks once opens a turn; a word that
    # opens a line with a colon ('Important:', 'Hope:') stays the previous speaker's words
    result = segment(lines("Sarah: So how did it start?", "Jayden: In Year 9.", "Sarah: And then?",
                           "Jayden: The SWIS worker came.", "Tom: Sorry, the room is booked at two.",
                           "Sarah: No problem.", "Important: we stop at two.", "Jayden: Fine.",
                           "Hope: that is the aim."))
    assert [t.speaker for t in result.turns] == ["Sarah", "Jayden", "Sarah", "Jayden", "Tom", "Sarah", "Jayden"]
    assert result.turns[5].text == "No problem.\nImportant: we stop at two."


def test_bold_labels_without_colon():
    result = segment([
        Line("Interviewer How did it start?", bold="Interviewer "),
        Line("Participant Slowly.", bold="Participant"),
        Line("Interviewer: And then?", bold="Interviewer:"),
        Line("Participant: Faster.", bold="Participant: "),
    ])
    assert [(t.speaker, t.text) for t in result.turns] == [
        ("Interviewer", "How did it start?"), ("Participant", "Slowly."),
        ("Interviewer", "And then?"), ("Participant", "Faster.")]


def test_wholly_bold_headings_are_not_turns():
    result = segment([Line("Background", bold="Background"), Line("Interviewer: Hi?"), Line("R: Hello."),
                      Line("Home tour", bold="Home tour"), Line("More from R.")])
    assert [t.speaker for t in result.turns] == ["Interviewer", "R"]
    assert result.turns[1].text == "Hello.\nHome tour\nMore from R."


def test_legend_block_is_metadata_and_feeds_roles():
    result = segment(lines("Transskribering af interview nr. 1", "I1: Interviewer 1", "I2: Interviewer 2 ",
                           "M: Mand", "K: Kvinde", "", "*0:0 = I1: Mange tak.", "K: Vi prøver.",
                           "M: Ja.", "I2: Godt.", "K: Nej."))
    assert result.legend == {"I1": "Interviewer 1", "I2": "Interviewer 2", "M": "Mand", "K": "Kvinde"}
    assert [t.speaker for t in result.turns] == ["I1", "K", "M", "I2", "K"]
    assert result.turns[0].timestamp == "0:0"
    assert "M: Mand" in result.preamble


def test_header_fields_are_preamble_and_a_speech_opening_is_not_a_legend():
    result = segment(lines("Date: 4 May 2023", "Location: Teams", "Interviewer: Hello, thanks for coming.",
                           "Respondent: No problem.", "Interviewer: So, your role?", "Respondent: SWIS worker."))
    assert result.preamble == ["Date: 4 May 2023", "Location: Teams"]
    assert result.legend == {}
    assert len(result.turns) == 4


def test_a_header_of_case_notes_with_its_people_is_preamble_before_q_and_a_turns():
    """A telephone interview's notes ('Participant: ...', 'Role: ...', 'LA: ...', 'Interviewer:
    ...') end at their blank line; the 'Q:' and 'A:' turns after them are the speech, and the
    people named in the notes are no speakers' turns."""
    result = segment(lines("Participant: Ayesha Mahmood", "Role: DSL", "LA: Kirklees", "School: Northfield Academy",
                           "Date: 16/06/2022, telephone", "Interviewer: R. Abbott", "Notes: line dropped once.", "",
                           "Q: Hello, is that Ayesha?", "", "A: Speaking, hiya.", "", "Q: Could you tell me your role?",
                           "", "A: I'm the DSL."))
    assert [t.speaker for t in result.turns] == ["Q", "A", "Q", "A"]
    assert result.legend == {"Participant": "Ayesha Mahmood", "Interviewer": "R. Abbott"}
    assert "Role: DSL" in result.preamble


def test_legend_written_on_one_line():
    result = segment(lines("Interview 6", "Interviewer (I) Interviewer (O) Informant (X)",
                           "I: Hej.", "X: Hej.", "O: Og så?", "X: Ja.", "I: Tak?", "X: Ok."))
    assert result.legend == {"I": "Interviewer", "O": "Interviewer", "X": "Informant"}


def test_tab_separated_columns_with_codes_and_column_heads():
    result = segment(lines("TID\tPERSON\tUDTALELSE", "", "0:0\tI1\tSådan. Og var det?", "Y\tJa. Ja det var.",
                           "I1\tJa?", "Y\tJa!"))
    assert [(t.speaker, t.timestamp) for t in result.turns] == [("I1", "0:0"), ("Y", None), ("I1", None),
                                                               ("Y", None)]
    assert result.preamble == ["TID\tPERSON\tUDTALELSE"]


def test_case_variants_of_a_label_are_one_speaker():
    turns = turns_of("Interviewer: a?", "Respondent: b.", "INTERVIEWER: c?", "Respondent: d.", "Interviewer: e?")
    assert {t.speaker for t in turns} == {"Interviewer", "Respondent"}


def test_a_couple_sharing_a_surname_stay_two_speakers():
    turns = turns_of("Sarah Collins: a.", "Mr Collins: b.", "Sarah Collins: c.", "Mr Collins: d.")
    assert {t.speaker for t in turns} == {"Sarah Collins", "Mr Collins"}


def test_table_labels_from_layout():
    result = segment([Line("Hello there?", label="Interviewer", where="table 1 row 1"),
                      Line("Hi.", label="Sarah", where="table 1 row 2"),
                      Line("more from Sarah"),
                      Line("Bye?", label="Interviewer", timestamp="00:10", where="table 1 row 3")])
    assert [(t.speaker, t.text, t.timestamp) for t in result.turns] == [
        ("Interviewer", "Hello there?", None), ("Sarah", "Hi.\nmore from Sarah", None),
        ("Interviewer", "Bye?", "00:10")]


def test_facts_rows_never_open_turns():
    result = segment([Line("Participant\tJoanne (TM02)", opens_turns=False), Line("Interviewer: Hi?"),
                      Line("Participant: Hello.")])
    assert result.preamble == ["Participant\tJoanne (TM02)"]
    assert [t.speaker for t in result.turns] == ["Interviewer", "Participant"]


def test_no_labels_no_turns():
    result = segment(lines("Would you like to start by introducing yourself?", "Who lives in this house?",
                           "Why did you move here?"))
    assert result.turns == []


def test_comment_spans_map_into_turn_text():
    result = segment([Line("Interviewer: Is it Kayla?", comments=[("7", 19, 24)]), Line("R: Yes.")])
    assert result.comment_anchors == {"7": [{"turn": 0, "start": 6, "end": 11}]}
    assert result.turns[0].text[6:11] == "Kayla"


_WORD = st.text(alphabet="abcdefghij", min_size=1, max_size=6)
_LINE = st.one_of(
    st.lists(_WORD, min_size=1, max_size=6).map(" ".join),
    st.tuples(st.sampled_from(["Interviewer", "R", "Sarah Collins", "Date", "So"]),
              st.lists(_WORD, min_size=0, max_size=5).map(" ".join)).map(lambda p: f"{p[0]}: {p[1]}"),
    st.just(""),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, max_size=25))
def test_nothing_is_lost(texts):
    """Every spoken word is in a turn or in the preamble (a bare label with nothing said may go)."""
    result = segment(lines(*texts))
    kept = " ".join([t.text for t in result.turns] + result.preamble).split()
    for text in texts:
        spoken = text.split(":", 1)[-1]
        for word in spoken.split():
            assert word in kept


def test_a_bold_label_wins_over_a_colon_later_in_the_sentence():
    result = segment([Line("Interviewer: Any issues?"),
                      Line("Participant It has: the agreements took months.", bold="Participant"),
                      Line("Interviewer: Why?"), Line("Participant: Lawyers.")])
    assert [(t.speaker, t.text) for t in result.turns][1] == ("Participant", "It has: the agreements took months.")


@pytest.mark.parametrize("texts, speakers, stamps", [
    # Rev / Sonix: the time after the colon
    (["Speaker1: [00:00:03] Hello?", "Speaker2: [00:00:05] Hi.", "Speaker1: [00:00:09] Ok?"],
     ["Speaker1", "Speaker2", "Speaker1"], ["00:00:03", "00:00:05", "00:00:09"]),
    # NVivo / Happy Scribe: time first, label alone on the line
    (["00:00:01 Speaker 1", "Hello?", "00:00:04 Speaker 2", "Hi.", "[00:00:09.20] - Speaker 1", "Ok?"],
     ["Speaker 1", "Speaker 2", "Speaker 1"], ["00:00:01", "00:00:04", "00:00:09.20"]),
    # UK transcription services' abbreviations
    (["INT: Hello?", "RES: Hi.", "INT: Ok?", "RES: Yes."], ["INT", "RES", "INT", "RES"], [None] * 4),
])
def test_more_export_styles(texts, speakers, stamps):
    result = segment(lines(*texts))
    assert [t.speaker for t in result.turns] == speakers
    assert [t.timestamp for t in result.turns] == stamps
    assert all(":" not in t.text.split(" ")[0] for t in result.turns)


def test_a_time_stamped_caption_line_is_not_a_label():
    result = segment(lines("16:37:03 Workers link. Now you can play the streets.", "16:37:44 My name is",
                           "16:37:48 Manchester", "16:38:10 You said, I'm a lawful boy."))
    assert result.turns == []


def test_a_one_off_code_among_code_labels_is_a_speaker():
    turns = turns_of("I: Hvad så?", "X: Ja.", "I: Og?", "X: Nej.", "Y: Måske.", "I: Tak?")
    assert [t.speaker for t in turns] == ["I", "X", "I", "X", "Y", "I"]
    # among name labels a one-off code stays text
    turns = turns_of("Hannah Price: So?", "Claire Whitfield: Well.", "Hannah Price: And?",
                     "Claire Whitfield: Yes.", "JS: fine.")
    assert len(turns) == 4


def test_long_unlabelled_speech_before_the_first_label_is_an_unknown_turn():
    consent = ("So just before we start, this is being recorded, and everything you say will be kept "
               "confidential and anonymised, you can stop at any time, you do not have to answer anything "
               "you would rather not, and the recording is deleted after transcription, is that all okay?")
    result = segment(lines("SW07 interview", "4 May 2023", consent, "R: Yes, fine.", "I: Great?"))
    assert result.preamble == ["SW07 interview", "4 May 2023"]
    assert [(t.speaker, t.text) for t in result.turns][0] == ("Unknown", consent)


def test_a_lower_case_speech_to_text_export_keeps_its_speakers():
    """Names alone on a line with a time, written without capitals (a speech-to-text export,
    or one lower-cased for privacy): repeated, they are speakers; said once, prose stays prose."""
    turns = turns_of("interview with the team - 8 june 2022",
                     "amrit kaur   0:03", "ok i think it's recording now, thanks for doing this.",
                     "ben oduya   0:10", "no worries, good to see you.",
                     "amrit kaur   0:15", "could you start by telling me about your role?",
                     "ben oduya   0:24", "yeah so i manage the team.")
    assert [(t.speaker, t.timestamp) for t in turns] == [("amrit kaur", "0:03"), ("ben oduya", "0:10"),
                                                        ("amrit kaur", "0:15"), ("ben oduya", "0:24")]
    assert turns[3].text == "yeah so i manage the team."
    once = turns_of("Interviewer: how long was it?", "it was about 0:45", "Interviewer: right.")
    assert [t.speaker for t in once] == ["Interviewer", "Interviewer"]
    assert "it was about 0:45" in once[0].text


def test_lower_case_name_labels_with_a_colon():
    """'priya raman: hi ...' in a transcript lower-cased throughout: repeated, the names are
    speakers; a lower-case phrase with a colon in a line with capitals is prose."""
    turns = turns_of("priya raman: hi, can you hear me okay?",
                     "declan fitzgerald: yeah, i can hear you fine.",
                     "priya raman: so could you start by telling me about your role?",
                     "declan fitzgerald: sure. so i'm the team manager for swis in hollowmere.")
    assert [t.speaker for t in turns] == ["priya raman", "declan fitzgerald"] * 2
    assert turns[3].text == "sure. so i'm the team manager for swis in hollowmere."
    prose = turns_of("Interviewer: What happened?", "the main thing: We kept going.",
                     "Respondent: the main thing: We kept going. the main thing: yes.")
    assert [t.speaker for t in prose] == ["Interviewer", "Respondent"]


def test_a_whisper_export_with_time_spans_and_lower_case_speaker_tags():
    # every line opens with the span of time Whisper writes; a speaker tag only where the
    # speaker changes, so the other lines go on with the turn, keeping their time mark (a
    # note that models and detectors read past: nothing of the transcript is lost)
    turns = turns_of(
        "[00:00:01.000 --> 00:00:04.500] speaker a: right, i think it's recording now.",
        "[00:00:04.500 --> 00:00:06.000] speaker b: no problem, happy to help.",
        "[00:00:06.000 --> 00:00:11.200] speaker a: could you tell me about your role?",
        "[00:00:11.200 --> 00:00:15.800] speaker b: yeah, so i manage the team.",
        "[00:00:15.800 --> 00:00:19.000] we started in the autumn, honestly.",
        "[00:00:19.000 --> 00:00:22.000] speaker a: and how did the schools take to it?")
    assert [t.speaker for t in turns] == ["speaker a", "speaker b"] * 2 + ["speaker a"]
    assert turns[3].text == "yeah, so i manage the team.\n[00:00:15.800 --> 00:00:19.000] we started in the autumn, honestly."
    assert model_text(turns[3].text) == "yeah, so i manage the team. we started in the autumn, honestly."
    assert turns[1].timestamp == "00:00:04.500"


def test_a_diarised_speakers_lines_in_a_row_are_one_turn():
    """A diarised Whisper export labels every line; one speaker's lines in a row are one
    turn (as a caption file's cues are), a labelled transcript's repeated label is not."""
    turns = turns_of("[00:00:03.200 --> 00:00:07.900] SPEAKER_00: Thanks for making the time.",
                     "[00:00:08.800 --> 00:00:19.100] SPEAKER_01: That's alright.",
                     "[00:00:19.100 --> 00:00:25.000] SPEAKER_01: I'm in the car, it's quiet.",
                     "[00:00:25.700 --> 00:00:27.100] SPEAKER_00: Your role?")
    assert [t.speaker for t in turns] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_00"]
    assert turns[1].text == "That's alright.\n[00:00:19.100 --> 00:00:25.000] I'm in the car, it's quiet."
    assert turns[1].timestamp == "00:00:08.800"
    plain = turns_of("Interviewer: Hello.", "Respondent: Hi.", "Respondent: Sorry, go on.", "Interviewer: Right.")
    assert len(plain) == 4


def test_diarised_whisper_labels_before_or_after_the_span_of_time():
    for texts in (("[00:00.000 --> 00:04.500] [SPEAKER_00]: Right, it's recording.",
                   "[00:04.500 --> 00:06.000] [SPEAKER_01]: No problem.",
                   "[00:06.000 --> 00:11.200] [SPEAKER_00]: Your role?"),
                  ("SPEAKER_00 [00:00:00.000 --> 00:00:04.500]: Right, it's recording.",
                   "SPEAKER_01 [00:00:04.500 --> 00:00:06.000]: No problem.",
                   "SPEAKER_00 [00:00:06.000 --> 00:00:11.200]: Your role?")):
        turns = turns_of(*texts)
        assert [t.text for t in turns] == ["Right, it's recording.", "No problem.", "Your role?"]
        assert len({t.speaker for t in turns}) == 2
