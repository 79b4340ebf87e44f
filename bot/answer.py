"""Question (+ conversation context) -> Answer: verbatim quotes with attribution, or none.

Retrieval is two-stage. The index returns the best CANDIDATES sentences by rank-bm25's score;
only those are re-ranked here, with evidence the sentence score alone misses:
- context: the BM25 scores of the sentence's neighbours in the same paragraph, since a question
  often names the subject in one sentence and asks about the next;
- headline: the question's weight found in the article's title;
- phrase: query bigrams that occur as bigrams in the sentence;
- answer type: "when" wants a date or year, "how many" a number, "who" a name the question
  does not already contain.
A sentence is quoted only when the question's weight found in it (or its headline) reaches
`min_match`; otherwise the bot declines rather than quote something unrelated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from bot.conversation import Conversation, Turn
from bot.index import BM25Index, Hit
from bot.models import Answer, Article, Passage, Quote
from bot.text import tokenize, words

MAX_QUESTION_CHARS = 1000

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

# Answer types, recognised from the question's opening words.
WHEN_QUESTION = re.compile(r"\b(?:when|what\s+(?:year|decade|century|date|day|month|time))\b", re.I)
COUNT_QUESTION = re.compile(
    r"\bhow\s+(?:many|much|long|far|old|large|big|tall|high|often|fast)\b"
    r"|\bwhat\s+(?:percentage|percent|proportion|number|amount)\b",
    re.IGNORECASE,
)
WHO_QUESTION = re.compile(r"\b(?:who|whom|whose)\b", re.IGNORECASE)
DATE_TEXT = re.compile(
    r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\b|\bcentur(?:y|ies)\b",
)
NUMBER_TEXT = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)
NAME_TEXT = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")


@dataclass(frozen=True)
class AnswerOptions:
    """Retrieval knobs (from Settings); the defaults are tuned on SQuAD's even articles."""

    max_quotes: int = 3
    min_match: float = 0.5  # share of the question's weight a quote must contain
    relative_score: float = 0.5  # later quotes score at least this share of the best
    candidates: int = 50  # index hits re-ranked per question
    context_weight: float = 0.0  # x (score of previous + next sentence in the paragraph)
    title_weight: float = 0.0  # x (question idf weight found in the headline)
    phrase_weight: float = 0.0  # x (idf of each query bigram found as a bigram)
    type_weight: float = 0.0  # score multiplier bonus when the answer type is present
    rerank: bool = True  # False: rank by the index score alone (the plain BM25 baseline)


class PassageLookup(Protocol):
    """What the answerer needs from the library besides the index."""

    def passage(self, article_id: str, position: int) -> Passage: ...
    def article(self, article_id: str) -> Article: ...
    def passages_of(self, article_id: str) -> Sequence[Passage]: ...


@dataclass(frozen=True)
class _Candidate:
    """A re-ranked index hit."""

    hit: Hit
    passage: Passage
    article: Article
    score: float


