"""Lexical index: BM25 postings and exact top-k search, its cache, and the forward store.

- `bm25.py`: `BM25Index` (add/remove/search), rank-bm25's BM25Okapi scores from postings;
- `segments.py`: the immutable postings segments and their merges;
- `cache.py`: the persisted, checksummed cache (save, load, consistency checks);
- `forward.py`: each passage's term ids, and `TermCounts` for the re-ranker.
"""

from bot.index.bm25 import BM25Index, Hit
from bot.index.forward import TermCounts

__all__ = ["BM25Index", "Hit", "TermCounts"]
