"""Detection of the kinds of miss of issue 12 that rules handle: names spelled out, codes of
several segments, vehicle registrations, dates said as ordinals, phone separators, postcodes
in lower case, and the short forms of names found in full elsewhere (initials, a first
syllable, a school's initials). Rules only (``ner=None``), so each rule is tested alone."""

from __future__ import annotations

import pytest

from qual.deid.analyzer import Analyzer
from qual.deid.types import EntityType as T


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(ner=None)


def found(analyzer: Analyzer, text: str) -> dict[str, T]:
    return {span.text: span.type for span in analyzer.analyze(text)}


def test_names_spelled_out_letter_by_letter(analyzer):
    spans = found(analyzer, "Yes, it's R-O-S-A-L-I-N-D, and the surname is W E X F O R D E.")
    assert spans.get("R-O-S-A-L-I-N-D") is T.PERSON
    assert spans.get("W E X F O R D E") is T.PERSON
    assert found(analyzer, "I, I, I think it was fine. A, B and C were ticked.") == {}


def test_a_postcode_spelled_out_and_postcodes_in_lower_case(analyzer):
    assert found(analyzer, "It's L S 6, 2 Q T.").get("L S 6, 2 Q T") is T.POSTCODE
    spans = found(analyzer, "we were at ms63ra then, and after that ls6 2qt")
    assert spans.get("ms63ra") is T.POSTCODE and spans.get("ls6 2qt") is T.POSTCODE
    assert found(analyzer, "She's in Y9 2nd set now, ls6 2nd.") == {}


def test_codes_of_several_segments_and_vehicle_registrations(analyzer):
    spans = found(analyzer, "The reference is KL/CIN/2019/8540 and his car was KY13 ATE.")
    assert spans.get("KL/CIN/2019/8540") is T.CASE_NUMBER
    assert spans.get("KY13 ATE") is T.CASE_NUMBER
    spans = found(analyzer, "it's mr-dfs-2020-0412 on the letter, the van was ab61xyz")
    assert spans.get("mr-dfs-2020-0412") is T.CASE_NUMBER and spans.get("ab61xyz") is T.CASE_NUMBER
    assert found(analyzer, "We ran it in 2019/20 and/or the year after.").get("and/or") is None


def test_dates_said_as_ordinals(analyzer):
    spans = found(analyzer, "She was born the ninth of the fourth, oh seven.")
    assert spans.get("ninth of the fourth, oh seven") is T.DATE_OF_BIRTH
    assert found(analyzer, "It was the twelfth of the sixth, twenty twelve.").get(
        "twelfth of the sixth, twenty twelve") is T.DATE
    assert found(analyzer, "It was the first of the sessions, the second of the three.") == {}


def test_phone_numbers_with_dashes_and_underscores(analyzer):
    spans = found(analyzer, "On 07700 \u2013 900481, 07700\u2011900482 or 07700_900483.")
    assert set(spans) == {"07700 \u2013 900481", "07700\u2011900482", "07700_900483"}
    assert set(spans.values()) == {T.PHONE}


def test_initials_and_first_syllables_of_a_person_found_in_full(analyzer):
    text = ("Rosalind Wexforde started in May. We call her Ros, R.W. on the forms. "
            "Tyler-Jay Brennock came too; TJ is fine.")
    spans = found(analyzer, text)
    assert spans.get("Ros") is T.PERSON
    assert spans.get("R.W.") is T.PERSON
    assert spans.get("TJ") is T.PERSON
    # no syllable without the full name: nothing to learn it from (initials written with dots
    # are a person's anyway: names.initials)
    alone = found(analyzer, "We spoke to them. TJ signed it, then R.W. signed it.")
    assert "TJ" not in alone and alone.get("R.W.") is T.PERSON


def test_initials_that_are_also_an_abbreviation(analyzer):
    # "DB" is an abbreviation about as common as a first syllable: a person's initials when
    # the corpus names the person in full; not without the name
    texts = ["The DSL, Dana Brockley, set it up.", "On the log you'll see DB discussed with SWIS."]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [(s.text, s.type) for s in spans[1]] == [("DB", T.PERSON)]
    assert Analyzer(ner=None).analyze_corpus(texts[1:]) == [[]]


