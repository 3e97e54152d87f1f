"""The detection engine: normalisation and its offset map, the register and its variants,
the keep-list, the resolver, propagation across texts, fit/transform, the recognizer
registry, and the spaCy NER loading path (with a tiny model trained here).

Assertions report positions and counts only, never an identifier's text.
"""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qual.deid import Analyzer, KeepList, Register
from qual.deid.normalize import normalize
from qual.deid.recognizers import Doc, Recognizer
from qual.deid.registry import (default_recognizer_names, get_recognizer, recognizer_names,
                                register_recognizer, unregister_recognizer)
from qual.deid.types import EntityType as T
from qual.deid.types import Span
from qual.errors import QualError


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(ner=None)


def covered(spans: list[Span], start: int, end: int, entity_type: T | None = None) -> bool:
    return any(s.start <= start and end <= s.end and (entity_type is None or s.type is entity_type)
               for s in spans)


def positions(text: str, needle: str) -> list[tuple[int, int]]:
    found, start = [], text.find(needle)
    while start >= 0:
        found.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return found


def uncovered(spans: list[Span], text: str, needle: str, entity_type: T | None = None) -> list[int]:
    """Start offsets of occurrences of ``needle`` that no span covers."""
    return [s for s, e in positions(text, needle) if not covered(spans, s, e, entity_type)]


# --------------------------------------------------------------------------- normalisation


def test_ascii_passes_through_unchanged():
    normalized = normalize("plain text, nothing to do")
    assert normalized.identity and normalized.text == normalized.original
    assert normalized.to_original(3, 7) == (3, 7)


def test_zero_width_nfkc_and_quotes_are_normalised_and_mapped_back(analyzer):
    text = "I rang Jay\u200bden\u2019s mum, then \uff2b\uff41\uff59\uff4c\uff41 and Jose\u0301 came."
    normalized = normalize(text)
    assert "\u200b" not in normalized.text and "\u2019" not in normalized.text
    assert "Kayla" in normalized.text and "Jos\u00e9" in normalized.text
    spans = analyzer.analyze(text)
    for needle in ("Jay\u200bden", "\uff2b\uff41\uff59\uff4c\uff41", "Jose\u0301"):
        start = text.index(needle)
        hit = covered(spans, start, start + len(needle), T.PERSON)
        assert hit, f"name at {start} not covered on the original offsets"
    for span in spans:
        assert span.text == text[span.start:span.end], f"span at {span.start} text differs"
    # the possessive stays outside, on the original text too
    first = text.index("Jay")
    person = next(s for s in spans if s.start == first)
    assert text[person.end] == "\u2019"


def test_all_capitals_names_are_found(analyzer):
    text = "NOTES FROM THE MEETING WITH JAYDEN OKAFOR AND HIS MUM"
    spans = analyzer.analyze(text)
    missed = uncovered(spans, text, "JAYDEN OKAFOR")
    assert not missed, f"capitalised name missed at {missed}"
    kept = [w for w in ("NOTES", "MEETING", "WITH", "MUM") if not uncovered(spans, text, w)]
    assert not kept, f"{len(kept)} ordinary words in capitals redacted"


@pytest.mark.parametrize("text, name", [
    # an unlisted first name in capitals with a rare dictionary word for a surname
    ("me and IONUȚ PENNYWORTH went to the meeting", "IONUȚ PENNYWORTH"),
    # a listed name written with its accent, in capitals
    ("SW: ZOË PENNYWORTH said the referral was late.", "ZOË PENNYWORTH"),
    ("I spoke to GEORGE BRACKENSHAW about it.", "GEORGE BRACKENSHAW"),
])
def test_names_in_capitals_are_found_whole(analyzer, text, name):
    missed = uncovered(analyzer.analyze(text), text, name)
    assert not missed, f"name in capitals missed at {missed}"


def test_a_rare_word_learned_as_a_surname_is_found_in_capitals_but_not_in_lower_case(analyzer):
    text = "I worked with Ionuț Pennyworth’s mum. PENNYWORTH rang. Then Pennyworth again. A pennyworth of sweets."
    spans = analyzer.analyze(text)
    at = [i for i in range(len(text)) if text.lower().startswith("pennyworth", i)]
    covered = [any(s.start <= i < s.end for s in spans) for i in at]
    assert covered == [True, True, True, False], covered


