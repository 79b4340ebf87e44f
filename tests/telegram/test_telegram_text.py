"""Question text from Telegram messages: commands, mentions at UTF-16 offsets."""

from __future__ import annotations

import pytest

from bot.telegram.handlers import clean_question, command_argument, remove_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ask who said it?", "who said it?"),
        ("/ask@quote_test_bot  who said it?", "who said it?"),
        ("/add Title\n\nBody one.", "Title\n\nBody one."),
        ("/ask", ""),
    ],
    ids=["plain", "addressed", "keeps-newlines", "bare"],
)
def test_command_argument_is_the_text_after_the_command(text: str, expected: str) -> None:
    assert command_argument(text) == expected


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("@bot what did he say?", [(0, 4)], "what did he say?"),
        ("😀 @bot why?", [(3, 4)], "😀 why?"),
        ("hey @bot what now @bot", [(4, 4), (18, 4)], "hey what now"),
    ],
    ids=["leading", "after-astral-emoji", "twice"],
)
def test_mentions_are_removed_at_utf16_offsets(
    text: str, spans: list[tuple[int, int]], expected: str
) -> None:
    assert clean_question(remove_spans(text, spans)) == expected


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("@bot, who said that?", [(0, 4)], "who said that?"),
        ("Who said that, @bot?", [(15, 4)], "Who said that?"),
        ("Who said that , @bot", [(16, 4)], "Who said that"),
        ("Hey @bot, who said that?", [(4, 4)], "Hey, who said that?"),
    ],
    ids=["before", "after-comma", "spaced-comma-at-end", "inside"],
)
def test_leftover_punctuation_around_a_mention_is_tidied(
    text: str, spans: list[tuple[int, int]], expected: str
) -> None:
    assert clean_question(remove_spans(text, spans)) == expected