def test_initials_of_a_given_name_of_two_halves_found_alone(analyzer):
    # "Tyler-Jay" with no surname anywhere still teaches "TJ"; a name of one part does not
    texts = ["Kaylee-Rose's dad is in prison now.", "KR visits him every other Saturday, and so does SH."]
    spans = Analyzer(ner=None).analyze_corpus(texts + ["Shannon came too."])
    assert [s.text for s in spans[1]] == ["KR"]


def test_initials_of_a_school_found_in_full(analyzer):
    spans = found(analyzer, "She went to Bishop Latimer Academy. BL is fine. Then Oakhaven High School, OHS.")
    assert spans.get("BL") is T.SCHOOL
    assert spans.get("OHS") is T.SCHOOL
    # a keep-listed acronym is no school's initials
    assert "SW" not in found(analyzer, "Sarah Williams is at Southwark Works. The SW came.")


def test_organisations_named_by_a_generic_last_word(analyzer):
    spans = found(analyzer, "We go to Resurrection Power Assembly, and Brindlemoor Safe Futures helped.")
    assert spans.get("Resurrection Power Assembly") is T.ORGANISATION
    assert spans.get("Brindlemoor Safe Futures") is T.ORGANISATION
    assert found(analyzer, "I went to the shop and the market and the pub.") == {}


def test_a_known_identifier_that_a_keep_term_explains_is_redacted_for_review():
    """Item 10: the key knows "Brook" the worker, the keep-list "Brook" the charity: every
    mention is reported (for review), so deidentify and ``check --key`` agree."""
    from qual.deid.keeplist import KeepList

    keep = KeepList.default()
    keep.add("Brook")
    analyzer = Analyzer(ner=None, keep_list=keep)
    text = "Brook came round on Tuesday. Brook is a charity. I told Brook."
    assert analyzer.analyze(text) == []  # nothing known: the keep-list stands
    analyzer.remember([("PERSON", "Brook")])
    spans = analyzer.analyze(text)
    assert [s.text for s in spans] == ["Brook"] * 3
    assert all(s.type is T.PERSON and 0.4 < s.confidence < 0.7 for s in spans)


def test_a_named_estate_and_a_rag_rating(analyzer):
    spans = found(analyzer, "She lives on the Links estate. We rated it Red, Amber, Green. Amber said so.")
    assert spans.get("Links") is T.PLACE
    assert [s.text for s in analyzer.analyze("We rated it Red, Amber, Green. Amber said so.")] == ["Amber"]
    assert found(analyzer, "the housing estate was rough, the English estate too") == {}


def test_a_named_refuge_or_hostel_however_common_its_words(analyzer):
    # where a family shelters is named by capitalised words before a lower-case head
    text = "They were in a refuge, the Brighter Days refuge, then the Safe Harbour hostel."
    spans = found(analyzer, text)
    assert spans.get("Brighter Days") is T.ORGANISATION and spans.get("Safe Harbour") is T.ORGANISATION
    assert found(analyzer, "We went to the refuge, then the English hostel and the youth shelter.") == {}


def test_dates_with_a_month_in_lower_case(analyzer):
    spans = found(analyzer, "i started on the 8th of september 2020, she was born on the ninth of june, two thousand and nine")
    assert spans.get("8th of september 2020") is T.DATE
    assert spans.get("ninth of june, two thousand and nine") is T.DATE_OF_BIRTH
    assert found(analyzer, "I may go on the 3rd. we may meet in march or may.") == {}
    # a month written short, and a year of two digits, after a day in digits
    spans = found(analyzer, "she was born 3rd feb 09 and lives with her nan, seen on the 12th of sept 2021")
    assert spans.get("3rd feb 09") is T.DATE_OF_BIRTH and spans.get("12th of sept 2021") is T.DATE
    assert found(analyzer, "the first may be late, and i saw jan on the 2nd") == {}


def test_caseless_first_names_before_surnames_and_street_addresses(analyzer):
    spans = found(analyzer, "so i spoke to miles fairweather about it and then we went home after that")
    assert spans.get("miles fairweather") is T.PERSON
    spans = found(analyzer, "it is a 15 minute walk from here and we are at 42 larch walk, about 2 miles down the road")
    assert spans == {"42 larch walk": T.ADDRESS}


