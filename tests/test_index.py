"""BM25Index: exact rank-bm25 scores, exact top-k, live add/remove, and a cache that never lies."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

import bot.index.bm25
import bot.index.cache
import bot.index.forward
import bot.index.segments
from bot.index import BM25Index, Hit

VOCAB = ["a", "b", "c", "d", "e", "f"]
Corpus = dict[str, list[list[str]]]

passage_st = st.lists(st.sampled_from(VOCAB), max_size=6)
corpus_st = st.dictionaries(
    st.sampled_from([f"k{i}" for i in range(6)]), st.lists(passage_st, max_size=5), max_size=5
)
query_st = st.lists(st.sampled_from([*VOCAB, "unseen"]), max_size=6)
# Queries that may also name a headline (see `title_of`).
titled_query_st = st.lists(st.sampled_from([*VOCAB, "unseen", "k0", "k4"]), max_size=6)


def build(corpus: Corpus, **params: float) -> BM25Index:
    index = BM25Index(**params)
    for key, passages in corpus.items():
        index.add(key, passages)
    return index


def churned(corpus: Corpus, removed: set[str], extra: Corpus) -> tuple[BM25Index, Corpus]:
    """An index of `corpus` with the `removed` keys dropped, then the new `extra` keys added."""
    index = build(corpus)
    live = dict(corpus)
    for key in removed & corpus.keys():
        index.remove(key)
        del live[key]
    for key, passages in extra.items():
        if key not in live:
            index.add(key, passages)
            live[key] = passages
    return index, live


def live_passages(corpus: Corpus) -> list[tuple[str, int, list[str]]]:
    return [(key, i, p) for key, ps in corpus.items() for i, p in enumerate(ps)]


def expected_hits(index: BM25Index, corpus: Corpus, query: list[str], limit: int) -> list[Hit]:
    """Brute force over `scores()`: every matching passage, sorted as `search` promises."""
    scores = index.scores(query)
    rows = []
    for key, position, passage in live_passages(corpus):
        matched = len(set(query) & set(passage))
        if matched:
            rows.append((-scores[(key, position)], -matched, key, position))
    return [Hit(key, pos, -score, -matched) for score, matched, key, pos in sorted(rows)[:limit]]


def assert_matches_rank_bm25(index: BM25Index, corpus: Corpus, query: list[str]) -> None:
    passages = live_passages(corpus)
    scores = index.scores(query)
    assert set(scores) == {(key, position) for key, position, _ in passages}
    if sum(len(p) for _, _, p in passages) == 0:
        assert all(value == 0.0 for value in scores.values())
        return
    reference = BM25Okapi([p for _, _, p in passages]).get_scores(query)
    for (key, position, _), value in zip(passages, reference, strict=True):
        assert scores[(key, position)] == pytest.approx(value, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(corpus=corpus_st, query=query_st, limit=st.integers(1, 12))
def test_scores_equal_rank_bm25_and_search_is_their_exact_top(
    corpus: Corpus, query: list[str], limit: int
) -> None:
    index = build(corpus)
    assert_matches_rank_bm25(index, corpus, query)
    expected = expected_hits(index, corpus, query, limit)
    assert index.search(query, limit) == expected
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.index.bm25, "PRUNE_ABOVE_POSTINGS", 0)
        assert index.search(query, limit) == expected


@settings(max_examples=200, deadline=None)
@given(
    corpus=corpus_st,
    removed=st.sets(st.sampled_from([f"k{i}" for i in range(6)])),
    extra=corpus_st,
    query=query_st,
)
def test_add_and_remove_give_the_same_results_as_building_from_scratch(
    corpus: Corpus, removed: set[str], extra: Corpus, query: list[str]
) -> None:
    index, live = churned(corpus, removed, extra)
    fresh = build(dict(reversed(live.items())))
    assert sorted(index.keys()) == sorted(live)
    assert len(index) == len(fresh)
    assert_matches_rank_bm25(index, live, query)
    assert index.search(query, 5) == fresh.search(query, 5)
    assert index.scores(query) == fresh.scores(query)
    for term in [*VOCAB, "unseen"]:
        assert index.idf(term) == fresh.idf(term)


def zipf_corpus(seed: int, articles: int) -> Corpus:
    """Articles whose words follow a Zipf law over 400 terms, enough to make segments merge."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return {
        f"art{n:03d}": [
            rng.choices(words, weights, k=rng.randint(0, 15)) for _ in range(rng.randint(1, 12))
        ]
        for n in range(articles)
    }


