"""Fixtures for the hardening suite: the fake Bot API of tests/telegram, settings, apps, figures."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import AIORateLimiter, Application

from bot.ingest import read_file
from bot.library import Library
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.hardening.outgoing import record_errors
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID

# The fake Bot API, the update builders and the articles of the Telegram tests are shared.
TELEGRAM_TESTS = Path(__file__).resolve().parents[1] / "telegram"
ARTICLES_DIR = TELEGRAM_TESTS / "articles"
FIGURES_ENV = "HARDENING_FIGURES"


def example_count(default: int, variable: str = "HARDENING_EXAMPLES") -> int:
    """How many examples a property test runs: the environment variable overrides the default."""
    return int(os.environ.get(variable) or default)


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    """Numbers the suite measured; written as JSON to $HARDENING_FIGURES for the script."""
    found: dict[str, Any] = {}
    yield found
    target = os.environ.get(FIGURES_ENV)
    if target and found:
        Path(target).write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")


def hardening_settings(api: FakeBotApi, root: Path, **overrides: Any) -> Settings:
    """Settings for a bot talking to `api`, with its corpus and data under `root`."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api.base_url,
        "corpus_dir": root / "corpus",
        "data_dir": root / "data",
        "admin_ids": frozenset({ADMIN_ID}),
        "flood_max_messages": 1_000_000,
        "fetch_allow_private": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def seeded_library(settings: Settings) -> Library:
    """A library holding the Telegram tests' articles."""
    library = Library.open(settings)
    for path in sorted(ARTICLES_DIR.glob("*.txt")):
        library.add(read_file(path))
    return library


def unthrottled() -> AIORateLimiter:
    """A limiter that still retries 429s but does not pace sends to Telegram's quotas."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)


def fast_fake_api(**options: Any) -> FakeBotApi:
    """The fake Bot API (Nagle's algorithm is off on its connections)."""
    return FakeBotApi(token=TOKEN, **options)


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    with fast_fake_api() as api:
        yield api


@pytest.fixture
def make_settings(tmp_path: Path, fake_api: FakeBotApi) -> Callable[..., Settings]:
    """Settings for the function's fake API; keyword arguments override."""
    return lambda **overrides: hardening_settings(fake_api, tmp_path, **overrides)


@pytest.fixture
def library(make_settings: Callable[..., Settings]) -> Library:
    return seeded_library(make_settings())


@dataclass
class SyncBot:
    """One bot on its own event loop, so that hypothesis (which is synchronous) can drive it."""

    loop: asyncio.AbstractEventLoop
    application: Application
    api: FakeBotApi
    library: Library
    errors: list[BaseException]
    examples: int = 0
    added: int = 0

    def feed(self, update: dict[str, Any]) -> None:
        self.loop.run_until_complete(
            self.application.process_update(
                Update.de_json({"update_id": 1, **update}, self.application.bot)
            )
        )


@contextmanager
def sync_bot(root: Path) -> Iterator[SyncBot]:
    """A seeded, unthrottled bot against a fake Bot API, for a whole test module."""
    loop = asyncio.new_event_loop()
    with fast_fake_api() as api:
        settings_ = hardening_settings(api, root)
        library = seeded_library(settings_)
        application = build_application(settings_, library, rate_limiter=unthrottled())
        errors = record_errors(application)
        loop.run_until_complete(application.initialize())
        try:
            yield SyncBot(loop, application, api, library, errors)
        finally:
            loop.run_until_complete(application.shutdown())
            loop.close()
