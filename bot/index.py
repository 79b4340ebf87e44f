"""BM25 over passages: rank-bm25's BM25Okapi scores, answered from postings, with live add/remove.

The score is exactly `rank_bm25.BM25Okapi(live_passages).get_scores(query)`; what differs is the
work per query. Postings (term -> passages with that term and its frequency) live in a few
immutable segments, merged logarithmically as articles arrive, so a query reads only the postings
of its own terms. Top-k search is exact: a MaxScore-style bound skips the postings of common
terms whenever the best candidates from rarer terms cannot be overtaken. The same postings count
a question's terms in every passage of whole articles at once (`term_counts`), which a re-ranker
reads along with each passage's paragraph number and each article's headline terms. A forward
store keeps each passage's tokens as term ids, so callers can read them back (`tokens`,
`TermCounts.row_columns`) without tokenising.

Not thread-safe for writers: `add`, `remove` and `save` must not run concurrently with anything
(the library holds a lock). `search`, `scores`, `idf`, `tokens` and `term_counts` only read
shared state (apart from filling idempotent caches) and keep their scratch buffers per thread,
so concurrent readers are safe among themselves. Removed passages keep their ids (and their
forward-store tokens) until `save`/`load` compacts them.
"""

from __future__ import annotations

import math
import operator
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np

from bot.durable import decode_strings, encode_strings, load_arrays, load_manifest, save_arrays

# 2: adds the forward store (each passage's term ids), so caches written by 1 are rebuilt.
# 3: adds each passage's paragraph number and each article's headline terms.
FORMAT_VERSION = 3
# Two segments are merged when the older one is at most this many times the newer one's size,
# which keeps O(log n) segments and merges every posting O(log n) times over its life.
MERGE_RATIO = 2.0
# A `keys` restriction covering more than this share of all passages is scored like a full
# search and filtered, instead of looking up each of its passages in every term's postings.
WITHIN_SHARE = 1 / 16
# Above this many postings in all, a query is scored with upper-bound pruning (MaxScore).
PRUNE_ABOVE_POSTINGS = 16_384
# Segments with this many postings get a dense term id -> slot map instead of a binary search.
DENSE_LOOKUP_POSTINGS = 1 << 16
# Term ids of passages are stored in chunks of this many: appending never copies the whole
# store (as growing one array would, e.g. on the first add after a load), and the unused room
# is at most one chunk (4 MB).
FORWARD_CHUNK = 1 << 20
# Slack on upper bounds so that float rounding can never make pruning drop a true top hit.
BOUND_SLACK = 1e-9
DOC_ID = np.int32
T = TypeVar("T")
SAVED_ARRAYS = (
    "vocab_blob",
    "vocab_offsets",
    "key_blob",
    "key_offsets",
    "article_sizes",
    "lengths",
    "ptr",
    "docs",
    "tfs",
    "forward_terms",
    "paragraphs",
    "title_blob",
    "title_offsets",
)


class Hit(NamedTuple):
    """One scored passage of a search (a tuple: a search builds dozens, cheaply)."""

    key: str  # the article id
    position: int  # passage (sentence) number within the article
    score: float  # BM25Okapi score, identical to rank-bm25's
    matched: int  # how many distinct query terms the passage contains


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


Postings = tuple[np.ndarray, np.ndarray]  # passage ids (int32, ascending), term frequencies
Scored = tuple[np.ndarray, np.ndarray, np.ndarray]  # passage ids, exact scores, matched terms


@dataclass
class _Scratch:
    """Per-thread buffers indexed by passage id, all zero between queries."""

    scores: np.ndarray  # float64, zero outside a query
    counts: np.ndarray  # int32 matched terms, zero outside a query
    mark: np.ndarray  # int32 scribble space for de-duplication, never needs clearing


@dataclass(frozen=True)
class _Segment:
    """Immutable postings of a contiguous range of passage ids, grouped by term."""

    terms: np.ndarray  # int32 term ids, ascending
    ptr: np.ndarray  # int64, postings of terms[i] are docs[ptr[i]:ptr[i + 1]]
    docs: np.ndarray  # int32 passage ids, ascending within a term
    tfs: np.ndarray  # int32 term frequency in that passage
    first: int  # passage ids covered: [first, end)
    end: int
    slot_of: np.ndarray | None = None  # term id -> index into terms (-1: absent), big segments

    @property
    def nnz(self) -> int:
        return len(self.docs)


