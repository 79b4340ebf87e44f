"""Telegram HTML rendering: escaping, attribution lines, the 4096 limit, not-found replies."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.models import Answer, Article, Attribution, Passage, Quote
from bot.telegram.html import (
    MAX_MESSAGE_UTF16,
    attribution_line,
    pack_blocks,
    render_added,
    render_answer,
    render_not_found,
    render_quote,
    render_sources,
    speaker_phrase,
    utf16_len,
)


def make_article(**fields: object) -> Article:
    values: dict[str, object] = {
        "id": "a1",
        "title": "Talks stall",
        "paragraphs": ("Body.",),
        "outlet": "Reuters",
        "url": "https://example.com/talks",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def make_quote(
    text: str = "We are far apart.", article: Article | None = None, **attr: str
) -> Quote:
    attribution = Attribution(attr.get("speaker", "a European diplomat"), attr.get("cue", "said"))
    passage = Passage("a1", 0, 0, text, attribution)
    return Quote(passage, article or make_article(), 1.0)


class TagBalance(HTMLParser):
    """Counts open tags so tests can check each message is well-formed on its own."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag


def assert_balanced(text: str) -> None:
    parser = TagBalance()
    parser.feed(text)
    parser.close()
    assert parser.stack == []


def test_quote_is_blockquoted_with_speaker_outlet_and_linked_title() -> None:
    text = render_quote(make_quote())
    assert text == (
        "<blockquote>We are far apart.</blockquote>\n"
        '— said a European diplomat · <i>Reuters</i> · <a href="https://example.com/talks">'
        "Talks stall</a>"
    )


@pytest.mark.parametrize(
    ("speaker", "cue", "expected"),
    [
        ("a European diplomat", "said", "said a European diplomat"),
        ("the ministry", "according to", "according to the ministry"),
        ("Mr Kaya", "told", "Mr Kaya told"),
        ("Mr Kaya", None, "Mr Kaya"),
        (None, "said", None),
    ],
    ids=["said-leads", "according-to", "told-follows", "no-cue", "no-speaker"],
)
def test_speaker_phrase_reads_naturally(
    speaker: str | None, cue: str | None, expected: str | None
) -> None:
    assert speaker_phrase(speaker, cue) == expected


def test_markup_in_quote_speaker_outlet_and_title_is_escaped() -> None:
    article = make_article(title="<b>Bold</b> & co", outlet="<i>Out</i>")
    quote = make_quote("1 < 2 and <script>", article, speaker="<b>Eve</b>")
    text = render_quote(quote)
    assert "<b>" not in text and "<script>" not in text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in text
    assert "1 &lt; 2 and &lt;script&gt;" in text
    assert_balanced(text)


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ('https://example.com/a?x=1&y="2"', "https://example.com/a?x=1&amp;y=&quot;2&quot;"),
        ("http://example.com/", "http://example.com/"),
        ("javascript:alert(1)", None),
        (None, None),
    ],
    ids=["https-with-quotes", "http", "javascript", "none"],
)
def test_only_web_urls_are_linked_and_hrefs_are_escaped(url: str | None, href: str | None) -> None:
    line = attribution_line(make_quote(article=make_article(url=url)))
    if href is None:
        assert "<a " not in line and line.endswith("Talks stall")
    else:
        assert f'<a href="{href}">Talks stall</a>' in line


def test_short_answer_fits_in_one_message() -> None:
    messages = render_answer(Answer("q", (make_quote(), make_quote("Second."))), [])
    assert len(messages) == 1
    assert messages[0].count("<blockquote>") == 2


def test_long_answer_is_split_at_quote_boundaries_within_the_limit() -> None:
    quotes = tuple(make_quote(f"Sentence {n}: " + "word " * 400) for n in range(5))
    messages = render_answer(Answer("q", quotes), [])
    assert len(messages) > 1
    assert sum(m.count("<blockquote>") for m in messages) == 5
    for text in messages:
        assert utf16_len(text) <= MAX_MESSAGE_UTF16
        assert_balanced(text)


@pytest.mark.parametrize(
    "filler", ["x", "<&>", "😀"], ids=["ascii", "escaped-chars", "astral-emoji"]
)
def test_single_over_long_quote_is_truncated_with_ellipsis(filler: str) -> None:
    text = render_quote(make_quote(filler * 6000))
    assert utf16_len(text) <= MAX_MESSAGE_UTF16
    assert utf16_len(text) > MAX_MESSAGE_UTF16 - 20
    assert "…</blockquote>" in text
    assert_balanced(text)


def test_pack_blocks_never_merges_past_the_limit() -> None:
    messages = pack_blocks(["a" * 60, "b" * 60, "c" * 60], limit=130)
    assert messages == ["a" * 60 + "\n\n" + "b" * 60, "c" * 60]


def test_not_found_names_a_few_known_titles() -> None:
    known = [
        make_article(id=f"a{n}", title=f"Title <{n}>", added=f"2024-01-0{n}") for n in range(1, 6)
    ]
    text = render_not_found(known, "zebras <3")
    assert "couldn't find anything about “zebras &lt;3”" in text
    assert "Title &lt;5&gt;" in text and "Title &lt;1&gt;" not in text
    assert render_answer(Answer("zebras <3"), known) == [text]


def test_sources_list_every_article_with_id_and_link() -> None:
    articles = [make_article(id=f"id{n}", title=f"T{n}") for n in range(3)]
    (text,) = render_sources(articles)
    assert "<code>id2</code>" in text and text.count("<a href=") == 3
    assert_balanced(text)


def test_many_sources_split_into_messages_within_the_limit() -> None:
    articles = [make_article(id=f"id{n}", title="Long title " * 15) for n in range(200)]
    messages = render_sources(articles)
    assert len(messages) > 1
    assert all(utf16_len(m) <= MAX_MESSAGE_UTF16 for m in messages)
    assert sum(m.count("<code>") for m in messages) == 200


def test_added_reply_names_title_id_and_sentence_count() -> None:
    text = render_added(make_article(title="A <t>"), 12)
    assert "A &lt;t&gt;" in text and "<code>a1</code>" in text and "12 sentences" in text
