"""Handlers for readers: questions in private chats and groups, inline queries, help, errors."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.conversation import Conversation
from bot.models import MAX_QUESTION_CHARS, Answer
from bot.telegram.conversations import thread_key, user_key
from bot.telegram.html import (
    render_answer,
    render_help,
    render_quote,
    shorten,
    speaker_phrase,
)
from bot.telegram.keyboards import answer_keyboard
from bot.telegram.services import Context, Outcome, admitted, is_admin, logged, services

log = logging.getLogger("bot.telegram")

INLINE_CACHE_SECONDS = 10
INLINE_MAX_RESULTS = 10
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# "/ask@quote_bot  what did ..." -> "what did ..."
COMMAND_PREFIX = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?\s*")
# What is left in front of the question once "@bot" is cut out: "@bot, what ..." -> ", what ..."
LEADING_PUNCTUATION = re.compile(r"^[\s,:;.!\-\u2013\u2014]+")
# ... and around it: "say , ?" -> "say?"
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[,.;:!?])")
DANGLING_COMMA = re.compile(r",+(?=[?!.]|$)")

EMPTY_QUESTION = "Ask me a question about the news, for example: {example}"
TOO_LONG = (
    "That question is too long for me ({length} characters; the limit is {limit}). "
    "Please ask something shorter."
)
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
NEW_CONVERSATION = "OK, I've forgotten our conversation. Ask me anything."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."
ASK_USAGE = "Usage: /ask QUESTION — for example: {example}"
INLINE_TITLES = {
    "article": "About the article",
    "speakers": "Who is quoted",
    "articles": "Articles",
}


def command_argument(text: str) -> str:
    """The text after "/command" or "/command@bot", with its newlines kept."""
    return COMMAND_PREFIX.sub("", text, count=1).strip()


def remove_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text without the (offset, length) spans, which count UTF-16 units as Telegram does."""
    units = text.encode("utf-16-le")
    for offset, length in sorted(spans, reverse=True):
        units = units[: offset * 2] + units[(offset + length) * 2 :]
    return units.decode("utf-16-le", errors="replace")


def clean_question(text: str) -> str:
    """Whitespace collapsed and punctuation left over from a removed mention dropped."""
    text = SPACE_BEFORE_PUNCTUATION.sub("", " ".join(text.split()))
    return LEADING_PUNCTUATION.sub("", DANGLING_COMMA.sub("", text))


def bot_mentions(message: Message, bot_id: int, username: str | None) -> list[tuple[int, int]]:
    """Spans of the message's text that mention this bot (@username or a text mention)."""
    spans: list[tuple[int, int]] = []
    handle = f"@{username}".casefold() if username else None
    for entity, text in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        names_us = entity.type == MessageEntity.MENTION and text.casefold() == handle
        links_us = entity.user is not None and entity.user.id == bot_id
        if names_us or links_us:
            spans.append((entity.offset, entity.length))
    return spans


def replies_to_bot(message: Message, bot_id: int) -> bool:
    """True when the message replies to one of this bot's own messages."""
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


# -- questions -----------------------------------------------------------------------------------


async def answer_question(message: Message, context: Context, question: str) -> str:
    """Answer the question in reply to the message, with and for the conversation context."""
    question = clean_question(question)
    service = services(context)
    if not question:
        examples = service.library.example_questions(1)
        example = examples[0] if examples else "Who said what about the talks?"
        await message.reply_text(EMPTY_QUESTION.format(example=example))
        return "empty question"
    if len(question) > MAX_QUESTION_CHARS:
        await message.reply_text(TOO_LONG.format(length=len(question), limit=MAX_QUESTION_CHARS))
        return f"refused a {len(question)}-character question"
    read_key, keys = conversation_keys(message, context)
    conversation = service.conversations.get(read_key) or Conversation()
    # Off the event loop: `ask` is quick, but waits for the library lock while an /add indexes.
    answer: Answer = await asyncio.to_thread(service.library.ask, question, conversation)
    sent = await send_answer(message, context, answer, conversation, keys)
    if answer.kind == "quotes":
        return f"{len(answer.quotes)} quotes in {len(sent)} messages"
    return f"{answer.kind} in {len(sent)} messages"


async def send_answer(
    message: Message,
    context: Context,
    answer: Answer,
    conversation: Conversation,
    keys: Sequence[str],
) -> list[Message]:
    """Reply with the answer (buttons under its last message) and remember it in the
    conversation, stored under `keys` and under each reply's thread.
    """
    service = services(context)
    # The article list is only needed to hint at what the bot knows when nothing matched.
    known = service.library.articles() if not answer.answered else []
    texts = render_answer(answer, known)
    keyboard = answer_keyboard(answer)
    sent = [
        await message.reply_html(
            text,
            link_preview_options=NO_PREVIEW,
            reply_markup=keyboard if number == len(texts) else None,
        )
        for number, text in enumerate(texts, start=1)
    ]
    conversation.remember(answer)
    service.conversations.put(
        [*keys, *(thread_key(message.chat_id, reply.message_id) for reply in sent)], conversation
    )
    return sent