def _segment_from_pairs(
    term_col: np.ndarray, doc_col: np.ndarray, tfs: np.ndarray, first: int, end: int
) -> _Segment:
    """Build a segment from postings already sorted by (term, passage)."""
    terms, starts = _runs(term_col)
    ptr = np.append(starts, len(term_col)).astype(np.int64)
    slot_of = None
    if len(term_col) >= DENSE_LOOKUP_POSTINGS:
        slot_of = np.full(int(terms[-1]) + 1, -1, dtype=np.int32)
        slot_of[terms] = np.arange(len(terms), dtype=np.int32)
    return _Segment(
        terms.astype(np.int32),
        ptr,
        doc_col.astype(DOC_ID),
        tfs.astype(np.int32),
        first,
        end,
        slot_of,
    )


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and where each run of them starts."""
    if len(values) == 0:
        return values[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    return values[starts], starts


def _merge(older: _Segment, newer: _Segment, alive: np.ndarray) -> _Segment:
    """One segment with the live postings of two adjacent ones."""
    term_col = np.concatenate([np.repeat(seg.terms, np.diff(seg.ptr)) for seg in (older, newer)])
    docs = np.concatenate([older.docs, newer.docs])
    tfs = np.concatenate([older.tfs, newer.tfs])
    keep = alive[docs]
    term_col, docs, tfs = term_col[keep], docs[keep], tfs[keep]
    # Each input is sorted by (term, passage) and all of `older` precedes `newer` in passage id,
    # so a stable sort by term alone yields (term, passage) order (timsort merges the two runs).
    order = np.argsort(term_col, kind="stable")
    return _segment_from_pairs(term_col[order], docs[order], tfs[order], older.first, newer.end)


def _grown(array: np.ndarray, size: int, fill: int | bool = 0) -> np.ndarray:
    """`array` with room for at least `size` entries (amortised doubling), new slots = fill."""
    if size <= len(array):
        return array
    bigger = np.full(max(size, 2 * len(array), 16), fill, dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


def _starts(sizes: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of these sizes starts, plus the total at the end."""
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    return starts


def _pick(values: list[T], slots: list[int]) -> tuple[T, ...]:
    """`values[s]` for each slot, gathered in C: a third faster than a comprehension."""
    if len(slots) < 2:  # itemgetter of one index returns the value, not a tuple
        return tuple(values[s] for s in slots)
    return operator.itemgetter(*slots)(values)


