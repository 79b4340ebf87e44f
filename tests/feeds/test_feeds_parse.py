"""Feed documents -> entries, and feeds found on home pages (pure, no network)."""

from __future__ import annotations

import json

import pytest

from bot.feeds.parse import discover_feeds, parse_feed
from bot.models import FeedError

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
<entry><id>urn:uuid:1</id><title>First</title><link href="/news/1"/>
<content type="html">&lt;p&gt;Full text&lt;/p&gt;</content></entry>
<entry><id>urn:uuid:2</id><title>Second</title><link rel="alternate" href="https://x.org/2"/></entry>
</feed>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON Desk",
        "items": [
            {"id": "a", "url": "/story/a", "title": "A", "content_html": "<p>A body</p>"},
            {"id": "b", "external_url": "https://y.org/b", "content_text": "B <b>\n\nMore"},
            "not an item",
        ],
    }
)


def test_atom_entries_keep_id_absolute_link_title_and_content() -> None:
    parsed = parse_feed(ATOM, "application/atom+xml", "https://x.org/feed")
    assert parsed.title == "Atom Desk"
    first, second = parsed.entries
    assert (first.key, first.link, first.title) == ("urn:uuid:1", "https://x.org/news/1", "First")
    assert first.content == "<p>Full text</p>"
    assert second.link == "https://x.org/2" and second.content is None


def test_json_feed_items_are_read_and_non_items_ignored() -> None:
    parsed = parse_feed(JSON_FEED, "application/feed+json", "https://j.org/feed.json")
    assert parsed.title == "JSON Desk"
    assert [(e.key, e.link, e.content) for e in parsed.entries] == [
        ("a", "https://j.org/story/a", "<p>A body</p>"),
        ("b", "https://y.org/b", "<p>B &lt;b&gt;</p><p>More</p>"),
    ]


@pytest.mark.parametrize(
    ("text", "content_type", "message"),
    [
        ('{"items": []}', "application/json", "no jsonfeed.org version"),
        ('{"version": "https://jsonfeed.org/version/1", "items": 3}', "", "no list of items"),
        ("{not json", "application/feed+json", "not a JSON Feed"),
        ("<html><body>hi</body></html>", "text/html", "web page, not a feed"),
        ("plain words", "text/plain", "not an RSS or Atom feed"),
    ],
    ids=["json-no-version", "json-items-not-list", "json-broken", "html", "plain-text"],
)
def test_documents_that_are_not_feeds_are_refused_with_the_reason(
    text: str, content_type: str, message: str
) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(text, content_type, "https://x.org/")


def test_home_page_feeds_are_found_absolute_and_in_page_order() -> None:
    page = """<html><head>
    <link rel="stylesheet" href="/style.css">
    <link rel="alternate" type="application/atom+xml" href="/atom.xml">
    <link rel="alternate" type="application/rss+xml; charset=utf-8" href="https://cdn.x.org/rss">
    <link rel="alternate" type="text/html" hreflang="de" href="/de/">
    <link rel="alternate" type="application/atom+xml" href="/atom.xml">
    </head><body></body></html>"""
    assert discover_feeds(page, "https://x.org/home/") == [
        "https://x.org/atom.xml",
        "https://cdn.x.org/rss",
    ]