def test_a_transcript_typed_in_capitals_keeps_its_vocabulary_and_loses_its_places(analyzer):
    text = ("WE HAD A STRATEGY MEETING WITH THE DSL AT OAKFIELD ACADEMY IN ROTHERHAM. READING IS HARD "
            "AND A BATH HELPS. THE KIDS IN YEAR 9 WENT TO CAMHS AND EARLY HELP. UNDER THE UNCRC.")
    spans = analyzer.analyze(text)
    for name in ("OAKFIELD ACADEMY", "ROTHERHAM"):
        assert not uncovered(spans, text, name), "a school or place in capitals was missed"
    redacted = [w for w in ("DSL", " AT ", "READING", "BATH", "YEAR 9", "CAMHS", "EARLY HELP", "UNCRC")
                if not uncovered(spans, text, w)]
    assert not redacted, f"{len(redacted)} ordinary words or keep-terms in capitals redacted"


def test_names_in_scripts_without_capitals_are_found(analyzer):
    text = "We met \u0641\u0627\u0637\u0645\u0629 and \u05d9\u05d5\u05e1\u05e3 at the MASH, and the DSL came."
    spans = analyzer.analyze(text)
    for name in ("\u0641\u0627\u0637\u0645\u0629", "\u05d9\u05d5\u05e1\u05e3"):
        assert not uncovered(spans, text, name), "a name in a caseless script was missed"
    assert uncovered(spans, text, "MASH") and uncovered(spans, text, "DSL"), "a keep-term was redacted"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=6),
       st.sampled_from(["\u200b", "\u00ad", "\ufeff", "\u2019", "\uff41", "e\u0301"]))
def test_offset_map_round_trips(cuts, insert):
    base = "Kayla went to Castlebrook on Monday with Grace."
    text = base
    for cut in sorted(set(cuts), reverse=True):
        text = text[:cut] + insert + text[cut:]
    normalized = normalize(text)
    # every word of the normalised text maps back to original characters that normalise to it
    for start in range(len(normalized.text)):
        for end in (start + 1, min(len(normalized.text), start + 5)):
            o_start, o_end = normalized.to_original(start, end)
            assert 0 <= o_start <= o_end <= len(text)
            assert normalize(text[o_start:o_end]).text.find(normalized.text[start:end]) >= 0 or \
                len(normalized.text[start:end].strip()) == 0


# --------------------------------------------------------------------------- register


def test_register_from_participants_sheet():
    pandas = pytest.importorskip("pandas")
    sheet = pandas.DataFrame([
        {"participant_id": "SW01", "name": "Gemma Thornley", "role": "SW",
         "local_authority": "Hollinsford", "school": "Castlebrook Academy; St Bede's Catholic High School",
         "interview_date": "2021-11-18", "interviewer": "Hannah Price", "trial_arm": "intervention"},
        {"participant_id": "TM01", "first_name": "Claire", "surname": "Whitfield", "role": "TM",
         "local_authority": "Hollinsford", "school": None, "interviewer": "Hannah Price"},
    ])
    register = Register.from_participants(sheet)
    types = sorted(e.type.value for e in register)
    assert types.count("SCHOOL") == 2 and types.count("LOCAL_AUTHORITY") == 1
    assert ("Claire Whitfield" in register) and ("SW01" not in register) and ("SW" not in register)
    assert "intervention" not in register and "2021-11-18" not in register
    assert len(register) == 8, f"{len(register)} entries"


