"""Identity: entity-type descriptors, the tag grammar, normal forms, the span resolver, and
that ``qual deidentify`` and ``qual check`` agree on what is the same identifier."""

from __future__ import annotations

import pickle

import pytest

from qual.check.masking import Masker, fingerprint
from qual.deid.identity import (DIRECT, FIXED_TYPES, FOUND_AGAIN, NAME_LIKE, PLACEHOLDER_RE, QUASI, TAG_RE, EntityType,
                                fold, identity_key, letters, normal_form, normal_tokens, split_possessive,
                                strip_accents, tag_for, tag_number)
from qual.deid.identity import entities
from qual.deid.keysearch import KeySearch
from qual.deid.pseudonyms import EntityTable
from qual.deid.spans import merge_overlaps, overlap_groups, resolve
from qual.deid.types import Span

T = EntityType


# --------------------------------------------------------------------------- descriptors


def test_every_type_is_fully_described():
    for entity_type in T:
        info = entity_type.info
        assert info.description and info.tag, entity_type
        assert info.pseudonym in (entities.NUMBERED, entities.LETTERED, entities.FIXED)
        assert info.linked_by in (entities.PERSON_NAME, entities.DISTINCTIVE_WORDS, entities.PHONE_DIGITS,
                                  entities.DIGITS, entities.CASEFOLDED, entities.COMPACT, entities.WORDS)
        assert info.key_search in (entities.SEARCH_WORDS, entities.SEARCH_SPACED, entities.NOT_SEARCHED)
        assert (info.linked_by == entities.DISTINCTIVE_WORDS) == bool(info.generic), entity_type
    assert DIRECT | QUASI == frozenset(T) and not DIRECT & QUASI
    assert NAME_LIKE == {T.PERSON, T.SCHOOL, T.LOCAL_AUTHORITY, T.PLACE, T.ORGANISATION}
    assert FIXED_TYPES == frozenset(T) - NAME_LIKE
    assert FOUND_AGAIN == NAME_LIKE | {T.EMAIL, T.PHONE}


def test_types_behave_as_the_enum_they_were():
    assert T("SCHOOL") is T.SCHOOL and T.SCHOOL == "SCHOOL" and str(T.SCHOOL) == "SCHOOL"
    assert pickle.loads(pickle.dumps(T.DATE_OF_BIRTH)) is T.DATE_OF_BIRTH
    assert [t.value for t in T][:4] == ["PERSON", "SCHOOL", "LOCAL_AUTHORITY", "PLACE"]
    assert T.parse("la") is T.LOCAL_AUTHORITY and T.parse("Organization") is T.ORGANISATION
    assert T.parse("date-of-birth") is T.DATE_OF_BIRTH and T.parse("nonsense") is None


# --------------------------------------------------------------------------- tags


def test_the_tag_pattern_matches_exactly_the_tags_qual_writes():
    written = [tag_for(t, n) for t in T for n in (1, 2, 9, 26, 27, 123)]
    assert all(TAG_RE.fullmatch(tag) for tag in written)
    assert tag_for(T.PERSON, 3) == "[Person 3]" and tag_for(T.SCHOOL, 28) == "[School AB]"
    assert tag_for(T.EMAIL, 5) == "[Email]" and tag_for(T.DATE_OF_BIRTH, 1) == "[Date of birth]"
    for other in ("[Person]", "[School 3]", "[Email 2]", "[REDACTED]", "[person 3]", "[Person 3",
                  "[Teacher 2]", "[laughs]", "[Person three]"):
        assert not TAG_RE.fullmatch(other), other
    assert [m.group() for m in TAG_RE.finditer("[Person 1]'s mum at [School B], [Email].")] == \
        ["[Person 1]", "[School B]", "[Email]"]


def test_tag_numbers_and_letters_are_inverse():
    for number in (1, 25, 26, 27, 52, 702, 703):
        assert tag_number(tag_for(T.SCHOOL, number)) == number
        assert tag_number(tag_for(T.PERSON, number)) == number
    assert letters(27) == "AA" and tag_number("[Email]") is None and tag_number("") is None


def test_placeholders_of_other_tools_are_recognised():
    for placeholder in ("[REDACTED]", "[NAME]", "[CHILD_NAME]", "[Person 3]", "[Name 2]"):
        assert PLACEHOLDER_RE.fullmatch(placeholder), placeholder
    assert not PLACEHOLDER_RE.fullmatch("[laughs]")


# --------------------------------------------------------------------------- normal forms


