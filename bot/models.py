"""Frozen records that flow through the pipeline, and the project's exceptions.

Article in -> sentences -> attributed passages -> index -> answer -> message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AttributionSource = Literal["explicit", "carried", "resolved", "outlet", "none"]
# Longer questions are refused by the Telegram bot and cut to this length by the answerer.
MAX_QUESTION_CHARS = 1000
# What an answer holds: quotes for a question, or something about a whole article or the corpus.
AnswerKind = Literal["quotes", "summary", "article", "speakers", "articles"]
# How the article of an article-level answer was chosen.
FocusReason = Literal["asked", "conversation", "only", "newest", "speaker"]


@dataclass(frozen=True)
class Article:
    """One news article: metadata plus its body as paragraphs of plain text."""

    id: str
    title: str
    paragraphs: tuple[str, ...]
    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    author: str | None = None
    added: str | None = None  # ISO 8601 timestamp of ingestion

    @property
    def body(self) -> str:
        """The body as one text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Attribution:
    """Who said a sentence, according to the article's own words."""

    speaker: str | None  # "a European official"; None when the article names nobody
    cue: str | None  # "said", "according to", "told"; None for the outlet fallback
    source: AttributionSource = "none"


@dataclass(frozen=True)
class Passage:
    """One sentence of an article, the unit the index scores and the bot quotes."""

    article_id: str
    position: int  # sentence number within the article, from 0
    paragraph: int  # paragraph number within the article, from 0
    text: str
    attribution: Attribution = field(default_factory=lambda: Attribution(None, None))


@dataclass(frozen=True)
class Quote:
    """A passage chosen as (part of) an answer."""

    passage: Passage
    article: Article
    score: float

    @property
    def text(self) -> str:
        return self.passage.text

    @property
    def speaker(self) -> str | None:
        return self.passage.attribution.speaker

    @property
    def cue(self) -> str | None:
        return self.passage.attribution.cue


@dataclass(frozen=True)
class SpeakerCount:
    """A speaker of an article, as the article first names them, and how often quoted."""

    speaker: str
    count: int
    first: int  # position of their first sentence


@dataclass(frozen=True)
class Focus:
    """The article an article-level answer is about, and how it was chosen."""

    article: Article
    reason: FocusReason
    # Other articles the reader may have meant, offered when the choice was a guess.
    others: tuple[Article, ...] = ()

    @property
    def guessed(self) -> bool:
        return self.reason == "newest"


@dataclass(frozen=True)
class Answer:
    """The reply to one question: verbatim quotes, best first, or none; or, by `kind`, a
    summary (quotes in article order), an article's facts, its speakers, or a page of articles.
    """

    question: str
    quotes: tuple[Quote, ...] = ()
    kind: AnswerKind = "quotes"
    focus: Focus | None = None  # the article of a summary, facts, speakers or one speaker
    speaker: str | None = None  # one speaker's words: every quote is theirs
    speakers: tuple[SpeakerCount, ...] = ()
    articles: tuple[Article, ...] = ()  # one page, newest first
    page: int = 1  # from 1
    pages: int = 1
    total: int = 0  # articles in the corpus

    @property
    def answered(self) -> bool:
        if self.kind == "article":
            return self.focus is not None
        if self.kind == "speakers":
            return bool(self.speakers)
        if self.kind == "articles":
            return bool(self.articles)
        return bool(self.quotes)

    @property
    def article(self) -> Article | None:
        """The article the answer is about: its focus, else that of its best quote."""
        if self.focus is not None:
            return self.focus.article
        return self.quotes[0].article if self.quotes else None


class BotError(Exception):
    """Base class of every error this project raises on purpose."""


class IngestError(BotError):
    """An article could not be read: broken file, empty body, unsupported format."""


class DuplicateArticleError(IngestError):
    """The article is already in the corpus (same url or same body)."""

    def __init__(self, message: str, existing_id: str) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class FetchError(IngestError):
    """A URL could not be fetched: unreachable, too large, too slow, wrong content."""


class UnsafeURLError(FetchError):
    """A URL points at an address the bot must never contact (loopback, private, metadata)."""


class FeedError(FetchError):
    """A feed could not be followed or read: not a feed, malformed, too large, unreachable."""


class ArticleNotFoundError(BotError):
    """No article with the given id is in the corpus."""


class StoreError(BotError):
    """The corpus on disk could not be read or written."""
