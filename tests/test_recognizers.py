"""Every recognizer family on the cases it exists for, and on the look-alikes it must leave.

Texts here are invented (phone numbers from Ofcom's drama ranges). Assertions report
positions and counts only, never the text of an identifier.
"""

from __future__ import annotations

import pytest

from qual.deid.analyzer import Analyzer
from qual.deid.recognizers.ids import nhs_checksum_ok, ni_number_ok
from qual.deid.types import EntityType as T
from qual.deid.types import Span


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(ner=None)


def _covering(spans: list[Span], start: int, end: int) -> list[Span]:
    return [s for s in spans if s.start <= start and end <= s.end]


def missing(analyzer: Analyzer, text: str, needles: list[str], entity_type: T | None = None) -> list[int]:
    """Indices of ``needles`` (substrings of ``text``) not covered by one span (of the type)."""
    spans = analyzer.analyze(text)
    absent = []
    for k, needle in enumerate(needles):
        start = text.index(needle)
        covering = _covering(spans, start, start + len(needle))
        if not covering or (entity_type is not None and covering[0].type is not entity_type):
            absent.append(k)
    return absent


def touched(analyzer: Analyzer, text: str, needles: list[str]) -> list[int]:
    """Indices of ``needles`` that any span overlaps (they should have been left alone)."""
    spans = analyzer.analyze(text)
    hit = []
    for k, needle in enumerate(needles):
        start = text.index(needle)
        if any(s.start < start + len(needle) and start < s.end for s in spans):
            hit.append(k)
    return hit


def span_of(analyzer: Analyzer, text: str, needle: str) -> tuple[int, int] | None:
    """Offsets of the span covering ``needle``, relative to the needle's start."""
    start = text.index(needle)
    covering = _covering(analyzer.analyze(text), start, start + len(needle))
    return (covering[0].start - start, covering[0].end - start) if covering else None


# --------------------------------------------------------------------------- contact


def test_emails_written_and_spoken(analyzer):
    text = ("Send it to j.okafor@castlebrook-academy.example.org or to "
            "jay dot smith at gmail dot com, thanks.")
    gaps = missing(analyzer, text, ["j.okafor@castlebrook-academy.example.org",
                                    "jay dot smith at gmail dot com"], T.EMAIL)
    assert not gaps, f"emails not found: {gaps}"


def test_urls(analyzer):
    text = ("The form is on www.phoenixyouthhub.example.org/refer and https://example.com/a?b=1, "
            "or hollinsford.gov.uk.")
    gaps = missing(analyzer, text, ["www.phoenixyouthhub.example.org/refer",
                                    "https://example.com/a?b=1", "hollinsford.gov.uk"], T.URL)
    assert not gaps, f"URLs not found: {gaps}"
    found = touched(analyzer, "We did it e.g. last week, i.e. quickly.", ["e.g.", "i.e."])
    assert found == []


def test_handles_but_not_email_domains(analyzer):
    text = "She's @lilymae.xx on there, and mail to a@b.example.com."
    found = missing(analyzer, text, ["@lilymae.xx"], T.HANDLE)
    assert not found
    spans = analyzer.analyze(text)
    handles = [s for s in spans if s.type is T.HANDLE]
    assert len(handles) == 1, f"{len(handles)} handles found, expected 1"


def test_handles_named_by_their_platform_without_an_at_sign(analyzer):
    text = "Her snapchat is zinnia.k and his gamertag was Brackwulf, insta: tomo_22."
    assert not missing(analyzer, text, ["zinnia.k", "Brackwulf", "tomo_22"], T.HANDLE)
    plain = "Her snapchat is blocked and his instagram is private now."
    assert not [s for s in analyzer.analyze(plain) if s.type is T.HANDLE]


@pytest.mark.parametrize("number", [
    "07700 900457", "07700900457", "+44 7700 900457", "+44 (0)113 496 0581", "0113 496 0581",
    "01632 960044", "01632 960 277", "(0161) 496 0732", "0161-496-0732", "0044 7700 900457",
])
def test_uk_phone_numbers_including_drama_ranges(analyzer, number):
    text = f"You can ring me on {number} any time."
    found = missing(analyzer, text, [number], T.PHONE)
    assert not found, "number not found as a phone"


def test_spoken_phone_numbers(analyzer):
    text = ("Or just ring me, I'm on oh seven seven double oh, nine double oh, three one two. "
            "It's zero one one three, four nine six, oh five eight one.")
    gaps = missing(analyzer, text, ["oh seven seven double oh, nine double oh, three one two",
                                    "zero one one three, four nine six, oh five eight one"], T.PHONE)
    assert not gaps, f"spoken numbers not found: {gaps}"


def test_counting_is_no_phone_number(analyzer):
    text = "We had one, two, maybe three referrals, and two or three were in Year 9."
    spans = [s for s in analyzer.analyze(text) if s.type is T.PHONE]
    assert not spans, f"{len(spans)} phone spans in plain counting"


# --------------------------------------------------------------------------- ids


