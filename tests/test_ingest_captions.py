"""WebVTT and SRT captions: voices, merging, overlaps, malformed cues (qual.ingest.captions)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qual.errors import InputFileError
from qual.ingest import read_transcript
from qual.model import Role

TEAMS_VTT = """WEBVTT

ec4ac57d/13-0
00:00:03.317 --> 00:00:04.797
<v Priya Raman>OK, so it's recording now.</v>

ec4ac57d/32-0
00:00:06.807 --> 00:00:10.249
<v Priya Raman>Could you tell me how the week
goes, roughly?</v>

ec4ac57d/33-0
00:00:12.100 --> 00:00:15.000
<v Kirsty Llewellyn>Mondays I'm at Shoebury &amp; Tuesdays</v>

ec4ac57d/35-0
00:00:14.500 --> 00:00:14.900
<v Priya Raman>Mm.</v>

ec4ac57d/34-0
00:00:15.000 --> 00:00:18.000
<v Kirsty Llewellyn>at Prittlewell Vale.</v>

ec4ac57d/36-0
00:00:13.000 --> 00:00:13.500
<v Kirsty Llewellyn>um</v>
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_voices_overlaps_and_merging(tmp_path):
    transcript = read_transcript(write(tmp_path, "SW05.vtt", TEAMS_VTT))
    assert transcript.format == "vtt"
    assert [(t.speaker, t.timestamp, t.text) for t in transcript.turns] == [
        ("Priya Raman", "00:00:03", "OK, so it's recording now. Could you tell me how the week goes, roughly?"),
        ("Kirsty Llewellyn", "00:00:12", "Mondays I'm at Shoebury & Tuesdays um"),
        ("Priya Raman", "00:00:14", "Mm."),
        ("Kirsty Llewellyn", "00:00:15", "at Prittlewell Vale."),
    ]
    assert transcript.turns[0].role is Role.INTERVIEWER
    assert transcript.metadata["cues"] == 6


def test_srt_with_name_prefixes_only_when_the_speaker_changes(tmp_path):
    srt = """1
00:00:01,000 --> 00:00:03,000
INTERVIEWER: Where are you based?

2
00:00:03,500 --> 00:00:05,000
SW: Mostly at the academy.

3
00:00:05,000 --> 00:00:07,000
Three days a week.

4
00:00:07,500 --> 00:00:09,000
<i>INTERVIEWER:</i> And the rest?
"""
    transcript = read_transcript(write(tmp_path, "t.srt", srt))
    assert transcript.format == "srt"
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("INTERVIEWER", "Where are you based?"), ("SW", "Mostly at the academy. Three days a week."),
        ("INTERVIEWER", "And the rest?")]
    assert transcript.turns[1].timestamp == "00:00:03"


def test_a_speaker_named_once_and_speakers_in_brackets(tmp_path):
    # Zoom names each cue's speaker; one who speaks once is a speaker, not the next one's words
    vtt = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Priya Raman: Okay, we're recording now.

2
00:00:05.000 --> 00:00:09.000
Declan Rourke: Great, so I'm the SWIS worker.

3
00:00:10.000 --> 00:00:15.000
Declan Rourke: I mostly work with the DSL.
"""
    transcript = read_transcript(write(tmp_path, "zoom.vtt", vtt))
    assert [t.speaker for t in transcript.turns] == ["Priya Raman", "Declan Rourke"]
    assert transcript.turns[0].text == "Okay, we're recording now."
    # a listed first name who speaks once is a speaker too; a word with a colon is speech
    vtt += """
4
00:00:16.000 --> 00:00:18.000
Tom: Sorry, the room is booked at two.

5
00:00:19.000 --> 00:00:21.000
Declan Rourke: No problem.

6
00:00:22.000 --> 00:00:24.000
Note: we stop at two.
"""
    transcript = read_transcript(write(tmp_path, "zoom2.vtt", vtt))
    assert [t.speaker for t in transcript.turns] == ["Priya Raman", "Declan Rourke", "Tom", "Declan Rourke"]
    assert transcript.turns[-1].text == "No problem. Note: we stop at two."
    # captions that bracket the speaker; an annotation in brackets is no speaker
    srt = """1