@pytest.mark.parametrize("prune_above", [10**9, 0], ids=["scored-outright", "upper-bound-pruning"])
def test_search_is_exact_on_a_zipf_corpus_with_churn(
    monkeypatch: pytest.MonkeyPatch, prune_above: int
) -> None:
    monkeypatch.setattr(bot.index.bm25, "PRUNE_ABOVE_POSTINGS", prune_above)
    monkeypatch.setattr(bot.index.segments, "DENSE_LOOKUP_POSTINGS", 500)
    corpus = zipf_corpus(3, 150)
    index = build(corpus)
    rng = random.Random(5)
    for key in rng.sample(sorted(corpus), 40):
        index.remove(key)
        del corpus[key]
    assert len(index._segments) > 1  # the test must exercise several segments
    words = [f"w{i}" for i in range(400)]
    for _ in range(60):
        query = rng.choices(words, [1 / (r + 1) for r in range(400)], k=rng.randint(1, 6))
        limit = rng.choice([1, 3, 10])
        assert index.search(query, limit) == expected_hits(index, corpus, query, limit)
    assert_matches_rank_bm25(index, corpus, ["w0", "w1", "w7", "w123", "w0"])


@pytest.mark.parametrize("cache_postings", [1 << 22, 40], ids=["cached", "cache-full"])
def test_cached_impacts_never_outlive_an_add_or_remove(
    monkeypatch: pytest.MonkeyPatch, cache_postings: int
) -> None:
    monkeypatch.setattr(bot.index.bm25, "IMPACT_CACHE_POSTINGS", cache_postings)
    monkeypatch.setattr(bot.index.bm25, "PRUNE_ABOVE_POSTINGS", 50)
    corpus = zipf_corpus(21, 60)
    index = build(corpus)
    query = ["w0", "w1", "w5", "w40"]
    for change in range(6):
        for _ in range(2):  # the second search reads what the first one cached
            assert index.search(query, 10) == expected_hits(index, corpus, query, 10)
        assert_matches_rank_bm25(index, corpus, query)
        if change % 2:  # every add or remove moves avgdl and the idfs
            key = sorted(corpus)[change]
            index.remove(key)
            del corpus[key]
        else:
            corpus[f"new{change}"] = [["w0", "w1", "w0"], ["w5"] * 9]
            index.add(f"new{change}", corpus[f"new{change}"])


@pytest.mark.parametrize(
    ("corpus", "query"),
    [
        ({}, ["a"]),
        ({"k": [["a", "b"]]}, []),
        ({"k": [[], []]}, ["a"]),
        ({"k": [["a", "b"]]}, ["zzz"]),
    ],
    ids=["empty-index", "empty-query", "all-passages-empty", "unseen-terms"],
)
def test_search_returns_nothing_when_nothing_can_match(corpus: Corpus, query: list[str]) -> None:
    assert build(corpus).search(query) == []


def test_single_passage_corpus_still_returns_its_match() -> None:
    # One document: idf = log(0.5) - log(1.5) < 0 and the average idf is that same value.
    index = build({"only": [["storm", "harbour"]]})
    hits = index.search(["storm"])
    assert [(h.key, h.position, h.matched) for h in hits] == [("only", 0, 1)]
    assert hits[0].score == pytest.approx(
        BM25Okapi([["storm", "harbour"]]).get_scores(["storm"])[0]
    )
    assert hits[0].score < 0


def test_two_passage_corpus_with_zero_idf_orders_by_matched_terms() -> None:
    # With two documents a term in one of them has idf log(1.5) - log(1.5) = 0: every score is
    # 0, so the number of matched terms decides, then key and position.
    index = build({"x": [["wind", "sea"]], "y": [["port", "rain"]]})
    hits = index.search(["port", "wind", "sea"])
    assert [(h.key, h.score, h.matched) for h in hits] == [("x", 0.0, 2), ("y", 0.0, 1)]
    assert index.search(["rain"]) == [Hit("y", 0, 0.0, 1)]


def test_a_term_in_every_passage_of_a_tiny_corpus_scores_below_zero_but_is_returned() -> None:
    index = build({"x": [["storm", "port"]], "y": [["storm", "wind"]]})
    hits = index.search(["storm"])
    assert [(h.key, h.matched) for h in hits] == [("x", 1), ("y", 1)]
    assert all(h.score < 0 for h in hits)


