"""Ingestion: every format to a clean Article, clear errors for broken input, stable ids."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path

import pytest

from bot.ingest import article_id, read_file, read_text
from bot.ingest.metadata import normalise_date
from bot.ingest.plain import split_outlet_prefix
from bot.ingest.reader import MAX_INPUT_BYTES, sniff_format
from bot.models import Article, IngestError

DATA_DIR = Path(__file__).resolve().parent / "data" / "ingest"
SEED_FILE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "000_c0f865168f8bdaf9.txt"
)
SEED_TITLE = "Europeans want Trump to provide U.S. troops for peacekeeping forces in Ukraine"
FURNITURE_PHRASES = (
    "Share this article",
    "Shareable URL",
    "Prev Post",
    "Next Post",
    "Leave a Reply",
    "Your email address",
    "Required fields",
    "Read next",
    "Advertisement",
    "Sign up",
    "Follow us",
    "All rights reserved",
    "cookies",
)


def assert_no_furniture(article: Article, *extra: str) -> None:
    """No furniture phrase (or extra phrase) appears in the title or any paragraph."""
    text = "\n".join((article.title, *article.paragraphs))
    for phrase in (*FURNITURE_PHRASES, *extra):
        assert phrase.lower() not in text.lower(), phrase


def seed_path() -> Path:
    """The seed article, which lives in the shared folder beside the project."""
    assert SEED_FILE.is_file(), f"seed article missing: expected {SEED_FILE} (shared/ not present)"
    return SEED_FILE


def test_seed_article_keeps_title_outlet_and_nine_paragraphs() -> None:
    article = read_file(seed_path())

    assert article.title == SEED_TITLE
    assert article.outlet == "Bloomberg"
    assert len(article.paragraphs) == 9
    assert article.paragraphs[0].startswith("European officials are pushing the new administration")
    assert article.paragraphs[-1].endswith("emphasizing that discussions are still ongoing.")
    assert article.added is None


def test_seed_article_has_no_page_furniture_or_neighbouring_headlines() -> None:
    article = read_file(seed_path())

    assert_no_furniture(
        article, "Slovak PM Fico defends", "EU pushes to exploit frozen Russian assets"
    )


def test_plain_text_joins_wrapped_lines_and_drops_trailing_furniture() -> None:
    article = read_file(DATA_DIR / "scraped.txt")

    assert article.outlet == "Reuters"
    assert article.title == "Lighthouse keepers return to remote northern station"
    assert article.paragraphs[0] == (
        "The coastal authority has sent two keepers back to the Skarv lighthouse for the first "
        "time since it was automated in 1994, officials said on Monday. The decision follows "
        "three winters in which storms knocked out the automatic beacon for days at a time."
    )
    assert len(article.paragraphs) == 3
    assert_no_furniture(article, "Fishing quotas", "Storm warning")


def test_plain_text_without_blank_lines_reads_one_paragraph_per_line() -> None:
    article = read_text("Headline here\nFirst paragraph line.\nSecond paragraph line.", fmt="text")

    assert article.title == "Headline here"
    assert article.paragraphs == ("First paragraph line.", "Second paragraph line.")


@pytest.mark.parametrize(
    ("headline", "outlet", "title"),
    [
        ("Bloomberg: Europeans want troops", "Bloomberg", "Europeans want troops"),
        ("The New York Times: Markets rally", "The New York Times", "Markets rally"),
        ("BBC News: Storm hits coast", "BBC News", "Storm hits coast"),
        ("Breaking: Storm hits coast", None, "Breaking: Storm hits coast"),
        ("Exclusive: Minister to resign", None, "Exclusive: Minister to resign"),
        ('Zelenskyy: "We will not give up"', None, 'Zelenskyy: "We will not give up"'),
        ("one two: lowercase prefix", None, "one two: lowercase prefix"),
        (
            "Five Capitalised Words Are Too: many",
            None,
            "Five Capitalised Words Are Too: many",
        ),
        ("No colon in this headline", None, "No colon in this headline"),
    ],
    ids=[
        "outlet",
        "four-words",
        "two-words",
        "label",
        "exclusive",
        "quote",
        "lowercase",
        "too-long",
        "no-colon",
    ],
)
def test_outlet_prefix_is_only_a_short_capitalised_name(
    headline: str, outlet: str | None, title: str
) -> None:
    assert split_outlet_prefix(headline) == (outlet, title)


def test_html_page_gives_clean_body_and_metadata() -> None:
    article = read_file(DATA_DIR / "harbour.html")

    assert article.title == "Harbour council approves new ferry route"
    assert article.outlet == "Coastal Courier"
    assert article.author == "Marta Lindqvist"
    assert article.published == "2024-03-05"
    assert article.url == "https://courier.example/news/harbour-ferry-route"
    assert len(article.paragraphs) == 6
    assert article.paragraphs[0].startswith("The harbour council voted on Tuesday")
    assert article.paragraphs[-1].startswith("Residents of Rødholm welcomed the decision.")
    assert_no_furniture(article, "Bridge closure leaves")
    assert article.title not in article.paragraphs


def test_gzipped_html_reads_like_the_plain_file(tmp_path: Path) -> None:
    packed = tmp_path / "harbour.html.gz"
    packed.write_bytes(gzip.compress((DATA_DIR / "harbour.html").read_bytes()))

    assert read_file(packed) == read_file(DATA_DIR / "harbour.html")


def test_markdown_strips_markup_and_reads_front_matter() -> None:
    article = read_file(DATA_DIR / "ferry.md")

    assert article.title == "Island ferry gets its first electric vessel"
    assert article.outlet == "Coastal Courier"
    assert article.url == "https://courier.example/news/electric-ferry"
    assert article.published == "2024-04-12"
    assert article.author == "Marta Lindqvist"
    assert article.paragraphs == (
        "The first of two electric ferries for the Rødholm route arrived in the harbour on "
        "Friday, a month ahead of schedule.",
        '"We will run trials with passengers from the first of May," said Henrik Aas, who '
        "chairs the transport committee.",
        "The ferry carries 120 passengers.",
        "It charges at the quay in twelve minutes.",
    )


def test_markdown_title_comes_from_the_first_heading() -> None:
    article = read_text("# The Title\n\nBody *text* here.\n", fmt="markdown")

    assert (article.title, article.paragraphs) == ("The Title", ("Body text here.",))


def test_json_record_with_body_string() -> None:
    article = read_file(DATA_DIR / "record.json")

    assert article.title == "Council budget faces shortfall"
    assert article.outlet == "Coastal Courier"
    assert article.published == "2024-03-01"
    assert article.author == "Marta Lindqvist, Ole Berg"
    assert article.paragraphs == (
        "The council expects a shortfall of 40 million crowns next year, its finance director "
        "said.",
        "Cuts to road maintenance are being considered, according to a draft budget seen by the "
        "Courier.",
    )


def test_json_record_with_paragraph_list() -> None:
    record = {"title": "T", "paragraphs": ["One.", "Two."], "outlet": "AP", "published": "2024-1-2"}

    article = read_text(json.dumps(record), fmt="json")

    assert (article.paragraphs, article.outlet, article.published) == (("One.", "Two."), "AP", None)


def test_stored_article_file_round_trips(tmp_path: Path) -> None:
    original = dataclasses.replace(read_file(seed_path()), added="2024-05-01T10:00:00+00:00")
    stored = tmp_path / f"{original.id}.json"
    record = dataclasses.asdict(original) | {"pipeline": 1, "sentences": []}
    stored.write_text(json.dumps(record), encoding="utf-8")

    assert read_file(stored) == original


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"title": "T", "body": "Body."}', "json"),
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("---\ntitle: T\n---\nBody.", "markdown"),
        ("# Title\n\nBody.", "markdown"),
        ("Bloomberg: Title\n\nBody.", "text"),
        ("<3 is a heart\n\nBody.", "text"),
    ],
    ids=["json", "html", "front-matter", "heading", "plain", "angle-bracket-text"],
)
def test_sniff_format_recognises_pasted_text(text: str, fmt: str) -> None:
    assert sniff_format(text) == fmt


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    page = tmp_path / "article.download"
    page.write_bytes((DATA_DIR / "harbour.html").read_bytes())

    assert read_file(page).title == "Harbour council approves new ferry route"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Title\n\nCafé opens.".encode("utf-8-sig"), "Café opens."),
        ("Title\n\nCafé opens.".encode("cp1252"), "Café opens."),
    ],
    ids=["utf-8-bom", "cp1252"],
)
def test_text_files_decode_utf8_bom_and_cp1252(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(data)

    article = read_file(path)

    assert (article.title, article.paragraphs) == ("Title", (expected,))


def test_read_text_keeps_the_given_url_and_leaves_added_empty() -> None:
    article = read_text("Title\n\nBody text.", url="https://news.example/a")

    assert (article.url, article.added) == ("https://news.example/a", None)


def test_same_body_gives_same_id_and_different_body_a_different_one() -> None:
    first = read_text("Title one\n\nThe same body text.")
    second = read_text("Another title\n\nThe  same body\ntext.")
    other = read_text("Title one\n\nA different body text.")

    assert first.id == second.id
    assert first.id != other.id


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Body text.", "  body   TEXT. "),
        ("\uff26\uff55\uff4c\uff4c width", "Full width"),
        ("Line one\nline two", "line one line two"),
    ],
    ids=["case-and-spaces", "nfkc", "newlines"],
)
def test_article_id_ignores_case_width_and_whitespace(left: str, right: str) -> None:
    assert article_id(left) == article_id(right)
    assert len(article_id(left)) == 16


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05T09:30:00+01:00", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("March 5, 2024", "2024-03-05"),
        ("Mar 5th, 2024", "2024-03-05"),
        ("5 March 2024", "2024-03-05"),
        ("Tue, 05 Mar 2024 09:30:00 GMT", "2024-03-05"),
        ("2024-02-30", None),
        ("last Tuesday", None),
        ("", None),
    ],
    ids=[
        "iso",
        "iso-time",
        "slashes",
        "month-name",
        "ordinal",
        "day-first",
        "rfc2822",
        "impossible",
        "words",
        "empty",
    ],
)
def test_published_dates_are_normalised_to_iso(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: _write(tmp, "empty.txt", b""), "empty.txt: no article text found"),
        (lambda tmp: _write(tmp, "blank.txt", b"  \n\n\t \n"), "blank.txt: no article text"),
        (
            lambda tmp: _write(tmp, "junk.txt", bytes(range(256)) * 8),
            "junk.txt: binary content",
        ),
        (lambda tmp: _write(tmp, "bad.json", b'{"title": "T", '), "bad.json: invalid JSON"),
        (lambda tmp: _write(tmp, "list.json", b"[1, 2]"), "list.json: JSON must be an object"),
        (
            lambda tmp: _write(tmp, "nobody.json", b'{"title": "T"}'),
            "nobody.json: JSON has no body",
        ),
        (
            lambda tmp: _write(
                tmp, "nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"
            ),
            "nav.html: no article text found",
        ),
        (
            lambda tmp: _write(tmp, "bad.html.gz", b"\x1f\x8bnot gzip"),
            "bad.html.gz: not a valid gzip",
        ),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: tmp / "missing.txt", "missing.txt: no such file"),
        (
            lambda tmp: _write(
                tmp, "huge.txt", b"Title\n\n" + b"word " * (MAX_INPUT_BYTES // 5 + 1)
            ),
            "huge.txt: too large",
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "binary",
        "invalid-json",
        "json-list",
        "json-no-body",
        "html-no-article",
        "bad-gzip",
        "directory",
        "missing",
        "too-large",
    ],
)
def test_broken_files_raise_ingest_error_naming_file_and_problem(
    tmp_path: Path, make, message: str
) -> None:
    with pytest.raises(IngestError, match=message) as caught:
        read_file(make(tmp_path))

    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("", None, "pasted text: no article text found"),
        ("x", "pdf", "unknown format 'pdf'"),
        ("\x00\x01\x02\x03" * 50, None, "binary content"),
        ('{"body": 3}', "json", "JSON has no body"),
    ],
    ids=["empty", "unknown-format", "binary", "json-no-body"],
)
def test_broken_pasted_text_raises_ingest_error(text: str, fmt: str | None, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_text(text, fmt=fmt)
