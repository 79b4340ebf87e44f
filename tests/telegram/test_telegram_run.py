"""Running for real: long polling in-process, and `python -m bot run` as a subprocess."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from bot.library import Library
from bot.settings import Settings
from bot.telegram.app import build_application, run_bot, webhook_options
from tests.telegram.fake_bot_api import TOKEN, ApiCall, FakeBotApi
from tests.telegram.fake_updates import message_update

QUESTION = "What did the European diplomat say?"


def answered(count: int):
    """A wait_for predicate: at least `count` sendMessage calls succeeded."""

    def predicate(calls: list[ApiCall]) -> bool:
        return sum(1 for c in calls if c.method == "sendMessage" and c.ok) >= count

    return predicate


async def test_long_polling_answers_queued_updates(
    settings: Settings, library: Library, fake_api: FakeBotApi
) -> None:
    fake_api.push_update(message_update("/start"))
    fake_api.push_update(message_update(QUESTION))
    application = build_application(settings, library)
    async with application:
        assert application.post_init is not None and application.updater is not None
        await application.post_init(application)
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        await asyncio.to_thread(fake_api.wait_for, answered(2))
        await application.updater.stop()
        await application.stop()
    help_text, answer = fake_api.sent_texts()
    assert "Try asking:" in help_text and "<blockquote>" in answer
    assert fake_api.calls_to("deleteWebhook")  # polling mode makes sure no webhook is set


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_running_bot_embeds_an_older_corpus_in_the_background(
    make_settings, fake_api: FakeBotApi
) -> None:
    settings = make_settings(semantic=True)
    library = Library.open(settings)  # the shipped corpus has no sentence vectors yet
    assert library.missing_vectors()
    fake_api.push_update(message_update(QUESTION))
    application = build_application(settings, library)
    async with application:
        assert application.post_init is not None and application.updater is not None
        await application.post_init(application)
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await application.start()
        await asyncio.to_thread(fake_api.wait_for, answered(1))
        for _ in range(600):
            if not library.missing_vectors():
                break
            await asyncio.sleep(0.1)
        await application.updater.stop()
        await application.stop()
    assert library.missing_vectors() == []
    assert (settings.data_dir / "vectors" / "manifest.json").exists()


async def test_webhook_mode_accepts_updates_only_with_the_secret(
    make_settings, library: Library, fake_api: FakeBotApi
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = make_settings(
        webhook_url=url, webhook_listen="127.0.0.1", webhook_port=port, webhook_secret="s3cret"
    )
    application = build_application(settings, library)
    async with application, httpx.AsyncClient() as client:
        assert application.updater is not None
        await application.updater.start_webhook(**webhook_options(settings))
        await application.start()
        wrong = await client.post(
            url,
            json={"update_id": 7, **message_update(QUESTION)},
            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
        )
        right = await client.post(
            url,
            json={"update_id": 8, **message_update(QUESTION)},
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
        )
        await asyncio.to_thread(fake_api.wait_for, answered(1))
        await application.updater.stop()
        await application.stop()
    assert (wrong.status_code, right.status_code) == (403, 200)
    (set_webhook,) = fake_api.calls_to("setWebhook")
    assert set_webhook.params["url"] == url and set_webhook.params["secret_token"] == "s3cret"
    assert len(fake_api.sent_texts()) == 1


def test_run_bot_without_a_token_refuses_to_start(make_settings, library: Library) -> None:
    assert run_bot(make_settings(telegram_bot_token=None), library) == 2


def test_python_m_bot_run_answers_and_exits_cleanly_on_sigint(
    settings: Settings, library: Library, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    # The library fixture has stored the test articles in settings.corpus_dir.
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
        "CORPUS_DIR": str(settings.corpus_dir),
        "DATA_DIR": str(settings.data_dir),
        "LOG_LEVEL": "DEBUG",
    }
    fake_api.push_update(message_update("/start"))
    fake_api.push_update(message_update(QUESTION))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,  # no developer .env
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake_api.wait_for(answered(2), timeout=60)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr[-2000:]
    help_text, answer = fake_api.sent_texts()
    assert "Try asking:" in help_text and "<blockquote>" in answer
    assert "a European diplomat" in answer
    assert TOKEN not in stderr and "getUpdates" in stderr  # DEBUG logs, token redacted
