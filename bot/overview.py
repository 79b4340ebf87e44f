"""Answers about a whole article or the corpus: summary, facts, speakers, one speaker, articles.

These sit beside the question answerer, not inside it: `Library.ask` recognises the intent
(`bot.intents`) and sends article-level questions here; anything this cannot answer (a speaker
no article names) goes on to the answerer as an ordinary question.

Focus ("this article", "the story", "it"): the article the reader named ("the article about
Ukraine"), else the article of the conversation's latest answer, else the only article, else the
newest, in which case the answer says so and offers the next newest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.answer import Answerer, Encode
from bot.conversation import Conversation, Turn
from bot.intents import Intent
from bot.models import Answer, Article, Focus, FocusReason, Passage, Quote
from bot.summary import match_speaker, rank_sentences, speaker_counts, speaker_sentences
from bot.text import tokenize

ARTICLES_PER_PAGE = 8
OFFERED_ARTICLES = 3  # other articles offered when the focus was a guess
SPEAKER_SEARCH_HITS = 30  # index hits searched for an article naming the speaker


class Catalogue(Protocol):
    """What the overview reads from the library (called with the library's lock held)."""

    def article(self, article_id: str) -> Article: ...
    def passages_of(self, article_id: str) -> Sequence[Passage]: ...
    def passage_tokens(self, article_id: str) -> Sequence[Sequence[str]]: ...
    def has_article(self, article_id: str) -> bool: ...
    def article_count(self) -> int: ...
    def newest_first(self, start: int, stop: int) -> list[Article]: ...
    def articles_matching(self, tokens: list[str], limit: int) -> list[str]: ...


class Overview:
    """Article-level answers over one catalogue."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        summary_sentences: int,
        max_quotes: int,
        deep: Answerer,
        encode: Encode | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.summary_sentences = summary_sentences
        self.max_quotes = max_quotes
        # An answerer that ranks further down, so that "More" can give the next quotes.
        self.deep = deep
        self.encode = encode  # the question's vector for `deep`, when there is a model

    def answer(
        self, question: str, intent: Intent, conversation: Conversation | None = None
    ) -> Answer | None:
        """The article-level answer, or None when the question is better asked as a question."""
        if intent.kind == "articles":
            return self.articles(question, 1)
        if intent.kind == "speaker":
            assert intent.speaker is not None
            return self.one_speaker(question, intent.speaker, conversation, intent.topic)
        focus = self.resolve(conversation, intent.topic)
        if focus is None:
            return None
        if intent.kind == "summary":
            return self.summary(question, focus)
        if intent.kind == "facts":
            return Answer(question, kind="article", focus=focus)
        if intent.kind == "speakers":
            return self.speakers(question, focus)
        return None

    # -- focus -------------------------------------------------------------------------------

    def resolve(self, conversation: Conversation | None, topic: str | None = None) -> Focus | None:
        """The article "this article" means here (see the module docstring)."""
        if topic:
            found = self.catalogue.articles_matching(tokenize(topic), 1)
            if found:
                return Focus(self.catalogue.article(found[0]), "asked")
        current = conversation.focus() if conversation is not None else None
        if current and self.catalogue.has_article(current):
            return Focus(self.catalogue.article(current), "conversation")
        newest = self.catalogue.newest_first(0, 1 + OFFERED_ARTICLES)
        if not newest:
            return None
        if self.catalogue.article_count() == 1:
            return Focus(newest[0], "only")
        return Focus(newest[0], "newest", tuple(newest[1:]))

    def focus_on(self, article_id: str) -> Focus:
        """The focus on an article chosen by id (a button, a command argument)."""
        return Focus(self.catalogue.article(article_id), "asked")

    # -- answers -----------------------------------------------------------------------------

    def summary(self, question: str, focus: Focus, skip: frozenset[int] = frozenset()) -> Answer:
        """The article's best sentences, in article order (`skip`: positions already shown)."""
        passages = self.catalogue.passages_of(focus.article.id)
        tokens = self.catalogue.passage_tokens(focus.article.id)
        ranking = rank_sentences(passages, tokens=tokens)
        ranked = [i for i in ranking if passages[i].position not in skip]
        picked = sorted(ranked[: self.summary_sentences])
        quotes = tuple(Quote(passages[i], focus.article, 0.0) for i in picked)
        return Answer(question, quotes, kind="summary", focus=focus)

    def speakers(self, question: str, focus: Focus) -> Answer:
        """Who the article quotes, most quoted first, with counts."""
        counts = speaker_counts(self.catalogue.passages_of(focus.article.id))
        return Answer(question, kind="speakers", focus=focus, speakers=tuple(counts))

    def one_speaker(
        self,
        question: str,
        description: str,
        conversation: Conversation | None,
        topic: str | None = None,
    ) -> Answer | None:
        """Every sentence of the described speaker, in article order; None if nobody fits."""
        for article_id, reason in self._speaker_candidates(description, conversation, topic):
            passages = self.catalogue.passages_of(article_id)
            speaker = self._speaker_in_conversation(passages, description, conversation)
            speaker = speaker or match_speaker(passages, description)
            if speaker is None:
                continue
            article = self.catalogue.article(article_id)
            quotes = tuple(Quote(p, article, 0.0) for p in speaker_sentences(passages, speaker))
            return Answer(question, quotes, focus=Focus(article, reason), speaker=speaker)
        return None

    def _speaker_candidates(
        self, description: str, conversation: Conversation | None, topic: str | None
    ) -> list[tuple[str, FocusReason]]:
        """Articles to look for the speaker in: the named or current one first, then by search."""
        candidates: list[tuple[str, FocusReason]] = []
        if topic:
            candidates += [
                (a, "asked") for a in self.catalogue.articles_matching(tokenize(topic), 1)
            ]
        current = conversation.focus() if conversation is not None else None
        if current and self.catalogue.has_article(current):
            candidates.append((current, "conversation"))
        found = self.catalogue.articles_matching(tokenize(description), SPEAKER_SEARCH_HITS)
        candidates += [(a, "speaker") for a in found]
        first: dict[str, FocusReason] = {}
        for article_id, reason in candidates:
            first.setdefault(article_id, reason)
        return list(first.items())

    @staticmethod
    def _speaker_in_conversation(
        passages: Sequence[Passage], description: str, conversation: Conversation | None
    ) -> str | None:
        """ "the same diplomat": the diplomat the conversation was last quoting, if this one."""
        if conversation is None or conversation.last is None:
            return None
        for speaker in conversation.last.speakers:
            if match_speaker(_only(passages, speaker), description) is not None:
                return speaker
        return None

    def articles(self, question: str, page: int) -> Answer:
        """One page of the corpus, newest first (a page past the end shows the last one)."""
        total = self.catalogue.article_count()
        pages = max(1, -(-total // ARTICLES_PER_PAGE))
        page = min(max(page, 1), pages)
        start = (page - 1) * ARTICLES_PER_PAGE
        shown = self.catalogue.newest_first(start, start + ARTICLES_PER_PAGE)
        return Answer(
            question, kind="articles", articles=tuple(shown), page=page, pages=pages, total=total
        )

    def more(self, conversation: Conversation) -> Answer | None:
        """The next part of the conversation's latest answer, or None when there is no more."""
        turn = conversation.last
        if turn is None:
            return None
        if turn.kind == "articles":
            answer = self.articles(turn.question, turn.page + 1)
            return answer if answer.page > turn.page else None
        if turn.kind == "summary" and turn.focus and self.catalogue.has_article(turn.focus):
            shown = frozenset(p for a, p in conversation.already_quoted() if a == turn.focus)
            focus = Focus(self.catalogue.article(turn.focus), "asked")
            answer = self.summary(turn.question, focus, shown)
            return answer if answer.quotes else None
        if turn.kind == "quotes" and turn.quoted:
            return self._more_quotes(turn, conversation)
        return None

    def _more_quotes(self, turn: Turn, conversation: Conversation) -> Answer | None:
        seen = conversation.already_quoted()
        # Asked again with the context it was first asked in, so a follow-up ("what else did
        # he say?") stays about the same speaker; ranked deeper, then what was shown is dropped.
        earlier = Conversation(list(conversation.turns[:-1]))
        deeper = self.deep.answer(self.deep.parse(turn.question, self.encode), earlier)
        fresh = [q for q in deeper.quotes if (q.passage.article_id, q.passage.position) not in seen]
        if not fresh:
            fresh = self._following(turn.quoted[0], seen)
        if not fresh:
            return None
        return Answer(turn.question, tuple(fresh[: self.max_quotes]))

    def _following(self, last: tuple[str, int], seen: set[tuple[str, int]]) -> list[Quote]:
        """The unshown sentences after the best quote, in article order: the story goes on."""
        article_id, position = last
        if not self.catalogue.has_article(article_id):
            return []
        article = self.catalogue.article(article_id)
        passages = self.catalogue.passages_of(article_id)[position + 1 :]
        return [Quote(p, article, 0.0) for p in passages if (p.article_id, p.position) not in seen][
            : self.max_quotes
        ]


def _only(passages: Sequence[Passage], speaker: str) -> list[Passage]:
    return [p for p in passages if p.attribution.speaker == speaker]
