"""Random and hostile article files through /add (upload and pasted text): clean replies only.

Every example is an admin's upload (a random file name, a random format, hostile content) or
an `/add` with pasted text. The bot must answer with "Added ..." or a short refusal, never
crash, and keep corpus folder, library and index in step. HARDENING_ARTICLE_EXAMPLES sets
the count (default run: 300; `-m slow`: 2,000).
"""

from __future__ import annotations

import gzip
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import SyncBot, example_count, sync_bot
from tests.hardening.outgoing import call_count, calls_since, invalid_calls
from tests.hardening.strict_html import parse_telegram_html
from tests.telegram.fake_updates import ADMIN_ID, entities_for

DEFAULT_EXAMPLES = 300
SLOW_EXAMPLES = 2_000
COUNT_VARIABLE = "HARDENING_ARTICLE_EXAMPLES"
WORDS = st.sampled_from(
    [
        *("the", "minister", "said", "harbour", "council", "“", "”", '"', "'", "according to"),
        *("told", "Reuters", "Dr.", "U.S.", "e.g.", "3.5", "%", "—", "\u200f", "\u200d", "😀"),
        *("<b>", "</i>", "&amp;", "&", "<script>", "*", "_", "#", "[x](y)", "\x00", "\x1b"),
        *("\u202e", "مرحبا", "日本語", "ß", ".", "?", "!", ",", ";", ":", "…", "\t", "  "),
    ]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=25).map(" ".join)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=5).map(". ".join)
TITLE = st.one_of(SENTENCE, st.text(max_size=300), st.just(""), st.just("<b>" * 50))
FILE_NAMES = st.sampled_from(
    [
        *("story.txt", "story.md", "page.html", "page.htm", "record.json", "story.markdown"),
        *("../../escape.txt", "..", "no-suffix", "virus.exe", "photo.png", "é😀 名.txt"),
        *("a" * 300 + ".txt", ".txt", "x.TXT", "x.json.gz", "<b>.html"),
    ]
)


@st.composite
def article_bytes(draw: st.DrawFn) -> bytes:
    """An article file in a random format, often broken on purpose."""
    title = draw(TITLE)
    paragraphs = draw(st.lists(PARAGRAPH, max_size=6))
    form = draw(st.sampled_from(["text", "markdown", "html", "json", "stored", "bytes", "gzip"]))
    if form == "text":
        text = "\n\n".join([title, *paragraphs])
    elif form == "markdown":
        text = f"# {title}\n\n" + "\n\n".join(f"> {p}" for p in paragraphs)
    elif form == "html":
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        text = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</html>"
    elif form == "json":
        text = json.dumps({"title": title, "paragraphs": paragraphs, "url": draw(st.text())})
    elif form == "stored":
        record: dict[str, object] = {
            "id": draw(st.text("0123456789abcdef", min_size=1, max_size=16))
        }
        record |= {"title": title, "paragraphs": paragraphs, "added": "2024-01-01"}
        text = json.dumps(record)
    elif form == "gzip":
        return gzip.compress("\n\n".join([title, *paragraphs]).encode())
    else:
        return draw(st.binary(max_size=2000))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


IngestBot = SyncBot


@pytest.fixture(scope="module")
def ingest_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IngestBot]:
    with sync_bot(tmp_path_factory.mktemp("ingest")) as bot:
        yield bot


_ids = itertools.count(50_000)


def admin_message(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Admin"},
        "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"},
        **fields,
    }


def upload_update(bot: IngestBot, name: str, content: bytes) -> dict[str, Any]:
    file_id = f"F{next(_ids)}"
    bot.api.add_file(file_id, content, f"documents/{file_id}")
    document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
    document |= {"file_name": name, "file_size": len(content)}
    return {"message": admin_message(document=document, caption="/add")}


def pasted_update(content: bytes) -> dict[str, Any]:
    text = "/add " + content.decode("utf-8", errors="replace")[:4000]
    return {"message": admin_message(text=text, entities=entities_for(text))}


def check_one_article(bot: IngestBot, upload: bool, name: str, content: bytes) -> None:
    before_calls = call_count(bot.api)
    before_ids = {a.id for a in bot.library.articles()}
    bot.feed(upload_update(bot, name, content) if upload else pasted_update(content))
    bot.examples += 1
    sent = calls_since(bot.api, before_calls)
    assert not bot.errors, f"{name} {content[:200]!r} raised {bot.errors!r}"
    problems = invalid_calls(sent)
    assert not problems, f"{name}: {problems[0][1]}: {problems[0][0].params}"
    replies = [c for c in sent if c.method == "sendMessage"]
    assert len(replies) == 1 and replies[0].ok, f"{name}: replies {replies}"
    new_ids = {a.id for a in bot.library.articles()} - before_ids
    reply = parse_telegram_html(replies[0].params["text"]).text
    if reply.startswith("Added"):
        assert len(new_ids) == 1 and next(iter(new_ids)) in reply
        bot.added += 1
    else:
        assert not new_ids, f"{name}: refused with {reply!r} but added {new_ids}"
    corpus = bot.library.settings.corpus_dir
    stored = {path.stem for path in corpus.glob("*.json")}
    assert stored == {a.id for a in bot.library.articles()} == set(bot.library.index.keys())


def run_fuzz(bot: IngestBot, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(upload=st.booleans(), name=FILE_NAMES, content=article_bytes())
    def property_holds(upload: bool, name: str, content: bytes) -> None:
        check_one_article(bot, upload, name, content)

    property_holds()


def test_random_article_files_are_added_or_refused_cleanly(
    ingest_bot: IngestBot, figures: dict[str, Any]
) -> None:
    run_fuzz(ingest_bot, example_count(DEFAULT_EXAMPLES, COUNT_VARIABLE))
    figures["fuzz_articles"] = figures.get("fuzz_articles", 0) + ingest_bot.examples
    assert ingest_bot.examples >= example_count(DEFAULT_EXAMPLES, COUNT_VARIABLE)
    assert ingest_bot.added > 0  # the generator does produce real articles too


@pytest.mark.slow
def test_two_thousand_random_article_files_are_added_or_refused_cleanly(
    ingest_bot: IngestBot, figures: dict[str, Any]
) -> None:
    before = ingest_bot.examples
    run_fuzz(ingest_bot, example_count(SLOW_EXAMPLES, COUNT_VARIABLE))
    figures["fuzz_articles_slow"] = ingest_bot.examples - before
    assert ingest_bot.examples - before >= example_count(SLOW_EXAMPLES, COUNT_VARIABLE)
