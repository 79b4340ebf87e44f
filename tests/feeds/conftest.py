"""Fixtures for feed tests: a loopback feed server, settings that allow it, state, a poller."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.feeds.poll import Poller
from bot.feeds.state import FeedState
from bot.library import Library
from bot.settings import Settings
from bot.state import StateDB
from tests.feeds.feed_data import Clock
from tests.feeds.feed_server import FeedServer, serving


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serving() as running:
        yield running


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "corpus_dir": tmp_path / "corpus",
            "data_dir": tmp_path / "data",
            "fetch_allow_private": True,  # the test-only switch: the server is on loopback
            "fetch_timeout_seconds": 2.0,
            "feed_poll_jitter": 0.0,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def library(settings: Settings) -> Library:
    return Library.open(settings)


@pytest.fixture
def state(settings: Settings) -> Iterator[FeedState]:
    db = StateDB.open(settings.state_dir)
    yield FeedState(db)
    db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def poller(settings: Settings, library: Library, state: FeedState, clock: Clock) -> Poller:
    return Poller(settings, library, state, clock=clock, rng=random.Random(7))
