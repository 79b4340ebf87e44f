"""A restart, or kill -9, in the middle of a poll neither loses nor duplicates an article."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from bot.feeds.follow import follow_feed
from bot.feeds.parse import FeedEntry
from bot.feeds.poll import Poller
from bot.feeds.state import FeedState
from bot.ingest import read_url
from bot.library import Library
from bot.settings import PROJECT_DIR, Settings
from tests.feeds.feed_data import Clock, publish, story
from tests.feeds.feed_server import FeedServer, rss


def test_an_article_stored_just_before_a_crash_counts_once_and_is_announced(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, clock: Clock
) -> None:
    items = publish(server, range(2))
    feed, _ = follow_feed(server.set("/feed.xml", rss("News", items)), settings, state)
    state.subscribe(77)
    state.record_fetch(feed, _entries(items), cap=20, etag=None, last_modified=None, title=None)
    # The crash: the first article's file was written, its entry not yet marked done.
    library.add(read_url(items[0]["link"], settings, allow_private=True))
    report = Poller(settings, library, state, clock=clock).poll_due()
    assert len(library) == 2
    assert state.entry_counts(feed.id) == {"added": 2}
    assert sorted(report.added) == sorted(a.id for a in library.articles())
    assert len(state.outbox(10)) == 2  # both announced, once each


def test_an_article_another_feed_brought_first_is_a_duplicate_not_announced_twice(
    server: FeedServer, settings: Settings, library: Library, state: FeedState, clock: Clock
) -> None:
    items = publish(server, range(1))
    state.subscribe(77)
    poller = Poller(settings, library, state, clock=clock)
    follow_feed(server.set("/one.xml", rss("One", items)), settings, state)
    poller.poll_due()
    follow_feed(server.set("/two.xml", rss("Two", items)), settings, state)
    report = poller.poll_due()
    assert report.added == [] and report.polls[0].duplicates == 1
    assert len(state.outbox(10)) == 1


def _entries(items: list[dict[str, str]]) -> list[FeedEntry]:
    return [FeedEntry(item["guid"], item["link"], item["title"], None) for item in items]


def test_kill_9_during_a_poll_then_a_restart_loses_and_duplicates_nothing(
    server: FeedServer, settings: Settings, state: FeedState
) -> None:
    count = 12
    items = publish(server, range(count))
    for number in range(count):
        server.routes[f"/a/{number}.html"].delay = 0.15  # slow enough to be killed mid-way
    follow_feed(server.set("/feed.xml", rss("News", items)), settings, state)
    env = {
        **os.environ,
        "CORPUS_DIR": str(settings.corpus_dir),
        "DATA_DIR": str(settings.data_dir),
        "FETCH_ALLOW_PRIVATE": "true",
        "PYTHONPATH": str(PROJECT_DIR),
    }
    command = [sys.executable, "-m", "bot", "poll", "--all"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _article_files(settings) < 3 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    killed_at = _article_files(settings)
    assert 3 <= killed_at < count, child.stderr.read() if child.stderr else ""
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    titles = [
        json.loads(path.read_text(encoding="utf-8"))["title"]
        for path in settings.corpus_dir.glob("*.json")
    ]
    assert sorted(titles) == sorted(story(n)[0] for n in range(count))  # none lost, none twice
    db = sqlite3.connect(settings.state_dir / "bot.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    statuses = db.execute("SELECT status, COUNT(*) FROM entries GROUP BY status").fetchall()
    assert statuses == [("added", count)]
    assert not list(settings.corpus_dir.glob(".*.tmp"))


def _article_files(settings: Settings) -> int:
    return len(list(settings.corpus_dir.glob("*.json"))) if settings.corpus_dir.exists() else 0
