"""Inline keyboards under answers, and their callback data: compact, versioned and validated.

Callback data is at most 64 bytes and comes back verbatim from any message the bot ever sent,
also from before a restart or an upgrade, so it names only what stays meaningful: an action and
an article id or page number. Anything else is "stale", which the handler answers with a toast.

    m            More: the next part of the answer this button sits under
    s:<id>       Summary of the article
    i:<id>       Source: title, outlet, date and link of the article
    a:<page>     a page of the article list
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import Answer

PressAction = Literal["more", "summary", "source", "page"]
CALLBACK_DATA = re.compile(r"(?:(m)|([si]):([0-9a-f]{16})|a:([1-9][0-9]{0,5}))")
MAX_CALLBACK_BYTES = 64
OTHER_TITLE_CHARS = 40


@dataclass(frozen=True)
class Press:
    """What a button asks for."""

    action: PressAction
    article_id: str | None = None
    page: int = 1

    def data(self) -> str:
        """The callback data that comes back when the button is pressed."""
        if self.action == "more":
            return "m"
        if self.action == "page":
            return f"a:{self.page}"
        return f"{'s' if self.action == 'summary' else 'i'}:{self.article_id}"


def parse_press(data: str | None) -> Press | None:
    """The press the callback data stands for; None for anything this version did not make."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    match = CALLBACK_DATA.fullmatch(data)
    if match is None:
        return None
    more, kind, article_id, page = match.groups()
    if more:
        return Press("more")
    if page:
        return Press("page", page=int(page))
    return Press("summary" if kind == "s" else "source", article_id=article_id)


def answer_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """More / Summary / Source under an answer about an article; paging under an article list."""
    if answer.kind == "articles":
        return page_keyboard(answer.page, answer.pages)
    article = answer.article
    if article is None:
        return None
    rows = [
        [
            _button("More", Press("more")),
            _button("Summary", Press("summary", article_id=article.id)),
            _button("Source", Press("source", article_id=article.id)),
        ]
    ]
    if answer.focus is not None and answer.focus.guessed:
        # "This article" was a guess: one tap gives the summary of another one instead.
        rows += [
            [_button(f"Summary: {_short(other.title)}", Press("summary", article_id=other.id))]
            for other in answer.focus.others
        ]
    return InlineKeyboardMarkup(rows)


def _short(title: str, limit: int = OTHER_TITLE_CHARS) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def page_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    """◀ and ▶ to the neighbouring pages that exist."""
    row = []
    if page > 1:
        row.append(_button(f"◀ {page - 1}", Press("page", page=page - 1)))
    if page < pages:
        row.append(_button(f"{page + 1} ▶", Press("page", page=page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


def _button(text: str, press: Press) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=press.data())
