"""The answerer: re-ranking, abstention, de-duplication, answer types and follow-ups."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import astuple
from pathlib import Path

import numpy as np
import pytest

from bot.answer import Answerer
from bot.conversation import Conversation
from bot.followup import is_follow_up, same_speaker
from bot.index import BM25Index
from bot.ingest import read_text
from bot.library import Library
from bot.rerank import (
    PARAGRAPH_B,
    PARAGRAPH_K1,
    AnswerOptions,
    Features,
    QueryEvidence,
    answer_type,
    term_proximity,
)
from bot.settings import Settings
from bot.text import tokenize

HARBOUR = """Harbour Times: Ferry service to the islands resumes after storm

Harbour master Ann Lee said the island ferry will resume service on Monday after a week of storms.

The ferry was built in 1998 and carries 300 passengers.

Lee said the pier needed repairs before boats could dock again.
The repairs cost the council four million pounds.

Tourism has fallen sharply since the storm, according to the chamber of commerce.

Lee also warned that winter timetables would start early this year.

The council approved the harbour budget.
"""

ORCHARD = """Valley News: Apple harvest breaks records

Farmer Tom Reed said growers in the valley picked a record apple harvest this autumn.

Reed said warm spring weather helped the blossom.

The cooperative will open a new cider press next year.

The council approved the orchard grant in a long vote on Friday evening.
"""

COPY = """Coast Post: Ferry resumes

Harbour master Ann Lee said the island ferry will resume service on Monday after a week of storms.

