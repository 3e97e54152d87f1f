"""Suggesters, alone and through ``code_transcripts``: rules on lemmas, semantic ranking, topics at
every size, the learned suggester improving with more labels, the ensemble and the codings table."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import CODEBOOK, GOLD
from qual.coding import CODINGS_COLUMNS
from qual.coding.codebook import Code, Codebook, Theme, load_codebook
from qual.coding.embeddings import load_embedder
from qual.coding.pipeline import code_transcripts, embed_segments, human_labels
from qual.coding.segments import segment_transcripts
from qual.coding.suggesters import (SUGGESTERS, Ensemble, LearnedSuggester, RulesSuggester, SelectionRule,
                                    SemanticSuggester, SuggestContext, TopicSuggester, make_suggester, select)
from qual.coding.suggesters.rules import lemma
from qual.errors import QualError
from qual.model import Role, Transcript, Turn

TINY = Codebook(
    name="tiny",
    themes=[Theme("T", "theme")],
    codes=[
        Code("REF", "Referrals", "T", definition="How referrals to children's social care are made.",
             keywords=["referral", "front door", "refer"],
             examples=["We made a referral to the front door.", "I referred the family to the MASH."]),
        Code("SUP", "Support", "T", definition="Support given to students: one-to-one work and drop-ins.",
             keywords=["support", "drop-in", "one-to-one"],
             examples=["I ran a drop-in every lunchtime.", "I did one-to-one work with a girl in Year 9."]),
        Code("COVID", "Covid", "T", definition="Lockdowns, school closures and remote working in the pandemic.",
             keywords=["lockdown", "covid", "school closures"],
             examples=["In lockdown we did doorstep visits.", "Covid meant everything moved online."]),
    ],
)


def transcript(answers: list[str], doc: str = "D1", question: str = "Can you tell me more?") -> Transcript:
    turns = []
    for answer in answers:
        turns.append(Turn(0, "Interviewer", Role.INTERVIEWER, question))
        turns.append(Turn(0, "P", Role.PARTICIPANT, answer))
    return Transcript(id=doc, source=f"{doc}.txt", turns=turns)


def context_for(segments, embedder=None, labels=None) -> SuggestContext:
    vectors = embed_segments(segments, embedder) if embedder is not None else (None, None)
    return SuggestContext(embedder=embedder, answer_vectors=vectors[0], question_vectors=vectors[1], labels=labels)


@pytest.fixture(scope="module")
def static():
    return load_embedder("static")


@pytest.fixture(scope="module")
def swis():
    return load_codebook(CODEBOOK)


def gold_transcripts():
    transcripts, gold = [], {}
    for path in sorted(GOLD.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        turns = [Turn(i, t["speaker"], Role(t["role"]), t["text"], t.get("timestamp")) for i, t in enumerate(data["turns"])]
        transcripts.append(Transcript(id=data["id"], source=path.name, turns=turns))
        for i, t in enumerate(data["turns"]):
            if t["role"] != "interviewer":
                gold[(data["id"], i)] = set(t.get("codes", []))
    return transcripts, gold


# --------------------------------------------------------------------------- registry and rules


def test_the_registry_knows_every_suggester_and_refuses_unknown_names():
    assert {"rules", "semantic", "topic", "learned"} <= set(SUGGESTERS)
    with pytest.raises(QualError, match="unknown suggester"):
        make_suggester("astrology")


def test_lemmas_come_from_the_table_with_a_plural_fallback():
    assert lemma("referrals") == "referral"
    assert lemma("children") == "child"
    assert lemma("supported") == "support"
    assert lemma("lockdowns") == "lockdown"  # not in the table: plural stripping
    assert lemma("class") == "class"


def test_rules_match_keywords_on_lemmas_and_lower_case():
    answers = ["Two REFERRALS went to the Front Door last week.", "She supported him at the drop-in.",
               "During the lockdowns it was all online.", "Nothing relevant here at all."]
    segments = segment_transcripts([transcript(answers)])
    rules = RulesSuggester().fit(segments, TINY, context_for(segments))
    scores = rules.suggest(segments)
    rows = np.flatnonzero(segments["codable"].to_numpy())
    assert scores.shape == (len(segments), 3)
    assert scores[rows[0]].argmax() == 0 and scores[rows[0], 0] > 0.5
    assert scores[rows[1]].argmax() == 1 and scores[rows[1], 1] > 0.5
    assert scores[rows[2]].argmax() == 2 and scores[rows[2], 2] > 0.3
    assert scores[rows[3]].max() == 0
    assert rules.matched_keywords("Two referrals") == ["referral"]


def test_rules_count_an_overlapping_shorter_keyword_once():
    book = Codebook("b", [Theme("T", "t")], [
        Code("A", "a", "T", keywords=["staff briefing"]), Code("B", "b", "T", keywords=["briefing"])])
    segments = segment_transcripts([transcript(["I spoke at the staff briefing."] * 3 + ["A briefing."])])
    scores = RulesSuggester().fit(segments, book, context_for(segments)).suggest(segments)
    first = np.flatnonzero(segments["codable"].to_numpy())[0]
    assert scores[first, 0] > 0 and scores[first, 1] == 0


def test_rules_read_the_question_but_trust_the_answer_more():
    segments = segment_transcripts([transcript(["Yes, definitely."], question="Did referrals change?"),
                                    transcript(["Referrals changed, yes."], doc="D2")])
    scores = RulesSuggester().fit(segments, TINY, context_for(segments)).suggest(segments)
    from_question, from_answer = scores[segments["codable"].to_numpy()][:, 0]
    assert 0 < from_question < from_answer


# --------------------------------------------------------------------------- semantic


@pytest.mark.parametrize("backend", ["static", pytest.param("minilm", marks=[pytest.mark.ml, pytest.mark.slow])])
def test_semantic_ranks_the_code_a_paraphrase_describes(backend):
    answers = ["The teacher was worried about a child's safety so we reported it to children's services.",
               "Every lunchtime kids could pop in and see me for a chat.",
               "When the pandemic closed schools we phoned families from home."]
    segments = segment_transcripts([transcript(answers)])
    semantic = SemanticSuggester().fit(segments, TINY, context_for(segments, load_embedder(backend)))
    scores = semantic.suggest(segments)
    coded = scores[segments["codable"].to_numpy()]
    assert coded.argmax(axis=1).tolist() == [0, 1, 2]
    assert ((scores >= 0) & (scores <= 1)).all()


# --------------------------------------------------------------------------- topic


def example_answers(codebook, n: int) -> list[str]:
    examples = [e for code in codebook.codes for e in code.examples]
    return [examples[i % len(examples)] + ("" if i < len(examples) else f" That was year {i}.") for i in range(n)]


@pytest.mark.parametrize("n", [60, 300])
def test_topics_on_one_interview_map_to_codes(static, swis, n):
    segments = segment_transcripts([transcript(example_answers(swis, n))])
    topic = TopicSuggester().fit(segments, swis, context_for(segments, static))
    assert topic.available, topic.notes
    scores = topic.suggest(segments)
    table = topic.topics_table
    assert len(table) >= 2 and table["size"].sum() == n
    assert {"topic", "size", "top_words", "codes", "candidate", "examples"} <= set(table.columns)
    assert (scores[segments["codable"].to_numpy()].max(axis=1) > 0).mean() > 0.5
    assert topic.chart() is not None
    assert any("topics" in note for note in topic.notes)


@pytest.mark.parametrize("n", [6, 25])
def test_topics_on_tiny_inputs_do_not_crash_and_say_why_when_there_are_none(static, swis, n):
    segments = segment_transcripts([transcript(example_answers(swis, n))])
    topic = TopicSuggester().fit(segments, swis, context_for(segments, static))
    scores = topic.suggest(segments)
    assert scores.shape == (len(segments), len(swis.codes))
    if topic.available:
        assert len(topic.topics_table) >= 2
    else:
        assert topic.notes and "segments" in topic.notes[0]
        assert scores.max() == 0


def test_topics_that_match_no_code_are_candidate_new_codes(static, swis):
    off_topic = [f"The football team won {goals} nil on {day} and the striker scored twice."
                 for goals in ("two", "three", "four", "five", "six") for day in ("Monday", "Friday", "Saturday")]
    segments = segment_transcripts([transcript(example_answers(swis, 45) + off_topic * 2)])
    topic = TopicSuggester().fit(segments, swis, context_for(segments, static))
    assert topic.available
    assert topic.candidates, "the football topic matches no code"
    candidate = topic.candidates[0]
    assert "football" in candidate["top_words"] and candidate["example_texts"]
    assert bool(topic.topics_table.set_index("topic").loc[candidate["topic"], "candidate"])


# --------------------------------------------------------------------------- learned


def test_learned_is_unavailable_without_human_codes(static):
    segments = segment_transcripts([transcript(["Some answer."] * 5)])
    learned = LearnedSuggester().fit(segments, TINY, context_for(segments, static))
    assert not learned.available and "no human codes" in learned.notes[0]


def test_learned_improves_as_more_codes_are_accepted(static, swis):
    transcripts, gold = gold_transcripts()
    segments = segment_transcripts(transcripts)
    vectors = embed_segments(segments, static)
    human = [{"document": d, "turn": t, "segment": str(t), "code": c, "status": "accepted"}
             for (d, t), codes in gold.items() for c in codes]
    labels = human_labels(segments, swis, human, complete_documents=True).labels
    documents = sorted(segments["document"].unique())
    held_out = segments["document"].isin(documents[-2:]).to_numpy()
    truth = labels[held_out] == 1
    codable = segments["codable"].to_numpy()

    def held_out_f1(train_documents: list[str]) -> float:
        train = labels.copy()
        train[~segments["document"].isin(train_documents).to_numpy()] = np.nan
        context = SuggestContext(embedder=static, answer_vectors=vectors[0], question_vectors=vectors[1], labels=train)
        scores = LearnedSuggester().fit(segments, swis, context).suggest(segments, context)
        chosen = select(scores, SelectionRule(), eligible=codable)[held_out]
        tp = (chosen & truth).sum()
        return 2 * tp / max(chosen.sum() + truth.sum(), 1)

    few, more, most = held_out_f1(documents[:2]), held_out_f1(documents[:4]), held_out_f1(documents[:-2])
    assert few < most and more <= most + 0.02
    assert most > 0.3


# --------------------------------------------------------------------------- ensemble and pipeline


def test_the_ensemble_rewards_agreement_and_selection_keeps_the_best_code():
    rules = np.array([[0.9, 0.0, 0.0], [0.2, 0.1, 0.0]], dtype=np.float32)
    semantic = np.array([[0.8, 0.7, 0.0], [0.3, 0.1, 0.0]], dtype=np.float32)
    ensemble = Ensemble(weights={"rules": 0.8, "semantic": 0.8})
    combined = ensemble.combine({"rules": rules, "semantic": semantic})
    assert combined[0, 0] > max(0.8 * 0.9, 0.8 * 0.8)  # two agreeing suggesters beat either alone
    chosen = select(combined, SelectionRule(threshold=0.5, floor=0.2, max_codes=2, relative=0.0))
    assert chosen[0].tolist() == [True, True, False]
    assert chosen[1].tolist() == [True, False, False]  # below threshold, but the segment's best
    # A second code far weaker than the best is dropped by the relative rule.
    assert select(combined, SelectionRule(threshold=0.5, floor=0.2, max_codes=2, relative=0.8))[0].tolist() == \
        [True, False, False]
    assert select(combined, SelectionRule(threshold=0.3, floor=0.2, max_codes=1, relative=0.0)).sum(axis=1).max() == 1
    assert ensemble.sources({"rules": rules, "semantic": semantic}, [0, 0], [0, 1]) == ["rules+semantic", "semantic"]


def test_code_transcripts_returns_codings_with_sources_and_keeps_human_codes(static):
    answers = ["Two referrals went to the front door.", "She supported him with drop-ins.",
               "During lockdown it was all online.", "I referred them on."]
    transcripts = [transcript(answers), transcript(answers[::-1], doc="D2")]
    human = [{"document": "D1", "segment": "3", "code": "SUP", "status": "accepted"},
             {"document": "D1", "segment": "1", "code": "REF", "status": "rejected"}]
    result = code_transcripts(transcripts, TINY, embedder=static, human_codes=human)
    codings = result.codings
    assert list(codings.columns) == CODINGS_COLUMNS
    assert set(codings["status"]) <= {"suggested", "candidate", "accepted", "rejected"}
    # Every codable segment lists its best candidates, ranked; the proposed ones are selected.
    candidates = codings[codings["status"].isin(["suggested", "candidate"])]
    assert candidates.groupby(["document", "segment"]).size().max() <= 5
    assert candidates["rank"].between(1, 5).all()
    assert (candidates["selected"] == (candidates["status"] == "suggested")).all()
    for _, group in candidates.groupby(["document", "segment"]):
        assert group["score"].is_monotonic_decreasing and group["rank"].is_monotonic_increasing
    suggested = codings[codings["status"] == "suggested"]
    assert (suggested["role"] != "interviewer").all()
    assert suggested["source"].str.match(r"^(rules|semantic|topic|learned|ensemble)(\+\w+)*$").all()
    accepted = codings[codings["status"] == "accepted"]
    assert accepted[["document", "segment", "code", "source"]].values.tolist() == [["D1", "3", "SUP", "human"]]
    rejected = codings[codings["status"] == "rejected"]
    assert ["D1", "1", "REF"] in rejected[["document", "segment", "code"]].values.tolist()
    assert not ((suggested["document"] == "D1") & (suggested["segment"] == "1") & (suggested["code"] == "REF")).any()
    text = "\n\n".join(t.text for t in transcripts[:1])
    for row in codings[codings["document"] == "D1"].itertuples():
        assert text[row.start:row.end] == row.text
    assert set(result.scores) >= {"rules", "semantic"}
    assert result.ensemble.shape == (len(result.segments), 3)
    assert any(note.startswith("learned:") for note in result.notes)


def test_a_threshold_of_one_leaves_only_each_segments_best_code(static):
    transcripts = [transcript(["Two referrals went to the front door.", "Lockdown moved it online."])]
    result = code_transcripts(transcripts, TINY, embedder=static, threshold=1.0, suggesters=("rules", "semantic"))
    assert result.suggestions.groupby(["document", "segment"]).size().max() <= 1
    assert result.codings["selected"].sum() == len(result.suggestions)


def test_no_transcripts_means_no_codings_and_no_crash(static):
    result = code_transcripts([], TINY, embedder=static)
    assert result.codings.empty and list(result.codings.columns) == CODINGS_COLUMNS


def test_a_short_reply_to_who_or_what_was_named_gets_no_code(static, swis):
    from qual.coding.suggesters.fusion import clarifies

    reply = "Sorry, my manager, she runs the SWIS team and the Early Help hub and does our supervision."
    assert clarifies("Who's Rav?", reply) and clarifies("DC being...", "Sorry, the DSL.")
    assert clarifies("Sorry, your manager is?", reply) and clarifies("Is that Mr Okonjo?", "Yeah, him.")
    assert not clarifies("Who is the most helpful person?", "The DSL, she always backs me up.")
    assert not clarifies("And at St Columba's?", "Better, the DSL there gets it now.")
    assert not clarifies("Who's Rav?", " ".join(["The DSL would come and find me."] * 5))  # a long answer
    transcripts = [Transcript(id="D1", source="D1.txt", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "Who's Rav?"), Turn(1, "P", Role.PARTICIPANT, reply),
        Turn(2, "Interviewer", Role.INTERVIEWER, "How is supervision?"), Turn(3, "P", Role.PARTICIPANT, reply)])]
    result = code_transcripts(transcripts, swis, embedder=static, suggesters=("rules", "semantic"))
    assert set(result.suggestions["turn"]) == {3}


# --------------------------------------------------------------------------- per-turn counts and learning


def test_sentences_keep_fragments_with_a_neighbour():
    from qual.coding.segments import sentences

    assert sentences("Yeah. So I was in the team for years. Then the posts came up and I applied!") == \
        ["Yeah. So I was in the team for years.", "Then the posts came up and I applied!"]
    assert sentences("okay so we started in september and it was fine") == \
        ["okay so we started in september and it was fine"]


def test_small_talk_gets_no_code_and_substantive_answers_do(static, swis):
    small_talk = ["Thanks, bye now.", "Hello, yes, I can hear you okay.", "Mm, yeah.",
                  "Sorry, could you repeat that?"]
    substantive = ["The DSL would come and find me before she rang the front door, just to talk a worry "
                   "through.", "When the schools shut in lockdown we did doorstep visits to the families."]
    transcripts = [transcript(small_talk + substantive, question="And how was that for you?")]
    result = code_transcripts(transcripts, swis, embedder=static, suggesters=("rules", "semantic"))
    proposed = set(result.suggestions["text"])
    assert not proposed & set(small_talk)
    assert set(substantive) <= proposed
    # Every participant segment still lists its ranked candidates for the reviewer.
    assert set(result.codings["text"]) >= set(small_talk)
    assert any("small talk" in note for note in result.notes)


def test_a_turn_gets_up_to_three_codes_decided_per_turn():
    from qual.coding.suggesters.fusion import select_codes

    scores = np.array([[0.9, 0.8, 0.7, 0.6], [0.9, 0.2, 0.1, 0.0], [0.3, 0.1, 0.0, 0.0], [0.9, 0.9, 0.9, 0.9]],
                      dtype=np.float32)
    chosen = select_codes(scores, threshold=0.4, floor=0.25, relative=0.7, max_codes=3,
                          substantive=np.array([True, True, True, False]))
    assert chosen.sum(axis=1).tolist() == [3, 1, 1, 0]


def test_fitted_fusion_learns_from_reviewed_segments_and_says_when_it_cannot():
    from qual.coding.suggesters.fusion import FittedFusion

    rng = np.random.default_rng(0)
    n, k = 120, 6
    truth = rng.random((n, k)) < 0.2
    informative = truth * 0.6 + rng.random((n, k)) * 0.4  # a suggester that knows the answer
    misleading = rng.random((n, k)).astype(np.float32)  # the zero-shot ranking is noise
    labels = np.full((n, k), np.nan, dtype=np.float32)
    labels[:60] = truth[:60]
    zero_chosen = misleading >= np.sort(misleading, axis=1)[:, -1:]
    fusion = FittedFusion()
    features = fusion.features({"a": informative.astype(np.float32)}, misleading, np.zeros((n, 2), np.float32))
    fusion.fit(features, labels, zero_chosen, misleading)
    assert fusion.fitted and fusion.gain > 0.2, fusion.note
    predicted = fusion.predict(features, (n, k))[60:]
    assert predicted[truth[60:]].mean() > predicted[~truth[60:]].mean() + 0.3
    few = np.full((n, k), np.nan, dtype=np.float32)
    few[:3] = truth[:3]
    assert not FittedFusion().fit(features, few, zero_chosen, misleading).fitted
    # When the zero-shot scores already rank perfectly, the fit is not used.
    perfect = truth.astype(np.float32)
    assert not FittedFusion().fit(features, labels, perfect >= 0.5, perfect).fitted


def test_accepted_segments_become_examples_for_the_semantic_suggester(static):
    book = Codebook("b", [Theme("T", "t")], [
        Code("PETS", "Pets", "T", definition="Animals kept at home.", examples=["We have a dog and two cats."]),
        Code("FOOD", "Food", "T", definition="Meals and cooking.", examples=["I cook pasta most nights."])])
    answers = ["The allotment gave us loads of courgettes this year.", "Our courgettes and beans did well.",
               "We have a dog.", "I cook pasta."] * 3
    segments = segment_transcripts([transcript(answers)])
    codable = np.flatnonzero(segments["codable"].to_numpy())
    before = SemanticSuggester().fit(segments, book, context_for(segments, static)).suggest(segments)
    labels = np.full((len(segments), 2), np.nan, dtype=np.float32)
    labels[codable[0]] = [1.0, 0.0]  # the researcher codes an allotment answer as PETS (their project's meaning)
    context = context_for(segments, static, labels=labels)
    semantic = SemanticSuggester().fit(segments, book, context)
    after = semantic.suggest(segments, context)
    similar = codable[1]  # another allotment answer, never reviewed
    assert after[similar, 0] - after[similar, 1] > before[similar, 0] - before[similar, 1]
    assert any("accepted codes used as examples" in note for note in semantic.notes)


def test_topic_labels_are_content_words():
    from qual.coding.suggesters.topic import topic_label

    assert topic_label(["we", "don't", "yeah", "lockdown", "they", "school closures", "teams", "online", "zoom"]) == \
        "lockdown, school closures, teams, online"


def test_topics_on_a_large_corpus_are_fitted_on_a_sample_and_cover_every_segment(static, swis):
    segments = segment_transcripts([transcript(example_answers(swis, 300))])
    topic = TopicSuggester(max_fit_segments=120).fit(segments, swis, context_for(segments, static))
    assert topic.available
    assert topic.topics_table["size"].sum() == 300
    assert any("sample of 120 of 300" in note for note in topic.notes)
    assert (topic.suggest(segments)[segments["codable"].to_numpy()].max(axis=1) > 0).mean() > 0.5


def test_a_segment_that_gives_contact_details_or_a_reference_gets_no_code(static, swis):
    from qual.coding.suggesters.fusion import gives_details

    details = "Yeah, so my email's [Email], or ring the Year 8 office, it's [Phone], and ask for me."
    assert gives_details(details)
    assert gives_details("It's under her [Case number], I think. She was born [Date of birth], if you need it.")
    assert gives_details("yeah dunmarsh family hub dot org dot uk they do the parenting courses")
    assert gives_details("Oh, and the postcode for the claim form is QW9 4TP, the side entrance.")
    substantive = ("I gave mum my number, [Phone], and she rang me at two in the morning when he kicked off, "
                   "and we did a safety plan with the police, the school and her aunt that night.")
    assert not gives_details(substantive)
    assert not gives_details("The referral went in on the Monday and the DSL chased it up with the front door.")
    transcripts = [Transcript(id="D1", source="D1.txt", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "How can we reach you?"), Turn(1, "P", Role.PARTICIPANT, details),
        Turn(2, "Interviewer", Role.INTERVIEWER, "Any example?"), Turn(3, "P", Role.PARTICIPANT, substantive)])]
    result = code_transcripts(transcripts, swis, embedder=static, suggesters=("rules", "semantic"))
    assert 1 not in set(result.suggestions["turn"])


def test_the_reply_to_an_interviews_small_talk_opening_gets_no_code(static, swis):
    from qual.coding.suggesters.fusion import first_reply

    opening = "Okay, I think it's recording now, so thank you for doing this, I know you're busy."
    reply = ("No, you're fine, honestly. I'm parked up outside the school in the car with a sandwich, "
             "the DSL's office was full, so this is my lunch.")
    story = ("We had a lad whose mum was poorly and nobody in school knew until he came to my drop-in; "
             "we got a young carers assessment done and his attendance came back up.")
    transcripts = [Transcript(id="D1", source="D1.txt", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, opening), Turn(1, "P", Role.PARTICIPANT, reply),
        Turn(2, "Interviewer", Role.INTERVIEWER, "Could you give me an example?"),
        Turn(3, "P", Role.PARTICIPANT, story)])]
    result = code_transcripts(transcripts, swis, embedder=static, suggesters=("rules", "semantic"))
    assert set(result.suggestions["turn"]) == {3}
    # only the reply to a document's opening turn counts as one
    assert list(first_reply(result.segments)) == [row.turn == 1 for row in result.segments.itertuples()]
    # an excerpt that opens on a question, not on the recording or thanks, keeps its first reply
    excerpt = code_transcripts([transcript([story])], swis, embedder=static, suggesters=("rules", "semantic"))
    assert set(excerpt.suggestions["turn"]) == {1}