def test_register_file_round_trip(tmp_path):
    source = tmp_path / "register.csv"
    source.write_text("# names\nPERSON,Jayden Okafor\nSCHOOL,Castlebrook Academy\n"
                      "Northshire County Council\nLA,Hollinsford\nTamsin Reeve\n", encoding="utf-8")
    register = Register.load(source)
    kinds = {e.value: e.type for e in register}
    assert kinds["Northshire County Council"] is T.LOCAL_AUTHORITY
    assert kinds["Hollinsford"] is T.LOCAL_AUTHORITY and kinds["Tamsin Reeve"] is T.PERSON
    register.add(T.ORGANISATION, "Bridgeway Project")
    target = tmp_path / "out" / "register.csv"
    register.save(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    again = Register.load(target)
    assert sorted((e.type, e.value) for e in again) == sorted((e.type, e.value) for e in register)
    assert "Jayden" not in repr(register) and "Jayden" not in repr(next(iter(register)))
    with pytest.raises(ValueError):
        register.add("NOT_A_TYPE", "x")


def test_register_variants_titles_case_possessives_and_misspellings():
    register = Register()
    register.add("PERSON", "Joy Okafor")
    register.add("SCHOOL", "Castlebrook Academy")
    analyzer = Analyzer(register=register, ner=None)
    text = ("Mrs Okafor said okafor's list was long; OKAFOR agreed. Mr O was away, Okafour was "
            "typed, and Joy came to Castlebrook's gate.")
    spans = analyzer.analyze(text)
    for needle in ("Okafor", "okafor", "OKAFOR", "Okafour", "Joy", "Castlebrook"):
        missed = uncovered(spans, text, needle)
        assert not missed, f"variant at {missed} missed"
    o_start = text.index("Mr O") + 3
    initial = [s for s in spans if s.start == o_start and s.end == o_start + 1]
    assert initial and initial[0].detector == "register", "title + initial not matched"
    title = text.index("Mrs")
    assert not covered(spans, title, title + 3), "the title was redacted"
    fuzzy = [s for s in spans if s.detector == "register.fuzzy"]
    assert fuzzy and all(0.6 <= s.confidence < 0.9 for s in fuzzy)
    assert all(s.confidence >= 0.9 for s in spans if s.detector == "register")


def test_register_names_that_are_words_match_only_capitalised():
    register = Register()
    register.add("PERSON", "Will Brown")
    analyzer = Analyzer(register=register, ner=None)
    text = "I will ask Will about the brown folder, and Brown said yes."
    spans = analyzer.analyze(text)
    for needle in ("will ask", "brown folder"):
        start = text.index(needle)
        assert not covered(spans, start, start + 4), f"ordinary word at {start} redacted"
    for needle in ("Will about", "Brown said"):
        start = text.index(needle)
        assert covered(spans, start, start + 4), f"registered name at {start} missed"


def test_register_beats_the_keep_list():
    register = Register()
    register.add("PERSON", "May Delaney")
    analyzer = Analyzer(register=register, ner=None)
    text = "In May we met May about it."
    spans = analyzer.analyze(text)
    assert len([s for s in spans if s.type is T.PERSON]) >= 1
    second = text.index("May about")
    assert covered(spans, second, second + 3, T.PERSON)


# --------------------------------------------------------------------------- keep-list


def test_keep_list_default_add_save_load(tmp_path):
    keep = KeepList.default()
    for term in ("Early Help", "mash", "Section 47", "Year 9", "NSPCC", "Barnardo's"):
        assert term in keep, "a shipped keep-term is missing"
    user = tmp_path / "keep.txt"
    user.write_text("# ours\nBridgeway Project\n", encoding="utf-8")
    merged = KeepList.default(user)
    assert "bridgeway project" in merged and len(merged) == len(keep) + 1
    merged.add("Quarnby Forum")
    merged.discard("Bridgeway Project")
    merged.save(tmp_path / "saved.txt")
    again = KeepList.load(tmp_path / "saved.txt")
    assert "Quarnby Forum" in again and "Bridgeway Project" not in again


def test_user_keep_terms_survive():
    text = "We refer to the Quarnby Forum every week."
    default = Analyzer(ner=None).analyze(text)
    start = text.index("Quarnby")
    assert covered(default, start, start + 7), "an unknown name should be flagged by default"
    keep = KeepList.default()
    keep.add("Quarnby Forum")
    kept = Analyzer(keep_list=keep, ner=None).analyze(text)
    assert not kept, f"{len(kept)} spans despite the keep-list"


# --------------------------------------------------------------------------- resolver


def test_spans_are_sorted_non_overlapping_and_typed(analyzer):
    text = ("Jayden Okafor (07700 900457, jayden@example.org) at Castlebrook Academy, "
            "14 Marlowe Road, HF4 2QX, born 3rd March 2012, met Mrs Whitfield on 12/03/2021.")
    spans = analyzer.analyze(text)
    assert spans
    for first, second in zip(spans, spans[1:]):
        assert first.end <= second.start, "spans overlap or are unsorted"
    for span in spans:
        assert isinstance(span.type, T) and 0.0 <= span.confidence <= 1.0 and span.detector
        assert span.text == text[span.start:span.end]
    assert analyzer.analyze("") == []
    assert "Jayden" not in repr(spans)


def test_threshold_drops_low_confidence_spans():
    text = "We went over to Thrushcombe with Castlebrook Academy."
    low = Analyzer(ner=None).analyze(text)
    high = Analyzer(ner=None, threshold=0.6).analyze(text)
    assert len(high) < len(low)
    assert all(s.confidence >= 0.6 for s in high)


# --------------------------------------------------------------------------- propagation


def test_propagation_across_texts_lowercase_possessive_and_parts():
    analyzer = Analyzer(ner=None)
    texts = ["I worked with Mrs Tamsin Quarrie and her son.",
             "Then quarrie said the son was excluded.",
             "Then QUARRIE rang; Tamsin was upset.",
             "The school said Quarrie and quarrie's brother would come."]
    results = analyzer.analyze_corpus(texts)
    for k, (text, spans) in enumerate(zip(texts, results)):
        for needle in ("quarrie", "Quarrie", "QUARRIE", "Tamsin"):
            missed = uncovered(spans, text, needle)
            assert not missed, f"text {k}: occurrence at {missed} not propagated"
    # each text alone would have missed the lower-case form
    alone = analyzer.analyze(texts[1])
    assert uncovered(alone, texts[1], "quarrie"), "lower-case form found without propagation?"
    # a line with no capital at all is read caseless: an unexplained word is a name there
    caseless = "then quarrie said the son was excluded."
    assert not uncovered(analyzer.analyze(caseless), caseless, "quarrie")


def test_common_word_names_propagate_only_as_names():
    analyzer = Analyzer(ner=None)
    texts = ["Like with Will, in Year 8, it was his tutor.",
             "Will hadn't told anyone.",
             "Will you tell me? I will ask."]
    results = analyzer.analyze_corpus(texts)
    assert not uncovered(results[1], texts[1], "Will"), "the name was not propagated"
    assert not results[2], f"{len(results[2])} spans in a text where 'will' is a verb"


def test_fit_then_transform_reuses_learned_strings():
    analyzer = Analyzer(ner=None)
    analyzer.fit(["Our DSL, Mr Pendleford-Ames, rang."])
    assert analyzer.learned_terms() and "Pendleford" not in repr(analyzer.learned_terms())
    text = "pendleford-ames was off sick."
    spans = analyzer.transform(text)
    assert not uncovered(spans, text, "pendleford-ames")
    fresh = Analyzer(ner=None)
    fresh.remember([(term.type, term.text) for term in analyzer.learned_terms()])
    assert not uncovered(fresh.transform(text), text, "pendleford-ames")
    analyzer.fit([])
    assert not analyzer.learned_terms()


def test_many_short_texts_keep_their_own_offsets(analyzer):
    texts = [f"Turn {i}: Kayla rang on 07700 900{i:03d}." for i in range(300)] + ["", "ok"]
    results = analyzer.analyze_corpus(texts)
    assert len(results) == len(texts)
    for text, spans in zip(texts, results):
        for span in spans:
            assert 0 <= span.start < span.end <= len(text)
            assert span.text == text[span.start:span.end]
    assert all(len(spans) == 2 for spans in results[:300])


# --------------------------------------------------------------------------- registry


def test_registry_lists_and_builds_recognizers():
    names = recognizer_names()
    for name in ("contact.email", "contact.phone", "ids.nhs_number", "dates.date", "register",
                 "names.person", "places.gazetteer", "places.institution", "recall_first",
                 "ner.spacy"):
        assert name in names
    assert "ner.spacy" not in default_recognizer_names()
    assert get_recognizer("contact.email").name == "contact.email"
    with pytest.raises(QualError) as unknown:
        get_recognizer("no.such")
    assert "contact.email" in str(unknown.value)  # the message lists the known names


def test_custom_recognizer_plugs_in():
    @register_recognizer("test.staff_codes")
    class StaffCodes(Recognizer):
        entity_types = frozenset({T.CASE_NUMBER})

        def detect(self, doc: Doc):
            start = doc.text.find("ZZ-")
            if start >= 0:
                yield self.span(doc, start, start + 7, T.CASE_NUMBER, 0.9)

    try:
        text = "Staff code ZZ-ABCD is on file."
        only = Analyzer(ner=None, recognizers=["test.staff_codes"])
        spans = only.analyze(text)
        assert [(s.start, s.detector) for s in spans] == [(text.index("ZZ-"), "test.staff_codes")]
        everything = Analyzer(ner=None, recognizers=[*default_recognizer_names(), StaffCodes()])
        assert "test.staff_codes" in everything.recognizer_names
        everything.remove_recognizer("recall_first")
        assert "recall_first" not in everything.recognizer_names
    finally:
        unregister_recognizer("test.staff_codes")


# --------------------------------------------------------------------------- spaCy NER


@pytest.fixture(scope="module")
def tiny_ner_model(tmp_path_factory):
    """A blank English pipeline with an NER trained here until it knows a few sentences."""
    import random

    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    # a deliberately small network: it only has to learn four sentences by heart
    tok2vec = {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, "width": 32,
               "depth": 1, "embed_size": 300, "window_size": 1, "maxout_pieces": 2,
               "subword_features": True}
    ner = nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
        "extra_state_tokens": False, "hidden_width": 32, "maxout_pieces": 2, "use_upper": True,
        "tok2vec": tok2vec}})
    data = [
        ("we saw zorblax in qwerton at the fenwick group", [(7, 14, "PERSON"), (18, 25, "GPE"),
                                                           (33, 46, "ORG")]),
        ("then zorblax went to qwerton again", [(5, 12, "PERSON"), (21, 28, "GPE")]),
        ("the fenwick group met on friday", [(0, 17, "ORG"), (25, 31, "DATE")]),
        ("nothing to see here at all", []),
    ]
    for _, entities in data:
        for _, _, label in entities:
            ner.add_label(label)
    random.seed(0)
    optimizer = nlp.initialize()
    for _ in range(40):
        random.shuffle(data)
        for text, entities in data:
            example = Example.from_dict(nlp.make_doc(text), {"entities": entities})
            nlp.update([example], sgd=optimizer, drop=0.0)
    path = tmp_path_factory.mktemp("ner") / "tiny_model"
    nlp.to_disk(path)
    return path


