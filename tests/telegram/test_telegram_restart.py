"""Conversation context survives a restart: a second Application on the same state folder."""

from __future__ import annotations

import re

from bot.library import Library
from bot.telegram.conversations import STATE_FILE
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import GROUP_ID, OTHER_USER_ID, bot_message, feed, message_update

BLOCKQUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)


async def test_reply_thread_context_survives_a_restart(
    settings, library: Library, fake_api: FakeBotApi, start_app
) -> None:
    question = "/ask What did the European diplomat say about the talks?"
    async with start_app(settings, library) as first_app:
        await feed(first_app, message_update(question, chat_id=GROUP_ID))
    (first,) = fake_api.calls_to("sendMessage")
    assert (settings.state_dir / STATE_FILE).is_file()

    # A new process: library and application rebuilt from disk.
    async with start_app(settings, Library.open(settings)) as second_app:
        follow_up = message_update(
            "What else did he say?",
            chat_id=GROUP_ID,
            user_id=OTHER_USER_ID,
            reply_to=bot_message(first),
        )
        await feed(second_app, follow_up)
    second = fake_api.calls_to("sendMessage")[1]
    first_quotes = BLOCKQUOTE.findall(first.params["text"])
    second_quotes = BLOCKQUOTE.findall(second.params["text"])
    assert second_quotes and not set(first_quotes) & set(second_quotes)
    assert "a European diplomat" in second.params["text"]
