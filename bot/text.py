"""Sentence splitting and tokenising: the same tokenizer for the index and for questions.

Sentences come from NLTK's Punkt *code* driven by parameters this project ships in
`bot/data/` (abbreviations and sentence starters); NLTK's data packages are never
loaded. Tokens for BM25 are NFKC-normalised, lower-cased, stop-word-filtered and
Snowball-stemmed; dotted acronyms keep their letters ("U.S." -> "us").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Bump whenever tokenize() could return something different for the same text:
# the index cache compares it to decide whether a stored index is stale.
TOKENIZER_VERSION = "2"

DATA_DIR = Path(__file__).resolve().parent / "data"
ABBREVIATIONS_FILE = DATA_DIR / "punkt_abbreviations.txt"
SENTENCE_STARTERS_FILE = DATA_DIR / "punkt_sentence_starters.txt"
STOP_WORDS_FILE = DATA_DIR / "stopwords_en.txt"
IRREGULAR_FORMS_FILE = DATA_DIR / "irregular_forms_en.txt"

QUESTION_WORDS: frozenset[str] = frozenset(
    {"what", "which", "who", "whom", "whose", "when", "where", "why", "how"}
)

# A line shorter than this ends its block: page furniture, headings and list items
# are short, while hard-wrapped prose (e-mail style, ~72 columns) is not.
WRAPPED_LINE_MIN_CHARS = 50

# Punkt's orthographic flags (nltk.tokenize.punkt._ORTHO_*): "seen capitalised at a
# sentence start" and "seen lower case mid-sentence" mark a word as a likely starter.
_ORTHO_BEG_UC = 1 << 1
_ORTHO_MID_LC = 1 << 5

BULLET_LINE = re.compile(r"\s*(?:[-*\u2022\u2013\u2014]|\d+[.)])\s")
LOWERCASE_START = re.compile(r"[\"'(\[\u2018\u201c]*[a-z][a-z]*\b")
DOTTED_NAME_END = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.){2,}$")
LIST_NUMBER = re.compile(r"\s*\(?\d{1,3}[.)]\s*$")
CAPITALISED_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")

QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
# Order matters: a dotted acronym ("U.S.", "e.g.") before a number ("3.5", "1,000")
# before a plain word ("Trump's", "don't", "G7").
TOKEN = re.compile(
    r"(?<![^\W_])(?:[^\W\d_]\.){2,}(?![^\W_])"
    r"|\d+(?:[.,]\d+)+"
    r"|[^\W_]+(?:'[^\W_]+)*"
)
POSSESSIVE = re.compile(r"'s$")


@cache
def _read_word_list(path: Path) -> frozenset[str]:
    """One entry a line; blank lines and `#` comments ignored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


STOP_WORDS: frozenset[str] = _read_word_list(STOP_WORDS_FILE)


@cache
def _sentence_tokenizer() -> PunktSentenceTokenizer:
    """Build the Punkt tokenizer from the shipped parameters (once)."""
    params = PunktParameters()
    params.abbrev_types = set(_read_word_list(ABBREVIATIONS_FILE))
    starters = _read_word_list(SENTENCE_STARTERS_FILE)
    params.sent_starters = set(starters)
    for word in starters:
        # Without this, a capitalised starter after an initial ("Plan B. The") is
        # taken for a name ("J. Bach") and the break is lost.
        params.add_ortho_context(word, _ORTHO_BEG_UC | _ORTHO_MID_LC)
    return PunktSentenceTokenizer(params)


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of text between hard line breaks: blank lines, short lines, list items."""
    lines = text.split("\n")
    start = end = 0
    for line, following in itertools.pairwise(lines):
        end += len(line) + 1
        stripped = line.strip()
        if (
            not stripped
            or len(stripped) < WRAPPED_LINE_MIN_CHARS
            or BULLET_LINE.match(following) is not None
        ):
            yield start, end
            start = end
    yield start, len(text)


def _continues(text: str, previous: tuple[int, int], begin: int) -> bool:
    """True when Punkt's break before `begin` is false and the sentence goes on."""
    # Punkt breaks after any unknown abbreviation ("approx. the"); a "sentence" that
    # starts with a lower-case word is almost always such a false break.
    if LOWERCASE_START.match(text, begin):
        return True
    # "1. Ditch the diet": Punkt ends a sentence after any number with a period.
    if LIST_NUMBER.match(text, previous[0], previous[1]):
        return True
    # Unlisted dotted initials ("T.J. Carrie") are names unless a starter follows.
    if DOTTED_NAME_END.search(text, previous[0], previous[1]):
        word = CAPITALISED_WORD.match(text, begin)
        return word is not None and word.group().lower() not in _read_word_list(
            SENTENCE_STARTERS_FILE
        )
    return False


def _sentence_spans(text: str, offset: int) -> Iterator[tuple[int, int]]:
    """Punkt spans of one block, with false breaks glued back together."""
    spans: list[tuple[int, int]] = []
    for begin, end in _sentence_tokenizer().span_tokenize(text):
        if spans and _continues(text, spans[-1], begin):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((begin, end))
    for begin, end in spans:
        yield begin + offset, end + offset


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, each a verbatim, whitespace-stripped substring."""
    sentences = []
    for start, end in _blocks(text):
        for begin, stop in _sentence_spans(text[start:end], start):
            sentence = text[begin:stop].strip()
            if sentence:
                sentences.append(sentence)
    return sentences


def _normalise(text: str) -> str:
    """NFKC plus straight quotes, so that typography never changes a token."""
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(QUOTE_FOLD)


def _parts(token: str) -> tuple[tuple[str, bool], ...]:
    """Split one raw token into lower-case words, each flagged to survive stop words."""
    if token.endswith("."):  # a dotted acronym: "U.S." -> "us", "e.g." -> "eg"
        letters = token.replace(".", "")
        return ((letters.lower(), not letters.islower()),)
    if token[0].isdigit() and not token.isalnum():  # "1,000" -> "1000", "3.5" stays
        return ((token.replace(",", ""), False),)
    token = POSSESSIVE.sub("", token)
    # "US", "WHO", "IT" are names, not the stop words "us", "who", "it".
    keep = 2 <= len(token) <= 5 and token.isupper()
    return tuple((part, keep) for part in token.lower().split("'") if part)


@cache
def _base_forms() -> dict[str, str]:
    """Irregular verb forms -> base form ("said" -> "say"), from the shipped list."""
    pairs = (line.split() for line in _read_word_list(IRREGULAR_FORMS_FILE))
    return {form: base for form, base in pairs}


@cache
def _stemmer() -> SnowballStemmer:
    """The English Snowball stemmer (pure code, no NLTK data)."""
    return SnowballStemmer("english")


@lru_cache(maxsize=1 << 18)
def _terms(token: str) -> tuple[str, ...]:
    """BM25 terms of one raw token; cached because news vocabulary repeats heavily."""
    terms = []
    for part, keep in _parts(token):
        if keep or part[0].isdigit():
            terms.append(part)
        elif part not in STOP_WORDS:
            terms.append(_stemmer().stem(_base_forms().get(part, part)))
    return tuple(terms)


def tokenize(text: str) -> list[str]:
    """BM25 terms: normalised, lower-cased, stop words dropped, stemmed."""
    terms: list[str] = []
    for token in TOKEN.findall(_normalise(text)):
        terms.extend(_terms(token))
    return terms


def words(text: str) -> list[str]:
    """Lower-cased, normalised word tokens with stop words kept and nothing stemmed."""
    return [part for token in TOKEN.findall(_normalise(text)) for part, _ in _parts(token)]
