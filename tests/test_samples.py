"""The fictional sample corpus and its gold: self-consistent, reproducible, and ingested as the gold says.

The gold in tests/gold/<id>.json is what de-identification recall and coding accuracy are
measured against, so these tests guard it: every span extracts its text, every name is
annotated wherever it occurs, every code exists, and scripts/make_samples.py regenerates
exactly the files in the repository. Assertion messages give ids, offsets and counts, never
identifier text.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest

from conftest import CODEBOOK, GOLD, PROJECT, SAMPLES, SHARED
from qual.deid.types import EntityType

IDS = ["SW01", "SW02", "TM01", "SW03", "SW04", "TM02", "SW05", "TM03"]
ROLES = {"interviewer", "participant", "other"}
METADATA_PLACES = {"header", "footer", "comment", "properties", "preamble"}
NAMED = {"PERSON", "SCHOOL", "LOCAL_AUTHORITY", "PLACE", "ORGANISATION", "ADDRESS"}
GENERIC_LABELS = {"Interviewer", "Respondent", "Participant", "I", "R", "SW", "TM",
                  "Speaker 1", "Speaker 2"}
ATTRIBUTE_KEYS = ["participant_id", "name", "role", "local_authority", "school", "trial_arm",
                  "interview_date", "interviewer"]


def _load_script():
    spec = importlib.util.spec_from_file_location("make_samples", PROJECT / "scripts" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_samples", module)
    spec.loader.exec_module(module)
    return module


make_samples = _load_script()
CODE_IDS = make_samples.CODE_IDS


@pytest.fixture(scope="module")
def golds() -> dict[str, dict]:
    return {i: json.loads((GOLD / f"{i}.json").read_text(encoding="utf-8")) for i in IDS}


def _turns(golds):
    for gold in golds.values():
        for turn in gold["turns"]:
            yield gold, turn


# --------------------------------------------------------------------------- (a) the gold itself


def test_gold_files_and_samples_exist():
    assert sorted(p.stem for p in GOLD.glob("*.json")) == sorted(IDS)
    for i in IDS:
        gold = json.loads((GOLD / f"{i}.json").read_text(encoding="utf-8"))
        assert gold["id"] == i
        assert (SAMPLES / gold["file"]).is_file(), f"{i}: sample file missing"
    assert (SAMPLES / "participants.xlsx").is_file()


def test_gold_has_the_documented_shape(golds):
    for i, gold in golds.items():
        assert set(gold) == {"id", "file", "format", "style", "attributes", "turns",
                             "speaker_identifiers", "metadata_identifiers"}, i
        assert list(gold["attributes"]) == ATTRIBUTE_KEYS, i
        for n, turn in enumerate(gold["turns"]):
            assert set(turn) == {"index", "speaker", "role", "timestamp", "text", "codes",
                                 "identifiers", "keep_terms"}, (i, n)
            assert turn["index"] == n
            assert turn["role"] in ROLES
            assert turn["speaker"] and turn["text"] == turn["text"].strip()
            assert "\n\n" not in turn["text"] and "\t" not in turn["text"]


def test_styles_and_roles_cover_the_brief(golds):
    formats = Counter(g["format"] for g in golds.values())
    assert formats == {"docx": 6, "vtt": 1, "txt": 1}
    assert len({g["style"] for g in golds.values()}) == 8
    roles = Counter(g["attributes"]["role"] for g in golds.values())
    assert roles == {"SW": 5, "TM": 3}
    for i, gold in golds.items():
        turn_roles = Counter(t["role"] for t in gold["turns"])
        assert turn_roles["interviewer"] >= 10 and turn_roles["participant"] >= 10, i


def test_every_span_extracts_its_text(golds):
    types = {t.value for t in EntityType}
    for gold, turn in _turns(golds):
        where = (gold["id"], turn["index"])
        text = turn["text"]
        spans = []
        for mention in turn["identifiers"]:
            assert mention["type"] in types, where
            assert mention["entity"], where
            assert 0 <= mention["start"] < mention["end"] <= len(text), where
            assert text[mention["start"]:mention["end"]] == mention["text"], where
            assert mention["text"] == mention["text"].strip(), where
            spans.append((mention["start"], mention["end"]))
        for keep in turn["keep_terms"]:
            assert 0 <= keep["start"] < keep["end"] <= len(text), where
            assert text[keep["start"]:keep["end"]] == keep["text"], where
        keeps = [(k["start"], k["end"]) for k in turn["keep_terms"]]
        for group in (spans, keeps):
            ordered = sorted(group)
            for a, b in zip(ordered, ordered[1:]):
                assert a[1] <= b[0], f"{where}: overlapping spans at {a} and {b}"
        for k in keeps:
            assert not any(k[0] < s[1] and s[0] < k[1] for s in spans), \
                f"{where}: keep-term overlaps an identifier at {k}"


def test_spans_exclude_titles_and_possessives(golds):
    for gold, turn in _turns(golds):
        for mention in turn["identifiers"]:
            where = (gold["id"], turn["index"], mention["start"])
            assert not re.match(r"(Mr|Mrs|Miss|Ms|Dr|PC)\.? ", mention["text"]), where
            if mention["type"] == "PERSON":
                assert not re.search(r"['\u2019]s$", mention["text"]), where


def test_an_entity_has_one_type_everywhere(golds):
    seen: dict[str, set[str]] = defaultdict(set)
    for gold, turn in _turns(golds):
        for mention in turn["identifiers"]:
            seen[mention["entity"]].add(mention["type"])
    for gold in golds.values():
        for mention in gold["speaker_identifiers"] + gold["metadata_identifiers"]:
            seen[mention["entity"]].add(mention["type"])
    mixed = sorted(e for e, kinds in seen.items() if len(kinds) > 1)
    assert not mixed, f"entities with several types: {mixed}"


def test_entities_recur_across_documents(golds):
    documents: dict[str, set[str]] = defaultdict(set)
    for gold, turn in _turns(golds):
        for mention in turn["identifiers"]:
            documents[mention["entity"]].add(gold["id"])
    shared = [e for e, docs in documents.items() if len(docs) >= 2]
    assert len(shared) >= 15, f"only {len(shared)} entities occur in two or more documents"
    # the two MASH managers are each named by two social workers and their team manager
    assert documents["mash_steve_kowalczyk"] >= {"SW01", "SW02", "TM01"}
    assert documents["mash_bernadette_quinn"] >= {"SW03", "SW04", "TM02"}


def test_every_occurrence_of_a_known_name_is_annotated(golds):
    """A name annotated anywhere must be annotated wherever it occurs (case-sensitive)."""
    surfaces = {m["text"] for _, t in _turns(golds) for m in t["identifiers"] if m["type"] in NAMED}
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(
        re.escape(s) for s in sorted(surfaces, key=len, reverse=True)) + r")(?![\w-])")
    missed = []
    for gold, turn in _turns(golds):
        covered = [(m["start"], m["end"]) for m in turn["identifiers"]]
        for match in pattern.finditer(turn["text"]):
            if not any(s <= match.start() and match.end() <= e for s, e in covered):
                missed.append((gold["id"], turn["index"], match.start()))
    assert not missed, f"unannotated occurrences of annotated names at {missed}"


def test_identifier_variety_the_brief_asks_for(golds):
    kinds = Counter(m["type"] for _, t in _turns(golds) for m in t["identifiers"])
    for kind in EntityType:
        assert kinds[kind.value] >= 1, f"no {kind.value} mention in the turns"
    variants = defaultdict(set)
    for _, turn in _turns(golds):
        for mention in turn["identifiers"]:
            variants[mention["entity"]].add(mention["text"])
    # nickname, lower-case transcription and misspelling of one child
    assert len(variants["child_jayden"]) >= 4
    # a name with a diacritic spelled with and without it
    assert any(not t.isascii() for t in variants["child_zoe"])
    assert any(t.isascii() for t in variants["child_zoe"])


def test_metadata_and_speaker_identifiers(golds):
    for i, gold in golds.items():
        for mention in gold["metadata_identifiers"]:
            assert mention["where"] in METADATA_PLACES, i
            assert mention["type"] in {t.value for t in EntityType}, i
        labelled = {s["speaker"] for s in gold["speaker_identifiers"]}
        for turn in gold["turns"]:
            if turn["speaker"] not in GENERIC_LABELS:
                assert turn["speaker"] in labelled, f"{i}: a named speaker label has no identifier"
    places = {m["where"] for m in golds["SW01"]["metadata_identifiers"]}
    assert places == {"header", "footer", "comment", "properties"}
    assert any(m["where"] == "preamble" for m in golds["TM02"]["metadata_identifiers"])
    assert any(m["where"] == "preamble" for m in golds["TM03"]["metadata_identifiers"])


def test_numbers_are_safe_fictions(golds):
    checked = Counter()
    for gold, turn in _turns(golds):
        for mention in turn["identifiers"]:
            where = (gold["id"], turn["index"], mention["start"])
            problem = make_samples.check_value(make_samples.Mention(
                mention["start"], mention["end"], mention["type"], mention["entity"], mention["text"]))
            assert problem is None, f"{where}: {problem}"
            checked[mention["type"]] += 1
    assert checked["PHONE"] >= 5
    assert make_samples.is_drama_number("oh seven seven double oh, nine double oh, three one two")
    assert not make_samples.is_drama_number("07700 123456")
    assert make_samples.nhs_number_valid("943 476 5919")
    assert not make_samples.nhs_number_valid("943 476 5918")


def test_codes_exist_and_follow_the_rules(golds):
    counts = Counter()
    for gold, turn in _turns(golds):
        where = (gold["id"], turn["index"])
        assert len(turn["codes"]) == len(set(turn["codes"])), where
        assert set(turn["codes"]) <= set(CODE_IDS), where
        assert len(turn["codes"]) <= 3, where
        if turn["role"] != "participant":
            assert turn["codes"] == [], f"{where}: an interviewer turn carries codes"
        if len(turn["text"].split()) < 5:
            assert turn["codes"] == [], f"{where}: a short reply carries codes"
        counts.update(turn["codes"])
    rare = {code: counts[code] for code in CODE_IDS if counts[code] < 4}
    assert not rare, f"codes used fewer than 4 times: {rare}"
    coded = [t for _, t in _turns(golds) if t["role"] == "participant" and t["codes"]]
    assert len(coded) >= 120


def test_code_ids_match_the_codebook_spec():
    spec = SHARED / "specs" / "swis_ipe_codebook.md"
    if not spec.exists():
        pytest.skip("../shared/specs is not available on this machine")
    ids = re.findall(r"^\| ([A-Z]+\.[A-Z]+) \|", spec.read_text(encoding="utf-8"), re.MULTILINE)
    assert ids == CODE_IDS


def test_code_ids_exist_in_the_project_codebook():
    if not CODEBOOK.exists():
        pytest.skip("codebooks/swis_ipe.yaml has not been written yet")
    from qual.coding.codebook import load_codebook

    assert set(CODE_IDS) <= set(load_codebook(CODEBOOK).code_ids)


def test_interviews_are_within_the_length_range(golds):
    for i, gold in golds.items():
        words = sum(len(t["text"].split()) for t in gold["turns"])
        assert 1500 <= words <= 3000, f"{i}: {words} words"


def test_participants_sheet_matches_the_gold(golds):
    from openpyxl import load_workbook

    sheet = load_workbook(SAMPLES / "participants.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == ["participant_id", "file", "name", "role", "local_authority", "school",
                      "trial_arm", "interview_date", "interviewer"]
    by_id = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert sorted(by_id) == sorted(IDS)
    for i, gold in golds.items():
        row = by_id[i]
        assert row["file"] == gold["file"]
        assert isinstance(row["interview_date"], dt.datetime), "interview dates are Excel dates"
        for key in ATTRIBUTE_KEYS:
            assert _plain(row[key]) == _plain(gold["attributes"][key]), (i, key)


def test_sample_encodings():
    txt = (SAMPLES / "SWIS_TM03_interview.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        txt.decode("utf-8")
    text = txt.decode("cp1252")
    assert "\u00a3" in text and "\u2019" in text and "\u00e1" in text and "\r\n" in text
    vtt = (SAMPLES / "SWIS_SW05_interview.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    starts = [m.group(1) for m in re.finditer(r"^(\d\d:\d\d:\d\d\.\d{3}) --> ", vtt, re.MULTILINE)]
    ends = [m.group(1) for m in re.finditer(r" --> (\d\d:\d\d:\d\d\.\d{3})$", vtt, re.MULTILINE)]
    assert starts == sorted(starts), "cues are written in order of start time"
    assert any(start < end for start, end in zip(starts[1:], ends)), "no overlapping cue"


def test_docx_samples_carry_their_traps():
    from docx import Document

    sw01 = Document(str(SAMPLES / "SWIS_SW01_interview.docx"))
    assert sw01.sections[0].header.paragraphs[0].text.strip()
    assert sw01.sections[0].footer.paragraphs[0].text.strip()
    assert len(list(sw01.comments)) == 1
    assert sw01.core_properties.author and sw01.core_properties.title
    tm02 = Document(str(SAMPLES / "SWIS_TM02_interview.docx"))
    assert len(tm02.tables) == 1 and len(tm02.tables[0].columns) == 2
    bold = [p for p in tm02.paragraphs if p.runs and p.runs[0].bold]
    assert len(bold) >= 30
    assert any(not p.runs[0].text.endswith(":") for p in bold), "some bold labels have no colon"


# --------------------------------------------------------------------------- (b) reproducible


def test_the_script_regenerates_identical_files(tmp_path):
    samples, gold = tmp_path / "samples", tmp_path / "gold"
    completed = subprocess.run(
        [sys.executable, str(PROJECT / "scripts" / "make_samples.py"),
         "--samples", str(samples), "--gold", str(gold)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    committed = sorted(p.name for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith("."))
    assert sorted(p.name for p in samples.iterdir()) == committed
    for name in committed:
        assert (samples / name).read_bytes() == (SAMPLES / name).read_bytes(), f"{name} differs"
    for i in IDS:
        assert (gold / f"{i}.json").read_bytes() == (GOLD / f"{i}.json").read_bytes(), f"{i}.json differs"


def test_the_script_refuses_an_unannotated_name(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for source in (make_samples.DATA).iterdir():
        (data / source.name).write_bytes(source.read_bytes())
    path = data / "SW02.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{child_rose|Rose}", "Rose", 1), encoding="utf-8")
    with pytest.raises(make_samples.SampleError, match="unannotated known name"):
        make_samples.load(data)


# --------------------------------------------------------------------------- (c) ingest agrees


@pytest.fixture(scope="module")
def ingested():
    from qual.ingest import ingest

    result = ingest([SAMPLES], participants=SAMPLES / "participants.xlsx")
    return result


def test_every_sample_ingests(ingested):
    assert not ingested.failures, f"{len(ingested.failures)} sample(s) failed to ingest"
    assert sorted(t.id for t in ingested.transcripts) == sorted(IDS)


@pytest.mark.parametrize("sample_id", IDS)
def test_ingest_matches_the_gold(ingested, golds, sample_id):
    gold = golds[sample_id]
    transcript = next((t for t in ingested.transcripts if t.id == sample_id), None)
    assert transcript is not None, f"{sample_id} was not ingested"
    got = transcript.turns
    assert len(got) == len(gold["turns"]), f"{sample_id}: {len(got)} turns, gold has {len(gold['turns'])}"
    for turn, expected in zip(got, gold["turns"]):
        where = (sample_id, expected["index"])
        assert turn.speaker == expected["speaker"], where
        assert str(turn.role) == expected["role"], where
        assert turn.timestamp == expected["timestamp"], where
        if turn.text != expected["text"]:
            position = next((k for k, (a, b) in enumerate(zip(turn.text, expected["text"])) if a != b),
                            min(len(turn.text), len(expected["text"])))
            pytest.fail(f"{where}: turn text differs from character {position} "
                        f"(lengths {len(turn.text)} and {len(expected['text'])})")


@pytest.mark.parametrize("sample_id", IDS)
def test_ingest_keeps_metadata_out_of_turns(ingested, golds, sample_id):
    gold = golds[sample_id]
    transcript = next(t for t in ingested.transcripts if t.id == sample_id)
    metadata = json.dumps(transcript.metadata, ensure_ascii=False, default=str)
    for n, mention in enumerate(gold["metadata_identifiers"]):
        assert mention["text"] in metadata, f"{sample_id}: metadata identifier {n} ({mention['where']}) not kept"
    turn_text = "\n".join(t.text for t in transcript.turns)
    for place in ("headers", "footers", "comments"):
        for item in _strings(transcript.metadata.get(place)):
            if len(item) > 20:
                assert item not in turn_text, f"{sample_id}: {place} text became a turn"


@pytest.mark.parametrize("sample_id", IDS)
def test_ingest_attaches_the_participant_attributes(ingested, golds, sample_id):
    gold = golds[sample_id]
    transcript = next(t for t in ingested.transcripts if t.id == sample_id)
    for key, value in gold["attributes"].items():
        assert _plain(transcript.attributes.get(key)) == _plain(value), (sample_id, key)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _plain(value):
    """Compare sheet cells, pandas values and gold strings: dates as ISO days, blanks as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00:00", text):
        text = text[:10]
    return text or None