class BM25Index:
    """Passages of articles, scored with rank-bm25's BM25Okapi; add/remove without rebuilding."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        if not k1 > 0 or not 0 <= b <= 1:
            raise ValueError(f"need k1 > 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.k1 = float(k1)
        self.b = float(b)
        self.epsilon = float(epsilon)
        self._vocab: dict[str, int] = {}
        self._terms: list[str] = []  # term id -> term, the inverse of _vocab
        self._df = np.zeros(0, dtype=np.int64)
        # Upper bounds per term for pruning; never lowered on remove, so they stay valid.
        self._max_tf = np.zeros(0, dtype=np.int32)
        self._min_dl = np.zeros(0, dtype=np.int32)
        self._segments: list[_Segment] = []
        # Per passage id (ids are never reused; removed ones stay dead until save/load compacts).
        self._slots = 0
        self._dl = np.zeros(0, dtype=np.int32)
        self._article_of = np.zeros(0, dtype=np.int32)
        self._position = np.zeros(0, dtype=np.int32)
        self._paragraph = np.zeros(0, dtype=np.int32)
        self._alive = np.zeros(0, dtype=bool)
        # Per article slot; a removed article's key becomes None.
        self._article_keys: list[str | None] = []
        self._article_first: list[int] = []
        self._article_size: list[int] = []
        self._article_title: list[tuple[str, ...]] = []  # headline terms, per article slot
        self._article_slot: dict[str, int] = {}
        # Forward store: an article's term ids, in passage then token order, are the
        # contiguous slice of _chunks[_article_chunk[slot]] that starts at _article_offset[slot].
        # Only the last chunk is appended to; dead articles' ids stay until save/load compacts.
        self._chunks: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]
        self._chunk_used = 0
        self._article_chunk: list[int] = []
        self._article_offset: list[int] = []
        self._live = 0
        self._total_len = 0
        self._version = 0
        self._average_idf_cache: tuple[int, float] = (-1, 0.0)
        self._norm_cache: tuple[int, np.ndarray] = (-1, np.zeros(0))
        self._local = threading.local()  # per-thread scratch buffers for scoring

    # -- contents ---------------------------------------------------------------------------

    def __contains__(self, key: object) -> bool:
        return key in self._article_slot

    def __len__(self) -> int:
        return self._live

    def keys(self) -> list[str]:
        """Article ids in the index, in insertion order."""
        return list(self._article_slot)

    def add(
        self,
        key: str,
        passages: Sequence[Sequence[str]],
        paragraphs: Sequence[int] | None = None,
        title: Sequence[str] = (),
    ) -> None:
        """Index the tokenised passages of one article as positions 0..n-1.

        `paragraphs` gives each passage's paragraph number (all 0 when not given); `title`
        the headline's terms, kept for `term_counts` (a headline is not a passage: it is
        never searched or scored).
        """
        if key in self._article_slot:
            raise ValueError(f"article {key!r} is already indexed")
        first, count = self._slots, len(passages)
        if paragraphs is not None and len(paragraphs) != count:
            raise ValueError(f"{len(paragraphs)} paragraph numbers for {count} passages")
        term_ids, lengths = self._term_ids(passages)
        self._reserve_passages(first + count)
        self._dl[first : first + count] = lengths
        self._article_of[first : first + count] = len(self._article_keys)
        self._position[first : first + count] = np.arange(count)
        self._paragraph[first : first + count] = 0 if paragraphs is None else paragraphs
        self._alive[first : first + count] = True
        self._slots += count
        self._article_slot[key] = len(self._article_keys)
        self._article_keys.append(key)
        self._article_title.append(tuple(title))
        self._article_first.append(first)
        self._article_size.append(count)
        self._store_forward(term_ids)
        self._live += count
        self._total_len += int(lengths.sum())
        self._version += 1
        if len(term_ids):
            self._add_segment(self._article_segment(term_ids, lengths, first))

    def tokens(self, key: str) -> list[tuple[str, ...]]:
        """The tokenised passages of one article, in position order, as given to `add`."""
        slot = self._article_slot[key]  # KeyError when absent
        first = self._article_first[slot]
        lengths = self._dl[first : first + self._article_size[slot]].tolist()
        offset = self._article_offset[slot]
        ids = self._chunks[self._article_chunk[slot]][offset : offset + sum(lengths)].tolist()
        words = _pick(self._terms, ids)  # slices of a tuple are already the tuples we return
        passages, start = [], 0
        for length in lengths:
            passages.append(words[start : start + length])
            start += length
        return passages

    def term_counts(self, keys: Sequence[str], query: Sequence[str]) -> TermCounts:
        """The query's terms counted in every passage of the given articles, and their scores.

        Read from the query terms' postings, a binary search per article and term, so a
        re-ranker can look at whole articles for about the cost of a search; `scores` equal
        `search`'s.
        """
        terms = list(dict.fromkeys(query))
        slots = [self._article_slot[k] for k in keys if k in self._article_slot]
        firsts = np.array(_pick(self._article_first, slots), dtype=np.int64)
        sizes = np.array(_pick(self._article_size, slots), dtype=np.int64)
        starts = _starts(sizes)
        shift = firsts - starts[:-1]  # passage id - row, per article
        ids = np.repeat(shift, sizes) + np.arange(starts[-1])
        width = len(terms)
        counts = np.zeros((len(ids), width), dtype=np.int32)
        scores = np.zeros(len(ids))
        plan, weights = self._plan(query)  # empty when no live passage holds a query term
        column_of = {self._vocab[t]: c for c, t in enumerate(terms) if t in self._vocab}
        if plan:
            edges = np.concatenate([firsts, firsts + sizes])
            for term, (docs, tfs) in zip(plan, self._postings_of(plan), strict=True):
                # The term's postings inside each article's range of passage ids.
                lo, hi = np.searchsorted(docs, edges).reshape(2, -1)
                found = hi - lo
                total = int(found.sum())
                if total:
                    at = np.repeat(lo - _starts(found)[:-1], found) + np.arange(total)
                    counts[docs[at] - np.repeat(shift, found), column_of[term]] = tfs[at]
            norm = self._norms()[ids]
            for term, weight in zip(plan, weights.tolist(), strict=True):
                # Term by term in query order, like `_score_sparse`: the same bits as `search`.
                scores += self._contribution(weight, counts[:, column_of[term]], norm)
        lengths = self._dl[ids]
        titles = [[term in title for term in terms] for title in _pick(self._article_title, slots)]
        return TermCounts(
            keys=[self._article_keys[s] or "" for s in slots],
            terms=terms,
            starts=starts,
            counts=counts,
            paragraphs=self._paragraph[ids],
            lengths=lengths,
            scores=scores,
            titles=np.array(titles, dtype=bool).reshape(len(slots), width),
            chunks=tuple(self._chunks),
            chunk_of=np.array(_pick(self._article_chunk, slots), dtype=np.int64),
            offsets=np.array(_pick(self._article_offset, slots), dtype=np.int64),
            token_starts=_starts(lengths),
            column_of=column_of,
        )

    def remove(self, key: str) -> None:
        """Drop every passage of one article."""
        slot = self._article_slot.pop(key)  # KeyError when absent, as documented
        first, count = self._article_first[slot], self._article_size[slot]
        self._article_keys[slot] = None
        end = first + count
        for seg in self._segments:
            if seg.first <= first and end <= seg.end:
                where = np.flatnonzero((seg.docs >= first) & (seg.docs < end))
                term_index = np.searchsorted(seg.ptr, where, side="right") - 1
                terms, starts = _runs(seg.terms[term_index])
                self._df[terms] -= np.diff(np.append(starts, len(term_index)))
                break
        self._alive[first:end] = False
        self._live -= count
        self._total_len -= int(self._dl[first:end].sum())
        self._version += 1

    def _term_ids(self, passages: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """All tokens as term ids (new terms get new ids), and each passage's length."""
        vocab = self._vocab
        ids: list[int] = []
        for tokens in passages:
            for token in tokens:
                term = vocab.get(token)
                if term is None:
                    term = vocab[token] = len(vocab)
                    self._terms.append(token)
                ids.append(term)
        lengths = np.fromiter((len(tokens) for tokens in passages), dtype=np.int32)
        size = len(vocab)
        if size > len(self._df):
            self._df = _grown(self._df, size)
            self._max_tf = _grown(self._max_tf, size)
            self._min_dl = _grown(self._min_dl, size, np.iinfo(np.int32).max)
        return np.array(ids, dtype=np.int64), lengths

    def _store_forward(self, term_ids: np.ndarray) -> None:
        """Append one article's term ids to the forward store and note where they are."""
        chunk, used, count = self._chunks[-1], self._chunk_used, len(term_ids)
        if used + count > len(chunk):
            if used < len(chunk):
                self._chunks[-1] = chunk[:used].copy()  # give back the unused room
            chunk, used = np.empty(max(FORWARD_CHUNK, count), dtype=np.int32), 0
            self._chunks.append(chunk)
        chunk[used : used + count] = term_ids
        self._article_chunk.append(len(self._chunks) - 1)
        self._article_offset.append(used)
        self._chunk_used = used + count

    def _reserve_passages(self, size: int) -> None:
        self._dl = _grown(self._dl, size)
        self._article_of = _grown(self._article_of, size)
        self._position = _grown(self._position, size)
        self._paragraph = _grown(self._paragraph, size)
        self._alive = _grown(self._alive, size, False)

    def _article_segment(self, term_ids: np.ndarray, lengths: np.ndarray, first: int) -> _Segment:
        """A segment for one article's tokens, updating df and the pruning bounds."""
        local = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        pairs, starts = _runs(np.sort(term_ids * len(lengths) + local))
        tfs = np.diff(np.append(starts, len(term_ids)))
        term_col, doc_col = np.divmod(pairs, len(lengths))
        segment = _segment_from_pairs(term_col, doc_col + first, tfs, first, first + len(lengths))
        starts = segment.ptr[:-1]
        self._df[segment.terms] += np.diff(segment.ptr)
        self._max_tf[segment.terms] = np.maximum(
            self._max_tf[segment.terms], np.maximum.reduceat(segment.tfs, starts)
        )
        self._min_dl[segment.terms] = np.minimum(
            self._min_dl[segment.terms], np.minimum.reduceat(lengths[doc_col], starts)
        )
        return segment

    def _add_segment(self, segment: _Segment) -> None:
        segments = self._segments
        segments.append(segment)
        while len(segments) >= 2 and segments[-2].nnz <= MERGE_RATIO * segments[-1].nnz:
            newer = segments.pop()
            segments[-1] = _merge(segments[-1], newer, self._alive)

    # -- scoring ----------------------------------------------------------------------------

    def _average_idf(self) -> float:
        """Mean raw idf over the live vocabulary, cached until the next add/remove."""
        version, value = self._average_idf_cache
        if version == self._version:
            return value
        histogram = np.bincount(self._df[: len(self._vocab)])
        present = np.flatnonzero(histogram[1:]) + 1
        if len(present) == 0:
            value = 0.0
        else:
            n = float(self._live)
            raw = np.log(n - present + 0.5) - np.log(present + 0.5)
            # Summing per distinct df with fsum makes the mean independent of vocabulary order,
            # so an index grown by add/remove scores bit-for-bit like one built from scratch.
            value = math.fsum((raw * histogram[present]).tolist()) / int(histogram[1:].sum())
        self._average_idf_cache = (self._version, value)
        return value

    def _idf_of_df(self, df: int, average_idf: float) -> float:
        raw = math.log(self._live - df + 0.5) - math.log(df + 0.5)
        return self.epsilon * average_idf if raw < 0 else raw

    def document_frequency(self, term: str) -> int:
        """How many live passages contain the term."""
        term_id = self._vocab.get(term)
        return 0 if term_id is None else int(self._df[term_id])

    def idf(self, term: str) -> float:
        """BM25Okapi idf (negative ones floored to epsilon * average idf); 0.0 if unseen."""
        term_id = self._vocab.get(term)
        if term_id is None or self._df[term_id] == 0:
            return 0.0
        return self._idf_of_df(int(self._df[term_id]), self._average_idf())

    def _plan(self, query: Sequence[str]) -> tuple[list[int], np.ndarray]:
        """Distinct live query terms in first-seen order, and their weights (count * idf)."""
        counts: dict[int, int] = {}
        for token in query:
            term_id = self._vocab.get(token)
            if term_id is not None and self._df[term_id] > 0:
                counts[term_id] = counts.get(term_id, 0) + 1
        if not counts:
            return [], np.zeros(0)
        average_idf = self._average_idf()
        weights = [c * self._idf_of_df(int(self._df[t]), average_idf) for t, c in counts.items()]
        return list(counts), np.array(weights)

    def _postings_of(self, terms: list[int]) -> list[Postings]:
        """Each term's passage ids (ascending, dead ones included) and frequencies."""
        parts: list[list[Postings]] = [[] for _ in terms]
        for seg in self._segments:
            # Queries have a handful of terms: scalar lookups beat vectorised calls here.
            if seg.slot_of is not None:
                slot_of, size = seg.slot_of, len(seg.slot_of)
                slots = [int(slot_of[t]) if t < size else -1 for t in terms]
            elif len(seg.terms):
                seg_terms, size = seg.terms, len(seg.terms)
                found = np.searchsorted(seg_terms, terms).tolist()
                slots = [
                    a if a < size and seg_terms[a] == t else -1
                    for a, t in zip(found, terms, strict=True)
                ]
            else:
                continue
            ptr = seg.ptr
            for i, slot in enumerate(slots):
                if slot >= 0:
                    lo, hi = int(ptr[slot]), int(ptr[slot + 1])
                    parts[i].append((seg.docs[lo:hi], seg.tfs[lo:hi]))
        # Segments cover increasing passage id ranges, so concatenation stays sorted.
        return [
            p[0]
            if len(p) == 1
            else (np.concatenate([d for d, _ in p]), np.concatenate([t for _, t in p]))
            for p in parts
        ]

    def _norms(self) -> np.ndarray:
        """k1 * (1 - b + b * dl / avgdl) per passage id, as rank-bm25 computes it; cached."""
        version, norms = self._norm_cache
        if version != self._version:
            avgdl = self._total_len / self._live
            norms = self.k1 * (1 - self.b + self.b * self._dl[: self._slots] / avgdl)
            self._norm_cache = (self._version, norms)
        return norms

    def _contribution(
        self, weight: float | np.ndarray, tf: np.ndarray, norm: np.ndarray
    ) -> np.ndarray:
        return weight * (tf * (self.k1 + 1) / (tf + norm))

    def _score_sparse(
        self, cands: np.ndarray, postings: list[Postings], weights: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact scores and matched-term counts of sorted candidate passages (all with dl > 0)."""
        norm = self._norms()[cands]
        scores = np.zeros(len(cands))
        matched = np.zeros(len(cands), dtype=np.int32)
        for (docs, tfs), weight in zip(postings, weights, strict=True):
            at = np.searchsorted(docs, cands)
            at[at == len(docs)] = 0
            hit = docs[at] == cands
            # Adding exact zeros for misses, term by term in query order, gives the same bits
            # as `np.add.at` over postings concatenated in query order (it adds sequentially).
            scores += self._contribution(weight, np.where(hit, tfs[at], 0), norm)
            matched += hit
        return scores, matched

    def _scratch(self) -> _Scratch:
        """This thread's per-passage buffers (scores and counts all zero), grown as needed."""
        scratch: _Scratch | None = getattr(self._local, "scratch", None)
        if scratch is None or len(scratch.scores) < self._slots:
            size = max(self._slots, 2 * len(scratch.scores) if scratch else 0, 16)
            scratch = _Scratch(
                np.zeros(size), np.zeros(size, dtype=np.int32), np.zeros(size, dtype=np.int32)
            )
            self._local.scratch = scratch
        return scratch

    @staticmethod
    def _distinct(scratch: _Scratch, docs: np.ndarray) -> np.ndarray:
        """The distinct passage ids of `docs`, in linear time (unordered)."""
        place = np.arange(len(docs), dtype=np.int32)
        scratch.mark[docs] = place  # the last write wins, so each id keeps one place
        return docs[scratch.mark[docs] == place]

    def _score_all(
        self, postings: list[Postings], weights: np.ndarray, allowed: np.ndarray | None
    ) -> Scored:
        """Exact scores of every live (allowed) passage that holds a query term."""
        if len(postings) == 1:
            # One term: each passage is in its postings once, so its score is the contribution.
            docs, tfs = postings[0]
            keep = self._alive[docs] if allowed is None else self._alive[docs] & allowed[docs]
            docs = docs[keep]
            scores = self._contribution(weights[0], tfs[keep], self._norms()[docs])
            return docs, scores, np.ones(len(docs), dtype=np.int32)
        docs = np.concatenate([docs for docs, _ in postings])
        tfs = np.concatenate([tfs for _, tfs in postings])
        weight = np.repeat(weights, [len(docs) for docs, _ in postings])
        contribution = self._contribution(weight, tfs, self._norms()[docs])
        scratch = self._scratch()
        cands = self._distinct(scratch, docs)
        try:
            # `np.add.at` adds element by element, so each passage sums in query-term order.
            np.add.at(scratch.scores, docs, contribution)
            np.add.at(scratch.counts, docs, np.ones(len(docs), dtype=np.int32))
            live = cands[self._alive[cands]]
            if allowed is not None:
                live = live[allowed[live]]
            return live, scratch.scores[live], scratch.counts[live]
        finally:
            scratch.scores[cands] = 0.0
            scratch.counts[cands] = 0

    def scores(self, query: Sequence[str]) -> dict[tuple[str, int], float]:
        """Every live passage's exact BM25Okapi score (O(corpus); for tests and evaluation)."""
        live = np.flatnonzero(self._alive[: self._slots])
        values = np.zeros(len(live))
        terms, weights = self._plan(query)
        if terms:
            cands, found, _ = self._score_all(self._postings_of(terms), weights, None)
            values[np.searchsorted(live, cands)] = found
        keys, positions = self._article_of[live], self._position[live]
        return {
            (self._article_keys[k] or "", int(p)): float(v)
            for k, p, v in zip(keys.tolist(), positions.tolist(), values.tolist(), strict=True)
        }

    def search(
        self, query: Sequence[str], limit: int = 10, *, keys: Collection[str] | None = None
    ) -> list[Hit]:
        """Best passages containing at least one query term: score, matched, key, position."""
        if limit <= 0 or self._live == 0:
            return []
        terms, weights = self._plan(query)
        if not terms:
            return []
        postings = self._postings_of(terms)
        if keys is not None:
            scored = self._within(keys, postings, weights)
        elif (
            len(terms) == 1
            or np.any(weights <= 0)
            or sum(len(d) for d, _ in postings) <= PRUNE_ABOVE_POSTINGS
        ):
            # One term or few postings are cheapest to score outright; weights <= 0 (tiny
            # corpora) would break the upper-bound pruning anyway.
            scored = self._score_all(postings, weights, None)
        else:
            scored = self._max_score(terms, postings, weights, limit)
        return self._top(*scored, limit)

    def _within(
        self, keys: Collection[str], postings: list[Postings], weights: np.ndarray
    ) -> Scored:
        """Scores restricted to the passages of the given articles."""
        slots = sorted(
            (self._article_slot[k] for k in set(keys) if k in self._article_slot),
            key=self._article_first.__getitem__,
        )
        spans = [(self._article_first[s], self._article_size[s]) for s in slots]
        if sum(size for _, size in spans) > WITHIN_SHARE * self._slots:
            allowed = np.zeros(self._slots, dtype=bool)
            for first, size in spans:
                allowed[first : first + size] = True
            return self._score_all(postings, weights, allowed)
        cands = np.concatenate([np.arange(f, f + n) for f, n in spans] or [np.zeros(0, np.int64)])
        cands = cands[self._dl[cands] > 0]
        scores, matched = self._score_sparse(cands, postings, weights)
        keep = matched > 0
        return cands[keep], scores[keep], matched[keep]

    def _bounds(self, terms: list[int], weights: np.ndarray) -> np.ndarray:
        """The most each term can add to any passage's score (never an underestimate)."""
        ids = np.array(terms)
        tf = self._max_tf[ids].astype(np.float64)
        avgdl = self._total_len / self._live
        norm = self.k1 * (1 - self.b + self.b * self._min_dl[ids] / avgdl)
        return weights * (tf * (self.k1 + 1) / (tf + norm)) * (1 + BOUND_SLACK)

    def _max_score(
        self, terms: list[int], postings: list[Postings], weights: np.ndarray, limit: int
    ) -> Scored:
        """Exact top candidates, reading the common terms' postings only by lookup.

        Terms are accumulated in decreasing order of their bound. After each, the passages
        touched so far that could still reach the top (partial score + the remaining terms'
        bounds >= the limit-th partial score) are the only candidates; once `limit` of them
        score (exactly) above what the remaining terms could give an untouched passage, no
        untouched passage can enter the top and the rest are read by lookup.
        """
        bounds = self._bounds(terms, weights)
        order = np.argsort(-bounds, kind="stable").tolist()
        rest = [*np.cumsum(bounds[order][::-1])[::-1].tolist()[1:], 0.0]
        scratch, norms = self._scratch(), self._norms()
        touched: list[np.ndarray] = []  # passages first touched by each term read so far
        live: list[np.ndarray] = []  # the live ones among them
        seen = 0
        try:
            for step, term in enumerate(order):
                docs, tfs = postings[term]
                # Weights are > 0 here, so a passage no term has touched yet still scores 0.
                fresh = docs[scratch.scores[docs] == 0.0]
                np.add.at(scratch.scores, docs, self._contribution(weights[term], tfs, norms[docs]))
                touched.append(fresh)
                live.append(fresh[self._alive[fresh]])
                seen += len(live[-1])
                last = step + 1 == len(order)
                if seen < limit and not last:
                    continue
                cands = np.concatenate(live) if len(live) > 1 else live[0]
                live = [cands]
                viable = self._viable(cands, scratch.scores[cands], rest[step], limit)
                if last:
                    break
                if 2 * len(viable) * (len(order) - step - 1) > len(postings[order[step + 1]][0]):
                    continue  # reading the next term's postings is cheaper than the lookups
                viable.sort()
                scores, matched = self._score_sparse(viable, postings, weights)
                kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
                if kth > rest[step] * (1 + BOUND_SLACK):
                    return viable, scores, matched
        finally:
            for docs in touched:
                scratch.scores[docs] = 0.0
        viable.sort()
        return viable, *self._score_sparse(viable, postings, weights)

    @staticmethod
    def _viable(cands: np.ndarray, partial: np.ndarray, rest: float, limit: int) -> np.ndarray:
        """Candidates whose partial score plus `rest` can still reach the limit-th partial."""
        if len(cands) <= limit:
            return cands
        kth = np.partition(partial, len(partial) - limit)[len(partial) - limit]
        return cands[partial + rest >= kth - BOUND_SLACK * (kth + rest)]

    def _top(
        self, cands: np.ndarray, scores: np.ndarray, matched: np.ndarray, limit: int
    ) -> list[Hit]:
        """The first `limit` by (score desc, matched desc, key, position)."""
        if len(cands) > limit:
            kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            # Keep every tie with the limit-th score: matched/key/position decide among them.
            keep = scores >= kth
            cands, scores, matched = cands[keep], scores[keep], matched[keep]
        keys = self._article_keys
        ranked = sorted(
            zip(
                (-scores).tolist(),
                (-matched).tolist(),
                [keys[a] or "" for a in self._article_of[cands].tolist()],
                self._position[cands].tolist(),
                strict=True,
            )
        )[:limit]
        return [Hit(key, position, -score, -count) for score, count, key, position in ranked]

    # -- persistence ------------------------------------------------------------------------

    def _compacted(self) -> dict[str, np.ndarray]:
        """The live index as flat arrays with passages renumbered 0..n-1 and dead terms dropped."""
        live_slots = [s for s, k in enumerate(self._article_keys) if k is not None]
        firsts = np.array([self._article_first[s] for s in live_slots], dtype=np.int64)
        sizes = np.array([self._article_size[s] for s in live_slots], dtype=np.int64)
        new_id = np.full(self._slots, -1, dtype=np.int64)
        old_ids = (
            np.concatenate([np.arange(f, f + n) for f, n in zip(firsts, sizes, strict=True)])
            if live_slots
            else np.zeros(0, dtype=np.int64)
        )
        new_id[old_ids] = np.arange(len(old_ids))
        vocab = list(self._vocab)
        used = np.flatnonzero(self._df[: len(vocab)] > 0)
        new_term = np.full(len(vocab), -1, dtype=np.int64)
        new_term[used] = np.arange(len(used))
        term_cols, doc_cols, tf_cols = [], [], []
        for seg in self._segments:
            keep = self._alive[seg.docs]
            term_cols.append(new_term[np.repeat(seg.terms, np.diff(seg.ptr))[keep]])
            doc_cols.append(new_id[seg.docs[keep]])
            tf_cols.append(seg.tfs[keep])
        term_col = np.concatenate([*term_cols, np.zeros(0, dtype=np.int64)])
        order = np.argsort(term_col, kind="stable")
        ptr = np.zeros(len(used) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_col, minlength=len(used)), out=ptr[1:])
        vocab_blob, vocab_offsets = encode_strings([vocab[t] for t in used.tolist()])
        key_blob, key_offsets = encode_strings([self._article_keys[s] or "" for s in live_slots])
        # Terms never hold spaces (they are made from TOKEN matches), so a space joins them.
        title_blob, title_offsets = encode_strings(
            [" ".join(self._article_title[s]) for s in live_slots]
        )
        lengths = self._dl[old_ids].astype(np.int32)
        return {
            "vocab_blob": vocab_blob,
            "vocab_offsets": vocab_offsets,
            "key_blob": key_blob,
            "key_offsets": key_offsets,
            "article_sizes": sizes,
            "lengths": lengths,
            "ptr": ptr,
            "docs": np.concatenate([*doc_cols, np.zeros(0, dtype=np.int64)])[order].astype(DOC_ID),
            "tfs": np.concatenate([*tf_cols, np.zeros(0, dtype=np.int32)])[order].astype(np.int32),
            "forward_terms": self._compacted_forward(live_slots, lengths, sizes, new_term),
            "paragraphs": self._paragraph[old_ids].astype(np.int32),
            "title_blob": title_blob,
            "title_offsets": title_offsets,
        }

    def _compacted_forward(
        self, live_slots: list[int], lengths: np.ndarray, sizes: np.ndarray, new_term: np.ndarray
    ) -> np.ndarray:
        """The live articles' term ids, in order, renumbered like the saved vocabulary."""
        totals = np.diff(_starts(lengths)[_starts(sizes)])
        pieces = [np.zeros(0, dtype=np.int32)]
        for slot, total in zip(live_slots, totals.tolist(), strict=True):
            offset = self._article_offset[slot]
            pieces.append(self._chunks[self._article_chunk[slot]][offset : offset + total])
        return new_term[np.concatenate(pieces)].astype(np.int32)

    def save(self, directory: Path, fingerprint: str) -> None:
        """Write the index atomically: new data files first, then the manifest naming them."""
        header = {
            "format_version": FORMAT_VERSION,
            "fingerprint": fingerprint,
            "k1": self.k1,
            "b": self.b,
            "epsilon": self.epsilon,
        }
        save_arrays(directory, header, self._compacted())

    @classmethod
    def load(
        cls, directory: Path, fingerprint: str, *, k1: float, b: float, epsilon: float
    ) -> BM25Index | None:
        """The saved index, or None when it is missing, stale or damaged in any way."""
        try:
            manifest = load_manifest(directory)
            if (
                manifest.get("format_version") != FORMAT_VERSION
                or manifest.get("fingerprint") != fingerprint
                or [manifest.get("k1"), manifest.get("b"), manifest.get("epsilon")]
                != [float(k1), float(b), float(epsilon)]
            ):
                return None
            index = cls(k1=k1, b=b, epsilon=epsilon)
            index._restore(load_arrays(directory, manifest, SAVED_ARRAYS))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            return None
        return index

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Fill an empty index from saved arrays, rejecting any inconsistency with ValueError."""
        vocab = decode_strings(arrays["vocab_blob"], arrays["vocab_offsets"])
        keys = decode_strings(arrays["key_blob"], arrays["key_offsets"])
        titles = decode_strings(arrays["title_blob"], arrays["title_offsets"])
        sizes, lengths = arrays["article_sizes"], arrays["lengths"]
        ptr, docs, tfs = arrays["ptr"], arrays["docs"], arrays["tfs"]
        n = len(lengths)
        if (
            len(set(vocab)) != len(vocab)
            or len(set(keys)) != len(keys)
            or sizes.shape != (len(keys),)
            or len(titles) != len(keys)
            or ptr.shape != (len(vocab) + 1,)
            or docs.shape != tfs.shape
            or docs.dtype != DOC_ID
            or int(sizes.sum()) != n
            or np.any(sizes < 0)
            or ptr[0] != 0
            or ptr[-1] != len(docs)
            or np.any(np.diff(ptr) <= 0)
            or (len(docs) and (docs.min() < 0 or docs.max() >= n or tfs.min() < 1))
        ):
            raise ValueError("inconsistent index arrays")
        rising = np.diff(docs) > 0
        rising[ptr[1:-1] - 1] = True  # a new term may restart passage ids
        if not rising.all() or not np.array_equal(
            np.bincount(docs, weights=tfs, minlength=n), lengths
        ):
            raise ValueError("inconsistent postings")
        forward = arrays["forward_terms"]
        self._check_forward(forward, len(vocab), int(lengths.sum()), ptr, tfs)
        paragraphs = arrays["paragraphs"]
        if paragraphs.dtype != np.int32 or paragraphs.shape != (n,):
            raise ValueError("inconsistent paragraph numbers")
        self._vocab = {term: i for i, term in enumerate(vocab)}
        self._terms = vocab
        self._df = np.diff(ptr).astype(np.int64)
        starts = ptr[:-1]
        self._max_tf = np.maximum.reduceat(tfs, starts) if len(docs) else np.zeros(0, np.int32)
        self._min_dl = (
            np.minimum.reduceat(lengths[docs], starts) if len(docs) else np.zeros(0, np.int32)
        )
        terms = np.arange(len(vocab), dtype=np.int32)
        dense = terms if len(docs) >= DENSE_LOOKUP_POSTINGS else None  # terms[t] == t
        self._segments = [_Segment(terms, ptr, docs, tfs, 0, n, dense)] if len(docs) else []
        self._slots = n
        self._dl = lengths.astype(np.int32)
        self._article_of = np.repeat(np.arange(len(keys), dtype=np.int32), sizes)
        firsts = (np.cumsum(sizes) - sizes).astype(np.int64)
        self._position = (np.arange(n) - np.repeat(firsts, sizes)).astype(np.int32)
        self._paragraph = paragraphs
        self._alive = np.ones(n, dtype=bool)
        self._article_keys = list(keys)
        self._article_title = [tuple(title.split()) for title in titles]
        self._article_first = firsts.tolist()
        self._article_size = sizes.tolist()
        self._article_slot = {key: i for i, key in enumerate(keys)}
        self._chunks, self._chunk_used = [forward], len(forward)
        self._article_chunk = [0] * len(keys)
        self._article_offset = _starts(lengths)[firsts].tolist()
        self._live = n
        self._total_len = int(lengths.sum())
        self._version += 1

    @staticmethod
    def _check_forward(
        forward: np.ndarray, vocabulary: int, tokens: int, ptr: np.ndarray, tfs: np.ndarray
    ) -> None:
        """Reject a forward store that cannot hold the tokens the postings describe."""
        if forward.dtype != np.int32 or forward.shape != (tokens,):
            raise ValueError("inconsistent forward store")
        if tokens and (forward.min() < 0 or forward.max() >= vocabulary):
            raise ValueError("forward store names unknown terms")
        # Each term's total occurrences must agree with its postings: a linear-time check that
        # catches a store from another index or a buggy writer (the per-passage split is
        # already fixed by the checked lengths).
        occurrences = (
            np.add.reduceat(tfs, ptr[:-1], dtype=np.int64) if len(tfs) else np.zeros(0, np.int64)
        )
        if not np.array_equal(np.bincount(forward, minlength=vocabulary), occurrences):
            raise ValueError("forward store disagrees with the postings")
