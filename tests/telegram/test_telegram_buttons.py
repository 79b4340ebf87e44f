"""Buttons under answers (More, Summary, Source, pages), /summary, /articles and focus per thread.

Everything goes through PTB's real HTTP stack against the fake Bot API; presses are callback
query updates on messages the bot really sent.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.ingest import read_file
from bot.library import Library
from bot.telegram.buttons import ARTICLE_GONE, NO_CONTEXT, NOTHING_MORE, STALE_BUTTON
from bot.telegram.handlers import SOMETHING_WENT_WRONG
from bot.telegram.keyboards import MAX_CALLBACK_BYTES
from bot.telegram.services import SLOW_DOWN
from tests.telegram.fake_bot_api import ApiCall, FakeBotApi
from tests.telegram.fake_updates import (
    ADMIN_ID,
    GROUP_ID,
    OTHER_USER_ID,
    USER_ID,
    bot_message,
    callback_update,
    feed,
    message_update,
)

BLOCKQUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)
TALKS_QUESTION = "What did the European diplomat say about the talks?"
BUDGET_QUESTION = "What did Anna Berg say about dredging?"
SEED_ID = "b337a07ac34c83ae"


def keyboard(call: ApiCall) -> list[list[dict[str, Any]]]:
    return call.params.get("reply_markup", {}).get("inline_keyboard", [])


def buttons(call: ApiCall) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in keyboard(call) for b in row}


def last_sent(api: FakeBotApi) -> ApiCall:
    return api.calls_to("sendMessage")[-1]


def toasts(api: FakeBotApi) -> list[str | None]:
    return [call.params.get("text") for call in api.calls_to("answerCallbackQuery")]


async def test_every_answer_about_an_article_has_more_summary_and_source(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(TALKS_QUESTION))
    call = last_sent(fake_api)
    data = buttons(call)
    assert list(data) == ["More", "Summary", "Source"]
    assert all(len(value.encode()) <= MAX_CALLBACK_BYTES for value in data.values())
    assert data["More"] == "m" and re.fullmatch(r"s:[0-9a-f]{16}", data["Summary"])


async def test_quotes_of_one_article_sit_under_one_article_line(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(TALKS_QUESTION))
    text = last_sent(fake_api).params["text"]
    assert len(BLOCKQUOTE.findall(text)) >= 2
    assert text.count("Grain corridor talks stall") == 1


async def test_summary_source_and_more_buttons_answer_in_the_thread(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(TALKS_QUESTION))
    answer = last_sent(fake_api)
    first_quotes = set(BLOCKQUOTE.findall(answer.params["text"]))
    data = buttons(answer)

    await feed(app, callback_update(data["Summary"], bot_message(answer)))
    summary = last_sent(fake_api)
    assert summary.params["text"].startswith("<b>Summary</b> of <b>Grain corridor talks stall")
    assert summary.params["chat_id"] == USER_ID
    assert list(buttons(summary)) == ["More", "Summary", "Source"]

    await feed(app, callback_update(data["Source"], bot_message(answer)))
    source = last_sent(fake_api).params["text"]
    assert "Outlet: Reuters" in source and "Id: <code>" in source

    await feed(app, callback_update("m", bot_message(answer)))
    more = last_sent(fake_api)
    more_quotes = set(BLOCKQUOTE.findall(more.params["text"]))
    assert more_quotes and not more_quotes & first_quotes
    assert toasts(fake_api) == [None, None, None]  # every press answered, none refused
    assert fake_api.refused() == []


async def test_more_until_nothing_is_left_says_so_in_a_toast(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update("Who is quoted in the article about the grain corridor?"))
    speakers = last_sent(fake_api)
    assert "a European diplomat — 3 sentences" in speakers.params["text"]
    await feed(app, callback_update("m", bot_message(speakers)))
    assert toasts(fake_api) == [NOTHING_MORE]
    assert len(fake_api.calls_to("sendMessage")) == 1


async def test_buttons_on_an_old_message_work_after_a_restart_or_toast(
    settings, library: Library, fake_api: FakeBotApi, start_app
) -> None:
    async with start_app(settings, library) as first_app:
        await feed(first_app, message_update(TALKS_QUESTION))
    answer = last_sent(fake_api)
    grain_id = buttons(answer)["Summary"].split(":")[1]

    restarted = Library.open(settings)
    async with start_app(settings, restarted) as second_app:
        await feed(second_app, callback_update("m", bot_message(answer)))
        assert len(BLOCKQUOTE.findall(last_sent(fake_api).params["text"])) >= 1
        restarted.remove(grain_id)
        sent = len(fake_api.calls_to("sendMessage"))
        await feed(second_app, callback_update(f"s:{grain_id}", bot_message(answer)))
        await feed(second_app, callback_update("x:old-format", bot_message(answer)))
        await feed(second_app, callback_update("s:" + "0" * 80, bot_message(answer)))
        # A message whose thread was never stored (or has expired): More cannot continue it.
        stranger = {**bot_message(answer), "message_id": 999_999}
        await feed(second_app, callback_update("m", stranger))
    assert toasts(fake_api)[1:] == [ARTICLE_GONE, STALE_BUTTON, STALE_BUTTON, NO_CONTEXT]
    assert len(fake_api.calls_to("sendMessage")) == sent
    assert SOMETHING_WENT_WRONG not in fake_api.sent_texts()


async def test_articles_are_paged_with_buttons_that_edit_the_list(
    settings, library: Library, fake_api: FakeBotApi, start_app
) -> None:
    template = read_file(Path(__file__).parent / "articles" / "grain-talks.txt")
    for number in range(8):
        library.add(
            replace(
                template,
                id=f"{number:016x}",
                title=f"Talks, day {number}",
                url=f"https://example.com/{number}",
            )
        )
    async with start_app(settings, library) as app:
        await feed(app, message_update("/articles"))
        first = last_sent(fake_api)
        assert "<b>11 articles</b>, newest first (page 1 of 2)" in first.params["text"]
        assert buttons(first) == {"2 ▶": "a:2"}
        await feed(app, callback_update("a:2", bot_message(first)))
        (edit,) = fake_api.calls_to("editMessageText")
        assert edit.ok and "(page 2 of 2)" in edit.params["text"]
        assert f"<code>{SEED_ID}</code>" in edit.params["text"]
        assert buttons(edit) == {"◀ 1": "a:1"}
        await feed(app, message_update("/sources 2"))
        assert "(page 2 of 2)" in last_sent(fake_api).params["text"]
        await feed(app, message_update("/articles two"))
        assert last_sent(fake_api).params["text"].startswith("Usage: /articles")


async def test_group_reply_threads_keep_their_own_focus(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(f"/ask {TALKS_QUESTION}", chat_id=GROUP_ID))
    talks = last_sent(fake_api)
    await feed(app, message_update(f"/ask {BUDGET_QUESTION}", chat_id=GROUP_ID))
    budget = last_sent(fake_api)
    assert "dredging" in budget.params["text"]

    for answer, user_id, title in (
        (budget, OTHER_USER_ID, "harbour dredging budget"),
        (talks, USER_ID, "Grain corridor talks stall"),
    ):
        reply = message_update(
            "Who wrote this?", chat_id=GROUP_ID, user_id=user_id, reply_to=bot_message(answer)
        )
        await feed(app, reply)
        facts = last_sent(fake_api).params["text"]
        assert facts.startswith("<b>") and title in facts.split("\n")[0]


async def test_summary_command_uses_the_conversation_or_an_id(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(BUDGET_QUESTION))
    await feed(app, message_update("/summary"))
    assert "harbour dredging budget" in last_sent(fake_api).params["text"].split("\n")[0]
    await feed(app, message_update(f"/summary {SEED_ID[:6]}"))
    assert "Europeans want Trump" in last_sent(fake_api).params["text"].split("\n")[0]
    await feed(app, message_update("/summary <nope>"))
    assert "no article with id <code>&lt;nope&gt;</code>" in last_sent(fake_api).params["text"]


async def test_an_ambiguous_this_article_names_the_article_used_and_offers_others(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update("What is this article about?"))
    text = last_sent(fake_api).params["text"]
    assert "That is about the newest article" in text
    assert f"/summary {SEED_ID}" in text
    offered = buttons(last_sent(fake_api))
    assert offered[next(b for b in offered if b.startswith("Summary: Europeans"))] == f"s:{SEED_ID}"
    await feed(app, callback_update(f"s:{SEED_ID}", bot_message(last_sent(fake_api))))
    assert "Europeans want Trump" in last_sent(fake_api).params["text"].split("\n")[0]


@pytest.mark.parametrize("presses", [5])
async def test_button_presses_go_through_the_flood_guard(
    make_settings, library: Library, fake_api: FakeBotApi, start_app, presses: int
) -> None:
    settings = make_settings(flood_max_messages=2, flood_window_seconds=60)
    async with start_app(settings, library) as app:
        await feed(app, message_update(TALKS_QUESTION, user_id=ADMIN_ID))  # admins are exempt
        answer = last_sent(fake_api)
        data = buttons(answer)["Source"]
        for _ in range(presses):
            await feed(app, callback_update(data, bot_message(answer)))
    assert len(fake_api.calls_to("sendMessage")) == 1 + 2
    assert toasts(fake_api) == [None, None, SLOW_DOWN, None, None]
