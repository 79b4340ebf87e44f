"""Furniture removal: page end matter and furniture lines go, article sentences stay."""

from __future__ import annotations

import pytest

from bot.ingest.furniture import is_furniture_line, strip_furniture

ARTICLE = [
    "The harbour council voted on Tuesday to open a ferry route between the old town and the "
    "island, ending a decade of debate over how residents should cross the sound.",
    "The route will run every forty minutes from May and will be served by two electric "
    "vessels, the council's transport committee said in a statement after the vote.",
    "Opposition councillors argued that the cost had not been weighed against repairing the "
    "bridge, according to the minutes of the meeting.",
]


def test_trailing_end_matter_is_cut_with_neighbouring_headlines() -> None:
    page = [
        *ARTICLE,
        "Share this article",
        "Prev Post",
        "Fishing quotas cut again as cod stocks shrink",
        "Next Post",
        "Storm warning issued for the whole coast",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Read next",
    ]

    assert strip_furniture(page) == ARTICLE


def test_comment_section_is_cut_even_when_comments_are_long() -> None:
    comment = "I have taken this ferry for years and I think the council is right to act. " * 5
    page = [*ARTICLE, "Leave a Reply", comment, comment, comment]

    assert strip_furniture(page) == ARTICLE


def test_share_bar_above_the_body_is_removed_without_cutting_the_article() -> None:
    page = ["Share this article", "Share on Facebook", "Share on X", *ARTICLE]

    assert strip_furniture(page) == ARTICLE


def test_marker_in_the_middle_of_a_long_article_does_not_cut_it() -> None:
    page = [*ARTICLE[:1], "Related articles", "Bridge closure leaves islanders stranded", *ARTICLE]

    kept = strip_furniture(page)

    assert "Related articles" not in kept
    assert kept[-3:] == ARTICLE  # everything after the marker survives


def test_stray_prev_post_takes_its_headline_with_it() -> None:
    page = ["Prev Post", "Fishing quotas cut again as cod stocks shrink", *ARTICLE]

    assert strip_furniture(page) == ARTICLE


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Share this article",
        "Shareable URL",
        "Share on Facebook",
        "Share on Twitter",
        "Follow us on Instagram for more news",
        "Sign up for our morning briefing",
        "Subscribe to our newsletter",
        "Click here to get the app",
        "Read more »",
        "© 2024 Coastal Courier",
        "Copyright 2019 Hawaii News Now. All rights reserved.",
        "copyright Inexhibit 2019 - ISSN: 2283-5474",
        "All rights reserved.",
        "Comments",
        "12 Comments",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "We use cookies to improve your experience. By continuing to use this site you agree.",
        "Thanks for signing up!",
        "2019-11-19T08:57:40+01:00",
        "Tags:",
    ],
)
def test_furniture_lines_are_recognised(line: str) -> None:
    assert is_furniture_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell 3% on Monday after the results, traders said.",
        "Copyright lawsuits against the company have doubled, its lawyers said.",
        "Comments from the minister drew criticism from the opposition on Tuesday.",
        "Advertisement revenue fell by a fifth in the quarter, the company said.",
        "The EU's cookie rules are being rewritten, officials said on Friday.",
        "Read more carefully, the contract shows a different picture, the lawyer said.",
        "Sign up for the scheme has been slow, the ministry admitted in a report that was "
        "published on Monday and that also covered housing, transport, schools and hospitals "
        "in all of the country's regions over the last five years of the programme.",
    ],
    ids=[
        "share-prices",
        "copyright-lawsuits",
        "comments-from",
        "advertisement-revenue",
        "cookie-rules",
        "read-more-carefully",
        "long-sign-up",
    ],
)
def test_article_sentences_that_start_like_furniture_are_kept(line: str) -> None:
    assert not is_furniture_line(line)
    assert strip_furniture([*ARTICLE, line]) == [*ARTICLE, line]
