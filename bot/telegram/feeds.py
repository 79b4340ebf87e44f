"""Feeds and channels in Telegram: /follow, /unfollow, /feeds, /subscribe, channel posts,
the polling job and the announcements it sends."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from dataclasses import dataclass

from telegram import (
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.feeds.announce import Announcement, announcement_for
from bot.feeds.follow import follow_channel, follow_feed, is_channel_name
from bot.feeds.poll import FeedPoll, Poller
from bot.feeds.state import Delivery, Feed, FeedState
from bot.feeds.status import feed_status
from bot.library import Library
from bot.models import FeedError
from bot.settings import Settings
from bot.state import StateDB
from bot.telegram.admin import refuse_non_admin
from bot.telegram.handlers import NO_PREVIEW, command_argument
from bot.telegram.html import escape, pack_lines, shorten
from bot.telegram.services import Context, Outcome, is_admin, logged, services

log = logging.getLogger("bot.telegram")

FEEDS_KEY = "feeds"
POLL_JOB = "feed-poll"
FIRST_CHECK_SECONDS = 10.0
OUTBOX_BATCH = 100
MAX_SEND_ATTEMPTS = 5
# A channel post without a link is an article when it is at least this long.
MIN_POST_ARTICLE_CHARS = 280
ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})

NOT_ADMIN = "Sorry, only the bot's admins can change what it follows."
FOLLOW_USAGE = (
    "Usage:\n/follow URL — a feed (RSS, Atom, JSON Feed) or a site's home page that names one\n"
    "/follow @channel — a channel where I am an admin"
)
UNFOLLOW_USAGE = "Usage: /unfollow URL, @channel or the number /feeds shows"
GROUP_ADMINS_ONLY = "Only this group's admins can subscribe it to new articles."
ASK_BUTTON = "Ask about it"
URL_IN_TEXT = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass
class FeedServices:
    """The feed state and poller the handlers and jobs share, in `bot_data[FEEDS_KEY]`."""

    state: FeedState
    poller: Poller


def handlers() -> list[BaseHandler[Update, Context, None]]:
    """The feed commands and the channel-post handler (before any catch-all handler)."""
    new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("follow", follow_command, filters=new),
        CommandHandler("unfollow", unfollow_command, filters=new),
        CommandHandler("feeds", feeds_command, filters=new),
        CommandHandler("subscribe", subscribe_command, filters=new),
        CommandHandler("unsubscribe", unsubscribe_command, filters=new),
        MessageHandler(filters.UpdateType.CHANNEL_POST, channel_post),
    ]


def install(application: Application, settings: Settings, library: Library) -> FeedServices:
    """Open the feed state for the handlers and schedule the polling job."""
    state = FeedState(StateDB.open(settings.state_dir))
    found = FeedServices(state, Poller(settings, library, state))
    application.bot_data[FEEDS_KEY] = found
    if application.job_queue is None:
        log.warning("no job queue (install python-telegram-bot[job-queue]): feeds not polled")
    else:
        application.job_queue.run_repeating(
            poll_job, interval=settings.feed_check_seconds, first=FIRST_CHECK_SECONDS, name=POLL_JOB
        )
    return found


def feed_services(context: ContextTypes.DEFAULT_TYPE | Application) -> FeedServices:
    found = context.bot_data.get(FEEDS_KEY)
    if not isinstance(found, FeedServices):
        raise RuntimeError("bot_data has no FeedServices; build the app with build_application")
    return found


# -- the polling job and the announcements ---------------------------------------------------


async def poll_job(context: Context) -> None:
    """Poll the feeds that are due (off the event loop), then send what is new."""
    found = feed_services(context)
    await asyncio.to_thread(found.poller.poll_due)  # logs its own summary
    await deliver(context, found)


async def deliver(context: Context, found: FeedServices) -> int:
    """Send the queued announcements; a chat that blocked the bot is unsubscribed."""
    library = services(context).library
    sent = 0
    for delivery in found.state.outbox(OUTBOX_BATCH):
        announcement = announcement_for(library, delivery.article_id)
        if announcement is None:  # removed since: nothing to announce
            found.state.delivered(delivery)
            continue
        try:
            await context.bot.send_message(
                delivery.chat_id,
                render_announcement(announcement),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=ask_button(library, announcement),
            )
        except Forbidden as exc:  # blocked, kicked: nobody left to tell
            _unsubscribe_gone(found, delivery, exc)
            continue
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                _unsubscribe_gone(found, delivery, exc)
            else:
                _count_failure(found, delivery, exc)
            continue
        except TelegramError as exc:  # network, 5xx, 429 beyond the rate limiter's retries
            _count_failure(found, delivery, exc)
            continue
        found.state.delivered(delivery)
        sent += 1
    return sent


def _unsubscribe_gone(found: FeedServices, delivery: Delivery, exc: TelegramError) -> None:
    found.state.unsubscribe(delivery.chat_id)
    log.warning("chat %s unsubscribed from new articles: %s", delivery.chat_id, exc)


def _count_failure(found: FeedServices, delivery: Delivery, exc: TelegramError) -> None:
    """Count a failed send for a later retry (dropped after a few)."""
    log.warning(
        "announcement of %s to chat %s not sent (try %d): %s",
        delivery.article_id,
        delivery.chat_id,
        delivery.attempts + 1,
        exc,
    )
    found.state.failed_delivery(delivery, MAX_SEND_ATTEMPTS)


def render_announcement(announcement: Announcement) -> str:
    """Headline (linked), the two-sentence summary and the outlet, as Telegram HTML."""
    title = escape(shorten(announcement.title, 200))
    if announcement.url and announcement.url.lower().startswith(("http://", "https://")):
        title = f'<a href="{html.escape(announcement.url, quote=True)}">{title}</a>'
    lines = [f"<b>{title}</b>", escape(shorten(announcement.summary, 900))]
    if announcement.outlet:
        lines.append(f"<i>{escape(shorten(announcement.outlet, 100))}</i>")
    return "\n\n".join(line for line in lines if line)


def ask_button(library: Library, announcement: Announcement) -> InlineKeyboardMarkup:
    """A button that starts an inline question about the article in the same chat."""
    try:
        question = library.example_question_for(announcement.article_id)
    except KeyError:
        question = announcement.title
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(ASK_BUTTON, switch_inline_query_current_chat=question[:200])]]
    )


# -- admin commands ----------------------------------------------------------------------------


@logged
async def follow_command(update: Update, context: Context) -> Outcome:
    """/follow URL or /follow @channel."""
    message = update.effective_message
    if message is None or message.text is None:
        return None
    if await refuse_non_admin(update, context, NOT_ADMIN):
        return "refused /follow from a non-admin"
    argument = command_argument(message.text)
    if not argument or len(argument.split()) != 1:
        await message.reply_text(FOLLOW_USAGE)
        return "usage"
    if is_channel_name(argument):
        return await _follow_channel(message, context, argument)
    settings = services(context).settings
    try:
        feed, new = await asyncio.to_thread(
            follow_feed, argument, settings, feed_services(context).state
        )
    except FeedError as exc:
        await message.reply_text(f"Could not follow that: {exc}")
        return f"follow refused ({type(exc).__name__})"
    minutes = feed.interval_seconds / 60
    verb = "Now following" if new else "Already following"
    await message.reply_html(
        f"{verb} <b>{escape(feed.name)}</b>\n{escape(feed.url)}\n"
        f"Checked every {minutes:g} minutes; /feeds shows how it goes.",
        link_preview_options=NO_PREVIEW,
    )
    return f"{'followed' if new else 'already following'} feed {feed.id}"


async def _follow_channel(message: Message, context: Context, name: str) -> Outcome:
    """Follow a channel once Telegram confirms the bot is one of its admins."""
    try:
        chat = await context.bot.get_chat(name)
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except (BadRequest, Forbidden) as exc:
        await message.reply_text(f"I cannot see {name}: {exc.message}. Add me as an admin first.")
        return "follow channel: not visible"
    if chat.type != ChatType.CHANNEL:
        await message.reply_text(f"{name} is not a channel.")
        return "follow channel: not a channel"
    if member.status not in ADMIN_STATUSES:
        await message.reply_text(f"Make me an admin of {name} first, so I can read its posts.")
        return "follow channel: bot is not an admin"
    settings = services(context).settings
    feed, new = follow_channel(name, chat.id, chat.title, settings, feed_services(context).state)
    verb = "Now following" if new else "Already following"
    await message.reply_html(
        f"{verb} the channel <b>{escape(feed.name)}</b>: links and articles posted there are added."
    )
    return f"{'followed' if new else 'already following'} channel {chat.id}"


@logged
async def unfollow_command(update: Update, context: Context) -> Outcome:
    """/unfollow URL, @channel or number."""
    message = update.effective_message
    if message is None or message.text is None:
        return None
    if await refuse_non_admin(update, context, NOT_ADMIN):
        return "refused /unfollow from a non-admin"
    argument = command_argument(message.text)
    state = feed_services(context).state
    feed = state.find(argument) if argument else None
    if feed is None:
        await message.reply_text(UNFOLLOW_USAGE if not argument else f"I don't follow {argument}.")
        return "unfollow: no such feed"
    state.remove_feed(feed.id)
    await message.reply_html(
        f"Stopped following <b>{escape(feed.name)}</b>. Its articles stay.",
        link_preview_options=NO_PREVIEW,
    )
    return f"unfollowed {feed.id}"


@logged
async def feeds_command(update: Update, context: Context) -> Outcome:
    """/feeds: every followed feed and channel with its last poll, new items and last error."""
    message = update.effective_message
    if message is None:
        return None
    if await refuse_non_admin(update, context, NOT_ADMIN):
        return "refused /feeds from a non-admin"
    state = feed_services(context).state
    feeds = state.feeds()
    if not feeds:
        await message.reply_text("I follow no feeds. /follow URL adds one.")
        return "listed 0 feeds"
    for text in pack_lines(render_feed(state, feed) for feed in feeds):
        await message.reply_html(text, link_preview_options=NO_PREVIEW)
    return f"listed {len(feeds)} feeds"


def render_feed(state: FeedState, feed: Feed) -> str:
    """One feed's status as a few lines of Telegram HTML."""
    row = feed_status(state, feed)
    head = f"<b>{row['id']}. {escape(shorten(feed.name, 100))}</b>"
    if feed.kind == "channel":
        return f"{head} (channel)\nnew articles: {feed.total_new}\n"
    lines = [
        head,
        escape(shorten(feed.url, 200)),
        f"last poll: {escape(feed.last_poll or 'not yet')} · new: {feed.last_new}"
        f" (total {feed.total_new}) · every {row['every_minutes']:g} min",
    ]
    if feed.last_error:
        lines.append(f"last error: {escape(shorten(feed.last_error, 300))}")
    return "\n".join(lines) + "\n"