def test_a_spacy_model_path_is_loaded_and_its_labels_mapped(tiny_ner_model):
    analyzer = Analyzer(ner=str(tiny_ner_model), recognizers=[])
    assert analyzer.ner_model == str(tiny_ner_model)
    assert analyzer.recognizer_names == ["ner.spacy"]
    text = "we saw zorblax in qwerton at the fenwick group"
    spans = analyzer.analyze(text)
    types = {text[s.start:s.end]: s.type for s in spans}
    expected = {"zorblax": T.PERSON, "qwerton": T.PLACE, "fenwick group": T.ORGANISATION}
    matched = sum(types.get(k) is v for k, v in expected.items())
    assert matched == 3, f"{matched} of 3 entities found with the mapped type"
    # words no dictionary explains: the model's confidence calibrated to MODEL_UNEXPLAINED
    from qual.deid.recognizers.ner import MODEL_UNEXPLAINED

    assert all(s.detector == "ner.spacy" and s.confidence == pytest.approx(MODEL_UNEXPLAINED) for s in spans)


def test_ner_spans_inside_keep_terms_are_dropped(tiny_ner_model):
    keep = KeepList.default()
    keep.add("fenwick group")
    analyzer = Analyzer(ner=str(tiny_ner_model), recognizers=[], keep_list=keep)
    text = "we saw zorblax in qwerton at the fenwick group"
    spans = analyzer.analyze(text)
    start = text.index("fenwick")
    assert not any(s.start < start + 13 and start < s.end for s in spans)


