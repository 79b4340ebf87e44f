"""Markdown articles: optional front matter, a `# Title`, paragraphs with the markup stripped.

Headings inside the body are dropped: section titles are not sentences anyone can be quoted on.
Code blocks, images, tables and link reference definitions are dropped too.
"""

from __future__ import annotations

import re

from bot.ingest.draft import Draft

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<block>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")
ATX_HEADING = re.compile(r"^\s{0,3}(?P<marks>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
HORIZONTAL_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
BLOCKQUOTE = re.compile(r"^\s*>\s?")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
INLINE_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
REFERENCE_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\[[^\]]*\]")
AUTOLINK = re.compile(r"<(?P<url>(?:https?|mailto):[^>\s]+)>")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
STRONG = re.compile(r"(\*\*|__)(?=\S)(?P<text>.+?)(?<=\S)\1")
# Single-character emphasis only at word edges, so snake_case and 2*3 survive.
EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(?P<text>.+?)(?<=\S)\1(?![\w*])")
STRIKE = re.compile(r"~~(?P<text>.+?)~~")
INLINE_CODE = re.compile(r"`+(?P<text>[^`]+?)`+")
ESCAPED = re.compile(r"\\(?P<char>[\\`*_{}\[\]()#+\-.!>|])")
FRONT_MATTER_FIELDS = {
    "title": "title",
    "outlet": "outlet",
    "sitename": "outlet",
    "source": "outlet",
    "url": "url",
    "link": "url",
    "date": "published",
    "published": "published",
    "author": "author",
}


def parse_markdown(text: str) -> Draft:
    """Front matter metadata, the first top-level heading as title, plain-text paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    draft = Draft(title=None)
    match = FRONT_MATTER.match(text)
    if match:
        _apply_front_matter(draft, match.group("block"))
        text = text[match.end() :]
    title, paragraphs = _blocks(text)
    if draft.title is None:
        draft.title = title
    draft.paragraphs = [strip_inline(paragraph) for paragraph in paragraphs]
    return draft


def strip_inline(text: str) -> str:
    """Markdown inline markup removed: links to their text, images dropped, emphasis unwrapped."""
    text = IMAGE.sub("", text)
    text = INLINE_LINK.sub(r"\g<text>", text)
    text = REFERENCE_LINK.sub(r"\g<text>", text)
    text = AUTOLINK.sub(r"\g<url>", text)
    text = INLINE_CODE.sub(r"\g<text>", text)
    text = HTML_TAG.sub("", text)
    for pattern in (STRONG, STRIKE, EMPHASIS):
        text = pattern.sub(r"\g<text>", text)
    return ESCAPED.sub(r"\g<char>", text).strip()


def _apply_front_matter(draft: Draft, block: str) -> None:
    """Copy the known `key: value` lines of a front matter block onto the draft."""
    for line in block.split("\n"):
        match = FRONT_MATTER_LINE.match(line.strip())
        if match is None:
            continue
        name = FRONT_MATTER_FIELDS.get(match.group("key").lower())
        value = match.group("value").strip().strip("\"'")
        if name and value:
            setattr(draft, name, value)


def _blocks(text: str) -> tuple[str | None, list[str]]:
    """The title (first level-1 heading) and the body paragraphs, markup still inline."""
    title: str | None = None
    paragraphs: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for line in text.split("\n"):
        if FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = ATX_HEADING.match(line)
        if heading is None and len(current) == 1 and SETEXT_UNDERLINE.match(line):
            # "Title\n=====" is a heading; the line above is not body text.
            setext_text, level = current.pop(), 1 if line.strip()[0] == "=" else 2
            if level == 1 and title is None and not paragraphs:
                title = strip_inline(setext_text)
            continue
        if heading is not None:
            flush()
            if len(heading.group("marks")) == 1 and title is None and not paragraphs:
                title = strip_inline(heading.group("text"))
            continue
        if not line.strip() or HORIZONTAL_RULE.match(line):
            flush()
            continue
        if TABLE_ROW.match(line) or LINK_DEFINITION.match(line):
            flush()
            continue
        if LIST_ITEM.match(line):
            flush()  # each list item is its own paragraph
            line = LIST_ITEM.sub("", line, count=1)
        current.append(BLOCKQUOTE.sub("", line).strip())
    flush()
    return title, paragraphs
