"""Which sentences the NER model reads (qual.deid.recognizers.ner.worth_reading), and that
skipping the rest loses no identifier.

The model is most of de-identification's time; it reads only the sentences holding a word a
span of it could stand on. These tests pin down what such a word is, and compare the shipped
model reading everything with it reading the chosen sentences on the sample transcripts (a
regression check: those were written here; docs/deid-detection.md gives the measurement on
text nobody here wrote).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qual.deid.analyzer import Analyzer
from qual.deid.recognizers.ner import shipped_model_path, worth_reading

GOLD = Path(__file__).resolve().parent / "gold"


@pytest.fixture(scope="module")
def rules():
    return Analyzer(ner=None)


def read(analyzer: Analyzer, text: str, caseless: bool = False) -> list[str]:
    doc = analyzer.make_doc(text)
    return [text[start:end].strip() for start, end in worth_reading(doc, 0, len(text), caseless)]


@pytest.mark.parametrize("sentence", [
    "Then I spoke to Zaviyar about it.",              # a word no dictionary has
    "We went over to see Hunter on Tuesday.",         # a listed name capitalised mid-sentence
    "Hunter was upset about the move.",               # ... opening a sentence, mostly a name
    "Will rang me back the next day.",                # a name that is a common word, opening
    "The referral came from Bell Lane Family Centre.",  # capitalised ordinary words mid-sentence
    "Arsenal's season went the way I said.",          # a possessive opening a sentence
    "Is it the one in Jersey where they went?",        # a place that is also a word (countries the keep-list keeps are not read)
    "then i rang jayden's mum about it",              # caseless: an unlisted word
    "we spoke to mason about the plan",               # lower case, mostly a name
])
def test_sentences_that_can_hold_a_name_are_read(rules, sentence):
    assert read(rules, sentence) == [sentence]


@pytest.mark.parametrize("sentence", [
    "So I think the main thing was that the school were really supportive.",
    "Well, we had two days of induction and then it was straight in.",
    "She's been brilliant, hasn't she, and they couldn't have done more.",
    "I will ring them back in the summer term.",
])
def test_sentences_of_ordinary_words_are_not_read(rules, sentence):
    assert read(rules, sentence) == []


def test_a_sentence_is_read_with_a_few_words_around_it(rules):
    text = ("So we talked about the whole thing for a long time. Then Zaviyar came in. "
            "After that we all went home and had a rest.")
    runs = read(rules, text)
    assert len(runs) == 1
    run = runs[0]
    assert "Then Zaviyar came in." in run
    assert run.startswith("for a long time.") and run.endswith("After that we all")  # 4 words
    assert "So we talked" not in run and "had a rest" not in run


def test_keep_terms_give_no_reason_to_read(rules):
    assert read(rules, "The DSL rang the MASH about Early Help.") == []


def test_in_caseless_text_listed_names_are_read_unless_far_commoner_as_words(rules):
    assert read(rules, "i spoke to mark about it", caseless=True) == ["i spoke to mark about it"]
    assert read(rules, "so i think that was great", caseless=True) == []


@pytest.mark.skipif(shipped_model_path() is None, reason="no NER model ships in this tree")
def test_reading_only_those_sentences_loses_no_identifier_on_the_samples():
    """Every identifier of the sample gold that the analyzer catches when the model reads
    every sentence, it catches when the model reads only the chosen ones."""
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]
    turns = [turn for document in documents for turn in document["turns"]]
    texts = [turn["text"] for turn in turns]
    analyzer = Analyzer(ner="auto")
    model = next(r for r in analyzer.recognizers if r.name == "ner.spacy")

    def caught(every: bool) -> set[tuple[int, int]]:
        model.read_every_sentence = every
        found = set()
        for k, (turn, spans) in enumerate(zip(turns, analyzer.analyze_corpus(texts))):
            covered = {i for s in spans for i in range(s.start, s.end)}
            found |= {(k, g["start"]) for g in turn["identifiers"]
                      if all(i in covered for i in range(g["start"], g["end"]) if turn["text"][i].isalnum())}
        return found

    everything, chosen = caught(True), caught(False)
    assert len(everything) > 300
    assert everything <= chosen
