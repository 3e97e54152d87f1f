"""The coding targets on the sample corpus gold, with the default settings (no human codes):
a gold code among the top 3 suggestions for >= 85% of coded participant turns, and micro-F1
>= 0.65 at the default selection rule. Uses the evaluation script's loaders and metrics."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import CODEBOOK, GOLD, PROJECT, shared_path

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


def test_the_shuffle_music_loader_reads_one_unit_per_answer_with_its_codes():
    """The held-out public set the docs measure transfer on: answers, codes and gold as read."""

    folder = shared_path("coded", "shuffle_music")
    evaluation = eval_script()
    evaluation.use_shared(folder.parents[1])
    dataset = evaluation.load_shuffle()
    assert dataset.name == "shuffle" and dataset.split == "held-out" and not dataset.tuned
    # one single-turn transcript per answer, each unit keyed by (answer, turn 0)
    assert len(dataset.transcripts) == len(dataset.gold) > 700
    assert all(turn == 0 for _, turn in dataset.gold)
    codes = {code.id for code in dataset.codebook.codes}
    assert len(codes) > 70 and "Positive" in codes and "No relationship" in codes
    # every gold code is one of the codebook's, and most answers carry several
    assert set().union(*dataset.gold.values()) <= codes
    assert sum(len(labels) >= 2 for labels in dataset.gold.values()) > len(dataset.gold) / 2


def test_the_swis_pool_is_swis_dev_and_the_sample_gold_labelled_as_tuned_on():
    folder = shared_path("deid", "swis_dev")
    evaluation = eval_script()
    evaluation.use_shared(folder.parents[1])
    dev, sample, pool = evaluation.load_swis_dev(), evaluation.load_gold(), evaluation.load_swis_pool()
    if sample is None:
        pytest.skip("the sample corpus gold is missing")
    assert pool.gold == {**dev.gold, **sample.gold} and len(pool.gold) == len(dev.gold) + len(sample.gold)
    assert len(pool.transcripts) == len(dev.transcripts) + len(sample.transcripts)
    assert pool.tuned and "development" in pool.split and "regression" in pool.split