def test_postcodes(analyzer):
    text = "They're in a flat, the postcode's HF4 2QX I think, near SW1A 1AA and LS6 2AB."
    found = missing(analyzer, text, ["HF4 2QX", "SW1A 1AA", "LS6 2AB"], T.POSTCODE)
    assert not found
    found = touched(analyzer, "She's in Y9 2nd set now.", ["Y9 2nd"])
    assert found == []


def test_postcode_district_after_the_word_postcode(analyzer):
    text = "The postcode is LS6 but I don't know the rest."
    found = missing(analyzer, text, ["LS6"], T.POSTCODE)
    assert not found


def test_ni_numbers(analyzer):
    assert ni_number_ok("AB 12 34 56 C")
    assert not ni_number_ok("BG 12 34 56 C")      # never issued
    assert not ni_number_ok("QQ 12 34 56 C")      # documentation prefix
    text = ("I read her national insurance number, QQ 12 34 56 C, down the phone; his is "
            "AB123456C.")
    gaps = missing(analyzer, text, ["QQ 12 34 56 C", "AB123456C"], T.NI_NUMBER)
    assert not gaps, f"NI numbers not found: {gaps}"


def test_nhs_numbers_with_check_digit(analyzer):
    assert nhs_checksum_ok("9434765919")
    assert not nhs_checksum_ok("9434765918")
    text = "Her NHS number is 943 476 5919."
    found = missing(analyzer, text, ["943 476 5919"], T.NHS_NUMBER)
    assert not found
    # a wrong check digit is no NHS number (still a long number, so still redacted)
    spans = analyzer.analyze("The number was 943 476 5918 on the form.")
    assert all(s.type is not T.NHS_NUMBER for s in spans), "bad check digit accepted"
    assert spans, "a long number was left in the text"


def test_case_and_reference_numbers(analyzer):
    text = ("Her case number, 7730194, was in the subject line; the plan is CP-21-0457 and the "
            "application no. 18403/91 went in.")
    gaps = missing(analyzer, text, ["7730194", "CP-21-0457", "18403/91"], T.CASE_NUMBER)
    assert not gaps, f"case numbers not found: {gaps}"


def test_police_collar_and_badge_numbers(analyzer):
    text = "DC Ola Brandt, collar number 4417, and PC 2231 came; his badge no. 8812 too."
    assert not missing(analyzer, text, ["4417", "2231", "8812"], T.CASE_NUMBER)
    assert not [s for s in analyzer.analyze("We had 4417 referrals that year.") if s.type is T.CASE_NUMBER]


def test_academic_years_and_year_months_are_low_confidence_dates(analyzer):
    text = "In 2019/20 we had more referrals; the interview month is 2021-11, since 2016."
    spans = analyzer.analyze(text)
    for needle, ceiling in (("2019/20", 0.6), ("2021-11", 0.4), ("2016", 0.4)):
        start = text.index(needle)
        covering = _covering(spans, start, start + len(needle))
        assert covering and covering[0].type is T.DATE, f"no date at {start}"
        assert covering[0].confidence < ceiling, f"date at {start} too confident"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("date", [
    "12/03/2019", "12.3.19", "2019-03-12", "3rd of March 2019", "14th of October", "March 3rd",
    "10th of January", "21/12/2021", "the twenty-first of June".replace("the ", ""),
])
def test_dates(analyzer, date):
    text = f"It came through on {date}, and we met the week after."
    found = missing(analyzer, text, [date])
    assert not found, "date not found"


def test_date_spans_leave_weekday_and_article(analyzer):
    text = "An Operation Encompass came through on Monday the 10th of January, police attended."
    found = span_of(analyzer, text, "10th of January")
    assert found == (0, len("10th of January"))
    found = touched(analyzer, text, ["Monday", "Operation Encompass"])
    assert found == []


def test_month_and_year_masks_only_the_year(analyzer):
    text = "I started in September 2020, in the middle of Covid."
    found = missing(analyzer, text, ["2020"], T.DATE)
    assert not found
    found = touched(analyzer, text, ["September", "Covid"])
    assert found == []


def test_may_the_verb_is_no_date(analyzer):
    text = "The first may be the hardest, and I may 2 or 3 times a week call them."
    assert not [s for s in analyzer.analyze(text) if s.type is T.DATE]


def test_dates_of_birth(analyzer):
    text = ("She sent her date of birth, 14/02/2006, and he was born on the 3rd of March 2007. "
            "DOB 02/05/2010.")
    gaps = missing(analyzer, text, ["14/02/2006", "3rd of March 2007", "02/05/2010"], T.DATE_OF_BIRTH)
    assert not gaps, f"dates of birth not found: {gaps}"


def test_ages(analyzer):
    text = ("For Kayla, she's fifteen. He'd be sixteen before the summer. A 14-year-old boy, "
            "aged 7, and she turned 11 last week.")
    gaps = missing(analyzer, text, ["fifteen", "sixteen", "14-year-old", "aged 7", "11"], T.AGE)
    assert not gaps, f"ages not found: {gaps}"
    plain = "He's 5 minutes late and she was 2 of the 3 we saw."
    assert not [s for s in analyzer.analyze(plain) if s.type is T.AGE]