def normalise_question(question: str) -> str:
    """Collapse whitespace and cut questions beyond a sane length."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def is_follow_up(question: str, conversation: Conversation | None) -> bool:
    """A question that leans on the previous turn: pronouns, "what else", or no content."""
    if conversation is None or conversation.last_answered() is None:
        return False
    lowered = words(question)
    return bool(ANAPHORS.intersection(lowered)) or len(tokenize(question)) <= 1


@lru_cache(maxsize=1 << 16)
def passage_terms(text: str) -> tuple[str, ...]:
    """BM25 terms of a passage or headline; cached because re-ranking reads the same ones."""
    return tuple(tokenize(text))


def answer_type(question: str) -> re.Pattern[str] | None:
    """What the answer must contain for this kind of question (a date, number, name), if known."""
    if WHEN_QUESTION.search(question):
        return DATE_TEXT
    if COUNT_QUESTION.search(question):
        return NUMBER_TEXT
    if WHO_QUESTION.search(question):
        return NAME_TEXT
    return None


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
        hits = self.index.search(tokens, self.options.candidates)
        ranked = self._rerank(question, tokens, weights, hits)
        quotes: list[Quote] = []
        texts: set[str] = set()
        best = 0.0
        for candidate in ranked:
            passage, article = candidate.passage, candidate.article
            if (passage.article_id, passage.position) in exclude:
                continue
            if self._coverage(passage, article, weights) / total < self.options.min_match:
                continue
            if quotes and candidate.score < self.options.relative_score * best:
                break
            if passage.text in texts:
                continue
            best = max(best, candidate.score)
            texts.add(passage.text)
            quotes.append(Quote(passage, article, _finite(candidate.hit.score)))
            if len(quotes) >= self.options.max_quotes:
                break
        return tuple(quotes)

    def _rerank(
        self, question: str, tokens: list[str], weights: dict[str, float], hits: list[Hit]
    ) -> list[_Candidate]:
        """Candidates best first by the index score plus context, headline, phrase and type."""
        options = self.options
        candidates = [
            _Candidate(
                hit,
                self.lookup.passage(hit.key, hit.position),
                self.lookup.article(hit.key),
                hit.score,
            )
            for hit in hits
        ]
        if not options.rerank or not candidates:
            return candidates
        scores = self._context_scores(tokens, hits) if options.context_weight else {}
        bigrams = _bigrams(tokens) if options.phrase_weight else set()
        wanted = answer_type(question) if options.type_weight else None
        rescored = []
        for candidate in candidates:
            passage = candidate.passage
            value = candidate.hit.score
            if scores:
                value += options.context_weight * sum(
                    scores.get((passage.article_id, position), 0.0)
                    for position in self._neighbours(passage)
                )
            if options.title_weight:
                title = set(passage_terms(candidate.article.title))
                value += options.title_weight * sum(w for t, w in weights.items() if t in title)
            if bigrams:
                found = bigrams.intersection(_bigrams(passage_terms(passage.text)))
                value += options.phrase_weight * sum(weights[a] + weights[b] for a, b in found)
            if wanted is not None and _has_answer_type(wanted, passage.text, question):
                value *= 1 + options.type_weight
            rescored.append(_Candidate(candidate.hit, passage, candidate.article, value))
        rescored.sort(key=lambda c: c.score, reverse=True)
        return rescored

    def _neighbours(self, passage: Passage) -> list[int]:
        """Positions of the sentences before and after, within the same paragraph."""
        passages = self.lookup.passages_of(passage.article_id)
        return [
            position
            for position in (passage.position - 1, passage.position + 1)
            if 0 <= position < len(passages) and passages[position].paragraph == passage.paragraph
        ]

    def _context_scores(self, tokens: list[str], hits: list[Hit]) -> dict[tuple[str, int], float]:
        """Exact BM25 scores of every sentence in the candidates' articles (not the corpus)."""
        keys = {hit.key for hit in hits}
        size = sum(len(self.lookup.passages_of(key)) for key in keys)
        found = self.index.search(tokens, size, keys=keys)
        return {(hit.key, hit.position): hit.score for hit in found}

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
        present = set(passage_terms(passage.text)) | set(passage_terms(article.title))
        return sum(w for term, w in weights.items() if term in present)

    def _quote(self, article_id: str, position: int, score: float) -> Quote:
        return Quote(self.lookup.passage(article_id, position), self.lookup.article(article_id), score)


def _bigrams(terms: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:], strict=False))


def _has_answer_type(wanted: re.Pattern[str], text: str, question: str) -> bool:
    """True when the sentence holds a date/number/name that the question does not already."""
    return any(match.group() not in question for match in wanted.finditer(text))


def _finite(score: float) -> float:
    return score if math.isfinite(score) else 0.0


__all__ = [
    "AnswerOptions",
    "Answerer",
    "Hit",
    "answer_type",
    "is_follow_up",
    "normalise_question",
    "passage_terms",
]
