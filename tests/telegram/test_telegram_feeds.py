"""Feeds in Telegram: /follow, /feeds, /unfollow, the polling job, /subscribe and channels."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from telegram.ext import Application

from bot.feeds.announce import summarise
from bot.library import Library
from bot.settings import Settings
from bot.telegram.feeds import FIRST_CHECK_SECONDS, POLL_JOB, feed_services
from bot.telegram.html import escape
from tests.feeds.feed_data import Clock, publish, story
from tests.feeds.feed_server import FeedServer, rss, serving
from tests.telegram.fake_bot_api import BOT_ID, FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID, GROUP_ID, USER_ID, feed, message_update

ADMIN = {"user_id": ADMIN_ID}
CHANNEL_ID = -1001234
CHANNEL = {"id": CHANNEL_ID, "type": "channel", "title": "Harbour Desk", "username": "harbourdesk"}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serving() as running:
        yield running


@pytest.fixture
def clock(app: Application) -> Clock:
    """The poller's time, moved by the test."""
    controlled = Clock()
    feed_services(app).poller.clock = controlled
    return controlled


async def run_poll_job(app: Application) -> None:
    """Run the scheduled polling job now, as the JobQueue would when it falls due."""
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name(POLL_JOB)
    await job.run(app)


def last_text(api: FakeBotApi) -> str:
    return api.sent_texts()[-1]


def announcements(api: FakeBotApi, chat_id: int) -> list[dict[str, Any]]:
    return [
        call.params
        for call in api.calls_to("sendMessage")
        if call.ok and call.params["chat_id"] == chat_id and "reply_markup" in call.params
    ]


async def test_polling_job_is_scheduled_every_check_interval(
    make_settings: Callable[..., Settings],
    library: Library,
    start_app: Callable[..., AbstractAsyncContextManager[Application]],
) -> None:
    settings = make_settings(feed_check_seconds=45)
    async with start_app(settings, library) as app:
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name(POLL_JOB)
        assert job.job.trigger.interval.total_seconds() == 45
        first = job.job.trigger.start_date.timestamp() - time.time()
        assert 0 < first <= FIRST_CHECK_SECONDS + 1


async def test_admin_follows_a_home_page_and_the_job_adds_and_announces(
    app: Application, fake_api: FakeBotApi, library: Library, server: FeedServer, clock: Clock
) -> None:
    feed_url = server.set("/rss.xml", rss("Harbour News", publish(server, range(2))))
    home = server.set(
        "/",
        f'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
        f'href="{feed_url}"></head><body>Home</body></html>',
        content_type="text/html",
    )
    await feed(app, message_update("/subscribe", user_id=USER_ID))
    assert last_text(fake_api).startswith("Subscribed")
    await feed(app, message_update(f"/follow {home}", **ADMIN))
    assert "Now following <b>Harbour News</b>" in last_text(fake_api)
    assert feed_url in last_text(fake_api)
    before = len(library)
    await run_poll_job(app)
    assert len(library) == before + 2
    sent = announcements(fake_api, USER_ID)
    assert len(sent) == 2
    title, paragraphs = story(0)
    first = next(s for s in sent if title in s["text"])
    assert first["text"].startswith(f'<b><a href="{server.url("/a/0.html")}">{title}</a></b>')
    # The summary is the summariser's two sentences, not simply the lead.
    article = next(a for a in library.articles() if a.title == title)
    assert escape(summarise(library, article)) in first["text"]
    assert paragraphs[0] in first["text"] or paragraphs[2] in first["text"]
    (button,) = first["reply_markup"]["inline_keyboard"][0]
    assert button["text"] == "Ask about it"
    assert button["switch_inline_query_current_chat"] == "What did Ingrid Holm say?"
    # Nothing new: the job runs again once the feed is due and sends nothing more.
    clock.advance(20 * 60)  # past 15 min plus up to 10% jitter
    await run_poll_job(app)
    assert len(announcements(fake_api, USER_ID)) == 2
    assert fake_api.refused() == []


