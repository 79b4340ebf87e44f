"""Token states: each sentence's word pieces as the model read them, matched one by one.

A sentence vector is the mean of the model's token states, so it blurs which words of a
question found a counterpart. Matching the question's token states with a sentence's, each
token with its best counterpart ("late interaction"), keeps that: on SQuAD (held-out odd
articles, re-ranked candidates) it lifts hit@1 from 0.837 to 0.847 and, on the questions
that share at most one word with their sentence, from 0.18 to 0.21; alone it ranks better
than the cosine of the two vectors (0.82 against 0.68). Each of the model's dimensions has
its own weight in those matches (`DIMENSIONS_PATH`), fitted on the even articles: 0.3 more
points of hit@1 on the odd ones as the bot runs, 0.6 on the low-overlap questions.

The states are stored per sentence in a SQLite file beside the vectors, as int8 codes with
a float32 scale per token (~13 KB for a 33-piece sentence), and read only for a question's
candidates. Each article's states carry the checksum of its sentences' texts, like its
vectors, so states are never used for a sentence they were not computed from; the start
reads only the small table of those checksums.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from bot.encoder import DIMENSIONS, MODEL_SHA256
from bot.models import BotError, StoreError
from bot.state import StateDB
from bot.vectors import quantise

FILE_NAME = "tokens.sqlite3"
# How much each of the model's dimensions counts when a question piece is matched with a
# sentence piece: fitted on SQuAD's even articles (`eval squad --fit`), so that the pieces
# that answer a question match better than those that merely resemble it.
DIMENSIONS_PATH = Path(__file__).parent / "data" / "token-dimensions.npy"
MIGRATIONS = (
    # 1: each sentence's token states, each article's checksum; the model they came from.
    """
    CREATE TABLE articles (
        article TEXT PRIMARY KEY,
        checksum INTEGER NOT NULL,   -- of its sentences' texts (`texts_check`)
        sentences INTEGER NOT NULL
    );
    CREATE TABLE states (
        article TEXT NOT NULL REFERENCES articles (article) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        scales BLOB NOT NULL,        -- float32, one per word piece
        codes BLOB NOT NULL,         -- int8, DIMENSIONS per word piece
        PRIMARY KEY (article, position)
    );
    CREATE TABLE model (sha256 TEXT NOT NULL);
    """,
)
# SQLite allows 32,766 parameters a statement: articles per checksum lookup, and articles
# per lookup of sentences (each with its positions).
LOOKUP_CHUNK = 500
TERMS_CHUNK = 100

Key = tuple[str, int]


def quantise_states(states: np.ndarray) -> tuple[bytes, bytes]:
    """Unit token states (rows) -> (float32 scales, int8 codes) as stored, as vectors are."""
    codes, scales = quantise(states)
    return scales.tobytes(), codes.tobytes()


def restore_states(scales: bytes, codes: bytes) -> np.ndarray:
    """The stored form back as float32 rows."""
    factors = np.frombuffer(scales, dtype=np.float32)
    rows = np.frombuffer(codes, dtype=np.int8).reshape(len(factors), DIMENSIONS)
    return rows.astype(np.float32) * factors[:, None]


class TokenStates:
    """Every sentence's token states, in a SQLite file; thread-safe (one connection, locked)."""

    def __init__(self, db: StateDB) -> None:
        self._db = db
        rows = db.rows("SELECT sha256 FROM model")
        if not rows or rows[0]["sha256"] != MODEL_SHA256:
            with db.transaction() as sql:
                # Computed with another model (or never): none of them can be compared.
                sql.execute("DELETE FROM states")
                sql.execute("DELETE FROM articles")
                sql.execute("DELETE FROM model")
                sql.execute("INSERT INTO model (sha256) VALUES (?)", (MODEL_SHA256,))

    @classmethod
    def open(cls, directory: Path) -> TokenStates:
        """The store in `directory`, created when missing; StoreError when it cannot be used."""
        try:
            # States can be computed again (`python -m bot embed`): no sync to disk per add.
            return cls(StateDB(directory / FILE_NAME, MIGRATIONS, synchronous="NORMAL"))
        except (sqlite3.Error, StoreError) as exc:  # a damaged file, a newer schema
            raise StoreError(f"cannot use the token states ({exc})") from exc

    def put(self, article: str, checksum: int, states: Sequence[np.ndarray]) -> None:
        """Keep an article's token states (one array per sentence, in order), replacing any."""
        self.put_stored(article, checksum, [quantise_states(part) for part in states])

    def put_stored(
        self, article: str, checksum: int, stored: Sequence[tuple[bytes, bytes]]
    ) -> None:
        """`put` with each sentence's states already in their stored form (scales, codes)."""
        with self._db.transaction() as sql:
            sql.execute("DELETE FROM articles WHERE article = ?", (article,))
            sql.execute("INSERT INTO articles VALUES (?, ?, ?)", (article, checksum, len(stored)))
            sql.executemany(
                "INSERT INTO states VALUES (?, ?, ?, ?)",
                [(article, position, *part) for position, part in enumerate(stored)],
            )

    def remove(self, article: str) -> None:
        """Forget an article's token states (nothing happens when it has none)."""
        with self._db.transaction() as sql:
            sql.execute("DELETE FROM articles WHERE article = ?", (article,))

    def checksums(self) -> dict[str, tuple[int, int]]:
        """Each stored article's (checksum, number of sentences)."""
        rows = self._db.rows("SELECT article, checksum, sentences FROM articles")
        return {row["article"]: (row["checksum"], row["sentences"]) for row in rows}

    def keep_only(self, current: Mapping[str, tuple[int, int]]) -> int:
        """Drop the states of articles not in `current` (article -> (checksum, sentences)) or
        stored for other texts; returns how many articles' states were dropped."""
        stale = [key for key, stored in self.checksums().items() if current.get(key) != stored]
        if stale:
            with self._db.transaction() as sql:
                sql.executemany("DELETE FROM articles WHERE article = ?", [(k,) for k in stale])
        return len(stale)

    def get(self, keys: Iterable[Key], checksums: Mapping[str, int]) -> dict[Key, np.ndarray]:
        """The token states of these sentences that are stored for the texts `checksums` names.

        Two statements, whatever the number of articles: their checksums, then their
        sentences (each `article = ? AND position IN (...)` term is one index search).
        """
        positions: dict[str, list[int]] = {}
        for article, position in dict.fromkeys(keys):
            positions.setdefault(article, []).append(position)
        articles = list(positions)
        current: set[str] = set()
        for start in range(0, len(articles), LOOKUP_CHUNK):
            chunk = articles[start : start + LOOKUP_CHUNK]
            rows = self._db.rows(
                "SELECT article, checksum FROM articles "
                f"WHERE article IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            current.update(
                row["article"] for row in rows if row["checksum"] == checksums.get(row["article"])
            )
        found: dict[Key, np.ndarray] = {}
        chosen = [a for a in articles if a in current]
        for start in range(0, len(chosen), TERMS_CHUNK):
            chunk = chosen[start : start + TERMS_CHUNK]
            terms = " OR ".join(
                f"(article = ? AND position IN ({', '.join('?' * len(positions[a]))}))"
                for a in chunk
            )
            rows = self._db.rows(
                f"SELECT article, position, scales, codes FROM states WHERE {terms}",
                [value for a in chunk for value in (a, *positions[a])],
            )
            for row in rows:
                found[(row["article"], row["position"])] = restore_states(
                    row["scales"], row["codes"]
                )
        return found

    def close(self) -> None:
        self._db.close()


