"""Carrying speakers across sentences: quotations, pronouns and "the same diplomat"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.attribution.frames import explicit
from bot.attribution.speakers import PRONOUNS, Found, core_words, is_plural
from bot.models import Attribution

ANAPHOR = re.compile(r"^(?:the|this|that)\s+(?P<same>same\s+)?(?:\w+\s+)?(?P<head>[a-z]+)$", re.I)


@dataclass
class Mention:
    """A resolved speaker and where it was named."""

    speaker: str
    paragraph: int
    position: int
    last_in_paragraph: bool


def _antecedent(pronoun: str, mentions: list[Mention], paragraph: int, position: int) -> str | None:
    """The latest speaker of the right number that the pronoun can still reach.

    Reach is short on purpose: the same paragraph, or the last sentence of the previous
    paragraph for a paragraph's first sentence. Further back, a non-speaker named in
    between ("She had represented him since 1978") is the likelier referent.
    """
    plural = pronoun == "they"
    for mention in reversed(mentions):
        reachable = mention.paragraph == paragraph or (
            mention.paragraph == paragraph - 1 and mention.last_in_paragraph and position == 0
        )
        if not reachable:
            return None
        if is_plural(mention.speaker) == plural:
            return mention.speaker
    return None


def _earlier_mention(head: str, current: str, mentions: list[Mention]) -> str | None:
    """The latest fuller speaker whose noun phrase has the same head noun."""
    for mention in reversed(mentions):
        if mention.speaker.lower() != current.lower() and head in core_words(mention.speaker):
            return mention.speaker
    return None


def _resolve(
    found: Found, mentions: list[Mention], paragraph: int, position: int
) -> Attribution | None:
    """Turn a found speaker into an Attribution, resolving pronouns and anaphors."""
    lowered = found.speaker.lower()
    if lowered in PRONOUNS:
        antecedent = _antecedent(lowered, mentions, paragraph, position)
        return Attribution(antecedent, found.cue, "carried") if antecedent else None
    anaphor = ANAPHOR.match(found.speaker)
    if anaphor:
        earlier = _earlier_mention(anaphor["head"].lower(), found.speaker, mentions)
        if earlier:
            return Attribution(earlier, found.cue, "resolved")
    return Attribution(found.speaker, found.cue, "explicit")


def _quote_groups(sentences: Sequence[str]) -> list[int]:
    """Group ids: sentences inside one multi-sentence quotation share an id."""
    groups, group, open_quote = [], 0, False
    for sentence in sentences:
        if not open_quote:
            group += 1
        groups.append(group)
        curly = sentence.count("\u201c") - sentence.count("\u201d")
        straight = sentence.count('"') % 2 == 1
        open_quote = (curly > 0) if curly else (open_quote != straight)
    return groups


def attribute_paragraph(
    sentences: Sequence[str], index: int, mentions: list[Mention]
) -> list[Attribution | None]:
    """Attributions of one paragraph; None where nothing in the text names a speaker."""
    result: list[Attribution | None] = []
    for position, sentence in enumerate(sentences):
        found = explicit(sentence)
        attribution = _resolve(found, mentions, index, position) if found else None
        if attribution and attribution.speaker:
            last = position == len(sentences) - 1
            mentions.append(Mention(attribution.speaker, index, position, last))
            if found and found.points_back and position and result[position - 1] is None:
                result[position - 1] = Attribution(attribution.speaker, attribution.cue, "carried")
        result.append(attribution)
    groups = _quote_groups(sentences)
    for position, attribution in enumerate(result):
        if attribution is None:
            donors = [
                other
                for other, group in zip(result, groups, strict=True)
                if group == groups[position] and other is not None
            ]
            if donors:
                result[position] = Attribution(donors[0].speaker, donors[0].cue, "carried")
    return result
