"""Segments: turns as coding units, long turns split at paragraphs, offsets into Transcript.text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qual.coding.segments import SEGMENT_COLUMNS, SegmentRules, model_text, segment_transcripts
from qual.model import Role, Transcript, Turn


def interview(*turns: tuple[Role, str], timestamps: bool = False) -> Transcript:
    made = []
    for i, (role, text) in enumerate(turns):
        speaker = "Interviewer" if role is Role.INTERVIEWER else "P01" if role is Role.PARTICIPANT else "Someone"
        made.append(Turn(index=i, speaker=speaker, role=role, text=text,
                         timestamp=f"00:0{i}:00" if timestamps else None))
    return Transcript(id="T1", source="t1.txt", turns=made)


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def assert_offsets(transcript: Transcript, segments) -> None:
    text = transcript.text
    for row in segments.itertuples():
        assert text[row.start:row.end] == row.text


def test_a_turn_is_one_segment_with_its_turn_index_as_id():
    transcript = interview((Role.INTERVIEWER, "How did it start?"), (Role.PARTICIPANT, "Slowly, to be honest."))
    segments = segment_transcripts([transcript])
    assert list(segments.columns) == SEGMENT_COLUMNS
    assert segments["segment"].tolist() == ["0", "1"]
    assert segments["paragraph"].isna().all()
    assert_offsets(transcript, segments)


def test_a_long_turn_is_split_at_paragraphs_and_offsets_still_match():
    long_turn = "\n".join([words(60, "alpha"), words(60, "beta"), words(60, "gamma")])
    transcript = interview((Role.INTERVIEWER, "Tell me more."), (Role.PARTICIPANT, long_turn), timestamps=True)
    segments = segment_transcripts([transcript])
    answer = segments[segments["turn"] == 1]
    assert answer["segment"].tolist() == ["1.0", "1.1", "1.2"]
    assert answer["paragraph"].tolist() == [0, 1, 2]
    assert [t.split()[0] for t in answer["text"]] == ["alpha", "beta", "gamma"]
    assert_offsets(transcript, segments)


def test_a_long_turn_without_paragraphs_stays_whole():
    transcript = interview((Role.PARTICIPANT, words(400)))
    segments = segment_transcripts([transcript])
    assert segments["segment"].tolist() == ["0"]


def test_short_paragraphs_join_their_neighbour():
    text = "\n".join(["Yes.", words(80, "alpha"), "Exactly that.", words(80, "beta")])
    transcript = interview((Role.PARTICIPANT, text))
    segments = segment_transcripts([transcript])
    assert segments["segment"].tolist() == ["0.0", "0.3"]
    first, second = segments["text"].tolist()
    assert first.startswith("Yes.") and first.endswith("Exactly that.")
    assert second.startswith("beta")
    assert_offsets(transcript, segments)


def test_interviewer_turns_are_context_not_coded_unless_asked():
    transcript = interview(
        (Role.INTERVIEWER, "Where do you sit in school?"),
        (Role.PARTICIPANT, "In the pastoral office."),
        (Role.OTHER, "Sorry, can I just grab that folder?"),
        (Role.PARTICIPANT, "And the lanyard helps."),
    )
    segments = segment_transcripts([transcript])
    assert segments["codable"].tolist() == [False, True, True, True]
    assert segments["question"].tolist() == [""] + ["Where do you sit in school?"] * 3
    coded_too = segment_transcripts([transcript], code_interviewer=True)
    assert coded_too["codable"].all()


def test_the_question_is_the_end_of_a_long_interviewer_turn_without_notes():
    question = words(100, "preamble") + " [laughs] So where do you sit?"
    transcript = interview((Role.INTERVIEWER, question), (Role.PARTICIPANT, "The office."))
    segments = segment_transcripts([transcript], rules=SegmentRules(question_words=6))
    assert segments["question"].iloc[1] == "preamble So where do you sit?"


def test_model_text_drops_transcriber_notes():
    assert model_text("Well [laughs] it was [inaudible 00:12:03] fine.") == "Well it was fine."


def test_blank_turns_give_no_segment():
    transcript = interview((Role.INTERVIEWER, "Anything else?"), (Role.PARTICIPANT, "   "))
    assert segment_transcripts([transcript])["segment"].tolist() == ["0"]


paragraph = st.text(alphabet=st.sampled_from("abc de\u00e9 .,'"), min_size=0, max_size=120)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(Role)), st.lists(paragraph, min_size=1, max_size=5)),
                min_size=1, max_size=6),
       st.integers(min_value=1, max_value=40), st.booleans())
def test_offsets_always_locate_the_segment_text(turns, max_words, timestamps):
    transcript = interview(*[(role, "\n".join(paragraphs)) for role, paragraphs in turns], timestamps=timestamps)
    segments = segment_transcripts([transcript], max_words=max_words, min_words=3)
    assert_offsets(transcript, segments)
    assert segments["segment"].is_unique
    for row in segments.itertuples():
        assert row.text.strip() == row.text and row.text
