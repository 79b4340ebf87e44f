"""A followed feed's status as /feeds and `python -m bot feeds` show it."""

from __future__ import annotations

from bot.feeds.state import Feed, FeedState


def feed_status(state: FeedState, feed: Feed) -> dict[str, object]:
    """Plain values: where it is, when it was last polled, what it brought, its last error."""
    return {
        "id": feed.id,
        "kind": feed.kind,
        "url": feed.url,
        "title": feed.title,
        "every_minutes": round(feed.interval_seconds / 60, 1),
        "last_poll": feed.last_poll,
        "last_new": feed.last_new,
        "total_new": feed.total_new,
        "last_error": feed.last_error,
        "failed_polls_in_a_row": feed.errors,
        "entries": state.entry_counts(feed.id),
    }