Local shops expect visitors to return.
"""


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """A library with two unrelated articles."""
    settings = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "var")
    library = Library.open(settings)
    for text in (HARBOUR, ORCHARD):
        library.add(read_text(text, fmt="text"))
    return library


def ask_in_turn(library: Library, *questions: str) -> list[list[str]]:
    """Ask the questions as one conversation; the quoted texts of each answer."""
    conversation = Conversation()
    texts = []
    for question in questions:
        answer = library.ask(question, conversation)
        conversation.remember(answer)
        texts.append([quote.text for quote in answer.quotes])
    return texts


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When will the island ferry resume service?", "resume service on Monday"),
        ("When was the ferry built?", "built in 1998"),
        ("How much did the pier repairs cost the council?", "four million pounds"),
        ("Who picked a record apple harvest?", "record apple harvest"),
    ],
    ids=["when", "when-year", "how-much", "who"],
)
def test_question_is_answered_by_the_sentence_that_holds_the_answer(
    library: Library, question: str, expected: str
) -> None:
    answer = library.ask(question)
    assert answer.answered
    assert expected in answer.quotes[0].text


@pytest.mark.parametrize(
    "question",
    ["What is the capital of Peru?", "How do volcanoes form under the ocean?", "Who won the cup?"],
    ids=["capital", "volcanoes", "cup"],
)
def test_question_about_nothing_in_the_corpus_is_declined(library: Library, question: str) -> None:
    assert not library.ask(question).answered


def test_same_sentence_in_two_articles_is_quoted_once(library: Library) -> None:
    library.add(read_text(COPY, fmt="text"))
    answer = library.ask("When will the island ferry resume service after the storms?")
    texts = [quote.text for quote in answer.quotes]
    assert texts and len(texts) == len(set(texts))


def test_what_else_quotes_the_same_speaker_named_by_surname(library: Library) -> None:
    first, second = ask_in_turn(
        library, "When will the island ferry resume service?", "What else did she say?"
    )
    assert "Ann Lee" in first[0]
    assert second and second[0].startswith("Lee said the pier needed repairs")
    assert set(first).isdisjoint(second)


def test_what_else_without_a_known_speaker_continues_the_article(library: Library) -> None:
    first, second = ask_in_turn(
        library, "How many passengers does the ferry carry?", "What else is there?"
    )
    assert "300 passengers" in first[0]
    assert second and second[0].startswith("Lee said the pier needed repairs")


def test_who_said_that_repeats_the_last_quote(library: Library) -> None:
    first, second = ask_in_turn(
        library, "What did Tom Reed say about the harvest?", "Who said that?"
    )
    assert second == first[:1]


def test_follow_up_stays_with_the_article_just_quoted(library: Library) -> None:
    alone = library.ask("Did the council approve it?")
    assert "harbour budget" in alone.quotes[0].text  # the shorter sentence wins on its own
    first, second = ask_in_turn(
        library, "What helped the blossom in spring?", "Did the council approve it?"
    )
    assert "warm spring weather" in first[0]
    assert second and "orchard grant" in second[0]


def test_follow_up_leaves_the_article_when_it_cannot_answer(library: Library) -> None:
    _, second = ask_in_turn(
        library, "How many passengers does the ferry carry?", "What will open next year?"
    )
    assert second and "cider press" in second[0]


def test_follow_up_expands_a_pronoun_question_with_the_previous_turn(library: Library) -> None:
    first, second = ask_in_turn(
        library, "What did Lee say about the pier?", "How much did it cost?"
    )
    assert "pier" in first[0]
    assert second and "four million pounds" in second[0]


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("When did it open?", "It opened in 1998.", True),
        ("When did it open?", "It opened after a long wait.", False),
        ("How many people came?", "About 300 people came.", True),
        ("How many people came?", "Lots of people came.", False),
        ("Who built it?", "It was built by Ann Lee.", True),
        ("Who built it?", "It was built by a local firm.", False),
        ("Why did it close?", "It closed in 1998.", None),
    ],
    ids=["when-year", "when-none", "count", "count-none", "who", "who-none", "why-untyped"],
)
def test_answer_type_recognises_dates_numbers_and_names(
    question: str, sentence: str, expected: bool | None
) -> None:
    wanted = answer_type(question)
    if expected is None:
        assert wanted is None
    else:
        assert wanted is not None
        assert bool(wanted.search(sentence)) == expected


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ("Angela Cooper", "Cooper", True),
        ("High school math teacher Angela Cooper", "Cooper", True),
        ("a European official", "a European official", True),
        ("a senior diplomat", "another senior diplomat", False),
        ("Cooper", "Reed", False),
    ],
    ids=["full-and-surname", "title-and-surname", "identical", "common-noun", "different"],
)
def test_same_speaker_matches_surnames_but_not_common_nouns(
    one: str, other: str, expected: bool
) -> None:
    assert same_speaker(one, other) is expected


def test_plain_ranking_follows_the_index_score(library: Library) -> None:
    plain = Answerer(library.index, library, AnswerOptions(rerank=False, relative_score=0.0))
    question = "When will the island ferry resume service?"
    hits = library.index.search(tokenize(question), 3)
    quotes = plain.answer(question).quotes
    assert [(q.passage.article_id, q.passage.position) for q in quotes] == [
        (hit.key, hit.position) for hit in hits
    ]


def test_is_follow_up_needs_an_answered_turn(library: Library) -> None:
    conversation = Conversation()
    assert not is_follow_up("What else did he say?", conversation)
    conversation.remember(library.ask("What did Tom Reed say about the harvest?"))
    assert is_follow_up("What else did he say?", conversation)


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["ferri", "resum", "servic"], 1.0),
        (["ferri", "storm", "week", "resum"], 0.5),
        (["ferri", "ferri", "storm", "resum", "storm", "ferri"], 2 / 3),
        (["ferri", "storm"], 0.0),
        ([], 0.0),
    ],
    ids=["adjacent", "spread", "shortest-window", "one-term", "empty"],
)
def test_term_proximity_rewards_query_terms_close_together(
    terms: list[str], expected: float
) -> None:
    assert term_proximity(terms, {"ferri", "resum"}) == pytest.approx(expected)


def test_paragraph_bm25_prefers_the_paragraph_about_the_question(library: Library) -> None:
    article = next(a for a in library.articles() if "Ferry" in a.title)
    query = ["pier", "repair"]
    counts = library.index.term_counts([article.id], tokenize(" ".join(query)))
    evidence = QueryEvidence.of(counts, dict.fromkeys(counts.terms, 2.0))
    groups = np.arange(len(evidence.paragraph_norm))
    scores = evidence.paragraph_bm25(groups, evidence.weights)
    about_repairs = evidence.group[3]  # "Lee said the pier needed repairs ..."
    assert int(np.argmax(scores)) == about_repairs
    assert scores.min() == 0.0


@pytest.mark.parametrize(
    "paragraphs",
    [[0, 0, 1, 1, 2], [2, 0, 2, 1, 0], [1, 1, 1, 1, 1]],
    ids=["in-order", "shuffled", "one-paragraph"],
)
def test_paragraphs_are_grouped_wherever_their_sentences_are(paragraphs: list[int]) -> None:
    index = BM25Index()
    passages = [["ferri", "pier"], ["pier"], ["storm"], ["ferri", "ferri"], ["harbour"]]
    index.add("b", passages, paragraphs)
    index.add("a", [["pier"], ["storm", "pier"]], [1, 0])
    counts = index.term_counts(["b", "a"], ["ferri", "pier"])
    evidence = QueryEvidence.of(counts, {"ferri": 1.0, "pier": 1.0})
    rows = [(0, n, p) for n, p in zip(paragraphs, passages, strict=True)]
    rows += [(1, 1, ["pier"]), (1, 0, ["storm", "pier"])]
    # Groups are numbered in (article, paragraph number) order, counts summed per group.
    groups = sorted({(article, n) for article, n, _ in rows})
    assert evidence.group.tolist() == [groups.index((a, n)) for a, n, _ in rows]
    expected = [[0, 0, 0] for _ in groups]  # ferri, pier, tokens
    for article, n, passage in rows:
        summed = expected[groups.index((article, n))]
        summed[0] += passage.count("ferri")
        summed[1] += passage.count("pier")
        summed[2] += len(passage)
    assert evidence.paragraph_counts.tolist() == [e[:2] for e in expected]
    mean = [
        np.mean([e[2] for (a, _), e in zip(groups, expected, strict=True) if a == article])
        for article in (0, 1)
    ]
    norms = [
        PARAGRAPH_K1 * (1 - PARAGRAPH_B + PARAGRAPH_B * e[2] / mean[a])
        for (a, _), e in zip(groups, expected, strict=True)
    ]
    assert evidence.paragraph_norm.tolist() == pytest.approx(norms)


def reference_features(library: Library, question: str) -> list[Features]:
    """Each candidate's features recomputed the slow, obvious way from the sentences' texts."""
    tokens = tokenize(question)
    n = len(library.index)
    weights = {
        t: math.log(1 + (n - df + 0.5) / (df + 0.5))
        for t in dict.fromkeys(tokens)
        for df in (library.index.document_frequency(t),)
    }
    everywhere = library.index.scores(tokens)
    wanted = answer_type(question)
    result = []
    for hit in library.index.search(tokens, AnswerOptions().candidates):
        passages = library.passages_of(hit.key)
        passage = passages[hit.position]
        terms = [tokenize(p.text) for p in passages]
        df = {t: sum(t in ts for ts in terms) for t in weights}
        local = {t: math.log(1 + len(passages) / (df[t] + 0.5)) for t in weights}
        lengths: Counter[int] = Counter()
        for p, ts in zip(passages, terms, strict=True):
            lengths[p.paragraph] += len(ts)
        mean = sum(lengths.values()) / len(lengths)
        same = [i for i, p in enumerate(passages) if p.paragraph == passage.paragraph]
        bag = Counter(t for i in same for t in terms[i])
        norm = PARAGRAPH_K1 * (1 - PARAGRAPH_B + PARAGRAPH_B * lengths[passage.paragraph] / mean)
        neighbours = {
            i: everywhere[(hit.key, i)]
            for i in (hit.position - 1, hit.position + 1)
            if 0 <= i < len(passages) and passages[i].paragraph == passage.paragraph
        }
        title = set(tokenize(library.article(hit.key).title))
        pairs = set(itertools.pairwise(tokens)) & set(itertools.pairwise(terms[hit.position]))
        result.append(
            Features(
                bm25=hit.score,
                context=sum(neighbours.values()),
                previous=neighbours.get(hit.position - 1, 0.0),
                paragraph=sum(w for t, w in weights.items() if bag[t]),
                paragraph_local=sum(w for t, w in local.items() if bag[t]),
                local=sum(w for t, w in local.items() if t in terms[hit.position]),
                title=sum(w for t, w in weights.items() if t in title),
                phrase=sum(weights[a] + weights[b] for a, b in pairs),
                answer_type=float(
                    wanted is not None
                    and any(m.group() not in question for m in wanted.finditer(passage.text))
                ),
                paragraph_bm25=sum(
                    w * bag[t] * (PARAGRAPH_K1 + 1) / (bag[t] + norm)
                    for t, w in weights.items()
                    if bag[t]
                ),
                proximity=term_proximity(terms[hit.position], weights.keys()),
                sentence_cosine=0.0,  # a question given as text has no vector
                paragraph_cosine=0.0,
                neighbour_cosine=0.0,
                cosine_lead=0.0,
                loose_cosine=0.0,  # no vectors, no looseness
                loose_paragraph_cosine=0.0,
                loose_bm25=0.0,
                cosine_rank=0.0,
                bm25_rank=0.0,
                token_match=0.0,  # nor token states
                token_coverage=0.0,
            )
        )
    return result


@pytest.mark.parametrize(
    "question",
    [
        "How much did the pier repairs cost the council?",
        "Who said the ferry will resume service after the storm?",
        "When did the council approve the grant?",
        "ferry ferry storm council apple",
    ],
    ids=["how-much", "who", "when", "repeated-terms"],
)
def test_features_equal_a_recount_from_the_sentences(library: Library, question: str) -> None:
    library.add(read_text(COPY, fmt="text"))  # three articles, one sharing sentences
    answerer = Answerer(library.index, library, AnswerOptions())
    got = [features for _, features in answerer.candidate_features(question)]
    expected = reference_features(library, question)
    assert len(got) == len(expected) >= 3
    for mine, theirs in zip(got, expected, strict=True):
        assert np.allclose(astuple(mine), astuple(theirs), rtol=1e-12, atol=1e-12), (mine, theirs)


def test_candidate_features_follow_the_index_order(library: Library) -> None:
    answerer = Answerer(library.index, library, AnswerOptions())
    question = "How much did the pier repairs cost the council?"
    scored = answerer.candidate_features(question)
    hits = library.index.search(tokenize(question), AnswerOptions().candidates)
    assert [(p.article_id, p.position) for p, _ in scored] == [(h.key, h.position) for h in hits]
    assert [f.bm25 for _, f in scored] == [h.score for h in hits]


def test_removed_article_is_no_longer_quoted(library: Library) -> None:
    question = "How many passengers does the ferry carry?"
    first = library.ask(question)
    assert first.answered
    library.remove(first.quotes[0].passage.article_id)
    assert not library.ask(question).answered
    library.add(read_text(HARBOUR, fmt="text"))  # the same id again: cached statistics still fit
    assert "300 passengers" in library.ask(question).quotes[0].text
