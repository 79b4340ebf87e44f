"""The one durable home for small state: a SQLite file with WAL, transactions and migrations.

Each migration is a script run once, in order; `PRAGMA user_version` records how many ran, in
the same transaction as the script, so a crash leaves the file at one version or the next.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.models import StoreError

log = logging.getLogger(__name__)

STATE_FILE_NAME = "bot.sqlite3"

MIGRATIONS: tuple[str, ...] = (
    # 1: followed feeds and channels, what was seen of each, subscribed chats, messages to send.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('feed', 'channel')),
        url TEXT NOT NULL UNIQUE,          -- the feed URL, or @name / chat id of a channel
        title TEXT,
        chat_id INTEGER,                   -- channels only
        interval_seconds REAL NOT NULL,
        etag TEXT,
        last_modified TEXT,
        added TEXT NOT NULL,
        next_poll REAL NOT NULL DEFAULT 0, -- unix time
        last_poll TEXT,                    -- ISO time of the last attempt
        last_new INTEGER NOT NULL DEFAULT 0,
        total_new INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        errors INTEGER NOT NULL DEFAULT 0  -- consecutive failed polls, for the backoff
    );
    CREATE TABLE entries (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL,                 -- the entry's id, else its link
        link TEXT,
        title TEXT,
        content TEXT,                      -- full text carried by the feed, if any
        status TEXT NOT NULL
            CHECK (status IN ('pending', 'added', 'duplicate', 'failed', 'skipped')),
        article_id TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, -- failed fetches of its page so far
        seen TEXT NOT NULL,
        PRIMARY KEY (feed_id, key)
    );
    CREATE INDEX entries_pending ON entries (feed_id, status);
    CREATE TABLE subscriptions (
        chat_id INTEGER PRIMARY KEY,
        added TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES subscriptions(chat_id) ON DELETE CASCADE,
        article_id TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        UNIQUE (chat_id, article_id)
    );
    """,
)


class StateDB:
    """A SQLite file shared by threads: one connection, one lock, explicit transactions."""

    def __init__(
        self, path: Path, migrations: Sequence[str] = MIGRATIONS, synchronous: str = "FULL"
    ) -> None:
        self.path = path
        self.migrations = tuple(migrations)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions, only the ones `transaction` opens.
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed transaction survives power loss too, not only a killed process.
            # NORMAL (for data that can be computed again): a power loss may undo the last
            # transactions, never corrupt the file.
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=10000")
        except sqlite3.Error as exc:
            raise StoreError(f"could not open the state database {path}: {exc}") from exc
        self._lock = threading.RLock()
        self._migrate()

    @classmethod
    def open(cls, state_dir: Path) -> StateDB:
        """The state database in `state_dir`, created and migrated when needed."""
        return cls(state_dir / STATE_FILE_NAME)

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._lock:
            current = self.version
            if current > len(self.migrations):
                raise StoreError(
                    f"{self.path} was written by a newer version (schema {current}, "
                    f"this one knows {len(self.migrations)})"
                )
            for number in range(current, len(self.migrations)):
                with self.transaction() as db:
                    for statement in self.migrations[number].split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {number + 1}")
                log.info("state database %s migrated to version %d", self.path, number + 1)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All statements inside commit together or not at all (BEGIN IMMEDIATE: one writer)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """The rows of one read-only query."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()
