"""Feed documents -> entries: RSS 2.0 and Atom through feedparser, JSON Feed by hand.

Also finds a site's feeds from its home page (`<link rel="alternate" type="...">`).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.models import FeedError

FEED_LINK_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
JSON_TYPES = frozenset({"application/feed+json", "application/json"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
MAX_KEY_CHARS = 2000


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: what identifies it, where it links and any full text it carries."""

    key: str
    link: str | None
    title: str | None
    content: str | None  # HTML of the full text or summary the feed carries


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]


def looks_like_html(text: str, content_type: str) -> bool:
    """True for a web page (a home page to discover feeds on), not a feed document."""
    return content_type in HTML_TYPES or bool(HTML_START.match(text[:4096]))


def parse_feed(text: str, content_type: str, url: str) -> ParsedFeed:
    """Parse a feed document; FeedError with a reason when it is not a readable feed."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if content_type in JSON_TYPES or stripped.startswith("{"):
        return parse_json_feed(stripped, url)
    if looks_like_html(stripped, content_type):
        raise FeedError("that is a web page, not a feed (and it names no feed)")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(stripped, response_headers=headers)
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise FeedError(f"not an RSS or Atom feed{detail}")
    # Entries with nothing in them are what a parser makes of a document cut off mid-item.
    entries = tuple(
        _xml_entry(entry, url)
        for entry in parsed.get("entries", [])
        if entry.get("link") or entry.get("title") or entry.get("summary") or entry.get("id")
    )
    if parsed.get("bozo") and not entries:
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
    # A feed with an XML error that still yields entries is read as far as it goes, as
    # readers do: a stray "&" in one title should not stop a whole site.
    return ParsedFeed(_clean(parsed.get("feed", {}).get("title")), entries)


def _xml_entry(entry: Any, base: str) -> FeedEntry:
    link = _absolute(entry.get("link"), base)
    key = entry.get("id") or link
    if not key:
        # Nothing identifies it across polls; the title and text are the best we have.
        key = "text:" + (entry.get("title") or "") + (entry.get("summary") or "")[:200]
    content = None
    if entry.get("content"):
        content = max((part.get("value") or "" for part in entry["content"]), key=len) or None
    return FeedEntry(
        key=str(key)[:MAX_KEY_CHARS],
        link=link,
        title=_clean(entry.get("title")),
        content=content or entry.get("summary") or None,
    )


def parse_json_feed(text: str, url: str) -> ParsedFeed:
    """A JSON Feed (jsonfeed.org, version 1 or 1.1)."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise FeedError(f"not a JSON Feed: {exc}") from exc
    if not isinstance(document, dict) or "jsonfeed.org/version" not in str(
        document.get("version", "")
    ):
        raise FeedError("not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("not a JSON Feed: it has no list of items")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _absolute(_text(item.get("url")) or _text(item.get("external_url")), url)
        key = _text(item.get("id")) or link
        content = _text(item.get("content_html")) or _paragraphs_html(item.get("content_text"))
        if not key:
            key = "text:" + (_text(item.get("title")) or "") + (content or "")[:200]
        entries.append(FeedEntry(key[:MAX_KEY_CHARS], link, _clean(item.get("title")), content))
    return ParsedFeed(_clean(document.get("title")), tuple(entries))


class _AlternateLinks(HTMLParser):
    """Collects `<link rel="alternate" type="<feed type>" href>` from a page's head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_LINK_TYPES and values.get("href"):
            self.found.append(values["href"].strip())


def discover_feeds(html: str, base: str) -> list[str]:
    """The feed URLs a page names, absolute, in page order, without repeats."""
    parser = _AlternateLinks()
    parser.feed(html[:1_000_000])
    parser.close()
    urls: list[str] = []
    for href in parser.found:
        url = urljoin(base, href)
        if url not in urls:
            urls.append(url)
    return urls


def _paragraphs_html(value: object) -> str | None:
    """Plain text (JSON Feed's content_text) as HTML paragraphs, escaped."""
    text = _text(value)
    if not text:
        return None
    parts = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part)}</p>" for part in parts)


def _absolute(link: object, base: str) -> str | None:
    text = _text(link)
    return urljoin(base, text) if text else None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _clean(value: object) -> str | None:
    text = _text(value)
    return " ".join(text.split())[:300] if text else None
