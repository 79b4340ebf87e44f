"""The corpus snapshot: same results as the article files, and never trusted when it could lie."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np
import pytest

from bot.durable import (
    MANIFEST_NAME,
    decode_strings,
    encode_strings,
    load_arrays,
    load_manifest,
    save_arrays,
)
from bot.library import Library, build_passages
from bot.models import Article
from bot.settings import Settings
from bot.snapshot import ARRAYS, SnapshotPassages, load_snapshot
from bot.store import PIPELINE_VERSION, ArticleStore

# Lone surrogate (valid in JSON), flag emoji, right-to-left text, NUL, combining accent, line
# separator, a character outside the BMP, and the empty string.
ODD = ["\ud800x", "🇺🇦 flag", "שלום عربى", "nul\x00byte", "e\u0301", "a\u2028b", "\U0001d518", ""]


def odd_record() -> dict[str, object]:
    """A hand-written file with unusual Unicode in every string field."""
    paragraphs = [f"Start {s} middle, said {s} Smith. Then {s} end." for s in ODD[:-1]]
    return {
        "id": "odd-ñ-🇺🇦",
        "title": "Title " + "".join(ODD),
        "outlet": ODD[1],
        "url": "https://example.com/é?q=\u2028",
        "published": ODD[4],
        "author": ODD[0],
        "added": ODD[3],
        "paragraphs": paragraphs,
        "pipeline": PIPELINE_VERSION,
        "sentences": [
            {"paragraph": 0, "text": paragraphs[0][:20], "speaker": ODD[0], "cue": ODD[2]},
            {"paragraph": 1, "text": "Not in any paragraph 🇺🇦", "speaker": "", "cue": None},
            {"paragraph": 9, "text": "Paragraph 9 does not exist", "speaker": None, "cue": ""},
            {"paragraph": 2, "text": "", "speaker": ODD[6], "cue": "said", "attribution": ""},
            {"paragraph": 3, "text": paragraphs[3], "attribution": "explicit"},
        ],
    }


def strict_record() -> dict[str, object]:
    """A file the store reads by its strict path: an unknown source, a number as a string."""
    return {
        "id": "strict",
        "title": "Strict",
        "paragraphs": ["One sentence here.", "Two."],
        "pipeline": PIPELINE_VERSION,
        "sentences": [
            {"paragraph": "1", "text": "Two.", "speaker": 5, "cue": None, "attribution": "ödd"},
            {"paragraph": 0, "text": "One sentence here.", "attribution": "outlet"},
        ],
    }


def write_record(corpus: Path, name: str, record: dict[str, object]) -> Path:
    path = corpus / name
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return path


def age(corpus: Path, seconds: float = 60) -> None:
    """Move every file's mtime into the past: a fresh stamp is never trusted (`settled`)."""
    past = time.time_ns() - int(seconds * 1e9) - 123  # not a whole second: a fine-grained mtime
    for path in corpus.glob("*.json"):
        os.utime(path, ns=(past, past))


@pytest.fixture
def corpus(settings: Settings) -> Path:
    """The shipped article, three stored articles, and the two unusual hand-written files."""
    store = ArticleStore(settings.corpus_dir)
    for number in range(3):
        article = Article(
            f"extra{number}",
            f"Council vote {number}",
            (
                f"The council voted {number} times on Monday, said the mayor.",
                f"Residents were angry. “We were ignored,” a resident told reporters {number}.",
            ),
            outlet="Local Wire",
            url=f"https://example.com/{number}",
            added=f"2025-01-0{number + 1}T00:00:00+00:00",
        )
        store.save(article, build_passages(article))
    write_record(settings.corpus_dir, "odd.json", odd_record())
    write_record(settings.corpus_dir, "strict.json", strict_record())
    age(settings.corpus_dir)
    return settings.corpus_dir


def contents(library: Library) -> list[tuple[object, ...]]:
    """Every article with every passage, read every way the library offers."""
    found: list[tuple[object, ...]] = []
    for article in library.articles():
        passages = library.passages_of(article.id)
        texts = [library.text(article.id, i) for i in range(len(passages))]
        found.append(
            (
                article,
                list(passages),
                texts,
                passages.texts(),  # type: ignore[attr-defined]
                passages.paragraphs(),  # type: ignore[attr-defined]
                list(passages.rows()),  # type: ignore[attr-defined]
                passages[-1] if len(passages) else None,
                passages[1:3],
            )
        )
    return found


