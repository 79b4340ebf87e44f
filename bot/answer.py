"""Question (+ conversation context) -> Answer: verbatim quotes with attribution, or none.

Retrieval is two-stage. The index returns the best CANDIDATES sentences by rank-bm25's score;
only those are re-ranked here, with evidence the sentence score alone misses:
- context: the BM25 scores of the sentence's neighbours in the same paragraph, since a question
  often names the subject in one sentence and asks about the next;
- headline: the question's weight found in the article's title;
- paragraph: the question's weight in the sentence's paragraph, and that paragraph's BM25 among
  the article's paragraphs, since a question is usually written about a paragraph;
- local: idf within the article, so that topic words every sentence repeats count for little;
- phrase and proximity: query bigrams kept as bigrams, query terms close together;
- answer type: "when" wants a date or year, "how many" a number, "who" a name the question
  does not already contain.
Per-article statistics are computed once and cached by article id. The bot answers only when
the evidence (the question's weight found in the best sentence or its headline, and in the best
paragraph) reaches `min_match`; otherwise it declines rather than quote something unrelated.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from bot.conversation import Conversation, Turn
from bot.index import BM25Index, Hit
from bot.models import Answer, Article, Passage, Quote
from bot.store import StoredPassages
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
PARAGRAPH_K1 = 1.2  # BM25 saturation for scoring a whole paragraph
PARAGRAPH_B = 0.75


@dataclass(frozen=True)
class AnswerOptions:
    """Retrieval knobs (from Settings); re-ranking weights tuned on SQuAD's even articles."""

    max_quotes: int = 3
    # Abstention: the best candidate's evidence (see `Answerer._evidence`) must reach this.
    min_match: float = 0.68
    relative_score: float = 0.5  # later quotes score at least this share of the best
    quote_match: float = 0.25  # share of the question's weight each quote must contain
    candidates: int = 50  # index hits re-ranked per question
    rerank: bool = True  # False: rank by the index score alone (the plain BM25 baseline)
    # Weights of the re-ranking features (see `Features`); the index score has weight 1.
    # Fitted by coordinate ascent on hit@1 (+ hit@3 / 2 to break ties) over the features of
    # the top 50 candidates of every question of SQuAD's even articles (whole file as corpus,
    # k1 1.2, b 0.75); odd articles were only scored. See `bot.evaluate.squad` for the eval.
    context_weight: float = 0.05
    previous_weight: float = 0.02
    paragraph_weight: float = 1.5
    paragraph_local_weight: float = 0.05
    local_weight: float = 2.0
    title_weight: float = 3.0
    phrase_weight: float = 0.3
    paragraph_bm25_weight: float = 1.0
    proximity_weight: float = 1.5
    type_weight: float = 0.2
    # Abstention evidence = sentence_share * (sentence coverage * (1 + length_bonus * ln n))
    # + (1 - sentence_share) * paragraph coverage, n the question's distinct terms. Fitted on
    # SQuAD with even articles as corpus and odd articles' questions as absent (grid search
    # for the best present hit@1 with <= 9% absent answered); checked on the reverse split.
    sentence_share: float = 0.6
    length_bonus: float = 0.5


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
    paragraph_bm25: float  # BM25 of the whole paragraph among the article's paragraphs
    proximity: float  # distinct query terms matched / the shortest span holding them all

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
            + options.paragraph_bm25_weight * self.paragraph_bm25
            + options.proximity_weight * self.proximity
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
        self._article_stats: dict[str, ArticleStats] = {}
        self._stats_query: frozenset[str] = frozenset()

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
        query = frozenset(weights)
        shares = [self._coverage(c.passage, c.article, judged, query) / total for c in ranked]
        # Decline when no candidate holds enough of the question; otherwise trust the ranking
        # and only drop quotes that share too little with the question.
        evidence = self._evidence(ranked, shares, judged, query)
        if not shares or evidence < self.options.min_match:
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

    def _evidence(
        self,
        ranked: Sequence[_Candidate],
        shares: Sequence[float],
        judged: dict[str, float],
        query: frozenset[str],
    ) -> float:
        """How sure we are that the corpus answers the question at all (compared to min_match).

        Shares of the question's weight do not grow with the corpus, unlike BM25 scores. A
        question is written about a paragraph, so the paragraph's coverage counts too; short
        questions match by chance more easily, so a longer one needs a little less.
        """
        if not shares:
            return 0.0
        total = sum(judged.values())
        paragraph = max(
            sum(w for t, w in judged.items() if t in terms) / total
            for c in ranked
            for terms in (
                self._stats(c.passage.article_id, query).paragraph_terms[c.passage.paragraph],
            )
        )
        sentence = max(shares) * (1 + self.options.length_bonus * math.log(len(judged)))
        share = self.options.sentence_share
        return share * sentence + (1 - share) * paragraph

    def candidate_features(self, question: str) -> list[tuple[Passage, Features]]:
        """The index's candidates for a question, in index order, with their features."""
        tokens = tokenize(normalise_question(question))
        weights = self._term_weights(tokens)
        hits = self.index.search(tokens, self.options.candidates) if tokens else []
        candidates = self._candidates(hits)
        features = self.features(question, tokens, weights, candidates) if candidates else []
        return [(c.passage, f) for c, f in zip(candidates, features, strict=True)]

    def _candidates(self, hits: list[Hit]) -> list[_Candidate]:
        return [
            _Candidate(
                hit,
                self.lookup.passage(hit.key, hit.position),
                self.lookup.article(hit.key),
                hit.score,
            )
            for hit in hits
        ]

    def _rerank(
        self, question: str, tokens: list[str], weights: dict[str, float], hits: list[Hit]
    ) -> list[_Candidate]:
        """Candidates best first by the weighted features (index order when not re-ranking)."""
        candidates = self._candidates(hits)
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
        query = frozenset(tokens)
        for candidate in candidates:
            passage = candidate.passage
            stats = self._stats(passage.article_id, query)
            passages = stats.passages
            local = stats.sentence_idf(weights)
            terms_list = stats.terms[passage.position]
            terms = set(terms_list)
            paragraph = stats.paragraph_terms[passage.paragraph]
            neighbours: dict[int, float] = {}
            for position in (passage.position - 1, passage.position + 1):
                if (
                    0 <= position < len(passages)
                    and passages[position].paragraph == passage.paragraph
                ):
                    neighbours[position] = scores.get((passage.article_id, position), 0.0)
            title = set(passage_terms(candidate.article.title))
            found = bigrams.intersection(_bigrams(terms_list))
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
                    paragraph_bm25=stats.paragraph_bm25(passage.paragraph, weights),
                    proximity=term_proximity(terms_list, weights.keys()),
                )
            )
        return result

    def _stats(self, article_id: str, query: frozenset[str]) -> ArticleStats:
        """One article's statistics for the question's terms, kept while the question is.

        Counting only the question's terms keeps this at ~0.1 ms an article; full term
        counts cost ~0.6 ms each and, at archive scale, most candidate articles are new.
        """
        if query != self._stats_query:
            self._article_stats.clear()
            self._stats_query = query
        cached = self._article_stats.get(article_id)
        if cached is None:
            passages = self.lookup.passages_of(article_id)
            terms = self._tokens_of(article_id, passages)
            cached = ArticleStats.of(passages, terms, query)
            self._article_stats[article_id] = cached
        return cached

    def _tokens_of(self, article_id: str, passages: Sequence[Passage]) -> list[tuple[str, ...]]:
        """Each sentence's index terms, read back from the index rather than re-tokenised."""
        try:
            return self.index.tokens(article_id)
        except KeyError:
            return [passage_terms(p.text) for p in passages]

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

    def _coverage(
        self, passage: Passage, article: Article, weights: dict[str, float], query: frozenset[str]
    ) -> float:
        """Weight of the question's terms found in the sentence or its article's headline."""
        terms = self._stats(passage.article_id, query).terms[passage.position]
        present = set(terms) | set(passage_terms(article.title))
        return sum(w for term, w in weights.items() if term in present)

    def _quote(self, article_id: str, position: int, score: float) -> Quote:
        return Quote(
            self.lookup.passage(article_id, position), self.lookup.article(article_id), score
        )


