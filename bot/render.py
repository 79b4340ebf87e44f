"""Answer -> plain text for the console, or a JSON-safe dict; the one attribution wording."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from bot.models import Answer, Article, Quote

NOT_FOUND = "Not in my articles: none of the sentences I have answers that."
NO_ARTICLES = "I have no articles yet."
# Cues that read naturally in front of the speaker: "— said a European official".
LEADING_CUES = frozenset(
    {
        *("said", "says", "added", "adds", "wrote", "writes", "stated", "states"),
        *("noted", "notes", "argued", "argues", "warned", "warns", "explained", "explains"),
        *("claimed", "claims", "insisted", "insists", "announced", "announces"),
        "in",  # "in a state poll released Monday"
    }
)


def speaker_phrase(speaker: str | None, cue: str | None) -> str | None:
    """Who said it, in the article's words: "said a European official", "the minister told".

    The one wording of an attribution, for the console, JSON readers and Telegram alike.
    """
    if not speaker:
        return None
    if not cue or cue == ":":  # a transcript's turn ("HOST: ...") names its speaker alone
        return speaker
    if cue.startswith(("'", "\u2019")):  # a possessive and its noun: "Varga's claim"
        return f"{speaker}{cue}"
    if cue.lower() in LEADING_CUES or cue.lower().startswith("according"):
        return f"{cue} {speaker}"
    return f"{speaker} {cue}"


def source_label(article: Article) -> str:
    """Outlet, headline and date of an article, as one line."""
    parts = [article.outlet] if article.outlet else []
    parts.append(f"“{article.title}”")
    if article.published:
        parts.append(article.published)
    return ", ".join(parts)


def group_by_article(quotes: Iterable[Quote]) -> list[tuple[Article, list[Quote]]]:
    """Quotes under their article, articles in the order of their best quote."""
    groups: dict[str, tuple[Article, list[Quote]]] = {}
    for quote in quotes:
        groups.setdefault(quote.article.id, (quote.article, []))[1].append(quote)
    return list(groups.values())


def focus_note(answer: Answer) -> str | None:
    """When "this article" was a guess: which one was used, and which others there are."""
    focus = answer.focus
    if focus is None or not focus.guessed:
        return None
    others = "; ".join(f"“{a.title}” ({a.id})" for a in focus.others)
    note = f"About the newest article, “{focus.article.title}”."
    return f"{note} Also: {others}." if others else note


def render_text(answer: Answer, *, width: int = 88) -> str:
    """The answer as a person reads it in a terminal."""
    if answer.kind == "articles":
        return _articles_text(answer)
    if not answer.answered:
        return NOT_FOUND
    body = {
        "summary": _summary_text,
        "article": _article_text,
        "speakers": _speakers_text,
    }.get(answer.kind, _quotes_text)(answer, width)
    note = focus_note(answer)
    return f"{body}\n\n({note})" if note else body


def _quotes_text(answer: Answer, width: int) -> str:
    blocks = []
    number = 0
    for article, quotes in group_by_article(answer.quotes):
        header = [source_label(article)] + ([article.url] if article.url else [])
        blocks.append("\n".join(header))
        for quote in quotes:
            number += 1
            blocks.append(_quote_text(quote, number, width))
    return "\n\n".join(blocks)


def _quote_text(quote: Quote, number: int, width: int) -> str:
    body = textwrap.fill(
        f"“{quote.text}”", width=width, initial_indent=f"{number}. ", subsequent_indent="   "
    )
    credit = speaker_phrase(quote.speaker, quote.cue)
    return f"{body}\n   — {credit}" if credit else body


def _summary_text(answer: Answer, width: int) -> str:
    article = answer.quotes[0].article
    lines = [f"Summary of {source_label(article)}"]
    lines += [_quote_text(quote, n, width) for n, quote in enumerate(answer.quotes, start=1)]
    return "\n\n".join(lines)


def _article_text(answer: Answer, _width: int) -> str:
    assert answer.focus is not None
    return "\n".join(f"{label}: {value}" for label, value in article_facts(answer.focus.article))


def article_facts(article: Article) -> list[tuple[str, str]]:
    """Title, outlet, author, date, link and id, as label/value pairs; unknown ones say so."""
    return [
        ("Title", article.title),
        ("Outlet", article.outlet or "not given"),
        ("Author", article.author or "not given"),
        ("Published", article.published or "date not given"),
        ("Link", article.url or "none (added as text)"),
        ("Id", article.id),
    ]


def _speakers_text(answer: Answer, _width: int) -> str:
    assert answer.focus is not None
    lines = [f"Quoted in {source_label(answer.focus.article)}:"]
    lines += [f"{entry.count:>4}  {entry.speaker}" for entry in answer.speakers]
    return "\n".join(lines)


def _articles_text(answer: Answer) -> str:
    if not answer.articles:
        return NO_ARTICLES
    noun = "article" if answer.total == 1 else "articles"
    lines = [f"{answer.total} {noun}, newest first (page {answer.page} of {answer.pages}):"]
    lines += [article_line(article) for article in answer.articles]
    return "\n".join(lines)


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The JSON shape of `ask --json`: question, answered, kind, quotes, and per kind more."""
    data: dict[str, Any] = {
        "question": answer.question,
        "answered": answer.answered,
        "kind": answer.kind,
        "quotes": [quote_to_dict(q) for q in answer.quotes],
    }
    if answer.focus is not None:
        data["article"] = article_to_dict(answer.focus.article)
        data["focus"] = {
            "reason": answer.focus.reason,
            "others": [article_to_dict(a) for a in answer.focus.others],
        }
    if answer.speaker is not None:
        data["speaker"] = answer.speaker
    if answer.kind == "speakers":
        data["speakers"] = [{"speaker": s.speaker, "count": s.count} for s in answer.speakers]
    if answer.kind == "articles":
        data["articles"] = [article_to_dict(a) for a in answer.articles]
        data.update(page=answer.page, pages=answer.pages, total=answer.total)
    return data


def article_to_dict(article: Article) -> dict[str, Any]:
    return {**article_reference(article), "author": article.author}


def article_reference(article: Article) -> dict[str, Any]:
    """The article as each quote names it in JSON."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published,
    }


def quote_to_dict(quote: Quote) -> dict[str, Any]:
    return {
        "text": quote.text,
        "speaker": quote.speaker,
        "cue": quote.cue,
        "article": article_reference(quote.article),
        "score": round(float(quote.score), 6),
    }


def article_line(article: Article, sentences: int | None = None) -> str:
    """One line describing an article for `list`."""
    noun = "sentence" if sentences == 1 else "sentences"
    count = f"  ({sentences} {noun})" if sentences is not None else ""
    return f"{article.id}  {source_label(article)}{count}"
