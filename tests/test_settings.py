"""Settings read from the environment: the forms each variable accepts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,2", {1, 2}),
        ("1, 2 ,3", {1, 2, 3}),
        ("[1, 2]", {1, 2}),
        ("[7]", {7}),
        ("[]", set()),
        ("", set()),
        ("5", {5}),
    ],
    ids=["commas", "spaces", "list-form", "one-in-list", "empty-list", "empty", "single"],
)
def test_admin_ids_accepts_comma_and_list_forms(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]
) -> None:
    monkeypatch.setenv("ADMIN_IDS", raw)
    assert Settings(_env_file=None).admin_ids == frozenset(expected)


def test_admin_ids_that_are_not_numbers_give_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADMIN_IDS", "[alice, 2]")
    with pytest.raises(ValidationError, match=r"ADMIN_IDS must be Telegram user ids"):
        Settings(_env_file=None)
