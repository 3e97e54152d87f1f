"""The contract every registered recognizer meets, qual's own and a plugin's alike.

Modelled on scikit-learn's ``parametrize_with_checks``: each check below is a function of a
recognizer, and every check runs on every recognizer in the ``recognizers`` registry of
:mod:`qual.plugins` (built-in, registered at run time, or provided by an installed package
through an entry point). A new recognizer is held to the contract by registering it.

Assertions report names, positions and counts, never the text found.
"""

from __future__ import annotations

import pickle
from typing import Callable

import pytest

from qual import plugins
from qual.deid import Analyzer, Register
from qual.deid.identity import EntityType
from qual.deid.recognizers import Doc, Recognizer
from qual.deid.registry import create_recognizer, recognizer_names


# A recognizer written as another package would write it, registered through qual.plugins
# rather than qual's own decorator (so it sets no name of its own).
class CallSigns(Recognizer):
    """Staff radio call signs such as kestrel-purple-nine."""

    entity_types = frozenset({EntityType.CASE_NUMBER})

    def detect(self, doc: Doc):
        import re

        for match in re.finditer(r"\b[a-z]+-[a-z]+-(?:one|two|three|nine)\b", doc.text):
            yield self.span(doc, match.start(), match.end(), EntityType.CASE_NUMBER, 0.9)


PLUGIN = "contract.call_signs"
plugins.register("recognizers", PLUGIN)(CallSigns)

PLANTED = ["Zebedee Okafor", "Castlebrook Academy", "07700 900123", "zeb.okafor@example.org",
           "kestrel-purple-nine", "LS6 2AB", "943 476 5919", "Hollinsford", "12/03/2011"]
TEXT = ("Mrs Okafor said Zebedee Okafor moved to Castlebrook Academy in Leeds last March. "
        "Ring 07700 900123 or email zeb.okafor@example.org; his call sign is kestrel-purple-nine.\n\n"
        "They live at 14 Elm Road, LS6 2AB, near the Hollinsford estate. NHS number 943 476 5919, "
        "born 12/03/2011, he's 12 years old. Case ref CP-2231. [laughs] Jayden's mum rang on Monday.")
ODD_TEXTS = [
    "",
    " ",
    "\n\n\n",
    ".,;:!?()[]{}",
    "Zoë Brontë’s café in Ｌｅｅｄｓ — naïve Jay\u200bden, 😀 ok",
    "مرحبا שלום Привет 你好 ١٢٣ \u202eevil\u202c",
    "a" * 5000,
    "1 2 3 4 5 6 7 8 9 0 " * 200,
]


def _blank_ner() -> dict:
    """A blank English pipeline with an (untrained) NER: enough to run the recognizer."""
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "GPE", "ORG", "DATE"):
        ner.add_label(label)
    nlp.initialize()
    return {"model": nlp}


# Recognizers that need configuration to be built at all.
CONFIG: dict[str, Callable[[], dict]] = {"ner.spacy": _blank_ner}


@pytest.fixture(scope="module", autouse=True)
def _plugin_registered():
    yield
    plugins.unregister("recognizers", PLUGIN)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    register = Register()
    register.add(EntityType.PERSON, "Zebedee Okafor")
    register.add(EntityType.SCHOOL, "Castlebrook Academy")
    return Analyzer(register=register, ner=None, recognizers=[])


_built: dict[str, Recognizer] = {}


def build(name: str) -> Recognizer:
    if name not in _built:
        _built[name] = create_recognizer(name, **CONFIG.get(name, dict)())
    return _built[name]


def spans_of(recognizer: Recognizer, analyzer: Analyzer, text: str) -> list:
    return list(recognizer.detect(analyzer.make_doc(text)))


# --------------------------------------------------------------------------- the checks


def check_name_and_declared_types(name, recognizer, analyzer):
    assert recognizer.name == name, "a recognizer is named as it is registered"
    assert recognizer.entity_types, "it declares the types it finds"
    assert all(isinstance(t, EntityType) for t in recognizer.entity_types)


