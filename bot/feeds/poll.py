"""One poll pass: fetch the feeds that are due, record new entries, ingest each one.

Crash safety comes from the order of durable steps. New entries are recorded as pending (with
the feed's validators) in one transaction; an article file is written atomically by
`Library.add`; only then is its entry marked done. A kill at any point leaves entries pending,
and the next pass finishes them: an article already on disk is recognised as a duplicate of
itself and counted as added once, so nothing is lost and nothing is stored twice.
"""

from __future__ import annotations

import html
import logging
import random
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.feeds.fetch import HostGate, fetch_feed
from bot.feeds.parse import parse_feed
from bot.feeds.schedule import next_poll_at
from bot.feeds.state import Feed, FeedState, PendingEntry
from bot.ingest import read_text, read_url
from bot.library import Library
from bot.models import (
    Article,
    DuplicateArticleError,
    FeedError,
    FetchError,
    IngestError,
    UnsafeURLError,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

# A page that could not be fetched (timeout, 5xx ...) is tried at this many polls in all.
MAX_ENTRY_ATTEMPTS = 3
# Feed content with at least this much text is the article itself, not a teaser.
FULL_TEXT_MIN_CHARS = 600
TAG = re.compile(r"<[^>]+>")


@dataclass
class FeedPoll:
    """What one feed's poll did."""

    feed: Feed
    not_modified: bool = False
    error: str | None = None
    added: list[str] = field(default_factory=list)
    duplicates: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0


@dataclass
class PollReport:
    """What a pass over the due feeds did."""

    polls: list[FeedPoll] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def added(self) -> list[str]:
        return [article_id for poll in self.polls for article_id in poll.added]

    @property
    def not_modified(self) -> int:
        return sum(poll.not_modified for poll in self.polls)

    @property
    def errors(self) -> int:
        return sum(poll.error is not None for poll in self.polls)

    def summary(self) -> str:
        duplicates = sum(poll.duplicates for poll in self.polls)
        failed = sum(poll.failed for poll in self.polls)
        skipped = sum(poll.skipped for poll in self.polls)
        retrying = sum(poll.retrying for poll in self.polls)
        return (
            f"{len(self.polls)} feed(s) polled ({self.not_modified} unchanged, {self.errors} "
            f"failed): {len(self.added)} article(s) added, {duplicates} duplicate(s), "
            f"{failed} entr{'y' if failed == 1 else 'ies'} failed, {retrying} to retry, "
            f"{skipped} over the cap, "
            f"in {self.seconds:.1f} s"
        )


class Poller:
    """Polls feeds into the library; safe to call from any one thread at a time."""

    def __init__(
        self,
        settings: Settings,
        library: Library,
        state: FeedState,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.library = library
        self.state = state
        self.clock = clock
        self.rng = rng or random.Random()
        self.gate = HostGate()

    def poll_due(self, *, every_feed: bool = False) -> PollReport:
        """Poll every feed that is due (or every feed), several at once, one request at a
        time per host."""
        started = time.perf_counter()
        due = self.state.feeds("feed") if every_feed else self.state.due(self.clock())
        report = PollReport()
        if not due:
            return report
        workers = min(self.settings.feed_workers, len(due))
        with ThreadPoolExecutor(workers, thread_name_prefix="feed-poll") as pool:
            report.polls = list(pool.map(self.poll_feed_safely, due))
        report.seconds = time.perf_counter() - started
        log.info("feed poll: %s", report.summary())
        return report

    def poll_feed_safely(self, feed: Feed) -> FeedPoll:
        """`poll_feed`, with any unexpected failure logged and recorded: one feed never stops
        the others."""
        try:
            return self.poll_feed(feed)
        except Exception as exc:  # a background pass has nobody else to tell
            log.exception("feed %s: unexpected error while polling", feed.url)
            poll = FeedPoll(feed, error=f"internal error: {type(exc).__name__}")
            self._finish(feed, poll)
            return poll

    def poll_feed(self, feed: Feed) -> FeedPoll:
        """Fetch one feed, record its new entries and ingest every pending one."""
        poll = FeedPoll(feed)
        try:
            with self.gate.hold(feed.url):
                page = fetch_feed(
                    feed.url, self.settings, etag=feed.etag, last_modified=feed.last_modified
                )
            if page.status == 304:
                poll.not_modified = True
            else:
                parsed = parse_feed(page.text, page.content_type, page.url)
                _, poll.skipped = self.state.record_fetch(
                    feed,
                    parsed.entries,
                    cap=self.settings.feed_max_new_items,
                    etag=page.etag,
                    last_modified=page.last_modified,
                    title=parsed.title,
                )
        except FeedError as exc:
            poll.error = str(exc)
            log.warning("feed %s: %s", feed.url, exc)
        # Pending entries are finished even when the fetch failed: a crash may have left some.
        self.ingest_pending(feed, poll)
        self._finish(feed, poll)
        return poll

    def _finish(self, feed: Feed, poll: FeedPoll) -> None:
        errors = feed.errors + 1 if poll.error else 0
        next_poll = next_poll_at(
            self.clock(), feed.interval_seconds, errors, self.settings.feed_poll_jitter, self.rng
        )
        self.state.record_poll(
            feed.id, new=len(poll.added), error=poll.error, next_poll=next_poll, errors=errors
        )

    def ingest_pending(self, feed: Feed, poll: FeedPoll) -> None:
        """Ingest the feed's pending entries, recording each outcome as it happens."""
        for entry in self.state.pending(feed.id):
            status, article_id, error = self.ingest_entry(feed, entry)
            if status == "retry":
                self.state.retry_entry(entry, error or "")
                poll.retrying += 1
                continue
            self.state.finish_entry(entry, status, article_id, error)
            if status == "added" and article_id:
                poll.added.append(article_id)
            elif status == "duplicate":
                poll.duplicates += 1
            elif status == "failed":
                poll.failed += 1
                log.info(
                    "feed %s: entry %s not added: %s", feed.url, entry.link or entry.key, error
                )

    def ingest_entry(self, feed: Feed, entry: PendingEntry) -> tuple[str, str | None, str | None]:
        """(status, article id, error) for one entry: fetched, parsed and added, or why not."""
        if entry.link and (known := self.library.id_for_url(entry.link)) is not None:
            return self._duplicate(entry, known)
        try:
            article = self._read(feed, entry)
            added = self.library.add(article)
        except DuplicateArticleError as exc:
            return self._duplicate(entry, exc.existing_id)
        except UnsafeURLError as exc:
            return "failed", None, str(exc)[:500]
        except FetchError as exc:
            # Servers fail for a while; the next poll of the feed tries the page again.
            retry = entry.attempts + 1 < MAX_ENTRY_ATTEMPTS
            return ("retry" if retry else "failed"), None, str(exc)[:500]
        except IngestError as exc:
            return "failed", None, str(exc)[:500]
        return "added", added.id, None

    def _duplicate(self, entry: PendingEntry, article_id: str) -> tuple[str, str, None]:
        """A duplicate, unless it is this entry's own article, stored before a crash."""
        article = self.library.get(article_id)
        own = (
            article.added is not None
            and article.added >= entry.seen
            and not self.state.article_claimed(article_id)
        )
        return ("added" if own else "duplicate"), article_id, None

    def _read(self, feed: Feed, entry: PendingEntry) -> Article:
        if feed.kind == "channel" and entry.content:
            return read_text(entry.content, url=entry.link, name="channel post")
        if entry.content and len(TAG.sub("", entry.content)) >= FULL_TEXT_MIN_CHARS:
            return read_text(full_text_page(entry), fmt="html", url=entry.link, name=entry.key)
        if not entry.link:
            raise IngestError("the entry has no link and no full text")
        with self.gate.hold(entry.link):
            return read_url(
                entry.link, self.settings, allow_private=self.settings.fetch_allow_private
            )


def full_text_page(entry: PendingEntry) -> str:
    """A feed entry's full text as a page the HTML reader understands."""
    title = html.escape(entry.title or "")
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{entry.content}</article></body></html>"
    )
