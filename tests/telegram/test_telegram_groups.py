"""Groups: /ask, mentions and replies to the bot are answered; everything else is ignored."""

from __future__ import annotations

import re

import pytest
from telegram.ext import Application

from tests.telegram.fake_bot_api import BOT_USERNAME, FakeBotApi
from tests.telegram.fake_updates import (
    GROUP_ID,
    OTHER_USER_ID,
    USER_ID,
    bot_message,
    feed,
    message,
    message_update,
)

DIPLOMAT_QUESTION = "What did the European diplomat say about the talks?"
BLOCKQUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)


def quoted(text: str) -> list[str]:
    return BLOCKQUOTE.findall(text)


@pytest.mark.parametrize(
    "text",
    [
        f"/ask {DIPLOMAT_QUESTION}",
        f"/ask@{BOT_USERNAME} {DIPLOMAT_QUESTION}",
        f"@{BOT_USERNAME} {DIPLOMAT_QUESTION}",
        f"{DIPLOMAT_QUESTION[:-1]}, @{BOT_USERNAME}?",
        f"😀😀 @{BOT_USERNAME.upper()} {DIPLOMAT_QUESTION}",
    ],
    ids=["ask", "ask-addressed", "mention-first", "mention-inside", "mention-after-emoji"],
)
async def test_group_questions_are_answered_in_reply(
    app: Application, fake_api: FakeBotApi, text: str
) -> None:
    update = message_update(text, chat_id=GROUP_ID)
    await feed(app, update)
    (call,) = fake_api.calls_to("sendMessage")
    assert call.ok and call.params["chat_id"] == GROUP_ID
    assert call.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert quoted(call.params["text"]) and "a European diplomat" in call.params["text"]


@pytest.mark.parametrize(
    "text",
    [
        "Did anyone watch the match last night?",
        "@someone_else what did the diplomat say?",
        f"/ask@other_bot {DIPLOMAT_QUESTION}",
        "/sourcesx",
        f"email me at reader{BOT_USERNAME}@example.com",
    ],
    ids=["chatter", "other-mention", "other-bots-command", "unknown-command", "name-inside-word"],
)
async def test_group_chatter_is_ignored(app: Application, fake_api: FakeBotApi, text: str) -> None:
    await feed(app, message_update(text, chat_id=GROUP_ID))
    assert fake_api.calls_to("sendMessage") == []


async def test_bare_ask_in_a_group_gets_a_usage_line(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update("/ask", chat_id=GROUP_ID))
    (text,) = fake_api.sent_texts()
    assert text.startswith("Usage: /ask QUESTION")


async def test_reply_to_another_user_is_ignored(app: Application, fake_api: FakeBotApi) -> None:
    other = message("The diplomat said a lot.", user_id=OTHER_USER_ID, chat_id=GROUP_ID)
    await feed(app, message_update("What else did he say?", chat_id=GROUP_ID, reply_to=other))
    assert fake_api.calls_to("sendMessage") == []


async def test_reply_to_the_bot_follows_up_on_that_answer(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(f"/ask {DIPLOMAT_QUESTION}", chat_id=GROUP_ID))
    (first,) = fake_api.calls_to("sendMessage")
    # Another member follows up on the bot's answer: the thread gives the context.
    follow_up = message_update(
        "What else did he say?",
        chat_id=GROUP_ID,
        user_id=OTHER_USER_ID,
        reply_to=bot_message(first),
    )
    await feed(app, follow_up)
    second = fake_api.calls_to("sendMessage")[1]
    assert second.ok
    assert second.params["reply_parameters"]["message_id"] == follow_up["message"]["message_id"]
    first_quotes, second_quotes = quoted(first.params["text"]), quoted(second.params["text"])
    assert second_quotes and not set(first_quotes) & set(second_quotes)
    assert second.params["text"].count("a European diplomat") == len(second_quotes)


async def test_recent_questions_of_the_same_user_give_context(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(f"/ask {DIPLOMAT_QUESTION}", chat_id=GROUP_ID))
    await feed(app, message_update("/ask What else did he say?", chat_id=GROUP_ID))
    first, second = fake_api.sent_texts()
    assert quoted(second) and not set(quoted(first)) & set(quoted(second))
    assert "a European diplomat" in second


async def test_user_context_is_per_chat(app: Application, fake_api: FakeBotApi) -> None:
    await feed(app, message_update(f"/ask {DIPLOMAT_QUESTION}", chat_id=GROUP_ID))
    await feed(app, message_update("What else did he say?", user_id=USER_ID))  # private chat
    assert "<blockquote>" not in fake_api.sent_texts()[1]
