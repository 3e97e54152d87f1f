"""A small, fictional, de-identified project folder for the workspace's tests (no model run).

Two interviews laid out as ``qual run`` writes them (``coding/`` with codings.csv,
codebook.yaml and corpus.jsonl; ``transcripts/`` with the de-identified corpus and
deid_log.csv), with qual's suggestions on whole participant turns, one decision taken in the
review sheet (no coder named) and one by a named coder.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import CODEBOOK

from qual.corpus import write_corpus
from qual.model import Role, Transcript, Turn

TALK = {
    "SW01": [
        ("Interviewer", Role.INTERVIEWER, "Can you tell me how you started in the role?", None),
        ("Respondent", Role.PARTICIPANT, "I started in September after an induction day with the other social "
                                         "workers.\nThe first weeks were mostly meeting the safeguarding leads.", None),
        ("Interviewer", Role.INTERVIEWER, "And where are you based in school?", None),
        ("Respondent", Role.PARTICIPANT, "I have a little office next to the pastoral team, so staff drop in "
                                         "all the time with worries about a child.", None),
    ],
    "TM01": [
        ("Interviewer", Role.INTERVIEWER, "How do referrals reach the team now?", "00:01:05"),
        ("Respondent", Role.PARTICIPANT, "Referrals come through the school first, and the threshold "
                                         "conversations happen earlier than they used to.", "00:01:12"),
        ("Interviewer", Role.INTERVIEWER, "Would you want it to continue?", "00:04:40"),
        ("Respondent", Role.PARTICIPANT, "Yes, if the funding is there I would keep it going next year.", "00:04:47"),
    ],
}
ATTRIBUTES = {
    "SW01": {"participant_id": "SW01", "role": "SW", "local_authority": "[Local authority 1]", "name": "[Person 1]"},
    "TM01": {"participant_id": "TM01", "role": "TM", "local_authority": "[Local authority 2]", "name": "[Person 2]"},
}
# (document, turn, code, score, source, status, coder)
CODINGS = [
    ("SW01", 1, "IMP.SETUP", 0.84, "rules+semantic", "suggested", ""),
    ("SW01", 1, "ROLE.CLARITY", 0.41, "semantic", "suggested", ""),
    ("SW01", 3, "IMP.SPACE", 0.77, "rules", "accepted", ""),       # decided in codings.xlsx
    ("TM01", 1, "REF.PROCESS", 0.66, "rules+semantic", "suggested", ""),
    ("TM01", 1, "REF.THRESHOLDS", 0.52, "semantic", "rejected", "bob"),
    ("TM01", 3, "SUS.FUTURE", 0.71, "semantic", "suggested", ""),
]


def transcripts() -> list[Transcript]:
    return [Transcript(id=doc, source=f"{doc}.txt", attributes=ATTRIBUTES[doc], format="txt",
                       turns=[Turn(index=i, speaker=s, role=r, text=t, timestamp=ts)
                              for i, (s, r, t, ts) in enumerate(turns)])
            for doc, turns in TALK.items()]


def make_project(root: Path) -> Path:
    """Write the project folder at ``root`` and return it."""
    coding, deid = root / "coding", root / "transcripts"
    coding.mkdir(parents=True)
    deid.mkdir()
    corpus = transcripts()
    write_corpus(corpus, coding / "corpus.jsonl")
    write_corpus(corpus, deid / "corpus.jsonl")
    (deid / "deid_log.csv").write_text("document,turn,type,pseudonym,detector,confidence\n", encoding="utf-8")
    shutil.copy(CODEBOOK, coding / "codebook.yaml")
    by_id = {t.id: t for t in corpus}
    with open(coding / "codings.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        # the columns a codings.csv had before rank/selected: a file of an earlier qual reads too
        writer.writerow(["document", "segment", "speaker", "text", "code", "score", "source", "status", "turn",
                         "timestamp", "role", "start", "end", "coder"])
        for doc, turn_index, code, score, source, status, coder in CODINGS:
            turn = by_id[doc].turns[turn_index]
            writer.writerow([doc, str(turn_index), turn.speaker, turn.text, code, score, source, status, turn_index,
                             turn.timestamp or "", str(turn.role), turn.start, turn.end, coder])
    return root
