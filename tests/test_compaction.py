"""Compaction: a live-fed index merged to one segment, exact before, during and after."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

import bot.index.compaction
from bot.index import BM25Index
from bot.index.compaction import Compactor
from bot.library import Library
from bot.models import Article
from bot.settings import Settings
from tests.test_index import (
    Corpus,
    assert_matches_rank_bm25,
    build,
    expected_hits,
    zipf_corpus,
)

WORDS = [f"w{i}" for i in range(400)]
PARAMS = {"k1": 1.5, "b": 0.75, "epsilon": 0.25}


def queries(seed: int, count: int) -> list[list[str]]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    return [rng.choices(WORDS, weights, k=rng.randint(1, 6)) for _ in range(count)]


def assert_exact(index: BM25Index, corpus: Corpus, seed: int) -> None:
    """Every query's top hits are the brute-force ones, and the scores are rank-bm25's."""
    for query in queries(seed, 25):
        assert index.search(query, 10) == expected_hits(index, corpus, query, 10)
    assert_matches_rank_bm25(index, corpus, ["w0", "w1", "w7", "w123", "w0"])


@pytest.fixture(autouse=True)
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps of a few postings, so that these small corpora take many steps."""
    monkeypatch.setattr(bot.index.compaction, "STEP_POSTINGS", 64)
    monkeypatch.setattr(bot.index.segments, "DENSE_LOOKUP_POSTINGS", 500)


def churned_zipf(seed: int) -> tuple[BM25Index, Corpus]:
    corpus = zipf_corpus(seed, 150)
    index = build(corpus)
    for key in random.Random(seed).sample(sorted(corpus), 40):
        index.remove(key)
        del corpus[key]
    return index, corpus


def test_compaction_leaves_one_segment_with_the_same_exact_results() -> None:
    index, corpus = churned_zipf(3)
    assert index.segment_count > 2
    before = {tuple(q): index.search(q, 10) for q in queries(9, 40)}
    assert index.compact()
    assert index.segment_count == 1
    assert {tuple(q): index.search(q, 10) for q in queries(9, 40)} == before
    assert_exact(index, corpus, 4)
    assert not index.compact()  # nothing left to merge


def test_a_compacted_index_equals_a_rebuild_and_survives_save_and_load(tmp_path: Path) -> None:
    index, corpus = churned_zipf(5)
    index.compact()
    fresh = build(corpus)
    for query in queries(6, 30):
        assert index.search(query, 10) == fresh.search(query, 10)
        assert index.scores(query) == fresh.scores(query)
    index.save(tmp_path, "fp")
    loaded = BM25Index.load(tmp_path, "fp", **PARAMS)
    assert loaded is not None
    for query in queries(7, 30):
        assert loaded.search(query, 10) == fresh.search(query, 10)
    assert loaded.term_counts(sorted(corpus)[:5], ["w0", "w3"]).scores.tolist() == (
        fresh.term_counts(sorted(corpus)[:5], ["w0", "w3"]).scores.tolist()
    )


def test_search_stays_exact_while_articles_come_and_go_between_steps() -> None:
    index, corpus = churned_zipf(7)
    job = index.compaction()
    assert job is not None
    rng = random.Random(8)
    extra = zipf_corpus(11, 30)
    steps = 0
    while not job.step():
        steps += 1
        if steps % 3 == 0:  # remove one, add one: both must count at once, during the merge
            gone = rng.choice(sorted(corpus))
            index.remove(gone)
            del corpus[gone]
            key, passages = extra.popitem()
            index.add(f"new-{key}", passages)
            corpus[f"new-{key}"] = passages
        assert_exact(index, corpus, steps)
    assert steps > 10
    job.commit()  # whether or not an add merged a snapshotted segment meanwhile
    assert_exact(index, corpus, 99)
    for key in list(corpus)[:10]:  # removes after the swap find their postings in it
        index.remove(key)
        del corpus[key]
    assert_exact(index, corpus, 100)
    assert index.compact() or index.segment_count == 1
    assert_exact(index, corpus, 101)


def test_a_commit_after_an_add_merged_a_snapshotted_segment_changes_nothing() -> None:
    index = build({"k0": [["w1", "w2"]] * 20, "k1": [["w3"]] * 6, "k2": [["w1"]] * 2})
    job = index.compaction()
    assert job is not None and len(job.segments) == 3
    with pytest.raises(RuntimeError):
        job.commit()  # steps left
    job.run()
    index.add("big", [["w1", "w4"]] * 40)  # large enough to merge into the tail segments
    segments = list(index._segments)
    assert segments[: len(job.segments)] != list(job.segments)
    assert not job.commit()
    assert index._segments == segments


def test_searches_from_another_thread_during_compaction_are_exact() -> None:
    index, corpus = churned_zipf(13)
    expected = {tuple(q): expected_hits(index, corpus, q, 10) for q in queries(14, 30)}
    job = index.compaction()
    assert job is not None
    done = threading.Event()
    wrong: list[tuple[str, ...]] = []
    searched = 0

    def search_until_done() -> None:
        nonlocal searched
        while not done.is_set():
            for query, hits in expected.items():
                if index.search(list(query), 10) != hits:
                    wrong.append(query)
                searched += 1

    reader = threading.Thread(target=search_until_done)
    reader.start()
    try:
        while not job.step():
            pass
        assert job.commit()
        for _ in range(3):  # and some after the swap, still from the other thread
            for query, hits in expected.items():
                assert index.search(list(query), 10) == hits
    finally:
        done.set()
        reader.join()
    assert wrong == [] and searched > 0
    assert index.segment_count == 1


def article(number: int) -> Article:
    body = f"Senator Mira Kovac said the harbour plan number {number} would cost more."
    return Article(id=f"art{number:04d}", title=f"Harbour plan {number}", paragraphs=(body,))


def test_library_compacts_in_the_background_after_adds(settings: Settings) -> None:
    library = Library.open(settings)
    compactor = library.start_compactor()
    compactor._settle = 0.05  # quick for the test; the bot waits a second
    try:
        for number in range(12):
            library.add(article(number))
        answer_before = library.ask("What did Senator Kovac say about harbour plan 7?")
        for _ in range(400):  # wait for the compaction (up to 4 s)
            if compactor.runs and library.index.segment_count == 1:
                break
            threading.Event().wait(0.01)
        assert library.index.segment_count == 1
        assert compactor.runs[-1][2]  # committed
        assert library.ask("What did Senator Kovac say about harbour plan 7?") == answer_before
    finally:
        library.stop_compactor()


def test_a_stopped_compactor_abandons_its_work_and_leaves_the_index_alone(
    settings: Settings,
) -> None:
    stop = threading.Event()
    stop.set()
    library = Library.open(settings)
    for number in range(5):
        library.add(article(number))
    segments = library.index.segment_count
    assert segments > 1
    assert not library.compact(stop)
    assert library.index.segment_count == segments


def test_compactor_waits_for_adds_to_settle_and_stops_when_asked() -> None:
    calls: list[threading.Event] = []

    def compact(stop: threading.Event) -> bool:
        calls.append(stop)
        return True

    compactor = Compactor(compact, settle=0.2, longest_wait=5)
    compactor.start()
    for _ in range(5):  # a burst: one compaction after it, not five
        compactor.notify()
        threading.Event().wait(0.02)
    threading.Event().wait(0.6)
    compactor.stop(timeout=2)
    assert len(calls) == 1 and len(compactor.runs) == 1
