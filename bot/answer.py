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

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from bot.conversation import Conversation, Turn
from bot.index import BM25Index, Hit
from bot.models import Answer, Article, Passage, Quote
from bot.text import tokenize, words

MAX_QUESTION_CHARS = 1000
ARTICLE_CACHE_SIZE = 1024  # articles whose term counts are kept for re-ranking

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
    [
        "he",
        "she",
        "they",
        "him",
        "her",
        "them",
        "his",
        "their",
        "hers",
        "theirs",
        "it",
        "its",
        "that",
        "this",
        "those",
        "these",
        "else",
        "more",
        "also",
        "another",
        "other",
        "why",
    ]
)

# Verbs of speech: a question made of nothing else names no subject to search for.
SPEECH_TERMS = frozenset(tokenize("say said says saying tell told tells"))

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
    """Retrieval knobs (from Settings); re-ranking weights tuned on SQuAD's even articles."""

    max_quotes: int = 3
    min_match: float = 0.5  # share of the question's weight the best sentence must contain
    relative_score: float = 0.5  # later quotes score at least this share of the best
    quote_match: float = 0.25  # share of the question's weight each quote must contain
    candidates: int = 50  # index hits re-ranked per question
    rerank: bool = True  # False: rank by the index score alone (the plain BM25 baseline)
    # Weights of the re-ranking features (see `Features`); the index score has weight 1.
    # Tuned by coordinate search for hit@1 on SQuAD's even articles (`python -m bot eval squad`).
    context_weight: float = 0.05
    previous_weight: float = 0.0
    paragraph_weight: float = 1.0
    paragraph_local_weight: float = 0.1
    local_weight: float = 0.5
    title_weight: float = 1.0
    phrase_weight: float = 0.25
    type_weight: float = 0.2


@dataclass(frozen=True)
class Features:
    """Evidence about one candidate sentence beyond its own BM25 score."""

    bm25: float  # the index score
    context: float  # BM25 of the sentences just before and after, same paragraph
    previous: float  # BM25 of the sentence just before, same paragraph
    paragraph: float  # question idf weight found anywhere in the paragraph
    paragraph_local: float  # the same with idf taken within the article
    local: float  # within-article idf of the question terms the sentence holds
    title: float  # question idf weight found in the headline
    phrase: float  # idf of query bigrams found as bigrams in the sentence
    answer_type: float  # 1 when the sentence holds the date/number/name the question asks for

    def score(self, options: AnswerOptions) -> float:
        """The re-ranking score: a weighted sum, scaled up when the answer type is present."""
        linear = (
            self.bm25
            + options.context_weight * self.context
            + options.previous_weight * self.previous
            + options.paragraph_weight * self.paragraph
            + options.paragraph_local_weight * self.paragraph_local
            + options.local_weight * self.local
            + options.title_weight * self.title
            + options.phrase_weight * self.phrase
        )
        return linear * (1 + options.type_weight * self.answer_type)


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


