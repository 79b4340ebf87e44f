"""Every admin path refuses non-admins and changes nothing; the flood guard holds under a burst."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.library import Library
from bot.settings import Settings
from bot.telegram.admin import NOT_ADMIN
from bot.telegram.services import SLOW_DOWN
from tests.hardening.outgoing import invalid_calls
from tests.hardening.strict_html import parse_telegram_html
from tests.telegram.app_runner import running
from tests.telegram.fake_bot_api import BOT_USERNAME, TOKEN, FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID, GROUP_ID, USER_ID, feed, message, message_update

PASTED = (
    "Tram depot to close for repairs\n\n"
    "The tram depot will close for two weeks, the transport authority said."
)
FLOOD_LIMIT = 5


class CountingHandler(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = (
            b"<html><head><title>Bridge repairs begin</title></head><body><article>"
            b"<h1>Bridge repairs begin</h1><p>Repairs on the old bridge began on Monday, "
            b"the city engineer said.</p><p>Traffic will be diverted for a month, according "
            b"to the police.</p></article></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def article_site() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (CountingHandler,), {"hits": hits}))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/story.html", hits
    server.shutdown()
    server.server_close()


def document(file_id: str = "DOC1") -> dict[str, Any]:
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": "story.txt"}


def inline(query: str) -> dict[str, Any]:
    return {
        "inline_query": {
            "id": "77",
            "from": {"id": USER_ID, "is_bot": False, "first_name": "U"},
            "query": query,
            "offset": "",
        }
    }


def updates(url: str, victim: str) -> dict[str, dict[str, Any]]:
    """Update dicts trying every admin path as a non-admin (USER_ID)."""
    admin_post = message(f"/add {PASTED}", user_id=ADMIN_ID)
    return {
        "add-url": message_update(f"/add {url}"),
        "add-text": message_update(f"/add {PASTED}"),
        "add-mention": message_update(f"/add@{BOT_USERNAME} {PASTED}"),
        "add-reply-to-text": message_update("/add", reply_to=message(PASTED)),
        "add-reply-to-document": message_update(
            "/add", reply_to=message(None, document=document(), caption="story")
        ),
        "add-in-group": message_update(f"/add {PASTED}", chat_id=GROUP_ID),
        "list": message_update("/list"),
        "list-in-group": message_update("/list", chat_id=GROUP_ID),
        "remove": message_update(f"/remove {victim}"),
        "remove-mention": message_update(f"/remove@{BOT_USERNAME} {victim}"),
        "remove-prefix": message_update(f"/remove {victim[:4]}"),
        "document-caption": message_update(None, document=document(), caption="/add"),
        "document-caption-mention": message_update(
            None, document=document(), caption=f"/add@{BOT_USERNAME}"
        ),
        "document-caption-in-group": message_update(
            None, document=document(), caption="/add", chat_id=GROUP_ID
        ),
        "edited-add": {"edited_message": message(f"/add {PASTED}")},
        "edited-remove": {"edited_message": message(f"/remove {victim}")},
        "edited-admin-add": {"edited_message": message(f"/add {PASTED}", user_id=ADMIN_ID)},
        "edited-document": {"edited_message": message(None, document=document(), caption="/add")},
        "forwarded-admin-add": message_update(
            f"/add {PASTED}",
            forward_origin={"type": "user", "date": 1, "sender_user": admin_post["from"]},
        ),
        "channel-post": {
            "channel_post": {
                **message(f"/add {PASTED}"),
                "chat": {"id": -1009, "type": "channel", "title": "C"},
                "from": None,
            }
        },
        "inline-add": inline(f"/add {url}"),
        "inline-remove": inline(f"/remove {victim}"),
        "inline-list": inline("/list"),
    }


CASES = list(updates("URL", "ID"))


def corpus_state(folder: Path) -> dict[str, float]:
    return {path.name: path.stat().st_mtime for path in folder.iterdir()}


@pytest.mark.parametrize("case", CASES)
async def test_non_admins_cannot_reach_any_admin_path(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    article_site: tuple[str, list[str]],
    case: str,
) -> None:
    url, hits = article_site
    settings = make_settings(fetch_allow_private=True)  # nothing but the admin check stops it
    fake_api.add_file("DOC1", PASTED.encode(), "documents/story.txt")
    victim = library.articles()[0].id
    before_files = corpus_state(settings.corpus_dir)
    before_ids = set(library.index.keys())
    async with running(settings, library) as app:
        await feed(app, updates(url, victim)[case])
    assert corpus_state(settings.corpus_dir) == before_files
    assert {a.id for a in library.articles()} == before_ids == set(library.index.keys())
    assert hits == [] and fake_api.calls_to("getFile") == []
    texts = [parse_telegram_html(t).text if "<" in t else t for t in fake_api.sent_texts()]
    assert all(text == NOT_ADMIN or not text.startswith(("Added", "Removed")) for text in texts)
    assert not any(victim in text and "article" in text for text in texts if text != NOT_ADMIN)
    if case in {"add-url", "add-text", "list", "remove", "document-caption"}:
        assert texts == [NOT_ADMIN]
    assert invalid_calls(fake_api.calls) == []
    assert not any(TOKEN in str(call.params) for call in fake_api.calls)


async def test_admin_paths_do_work_for_the_admin_so_the_refusals_mean_something(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    article_site: tuple[str, list[str]],
) -> None:
    url, hits = article_site
    async with running(make_settings(fetch_allow_private=True), library) as app:
        before = len(library)
        await feed(app, message_update(f"/add {url}", user_id=ADMIN_ID))
        await feed(app, message_update(f"/add {PASTED}", user_id=ADMIN_ID))
        assert len(library) == before + 2 and hits == ["/story.html"]
        await feed(app, message_update(f"/remove {library.articles()[0].id}", user_id=ADMIN_ID))
    assert len(library) == before + 1


async def test_flood_guard_holds_under_a_burst_of_100_messages(
    make_settings: Callable[..., Settings],
    library: Library,
    fake_api: FakeBotApi,
    figures: dict[str, Any],
) -> None:
    settings = make_settings(flood_max_messages=FLOOD_LIMIT, flood_window_seconds=60)
    question = "What did the European diplomat say?"
    async with running(settings, library) as app:
        started = time.monotonic()
        burst = [message_update(question, user_id=USER_ID) for _ in range(100)]
        await asyncio.gather(*(feed(app, update) for update in burst))
        elapsed = time.monotonic() - started
        await feed(app, message_update(question, user_id=ADMIN_ID + 1))
    to_user = [
        c.params["text"] for c in fake_api.calls_to("sendMessage") if c.params["chat_id"] == USER_ID
    ]
    answers = [text for text in to_user if "<blockquote>" in text]
    assert len(answers) == FLOOD_LIMIT and to_user.count(SLOW_DOWN) == 1
    assert len(to_user) == FLOOD_LIMIT + 1
    others = [c for c in fake_api.calls_to("sendMessage") if c.params["chat_id"] == ADMIN_ID + 1]
    assert len(others) == 1  # another user is not punished for the flood
    figures["flood_burst"] = {
        "messages": 100,
        "replies": len(to_user),
        "seconds": round(elapsed, 2),
    }
