"""The services every handler shares, handed over through `bot_data`, and handler plumbing."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.library import Library
from bot.settings import Settings
from bot.telegram.conversations import ConversationStore
from bot.telegram.flood import FloodGuard, Verdict

log = logging.getLogger("bot.telegram")

SERVICES_KEY = "services"
SLOW_DOWN = "You're sending messages faster than I can answer. Please wait a little."

Context = ContextTypes.DEFAULT_TYPE
Outcome = str | None  # what a handler did, for the log line; None when it ignored the update
Callback = Callable[[Update, Context], Awaitable[Outcome]]


@dataclass
class Services:
    """Created once in `build_application` and shared by all handlers."""

    settings: Settings
    library: Library
    conversations: ConversationStore
    flood: FloodGuard


def services(context: Context) -> Services:
    """The shared services stored in `bot_data`."""
    found = context.bot_data.get(SERVICES_KEY)
    if not isinstance(found, Services):
        raise RuntimeError("bot_data has no Services; build the app with build_application")
    return found


def is_admin(update: Update, context: Context) -> bool:
    """True when the update comes from one of the configured admins."""
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_ids


async def admitted(update: Update, context: Context) -> bool:
    """Apply the flood guard: one polite notice when over the limit, then silence."""
    user = update.effective_user
    message = update.effective_message
    if user is None or is_admin(update, context):
        return True
    verdict = services(context).flood.check(user.id)
    query = update.callback_query
    if query is not None:
        # A button press must always be answered, or the button keeps spinning: a toast
        # instead of a message, and silently once the user has been told.
        if verdict is not Verdict.ALLOW:
            await query.answer(SLOW_DOWN if verdict is Verdict.WARN else None)
        return verdict is Verdict.ALLOW
    if verdict is Verdict.WARN and message is not None:
        await message.reply_text(SLOW_DOWN)
    return verdict is Verdict.ALLOW


async def show_chat_action(message: Message, action: ChatAction) -> None:
    """Show "typing…" (or another action) in the chat; a hint only, so a failure is logged."""
    try:
        await message.reply_chat_action(action)
    except TelegramError as exc:
        # Like the command menu at start-up: the work the hint announces must still be done.
        log.warning("could not send a chat action to chat %s: %s", message.chat_id, exc)


def logged(callback: Callback) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Log one INFO line per handled update: chat type, user id, outcome and time taken."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: Context) -> None:
        started = time.perf_counter()
        outcome = await callback(update, context)
        if outcome is None:
            return
        chat = update.effective_chat
        user = update.effective_user
        log.info(
            "%s chat=%s user=%s: %s (%.0f ms)",
            callback.__name__,
            chat.type if chat else "inline",
            user.id if user else "-",
            outcome,
            (time.perf_counter() - started) * 1000,
        )

    return wrapper