async def test_feeds_shows_status_and_unfollow_stops_polling(
    app: Application, fake_api: FakeBotApi, server: FeedServer, clock: Clock
) -> None:
    url = server.set("/rss.xml", rss("Port &lt;News&gt; &amp; Co", publish(server, range(3))))
    await feed(app, message_update(f"/follow {url}", **ADMIN))
    await run_poll_job(app)
    server.set("/rss.xml", "down", status=503, content_type="text/plain")
    clock.advance(20 * 60)  # past 15 min plus up to 10% jitter
    await run_poll_job(app)
    await feed(app, message_update("/feeds", **ADMIN))
    status = last_text(fake_api)
    assert "<b>1. Port &lt;News&gt; &amp; Co</b>" in status
    assert "last poll: " in status and "new: 0 (total 3)" in status
    assert "last error: HTTP 503" in status
    await feed(app, message_update("/unfollow 1", **ADMIN))
    assert "Stopped following" in last_text(fake_api)
    hits = server.hits["/rss.xml"]
    clock.advance(3600)
    await run_poll_job(app)
    assert server.hits["/rss.xml"] == hits


async def test_feed_commands_refuse_non_admins_and_bad_input(
    app: Application, fake_api: FakeBotApi, server: FeedServer
) -> None:
    await feed(app, message_update(f"/follow {server.url('/x.xml')}"))
    assert last_text(fake_api).startswith("Sorry, only the bot's admins")
    await feed(app, message_update("/follow", **ADMIN))
    assert last_text(fake_api).startswith("Usage:")
    await feed(app, message_update(f"/follow {server.url('/missing.xml')}", **ADMIN))
    assert last_text(fake_api) == "Could not follow that: HTTP 404"
    await feed(app, message_update("/unfollow nothing-like-it", **ADMIN))
    assert last_text(fake_api) == "I don't follow nothing-like-it."
    await feed(app, message_update("/feeds"))
    assert last_text(fake_api).startswith("Sorry, only the bot's admins")


async def test_in_groups_only_admins_may_subscribe(app: Application, fake_api: FakeBotApi) -> None:
    await feed(app, message_update("/subscribe", user_id=USER_ID, chat_id=GROUP_ID))
    assert last_text(fake_api) == "Only this group's admins can subscribe it to new articles."
    assert feed_services(app).state.subscribers() == []
    fake_api.set_member(GROUP_ID, USER_ID, "administrator")
    fake_api.add_chat({"id": GROUP_ID, "type": "supergroup", "title": "Newsroom"})
    await feed(app, message_update("/subscribe", user_id=USER_ID, chat_id=GROUP_ID))
    assert last_text(fake_api).startswith("Subscribed")
    await feed(app, message_update("/subscribe", user_id=USER_ID, chat_id=GROUP_ID))
    assert last_text(fake_api).startswith("This chat is already subscribed")
    await feed(app, message_update("/unsubscribe", user_id=USER_ID, chat_id=GROUP_ID))
    assert feed_services(app).state.subscribers() == []


async def test_a_chat_that_blocked_the_bot_is_unsubscribed(
    app: Application, fake_api: FakeBotApi, server: FeedServer, clock: Clock
) -> None:
    state = feed_services(app).state
    state.subscribe(USER_ID)
    state.subscribe(USER_ID + 1)
    await feed(
        app,
        message_update(f"/follow {server.set('/r.xml', rss('R', publish(server, [5])))}", **ADMIN),
    )
    # Answers go out oldest subscription first: the first send is refused with 403.
    fake_api.fail_next("sendMessage", "403")
    await run_poll_job(app)
    assert state.subscribers() == [USER_ID + 1]
    assert len(announcements(fake_api, USER_ID + 1)) == 1
    assert state.outbox(10) == []


async def test_a_failed_send_is_retried_at_the_next_run(
    app: Application, fake_api: FakeBotApi, server: FeedServer, clock: Clock
) -> None:
    state = feed_services(app).state
    state.subscribe(USER_ID)
    await feed(
        app,
        message_update(f"/follow {server.set('/r.xml', rss('R', publish(server, [6])))}", **ADMIN),
    )
    fake_api.fail_next("sendMessage", "500")
    await run_poll_job(app)
    assert announcements(fake_api, USER_ID) == [] and len(state.outbox(10)) == 1
    await run_poll_job(app)  # nothing due, but the outbox is sent
    assert len(announcements(fake_api, USER_ID)) == 1 and state.outbox(10) == []