def test_an_age_reached_is_an_age_whatever_follows(analyzer):
    text = "She turned fifteen in June. He turns 18 next month. It turned 30 degrees at 5 o'clock."
    spans = analyzer.analyze(text)
    for needle in ("fifteen", "18"):
        start = text.index(needle)
        assert _covering(spans, start, start + len(needle)), "an age reached was missed"
    assert touched(analyzer, text, ["30 degrees"]) == []


def test_ages_with_a_name_or_a_word_for_a_person_as_subject(analyzer):
    text = "Dawson's 19. and ashby's seven, so my son is eleven now and Kayden turned 16 in May."
    gaps = missing(analyzer, text, ["19", "seven", "eleven", "16"], T.AGE)
    assert not gaps, f"ages not found: {gaps}"
    plain = "That's seven. It's two. The score was 14, the meeting is 10 and my caseload is 19."
    assert not [s for s in analyzer.analyze(plain) if s.type is T.AGE]


# --------------------------------------------------------------------------- places


def test_addresses_streets_and_estates(analyzer):
    text = ("Police had been out to 27 Tanyard Lane overnight; she lives off Marlowe Road, "
            "on the Beckside estate.")
    found = missing(analyzer, text, ["27 Tanyard Lane"], T.ADDRESS)
    assert not found
    found = missing(analyzer, text, ["Marlowe Road", "Beckside"])
    assert not found
    found = touched(analyzer, text, ["estate"])
    assert found == []


def test_landmarks_are_places_head_and_all(analyzer):
    # a natural or built landmark, named before its head (in either case) or after it
    text = ("They sailed round Brennock Island into the Gulf of Tarrantia, then drove to "
            "Quenby stadium and the Kessara strip. We met by the Training Camp at the Bus Station.")
    gaps = missing(analyzer, text, ["Brennock Island", "Gulf of Tarrantia", "Quenby stadium",
                                    "Kessara strip"], T.PLACE)
    assert not gaps, f"landmarks not found whole as places: {gaps}"
    # ordinary words before an ambiguous head, and a lower-case head after them, name nothing
    assert touched(analyzer, text, ["Training Camp", "Bus Station"]) == []
    assert touched(analyzer, "We went to the summer camp by the sea. Sea of troubles.", ["summer camp", "Sea of"]) == []
    # everyday words before any landmark head name a show or a kind of place, not a place
    assert not [s for s in analyzer.analyze("We watched Love Island at the Science Museum.") if s.type is T.PLACE]


def test_a_place_in_an_address_takes_its_state_code(analyzer):
    text = "They moved from Wichita, KS 67202 to Wakefield, OK then, and to Chillicothe, OH."
    assert span_of(analyzer, text, "Wichita") == (0, len("Wichita, KS 67202"))
    # a code that is a word, or a keep-term ("OH" is the filler "oh" too), stays outside
    assert touched(analyzer, text, ["OK", "OH"]) == []
    text = "Write to 500 Baltimore,MD 21202 or to Washington DC."
    assert span_of(analyzer, text, "Baltimore") == (0, len("Baltimore,MD 21202"))
    assert span_of(analyzer, text, "Washington") == (0, len("Washington DC"))


def test_a_surname_that_is_a_listed_place_alone_is_the_place(analyzer):
    # "Wakefield" is a town and a surname: alone it is the town; a title or a first name
    # before it makes it a surname
    text = "She moved to Wakefield last year."
    start = text.index("Wakefield")
    assert [s.type for s in _covering(analyzer.analyze(text), start, start + 9)] in (
        [T.PLACE], [T.LOCAL_AUTHORITY])
    text = "Mrs Wakefield rang, then Jayden Wakefield came."
    assert missing(analyzer, text, ["Jayden Wakefield"], T.PERSON) == []
    assert [s.type for s in _covering(analyzer.analyze(text), 4, 13)] == [T.PERSON]


def test_a_head_after_an_ordinary_capitalised_word_is_no_surname(analyzer):
    # "Camp", "Hall" are surnames, but after a capitalised word that is no first name they
    # end the name of a place ("the Youth Camp"); after a first name they are a surname
    assert touched(analyzer, "We met by the Training Camp on Friday.", ["Training Camp"]) == []
    assert missing(analyzer, "I met Jo Camp on Friday.", ["Jo Camp"], T.PERSON) == []


def test_a_surname_that_is_a_word_names_a_family_after_the(analyzer):
    # "Brown", "Green", "Hill" are words first; capitalised between "the" and what a surname
    # names (a family, its children, an administration) they are a surname
    text = "We had the Brown family for years, and the Green kids. The Hill twins came in."
    assert missing(analyzer, text, ["Brown", "Green", "Hill"], T.PERSON) == []
    text = "We went to the Brown house, then the Early Help family session in the Main family room."
    assert touched(analyzer, text, ["Brown", "Early Help", "Main"]) == []


