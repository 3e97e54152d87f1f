"""The NER model that ships with qual, and the scripts that build it.

The model is trained by scripts/train_ner.py on data from scripts/make_ner_data.py (see
docs/ner-model.md); these tests check what a user gets: it is in the package, loads offline
through qual's own loader, finds people in cased and caseless speech it was not trained on,
names its data sources, and stays small enough for a wheel.
"""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from conftest import PROJECT, shared_path

MODEL_SIZE_LIMIT_MB = 50


def _script(name: str):
    scripts = str(PROJECT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def model_dir():
    from qual.deid.recognizers.ner import shipped_model_path

    path = shipped_model_path()
    assert path is not None, "qual/deid/resources/ner_model/ has no config.cfg: the model is not shipped"
    return path


@pytest.fixture(scope="module")
def nlp(model_dir):
    from qual.deid.recognizers.ner import load_pipeline

    return load_pipeline(model_dir)


def _people(nlp, text: str) -> list[str]:
    return [ent.text for ent in nlp(text).ents if ent.label_ == "PERSON"]


def test_model_ships_with_its_attribution_and_licence(model_dir):
    attribution = (model_dir / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for source in ("Broad Twitter Corpus", "WNUT-17", "wikigold", "GUM", "CC BY-SA 4.0",
                   "Open Government Licence"):
        assert source in attribution, source
    assert "wikiHow" in attribution  # said to be excluded, and why
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["license"] == "CC BY-SA 4.0"
    assert set(meta["labels"]["ner"]) == {"PERSON", "LOC", "ORG"}
    training = meta["qual_training"]
    assert training["seed"] == 0 and training["wall_minutes"] > 0 and training["dev_scores"]


def test_model_is_small_and_holds_only_what_loading_needs(model_dir):
    files = [p for p in model_dir.rglob("*") if p.is_file()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb < MODEL_SIZE_LIMIT_MB
    names = {p.name for p in files}
    assert not names & {"train.spacy", "dev.spacy", "model-last", "optimizer"}
    assert not any(p.suffix == ".spacy" for p in files)
    # no token of the training text is kept (tweets' user names were among them)
    strings = json.loads((model_dir / "vocab" / "strings.json").read_text(encoding="utf-8"))
    assert not [s for s in strings if s.startswith("@") or "://" in s]


def test_auto_picks_the_shipped_model(model_dir):
    from qual.deid import Analyzer
    from qual.deid.recognizers.ner import installed_english_models, resolve_ner

    if installed_english_models():
        pytest.skip("an en_core_web_* package is installed: 'auto' prefers it")
    assert resolve_ner("auto") == model_dir
    analyzer = Analyzer(ner="auto")
    assert analyzer.ner_model == str(model_dir)
    assert "ner.spacy" in analyzer.recognizer_names


def test_finds_a_person_in_cased_speech_it_was_not_trained_on(nlp):
    # no template of the training data has these sentences; the names are in no list it used
    text = "Honestly, when I first met Oyelowo Brennagh-Tietz at the gate, he just looked exhausted."
    assert any("Oyelowo" in name for name in _people(nlp, text))
    text = "So I rang Zaviyar and he said his sister had been off school for a fortnight."
    assert "Zaviyar" in _people(nlp, text)


def test_finds_a_person_in_lower_case_speech_to_text(nlp):
    text = "yeah so i rang zaviyar and he said his sister had been off school for a fortnight"
    assert any("zaviyar" in name for name in _people(nlp, text))
    text = "and mrs okonjo rang me on the monday about it"
    assert any("okonjo" in name for name in _people(nlp, text))
    # the type can be wrong (this one comes out as a place) but the name is still masked
    text = "and then um dalbir came in and sat with us for the rest of the session"
    assert any("dalbir" in ent.text for ent in nlp(text).ents)


def test_the_domain_vocabulary_is_no_person(nlp):
    text = ("The DSL sent it to the MASH, it came back as Early Help, and Year 9 have a "
            "Section 47 strategy meeting on Monday.")
    assert _people(nlp, text) == []


def test_the_recognizer_reports_offsets_in_the_original_text(model_dir):
    from qual.deid import Analyzer
    from qual.deid.types import EntityType

    analyzer = Analyzer(ner=model_dir, recognizers=[])
    text = "Interviewer: and who was that?\nParticipant: that was um zaviyar's nan, she rang me"
    spans = analyzer.analyze(text)
    people = [s for s in spans if s.type is EntityType.PERSON]
    assert people and all("zaviyar" in text[s.start:s.end] for s in people)


@pytest.mark.shared
@pytest.mark.slow
def test_data_builder_writes_what_the_trainer_reads(tmp_path):
    """A tiny build (one corpus, a few synthetic utterances) initialises and updates the
    training pipeline that train_ner.py configures."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Example

    ner_dir = shared_path("ner")
    make_ner_data = _script("make_ner_data")
    train_ner = _script("train_ner")
    manifest = make_ner_data.build(ner_dir, tmp_path, synthetic=40, seed=3, corpora=("wikigold",))
    assert manifest["splits"]["train"]["sources"]["wikigold"] > 0
    assert manifest["splits"]["train"]["sources"]["synthetic"] == 40

    blank = spacy.blank("en")
    docs = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(blank.vocab))
    labels = {ent.label_ for doc in docs for ent in doc.ents}
    assert labels == set(make_ner_data.LABELS)
    # augmented copies: caseless text with its entities still marked
    assert any(doc.text == doc.text.lower() and doc.ents for doc in docs)

    config = train_ner.build_config(tmp_path, seed=0, overrides={"training.max_steps": 1})
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs[:64]]
    nlp.initialize(lambda: examples)
    assert set(nlp.get_pipe("ner").labels) == set(make_ner_data.LABELS)
    losses = nlp.update(examples, losses={})
    assert losses["ner"] > 0


@pytest.mark.shared
def test_corpus_splits_are_disjoint_and_exclude_wikihow():
    """Nothing of a TEST split is trained on, and GUM's non-commercial wikiHow part is left out."""
    ner_dir = shared_path("ner")
    make_ner_data = _script("make_ner_data")
    for corpus in ("btc", "wikigold", "gum"):
        texts = {split: {e.text_and_spans()[0] for e in make_ner_data.corpus_split(ner_dir, corpus, split)}
                 for split in ("train", "dev", "test")}
        assert texts["train"] and texts["dev"] and texts["test"]
        # short tweets repeat verbatim across sections; whole-text overlap must stay rare
        assert len(texts["train"] & texts["test"]) <= 0.01 * len(texts["test"]), corpus
    wikihow = set()
    for path in (ner_dir / "GUM" / "CONLL-format" / "data-by-corpustype" / "whow").glob("*.tsv"):
        wikihow |= {tuple(words) for words, _ in make_ner_data.read_conll(path) if words}
    train = make_ner_data.gum_split(ner_dir / "GUM" / "CONLL-format", "train")
    assert wikihow and train
    joined = {" ".join(words) for words in wikihow}
    assert not {e.text_and_spans()[0] for e in train} & {make_ner_data._detokenize(list(w)) for w in wikihow}
    assert joined  # the exclusion had something to exclude