def test_search_never_returns_passages_that_match_nothing() -> None:
    index = build({"k": [["a"], ["b"], ["c"], ["d"]]})
    assert [h.position for h in index.search(["a", "c"], limit=10)] == [0, 2]


def test_keys_restrict_search_to_those_articles() -> None:
    corpus = {"x": [["storm", "port"], ["storm"]], "y": [["storm", "storm"]], "z": [["port"]]}
    index = build(corpus)
    assert [h.key for h in index.search(["storm"], keys={"x"})] == ["x", "x"]
    assert {h.key for h in index.search(["storm", "port"], keys=["x", "z", "gone"])} == {"x", "z"}
    assert index.search(["storm"], keys=[]) == []
    assert index.search(["storm"], keys={"y"}) == expected_hits(
        index, {"y": corpus["y"]}, ["storm"], 10
    )


def test_limit_caps_the_hits_and_zero_gives_none() -> None:
    index = build({"k": [["a"]] * 20})
    assert len(index.search(["a"], limit=7)) == 7
    assert index.search(["a"], limit=0) == []


def test_idf_is_rank_bm25s_including_the_floor_and_zero_when_unseen() -> None:
    corpus = [["a", "b"], ["a", "c"], ["a"], ["d"]]
    index = build({"k": corpus})
    reference = BM25Okapi(corpus)
    for term in "abcd":
        assert index.idf(term) == pytest.approx(reference.idf[term], abs=1e-12)
    assert index.idf("never") == 0.0
    index.remove("k")
    assert index.idf("a") == 0.0


def test_document_frequency_counts_live_passages_containing_the_term() -> None:
    index = build({"x": [["a", "a"], ["a", "b"], []], "y": [["a"]]})
    assert [index.document_frequency(t) for t in ("a", "b", "zz")] == [3, 1, 0]
    index.remove("x")
    assert [index.document_frequency(t) for t in ("a", "b")] == [1, 0]


def test_contents_follow_add_and_remove() -> None:
    index = BM25Index()
    index.add("x", [["a"], []])
    index.add("y", [["b"]])
    assert (len(index), index.keys(), "x" in index, "z" in index) == (3, ["x", "y"], True, False)
    index.remove("x")
    assert (len(index), index.keys(), "x" in index) == (1, ["y"], False)
    assert index.search(["a"]) == []


def test_adding_a_present_key_or_removing_an_absent_one_fails() -> None:
    index = build({"x": [["a"]]})
    with pytest.raises(ValueError, match="already indexed"):
        index.add("x", [["b"]])
    with pytest.raises(KeyError):
        index.remove("nope")


