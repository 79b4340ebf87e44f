"""Follow-up questions: what leans on the previous turn, and the answers that need no search."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from bot.conversation import Conversation, Turn
from bot.models import Article, Passage, Quote
from bot.text import tokenize, words

# "What else did he say?", "Anything more from her?", "What other ..."
MORE_FROM_SPEAKER = re.compile(
    r"\b(?:what|anything|something)\s+else\b|\b(?:say|said|tell|told)\s+more\b|\bwhat\s+more\b",
    re.IGNORECASE,
)
# "Who said that?", "Who says so?", "Who told them this?"
WHO_SAID_THAT = re.compile(
    r"^\W*who\s+(?:said|says|told|claimed|reported|claims|thinks|wrote)\b.*\b(?:that|this|it|so)\b",
    re.IGNORECASE,
)
ANAPHORS = frozenset(
    [
        "he",
        "she",
        "they",
        "him",
        "her",
        "them",
        "his",
        "their",
        "hers",
        "theirs",
        "it",
        "its",
        "that",
        "this",
        "those",
        "these",
        "else",
        "more",
        "also",
        "another",
        "other",
        "why",
    ]
)


class PassageLookup(Protocol):
    """What the answerer needs from the library besides the index."""

    def passage(self, article_id: str, position: int) -> Passage: ...
    def text(self, article_id: str, position: int) -> str: ...
    def article(self, article_id: str) -> Article: ...
    def passages_of(self, article_id: str) -> Sequence[Passage]: ...


def is_follow_up(question: str, conversation: Conversation | None) -> bool:
    """A question that leans on the previous turn: pronouns, "what else", or no content."""
    if conversation is None or conversation.last_answered() is None:
        return False
    lowered = words(question)
    return bool(ANAPHORS.intersection(lowered)) or len(tokenize(question)) <= 1


def same_speaker(one: str, other: str) -> bool:
    """The same speaker, also when named in full once and by surname later ("Angela Cooper")."""
    if one == other:
        return True
    last_one, last_other = one.split()[-1], other.split()[-1]
    return last_one == last_other and last_one[:1].isupper()


def more_from_speaker(
    lookup: PassageLookup, previous: Turn, seen: set[tuple[str, int]], limit: int
) -> tuple[Quote, ...]:
    """Unquoted sentences of the same speaker, in article order after the last quote."""
    if not previous.speakers:
        return ()
    speaker = previous.speakers[0]
    article_id, last_position = previous.quoted[0]
    candidates = [
        p
        for p in lookup.passages_of(article_id)
        if p.attribution.speaker is not None
        and same_speaker(p.attribution.speaker, speaker)
        and (p.article_id, p.position) not in seen
    ]
    candidates.sort(key=lambda p: (p.position < last_position, p.position))
    article = lookup.article(article_id)
    return tuple(Quote(p, article, 0.0) for p in candidates[:limit])


def continuation(
    lookup: PassageLookup, previous: Turn, seen: set[tuple[str, int]], limit: int
) -> tuple[Quote, ...]:
    """The unquoted sentences right after the last quote: "what else" with no speaker."""
    article_id, last_position = previous.quoted[0]
    passages = lookup.passages_of(article_id)
    following = [p for p in passages[last_position + 1 :] if (p.article_id, p.position) not in seen]
    article = lookup.article(article_id)
    return tuple(Quote(p, article, 0.0) for p in following[:limit])
