"""The secure project: key, register, keep-list and passphrase, opened once and used by
``deidentify``, ``check`` and ``run`` alike."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from qual.check import check
from qual.deid import SecureProject, deidentify
from qual.deid.key import PASSPHRASE_ENV
from qual.deid.review import Decisions
from qual.deid.types import EntityType as T
from qual.errors import KeyFileError, QualError, UnsafeOutputError
from qual.model import Role, Transcript, Turn

PASS = "correct horse battery staple"


def interview() -> Transcript:
    return Transcript(id="SW01", source="SW01.txt", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "How is Zebedee Okafor getting on?"),
        Turn(1, "SW", Role.PARTICIPANT, "Zebedee is settled at Castlebrook Academy now."),
    ])


def test_files_beside_the_key_unless_given(tmp_path: Path):
    project = SecureProject(tmp_path / "secure" / "swis.key")
    assert project.register_path == tmp_path / "secure" / "swis.register.csv"
    assert project.keep_list_path == tmp_path / "secure" / "swis.keep.txt"
    assert set(project.identifiable_files()) == {"the pseudonym key", "the register", "the keep-list"}
    mine = SecureProject(tmp_path / "k.key", register=tmp_path / "r.csv", keep_list=tmp_path / "keep.txt")
    assert (mine.register_path, mine.keep_list_path) == (tmp_path / "r.csv", tmp_path / "keep.txt")
    without = SecureProject()
    assert not without.has_key and without.identifiable_files() == {}
    assert "Zebedee" not in repr(project)


def test_passphrase_from_the_argument_else_the_environment_else_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    assert SecureProject(tmp_path / "k.key", "given").passphrase == "given"
    with pytest.raises(KeyFileError) as error:
        SecureProject(tmp_path / "k.key").passphrase
    assert PASSPHRASE_ENV in str(error.value)
    monkeypatch.setenv(PASSPHRASE_ENV, "from env")
    assert SecureProject(tmp_path / "k.key").passphrase == "from env"


def test_a_project_or_its_files_not_both(tmp_path: Path):
    project = SecureProject(tmp_path / "k.key", PASS)
    assert SecureProject.of(project) is project
    assert SecureProject.of(None, key=tmp_path / "k.key").key_path == tmp_path / "k.key"
    with pytest.raises(QualError):
        SecureProject.of(project, key=tmp_path / "other.key")


def test_the_key_is_opened_once_and_its_session_saves(tmp_path: Path):
    project = SecureProject(tmp_path / "k.key", PASS)
    assert project.key_file is project.key_file  # one KeyFile: the key is derived once
    with project.session() as table:
        table.link(T.PERSON, "Zebedee Okafor")
    assert project.read_key().find(T.PERSON, "Zebedee").pseudonym == "[Person 1]"


def test_without_a_key_pseudonyms_live_in_memory(caplog):
    with caplog.at_level(logging.WARNING, logger="qual.deid.secure"):
        with SecureProject().session() as table:
            table.link(T.PERSON, "Zebedee Okafor")
    assert "no key given" in caplog.text
    with pytest.raises(QualError):
        SecureProject().key_file


def test_identifiable_files_are_refused_inside_the_output(tmp_path: Path):
    out = tmp_path / "out"
    SecureProject(tmp_path / "k.key").ensure_outside(out)
    for project in (SecureProject(out / "k.key"), SecureProject(tmp_path / "k.key", register=out / "r.csv"),
                    SecureProject(tmp_path / "k.key", keep_list=out / "keep.txt")):
        with pytest.raises(UnsafeOutputError):
            project.ensure_outside(out)


def test_decisions_are_remembered_beside_the_key_and_used_by_the_analyzer(tmp_path: Path):
    project = SecureProject(tmp_path / "k.key", PASS)
    decisions = Decisions(always_keep=["Hope"], always_redact=[(T.PERSON, "Thistlewick")])
    project.remember(decisions)
    assert project.register_path.exists() and project.keep_list_path.exists()
    assert [(e.type, e.value) for e in project.register()] == [(T.PERSON, "Thistlewick")]
    assert "Hope" in project.keep_list()
    analyzer = project.analyzer(ner=None)
    text = "Thistlewick rang about Hope."
    assert [text[s.start:s.end] for s in analyzer.analyze(text)] == ["Thistlewick"]


def test_a_register_given_by_name_must_exist_for_check_only(tmp_path: Path):
    missing = SecureProject(register=tmp_path / "none.csv", keep_list=tmp_path / "none.txt")
    assert len(missing.register()) == 0  # deidentify: empty until decisions create it
    with pytest.raises(QualError, match="register not found"):
        missing.analyzer(ner=None, must_exist=True)
    beside = SecureProject(tmp_path / "k.key")  # files beside a key are optional everywhere
    assert beside.analyzer(ner=None, must_exist=True) is not None


def test_deidentify_and_check_share_one_project(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    project = SecureProject(tmp_path / "secure" / "swis.key", PASS)
    result = deidentify([interview()], tmp_path / "deid", project=project)
    assert result.ok and project.key_path.exists()
    clean = check([tmp_path / "deid"], project=project, ner=None)
    assert clean.exit_code == 0, [f.type for f in clean.failing]
    leaked = tmp_path / "leaked.txt"
    leaked.write_text("Met Zebedee Okafor today.\n", encoding="utf-8")
    found = check([leaked], project=project, ner=None)
    assert found.exit_code == 1 and any(f.certain for f in found.findings)
    assert "Zebedee" not in repr(found) and all("Zebedee" not in f.masked for f in found.findings)
