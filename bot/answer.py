"""Question (+ conversation context) -> Answer: verbatim quotes with attribution, or none.

Retrieval is two-stage. The index returns the best CANDIDATES sentences by rank-bm25's score;
only those are re-ranked (`bot.rerank`). The bot answers only when the evidence (the question's
weight found in the best sentence or its headline, and in the best paragraph) reaches
`min_match` (with token states, that evidence and the best candidate's closeness in meaning,
weighed together as fitted in `bot.rerank.ABSTENTION_WEIGHTS`); otherwise it declines rather
than quote something unrelated. Questions that lean
on the previous turn are handled with `bot.followup`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from bot.conversation import Conversation, Turn
from bot.followup import (
    MORE_FROM_SPEAKER,
    WHO_SAID_THAT,
    PassageLookup,
    continuation,
    is_follow_up,
    more_from_speaker,
)
from bot.index import BM25Index
from bot.late import dimension_weights, late_scores
from bot.models import Answer, Passage, Quote
from bot.query import Query, parse_question
from bot.rerank import (
    DATE_TEXT,
    FEATURES,
    NUMBER_TEXT,
    AnswerOptions,
    Candidate,
    Features,
    QueryEvidence,
    abstention_evidence,
    abstention_score,
    answer_type,
    candidate_features,
    feature_scores,
    has_answer_type,
)
from bot.text import tokenize
from bot.vectors import SentenceVectors

# Verbs of speech: a question made of nothing else names no subject to search for.
SPEECH_TERMS = frozenset(tokenize("say said says saying tell told tells"))


# Texts -> (their unit vectors, each text's token states), or None without the model.
Encode = Callable[[Sequence[str]], tuple[np.ndarray, list[np.ndarray]] | None]
# Sentences -> the token states stored for those of them that have any.
StatesOf = Callable[[Sequence[tuple[str, int]]], dict[tuple[str, int], np.ndarray]]


class Judgement(NamedTuple):
    """The evidence that the best candidate answers the question."""

    confidence: float  # compared with min_match (see `Answerer._confidence`)
    said_alike: bool  # it says what the question asks, whatever its words (answer anyway)
    # With token states: the signals weighed in `confidence` (ABSTENTION_EVIDENCE), else None.
    evidence: np.ndarray | None = None


class Ranking(NamedTuple):
    """A question's candidates best first, and what decides whether to quote them."""

    ranked: list[Candidate]
    shares: np.ndarray  # each candidate's share of the question's weight (in its sentence)
    by_meaning: bool  # the first candidates are in order of meaning (the words are weak)
    options: AnswerOptions
    judgement: Judgement