def same_speaker(one: str, other: str) -> bool:
    """The same speaker, also when named in full once and by surname later ("Angela Cooper")."""
    if one == other:
        return True
    last_one, last_other = one.split()[-1], other.split()[-1]
    return last_one == last_other and last_one[:1].isupper()


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
        # Article ids are hashes of the body, so an id's term counts never go stale.
        self._article_terms: dict[str, dict[str, int]] = {}

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
        tokens = tokenize(question)
        # "What else did he say?" with nothing before it asks about nobody in particular.
        if not set(tokens) - SPEECH_TERMS:
            return Answer(question)
        return Answer(question, self._search(question, tokens, set()))

    def _follow_up(
        self, question: str, previous: Turn, conversation: Conversation
    ) -> Answer | None:
        if WHO_SAID_THAT.search(question):
            article_id, position = previous.quoted[0]
            return Answer(question, (self._quote(article_id, position, 0.0),))
        seen = conversation.already_quoted()
        if MORE_FROM_SPEAKER.search(question):
            quotes = self._more_from_speaker(previous, seen) or self._continuation(previous, seen)
            if quotes:
                return Answer(question, quotes)
        tokens = tokenize(question) + tokenize(previous.question)
        # A follow-up is about the article of the last best quote, unless it cannot answer it.
        # Only the previous best quote is skipped: a new question may well be answered by a
        # sentence that was quoted lower down before.
        shown = {previous.quoted[0]}
        quotes = self._search(question, tokens, shown, {previous.quoted[0][0]}) or self._search(
            question, tokens, shown
        )
        return Answer(question, quotes) if quotes else None

    def _more_from_speaker(self, previous: Turn, seen: set[tuple[str, int]]) -> tuple[Quote, ...]:
        """Unquoted sentences of the same speaker, in article order after the last quote."""
        if not previous.speakers:
            return ()
        speaker = previous.speakers[0]
        article_id, last_position = previous.quoted[0]
        candidates = [
            p
            for p in self.lookup.passages_of(article_id)
            if p.attribution.speaker is not None
            and same_speaker(p.attribution.speaker, speaker)
            and (p.article_id, p.position) not in seen
        ]
        candidates.sort(key=lambda p: (p.position < last_position, p.position))
        article = self.lookup.article(article_id)
        return tuple(Quote(p, article, 0.0) for p in candidates[: self.options.max_quotes])

    def _continuation(self, previous: Turn, seen: set[tuple[str, int]]) -> tuple[Quote, ...]:
        """The unquoted sentences right after the last quote: "what else" with no speaker."""
        article_id, last_position = previous.quoted[0]
        passages = self.lookup.passages_of(article_id)
        following = [
            p for p in passages[last_position + 1 :] if (p.article_id, p.position) not in seen
        ]
        article = self.lookup.article(article_id)
        return tuple(Quote(p, article, 0.0) for p in following[: self.options.max_quotes])

    def _search(
        self,
        question: str,
        tokens: list[str],
        exclude: set[tuple[str, int]],
        articles: set[str] | None = None,
    ) -> tuple[Quote, ...]:
        """Quotes for the question's terms, from the given articles only when named."""
        if not tokens:
            return ()
        weights = self._term_weights(tokens)
        total = sum(weights.values())
        if total <= 0:
            return ()
        hits = self.index.search(tokens, self.options.candidates, keys=articles)
        ranked = [
            candidate
            for candidate in self._rerank(question, tokens, weights, hits)
            if (candidate.passage.article_id, candidate.passage.position) not in exclude
        ]
        # The question's own terms decide whether to answer; terms carried over from the
        # previous turn only help to rank.
        own = set(tokenize(question)) & weights.keys()
        judged = {t: w for t, w in weights.items() if t in own} if own else weights
        total = sum(judged.values())
        shares = [self._coverage(c.passage, c.article, judged) / total for c in ranked]
        # Decline when no candidate holds enough of the question; otherwise trust the ranking
        # and only drop quotes that share too little with the question.
        if not shares or max(shares) < self.options.min_match:
            return ()
        quotes: list[Quote] = []
        texts: set[str] = set()
        best = 0.0
        for candidate, share in zip(ranked, shares, strict=True):
            passage = candidate.passage
            if share < self.options.quote_match or passage.text in texts:
                continue
            if quotes and candidate.score < self.options.relative_score * best:
                break
            best = max(best, candidate.score)
            texts.add(passage.text)
            quotes.append(Quote(passage, candidate.article, _finite(candidate.score)))
            if len(quotes) >= self.options.max_quotes:
                break
        return tuple(quotes)

    def _rerank(
        self, question: str, tokens: list[str], weights: dict[str, float], hits: list[Hit]
    ) -> list[_Candidate]:
        """Candidates best first by the weighted features (index order when not re-ranking)."""
        candidates = [
            _Candidate(
                hit,
                self.lookup.passage(hit.key, hit.position),
                self.lookup.article(hit.key),
                hit.score,
            )
            for hit in hits
        ]
        if not self.options.rerank or not candidates:
            return candidates
        features = self.features(question, tokens, weights, candidates)
        rescored = [
            replace(candidate, score=feature.score(self.options))
            for candidate, feature in zip(candidates, features, strict=True)
        ]
        rescored.sort(key=lambda c: c.score, reverse=True)
        return rescored

    def features(
        self,
        question: str,
        tokens: list[str],
        weights: dict[str, float],
        candidates: Sequence[_Candidate],
    ) -> list[Features]:
        """The re-ranking evidence of each candidate; reads only the candidates' articles."""
        scores = self._context_scores(tokens, [c.hit for c in candidates])
        bigrams = _bigrams(tokens)
        wanted = answer_type(question)
        result = []
        for candidate in candidates:
            passage = candidate.passage
            passages = self.lookup.passages_of(passage.article_id)
            frequencies = self._frequencies(passage.article_id)
            size = len(passages)
            local = {t: math.log(1 + size / (frequencies.get(t, 0) + 0.5)) for t in weights}
            terms = set(passage_terms(passage.text))
            paragraph = set(terms)
            neighbours: dict[int, float] = {}
            for position in _paragraph_positions(passage, passages):
                paragraph.update(passage_terms(passages[position].text))
                if abs(position - passage.position) == 1:
                    neighbours[position] = scores.get((passage.article_id, position), 0.0)
            title = set(passage_terms(candidate.article.title))
            found = bigrams.intersection(_bigrams(passage_terms(passage.text)))
            result.append(
                Features(
                    bm25=candidate.hit.score,
                    context=sum(neighbours.values()),
                    previous=neighbours.get(passage.position - 1, 0.0),
                    paragraph=sum(w for t, w in weights.items() if t in paragraph),
                    paragraph_local=sum(w for t, w in local.items() if t in paragraph),
                    local=sum(w for t, w in local.items() if t in terms),
                    title=sum(w for t, w in weights.items() if t in title),
                    phrase=sum(weights[a] + weights[b] for a, b in found),
                    answer_type=float(
                        wanted is not None and _has_answer_type(wanted, passage.text, question)
                    ),
                )
            )
        return result

    def _frequencies(self, article_id: str) -> dict[str, int]:
        """In how many of the article's sentences each term occurs (cached per article)."""
        cached = self._article_terms.get(article_id)
        if cached is None:
            if len(self._article_terms) >= ARTICLE_CACHE_SIZE:
                self._article_terms.clear()
            cached = {}
            for passage in self.lookup.passages_of(article_id):
                for term in set(passage_terms(passage.text)):
                    cached[term] = cached.get(term, 0) + 1
            self._article_terms[article_id] = cached
        return cached

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

    def _coverage(self, passage: Passage, article: Article, weights: dict[str, float]) -> float:
        """Weight of the question's terms found in the sentence or its article's headline."""
        present = set(passage_terms(passage.text)) | set(passage_terms(article.title))
        return sum(w for term, w in weights.items() if term in present)

    def _quote(self, article_id: str, position: int, score: float) -> Quote:
        return Quote(
            self.lookup.passage(article_id, position), self.lookup.article(article_id), score
        )


def _paragraph_positions(passage: Passage, passages: Sequence[Passage]) -> range:
    """Positions of the sentences of the passage's paragraph."""
    first = passage.position
    while first > 0 and passages[first - 1].paragraph == passage.paragraph:
        first -= 1
    last = passage.position
    while last + 1 < len(passages) and passages[last + 1].paragraph == passage.paragraph:
        last += 1
    return range(first, last + 1)


def _bigrams(terms: Sequence[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(terms))


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
    "same_speaker",
]
