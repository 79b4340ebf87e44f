"""Feed documents fetched through the SSRF-safe fetcher, with conditional GET."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from bot.ingest.fetch import TEXT_CONTENT_TYPES, FetchedPage, fetch_url
from bot.models import FeedError, FetchError
from bot.settings import Settings

FEED_CONTENT_TYPES = TEXT_CONTENT_TYPES | {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
}
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)


class HostGate:
    """At most one request at a time to each host, across all threads of a poll."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)

    @contextmanager
    def hold(self, url: str) -> Iterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        with self._guard:
            lock = self._locks[host]
        with lock:
            yield


def fetch_feed(
    url: str,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchedPage:
    """GET a feed (or a home page to discover one on); status 304 when nothing changed."""
    headers = {"Accept": FEED_ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        return fetch_url(
            url,
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.feed_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            allow_private=settings.fetch_allow_private,
            headers=headers,
            content_types=FEED_CONTENT_TYPES,
        )
    except FeedError:
        raise
    except FetchError as exc:  # UnsafeURLError included: the reason reads the same
        raise FeedError(str(exc)) from exc
