"""Every sample transcript ingests exactly as its gold annotation says."""

from __future__ import annotations

import json

import pytest

from conftest import GOLD, SAMPLES

GOLD_FILES = sorted(GOLD.glob("*.json")) if GOLD.exists() else []


@pytest.fixture(scope="module")
def ingested():
    if not GOLD_FILES or not (SAMPLES / "participants.xlsx").exists():
        pytest.skip("the sample corpus and its gold are not built")
    from qual.ingest import ingest

    result = ingest([SAMPLES], participants=SAMPLES / "participants.xlsx")
    assert not result.failures, [str(f) for f in result.failures]
    return {t.id: t for t in result.transcripts}


def _metadata_texts(transcript, where: str) -> list[str]:
    metadata = transcript.metadata
    if where == "header":
        return metadata.get("headers", [])
    if where == "footer":
        return metadata.get("footers", [])
    if where == "comment":
        return [c["text"] for c in metadata.get("comments", [])] + [c["author"] for c in metadata.get("comments", [])]
    if where == "properties":
        return list(metadata.get("properties", {}).values())
    if where == "preamble":
        return metadata.get("preamble", [])
    raise AssertionError(f"unknown metadata place {where}")


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_sample_matches_gold(ingested, gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    transcript = ingested[gold["id"]]
    assert transcript.format == gold["format"]
    assert transcript.source.endswith(gold["file"])
    assert transcript.attributes == gold["attributes"]
    assert len(transcript.turns) == len(gold["turns"])
    for expected, turn in zip(gold["turns"], transcript.turns):
        actual = {"speaker": turn.speaker, "role": str(turn.role), "timestamp": turn.timestamp, "text": turn.text}
        assert actual == {k: expected[k] for k in actual}, f"turn {expected['index']}"
    for item in gold["metadata_identifiers"]:
        texts = _metadata_texts(transcript, item["where"])
        assert any(item["text"] in text for text in texts), (item["where"], item["type"])
    for item in gold["speaker_identifiers"]:
        assert item["speaker"] in transcript.speakers