def test_caseless_name_that_is_a_word_given_a_year_group_or_a_role(analyzer):
    # "summer", "dawn" are words first; a year group or a role after them says person
    spans = found(analyzer, "then there's summer, she's in year 8 and she is doing really well now")
    assert spans.get("summer") is T.PERSON
    spans = found(analyzer, "and then dawn, the learning mentor, sits in with us on a monday")
    assert spans.get("dawn") is T.PERSON
    assert found(analyzer, "it was summer, the best time of the year, and yeah, the learning mentor said so") == {}
    spans = found(analyzer, "Dawn, the learning mentor, sits in with us.")
    assert spans.get("Dawn") is T.PERSON


def test_propagation_learns_no_function_word(analyzer):
    """Item 11: "In Hong Kong's High Court" must not teach "In" (a country or territory alone
    is kept, as the client's conventions have it; a name made with one is not: "Hong Kong
    Polytechnic" below)."""
    text = ("In Hong Kong's High Court the judge ruled. In the end it was fine. In March they met. "
            "She studied at Hong Kong Polytechnic University.")
    spans = analyzer.analyze(text)
    assert [s.text for s in spans if s.text.startswith("In")] == []
    assert any("Hong Kong Polytechnic" in s.text for s in spans)


def test_a_short_form_is_found_in_lower_case_in_caseless_text(analyzer):
    text = "tell me about simona winship. simona winship is fifteen. we call sim by that, sim likes it. i will go."
    spans = analyzer.analyze(text)
    assert [s.text for s in spans if s.text == "sim"] == ["sim", "sim"]
    assert not [s for s in spans if s.text == "will"]


def test_initials_as_common_as_an_abbreviation_in_caseless_text():
    # "DB" is listed by a dictionary as most pairs of letters are; lower-cased in a caseless
    # transcript it is still the initials of the person named in full
    texts = ["the dsl dana brockley set it up. dana brockley is great.",
             "on the log you'll see db discussed with swis"]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [s.text for s in spans[1]] == ["db"]
    assert Analyzer(ner=None).analyze_corpus(texts[1:]) == [[]]


def test_a_name_heard_as_two_words_is_found_for_review(analyzer):
    # speech-to-text hears an unfamiliar name as familiar words: "ten day" of Tendai
    texts = ["Tendai Moyo is in Year 9 and Kayden Thornbury is in Year 10.",
             "So I started seeing ten day once a week, and thorn bury came along.",
             "I was going to land on that, the tenth day."]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    heard = [(s.text, s.type, s.confidence) for s in spans[1]]
    assert heard == [("ten day", T.PERSON, 0.5), ("thorn bury", T.PERSON, 0.5)]
    assert spans[2] == []  # a function word ("land on"), two letters off ("tenth day")
    # no name in the corpus, nothing heard apart
    assert Analyzer(ner=None).analyze_corpus(texts[1:]) == [[], []]


def test_a_house_number_said_in_words_and_a_caseless_street(analyzer):
    spans = found(analyzer, "she went to stay with her nan at forty one cinder lane and then came home")
    assert spans.get("forty one cinder lane") is T.ADDRESS
    assert found(analyzer, "She lives at forty-one Cinder Lane now.").get("forty-one Cinder Lane") is T.ADDRESS
    # a street in lower case after a number in words names itself by a rare word
    assert found(analyzer, "there's only one main road and two new houses and a 15 minute walk") == {}


def test_a_user_name_said_aloud_with_underscores(analyzer):
    spans = found(analyzer, "she had an account at hope underscore mcc zero eight and she'd been posting")
    assert spans.get("at hope underscore mcc zero eight") is T.HANDLE
    assert found(analyzer, "Underscore the point, she said.") == {}


def test_a_school_named_by_what_comes_before_of(analyzer):
    # "Our Lady's" of "Our Lady of Lourdes Catholic College", learned from the full name
    texts = ["Will has Our Lady of Lourdes Catholic College and Hollowmere Academy.",
             "A boy at Our Lady's, and Our Lady's are thinking about it."]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [(s.text, s.type) for s in spans[1]] == [("Our Lady's", T.SCHOOL)] * 2
    assert Analyzer(ner=None).analyze_corpus(texts[1:]) == [[]]


