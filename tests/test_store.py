"""The corpus on disk: round trips, atomic writes, unreadable files skipped."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from bot.durable import write_atomically
from bot.models import Article, ArticleNotFoundError, Attribution, Passage, StoreError
from bot.store import PIPELINE_VERSION, STALE_TEMPORARY_SECONDS, ArticleStore


def make_article(article_id: str = "abc123", **fields: object) -> Article:
    values: dict[str, object] = {
        "title": "Ministers meet",
        "paragraphs": ("Ministers met on Monday.", "They agreed, said an aide."),
        "outlet": "Reuters",
        "url": "https://example.com/a",
        "published": "2025-01-02",
    }
    values.update(fields)
    return Article(id=article_id, **values)  # type: ignore[arg-type]


def make_passages(article: Article) -> tuple[Passage, ...]:
    return (
        Passage(article.id, 0, 0, "Ministers met on Monday.", Attribution(None, None, "outlet")),
        Passage(
            article.id,
            1,
            1,
            "They agreed, said an aide.",
            Attribution("an aide", "said", "explicit"),
        ),
    )


def test_saved_article_loads_back_with_its_sentences(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    article = make_article()
    store.save(article, make_passages(article))
    [loaded] = store.load_all()
    assert loaded.article == article
    assert loaded.passages is not None
    assert tuple(loaded.passages) == make_passages(article)


def test_article_file_is_readable_json_named_by_id(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    article = make_article("f00d")
    path = store.save(article, make_passages(article))
    assert path.name == "f00d.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["title"] == "Ministers meet"
    assert record["sentences"][1]["speaker"] == "an aide"
    assert record["pipeline"] == PIPELINE_VERSION


def test_sentences_from_an_older_pipeline_are_not_trusted(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    article = make_article()
    path = store.save(article, make_passages(article))
    record = json.loads(path.read_text(encoding="utf-8"))
    record["pipeline"] = PIPELINE_VERSION - 1
    path.write_text(json.dumps(record), encoding="utf-8")
    [loaded] = store.load_all()
    assert loaded.article == article
    assert loaded.passages is None


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "[1, 2]", json.dumps({"id": "x", "title": "t"}), "\x00\x01binary"],
    ids=["empty", "broken-json", "not-an-object", "no-paragraphs", "binary"],
)
def test_unreadable_files_are_skipped_and_the_rest_loads(tmp_path: Path, content: str) -> None:
    store = ArticleStore(tmp_path)
    article = make_article()
    store.save(article, make_passages(article))
    (tmp_path / "broken.json").write_text(content, encoding="utf-8")
    assert [s.article.id for s in store.load_all()] == [article.id]


def test_leftover_temp_files_are_never_loaded(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    (tmp_path / ".abc.json.1234.tmp").write_text('{"id": "half', encoding="utf-8")
    assert store.load_all() == []


def test_old_leftover_temp_files_are_removed_and_fresh_ones_kept(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    old, fresh = tmp_path / ".abc.json.1234.tmp", tmp_path / ".def.json.5678.tmp"
    for path in (old, fresh):
        path.write_text('{"id": "half', encoding="utf-8")
    long_ago = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    store.load_all()
    assert not old.exists()
    assert fresh.exists()  # perhaps another process's save in progress


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_atomically(target, b"old")
    write_atomically(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_delete_missing_article_raises_not_found(tmp_path: Path) -> None:
    with pytest.raises(ArticleNotFoundError):
        ArticleStore(tmp_path).delete("nope")


def test_missing_corpus_folder_loads_as_empty(tmp_path: Path) -> None:
    assert ArticleStore(tmp_path / "absent").load_all() == []


@pytest.mark.parametrize(
    "article_id",
    ["../escaped", "/etc/passwd", "a/b", "", "x" * 65, "dot.dot"],
    ids=["parent", "absolute", "slash", "empty", "too-long", "dot"],
)
def test_ids_that_could_name_another_file_are_refused(tmp_path: Path, article_id: str) -> None:
    store = ArticleStore(tmp_path / "corpus")
    article = make_article(article_id)
    with pytest.raises(StoreError):
        store.save(article, make_passages(article))
    assert list(tmp_path.rglob("*.json")) == []


def test_stored_sentences_load_lazily_but_equal_the_saved_ones(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    article = make_article()
    store.save(article, make_passages(article))
    [loaded] = store.load_all()
    assert loaded.passages is not None
    assert len(loaded.passages) == 2
    assert loaded.passages[-1] == make_passages(article)[1]
    assert loaded.passages[0:2] == make_passages(article)


def test_sentences_of_unusual_shape_are_still_read_by_the_strict_path(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    article = make_article()
    path = store.save(article, make_passages(article))
    record = json.loads(path.read_text(encoding="utf-8"))
    record["sentences"][0]["paragraph"] = "0"  # a string where an int is written
    path.write_text(json.dumps(record), encoding="utf-8")
    [loaded] = store.load_all()
    assert loaded.passages is not None and loaded.passages[0].paragraph == 0
