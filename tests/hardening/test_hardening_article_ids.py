"""Article ids from uploaded store records must not escape the corpus folder."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.ingest import read_text
from bot.library import Library
from bot.settings import Settings
from tests.telegram.app_runner import running
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.fake_updates import ADMIN_ID, feed, message_update

# "{tmp}" becomes the test's temp folder, so the absolute case stays inside it.
HOSTILE_IDS = ["../escaped", "../../escaped-further", "{tmp}/absolute-escape"]


def stored_record(article_id: str) -> str:
    return json.dumps(
        {
            "id": article_id,
            "title": "Escaping record",
            "paragraphs": ["The mayor said the bridge would open in May."],
            "added": "2024-05-01T00:00:00+00:00",
        }
    )


def files_outside(corpus: Path, root: Path) -> list[Path]:
    return [p for p in root.rglob("*.json") if corpus not in p.parents and "data" not in p.parts]


@pytest.mark.parametrize("article_id", HOSTILE_IDS)
def test_library_add_never_writes_outside_the_corpus(
    make_settings: Callable[..., Settings], tmp_path: Path, article_id: str
) -> None:
    settings = make_settings(corpus_dir=tmp_path / "nest" / "corpus")
    library = Library.open(settings)
    # Refusing the id in any way (an exception) is a pass; writing outside is the bug.
    with contextlib.suppress(Exception):
        library.add(read_text(stored_record(article_id.format(tmp=tmp_path))))
    assert files_outside(settings.corpus_dir, tmp_path) == []
    assert {a.id for a in library.articles()} <= {
        p.stem for p in settings.corpus_dir.glob("*.json")
    }


async def test_an_uploaded_record_with_a_traversal_id_stays_inside_the_corpus(
    make_settings: Callable[..., Settings], library: Library, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    settings = make_settings()
    fake_api.add_file("J1", stored_record("../escaped").encode(), "documents/j.json")
    document = {"file_id": "J1", "file_unique_id": "uJ1", "file_name": "j.json"}
    async with running(settings, library) as app:
        await feed(app, message_update(None, caption="/add", document=document, user_id=ADMIN_ID))
    # Accepted only under an id of the body, as a file inside the corpus.
    reply = fake_api.sent_texts()[-1]
    assert "../" not in reply and all(len(p.stem) == 16 for p in settings.corpus_dir.glob("*.json"))
    assert files_outside(settings.corpus_dir, tmp_path) == []
