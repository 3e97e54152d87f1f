"""The coding targets on the sample corpus gold, with the default settings (no human codes):
a gold code among the top 3 suggestions for >= 85% of coded participant turns, and micro-F1
>= 0.65 at the default selection rule. Uses the evaluation script's loaders and metrics."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import CODEBOOK, GOLD, PROJECT

pytestmark = [pytest.mark.slow, pytest.mark.ml]


def eval_script():
    spec = importlib.util.spec_from_file_location("eval_coding", PROJECT / "scripts" / "eval_coding.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_suggestions_meet_the_gold_targets():
    if not list(GOLD.glob("*.json")) or not CODEBOOK.exists():
        pytest.skip("the sample corpus gold or the codebook is missing")
    from qual.coding.pipeline import code_transcripts

    evaluation = eval_script()
    dataset = evaluation.load_gold()
    result = code_transcripts(dataset.transcripts, dataset.codebook)  # defaults: auto embedder, all suggesters
    units = list(dataset.gold)
    truth = evaluation.gold_matrix(dataset, units, result.code_ids)
    scores = evaluation.unit_matrix(result.segments, result.ensemble, units)
    chosen = evaluation.chosen_matrix(result, units)
    metrics = evaluation.metrics(scores, truth, chosen)
    assert metrics["top3"] >= 0.85, metrics
    assert metrics["micro_f1"] >= 0.65, metrics
