"""Build and run the Telegram Application: services, handlers, rate limiter, token redaction."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.library import Library
from bot.models import BotError
from bot.settings import Settings
from bot.telegram import admin, buttons, feeds, handlers
from bot.telegram.conversations import ConversationStore
from bot.telegram.flood import FloodGuard
from bot.telegram.services import SERVICES_KEY, Services

log = logging.getLogger("bot.telegram")

REDACTED = "[REDACTED-TOKEN]"
ALLOWED_UPDATES = [Update.MESSAGE, Update.INLINE_QUERY, Update.CALLBACK_QUERY, Update.CHANNEL_POST]
CONCURRENT_UPDATES = 32
RATE_LIMIT_RETRIES = 3
BOOTSTRAP_RETRIES = 3
# Conversation context is written at most this often (and at shutdown), not after every answer.
CONVERSATION_SAVE_SECONDS = 10.0
COMMANDS = [
    BotCommand("help", "What I know and how to ask"),
    BotCommand("ask", "Ask a question (in groups)"),
    BotCommand("summary", "The gist of the article we are talking about"),
    BotCommand("articles", "The articles I can quote, newest first"),
    BotCommand("new", "Forget the conversation"),
    BotCommand("subscribe", "Send new articles to this chat"),
]
MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set, so the Telegram bot cannot start. Put it in the environment"
    " or in .env (see .env.example), or try the bot in the console: python -m bot chat"
)


class TokenRedactingFilter(logging.Filter):
    """Replace the bot token in every log record (message, arguments and traceback)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, REDACTED), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the redacted traceback is what gets printed.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, REDACTED)
        if record.stack_info and self.token in record.stack_info:
            record.stack_info = record.stack_info.replace(self.token, REDACTED)
        return True


def install_token_redaction(token: str) -> TokenRedactingFilter:
    """Keep the token out of the logs: quiet httpx and filter every root handler."""
    # httpx logs every request URL at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redactor = TokenRedactingFilter(token)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        handler.addFilter(redactor)
    return redactor


def bot_token(settings: Settings) -> str:
    """The configured token; BotError with a clear message when there is none."""
    token = (
        settings.telegram_bot_token.get_secret_value().strip()
        if settings.telegram_bot_token
        else ""
    )
    if not token:
        raise BotError(MISSING_TOKEN)
    return token


def file_base_url(base_url: str) -> str:
    """The file download URL that goes with an API base URL: ".../bot" -> ".../file/bot"."""
    head, _, last = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{last}"


def build_application(
    settings: Settings,
    library: Library,
    *,
    request_timeout: float = 10.0,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """The Application with every handler registered and the services in `bot_data`.

    `rate_limiter` replaces Telegram's limits (30 messages a second, 20 a minute per group);
    tests that send thousands of messages use one that only retries 429s.
    """
    application = (
        Application.builder()
        .token(bot_token(settings))
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .connect_timeout(request_timeout)
        .read_timeout(request_timeout)
        .write_timeout(request_timeout)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        library=library,
        conversations=ConversationStore.open(
            settings.state_dir, save_every=CONVERSATION_SAVE_SECONDS
        ),
        flood=FloodGuard(settings.flood_max_messages, settings.flood_window_seconds),
    )
    feeds.install(application, settings, library)
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """Register the handlers; edited messages match none of them, and channel posts only
    the followed-channel handler."""
    new = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    application.add_handlers(
        [
            CommandHandler(["start", "help"], handlers.start, filters=new),
            CommandHandler("ask", handlers.ask_command, filters=new),
            CommandHandler(["articles", "sources"], buttons.articles_command, filters=new),
            CommandHandler("summary", buttons.summary_command, filters=new),
            CommandHandler("new", handlers.new_conversation, filters=new),
            CommandHandler("add", admin.add_command, filters=new),
            CommandHandler("list", admin.list_command, filters=new),
            CommandHandler("remove", admin.remove_command, filters=new),
            MessageHandler(
                new & filters.Document.ALL & filters.CaptionRegex(admin.ADD_CAPTION),
                admin.add_document,
            ),
            *feeds.handlers(),
            MessageHandler(new & private & filters.COMMAND, handlers.unknown_command),
            MessageHandler(new & private & filters.TEXT, handlers.private_text),
            MessageHandler(new & groups & filters.TEXT & ~filters.COMMAND, handlers.group_text),
            InlineQueryHandler(handlers.inline_query),
            CallbackQueryHandler(buttons.button),
        ]
    )
    application.add_error_handler(handlers.on_error)


EMBED_TASK_KEY = "embed_task"


async def post_init(application: Application) -> None:
    """Start compacting the index after adds; publish the command menu (failure is survived)."""
    found = services_of(application)
    if found is not None:
        found.library.start_compactor()
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    log.info("bot @%s ready", application.bot.username)
    found = services_of(application)
    if found is not None and found.library.encoder is not None:
        # Not application.create_task: the application is not running yet in post_init.
        application.bot_data[EMBED_TASK_KEY] = asyncio.create_task(
            embed_missing(found.library), name="embed missing vectors"
        )


async def embed_missing(library: Library) -> None:
    """Compute the vectors an older corpus lacks, a batch at a time, off the event loop.

    Questions are answered meanwhile (by words, for the articles not done yet).
    """
    batches = library.missing_vector_batches()
    for batch in batches:
        done = await asyncio.to_thread(library.embed, batch)
        if not done and library.encoder is None:
            return  # the model could not be loaded: the library has said so once
    if batches:
        await asyncio.to_thread(library.flush)
        log.info(
            "sentence vectors and token states computed for %d articles", sum(map(len, batches))
        )


async def post_shutdown(application: Application) -> None:
    """Stop the background embedding and compacting; save the conversation context and the
    index cache; close the feed state."""
    task = application.bot_data.get(EMBED_TASK_KEY)
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
    found = services_of(application)
    if found is not None:
        found.conversations.save()
        await asyncio.to_thread(found.library.stop_compactor)
        await asyncio.to_thread(found.library.flush)
    followed = application.bot_data.get(feeds.FEEDS_KEY)
    if isinstance(followed, feeds.FeedServices):
        followed.state.db.close()


def services_of(application: Application) -> Services | None:
    """The services of an application built by `build_application`, if any."""
    found = application.bot_data.get(SERVICES_KEY)
    return found if isinstance(found, Services) else None


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Where the webhook listens and what Telegram is told: from WEBHOOK_* settings."""
    if not settings.webhook_url:
        raise BotError("WEBHOOK_URL is not set")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        # Serve on the URL's own path, so a reverse proxy can forward it unchanged.
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
    }


def run_bot(settings: Settings, library: Library) -> int:
    """Run until SIGINT/SIGTERM: long polling, or a webhook when WEBHOOK_URL is set."""
    try:
        token = bot_token(settings)
    except BotError as exc:
        log.error("%s", exc)
        return 2
    install_token_redaction(token)
    application = build_application(settings, library)
    if settings.webhook_url:
        log.info("starting webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            **webhook_options(settings),
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
    else:
        log.info("starting long polling")
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
        )
    return 0