def snapshot_and_reopen(settings: Settings) -> tuple[Library, Library]:
    first = Library.open(settings)
    first.flush()
    return first, Library.open(settings)


def from_snapshot(library: Library) -> int:
    return sum(isinstance(library.passages_of(a.id), SnapshotPassages) for a in library.articles())


def test_snapshot_gives_exactly_what_the_article_files_give(
    settings: Settings, corpus: Path
) -> None:
    from_files, from_bundle = snapshot_and_reopen(settings)
    assert from_snapshot(from_files) == 0
    assert from_snapshot(from_bundle) == len(from_files) == 6
    assert contents(from_bundle) == contents(from_files)
    odd = from_bundle.get("odd-ñ-🇺🇦")
    assert odd.title == "Title " + "".join(ODD)
    speakers = [p.attribution.speaker for p in from_bundle.passages_of(odd.id)]
    assert speakers[:3] == [ODD[0], "", None]
    question = "What did the mayor say about the council vote?"
    assert from_bundle.ask(question) == from_files.ask(question)


def test_restart_with_an_unchanged_corpus_reads_no_article_file(
    settings: Settings, corpus: Path
) -> None:
    first, _ = snapshot_and_reopen(settings)
    expected = contents(first)
    for path in corpus.glob("*.json"):  # same size and mtime, but no longer JSON at all
        stat = path.stat()
        path.write_bytes(b"\xff" * stat.st_size)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert contents(Library.open(settings)) == expected


@pytest.mark.parametrize(
    "new_title",
    ["A much longer title than before", "Council vote X"],
    ids=["other-size", "same-size"],
)
def test_a_file_edited_after_the_snapshot_wins(
    settings: Settings, corpus: Path, new_title: str
) -> None:
    snapshot_and_reopen(settings)
    path = corpus / "extra1.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["title"] = new_title
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert Library.open(settings).get("extra1").title == new_title
    age(corpus)
    _, again = snapshot_and_reopen(settings)
    assert again.get("extra1").title == new_title
    assert from_snapshot(again) == 6


def test_deleted_file_is_gone_and_new_file_is_loaded(settings: Settings, corpus: Path) -> None:
    snapshot_and_reopen(settings)
    (corpus / "extra0.json").unlink()
    record = {**strict_record(), "id": "newcomer", "title": "Newcomer"}
    write_record(corpus, "newcomer.json", record)
    library = Library.open(settings)
    assert [a.id for a in library.articles() if a.id in ("extra0", "newcomer")] == ["newcomer"]
    library.flush()
    snapshot = load_snapshot(settings.snapshot_dir)
    assert snapshot is not None and len(snapshot) == 5  # the fresh file waits until settled


def test_a_freshly_written_file_is_read_again_until_its_stamp_settles(
    settings: Settings, corpus: Path
) -> None:
    write_record(corpus, "fresh.json", {**strict_record(), "id": "fresh"})  # mtime: now
    _, second = snapshot_and_reopen(settings)
    assert not isinstance(second.passages_of("fresh"), SnapshotPassages)
    assert isinstance(second.passages_of("strict"), SnapshotPassages)


def test_added_article_is_in_the_snapshot_and_removed_one_leaves_it(
    settings: Settings, corpus: Path
) -> None:
    library = Library.open(settings)
    added = library.add(Article("ignored", "Mars", ("The rover found clay, said NASA.",)))
    library.remove("extra2")
    library.flush()
    restarted = Library.open(settings)
    assert isinstance(restarted.passages_of(added.id), SnapshotPassages)
    assert list(restarted.passages_of(added.id)) == list(library.passages_of(added.id))
    assert "extra2" not in {a.id for a in restarted.articles()}


def test_flush_rewrites_the_snapshot_only_when_the_corpus_changed(
    settings: Settings, corpus: Path
) -> None:
    _, unchanged = snapshot_and_reopen(settings)
    before = load_manifest(settings.snapshot_dir)
    unchanged.flush()
    assert load_manifest(settings.snapshot_dir) == before
    unchanged.remove("extra0")
    unchanged.flush()
    assert load_manifest(settings.snapshot_dir) != before


def truncate_paragraphs(directory: Path) -> None:
    path = next(directory.glob("paragraphs_blob.*.npy"))
    path.write_bytes(path.read_bytes()[:-7])


def flip_a_byte(directory: Path) -> None:
    path = next(directory.glob("sentence_start.*.npy"))
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))


