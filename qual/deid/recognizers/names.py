"""People, found from what surrounds a word and from the name lists.

* context: a title (``Mrs Okafor``, ``Mr B``, ``Auntie Sharon``), a possessive before a kin
  word (``Jayden's mum``), a naming verb (``a boy called Jayden``);
* the name lists: ONS first names and census surnames. A listed name capitalised
  mid-sentence is a person; at the start of a sentence (or of a heading or label after its
  code: "OUT.HOPE Hope and aspiration") only when it is more often a name than a word
  (``Jack``, ``Grace``, ``Smith`` but not ``Will``, ``May``, ``Hope``). A word that is only
  a surname and far more often an ordinary word (``Staff``, ``Case``, ``Early``) needs a
  title, a first name before it or a possessive kin word, even mid-sentence; a surname-only
  word the same text also writes in lower case needs those or what follows a name ("X said");
* a run of capitalised words and initials around such a word is one name
  (``Mr Z.M. Necatigil``, ``Sarah Jane Williams``);
* what follows a name in speech: "Summer, she's in Year 7", "Kit, my manager", "Will said",
  "Peter at Holy Trinity", "Josh and me", a name addressed ("Ginny, can you ...") or given a
  role ("Mark, the PE teacher", "Joy is their cousin"), a short form "for short";
* particles stay with the surname: "Marieke van der Berg", "bin Laden", "al-Sadr";
* a listed first name typed in lower case that is no English word (``jayden``), and a
  lower-case possessor that is no word at all (``sabriya's attendance``).

Mr, Mrs, Ms, Miss and a possessive ``'s`` stay outside the span; titles that say something
(Dr, Prof, PC, Cllr ...) stay with the name.
"""

from __future__ import annotations

import math
import re
from typing import Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import BREAK_CHARS, DIGIT_RE, Doc, Recognizer
from .vocab import (DETERMINERS, FORMAL_TITLES, FUNCTION_WORDS, KIN_WORDS, NAMING_WORDS,
                    NAME_HEADS, PERSON_NOUNS, TITLES)

# Words between a possessive and a kin word: "Jayden's little brother".
_KIN_MODIFIERS = frozenset({"older", "younger", "little", "big", "baby", "new", "foster", "birth",
                            "step", "real", "own", "biological", "twin", "eldest", "youngest",
                            "elder", "other", "whole", "extended", "wider", "best", "current",
                            "previous", "old", "adoptive", "paternal", "maternal", "two", "three"})
_PARTICLES = frozenset({"de", "da", "del", "della", "der", "den", "di", "du", "van", "von", "bin",
                        "bint", "ibn", "al", "el", "le", "la", "ben", "ap"})
# A surname written with its particle: "al-Sadr", "el-Masri", "Abd-al-Rahman" keeps its capital
# after the hyphen.
_PARTICLE_WORD_RE = re.compile(r"^(?:[aeAE][lnrstdz]|[aA]sh|[bB]in|[iI]bn|[aA]bu|[aA]bd)-[A-Z][a-z]")
_TITLES_IN_SPAN = frozenset({"dr", "prof", "professor", "rev", "revd", "reverend", "sir", "dame",
                             "lord", "lady", "judge", "justice", "cllr", "councillor", "sgt",
                             "sergeant", "inspector", "constable", "pc", "dc", "ds", "di", "dci",
                             "pastor", "imam", "rabbi"})
_NEVER_NAMES = FUNCTION_WORDS

_AFTER_NAME_COMMA = frozenset({"she", "he", "she's", "he's", "who", "who's", "they", "they're",
                               "my", "our", "his", "her", "their", "your", "aged", "age"})
# What follows a name and a comma when the name is addressed ("Sarah, thanks for ...",
# "Ginny, I wanted to ..."); a second-person clause ("Ginny, can you ...") also does.
_ADDRESS_OPENERS = frozenset({"please", "thanks", "thank", "you", "you're", "you've", "your",
                              "i", "i'm", "i've", "i'll", "i'd", "hope", "sorry"})