def test_a_house_or_school_named_by_the_word_after_the(analyzer):
    # "The Priory", "the Grange": a word English names one place by, capitalised after "the"
    text = "Oh and The Priory, which is tiny. She lives at the Grange now. We went to the lodge."
    assert missing(analyzer, text, ["Priory", "Grange"], T.PLACE) == []
    assert touched(analyzer, text, ["lodge"]) == []


def test_schools(analyzer):
    text = ("I've got Castlebrook Academy and St Bede's Catholic High, and Oakfield Primary "
            "School asked about the Virtual School and the Primary School meeting.")
    gaps = missing(analyzer, text, ["Castlebrook Academy", "St Bede's Catholic High",
                                    "Oakfield Primary School"], T.SCHOOL)
    assert not gaps, f"schools not found: {gaps}"
    found = touched(analyzer, text, ["Virtual School", "Primary School meeting"])
    assert found == []


def test_a_school_named_after_a_place_or_street_is_a_school(analyzer):
    # the name's last head word decides its type, not a street or place word inside it
    text = "Her brother is at Brindleholme Park Academy and I visit Quarry Lane Primary School."
    gaps = missing(analyzer, text, ["Brindleholme Park Academy", "Quarry Lane Primary School"], T.SCHOOL)
    assert not gaps, f"not typed as schools: {gaps}"
    assert missing(analyzer, "She lives on Brindleholme Road now.", ["Brindleholme Road"], T.PLACE) == []


def test_saint_names_keep_their_possessive(analyzer):
    text = "It's Wednesday and Thursday at St Bede's."
    found = span_of(analyzer, text, "St Bede's")
    assert found == (0, len("St Bede's"))


def test_local_organisations(analyzer):
    text = ("I signpost to the Phoenix Youth Hub and refer mum to Harbour Women's Aid, not "
            "just Early Help or the Family Hub.")
    gaps = missing(analyzer, text, ["Phoenix Youth Hub", "Harbour Women's Aid"], T.ORGANISATION)
    assert not gaps, f"organisations not found: {gaps}"
    found = touched(analyzer, text, ["Early Help", "Family Hub"])
    assert found == []


def test_local_authorities_and_places(analyzer):
    text = ("I was in one of the locality teams in Stockport before Leeds City Council, and "
            "she lives with her nan in Westcliff.")
    found = missing(analyzer, text, ["Stockport", "Leeds City Council"], T.LOCAL_AUTHORITY)
    assert not found
    found = missing(analyzer, text, ["Westcliff"])
    assert not found


def test_place_names_that_are_words_need_a_capital_mid_sentence(analyzer):
    text = "Reading the file, I saw she moved to Reading. We were reading it at bath time."
    spans = analyzer.analyze(text)
    second = text.index("Reading", 5)
    assert _covering(spans, second, second + 7), "the town was missed"
    assert not _covering(spans, 0, 7), "the sentence-initial verb was redacted"
    found = touched(analyzer, text, ["reading it at bath"])
    assert found == []


# --------------------------------------------------------------------------- people


def test_titles_stay_outside_the_span(analyzer):
    text = "Mrs Okafor spoke to Mr B, and Miss T teaches English."
    found = span_of(analyzer, text, "Okafor")
    assert found == (0, len("Okafor"))
    spans = analyzer.analyze(text)
    for title in ("Mrs", "Mr", "Miss"):
        start = text.index(title + " ")
        redacted = any(s.start <= start < s.end for s in spans)
        assert not redacted, f"the title at {start} was redacted"
    initials = [s for s in spans if s.end - s.start == 1 and s.type is T.PERSON]
    assert len(initials) == 2, f"{len(initials)} initials found, expected 2"


def test_possessive_kin_and_naming_contexts(analyzer):
    text = "I rang Kelly's mum. A lad called Tyler, and her name is Precious."
    found = span_of(analyzer, text, "Kelly")
    assert found == (0, len("Kelly"))
    found = missing(analyzer, text, ["Tyler", "Precious"], T.PERSON)
    assert not found


def test_names_that_are_words(analyzer):
    text = ("Will you send it? Like with Will, in Year 8, and Grace said Hope was fine. "
            "I hope so; grace and will are words.")
    spans = analyzer.analyze(text)
    first_will = text.index("Will you")
    assert not _covering(spans, first_will, first_will + 4), "the verb 'Will' was redacted"
    second = text.index("Will,")
    assert _covering(spans, second, second + 4), "the name 'Will' was missed"
    found = missing(analyzer, text, ["Grace", "Hope"])
    assert not found
    found = touched(analyzer, text, ["I hope so; grace and will are words"])
    assert found == []


def test_sentence_initial_ordinary_words_are_not_names(analyzer):
    text = ("Yeah. So we did. Well, the thing is. The school said. Um, erm, okay. Obviously "
            "it helps. Interviewer: right. Respondent: yes.")
    spans = analyzer.analyze(text)
    assert not spans, f"{len(spans)} spans in plain speech"


