"""The index cache: the live index saved as flat, checksummed arrays, and read back.

A save writes the live passages renumbered 0..n-1 with dead terms dropped, as one segment; a
load rejects anything stale or inconsistent (logging why, once) so the caller rebuilds.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.durable import (
    MANIFEST_NAME,
    decode_strings,
    encode_strings,
    load_arrays,
    load_manifest,
    save_arrays,
)
from bot.index import segments
from bot.index.forward import ForwardStore
from bot.index.segments import DOC_ID, Segment, starts_of

if TYPE_CHECKING:
    from bot.index.bm25 import BM25Index

log = logging.getLogger(__name__)

# 2: adds the forward store (each passage's term ids), so caches written by 1 are rebuilt.
# 3: adds each passage's paragraph number and each article's headline terms.
FORMAT_VERSION = 3
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
# What a damaged cache can raise while it is read and checked.
LOAD_ERRORS = (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError)


def save_index(index: BM25Index, directory: Path, fingerprint: str) -> None:
    """Write the index atomically: new data files first, then the manifest naming them."""
    header = {
        "format_version": FORMAT_VERSION,
        "fingerprint": fingerprint,
        "k1": index.k1,
        "b": index.b,
        "epsilon": index.epsilon,
    }
    save_arrays(directory, header, compacted(index))


def read_cache(
    directory: Path, fingerprint: str, params: list[float]
) -> dict[str, np.ndarray] | None:
    """The saved arrays, or None (logged) when missing, stale or damaged."""
    if not (directory / MANIFEST_NAME).exists():
        return None  # no cache yet: nothing to explain
    try:
        manifest = load_manifest(directory)
        found = [manifest.get("k1"), manifest.get("b"), manifest.get("epsilon")]
        if manifest.get("format_version") != FORMAT_VERSION or found != params:
            log.info(
                "not using the index cache in %s: written with format %r and k1, b, epsilon %r "
                "(now %r and %r); rebuilding the index",
                directory,
                manifest.get("format_version"),
                found,
                FORMAT_VERSION,
                params,
            )
            return None
        if manifest.get("fingerprint") != fingerprint:
            log.info(
                "not using the index cache in %s: made by another tokenizer or pipeline "
                "(fingerprint %r, now %r); rebuilding the index",
                directory,
                manifest.get("fingerprint"),
                fingerprint,
            )
            return None
        return load_arrays(directory, manifest, SAVED_ARRAYS)
    except LOAD_ERRORS as exc:
        log.warning("not using the index cache in %s: %s; rebuilding the index", directory, exc)
        return None


def load_into(index: BM25Index, directory: Path, arrays: dict[str, np.ndarray]) -> bool:
    """Fill an empty index from saved arrays; False (logged) when they are inconsistent."""
    try:
        restore(index, arrays)
    except LOAD_ERRORS as exc:
        log.warning("not using the index cache in %s: %s; rebuilding the index", directory, exc)
        return False
    return True


def compacted(index: BM25Index) -> dict[str, np.ndarray]:
    """The live index as flat arrays with passages renumbered 0..n-1 and dead terms dropped."""
    live_slots = [s for s, k in enumerate(index._article_keys) if k is not None]
    firsts = np.array([index._article_first[s] for s in live_slots], dtype=np.int64)
    sizes = np.array([index._article_size[s] for s in live_slots], dtype=np.int64)
    new_id = np.full(index._slots, -1, dtype=np.int64)
    old_ids = (
        np.concatenate([np.arange(f, f + n) for f, n in zip(firsts, sizes, strict=True)])
        if live_slots
        else np.zeros(0, dtype=np.int64)
    )
    new_id[old_ids] = np.arange(len(old_ids))
    vocab = list(index._vocab)
    used = np.flatnonzero(index._df[: len(vocab)] > 0)
    new_term = np.full(len(vocab), -1, dtype=np.int64)
    new_term[used] = np.arange(len(used))
    term_cols, doc_cols, tf_cols = [], [], []
    for seg in index._segments:
        keep = index._alive[seg.docs]
        term_cols.append(new_term[np.repeat(seg.terms, np.diff(seg.ptr))[keep]])
        doc_cols.append(new_id[seg.docs[keep]])
        tf_cols.append(seg.tfs[keep])
    term_col = np.concatenate([*term_cols, np.zeros(0, dtype=np.int64)])
    order = np.argsort(term_col, kind="stable")
    ptr = np.zeros(len(used) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_col, minlength=len(used)), out=ptr[1:])
    vocab_blob, vocab_offsets = encode_strings([vocab[t] for t in used.tolist()])
    key_blob, key_offsets = encode_strings([index._article_keys[s] or "" for s in live_slots])
    # Terms never hold spaces (they are made from TOKEN matches), so a space joins them.
    title_blob, title_offsets = encode_strings(
        [" ".join(index._article_title[s]) for s in live_slots]
    )
    lengths = index._dl[old_ids].astype(np.int32)
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
        "forward_terms": compacted_forward(index, live_slots, lengths, sizes, new_term),
        "paragraphs": index._paragraph[old_ids].astype(np.int32),
        "title_blob": title_blob,
        "title_offsets": title_offsets,
    }


def compacted_forward(
    index: BM25Index,
    live_slots: list[int],
    lengths: np.ndarray,
    sizes: np.ndarray,
    new_term: np.ndarray,
) -> np.ndarray:
    """The live articles' term ids, in order, renumbered like the saved vocabulary."""
    totals = np.diff(starts_of(lengths)[starts_of(sizes)])
    pieces = [np.zeros(0, dtype=np.int32)]
    for slot, total in zip(live_slots, totals.tolist(), strict=True):
        pieces.append(index._forward.ids(slot, total))
    return new_term[np.concatenate(pieces)].astype(np.int32)