def test_ner_auto_falls_back_without_network(monkeypatch):
    from qual.deid.recognizers import ner

    assert isinstance(ner.installed_english_models(), list)
    monkeypatch.setattr(ner, "installed_english_models", lambda: ["en_core_web_sm"])

    def refuse(name, *args, **kwargs):
        raise OSError("not installed")

    import spacy

    monkeypatch.setattr(spacy, "load", refuse)
    chosen = ner.resolve_ner("auto")
    assert chosen == ner.shipped_model_path()
    assert ner.resolve_ner(None) is None


def test_ner_auto_prefers_an_installed_english_model(monkeypatch, tiny_ner_model):
    import spacy

    from qual.deid.recognizers import ner

    real_load = spacy.load
    monkeypatch.setattr(ner, "installed_english_models", lambda: ["en_core_web_sm"])
    monkeypatch.setattr(spacy, "load", lambda name, *a, **k: real_load(tiny_ner_model))
    analyzer = Analyzer(ner="auto", recognizers=[])
    assert analyzer.recognizer_names == ["ner.spacy"]


def test_a_bad_model_path_is_a_clear_error(tmp_path):
    from qual.errors import QualError

    with pytest.raises(QualError) as error:
        Analyzer(ner=str(tmp_path / "missing-model"))
    assert "cannot load" in str(error.value)


