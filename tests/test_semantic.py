"""Answering by meaning: a reader's own words find the sentence that says the same thing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from bot import rerank
from bot.answer import Answerer
from bot.conversation import Conversation
from bot.library import Library

BULK = "the bulk of the troops"


def test_a_sentence_sharing_no_word_with_the_question_becomes_a_candidate(
    embedded: Library,
) -> None:
    question = "Who will supply most of the soldiers?"  # the article: "the bulk of the troops"
    answerer = embedded._answerer
    lexical = answerer.candidate_features(question)  # given as text: no vector
    assert not any(BULK in passage.text for passage, _ in lexical)
    scored = answerer.candidate_features(answerer.parse(question, embedded.encode_with_tokens))
    by_meaning = sorted(scored, key=lambda pair: -pair[1].sentence_cosine)
    top = [passage.text for passage, _ in by_meaning[:3]]
    assert any(BULK in text for text in top), top


def test_semantic_candidates_come_from_outside_the_index_hits(embedded: Library) -> None:
    answerer = embedded._answerer
    query = answerer.parse("Could this split the alliance?", embedded.encode_with_tokens)
    assert query.vector is not None
    scored = answerer.candidate_features(query)
    cosines = np.array([features.sentence_cosine for _, features in scored])
    assert scored and cosines.max() > 0.3
    # Index hits need a shared term; candidates found by meaning alone have a BM25 of 0.
    assert any(features.bm25 == 0 for _, features in scored)


def test_unrelated_questions_are_still_declined_with_the_semantic_layer(
    embedded: Library,
) -> None:
    for question in ("What is the capital of Peru?", "How do I bake sourdough bread?"):
        assert not embedded.ask(question).answered, question


def test_the_question_is_encoded_once_outside_the_lock(embedded: Library) -> None:
    calls: list[list[str]] = []
    model = embedded.encoder
    assert model is not None

    class Counting:
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            calls.append(list(texts))
            assert model is not None
            return model.encode(texts)

    embedded.encoder = Counting()
    embedded.ask("Who wants U.S. troops in Ukraine?")
    assert calls == [["Who wants U.S. troops in Ukraine?"]]


def test_a_question_that_says_the_same_in_other_words_is_answered_on_its_meaning(
    embedded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its words alone fall short of MIN_MATCH; its meaning is close to one sentence.
    question = "Would Europe going it alone hurt the alliance?"
    answer = embedded.ask(question)
    assert answer.answered
    assert "forced to send troops on their own" in answer.quotes[0].text
    answerer = embedded._answerer
    # Without a high cosine or a clear lead in cosine, its token match still leads.
    answerer.options = replace(answerer.options, answer_cosine=1.01, meaning_cosine=1.01)
    assert embedded.ask(question).quotes[0].text == answer.quotes[0].text
    # No rule of meaning: the evidence weighed with token states, which counts its token
    # match and cosine beside its words, still answers it; its words' evidence alone does not.
    answerer.options = replace(answerer.options, match_floor=1.01)
    assert embedded.ask(question).answered
    monkeypatch.setattr(rerank, "ABSTENTION_WEIGHTS", {})
    monkeypatch.setattr(rerank, "ABSTENTION_OFFSET", 0.0)
    assert not embedded.ask(question).answered


def test_a_candidate_that_wins_clearly_by_meaning_is_answered_where_words_are_weak(
    embedded: Library,
) -> None:
    # The article: "Europeans understand that the U.S. expects them ..."; the question's words
    # match too little for MIN_MATCH and its best cosine is under 0.6, but it leads every
    # other candidate's by more than meaning_lead.
    question = "Who says Europeans grasp what Washington expects?"
    answer = embedded.ask(question)
    assert answer.answered
    assert "Europeans understand that the U.S. expects" in answer.quotes[0].text
    answerer = embedded._answerer
    # No lead is that clear, in cosine or in token match.
    answerer.options = replace(answerer.options, meaning_lead=1.0, match_lead=1.0)
    assert not embedded.ask(question).answered


def test_a_follow_up_is_judged_by_its_words_since_its_vector_lacks_its_subject(
    embedded: Library,
) -> None:
    conversation = Conversation()
    conversation.remember(embedded.ask("Who wants U.S. troops in Ukraine?", conversation))
    answer = embedded.ask("Will he talk to Putin about it?", conversation)
    assert answer.answered
    assert "Russian President Vladimir Putin" in answer.quotes[0].text


def test_where_the_words_are_weak_the_first_candidates_are_ordered_by_meaning(
    embedded: Library,
) -> None:
    # The article: "it is still too early to discuss in detail what the future peacekeeping
    # forces in Ukraine would look like"; by words the question leans on "deal" and "force".
    question = "Is a deal on the shape of the force close?"
    answerer = embedded._answerer
    answerer.options = replace(answerer.options, min_match=0.0)
    assert "still too early to discuss" in embedded.ask(question).quotes[0].text
    answerer.options = replace(answerer.options, meaning_gate=0.0)  # the words always order
    quotes = embedded.ask(question).quotes
    assert quotes and "still too early to discuss" not in quotes[0].text


def test_in_an_order_by_meaning_a_quote_need_not_share_the_question_s_words(
    embedded: Library,
) -> None:
    # The article: "... does not intend to take an active role in Ukraine's reconstruction".
    question = "Who is meant to fund the rebuilding?"
    answerer = embedded._answerer
    answerer.options = replace(answerer.options, min_match=0.0)
    quotes = embedded.ask(question).quotes
    assert quotes and "reconstruction" in quotes[0].text
    # Neither its words nor its cosine would pass the filters that judge by words.
    scored = answerer.candidate_features(answerer.parse(question, embedded.encode_with_tokens))
    (features,) = [f for passage, f in scored if passage.text == quotes[0].text]
    assert features.bm25 == 0
    assert features.sentence_cosine < answerer.options.quote_cosine
    answerer.options = replace(answerer.options, meaning_gate=0.0)
    assert not embedded.ask(question).answered


def test_a_count_question_whose_best_sentence_holds_no_number_needs_more_evidence(
    embedded: Library,
) -> None:
    counting = "How many European officials are pushing the Trump administration?"
    naming = "Which European officials are pushing the Trump administration?"
    answerer = embedded._answerer
    # Only the words' evidence decides here (the best sentence's cosine is high: it names them).
    words = replace(answerer.options, answer_cosine=1.01, meaning_cosine=1.01)
    answerer.options = replace(words, missing_type_penalty=0.0)
    assert embedded.ask(counting).answered and embedded.ask(naming).answered
    answerer.options = replace(answerer.options, missing_type_penalty=10.0)
    assert not embedded.ask(counting).answered  # no sentence of the article holds a number
    assert embedded.ask(naming).answered  # asks for no number: its evidence is untouched


def test_a_date_question_is_not_answered_on_meaning_by_a_sentence_without_a_date(
    embedded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The article says it is "still too early to discuss" the force; Geneva is not in it.
    question = "When will the peace talks with Russia start in Geneva?"
    assert not embedded.ask(question).answered
    # Were "when" not asking for a date, its token match alone would answer it.
    monkeypatch.setattr(Answerer, "_lacks_answer_type", lambda *_: False)
    assert embedded.ask(question).answered


def test_with_token_states_weak_words_put_the_first_candidates_in_order_of_token_match(
    embedded: Library,
) -> None:
    # "the bulk of the troops": no word in common with the question but "the".
    question = "Who will supply most of the soldiers?"
    answerer = embedded._answerer
    answerer.options = replace(answerer.options, min_match=0.0)
    assert BULK in embedded.ask(question).quotes[0].text
    query = answerer.parse(question, embedded.encode_with_tokens)
    scored = answerer.candidate_features(query)
    by_match = max(scored, key=lambda pair: pair[1].token_match)[0].text
    assert BULK in by_match
