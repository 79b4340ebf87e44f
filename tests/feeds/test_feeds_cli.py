"""python -m bot follow / feeds / unfollow / poll, run in-process."""

from __future__ import annotations

import json

import pytest

from bot.__main__ import main
from bot.settings import Settings
from tests.feeds.feed_data import publish
from tests.feeds.feed_server import FeedServer, rss


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")


def test_follow_poll_feeds_unfollow_round_trip(
    env: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.set("/feed.xml", rss("Harbour News", publish(server, range(2))))
    assert main(["follow", url, "--every", "30"]) == 0
    assert capsys.readouterr().out.startswith(f"following  1  {url}  (Harbour News)")
    assert main(["follow", url]) == 0
    assert capsys.readouterr().out.startswith("already following")
    assert main(["poll"]) == 0
    assert "2 article(s) added" in capsys.readouterr().out
    assert main(["poll"]) == 0  # not due again for 30 minutes
    assert capsys.readouterr().out == "0 feed(s) due\n"
    assert main(["feeds", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["every_minutes"] == 30 and row["last_new"] == 2 and row["last_error"] is None
    assert main(["unfollow", url]) == 0
    assert main(["feeds"]) == 0
    assert "No feeds followed" in capsys.readouterr().out


def test_cli_errors_are_clear(
    env: None, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["follow", server.url("/nothing.xml")]) == 1
    assert capsys.readouterr().err == "error: HTTP 404\n"
    assert main(["follow", "@somechannel"]) == 2
    assert "followed from Telegram" in capsys.readouterr().err
    assert main(["unfollow", "7"]) == 1
    assert "not following '7'" in capsys.readouterr().err
    server.set("/ok.xml", rss("Ok", []))
    assert main(["follow", server.url("/ok.xml")]) == 0
    server.set("/ok.xml", "gone", status=410, content_type="text/plain")
    assert main(["poll", "--all"]) == 1
    assert "HTTP 410" in capsys.readouterr().err


def test_poll_with_nothing_due_does_not_load_the_corpus(
    env: None, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["poll"]) == 0
    assert capsys.readouterr().out == "0 feed(s) due\n"
    # Opening the library would have built and saved the index cache.
    assert not settings.index_dir.exists()