def test_caseless_organisations_with_words_before_their_head_are_found_whole(analyzer):
    """Lower-case speech-to-text: an unexplained name, a word or two, and the head of an
    organisation or school is the whole organisation ("... young carers", "... learning
    partnership", "... high school" with its keep-term inside); a person's name before an
    ordinary phrase is not ("kayden loves football club"), nor "i'd tell school"."""
    text = ("she went to brackenwold young carers and the ashmoor learning partnership paid for it. "
            "we rang quorrington high school and then glenvarra women's project. "
            "kayden loves football club, and i'd tell school if it happened again.")
    spans = analyzer.analyze(text)
    for name in ("brackenwold young carers", "ashmoor learning partnership", "quorrington high school",
                 "glenvarra women's project"):
        assert not uncovered(spans, text, name), "a caseless organisation was cut short"
    for words in ("loves football club", "tell school"):
        assert uncovered(spans, text, words), "an ordinary phrase was taken for an organisation"
    # same length: every offset still points at the original's characters
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_reference_numbers_in_lower_case_are_found(analyzer):
    text = "the case number at the top, brx/22/0417 or whatever, and ab-2023-118 later on"
    spans = analyzer.analyze(text)
    for code in ("brx/22/0417", "ab-2023-118"):
        assert not uncovered(spans, text, code, T.CASE_NUMBER), "a lower-case reference number was missed"
    assert uncovered(analyzer.analyze("in 2019/20 and covid-19 and year 7/8"), "in 2019/20 and covid-19 and year 7/8", "covid-19")


def test_caseless_first_names_in_apposition_to_a_person_are_found_however_common_a_word(analyzer):
    text = ("so at the start of the year her nan, joy, was the one who came in to see us about it "
            "and then the senco, sunny, rang me to say that the family would need a bit more time. "
            "we need patience, really, with this family and the teacher, though, said that mum, "
            "again, was late to the meeting at the school.")
    spans = analyzer.analyze(text)
    for name in ("joy", "sunny"):
        assert not uncovered(spans, text, name), "a name in apposition was missed"
    for word in ("patience", "though", "again"):
        assert uncovered(spans, text, word), "a word between commas was taken for a name"


def test_caseless_rare_word_before_a_listed_surname_is_a_given_name(analyzer):
    text = ("so the new worker joined us in march and we had a quaint little office with a green "
            "door, and then kestrel brennan came from agency and kestrel brennan was brilliant with the "
            "families there.")
    spans = analyzer.analyze(text)
    assert not uncovered(spans, text, "kestrel brennan"), "a given name nobody listed was cut off its surname"
    assert uncovered(spans, text, "quaint") and uncovered(spans, text, "green door")


def test_caseless_verb_that_is_a_name_before_a_given_name_stays_a_word(analyzer):
    """A listed first name before a name gets a capital when it can open that name ("miles
    fairweather"), not when what follows is a given name only ("he said tyrese's mum")."""
    text = ("so i spoke to the dsl and he said tyrese's mum had rung, and then miles fairweather "
            "rang about it as well, which was good of him really")
    spans = analyzer.analyze(text)
    assert not uncovered(spans, text, "tyrese") and not uncovered(spans, text, "miles fairweather")
    said = text.index("said")
    assert not any(s.start <= said < s.end for s in spans), "the verb before a given name was redacted"


def test_caseless_congregation_named_by_words_before_its_head(analyzer):
    text = ("but then we found out she goes to a church, harvest life ministries, and the family go to "
            "the methodist church and a big old church in town, and we go to church on sunday")
    spans = analyzer.analyze(text)
    assert not uncovered(spans, text, "harvest life ministries"), "a congregation in lower case was missed"
    assert uncovered(spans, text, "methodist church") and uncovered(spans, text, "big old church")


