"""Article-level answers through the library: focus, summary, facts, speakers, pages, More."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.conversation import Conversation
from bot.ingest import read_file
from bot.library import Library
from bot.overview import ARTICLES_PER_PAGE
from bot.settings import Settings

ARTICLES_DIR = Path(__file__).parent / "telegram" / "articles"
SEED_ID = "b337a07ac34c83ae"


@pytest.fixture
def library(settings: Settings) -> Library:
    """The seed article, then the grain talks, then the harbour budget (newest)."""
    opened = Library.open(settings)
    for name in ("grain-talks.txt", "harbour-budget.txt"):
        time.sleep(1.05)  # `added` has one-second resolution: keep the order unambiguous
        opened.add(read_file(ARTICLES_DIR / name))
    return opened


def test_the_only_article_is_this_article(settings: Settings) -> None:
    answer = Library.open(settings).ask("What is this article about?")
    assert answer.kind == "summary" and answer.focus is not None
    assert (answer.focus.reason, answer.focus.article.id) == ("only", SEED_ID)
    assert len(answer.quotes) == settings.summary_sentences


def test_without_conversation_the_newest_is_used_and_the_others_offered(library: Library) -> None:
    answer = library.ask("Summarize the story")
    assert answer.focus is not None and answer.focus.reason == "newest"
    assert "harbour" in answer.focus.article.title.lower()
    assert [a.id for a in answer.focus.others][-1] == SEED_ID
    assert all(q.article.id == answer.focus.article.id for q in answer.quotes)


def test_this_article_follows_the_conversations_last_answer(library: Library) -> None:
    conversation = Conversation()
    first = library.ask("Who wants U.S. troops in Ukraine?", conversation)
    conversation.remember(first)
    facts = library.ask("Who wrote this?", conversation)
    assert facts.kind == "article" and facts.focus is not None
    assert (facts.focus.reason, facts.focus.article.id) == ("conversation", SEED_ID)


def test_the_article_about_a_topic_is_found_by_its_words(library: Library) -> None:
    answer = library.ask("Who is quoted in the article about the grain corridor?")
    assert answer.kind == "speakers" and answer.focus is not None
    assert answer.focus.reason == "asked" and "grain" in answer.focus.article.title.lower()


def test_one_speaker_gets_every_sentence_in_article_order(library: Library) -> None:
    answer = library.ask("What did the senior Western diplomat say?")
    assert answer.kind == "quotes" and answer.speaker is not None
    positions = [q.passage.position for q in answer.quotes]
    assert len(positions) == 2 and positions == sorted(positions)
    assert {q.speaker for q in answer.quotes} == {answer.speaker}


def test_an_unknown_speaker_is_asked_as_an_ordinary_question(library: Library) -> None:
    answer = library.ask("What did the harbour master's cat say?")
    assert answer.kind == "quotes" and answer.speaker is None


def test_articles_are_paged_newest_first(settings: Settings) -> None:
    library = Library.open(settings)
    for number in range(ARTICLES_PER_PAGE + 2):
        library.add(
            replace(
                read_file(ARTICLES_DIR / "grain-talks.txt"),
                id=f"{number:016x}",
                title=f"Grain talks, part {number}",
                url=f"https://example.com/{number}",
            )
        )
    first = library.ask("What articles do you have?")
    assert (first.kind, first.page, first.pages, first.total) == ("articles", 1, 2, 11)
    assert len(first.articles) == ARTICLES_PER_PAGE
    second = library.articles_page(2)
    assert len(second.articles) == 3 and second.articles[-1].id == SEED_ID
    assert library.articles_page(99).page == 2


def test_more_continues_quotes_summaries_and_pages(library: Library) -> None:
    conversation = Conversation()
    answer = library.ask("What did European officials say about troops?", conversation)
    conversation.remember(answer)
    more = library.more(conversation)
    assert more is not None and more.kind == "quotes"
    shown = {(q.passage.article_id, q.passage.position) for q in answer.quotes}
    assert not shown & {(q.passage.article_id, q.passage.position) for q in more.quotes}

    summary = library.summary_of(SEED_ID)
    conversation.remember(summary)
    next_part = library.more(conversation)
    assert next_part is not None and next_part.kind == "summary"
    assert not {q.passage.position for q in summary.quotes} & {
        q.passage.position for q in next_part.quotes
    }


def test_more_after_a_single_page_or_facts_has_nothing(library: Library) -> None:
    conversation = Conversation()
    conversation.remember(library.ask("What articles do you have?"))
    assert library.more(conversation) is None
    conversation.remember(library.facts_of(SEED_ID))
    assert library.more(conversation) is None


def test_more_after_a_follow_up_gives_what_was_not_shown_yet(library: Library) -> None:
    conversation = Conversation()
    for question in ("What did the European diplomat say about the talks?", "What else?"):
        answer = library.ask(question, conversation)
        conversation.remember(answer)
    more = library.more(conversation)
    assert more is not None and more.quotes
    shown = conversation.already_quoted()
    assert not shown & {(q.passage.article_id, q.passage.position) for q in more.quotes}