# Words that open a role after a name: "Mark, the PE teacher", "Joy is their cousin".
_ROLE_DETERMINERS = frozenset({"the", "a", "an", "my", "our", "his", "her", "their", "your"})
# What a surname names after "the": "the Brown family", "the Hill twins", "the Bush administration"
_NAMED_GROUPS = frozenset({"family", "families", "household", "kids", "children", "boys", "girls",
                           "twins", "siblings", "brothers", "sisters", "parents", "administration",
                           "government", "presidency"})
# Verbs that make the word before them a subject: "Will said" is a person, "Will you" is not.
_SUBJECT_VERBS = frozenset({
    "said", "says", "told", "tells", "rang", "rings", "phoned", "texted", "emailed", "asked",
    "asks", "explained", "mentioned", "disclosed", "didn't", "doesn't", "hadn't", "hasn't",
    "wasn't", "lives", "lived", "talked", "spoke", "refused", "admitted", "attends", "attended",
    "cried", "shouted", "kicked", "punched", "swore",
})
_LOWER_POSSESSIVE_RE = re.compile(r"\b([a-z]+)'s\b")

# How sure each kind of evidence makes us.
TITLE, KIN, CALLED = 0.95, 0.9, 0.9
# an unknown capitalised word ("Adebayo-Cole") is a person only next to a listed name
WEAK = 0.0
JOINED_UNKNOWN = 0.75
JOINED_STRANGERS = 0.6
LISTED_RARE, LISTED_COMMON, LISTED_INITIAL, LOWERCASE = 0.85, 0.7, 0.75, 0.5
PARTICLE = 0.8
# log10(people with the surname) minus the word's Zipf frequency below which a word that is
# no first name is an ordinary word first: "Staff" (-2.3), "Case", "Early" (< -1.5), but not
# "Baker" (+1.2), "White" (-0.2), "Black" (-0.9)
COMMON_WORD_SURNAME = -1.0
# written in lower case this often in the same text: the ordinary word
LOWERCASE_USES = 2


