"""Following and unfollowing: a feed URL is checked (or found on a home page) before it is kept."""

from __future__ import annotations

import re

from bot.feeds.fetch import fetch_feed
from bot.feeds.parse import discover_feeds, looks_like_html, parse_feed
from bot.feeds.state import Feed, FeedState
from bot.models import FeedError
from bot.settings import Settings

CHANNEL_NAME = re.compile(r"^@[A-Za-z][A-Za-z0-9_]{3,31}$")
NO_FEED_ON_PAGE = (
    'that page is not a feed and names none (no <link rel="alternate"> to RSS, Atom or JSON Feed)'
)


def is_channel_name(reference: str) -> bool:
    return CHANNEL_NAME.match(reference.strip()) is not None


def follow_feed(
    url: str, settings: Settings, state: FeedState, *, minutes: float | None = None
) -> tuple[Feed, bool]:
    """Follow a feed, or the first feed a home page names; FeedError says why not.

    Returns the feed and whether it is new (False: it was already followed).
    """
    page = fetch_feed(url, settings)
    feed_url = url.strip()
    if page.status == 200 and looks_like_html(page.text, page.content_type):
        found = discover_feeds(page.text, page.url)
        if not found:
            raise FeedError(NO_FEED_ON_PAGE)
        feed_url = found[0]
        page = fetch_feed(feed_url, settings)
    parsed = parse_feed(page.text, page.content_type, page.url)
    interval = 60.0 * (minutes if minutes is not None else settings.feed_poll_minutes)
    return state.add_feed(feed_url, title=parsed.title, interval_seconds=interval)


def follow_channel(
    name: str, chat_id: int, title: str | None, settings: Settings, state: FeedState
) -> tuple[Feed, bool]:
    """Follow a Telegram channel the bot administers (checked by the caller)."""
    interval = 60.0 * settings.feed_poll_minutes  # unused for channels: posts arrive as updates
    return state.add_feed(
        name, kind="channel", title=title, chat_id=chat_id, interval_seconds=interval
    )
