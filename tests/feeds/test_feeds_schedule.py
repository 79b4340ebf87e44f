"""When a feed is polled next: interval, jitter and backoff (pure)."""

from __future__ import annotations

import random

import pytest

from bot.feeds.schedule import MAX_BACKOFF_SECONDS, next_poll_at


@pytest.mark.parametrize(
    ("errors", "wait"),
    [
        (0, 900),
        (1, 1800),
        (2, 3600),
        (6, 57600),
        (40, 57600),
    ],
    ids=["ok", "one-error", "two-errors", "six-doublings", "no-more-doublings"],
)
def test_the_wait_doubles_per_error_at_most_six_times(errors: int, wait: float) -> None:
    assert next_poll_at(1000.0, 900, errors, 0.0, random.Random(1)) == 1000.0 + wait


def test_the_backed_off_wait_is_at_most_a_day() -> None:
    assert next_poll_at(0.0, 3600, 6, 0.0, random.Random(1)) == MAX_BACKOFF_SECONDS


def test_jitter_spreads_feeds_within_the_share_of_the_interval() -> None:
    rng = random.Random(3)
    waits = [next_poll_at(0.0, 900, 0, 0.1, rng) for _ in range(500)]
    assert min(waits) >= 810 and max(waits) <= 990
    assert max(waits) - min(waits) > 150  # really spread, not constant


def test_an_interval_longer_than_a_day_is_not_shortened_by_the_cap() -> None:
    assert next_poll_at(0.0, 2 * 86400, 3, 0.0, random.Random(1)) == 2 * 86400
