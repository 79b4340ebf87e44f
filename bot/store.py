"""The corpus on disk: one human-readable JSON file per article, written atomically."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, get_args

from bot.durable import fsync_directory, write_atomically
from bot.models import (
    Article,
    ArticleNotFoundError,
    Attribution,
    AttributionSource,
    Passage,
    StoreError,
)

log = logging.getLogger(__name__)

# Bump when the way sentences or attributions are derived changes: stored
# sentences from an older pipeline are recomputed on load instead of trusted.
PIPELINE_VERSION = 8
ARTICLE_SUFFIX = ".json"
# A temporary file of an interrupted save older than this is debris, not a save in progress.
STALE_TEMPORARY_SECONDS = 3600
# An id names a file in the corpus folder: nothing that could leave it ("../x", "/etc/x").
SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
ATTRIBUTION_SOURCES: frozenset[str] = frozenset(get_args(AttributionSource))
# A stored sentence kept compact until quoted: (paragraph, text, speaker, cue, source).
SentenceRow = tuple[int, str, str | None, str | None, AttributionSource]
ARTICLE_FIELDS = ("id", "title", "outlet", "url", "published", "author", "added")


class FileStamp(NamedTuple):
    """What a file's stat said when it was read or written: a changed file changes these."""

    size: int
    mtime_ns: int


class PassageRows(Sequence[Passage]):
    """An article's sentences, readable without making a Passage object for each one.

    The library keeps every article's sentences as one of these, so its hot paths (the text of
    a hit, indexing, writing the snapshot) take the same route whatever the sentences came from.
    """

    __slots__ = ()

    @abstractmethod
    def text(self, position: int) -> str:
        """One sentence's text."""

    @abstractmethod
    def texts(self) -> list[str]:
        """The sentences' texts, in order (for indexing)."""

    @abstractmethod
    def paragraphs(self) -> list[int]:
        """The sentences' paragraph numbers, in order."""

    @abstractmethod
    def rows(self) -> Iterator[SentenceRow]:
        """Every sentence as a compact row (paragraph, text, speaker, cue, source)."""


class StoredPassages(PassageRows):
    """An article's stored sentences, made into Passage objects only when first read.

    A warm start at 1M sentences spends ~11 s building Passage and Attribution records that
    mostly nobody reads; kept as compact rows they cost a tuple each until quoted.
    """

    __slots__ = ("_article_id", "_rows")

    def __init__(self, article_id: str, rows: list[SentenceRow | Passage]) -> None:
        self._article_id = article_id
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, position: int | slice) -> Any:
        if isinstance(position, slice):
            return tuple(self[i] for i in range(*position.indices(len(self._rows))))
        row = self._rows[position]
        if isinstance(row, Passage):
            return row
        if position < 0:
            position += len(self._rows)
        paragraph, text, speaker, cue, source = row
        made = Passage(
            self._article_id, position, paragraph, text, Attribution(speaker, cue, source)
        )
        self._rows[position] = made  # a racing reader builds an equal one: harmless
        return made

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self._rows)))

    def paragraphs(self) -> list[int]:
        """The sentences' paragraph numbers, without making Passage objects."""
        return [row.paragraph if isinstance(row, Passage) else row[0] for row in self._rows]

    def text(self, position: int) -> str:
        """One sentence's text, without making a Passage object."""
        row = self._rows[position]
        return row.text if isinstance(row, Passage) else row[1]

    def texts(self) -> list[str]:
        """The sentences' texts, without making Passage objects (for indexing)."""
        return [row.text if isinstance(row, Passage) else row[1] for row in self._rows]

    def rows(self) -> Iterator[SentenceRow]:
        """Every sentence as a row, without making (or keeping) Passage objects."""
        for row in self._rows:
            if isinstance(row, Passage):
                credit = row.attribution
                yield row.paragraph, row.text, credit.speaker, credit.cue, credit.source
            else:
                yield row


def sentence_rows(sentences: object) -> list[SentenceRow | Passage] | None:
    """Stored sentences as rows, or None unless every one is exactly as `ArticleStore` writes it.

    None sends the record down `record_to_article`, so anything unusual is read (or refused)
    exactly as the store reads it.
    """
    if not isinstance(sentences, list):
        return None
    # One comprehension, then one check over the rows: about twice as fast as checking each
    # sentence as it is converted, which matters for a warm start of a million sentences.
    try:
        rows = [
            (s["paragraph"], s["text"], s.get("speaker"), s.get("cue"), s.get("attribution"))
            for s in sentences
        ]
        exact = all(
            type(paragraph) is int
            and type(text) is str
            and (speaker is None or type(speaker) is str)
            and (cue is None or type(cue) is str)
            and (not source or source in ATTRIBUTION_SOURCES)
            for paragraph, text, speaker, cue, source in rows
        )
    except (TypeError, KeyError, AttributeError):  # not an object, no field, unhashable value
        return None
    if not exact:
        return None
    # A missing or empty attribution reads as "none", as `record_to_article` reads it.
    return [row if row[4] else (*row[:4], "none") for row in rows]


@dataclass(frozen=True)
class StoredArticle:
    """An article as kept on disk, with its sentences when they are current."""

    article: Article
    passages: PassageRows | None  # None: absent or from an older pipeline
    path: Path