def test_a_school_named_without_its_kind_is_found_again(analyzer):
    # "Holy Trinity" of "Holy Trinity Catholic High School", in caseless text too, where its
    # everyday words say nothing by themselves
    for texts in (["I'm at Holy Trinity Catholic High School three days a week.",
                   "At Holy Trinity I turned up and reception didn't know me."],
                  ["i'm at holy trinity catholic high school three days a week",
                   "at holy trinity i turned up and reception didn't know who i was"]):
        spans = Analyzer(ner=None).analyze_corpus(texts)
        assert [s.text.lower() for s in spans[1]] == ["holy trinity"]


def test_caseless_school_names_of_everyday_words(analyzer):
    spans = found(analyzer, "i'm at holy trinity catholic high school three days and oak tree primary two")
    assert spans.get("holy trinity catholic high school") is T.SCHOOL
    assert spans.get("oak tree primary") is T.SCHOOL
    assert found(analyzer, "we went to a catholic school and then the local academy and a good high "
                           "school and a feeder primary") == {}


def test_caseless_rare_name_before_a_role_without_a_comma(analyzer):
    spans = found(analyzer, "he dealt with it straight away spoke to bola our dsl and they did a referral")
    assert spans.get("bola") is T.PERSON
    assert found(analyzer, "i spoke to school our dsl and then to mum her social worker") == {}


def test_caseless_names_that_are_words_said_again_or_before_a_past_tense():
    texts = ["there's a girl in year 10, summer, summer leary. she's 15.",
             "second round we got will tranter. will picked up that the boy was translating. i will go.",
             "the summer holidays worry me. we will need more."]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [s.text for s in spans[0]][:2] == ["summer", "summer leary"]
    assert [s.text for s in spans[1]] == ["will tranter", "will"]
    assert spans[2] == []


def test_caseless_school_named_with_of(analyzer):
    spans = found(analyzer, "will has our lady of lourdes catholic college and a school in the middle of town")
    assert spans.get("our lady of lourdes catholic college") is T.SCHOOL  # "Our Lady", as "St"
    assert found(analyzer, "the front door still sends things back sometimes saying school should deal with it") == {}


def test_a_first_name_after_the_words_that_give_one_in_caseless_text(analyzer):
    spans = found(analyzer, "so there was a year 9 who goes by jess and a lad called hunter in year 8")
    assert spans.get("jess") is T.PERSON and spans.get("hunter") is T.PERSON
    assert found(analyzer, "the bus goes by the school and a place called the hub") == {}


def test_a_caseless_school_teaches_its_short_form():
    texts = ["will has our lady of lourdes catholic college and hollowmere academy",
             "a boy at our lady's, and our lady's are thinking about it"]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [(s.text, s.type) for s in spans[1]] == [("our lady's", T.SCHOOL)] * 2


def test_ages_after_an_adverb_a_future_birthday_or_a_plural_and_years_of_birth(analyzer):
    spans = found(analyzer, "She'll be sixteen in June. He's only thirteen and his sister is nine. "
                            "The twins are eleven. They were born in two thousand and eight.")
    assert spans.get("sixteen") is T.AGE and spans.get("thirteen") is T.AGE and spans.get("eleven") is T.AGE
    assert spans.get("two thousand and eight") is T.DATE_OF_BIRTH
    assert found(analyzer, "It'll be two weeks. We'll be three in the team. They were two and a half "
                           "hours late. There are seven.") == {}


def test_caseless_place_prefixes_congregations_and_names_given_by_their_context(analyzer):
    spans = found(analyzer, "they live in upper wendham and she goes to resurrection power assembly")
    assert "upper wendham" in spans and "resurrection power assembly" in spans
    spans = found(analyzer, "her name's precious and she's in year 9, and joy is her cousin. river said no.")
    assert all(spans.get(name) is T.PERSON for name in ("precious", "joy", "river"))
    assert found(analyzer, "the report said no, and the school said yes. mum said no. "
                           "we had a whole school assembly. it was a great deal.") == {}