@dataclass(frozen=True)
class ArticleStats:
    """Within-article term statistics: sentence df, and each paragraph as a BM25 document."""

    passages: Sequence[Passage]
    terms: list[tuple[str, ...]]  # each sentence's index terms, by position
    sentence_df: dict[str, int]
    paragraph_terms: dict[int, set[str]]
    paragraph_counts: dict[int, dict[str, int]]
    paragraph_norm: dict[int, float]  # BM25 length normaliser of each paragraph

    @classmethod
    def of(
        cls,
        passages: Sequence[Passage],
        terms_by_position: list[tuple[str, ...]],
        query: Collection[str],
    ) -> ArticleStats:
        """Count the query's terms in the article's sentences and paragraphs."""
        sentence_df: dict[str, int] = {}
        counts: dict[int, dict[str, int]] = {}
        lengths: dict[int, int] = {}
        for paragraph, terms in zip(paragraph_numbers(passages), terms_by_position, strict=True):
            lengths[paragraph] = lengths.get(paragraph, 0) + len(terms)
            bag = counts.setdefault(paragraph, {})
            matched = [term for term in terms if term in query]
            for term in matched:
                bag[term] = bag.get(term, 0) + 1
            for term in set(matched):
                sentence_df[term] = sentence_df.get(term, 0) + 1
        mean = (sum(lengths.values()) / len(lengths)) if lengths else 1.0
        norm = {
            p: PARAGRAPH_K1 * (1 - PARAGRAPH_B + PARAGRAPH_B * n / (mean or 1.0))
            for p, n in lengths.items()
        }
        vocabulary = {p: set(bag) for p, bag in counts.items()}
        return cls(passages, terms_by_position, sentence_df, vocabulary, counts, norm)

    def sentence_idf(self, weights: dict[str, float]) -> dict[str, float]:
        """Idf of each query term among the article's sentences (topic words weigh little)."""
        size = len(self.passages)
        return {t: math.log(1 + size / (self.sentence_df.get(t, 0) + 0.5)) for t in weights}

    def paragraph_bm25(self, paragraph: int, idf: dict[str, float]) -> float:
        """BM25 of one paragraph for query terms with the given idf."""
        bag = self.paragraph_counts.get(paragraph, {})
        norm = self.paragraph_norm.get(paragraph, PARAGRAPH_K1)
        return sum(
            w * tf * (PARAGRAPH_K1 + 1) / (tf + norm)
            for t, w in idf.items()
            for tf in (bag.get(t, 0),)
            if tf
        )


def paragraph_numbers(passages: Sequence[Passage]) -> list[int]:
    """Each sentence's paragraph number, without building Passage records where stored."""
    if isinstance(passages, StoredPassages):
        return passages.paragraphs()
    return [p.paragraph for p in passages]


def term_proximity(terms: Sequence[str], wanted: Collection[str]) -> float:
    """Distinct query terms matched over the shortest span holding them all (0 if < 2)."""
    hits = [(i, t) for i, t in enumerate(terms) if t in wanted]
    distinct = len({t for _, t in hits})
    if distinct < 2:
        return 0.0
    best = len(terms)
    seen: dict[str, int] = {}
    left = 0
    for at, term in hits:
        seen[term] = seen.get(term, 0) + 1
        while len(seen) == distinct:
            best = min(best, at - hits[left][0] + 1)
            gone = hits[left][1]
            seen[gone] -= 1
            if not seen[gone]:
                del seen[gone]
            left += 1
    return distinct / best


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
    "ArticleStats",
    "Hit",
    "answer_type",
    "is_follow_up",
    "normalise_question",
    "passage_terms",
    "same_speaker",
    "term_proximity",
]
