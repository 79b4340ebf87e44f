"""Run the bot's real Application in a test, as `run_polling` would set it up and tear it down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import AIORateLimiter, Application

from bot.library import Library
from bot.settings import Settings
from bot.telegram.app import build_application


@asynccontextmanager
async def running(
    settings: Settings,
    library: Library,
    request_timeout: float = 5.0,
    rate_limiter: AIORateLimiter | None = None,
) -> AsyncIterator[Application]:
    """An initialized Application, with post_init/post_shutdown run as run_polling would."""
    application = build_application(
        settings, library, request_timeout=request_timeout, rate_limiter=rate_limiter
    )
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    try:
        yield application
    finally:
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
