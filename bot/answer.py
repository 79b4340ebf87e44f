"""Question (+ conversation context) -> Answer: verbatim quotes with attribution, or none.

Retrieval is two-stage. The index returns the best CANDIDATES sentences by rank-bm25's score;
only those are re-ranked (`bot.rerank`). The bot answers only when the evidence (the question's
weight found in the best sentence or its headline, and in the best paragraph) reaches
`min_match`; otherwise it declines rather than quote something unrelated. Questions that lean
on the previous turn are handled with `bot.followup`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from bot.conversation import Conversation, Turn
from bot.followup import (
    MORE_FROM_SPEAKER,
    WHO_SAID_THAT,
    PassageLookup,
    continuation,
    is_follow_up,
    more_from_speaker,
    same_speaker,
)
from bot.index import BM25Index, Hit
from bot.models import Answer, Passage, Quote
from bot.rerank import (
    FEATURES,
    LINEAR,
    AnswerOptions,
    Candidate,
    Features,
    QueryEvidence,
    answer_type,
    candidate_features,
    feature_scores,
    term_proximity,
)
from bot.text import tokenize

MAX_QUESTION_CHARS = 1000

# Verbs of speech: a question made of nothing else names no subject to search for.
SPEECH_TERMS = frozenset(tokenize("say said says saying tell told tells"))


def normalise_question(question: str) -> str:
    """Collapse whitespace and cut questions beyond a sane length."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


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
            quotes = more_from_speaker(
                self.lookup, previous, seen, self.options.max_quotes
            ) or continuation(self.lookup, previous, seen, self.options.max_quotes)
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
        if sum(weights.values()) <= 0:
            return ()
        candidates = self._candidates(
            self.index.search(tokens, self.options.candidates, keys=articles)
        )
        if not candidates:
            return ()
        evidence = self._evidence_of(tokens, weights, candidates)
        ranked = [
            candidate
            for candidate in self._rerank(question, tokens, candidates, evidence)
            if (candidate.hit.key, candidate.hit.position) not in exclude
        ]
        if not ranked:
            return ()
        # The question's own terms decide whether to answer; terms carried over from the
        # previous turn only help to rank.
        own = set(tokenize(question)) & weights.keys()
        judged = {t: w for t, w in weights.items() if t in own} if own else weights
        sentence, paragraph = evidence.coverage(ranked, judged)
        # Decline when no candidate holds enough of the question; otherwise trust the ranking
        # and only drop quotes that share too little with the question.
        confidence = self._confidence(sentence, paragraph, judged, ranked[0].score)
        if self.options.min_match > 0 and confidence < self.options.min_match:
            return ()
        quotes: list[Quote] = []
        texts: set[str] = set()
        best = 0.0
        for candidate, share in zip(ranked, sentence.tolist(), strict=True):
            hit = candidate.hit
            if share < self.options.quote_match:
                continue
            text = self.lookup.text(hit.key, hit.position)
            if text in texts:
                continue
            if quotes and candidate.score < self.options.relative_score * best:
                break
            best = max(best, candidate.score)
            texts.add(text)
            quotes.append(self._quote(hit.key, hit.position, _finite(candidate.score)))
            if len(quotes) >= self.options.max_quotes:
                break
        return tuple(quotes)

    def _confidence(
        self, sentence: np.ndarray, paragraph: np.ndarray, judged: dict[str, float], top: float
    ) -> float:
        """How sure we are that the corpus answers the question at all (compared to min_match).

        `sentence` and `paragraph` are each ranked candidate's share of the question's weight
        in the sentence (or headline) and in its paragraph. Shares do not grow with the corpus,
        unlike BM25 scores. A question is written about a paragraph, so the paragraph's
        coverage counts too; short questions match by chance more easily, so a longer one
        needs a little less. The best re-ranked score, per unit of the question's weight (both
        grow with idf, so the ratio hardly does), adds how well the words that matched fit.
        """
        options = self.options
        best = float(sentence.max()) * (1 + options.length_bonus * math.log(len(judged)))
        coverage = options.sentence_share * best + (1 - options.sentence_share) * float(
            paragraph.max()
        )
        return coverage + options.score_share * top / sum(judged.values())

    def candidate_features(self, question: str) -> list[tuple[Passage, Features]]:
        """The index's candidates for a question, in index order, with their features."""
        tokens = tokenize(normalise_question(question))
        weights = self._term_weights(tokens)
        hits = self.index.search(tokens, self.options.candidates) if tokens else []
        candidates = self._candidates(hits)
        if not candidates:
            return []
        evidence = self._evidence_of(tokens, weights, candidates)
        features = self.features(question, tokens, candidates, evidence)
        return [
            (self.lookup.passage(c.hit.key, c.hit.position), Features(*row))
            for c, row in zip(candidates, features.tolist(), strict=True)
        ]

    @staticmethod
    def _candidates(hits: list[Hit]) -> list[Candidate]:
        return [Candidate(hit, hit.score) for hit in hits]

    def _evidence_of(
        self, tokens: list[str], weights: dict[str, float], candidates: Sequence[Candidate]
    ) -> QueryEvidence:
        """The question's terms counted in every sentence of the candidates' articles."""
        keys = list(dict.fromkeys(c.hit.key for c in candidates))
        return QueryEvidence.of(self.index.term_counts(keys, tokens), weights)

    def _rerank(
        self,
        question: str,
        tokens: list[str],
        candidates: list[Candidate],
        evidence: QueryEvidence,
    ) -> list[Candidate]:
        """Candidates best first by the weighted features (index order when not re-ranking)."""
        if not self.options.rerank:
            return candidates
        scores = feature_scores(self.features(question, tokens, candidates, evidence), self.options)
        rescored = [
            Candidate(candidate.hit, score)
            for candidate, score in zip(candidates, scores.tolist(), strict=True)
        ]
        rescored.sort(key=lambda c: c.score, reverse=True)
        return rescored

    def features(
        self,
        question: str,
        tokens: list[str],
        candidates: Sequence[Candidate],
        evidence: QueryEvidence,
    ) -> np.ndarray:
        """The re-ranking evidence of each candidate (a row each, columns as in FEATURES)."""
        return candidate_features(question, tokens, candidates, evidence, self.lookup.text)

    def _term_weights(self, tokens: list[str]) -> dict[str, float]:
        """A positive weight per distinct query term: rarer terms weigh more."""
        n = len(self.index)
        return {
            term: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for term in dict.fromkeys(tokens)
            for df in (self.index.document_frequency(term),)
        }

    def _quote(self, article_id: str, position: int, score: float) -> Quote:
        return Quote(
            self.lookup.passage(article_id, position), self.lookup.article(article_id), score
        )


def _finite(score: float) -> float:
    return score if math.isfinite(score) else 0.0


__all__ = [
    "FEATURES",
    "LINEAR",
    "AnswerOptions",
    "Answerer",
    "Features",
    "Hit",
    "PassageLookup",
    "QueryEvidence",
    "answer_type",
    "feature_scores",
    "is_follow_up",
    "normalise_question",
    "same_speaker",
    "term_proximity",
]
