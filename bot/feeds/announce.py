"""What subscribed chats are told about a new article: its headline and a short summary."""

from __future__ import annotations

from dataclasses import dataclass

from bot.library import Library
from bot.models import Article, ArticleNotFoundError
from bot.summary import summarise as summarise_passages

SUMMARY_SENTENCES = 2
MAX_SUMMARY_CHARS = 600


@dataclass(frozen=True)
class Announcement:
    article_id: str
    title: str
    summary: str
    url: str | None
    outlet: str | None


def summarise(library: Library, article: Article) -> str:
    """The article in two sentences, chosen by the article summariser, in article order."""
    passages = library.passages_of(article.id)
    picked = summarise_passages(
        passages, SUMMARY_SENTENCES, tokens=library.passage_tokens(article.id)
    )
    summary = " ".join(passage.text for passage in picked)
    if len(summary) > MAX_SUMMARY_CHARS:
        summary = summary[: MAX_SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return summary


def announcement_for(library: Library, article_id: str) -> Announcement | None:
    """The announcement of an article, or None when it has been removed since."""
    try:
        article = library.get(article_id)
    except ArticleNotFoundError:
        return None
    return Announcement(
        article.id, article.title, summarise(library, article), article.url, article.outlet
    )