def test_dates_of_birth_said_in_words_month_first_or_digit_by_digit(analyzer):
    spans = found(analyzer, "she was born march the fourteenth two thousand nine. his dob is fourteen oh "
                            "three oh nine. he was born in june two thousand and eight.")
    assert spans.get("march the fourteenth two thousand nine") is T.DATE_OF_BIRTH
    assert spans.get("fourteen oh three oh nine") is T.DATE_OF_BIRTH
    assert spans.get("june two thousand and eight") is T.DATE_OF_BIRTH
    assert found(analyzer, "may the fourth be with you. he was born on one of those days.") == {}


def test_caseless_organisation_named_by_a_surname_before_its_kind(analyzer):
    assert "pelham family hub" in found(analyzer, "so i've asked the pelham family hub to keep an eye on her")
    assert found(analyzer, "there's a lot of mistrust of the council, and we've got a fortnightly swis "
                           "group on teams, and his mum goes to the slimming club") == {}


def test_caseless_names_that_are_words_by_their_place_in_the_clause():
    texts = ["mornings i catch up with will, will carmody, he's the dsl, and her partner, bill, was there.",
             "will eventually found me a room. i said to will, let me have a go. will and me decide who "
             "checks in. before, everything went to will and will went to the front door. to be fair to "
             "bill, he's on a programme now. at hazelmere bill usually forwards it.",
             "i will, i promise. you will eventually see. it's up to you and me. the gas bill was one "
             "thing. i went to the will reading."]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [s.text for s in spans[1]][:6] == ["will"] * 5 + ["bill"] and "bill" in spans[1][6].text
    assert spans[2] == []


def test_speech_with_many_commas_is_read_caselessly_and_keyword_lists_are_not():
    from qual.deid.caseless import caseless_lines

    speech = "so there's a girl, summer, she's in year 9, she's thirteen, and over the year"
    assert caseless_lines(speech) == [(0, len(speech))]
    assert caseless_lines("ingest, deid, check, export, refi, app, coding, matrix") == []


def test_a_place_named_by_everyday_words_then_said_to_be_an_institution(analyzer):
    spans = found(analyzer, "Every Friday we all meet at the Hive, which is the family hub. The Bridge, which "
                            "is the PRU, took him. there's a group at the lighthouse, it's a family centre.")
    assert spans.get("Hive") is T.ORGANISATION and spans.get("Bridge") is T.SCHOOL
    assert spans.get("lighthouse") is T.ORGANISATION
    assert found(analyzer, "It was the same, it's a big school. We sent him to the school, which is a big "
                           "academy. The office, which is a small unit.") == {}


def test_a_postcode_of_an_area_no_real_postcode_uses(analyzer):
    spans = found(analyzer, "It's 27 Kiln Lane, QX7 4RU, or qx7 4ru in the text.")
    assert spans.get("QX7 4RU") is T.POSTCODE and spans.get("qx7 4ru") is T.POSTCODE


def test_a_rare_word_of_a_school_and_a_saint_school_found_alone():
    texts = ["He goes to Kingfisher Academy and she goes to St Bride's Catholic College.",
             "At Kingfisher they were great. Bride's was easier.",
             "he goes to kingfisher academy. at kingfisher they were great."]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [s.text for s in spans[1]] == ["Kingfisher", "Bride's"]
    assert [s.text for s in spans[2]] == ["kingfisher academy", "kingfisher"]
    # an everyday word of a name is not learned alone ("Agile" of "Disciplined Agile")
    spans = Analyzer(ner=None).analyze_corpus(["We used Disciplined Agile Consulting.", "Be agile. Agile is good."])
    assert spans[1] == []


def test_a_caseless_estate_named_by_a_rare_word(analyzer):
    assert found(analyzer, "it's the big one on the orchard estate, near the shops").get("orchard") is T.PLACE
    assert found(analyzer, "he lives on the council estate by the trading estate, near the shops") == {}


def test_a_caseless_school_named_after_a_saint_keeps_the_saint_and_teaches_its_short_form():
    texts = ["i cover meadowbank academy and st bride's catholic college out in the valley",
             "i'm at meadowbank three days and bride's two, and bride's was easier"]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert "st bride's catholic college" in [s.text for s in spans[0]]
    assert [s.text for s in spans[1] if s.type is T.SCHOOL].count("bride's") == 2