def test_names_only_a_large_dictionary_lists_as_words_open_a_sentence(analyzer):
    # "ann" and "jess" are in SCOWL's large list, not its standard one: rarely the word, so
    # wordfreq's count of them is the name's and a capital opening a sentence is a name
    text = "Ann is one of those people. Jess is fine. Chapman rang me on Monday."
    assert missing(analyzer, text, ["Ann", "Jess", "Chapman"], T.PERSON) == []
    # languages and peoples stay words, whichever dictionary lists them
    assert touched(analyzer, "English is her second language. Danish pastries.", ["English", "Danish"]) == []


def test_names_only_a_large_dictionary_lists_as_words_in_lower_case(analyzer):
    text = ("so i met ann and jess yesterday at the centre, and we spoke to jane about it, "
            "she said it was fine, and then i went home")
    assert missing(analyzer, text, ["ann", "jess", "jane"], T.PERSON) == []
    assert touched(analyzer, "and my nan said she would pick him up, and then we went to the gran's", ["nan", "gran"]) == []


def test_full_names_initials_and_runs(analyzer):
    text = ("The applicant was represented by Mr H.I. Er and Dr. Heidemarie Abrahamian, with "
            "Sarah Jane Whitfield-Okoro.")
    gaps = missing(analyzer, text, ["H.I. Er", "Dr. Heidemarie Abrahamian",
                                    "Sarah Jane Whitfield-Okoro"], T.PERSON)
    assert not gaps, f"names not found whole: {gaps}"


def test_lower_case_and_capitals(analyzer):
    text = "I told jayden about it. JAYDEN SMITH was on the list. Grace's friend Zarqa came."
    gaps = missing(analyzer, text, ["jayden", "JAYDEN SMITH", "Grace", "Zarqa"])
    assert not gaps, f"names not found: {gaps}"


# --------------------------------------------------------------------------- recall-first


def test_recall_first_flags_unexplained_capitalised_words(analyzer):
    text = ("We went over to Thrushcombe and met the lads from Quarnby, and Zellweger-Arkwright "
            "came too.")
    gaps = missing(analyzer, text, ["Thrushcombe", "Quarnby", "Zellweger-Arkwright"])
    assert not gaps, f"unexplained words not flagged: {gaps}"
    low = [s for s in analyzer.analyze(text) if s.detector == "recall_first"]
    assert low and all(s.confidence < 0.6 for s in low), "recall-first confidence not low"
    # an unknown word before the head of a service or institution names the place it serves
    text = "The Northshire MASH team and Quarnby Council rang."
    assert missing(analyzer, text, ["Northshire"], T.PLACE) == []


def test_recall_first_leaves_words_run_together_and_laughter(analyzer):
    # ordinary words in camel case (a hashtag, an app) and laughter read as no name; a run
    # that holds a name, or a part that is no word, still does
    text = "Tickets for #SwingLow and #StayAwakeForIt, on PowerPoint. Hahaha. Kkkkk! #OneRyanShawcross LeBrondi"
    assert touched(analyzer, text, ["SwingLow", "StayAwakeForIt", "PowerPoint", "Hahaha", "Kkkkk"]) == []
    assert missing(analyzer, text, ["OneRyanShawcross", "LeBrondi"]) == []


def test_recall_first_leaves_languages_and_peoples(analyzer):
    # a word of a language's name (CLDR) or a people's (a listed country's demonym) names no
    # one, however rare; an unknown word beside them still reads as a name
    text = "It's spelt the Gaelic way. The Swiss workers, and mum speaks Tigrinya with the Eritreans and Quarnby."
    assert touched(analyzer, text, ["Gaelic", "Swiss", "Tigrinya", "Eritreans"]) == []
    assert missing(analyzer, text, ["Quarnby"]) == []


def test_domain_vocabulary_survives(analyzer):
    terms = ["Early Help", "MASH", "Ofsted", "Operation Encompass", "Year 9", "DSL", "CIN", "CP",
             "Section 47", "Signs of Safety", "CAMHS", "SWIS", "NSPCC", "Childline",
             "Barnardo's", "Department for Education", "Covid", "Liquidlogic", "CPOMS",
             "Christmas", "Easter", "Monday", "September", "English", "Maths", "GCSEs",
             "Head of Year", "Teams", "Wi-Fi", "MARAC", "Kooth", "TikTok"]
    text = ("We talk about " + ", ".join(terms[:-1]) + " and " + terms[-1] + " every week. "
            "Early Help and MASH, then the CIN plan and a CP plan.")
    hit = touched(analyzer, text, terms)
    assert not hit, f"{len(hit)} keep-terms redacted: indices {hit}"


def test_bank_and_network_numbers(analyzer):
    text = "Pay to GB29 NWBK 6016 1331 9268 19, sort code 12-34-56; the router is 192.168.0.1."
    found = missing(analyzer, text, ["GB29 NWBK 6016 1331 9268 19", "12-34-56", "192.168.0.1"],
                    T.CASE_NUMBER)
    assert not found, f"numbers not found: {found}"


