"""Postings in immutable segments: term -> passage ids (ascending) and term frequencies.

A segment covers a contiguous range of passage ids. The index appends one per added article and
merges neighbours logarithmically; save/load (and compaction) leave a single one.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

# Segments with this many postings get a dense term id -> slot map instead of a binary search.
DENSE_LOOKUP_POSTINGS = 1 << 16
DOC_ID = np.int32
T = TypeVar("T")

Postings = tuple[np.ndarray, np.ndarray]  # passage ids (int32, ascending), term frequencies


@dataclass(frozen=True)
class Segment:
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


def segment_from_pairs(
    term_col: np.ndarray, doc_col: np.ndarray, tfs: np.ndarray, first: int, end: int
) -> Segment:
    """Build a segment from postings already sorted by (term, passage)."""
    terms, starts = runs(term_col)
    ptr = np.append(starts, len(term_col)).astype(np.int64)
    return Segment(
        terms.astype(np.int32),
        ptr,
        doc_col.astype(DOC_ID),
        tfs.astype(np.int32),
        first,
        end,
        dense_slots(terms, len(term_col)),
    )


def dense_slots(terms: np.ndarray, postings: int) -> np.ndarray | None:
    """The term id -> slot map of a segment with this many postings (None for small ones)."""
    if postings < DENSE_LOOKUP_POSTINGS or len(terms) == 0:
        return None
    slot_of = np.full(int(terms[-1]) + 1, -1, dtype=np.int32)
    slot_of[terms] = np.arange(len(terms), dtype=np.int32)
    return slot_of


def runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and where each run of them starts."""
    if len(values) == 0:
        return values[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    return values[starts], starts


def merge(older: Segment, newer: Segment, alive: np.ndarray) -> Segment:
    """One segment with the live postings of two adjacent ones."""
    term_col = np.concatenate([np.repeat(seg.terms, np.diff(seg.ptr)) for seg in (older, newer)])
    docs = np.concatenate([older.docs, newer.docs])
    tfs = np.concatenate([older.tfs, newer.tfs])
    keep = alive[docs]
    term_col, docs, tfs = term_col[keep], docs[keep], tfs[keep]
    # Each input is sorted by (term, passage) and all of `older` precedes `newer` in passage id,
    # so a stable sort by term alone yields (term, passage) order (timsort merges the two runs).
    order = np.argsort(term_col, kind="stable")
    return segment_from_pairs(term_col[order], docs[order], tfs[order], older.first, newer.end)


def grown(array: np.ndarray, size: int, fill: int | bool = 0) -> np.ndarray:
    """`array` with room for at least `size` entries (amortised doubling), new slots = fill."""
    if size <= len(array):
        return array
    bigger = np.full(max(size, 2 * len(array), 16), fill, dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


def starts_of(sizes: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of these sizes starts, plus the total at the end."""
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    return starts


def pick(values: list[T], slots: list[int]) -> tuple[T, ...]:
    """`values[s]` for each slot, gathered in C: a third faster than a comprehension."""
    if len(slots) < 2:  # itemgetter of one index returns the value, not a tuple
        return tuple(values[s] for s in slots)
    return operator.itemgetter(*slots)(values)
