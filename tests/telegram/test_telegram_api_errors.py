"""Bot API failures (429, 500, timeouts, 403, long answers) are survived; answers go on."""

from __future__ import annotations

import logging
import time

import pytest
from telegram.ext import Application

from bot.ingest import read_text
from bot.library import Library
from bot.telegram.handlers import SOMETHING_WENT_WRONG
from bot.telegram.html import utf16_len
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import OTHER_USER_ID, USER_ID, feed, message_update

QUESTION = "What did the European diplomat say?"


async def test_429_is_retried_after_retry_after(app: Application, fake_api: FakeBotApi) -> None:
    fake_api.fail_next("sendMessage", "429", retry_after=1)
    started = time.monotonic()
    await feed(app, message_update(QUESTION))
    assert time.monotonic() - started >= 1.0
    failed, sent = fake_api.calls_to("sendMessage")
    assert failed.failure == "429" and sent.ok
    assert "<blockquote>" in sent.params["text"]


async def test_500_is_logged_the_user_told_and_the_next_update_answered(
    app: Application, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.fail_next("sendMessage", "500")
    with caplog.at_level(logging.ERROR, logger="bot.telegram"):
        await feed(app, message_update(QUESTION))
    assert any(record.exc_info for record in caplog.records)
    assert fake_api.sent_texts() == [SOMETHING_WENT_WRONG]
    await feed(app, message_update(QUESTION))
    assert "<blockquote>" in fake_api.sent_texts()[-1]


async def test_timeout_is_survived(
    make_settings, library: Library, fake_api: FakeBotApi, start_app
) -> None:
    fake_api.fail_next("sendMessage", "timeout", delay=1.0)
    async with start_app(make_settings(), library, request_timeout=0.3) as app:
        await feed(app, message_update(QUESTION))
        await feed(app, message_update(QUESTION, user_id=OTHER_USER_ID))
    calls = fake_api.calls_to("sendMessage")
    assert calls[0].failure == "timeout"
    assert fake_api.sent_texts()[0] == SOMETHING_WENT_WRONG
    assert "<blockquote>" in fake_api.sent_texts()[-1]


async def test_blocked_by_the_user_is_logged_not_retried(
    app: Application, fake_api: FakeBotApi
) -> None:
    fake_api.fail_next("sendMessage", "403")
    await feed(app, message_update(QUESTION, user_id=USER_ID))
    assert len(fake_api.calls_to("sendMessage")) == 1  # no "something went wrong" to a blocker
    await feed(app, message_update(QUESTION, user_id=OTHER_USER_ID))
    (text,) = fake_api.sent_texts()
    assert "<blockquote>" in text


async def test_failing_set_my_commands_does_not_stop_the_bot(
    settings, library: Library, fake_api: FakeBotApi, start_app
) -> None:
    fake_api.fail_next("setMyCommands", "500")
    async with start_app(settings, library) as app:
        await feed(app, message_update(QUESTION))
    assert fake_api.calls_to("setMyCommands")[0].failure == "500"
    assert "<blockquote>" in fake_api.sent_texts()[0]


async def test_answer_longer_than_4096_is_split_into_several_messages(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    clause = "the committee examined the dredging contract for the northern quay in detail"
    sentences = [
        f'"{" and ".join([clause] * 20)} in part {n}," said Petra Lind, the auditor.'
        for n in range(1, 4)
    ]
    library.add(read_text("Auditor reviews quay dredging contract\n\n" + "\n\n".join(sentences)))
    await feed(app, message_update("What did the auditor say about the dredging contract?"))
    texts = fake_api.sent_texts()
    assert len(texts) >= 2
    assert all(utf16_len(text) <= 4096 for text in texts)
    assert sum(text.count("<blockquote>") for text in texts) >= 2
    assert fake_api.refused() == []