def test_caseless_rare_word_in_a_name_is_found_alone_elsewhere(analyzer):
    """A rare word that is part of a person's name ("kestrel" of "kestrel brennan") is that
    person wherever it recurs in lower-case text, as object as well as subject."""
    texts = ["so the new worker joined in march, and then kestrel brennan came from agency",
             "the girl only told kestrel because kestrel was not from round there, a quaint idea"]
    spans = analyzer.analyze_corpus(texts)
    assert not uncovered(spans[1], texts[1], "kestrel"), "a rare word of a name was not found again"
    assert uncovered(spans[1], texts[1], "quaint")


def test_caseless_name_that_is_a_word_is_found_where_it_stands_as_a_subject(analyzer):
    """Lower-case speech-to-text: a person's name that is also a word ("will", "miles"),
    learned from a full mention, is that person again where it stands as a clause's subject
    ("will rang", "will usually forwards it") or owns something, and stays the word where
    it is a word ("i will see", "two miles is", "miles apart")."""
    texts = ["so the dsl, will ashcombe-pryor, sorted the referral out for us in the end",
             "and will rang me the next morning about it, will usually forwards them to me",
             "i will see her on friday, it will probably be fine, they live miles apart",
             "two miles is a long way for him to walk, and will's office is on the top floor"]
    spans = analyzer.analyze_corpus(texts)
    second, third, fourth = texts[1:]
    assert len(uncovered(spans[1], second, "will")) == 0, "a name that is a word, as a subject, was missed"
    owner = fourth.index("will's")
    assert covered(spans[3], owner, owner + len("will")), "a name that is a word, owning something, was missed"
    assert len(uncovered(spans[2], third, "will")) == 2, "the verb 'will' was taken for the name"
    assert uncovered(spans[2], third, "miles") and uncovered(spans[3], fourth, "miles")


def test_a_learned_name_that_is_a_word_opening_a_sentence_as_its_subject_is_the_name(analyzer):
    texts = ["At the school the DSL, Will Ashcombe, had been involved from the start.",
             "Some are. Will is, he has done the full training. Will said so.",
             "Will you come? Will it work out? I hope so."]
    spans = analyzer.analyze_corpus(texts)
    assert not uncovered(spans[1], texts[1], "Will"), "a name opening a sentence as its subject was missed"
    assert len(uncovered(spans[2], texts[2], "Will")) == 2, "the verb opening a question was taken for the name"


def _caseless_lines_by_counting(text: str) -> list[tuple[int, int]]:
    """caseless_lines as its rule reads, counting every text's words (no quick ruling out)."""
    from qual.deid import caseless as C

    counts = C._word_counts(text)
    lines = text.count("\n") + 1 - len(C._BLANK_LINE_RE.findall(text))
    if C._is_caseless(counts) and counts[0] >= C.LINE_WORDS * lines and text.count(",") < C.LIST_COMMAS * counts[0]:
        if "\n" not in text:
            return [(0, len(text))] if text else []
        return [m.span() for m in C._LINE_RE.finditer(text) if C._TWO_WORDS_RE.search(m.group())]
    if "\n" not in text:
        return []
    return [m.span() for m in C._LINE_RE.finditer(text)
            if (c := C._word_counts(m.group()))[0] >= C.PROSE_LINE_WORDS
            and m.group().count(",") < C.LIST_COMMAS * c[0] and C._is_caseless(c)]


_CASE_WORDS = ["i", "I", "I'm", "i'm", "It", "So", "Kayden", "ÉLODIE", "o'Neil", "IT", "well-Known",
               "3Kids", "Sam Jones:", "[00:01] Sam:", "\n", "\n\n", ",", ".", " - ", "(Zoe)", "\"Hi\""]
_LOWER_WORDS = ["it", "so", "kayden", "élodie", "a", "x", "and", "the", "well", "really"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LOWER_WORDS), min_size=20, max_size=300),
       st.lists(st.tuples(st.integers(0, 300), st.sampled_from(_CASE_WORDS)), max_size=6))
