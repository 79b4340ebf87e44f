"""Sentence vectors beside the index: one unit vector per sentence, kept in step with add/remove.

Vectors are stored as int8 codes with one float32 scale per sentence (a code times its scale
is the vector), 388 bytes a sentence instead of 1,536 for float32; cosines computed from them
differ from the float32 ones by ~0.002. Each article's vectors carry a checksum of its
sentences' texts, so a vector is never used for a sentence it was not computed from. On disk
they are one checked bundle (`bot.durable`), like the index cache.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from bot.durable import decode_strings, encode_strings, load_arrays, load_manifest, save_arrays
from bot.encoder import DIMENSIONS, MODEL_SHA256

log = logging.getLogger(__name__)

FORMAT = "quotebot-vectors-2"
ARRAYS = ("keys", "key_offsets", "counts", "checks", "codes", "scales", "centroids")


def dot_rows(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Each row's dot product with the vector, on this thread.

    Not `matrix @ vector`: for a few thousand rows OpenBLAS spreads that over its threads, and
    on a busy 2-core machine waking them cost ~8 ms against ~0.2 ms for einsum's own loop.
    """
    return np.einsum("ij,j->i", matrix, vector.astype(matrix.dtype, copy=False))


def texts_check(texts: Iterable[str]) -> int:
    """The checksum an article's vectors are stored with: its sentences' texts, in order."""
    return zlib.crc32("\x00".join(texts).encode("utf-8", "surrogatepass"))


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (rows) -> int8 codes and the float32 scale of each row."""
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, np.float32)
    scales = (np.maximum(peak, 1e-12) / 127).astype(np.float32)
    codes = np.rint(vectors / scales[:, None]).astype(np.int8)
    return codes, scales


class SentenceVectors:
    """Every article's sentence vectors (int8 codes and scales), by article id."""

    def __init__(self) -> None:
        self._codes: dict[str, np.ndarray] = {}  # (sentences, DIMENSIONS) int8
        self._scales: dict[str, np.ndarray] = {}  # (sentences,) float32
        self._checks: dict[str, int] = {}
        # Each article's mean sentence vector, normalised (float16): which articles a question
        # is about when its words find none, or not the right one.
        self._centroids: dict[str, np.ndarray] = {}
        self._stacked: tuple[list[str], np.ndarray] | None = None  # centroids as one matrix
        self.changed = False  # differs from what is on disk

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, key: object) -> bool:
        return key in self._codes

    def articles(self) -> list[str]:
        return list(self._codes)

    def put(self, key: str, vectors: np.ndarray, check: int) -> None:
        """Keep an article's vectors (unit rows, one per sentence in order)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        codes, scales = quantise(vectors)
        self._codes[key], self._scales[key], self._checks[key] = codes, scales, check
        self._centroids[key] = _unit(vectors.sum(axis=0)).astype(np.float16)
        self._stacked = None
        self.changed = True

    def remove(self, key: str) -> None:
        """Forget an article's vectors (nothing happens when it has none)."""
        if self._codes.pop(key, None) is not None:
            self._scales.pop(key)
            self._checks.pop(key)
            self._centroids.pop(key)
            self._stacked = None
            self.changed = True

    def current(self, key: str, sentences: int, check: int) -> bool:
        """True when the article's vectors were computed from exactly these sentences."""
        codes = self._codes.get(key)
        return codes is not None and len(codes) == sentences and self._checks[key] == check

    def vectors(self, key: str) -> np.ndarray | None:
        """An article's vectors as float32 rows, or None when it has none."""
        codes = self._codes.get(key)
        if codes is None:
            return None
        return codes.astype(np.float32) * self._scales[key][:, None]

    def nearest_articles(self, vector: np.ndarray, limit: int) -> list[str]:
        """The articles whose mean sentence vector is closest to `vector`, best first."""
        if limit <= 0 or not self._centroids:
            return []
        if self._stacked is None:
            keys = list(self._centroids)
            self._stacked = keys, np.stack([self._centroids[k] for k in keys]).astype(np.float32)
        keys, matrix = self._stacked
        cosines = dot_rows(matrix, vector)
        limit = min(limit, len(keys))
        best = np.argpartition(-cosines, limit - 1)[:limit]
        return [keys[i] for i in best[np.argsort(-cosines[best], kind="stable")].tolist()]

    def gather(self, keys: Sequence[str], sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The vectors of these articles' sentences stacked (float32), and which rows have one.

        `sizes` are the articles' sentence counts as the caller knows them; an article without
        vectors, or with a different count, gets zero rows marked absent.
        """
        total = int(sum(sizes))
        codes = np.zeros((total, DIMENSIONS), dtype=np.int8)
        scales = np.zeros(total, dtype=np.float32)
        at = 0
        for key, size in zip(keys, sizes, strict=True):
            found = self._codes.get(key)
            if found is not None and len(found) == size:
                codes[at : at + size] = found
                scales[at : at + size] = self._scales[key]
            at += size
        return codes.astype(np.float32) * scales[:, None], scales > 0

    def save(self, directory: Path) -> None:
        """Write every vector as one checked bundle (replacing what is there)."""
        keys = list(self._codes)
        blob, offsets = encode_strings(keys)
        arrays = {
            "keys": blob,
            "key_offsets": offsets,
            "counts": np.array([len(self._codes[k]) for k in keys], dtype=np.int64),
            "checks": np.array([self._checks[k] for k in keys], dtype=np.int64),
            "codes": _concatenate([self._codes[k] for k in keys], np.int8).reshape(-1),
            "scales": _concatenate([self._scales[k] for k in keys], np.float32),
            "centroids": _concatenate([self._centroids[k][None] for k in keys], np.float16).reshape(
                -1
            ),
        }
        save_arrays(directory, {"format": FORMAT, "model": MODEL_SHA256}, arrays)
        self.changed = False

    @classmethod
    def load(cls, directory: Path) -> SentenceVectors:
        """The saved vectors; empty (with one log line) when there are none or they don't fit."""
        vectors = cls()
        if not directory.exists():
            return vectors
        try:
            manifest = load_manifest(directory)
            if manifest.get("format") != FORMAT or manifest.get("model") != MODEL_SHA256:
                raise ValueError("saved for another format or model")
            arrays = load_arrays(directory, manifest, ARRAYS)
            keys = decode_strings(arrays["keys"], arrays["key_offsets"])
            counts = arrays["counts"]
            total = int(counts.sum())
            codes = arrays["codes"].reshape(total, DIMENSIONS)
            scales = arrays["scales"]
            centroids = arrays["centroids"].reshape(len(keys), DIMENSIONS)
            if len(keys) != len(counts) or len(scales) != total or codes.dtype != np.int8:
                raise ValueError("inconsistent arrays")
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring the sentence vectors in %s: %s", directory, exc)
            return cls()
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        for i, key in enumerate(keys):
            start, end = bounds[i], bounds[i + 1]
            vectors._codes[key] = codes[start:end]
            vectors._scales[key] = scales[start:end]
            vectors._checks[key] = int(arrays["checks"][i])
            vectors._centroids[key] = centroids[i]
        return vectors


def _concatenate(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The parts joined along their first axis (empty: no rows)."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