def test_flats_and_units(analyzer):
    text = "She's in Flat 4, 12 Wellington Street, and he moved to Apt. 595."
    found = missing(analyzer, text, ["Flat 4", "12 Wellington Street", "Apt. 595"], T.ADDRESS)
    assert not found, f"address parts not found: {found}"


def test_dedicated_school_names(analyzer):
    text = ("She goes to Our Lady of Lourdes now, her brother is at Holy Trinity, and the "
            "Sacred Heart Catholic Primary School asked too. Holy cow, I said.")
    found = missing(analyzer, text, ["Our Lady of Lourdes", "Holy Trinity",
                                     "Sacred Heart Catholic Primary School"], T.SCHOOL)
    assert not found, f"schools not found: {found}"
    found = touched(analyzer, text, ["Holy cow"])
    assert found == []


def test_names_with_middle_initials_and_strangers(analyzer):
    text = "The report was written by Zofran Q. Vellacourt and by Oskarina Tresswell."
    found = missing(analyzer, text, ["Zofran Q. Vellacourt", "Oskarina Tresswell"])
    assert not found, f"names not found whole: {found}"


def test_what_follows_a_name_in_speech(analyzer):
    text = ("Summer and I meet up most Fridays. Will said no. Peter at Holy Trinity rang. "
            "Hope is a good thing. Will you come? May I ask?")
    found = missing(analyzer, text, ["Summer", "Peter"])
    assert not found, f"names not found: {found}"
    spans = analyzer.analyze(text)
    will = text.index("Will said")
    assert _covering(spans, will, will + 4), "'Will said' missed"
    found = touched(analyzer, text, ["Hope is", "Will you", "May I"])
    assert found == [], f"ordinary words redacted: {found}"


def test_names_with_particles_are_found_whole(analyzer):
    text = ("Her social worker is Marieke van der Berg. Later van der Berg rang. The uncle, "
            "Ahmed al-Masri, came with Faisal bin Rashid, and they spoke of bin Tarrak and al-Sadr.")
    found = missing(analyzer, text, ["Marieke van der Berg", "Ahmed al-Masri",
                                     "Faisal bin Rashid", "bin Tarrak", "al-Sadr"], T.PERSON)
    assert not found, f"names with particles not found whole: {found}"
    alone = text.index("van der Berg rang")
    assert _covering(analyzer.analyze(text), alone, alone + len("van der Berg")), "a surname with particles missed"
    text = "Put it in the bin Monday. We hired a van Tuesday. It was a de facto ban."
    assert touched(analyzer, text, ["bin Monday", "van Tuesday", "de facto"]) == []


def test_a_capitalised_word_next_to_a_name_continues_it(analyzer):
    # a detector that finds part of a name must not leave the rest ("Lone", "Lowfold")
    text = ("Army arrested Ghulam Mohiuddin Lone, a man from Doda district. "
            "The family moved to Skipton Lowfold in March.")
    found = missing(analyzer, text, ["Ghulam Mohiuddin Lone", "Skipton Lowfold"])
    assert not found, f"names not found whole: {found}"
    # not in a heading, not over a possessive, not over a keep-term or a sentence's first word
    text = "Meeting With Sarah Okafor About Funding Review\nWe went to see Jayden's Mum Friday."
    assert touched(analyzer, text, ["About Funding", "Mum Friday"]) == []
    # nor over a nationality or language ("English" is a surname too, and would spread)
    text = "I spoke to Kayden Thornbury English teacher about it."
    assert touched(analyzer, text, ["English"]) == []
    # a name that ends in its head is complete: an ordinary word after it is no part of it
    text = "We work with Leeds City Council Children and Families."
    assert touched(analyzer, text, ["Children"]) == []
    # a name typed in lower case takes no capitalised word before it
    text = "Wait jayden wears glasses."
    assert not missing(analyzer, text, ["jayden"]) and touched(analyzer, text, ["Wait"]) == []


def test_a_name_addressed_opens_a_sentence(analyzer):
    text = "Ginny, can you come here? Ginny, Please see the attached. Grace, thanks for that."
    spans = analyzer.analyze(text)
    starts = [i for i in range(len(text)) if text.startswith(("Ginny,", "Grace,"), i)]
    assert all(_covering(spans, i, i + 5) for i in starts), "an addressed name was missed"
    text = "However, can you see it? Sorry, I missed that. Right, you know what I mean."
    assert touched(analyzer, text, ["However", "Sorry", "Right"]) == []


def test_a_name_that_is_a_word_opening_a_sentence_with_a_role(analyzer):
    text = ("Mark, the PE teacher, was brilliant. Precious is in Year 10. Joy is their cousin. "
            "Hope is a good thing. Hope is my main aim. Will it work?")
    assert not missing(analyzer, text, ["Mark", "Precious", "Joy"], T.PERSON)
    assert touched(analyzer, text, ["Hope is a", "Hope is my", "Will it"]) == []
    text = "His brother Mohammed, Mo for short, came too. It's Admin for short."
    short = text.index("Mo for")
    assert _covering(analyzer.analyze(text), short, short + 2), "a short form given 'for short' was missed"
    assert touched(analyzer, text, ["Admin"]) == []


