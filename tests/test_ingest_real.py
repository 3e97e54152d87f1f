"""Real exports from ../shared/data/transcripts (skipped when that folder is absent).

Counts are checked against independent oracles (a plain regular expression over the raw
text), not against numbers copied from a run of the parser.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import docx
import pytest

from conftest import shared_path, tree_hashes
from qual.errors import InputFileError
from qual.ingest import ingest, read_transcript
from qual.model import Role

pytestmark = pytest.mark.shared


def roles(transcript) -> dict[str, Role]:
    return {turn.speaker: turn.role for turn in transcript.turns}


# ----------------------------------------------------------------------------- Dartmouth


def test_dartmouth_surname_tab_interview():
    path = shared_path("transcripts", "dartmouth_oral_history_docx", "transcript1.docx")
    paragraphs = [p.text for p in docx.Document(path).paragraphs]
    labelled = [t for t in paragraphs if re.match(r"^\s*[A-Z][A-Z’' .]+:\s", t)]
    transcript = read_transcript(path)
    assert len(transcript.turns) == len(labelled)
    assert roles(transcript) == {"SOLOMON": Role.INTERVIEWER, "TAVELA": Role.PARTICIPANT}
    # continuation paragraphs (starting with a tab, no label) stay in their turn
    continuation = next(t.strip() for t in paragraphs if t.startswith("\tWhen you’re young"))
    assert any(continuation in turn.text.split("\n") for turn in transcript.turns)
    assert "[laughs]" in transcript.text
    assert transcript.metadata["headers"] and transcript.metadata["headers"][0] not in transcript.text
    assert transcript.metadata["preamble"][0] == paragraphs[0].strip()


def test_dartmouth_label_split_over_two_paragraphs_is_one_speaker():
    path = shared_path("transcripts", "dartmouth_oral_history_docx", "badname.docx")
    transcript = read_transcript(path)
    assert transcript.speakers == ["DANYOW", "JONES"]
    assert [t.speaker for t in transcript.turns] == ["DANYOW", "JONES", "DANYOW"]
    assert transcript.turns[0].text.startswith("Today is Wednesday")
    assert "Mr. Jones, thank you very much" in transcript.turns[0].text
    assert "PAUL" not in transcript.text
    assert transcript.metadata["speaker_aliases"] == {"PAUL F. DANYOW ’16": "DANYOW"}
    assert roles(transcript)["DANYOW"] is Role.INTERVIEWER


def test_dartmouth_short():
    transcript = read_transcript(shared_path("transcripts", "dartmouth_oral_history_docx", "short.docx"))
    assert transcript.speakers == ["SOLOMON", "TAVELA"]


# ----------------------------------------------------------------------------- scrum


_SCRUM_TIME = r"^\s*\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s+"
_SCRUM_NAME = r"([A-Za-z]+(?: [A-Za-z]+)*(?: \d+)?)"
_SCRUM_LABEL = re.compile(rf"{_SCRUM_TIME}{_SCRUM_NAME}\s*(?::|[.]?\s*$)")


def _scrum_files():
    folder = shared_path("transcripts", "scrum_interviews_txt")
    return sorted(folder.glob("*_-_Interview_A.txt"))


def test_scrum_timestamped_transcripts():
    files = _scrum_files()
    assert len(files) == 41
    for path in files:
        labels = [m[1].strip() for line in path.read_text(encoding="utf-8-sig").splitlines()
                  if (m := _SCRUM_LABEL.match(line))]
        transcript = read_transcript(path)
        assert len(transcript.turns) == len(labels), path.name
        assert {s.casefold() for s in transcript.speakers} == {s.casefold() for s in labels}, path.name
        assert all(t.timestamp for t in transcript.turns), path.name
        assert [s for s, r in roles(transcript).items() if r is Role.INTERVIEWER] == ["RESEARCHER"], path.name
        numbered = [s for s in transcript.speakers if re.fullmatch(r"PART+ICIPANT \d+", s, re.IGNORECASE)]
        if path.name.startswith("Focus_Group"):
            assert len(numbered) > 4, path.name
        else:
            # one participant; a few files also use a first name the authors' redaction missed
            # ('AMANADA', 'AGUSUT'): a real speaker label, kept as written
            assert len(numbered) == 1, path.name


def test_scrum_label_with_unclosed_bracket_still_opens_a_turn():
    path = shared_path("transcripts", "scrum_interviews_txt", "Participant_11_-_Interview_A.txt")
    transcript = read_transcript(path)
    assert any(t.timestamp == "09:26" and t.speaker == "PARTICIPANT 11" for t in transcript.turns)


# ----------------------------------------------------------------------------- Teams / Zoom


def test_teams_vtt_660_cues_8_speakers():
    path = shared_path("transcripts", "teams_zoom_vtt_genieversum", "TEAMS-SurveyResponse-Genie.vtt")
    raw = path.read_text(encoding="utf-8").splitlines()
    voices = Counter(m for line in raw for m in re.findall(r"<v ([^>]+)>", line))
    payload_words = sum(len(html.unescape(re.sub(r"<[^>]+>", "", line)).split()) for line in raw
                        if line.strip() and "-->" not in line and not line.startswith("WEBVTT")
                        and not re.fullmatch(r"[0-9a-f\-]{36}/\d+-\d+", line.strip()))
    transcript = read_transcript(path)
    assert transcript.metadata["cues"] == 660
    assert sorted(transcript.speakers) == sorted(voices) and len(voices) == 8
    assert transcript.words == payload_words  # every cue's words, once
    assert "&amp;" not in transcript.text
    stamps = [t.timestamp for t in transcript.turns]
    assert stamps == sorted(stamps)
    assert all(a.speaker != b.speaker for a, b in zip(transcript.turns, transcript.turns[1:]))
    assert sum(r is Role.INTERVIEWER for r in roles(transcript).values()) == 1


def test_zoom_captions_without_speakers_are_refused_with_advice():
    folder = shared_path("transcripts", "teams_zoom_vtt_genieversum")
    with pytest.raises(InputFileError, match="has captions but no speaker names"):
        read_transcript(folder / "ZOOM-video1009782420.vtt")
    with pytest.raises(InputFileError, match="no detectable speaker turns"):
        read_transcript(folder / "ZOOM-closed_caption.txt")


# ----------------------------------------------------------------------------- Danish


def test_thirty_danish_interviews_parse_and_the_guides_are_refused():
    folder = shared_path("transcripts", "ecape_danish_docx")
    before = tree_hashes(folder)
    result = ingest(sorted(folder.glob("*.docx")))
    interviews = [t for t in result.transcripts if t.id.lower().startswith("interview")]
    assert len(interviews) == 30
    for transcript in interviews:
        by_role = Counter(roles(transcript).values())
        assert by_role[Role.INTERVIEWER] >= 1 and by_role[Role.PARTICIPANT] >= 1, transcript.id
        assert 2 <= len(transcript.speakers) <= 6, transcript.id
        assert len(transcript.turns) >= 100, transcript.id
        assert all(len(s) <= 3 for s in transcript.speakers), (transcript.id, transcript.speakers)
    failed = sorted(f.path.rsplit("/", 1)[-1] for f in result.failures)
    assert failed == ["ENG_Translated_interview_guide.docx", "Interviewguide_DK.docx"]
    assert all("no detectable speaker turns" in str(f) for f in result.failures)
    assert tree_hashes(folder) == before


def test_danish_legend_and_inline_time_markers():
    transcript = read_transcript(shared_path("transcripts", "ecape_danish_docx", "Interview 01.docx"))
    assert transcript.metadata["legend"]["I1"] == "Interviewer 1"
    assert roles(transcript) == {"I1": Role.INTERVIEWER, "I2": Role.INTERVIEWER, "K": Role.PARTICIPANT,
                                 "M": Role.PARTICIPANT}
    assert transcript.turns[0].timestamp == "0:0"
    # a one-line key ('Interviewer (I) Interviewer (O) Informant (X)') makes O an interviewer
    six = read_transcript(shared_path("transcripts", "ecape_danish_docx", "Interview 06.docx"))
    assert roles(six)["O"] is Role.INTERVIEWER and roles(six)["X"] is Role.PARTICIPANT
