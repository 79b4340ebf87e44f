"""Text, Markdown, HTML, JSON and URLs -> Article, with page furniture removed."""

from bot.ingest.ids import article_id
from bot.ingest.reader import (
    ARTICLE_SUFFIXES,
    GZIP_SUFFIX,
    MAX_INPUT_BYTES,
    MAX_INPUT_SIZE,
    read_file,
    read_text,
    read_url,
)

__all__ = [
    "ARTICLE_SUFFIXES",
    "GZIP_SUFFIX",
    "MAX_INPUT_BYTES",
    "MAX_INPUT_SIZE",
    "article_id",
    "read_file",
    "read_text",
    "read_url",
]