# -- subscriptions -----------------------------------------------------------------------------


async def _may_subscribe(update: Update, context: Context) -> bool:
    """Anyone in a private chat; in groups, the group's admins (and the bot's)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE or is_admin(update, context):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except (BadRequest, Forbidden) as exc:
        log.warning("could not check whether user %s is an admin of %s: %s", user.id, chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES


@logged
async def subscribe_command(update: Update, context: Context) -> Outcome:
    """/subscribe: send each new article from followed sources to this chat."""
    message = update.effective_message
    if message is None:
        return None
    if not await _may_subscribe(update, context):
        await message.reply_text(GROUP_ADMINS_ONLY)
        return "refused /subscribe from a non-admin"
    new = feed_services(context).state.subscribe(message.chat_id)
    await message.reply_text(
        "Subscribed: I'll send each new article here with a short summary. /unsubscribe stops it."
        if new
        else "This chat is already subscribed. /unsubscribe stops it."
    )
    return "subscribed" if new else "already subscribed"


@logged
async def unsubscribe_command(update: Update, context: Context) -> Outcome:
    """/unsubscribe: stop sending new articles here."""
    message = update.effective_message
    if message is None:
        return None
    if not await _may_subscribe(update, context):
        await message.reply_text(GROUP_ADMINS_ONLY)
        return "refused /unsubscribe from a non-admin"
    removed = feed_services(context).state.unsubscribe(message.chat_id)
    await message.reply_text(
        "Unsubscribed: no more new articles here." if removed else "This chat is not subscribed."
    )
    return "unsubscribed" if removed else "not subscribed"


# -- channels ----------------------------------------------------------------------------------


def post_links(message: Message) -> list[str]:
    """The web links of a post: its url and text_link entities, else URLs in the text."""
    links: list[str] = []
    entities = message.parse_entities([MessageEntity.URL, MessageEntity.TEXT_LINK])
    entities.update(message.parse_caption_entities([MessageEntity.URL, MessageEntity.TEXT_LINK]))
    for entity, text in entities.items():
        link = entity.url if entity.type == MessageEntity.TEXT_LINK else text
        if link and link not in links:
            links.append(link)
    if not links:
        links = [m.group(0).rstrip(".,;)") for m in URL_IN_TEXT.finditer(message.text or "")]
    return [link for link in links if link.lower().startswith(("http://", "https://"))]


@logged
async def channel_post(update: Update, context: Context) -> Outcome:
    """A post in a followed channel: each link is fetched and added; a long text is added."""
    message = update.channel_post
    if message is None:
        return None
    found = feed_services(context)
    feed = found.state.channel(message.chat_id)
    if feed is None:
        return None
    text = message.text or message.caption or ""
    links = post_links(message)
    for number, link in enumerate(links):
        found.state.record_post(feed, f"{message.message_id}:{number}", link, None)
    if not links and len(text) >= MIN_POST_ARTICLE_CHARS:
        found.state.record_post(feed, f"{message.message_id}:text", None, text)
    poll = FeedPoll(feed)
    await asyncio.to_thread(found.poller.ingest_pending, feed, poll)
    if poll.added:
        found.state.record_poll(feed.id, new=len(poll.added), error=None, next_poll=0, errors=0)
        await deliver(context, found)
    return f"channel post: {len(poll.added)} added, {poll.failed} failed"