def restore(index: BM25Index, arrays: dict[str, np.ndarray]) -> None:
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
    if not rising.all() or not np.array_equal(np.bincount(docs, weights=tfs, minlength=n), lengths):
        raise ValueError("inconsistent postings")
    forward = arrays["forward_terms"]
    check_forward(forward, len(vocab), int(lengths.sum()), ptr, tfs)
    paragraphs = arrays["paragraphs"]
    if paragraphs.dtype != np.int32 or paragraphs.shape != (n,):
        raise ValueError("inconsistent paragraph numbers")
    index._vocab = {term: i for i, term in enumerate(vocab)}
    index._terms = vocab
    index._df = np.diff(ptr).astype(np.int64)
    starts = ptr[:-1]
    index._max_tf = np.maximum.reduceat(tfs, starts) if len(docs) else np.zeros(0, np.int32)
    index._min_dl = (
        np.minimum.reduceat(lengths[docs], starts) if len(docs) else np.zeros(0, np.int32)
    )
    terms = np.arange(len(vocab), dtype=np.int32)
    dense = terms if len(docs) >= segments.DENSE_LOOKUP_POSTINGS else None  # terms[t] == t
    index._segments = [Segment(terms, ptr, docs, tfs, 0, n, dense)] if len(docs) else []
    index._slots = n
    index._dl = lengths.astype(np.int32)
    index._article_of = np.repeat(np.arange(len(keys), dtype=np.int32), sizes)
    firsts = (np.cumsum(sizes) - sizes).astype(np.int64)
    index._position = (np.arange(n) - np.repeat(firsts, sizes)).astype(np.int32)
    index._paragraph = paragraphs
    index._alive = np.ones(n, dtype=bool)
    index._article_keys = list(keys)
    index._article_title = [tuple(title.split()) for title in titles]
    index._article_first = firsts.tolist()
    index._article_size = sizes.tolist()
    index._article_slot = {key: i for i, key in enumerate(keys)}
    index._forward = ForwardStore.restored(forward, starts_of(lengths)[firsts].tolist())
    index._live = n
    index._total_len = int(lengths.sum())
    index._version += 1


def check_forward(
    forward: np.ndarray, vocabulary: int, tokens: int, ptr: np.ndarray, tfs: np.ndarray
) -> None:
    """Reject a forward store that cannot hold the tokens the postings describe."""
    if forward.dtype != np.int32 or forward.shape != (tokens,):
        raise ValueError("inconsistent forward store")
    if tokens and (forward.min() < 0 or forward.max() >= vocabulary):
        raise ValueError("forward store names unknown terms")
    # Each term's total occurrences must agree with its postings: a linear-time check that
    # catches a store from another index or a buggy writer (the per-passage split is already
    # fixed by the checked lengths).
    occurrences = (
        np.add.reduceat(tfs, ptr[:-1], dtype=np.int64) if len(tfs) else np.zeros(0, np.int64)
    )
    if not np.array_equal(np.bincount(forward, minlength=vocabulary), occurrences):
        raise ValueError("forward store disagrees with the postings")
