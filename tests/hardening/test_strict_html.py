"""The strict Telegram-HTML validator accepts what Telegram accepts and refuses sloppy markup."""

from __future__ import annotations

import pytest

from tests.hardening.strict_html import TelegramHTMLError, check_plain_text, parse_telegram_html


@pytest.mark.parametrize(
    ("source", "visible"),
    [
        ("plain words", "plain words"),
        ("<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins>", None),
        ("<s>a</s><strike>b</strike><del>c</del><tg-spoiler>d</tg-spoiler>", "abcd"),
        ('<span class="tg-spoiler">hidden</span>', "hidden"),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ('<a href="tg://user?id=1">user</a>', "user"),
        ("<code>x &lt; y</code>", "x < y"),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
        ("<blockquote>q</blockquote><blockquote expandable>r</blockquote>", "qr"),
        ("&lt;&gt;&amp;&quot;&#38;&#x26;", '<>&"&&'),
        ("<b>bold <i>and italic</i></b>", "bold and italic"),
        ("x" * 4096, "x" * 4096),
        ("😀" * 2048, "😀" * 2048),
        ("<b>" + "y" * 4096 + "</b>", "y" * 4096),
    ],
    ids=[
        "plain",
        "styles",
        "strikes-spoiler",
        "span-spoiler",
        "link-with-escaped-ampersand",
        "tg-link",
        "code-escaped",
        "pre-language",
        "blockquotes",
        "entities",
        "nested-styles",
        "4096-chars",
        "4096-utf16-units-of-emoji",
        "tags-do-not-count",
    ],
)
def test_valid_messages_are_accepted_with_their_visible_text(
    source: str, visible: str | None
) -> None:
    parsed = parse_telegram_html(source)

    if visible is not None:
        assert parsed.text == visible


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("a < b", "unescaped '<'"),
        ("a > b", "unescaped '>'"),
        ("fish & chips", "unescaped '&'"),
        ("&nbsp;", "unsupported entity"),
        ("&apos;", "unsupported entity"),
        ("&#0;", "not a character"),
        ("&#xD800;", "not a character"),
        ("<script>x</script>", "unsupported tag <script>"),
        ("<p>x</p>", "unsupported tag <p>"),
        ("<br>", "unsupported tag <br>"),
        ("<b>open", "unclosed tags"),
        ("close</b>", "closes nothing"),
        ("<b><i>x</b></i>", "</b> closes <i>"),
        ("<a>x</a>", "needs an http"),
        ('<a href="javascript:alert(1)">x</a>', "needs an http"),
        ("<a href='https://x.test'>x</a>", "malformed attributes"),
        ('<a href="https://a.test"><a href="https://b.test">x</a></a>', "nested <a>"),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "nested <blockquote>"),
        ("<pre><b>x</b></pre>", "<b> inside <pre>"),
        ("<code><i>x</i></code>", "<i> inside <code>"),
        ('<code class="language-x">x</code>', "only allowed directly inside <pre>"),
        ("<span>x</span>", "tg-spoiler"),
        ('<b class="x">y</b>', "unsupported attributes"),
        ('<blockquote expandable="yes">x</blockquote>', "expandable takes no value"),
        ("<b> </b>", "visible text is empty"),
        ("", "visible text is empty"),
        ("x" * 4097, "too long"),
        ("😀" * 2049, "too long"),
    ],
    ids=[
        "bare-lt",
        "bare-gt",
        "bare-amp",
        "nbsp",
        "apos",
        "nul-entity",
        "surrogate-entity",
        "script",
        "p",
        "br",
        "unclosed",
        "unopened",
        "crossed",
        "a-without-href",
        "javascript-href",
        "single-quoted-attribute",
        "nested-a",
        "nested-blockquote",
        "tag-in-pre",
        "tag-in-code",
        "language-outside-pre",
        "plain-span",
        "attribute-on-b",
        "expandable-with-value",
        "blank",
        "empty",
        "4097-chars",
        "4098-utf16-units",
    ],
)
def test_invalid_messages_are_refused_with_the_reason(source: str, problem: str) -> None:
    with pytest.raises(TelegramHTMLError, match=problem.replace("(", r"\(")):
        parse_telegram_html(source)


@pytest.mark.parametrize(
    ("text", "ok"),
    [("<b> & stays literal", True), ("   ", False), ("z" * 4097, False)],
    ids=["markup-is-literal", "blank", "too-long"],
)
def test_plain_text_messages_are_checked_for_length_and_blankness(text: str, ok: bool) -> None:
    if ok:
        check_plain_text(text)
    else:
        with pytest.raises(TelegramHTMLError):
            check_plain_text(text)
