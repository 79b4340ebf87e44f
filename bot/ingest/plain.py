"""Plain text articles: headline line (with an optional "Outlet: " prefix), then paragraphs."""

from __future__ import annotations

import re

from bot.ingest.draft import Draft
from bot.ingest.furniture import is_furniture_line

BLANK_LINE_SPLIT = re.compile(r"\n[ \t\f\v]*\n")
# "Bloomberg: Europeans want ..." — one to four capitalised words before the colon.
OUTLET_PREFIX = re.compile(
    r"^(?P<outlet>[A-Z0-9][\w.&'\u2019-]*(?:\s+[A-Z0-9&][\w.&'\u2019-]*){0,3}):\s+(?P<title>\S.*)$"
)
OPENING_QUOTE = re.compile(r"^[\"'\u201c\u2018\u00ab\u201e]")
# Headline labels that look like an outlet prefix but are not one.
HEADLINE_LABELS = frozenset(
    {
        "alert",
        "analysis",
        "breaking",
        "breaking news",
        "comment",
        "correction",
        "developing",
        "editorial",
        "exclusive",
        "explainer",
        "fact check",
        "factbox",
        "interview",
        "just in",
        "live",
        "live updates",
        "opinion",
        "photos",
        "podcast",
        "poll",
        "q&a",
        "report",
        "review",
        "sponsored",
        "timeline",
        "update",
        "updated",
        "urgent",
        "video",
        "watch",
    }
)


def parse_plain(text: str) -> Draft:
    """Headline from the first non-empty line, paragraphs from blank-line separated blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    headline, _, rest = text.strip().partition("\n")
    outlet, title = split_outlet_prefix(headline.strip())
    return Draft(title=title, paragraphs=split_paragraphs(rest), outlet=outlet)


def split_outlet_prefix(headline: str) -> tuple[str | None, str]:
    """("Bloomberg", "Europeans ...") from "Bloomberg: Europeans ..."; else (None, headline)."""
    match = OUTLET_PREFIX.match(headline)
    if match is None:
        return None, headline
    outlet, title = match.group("outlet"), match.group("title")
    # "Zelenskyy: "We will not ..."" quotes a speaker; "Breaking: ..." is a label.
    if outlet.casefold() in HEADLINE_LABELS or OPENING_QUOTE.match(title):
        return None, headline
    return outlet, title


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, single newlines joined; furniture lines kept apart."""
    text = text.strip()
    if not text:
        return []
    blocks = BLANK_LINE_SPLIT.split(text)
    if len(blocks) == 1:
        # No blank lines at all: one paragraph per line is the only reading that keeps them apart.
        return [line.strip() for line in text.split("\n") if line.strip()]
    paragraphs: list[str] = []
    for block in blocks:
        paragraphs.extend(_join_block(block))
    return paragraphs


def _join_block(block: str) -> list[str]:
    """Lines of one block joined with spaces, except furniture lines, which stand alone."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in (line.strip() for line in block.split("\n")):
        if not line:
            continue
        if is_furniture_line(line):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            paragraphs.append(line)
        else:
            current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs
