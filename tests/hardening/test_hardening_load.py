"""Many chats asking at once, through polling and the fake Bot API, while an admin adds articles.

Every question must get exactly one reply (matched by the message it replies to), every admin
add its "Added", with zero errors, under Telegram's real send limits (the default rate limiter:
30 messages a second overall, 20 a minute per group). Default run: 20 chats x 5 questions;
`-m slow`: 100 chats x 10 questions.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from bot.library import Library
from bot.settings import Settings
from tests.hardening.outgoing import invalid_calls, record_errors
from tests.telegram.app_runner import running
from tests.telegram.fake_bot_api import ApiCall, FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID, message_update

QUESTIONS = (
    "What did the European diplomat say?",
    "Who said the talks had stalled?",
    "What is known about the harbour budget?",
    "What did the council say about dredging?",
    "What did officials say about grain exports?",
)
_numbers = itertools.count(1)


def admin_article(number: int) -> str:
    return (
        f"/add Ferry pier {number} reopens\n\n"
        f'"Pier {number} is safe again," said harbour master Elin Voss{number}.\n\n'
        f"The pier had been closed for inspection number {number}, the port authority said."
    )


def replied_to(call: ApiCall) -> tuple[int, int] | None:
    reply = call.params.get("reply_parameters") or {}
    message_id = reply.get("message_id")
    return None if message_id is None else (call.params["chat_id"], message_id)


async def run_load(
    make_settings: Callable[..., Settings],
    library: Library,
    api: FakeBotApi,
    chats: int,
    questions_each: int,
    adds: int,
) -> dict[str, Any]:
    # Each simulated reader asks `questions_each` in a burst; the flood guard must allow that.
    settings = make_settings(flood_max_messages=max(questions_each, 8))
    asked: set[tuple[int, int]] = set()
    async with running(settings, library, request_timeout=10.0) as app:
        errors = record_errors(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        started = time.monotonic()
        adds_sent = 0
        for round_number in range(questions_each):
            for chat in range(chats):
                chat_id, user_id = -(10_000 + chat), 5_000 + chat
                text = "/ask " + QUESTIONS[(chat + round_number) % len(QUESTIONS)]
                update = message_update(text, user_id=user_id, chat_id=chat_id)
                api.push_update(update)
                asked.add((chat_id, update["message"]["message_id"]))
                if adds_sent < adds and chat % max(chats // 2, 1) == 0:
                    api.push_update(message_update(admin_article(next(_numbers)), user_id=ADMIN_ID))
                    adds_sent += 1

        def done(calls: list[ApiCall]) -> bool:
            sent = [c for c in calls if c.method == "sendMessage"]
            replied = {replied_to(c) for c in sent}
            added = sum(1 for c in sent if c.params["chat_id"] == ADMIN_ID)
            return asked <= replied and added >= adds_sent

        await asyncio.to_thread(api.wait_for, done, 30.0 + chats * questions_each * 0.2)
        elapsed = time.monotonic() - started
        await app.updater.stop()
        await app.stop()
    sent = api.calls_to("sendMessage")
    per_question = Counter(replied_to(c) for c in sent if c.params["chat_id"] != ADMIN_ID)
    admin_replies = [c.params["text"] for c in sent if c.params["chat_id"] == ADMIN_ID]
    assert errors == []
    assert api.refused() == [] and invalid_calls(sent) == []
    assert set(per_question) == asked, "some questions got no reply"
    assert set(per_question.values()) == {1}, "some questions got more than one reply"
    assert len(admin_replies) == adds_sent and all(t.startswith("Added") for t in admin_replies)
    assert all(c.ok for c in sent)
    return {
        "chats": chats,
        "questions": len(asked),
        "replies": sum(per_question.values()),
        "admin_adds": adds_sent,
        "seconds": round(elapsed, 1),
    }


async def test_twenty_chats_asking_five_questions_each_lose_no_reply(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    figures: dict[str, Any],
) -> None:
    result = await run_load(make_settings, library, fake_api, 20, 5, adds=6)
    figures["load"] = result
    assert result["replies"] == 100


@pytest.mark.slow
async def test_hundred_chats_asking_ten_questions_each_lose_no_reply(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    figures: dict[str, Any],
) -> None:
    result = await run_load(make_settings, library, fake_api, 100, 10, adds=20)
    figures["load_slow"] = result
    assert result["replies"] == 1000
