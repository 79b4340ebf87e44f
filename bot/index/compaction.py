"""Compaction: an index's segments merged into one, a bounded step at a time, off the lock.

Live adds leave a log-structured stack of segments (one big, several small). A query then looks
up each of its terms in every segment and concatenates the pieces of a common term's postings
(hundreds of thousands of entries) on every search, which a freshly loaded index, with one
segment, never does. A `Compaction` rebuilds one segment from a snapshot of the segments:

- each `step` merges the postings of one range of term ids (about `STEP_POSTINGS` of them) into
  arrays allocated up front, so no step holds the interpreter long, and searches (which only
  read the immutable segments) go on meanwhile;
- `commit` swaps the merged segment in, if the snapshotted segments are still the index's first
  ones (an add may have merged one of them meanwhile: then nothing changes and it can be tried
  again). It must run under the writers' lock, like `add` and `remove`.

The merged postings are the same (passage, tf) pairs, minus removed passages', so every score
stays bit for bit what it was. Passage ids are kept: renumbering them (and dropping removed
passages' forward-store tokens) is left to save/load, which rebuilds the index anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from bot.index.segments import DOC_ID, Segment, dense_slots, runs, starts_of

if TYPE_CHECKING:
    from bot.index.bm25 import BM25Index

log = logging.getLogger(__name__)

# Postings merged per step: a few milliseconds of numpy work, most of it without the GIL.
STEP_POSTINGS = 1 << 17
# The background compactor starts once no article has been added for this long ...
SETTLE_SECONDS = 1.0
# ... or once this long has passed since the first add it has not compacted yet.
LONGEST_WAIT_SECONDS = 30.0


class Compaction:
    """One merge of all of an index's current segments, run step by step."""

    def __init__(self, index: BM25Index) -> None:
        self._index = index
        self.segments = tuple(index._segments)
        total = sum(seg.nnz for seg in self.segments)
        self._docs = np.empty(total, dtype=DOC_ID)
        self._tfs = np.empty(total, dtype=np.int32)
        self._filled = 0
        self._terms: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._edges: list[int] | None = None  # term id ranges of the steps, planned by step 1
        self._next = 0

    @property
    def done(self) -> bool:
        return self._edges is not None and self._next + 1 >= len(self._edges)

    def step(self) -> bool:
        """Do the next bounded piece of the merge; True once everything is merged."""
        if self._edges is None:
            self._edges = self._plan()
        elif not self.done:
            self._merge_terms(self._edges[self._next], self._edges[self._next + 1])
            self._next += 1
        return self.done

    def run(self) -> None:
        """Every remaining step at once (for callers that need not share the interpreter)."""
        while not self.step():
            pass

    def commit(self) -> bool:
        """Swap the merged segment in (under the writers' lock); False if an add got there first."""
        if not self.done:
            raise RuntimeError("the compaction has steps left")
        docs, tfs = self._docs[: self._filled], self._tfs[: self._filled]
        merged = None
        if len(docs):
            terms = np.concatenate(self._terms).astype(np.int32)
            ptr = starts_of(np.concatenate(self._counts))
            first, end = self.segments[0].first, self.segments[-1].end
            merged = Segment(terms, ptr, docs, tfs, first, end, dense_slots(terms, len(docs)))
        return self._index._replace_segments(self.segments, merged)

    def _plan(self) -> list[int]:
        """Term id boundaries such that each range holds about `STEP_POSTINGS` postings."""
        vocabulary = max(
            (int(seg.terms[-1]) + 1 for seg in self.segments if len(seg.terms)), default=0
        )
        per_term = np.zeros(vocabulary, dtype=np.int64)
        for seg in self.segments:
            per_term[seg.terms] += np.diff(seg.ptr)
        cumulative = np.cumsum(per_term)
        total = int(cumulative[-1]) if vocabulary else 0
        cuts = np.searchsorted(cumulative, np.arange(STEP_POSTINGS, total, STEP_POSTINGS)) + 1
        return sorted({0, vocabulary, *cuts.tolist()})

    def _merge_terms(self, low: int, high: int) -> None:
        """Merge the live postings of term ids [low, high) into the output, in (term, id) order."""
        term_cols, doc_cols, tf_cols = [], [], []
        for seg in self.segments:  # in passage id order
            a, b = np.searchsorted(seg.terms, [low, high]).tolist()
            if a == b:
                continue
            lo, hi = int(seg.ptr[a]), int(seg.ptr[b])
            term_cols.append(np.repeat(seg.terms[a:b], np.diff(seg.ptr[a : b + 1])))
            doc_cols.append(seg.docs[lo:hi])
            tf_cols.append(seg.tfs[lo:hi])
        if not term_cols:
            return
        term_col, docs, tfs = (np.concatenate(c) for c in (term_cols, doc_cols, tf_cols))
        # Read the liveness now: a passage dead now stays dead (ids are never reused), and one
        # removed later keeps its postings here, skipped by searches like any dead posting.
        keep = self._index._alive[docs]
        term_col, docs, tfs = term_col[keep], docs[keep], tfs[keep]
        if high - low > 1:
            # Each segment's piece is in (term, id) order and the pieces are in id order, so a
            # stable sort by term alone gives (term, id) order (one term: it already is).
            order = np.argsort(term_col, kind="stable")
            term_col, docs, tfs = term_col[order], docs[order], tfs[order]
        count = len(docs)
        self._docs[self._filled : self._filled + count] = docs
        self._tfs[self._filled : self._filled + count] = tfs
        self._filled += count
        terms, starts = runs(term_col)
        self._terms.append(terms)
        self._counts.append(np.diff(np.append(starts, count)))


class Compactor:
    """A background thread that compacts once adds settle; call `notify` after each add.

    It waits until no add has come for `settle` seconds (or `longest_wait` has passed since
    the first unhandled one, so a steady feed cannot put compaction off for ever), then runs
    `compact`, which is given an event that is set when the compactor is asked to stop.
    """

    def __init__(
        self,
        compact: Callable[[threading.Event], bool],
        settle: float = SETTLE_SECONDS,
        longest_wait: float = LONGEST_WAIT_SECONDS,
    ) -> None:
        self._compact = compact
        self._settle = settle
        self._longest_wait = longest_wait
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-compactor", daemon=True)
        self.runs: list[tuple[float, float, bool]] = []  # perf_counter start, end, committed

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        """Something was added: compact once things are quiet."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to stop (a compaction under way is abandoned) and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if not self._quiet():
                return
            started = time.perf_counter()
            try:
                committed = self._compact(self._stop)
            except (ValueError, MemoryError) as exc:  # the index is unchanged: try next time
                log.warning("index compaction failed: %s", exc)
                committed = False
            self.runs.append((started, time.perf_counter(), committed))

    def _quiet(self) -> bool:
        """Wait for adds to settle; False when asked to stop."""
        first = time.monotonic()
        while self._wake.is_set() and time.monotonic() - first < self._longest_wait:
            self._wake.clear()
            if self._stop.wait(self._settle):
                return False
        self._wake.clear()
        return not self._stop.is_set()
