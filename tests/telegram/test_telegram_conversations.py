"""Persisted conversation context: keys, expiry, bounds, atomic saves, unreadable files."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.conversation import Conversation, Turn
from bot.telegram.conversations import STATE_FILE, ConversationStore, thread_key, user_key


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def conversation(question: str) -> Conversation:
    return Conversation([Turn(question, (("a1", 3),), ("a diplomat",))])


def test_saved_conversations_are_read_back_by_a_new_store(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path)
    store.put([user_key(-5, 7), thread_key(-5, 99)], conversation("Who said it?"))
    again = ConversationStore.open(tmp_path)
    loaded = again.get(thread_key(-5, 99))
    assert loaded is not None and loaded.to_dict() == conversation("Who said it?").to_dict()
    assert again.get(user_key(-5, 8)) is None


def test_a_question_with_a_lone_surrogate_is_saved_and_read_back(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path)
    store.put([user_key(1, 2)], conversation("Who said \ud800 that?"))
    store.save()
    loaded = ConversationStore.open(tmp_path).get(user_key(1, 2))
    assert loaded is not None and loaded.turns[0].question == "Who said \ud800 that?"


def test_user_context_expires_but_thread_context_lasts(tmp_path: Path) -> None:
    clock = Clock()
    store = ConversationStore(tmp_path / STATE_FILE, user_ttl=1800, thread_ttl=86400, clock=clock)
    store.put([user_key(1, 1), thread_key(1, 50)], conversation("q"))
    clock.now += 1801
    assert store.get(user_key(1, 1)) is None
    assert store.get(thread_key(1, 50)) is not None


def test_store_is_bounded_by_evicting_the_oldest(tmp_path: Path) -> None:
    clock = Clock()
    store = ConversationStore(tmp_path / STATE_FILE, max_entries=3, clock=clock)
    for n in range(5):
        clock.now += 1
        store.put([thread_key(1, n)], conversation(f"q{n}"))
    assert len(store) == 3
    assert store.get(thread_key(1, 0)) is None and store.get(thread_key(1, 4)) is not None
    saved = json.loads((tmp_path / STATE_FILE).read_text())
    assert len(saved["entries"]) == 3


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"version": 1, "entries": [["k"]]}', '{"version": 99, "entries": []}', "[]"],
    ids=["broken-json", "short-entry", "other-version", "wrong-shape"],
)
def test_unreadable_state_means_no_context_not_a_crash(tmp_path: Path, content: str) -> None:
    (tmp_path / STATE_FILE).write_text(content)
    store = ConversationStore.open(tmp_path)
    assert len(store) == 0
    store.put([user_key(1, 1)], conversation("q"))  # and it can be written again
    assert ConversationStore.open(tmp_path).get(user_key(1, 1)) is not None


def test_save_leaves_no_temp_files_behind(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path)
    for n in range(3):
        store.put([user_key(1, n)], conversation("q"))
    assert [p.name for p in tmp_path.iterdir()] == [STATE_FILE]


def test_a_failed_save_is_logged_and_leaves_no_temp_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / STATE_FILE).mkdir()  # nothing can be renamed onto a folder
    store = ConversationStore.open(tmp_path)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.conversations"):
        store.put([user_key(1, 1)], conversation("q"))
    assert "could not save conversation state" in caplog.text
    assert store.get(user_key(1, 1)) is not None
    assert [p.name for p in tmp_path.iterdir()] == [STATE_FILE]


def test_forget_drops_one_conversation(tmp_path: Path) -> None:
    store = ConversationStore.open(tmp_path)
    store.put([user_key(1, 1), user_key(1, 2)], conversation("q"))
    store.forget(user_key(1, 1))
    again = ConversationStore.open(tmp_path)
    assert again.get(user_key(1, 1)) is None and again.get(user_key(1, 2)) is not None
