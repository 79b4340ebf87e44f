"""Polling feeds into the library: new entries, conditional GET, caps, duplicates, bad entries."""

from __future__ import annotations

from collections.abc import Callable

from bot.feeds.follow import follow_feed
from bot.feeds.poll import Poller
from bot.feeds.state import FeedState
from bot.library import Library
from bot.settings import Settings
from bot.state import StateDB
from tests.feeds.feed_data import Clock, publish, story
from tests.feeds.feed_server import FeedServer, article_page, http_date, rss, serving


def titles(library: Library) -> set[str]:
    return {article.title for article in library.articles()}


def test_poll_adds_each_new_entry_once_and_answers_from_it(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, poller: Poller
) -> None:
    items = publish(server, range(3))
    url = server.set("/feed.xml", rss("Harbour News", items))
    feed, new = follow_feed(url, settings, state)
    assert new and feed.title == "Harbour News"
    report = poller.poll_due()
    assert len(report.added) == 3 and report.errors == 0
    assert titles(library) == {story(n)[0] for n in range(3)}
    answer = library.ask("What did Ingrid Holm say about waiting?")
    assert answer.quotes and "We waited 2 years" in answer.quotes[0].text
    (status,) = state.feeds()
    assert status.last_new == 3 and status.total_new == 3 and status.last_error is None
    # The next pass finds nothing new and fetches no article again.
    assert poller.poll_due().polls == []  # not due yet


def test_second_poll_sends_validators_and_a_304_costs_nothing(
    server: FeedServer,
    settings: Settings,
    library: Library,
    state: FeedState,
    poller: Poller,
    clock: Clock,
) -> None:
    items = publish(server, range(2))
    url = server.set(
        "/feed.xml", rss("News", items), etag='"v1"', last_modified=http_date(1_700_000_000)
    )
    follow_feed(url, settings, state)
    poller.poll_due()
    clock.advance(15 * 60 + 1)
    report = poller.poll_due()
    assert report.not_modified == 1 and report.added == []
    assert server.answered_304 == 1
    assert server.hits["/a/0.html"] == 1


def test_new_items_per_poll_are_capped_and_the_rest_skipped(
    server: FeedServer, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(feed_max_new_items=5)
    library = Library.open(settings)
    state = FeedState(StateDB.open(settings.state_dir))
    items = publish(server, range(12))
    url = server.set("/feed.xml", rss("Busy", items))
    follow_feed(url, settings, state)
    report = Poller(settings, library, state).poll_due()
    assert len(report.added) == 5
    assert report.polls[0].skipped == 7
    assert state.entry_counts(state.feeds()[0].id) == {"added": 5, "skipped": 7}
    # The first items of the feed (the newest) are the ones taken.
    assert titles(library) == {story(n)[0] for n in range(5)}


def test_duplicates_across_feeds_are_skipped_by_url_and_by_body(
    server: FeedServer, make_settings: Callable[..., Settings]
) -> None:
    # One feed at a time, so the second feed's entry is known by URL before it is fetched.
    settings = make_settings(feed_workers=1)
    library = Library.open(settings)
    state = FeedState(StateDB.open(settings.state_dir))
    poller = Poller(settings, library, state)
    items = publish(server, range(3))
    # The same story 0 at another URL: same body, so the same article.
    title, paragraphs = story(0)

    copy = server.set("/mirror/0.html", article_page(title, paragraphs), content_type="text/html")
    follow_feed(server.set("/one.xml", rss("One", items)), settings, state)
    follow_feed(
        server.set("/two.xml", rss("Two", [items[1], {"title": title, "link": copy}])),
        settings,
        state,
    )
    report = poller.poll_due()
    assert len(report.added) == 3
    assert sum(poll.duplicates for poll in report.polls) == 2
    assert len(library) == 3
    # The URL duplicate was recognised without fetching the page again.
    assert server.hits["/a/1.html"] == 1


def test_full_text_entries_are_used_without_fetching_the_page(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, poller: Poller
) -> None:
    title, paragraphs = story(4)
    long_paragraphs = paragraphs + [
        f"Residents of the town met {n} times to discuss the plan, the minutes show."
        for n in range(8)
    ]
    content = "".join(f"<p>{p}</p>" for p in long_paragraphs)
    link = server.url("/never-fetched.html")
    follow_feed(
        server.set("/full.xml", rss("Full", [{"title": title, "link": link, "content": content}])),
        settings,
        state,
    )
    report = poller.poll_due()
    assert len(report.added) == 1
    (article,) = library.articles()
    assert article.title == title and article.url == link
    assert server.hits["/never-fetched.html"] == 0


def test_one_request_at_a_time_per_host_even_with_several_workers(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(feed_workers=4)
    library = Library.open(settings)
    state = FeedState(StateDB.open(settings.state_dir))
    with serving("127.0.0.1") as first, serving("127.0.0.2") as second:
        for server, base in ((first, 0), (second, 100)):
            for number in range(3):
                items = publish(server, range(base + number * 3, base + number * 3 + 3))
                for item in items:
                    server.routes[item["link"].split(str(server.port))[1]].delay = 0.03
                state.add_feed(
                    server.set(f"/f{number}.xml", rss(f"F{number}", items)), interval_seconds=900
                )
        report = Poller(settings, library, state).poll_due()
    assert len(report.added) == 18
    assert first.max_in_flight == 1 and second.max_in_flight == 1


def test_a_page_that_fails_for_a_while_is_retried_at_the_next_polls_then_given_up(
    server: FeedServer,
    settings: Settings,
    library: Library,
    state: FeedState,
    poller: Poller,
    clock: Clock,
) -> None:
    items = publish(server, range(2))
    server.routes["/a/0.html"].status = 503
    server.routes["/a/1.html"].status = 503
    url = server.set("/feed.xml", rss("News", items), etag='"v1"')
    feed, _ = follow_feed(url, settings, state)
    report = poller.poll_due()
    assert report.added == [] and report.polls[0].retrying == 2
    server.routes["/a/0.html"].status = 200  # back; the other page stays down
    clock.advance(20 * 60)
    report = poller.poll_due()
    assert report.not_modified == 1 and len(report.added) == 1
    clock.advance(20 * 60)
    report = poller.poll_due()
    assert report.polls[0].failed == 1 and report.polls[0].retrying == 0
    assert state.entry_counts(feed.id) == {"added": 1, "failed": 1}
    assert server.hits["/a/1.html"] == 3