00:00:01,000 --> 00:00:04,000
[Interviewer] So, tell me about the lad.

2
00:00:05,000 --> 00:00:09,000
[Kwabena Mensah] He's in Year 9.

3
00:00:10,000 --> 00:00:12,000
[laughs] Yes, he is.
"""
    transcript = read_transcript(write(tmp_path, "subs.srt", srt))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Interviewer", "So, tell me about the lad."),
        ("Kwabena Mensah", "He's in Year 9. [laughs] Yes, he is.")]


def test_malformed_cues_are_folded_not_lost(tmp_path):
    vtt = """WEBVTT

1
00:00:01.000 --> 00:00:02.000
<v Ann>First part,

of a cue split by a blank line.</v>

2
00:00:xx --> broken timing
<v Bob>Broken timing line.</v>

3
00:00:05.000 --> 00:00:06.000
<v Bob>Last.</v>
"""
    transcript = read_transcript(write(tmp_path, "t.vtt", vtt))
    words = transcript.text
    for piece in ("First part,", "of a cue split by a blank line.", "Broken timing line.", "Last."):
        assert piece in words
    assert transcript.metadata["malformed_cues"] == 2


def test_several_voices_in_one_cue(tmp_path):
    vtt = ("WEBVTT\n\n00:01.000 --> 00:04.000\n<v Ann>Hi.</v> <v Bob>Hello.</v>\n\n"
           "00:05.000 --> 00:06.000\n<v Ann>Bye.\n")
    transcript = read_transcript(write(tmp_path, "t.vtt", vtt))
    assert [(t.speaker, t.text) for t in transcript.turns] == [("Ann", "Hi."), ("Bob", "Hello."), ("Ann", "Bye.")]


def test_captions_without_speakers_fail_with_advice(tmp_path):
    vtt = ("WEBVTT\n\n00:00:31.673 --> 00:00:37.673\nWorkers link.\n\n"
           "00:00:59.009 --> 00:01:02.009\nHey, nice to meet you.\n")
    with pytest.raises(InputFileError, match="has captions but no speaker names; export the transcript with speaker"):
        read_transcript(write(tmp_path, "zoom.vtt", vtt))


def test_a_vtt_saved_as_txt_is_read_as_captions(tmp_path):
    transcript = read_transcript(write(tmp_path, "teams.txt", TEAMS_VTT))
    assert transcript.format == "vtt"
    assert len(transcript.turns) == 4


def test_empty_caption_file(tmp_path):
    with pytest.raises(InputFileError, match="has no caption cues"):
        read_transcript(write(tmp_path, "t.vtt", "WEBVTT\n\nNOTE nothing here\n"))


def test_cues_without_blank_lines_between_them(tmp_path):
    vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n<v Ann>one\n2\n00:00:03.000 --> 00:00:04.000\n<v Bob>two\n"
    transcript = read_transcript(write(tmp_path, "t.vtt", vtt))
    assert [(t.speaker, t.text) for t in transcript.turns] == [("Ann", "one"), ("Bob", "two")]


_CAPTION_PIECES = st.sampled_from([
    "WEBVTT", "", "1", "00:00:01.000 --> 00:00:02.000", "00:00:0x --> broken", "<v Ann>", "</v>",
    "<v Bob>Hello there.</v>", "Ann: hi", "NOTE a note", "&amp;", "text without voice", "-->",
    "00:01:00,000 --> 00:01:05,000", "<i>italic</i>", "Sarah Collins", "I: question?",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_CAPTION_PIECES, st.text(max_size=30)), max_size=30),
       st.sampled_from([".vtt", ".srt", ".txt"]))
def test_any_text_either_reads_or_fails_cleanly(pieces, suffix):
    """Whatever the bytes, the result is a transcript or one InputFileError, never a crash."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t{suffix}"
        path.write_text("\n".join(pieces), encoding="utf-8", errors="surrogatepass")
        try:
            transcript = read_transcript(path)
        except InputFileError as error:
            assert "\n" not in str(error) and str(error).startswith(str(path))
        else:
            assert transcript.turns
            for turn in transcript.turns:
                assert transcript.text[turn.start:turn.end] == turn.text
