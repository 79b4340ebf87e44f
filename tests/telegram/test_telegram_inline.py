"""Inline mode: `@bot question` offers one result per quote; an empty query gets a hint."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.ingest import read_text
from bot.library import Library
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import USER_ID, feed, user


def inline_update(query: str) -> dict[str, Any]:
    return {"inline_query": {"id": "iq1", "from": user(USER_ID), "query": query, "offset": ""}}


async def test_inline_query_offers_each_quote_as_an_html_article(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, inline_update("What did the European diplomat say?"))
    (call,) = fake_api.calls_to("answerInlineQuery")
    assert call.ok and call.params["inline_query_id"] == "iq1"
    assert int(call.params["cache_time"]) <= 60
    results = call.params["results"]
    assert results and len({r["id"] for r in results}) == len(results)
    for result in results:
        assert result["type"] == "article"
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        assert content["message_text"].startswith("<blockquote>")
    assert any("a European diplomat" in r["title"] for r in results)


async def test_empty_inline_query_gets_a_hint_button(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, inline_update("   "))
    (call,) = fake_api.calls_to("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "help"


async def test_inline_query_without_quotes_gets_no_results(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, inline_update("zebra migration speed"))
    (call,) = fake_api.calls_to("answerInlineQuery")
    assert call.params["results"] == [] and "button" in call.params


async def test_inline_results_escape_article_markup(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    text = "Markup <b>test</b> headline\n\nThe mayor said that 3 < 4 & 5 > 2 in the budget."
    library.add(read_text(text, fmt="text"))
    await feed(app, inline_update("What did the mayor say about the budget?"))
    (call,) = fake_api.calls_to("answerInlineQuery")
    (result,) = call.params["results"]
    message_text = result["input_message_content"]["message_text"]
    assert "3 &lt; 4 &amp; 5 &gt; 2" in message_text
    assert "Markup &lt;b&gt;test&lt;/b&gt; headline" in message_text


async def test_inline_article_level_questions_are_answered_too(
    app: Application, fake_api: FakeBotApi
) -> None:
    await feed(app, inline_update("Who is quoted in the article about the grain corridor?"))
    await feed(app, inline_update("Summarize the article about the grain corridor"))
    speakers, summary = fake_api.calls_to("answerInlineQuery")
    (only,) = speakers.params["results"]
    assert only["title"] == "Who is quoted"
    text = only["input_message_content"]["message_text"]
    assert "a European diplomat — 3 sentences" in text
    assert len(summary.params["results"]) == 3  # one result per summary sentence