def check_spans_lie_in_the_text_with_declared_types(name, recognizer, analyzer):
    doc = analyzer.make_doc(TEXT)
    for span in recognizer.detect(doc):
        assert 0 <= span.start < span.end <= len(doc.text), (span.start, span.end)
        assert span.text == doc.text[span.start:span.end], (span.start, span.end)
        assert span.type in recognizer.entity_types, span.type
        assert 0.0 < span.confidence <= 1.0, span.confidence
        assert span.detector == name or span.detector.startswith(name + "."), span.detector


def check_the_same_result_every_time(name, recognizer, analyzer):
    first = spans_of(recognizer, analyzer, TEXT)
    assert spans_of(recognizer, analyzer, TEXT) == first
    doc = analyzer.make_doc(TEXT)
    assert list(recognizer.detect(doc)) == list(recognizer.detect(doc)) == first


def check_unusual_text_is_no_crash(name, recognizer, analyzer):
    for text in ODD_TEXTS:
        doc = analyzer.make_doc(text)
        for span in recognizer.detect(doc):
            assert 0 <= span.start < span.end <= len(doc.text)


def check_a_long_text(name, recognizer, analyzer):
    text = "\n".join([TEXT] * 60)  # some 20,000 words
    doc = analyzer.make_doc(text)
    spans = list(recognizer.detect(doc))
    assert all(0 <= s.start < s.end <= len(doc.text) for s in spans)
    once = len(spans_of(recognizer, analyzer, TEXT))
    assert len(spans) >= once  # a longer text of the same sentences hides nothing


def check_repr_holds_no_text(name, recognizer, analyzer):
    spans = spans_of(recognizer, analyzer, TEXT)
    shown = repr(recognizer) + "".join(repr(s) for s in spans)
    leaked = [i for i, planted in enumerate(PLANTED) if planted.lower() in shown.lower()]
    assert not leaked, f"planted identifiers {leaked} appear in a repr"


def check_picklable_for_worker_processes(name, recognizer, analyzer):
    copy = pickle.loads(pickle.dumps(recognizer))
    assert copy.name == recognizer.name
    assert spans_of(copy, analyzer, TEXT) == spans_of(recognizer, analyzer, TEXT)


def check_works_inside_an_analyzer(name, recognizer, analyzer):
    only = Analyzer(register=analyzer.register, keep_list=analyzer.keep_list, ner=None,
                    recognizers=[recognizer])
    for texts in ([TEXT], [TEXT, "", ODD_TEXTS[4]]):
        results = only.analyze_corpus(texts)
        assert len(results) == len(texts)
        for text, spans in zip(texts, results):
            assert all(0 <= s.start < s.end <= len(text) and s.text == text[s.start:s.end] for s in spans)


CHECKS = [check_name_and_declared_types, check_spans_lie_in_the_text_with_declared_types,
          check_the_same_result_every_time, check_unusual_text_is_no_crash, check_a_long_text,
          check_repr_holds_no_text, check_picklable_for_worker_processes, check_works_inside_an_analyzer]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
@pytest.mark.parametrize("name", recognizer_names())
def test_every_recognizer_meets_the_contract(name, check, analyzer):
    check(name, build(name), analyzer)


def test_the_contract_covers_the_builtins_and_the_plugin():
    names = recognizer_names()
    assert PLUGIN in names
    assert {"contact.email", "register", "names.person", "recall_first", "ner.spacy"} <= set(names)


def test_the_plugin_finds_what_it_should(analyzer):
    spans = spans_of(build(PLUGIN), analyzer, TEXT)
    assert [(TEXT[s.start:s.end] == "kestrel-purple-nine", s.detector) for s in spans] == [(True, PLUGIN)]


def test_a_recognizer_breaking_the_contract_is_caught(analyzer):
    class Sloppy(Recognizer):
        name = "sloppy"
        entity_types = frozenset({EntityType.PERSON})

        def detect(self, doc):
            yield self.span(doc, 0, 4, EntityType.EMAIL, 0.9)  # not a declared type

    with pytest.raises(AssertionError):
        check_spans_lie_in_the_text_with_declared_types("sloppy", Sloppy(), analyzer)
