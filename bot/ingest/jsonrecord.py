"""JSON article records: a plain object with title and body, or the store's own article files."""

from __future__ import annotations

import json
from typing import Any

from bot.ingest.draft import Draft
from bot.ingest.ids import article_id, is_valid_id
from bot.ingest.metadata import clean_field
from bot.ingest.plain import split_paragraphs
from bot.models import Article, IngestError

# The store writes these keys (plus its own extras); such a record is read back as it was.
STORED_ARTICLE_KEYS = frozenset({"id", "title", "paragraphs", "added"})
FIELD_ALIASES = {
    "outlet": ("outlet", "sitename", "source"),
    "url": ("url", "link"),
    "published": ("published", "date", "datePublished"),
    "author": ("author",),
}


def load_record(text: str) -> dict[str, Any]:
    """The JSON object in `text`; IngestError when it is not valid JSON or not an object."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(record, dict):
        raise IngestError(f"JSON must be an object, not {type(record).__name__}")
    return record


def is_stored_article(record: dict[str, Any]) -> bool:
    """True for a record written by the store (it carries id and added)."""
    return record.keys() >= STORED_ARTICLE_KEYS and isinstance(record["paragraphs"], list)


def stored_article(record: dict[str, Any]) -> Article:
    """The Article of a stored record, unchanged, so that reading a stored file round-trips.

    An id that is not one of ours (it names a file, so "../x" would escape the corpus) is
    replaced by the id of the body.
    """
    paragraphs = tuple(str(paragraph) for paragraph in record["paragraphs"])
    if not any(paragraph.strip() for paragraph in paragraphs):
        raise IngestError("the stored article has no paragraphs")
    given = str(record["id"])
    return Article(
        id=given if is_valid_id(given) else article_id("\n\n".join(paragraphs)),
        title=str(record["title"]),
        paragraphs=paragraphs,
        **{
            name: clean_field(record.get(name)) for name in ("outlet", "url", "published", "author")
        },
        added=clean_field(record.get("added")),
    )


def parse_record(record: dict[str, Any]) -> Draft:
    """A draft from a JSON object with `title` and `body`/`text` or a `paragraphs` list."""
    draft = Draft(title=_string(record.get("title") or record.get("headline")))
    draft.paragraphs = _paragraphs(record)
    for name, keys in FIELD_ALIASES.items():
        value = next((record[key] for key in keys if record.get(key)), None)
        setattr(draft, name, _string(value))
    return draft


def _paragraphs(record: dict[str, Any]) -> list[str]:
    """Body paragraphs from `paragraphs` (a list) or `body`/`text`/`articleBody` (a string)."""
    paragraphs = record.get("paragraphs")
    if isinstance(paragraphs, list) and paragraphs:
        return [str(paragraph) for paragraph in paragraphs if isinstance(paragraph, str)]
    for key in ("body", "text", "articleBody"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return split_paragraphs(value)
    raise IngestError("JSON has no body: expected 'body', 'text' or 'paragraphs'")


def _string(value: object) -> str | None:
    """A string field; a list of names (as for authors) joined with commas."""
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value if isinstance(item, str | int))
    if isinstance(value, dict):
        value = value.get("name")
    return None if value is None else str(value)