def test_a_caseless_name_set_off_before_who_or_given_a_role_by_its_letters(analyzer):
    spans = found(analyzer, "there's a year 8, hope, who came every week, and mark, the pcso, was brilliant")
    assert spans.get("hope") is T.PERSON and spans.get("mark") is T.PERSON
    assert found(analyzer, "there was no hope, who knows why, and the mark, the grade, was fine") == {}
    assert found(analyzer, "And Mark, the PCSO, was brilliant.").get("Mark") is T.PERSON


def test_an_email_and_a_web_address_said_aloud_in_pieces(analyzer):
    # speech-to-text writes an initial apart from its surname and a domain as two words
    text = "my email is g costello at dunmarsh swis dot org dot uk and their site is dunmarsh family hub dot org dot uk"
    spans = found(analyzer, text)
    assert spans.get("g costello at dunmarsh swis dot org dot uk") is T.EMAIL
    assert spans.get("dunmarsh family hub dot org dot uk") is T.URL
    assert found(analyzer, "it's all on their website dot com now, it's dot com") == {}


def test_a_name_given_by_calling_someone_it_and_a_surname_prefix_written_apart(analyzer):
    spans = found(analyzer, "yeah everybody calls her zee and i report to dave o hare whos head of service")
    assert spans.get("zee") is T.PERSON and spans.get("dave o hare") is T.PERSON
    assert found(analyzer, "they call him lazy, call him back, and we went to the o two arena") == {}


def test_a_code_after_a_services_number_a_user_name_with_an_underscore_and_a_caseless_birth_date(analyzer):
    spans = found(analyzer, "It's under her Early Help number, EH 20417. The account was called jay_trainz07.")
    assert spans.get("EH 20417") is T.CASE_NUMBER and spans.get("jay_trainz07") is T.HANDLE
    assert found(analyzer, "We had a number, 300 of them, and the room number is 12.") == {}
    spans = found(analyzer, "yeah so she was born 12 april 2011 if you need it, and she was twelve at the time")
    assert spans.get("12 april 2011") is T.DATE_OF_BIRTH and spans.get("twelve") is T.AGE
    assert found(analyzer, "it might be that 2 may be enough, and he was 3 at the back") == {}


def test_caseless_street_after_a_preposition_and_a_name_said_again_in_full(analyzer):
    spans = found(analyzer, "mum runs a takeaway on station parade and the first time i rang she put the phone down")
    assert spans.get("station parade") is not None
    assert found(analyzer, "we went on the high street, in some way, in first place, down two roads") == {}
    spans = found(analyzer, "so she started in september, mercy, mercy bo ateng, and to be honest it was fine")
    assert "mercy" in spans and "mercy bo ateng" in spans


def test_caseless_contractions_without_their_apostrophe_are_words(analyzer):
    assert found(analyzer, "to be honest we werent told much and youre right thats it, i dont know, theyve gone") == {}


def test_a_time_of_day_said_with_a_date_is_part_of_it(analyzer):
    spans = found(analyzer, "The police had been out at 2 a.m. on the 12th of June. It was the 3rd of May at 9.30pm.")
    assert spans.get("2 a.m. on the 12th of June") is T.DATE and spans.get("3rd of May at 9.30pm") is T.DATE
    assert "4th of May" in found(analyzer, "On the 4th of May at school it was fine.")


def test_a_learned_caseless_name_before_a_verb_only_a_person_does():
    texts = ["so there's a girl, summer, she's in year 9, and it fell off a cliff, you know",
             "and in the end summer told me she was staying home to keep an eye on mum",
             "the gas bill told us nothing and the summer rang with laughter"]
    spans = Analyzer(ner=None).analyze_corpus(texts)
    assert [s.text for s in spans[1]] == ["summer"] and spans[2] == []


def test_ni_numbers_in_lower_case_and_named_a_sentence_before_and_lower_case_scheme_letters(analyzer):
    spans = found(analyzer, "her number was ab 12 34 56 c, written on a form")
    assert spans.get("ab 12 34 56 c") is T.NI_NUMBER
    spans = found(analyzer, "I've still got mum's National Insurance number on a post it on my desk from doing "
                            "that form, QD 48 26 71 C, I should shred that.")
    assert spans.get("QD 48 26 71 C") is T.NI_NUMBER
    assert found(analyzer, "its under her early help number, eh 20417, i think").get("eh 20417") is T.CASE_NUMBER
    assert found(analyzer, "her early help number is 20417").get("20417") is T.CASE_NUMBER