@register_recognizer("names.person", default=True)
class PersonRecognizer(Recognizer):
    entity_types = frozenset({EntityType.PERSON})

    def detect(self, doc: Doc) -> Iterable[Span]:
        words = doc.words
        lexicon = doc.lexicon
        keep = doc.keep_words
        seeds: dict[int, tuple[float, str]] = {}
        for i in doc.capitalised:
            found = self._capitalised(doc, i, keep)
            if found:
                seeds[i] = found
        # a surname written with its particle: "al-Sadr", "el-Masri"
        if "-" in doc.text:
            for i, word in enumerate(words):
                if "-" in word and i not in seeds and i not in keep and _PARTICLE_WORD_RE.match(word):
                    seeds[i] = PARTICLE, f"{self.name}.particle"
        # a first name typed in lower case ("jayden", "jayden's")
        names = lexicon.lowercase_names
        found = set(names.intersection(words))
        if "'s" in doc.text:
            possessors = set(_LOWER_POSSESSIVE_RE.findall(doc.text))
            found.update(names.intersection(possessors))
            # "sabriya's attendance": a possessor that is no word at all is somebody
            found.update(w for w in possessors if len(w) > 2 and w not in lexicon.dictionary
                         and lexicon.zipf.get(w, 0.0) < 2.5 and not lexicon.is_word(w))
        if found:
            for i, word in enumerate(words):
                bare = word[:-2] if word.endswith("'s") else word
                if bare in found and word.islower() and i not in keep:
                    seeds[i] = LOWERCASE, f"{self.name}.lowercase"
        emitted_to = -1
        for i in sorted(seeds):
            if i <= emitted_to:
                continue
            start, end, confidence, detector = self._run(doc, i, seeds, keep)
            emitted_to = end
            if confidence <= WEAK:
                joined = range(start, end + 1)
                if any(k not in seeds and doc.lexicon.is_name(doc.base(k)) for k in joined):
                    confidence = JOINED_UNKNOWN  # "Precious Adebayo-Cole"
                elif sum(k in seeds for k in joined) >= 2:
                    confidence = JOINED_STRANGERS  # "Faina D. Yefremova"
                else:
                    continue  # an unknown word alone is the recall-first rule's business
                detector = f"{self.name}.listed"
            yield self.span(doc, doc.starts[start], doc.base_end(end), EntityType.PERSON,
                            confidence, detector=detector)

    # ------------------------------------------------------------------ evidence

    def _capitalised(self, doc: Doc, i: int, keep: set[int]) -> tuple[float, str] | None:
        word = doc.words[i]
        base = doc.base(i)
        lower = base.lower()
        previous = doc.previous_lower(i) if i and doc.adjacent_or_dotted(i) else ""
        # a title: "Mrs Okafor", "Mr B", "Dr. Patel"
        if previous.rstrip(".") in TITLES and (
                previous in FORMAL_TITLES or doc.words[i - 1][0].isupper()) and (
                len(base) == 1 or lower not in _NEVER_NAMES):
            if previous in FORMAL_TITLES:
                return TITLE, f"{self.name}.title"
            if i not in keep:
                return 0.85, f"{self.name}.title"
        if len(base) == 1 or lower in _NEVER_NAMES:
            return None
        # a possessive before a kin word: "Jayden's mum", "Jayden's little brother" (but not
        # "Children's social care": the possessor must be no plain word)
        lexicon = doc.lexicon
        if word != base and (not lexicon.is_word(base) or lexicon.is_name(base)):
            following = doc.next_lower(i)
            if following in KIN_WORDS or (following in _KIN_MODIFIERS
                                          and doc.next_lower(i, 2) in KIN_WORDS):
                return KIN, f"{self.name}.kin"
        if i in keep:
            return None
        # "a boy called Jayden", "her name is Jayden", "known as Jay", "goes by Jess", "Mo for
        # short", "everyone calls him Mo"
        if previous in NAMING_WORDS or self._short_for(doc, i) or (
                i >= 2 and previous in {"is", "was", "as", "'s", "by"}
                and doc.previous_lower(i, 2) in {"name", "named", "known", "called", "goes", "go", "went"}) or (
                i >= 2 and previous in {"him", "her", "them", "me"} and doc.adjacent(i)
                and doc.previous_lower(i, 2) in {"call", "calls", "calling", "called"}):
            return CALLED, f"{self.name}.called"
        # after a name particle: "bin Laden", "van der Berg" (not "the bin", "a van")
        if i >= 1 and doc.words[i - 1] in _PARTICLES and doc.adjacent(i) and not base.isupper():
            particle = i - 1
            while particle >= 1 and doc.words[particle - 1] in _PARTICLES and doc.adjacent(particle):
                particle -= 1
            if doc.previous_lower(particle) not in DETERMINERS:
                return PARTICLE, f"{self.name}.particle"
        listed = self._listed(doc, i, base)
        if listed is None and not doc.sentence_initial(i) and not lexicon.is_word(base) \
                and lexicon.word_zipf(base) < 3.5 and (not base.isupper() or doc.shouted(i)):
            return WEAK, f"{self.name}.listed"
        return listed

    @staticmethod
    def _short_for(doc: Doc, i: int) -> bool:
        """Word ``i`` is the short form of the name before it: "Mohammed, Mo for short"."""
        return (doc.next_lower(i) == "for" and doc.next_lower(i, 2) == "short" and doc.adjacent(i + 1)
                and i >= 1 and "," in doc.gap_before(i) and doc.words[i - 1][:1].isupper())

    def _listed(self, doc: Doc, i: int, base: str) -> tuple[float, str] | None:
        lexicon = doc.lexicon
        # A word in capitals ("GEORGE BRACKENSHAW", a shouted word, a transcript typed in
        # capitals) is judged as its title-cased form, with a capital that says nothing;
        # an acronym ("DSL", "KAP") is no name.
        shouted = doc.shouted(i)
        if base.isupper() and len(base) > 1 and not shouted:
            return None
        lookup = base.title() if shouted else base
        first_count = lexicon.first_name_count(lookup)
        surname_count = lexicon.surname_count(lookup)
        if not first_count and not surname_count and "-" in base:
            return self._double_barrelled(doc, i, lookup)
        if lookup in lexicon.countries or not first_count and (
                not surname_count or (lookup in lexicon.places and not lexicon.is_word(lookup))):
            # no name, or a surname that is also a listed place and no word ("went to Leeds"):
            # the gazetteer reports a place; a first name or a title before it still makes it a
            # surname
            return None
        zipf = lexicon.word_zipf(lookup)
        # "Ann", "Jess": a large dictionary's word, but rarely written as one
        ordinary = lexicon.is_word(lookup) and not lexicon.rarely_a_word(lookup)
        detector = f"{self.name}.listed"
        if not first_count and ordinary and math.log10(surname_count) - zipf < COMMON_WORD_SURNAME:
            # "Staff training", "Staff said", "Case study": the word. The rare person so
            # named is found by a title, a first name before it or a possessive kin word.
            return None
        if not first_count and ordinary and lookup.lower() in NAME_HEADS and self._heads_a_place(doc, i):
            return None  # "the Youth Camp", "Training Hall": the head of a place's name
        if not doc.capital_says_nothing(i):
            if not ordinary or zipf < 3.0:
                return LISTED_RARE, detector
            if doc.previous_lower(i) in DETERMINERS:
                if doc.previous_lower(i) == "the" and doc.next_lower(i) in _NAMED_GROUPS and doc.adjacent(i + 1):
                    return LISTED_COMMON, detector  # "the Brown family", "the Bush administration"
                return None  # "the Head", "a Brown envelope"
            if not first_count and doc.lowercase_uses(i) >= LOWERCASE_USES and not self._name_follows(doc, i):
                return None  # the same text writes it as a word ("brown" beside "Brown")
            return LISTED_COMMON, detector
        # At the start of a sentence a capital says nothing: the word must be no ordinary
        # word, or more often a name than a word, or followed by what follows a name.
        if not ordinary or zipf < 3.0:
            return LISTED_RARE, detector
        first_score = math.log10(first_count) - zipf if first_count else -math.inf
        surname_score = math.log10(surname_count) - zipf if surname_count else -math.inf
        if first_score > -0.3 or surname_score > 0.3 or self._name_follows(doc, i):
            return LISTED_INITIAL, detector
        return None

    @staticmethod
    def _heads_a_place(doc: Doc, i: int) -> bool:
        """Word ``i`` follows an ordinary capitalised word that is no first name and no function
        word: "Youth" of "the Youth Camp", not "Jo" of "Jo Camp" or "The" of "The Hill twins"."""
        if not i or not doc.adjacent(i):
            return False
        previous, base = doc.words[i - 1], doc.base(i - 1)
        return (previous[:1].isupper() and previous.lower() not in FUNCTION_WORDS
                and doc.lexicon.is_word(base) and not doc.lexicon.first_name_count(base))

    def _double_barrelled(self, doc: Doc, i: int, base: str) -> tuple[float, str] | None:
        """"Smith-Little", "Mary-Jane": every part a capitalised listed name (however common
        a word each is). At the start of a sentence, or of a heading ("Cross-Border
        working"), only with what follows a name."""
        parts = base.split("-")
        if not all(part[:1].isupper() and part.lower() not in _NEVER_NAMES and doc.lexicon.is_name(part)
                   for part in parts):
            return None
        detector = f"{self.name}.listed"
        if not doc.capital_says_nothing(i):
            return LISTED_COMMON, detector
        return (LISTED_INITIAL, detector) if self._name_follows(doc, i) else None

    @staticmethod
    def _name_follows(doc: Doc, i: int) -> bool:
        """What follows a name in an interview: "Summer, she's in Year 7", "Chase in Year 8",
        "Will, who ...", "Kit, my manager"."""
        following = doc.next_lower(i)
        if i + 1 >= len(doc):
            return False
        gap = doc.gap_before(i + 1)
        if following in _AFTER_NAME_COMMA and "," in gap and BREAK_CHARS.isdisjoint(gap):
            return True  # "Summer, she's in Year 7", "Kit, my manager, ..." (not across a break)
        after = doc.next_lower(i, 2)
        if gap == ", " and (following in _ADDRESS_OPENERS or "you" in (after, doc.next_lower(i, 3))):
            return True  # a name addressed: "Ginny, can you ...", "Sarah, please see ..."
        if gap == ", " and following in _ROLE_DETERMINERS and any(
                doc.next_lower(i, k) in PERSON_NOUNS for k in (2, 3, 4)):
            return True  # in apposition to a role: "Mark, the PE teacher, ..."
        if following in ("is", "was") and gap == " " and (
                (after == "in" and doc.next_lower(i, 3) in {"year", "reception", "nursery"})
                or (after in _ROLE_DETERMINERS and after not in ("the", "a", "an")
                    and (doc.next_lower(i, 3) in PERSON_NOUNS or doc.next_lower(i, 4) in PERSON_NOUNS))):
            return True  # "Precious is in Year 10", "Joy is their cousin", "Will is my brother"
        if following == "in" and after in {"year", "reception", "nursery"} and gap in (" ", ", "):
            return True  # "Chase in Year 8", "Precious, in Year 11"
        if gap != " ":
            return False
        if following == "and" and after in {"i", "me", "my", "his", "her", "their"}:
            return True  # "Summer and I meet up"
        if following in {"at", "from"} and i + 2 < len(doc) and doc.words[i + 2][0].isupper() \
                and doc.gap_before(i + 2) == " " and i + 2 not in doc.keep_words:
            return True  # "Peter at Holy Trinity"
        return following in _SUBJECT_VERBS  # "Will said", "Hope rang"

    # ------------------------------------------------------------------ runs

    def _joinable(self, doc: Doc, j: int, keep: set[int], after_initial: bool) -> bool:
        """Word ``j`` may be part of a name next to a name ("Claire Whitfield")."""
        word = doc.words[j]
        if not word[0].isupper() or DIGIT_RE.search(word):
            return False
        base = doc.base(j)
        lower = base.lower()
        lexicon = doc.lexicon
        if after_initial:
            return lower not in DETERMINERS  # "H.I. Er": what follows initials is the surname
        if len(base) == 1 and base != "I" and doc.text[doc.ends[j]:doc.ends[j] + 1] == ".":
            return True  # a middle initial, even "A." or "Q." (keep-terms as answers)
        if lower in DETERMINERS or lower in _NEVER_NAMES or lower in NAME_HEADS:
            return False
        if j in keep:
            # a first name that is also a keep-term ("Jan", "May", "Christian") joins a name
            return lexicon.first_name_count(base) >= 200
        if len(base) == 1:
            return True
        zipf = lexicon.word_zipf(base)
        if not lexicon.is_word(base) or zipf < 3.5:
            return True
        # an ordinary word joins only when it is also a name ("Grace Brown", not "With Amir")
        return lexicon.is_name(base) and zipf < 5.5

    def _after_particles(self, doc: Doc, j: int, keep: set[int]) -> int | None:
        """Where a name goes on when word ``j`` opens one or two particles before a surname
        ("van der Berg", "bin Rashid", "de la Cruz"): the surname's index, else None."""
        k = j
        while k < len(doc) and k - j < 2 and doc.words[k] in _PARTICLES and (k == j or doc.adjacent(k)):
            k += 1
        if k == j or k >= len(doc) or not doc.adjacent(k):
            return None
        return k if self._joinable(doc, k, keep, False) or _PARTICLE_WORD_RE.match(doc.words[k]) else None

    @staticmethod
    def _surname_after(doc: Doc, end: int, j: int, keep: set[int]) -> bool:
        """A listed surname straight after a listed first name is part of the name, however
        common a word it is ("Tom Little", "Sarah Best")."""
        lexicon = doc.lexicon
        surname = doc.base(j)
        return (j not in keep and doc.words[end] == doc.base(end) and surname[0].isupper()
                and len(surname) > 1 and surname.lower() not in _NEVER_NAMES
                and surname.lower() not in DETERMINERS and surname.lower() not in NAME_HEADS
                and bool(lexicon.surname_count(surname))
                and lexicon.first_name_count(doc.base(end)) > 0)

    def _run(self, doc: Doc, i: int, seeds: dict[int, tuple[float, str]],
             keep: set[int]) -> tuple[int, int, float, str]:
        """Extend seed word ``i`` over the capitalised words and initials around it."""
        confidence, detector = seeds[i]
        start = end = i
        # leftwards: initials and first names before a seed ("Z.M. Necatigil", "Sarah Jane")
        while start > 0 and doc.adjacent_or_dotted(start) and (
                start - 1 in seeds or self._joinable(doc, start - 1, keep, False)):
            if doc.words[start - 1].lower() in FORMAL_TITLES | TITLES:
                break
            if doc.sentence_initial(start) and not doc.is_initial(start - 1):
                break
            if doc.words[start - 1][0].isupper() and not doc.words[start][0].isupper():
                break  # a name typed in lower case takes no capitalised word before it ("Wait simon")
            start -= 1
        while end + 1 < len(doc) and doc.adjacent_or_dotted(end + 1):
            j = end + 1
            if doc.words[end] != doc.base(end):
                break  # a possessive closes the name: "Jayden's Mum"
            after_initial = doc.is_initial(end)
            if j in seeds or self._joinable(doc, j, keep, after_initial) or self._surname_after(doc, end, j, keep):
                end = j
            elif (after := self._after_particles(doc, j, keep)) is not None:
                end = after  # "Ahmed bin Rashid", "Robin van Persie", "Marieke van der Berg"
            else:
                break
        # particles before a surname stay with it: "[van der Berg]", "[bin Laden]"
        while start >= 1 and doc.words[start - 1] in _PARTICLES and doc.adjacent(start) \
                and not doc.sentence_initial(start - 1) and doc.previous_lower(start - 1) not in DETERMINERS:
            start -= 1
        # a title that says something about the person stays with the name ("Dr. Patel");
        # Mr, Mrs, Ms and Miss stay outside
        if start > 0 and doc.adjacent_or_dotted(start) \
                and doc.words[start - 1].lower() in _TITLES_IN_SPAN:
            start -= 1
        for k in range(start, end + 1):
            if k in seeds and seeds[k][0] > confidence:
                confidence, detector = seeds[k]
        if end > start and confidence > WEAK:
            confidence = min(0.97, confidence + 0.05)
        return start, end, confidence, detector


