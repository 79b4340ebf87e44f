"""Text, Markdown, HTML, JSON and URLs -> Article, with page furniture removed."""

from bot.ingest.ids import article_id
from bot.ingest.reader import read_file, read_text, read_url

__all__ = ["article_id", "read_file", "read_text", "read_url"]
