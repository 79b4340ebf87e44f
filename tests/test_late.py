"""Token states: stored per sentence, kept in step with the corpus, matched piece by piece."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from bot.encoder import DIMENSIONS, Encoder
from bot.late import (
    FILE_NAME,
    TokenStates,
    dimension_weights,
    late_scores,
    quantise_states,
    restore_states,
)
from bot.library import Library
from bot.models import Article, StoreError
from bot.settings import Settings
from bot.vectors import texts_check


def unit_rows(count: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_stored_states_come_back_within_int8_rounding() -> None:
    states = unit_rows(7)
    back = restore_states(*quantise_states(states))
    assert back.shape == states.shape
    assert np.abs(back - states).max() < 0.01


def test_scores_match_each_piece_with_its_best_counterpart() -> None:
    question, first, second = unit_rows(4, 1), unit_rows(9, 2), unit_rows(5, 3)
    scores = late_scores(question, [first, np.zeros((0, DIMENSIONS), np.float32), second])
    for row, states in ((0, first), (2, second)):
        similar = question @ states.T
        assert scores[row, 0] == pytest.approx(similar.max(axis=1).mean(), abs=1e-6)
        assert scores[row, 1] == pytest.approx(similar.max(axis=0).mean(), abs=1e-6)
        assert scores[row, 2] == scores[row, 0]  # no dimension weights: the plain match
    assert scores[1].tolist() == [0.0, 0.0, 0.0]  # a sentence without states


def test_a_sentence_holding_the_question_s_own_pieces_matches_fully() -> None:
    question = unit_rows(3, 4)
    sentence = np.concatenate([unit_rows(6, 5), question])
    match, coverage, _ = late_scores(question, [sentence])[0]
    assert match == pytest.approx(1.0, abs=1e-6)
    assert coverage < 1.0  # the other six pieces have no counterpart in the question


def test_dimension_weights_count_in_the_match_but_not_in_the_plain_one() -> None:
    """With a dimension switched off, a piece that agrees with the question only there no
    longer matches; the plain match still reads it as a cosine."""
    question = np.zeros((1, DIMENSIONS), np.float32)
    question[0, :2] = [0.6, 0.8]
    sentence = np.zeros((2, DIMENSIONS), np.float32)
    sentence[0, 0], sentence[1, 1] = 1.0, 1.0  # agrees on dimension 0 / on dimension 1
    weights = np.ones(DIMENSIONS, np.float32)
    weights[1] = 0.0
    match, coverage, plain = late_scores(question, [sentence], weights)[0]
    assert match == pytest.approx(0.6)  # only the piece agreeing on dimension 0 counts
    assert plain == pytest.approx(0.8)  # unweighted, the other piece is the better one
    assert coverage == pytest.approx(0.3)  # (0.6 + 0) / 2 sentence pieces


def test_the_shipped_dimension_weights_are_whole_and_used_by_the_answerer(
    embedded: Library,
) -> None:
    weights = dimension_weights()
    assert weights.shape == (DIMENSIONS,)
    assert np.isfinite(weights).all() and (weights > 0).all()
    assert not np.allclose(weights, 1.0)  # fitted, not the equal weights it starts from
    used = embedded._answerer.dimensions
    assert used is not None and np.array_equal(used, weights)


def test_the_store_returns_only_states_of_the_texts_they_were_computed_from(
    tmp_path: Path,
) -> None:
    store = TokenStates.open(tmp_path)
    store.put("a", 11, [unit_rows(3, 1), unit_rows(5, 2)])
    found = store.get([("a", 0), ("a", 1), ("a", 2), ("b", 0)], {"a": 11})
    assert sorted(found) == [("a", 0), ("a", 1)]
    assert found[("a", 1)].shape == (5, DIMENSIONS)
    assert store.get([("a", 0)], {"a": 12}) == {}  # the article's texts changed since
    store.remove("a")
    assert store.get([("a", 0)], {"a": 11}) == {}


def test_reopening_keeps_only_the_states_of_unchanged_articles(tmp_path: Path) -> None:
    store = TokenStates.open(tmp_path)
    store.put("kept", 1, [unit_rows(2)])
    store.put("changed", 2, [unit_rows(2)])
    store.put("gone", 3, [unit_rows(2)])
    store.close()
    reopened = TokenStates.open(tmp_path)
    dropped = reopened.keep_only({"kept": (1, 1), "changed": (5, 1)})
    assert dropped == 2
    assert reopened.checksums() == {"kept": (1, 1)}


def test_states_of_another_model_are_dropped_on_open(tmp_path: Path) -> None:
    TokenStates.open(tmp_path).put("a", 1, [unit_rows(2)])
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("UPDATE model SET sha256 = 'another model'")
    assert TokenStates.open(tmp_path).checksums() == {}


def test_a_damaged_file_is_a_clear_store_error(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"not a database " * 100)
    with pytest.raises(StoreError, match="token states"):
        TokenStates.open(tmp_path)


def test_embedding_stores_every_sentence_s_states_and_answers_use_them(
    embedded: Library,
) -> None:
    assert embedded.missing_vectors() == []
    (article,) = embedded.articles()
    passages = embedded.passages_of(article.id)
    keys = [(article.id, p.position) for p in passages]
    assert sorted(embedded.token_states(keys)) == sorted(keys)
    answerer = embedded._answerer
    query = answerer.parse("Who will supply most of the soldiers?", embedded.encode_with_tokens)
    assert query.token_states is not None and len(query.token_states) > 5
    scored = answerer.candidate_features(query)
    assert scored and all(features.token_match > 0 for _, features in scored)


def test_an_added_article_has_states_and_a_removed_one_loses_them(embedded: Library) -> None:
    added = embedded.add(
        Article(
            id="harbour0001",
            title="Harbour plan",
            paragraphs=("The council approved the new harbour plan on Monday, the mayor said.",),
        )
    )
    key = (added.id, 0)
    assert key in embedded.token_states([key])
    embedded.remove(added.id)
    assert embedded.token_states([key]) == {}
    assert embedded.tokens is not None
    assert added.id not in embedded.tokens.checksums()


def test_without_states_an_older_corpus_is_reported_missing_and_filled_by_embed(
    settings: Settings,
) -> None:
    semantic = settings.model_copy(update={"semantic": True})
    first = Library.open(semantic.model_copy(update={"token_states": False}))
    first.embed(first.missing_vectors())
    first.flush()
    assert not (semantic.tokens_dir / FILE_NAME).exists()
    library = Library.open(semantic)  # vectors saved, token states never computed
    missing = library.missing_vectors()
    assert missing == [a.id for a in library.articles()]
    library.embed(missing)
    assert library.missing_vectors() == []


def test_a_changed_article_s_states_are_dropped_at_start(settings: Settings) -> None:
    semantic = settings.model_copy(update={"semantic": True})
    library = Library.open(semantic)
    library.embed(library.missing_vectors())
    (article,) = library.articles()
    store = library.tokens
    assert store is not None
    check = texts_check(p.text for p in library.passages_of(article.id))
    assert store.checksums() == {article.id: (check, len(library.passages_of(article.id)))}
    store.put(article.id, check + 1, [unit_rows(2)])  # as if computed from other texts
    store.close()
    reopened = Library.open(semantic)
    assert reopened.tokens is not None and reopened.tokens.checksums() == {}
    assert reopened.missing_vectors() == [article.id]


def test_a_damaged_states_file_leaves_the_bot_answering(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    semantic = settings.model_copy(update={"semantic": True})
    semantic.tokens_dir.mkdir(parents=True)
    (semantic.tokens_dir / FILE_NAME).write_bytes(b"garbage " * 200)
    library = Library.open(semantic)
    assert library.tokens is None
    assert "ranking without token states" in caplog.text
    library.embed(library.missing_vectors())
    assert library.ask("Who wants U.S. troops in Ukraine?").answered


def test_the_encoder_gives_token_states_from_the_same_run_as_the_vector() -> None:
    encoder = Encoder(threads=1)
    texts = ["Short one.", "A somewhat longer sentence about the harbour plan and its cost."]
    vectors, states = encoder.encode_with_tokens(texts)
    assert np.allclose(vectors, encoder.encode(texts), atol=1e-5)
    for vector, rows, text in zip(vectors, states, texts, strict=True):
        assert len(rows) == len(encoder._tokenizer.encode(text).ids) - 2  # no [CLS], [SEP]
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
        mean = rows.mean(axis=0)  # unit rows: not the exact pooling, but close in direction
        assert float(mean @ vector) / float(np.linalg.norm(mean)) > 0.9