# Letters said to be someone's initials: "I signed it, my initials, CO", "her initials are
# K.B.", "initials jm on the form": the word says what the letters are, whatever they spell
_GIVEN_INITIALS_RE = re.compile(r"(?i)\binitials\b(?:,| are| were| is| was|:)*[ ,:]*"
                                r"([a-z](?:\.? ?[a-z]){1,2}\.?)(?![\w'])")
GIVEN_INITIALS = 0.85
# Two or three capitals each with its dot: "J.M.", "K. L.", "A.B.C.". A person's initials in an
# interview ("J.M. is his key worker"); the keep-list explains the abbreviations ("U.K.", "P.E.").
_DOTTED_INITIALS_RE = re.compile(r"(?<![\w.])[A-Z]\.(?: ?[A-Z]\.){1,2}(?![\w])")
INITIALS = 0.6
# Letters this common in text are an abbreviation; a person's initials are rarer ("jm" 3.1,
# "tj" 3.4). The bound the short forms of names use (propagation.SHORT_FORM_MAX_ZIPF).
COMMON_LETTERS_ZIPF = 4.0


@register_recognizer("names.initials", default=True)
class InitialsRecognizer(Recognizer):
    """A person's initials written with dots, which no keep-term or common abbreviation explains.
    Reported at 0.6: redacted, failing the check gate, and listed for review."""

    entity_types = frozenset({EntityType.PERSON})

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        yield from self._said_to_be_initials(doc)
        if "." not in text:
            return
        keep = doc.keep_list
        for match in _DOTTED_INITIALS_RE.finditer(text):
            letters = match.group().replace(".", "").replace(" ", "")
            if keep is not None and (letters in keep or match.group() in keep):
                continue
            if doc.lexicon.word_zipf(letters.lower()) >= COMMON_LETTERS_ZIPF:
                continue  # "T.V.", "U.S.", "P.S.", "R.I.P.": letters as common as a word
            yield self.span(doc, *match.span(), EntityType.PERSON, INITIALS)

    def _said_to_be_initials(self, doc: Doc) -> Iterable[Span]:
        if "initials" not in doc.lowered:
            return
        for match in _GIVEN_INITIALS_RE.finditer(doc.text):
            letters = match.group(1)
            # in lower case, a word after "initials" may be just a word ("initials on every page")
            if letters.islower() and (letters in FUNCTION_WORDS or letters in DETERMINERS):
                continue
            yield self.span(doc, *match.span(1), EntityType.PERSON, GIVEN_INITIALS)
