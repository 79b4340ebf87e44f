"""Bad feeds get clear errors and harm nothing: the other feeds of the pass still work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.feeds.follow import follow_feed
from bot.feeds.poll import Poller
from bot.feeds.state import FeedState
from bot.library import Library
from bot.models import FeedError
from bot.settings import Settings
from bot.state import StateDB
from tests.feeds.feed_data import Clock, publish
from tests.feeds.feed_server import FeedServer, rss

BAD_FEEDS: list[tuple[str, dict[str, object], str]] = [
    ("malformed", {"body": "<rss><channel><title>x</title><item><titl"}, "malformed feed"),
    (
        "not-xml",
        {"body": "}}}{ not a feed at all", "content_type": "text/xml"},
        "not an RSS or Atom feed",
    ),
    (
        "html-page",
        {
            "body": "<!doctype html><html><body><p>Hello</p></body></html>",
            "content_type": "text/html",
        },
        "not a feed",
    ),
    ("too-large", {"body": "<rss>" + "x" * 10_000_000 + "</rss>"}, "too large: over 5 MB"),
    ("not-found", {"body": "gone", "status": 404, "content_type": "text/plain"}, "HTTP 404"),
    ("server-error", {"body": "oops", "status": 503, "content_type": "text/plain"}, "HTTP 503"),
    ("image", {"body": b"\x89PNG", "content_type": "image/png"}, "content type image/png"),
    ("slow", {"body": rss("Slow", []), "delay": 2.5}, "timed out after 1 s"),
]


def serve_bad(server: FeedServer, name: str, options: dict[str, object]) -> str:
    options = dict(options)
    body = options.pop("body")
    return server.set(f"/{name}.xml", body, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "options", "reason"), BAD_FEEDS, ids=[b[0] for b in BAD_FEEDS])
def test_following_a_bad_feed_is_refused_with_the_reason(
    server: FeedServer,
    make_settings: Callable[..., Settings],
    name: str,
    options: dict[str, object],
    reason: str,
) -> None:
    settings = make_settings(fetch_timeout_seconds=1.0)
    state = FeedState(StateDB.open(settings.state_dir))
    with pytest.raises(FeedError, match=reason):
        follow_feed(serve_bad(server, name, options), settings, state)
    assert state.feeds() == []


def test_a_redirect_loop_is_refused(
    server: FeedServer, settings: Settings, state: FeedState
) -> None:
    server.set("/loop-a", status=302, location=server.url("/loop-b"), content_type="text/plain")
    server.set("/loop-b", status=302, location=server.url("/loop-a"), content_type="text/plain")
    with pytest.raises(FeedError, match="too many redirects"):
        follow_feed(server.url("/loop-a"), settings, state)


def test_feeds_that_went_bad_are_reported_and_the_good_one_still_polls(
    server: FeedServer, make_settings: Callable[..., Settings], clock: Clock
) -> None:
    settings = make_settings(fetch_timeout_seconds=1.0)
    library = Library.open(settings)
    state = FeedState(StateDB.open(settings.state_dir))
    poller = Poller(settings, library, state, clock=clock)
    good = server.set("/good.xml", rss("Good", publish(server, range(2))))
    follow_feed(good, settings, state)
    for name, options, _ in BAD_FEEDS:
        state.add_feed(serve_bad(server, name, options), interval_seconds=900)
    report = poller.poll_due()
    assert len(report.added) == 2 and report.errors == len(BAD_FEEDS)
    by_url = {feed.url: feed for feed in state.feeds()}
    assert by_url[good].last_error is None
    for name, _, reason in BAD_FEEDS:
        feed = by_url[server.url(f"/{name}.xml")]
        assert feed.last_error is not None and reason in feed.last_error, name
        assert feed.errors == 1
        # Backed off: twice the interval before the next try.
        assert feed.next_poll == pytest.approx(clock.now + 2 * 900)


def test_backoff_doubles_per_failure_and_resets_after_success(
    server: FeedServer, settings: Settings, state: FeedState, poller: Poller, clock: Clock
) -> None:
    url = server.set("/flaky.xml", "down", status=500, content_type="text/plain")
    feed, _ = state.add_feed(url, interval_seconds=600)
    waits = []
    for _ in range(3):
        poller.poll_due()
        (feed,) = state.feeds()
        waits.append(feed.next_poll - clock.now)
        clock.now = feed.next_poll
    assert waits == [1200, 2400, 4800]
    server.set("/flaky.xml", rss("Back", []))
    poller.poll_due()
    (feed,) = state.feeds()
    assert feed.errors == 0 and feed.last_error is None
    assert feed.next_poll - clock.now == 600


def test_ten_thousand_entries_are_read_but_only_the_cap_is_ingested(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, poller: Poller
) -> None:
    items = publish(server, range(3)) + [
        {"title": f"Item {n}", "link": server.url(f"/never/{n}.html"), "description": f"Teaser {n}"}
        for n in range(10_000)
    ]
    follow_feed(server.set("/huge.xml", rss("Huge", items)), settings, state)
    report = poller.poll_due()
    assert len(report.added) == 3
    # The 17 missing pages (404) are tried again at the next polls, then given up.
    assert report.polls[0].retrying == settings.feed_max_new_items - 3
    assert report.polls[0].skipped == 10_003 - settings.feed_max_new_items
    assert sum(server.hits[f"/never/{n}.html"] for n in range(10_000)) == 17
    stored = state.db.rows(
        "SELECT status, COUNT(*) FROM entries WHERE content IS NOT NULL GROUP BY status"
    )
    assert [tuple(row) for row in stored] == [("pending", 17)]  # none for skipped or done ones


def test_entries_without_links_or_with_private_links_fail_alone(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, poller: Poller
) -> None:
    items = [
        {"title": "No link at all", "description": "Short teaser."},
        {"title": "Metadata", "link": "http://169.254.169.254/latest/meta-data/"},
        {"title": "Elsewhere", "link": "ftp://example.org/file.txt"},
        *publish(server, range(1)),
    ]
    follow_feed(server.set("/mixed.xml", rss("Mixed", items)), settings, state)
    report = poller.poll_due()
    assert len(report.added) == 1 and report.polls[0].failed == 3
    errors = {
        row["title"]: row["error"]
        for row in state.db.rows("SELECT title, error FROM entries WHERE status = 'failed'")
    }
    assert errors["No link at all"] == "the entry has no link and no full text"
    assert "cloud metadata address" in errors["Metadata"]
    assert "only http and https" in errors["Elsewhere"]


def test_the_default_settings_refuse_a_feed_on_loopback(
    server: FeedServer, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(fetch_allow_private=False)
    assert Settings(_env_file=None).fetch_allow_private is False
    state = FeedState(StateDB.open(settings.state_dir))
    url = server.set("/feed.xml", rss("Local", publish(server, range(1))))
    with pytest.raises(FeedError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        follow_feed(url, settings, state)
    assert sum(server.hits.values()) == 0


def test_a_feed_cut_off_mid_item_keeps_the_entries_before_the_cut(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, poller: Poller
) -> None:
    whole = rss("Cut", publish(server, range(2)))
    cut = whole[: whole.rindex("<item>") + 12]  # the second item broken off in its title
    follow_feed(server.set("/cut.xml", cut), settings, state)
    report = poller.poll_due()
    assert len(report.added) == 1 and report.errors == 0
