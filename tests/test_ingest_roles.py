"""Who is the interviewer (qual.ingest.roles)."""

from __future__ import annotations

import pytest

from qual.ingest.roles import infer_roles, label_matches, role_of_label
from qual.model import Role, Turn


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    return [Turn(index=i, speaker=s, role=Role.OTHER, text=t) for i, (s, t) in enumerate(pairs)]


@pytest.mark.parametrize("label, role", [
    ("Interviewer", Role.INTERVIEWER), ("INT", Role.INTERVIEWER), ("I", Role.INTERVIEWER), ("I2", Role.INTERVIEWER),
    ("Researcher", Role.INTERVIEWER), ("Facilitator", Role.INTERVIEWER), ("Q", Role.INTERVIEWER),
    ("Interveiwer", Role.INTERVIEWER), ("Co-interviewer", Role.INTERVIEWER),
    ("Respondent", Role.PARTICIPANT), ("R", Role.PARTICIPANT), ("Participant 3", Role.PARTICIPANT),
    ("PARTTICIPANT 18", Role.PARTICIPANT), ("A", Role.PARTICIPANT), ("SW", Role.PARTICIPANT),
    ("TM2", Role.PARTICIPANT), ("SW03", Role.PARTICIPANT), ("Interviewee", Role.PARTICIPANT),
    ("Unknown", Role.OTHER), ("Interpreter", Role.OTHER), ("Note taker", Role.OTHER), ("Both", Role.OTHER),
    ("Speaker 1", None), ("Sarah Collins", None), ("K", None),
])
def test_role_of_label(label, role):
    assert role_of_label(label) is role


def test_label_words_decide():
    decision = infer_roles(turns(("Interviewer", "Hello."), ("Sarah", "Hi?"), ("Interviewer", "So."),
                                 ("Sarah", "What?"), ("Unknown", "[inaudible]")))
    assert decision.roles == {"Interviewer": Role.INTERVIEWER, "Sarah": Role.PARTICIPANT, "Unknown": Role.OTHER}
    assert decision.method == "labels"


def test_the_one_speaker_left_beside_respondents_is_the_interviewer():
    decision = infer_roles(turns(("Hannah", "Fine."), ("R", "Yes."), ("Hannah", "Good."), ("R", "Ok.")))
    assert decision.roles["Hannah"] is Role.INTERVIEWER


def test_who_asks_the_questions():
    decision = infer_roles(turns(("SMITH", "I was born in Utah."), ("JONES", "Where did you grow up?"),
                                 ("SMITH", "Wisconsin."), ("JONES", "And school?"), ("SMITH", "Yes."),
                                 ("JONES", "Why there? [laughs]")))
    assert decision.roles == {"SMITH": Role.PARTICIPANT, "JONES": Role.INTERVIEWER}
    assert decision.method == "questions"


def test_first_speaker_when_nobody_asks():
    decision = infer_roles(turns(("Speaker 1", "Hello."), ("Speaker 2", "Hi."), ("Speaker 1", "Right."),
                                 ("Speaker 2", "Yes.")))
    assert decision.roles["Speaker 1"] is Role.INTERVIEWER
    assert decision.method == "first speaker"


def test_option_overrides_label_words_and_matches_names():
    data = turns(("I", "Tell me?"), ("R", "Sure."), ("I", "More?"), ("R", "Ok."))
    assert infer_roles(data, interviewer="R").roles == {"I": Role.PARTICIPANT, "R": Role.INTERVIEWER}
    named = turns(("SOLOMON", "Hello."), ("TAVELA", "Where?"), ("SOLOMON", "Here."), ("TAVELA", "Why?"))
    decision = infer_roles(named, interviewer="Hanna Solomon")
    assert decision.roles == {"SOLOMON": Role.INTERVIEWER, "TAVELA": Role.PARTICIPANT}
    assert decision.method == "option"


def test_several_interviewers_and_legend():
    data = turns(("I1", "a?"), ("K", "b."), ("I2", "c?"), ("M", "d."), ("O", "e?"))
    decision = infer_roles(data, interviewer="I1, I2")
    assert {k for k, v in decision.roles.items() if v is Role.INTERVIEWER} == {"I1", "I2"}
    decision = infer_roles(data, legend={"O": "Interviewer", "K": "Kvinde"})
    assert {k for k, v in decision.roles.items() if v is Role.INTERVIEWER} == {"I1", "I2", "O"}


def test_an_option_that_matches_nothing_falls_back_to_inference():
    decision = infer_roles(turns(("Interviewer", "a?"), ("Respondent", "b.")), interviewer="Zed")
    assert decision.roles["Interviewer"] is Role.INTERVIEWER
    assert decision.method == "labels"


def test_label_matches():
    assert label_matches("SOLOMON", "Hanna Solomon")
    assert label_matches("Hanna Solomon (Researcher)", "Hanna Solomon")
    assert label_matches("int", "INT")
    assert not label_matches("Sarah", "Hanna Solomon")
    assert not label_matches("R", "I")


def test_role_in_brackets_after_a_name():
    assert role_of_label("Hannah Price (Interviewer)") is Role.INTERVIEWER
    assert role_of_label("Gemma (SW)") is Role.PARTICIPANT
    assert role_of_label("Gemma (Stockport)") is None