@pytest.mark.parametrize(
    "params", [{"k1": 0.0}, {"b": 1.5}, {"b": -0.1}], ids=["k1-zero", "b-above-1", "b-negative"]
)
def test_invalid_parameters_are_rejected(params: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BM25Index(**params)


def test_custom_parameters_match_rank_bm25() -> None:
    corpus = zipf_corpus(9, 20)
    index = build(corpus, k1=1.2, b=0.5, epsilon=0.1)
    passages = [p for _, _, p in live_passages(corpus)]
    reference = BM25Okapi(passages, k1=1.2, b=0.5, epsilon=0.1).get_scores(["w0", "w3", "w50"])
    assert list(index.scores(["w0", "w3", "w50"]).values()) == pytest.approx(reference, abs=1e-9)


# -- forward store -------------------------------------------------------------------------------


def as_tuples(passages: list[list[str]]) -> list[tuple[str, ...]]:
    return [tuple(p) for p in passages]


def assert_tokens_are_the_input(index: BM25Index, corpus: Corpus) -> None:
    assert sorted(index.keys()) == sorted(corpus)
    for key, passages in corpus.items():
        assert index.tokens(key) == as_tuples(passages)


@settings(max_examples=200, deadline=None)
@given(
    corpus=corpus_st,
    removed=st.sets(st.sampled_from([f"k{i}" for i in range(6)])),
    extra=corpus_st,
)
def test_tokens_return_the_passages_given_to_add_after_adds_and_removes(
    corpus: Corpus, removed: set[str], extra: Corpus
) -> None:
    index, live = churned(corpus, removed, extra)
    assert_tokens_are_the_input(index, live)


def test_tokens_survive_segment_merges_chunk_boundaries_and_re_adding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tiny chunks make articles land in many chunks, some larger than a chunk on their own.
    monkeypatch.setattr(bot.index.forward, "FORWARD_CHUNK", 16)
    corpus = zipf_corpus(21, 120)
    index = build(corpus)
    assert len(index._segments) > 1 and len(index._forward.chunks) > 10
    for key in random.Random(2).sample(sorted(corpus), 30):
        index.remove(key)
        index.add(key, [["re", "added", key], []])
        corpus[key] = [["re", "added", key], []]
    assert_tokens_are_the_input(index, corpus)


def test_tokens_of_unusual_passages_round_trip(tmp_path: Path) -> None:
    corpus = {
        "empty-article": [],
        "empty-passages": [[], ["x"], []],
        "unicode": [["naïve", "東京", "", "emoji🙂"], ["naïve", "naïve"]],
        "lone-surrogate-\ud800": [["\udc00half", "x"]],  # valid in JSON, not in UTF-8
    }
    index = build(corpus)
    assert_tokens_are_the_input(index, corpus)
    index.save(tmp_path, "fp")
    loaded = BM25Index.load(tmp_path, "fp", **PARAMS)
    assert loaded is not None
    assert_tokens_are_the_input(loaded, corpus)


def paragraphs_of(passages: list[list[str]]) -> list[int]:
    """Made-up paragraph numbers: a new paragraph every second passage."""
    return [i // 2 for i in range(len(passages))]


def title_of(key: str) -> list[str]:
    """A made-up headline: the key's own name, which no passage holds, and "a"."""
    return [key, "a"]


def assert_term_counts_are_recounts(
    index: BM25Index, corpus: Corpus, keys: list[str], query: list[str]
) -> None:
    counted = index.term_counts(keys, query)
    known = [key for key in keys if key in corpus]
    assert counted.keys == known
    assert counted.terms == list(dict.fromkeys(query))
    rows = [(key, i, p) for key in known for i, p in enumerate(corpus[key])]
    assert counted.starts.tolist() == [0, *np.cumsum([len(corpus[k]) for k in known]).tolist()]
    expected = [[passage.count(term) for term in counted.terms] for _, _, passage in rows]
    assert counted.counts.shape == (len(rows), len(counted.terms))
    assert counted.counts.tolist() == expected
    assert counted.lengths.tolist() == [len(p) for _, _, p in rows]
    assert counted.paragraphs.tolist() == [n for k in known for n in paragraphs_of(corpus[k])]
    assert counted.titles.tolist() == [[t in title_of(k) for t in counted.terms] for k in known]
    column = {term: i for i, term in enumerate(counted.terms)}
    expected_columns = [[column.get(token, -1) for token in passage] for _, _, passage in rows]
    assert counted.row_columns(range(len(rows))) == expected_columns
    assert counted.row_columns(range(len(rows))[::-2]) == expected_columns[::-2]
    # The same bits as `search` within those articles, and zero where nothing matches.
    found = {(h.key, h.position): h.score for h in index.search(query, 10**6, keys=known)}
    assert counted.scores.tolist() == [found.get((k, i), 0.0) for k, i, _ in rows]


@settings(max_examples=60, deadline=None)
@given(
    corpus=corpus_st, removed=st.sets(st.sampled_from([f"k{i}" for i in range(6)])), query=query_st
)
def test_term_counts_recount_the_passages_of_the_articles_asked_for(
    corpus: Corpus, removed: set[str], query: list[str]
) -> None:
    index = BM25Index()
    for key, passages in corpus.items():
        index.add(key, passages, paragraphs_of(passages), title_of(key))
    live = {k: p for k, p in corpus.items() if k not in removed}
    for key in removed & corpus.keys():
        index.remove(key)
    keys = [*sorted(corpus, reverse=True), "absent"]
    assert_term_counts_are_recounts(index, live, keys, query)


def test_term_counts_and_paragraphs_survive_save_and_load(tmp_path: Path) -> None:
    corpus = zipf_corpus(5, 40)
    index = BM25Index()
    for key, passages in corpus.items():
        index.add(key, passages, paragraphs_of(passages), title_of(key))
    index.save(tmp_path, "fp")
    loaded = BM25Index.load(tmp_path, "fp", k1=1.5, b=0.75, epsilon=0.25)
    assert loaded is not None
    keys = sorted(corpus)[::3]
    query = [keys[1], *[t for passage in corpus[keys[0]][:2] for t in passage][:5]]
    assert_term_counts_are_recounts(loaded, corpus, keys, query)


def test_paragraph_numbers_must_match_the_passages() -> None:
    with pytest.raises(ValueError, match="2 paragraph numbers for 3 passages"):
        BM25Index().add("k", [["a"], ["b"], ["c"]], [0, 1])


def test_tokens_of_an_absent_or_removed_article_raise_key_error() -> None:
    index = build({"x": [["a"]], "y": [["b"]]})
    index.remove("x")
    for key in ("x", "never"):
        with pytest.raises(KeyError):
            index.tokens(key)


def test_tokens_survive_save_load_and_later_changes(tmp_path: Path) -> None:
    corpus = zipf_corpus(13, 60)
    index = build(corpus)
    for key in ("art000", "art017", "art059"):
        index.remove(key)
        del corpus[key]
    index.save(tmp_path, "fp")
    loaded = BM25Index.load(tmp_path, "fp", **PARAMS)
    assert loaded is not None
    assert_tokens_are_the_input(loaded, corpus)
    loaded.add("new", [["w1", "fresh"], ["w2"]])
    loaded.remove("art001")
    corpus["new"] = [["w1", "fresh"], ["w2"]]
    del corpus["art001"]
    assert_tokens_are_the_input(loaded, corpus)
    loaded.save(tmp_path, "fp")
    again = BM25Index.load(tmp_path, "fp", **PARAMS)
    assert again is not None
    assert_tokens_are_the_input(again, corpus)


# -- persistence ---------------------------------------------------------------------------------

PARAMS = {"k1": 1.5, "b": 0.75, "epsilon": 0.25}


@pytest.fixture
def saved(tmp_path: Path) -> tuple[BM25Index, Corpus, Path]:
    corpus = zipf_corpus(11, 30)
    index = build(corpus)
    index.remove("art003")
    del corpus["art003"]
    index.save(tmp_path / "index", "fp-1")
    return index, corpus, tmp_path / "index"


def test_save_then_load_gives_the_same_index(saved: tuple[BM25Index, Corpus, Path]) -> None:
    index, corpus, directory = saved
    loaded = BM25Index.load(directory, "fp-1", **PARAMS)
    assert loaded is not None
    assert loaded.keys() == index.keys()
    assert len(loaded) == len(index)
    for query in (["w0"], ["w1", "w5", "w1"], ["w42", "w300", "nothing"]):
        assert loaded.scores(query) == index.scores(query)
        assert loaded.search(query, 10) == index.search(query, 10)
    loaded.add("new", [["w1", "w2"]])
    loaded.remove("art000")
    del corpus["art000"]
    assert_matches_rank_bm25(loaded, {**corpus, "new": [["w1", "w2"]]}, ["w1", "w2"])


def test_saving_again_replaces_the_files_of_the_previous_save(
    saved: tuple[BM25Index, Corpus, Path],
) -> None:
    index, _, directory = saved
    index.save(directory, "fp-2")
    manifest = json.loads((directory / "manifest.json").read_text())
    listed = {entry["file"] for entry in manifest["files"].values()}
    assert {p.name for p in directory.iterdir()} == listed | {"manifest.json"}
    assert BM25Index.load(directory, "fp-2", **PARAMS) is not None


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-7])


