"""Admin commands: /add (URL, pasted text, reply, upload), /list, /remove; refusals."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.library import Library
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID, USER_ID, feed, message, message_update

ADMIN = {"user_id": ADMIN_ID}
PASTED = (
    "Lighthouse keepers return to Skerry Island\n\n"
    "The last lighthouse on Skerry Island will be staffed again from May, "
    "the harbour board said.\n\n"
    '"Automation failed us twice in one winter," said Ingrid Holm, the board\'s chair.'
)
PAGE = """<!doctype html><html><head><title>Orchard growers fear late frost</title>
<meta property="og:site_name" content="Valley Times"></head><body><article>
<h1>Orchard growers fear late frost</h1>
<p>Apple growers in the valley lit fires among the trees overnight to fight a late frost.</p>
<p>"One cold night can take half of a year's crop," said Tomas Rieger,
who grows apples near the river.</p>
<p>Forecasters expect temperatures to rise again by the weekend, the weather service said.</p>
</article></body></html>"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request lines in the test output."""


@pytest.fixture
def article_server(tmp_path: Path) -> Iterator[str]:
    """A web server on 127.0.0.1 serving one article page; yields its URL."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "frost.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/frost.html"
    server.shutdown()
    server.server_close()


def ids(library: Library) -> set[str]:
    return {article.id for article in library.articles()}


async def test_add_url_fetches_indexes_and_answers_at_once(
    app: Application, fake_api: FakeBotApi, library: Library, article_server: str
) -> None:
    before = ids(library)
    await feed(app, message_update(f"/add {article_server}", **ADMIN))
    (added,) = ids(library) - before
    reply = fake_api.sent_texts()[-1]
    assert reply.startswith("Added") and f"<code>{added}</code>" in reply
    assert "Orchard growers fear late frost" in reply and "3 sentences" in reply
    assert fake_api.calls_to("sendChatAction")
    await feed(app, message_update("What did Tomas Rieger say about one cold night?"))
    assert "One cold night can take half" in fake_api.sent_texts()[-1]


async def test_add_goes_on_when_the_typing_action_fails(
    app: Application,
    fake_api: FakeBotApi,
    library: Library,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_api.fail_next("sendChatAction", "500")
    before = ids(library)
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        await feed(app, message_update(f"/add {PASTED}", **ADMIN))
    (action,) = fake_api.calls_to("sendChatAction")
    assert action.failure == "500"
    (added,) = ids(library) - before
    (reply,) = fake_api.sent_texts()
    assert reply.startswith("Added") and f"<code>{added}</code>" in reply
    assert "could not send a chat action" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_add_same_url_twice_names_the_existing_id(
    app: Application, fake_api: FakeBotApi, library: Library, article_server: str
) -> None:
    await feed(app, message_update(f"/add {article_server}", **ADMIN))
    count = len(library)
    await feed(app, message_update(f"/add {article_server}", **ADMIN))
    (article,) = [a for a in library.articles() if a.title.startswith("Orchard")]
    assert fake_api.sent_texts()[-1] == (
        f"That article is already in the corpus as <code>{article.id}</code>."
    )
    assert len(library) == count


async def test_add_url_refused_when_private_fetches_are_not_allowed(
    make_settings, library: Library, fake_api: FakeBotApi, start_app, article_server: str
) -> None:
    before = ids(library)
    async with start_app(make_settings(fetch_allow_private=False), library) as app:
        await feed(app, message_update(f"/add {article_server}", **ADMIN))
    reply = fake_api.sent_texts()[-1]
    assert reply.startswith("Could not add the article:") and "127.0.0.1" in reply
    assert ids(library) == before


async def test_add_unreachable_url_says_why(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    await feed(app, message_update("/add http://127.0.0.1:9/nothing-here", **ADMIN))
    assert fake_api.sent_texts()[-1].startswith("Could not add the article:")


async def test_add_pasted_text_uses_first_line_as_title(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    await feed(app, message_update(f"/add {PASTED}", **ADMIN))
    reply = fake_api.sent_texts()[-1]
    assert "Lighthouse keepers return to Skerry Island" in reply and "2 sentences" in reply
    await feed(app, message_update("What did Ingrid Holm say about automation?"))
    assert "Automation failed us twice" in fake_api.sent_texts()[-1]


async def test_add_as_reply_to_a_message_with_the_text(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    original = message(PASTED, user_id=USER_ID, chat_id=ADMIN_ID)
    await feed(app, message_update("/add", reply_to=original, **ADMIN))
    assert "Lighthouse keepers return" in fake_api.sent_texts()[-1]
    assert any(a.title.startswith("Lighthouse") for a in library.articles())


async def test_bare_add_gets_usage(app: Application, fake_api: FakeBotApi) -> None:
    await feed(app, message_update("/add", **ADMIN))
    assert fake_api.sent_texts()[-1].startswith("Usage:\n/add URL")


@pytest.mark.parametrize(
    ("file_name", "content"),
    [
        ("skerry.txt", PASTED.encode()),
        ("frost.html", PAGE.encode()),
        ("skerry.md", ("# " + PASTED).encode()),
    ],
    ids=["txt", "html", "markdown"],
)
async def test_uploaded_document_with_add_caption_is_added(
    app: Application, fake_api: FakeBotApi, library: Library, file_name: str, content: bytes
) -> None:
    fake_api.add_file("F1", content, f"documents/{file_name}")
    document = {"file_id": "F1", "file_unique_id": "uF1", "file_name": file_name}
    before = ids(library)
    update = message_update(None, caption="/add", document=document, **ADMIN)
    await feed(app, update)
    (added,) = ids(library) - before
    assert fake_api.calls_to("getFile")[0].params["file_id"] == "F1"
    assert fake_api.sent_texts()[-1].startswith("Added") and added in fake_api.sent_texts()[-1]


@pytest.mark.parametrize(
    ("document", "reply"),
    [
        ({"file_name": "big.txt", "file_size": 6_000_000}, "too large"),
        ({"file_name": "photo.jpg", "file_size": 100}, ".txt, .md, .html and .json"),
    ],
    ids=["over-5mb", "wrong-type"],
)
async def test_unsuitable_uploads_are_refused_before_downloading(
    app: Application, fake_api: FakeBotApi, document: dict, reply: str
) -> None:
    document = {"file_id": "F2", "file_unique_id": "uF2", **document}
    await feed(app, message_update(None, caption="/add", document=document, **ADMIN))
    assert reply in fake_api.sent_texts()[-1]
    assert fake_api.calls_to("getFile") == []


@pytest.mark.parametrize(
    "update",
    [
        message_update(f"/add {PASTED}"),
        message_update("/remove {id}"),
        message_update("/list"),
        message_update(
            None,
            caption="/add",
            document={"file_id": "F3", "file_unique_id": "u", "file_name": "a.txt"},
        ),
    ],
    ids=["add", "remove", "list", "upload"],
)
async def test_non_admins_are_refused_and_nothing_changes(
    app: Application, fake_api: FakeBotApi, library: Library, update: dict
) -> None:
    fake_api.add_file("F3", PASTED.encode(), "documents/a.txt")
    before = ids(library)
    if "text" in update["message"]:
        some_id = sorted(before)[0]
        update["message"]["text"] = update["message"]["text"].replace("{id}", some_id)
    await feed(app, update)
    assert fake_api.sent_texts() == [
        "Sorry, only the bot's admins can change or list its articles."
    ]
    assert ids(library) == before and ids(Library.open(library.settings)) == before
    assert fake_api.calls_to("getFile") == []


async def test_edited_admin_command_from_a_non_admin_does_nothing(
    app: Application, fake_api: FakeBotApi, library: Library
) -> None:
    before = ids(library)
    await feed(app, {"edited_message": message(f"/add {PASTED}", edit_date=1)})
    assert fake_api.calls_to("sendMessage") == [] and ids(library) == before


async def test_list_and_remove(app: Application, fake_api: FakeBotApi, library: Library) -> None:
    (grain,) = [a for a in library.articles() if a.title.startswith("Grain")]
    await feed(app, message_update("/list", **ADMIN))
    listing = fake_api.sent_texts()[-1]
    assert f"<code>{grain.id}</code>" in listing and "7 sentences" in listing
    await feed(app, message_update(f"/remove {grain.id}", **ADMIN))
    assert fake_api.sent_texts()[-1].startswith("Removed") and grain.id not in ids(library)
    await feed(app, message_update("/list", **ADMIN))
    assert grain.id not in fake_api.sent_texts()[-1]
    await feed(app, message_update("How much did wheat futures rise in Chicago?"))
    assert "<blockquote>" not in fake_api.sent_texts()[-1]


async def test_remove_unknown_id_says_so(app: Application, fake_api: FakeBotApi) -> None:
    await feed(app, message_update("/remove nosuchid", **ADMIN))
    assert "no article with id <code>nosuchid</code>" in fake_api.sent_texts()[-1]


async def test_html_in_an_article_title_is_escaped(app: Application, fake_api: FakeBotApi) -> None:
    text = "<b>Bold</b> & <i>daring</i> headline\n\nThe minister said the plan was bold."
    await feed(app, message_update(f"/add {text}", **ADMIN))
    await feed(app, message_update("/sources"))
    added, sources = fake_api.sent_texts()[-2:]
    for reply in (added, sources):
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;daring&lt;/i&gt;" in reply
    assert fake_api.refused() == []
