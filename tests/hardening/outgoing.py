"""What the bot sent to the fake Bot API, checked the strict way; errors the bot ran into."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from tests.hardening.strict_html import TelegramHTMLError, check_plain_text, parse_telegram_html
from tests.telegram.fake_bot_api import ApiCall, FakeBotApi

MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText"})


def calls_since(api: FakeBotApi, before: int) -> list[ApiCall]:
    """The calls recorded after the first `before` ones (without copying the whole log)."""
    with api.state.changed:
        return api.state.calls[before:]


def call_count(api: FakeBotApi) -> int:
    with api.state.changed:
        return len(api.state.calls)


def outgoing_texts(call: ApiCall) -> list[tuple[str, str | None]]:
    """Every (text, parse_mode) the call would show to a user."""
    if call.method in MESSAGE_METHODS:
        return [(str(call.params.get("text", "")), call.params.get("parse_mode"))]
    if call.method == "answerInlineQuery":
        found = []
        for result in call.params.get("results") or []:
            content: dict[str, Any] = result.get("input_message_content") or {}
            found.append((str(content.get("message_text", "")), content.get("parse_mode")))
        return found
    return []


def check_call(call: ApiCall) -> None:
    """TelegramHTMLError when anything the call shows is not a valid Telegram message."""
    for text, parse_mode in outgoing_texts(call):
        if parse_mode == "HTML":
            parse_telegram_html(text)
        elif parse_mode is None:
            check_plain_text(text)
        else:
            raise TelegramHTMLError(f"unexpected parse_mode {parse_mode!r}")


def invalid_calls(calls: list[ApiCall]) -> list[tuple[ApiCall, str]]:
    """The calls whose texts fail the strict check, with the reason."""
    problems = []
    for call in calls:
        try:
            check_call(call)
        except TelegramHTMLError as exc:
            problems.append((call, str(exc)))
    return problems


def record_errors(application: Application) -> list[BaseException]:
    """A list that collects every error that reaches the application's error handlers."""
    errors: list[BaseException] = []

    async def remember(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update | None) and context.error is not None:
            errors.append(context.error)

    application.add_error_handler(remember)
    return errors
