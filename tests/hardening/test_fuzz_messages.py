"""Hostile and random messages through PTB's real stack: no crash, every reply valid Telegram HTML.

Each example is one update (private text, group mention or reply, /ask, unknown commands, edited
messages, inline queries, random entities), fed with `Application.process_update`; the bot's
outgoing calls go over HTTP to the fake Bot API and are checked with the strict validator.
HARDENING_EXAMPLES sets the count (default run: 1,500; `-m slow`: 10,000).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import PROJECT_DIR
from tests.hardening.conftest import (
    SyncBot,
    example_count,
    sync_bot,
)
from tests.hardening.outgoing import call_count, calls_since, invalid_calls
from tests.telegram.fake_bot_api import BOT_USER, BOT_USERNAME
from tests.telegram.fake_updates import entities_for, utf16_offset

DEFAULT_EXAMPLES = 1_500
SLOW_EXAMPLES = 10_000
STOP_WORDS = [
    line.strip()
    for line in (PROJECT_DIR / "bot" / "data" / "stopwords_en.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
CORPUS_WORDS = [
    *("diplomat", "European", "harbour", "budget", "dredging", "talks", "grain", "said"),
    *("council", "What did the European diplomat say?", "Who said", "according to"),
]
HOSTILE = [
    *("", " ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\x00", "\x07", "\x1b[31m", "\x7f"),
    *("\u200f", "\u200e", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\u0301"),
    *("👨‍👩‍👧‍👦", "🏳️‍🌈", "😀", "🇺🇦", "\U0001d54f", "ﷺ", "مرحبا", "שלום", "日本語", "Ǆ", "ß", "İ"),
    *("<b>", "</b>", "<i>x</i>", "<script>alert(1)</script>", '<a href="javascript:x">', "<"),
    *(">", "&", "&amp;", "&lt;", "&#0;", "&#x110000;", "&nbsp;", "<blockquote>", "</pre>"),
    *("*bold*", "_it_", "`code`", "```py\nx\n```", "[a](http://x)", "||spoiler||", "~s~"),
    *("\\", "'", '"', "%s", "{0}", "{question}", "$(reboot)", "'; DROP TABLE x;--"),
    *("?", "...", "!!!", "—", "«»", "¿¡", ",,,", "-", "@", "#tag", "/", "//"),
    *("/ask", "/start", "/help", "/sources", "/new", "/add", "/list", "/remove x", "/nope"),
    *(f"@{BOT_USERNAME}", "@someone_else", f"/ask@{BOT_USERNAME}", "/start@other_bot"),
]
PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…—\u2013«»¿¡")
PIECES = st.sampled_from(HOSTILE + STOP_WORDS + CORPUS_WORDS + PUNCTUATION)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
SHORT_TEXT = st.one_of(
    ANY_TEXT,
    st.lists(PIECES, max_size=30).map("".join),
    st.lists(PIECES, max_size=30).map(" ".join),
    st.lists(st.sampled_from(STOP_WORDS), min_size=1, max_size=20).map(" ".join),
    st.lists(st.sampled_from(PUNCTUATION), min_size=1, max_size=40).map("".join),
)
# Around and over Telegram's 4,096-character limit, and over the bot's question limit.
LONG_TEXT = st.tuples(PIECES.filter(bool), st.integers(200, 5000)).map(
    lambda pair: (pair[0] * pair[1])[: 4096 + 200]
)
TEXTS = st.one_of(SHORT_TEXT, SHORT_TEXT, SHORT_TEXT, LONG_TEXT)
KINDS = (
    "private",
    "group_mention",
    "group_reply",
    "ask",
    "command",
    "edited",
    "caption",
    "inline",
    "random_entities",
)
ENTITY_TYPES = ("mention", "bold", "bot_command", "text_mention", "url", "hashtag")
USERS = (1001, 1002, 1003, 1004)


FuzzBot = SyncBot


@pytest.fixture(scope="module")
def fuzz_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzBot]:
    with sync_bot(tmp_path_factory.mktemp("fuzz")) as bot:
        yield bot


_message_ids = itertools.count(10_000)


def random_entities(text: str, spans: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Entities at arbitrary UTF-16 offsets (even inside a surrogate pair or past the end)."""
    size = utf16_offset(text, len(text))
    entities = []
    for kind, start, length in spans:
        entity: dict[str, Any] = {
            "type": ENTITY_TYPES[kind % len(ENTITY_TYPES)],
            "offset": start % (size + 2),
            "length": length,
        }
        if entity["type"] == "text_mention":
            entity["user"] = BOT_USER if kind % 2 else {"id": 7, "is_bot": False, "first_name": "X"}
        entities.append(entity)
    return entities