def test_caseless_lines_rules_texts_out_as_counting_their_words_would(words, insertions):
    # long lowercase runs with a few capitals, labels, I-forms and line breaks put in: where
    # the quick ruling-out is closest to the counted rule
    from qual.deid.caseless import caseless_lines

    words = list(words)
    for position, word in insertions:
        words.insert(min(position, len(words)), word)
    text = " ".join(words)
    assert caseless_lines(text) == _caseless_lines_by_counting(text)


def test_places_of_several_words_are_found_whole_and_typed_as_places(analyzer):
    """A listed place of several words is found whole, in lower-case speech-to-text once one of
    its words reads as a name ("high wycombe" was cut to its second word), and as people write
    it without its hyphens or apostrophe ("Stoke on Trent", "kings lynn"); a first name inside
    it ("Trent", "Lynn") does not make it a person. Everyday phrases stay words."""
    text = ("we met at the library in high wycombe and then she moved to market harborough. "
            "her dad lives in stoke on trent, her nan near kings lynn. "
            "the high street was busy and the market was on.")
    spans = analyzer.analyze(text)
    for place in ("high wycombe", "market harborough", "stoke on trent", "kings lynn"):
        assert not uncovered(spans, text, place), "a place of several words was cut short"
        start = text.index(place)
        assert covered(spans, start, start + len(place), T.PERSON) is False, "a place typed as a person"
    for words in ("the high street", "the market was"):
        assert uncovered(spans, text, words), "an everyday phrase was taken for a place"
    cased = "Her dad lives in Stoke on Trent, her nan near Kings Lynn."
    spans = analyzer.analyze(cased)
    for place in ("Stoke on Trent", "Kings Lynn"):
        start = cased.index(place)
        assert not uncovered(spans, cased, place)
        assert not covered(spans, start, start + len(place), T.PERSON), "a place typed as a person"


def test_an_age_at_the_end_of_a_turn_is_read_without_the_next_turn(analyzer):
    """What follows an age is read on its own line: the next turn's "And?" is no "and" of
    "fifteen and twenty", so deidentify (a corpus at once) and check (one file) agree."""
    texts = ["Who came through?", "there was one for a boy called kayden, he's fifteen", "And?",
             "She was fifteen and twenty were there."]
    spans = analyzer.analyze_corpus(texts)
    assert [texts[1][s.start:s.end] for s in spans[1] if s.type is T.AGE] == ["fifteen"]
    assert not [s for s in spans[3] if s.type is T.AGE]


def test_a_date_joined_to_words_by_underscores_is_found(analyzer):
    """A file name's date ("interview_15-02-2022.m4a", a Word title or a media file): the
    underscore joins words there, it does not make the date part of one."""
    text = "Wyvernham_SW_interview_15-02-2022.m4a and 2019-03-12_final.docx"
    spans = analyzer.analyze(text)
    for date in ("15-02-2022", "2019-03-12"):
        assert not uncovered(spans, text, date, T.DATE), "a date in a file name was missed"


def test_a_thing_someone_has_is_no_subject_of_an_age(analyzer):
    """"<Name>'s attendance is about eighty-five": a possessive marks a person, but what they
    have (attendance, house, phone) is not the one whose age a number gives; "my son's
    eleven" is. Read with a number after it too, as a check of the whole output file reads it."""
    text = "And Marius's attendance is about eighty-five now.\n\n28\tInterviewer: and so"
    assert not [s for s in analyzer.analyze(text) if s.type is T.AGE]
    assert [s.text for s in analyzer.analyze("My son's eleven now.") if s.type is T.AGE] == ["eleven"]


def test_an_age_given_as_the_answer_to_how_old(analyzer):
    """"And how old is he now?" - "twelve, yeah, thirteen next month.": the reply's opening
    numbers are his age; a building's age is no one's."""
    texts = ["and how old is he now?", "twelve, yeah, thirteen next month.",
             "How old is the building?", "Nineteen sixty-something."]
    spans = analyzer.analyze_corpus(texts)
    assert [texts[1][s.start:s.end] for s in spans[1] if s.type is T.AGE] == ["twelve", "thirteen"]
    assert not [s for s in spans[3] if s.type is T.AGE]
    # an age checked back ("so he's twelve?") is answered the same way
    texts = ["so she's fourteen?", "fourteen, yeah, fifteen in may."]
    spans = analyzer.analyze_corpus(texts)
    assert [texts[1][s.start:s.end] for s in spans[1] if s.type is T.AGE] == ["fourteen", "fifteen"]
