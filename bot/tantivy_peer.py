"""tantivy as a peer for `python -m bot bench --peer tantivy`: the same tokens, the same questions.

Each passage's tokens (ours: stop words removed, Snowball stems) are indexed in tantivy's
in-memory index as one whitespace-separated text field, and each question is the Boolean OR of
its tokens as term queries, so both engines see exactly the same terms. tantivy scores with its
own BM25 (k1 1.2, b 0.75, its own idf), so the rankings are close but not identical; the bench
reports how close. tantivy is optional: `pip install 'quotebot[bench]'`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

INSTALL_HINT = "tantivy is not installed; install the bench extra: pip install 'quotebot[bench]'"
WRITER_HEAP_BYTES = 256_000_000
FIELD = "body"


class PeerMissingError(RuntimeError):
    """The peer search engine asked for is not installed."""


def import_tantivy() -> ModuleType:
    """The tantivy module, or PeerMissingError saying how to install it."""
    try:
        return importlib.import_module("tantivy")
    except ImportError as exc:
        raise PeerMissingError(INSTALL_HINT) from exc


class TantivyPeer:
    """An in-memory tantivy index of tokenised passages, numbered in the order given."""

    def __init__(self, passages: Iterable[Sequence[str]]) -> None:
        tantivy = import_tantivy()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field(FIELD, tokenizer_name="whitespace", index_option="freq")
        builder.add_integer_field("row", stored=True)
        self._schema = builder.build()
        self._tantivy = tantivy
        self._index = tantivy.Index(self._schema)
        writer = self._index.writer(WRITER_HEAP_BYTES, 1)  # one thread: the machine is shared
        self.size = 0
        for tokens in passages:
            writer.add_document(tantivy.Document(body=" ".join(tokens), row=self.size))
            self.size += 1
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()
        self._should = tantivy.Occur.Should

    @property
    def segments(self) -> int:
        return int(self._searcher.num_segments)

    def query(self, tokens: Sequence[str]) -> Any:
        """The OR of the tokens as term queries (a repeated token counts again, as in ours)."""
        return self._tantivy.Query.boolean_query(
            [
                (self._should, self._tantivy.Query.term_query(self._schema, FIELD, token))
                for token in tokens
            ]
        )

    def search(self, query: Any, limit: int = 10) -> list[int]:
        """The rows of the best `limit` passages (tantivy also counts every match)."""
        result = self._searcher.search(query, limit)
        return [self._searcher.doc(address)["row"][0] for _, address in result.hits]

    def top(self, query: Any, limit: int = 10) -> Any:
        """tantivy's own result (scores and addresses, plus the hit count): what is timed."""
        return self._searcher.search(query, limit)
