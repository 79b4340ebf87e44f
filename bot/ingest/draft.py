"""What a format parser found, and how it becomes a clean Article."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.furniture import strip_furniture
from bot.ingest.ids import article_id, normalise_body
from bot.ingest.metadata import clean_field, normalise_date
from bot.models import Article, IngestError

WHITESPACE_RUN = re.compile(r"\s+")
FALLBACK_TITLE_CHARS = 80


@dataclass
class Draft:
    """Title, paragraphs and metadata as a parser found them, before cleaning."""

    title: str | None
    paragraphs: list[str] = field(default_factory=list)
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None


def build_article(draft: Draft) -> Article:
    """Clean a draft (whitespace, furniture, repeated title) into an Article with its id."""
    title = clean_field(draft.title)
    paragraphs = clean_paragraphs(draft.paragraphs, title)
    if not paragraphs:
        raise IngestError("no article text found (the body is empty)")
    if title is None:
        title = _fallback_title(paragraphs[0])
    body = "\n\n".join(paragraphs)
    return Article(
        id=article_id(body),
        title=title,
        paragraphs=tuple(paragraphs),
        outlet=clean_field(draft.outlet),
        url=clean_field(draft.url),
        published=normalise_date(draft.published),
        author=clean_field(draft.author),
    )


def clean_paragraphs(paragraphs: list[str], title: str | None) -> list[str]:
    """Whitespace-collapsed paragraphs without furniture or a leading copy of the title."""
    collapsed = [WHITESPACE_RUN.sub(" ", paragraph).strip() for paragraph in paragraphs]
    kept = [paragraph for paragraph in collapsed if paragraph]
    # Extractors often repeat the headline as the first line of the body.
    while title and kept and normalise_body(kept[0]) == normalise_body(title):
        kept.pop(0)
    return strip_furniture(kept)


def _fallback_title(first_paragraph: str) -> str:
    """A title cut from the first paragraph, for sources that have none."""
    if len(first_paragraph) <= FALLBACK_TITLE_CHARS:
        return first_paragraph
    return first_paragraph[:FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