def article_to_record(article: Article, passages: tuple[Passage, ...]) -> dict[str, Any]:
    """The JSON-safe record written for an article: metadata, paragraphs, attributed sentences."""
    record: dict[str, Any] = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    record["paragraphs"] = list(article.paragraphs)
    record["pipeline"] = PIPELINE_VERSION
    record["sentences"] = [
        {
            "paragraph": p.paragraph,
            "text": p.text,
            "speaker": p.attribution.speaker,
            "cue": p.attribution.cue,
            "attribution": p.attribution.source,
        }
        for p in passages
    ]
    return record


def record_to_article(record: dict[str, Any]) -> StoredArticle:
    """Read back a record written by `article_to_record`; raises StoreError when malformed."""
    try:
        paragraphs = tuple(str(p) for p in record["paragraphs"])
        article = Article(
            id=str(record["id"]),
            title=str(record["title"]),
            paragraphs=paragraphs,
            **{name: _optional_str(record.get(name)) for name in ARTICLE_FIELDS[2:]},
        )
        passages: PassageRows | None = None
        current = record.get("pipeline") == PIPELINE_VERSION
        rows = sentence_rows(record.get("sentences")) if current else None
        if rows is not None:
            passages = StoredPassages(article.id, rows)
        elif current and isinstance(record.get("sentences"), list):
            strict: list[SentenceRow | Passage] = [
                Passage(
                    article_id=article.id,
                    position=position,
                    paragraph=int(s["paragraph"]),
                    text=str(s["text"]),
                    attribution=Attribution(
                        speaker=_optional_str(s.get("speaker")),
                        cue=_optional_str(s.get("cue")),
                        source=s.get("attribution") or "none",
                    ),
                )
                for position, s in enumerate(record["sentences"])
            ]
            passages = StoredPassages(article.id, strict)
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"malformed article record: {exc}") from exc
    if not article.id or not paragraphs:
        raise StoreError("malformed article record: empty id or body")
    return StoredArticle(article=article, passages=passages, path=Path())


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


class ArticleStore:
    """Articles as files `<id>.json` in one folder; every write is temp file + rename."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, article_id: str) -> Path:
        """The article's file; StoreError for an id that could name a file elsewhere."""
        if not SAFE_ID.fullmatch(article_id):
            raise StoreError(f"unsafe article id {article_id!r}")
        return self.directory / f"{article_id}{ARTICLE_SUFFIX}"

    def load_all(self) -> list[StoredArticle]:
        """Every readable article in the folder; unreadable files are logged and skipped."""
        return [stored for name in self.scan() if (stored := self.read(name)) is not None]

    def scan(self) -> dict[str, FileStamp]:
        """The article files' names, sorted, with their stamps; debris of killed saves removed."""
        if not self.directory.is_dir():
            return {}
        self._remove_stale_temporaries()
        stamps: dict[str, FileStamp] = {}
        # One listing whose entries carry their stat: 33k Path objects and stat calls cost ~1 s.
        with os.scandir(self.directory) as entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(ARTICLE_SUFFIX) or name.startswith("."):
                    continue
                try:
                    stat = entry.stat()
                except OSError:  # a dangling link, say: `read` logs why it cannot be loaded
                    stat = None
                stamps[name] = (
                    FileStamp(stat.st_size, stat.st_mtime_ns) if stat else FileStamp(-1, -1)
                )
        # Sorted as strings: the order articles are met in decides which of two files with the
        # same article id wins, so it must not depend on the folder's listing order.
        return dict(sorted(stamps.items()))

    def stamp(self, path: Path) -> FileStamp | None:
        """The file's stamp now, or None when it cannot be read."""
        try:
            stat = path.stat()
        except OSError:
            return None
        return FileStamp(stat.st_size, stat.st_mtime_ns)

    def read(self, name: str) -> StoredArticle | None:
        """The article file of this name in the folder, or None (logged) when unreadable."""
        path = self.directory / name
        try:
            return self.load(path)
        except StoreError as exc:
            log.error("skipping %s: %s", path, exc)
            return None

    def _remove_stale_temporaries(self) -> None:
        """Delete half-written files left by a process killed mid-save (never loaded anyway).

        Only old ones: a fresh one may belong to another process saving right now.
        """
        cutoff = time.time() - STALE_TEMPORARY_SECONDS
        removed = 0
        for path in self.directory.glob(f".*{ARTICLE_SUFFIX}.*.tmp"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        if removed:
            log.info("removed %d unfinished article files from %s", removed, self.directory)

    def load(self, path: Path) -> StoredArticle:
        """One article file; raises StoreError when it cannot be read."""
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"cannot read {path.name}: {exc}") from exc
        if not isinstance(record, dict):
            raise StoreError(f"cannot read {path.name}: not a JSON object")
        loaded = record_to_article(record)
        return StoredArticle(article=loaded.article, passages=loaded.passages, path=path)

    def save(self, article: Article, passages: tuple[Passage, ...]) -> Path:
        """Write the article durably: it is either fully there or not there at all."""
        record = article_to_record(article, passages)
        text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        path = self.path_for(article.id)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(path, text.encode("utf-8"))
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc}") from exc
        return path

    def delete(self, article_id: str) -> None:
        """Remove the article's file; ArticleNotFoundError when there is none."""
        path = self.path_for(article_id)
        try:
            path.unlink()
        except FileNotFoundError as exc:
            raise ArticleNotFoundError(f"no article with id {article_id}") from exc
        except OSError as exc:
            raise StoreError(f"cannot delete {path}: {exc}") from exc
        fsync_directory(self.directory)
