"""Callback data: compact, round-trips, and anything this version did not make is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.keyboards import MAX_CALLBACK_BYTES, Press, page_keyboard, parse_press

ARTICLE = "b337a07ac34c83ae"


@pytest.mark.parametrize(
    "press",
    [
        Press("more"),
        Press("summary", article_id=ARTICLE),
        Press("source", article_id=ARTICLE),
        Press("page", page=12),
    ],
    ids=["more", "summary", "source", "page"],
)
def test_callback_data_round_trips_within_the_limit(press: Press) -> None:
    assert len(press.data().encode()) <= MAX_CALLBACK_BYTES
    assert parse_press(press.data()) == press


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "m:1",
        "s:B337A07AC34C83AE",
        "s:b337",
        "i:../../etc/passwd",
        "a:0",
        "a:-1",
        "a:1234567",
        "x",
        "s:" + ARTICLE + " ",
        "m" * 65,
    ],
)
def test_unknown_or_malformed_callback_data_is_refused(data: str | None) -> None:
    assert parse_press(data) is None


def test_page_keyboard_offers_only_pages_that_exist() -> None:
    assert page_keyboard(1, 1) is None
    only_next = page_keyboard(1, 3)
    assert only_next is not None
    assert [b.callback_data for b in only_next.inline_keyboard[0]] == ["a:2"]
    both = page_keyboard(2, 3)
    assert both is not None
    assert [b.callback_data for b in both.inline_keyboard[0]] == ["a:1", "a:3"]


@given(st.text(max_size=80))
def test_any_callback_data_parses_or_is_refused_without_raising(data: str) -> None:
    press = parse_press(data)
    assert press is None or press.data() == data