class Answerer:
    """Turns questions into answers over one index and the passages behind it."""

    def __init__(
        self,
        index: BM25Index,
        lookup: PassageLookup,
        options: AnswerOptions,
        vectors: SentenceVectors | None = None,
        states_of: StatesOf | None = None,
    ) -> None:
        self.index = index
        self.lookup = lookup
        self.options = options
        self.vectors = vectors  # None: the semantic layer is off
        self.states_of = states_of  # None: no token states are kept
        # Each model dimension's weight in a token match (`bot.late`); `eval squad --fit` sets
        # the ones it is fitting.
        self.dimensions = dimension_weights() if states_of is not None else None

    @property
    def options(self) -> AnswerOptions:
        """The options for questions answered by words alone."""
        return self._options

    @options.setter
    def options(self, options: AnswerOptions) -> None:
        self._options = options
        self._semantic_options = options.semantic()
        self._late_options = options.late()

    def options_for(self, evidence: QueryEvidence) -> AnswerOptions:
        """The options (weights) that fit this evidence: with or without sentence vectors
        (those fitted with token states apply to the candidates `_rerank` matches)."""
        return self._semantic_options if evidence.semantic else self._options

    def parse(self, question: str, encode: Encode | None = None) -> Query:
        """The question parsed once; encoded too when there are sentence vectors to compare."""
        query = parse_question(question)
        if encode is None or not self.vectors or not query.tokens:
            return query
        encoded = encode([query.text])
        if encoded is None:
            return query
        vectors, states = encoded
        return Query(query.text, query.tokens, vectors[0], states[0] if states else None)

    def answer(self, question: str | Query, conversation: Conversation | None = None) -> Answer:
        """Answer a question, using the conversation for follow-ups."""
        query = parse_question(question) if isinstance(question, str) else question
        text = query.text
        if not text:
            return Answer(question="")
        if is_follow_up(text, conversation):
            assert conversation is not None
            previous = conversation.last_answered()
            assert previous is not None
            follow_up = self._follow_up(text, previous, conversation, query)
            if follow_up is not None:
                return follow_up
        # "What else did he say?" with nothing before it asks about nobody in particular.
        if not set(query.tokens) - SPEECH_TERMS:
            return Answer(text)
        return Answer(text, self._search(text, query.tokens, set(), query=query))

    def _follow_up(
        self,
        question: str,
        previous: Turn,
        conversation: Conversation,
        query: Query,
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
        # The follow-up's own vector ranks (mixing in the previous best quote's was measured
        # on `eval followups` and lost turns), but its words decide whether to answer: "Will
        # he talk to Putin about it?" has a vector without its subject, and a cosine that
        # says little.
        in_article = self._search(
            question, tokens, shown, {previous.quoted[0][0]}, query, judge_by_meaning=False
        )
        quotes = in_article or self._search(
            question, tokens, shown, query=query, judge_by_meaning=False
        )
        return Answer(question, quotes) if quotes else None

    def _search(
        self,
        question: str,
        tokens: list[str],
        exclude: set[tuple[str, int]],
        articles: set[str] | None = None,
        query: Query | None = None,
        judge_by_meaning: bool = True,
    ) -> tuple[Quote, ...]:
        """Quotes for the question's terms, from the given articles only when named.

        `query` brings the question's vector and token states (None: words only).
        `judge_by_meaning=False`: the vector only ranks; whether to answer is decided by words.
        """
        ranking = self._ranking(question, tokens, exclude, articles, query, judge_by_meaning)
        if ranking is None:
            return ()
        options = ranking.options
        judgement = ranking.judgement
        # Decline when no candidate holds enough of the question; otherwise trust the ranking
        # and only drop quotes that share too little with the question.
        if (
            options.min_match > 0
            and judgement.confidence < options.min_match
            and not judgement.said_alike
        ):
            return ()
        quotes: list[Quote] = []
        texts: set[str] = set()
        best = 0.0
        by_meaning = ranking.by_meaning
        for candidate, share in zip(ranking.ranked, ranking.shares.tolist(), strict=True):
            hit = candidate.hit
            # A quote shares enough of the question's words, or says the same in others; in
            # an order by meaning, the words' filters would drop exactly the paraphrase.
            if (
                not by_meaning
                and share < options.quote_match
                and candidate.cosine < options.quote_cosine
            ):
                continue
            text = self.lookup.text(hit.key, hit.position)
            if text in texts:
                continue
            if not by_meaning and quotes and candidate.score < options.relative_score * best:
                break
            best = max(best, candidate.score)
            texts.add(text)
            quotes.append(self._quote(hit.key, hit.position, _finite(candidate.score)))
            if len(quotes) >= options.max_quotes:
                break
        return tuple(quotes)

    def judge(self, query: Query) -> Ranking | None:
        """The candidates of a question, best first, and the evidence that one answers it
        (what `answer` weighs before quoting; `eval squad --fit-abstention` fits on it)."""
        return self._ranking(query.text, query.tokens, set(), None, query, True)

    def _ranking(
        self,
        question: str,
        tokens: list[str],
        exclude: set[tuple[str, int]],
        articles: set[str] | None,
        query: Query | None,
        judge_by_meaning: bool,
    ) -> Ranking | None:
        """The candidates best first and the judgement on them (None: nothing to rank)."""
        if not tokens:
            return None
        weights = self._term_weights(tokens)
        if sum(weights.values()) <= 0:
            return None
        gathered = self._gather(tokens, weights, query, articles)
        if gathered is None:
            return None
        candidates, evidence = gathered
        options = self.options_for(evidence)
        states = None if query is None else query.token_states
        reranked, matched = self._rerank(question, tokens, candidates, evidence, states)
        ranked = [
            candidate
            for candidate in reranked
            if (candidate.hit.key, candidate.hit.position) not in exclude
        ]
        if not ranked:
            return None
        # The question's own terms decide whether to answer; terms carried over from the
        # previous turn only help to rank.
        own = set(tokenize(question)) & weights.keys()
        judged = {t: w for t, w in weights.items() if t in own} if own else weights
        meaning = evidence.semantic and judge_by_meaning
        by_meaning = meaning and options.rerank and _words_are_weak(ranked, judged, options)
        if by_meaning:
            ranked = _by_meaning(ranked, options.meaning_depth, matched)
        sentence, paragraph = evidence.coverage(ranked, judged)
        judgement = self._judge(question, ranked, sentence, paragraph, judged, meaning, matched)
        return Ranking(ranked, sentence, by_meaning, options, judgement)

    def _judge(
        self,
        question: str,
        ranked: Sequence[Candidate],
        sentence: np.ndarray,
        paragraph: np.ndarray,
        judged: dict[str, float],
        meaning: bool,
        matched: bool,
    ) -> Judgement:
        """Whether no candidate holds enough of the question to answer it (`Judgement`).

        With token states (`matched`), the evidence by words and cosine is one of the
        signals in ABSTENTION_EVIDENCE, weighed together as fitted in ABSTENTION_WEIGHTS.
        """
        options = self._semantic_options if meaning else self._options
        confidence = self._confidence(sentence, paragraph, judged, ranked[0], meaning)
        lacks_type = meaning and self._lacks_answer_type(question, ranked[0])
        if lacks_type:
            confidence -= options.missing_type_penalty
        said_alike = meaning and self._said_alike(ranked, judged, options, lacks_type)
        if not (meaning and matched):
            return Judgement(confidence, said_alike)
        values = abstention_evidence(
            confidence, sentence, paragraph, judged, ranked, lacks_type, options.meaning_depth
        )
        return Judgement(abstention_score(values), said_alike, values)

    def _lacks_answer_type(self, question: str, best: Candidate) -> bool:
        """The question asks for a date or a number and the best candidate holds none."""
        wanted = answer_type(question)
        if wanted is not DATE_TEXT and wanted is not NUMBER_TEXT:
            return False
        return not has_answer_type(
            wanted, self.lookup.text(best.hit.key, best.hit.position), question
        )

    def _said_alike(
        self,
        ranked: Sequence[Candidate],
        judged: dict[str, float],
        options: AnswerOptions,
        lacks_type: bool = False,
    ) -> bool:
        """The best candidate says what the question asks, whatever its words.

        Either its cosine is high enough on its own, or it wins by meaning where words cannot
        decide: a clear lead in cosine (or, with token states, in token match) over the other
        candidates, for a question whose best BM25 score holds little of its weight, unless
        it asks for a date or a number that the candidate lacks (`lacks_type`).
        """
        best = ranked[0]
        if best.cosine >= options.answer_cosine:
            return True
        coverage = max(c.hit.score for c in ranked) / sum(judged.values())
        if coverage >= options.meaning_coverage or lacks_type:
            return False
        if best.cosine >= options.meaning_cosine and best.cosine_lead >= options.meaning_lead:
            return True
        others = [c.token_match for c in ranked[1 : options.meaning_depth]]
        return (
            best.token_match >= options.match_floor
            and best.token_match - max(others, default=0.0) >= options.match_lead
        )

    def _confidence(
        self,
        sentence: np.ndarray,
        paragraph: np.ndarray,
        judged: dict[str, float],
        best: Candidate,
        meaning: bool,
    ) -> float:
        """How sure we are that the corpus answers the question at all (compared to min_match).

        `sentence` and `paragraph` are each ranked candidate's share of the question's weight
        in the sentence (or headline) and in its paragraph. Shares do not grow with the corpus,
        unlike BM25 scores. A question is written about a paragraph, so the paragraph's
        coverage counts too; short questions match by chance more easily, so a longer one
        needs a little less. The best re-ranked score, per unit of the question's weight (both
        grow with idf, so the ratio hardly does), adds how well the words that matched fit.
        With `meaning` (sentence vectors that may judge), the best candidate's cosine adds or
        takes away evidence around `cosine_centre`: cosine alone does not tell absent from
        present, but it separates a paraphrase from a chance match of the same words.
        """
        options = self._semantic_options if meaning else self._options
        shared = float(sentence.max()) * (1 + options.length_bonus * math.log(len(judged)))
        coverage = options.sentence_share * shared + (1 - options.sentence_share) * float(
            paragraph.max()
        )
        top = best.lexical if options.rerank else best.score
        confidence = coverage + options.score_share * top / sum(judged.values())
        if meaning:
            confidence += options.cosine_share * (best.cosine - options.cosine_centre)
        return confidence

    def candidate_features(self, question: str | Query) -> list[tuple[Passage, Features]]:
        """The candidates for a question (the index's, in its order, then semantic ones)."""
        query = parse_question(question) if isinstance(question, str) else question
        tokens = query.tokens
        weights = self._term_weights(tokens)
        gathered = self._gather(tokens, weights, query) if tokens else None
        if gathered is None:
            return []
        candidates, evidence = gathered
        if query.token_states is not None:
            late = self._token_matches(evidence, candidates, query.token_states)
            evidence = evidence if late is None else replace(evidence, late=late)
        features = self.features(query.text, tokens, candidates, evidence)
        return [
            (self.lookup.passage(c.hit.key, c.hit.position), Features(*row))
            for c, row in zip(candidates, features.tolist(), strict=True)
        ]

    def _gather(
        self,
        tokens: list[str],
        weights: dict[str, float],
        query: Query | None,
        articles: set[str] | None = None,
    ) -> tuple[list[Candidate], QueryEvidence] | None:
        """The index's best sentences, then those closest in meaning within their articles.

        The question's terms (and vector) are compared with every sentence of the articles the
        index found: at archive scale the articles a question is about are found by their words
        far more reliably than the sentence, and a few dozen articles' vectors cost well under
        a millisecond to score, where an ANN index over every sentence would cost memory and
        start time.
        """
        vector = None if query is None else query.vector
        hits = self.index.search(tokens, self.options.candidates, keys=articles)
        keys = list(dict.fromkeys(hit.key for hit in hits))
        if vector is not None and self.vectors and articles is None:
            # Articles close in meaning, whether or not the question's words are in them.
            keys += [
                key
                for key in self.vectors.nearest_articles(vector, self.options.semantic_articles)
                if key not in keys
            ]
        if not keys:
            return None
        counts = self.index.term_counts(keys, tokens)
        semantic = None
        if vector is not None and self.vectors:
            matrix, present = self.vectors.gather(counts.keys, np.diff(counts.starts).tolist())
            if present.any():
                semantic = (matrix, vector)
        evidence = QueryEvidence.of(counts, weights, semantic)
        candidates = [Candidate(hit, hit.score) for hit in hits]
        if semantic is not None and self.options.semantic_candidates:
            candidates += evidence.closest(hits, self.options.semantic_candidates)
        return (candidates, evidence) if candidates else None

    def _token_matches(
        self, evidence: QueryEvidence, candidates: Sequence[Candidate], question: np.ndarray
    ) -> dict[tuple[str, int], tuple[float, float, float]] | None:
        """Each candidate's (token match, token coverage, plain token match) with the question
        (`bot.late.late_scores`), or None unless every one of them has token states."""
        if self.states_of is None or not evidence.semantic:
            return None
        keys = [(c.hit.key, c.hit.position) for c in candidates]
        states = self.states_of(keys)
        if len(states) < len(set(keys)):
            return None
        scores = late_scores(question, [states[key] for key in keys], self.dimensions)
        return dict(zip(keys, map(tuple, scores.tolist()), strict=True))

    def _rerank(
        self,
        question: str,
        tokens: list[str],
        candidates: list[Candidate],
        evidence: QueryEvidence,
        states: np.ndarray | None = None,
    ) -> tuple[list[Candidate], bool]:
        """Candidates best first by the weighted features (index order when not re-ranking),
        and whether the first of them were matched by token states.

        With the question's token states (`states`), the first `late_depth` candidates by
        the other features are matched piece by piece and put first, in the order of the
        weights fitted with token states: reading the states of ~70 candidates cost 5-7 ms
        at a million sentences, and on SQuAD the top 10 hold all that it gains.
        """
        options = self.options_for(evidence)
        if not options.rerank:
            return candidates, False
        values = self.features(question, tokens, candidates, evidence)
        scores = feature_scores(values, options)
        order = np.argsort(-scores, kind="stable")
        matched = False
        plain = np.zeros(len(candidates))
        weighed = np.zeros(len(candidates))
        if states is not None:
            head = order[: options.late_depth]
            chosen = [candidates[i] for i in head.tolist()]
            late = self._token_matches(evidence, chosen, states)
            if late is not None:
                matched = True
                columns = np.array([FEATURES.index(n) for n in ("token_match", "token_coverage")])
                scored = np.array([late[(c.hit.key, c.hit.position)] for c in chosen])
                values[np.ix_(head, columns)] = scored[:, :2]
                # The abstention rules read the plain match, on the scale they were set on.
                plain[head] = scored[:, 2]
                weighed[head] = scored[:, 0]
                scores[head] = feature_scores(values[head], self._late_options)
                order = np.concatenate(
                    [head[np.argsort(-scores[head], kind="stable")], order[len(head) :]]
                )
        # The score by the words-only weights, for abstention, which weighs meaning on its own
        # and was calibrated on that score.
        lexical = feature_scores(values, self.options, semantic=False)
        cosines = values[:, FEATURES.index("sentence_cosine")]
        leads = values[:, FEATURES.index("cosine_lead")]
        rescored = [
            Candidate(candidate.hit, score, words, cosine, lead, match, weigh)
            for candidate, score, words, cosine, lead, match, weigh in zip(
                candidates,
                scores.tolist(),
                lexical.tolist(),
                cosines.tolist(),
                leads.tolist(),
                plain.tolist(),
                weighed.tolist(),
                strict=True,
            )
        ]
        return [rescored[i] for i in order.tolist()], matched

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


def _words_are_weak(
    ranked: Sequence[Candidate], judged: dict[str, float], options: AnswerOptions
) -> bool:
    """Whether the best words-only score of the first candidates holds little of the question.

    Per unit of the question's weight, as in `_confidence`, so the gate does not move with the
    corpus's size or the question's length.
    """
    top = max(c.lexical for c in ranked[: options.meaning_depth])
    return top < options.meaning_gate * sum(judged.values())


def _by_meaning(ranked: list[Candidate], depth: int, tokens: bool) -> list[Candidate]:
    """The first `depth` candidates in order of meaning, then the rest: by their token match
    with the question (dimensions weighed, as in the ranking) when they have token states,
    else by cosine."""
    head = sorted(
        ranked[:depth], key=lambda c: c.weighed_match if tokens else c.cosine, reverse=True
    )
    return head + ranked[depth:]


def _finite(score: float) -> float:
    return score if math.isfinite(score) else 0.0
