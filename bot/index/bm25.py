"""BM25 over passages: rank-bm25's BM25Okapi scores, answered from postings, with live add/remove.

The score is exactly `rank_bm25.BM25Okapi(live_passages).get_scores(query)`; what differs is the
work per query. Postings (term -> passages with that term and its frequency) live in a few
immutable segments (`segments.py`), merged logarithmically as articles arrive, so a query reads
only the postings of its own terms. Top-k search is exact: a MaxScore-style bound skips the
postings of common terms whenever the best candidates from rarer terms cannot be overtaken.
Each term's per-posting impacts (the tf part of the score) are cached until the next change.
Where `_scoring.c` was built (setup.py), search's scoring and top-k run there instead, with the
same hits and the same score bits; numpy alone serves `keys` restrictions and machines without it.
The cache is in `cache.py`; the forward store and the re-ranker's `term_counts` in
`forward.py`; merging live-fed segments back into one, in steps, in `compaction.py`.

Not thread-safe for writers: `add`, `remove`, `save` and a compaction's `commit` must not run
concurrently with anything (the library holds a lock); a compaction's steps may. `search`,
`scores`, `idf`, `tokens` and `term_counts` only read shared state (apart from filling
idempotent caches) and keep their scratch buffers per thread, so concurrent readers are safe
among themselves. Removed passages keep their ids (and their forward-store tokens) until
`save`/`load` renumbers them."""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np

from bot.index.cache import load_into, read_cache, save_index
from bot.index.compaction import Compaction
from bot.index.forward import ForwardStore, TermCounts, count_terms, passage_tokens
from bot.index.segments import Postings, Segment, grown, merge, runs, segment_from_pairs

compiled_scoring: ModuleType | None
try:
    from bot.index import _scoring as compiled_scoring
except ImportError:  # built without a C compiler (see setup.py): numpy alone
    compiled_scoring = None

# Two segments are merged when the older one is at most this many times the newer one's size,
# which keeps O(log n) segments and merges every posting O(log n) times over its life.
MERGE_RATIO = 2.0
# A `keys` restriction covering more than this share of all passages is scored like a full
# search and filtered, instead of looking up each of its passages in every term's postings.
WITHIN_SHARE = 1 / 16
# Above this many postings in all, a query is scored with upper-bound pruning (MaxScore).
PRUNE_ABOVE_POSTINGS = 8_192
# At most this many postings' impacts are cached (8 bytes each), until the next add or remove.
IMPACT_CACHE_POSTINGS = 1 << 22
# Slack on upper bounds so that float rounding can never make pruning drop a true top hit.
BOUND_SLACK = 1e-9
# The compiled search takes at most this many distinct terms (MAX_TERMS in _scoring.c).
COMPILED_MAX_TERMS = 64
# Above this many postings in all, the compiled search prunes (MaxScore, document at a time).
COMPILED_PRUNE_ABOVE_POSTINGS = 2_048


class Hit(NamedTuple):
    """One scored passage of a search (a tuple: a search builds dozens, cheaply)."""

    key: str  # the article id
    position: int  # passage (sentence) number within the article
    score: float  # BM25Okapi score, identical to rank-bm25's
    matched: int  # how many distinct query terms the passage contains


Scored = tuple[np.ndarray, np.ndarray, np.ndarray]  # passage ids, exact scores, matched terms
Row = tuple[float, int, int, int]  # -score, -matched terms, article slot, position


class Impacts(NamedTuple):
    """A term's per-posting impacts (see `BM25Index._impacts`) and the largest of them."""

    impacts: np.ndarray
    top: float


