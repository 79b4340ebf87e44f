"""Admin commands: /add (URL, pasted text, reply, uploaded file), /list and /remove."""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from telegram import Document, Message, Update
from telegram.constants import ChatAction

from bot.ingest import (
    ARTICLE_SUFFIXES,
    MAX_INPUT_BYTES,
    MAX_INPUT_SIZE,
    read_file,
    read_text,
    read_url,
)
from bot.models import (
    Article,
    ArticleNotFoundError,
    DuplicateArticleError,
    IngestError,
    StoreError,
)
from bot.telegram.handlers import NO_PREVIEW, command_argument
from bot.telegram.html import escape, render_added, render_admin_list, render_removed
from bot.telegram.services import (
    Context,
    Outcome,
    is_admin,
    logged,
    services,
    show_chat_action,
)

# Anything shaped like a URL goes to the fetcher, which refuses every scheme but http(s) with
# a clear reason (instead of "ftp://..." being read as a one-line pasted article).
URL_ARGUMENT = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)
# A document whose caption is "/add" or "/add@bot ..." is an upload for the corpus.
ADD_CAPTION = re.compile(r"^/add(?:@\w+)?(?:\s|$)", re.IGNORECASE)
UNSAFE_FILENAME_CHARS = re.compile(r"[^\w.-]+")

log = logging.getLogger("bot.telegram")

NOT_ADMIN = "Sorry, only the bot's admins can change or list its articles."
ADD_USAGE = (
    "Usage:\n"
    "/add URL — fetch a web article\n"
    "/add followed by the article text (first line is the title)\n"
    "/add as a reply to a message that holds the text or a file\n"
    "or send a .txt, .md, .html or .json file with /add as its caption"
)
REMOVE_USAGE = "Usage: /remove ID — /list shows the ids."
COULD_NOT_SAVE = "Could not save the article on the server's disk; the error is in the bot's log."


async def refuse_non_admin(update: Update, context: Context, refusal: str = NOT_ADMIN) -> bool:
    """Tell a non-admin no (politely) and report whether the command was refused."""
    if is_admin(update, context):
        return False
    if update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return True


@logged
async def add_command(update: Update, context: Context) -> Outcome:
    """/add URL, /add + pasted text, or /add as a reply to a text or a file."""
    message = update.effective_message
    if message is None or message.text is None:
        return None
    if await refuse_non_admin(update, context):
        return "refused /add from a non-admin"
    argument = command_argument(message.text)
    replied = message.reply_to_message
    settings = services(context).settings
    if URL_ARGUMENT.match(argument):
        return await _add(
            message,
            context,
            # Only tests and intranet deployments set FETCH_ALLOW_PRIVATE.
            lambda: read_url(argument, settings, allow_private=settings.fetch_allow_private),
        )
    if argument:
        return await _add(message, context, lambda: read_text(argument, name="pasted text"))
    if replied is not None and replied.document is not None:
        return await _add_document(message, context, replied.document)
    replied_text = (replied.text or replied.caption) if replied is not None else None
    if replied_text:
        return await _add(message, context, lambda: read_text(replied_text, name="that message"))
    await message.reply_text(ADD_USAGE)
    return "usage"


@logged
async def add_document(update: Update, context: Context) -> Outcome:
    """A .txt/.md/.html/.json file sent with /add as its caption."""
    message = update.effective_message
    if message is None or message.document is None:
        return None
    if await refuse_non_admin(update, context):
        return "refused an upload from a non-admin"
    return await _add_document(message, context, message.document)


async def _add_document(message: Message, context: Context, document: Document) -> Outcome:
    """Check, download and add an uploaded file."""
    name = UNSAFE_FILENAME_CHARS.sub("_", document.file_name or "upload.txt")[-100:]
    suffix = Path(name).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        await message.reply_text("I can add .txt, .md, .html and .json files only.")
        return f"refused a {suffix or 'suffixless'} file"
    if document.file_size is not None and document.file_size > MAX_INPUT_BYTES:
        size = document.file_size / 1_000_000
        await message.reply_text(
            f"That file is too large ({size:.1f} MB; the limit is {MAX_INPUT_SIZE})."
        )
        return "refused a large file"
    with tempfile.TemporaryDirectory(prefix="quotebot-upload-") as folder:
        path = Path(folder) / name
        telegram_file = await document.get_file()
        await telegram_file.download_to_drive(path)
        return await _add(message, context, lambda: read_file(path))


async def _add(message: Message, context: Context, read: Callable[[], Article]) -> Outcome:
    """Read an article (off the event loop), add it and say what was added or why not."""
    library = services(context).library
    await show_chat_action(message, ChatAction.TYPING)
    try:
        article = await asyncio.to_thread(read)
        added = await asyncio.to_thread(library.add, article)
    except DuplicateArticleError as exc:
        await message.reply_html(
            f"That article is already in the corpus as <code>{escape(exc.existing_id)}</code>."
        )
        return "duplicate article"
    except IngestError as exc:
        await message.reply_text(f"Could not add the article: {exc}")
        return f"could not add an article ({type(exc).__name__})"
    except StoreError as exc:
        # A disk problem: the admin needs to know it was not saved; the path stays in the log.
        log.error("could not save an article for chat %s: %s", message.chat_id, exc)
        await message.reply_text(COULD_NOT_SAVE)
        return "could not save an article"
    sentences = len(library.passages_of(added.id))
    await message.reply_html(render_added(added, sentences), link_preview_options=NO_PREVIEW)
    return f"added {added.id} ({sentences} sentences)"


@logged
async def list_command(update: Update, context: Context) -> Outcome:
    """/list: every article with id and sentence count."""
    message = update.effective_message
    if message is None:
        return None
    if await refuse_non_admin(update, context):
        return "refused /list from a non-admin"
    rows = services(context).library.articles_with_counts()
    texts = render_admin_list(rows)
    for text in texts:
        await message.reply_html(text, link_preview_options=NO_PREVIEW)
    return f"listed {len(rows)} articles"


@logged
async def remove_command(update: Update, context: Context) -> Outcome:
    """/remove ID: delete an article from the corpus and the index."""
    message = update.effective_message
    if message is None or message.text is None:
        return None
    if await refuse_non_admin(update, context):
        return "refused /remove from a non-admin"
    article_id = command_argument(message.text)
    if not article_id or len(article_id.split()) != 1:
        await message.reply_text(REMOVE_USAGE)
        return "usage"
    try:
        removed = await asyncio.to_thread(services(context).library.remove, article_id)
    except ArticleNotFoundError:
        await message.reply_html(
            f"There is no article with id <code>{escape(article_id[:100])}</code>. "
            "/list shows the ids."
        )
        return "remove: no such article"
    await message.reply_html(render_removed(removed), link_preview_options=NO_PREVIEW)
    return f"removed {removed.id}"
