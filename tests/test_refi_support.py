"""Builders shared by the REFI-QDA tests (this module holds no tests): a small corpus with
emoji, accented names and Windows line ends, a codebook, codings.csv rows located by quote,
and helpers to open and rewrite .qdpx archives."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from qual.coding import CODINGS_COLUMNS
from qual.coding.codebook import Code, Codebook, Theme, save_codebook
from qual.model import Role, Transcript, Turn

CREATED = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
RAW_NAME = "Interview with Jane Smith 2024-05-01.docx"  # identifying: must never reach an export
SECRET = "header: Jane Smith, Oakfield Primary"


def small_codebook() -> Codebook:
    return Codebook(
        name="Test framework", version="2",
        description="A codebook for tests.",
        themes=[
            Theme(id="IMP", name="Implementation", description="How it was set up.", colour="#1F77B4"),
            Theme(id="REL", name="Relationships", description="Joint working.\n\nWith everyone."),
            Theme(id="EMPTY", name="A theme without codes"),
        ],
        codes=[
            Code(id="IMP.SETUP", name="Set-up and induction", theme="IMP",
                 definition="How it started.\n\nA second paragraph.", include="Induction; first weeks",
                 exclude="Later delivery (ROLE.*)", keywords=["induction", "first week"],
                 examples=["When I started..."], colour="#165683"),
            Code(id="IMP.SPACE", name="Space in school", theme="IMP", definition="Where the SW sits."),
            Code(id="REL.DSL", name="With DSLs", theme="REL", include="Working with the DSL",
                 colour="#D62728"),
            Code(id="REL.STAFF", name="With school staff – café & Zoë's team", theme="REL",
                 definition="Teachers <and> staff \"quoted\" & more."),
        ],
    )


def small_corpus() -> list[Transcript]:
    sw01 = Transcript(
        id="SW01", source=f"/raw/{RAW_NAME}", format="docx",
        attributes={"role": "SW", "local_authority": "[Local authority 2]", "trial_arm": "intervention",
                    "participant_id": "SW01"},
        metadata={"header": SECRET},
        turns=[
            Turn(0, "Interviewer", Role.INTERVIEWER, "How did the placement start? 😀", timestamp="00:00:05"),
            Turn(1, "SW01", Role.PARTICIPANT,
                 "At first Zoë and the head teacher were unsure.\r\nThen the DSL and I met every week — "
                 "it really helped 👍🏽.\r\nMy office was next to Renée's café.", timestamp="00:01:02"),
            Turn(2, "Interviewer", Role.INTERVIEWER, "And the staff?"),
            Turn(3, "SW01", Role.PARTICIPANT, "Staff were brilliant; the DSL 👩🏾‍🏫 was brilliant too."),
        ],
    )
    tm01a = Transcript(
        id="TM01a", source="/raw/tm.docx", attributes={"role": "Team manager", "participant_id": "TM01",
                                                       "local_authority": "Northshire County Council",
                                                       "trial_arm": "intervention"},
        turns=[Turn(0, "I", Role.INTERVIEWER, "Tell me about set-up."),
               Turn(1, "TM01", Role.PARTICIPANT, "Induction took a term. The first week was chaos.")],
    )
    tm01b = Transcript(
        id="TM01b", source="/raw/tm2.docx", attributes={"role": "TM", "participant_id": "TM01"},
        turns=[Turn(0, "TM01", Role.PARTICIPANT, "Second interview: space was a problem.")],
    )
    sw02 = Transcript(id="SW02", source="/raw/sw02.docx", attributes={"role": "SW"},
                      turns=[Turn(0, "SW02", Role.PARTICIPANT, "Nothing coded here.")])
    return [sw01, tm01a, tm01b, sw02]


# (document, quote, code, source, status)
CODING_SPEC = [
    ("SW01", "Zoë and the head teacher were unsure", "IMP.SETUP", "suggester:rules", "accepted"),
    ("SW01", "Zoë and the head teacher were unsure", "REL.STAFF", "human:alice", "accepted"),
    ("SW01", "the DSL and I met every week — it really helped 👍🏽.\r\nMy office", "REL.DSL", "human:alice",
     "accepted"),
    ("SW01", "My office was next to Renée's café", "IMP.SPACE", "human:bob", "accepted"),
    ("SW01", "the DSL 👩🏾‍🏫 was brilliant too", "REL.DSL", "human:bob", "accepted"),
    ("SW01", "Staff were brilliant", "REL.STAFF", "suggester:embedding", "suggested"),
    ("SW01", "How did the placement start? 😀", "IMP.SETUP", "suggester:rules", "rejected"),
    ("TM01a", "Induction took a term.", "IMP.SETUP", "human:alice", "accepted"),
    ("TM01b", "space was a problem", "Space in school", "human:alice", "accepted"),
]


def coding_rows(transcripts: list[Transcript], spec=CODING_SPEC) -> pd.DataFrame:
    """codings.csv rows for ``spec``, offsets located in ``Transcript.text``."""
    by_id = {t.id: t for t in transcripts}
    rows = []
    for number, (document, quote, code, source, status) in enumerate(spec):
        transcript = by_id[document]
        start = transcript.text.index(quote)
        turn = next(t for t in transcript.turns if t.start <= start < t.end)
        rows.append({"document": document, "segment": str(turn.index), "speaker": turn.speaker, "text": quote,
                     "code": code, "score": 0.5 + number / 100, "source": source, "status": status,
                     "turn": turn.index, "timestamp": turn.timestamp or "", "role": str(turn.role),
                     "start": start, "end": start + len(quote)})
    return pd.DataFrame(rows, columns=CODINGS_COLUMNS)


def write_inputs(folder: Path, transcripts=None, codings=None, codebook=None) -> Path:
    """codings.csv, corpus.jsonl and codebook.yaml in ``folder``; returns the codings path."""
    transcripts = transcripts if transcripts is not None else small_corpus()
    codings = codings if codings is not None else coding_rows(transcripts)
    folder.mkdir(parents=True, exist_ok=True)
    codings.to_csv(folder / "codings.csv", index=False)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for transcript in transcripts:
            handle.write(json.dumps(transcript.to_dict(), ensure_ascii=False) + "\n")
    save_codebook(codebook or small_codebook(), folder / "codebook.yaml")
    return folder / "codings.csv"


def members(path_or_bytes) -> dict[str, bytes]:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def qde_root(path_or_bytes):
    from lxml import etree

    return etree.fromstring(members(path_or_bytes)["project.qde"])


NS = {"q": "urn:QDA-XML:project:1.0"}
