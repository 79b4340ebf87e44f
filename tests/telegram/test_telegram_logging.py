"""The bot token never reaches the logs."""

from __future__ import annotations

import io
import logging

import pytest

from bot.models import BotError
from bot.settings import Settings
from bot.telegram.app import REDACTED, TokenRedactingFilter, bot_token, file_base_url

TOKEN = "123456:SECRET-token_value"


def logged_text(record_maker) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenRedactingFilter(TOKEN))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        record_maker(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def raise_with_token() -> None:
    raise ConnectionError(f"could not reach https://api.telegram.org/bot{TOKEN}/getMe")


@pytest.mark.parametrize(
    "emit",
    [
        lambda log: log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN),
        lambda log: log.warning(f"plain message with bot{TOKEN} inside"),
        lambda log: log.warning("args %s and %d", {"url": f"bot{TOKEN}"}, 3),
    ],
    ids=["format-args", "preformatted", "dict-arg"],
)
def test_token_is_redacted_from_messages(emit) -> None:
    text = logged_text(emit)
    assert TOKEN not in text and REDACTED in text


def test_token_is_redacted_from_tracebacks() -> None:
    def emit(log: logging.Logger) -> None:
        try:
            raise_with_token()
        except ConnectionError:
            log.exception("failed")

    text = logged_text(emit)
    assert "Traceback" in text and TOKEN not in text and REDACTED in text


def test_missing_token_is_refused_with_a_clear_error() -> None:
    with pytest.raises(BotError, match="TELEGRAM_BOT_TOKEN is not set"):
        bot_token(Settings(_env_file=None))


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
    ],
    ids=["telegram", "local-server"],
)
def test_file_url_follows_the_api_url(base: str, expected: str) -> None:
    assert file_base_url(base) == expected
