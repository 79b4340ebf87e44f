"""A strict validator for Telegram HTML messages (parse_mode=HTML), stricter than Telegram.

What it accepts:
- tags: b strong i em u ins s strike del code pre blockquote tg-spoiler,
  `<span class="tg-spoiler">`, `<a href="...">` with an http(s) or tg:// target,
  `<blockquote expandable>`, and `<code class="language-x">` directly inside `<pre>`;
  attribute values in double quotes;
- nesting: every tag closed in order; no <a> inside <a>, no blockquote inside blockquote,
  nothing but text (or one <code>) inside <pre>, nothing but text inside <code>;
- text: `<` only opening a tag, `>` only closing one, `&` only starting one of the named
  entities &lt; &gt; &amp; &quot; or a numeric one (&#38; &#x26;), always ending with `;`;
- length: the visible text (tags dropped, entities decoded) is not blank and is at most 4096
  UTF-16 code units, as Telegram counts it.

Telegram itself also accepts unquoted attributes, bare `&`, `tg-emoji` and a few more; the bot
never needs them, so refusing them here catches sloppy escaping early.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_TEXT_UTF16 = 4096
SIMPLE_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "tg-spoiler"}
)
ALLOWED_TAGS = SIMPLE_TAGS | {"a", "span", "blockquote"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# One piece of markup at a time: a tag, an entity, or a stray markup character.
MARKUP = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>[^<>]*)>"
    r"|&(?P<entity>#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);"
    r"|(?P<stray>[<>&])"
)
ATTRIBUTE = re.compile(r'\s+(?P<name>[a-z-]+)(?:="(?P<value>[^"<>]*)")?')
LINK_TARGET = re.compile(r"^(?:https?://[^\s]+|tg://[^\s]+)$", re.IGNORECASE)
LANGUAGE_CLASS = re.compile(r"^language-[\w+#-]+$")


class TelegramHTMLError(ValueError):
    """The text is not a message Telegram (strictly read) would accept."""


@dataclass(frozen=True)
class ParsedMessage:
    """A valid message: its visible text and the tags it used."""

    text: str
    tags: tuple[str, ...]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts message length."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def parse_telegram_html(source: str) -> ParsedMessage:
    """Check `source` strictly; the visible text, or TelegramHTMLError saying what is wrong."""
    visible: list[str] = []
    open_tags: list[str] = []
    used: list[str] = []
    position = 0
    for match in MARKUP.finditer(source):
        visible.append(source[position : match.start()])
        position = match.end()
        if match.group("stray"):
            raise TelegramHTMLError(f"unescaped {match.group('stray')!r} at {match.start()}")
        if match.group("entity"):
            visible.append(_decode_entity(match.group("entity")))
            continue
        tag = match.group("tag")
        if match.group("close"):
            _close(tag, match.group("attrs"), open_tags)
        else:
            _open(tag, match.group("attrs"), open_tags)
            used.append(tag)
    visible.append(source[position:])
    if open_tags:
        raise TelegramHTMLError(f"unclosed tags: {open_tags}")
    text = "".join(visible)
    if not text.strip():
        raise TelegramHTMLError("the visible text is empty")
    if utf16_len(text) > MAX_TEXT_UTF16:
        raise TelegramHTMLError(f"too long: {utf16_len(text)} UTF-16 units")
    return ParsedMessage(text=text, tags=tuple(used))


def check_plain_text(text: str) -> None:
    """A message sent without parse_mode: not blank, at most 4096 UTF-16 units."""
    if not text.strip():
        raise TelegramHTMLError("the text is empty")
    if utf16_len(text) > MAX_TEXT_UTF16:
        raise TelegramHTMLError(f"too long: {utf16_len(text)} UTF-16 units")


def _decode_entity(entity: str) -> str:
    if entity.startswith("#"):
        number = int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:])
        if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
            raise TelegramHTMLError(f"numeric entity &{entity}; is not a character")
        return chr(number)
    if entity not in NAMED_ENTITIES:
        raise TelegramHTMLError(f"unsupported entity &{entity};")
    return NAMED_ENTITIES[entity]


def _attributes(tag: str, raw: str) -> dict[str, str | None]:
    """The tag's attributes; TelegramHTMLError for anything but name="value" pairs."""
    found: dict[str, str | None] = {}
    position = 0
    for match in ATTRIBUTE.finditer(raw):
        if match.start() != position:
            break
        found[match.group("name")] = match.group("value")
        position = match.end()
    if raw[position:].strip():
        raise TelegramHTMLError(f"malformed attributes in <{tag}{raw}>")
    return found


def _open(tag: str, raw: str, open_tags: list[str]) -> None:
    if tag not in ALLOWED_TAGS:
        raise TelegramHTMLError(f"unsupported tag <{tag}>")
    attributes = _attributes(tag, raw)
    expected = _allowed_attributes(tag, attributes, open_tags)
    if set(attributes) - expected:
        raise TelegramHTMLError(f"unsupported attributes on <{tag}>: {sorted(attributes)}")
    if "pre" in open_tags and not (tag == "code" and open_tags[-1] == "pre"):
        raise TelegramHTMLError(f"<{tag}> inside <pre>")
    if "code" in open_tags:
        raise TelegramHTMLError(f"<{tag}> inside <code>")
    if tag in {"a", "blockquote"} and tag in open_tags:
        raise TelegramHTMLError(f"nested <{tag}>")
    open_tags.append(tag)


def _allowed_attributes(
    tag: str, attributes: dict[str, str | None], open_tags: list[str]
) -> set[str]:
    """The attribute names this tag may carry here, after checking their values."""
    if tag == "a":
        target = html.unescape(attributes.get("href") or "")
        if not LINK_TARGET.match(target):
            raise TelegramHTMLError(f"<a> needs an http(s) or tg:// href, got {target!r}")
        return {"href"}
    if tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise TelegramHTMLError('<span> is only allowed as <span class="tg-spoiler">')
        return {"class"}
    if tag == "blockquote":
        if attributes.get("expandable") is not None:
            raise TelegramHTMLError("expandable takes no value")
        return {"expandable"}
    if tag == "code" and "class" in attributes:
        if not open_tags or open_tags[-1] != "pre":
            raise TelegramHTMLError("<code class=...> is only allowed directly inside <pre>")
        if not LANGUAGE_CLASS.match(attributes["class"] or ""):
            raise TelegramHTMLError("<code class> must be language-NAME")
        return {"class"}
    return set()


def _close(tag: str, raw: str, open_tags: list[str]) -> None:
    if raw.strip():
        raise TelegramHTMLError(f"closing tag </{tag}> has attributes")
    if not open_tags:
        raise TelegramHTMLError(f"</{tag}> closes nothing")
    if open_tags[-1] != tag:
        raise TelegramHTMLError(f"</{tag}> closes <{open_tags[-1]}>")
    open_tags.pop()
