"""HTML pages: trafilatura finds the article body and its metadata; nothing is fetched."""

from __future__ import annotations

import trafilatura
from trafilatura.settings import Document

from bot.ingest.draft import Draft
from bot.models import IngestError

# Extracted text whose longest line is shorter than this is a menu or a link list, not an
# article: a body has at least one sentence of this length (counted in characters, not words,
# so that Chinese or Japanese text without spaces passes).
MIN_LONGEST_LINE_CHARS = 40


def parse_html(html: str | bytes, *, url: str | None = None) -> Draft:
    """Title, paragraphs (one per extracted text line) and metadata of an article page."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        # Measured on the extraction benchmark: F1 0.967 with it, 0.962 without; a stray
        # furniture line quoted as an answer costs more than a missed sentence.
        favor_precision=True,
        include_comments=False,  # reader comments are not the article
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    if not isinstance(document, Document):  # None: nothing found (no dict: as_dict is off)
        raise IngestError("no article text found in the HTML")
    lines = (document.text or "").split("\n")
    if max(map(len, lines), default=0) < MIN_LONGEST_LINE_CHARS:
        raise IngestError("no article text found in the HTML")
    return Draft(
        title=document.title,
        paragraphs=lines,
        outlet=document.sitename,
        url=url or document.url,
        published=document.date,
        author=document.author,
    )