def edit_manifest(change: dict[str, object]) -> object:
    def edit(directory: Path) -> None:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        (directory / MANIFEST_NAME).write_text(json.dumps(manifest | change), encoding="utf-8")

    return edit


@pytest.mark.parametrize(
    "damage",
    [
        truncate_paragraphs,
        flip_a_byte,
        lambda d: (d / MANIFEST_NAME).write_text('{"files": {', encoding="utf-8"),
        lambda d: (d / MANIFEST_NAME).write_bytes(b""),
        edit_manifest({"files": {}}),
        edit_manifest({"pipeline": PIPELINE_VERSION + 1}),
        edit_manifest({"format_version": 0}),
        lambda d: next(d.glob("strings_blob.*.npy")).unlink(),
    ],
    ids=[
        "truncated-array",
        "flipped-byte",
        "truncated-manifest",
        "empty-manifest",
        "manifest-without-files",
        "other-pipeline",
        "other-format",
        "missing-array",
    ],
)
def test_damaged_or_foreign_snapshot_is_ignored_and_rewritten(
    settings: Settings, corpus: Path, damage: object, caplog: pytest.LogCaptureFixture
) -> None:
    expected = contents(snapshot_and_reopen(settings)[1])
    damage(settings.snapshot_dir)  # type: ignore[operator]
    with caplog.at_level(logging.INFO, logger="bot.snapshot"):
        library = Library.open(settings)
    assert "not using the corpus snapshot" in caplog.text
    assert from_snapshot(library) == 0
    assert contents(library) == expected
    library.flush()
    assert from_snapshot(Library.open(settings)) == 6


def tamper(name: str, change: object) -> object:
    """Rewrite one array of a valid bundle, with a correct checksum: only the checks catch it."""

    def apply(directory: Path) -> None:
        manifest = load_manifest(directory)
        arrays = load_arrays(directory, manifest, ARRAYS)
        arrays[name] = change(arrays[name].copy())  # type: ignore[operator]
        header = {k: v for k, v in manifest.items() if k != "files"}
        save_arrays(directory, header, arrays)

    return apply


def set_at(index: int, value: int) -> object:
    def change(array: np.ndarray) -> np.ndarray:
        array[index] = value
        return array

    return change


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("strings_offsets", set_at(1, 10**6)),
        ("paragraphs_offsets", lambda a: a[::-1].copy()),
        ("sentence_end", set_at(0, 10**6)),
        ("sentence_start", set_at(0, -5)),
        ("sentence_paragraph", set_at(0, 99)),
        ("speakers", set_at(0, 10**6)),
        ("sources", set_at(0, -1)),
        ("fields", set_at(1, -1)),
        ("sentence_counts", set_at(0, 10**6)),
        ("paragraph_counts", set_at(0, 0)),
        ("files", lambda a: np.zeros_like(a)),
        ("mtimes", lambda a: a[:-1]),
        ("cues", lambda a: a.astype(np.int32)),
        ("strings_blob", lambda a: np.full_like(a, 0xFF)),
    ],
    ids=[
        "string-offsets-past-the-end",
        "offsets-not-monotonic",
        "sentence-past-its-paragraph",
        "negative-start",
        "unknown-paragraph",
        "unknown-speaker",
        "missing-source",
        "missing-title",
        "sentence-counts-disagree",
        "article-without-paragraphs",
        "same-file-twice",
        "stamps-disagree",
        "wrong-dtype",
        "invalid-utf8",
    ],
)
def test_inconsistent_snapshot_is_refused_whole(
    settings: Settings, corpus: Path, name: str, change: object
) -> None:
    expected = contents(snapshot_and_reopen(settings)[1])
    tamper(name, change)(settings.snapshot_dir)  # type: ignore[operator]
    assert load_snapshot(settings.snapshot_dir) is None
    assert contents(Library.open(settings)) == expected


def test_snapshot_that_cannot_be_written_is_logged_not_fatal(
    settings: Settings, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.snapshot_dir.write_text("a file where the folder should be", encoding="utf-8")
    library = Library.open(settings)
    library.flush()
    assert "could not save the corpus snapshot" in caplog.text
    assert len(Library.open(settings)) == 6


@pytest.mark.parametrize(
    "strings", [ODD, [], [""], ["a", "", "b"]], ids=["odd", "none", "empty", "gap"]
)
def test_strings_round_trip_through_blob_and_offsets(strings: list[str]) -> None:
    assert decode_strings(*encode_strings(strings)) == strings
