"""Answer -> plain text for the console, or a JSON-safe dict; shared attribution wording."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.models import Answer, Article, Quote

NOT_FOUND = "Not in my articles: none of the sentences I have answers that."


def speaker_label(quote: Quote) -> str | None:
    """Who said it, in the article's words: "a European official (said)"."""
    if not quote.speaker:
        return None
    if quote.cue and quote.cue.lower() == "according to":
        return f"according to {quote.speaker}"
    return f"{quote.speaker} ({quote.cue})" if quote.cue else quote.speaker


def source_label(article: Article) -> str:
    """Outlet, headline and date of an article, as one line."""
    parts = [article.outlet] if article.outlet else []
    parts.append(f"“{article.title}”")
    if article.published:
        parts.append(article.published)
    return ", ".join(parts)


def render_text(answer: Answer, *, width: int = 88) -> str:
    """The answer as a person reads it in a terminal."""
    if not answer.answered:
        return NOT_FOUND
    blocks = []
    for number, quote in enumerate(answer.quotes, start=1):
        body = textwrap.fill(
            f"“{quote.text}”", width=width, initial_indent=f"{number}. ", subsequent_indent="   "
        )
        credit = speaker_label(quote)
        lines = [body]
        if credit:
            lines.append(f"   — {credit}")
        lines.append(f"   {source_label(quote.article)}")
        if quote.article.url:
            lines.append(f"   {quote.article.url}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The JSON shape of `ask --json`: question, answered, quotes best first."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "quotes": [quote_to_dict(q) for q in answer.quotes],
    }


def quote_to_dict(quote: Quote) -> dict[str, Any]:
    article = quote.article
    return {
        "text": quote.text,
        "speaker": quote.speaker,
        "cue": quote.cue,
        "article": {
            "id": article.id,
            "title": article.title,
            "outlet": article.outlet,
            "url": article.url,
            "published": article.published,
        },
        "score": round(float(quote.score), 6),
    }


def article_line(article: Article, sentences: int | None = None) -> str:
    """One line describing an article for `list`."""
    noun = "sentence" if sentences == 1 else "sentences"
    count = f"  ({sentences} {noun})" if sentences is not None else ""
    return f"{article.id}  {source_label(article)}{count}"
