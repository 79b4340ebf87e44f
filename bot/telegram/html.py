"""Answers, article lists and notices as Telegram HTML messages: escaped and within 4096."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from bot.models import Answer, Article, Quote
from bot.render import article_facts, group_by_article, speaker_phrase

# Telegram counts the limit after entity parsing; counting the HTML source in UTF-16 units
# (as Telegram measures text) is stricter, so a message that passes here always fits.
MAX_MESSAGE_UTF16 = 4096
MAX_TITLE_CHARS = 200
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length of the text in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape user- or article-supplied text for Telegram HTML."""
    return html.escape(text, quote=False)


def shorten(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, ending in "…" when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def is_web_url(url: str | None) -> bool:
    """Only http(s) links are ever put in an href."""
    return bool(url) and url.lower().startswith(("http://", "https://"))  # type: ignore[union-attr]


def article_link(article: Article) -> str:
    """The article title, linked to its url when it has a web url."""
    title = escape(shorten(article.title, MAX_TITLE_CHARS) or article.id)
    if article.url and is_web_url(article.url):
        return f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    return title


def attribution_line(quote: Quote) -> str:
    """ "— said X · Outlet · <a>Title</a>": who said the quote, in which article."""
    parts: list[str] = []
    phrase = speaker_phrase(quote.speaker, quote.cue)
    if phrase:
        parts.append(escape(shorten(phrase, MAX_TITLE_CHARS)))
    if quote.article.outlet:
        parts.append(f"<i>{escape(shorten(quote.article.outlet, MAX_TITLE_CHARS))}</i>")
    parts.append(article_link(quote.article))
    return "— " + " · ".join(parts)


def render_quote(quote: Quote, limit: int = MAX_MESSAGE_UTF16) -> str:
    """One quote in a blockquote with its attribution, the quote cut with "…" to fit `limit`."""
    return _fitted_block(quote.text, attribution_line(quote), limit)


def _fitted_block(text: str, line: str, limit: int) -> str:
    """The text in a blockquote above the line, the text cut with "…" to fit `limit`."""
    block = _quote_block(text, line)
    if utf16_len(block) <= limit:
        return block
    # Cut the raw text (never an escape sequence) at the longest length that still fits.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if utf16_len(_quote_block(text[:middle].rstrip() + ELLIPSIS, line)) <= limit:
            low = middle
        else:
            high = middle - 1
    return _quote_block(text[:low].rstrip() + ELLIPSIS, line)


def _quote_block(text: str, line: str) -> str:
    block = f"<blockquote>{escape(text)}</blockquote>"
    return f"{block}\n{line}" if line else block


def pack_blocks(blocks: Iterable[str], limit: int = MAX_MESSAGE_UTF16) -> list[str]:
    """Join blocks with blank lines into as few messages as fit; a block is never split."""
    return _pack(blocks, "\n\n", limit)


def _pack(parts: Iterable[str], separator: str, limit: int) -> list[str]:
    """Greedily join parts with `separator` into messages of at most `limit` UTF-16 units."""
    messages: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if current and utf16_len(candidate) > limit:
            messages.append(current)
            candidate = part
        current = candidate
    if current:
        messages.append(current)
    return messages


def render_answer(answer: Answer, known: Sequence[Article]) -> list[str]:
    """The answer as messages: quotes grouped by article, a summary, facts, speakers or a page;
    a short "not found" reply when there is nothing to say.
    """
    if answer.kind == "articles":
        return pack_lines(render_articles_page(answer))
    if not answer.answered:
        return [render_not_found(known, answer.question)]
    if answer.kind == "article":
        blocks = [render_facts(answer)]
    elif answer.kind == "speakers":
        blocks = ["\n".join(render_speakers(answer))]
    elif answer.kind == "summary":
        blocks = _summary_blocks(answer)
    else:
        blocks = _grouped_blocks(answer)
    note = render_focus_note(answer)
    return pack_blocks([*blocks, note] if note else blocks)


def article_header(article: Article) -> str:
    """ "<b><a>Title</a></b> · <i>Outlet</i> · date": the line a group of quotes sits under."""
    parts = [f"<b>{article_link(article)}</b>"]
    if article.outlet:
        parts.append(f"<i>{escape(shorten(article.outlet, MAX_TITLE_CHARS))}</i>")
    if article.published:
        parts.append(escape(article.published))
    return " · ".join(parts)


def render_grouped_quote(quote: Quote, limit: int = MAX_MESSAGE_UTF16) -> str:
    """A quote under its article's header: the blockquote and who said it, cut to fit."""
    phrase = speaker_phrase(quote.speaker, quote.cue)
    line = f"— {escape(shorten(phrase, MAX_TITLE_CHARS))}" if phrase else ""
    return _fitted_block(quote.text, line, limit)


def _grouped_blocks(answer: Answer) -> list[str]:
    blocks: list[str] = []
    if answer.speaker:
        count = plural(len(answer.quotes), "sentence")
        blocks.append(f"<b>{escape(shorten(answer.speaker, MAX_TITLE_CHARS))}</b>: {count}")
    for article, quotes in group_by_article(answer.quotes):
        header = article_header(article)
        room = MAX_MESSAGE_UTF16 - utf16_len(header) - 1
        first, *rest = (render_grouped_quote(q) for q in quotes)
        if utf16_len(first) > room:
            first = render_grouped_quote(quotes[0], room)
        blocks += [f"{header}\n{first}", *rest]
    return blocks


def _summary_blocks(answer: Answer) -> list[str]:
    article = answer.quotes[0].article
    title = f"<b>Summary</b> of {article_header(article)}"
    return [title, *(render_grouped_quote(q) for q in answer.quotes)]


def render_facts(answer: Answer) -> str:
    """Title (linked), outlet, author, date, link and id of the answer's article."""
    assert answer.focus is not None
    article = answer.focus.article
    lines = [f"<b>{article_link(article)}</b>"]
    for label, value in article_facts(article)[1:]:
        shown = f"<code>{escape(value)}</code>" if label == "Id" else escape(shorten(value, 300))
        lines.append(f"{label}: {shown}")
    return "\n".join(lines)


def render_speakers(answer: Answer) -> list[str]:
    """Who the article quotes, most quoted first, with counts."""
    assert answer.focus is not None
    if not answer.speakers:
        return [f"Nobody is quoted by name in {article_header(answer.focus.article)}."]
    lines = [f"Quoted in {article_header(answer.focus.article)}:"]
    lines += [
        f"• {escape(shorten(entry.speaker, MAX_TITLE_CHARS))} — {plural(entry.count, 'sentence')}"
        for entry in answer.speakers
    ]
    return lines


def render_articles_page(answer: Answer) -> list[str]:
    """One page of articles, newest first, with title, outlet, date and id."""
    if not answer.articles:
        return ["I have no articles yet."]
    header = (
        f"<b>{plural(answer.total, 'article')}</b>, newest first "
        f"(page {answer.page} of {answer.pages}):"
    )
    return [header, *(_source_line(article) for article in answer.articles)]


def render_focus_note(answer: Answer) -> str | None:
    """When "this article" was a guess: say which one was used and offer the others."""
    focus = answer.focus
    if focus is None or not focus.guessed:
        return None
    lines = [f"<i>That is about the newest article, {article_link(focus.article)}.</i>"]
    if focus.others:
        lines.append("Other articles:")
        lines += [f"• {article_link(a)} — /summary {escape(a.id)}" for a in focus.others]
    return "\n".join(lines)


def render_not_found(known: Sequence[Article], question: str = "", hints: int = 3) -> str:
    """Nothing quotable: say so, and name a few articles the bot does know."""
    if not known:
        return "I have no articles yet, so I can't quote anything."
    asked = f" about “{escape(shorten(question, 100))}”" if question.strip() else ""
    newest = sorted(known, key=lambda a: a.added or "", reverse=True)[:hints]
    titles = "\n".join(f"• {escape(shorten(a.title, MAX_TITLE_CHARS))}" for a in newest)
    return (
        f"I couldn't find anything{asked} in my articles. I can quote articles such as:\n"
        f"{titles}\n\nSee /sources for the full list."
    )


def render_sources(articles: Sequence[Article]) -> list[str]:
    """Every article as "title (outlet) — id", linked to its url, in as few messages as fit."""
    if not articles:
        return ["I have no articles yet."]
    header = f"<b>{len(articles)} article{'s' if len(articles) != 1 else ''}:</b>"
    lines = [header, *(_source_line(article) for article in articles)]
    return pack_lines(lines)


def _source_line(article: Article) -> str:
    outlet = f" ({escape(shorten(article.outlet, MAX_TITLE_CHARS))})" if article.outlet else ""
    date = f", {escape(article.published)}" if article.published else ""
    return f"• {article_link(article)}{outlet}{date} — <code>{escape(article.id)}</code>"


def pack_lines(lines: Iterable[str], limit: int = MAX_MESSAGE_UTF16) -> list[str]:
    """Join lines with newlines into as few messages as fit."""
    return _pack(lines, "\n", limit)


def render_help(
    article_count: int, examples: Sequence[str], *, username: str | None = None, admin: bool = False
) -> str:
    """What the bot knows, a few example questions and the commands."""
    noun = "article" if article_count == 1 else "articles"
    lines = [
        f"I answer questions about {article_count} news {noun} by quoting them word for word, "
        "saying who said each sentence and in which article.",
    ]
    if examples:
        lines += ["", "Try asking:", *(f"• {escape(shorten(q, 300))}" for q in examples)]
    lines += [
        "",
        "Commands:",
        "/summary — the gist of the article we are talking about (or /summary ID)",
        "/articles — the articles I know, newest first (also /sources)",
        "/new — start a new conversation (forget follow-up context)",
        "/help — this message",
        "In groups, use /ask QUESTION, mention me, or reply to one of my answers.",
    ]
    if username:
        lines.append(f"In any chat, type @{escape(username)} and a question to share quotes.")
    if admin:
        lines += [
            "",
            "Admin:",
            "/add URL — fetch and add an article (or /add with pasted text, first line title;",
            "or /add as a reply to a message, or as the caption of a .txt/.md/.html/.json file)",
            "/list — articles with ids",
            "/remove ID — delete an article",
        ]
    return "\n".join(lines)


def plural(count: int, noun: str) -> str:
    """ "1 sentence", "2 sentences"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_added(article: Article, sentences: int) -> str:
    """Confirmation of an added article."""
    return (
        f"Added {article_link(article)} as <code>{escape(article.id)}</code> "
        f"({plural(sentences, 'sentence')}). It can be quoted now."
    )


def render_removed(article: Article) -> str:
    """Confirmation of a removed article."""
    return f"Removed {article_link(article)} (<code>{escape(article.id)}</code>)."


def render_admin_list(rows: Sequence[tuple[Article, int]]) -> list[str]:
    """For admins: every article with id, sentence count and when it was added."""
    if not rows:
        return ["The corpus is empty. Add an article with /add URL."]
    lines = [f"<b>{plural(len(rows), 'article')}:</b>"]
    for article, sentences in rows:
        added = f", added {escape(article.added[:10])}" if article.added else ""
        lines.append(
            f"• <code>{escape(article.id)}</code> {article_link(article)} "
            f"({plural(sentences, 'sentence')}{added})"
        )
    return pack_lines(lines)
