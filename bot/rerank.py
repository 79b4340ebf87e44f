"""Re-ranking the index's candidate sentences with evidence their own BM25 score misses.

- context: the BM25 scores of the sentence's neighbours in the same paragraph, since a question
  often names the subject in one sentence and asks about the next;
- headline: the question's weight found in the article's title;
- paragraph: the question's weight in the sentence's paragraph, and that paragraph's BM25 among
  the article's paragraphs, since a question is usually written about a paragraph;
- local: idf within the article, so that topic words every sentence repeats count for little;
- phrase and proximity: query bigrams kept as bigrams, query terms close together;
- answer type: "when" wants a date or year, "how many" a number, "who" a name the question
  does not already contain;
- meaning (with sentence vectors): the question's cosine with the sentence, its paragraph and
  its neighbour; how far the sentence's cosine leads every other candidate's; and, for questions
  whose words the corpus covers poorly (a reader's own wording), the cosines and the BM25 score
  again, scaled by how loose that match is, so that meaning counts for more exactly there;
  and where the sentence stands among the candidates by cosine and by BM25.
All of it comes from one count of the question's terms in every sentence of the candidates'
articles (`BM25Index.term_counts`, array operations over the index's postings), so no
sentence is re-tokenised and no article is read sentence by sentence.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import NamedTuple, TypeVar

import numpy as np

from bot.index import Hit, TermCounts
from bot.vectors import dot_rows

T = TypeVar("T", str, int)  # a term, or its column in a question

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
    # Abstention: the evidence that the corpus answers the question at all (see
    # `Answerer._confidence`) must reach this; 0 answers everything.
    min_match: float = 1.53
    relative_score: float = 0.5  # later quotes score at least this share of the best
    quote_match: float = 0.25  # share of the question's weight each quote must contain
    quote_cosine: float = 0.45  # ... unless its cosine with the question reaches this
    candidates: int = 50  # index hits re-ranked per question
    rerank: bool = True  # False: rank by the index score alone (the plain BM25 baseline)
    # Weights of the re-ranking features (see `Features`); the index score has weight 1.
    # Fitted by coordinate ascent on hit@1 (+ hit@3 / 2 to break ties) over the features of
    # the top 50 candidates of every question of SQuAD's even articles (whole file as corpus,
    # k1 1.2, b 0.75); odd articles were only scored. See `bot.evaluate.squad` for the eval.
    # These are the weights by words alone; with sentence vectors `semantic()` swaps in
    # SEMANTIC_WEIGHTS.
    bm25_weight: float = 1.0
    answer_type_weight: float = 0.0  # added; `type_weight` below scales the whole score instead
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
    # The semantic layer: cosines of the question's vector with the sentence, its paragraph
    # (the mean of its sentences' vectors) and its best neighbour in the paragraph; 0 without
    # vectors. The weights used with vectors are in SEMANTIC_WEIGHTS.
    sentence_cosine_weight: float = 0.0
    paragraph_cosine_weight: float = 0.0
    neighbour_cosine_weight: float = 0.0
    cosine_lead_weight: float = 0.0
    loose_cosine_weight: float = 0.0
    loose_paragraph_cosine_weight: float = 0.0
    loose_bm25_weight: float = 0.0
    cosine_rank_weight: float = 0.0
    bm25_rank_weight: float = 0.0
    # With token states (`bot.late`): the weights are in LATE_WEIGHTS, and only the first
    # late_depth candidates by the other features are matched and re-ranked with them.
    token_match_weight: float = 0.0
    token_coverage_weight: float = 0.0
    late_depth: int = 15
    # Sentences of the candidates' articles closest in meaning, re-ranked with the index's hits.
    semantic_candidates: int = 20
    # Articles whose mean sentence vector is closest to the question's, searched as well.
    semantic_articles: int = 3
    # Abstention evidence = sentence_share * (sentence coverage * (1 + length_bonus * ln n))
    # + (1 - sentence_share) * paragraph coverage + score_share * best score / question weight,
    # n the question's distinct terms. Fitted on SQuAD with even articles as corpus and odd
    # articles' questions as absent (the least hit@1 lost with <= 10% absent answered);
    # checked on the reverse split.
    sentence_share: float = 0.6
    length_bonus: float = 1.0
    score_share: float = 0.25
    # With sentence vectors: + cosine_share * (the best candidate's cosine - cosine_centre).
    # Fitted on the same halves with MIN_MATCH kept at 1.53 (so it means the same with the
    # semantic layer off): the least hit@1 lost with <= 10% of absent questions answered on
    # both halves; 3.0 leaves a margin (6-7% answered) over the best fit (4.0, 9%).
    cosine_share: float = 3.0
    cosine_centre: float = 0.35
    # ... and a best candidate this close in meaning is answered whatever its words: with half
    # of SQuAD's articles as the corpus, 0.2% of the questions about the other half reach it
    # (1.8% reach 0.55), while paraphrased questions that the words alone decline do.
    answer_cosine: float = 0.6
    # ... and so is one that wins by meaning where the words are weak: a cosine of at least
    # meaning_cosine, ahead of every other candidate's by meaning_lead, for a question whose
    # best BM25 score is under meaning_coverage of its weight. Fitted with the shares above
    # on the same halves (see SEMANTIC_WEIGHTS).
    meaning_cosine: float = 0.5
    meaning_lead: float = 0.06
    meaning_coverage: float = 0.5
    # ... and, with token states, so is one whose token match (`bot.late`) is at least
    # match_floor and ahead of each other of the first candidates' by match_lead, under the
    # same meaning_coverage. Chosen so that questions about absent articles stay answered
    # under 10% on both halves of SQuAD (8.1% / 9.1% with it, 6.6% / 8.0% without).
    match_floor: float = 0.5
    match_lead: float = 0.05
    # Where the words are weak, meaning orders: when the best words-only score among the first
    # meaning_depth candidates holds under meaning_gate times the question's weight, those
    # candidates are put in order of meaning (token match with token states, else cosine), and
    # quoted in that order without the word filters above (which would judge a paraphrase by
    # the words it does not share). On SQuAD's even
    # articles, 2% of the questions fall under 2.0 and ordering them by cosine costs 0.2 points
    # of hit@1 there (never gains: SQuAD's questions reuse their sentence's words); at 2.5 it
    # is 6% and 0.8 points. A reader's paraphrase typically scores under 2.
    meaning_gate: float = 2.0
    meaning_depth: int = 10
    # With sentence vectors: a question that asks for a date or a number ("when", "how much")
    # whose best candidate holds none has this much less evidence. The largest value of 0.25,
    # 0.5 and 1 that loses no hit@1 on SQuAD with its even articles as the corpus.
    missing_type_penalty: float = 0.25

    def semantic(self) -> AnswerOptions:
        """These options with the weights fitted for questions and sentences with vectors."""
        # Every name is a float field; mypy cannot tell from a dict of them.
        return replace(self, **SEMANTIC_WEIGHTS)  # type: ignore[arg-type]

    def late(self) -> AnswerOptions:
        """These options with the weights fitted for candidates that have token states."""
        # Every name is a float field; mypy cannot tell from a dict of them.
        return replace(self, **LATE_WEIGHTS)  # type: ignore[arg-type]


# The weights when the question and the articles have vectors. Fitted on the candidates of
# SQuAD's even articles' questions (BM25's top 50 and the 20 sentences closest in meaning, whole
# file as the corpus; `eval squad --fit`) by a softmax over each question's candidates
# (`bot.evaluate.squad.fit_listwise`), so the weights are free in sign and scale: given the
# within-article and meaning features, a higher BM25 score alone counts slightly against a
# sentence. The answer type is added rather than scaling the score. `--fit` gives these to
# within the third digit (the optimiser's tolerance).
SEMANTIC_WEIGHTS: dict[str, float] = {
    "bm25_weight": -0.151,
    "context_weight": -0.0172,
    "previous_weight": 0.0509,
    "paragraph_weight": 0.0482,
    "paragraph_local_weight": 0.116,
    "local_weight": 0.524,
    "title_weight": 0.211,
    "phrase_weight": -0.00603,
    "answer_type_weight": 1.47,
    "paragraph_bm25_weight": 0.0467,
    "proximity_weight": 0.638,
    "sentence_cosine_weight": 5.44,
    "paragraph_cosine_weight": 4.87,
    "neighbour_cosine_weight": 0.163,
    "cosine_lead_weight": 1.56,
    "loose_cosine_weight": 2.39,
    "loose_paragraph_cosine_weight": 7.2,
    "loose_bm25_weight": -0.228,
    "cosine_rank_weight": 0.775,
    "bm25_rank_weight": 0.871,
    "type_weight": 0.0,
    # Abstention with vectors: the words-only score (see `Candidate.lexical`) counts for less
    # beside the cosine. With MIN_MATCH at 1.53, cosine_share 3.0 and the meaning rule, this
    # keeps the questions about absent articles answered under 8% on both halves (a margin
    # under the 10% allowed) for the least hit@1 lost.
    "score_share": 0.15,
}

# The weights for the candidates matched by token states (`bot.late`; see `Answerer._rerank`),
# fitted the same way with every candidate matched, with the fitted dimension weights.
LATE_WEIGHTS: dict[str, float] = {
    "bm25_weight": -0.213,
    "context_weight": -0.0201,
    "previous_weight": 0.0526,
    "paragraph_weight": 0.0206,
    "paragraph_local_weight": 0.149,
    "local_weight": 0.424,
    "title_weight": 0.203,
    "phrase_weight": -0.0133,
    "answer_type_weight": 1.39,
    "paragraph_bm25_weight": 0.0446,
    "proximity_weight": 0.499,
    "sentence_cosine_weight": -7.38,
    "paragraph_cosine_weight": 4.82,
    "neighbour_cosine_weight": 0.0973,
    "cosine_lead_weight": -0.133,
    "loose_cosine_weight": -1.04,
    "loose_paragraph_cosine_weight": 7.81,
    "loose_bm25_weight": -0.139,
    "cosine_rank_weight": 0.673,
    "bm25_rank_weight": 0.811,
    "token_match_weight": 12.7,
    "token_coverage_weight": 8.5,
    "type_weight": 0.0,
    "score_share": SEMANTIC_WEIGHTS["score_share"],
}

# Abstention with token states weighs these signals of the best candidate (see
# `abstention_evidence`). Each holds the same meaning whatever the corpus's size: shares of
# the question's weight, cosines and token matches, never a raw BM25 score.
ABSTENTION_EVIDENCE: tuple[str, ...] = (
    "confidence",  # `Answerer._confidence`, after the missing-type penalty
    "sentence_share",  # the most of the question's weight in one candidate sentence
    "paragraph_share",  # ... and in one candidate's paragraph
    "lexical",  # the best candidate's words-only score per unit of the question's weight
    "cosine",  # its cosine with the question
    "cosine_lead",  # ... ahead of every other candidate's
    "token_match",  # its plain token match (`bot.late`)
    "match_lead",  # ... ahead of the next candidates' (the first meaning_depth)
    "weighed_match",  # its token match with the dimension weights
    "weighed_lead",  # ... ahead of the next candidates'
    "coverage",  # the best BM25 score of any candidate per unit of the question's weight
    "lacks_type",  # 1 when the question wants a date or a number that it lacks
    "log_terms",  # ln of the question's distinct terms
)

# A logistic model of "the best candidate is right" against "the article is not in the corpus"
# over ABSTENTION_EVIDENCE, divided by the weight of `confidence` so that its score is in the
# units of MIN_MATCH (the weight of `confidence` is 1; `offset` is added). Fitted by `eval squad
# --fit-abstention` on SQuAD with the even articles as the corpus: their questions whose best
# candidate is right against the odd articles' questions, answered for 8% of the latter
# (counting those answered by `Answerer._said_alike`) at MIN_MATCH 1.53; on the reverse split
# 8.5% of the absent questions are answered and 99.3% of the right answers kept.
ABSTENTION_WEIGHTS: dict[str, float] = {
    "sentence_share": 3.492,
    "paragraph_share": 2.976,
    "lexical": 0.6436,
    "cosine": 6.119,
    "cosine_lead": -9.025,
    "token_match": 10.74,
    "match_lead": -1.473,
    "weighed_match": 9.199,
    "weighed_lead": 3.205,
    "coverage": -0.1878,
    # Set, not fitted: the fit gives it no weight (0.014), since SQuAD's absent questions
    # seldom find a near sentence, but "How many troops will the United States send?" of an
    # article that gives no number must be declined. 2 is the largest of 1, 2, 3 and 5 that
    # loses no hit@1 on the even articles (nor changes the paraphrase set's figures).
    "lacks_type": -2.0,
    "log_terms": 1.933,
}
ABSTENTION_OFFSET = -20.68


def abstention_evidence(
    confidence: float,
    sentence: np.ndarray,
    paragraph: np.ndarray,
    judged: Mapping[str, float],
    ranked: Sequence[Candidate],
    lacks_type: bool,
    depth: int,
) -> np.ndarray:
    """The signals of ABSTENTION_EVIDENCE, in its order, for candidates best first.

    `sentence` and `paragraph` are each candidate's share of the question's weight `judged`;
    the leads are over the candidates ranked 2 to `depth`.
    """
    weight = sum(judged.values())
    best = ranked[0]
    others = ranked[1:depth]
    return np.array(
        [
            confidence,
            float(sentence.max()),
            float(paragraph.max()),
            best.lexical / weight,
            best.cosine,
            best.cosine_lead,
            best.token_match,
            best.token_match - max((c.token_match for c in others), default=0.0),
            best.weighed_match,
            best.weighed_match - max((c.weighed_match for c in others), default=0.0),
            max(c.hit.score for c in ranked) / weight,
            float(lacks_type),
            math.log(len(judged)),
        ]
    )


def abstention_score(
    evidence: np.ndarray,
    weights: Mapping[str, float] | None = None,
    offset: float | None = None,
) -> float:
    """The evidence weighed into one score in the units of MIN_MATCH (default: the fitted
    ABSTENTION_WEIGHTS and ABSTENTION_OFFSET)."""
    weights = ABSTENTION_WEIGHTS if weights is None else weights
    offset = ABSTENTION_OFFSET if offset is None else offset
    score = float(evidence[0]) + offset
    for name, value in zip(ABSTENTION_EVIDENCE[1:], evidence[1:].tolist(), strict=True):
        score += weights.get(name, 0.0) * value
    return score


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
    sentence_cosine: float  # cosine of the question's and the sentence's vectors (0: none)
    paragraph_cosine: float  # cosine with the mean vector of the sentence's paragraph
    neighbour_cosine: float  # the best cosine of the sentences just before and after
    cosine_lead: float  # how far the sentence's cosine exceeds every other candidate's (or 0)
    # The question's looseness: 1 - (best BM25 score / question weight) / LOOSE_COVERAGE, at
    # least 0 (0 without vectors). These are the features above, times the looseness.
    loose_cosine: float
    loose_paragraph_cosine: float
    loose_bm25: float
    # 1 / (1 + the sentence's place among the candidates), by cosine and by BM25 (0 without
    # vectors): where it stands, whatever the scale of this question's scores.
    cosine_rank: float
    bm25_rank: float
    # The question's and the sentence's token states matched one by one (`bot.late`; 0 for a
    # candidate not matched): each question piece's best match in the sentence, averaged,
    # and each sentence piece's best match in the question, averaged.
    token_match: float
    token_coverage: float


FEATURES = tuple(f.name for f in fields(Features))
# Every feature is added with its own weight (`<name>_weight`).
LINEAR = FEATURES
# Below this share of the question's weight in its best BM25 score, meaning counts for more.
LOOSE_COVERAGE = 0.8


COSINES = (
    "sentence_cosine",
    "paragraph_cosine",
    "neighbour_cosine",
    "cosine_lead",
    "loose_cosine",
    "loose_paragraph_cosine",
    "cosine_rank",
    "token_match",
    "token_coverage",
)


def feature_scores(values: np.ndarray, options: AnswerOptions, semantic: bool = True) -> np.ndarray:
    """Re-ranking scores of feature rows (the last axis follows FEATURES); `semantic=False`
    leaves the cosine features out."""
    # The weighted features, scaled up when the answer type is present.
    weights = np.array(
        [
            getattr(options, f"{name}_weight") if semantic or name not in COSINES else 0.0
            for name in LINEAR
        ]
    )
    linear = values @ weights
    return linear * (1 + options.type_weight * values[..., FEATURES.index("answer_type")])


class Candidate(NamedTuple):
    """An index hit and its re-ranked score (built ~100 per question).

    The sentence's text is looked up only where it is read: for questions that want an
    answer type, and for the few candidates that become quotes.
    """

    hit: Hit
    score: float
    lexical: float = 0.0  # the score by the words-only weights (abstention weighs it)
    cosine: float = 0.0  # the sentence's cosine with the question (0: no vectors)
    cosine_lead: float = 0.0  # how far that cosine exceeds every other candidate's (or 0)
    token_match: float = 0.0  # its token states' match with the question's (0: none)
    weighed_match: float = 0.0  # the same with the dimension weights (`bot.late`)


def answer_type(question: str) -> re.Pattern[str] | None:
    """What the answer must contain for this kind of question (a date, number, name), if known."""
    if WHEN_QUESTION.search(question):
        return DATE_TEXT
    if COUNT_QUESTION.search(question):
        return NUMBER_TEXT
    if WHO_QUESTION.search(question):
        return NAME_TEXT
    return None


def candidate_features(
    question: str,
    tokens: list[str],
    candidates: Sequence[Candidate],
    evidence: QueryEvidence,
    text: Callable[[str, int], str],
) -> np.ndarray:
    """The re-ranking evidence of each candidate (a row each, columns as in FEATURES)."""
    rows = evidence.rows(candidates)
    article = evidence.article_of_row[rows]
    group = evidence.group[rows]
    w, local = evidence.weights, evidence.local_idf[article]
    in_paragraph = evidence.paragraph_counts[group] > 0
    in_sentence = evidence.counts.counts[rows] > 0
    previous, following = evidence.neighbour_scores(rows)
    wanted = answer_type(question)
    query_pairs = _bigrams(evidence.columns_of(tokens))
    everything = range(len(w))
    # Only these three look at each sentence's own tokens or text. With fewer than two
    # distinct query terms a sentence has no span to measure and (unless the question
    # repeats a term) no query bigram, so its tokens need not be read at all.
    repeats = any(a == b for a, b in query_pairs)
    read = [terms >= 2 or repeats for terms in in_sentence.sum(axis=1).tolist()]
    tokens_of = iter(evidence.counts.row_columns(rows[np.array(read, dtype=bool)]))
    weight = w.tolist()
    phrase, typed, proximity = [], [], []
    for candidate, reads in zip(candidates, read, strict=True):
        hit = candidate.hit
        typed.append(
            wanted is not None and has_answer_type(wanted, text(hit.key, hit.position), question)
        )
        if not reads:
            phrase.append(0.0)
            proximity.append(0.0)
            continue
        columns = next(tokens_of)
        found = query_pairs.intersection(_bigrams(columns))
        phrase.append(sum(weight[a] + weight[b] for a, b in found))
        proximity.append(term_proximity(columns, everything))
    bm25 = np.array([c.hit.score for c in candidates])
    cosines = evidence.cosines[rows]
    paragraph_cosines = evidence.paragraph_cosines[group]
    loose = evidence.looseness(bm25)
    named = {
        "bm25": bm25,
        "context": previous + following,
        "previous": previous,
        "paragraph": in_paragraph @ w,
        "paragraph_local": (in_paragraph * local).sum(axis=1),
        "local": (in_sentence * local).sum(axis=1),
        "title": evidence.counts.titles[article] @ w,
        "phrase": np.array(phrase),
        "answer_type": np.array(typed, dtype=float),
        "paragraph_bm25": evidence.paragraph_bm25(group, w),
        "proximity": np.array(proximity),
        "sentence_cosine": cosines,
        "paragraph_cosine": paragraph_cosines,
        "neighbour_cosine": np.maximum(*evidence.neighbour_values(rows, evidence.cosines)),
        "cosine_lead": cosine_lead(cosines),
        "loose_cosine": cosines * loose,
        "loose_paragraph_cosine": paragraph_cosines * loose,
        "loose_bm25": bm25 * loose,
        "cosine_rank": _rank_scores(cosines) if evidence.semantic else np.zeros(len(rows)),
        "bm25_rank": _rank_scores(bm25) if evidence.semantic else np.zeros(len(rows)),
    }
    late = evidence.late
    matched = (
        np.array([late[(c.hit.key, c.hit.position)][:2] for c in candidates]).reshape(-1, 2)
        if late is not None
        else np.zeros((len(rows), 2))
    )
    named["token_match"], named["token_coverage"] = matched[:, 0], matched[:, 1]
    return np.column_stack([named[name] for name in FEATURES])


@dataclass(frozen=True)
class QueryEvidence:
    """A question's terms counted in every sentence and paragraph of the candidates' articles.

    Columns are the question's distinct terms (`counts.terms`); paragraphs are numbered across
    all the articles ("groups"), each scored as a BM25 document among its article's paragraphs.
    """

    counts: TermCounts
    weights: np.ndarray  # (terms,) each term's weight in the whole corpus
    article: dict[str, int]  # article id -> its number in `counts`
    article_of_row: np.ndarray  # (rows,) each sentence's article number
    group: np.ndarray  # (rows,) each sentence's paragraph group
    paragraph_counts: np.ndarray  # (groups, terms) occurrences in each paragraph
    paragraph_norm: np.ndarray  # (groups,) BM25 length normaliser of each paragraph
    local_idf: np.ndarray  # (articles, terms) idf among the article's sentences
    semantic: bool  # the question had a vector and the articles had sentence vectors
    cosines: np.ndarray  # (rows,) cosine of each sentence with the question (0: no vectors)
    paragraph_cosines: np.ndarray  # (groups,) cosine of each paragraph's mean vector
    # (article id, position) -> (token match, token coverage, plain token match) of the
    # matched candidates (`bot.late.late_scores`);
    # None when none were matched.
    late: dict[tuple[str, int], tuple[float, float, float]] | None = None

    @classmethod
    def of(
        cls,
        counts: TermCounts,
        weights: dict[str, float],
        semantic: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> QueryEvidence:
        """Sum the counts per paragraph and per article; `semantic`: (row vectors, question's)."""
        sizes = np.diff(counts.starts)
        article_of_row = np.repeat(np.arange(len(sizes)), sizes)
        # A paragraph is an (article, paragraph number) pair, wherever its sentences are;
        # groups are numbered in that pair's order. Paragraph numbers usually only grow along
        # an article, so the pairs are already sorted and need no sort to be grouped.
        pairs = (article_of_row.astype(np.int64) << 32) | (
            counts.paragraphs.astype(np.int64) & 0xFFFFFFFF
        )
        order = None if np.all(pairs[1:] >= pairs[:-1]) else np.argsort(pairs, kind="stable")
        take = slice(None) if order is None else order  # rows in pair order
        change = np.diff(pairs[take], prepend=-1) != 0  # pairs are >= 0
        firsts = np.flatnonzero(change)
        keys = pairs[take][firsts]
        group = np.empty(len(pairs), dtype=np.int64)
        group[take] = np.cumsum(change) - 1  # each row's group, back in the rows' order
        paragraph_counts = np.add.reduceat(counts.counts[take], firsts)
        lengths = np.add.reduceat(counts.lengths[take].astype(np.int64), firsts)
        owner = keys >> 32
        paragraphs_per_article = np.bincount(owner, minlength=len(sizes))
        total = np.bincount(owner, weights=lengths, minlength=len(sizes))
        mean = total / np.maximum(paragraphs_per_article, 1)
        mean[mean == 0] = 1.0  # an article of empty sentences: any normaliser will do
        norm = PARAGRAPH_K1 * (1 - PARAGRAPH_B + PARAGRAPH_B * lengths / mean[owner])
        present = np.zeros((len(counts.counts) + 1, len(counts.terms)), dtype=np.int64)
        np.cumsum(counts.counts > 0, axis=0, out=present[1:])
        sentence_df = present[counts.starts[1:]] - present[counts.starts[:-1]]
        local_idf = np.log(1 + sizes[:, None] / (sentence_df + 0.5))
        if semantic is None:
            cosines, paragraph_cosines = np.zeros(len(pairs)), np.zeros(len(firsts))
        else:
            matrix, vector = semantic
            cosines = dot_rows(matrix, vector).astype(np.float64)
            # A paragraph's mean vector points where the sum of its vectors does, and the
            # sum's dot product with the question is the sum of its sentences' cosines.
            sums = np.add.reduceat(matrix[take], firsts)
            lengths_of = np.sqrt(np.einsum("ij,ij->i", sums, sums))
            cosine_sums = np.add.reduceat(cosines[take], firsts)
            paragraph_cosines = np.where(
                lengths_of > 0, cosine_sums / np.maximum(lengths_of, 1e-12), 0.0
            )
        return cls(
            counts,
            np.array([weights[term] for term in counts.terms]),
            {key: i for i, key in enumerate(counts.keys)},
            article_of_row,
            group,
            paragraph_counts,
            norm,
            local_idf,
            semantic is not None,
            cosines,
            paragraph_cosines,
        )

    def rows(self, candidates: Sequence[Candidate]) -> np.ndarray:
        """The row of each candidate sentence."""
        article = self.article
        numbers = np.array([article[c.hit.key] for c in candidates], dtype=np.int64)
        positions = np.array([c.hit.position for c in candidates], dtype=np.int64)
        return self.counts.starts[numbers] + positions

    def closest(self, hits: Sequence[Hit], limit: int) -> list[Candidate]:
        """Up to `limit` sentences closest in meaning to the question that are not in `hits`."""
        if limit <= 0 or not self.cosines.any():
            return []
        taken = set(self.rows([Candidate(hit, hit.score) for hit in hits]).tolist())
        wanted = min(len(self.cosines), limit + len(taken))
        best = np.argpartition(-self.cosines, wanted - 1)[:wanted]
        best = best[np.argsort(-self.cosines[best], kind="stable")]
        counts, keys = self.counts, self.counts.keys
        found = []
        for row in best.tolist():
            if row in taken or self.cosines[row] <= 0:
                continue
            article = int(self.article_of_row[row])
            position = row - int(counts.starts[article])
            matched = int(np.count_nonzero(counts.counts[row]))
            score = float(counts.scores[row])
            found.append(Candidate(Hit(keys[article], position, score, matched), score))
            if len(found) >= limit:
                break
        return found

    def looseness(self, scores: np.ndarray) -> float:
        """How little of the question's weight its best BM25 score holds (0: enough; 1: none).

        0 without vectors, where nothing else could speak for the question.
        """
        total = float(self.weights.sum())
        if not self.semantic or not len(scores) or total <= 0:
            return 0.0
        return max(0.0, 1 - float(scores.max()) / total / LOOSE_COVERAGE)

    def columns_of(self, tokens: Sequence[str]) -> list[int]:
        """The question's tokens as columns."""
        column = {term: i for i, term in enumerate(self.counts.terms)}
        return [column[token] for token in tokens]

    def neighbour_scores(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of the sentences just before and after each row, in the same paragraph."""
        return self.neighbour_values(rows, self.counts.scores)

    def neighbour_values(
        self, rows: np.ndarray, scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-row values of the sentences just before and after each row, same paragraph."""
        paragraphs = self.counts.paragraphs
        article = self.article_of_row[rows]
        starts = self.counts.starts
        result = []
        for step, inside in ((-1, rows > starts[article]), (1, rows + 1 < starts[article + 1])):
            other = np.where(inside, rows + step, rows)
            same = inside & (paragraphs[other] == paragraphs[rows])
            result.append(np.where(same, scores[other], 0.0))
        return result[0], result[1]

    def paragraph_bm25(self, groups: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """BM25 of each given paragraph among its article's paragraphs, with these term weights."""
        tf = self.paragraph_counts[groups]
        saturated = tf * (PARAGRAPH_K1 + 1) / (tf + self.paragraph_norm[groups][:, None])
        return (weights * np.where(tf > 0, saturated, 0.0)).sum(axis=1)

    def coverage(
        self, candidates: Sequence[Candidate], judged: dict[str, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's share of the judged weight in sentence (or headline) and paragraph."""
        weights = np.array([judged.get(term, 0.0) for term in self.counts.terms])
        total = sum(judged.values())
        rows = self.rows(candidates)
        in_sentence = (self.counts.counts[rows] > 0) | self.counts.titles[self.article_of_row[rows]]
        in_paragraph = self.paragraph_counts[self.group[rows]] > 0
        return in_sentence @ weights / total, in_paragraph @ weights / total


def cosine_lead(cosines: np.ndarray) -> np.ndarray:
    """Per candidate: its cosine minus the best other candidate's, for the first; 0 for the rest."""
    lead = np.zeros(len(cosines))
    if len(cosines) < 2:
        return lead
    first = int(np.argmax(cosines))
    lead[first] = cosines[first] - np.partition(cosines, -2)[-2]
    return lead


def _rank_scores(values: np.ndarray) -> np.ndarray:
    """1 / (1 + each value's place when sorted from the highest; ties keep their order)."""
    places = np.empty(len(values))
    places[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return 1 / (1 + places)


def term_proximity(terms: Sequence[T], wanted: Collection[T]) -> float:
    """Distinct query terms matched over the shortest span holding them all (0 if < 2)."""
    hits = [(i, t) for i, t in enumerate(terms) if t in wanted]
    distinct = len({t for _, t in hits})
    if distinct < 2:
        return 0.0
    best = len(terms)
    seen: dict[T, int] = {}
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


def _bigrams(terms: Sequence[T]) -> set[tuple[T, T]]:
    return set(itertools.pairwise(terms))


def has_answer_type(wanted: re.Pattern[str], text: str, question: str) -> bool:
    """True when the sentence holds a date/number/name that the question does not already."""
    return any(match.group() not in question for match in wanted.finditer(text))
