"""Conversation context: what is remembered, bounded, and serialised."""

from __future__ import annotations

import json

from bot.conversation import MAX_TURNS, Conversation
from bot.models import Answer, Article, Attribution, Passage, Quote

ARTICLE = Article(id="a1", title="T", paragraphs=("x",))


def quote(position: int, speaker: str | None) -> Quote:
    passage = Passage("a1", position, 0, f"Sentence {position}.", Attribution(speaker, "said"))
    return Quote(passage, ARTICLE, 1.0)


def test_remember_keeps_quoted_passages_and_distinct_speakers() -> None:
    conversation = Conversation()
    conversation.remember(
        Answer("q?", (quote(3, "a diplomat"), quote(5, "a diplomat"), quote(1, None)))
    )
    turn = conversation.last
    assert turn is not None
    assert turn.quoted == (("a1", 3), ("a1", 5), ("a1", 1))
    assert turn.speakers == ("a diplomat",)
    assert conversation.already_quoted() == {("a1", 3), ("a1", 5), ("a1", 1)}


def test_last_answered_skips_unanswered_turns() -> None:
    conversation = Conversation()
    conversation.remember(Answer("first?", (quote(0, "x"),)))
    conversation.remember(Answer("nothing?"))
    answered = conversation.last_answered()
    assert answered is not None and answered.question == "first?"


def test_turns_are_bounded() -> None:
    conversation = Conversation()
    for number in range(MAX_TURNS + 4):
        conversation.remember(Answer(f"q{number}?"))
    assert len(conversation.turns) == MAX_TURNS
    assert conversation.turns[0].question == "q4?"


def test_round_trips_through_json() -> None:
    conversation = Conversation()
    conversation.remember(Answer("q?", (quote(2, "an official"),)))
    restored = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
    assert restored.turns == conversation.turns


def test_reset_forgets_everything() -> None:
    conversation = Conversation()
    conversation.remember(Answer("q?", (quote(2, "an official"),)))
    conversation.reset()
    assert conversation.is_empty and conversation.last_answered() is None
