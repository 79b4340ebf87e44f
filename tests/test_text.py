"""Sentence splitting and tokenising (bot/text.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import text
from bot.text import (
    QUESTION_WORDS,
    STOP_WORDS,
    TOKENIZER_VERSION,
    split_sentences,
    tokenize,
    words,
)

GOLD_FILE = Path(__file__).parents[1] / "bot" / "evaluate" / "data" / "seed_gold.json"

SPLIT_CASES = [
    (
        "U.S. President Donald Trump met U.K. and E.U. officials. They talked.",
        ["U.S. President Donald Trump met U.K. and E.U. officials.", "They talked."],
        "dotted-country-abbreviations",
    ),
    (
        "The deal was backed by the U.S. The vote was close.",
        ["The deal was backed by the U.S.", "The vote was close."],
        "abbreviation-ends-sentence-before-starter",
    ),
    (
        "Gen. Mark Milley met Sen. Ted Cruz, Gov. Ron DeSantis and Dr. Jill Biden.",
        ["Gen. Mark Milley met Sen. Ted Cruz, Gov. Ron DeSantis and Dr. Jill Biden."],
        "titles",
    ),
    (
        '"We will win," said Mr. Smith. He left.',
        ['"We will win," said Mr. Smith.', "He left."],
        "said-mr-smith",
    ),
    (
        "He lives at No. 10 Downing St. in London.",
        ["He lives at No. 10 Downing St. in London."],
        "number-and-street",
    ),
    (
        "Talks resumed on Jan. 6 in St. Louis. Nothing changed.",
        ["Talks resumed on Jan. 6 in St. Louis.", "Nothing changed."],
        "month-and-saint",
    ),
    (
        "The book was written by J. R. R. Tolkien. It sold well.",
        ["The book was written by J. R. R. Tolkien.", "It sold well."],
        "spaced-initials",
    ),
    (
        "CB T.J. Carrie made the tackle. The game ended.",
        ["CB T.J. Carrie made the tackle.", "The game ended."],
        "unlisted-dotted-initials",
    ),
    (
        "Plan B. The next step is harder.",
        ["Plan B.", "The next step is harder."],
        "single-letter-before-starter",
    ),
    (
        "Growth was 3.5 percent in 2016. Prices rose.",
        ["Growth was 3.5 percent in 2016.", "Prices rose."],
        "decimal-number",
    ),
    (
        "Wait... what happened? Nobody knows! Really.",
        ["Wait... what happened?", "Nobody knows!", "Really."],
        "ellipsis-question-exclamation",
    ),
    (
        "\u201cWe will fight. We will win,\u201d he said. Then he left.",
        ["\u201cWe will fight.", "We will win,\u201d he said.", "Then he left."],
        "curly-quotes-across-sentences",
    ),
    (
        'He said, "It is over." Then he left.',
        ['He said, "It is over."', "Then he left."],
        "closing-quote-stays-with-sentence",
    ),
    (
        "\u201cIs it over?\u201d she asked. Nobody answered.",
        ["\u201cIs it over?\u201d she asked.", "Nobody answered."],
        "question-in-quotes-then-said",
    ),
    (
        "Visit www.example.com. Or write to john.doe@example.org for details.",
        ["Visit www.example.com.", "Or write to john.doe@example.org for details."],
        "url-and-email",
    ),
    (
        "It happened at 5 p.m. Friday. Police came at 6 p.m. They left.",
        ["It happened at 5 p.m. Friday.", "Police came at 6 p.m.", "They left."],
        "times",
    ),
    # Chosen: "Inc." followed by a sentence starter ends the sentence (the common case
    # in news); followed by anything else ("Inc. shares") it does not.
    (
        "She works for Apple Inc. The company said so. Apple Inc. shares rose.",
        ["She works for Apple Inc.", "The company said so.", "Apple Inc. shares rose."],
        "inc-at-sentence-end",
    ),
    (
        "The approx. cost is high. It rose.",
        ["The approx. cost is high.", "It rose."],
        "unknown-abbreviation-before-lower-case",
    ),
    (
        "1. Ditch the diet\n2. Try yoga",
        ["1. Ditch the diet", "2. Try yoga"],
        "numbered-list-lines",
    ),
    (
        "Share this article\nShareable URL\nPrev Post",
        ["Share this article", "Shareable URL", "Prev Post"],
        "short-lines-are-separate",
    ),
    (
        "This is a hard-wrapped paragraph of prose that goes on for a while and\n"
        "continues on the next line without a break. Then another sentence.",
        [
            "This is a hard-wrapped paragraph of prose that goes on for a while and\n"
            "continues on the next line without a break.",
            "Then another sentence.",
        ],
        "hard-wrapped-lines-are-joined",
    ),
    ("  \n\n ", [], "blank"),
]


@pytest.mark.parametrize(
    ("source", "expected"),
    [case[:2] for case in SPLIT_CASES],
    ids=[case[2] for case in SPLIT_CASES],
)
def test_split_sentences_handles_tricky_case(source: str, expected: list[str]) -> None:
    assert split_sentences(source) == expected


@pytest.mark.parametrize("case", SPLIT_CASES, ids=[case[2] for case in SPLIT_CASES])
def test_split_sentences_returns_verbatim_substrings(case: tuple[str, list[str], str]) -> None:
    for sentence in split_sentences(case[0]):
        assert sentence in case[0]
        assert sentence == sentence.strip()


def test_split_sentences_gives_the_gold_sentences_of_the_seed_body() -> None:
    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    for paragraph in gold["paragraphs"]:
        expected = [sentence["text"] for sentence in paragraph["sentences"]]
        assert split_sentences(paragraph["text"]) == expected


def test_split_sentences_never_downloads_nltk_data(monkeypatch: pytest.MonkeyPatch) -> None:
    import nltk

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nltk.download called")

    monkeypatch.setattr(nltk, "download", refuse)
    text._sentence_tokenizer.cache_clear()
    assert split_sentences("Mr. Smith left. He came back.") == ["Mr. Smith left.", "He came back."]


TOKENIZE_CASES = [
    ("U.S. troops", ["us", "troop"], "dotted-acronym-keeps-letters"),
    ("US troops", ["us", "troop"], "capital-acronym-survives-stop-words"),
    ("they told us", ["tell"], "pronoun-us-is-a-stop-word"),
    ("Trump\u2019s team", ["trump", "team"], "curly-possessive-stripped"),
    ("Ukraine's security", ["ukrain", "secur"], "straight-possessive-stripped"),
    ("won 24\u201310 in 2016", ["win", "24", "10", "2016"], "numbers-and-en-dash"),
    ("1,000 troops, 3.5 percent", ["1000", "troop", "3.5", "percent"], "thousands-and-decimals"),
    ("Who said what, and when?", ["say"], "question-words-dropped"),
    ("peacekeeping forces", ["peacekeep", "forc"], "stemmed"),
    ("\uff21\uff22\uff23 news", ["abc", "news"], "nfkc-fullwidth"),
    ("e.g. at 5 p.m.", ["5", "pm"], "lower-case-dotted-abbreviations"),
]


@pytest.mark.parametrize(
    ("source", "expected"),
    [case[:2] for case in TOKENIZE_CASES],
    ids=[case[2] for case in TOKENIZE_CASES],
)
def test_tokenize_normalises_filters_and_stems(source: str, expected: list[str]) -> None:
    assert tokenize(source) == expected


def test_tokenize_matches_question_and_passage_forms() -> None:
    passage = tokenize("European officials want U.S. troops in Ukraine\u2019s peacekeeping force.")
    question = tokenize("Do Europeans want US troops for peacekeeping forces in Ukraine?")
    assert {"us", "troop", "ukrain", "peacekeep", "forc"} <= set(passage) & set(question)


def test_words_keeps_stop_and_question_words_unstemmed() -> None:
    assert words("Who said \u201cU.S. troops\u201d? How many, Trump\u2019s team?") == [
        "who",
        "said",
        "us",
        "troops",
        "how",
        "many",
        "trump",
        "team",
    ]


def test_stop_words_include_question_words_but_not_speech_verbs() -> None:
    assert QUESTION_WORDS <= STOP_WORDS
    assert {"the", "of", "and", "us"} <= STOP_WORDS
    assert not {"said", "says", "may"} & STOP_WORDS


def test_tokenizer_version_is_a_non_empty_string() -> None:
    assert isinstance(TOKENIZER_VERSION, str) and TOKENIZER_VERSION


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("What did the diplomat say?", "the diplomat said"),
        ("Who told the agency?", "the sources told the agency"),
        ("Where did they meet?", "they met in Geneva"),
        ("Who wrote the report?", "the report was written by"),
    ],
    ids=["said", "told", "met", "written"],
)
def test_irregular_verb_forms_meet_their_base_form(question: str, article: str) -> None:
    assert set(tokenize(question)) & set(tokenize(article)) - {"agenc", "report", "geneva"}
