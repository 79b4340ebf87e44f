"""Conversation context per reply thread and per user, persisted as JSON across restarts."""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bot.conversation import Conversation
from bot.durable import write_atomically

log = logging.getLogger(__name__)

STATE_FILE = "telegram-conversations.json"
FORMAT_VERSION = 1
MAX_ENTRIES = 1000
USER_TTL_SECONDS = 30 * 60
THREAD_TTL_SECONDS = 7 * 24 * 60 * 60


def thread_key(chat_id: int, message_id: int) -> str:
    """Key of the thread that continues from one of the bot's messages."""
    return f"thread:{chat_id}:{message_id}"


def user_key(chat_id: int, user_id: int) -> str:
    """Key of a user's recent questions in one chat."""
    return f"user:{chat_id}:{user_id}"


class ConversationStore:
    """Bounded map of key -> (last use, conversation), written atomically after each change."""

    def __init__(
        self,
        path: Path,
        *,
        max_entries: int = MAX_ENTRIES,
        user_ttl: float = USER_TTL_SECONDS,
        thread_ttl: float = THREAD_TTL_SECONDS,
        save_every: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        # Each save writes every entry, so under load it is done at most once per `save_every`
        # seconds (a crash loses that much context, never answers); 0 writes after each change.
        self.save_every = save_every
        self._saved_at = float("-inf")
        self.max_entries = max_entries
        self.user_ttl = user_ttl
        self.thread_ttl = thread_ttl
        self._clock = clock
        # Wall-clock times, not monotonic ones, because they must mean something after a restart.
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    @classmethod
    def open(cls, state_dir: Path, **options: Any) -> ConversationStore:
        """The store in `state_dir`, with whatever a previous run saved there."""
        store = cls(state_dir / STATE_FILE, **options)
        store.load()
        return store

    def __len__(self) -> int:
        return len(self._entries)

    def load(self) -> None:
        """Read the saved entries; a missing or unreadable file just means no context."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["entries"] if data.get("version") == FORMAT_VERSION else []
            loaded = [(str(key), float(at), dict(conv)) for key, at, conv in entries]
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("ignoring unreadable conversation state %s: %s", self.path, exc)
            return
        for key, at, conversation in sorted(loaded, key=lambda entry: entry[1]):
            self._entries[key] = (at, conversation)
        self._evict()

    def get(self, key: str) -> Conversation | None:
        """The conversation stored under the key, unless it has expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        at, data = entry
        if at <= self._clock() - self._ttl(key):
            del self._entries[key]
            return None
        try:
            return Conversation.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("dropping unreadable conversation %s: %s", key, exc)
            del self._entries[key]
            return None

    def put(self, keys: Iterable[str], conversation: Conversation) -> None:
        """Store the conversation under every key; saved when the last save is old enough."""
        now = self._clock()
        data = conversation.to_dict()
        for key in keys:
            self._entries[key] = (now, data)
            self._entries.move_to_end(key)
        self._evict()
        self._save_when_due()

    def forget(self, key: str) -> None:
        """Drop one conversation (for /new); saved when the last save is old enough."""
        if self._entries.pop(key, None) is not None:
            self._save_when_due()

    def _save_when_due(self) -> None:
        if self._clock() - self._saved_at >= self.save_every:
            self.save()

    def _ttl(self, key: str) -> float:
        return self.thread_ttl if key.startswith("thread:") else self.user_ttl

    def _evict(self) -> None:
        now = self._clock()
        for key in [k for k, (at, _) in self._entries.items() if at <= now - self._ttl(k)]:
            del self._entries[key]
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def save(self) -> None:
        """Write all entries atomically and durably (temp file, fsync, rename)."""
        self._saved_at = self._clock()
        payload = {
            "version": FORMAT_VERSION,
            "entries": [[key, at, data] for key, (at, data) in self._entries.items()],
        }
        # ASCII escapes keep a lone surrogate (which Telegram text can carry) as \udXXX,
        # where UTF-8 could not encode it; json.loads reads it back unchanged.
        data = json.dumps(payload).encode("ascii")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, data)
        except OSError as exc:
            # Context is a convenience: a full or read-only disk must not stop the answers.
            log.warning("could not save conversation state in %s: %s", self.path, exc)