def test_initials_with_dots_are_a_person(analyzer):
    text = "I spoke to J.M. about it. K. L. is his key worker."
    assert not missing(analyzer, text, ["J.M.", "K. L."], T.PERSON)
    # abbreviations the keep-list or a word's frequency explain stay
    text = "We did P.E. in the U.K. and watched T.V. in the U.S. P.S. more later."
    assert touched(analyzer, text, ["P.E.", "U.K.", "T.V.", "U.S.", "P.S."]) == []


def test_a_lower_case_first_name_only_a_large_dictionary_lists_as_a_word(analyzer):
    # "molly" and "abigail" are SCOWL large-list words only: typed in lower case, still names
    text = "Then I told molly and abigail about it. The Year 9 group was fine."
    assert missing(analyzer, text, ["molly", "abigail"], T.PERSON) == []


def test_lower_case_possessor_that_is_no_word(analyzer):
    text = "And sabriyah's attendance is up, and the school's office said so."
    found = missing(analyzer, text, ["sabriyah"], T.PERSON)
    assert not found
    found = touched(analyzer, text, ["school's office"])
    assert found == []


def test_places_outside_the_uk(analyzer):
    text = ("The family moved to Colorado Springs, then to Palo Alto and Lagos, and now live in "
            "Thiruvananthapuram. She has a Mobile phone and likes Nice weather.")
    assert not missing(analyzer, text, ["Colorado Springs", "Palo Alto", "Lagos", "Thiruvananthapuram"])
    assert touched(analyzer, text, ["Mobile phone", "Nice weather"]) == []


def test_a_listed_place_in_lower_case_after_a_preposition(analyzer):
    text = "Then they moved to wakefield, and later to greater noida. We went to reading and to bath."
    assert not missing(analyzer, text, ["wakefield", "greater noida"], T.PLACE)
    assert touched(analyzer, text, ["reading", "bath"]) == []


def test_countries_are_places_not_people(analyzer):
    text = "They came over from India in 2015 and then moved on from Jordan."
    spans = analyzer.analyze(text)
    start = text.index("India")
    covering = _covering(spans, start, start + 5)
    assert covering and covering[0].type is T.PLACE


# --------------------------------------------------------------------------- words that look like names


def test_ordinary_words_opening_headings_cells_and_labels_are_no_names(analyzer):
    # a codebook's code names and theme titles, as exports write them into cells and sheet names
    lines = ["OUT.CONFIDENCE Staff confidence and knowledge",
             "REF Referrals, thresholds and step-down",
             "BF.FACILITATORS Facilitators",
             "A summary of what each case said about 'Facilitators'",
             "'REF Referrals, thresholds and'!$A$3",
             "Include: Staff training (INSET, twilight sessions, CPD); staff turnover.",
             "Staff turnover in schools, two of the seven DSLs had left."]
    spans = analyzer.analyze_corpus(lines)
    assert not any(spans), f"{sum(map(len, spans))} spans in headings and labels"


def test_names_after_a_code_or_in_quotes_are_still_found(analyzer):
    text = "REF Kirsty rang the front door. He said 'Jayden' was in Year 9. OUT.HOPE Will said no."
    gaps = missing(analyzer, text, ["Kirsty", "Jayden", "Will"], T.PERSON)
    assert not gaps, f"names not found: {gaps}"


def test_a_surname_that_is_a_common_word_needs_a_name_context(analyzer):
    words = "We did Staff training, a Case study and an Early start. Staff said it helped."
    assert analyzer.analyze(words) == []
    text = "Mrs Staff rang. I met Tom Little and Sarah Best. Jayden Staff's mum came. Ms Day called."
    gaps = missing(analyzer, text, ["Staff", "Tom Little", "Sarah Best", "Jayden Staff", "Day"], T.PERSON)
    assert not gaps, f"names not found: {gaps}"


def test_double_barrelled_names_of_common_words(analyzer):
    text = "I spoke to Smith-Little about it, and Jayden Smith-Little came. Cross-Border working is hard."
    gaps = missing(analyzer, text, ["Smith-Little", "Jayden Smith-Little"], T.PERSON)
    assert not gaps, f"names not found: {gaps}"
    assert touched(analyzer, text, ["Cross-Border working"]) == []


def test_a_word_the_same_text_writes_in_lower_case_is_that_word(analyzer):
    text = ("The facilitators were good and both facilitators agreed. "
            "We looked at the Facilitators list.")
    assert analyzer.analyze(text) == []
    # only the same text counts: alone, the capital is unexplained
    alone = analyzer.analyze_corpus(["The facilitators were good and both facilitators agreed.",
                                     "We looked at the Facilitators list."])
    assert alone[1] and not alone[0]