def test_an_age_in_words_in_apposition_after_a_name(analyzer):
    spans = found(analyzer, "There's a lad in Year 8, Yusuf Al-Amin, thirteen, the family came over. Then Kacper, fourteen.")
    assert spans.get("thirteen") is T.AGE and spans.get("fourteen") is T.AGE
    assert found(analyzer, "We have Year 9, ten, eleven. Chapter One, two, three.") == {}


def test_a_short_form_said_then_the_full_name_in_caseless_text(analyzer):
    spans = found(analyzer, "second round we got jo, joanne tranter, and then callum reid, who left us")
    assert spans.get("jo") is T.PERSON and spans.get("joanne tranter") is T.PERSON
    assert found(analyzer, "so, so many of them, and yes, yesterday it was fine, and we, we went home") == {}


def test_a_caseless_modal_before_i_is_no_given_name(analyzer):
    # "can" is a listed first name, and "i" gets its capital: still no name before a surname
    assert found(analyzer, "so i ask the family at the start, can i share this, and then may i ask") == {}


def test_a_name_put_right_by_the_speaker_is_a_name_too(analyzer):
    """A word the speaker corrects to a name is that name misspoken or misheard; what is
    corrected to a word, or an apology before a name, is not."""
    spans = found(analyzer, "there was one for a boy called lantern sorry lantari he's kurdish")
    assert spans.get("lantern") is T.PERSON
    spans = found(analyzer, "at the school, gloria, no, sorry, glenys, glenys ormerod, the dsl, said")
    assert spans.get("gloria") is T.PERSON
    spans = found(analyzer, "it was tuesday sorry wednesday, yeah sorry jayden can you repeat that")
    assert "tuesday" not in spans and "yeah" not in spans


def test_a_name_said_to_be_someones_in_caseless_speech(analyzer):
    """Caseless speech: a name given by "they know me as", a title with a letter as children
    name staff, someone asked after ("how's joy doing"); not "miss a lesson", "how is work going"."""
    assert found(analyzer, "the kids know me as gem, not as the social worker").get("gem") is T.PERSON
    spans = found(analyzer, "the kids at the school call him mr q and her miss k and that's fine")
    assert spans.get("q") is T.PERSON and any(text.startswith("k") for text in spans)
    assert found(analyzer, "and how's joy doing now, is she settled?").get("joy") is T.PERSON
    assert found(analyzer, "i didn't want her to miss a lesson, how is work going") == {}


def test_letters_said_to_be_initials(analyzer):
    spans = found(analyzer, "I signed it, my initials, CO, on every page, and hers are K.B. on the form.")
    assert spans.get("CO") is T.PERSON
    assert found(analyzer, "you'll see initials jm on the chronology").get("jm") is T.PERSON
    assert found(analyzer, "I put my initials on every page and the date.") == {}


def test_a_postcode_and_a_reference_read_out_with_digits_in_words(analyzer):
    """Speech-to-text writes a code read out one character at a time: a postcode by its
    shape, letters with four digits or more, digits alone after a word that announces a code;
    counting aloud is no code."""
    spans = found(analyzer, "the postcode was wrong as well it's z q seven two n d and i'd put a b")
    assert spans.get("z q seven two n d") is T.POSTCODE
    spans = found(analyzer, "through mash the reference was q f c two two oh one four seven and then")
    assert spans.get("q f c two two oh one four seven") is T.CASE_NUMBER
    spans = found(analyzer, "the referral number is four four oh one nine eight")
    assert spans.get("four four oh one nine eight") is T.CASE_NUMBER
    assert found(analyzer, "i went there one two three four times, two or three one to one sessions") == {}


