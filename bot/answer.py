"""Question (+ conversation context) -> Answer: verbatim quotes with attribution, or none."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.conversation import Conversation, Turn
from bot.index import BM25Index, Hit
from bot.models import Answer, Article, Passage, Quote
from bot.text import tokenize, words

MAX_QUESTION_CHARS = 1000
CANDIDATES = 50

# "What else did he say?", "Anything more from her?", "What other ..."
MORE_FROM_SPEAKER = re.compile(
    r"\b(?:what|anything|something)\s+else\b|\b(?:say|said|tell|told)\s+more\b|\bwhat\s+more\b",
    re.IGNORECASE,
)
# "Who said that?", "Who says so?", "Who told them this?"
WHO_SAID_THAT = re.compile(
    r"^\W*who\s+(?:said|says|told|claimed|reported|claims|thinks|wrote)\b.*\b(?:that|this|it|so)\b",
    re.IGNORECASE,
)
ANAPHORS = frozenset(
    "he she they him her them his their hers theirs it its that this those these "
    "else more also another other why".split()
)


@dataclass(frozen=True)
class AnswerOptions:
    """Retrieval knobs (from Settings)."""

    max_quotes: int = 3
    min_match: float = 0.5  # share of the question's weight a quote must contain
    relative_score: float = 0.5  # later quotes score at least this share of the best


class PassageLookup(Protocol):
    """What the answerer needs from the library besides the index."""

    def passage(self, article_id: str, position: int) -> Passage: ...
    def article(self, article_id: str) -> Article: ...
    def passages_of(self, article_id: str) -> Sequence[Passage]: ...


def normalise_question(question: str) -> str:
    """Collapse whitespace and cut questions beyond a sane length."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def is_follow_up(question: str, conversation: Conversation | None) -> bool:
    """A question that leans on the previous turn: pronouns, "what else", or no content."""
    if conversation is None or conversation.last_answered() is None:
        return False
    lowered = words(question)
    return bool(ANAPHORS.intersection(lowered)) or len(tokenize(question)) <= 1


class Answerer:
    """Turns questions into answers over one index and the passages behind it."""

    def __init__(self, index: BM25Index, lookup: PassageLookup, options: AnswerOptions) -> None:
        self.index = index
        self.lookup = lookup
        self.options = options

    def answer(self, question: str, conversation: Conversation | None = None) -> Answer:
        """Answer a question, using the conversation for follow-ups."""
        question = normalise_question(question)
        if not question:
            return Answer(question="")
        if is_follow_up(question, conversation):
            assert conversation is not None
            previous = conversation.last_answered()
            assert previous is not None
            follow_up = self._follow_up(question, previous, conversation)
            if follow_up is not None:
                return follow_up
        return Answer(question, self._search(question, tokenize(question), set()))

    def _follow_up(
        self, question: str, previous: Turn, conversation: Conversation
    ) -> Answer | None:
        if WHO_SAID_THAT.search(question):
            article_id, position = previous.quoted[0]
            return Answer(question, (self._quote(article_id, position, 0.0),))
        seen = conversation.already_quoted()
        if MORE_FROM_SPEAKER.search(question) and previous.speakers:
            quotes = self._more_from_speaker(previous, seen)
            if quotes:
                return Answer(question, quotes)
        tokens = tokenize(question) + tokenize(previous.question)
        quotes = self._search(question, tokens, seen)
        return Answer(question, quotes) if quotes else None

    def _more_from_speaker(self, previous: Turn, seen: set[tuple[str, int]]) -> tuple[Quote, ...]:
        """Unquoted sentences of the same speaker, in article order after the last quote."""
        speaker = previous.speakers[0]
        article_id, last_position = previous.quoted[0]
        candidates = [
            p
            for p in self.lookup.passages_of(article_id)
            if p.attribution.speaker == speaker and (p.article_id, p.position) not in seen
        ]
        candidates.sort(key=lambda p: (p.position < last_position, p.position))
        article = self.lookup.article(article_id)
        return tuple(Quote(p, article, 0.0) for p in candidates[: self.options.max_quotes])

    def _search(
        self, question: str, tokens: list[str], exclude: set[tuple[str, int]]
    ) -> tuple[Quote, ...]:
        if not tokens:
            return ()
        weights = self._term_weights(tokens)
        total = sum(weights.values())
        if total <= 0:
            return ()
        quotes: list[Quote] = []
        texts: set[str] = set()
        best = 0.0
        for hit in self.index.search(tokens, CANDIDATES):
            if (hit.key, hit.position) in exclude:
                continue
            passage = self.lookup.passage(hit.key, hit.position)
            article = self.lookup.article(hit.key)
            if self._coverage(passage, article, weights) / total < self.options.min_match:
                continue
            if quotes and hit.score < self.options.relative_score * best:
                break
            if passage.text in texts:
                continue
            best = max(best, hit.score)
            texts.add(passage.text)
            quotes.append(Quote(passage, article, _finite(hit.score)))
            if len(quotes) >= self.options.max_quotes:
                break
        return tuple(quotes)

    def _term_weights(self, tokens: list[str]) -> dict[str, float]:
        """A positive weight per distinct query term: rarer terms weigh more."""
        n = len(self.index)
        return {
            term: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for term in set(tokens)
            for df in (self.index.document_frequency(term),)
        }

    @staticmethod
    def _coverage(passage: Passage, article: Article, weights: dict[str, float]) -> float:
        """Weight of the question's terms found in the sentence or its article's headline."""
        present = set(tokenize(passage.text)) | set(tokenize(article.title))
        return sum(w for term, w in weights.items() if term in present)

    def _quote(self, article_id: str, position: int, score: float) -> Quote:
        return Quote(self.lookup.passage(article_id, position), self.lookup.article(article_id), score)


def _finite(score: float) -> float:
    return score if math.isfinite(score) else 0.0


__all__ = ["AnswerOptions", "Answerer", "Hit", "is_follow_up", "normalise_question"]
