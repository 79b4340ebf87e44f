"""Recognising article-level questions, and the `eval intents` figures on the gold set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluate.intents import GOLD_FILE, evaluate_intents
from bot.intents import recognise
from bot.models import BotError

# Phrasings that are not in the gold set, so the patterns are checked beyond it.
UNSEEN = [
    ("Could you give me the gist of this story?", "summary"),
    ("what's it about", "summary"),
    ("tldr pls", "summary"),
    ("Who is the reporter?", "facts"),
    ("which site is this article from", "facts"),
    ("Who's quoted in the piece?", "speakers"),
    ("What else did the ministry say?", "speaker"),
    ("Whats new", "articles"),
    ("list the articles", "articles"),
    ("What did Donald Trump say about NATO?", "question"),
    ("what is new york doing", "question"),
    ("Who wrote Hamlet?", "question"),
    ("What are the key points of the Paris agreement?", "question"),
    ("What did he say?", "question"),
    ("", "question"),
]


@pytest.mark.parametrize(("text", "kind"), UNSEEN, ids=[t or "empty" for t, _ in UNSEEN])
def test_recognise_phrasings_outside_the_gold_set(text: str, kind: str) -> None:
    assert recognise(text).kind == kind


def test_one_speaker_keeps_the_readers_description() -> None:
    intent = recognise("What else did the same diplomat say?")
    assert (intent.kind, intent.speaker) == ("speaker", "the same diplomat")


def test_article_named_by_topic_is_captured() -> None:
    intent = recognise("Summarize the article about Ukraine, please")
    assert (intent.kind, intent.topic) == ("summary", "ukraine")


def test_pronoun_follow_ups_stay_with_the_answerer() -> None:
    assert not recognise("What else did she say?").article_level


def test_eval_intents_meets_its_targets_on_the_gold_set() -> None:
    report = evaluate_intents(GOLD_FILE)
    assert report.cases >= 100 and report.questions >= 40
    assert report.accuracy >= 0.95
    assert report.questions_taken_as_article_level <= 0.02


def test_eval_intents_counts_a_wrong_label_as_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "gold.json"
    cases = [{"text": "tl;dr", "intent": "summary"}, {"text": "tl;dr", "intent": "question"}]
    path.write_text(json.dumps({"cases": cases}))
    report = evaluate_intents(path)
    assert report.accuracy == 0.5
    assert report.questions_taken_as_article_level == 1.0


def test_eval_intents_rejects_unknown_labels(tmp_path: Path) -> None:
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"cases": [{"text": "hi", "intent": "greeting"}]}))
    with pytest.raises(BotError, match="unknown intents"):
        evaluate_intents(path)


def test_long_text_is_an_ordinary_question_and_quick() -> None:
    text = "what did " + "the diplomat " * 50_000 + "say"
    assert recognise(text).kind == "question"
    assert recognise("what did the diplomat say").kind == "speaker"