def data_file(directory: Path, name: str) -> Path:
    manifest = json.loads((directory / "manifest.json").read_text())
    return directory / manifest["files"][name]["file"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: flip_byte(data_file(d, "docs")),
        lambda d: truncate(data_file(d, "tfs")),
        lambda d: data_file(d, "vocab_blob").unlink(),
        lambda d: flip_byte(data_file(d, "forward_terms")),
        lambda d: data_file(d, "forward_terms").unlink(),
        lambda d: (d / "manifest.json").write_text("{not json"),
        lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe\x00garbage"),
        lambda d: (d / "manifest.json").unlink(),
        lambda d: (d / "manifest.json").write_text("[]"),
    ],
    ids=[
        "flipped-byte",
        "truncated-file",
        "deleted-file",
        "flipped-byte-in-forward-store",
        "deleted-forward-store",
        "bad-manifest-json",
        "binary-manifest",
        "no-manifest",
        "manifest-wrong-shape",
    ],
)
def test_a_damaged_cache_loads_as_none(
    saved: tuple[BM25Index, Corpus, Path], damage, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, directory = saved
    damage(directory)
    assert BM25Index.load(directory, "fp-1", **PARAMS) is None
    if (directory / "manifest.json").exists():
        assert_ignored_once(caplog, "rebuilding the index")
    else:  # no manifest: no cache was ever completed, as at a first start (nothing to explain)
        assert caplog.records == []


def test_a_manifest_naming_a_file_outside_the_directory_loads_as_none(
    saved: tuple[BM25Index, Corpus, Path],
) -> None:
    _, _, directory = saved
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"]["docs"]["file"] = "../elsewhere.npy"
    (directory / "manifest.json").write_text(json.dumps(manifest))
    assert BM25Index.load(directory, "fp-1", **PARAMS) is None


def swapped_first_two(array: np.ndarray) -> np.ndarray:
    swapped = array.copy()
    swapped[[0, 1]] = swapped[[1, 0]]
    return swapped


def renamed_one_term(array: np.ndarray) -> np.ndarray:
    changed = array.copy()
    changed[len(changed) // 2] = (changed[len(changed) // 2] + 1) % (changed.max() + 1)
    return changed


@pytest.mark.parametrize(
    ("name", "corrupt"),
    [
        ("lengths", lambda a: a + 1),
        ("forward_terms", renamed_one_term),
        ("forward_terms", lambda a: a[:-1]),
        ("forward_terms", lambda a: a.astype(np.int64)),
        ("forward_terms", lambda a: np.append(a[:-1], a.max() + 1).astype(np.int32)),
        ("forward_terms", lambda a: np.append(a[:-1], -1).astype(np.int32)),
        ("paragraphs", lambda a: a[:-1]),
        ("paragraphs", lambda a: a.astype(np.int64)),
        ("title_offsets", lambda a: a[:-1]),
    ],
    ids=[
        "lengths-off-by-one",
        "forward-store-names-another-term",
        "forward-store-one-token-short",
        "forward-store-wrong-dtype",
        "forward-store-term-beyond-vocabulary",
        "forward-store-negative-term",
        "paragraphs-one-short",
        "paragraphs-wrong-dtype",
        "one-headline-short",
    ],
)
def test_consistent_checksums_over_inconsistent_arrays_load_as_none(
    saved: tuple[BM25Index, Corpus, Path],
    name: str,
    corrupt,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A cache written by a buggy version must be rejected by structure, not just by checksum.
    _, _, directory = saved
    manifest = json.loads((directory / "manifest.json").read_text())
    path = data_file(directory, name)
    buffer = io.BytesIO()
    np.save(buffer, corrupt(np.load(path)))
    path.write_bytes(buffer.getvalue())
    manifest["files"][name]["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    manifest["files"][name]["bytes"] = len(buffer.getvalue())
    (directory / "manifest.json").write_text(json.dumps(manifest))
    assert BM25Index.load(directory, "fp-1", **PARAMS) is None
    assert_ignored_once(caplog, "rebuilding the index")


def test_a_cache_in_the_previous_format_loads_as_none(
    saved: tuple[BM25Index, Corpus, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _, _, directory = saved
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["format_version"] = bot.index.cache.FORMAT_VERSION - 1
    del manifest["files"]["forward_terms"]
    (directory / "manifest.json").write_text(json.dumps(manifest))
    assert BM25Index.load(directory, "fp-1", **PARAMS) is None
    assert_ignored_once(caplog, "written with format")


@pytest.mark.parametrize(
    ("fingerprint", "params"),
    [
        ("fp-other", PARAMS),
        ("fp-1", {**PARAMS, "k1": 1.2}),
        ("fp-1", {**PARAMS, "b": 0.5}),
        ("fp-1", {**PARAMS, "epsilon": 0.1}),
    ],
    ids=["other-fingerprint", "other-k1", "other-b", "other-epsilon"],
)
def test_a_stale_cache_loads_as_none(
    saved: tuple[BM25Index, Corpus, Path],
    fingerprint: str,
    params: dict[str, float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    _, _, directory = saved
    assert BM25Index.load(directory, fingerprint, **params) is None
    assert_ignored_once(caplog, "rebuilding the index")


def test_a_missing_cache_loads_as_none_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert BM25Index.load(tmp_path / "absent", "fp", **PARAMS) is None
    assert caplog.records == []


def assert_ignored_once(caplog: pytest.LogCaptureFixture, why: str) -> None:
    """Exactly one log record says the cache is not used, and why."""
    ignored = [r for r in caplog.records if "not using the index cache" in r.getMessage()]
    assert len(ignored) == 1 and why in ignored[0].getMessage()


def test_an_empty_index_round_trips(tmp_path: Path) -> None:
    BM25Index().save(tmp_path, "fp")
    loaded = BM25Index.load(tmp_path, "fp", **PARAMS)
    assert loaded is not None
    assert (len(loaded), loaded.keys(), loaded.search(["a"])) == (0, [], [])
