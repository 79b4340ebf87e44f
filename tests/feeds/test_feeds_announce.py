"""What subscribed chats are told: the headline and two sentences the summariser picks."""

from __future__ import annotations

from bot.feeds.announce import SUMMARY_SENTENCES, announcement_for
from bot.library import Library
from bot.models import Article
from bot.summary import summarise

PARAGRAPHS = (
    "By Jane Roe, Staff Reporter",
    "The city council approved a new harbour budget on Tuesday after a long debate.",
    "The harbour budget adds money for dredging and for repairing the old harbour wall.",
    "Council members said the harbour budget would also pay for two new ferry berths.",
    "Photo: City archive",
)


def test_an_announcement_carries_the_summarisers_two_sentences_in_article_order(
    library: Library,
) -> None:
    added = library.add(Article("harbour", "Council approves harbour budget", PARAGRAPHS))
    announcement = announcement_for(library, added.id)
    picked = summarise(library.passages_of(added.id), SUMMARY_SENTENCES)
    assert announcement is not None and len(picked) == SUMMARY_SENTENCES
    assert announcement.summary == " ".join(passage.text for passage in picked)
    assert "Jane Roe" not in announcement.summary and "Photo" not in announcement.summary


def test_an_article_removed_before_its_announcement_is_not_announced(library: Library) -> None:
    added = library.add(Article("harbour", "Council approves harbour budget", PARAGRAPHS))
    library.remove(added.id)
    assert announcement_for(library, added.id) is None
