"""Bot API faults: 429, 5xx, timeouts, dropped connections, a server gone for a while, 403.

The bot must stay up, retry what Telegram asks it to retry (429 after retry_after), answer the
next message normally, log every reply it could not deliver with the chat id, and never put
the token in a log record or a reply. Logging is set up as in production
(`install_token_redaction`), at DEBUG, so every record any library emits is inspected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

import pytest

from bot.library import Library
from bot.settings import Settings
from bot.telegram.app import install_token_redaction
from bot.telegram.handlers import SOMETHING_WENT_WRONG
from tests.hardening.flaky_proxy import FlakyProxy
from tests.hardening.outgoing import invalid_calls
from tests.telegram.app_runner import running
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.fake_updates import feed, message_update

QUESTION = "What did the European diplomat say?"
ASKER = 2001
NEXT_ASKER = 2002


@pytest.fixture
def proxy(fake_api: FakeBotApi) -> Iterator[FlakyProxy]:
    with FlakyProxy(fake_api.port) as flaky:
        yield flaky


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG, through the token filter the bot installs at start."""
    httpx_level = logging.getLogger("httpx").level
    with caplog.at_level(logging.DEBUG):
        redactor = install_token_redaction(TOKEN)
        try:
            yield caplog
        finally:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(redactor)
            logging.getLogger("httpx").setLevel(httpx_level)


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the log handlers would print, tracebacks included."""
    return "\n".join(caplog.handler.format(record) for record in caplog.records)


def assert_token_never_shown(caplog: pytest.LogCaptureFixture, api: FakeBotApi) -> None:
    assert TOKEN not in logged_text(caplog)
    sent = [str(call.params.get("text", "")) for call in api.calls]
    assert not any(TOKEN in text for text in sent)


def answers_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [
        call.params["text"]
        for call in api.calls_to("sendMessage")
        if call.ok and call.params["chat_id"] == chat_id
    ]


def inject(kind: str, api: FakeBotApi, proxy: FlakyProxy) -> None:
    """Make the next reply fail in one of the ways Telegram (or the network) fails."""
    if kind == "reset":
        # getMe/setMyCommands are done; the next request through the proxy is the reply.
        proxy.fail_next(1)
    elif kind == "500-twice":
        api.fail_next("sendMessage", "500", times=2)
    else:
        api.fail_next("sendMessage", kind, retry_after=1, delay=1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "delivered", "told"),
    [
        ("429", True, False),
        ("500", False, True),
        ("500-twice", False, False),
        ("timeout", False, True),
        ("reset", False, True),
        ("403", False, False),
    ],
    ids=["429-retried", "500", "500-and-notice-lost", "timeout", "connection-reset", "blocked"],
)
async def test_a_failed_reply_is_survived_logged_with_the_chat_and_the_bot_answers_on(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    proxy: FlakyProxy,
    production_logging: pytest.LogCaptureFixture,
    kind: str,
    delivered: bool,
    told: bool,
) -> None:
    settings = make_settings(telegram_api_base_url=proxy.base_url)
    async with running(settings, library, request_timeout=0.5) as app:
        inject(kind, fake_api, proxy)
        await feed(app, message_update(QUESTION, user_id=ASKER))
        await feed(app, message_update(QUESTION, user_id=NEXT_ASKER))
    first = answers_to(fake_api, ASKER)
    assert bool(first and "<blockquote>" in first[0]) is delivered
    assert (first == [SOMETHING_WENT_WRONG]) is told
    (second,) = answers_to(fake_api, NEXT_ASKER)
    assert "<blockquote>" in second
    problems = [r for r in production_logging.records if r.levelno >= logging.WARNING]
    if not delivered:
        assert any(str(ASKER) in r.getMessage() for r in problems), [
            r.getMessage() for r in problems
        ]
    else:
        assert not [r for r in problems if r.name.startswith("bot")]
    assert invalid_calls(fake_api.calls) == []
    assert_token_never_shown(production_logging, fake_api)


async def test_polling_survives_the_api_being_down_and_answers_everything_afterwards(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    proxy: FlakyProxy,
    production_logging: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(telegram_api_base_url=proxy.base_url)
    chats = [3001 + n for n in range(6)]
    async with running(settings, library, request_timeout=2.0) as app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        proxy.down = True
        for chat_id in chats:
            fake_api.push_update(message_update(QUESTION, user_id=chat_id))
        await asyncio.sleep(1.5)  # polling fails over and over meanwhile
        resets = proxy.resets
        proxy.down = False
        await asyncio.to_thread(
            fake_api.wait_for,
            lambda calls: (
                {c.params.get("chat_id") for c in calls if c.method == "sendMessage"} >= set(chats)
            ),
            20.0,
        )
        await app.updater.stop()
        await app.stop()
    assert resets >= 1
    for chat_id in chats:
        (answer,) = answers_to(fake_api, chat_id)  # exactly one reply, none lost or doubled
        assert "<blockquote>" in answer
    assert_token_never_shown(production_logging, fake_api)


async def test_the_token_never_reaches_logs_or_replies_when_everything_fails(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    proxy: FlakyProxy,
    production_logging: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(telegram_api_base_url=proxy.base_url)
    async with running(settings, library, request_timeout=0.5) as app:
        for kind in ("500", "timeout", "reset", "403", "500-twice"):
            inject(kind, fake_api, proxy)
            await feed(app, message_update(QUESTION, user_id=ASKER))
        proxy.down = True
        await feed(app, message_update(QUESTION, user_id=ASKER))
    assert any(r.exc_info for r in production_logging.records)  # tracebacks were logged ...
    assert_token_never_shown(production_logging, fake_api)  # ... without the token
