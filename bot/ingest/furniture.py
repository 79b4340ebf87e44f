"""Remove page furniture (share bars, comment forms, neighbouring headlines) from article bodies.

Two passes, both on whole paragraphs so that article sentences are never edited:

1. A trailing cut. Once a marker that starts a page's end matter appears ("Share this article",
   "Prev Post", "Leave a Reply", "Read next" ...), everything from it on is dropped, provided the
   article proper is already behind us: the prose before the marker must be long enough and the
   prose after it short in comparison. A marker at the top of the page (a share bar above the
   body) is removed on its own instead of cutting the article away.
2. A per-paragraph filter for short furniture lines anywhere ("Advertisement", "Follow us on X",
   copyright lines, cookie notices), and for the headline that follows a stray "Prev/Next Post".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A marker after which only comments follow: the tail is dropped whatever its length.
COMMENT_MARKER = re.compile(
    r"^(?:leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|add\s+a\s+comment|join\s+the\s+discussion"
    r"|your\s+email\s+address\s+will\s+not\s+be\s+published\b.*)\s*[:.!]?$",
    re.IGNORECASE,
)
# A marker that starts end matter (sharing, neighbours, recommendations); cut only when the
# prose after it is short compared with the prose before it.
END_MATTER_MARKER = re.compile(
    r"^(?:share\s+this\s+(?:article|story|post|page)|shareable\s+url"
    r"|prev(?:ious)?\s+(?:post|article|story)|next\s+(?:post|article|story)"
    r"|read\s+next|up\s+next|related(?:\s+(?:articles?|posts?|stories|news|content|coverage|topics))?"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy|be\s+interested\s+in)|more\s+(?:stories|articles)"
    r"(?:\s+from\b.*)?|recommended(?:\s+(?:for\s+you|stories|articles))?|most\s+(?:read|popular)"
    r"|popular\s+(?:posts|stories|now)|trending(?:\s+now)?|comments?(?:\s*\(\d+\))?|\d+\s+comments?"
    r"|tags|topics|filed\s+under)"
    r"\s*[:.!]?$",
    re.IGNORECASE,
)
# "Prev Post"/"Next Post" are followed by the neighbouring article's headline.
NEIGHBOUR_MARKER = re.compile(
    r"^(?:prev(?:ious)?|next)\s+(?:post|article|story)\s*[:.]?$", re.IGNORECASE
)
# Short lines that are furniture wherever they appear, one kind per entry.
FURNITURE_LINE_KINDS = (
    r"advertisement|advertising|ad|sponsored(?:\s+content)?",
    r"share(?:\s+this(?:\s+\w+)?)?|shareable\s+url|tweet|print|e-?mail|whatsapp",
    r"share\s+(?:on|via|to|with)\s+(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|reddit"
    r"|telegram|pinterest|messenger)\b.*",
    r"(?:follow|find|like)\s+us\s+on\b.*",
    r"sign\s+up\s+(?:for|to|now)\b.*|subscribe(?:\s+(?:to|now|for|today)\b.*)?",
    r"thanks?\s+(?:you\s+)?for\s+(?:signing\s+up|subscribing)\b.*",
    r"there\s+was\s+an\s+error\s+processing\s+your\s+subscription\b.*",
    r"click\s+here\s+(?:to|for)\b.*",
    r"(?:read\s+more|continue\s+reading)(?:\s*[:\u00bb\u203a>\u2026].*)?",
    r"skip\s+to\s+(?:main\s+)?content|back\s+to\s+top",
    r".*\ball\s+rights\s+reserved\b.*",
    # "Copyright 2019 ...", "copyright Inexhibit 2019", but not "Copyright lawsuits are ...".
    r"(?:\u00a9|\u24d2|\(c\)).*|copyright\W*(?:\u00a9|\u24d2|\(c\)|\d{4}|[\w.]+\s+\d{4}).*",
    r"required\s+fields\s+are\s+marked.*|your\s+email\s+address\s+will\s+not\s+be\s+published\b.*",
    # Metadata that leaked into the text: a bare timestamp.
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?",
)
FURNITURE_LINE = re.compile(r"^(?:" + "|".join(FURNITURE_LINE_KINDS) + r")\s*$", re.IGNORECASE)
COOKIE_NOTICE = re.compile(
    r"\b(?:we\s+use\s+cookies|this\s+(?:web)?site\s+uses\s+cookies"
    r"|uses\s+cookies\s+to\s+(?:improve|ensure|give|provide|personali[sz]e)"
    r"|accept\s+all\s+cookies|(?:manage|change)\s+(?:your\s+)?cookie\s+(?:settings|preferences)"
    r"|by\s+continuing\s+to\s+(?:use|browse)\s+(?:this|our)\s+(?:web)?site)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"\w+")
PROSE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")

FURNITURE_MAX_WORDS = 30  # longer paragraphs are article text even if they start like furniture
COOKIE_MAX_WORDS = 80
HEADLINE_MAX_WORDS = 25
PROSE_MIN_WORDS = 12
CUT_MIN_PROSE_BEFORE = 40  # words of prose the article must have before a marker can cut
CUT_MAX_TAIL_RATIO = 0.5  # prose after an end-matter marker, relative to the prose before it


def strip_furniture(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs with trailing end matter cut and furniture lines removed."""
    kept = cut_trailing_furniture(paragraphs)
    return drop_furniture_lines(kept)


def cut_trailing_furniture(paragraphs: Sequence[str]) -> list[str]:
    """Drop everything from the first end-matter marker that follows the article proper."""
    prose = [_prose_words(paragraph) for paragraph in paragraphs]
    total = sum(prose)
    before = 0
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.strip()
        if before >= CUT_MIN_PROSE_BEFORE:
            after = total - before
            if COMMENT_MARKER.match(text):
                return list(paragraphs[:index])
            if END_MATTER_MARKER.match(text) and after <= before * CUT_MAX_TAIL_RATIO:
                return list(paragraphs[:index])
        before += prose[index]
    return list(paragraphs)


def drop_furniture_lines(paragraphs: Sequence[str]) -> list[str]:
    """Remove short furniture paragraphs, and the neighbour headline after a Prev/Next marker."""
    kept: list[str] = []
    skip_headline = False
    for paragraph in paragraphs:
        text = paragraph.strip()
        if skip_headline and _looks_like_headline(text):
            skip_headline = False
            continue
        skip_headline = bool(NEIGHBOUR_MARKER.match(text))
        if is_furniture_line(text):
            continue
        kept.append(paragraph)
    return kept


def is_furniture_line(text: str) -> bool:
    """True for a paragraph that is page furniture on its own."""
    words = len(WORD.findall(text))
    if words == 0:
        return True
    if words <= COOKIE_MAX_WORDS and COOKIE_NOTICE.search(text):
        return True
    if words > FURNITURE_MAX_WORDS:
        return False
    stripped = text.strip()
    return bool(
        FURNITURE_LINE.match(stripped)
        or COMMENT_MARKER.match(stripped)
        or END_MATTER_MARKER.match(stripped)
    )


def _looks_like_headline(text: str) -> bool:
    """A short line without closing punctuation, like a linked headline."""
    words = len(WORD.findall(text))
    return 0 < words <= HEADLINE_MAX_WORDS and not PROSE_END.search(text)


def _prose_words(paragraph: str) -> int:
    """Word count of a paragraph that reads like running text, else 0."""
    words = len(WORD.findall(paragraph))
    if words >= PROSE_MIN_WORDS and PROSE_END.search(paragraph.strip()):
        return words
    return 0