def dimension_weights() -> np.ndarray:
    """The weight of each of the model's dimensions in a token match (`DIMENSIONS_PATH`)."""
    return _dimension_weights().copy()


@functools.cache
def _dimension_weights() -> np.ndarray:
    try:
        weights = np.load(DIMENSIONS_PATH)
    except (OSError, ValueError) as exc:
        raise BotError(f"cannot read the token dimension weights ({exc})") from exc
    if weights.shape != (DIMENSIONS,) or not np.isfinite(weights).all():
        raise BotError(f"the token dimension weights in {DIMENSIONS_PATH} are damaged")
    return weights.astype(np.float32)


def late_scores(
    question: np.ndarray, sentences: Sequence[np.ndarray], weights: np.ndarray | None = None
) -> np.ndarray:
    """Per sentence: (token match, token coverage, plain token match) with the question's
    token states.

    Token match: each question piece's best match with a piece of the sentence, averaged
    over the question. Token coverage: the same the other way, averaged over the sentence.
    Both weigh the model's dimensions by `weights` (None: equally), that is, each match is
    sum_k weights[k] * q[k] * s[k]. The plain token match is the first with every dimension
    weighed equally: a cosine, on the scale the abstention rules were set on. A sentence
    without states scores zeros. One product for all sentences (~15 candidates, ~500 pieces:
    well under a millisecond).
    """
    result = np.zeros((len(sentences), 3))
    present = [row for row, states in enumerate(sentences) if len(states)]
    if not len(question) or not present:
        return result
    stacked, starts, lengths = stack_states([sentences[row] for row in present])
    plain = question.astype(np.float32)
    weighed = plain if weights is None else plain * weights
    similar = np.einsum("qd,td->qt", np.concatenate([weighed, plain]), stacked)
    weighed_similar, plain_similar = similar[: len(plain)], similar[len(plain) :]
    result[present, 0] = np.maximum.reduceat(weighed_similar, starts, axis=1).mean(axis=0)
    result[present, 1] = np.add.reduceat(weighed_similar.max(axis=0), starts) / lengths
    result[present, 2] = np.maximum.reduceat(plain_similar, starts, axis=1).mean(axis=0)
    return result


def stack_states(sentences: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences' token states as one array of rows, with where each sentence starts in it
    and how many rows it has (for `np.maximum.reduceat` and the like)."""
    lengths = np.array([len(states) for states in sentences])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.concatenate(sentences), starts, lengths