def conversation_keys(message: Message, context: Context) -> tuple[str, list[str]]:
    """Where to read the context from, and where (besides the replies) to store it."""
    users = [user_key(message.chat_id, message.from_user.id)] if message.from_user else []
    if replies_to_bot(message, context.bot.id) and message.reply_to_message is not None:
        # A reply to one of our answers continues that thread, whoever asked it first.
        return thread_key(message.chat_id, message.reply_to_message.message_id), users
    return (users[0] if users else ""), users


@logged
async def private_text(update: Update, context: Context) -> Outcome:
    """Any text in a private chat is a question."""
    message = update.effective_message
    if message is None or message.text is None or not await admitted(update, context):
        return None
    return await answer_question(message, context, message.text)


@logged
async def ask_command(update: Update, context: Context) -> Outcome:
    """/ask QUESTION, in any chat."""
    message = update.effective_message
    if message is None or message.text is None or not await admitted(update, context):
        return None
    question = command_argument(message.text)
    if not question:
        examples = services(context).library.example_questions(1)
        example = examples[0] if examples else "Who said what about the talks?"
        await message.reply_text(ASK_USAGE.format(example=example))
        return "usage"
    return await answer_question(message, context, question)


@logged
async def group_text(update: Update, context: Context) -> Outcome:
    """In groups, answer only messages that mention the bot or reply to it; ignore chatter."""
    message = update.effective_message
    if message is None or message.text is None:
        return None
    mentions = bot_mentions(message, context.bot.id, context.bot.username)
    if not mentions and not replies_to_bot(message, context.bot.id):
        return None
    if not await admitted(update, context):
        return None
    return await answer_question(message, context, remove_spans(message.text, mentions))


# -- commands ------------------------------------------------------------------------------------


@logged
async def start(update: Update, context: Context) -> Outcome:
    """/start and /help: what the bot knows, example questions, the commands."""
    message = update.effective_message
    if message is None or not await admitted(update, context):
        return None
    library = services(context).library
    text = render_help(
        len(library),
        library.example_questions(3),
        username=context.bot.username,
        admin=is_admin(update, context),
    )
    await message.reply_html(text, link_preview_options=NO_PREVIEW)
    return "help"


@logged
async def new_conversation(update: Update, context: Context) -> Outcome:
    """/new: forget this user's conversation in this chat."""
    message = update.effective_message
    if message is None or message.from_user is None or not await admitted(update, context):
        return None
    services(context).conversations.forget(user_key(message.chat_id, message.from_user.id))
    await message.reply_text(NEW_CONVERSATION)
    return "forgot the conversation"


@logged
async def unknown_command(update: Update, context: Context) -> Outcome:
    """An unknown /command in a private chat gets a pointer to /help."""
    message = update.effective_message
    if message is None or not await admitted(update, context):
        return None
    await message.reply_text(UNKNOWN_COMMAND)
    return "unknown command"


# -- inline mode ---------------------------------------------------------------------------------


@logged
async def inline_query(update: Update, context: Context) -> Outcome:
    """`@bot question` in any chat: one result per quote, ready to send."""
    query = update.inline_query
    if query is None:
        return None
    question = clean_question(query.query)
    if not question or len(question) > MAX_QUESTION_CHARS:
        hint = "Type a question about the news" if not question else "That question is too long"
        hint_button = InlineQueryResultsButton(text=hint, start_parameter="help")
        await query.answer([], cache_time=INLINE_CACHE_SECONDS, button=hint_button)
        return "inline hint"
    library = services(context).library
    answer = await asyncio.to_thread(library.ask, question)
    results = [
        InlineQueryResultArticle(
            id=str(number),
            title=shorten(speaker_phrase(q.speaker, q.cue) or q.article.title, 64),
            description=shorten(q.text, 120),
            input_message_content=InputTextMessageContent(
                render_quote(q), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            ),
        )
        for number, q in enumerate(answer.quotes[:INLINE_MAX_RESULTS])
    ]
    if not results and answer.answered:
        # Facts, speakers or a page of articles: one result holding the whole reply.
        (text, *_) = render_answer(answer, [])
        results = [
            InlineQueryResultArticle(
                id="0",
                title=shorten(INLINE_TITLES.get(answer.kind, "Answer"), 64),
                description=shorten(answer.article.title if answer.article else question, 120),
                input_message_content=InputTextMessageContent(
                    text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                ),
            )
        ]
    button: InlineQueryResultsButton | None = None
    if not results:
        button = InlineQueryResultsButton(text="Not in my articles", start_parameter="help")
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, button=button)
    return f"inline {len(results)} results"


# -- errors --------------------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Log every unexpected error with its traceback first, then try to tell the user.

    "Blocked by the user" (403) is expected: one warning with the chat id, no notice.
    """
    update_id = update.update_id if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    chat_id = chat.id if chat is not None else None
    if isinstance(context.error, Forbidden):
        # Blocked or kicked: expected, so no traceback, and there is nobody left to tell.
        log.warning(
            "reply to chat %s not delivered (update %s): %s", chat_id, update_id, context.error
        )
        return
    # The chat id says whose reply was lost, so an operator can follow up.
    log.error(
        "error while handling update %s in chat %s", update_id, chat_id, exc_info=context.error
    )
    if chat_id is None:
        return
    try:
        await context.bot.send_message(chat_id, SOMETHING_WENT_WRONG)
    except TelegramError as exc:
        log.warning("could not tell chat %s about the error: %s", chat_id, exc)