def test_names_that_are_words_are_found_beside_the_word_in_lower_case(analyzer):
    text = ("I hope you're well, I will ring you, and I hope it helps. I will. "
            "I went with Hope in Year 9 to the office. Will's mum came in. "
            "jayden said it, jayden did. Jayden came in.")
    spans = analyzer.analyze(text)
    for needle, name in (("Hope in", "Hope"), ("Will's", "Will"), ("Jayden came", "Jayden")):
        start = text.index(needle)
        assert _covering(spans, start, start + len(name)), f"{name} missed"
    assert touched(analyzer, text, ["I hope you're well, I will ring you"]) == []


def test_acronym_plurals_and_domain_acronyms_are_kept(analyzer):
    terms = ["SENCOs", "IDVAs", "DSLs'", "ISVAs", "SEMH", "NEET", "SENCO's", "EHCPs", "PCSOs", "MARACs",
             "CAMHS", "EWOs", "TAFs", "PEPs", "LAC", "CLA", "PRU", "DfE", "ADHD", "ASD"]
    text = "We met " + ", ".join(terms[:-1]) + " and " + terms[-1] + "."
    hit = touched(analyzer, text, terms)
    assert not hit, f"acronyms redacted: {[terms[k] for k in hit]}"
    # the plural is an acronym's only in capitals: "Das" is a surname, not the plural of DA
    assert not missing(analyzer, "I rang Mrs Das about the DAs.", ["Das"], T.PERSON)


def test_colours_and_guids_are_no_identifiers(analyzer):
    text = ("colour: '#D62728'\ncolour: '#C8B1DD'\ncolour: '#165683'\nfill #1f77b4\n"
            "internal://A396771C-DA20-5BF0-8985-ED6409455683.txt\n"
            "sources/{748342EB-3692-5858-8242-B3349F32F927}.docx\n"
            "id 0123456789abcdef0123456789abcdef")
    assert analyzer.analyze(text) == []


def test_hash_codes_after_a_reference_word_are_still_case_numbers(analyzer):
    text = "It was case #123456, then ref #A1B2C3 and file number #4D5E6F70."
    gaps = missing(analyzer, text, ["123456", "A1B2C3", "4D5E6F70"], T.CASE_NUMBER)
    assert not gaps, f"reference numbers missed: {gaps}"


def test_the_codebook_text_yields_no_finding_at_the_gate():
    """A codebook names no one: every code name, definition, keyword and example of the
    shipped codebook survives the analyzer at the threshold ``qual check`` fails on."""
    from conftest import CODEBOOK
    from qual.check.scanner import GATE_THRESHOLD, UNIT_SEPARATOR
    from qual.coding.codebook import load_codebook

    book = load_codebook(CODEBOOK)
    texts = [book.name, book.description]
    for theme in book.themes:
        texts += [f"{theme.id} {theme.name}", theme.name, theme.description]
    for code in book.codes:
        texts += [f"{code.id} {code.name}", code.name, code.definition, code.include, code.exclude,
                  ", ".join(code.keywords), *code.examples]
    analyzer = Analyzer(ner=None)
    for text in (UNIT_SEPARATOR.join(texts), CODEBOOK.read_text(encoding="utf-8")):
        confident = [s for s in analyzer.analyze(text) if s.confidence >= GATE_THRESHOLD]
        assert not confident, f"{len(confident)} findings in the codebook: {[s.type.value for s in confident]}"


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_phrase_matcher_keys_many_phrases_as_it_keys_each(case_sensitive):
    # the matcher keys runs of ASCII phrases in one pass; it must find what adding them one
    # by one finds, in the same order of payloads, around phrases beyond ASCII or holding
    # a line break
    from qual.deid.recognizers.phrases import PhraseMatcher

    phrases = [("Foo  Bar", 1), (" a&e ", 2), ("--", 3), ("", 4), ("Ünïcode Name", 5),
               ("x\ny", 6), ("St. Mary's", 7), ("O'Neil", 8), ("ABC", 1), ("abc", 2),
               ("St. Mary\u2019s", 9), ("st. mary's", 10)]
    one_by_one = PhraseMatcher(case_sensitive=case_sensitive)
    for phrase, payload in phrases:
        one_by_one.add(phrase, payload)
    together = PhraseMatcher(phrases, case_sensitive=case_sensitive)
    assert list(together._payloads.items()) == list(one_by_one._payloads.items())
    text = "At St Mary's, O'Neil met foo bar and ABC about A-E, x y and Ünïcode Name."
    assert together.find(text) == one_by_one.find(text)
    assert together.find(text)


def test_a_dates_words_stay_on_one_line(analyzer):
    # qual's own transcripts number their turns: a month closing one turn and the next turn's
    # number are no date
    assert analyzer.analyze("He's not been excluded since October.\n\n18\t[00:04:21] Interviewer: So") == []
    assert [s.text for s in analyzer.analyze("On the 3rd of March 2019 and March 3rd, 2019.")] == \
        ["3rd of March 2019", "March 3rd, 2019"]
