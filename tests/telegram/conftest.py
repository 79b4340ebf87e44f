"""Fixtures for the Telegram tests: a fake Bot API, settings, a temp corpus and update builders."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.ingest import read_file
from bot.library import Library
from bot.settings import PROJECT_DIR, Settings
from tests.telegram.app_runner import running
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID

ARTICLES_DIR = Path(__file__).parent / "articles"


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as api:
        yield api


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A copy of the project's corpus, so tests may change it."""
    target = tmp_path / "corpus"
    source = PROJECT_DIR / "corpus"
    if source.is_dir():
        shutil.copytree(source, target)
    target.mkdir(exist_ok=True)
    return target


@pytest.fixture
def make_settings(
    tmp_path: Path, fake_api: FakeBotApi, corpus_dir: Path
) -> Callable[..., Settings]:
    """Settings pointing at the fake API and temp folders; keyword arguments override."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "telegram_api_base_url": fake_api.base_url,
            "corpus_dir": corpus_dir,
            "data_dir": tmp_path / "data",
            "admin_ids": frozenset({ADMIN_ID}),
            "flood_max_messages": 50,
            "fetch_allow_private": True,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def library(settings: Settings) -> Library:
    """The corpus plus the test articles, added the way /add adds them."""
    opened = Library.open(settings)
    for path in sorted(ARTICLES_DIR.glob("*.txt")):
        opened.add(read_file(path))
    return opened


@pytest.fixture
def start_app() -> Callable[..., AbstractAsyncContextManager[Application]]:
    """`async with start_app(settings, library) as app:` for tests that need several apps."""
    return running


@pytest.fixture
async def app(settings: Settings, library: Library) -> AsyncIterator[Application]:
    async with running(settings, library) as application:
        yield application
