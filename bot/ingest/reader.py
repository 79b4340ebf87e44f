"""Turn a file, pasted text or a URL into an Article: pick the format, decode, parse, clean."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from bot.ingest.draft import Draft, build_article
from bot.ingest.fetch import fetch_url
from bot.ingest.html import parse_html
from bot.ingest.jsonrecord import is_stored_article, load_record, parse_record, stored_article
from bot.ingest.markdown import parse_markdown
from bot.ingest.plain import parse_plain
from bot.models import Article, IngestError
from bot.settings import Settings

MAX_INPUT_BYTES = 5_000_000
MAX_INPUT_SIZE = f"{MAX_INPUT_BYTES // 1_000_000} MB"  # the limit, as people read it
FORMATS = frozenset({"text", "markdown", "html", "json"})
EXTENSION_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
}
# The file names `read_file` reads by their suffix; any of them may be gzipped as well.
ARTICLE_SUFFIXES = frozenset(EXTENSION_FORMATS)
GZIP_SUFFIX = ".gz"
CONTENT_TYPE_FORMATS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
GZIP_MAGIC = b"\x1f\x8b"
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")  # utf-8-sig also reads plain UTF-8
SNIFF_CHARS = 4096
HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|head|body|article|main|div|p|h1|title|meta)\b", re.IGNORECASE
)
MARKDOWN_HINT = re.compile(
    r"\A(?:---[ \t]*\n|\s*#{1,6}\s)|^\s{0,3}#{1,6}\s+\S|!?\[[^\]\n]+\]\([^)\s]+\)", re.MULTILINE
)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
BINARY_CONTROL_RATIO = 0.05


def read_file(path: Path) -> Article:
    """Read an article file (.txt, .md, .html, .html.gz, .json; others sniffed)."""
    path = Path(path)
    source = path.name or str(path)
    try:
        data = _read_bytes(path)
        suffixes = [suffix.lower() for suffix in path.suffixes]
        if data.startswith(GZIP_MAGIC):
            data = _gunzip(data)
            suffixes = suffixes[:-1] if suffixes[-1:] == [GZIP_SUFFIX] else suffixes
        fmt = EXTENSION_FORMATS.get(suffixes[-1]) if suffixes else None
        if _looks_binary(data):
            raise IngestError("binary content, not a text article")
        if fmt == "html":
            # Trafilatura reads the page's own <meta charset>, so hand it the bytes.
            return build_article(parse_html(data))
        return _parse(decode_text(data), fmt, url=None)
    except IngestError as exc:
        raise IngestError(f"{source}: {exc}") from exc


def read_text(
    text: str, *, fmt: str | None = None, url: str | None = None, name: str | None = None
) -> Article:
    """Parse pasted text as `fmt` ("text", "markdown", "html", "json"; None to sniff)."""
    source = name or "pasted text"
    try:
        if fmt is not None and fmt not in FORMATS:
            raise IngestError(f"unknown format {fmt!r} (use one of {', '.join(sorted(FORMATS))})")
        if len(text.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
            raise IngestError(f"too large: over {MAX_INPUT_SIZE}")
        if _looks_binary_text(text):
            raise IngestError("binary content, not a text article")
        return _parse(text, fmt, url=url)
    except IngestError as exc:
        raise IngestError(f"{source}: {exc}") from exc


def read_url(url: str, settings: Settings, *, allow_private: bool = False) -> Article:
    """Fetch a web page safely and parse it; the Article keeps the final URL.

    `allow_private` exists for tests against a server on 127.0.0.1; the bot never sets it.
    """
    page = fetch_url(
        url,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
        allow_private=allow_private,
    )
    return read_text(
        page.text, fmt=CONTENT_TYPE_FORMATS.get(page.content_type), url=page.url, name=url
    )


def sniff_format(text: str) -> str:
    """Guess the format of text: "json", "html", "markdown" or "text"."""
    head = text.lstrip("\ufeff \t\r\n")[:SNIFF_CHARS]
    if head.startswith(("{", "[")):
        return "json"
    if head.startswith("<") and HTML_HINT.search(head):
        return "html"
    if MARKDOWN_HINT.search(head):
        return "markdown"
    return "text"


def decode_text(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else cp1252 for old Windows files."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError("not UTF-8 text (nor cp1252)")


def _parse(text: str, fmt: str | None, *, url: str | None) -> Article:
    """Parse decoded text in the given (or sniffed) format into a clean Article."""
    fmt = fmt or sniff_format(text)
    if fmt == "json":
        record = load_record(text)
        if is_stored_article(record):
            return stored_article(record)
        draft = parse_record(record)
    elif fmt == "html":
        draft = parse_html(text, url=url)
    elif fmt == "markdown":
        draft = parse_markdown(text)
    else:
        draft = parse_plain(text)
    return build_article(_with_url(draft, url))


def _with_url(draft: Draft, url: str | None) -> Draft:
    """The draft with the URL it came from, when it names none itself."""
    if url and not draft.url:
        draft.url = url
    return draft


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing directories, missing files and files over the size limit."""
    if path.is_dir():
        raise IngestError("is a directory, not a file")
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise IngestError(f"too large: {size / 1_000_000:.1f} MB (limit {MAX_INPUT_SIZE})")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError("no such file") from exc
    except OSError as exc:
        raise IngestError(f"cannot read the file ({exc.strerror or exc})") from exc


def _gunzip(data: bytes) -> bytes:
    """Decompress gzip data, stopping past the size limit so a small bomb cannot fill memory."""
    try:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_INPUT_BYTES + 1)
    except zlib.error as exc:
        raise IngestError("not a valid gzip file") from exc
    if len(out) > MAX_INPUT_BYTES:
        raise IngestError(f"too large: over {MAX_INPUT_SIZE} once decompressed")
    return out


def _looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or many control characters."""
    head = data[:SNIFF_CHARS]
    return b"\x00" in head or _looks_binary_text(head.decode("latin-1"))


def _looks_binary_text(text: str) -> bool:
    """True for text full of control characters (or NULs), as binary data decodes to."""
    head = text[:SNIFF_CHARS]
    if "\x00" in head:
        return True
    return bool(head) and len(CONTROL_CHARS.findall(head)) / len(head) > BINARY_CONTROL_RATIO