def test_a_second_name_given_after_a_name_is_learned_with_it():
    """"Wrenmoor Academy, which everyone calls the Wren": the alias is found wherever it
    recurs, cased or caseless; an everyday word with its article counts only as the name."""
    analyzer = Analyzer(ner=None)
    texts = ["I cover Wrenmoor Academy, which everyone calls the Wren, and Otterbrook School.",
             "So at the Wren the notifications come in first thing.",
             "i cover wrenmoor academy, which everyone calls the wren, most days",
             "at the wren it was good, and a wren sang in the garden"]
    spans = analyzer.analyze_corpus(texts)
    second = [texts[1][s.start:s.end] for s in spans[1]]
    assert "Wren" in " ".join(second), "the alias was not found again"
    fourth = [(s.start, s.end) for s in spans[3]]
    assert any(texts[3][a:b].endswith("wren") and a < texts[3].index("it was") for a, b in fourth)
    assert not any(texts[3].index("a wren") <= a for a, _ in fourth), "the bird was taken for the school"
    # the verb before an unexplained school name is the sentence's, not the name's
    assert not any(texts[0][s.start:s.end].startswith("cover") for s in spans[0])
    assert not any(texts[2][s.start:s.end].startswith("cover") for s in spans[2])


def test_a_misheard_word_learned_as_a_name_is_not_spread_over_the_word():
    """A name that is a dictionary word, learned in caseless speech ("a boy called lantern"),
    counts again where a name stands, not wherever the word is ("a paper lantern")."""
    analyzer = Analyzer(ner=None)
    texts = ["so there was one for a boy called lantern sorry lantari he's kurdish",
             "they'd put a paper lantern up before that so they'd only been there a while",
             "and lantern said he was fine"]
    spans = analyzer.analyze_corpus(texts)
    assert spans[1] == [] or all("lantern" not in s.text for s in spans[1])
    assert any(s.text == "lantern" for s in spans[2])


def test_a_caseless_organisation_named_by_a_first_name_a_kind_and_a_head(analyzer):
    spans = found(analyzer, "she linked mum with noor women's circle, they've got urdu speaking workers")
    assert any("circle" in text and "noor" in text for text in spans)
    assert "loves football club" not in " ".join(found(analyzer, "kayden loves football club"))


def test_a_short_form_said_before_the_full_name_is_that_person():
    """"Aggie, Agnieszka Kowalczyk, the DSL": the word set off before the full name, opening as
    its first name does, is what she is called, found again wherever it recurs."""
    analyzer = Analyzer(ner=None)
    texts = ["At the school it's on the hoof. Aggie, Agnieszka Kowalczyk, the DSL there, is lovely.",
             "So I went to Aggie and we did the DASH together.",
             "Yes, Jayden Smith came, and so did the others."]
    spans = analyzer.analyze_corpus(texts)
    assert any(s.text == "Aggie" for s in spans[0]) and any(s.text == "Aggie" for s in spans[1])
    assert not any(s.text == "Yes" for s in spans[2])


def test_an_organisation_named_by_a_foodbank_or_a_circle(analyzer):
    spans = found(analyzer, "They were dropping off parcels from Hollins Cross Foodbank, and Noor Women's Circle helped.")
    assert "Hollins Cross Foodbank" in spans
    assert any("Circle" in text for text in spans)


def test_caseless_a_name_spoken_to_and_a_family_by_its_surname(analyzer):
    """Caseless speech: someone addressed at the start of a question ("cal, have you got a
    minute?"), a family named by its surname in the plural ("the mirzas"); not "right, have
    you got it", "the smiths", "the marks", "the parents"."""
    assert "cal" in found(analyzer, 'and i say, "cal, have you got a minute?" and he says yes')
    assert "mirzas" in found(analyzer, "there's a family, the mirzas. the son is in year 10")
    assert found(analyzer, "right, have you got it. i met the smiths and the marks and the parents") == {}


def test_a_school_named_with_a_plural_possessive(analyzer):
    for text in ("She's in Year 11 at Elvermoor Girls' Academy. Four notifications came.",
                 "she's in year 11 at elvermoor girls' academy and more came"):
        assert any(t.lower() == "elvermoor girls' academy" for t in found(analyzer, text))
    assert found(analyzer, "The kids' school was shut.") == {}


def test_an_organisation_named_after_a_preposition_then_said_to_be_one(analyzer):
    """"a worker from roads and roots, which is a traveller support group": everyday words
    name it because what follows says what it is; "mum and dad, who are a good team" do not."""
    spans = found(analyzer, "she came with a worker from roads and roots, which is a traveller support group")
    assert spans.get("roads and roots") is T.ORGANISATION
    assert found(analyzer, "we talked to mum and dad, who are a good team, and to them, which is a service") == {}
