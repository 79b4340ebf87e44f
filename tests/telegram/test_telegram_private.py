"""Private chats: questions, help, sources, /new, bad input, edited messages."""

from __future__ import annotations

from telegram.ext import Application

from bot.library import Library
from bot.telegram.conversations import user_key
from bot.telegram.services import services
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import USER_ID, feed, message, message_update, texts_since

DIPLOMAT_QUESTION = "What did the European diplomat say?"


async def test_question_is_answered_with_blockquotes_and_attribution(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(DIPLOMAT_QUESTION))
    (call,) = fake_api.calls_to("sendMessage")
    assert call.ok and call.params["chat_id"] == USER_ID
    assert call.params["parse_mode"] == "HTML"
    text = call.params["text"]
    assert "<blockquote>" in text
    assert "a European diplomat" in text and "<i>Reuters</i>" in text
    assert "Grain corridor talks stall" in text


async def test_start_and_help_say_what_the_bot_knows(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    for command in ("/start", "/help"):
        await feed(app, message_update(command))
    texts = fake_api.sent_texts()
    assert len(texts) == 2 and texts[0] == texts[1]
    assert f"{len(library)} news articles" in texts[0]
    assert "Try asking:" in texts[0] and "/sources" in texts[0] and "/new" in texts[0]
    assert "/add" not in texts[0]  # admin commands only for admins


async def test_sources_lists_titles_ids_and_outlets(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    await feed(app, message_update("/sources"))
    text = "\n".join(fake_api.sent_texts())
    for article in library.articles():
        assert f"<code>{article.id}</code>" in text
    assert "Grain corridor talks stall" in text and "(Harbour Gazette)" in text


async def test_new_forgets_the_conversation(app: Application, fake_api: FakeBotApi) -> None:
    store = services(app).conversations  # type: ignore[arg-type]
    await feed(app, message_update(DIPLOMAT_QUESTION))
    assert store.get(user_key(USER_ID, USER_ID)) is not None
    await feed(app, message_update("/new"))
    assert store.get(user_key(USER_ID, USER_ID)) is None
    assert "forgotten" in fake_api.sent_texts()[-1]


async def test_question_outside_the_articles_gets_a_short_not_found(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update("How fast do zebras migrate across the Serengeti?"))
    (text,) = fake_api.sent_texts()
    assert "couldn't find" in text and "<blockquote>" not in text
    assert "City council approves harbour dredging budget" in text  # a hint of what it knows


async def test_html_in_a_question_is_escaped(app: Application, fake_api: FakeBotApi) -> None:
    await feed(app, message_update("<b>zebras</b> & <a href='x'>lions</a>?"))
    (text,) = fake_api.sent_texts()
    assert "&lt;b&gt;zebras&lt;/b&gt; &amp; &lt;a href='x'&gt;" in text
    assert fake_api.refused() == []


async def test_whitespace_only_and_huge_questions_get_clear_answers(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, message_update(" \u3000 "))
    await feed(app, message_update("why " * 300))
    empty, huge = fake_api.sent_texts()
    assert empty.startswith("Ask me a question")
    assert "too long" in huge and "1000" in huge


async def test_unknown_command_points_to_help(app: Application, fake_api: FakeBotApi) -> None:
    await feed(app, message_update("/frobnicate now"))
    assert fake_api.sent_texts() == ["I don't know that command. Send /help to see what I can do."]


async def test_edited_messages_are_ignored(app: Application, fake_api: FakeBotApi) -> None:
    before = len(fake_api.calls)
    await feed(app, {"edited_message": message(DIPLOMAT_QUESTION, edit_date=1)})
    assert texts_since(fake_api, before) == []


async def test_flood_guard_sends_one_notice_then_stays_silent(
    make_settings, library: Library, fake_api: FakeBotApi, start_app
) -> None:
    settings = make_settings(flood_max_messages=2, flood_window_seconds=60)
    async with start_app(settings, library) as app:
        for _ in range(5):
            await feed(app, message_update(DIPLOMAT_QUESTION))
    texts = fake_api.sent_texts()
    assert len(texts) == 3
    assert "<blockquote>" in texts[0] and "<blockquote>" in texts[1]
    assert "faster than I can answer" in texts[2]
