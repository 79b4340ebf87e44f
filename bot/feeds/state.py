"""Feeds, entries, subscriptions and the outbox, kept in the state database.

Every change that must happen together is one transaction: a poll's new entries with the
feed's validators; an entry's outcome with the announcements it causes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.feeds.parse import FeedEntry
from bot.state import StateDB

FEED_COLUMNS = (
    "id, kind, url, title, chat_id, interval_seconds, etag, last_modified, added, next_poll, "
    "last_poll, last_new, total_new, last_error, errors"
)


@dataclass(frozen=True)
class Feed:
    """A followed feed or channel and how its polls went."""

    id: int
    kind: str  # "feed" or "channel"
    url: str
    title: str | None
    chat_id: int | None
    interval_seconds: float
    etag: str | None
    last_modified: str | None
    added: str
    next_poll: float
    last_poll: str | None
    last_new: int
    total_new: int
    last_error: str | None
    errors: int

    @property
    def name(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class PendingEntry:
    feed_id: int
    key: str
    link: str | None
    title: str | None
    content: str | None
    seen: str
    attempts: int = 0


@dataclass(frozen=True)
class Delivery:
    id: int
    chat_id: int
    article_id: str
    attempts: int


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (Row has no __iter__ of keys)


class FeedState:
    """What the bot follows and has seen; a thin layer of named queries over `StateDB`."""

    def __init__(self, db: StateDB) -> None:
        self.db = db

    # -- feeds -----------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        *,
        kind: str = "feed",
        title: str | None = None,
        chat_id: int | None = None,
        interval_seconds: float,
    ) -> tuple[Feed, bool]:
        """Follow a feed or channel; (the feed, False) when it was already followed."""
        with self.db.transaction() as db:
            row = db.execute(f"SELECT {FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is not None:
                return _feed(row), False
            db.execute(
                "INSERT INTO feeds (kind, url, title, chat_id, interval_seconds, added) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, url, title, chat_id, interval_seconds, now_iso()),
            )
            row = db.execute(f"SELECT {FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed(row), True

    def feeds(self, kind: str | None = None) -> list[Feed]:
        """Every followed feed (or only feeds / channels), in the order they were followed."""
        if kind is None:
            rows = self.db.rows(f"SELECT {FEED_COLUMNS} FROM feeds ORDER BY id")
        else:
            rows = self.db.rows(
                f"SELECT {FEED_COLUMNS} FROM feeds WHERE kind = ? ORDER BY id", (kind,)
            )
        return [_feed(row) for row in rows]

    def find(self, reference: str) -> Feed | None:
        """A feed by its URL, channel name or number as /feeds lists it."""
        reference = reference.strip()
        for feed in self.feeds():
            if reference in (feed.url, str(feed.id)) or (
                feed.kind == "channel" and reference.lower() == feed.url.lower()
            ):
                return feed
        return None

    def channel(self, chat_id: int) -> Feed | None:
        rows = self.db.rows(
            f"SELECT {FEED_COLUMNS} FROM feeds WHERE kind = 'channel' AND chat_id = ?", (chat_id,)
        )
        return _feed(rows[0]) if rows else None

    def remove_feed(self, feed_id: int) -> None:
        """Stop following; what it brought stays in the corpus."""
        with self.db.transaction() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def due(self, now: float) -> list[Feed]:
        """Feeds whose next poll time has come, the longest-waiting first."""
        rows = self.db.rows(
            f"SELECT {FEED_COLUMNS} FROM feeds WHERE kind = 'feed' AND next_poll <= ? "
            "ORDER BY next_poll, id",
            (now,),
        )
        return [_feed(row) for row in rows]

    def record_fetch(
        self,
        feed: Feed,
        entries: Iterable[FeedEntry],
        *,
        cap: int,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> tuple[int, int]:
        """Remember a fetched feed: up to `cap` unseen entries as pending, the rest skipped.

        The validators are stored in the same transaction, so a 304 next time can never hide
        an entry that was not recorded. Returns (pending, skipped) counts.
        """
        seen = now_iso()
        pending = skipped = 0
        with self.db.transaction() as db:
            known = {
                row[0]
                for row in db.execute("SELECT key FROM entries WHERE feed_id = ?", (feed.id,))
            }
            for entry in entries:
                if entry.key in known:
                    continue
                known.add(entry.key)
                status = "pending" if pending < cap else "skipped"
                error = None if status == "pending" else f"over the cap of {cap} new items a poll"
                db.execute(
                    "INSERT INTO entries (feed_id, key, link, title, content, status, error, "
                    "seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        feed.id,
                        entry.key,
                        entry.link,
                        entry.title,
                        entry.content if status == "pending" else None,  # kept only until used
                        status,
                        error,
                        seen,
                    ),
                )
                pending += status == "pending"
                skipped += status == "skipped"
            db.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, title = COALESCE(title, ?) "
                "WHERE id = ?",
                (etag, last_modified, title, feed.id),
            )
        return pending, skipped

    def record_post(self, feed: Feed, key: str, link: str | None, content: str | None) -> bool:
        """Remember one item of a channel post as pending; False when it was seen before."""
        with self.db.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO entries (feed_id, key, link, content, status, seen) "
                "VALUES (?, ?, ?, ?, 'pending', ?)",
                (feed.id, key, link, content, now_iso()),
            )
            return cursor.rowcount == 1

    def pending(self, feed_id: int) -> list[PendingEntry]:
        """Entries recorded but not yet ingested, including those a crash interrupted."""
        rows = self.db.rows(
            "SELECT feed_id, key, link, title, content, seen, attempts FROM entries "
            "WHERE feed_id = ? AND status = 'pending' ORDER BY rowid",
            (feed_id,),
        )
        return [PendingEntry(*row) for row in rows]

    def finish_entry(
        self, entry: PendingEntry, status: str, article_id: str | None, error: str | None
    ) -> None:
        """Record an entry's outcome; an added article is queued for every subscribed chat."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE entries SET status = ?, article_id = ?, error = ?, content = NULL "
                "WHERE feed_id = ? AND key = ?",
                (status, article_id, error, entry.feed_id, entry.key),
            )
            if status == "added":
                db.execute(
                    "INSERT OR IGNORE INTO outbox (chat_id, article_id) "
                    "SELECT chat_id, ? FROM subscriptions",
                    (article_id,),
                )

    def retry_entry(self, entry: PendingEntry, error: str) -> None:
        """Leave the entry pending for the next poll, counting the failed attempt."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE entries SET attempts = attempts + 1, error = ? "
                "WHERE feed_id = ? AND key = ?",
                (error, entry.feed_id, entry.key),
            )

    def article_claimed(self, article_id: str) -> bool:
        """True when some entry already brought this article in."""
        rows = self.db.rows(
            "SELECT 1 FROM entries WHERE article_id = ? AND status = 'added' LIMIT 1",
            (article_id,),
        )
        return bool(rows)

    def record_poll(
        self, feed_id: int, *, new: int, error: str | None, next_poll: float, errors: int
    ) -> None:
        """The outcome of one poll: when, how many new articles, the error if any, when next."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE feeds SET last_poll = ?, last_new = ?, total_new = total_new + ?, "
                "last_error = ?, errors = ?, next_poll = ? WHERE id = ?",
                (now_iso(), new, new, error, errors, next_poll, feed_id),
            )

    def entry_counts(self, feed_id: int) -> dict[str, int]:
        rows = self.db.rows(
            "SELECT status, COUNT(*) FROM entries WHERE feed_id = ? GROUP BY status", (feed_id,)
        )
        return {row[0]: row[1] for row in rows}

    # -- subscriptions and the outbox ------------------------------------------------------

    def subscribe(self, chat_id: int) -> bool:
        """Send new articles to the chat; False when it was already subscribed."""
        with self.db.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, added) VALUES (?, ?)",
                (chat_id, now_iso()),
            )
            return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int) -> bool:
        """Stop sending (and drop what was queued); False when the chat was not subscribed."""
        with self.db.transaction() as db:
            cursor = db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount == 1

    def subscribers(self) -> list[int]:
        return [row[0] for row in self.db.rows("SELECT chat_id FROM subscriptions")]

    def outbox(self, limit: int) -> list[Delivery]:
        """Announcements waiting to be sent, oldest first."""
        rows = self.db.rows(
            "SELECT id, chat_id, article_id, attempts FROM outbox ORDER BY id LIMIT ?", (limit,)
        )
        return [Delivery(*row) for row in rows]

    def delivered(self, delivery: Delivery) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (delivery.id,))

    def failed_delivery(self, delivery: Delivery, max_attempts: int) -> None:
        """Count a failed send; the announcement is dropped after `max_attempts`."""
        with self.db.transaction() as db:
            if delivery.attempts + 1 >= max_attempts:
                db.execute("DELETE FROM outbox WHERE id = ?", (delivery.id,))
            else:
                db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (delivery.id,))
