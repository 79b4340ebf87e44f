"""The compiled inner loop of search (`_scoring.c`): the numpy path's hits, bit for bit."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.index.bm25
import bot.index.segments
from bot.index import BM25Index, Hit
from tests.test_index import Corpus, churned, corpus_st, query_st, zipf_corpus

needs_compiled = pytest.mark.skipif(
    bot.index.bm25.compiled_scoring is None, reason="the compiled loop is not built here"
)


def both_paths(index: BM25Index, query: list[str], limit: int) -> tuple[list[Hit], list[Hit]]:
    """Search's hits through the compiled loop and through numpy alone."""
    index.compiled = True
    compiled = index.search(query, limit)
    index.compiled = False
    numpy_only = index.search(query, limit)
    index.compiled = True
    return compiled, numpy_only


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(
    corpus=corpus_st,
    removed=st.sets(st.sampled_from([f"k{i}" for i in range(6)])),
    extra=corpus_st,
    query=query_st,
    limit=st.integers(1, 12),
    prune_above=st.sampled_from([0, 10**9]),
)
def test_compiled_search_equals_numpy_search_after_adds_and_removes(
    corpus: Corpus,
    removed: set[str],
    extra: Corpus,
    query: list[str],
    limit: int,
    prune_above: int,
) -> None:
    index, _ = churned(corpus, removed, extra)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.index.bm25, "PRUNE_ABOVE_POSTINGS", prune_above)
        patch.setattr(bot.index.bm25, "COMPILED_PRUNE_ABOVE_POSTINGS", prune_above)
        compiled, numpy_only = both_paths(index, query, limit)
    assert compiled == numpy_only  # NamedTuples of floats: equal means the same bits


@needs_compiled
@pytest.mark.parametrize("prune_above", [10**9, 0], ids=["scored-outright", "maxscore"])
def test_compiled_search_equals_numpy_search_on_a_zipf_corpus_with_segments(
    monkeypatch: pytest.MonkeyPatch, prune_above: int
) -> None:
    monkeypatch.setattr(bot.index.bm25, "PRUNE_ABOVE_POSTINGS", prune_above)
    monkeypatch.setattr(bot.index.bm25, "COMPILED_PRUNE_ABOVE_POSTINGS", prune_above)
    monkeypatch.setattr(bot.index.segments, "DENSE_LOOKUP_POSTINGS", 500)
    corpus = zipf_corpus(8, 200)
    index = BM25Index()
    rng = random.Random(11)
    words = [f"w{i}" for i in range(400)]
    zipf = [1 / (r + 1) for r in range(400)]
    for number, (key, passages) in enumerate(corpus.items()):
        index.add(key, passages)
        if number % 7 == 3:
            index.remove(rng.choice(index.keys()))
        if number % 20 == 19:  # queries between changes, over several segments
            assert index.segment_count > 1 or number < 40
            for _ in range(10):
                query = rng.choices(words, zipf, k=rng.randint(1, 8))
                compiled, numpy_only = both_paths(index, query, rng.choice([1, 3, 10]))
                assert compiled == numpy_only


@needs_compiled
def test_compiled_search_keeps_every_tie_at_the_limit_for_the_tie_break() -> None:
    # Twenty identical passages tie on score and matched terms: key and position decide.
    index = BM25Index()
    for number in range(20):
        index.add(f"k{19 - number:02d}", [["x", "y"], ["z"]])
    index.add("other", [["q"], ["q"], ["q"]])
    compiled, numpy_only = both_paths(index, ["x"], 3)
    assert compiled == numpy_only
    assert [hit.key for hit in compiled] == ["k00", "k01", "k02"]
    compiled, numpy_only = both_paths(index, ["x", "q"], 10**9)  # more than could match
    assert compiled == numpy_only and len(compiled) == 23


@needs_compiled
def test_compiled_loop_rejects_passage_ids_outside_the_index() -> None:
    scoring = bot.index.bm25.compiled_scoring
    assert scoring is not None
    docs = (np.array([0, 5], dtype=np.int32),)
    impacts = (np.ones(2),)
    alive = np.ones(3, dtype=bool)
    where = (np.zeros(3, dtype=np.int32), np.arange(3, dtype=np.int32))
    scores, counts = np.zeros(3), np.zeros(3, dtype=np.uint8)
    with pytest.raises(ValueError, match="out of range"):
        scoring.top_all(docs, impacts, (1.0,), alive, *where, scores, counts, 1)
    assert not scores.any() and not counts.any()  # the scratch is left clean
    with pytest.raises(ValueError, match="out of range"):
        scoring.top_maxscore(docs * 2, impacts * 2, (1.0, 1.0), alive, *where, (2.0, 2.0), 1)
    with pytest.raises(TypeError):
        half = (np.ones(2, dtype=np.float32),)
        scoring.top_all(docs, half, (1.0,), alive, *where, scores, counts, 1)


def test_the_compiled_loop_is_built_where_ci_installs_the_project() -> None:
    # CI installs with `pip install -e .`, which compiles it; a silent build failure would
    # leave every user on the slower numpy path.
    if os.environ.get("CI") != "true":
        pytest.skip("only CI promises a build with a C compiler")
    assert bot.index.bm25.compiled_scoring is not None


def test_search_falls_back_to_numpy_where_the_compiled_loop_is_missing() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["bot.index._scoring"] = None  # as if it had never been built
        from bot.index import BM25Index
        index = BM25Index()
        index.add("a", [["x", "y"], ["y"], []])
        index.add("b", [["x"], ["z", "z"]])
        assert not index.compiled
        print([(hit.key, hit.position) for hit in index.search(["x", "y"], 2)])
        """
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    index = BM25Index()
    index.add("a", [["x", "y"], ["y"], []])
    index.add("b", [["x"], ["z", "z"]])
    index.compiled = False
    expected = [(hit.key, hit.position) for hit in index.search(["x", "y"], 2)]
    assert done.stdout.strip() == str(expected)