async def test_a_followed_channel_has_its_links_and_texts_ingested(
    app: Application, fake_api: FakeBotApi, library: Library, server: FeedServer
) -> None:
    fake_api.add_chat(CHANNEL)
    await feed(app, message_update("/follow @harbourdesk", **ADMIN))
    assert last_text(fake_api) == "Make me an admin of @harbourdesk first, so I can read its posts."
    fake_api.set_member(CHANNEL_ID, BOT_ID, "administrator")
    await feed(app, message_update("/follow @harbourdesk", **ADMIN))
    assert "Now following the channel <b>Harbour Desk</b>" in last_text(fake_api)
    feed_services(app).state.subscribe(USER_ID)
    (link,) = publish(server, [7])
    before = len(library)
    await feed(app, channel_post(f"New story: {link['link']}", 1))
    title, paragraphs = story(8)
    await feed(app, channel_post(title + "\n\n" + "\n\n".join(paragraphs), 2))
    await feed(app, channel_post("Good morning, readers!", 3))  # neither link nor article
    assert {a.title for a in library.articles()} >= {story(7)[0], title}
    assert len(library) == before + 2
    assert len(announcements(fake_api, USER_ID)) == 2
    # The same post delivered twice adds nothing twice.
    await feed(app, channel_post(f"New story: {link['link']}", 1))
    assert len(library) == before + 2


async def test_posts_of_channels_nobody_followed_are_ignored(
    app: Application, fake_api: FakeBotApi, library: Library, server: FeedServer
) -> None:
    (link,) = publish(server, [9])
    before = len(library)
    await feed(app, channel_post(f"Look: {link['link']}", 1))
    assert len(library) == before and server.hits["/a/9.html"] == 0


def channel_post(text: str, message_id: int) -> dict[str, Any]:
    return {
        "channel_post": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": CHANNEL,
            "text": text,
        }
    }


async def test_announcements_go_through_the_rate_limiter_which_waits_out_a_429(
    app: Application, fake_api: FakeBotApi, server: FeedServer, clock: Clock
) -> None:
    feed_services(app).state.subscribe(USER_ID)
    url = server.set("/r.xml", rss("R", publish(server, [11])))
    await feed(app, message_update(f"/follow {url}", **ADMIN))
    fake_api.fail_next("sendMessage", "429", retry_after=1)
    await run_poll_job(app)
    attempts = [c for c in fake_api.calls_to("sendMessage") if c.params["chat_id"] == USER_ID]
    assert [c.failure for c in attempts][-2:] == ["429", None]
    assert feed_services(app).state.outbox(10) == []


async def test_announcements_queued_before_a_restart_are_sent_after_it(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    server: FeedServer,
    start_app: Callable[..., AbstractAsyncContextManager[Application]],
) -> None:
    settings = make_settings()
    url = server.set("/r.xml", rss("R", publish(server, [12, 13])))
    async with start_app(settings, library) as first:
        found = feed_services(first)
        found.state.subscribe(USER_ID)
        await feed(first, message_update(f"/follow {url}", **ADMIN))
        # The poll ran, then the bot stopped before it could send anything.
        found.poller.poll_due()
        assert len(found.state.outbox(10)) == 2
    async with start_app(settings, library) as second:
        await run_poll_job(second)
    assert len(announcements(fake_api, USER_ID)) == 2
    assert server.hits["/a/12.html"] == 1  # nothing fetched twice


async def test_the_job_polls_each_feed_at_its_own_interval_as_time_passes(
    make_settings: Callable[..., Settings],
    library: Library,
    server: FeedServer,
    start_app: Callable[..., AbstractAsyncContextManager[Application]],
) -> None:
    settings = make_settings(feed_poll_jitter=0.0)
    quick = server.set("/quick.xml", rss("Quick", []))
    slow = server.set("/slow.xml", rss("Slow", []))
    async with start_app(settings, library) as app:
        controlled = Clock()
        found = feed_services(app)
        found.poller.clock = controlled
        found.state.add_feed(quick, interval_seconds=15 * 60)
        found.state.add_feed(slow, interval_seconds=30 * 60)
        for _ in range(13):  # the job every 5 minutes for an hour
            await run_poll_job(app)
            controlled.advance(5 * 60)
    assert server.hits["/quick.xml"] == 5  # minutes 0, 15, 30, 45, 60
    assert server.hits["/slow.xml"] == 3  # minutes 0, 30, 60
