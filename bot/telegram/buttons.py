"""Button presses (More, Summary, Source, article pages) and the /summary and /articles commands."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.conversation import Conversation
from bot.models import Answer, ArticleNotFoundError
from bot.telegram.conversations import thread_key
from bot.telegram.handlers import (
    NO_PREVIEW,
    answer_question,
    command_argument,
    conversation_keys,
    send_answer,
)
from bot.telegram.html import escape, render_answer, shorten
from bot.telegram.keyboards import Press, page_keyboard, parse_press
from bot.telegram.services import Context, Outcome, admitted, logged, services

log = logging.getLogger("bot.telegram")

STALE_BUTTON = "This button no longer works. Please ask again."
ARTICLE_GONE = "That article is no longer in my corpus. See /articles."
NO_CONTEXT = "I no longer remember that answer. Please ask again."
NOTHING_MORE = "That's all I have on that."
ARTICLES_USAGE = "Usage: /articles [PAGE] — for example: /articles 2"
NO_SUCH_ARTICLE = "I have no article with id <code>{id}</code>. See /articles for the ids."
SUMMARY_QUESTION = "What is this article about?"


@logged
async def button(update: Update, context: Context) -> Outcome:
    """A press on a button under an answer; every press is answered, stale ones with a toast."""
    query = update.callback_query
    if query is None:
        return None
    if not await admitted(update, context):
        return "button refused by the flood guard"
    press = parse_press(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if press is None or message is None:
        await query.answer(STALE_BUTTON)
        return "stale button"
    if press.action == "page":
        return await _show_page(update, context, message, press.page)
    library = services(context).library
    thread = thread_key(message.chat_id, message.message_id)
    conversation = services(context).conversations.get(thread)
    try:
        if press.action == "more":
            if conversation is None:
                await query.answer(NO_CONTEXT)
                return "more without context"
            answer = await asyncio.to_thread(library.more, conversation)
        elif press.action == "summary":
            answer = await asyncio.to_thread(library.summary_of, _id(press), "summary")
        else:
            answer = await asyncio.to_thread(library.facts_of, _id(press), "source")
    except ArticleNotFoundError:
        await query.answer(ARTICLE_GONE)
        return f"{press.action} of a removed article"
    if answer is None:
        await query.answer(NOTHING_MORE)
        return "more: nothing left"
    await query.answer()
    # More moves the answer's thread on (the next More continues further); a summary or the
    # source starts a thread of its own, so the buttons under the answer keep their meaning.
    if press.action == "more" and conversation is not None:
        keys = [thread]
    else:
        keys = []
        conversation = Conversation.from_dict(conversation.to_dict()) if conversation else None
    sent = await send_answer(message, context, answer, conversation or Conversation(), keys)
    return f"{press.action}: {answer.kind} in {len(sent)} messages"


async def _show_page(update: Update, context: Context, message: Message, page: int) -> Outcome:
    """Replace the article list in the message with another page."""
    query = update.callback_query
    assert query is not None
    answer = await asyncio.to_thread(services(context).library.articles_page, page, "articles")
    await query.answer()
    (text, *_) = render_answer(answer, [])
    await query.edit_message_text(
        text,
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=page_keyboard(answer.page, answer.pages),
    )
    return f"articles page {answer.page} of {answer.pages}"


def _id(press: Press) -> str:
    assert press.article_id is not None
    return press.article_id


@logged
async def summary_command(update: Update, context: Context) -> Outcome:
    """/summary: the article of the conversation (or the newest); /summary ID: that article."""
    message = update.effective_message
    if message is None or message.text is None or not await admitted(update, context):
        return None
    argument = command_argument(message.text)
    if not argument:
        return await answer_question(message, context, SUMMARY_QUESTION)
    library = services(context).library
    try:
        answer = await asyncio.to_thread(library.summary_of, argument, f"/summary {argument}")
    except ArticleNotFoundError:
        text = NO_SUCH_ARTICLE.format(id=escape(shorten(argument, 40)))
        await message.reply_html(text)
        return "summary of an unknown id"
    return await _reply(message, context, answer)


@logged
async def articles_command(update: Update, context: Context) -> Outcome:
    """/articles [PAGE] (and /sources): the articles, newest first, with page buttons."""
    message = update.effective_message
    if message is None or message.text is None or not await admitted(update, context):
        return None
    argument = command_argument(message.text)
    if argument and not (argument.isdigit() and 0 < len(argument) <= 6):
        await message.reply_text(ARTICLES_USAGE)
        return "usage"
    page = int(argument) if argument else 1
    library = services(context).library
    answer = await asyncio.to_thread(library.articles_page, page, "articles")
    return await _reply(message, context, answer)


async def _reply(message: Message, context: Context, answer: Answer) -> Outcome:
    read_key, keys = conversation_keys(message, context)
    conversation = services(context).conversations.get(read_key) or Conversation()
    sent = await send_answer(message, context, answer, conversation, keys)
    return f"{answer.kind} in {len(sent)} messages"
