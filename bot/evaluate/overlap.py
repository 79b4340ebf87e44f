"""How many content words a question shares with a sentence, the way the index sees words.

A content word is a term of `bot.text.tokenize`: normalised, lower-cased, stop words dropped,
stemmed ("killed" and "kill" are one word, "the" and "who" are none). Numbers count as content
words.

Names are set aside by one rule, decided on the answer's side so that a question cannot make a
word a name by capitalising it: a word of the sentence is a name when it starts with a capital
letter and is not at a start (the sentence's first word, or the first word after an opening
quotation mark). A word at a start is a name only when its article also writes it capitalised
somewhere that is not a start. So in "Interior Minister Wolfgang Peschorn said the house ...",
"Minister", "Wolfgang" and "Peschorn" are names; "Interior" is one if the article writes
"the Interior Ministry" elsewhere; "house" is not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from bot.text import TOKEN, tokenize

# An opening quotation mark, possibly followed by spaces, right before a word: a quote's first
# word is capitalised because it starts the quoted sentence, not because it is a name.
OPENING_QUOTE = re.compile(r"[\"'\u2018\u201c\u00ab]\s*$")


def content_words(text: str) -> frozenset[str]:
    """The distinct content words (index terms) of a text."""
    return frozenset(tokenize(text))


def _words(sentence: str) -> Iterator[tuple[str, bool]]:
    """Each word of the sentence and whether it stands at a start."""
    text = unicodedata.normalize("NFKC", sentence)
    for number, match in enumerate(TOKEN.finditer(text)):
        at_start = number == 0 or OPENING_QUOTE.search(text, 0, match.start()) is not None
        yield match.group(), at_start


def capitalised_words(sentences: Iterable[str]) -> frozenset[str]:
    """Words written with a capital first letter somewhere other than at a start."""
    return frozenset(
        word
        for sentence in sentences
        for word, at_start in _words(sentence)
        if not at_start and word[0].isupper()
    )


def name_terms(sentence: str, article_names: frozenset[str] = frozenset()) -> frozenset[str]:
    """Content words of the sentence that come from names (see the module's rule).

    `article_names` are the article's `capitalised_words`, which decide the words at a start.
    """
    terms: set[str] = set()
    for word, at_start in _words(sentence):
        if word[0].isupper() and (not at_start or word in article_names):
            terms.update(tokenize(word))
    return frozenset(terms)


def shared_content_words(
    question: str, sentence: str, names: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Content words the question shares with the sentence, except the given name terms."""
    return (content_words(question) & content_words(sentence)) - names
