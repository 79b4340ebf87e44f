"""The per-user flood guard: a sliding window, one notice, then silence."""

from __future__ import annotations

from bot.telegram.flood import FloodGuard, Verdict


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_up_to_the_limit_then_warns_once_then_stays_silent() -> None:
    guard = FloodGuard(3, 10.0, clock=Clock())
    verdicts = [guard.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN] + [Verdict.SILENT] * 2


def test_window_slides_so_the_user_is_let_back_in() -> None:
    clock = Clock()
    guard = FloodGuard(2, 10.0, clock=clock)
    assert [guard.check(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.WARN]
    clock.now += 10.5
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(1) is Verdict.WARN  # a new burst gets a new notice


def test_users_are_counted_separately() -> None:
    guard = FloodGuard(1, 10.0, clock=Clock())
    assert guard.check(1) is Verdict.ALLOW
    assert guard.check(2) is Verdict.ALLOW
    assert guard.check(1) is Verdict.WARN
