"""The forward store (each passage's tokens as term ids) and what it serves the re-ranker.

`TermCounts` counts a question's terms in every passage of whole articles, read from the
question terms' postings, with each passage's paragraph number, length, exact BM25 score and
each article's headline terms; `TermCounts.row_columns` reads passages' tokens back from the
forward store as query columns, so callers never tokenise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.index.segments import pick, starts_of

if TYPE_CHECKING:
    from bot.index.bm25 import BM25Index

# Term ids of passages are stored in chunks of this many: appending never copies the whole
# store (as growing one array would, e.g. on the first add after a load), and the unused room
# is at most one chunk (4 MB).
FORWARD_CHUNK = 1 << 20


class ForwardStore:
    """Each article's term ids, in passage then token order, as one contiguous slice.

    Only the last chunk is appended to; dead articles' ids stay until save/load compacts.
    """

    def __init__(self, chunks: list[np.ndarray] | None = None) -> None:
        self.chunks: list[np.ndarray] = chunks or [np.zeros(0, dtype=np.int32)]
        self.used = len(self.chunks[-1])
        self.article_chunk: list[int] = []  # per article slot: its chunk
        self.article_offset: list[int] = []  # per article slot: where it starts in the chunk

    @classmethod
    def restored(cls, forward: np.ndarray, offsets: list[int]) -> ForwardStore:
        """A store holding one saved array, whose articles start at `offsets`."""
        store = cls([forward])
        store.article_chunk = [0] * len(offsets)
        store.article_offset = offsets
        return store

    def append(self, term_ids: np.ndarray) -> None:
        """Append one article's term ids and note where they are (the next article slot)."""
        chunk, used, count = self.chunks[-1], self.used, len(term_ids)
        if used + count > len(chunk):
            if used < len(chunk):
                self.chunks[-1] = chunk[:used].copy()  # give back the unused room
            chunk, used = np.empty(max(FORWARD_CHUNK, count), dtype=np.int32), 0
            self.chunks.append(chunk)
        chunk[used : used + count] = term_ids
        self.article_chunk.append(len(self.chunks) - 1)
        self.article_offset.append(used)
        self.used = used + count

    def ids(self, slot: int, total: int) -> np.ndarray:
        """The `total` term ids of the article in `slot`."""
        offset = self.article_offset[slot]
        return self.chunks[self.article_chunk[slot]][offset : offset + total]


@dataclass(frozen=True)
class TermCounts:
    """A query's terms counted in every passage of some articles (rows, in article order).

    Article i's passages are rows `starts[i]:starts[i + 1]`, in position order; columns are the
    query's distinct terms in first-seen order (`terms`), unknown ones included (all zero).
    """

    keys: list[str]  # the articles, in the order asked for (unknown keys left out)
    terms: list[str]
    starts: np.ndarray  # int64 (len(keys) + 1,)
    counts: np.ndarray  # int32 (rows, len(terms)): occurrences of each term in each passage
    paragraphs: np.ndarray  # int32 (rows,): each passage's paragraph number
    lengths: np.ndarray  # int32 (rows,): each passage's length in tokens
    scores: np.ndarray  # float64 (rows,): each passage's BM25 score for the whole query
    titles: np.ndarray  # bool (len(keys), len(terms)): the term is in the article's headline
    # For `row_columns`: the forward store's chunks, each article's chunk and where its term
    # ids start in it, where each row's tokens start counted over all rows, term id -> column.
    chunks: tuple[np.ndarray, ...]
    chunk_of: np.ndarray  # (len(keys),)
    offsets: np.ndarray  # (len(keys),)
    token_starts: np.ndarray  # (rows + 1,)
    column_of: dict[int, int]

    def row_columns(self, rows: Sequence[int]) -> list[list[int]]:
        """Each given passage's tokens as columns in `terms` (-1 for terms not in the query)."""
        at = np.asarray(rows, dtype=np.int64)
        articles = np.searchsorted(self.starts, at, side="right") - 1
        token_starts = self.token_starts
        begins = self.offsets[articles] + token_starts[at] - token_starts[self.starts[articles]]
        ends = begins + token_starts[at + 1] - token_starts[at]
        column = self.column_of.get
        return [
            [column(term, -1) for term in self.chunks[chunk][begin:end].tolist()]
            for chunk, begin, end in zip(
                self.chunk_of[articles].tolist(), begins.tolist(), ends.tolist(), strict=True
            )
        ]


def passage_tokens(index: BM25Index, key: str) -> list[tuple[str, ...]]:
    """The tokenised passages of one article, in position order, as given to `add`."""
    slot = index._article_slot[key]  # KeyError when absent
    first = index._article_first[slot]
    lengths = index._dl[first : first + index._article_size[slot]].tolist()
    ids = index._forward.ids(slot, sum(lengths)).tolist()
    words = pick(index._terms, ids)  # slices of a tuple are already the tuples we return
    passages, start = [], 0
    for length in lengths:
        passages.append(words[start : start + length])
        start += length
    return passages


def count_terms(index: BM25Index, keys: Sequence[str], query: Sequence[str]) -> TermCounts:
    """The query's terms counted in every passage of the given articles, and their scores.

    Read from the query terms' postings, a binary search per article and term, so a re-ranker
    can look at whole articles for about the cost of a search; `scores` equal `search`'s.
    """
    terms = list(dict.fromkeys(query))
    slots = [index._article_slot[k] for k in keys if k in index._article_slot]
    firsts = np.array(pick(index._article_first, slots), dtype=np.int64)
    sizes = np.array(pick(index._article_size, slots), dtype=np.int64)
    starts = starts_of(sizes)
    shift = firsts - starts[:-1]  # passage id - row, per article
    ids = np.repeat(shift, sizes) + np.arange(starts[-1])
    width = len(terms)
    counts = np.zeros((len(ids), width), dtype=np.int32)
    scores = np.zeros(len(ids))
    plan, weights = index._plan(query)  # empty when no live passage holds a query term
    column_of = {index._vocab[t]: c for c, t in enumerate(terms) if t in index._vocab}
    if plan:
        edges = np.concatenate([firsts, firsts + sizes])
        for term, (docs, tfs) in zip(plan, index._postings_of(plan), strict=True):
            # The term's postings inside each article's range of passage ids.
            lo, hi = np.searchsorted(docs, edges).reshape(2, -1)
            found = hi - lo
            total = int(found.sum())
            if total:
                at = np.repeat(lo - starts_of(found)[:-1], found) + np.arange(total)
                counts[docs[at] - np.repeat(shift, found), column_of[term]] = tfs[at]
        norm = index._norms()[ids]
        for term, weight in zip(plan, weights.tolist(), strict=True):
            # Term by term in query order, like `_score_sparse`: the same bits as `search`.
            scores += index._contribution(weight, counts[:, column_of[term]], norm)
    lengths = index._dl[ids]
    titles = [[term in title for term in terms] for title in pick(index._article_title, slots)]
    forward = index._forward
    return TermCounts(
        keys=[index._article_keys[s] or "" for s in slots],
        terms=terms,
        starts=starts,
        counts=counts,
        paragraphs=index._paragraph[ids],
        lengths=lengths,
        scores=scores,
        titles=np.array(titles, dtype=bool).reshape(len(slots), width),
        chunks=tuple(forward.chunks),
        chunk_of=np.array(pick(forward.article_chunk, slots), dtype=np.int64),
        offsets=np.array(pick(forward.article_offset, slots), dtype=np.int64),
        token_starts=starts_of(lengths),
        column_of=column_of,
    )