@dataclass
class _Scratch:
    """Per-thread buffers indexed by passage id, all zero between queries."""

    scores: np.ndarray  # float64, zero outside a query
    counts: np.ndarray  # uint8 matched terms (for the compiled loop), zero outside a query
    mark: np.ndarray  # int32 scribble space for de-duplication, never needs clearing


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
        self._segments: list[Segment] = []
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
        # Forward store: each article's term ids; dead articles' stay until save/load compacts.
        self._forward = ForwardStore()
        self._live = 0
        self._total_len = 0
        self._version = 0
        self._average_idf_cache: tuple[int, float] = (-1, 0.0)
        self._norm_cache: tuple[int, np.ndarray] = (-1, np.zeros(0))
        # term id -> its postings' tf parts (see `_impacts`) and the largest of them, valid
        # for one version and one set of segments; and how many entries the cache holds.
        self._impact_cache: tuple[int, dict[int, Impacts]] = (-1, {})
        self._impact_entries = 0
        self._local = threading.local()  # per-thread scratch buffers for scoring
        # Search's top-k through the compiled inner loop (`_scoring.c`) where it was built;
        # False: numpy alone (the same hits and score bits, slower).
        self.compiled = compiled_scoring is not None

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
        self._forward.append(term_ids)
        self._live += count
        self._total_len += int(lengths.sum())
        self._version += 1
        if len(term_ids):
            self._add_segment(self._article_segment(term_ids, lengths, first))

    def tokens(self, key: str) -> list[tuple[str, ...]]:
        """The tokenised passages of one article, in position order, as given to `add`."""
        return passage_tokens(self, key)

    def term_counts(self, keys: Sequence[str], query: Sequence[str]) -> TermCounts:
        """The query's terms counted in every passage of the given articles, and their scores.

        Read from the query terms' postings, so a re-ranker can look at whole articles for
        about the cost of a search; `scores` equal `search`'s.
        """
        return count_terms(self, keys, query)

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
                terms, starts = runs(seg.terms[term_index])
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
            self._df = grown(self._df, size)
            self._max_tf = grown(self._max_tf, size)
            self._min_dl = grown(self._min_dl, size, np.iinfo(np.int32).max)
        return np.array(ids, dtype=np.int64), lengths

    def _reserve_passages(self, size: int) -> None:
        self._dl = grown(self._dl, size)
        self._article_of = grown(self._article_of, size)
        self._position = grown(self._position, size)
        self._paragraph = grown(self._paragraph, size)
        self._alive = grown(self._alive, size, False)

    def _article_segment(self, term_ids: np.ndarray, lengths: np.ndarray, first: int) -> Segment:
        """A segment for one article's tokens, updating df and the pruning bounds."""
        local = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        pairs, starts = runs(np.sort(term_ids * len(lengths) + local))
        tfs = np.diff(np.append(starts, len(term_ids)))
        term_col, doc_col = np.divmod(pairs, len(lengths))
        segment = segment_from_pairs(term_col, doc_col + first, tfs, first, first + len(lengths))
        starts = segment.ptr[:-1]
        self._df[segment.terms] += np.diff(segment.ptr)
        self._max_tf[segment.terms] = np.maximum(
            self._max_tf[segment.terms], np.maximum.reduceat(segment.tfs, starts)
        )
        self._min_dl[segment.terms] = np.minimum(
            self._min_dl[segment.terms], np.minimum.reduceat(lengths[doc_col], starts)
        )
        return segment

    @property
    def segment_count(self) -> int:
        """How many postings segments live adds have left (1 after load or compaction)."""
        return len(self._segments)

    def compaction(self) -> Compaction | None:
        """A merge of the current segments into one, to run in steps; None if there is one."""
        return Compaction(self) if len(self._segments) > 1 else None

    def compact(self) -> bool:
        """Merge every segment into one now (all steps at once); False if nothing to do."""
        job = self.compaction()
        if job is None:
            return False
        job.run()
        return job.commit()

    def _replace_segments(self, old: tuple[Segment, ...], merged: Segment | None) -> bool:
        """Put `merged` in place of `old` if they are still the first segments."""
        current = self._segments
        if len(current) < len(old) or any(a is not b for a, b in zip(current, old, strict=False)):
            return False
        # Cached impacts follow the old postings, which held removed passages' entries too.
        self._impact_cache = (-1, {})
        # A new list, not an in-place change: a reader iterating the old one stays consistent.
        self._segments = [*([merged] if merged is not None else []), *current[len(old) :]]
        return True

    def _add_segment(self, segment: Segment) -> None:
        segments = self._segments
        segments.append(segment)
        while len(segments) >= 2 and segments[-2].nnz <= MERGE_RATIO * segments[-1].nnz:
            newer = segments.pop()
            segments[-1] = merge(segments[-1], newer, self._alive)

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

    def _impacts(self, term: int, postings: Postings) -> np.ndarray:
        """tf * (k1 + 1) / (tf + norm) for each of a term's postings, cached per version.

        `weight * impacts` has the same bits as `_contribution`, which computes this inner
        part first. Between adds, common terms recur in question after question: reading
        their cached impacts spares a gather of per-passage norms all over memory.
        """
        return self._impacts_and_top(term, postings)[0]

    def _impacts_and_top(self, term: int, postings: Postings) -> Impacts:
        """`_impacts` and the largest of them (0.0 for none), cached together."""
        version, cache = self._impact_cache
        if version != self._version:
            cache = {}
            self._impact_cache, self._impact_entries = (self._version, cache), 0
        docs, tfs = postings
        found = cache.get(term)
        if found is None or len(found[0]) != len(docs):
            impacts = tfs * (self.k1 + 1) / (tfs + self._norms()[docs])
            found = Impacts(impacts, float(impacts.max()) if len(impacts) else 0.0)
            if self._impact_entries + len(impacts) <= IMPACT_CACHE_POSTINGS:
                cache[term] = found
                self._impact_entries += len(impacts)
        return found

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
                np.zeros(size), np.zeros(size, dtype=np.uint8), np.zeros(size, dtype=np.int32)
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
        self,
        terms: list[int],
        postings: list[Postings],
        weights: np.ndarray,
        allowed: np.ndarray | None,
    ) -> Scored:
        """Exact scores of every live (allowed) passage that holds a query term."""
        if len(postings) == 1:
            # One term: each passage is in its postings once, so its score is the contribution.
            docs = postings[0][0]
            keep = self._alive[docs] if allowed is None else self._alive[docs] & allowed[docs]
            scores = weights[0] * self._impacts(terms[0], postings[0])[keep]
            return docs[keep], scores, np.ones(len(scores), dtype=np.int32)
        docs = np.concatenate([docs for docs, _ in postings])
        contribution = np.concatenate(
            [
                weight * self._impacts(term, term_postings)
                for term, term_postings, weight in zip(
                    terms, postings, weights.tolist(), strict=True
                )
            ]
        )
        # Group the postings by passage; a stable sort keeps each passage's contributions in
        # query-term order, and they are summed in that order, from the first: the same bits
        # as adding them one by one to 0.0 (which `_score_sparse` and `term_counts` do).
        order = np.argsort(docs, kind="stable")
        docs, contribution = docs[order], contribution[order]
        first = np.empty(len(docs), dtype=bool)
        first[0] = True
        np.not_equal(docs[1:], docs[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        cands = docs[starts]
        matched = np.diff(starts, append=len(docs)).astype(np.int32)
        scores = contribution[starts]
        for extra in range(1, int(matched.max())):
            more = np.flatnonzero(matched > extra)
            scores[more] += contribution[starts[more] + extra]
        keep = None
        if self._live < self._slots:  # some passages were removed
            keep = self._alive[cands]
        if allowed is not None:
            keep = allowed[cands] if keep is None else keep & allowed[cands]
        if keep is not None:
            return cands[keep], scores[keep], matched[keep]
        return cands, scores, matched

    def scores(self, query: Sequence[str]) -> dict[tuple[str, int], float]:
        """Every live passage's exact BM25Okapi score (O(corpus); for tests and evaluation)."""
        live = np.flatnonzero(self._alive[: self._slots])
        values = np.zeros(len(live))
        terms, weights = self._plan(query)
        if terms:
            cands, found, _ = self._score_all(terms, self._postings_of(terms), weights, None)
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
        if keys is None and self.compiled and len(terms) <= COMPILED_MAX_TERMS:
            return self._compiled_top(terms, postings, weights, limit)
        if keys is not None:
            scored = self._within(keys, terms, postings, weights)
        elif (
            len(terms) == 1
            or np.any(weights <= 0)
            or sum(len(d) for d, _ in postings) <= PRUNE_ABOVE_POSTINGS
        ):
            # One term or few postings are cheapest to score outright; weights <= 0 (tiny
            # corpora) would break the upper-bound pruning anyway.
            scored = self._score_all(terms, postings, weights, None)
        else:
            scored = self._max_score(terms, postings, weights, limit)
        return self._top(*scored, limit)

    def _compiled_top(
        self, terms: list[int], postings: list[Postings], weights: np.ndarray, limit: int
    ) -> list[Hit]:
        """`search` without `keys`, through the compiled inner loop: the same hits and bits."""
        assert compiled_scoring is not None  # `self.compiled` is only True when it is built
        docs = tuple(d for d, _ in postings)
        found = [self._impacts_and_top(t, p) for t, p in zip(terms, postings, strict=True)]
        impacts = tuple(i for i, _ in found)
        alive = self._alive[: self._slots]
        weight = tuple(weights.tolist())
        where = (self._article_of, self._position)
        total = sum(map(len, docs))
        keep = max(1, min(limit, total))  # the loop allocates `keep` slots: no more than fill
        if len(terms) > 1 and min(weight) > 0 and total > COMPILED_PRUNE_ABOVE_POSTINGS:
            # The largest actual impact gives a far tighter bound than max tf and min length.
            bounds = tuple(
                w * top * (1 + BOUND_SLACK) for w, (_, top) in zip(weight, found, strict=True)
            )
            rows = compiled_scoring.top_maxscore(docs, impacts, weight, alive, *where, bounds, keep)
        else:
            scratch = self._scratch()
            rows = compiled_scoring.top_all(
                docs, impacts, weight, alive, *where, scratch.scores, scratch.counts, keep
            )
        return self._rank(rows, limit)

    def _within(
        self,
        keys: Collection[str],
        terms: list[int],
        postings: list[Postings],
        weights: np.ndarray,
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
            return self._score_all(terms, postings, weights, allowed)
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
        scratch = self._scratch()
        touched: list[np.ndarray] = []  # passages first touched by each term read so far
        live: list[np.ndarray] = []  # the live ones among them
        seen = 0
        try:
            for step, term in enumerate(order):
                docs, tfs = postings[term]
                # Weights are > 0 here, so a passage no term has touched yet still scores 0.
                partial = scratch.scores[docs]
                fresh = docs[partial == 0.0]
                # A term names each passage once, so this adds its contribution once: the same
                # bits as `np.add.at`, without its per-element overhead.
                partial += weights[term] * self._impacts(terms[term], (docs, tfs))
                scratch.scores[docs] = partial
                touched.append(fresh)
                live.append(fresh[self._alive[fresh]] if self._live < self._slots else fresh)
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
        rows = zip(
            (-scores).tolist(),
            (-matched).tolist(),
            self._article_of[cands].tolist(),
            self._position[cands].tolist(),
            strict=True,
        )
        return self._rank(rows, limit)

    def _rank(self, rows: Iterable[Row], limit: int) -> list[Hit]:
        """The first `limit` of a few candidates by (score desc, matched desc, key, position)."""
        keys = self._article_keys
        ranked = sorted((score, count, keys[a] or "", p) for score, count, a, p in rows)[:limit]
        return [Hit(key, place, -score, -count) for score, count, key, place in ranked]

    # -- persistence ------------------------------------------------------------------------

    def save(self, directory: Path, fingerprint: str) -> None:
        """Write the index atomically: new data files first, then the manifest naming them."""
        save_index(self, directory, fingerprint)

    @classmethod
    def load(
        cls, directory: Path, fingerprint: str, *, k1: float, b: float, epsilon: float
    ) -> BM25Index | None:
        """The saved index, or None (logged) when it is missing, stale or damaged in any way."""
        arrays = read_cache(directory, fingerprint, [float(k1), float(b), float(epsilon)])
        if arrays is None:
            return None
        index = cls(k1=k1, b=b, epsilon=epsilon)
        return index if load_into(index, directory, arrays) else None
