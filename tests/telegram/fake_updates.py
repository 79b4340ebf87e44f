"""Update dicts as the Bot API sends them, and helpers to read what the bot sent back."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.telegram.fake_bot_api import BOT_USER, ApiCall, FakeBotApi

USER_ID = 1001
OTHER_USER_ID = 1002
ADMIN_ID = 9001
GROUP_ID = -100777
# "/ask@bot" at the start is a command; "@name" anywhere is a mention.
COMMAND = re.compile(r"^/\w+(?:@\w+)?")
MENTION = re.compile(r"@\w+")

_message_ids = itertools.count(1)


async def feed(application: Application, update: dict[str, Any]) -> None:
    """Process one update through the real handlers (outgoing calls go over HTTP)."""
    await application.process_update(Update.de_json({"update_id": 1, **update}, application.bot))


def utf16_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would attach: a leading bot command and @mentions."""
    entities = []
    command = COMMAND.match(text)
    if command:
        entities.append(
            {"type": "bot_command", "offset": 0, "length": utf16_offset(text, command.end())}
        )
    for mention in MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        start = utf16_offset(text, mention.start())
        entities.append(
            {
                "type": "mention",
                "offset": start,
                "length": utf16_offset(text, mention.end()) - start,
            }
        )
    return entities


def chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Reader"}
    return {"id": chat_id, "type": "supergroup", "title": "Newsroom"}


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def message(
    text: str | None = None,
    *,
    user_id: int = USER_ID,
    chat_id: int | None = None,
    reply_to: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A message dict as the Bot API sends it (private chat with the user by default)."""
    data: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(user_id if chat_id is None else chat_id),
        "from": user(user_id),
        **extra,
    }
    if text is not None:
        data["text"] = text
        if entities := entities_for(text):
            data["entities"] = entities
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    return data


def message_update(text: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return {"message": message(text, **kwargs)}


def bot_message(call: ApiCall) -> dict[str, Any]:
    """The message the bot sent in a recorded sendMessage, as it appears in a reply."""
    assert call.result is not None, "that call did not succeed"
    return {**call.result, "from": BOT_USER}


def texts_since(api: FakeBotApi, before: int) -> list[str]:
    """Texts of successful sendMessage calls made after the first `before` calls."""
    return [
        call.params["text"]
        for call in api.calls[before:]
        if call.method == "sendMessage" and call.ok
    ]


_callback_ids = itertools.count(1)


def callback_update(
    data: str, pressed_on: dict[str, Any], *, user_id: int = USER_ID
) -> dict[str, Any]:
    """A press on a button under `pressed_on` (a message the bot sent, see `bot_message`)."""
    return {
        "callback_query": {
            "id": str(next(_callback_ids)),
            "from": user(user_id),
            "chat_instance": "test-chat-instance",
            "data": data,
            "message": pressed_on,
        }
    }
