"""When each feed is polled next: its interval with jitter, backed off after errors."""

from __future__ import annotations

import random

MAX_BACKOFF_SECONDS = 24 * 3600.0
MAX_BACKOFF_DOUBLINGS = 6


def next_poll_at(
    now: float, interval: float, errors: int, jitter: float, rng: random.Random
) -> float:
    """`now` plus the interval (doubled per consecutive error, at most a day), +/- jitter.

    Jitter spreads feeds that were followed together, so they do not all fall due at once.
    """
    wait = interval * 2 ** min(errors, MAX_BACKOFF_DOUBLINGS) if errors else interval
    wait = min(wait, max(MAX_BACKOFF_SECONDS, interval))
    return now + wait * (1 + rng.uniform(-jitter, jitter))
