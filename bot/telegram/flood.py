"""Per-user flood guard: a sliding window of messages, one "slow down" notice, then silence."""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable

# Users whose windows are empty are dropped once this many are tracked, so memory stays bounded.
MAX_TRACKED_USERS = 10_000


class Verdict(enum.Enum):
    """What to do with one incoming message."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit for the first time in this burst: send one notice
    SILENT = "silent"  # still over the limit: drop without a reply


class FloodGuard:
    """At most `max_messages` answered messages per user in any `window_seconds`."""

    def __init__(
        self,
        max_messages: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_messages = max_messages
        self.window_seconds = window_seconds
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        """Count a message from the user unless they are over the limit."""
        now = self._clock()
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window_seconds:
            recent.popleft()
        if len(recent) < self.max_messages:
            # Refused messages are not counted, so a user is let back in once the window moves.
            recent.append(now)
            self._warned.discard(user_id)
            self._prune(now)
            return Verdict.ALLOW
        if user_id in self._warned:
            return Verdict.SILENT
        self._warned.add(user_id)
        return Verdict.WARN

    def _prune(self, now: float) -> None:
        if len(self._recent) <= MAX_TRACKED_USERS:
            return
        for user_id, recent in list(self._recent.items()):
            if not recent or recent[-1] <= now - self.window_seconds:
                del self._recent[user_id]
                self._warned.discard(user_id)