def build_update(kind: str, text: str, user_id: int, spans: list[tuple[int, int, int]]) -> dict:
    """The update dict Telegram would send for this kind of message."""
    private = kind in {"private", "command", "edited", "caption", "random_entities"}
    chat_id = user_id if private else -next(_message_ids)
    chat = (
        {"id": chat_id, "type": "private", "first_name": "R"}
        if private
        else {"id": chat_id, "type": "supergroup", "title": "Newsroom"}
    )
    if kind == "group_mention":
        cut = len(text) // 2
        text = f"{text[:cut]} @{BOT_USERNAME} {text[cut:]}"
    elif kind == "ask":
        text = f"/ask {text}"
    elif kind == "command":
        text = f"/{text}"
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Fuzz"},
    }
    if kind == "inline":
        return {
            "inline_query": {
                "id": str(next(_message_ids)),
                "from": message["from"],
                "query": text[:256],
                "offset": "",
            }
        }
    if kind == "caption":
        message["photo"] = [{"file_id": "P", "file_unique_id": "uP", "width": 1, "height": 1}]
        message["caption"] = text
        return {"message": message}
    message["text"] = text
    entities = random_entities(text, spans) if kind == "random_entities" else entities_for(text)
    if entities:
        message["entities"] = entities
    if kind == "group_reply":
        message["reply_to_message"] = {
            "message_id": 5,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": "an earlier answer",
        }
    return {"edited_message": message} if kind == "edited" else {"message": message}


def expects_reply(kind: str, text: str) -> bool:
    """Private messages with any text, /ask and group mentions must never go unanswered.

    In groups a message that starts with some other bot's /command is not for us, even when
    it mentions us, so it may go unanswered.
    """
    if kind == "group_mention":
        return not text.startswith("/") or text.startswith("/ask")
    return kind in {"private", "command", "ask"} and bool(text)


def check_one_update(bot: FuzzBot, kind: str, text: str, user_id: int, spans: list) -> None:
    before = call_count(bot.api)
    update = build_update(kind, text, user_id, spans)
    bot.feed(update)
    bot.examples += 1
    sent = calls_since(bot.api, before)
    assert not bot.errors, f"{kind} {text!r} raised {bot.errors!r}"
    problems = invalid_calls(sent)
    assert not problems, f"{kind} {text!r}: {problems[0][1]}: {problems[0][0].params}"
    refused = [call for call in sent if not call.ok]
    assert not refused, f"{kind} {text!r}: the Bot API refused {refused[0].params}"
    if expects_reply(kind, (update.get("message") or {}).get("text", "")):
        replies = [c for c in sent if c.method == "sendMessage"]
        assert replies, f"{kind} {text!r} got no reply"
        assert all(c.params["chat_id"] == update["message"]["chat"]["id"] for c in replies)


def run_fuzz(bot: FuzzBot, examples: int) -> None:
    articles_before = {a.id for a in bot.library.articles()}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        kind=st.sampled_from(KINDS),
        text=TEXTS,
        user_id=st.sampled_from(USERS),
        spans=st.lists(
            st.tuples(st.integers(0, 50), st.integers(0, 5000), st.integers(0, 5000)), max_size=4
        ),
    )
    def property_holds(kind: str, text: str, user_id: int, spans: list) -> None:
        check_one_update(bot, kind, text, user_id, spans)

    property_holds()
    # Non-admins sent /add, /remove and /list among the rest: nothing may have changed.
    assert {a.id for a in bot.library.articles()} == articles_before
    assert set(bot.library.index.keys()) == articles_before


def test_hostile_messages_never_crash_and_every_reply_is_valid_telegram_html(
    fuzz_bot: FuzzBot, figures: dict[str, Any]
) -> None:
    run_fuzz(fuzz_bot, example_count(DEFAULT_EXAMPLES))
    figures["fuzz_messages"] = figures.get("fuzz_messages", 0) + fuzz_bot.examples
    assert fuzz_bot.examples >= example_count(DEFAULT_EXAMPLES)


@pytest.mark.slow
def test_ten_thousand_hostile_messages_never_crash(
    fuzz_bot: FuzzBot, figures: dict[str, Any]
) -> None:
    before = fuzz_bot.examples
    run_fuzz(fuzz_bot, example_count(SLOW_EXAMPLES))
    figures["fuzz_messages_slow"] = fuzz_bot.examples - before
    assert fuzz_bot.examples - before >= example_count(SLOW_EXAMPLES)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("private", "\u200f\u200d"),
        ("private", "😀" * 2100),
        ("private", "<b>" * 300),
        ("group_mention", "👨‍👩‍👧‍👦 what did the diplomat say?"),
        ("ask", "the of and a to"),
        ("private", "?!.,;:"),
        ("random_entities", "😀😀 @quote_test_bot diplomat"),
        ("inline", "<script>&amp;</script>"),
    ],
    ids=[
        "rtl-and-zwj-only",
        "4200-utf16-units-of-emoji",
        "open-tags",
        "emoji-before-mention",
        "stop-words-only",
        "punctuation-only",
        "entity-inside-surrogate-pair",
        "inline-html",
    ],
)
def test_known_hostile_inputs_get_valid_replies(fuzz_bot: FuzzBot, kind: str, text: str) -> None:
    spans = [(0, 1, 3), (2, 3, 4)]
    check_one_update(fuzz_bot, kind, text, USERS[0], spans)


def test_fuzz_module_temp_files_stay_in_the_fuzz_folder(fuzz_bot: FuzzBot) -> None:
    corpus = Path(fuzz_bot.library.settings.corpus_dir)
    assert {p.stem for p in corpus.glob("*.json")} == {a.id for a in fuzz_bot.library.articles()}