def test_accents_case_possessives_and_spacing():
    assert strip_accents("Zoë Brontë") == "Zoe Bronte"
    folded = fold("ZOË Brontë’s")
    assert folded == "zoe bronte’s" and len(folded) == len("ZOË Brontë’s")
    assert fold("İstanbul") and len(fold("İstanbul")) == len("İstanbul")  # offsets kept
    assert split_possessive("Jayden's") == ("Jayden", "'s") and split_possessive("James’") == ("James", "’")
    assert normal_tokens(" Mr.  Jayden O’Brien's ") == ["mr", "jayden", "o'brien"]
    assert normal_form("Zoë’s ") == normal_form("ZOE") == "zoe"
    assert normal_form("J. Smith") != normal_form("J Smith")  # punctuation still counts here


@pytest.mark.parametrize("entity_type, same, different", [
    (T.PERSON, ["Mr Smith", "smith's", "SMITH"], ["Smyth"]),
    (T.SCHOOL, ["Castlebrook Academy", "castlebrook", "Castlebrook School"], ["Castlebrook Primary"]),
    (T.PHONE, ["07700 900123", "+44 7700 900123", "07700-900-123"], ["07700 900124"]),
    (T.POSTCODE, ["LS6 2AB", "ls62ab", "LS6-2AB"], ["LS6 2AC"]),
    (T.EMAIL, ["Jay@Example.org", " jay@example.org"], ["jay@example.com"]),
])
def test_identity_keys(entity_type, same, different):
    keys = {identity_key(entity_type, form) for form in same}
    assert len(keys) == 1
    assert not keys & {identity_key(entity_type, form) for form in different}


def test_deidentify_and_check_agree_on_the_same_identifier():
    # the forms the key links to one person are the forms qual check finds as that person
    table = EntityTable()
    person = table.link(T.PERSON, "Zoë Okafor")
    search = KeySearch(table, zipf=lambda word: 0.0)
    masker = Masker()
    for form in ("Zoe Okafor", "ZOË OKAFOR", "zoë okafor’s", "Okafor"):
        assert table.find(T.PERSON, form) is person
        text = f"I met {form} today."
        hits = search.find(text)
        assert [text[s.start:s.end] for s in hits] and all(s.detector == "key" for s in hits), "missed"
    assert masker.mask("Zoë’s") == masker.mask("zoe")
    assert fingerprint("salt", "a.txt", "PERSON", "ZOË") == fingerprint("salt", "a.txt", "PERSON", "zoe's")


# --------------------------------------------------------------------------- the span resolver


def span(start, end, entity_type=T.PERSON, confidence=0.9, detector="d") -> Span:
    return Span(start, end, entity_type, detector, confidence)


def test_overlapping_spans_are_grouped_and_merged_by_the_best_member():
    spans = [span(10, 14, T.PLACE, 0.6), span(0, 5), span(3, 8, T.SCHOOL, 0.95), span(12, 20, T.PLACE, 0.7)]
    assert [[(s.start, s.end) for s in g] for g in overlap_groups(spans)] == [[(0, 5), (3, 8)], [(10, 14), (12, 20)]]
    merged = merge_overlaps(spans)
    assert [(s.start, s.end, s.type, s.confidence) for s in merged] == [
        (0, 8, T.SCHOOL, 0.95), (10, 20, T.PLACE, 0.7)]
    alone = span(30, 35)
    assert merge_overlaps([alone]) == [alone]  # untouched, text and all
    # equally confident members: the longest types the union
    assert merge_overlaps([span(0, 4, T.PLACE), span(2, 10, T.SCHOOL)])[0].type is T.SCHOOL


def test_resolve_joins_names_and_trims_edges():
    text = "Ask (Jayden Smith's) mum."
    first, last = text.index("Jayden"), text.index("Smith")
    resolved = resolve(text, [span(first - 1, first + 6), span(last, last + 8)])
    assert [(text[s:e], best.type) for s, e, best in resolved] == [("Jayden Smith", T.PERSON)]
    # a possessive ends a name: "Jayden's Smith" is two
    text = "Jayden's Smith"
    assert len(resolve(text, [span(0, 8), span(9, 14)])) == 2
    # a phone keeps its opening bracket
    text = "(0161) 496 0732"
    assert [text[s:e] for s, e, _ in resolve(text, [span(0, len(text), T.PHONE)])] == [text]



def test_the_keys_numbers_are_found_with_any_one_separator_and_as_whole_words():
    from qual.deid.pseudonyms import EntityTable

    table = EntityTable(seed="spaced")
    table.link(EntityType.PHONE, "07700 900461")
    table.link(EntityType.CASE_NUMBER, "BR/CIN/2021/0338")
    search = KeySearch(table)
    found = [s.text for s in search.find("ring 07700900461, or +44 7700 900 461, not 077009004610")]
    assert found == ["07700900461", "+44 7700 900 461"]
    assert [s.text for s in search.find("ref br-cin-2021-0338; not BR/CIN/2021/03381")] == ["br-cin-2021-0338"]
    assert search.find("0770  0900461 and 0770\n0900461") == []  # two separators, a line break
