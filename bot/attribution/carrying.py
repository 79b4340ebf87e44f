"""Carrying speakers across sentences: quotations, pronouns and "the same diplomat"."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.attribution.frames import explicit, leading_frame, stance_frame
from bot.attribution.parsed import parsed_speaker
from bot.attribution.speakers import (
    DETERMINERS,
    PRONOUNS,
    Found,
    core_words,
    is_document,
    is_plural,
)
from bot.models import Attribution

ANAPHOR = re.compile(r"^(?:the|this|that)\s+(?P<same>same\s+)?(?:\w+\s+)?(?P<head>[a-z]+)$", re.I)


FAR_REACH = 2  # paragraphs back that a pronoun may reach for a named speaker


@dataclass
class Mention:
    """A resolved speaker and where it was named."""

    speaker: str
    paragraph: int
    position: int
    last_in_paragraph: bool


def _antecedent(pronoun: str, mentions: list[Mention], paragraph: int, position: int) -> str | None:
    """The latest speaker of the right number that the pronoun can reach.

    Close reach first: the same paragraph, or the last sentence of the previous paragraph
    for a paragraph's first sentence. Failing that, the nearest *named* speaker of the
    right number in the last `FAR_REACH` paragraphs ("Jane Smith said ... [paragraphs
    later] ... she said"); a common noun ("the official") is not carried that far.
    """
    plural = pronoun == "they"
    fitting = [m for m in mentions if is_plural(m.speaker) == plural]
    for mention in reversed(fitting):
        close = mention.paragraph == paragraph or (
            mention.paragraph == paragraph - 1 and mention.last_in_paragraph and position == 0
        )
        if close:
            return mention.speaker
        break
    # Far reach only to the latest speaker of all: another speaker in between, of either
    # number, makes the reference too uncertain.
    latest = mentions[-1] if mentions else None
    if latest and paragraph - latest.paragraph <= FAR_REACH and _is_named(latest.speaker):
        return latest.speaker if latest in fitting else None
    return None


def _is_named(speaker: str) -> bool:
    """True for a proper name ("Jane Smith", "Sen. Roe"), not "the official" or "Officials"."""
    words = core_words(speaker)
    return len(words) >= 2 and speaker[:1].isupper() and words[0] not in DETERMINERS


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
        return Attribution(antecedent, found.cue or None, "carried") if antecedent else None
    anaphor = ANAPHOR.match(found.speaker)
    if anaphor:
        earlier = _earlier_mention(anaphor["head"].lower(), found.speaker, mentions)
        if earlier:
            return Attribution(earlier, found.cue or None, "resolved")
    return Attribution(found.speaker, found.cue or None, "explicit")


OPENING_QUOTE = re.compile(r"""^\s*(?:["\u201c\u2018]|'')""")


def _straight_quotes(sentence: str) -> int:
    """Straight double quotes, counting the two-apostrophe quotes of some wire copy."""
    return sentence.count('"') + sentence.count("''")


def _quote_groups(sentences: Sequence[str]) -> list[int]:
    """Group ids: sentences inside one multi-sentence quotation share an id."""
    groups, group, open_quote = [], 0, False
    for sentence in sentences:
        if not open_quote:
            group += 1
        groups.append(group)
        open_quote = _leaves_open(sentence, open_quote)
    return groups


def _leaves_open(sentence: str, open_before: bool) -> bool:
    """True when a quotation is still open after `sentence`.

    Curly marks say it directly; a straight mark toggles. Some copy mixes them ('called it
    \u201chighly significant."'): a straight mark then closes the curly one.
    """
    curly = sentence.count("\u201c") - sentence.count("\u201d")
    straight = _straight_quotes(sentence) % 2 == 1
    if curly > 0 and straight:
        curly -= 1
    if curly or "\u201c" in sentence or "\u201d" in sentence:
        return curly > 0
    return open_before != straight


def is_quoted(sentence: str) -> bool:
    """True when the sentence opens with a quotation mark."""
    return bool(OPENING_QUOTE.match(sentence))


def has_quote(sentence: str) -> bool:
    """True when the sentence holds a quotation mark."""
    return any(mark in sentence for mark in '"\u201c\u201d') or "''" in sentence


def _carry(result: list[Attribution | None], sentences: Sequence[str]) -> None:
    """Credit unattributed sentences inside a quotation to the quotation's speaker.

    A quotation's speaker is named in one of its sentences; failing that, a quoted sentence
    takes the speaker of the nearest quoted sentence before it in the paragraph ('"A," X
    said. "B."'), else after it ('"A. B," X said.').
    """
    groups = _quote_groups(sentences)
    for position, attribution in enumerate(result):
        if attribution is not None:
            continue
        donors = [
            other
            for other, group in zip(result, groups, strict=True)
            if group == groups[position] and other is not None
        ]
        in_quotation = is_quoted(sentences[position]) or groups.count(groups[position]) > 1
        if not donors and in_quotation:
            donors = _closing_frame(result, sentences, groups, position)
        if not donors and in_quotation and has_quote(sentences[position]):
            nearby = [*range(position - 1, -1, -1), *range(position + 1, len(result))]
            donors = [
                donor
                for i in nearby
                if (donor := result[i]) is not None and has_quote(sentences[i])
            ][:1]
        if not donors and position and _bare_quotation([sentences[position]]):
            # "Bolton said he would help." then "\u201cI'm going to support him.\u201d"
            before = result[position - 1]
            donors = [before] if before is not None and _personal(before) else []
        if not donors and position and _quotation_led_in(sentences[position]):
            # "Smith said ..., “...”" then "Above all, “it is overdue.”": her words go on.
            before = result[position - 1]
            quoted_before = has_quote(sentences[position - 1])
            donors = [before] if before is not None and quoted_before and _personal(before) else []
        if donors:
            result[position] = Attribution(donors[0].speaker, donors[0].cue, "carried")


# A quotation that ends in a question, an exclamation or a comma: the sentence splitter
# cut its attribution off ('"Why wait?" / Kovacs asked.').
CUT_QUOTATION = re.compile(r"""[?!,\u2026]\s*(?:["\u201d\u2019']|''){1,3}\s*$""")


def _closing_frame(
    result: list[Attribution | None],
    sentences: Sequence[str],
    groups: list[int],
    position: int,
) -> list[Attribution]:
    """The speaker of the frame sentence right after the quotation holding `position`.

    '"Why wait?" / Kovacs asked.': the frame names a speaker and quotes nothing itself.
    """
    end = len(groups) - 1 - groups[::-1].index(groups[position])
    frame = end + 1
    if frame >= len(sentences) or not CUT_QUOTATION.search(sentences[end]):
        return []
    credit = result[frame]
    if credit is None or has_quote(sentences[frame]) or not sentences[frame][:1].isupper():
        return []
    return [credit]


LEAD_IN_WORDS = 8  # words before a closing quotation that still only lead into it
CLOSES_WITH_QUOTE = re.compile(r"""(?:["\u201d]|'')\s*[.!?]?\s*$""")


def _quotation_led_in(sentence: str) -> bool:
    """True for a few words leading into a quotation that ends the sentence: 'Above all, "..."'."""
    if not CLOSES_WITH_QUOTE.search(sentence) or is_quoted(sentence):
        return False
    outside = QUOTED_SPAN.sub(" ", sentence.replace("''", '"'))
    return QUOTED_SPAN.search(sentence.replace("''", '"')) is not None and (
        len(outside.split()) <= LEAD_IN_WORDS
    )


def _personal(credit: Attribution) -> bool:
    """True for one person's words, not a group's or a document's."""
    speaker = credit.speaker
    return speaker is not None and not (is_plural(speaker) or is_document(speaker))


def attribute_paragraph(
    sentences: Sequence[str], index: int, mentions: list[Mention]
) -> list[Attribution | None]:
    """Attributions of one paragraph; None where nothing in the text names a speaker."""
    result: list[Attribution | None] = []
    groups = _quote_groups(sentences)
    for position, sentence in enumerate(sentences):
        # A sentence that continues an open quotation starts inside it: its opening words
        # are the quoted speaker's, never a frame ("Other countries just say ...").
        continues = position > 0 and groups[position] == groups[position - 1]
        mark = '"' if '"' in sentence else "\u201c"
        found = explicit(mark + sentence if continues else sentence)
        attribution = _resolve(found, mentions, index, position) if found else None
        if found and attribution is None and not continues:
            # An unresolved pronoun ("..., she said.") gives way to a named opening frame.
            found = leading_frame(sentence)
            attribution = _resolve(found, mentions, index, position) if found else None
        if attribution and attribution.speaker:
            last = position == len(sentences) - 1
            mentions.append(Mention(attribution.speaker, index, position, last))
            if found and found.points_back and position and result[position - 1] is None:
                result[position - 1] = Attribution(attribution.speaker, attribution.cue, "carried")
        result.append(attribution)
    _carry(result, sentences)
    return result


QUOTED_SPAN = re.compile(r"""(?:["\u201c]|'')[^"\u201d]*?(?:["\u201d]|''|$)""")


def _bare_quotation(sentences: Sequence[str]) -> bool:
    """True for a paragraph that is all quotation: no word of it stands outside the marks."""
    text = " ".join(sentences).replace("''", '"')
    return is_quoted(text) and not re.search(r"[A-Za-z]", QUOTED_SPAN.sub("", text))


def carry_into(
    credits: list[Attribution | None],
    sentences: Sequence[str],
    before: Sequence[Attribution | None],
    before_sentences: Sequence[str],
) -> None:
    """Carry the previous paragraph's speaker into a paragraph that continues its words.

    Two news conventions: a quotation that runs on into the next paragraph (which opens
    with a quotation mark and names nobody), and an introduction ending in a colon
    ("Smith wrote:") followed by the words themselves.
    """
    if not sentences or not before or any(credits) or before[-1] is None:
        return
    last = before_sentences[-1].rstrip()
    # A paragraph of bare quotation after a paragraph that ends with its speaker's words or
    # their report ("Smith said the plan failed." then "“It was doomed.”"): news
    # prose names the speaker of such a quotation before it, not after.
    donor = before[-1]
    runs_on = is_quoted(sentences[0]) and has_quote(last)
    # One person's words, not a group's or a document's: "Smith said ..." then a quotation.
    bare = _personal(donor) and _bare_quotation(sentences)
    if not (runs_on or bare or last.endswith(":")):
        return
    for position in range(len(credits)):
        credits[position] = Attribution(donor.speaker, donor.cue, "carried")


def credit_parsed(
    found: list[list[Attribution | None]],
    paragraphs: Sequence[Sequence[str]],
    mentions: list[Mention],
) -> None:
    """Credit what the rules and the layout left open to the subject the parse finds.

    A parsed speaker then carries through its quotation as a named one does; it is not
    offered to later pronouns, which stay with the speakers the rules named.
    """

    def opens(groups: list[int], position: int, sentence: str) -> bool:
        return position == 0 or groups[position] != groups[position - 1]

    _late_pass(found, paragraphs, mentions, parsed_speaker, opens, carry=True)


def credit_stances(
    found: list[list[Attribution | None]],
    paragraphs: Sequence[Sequence[str]],
    mentions: list[Mention],
) -> None:
    """Credit a sentence that nothing else credits to the subject of its stance verb.

    "Marsh knows the vote is close." reports Marsh's view. Only a sentence outside any
    quotation is read, and a pronoun reaches only speakers named before it.
    """

    def outside(groups: list[int], position: int, sentence: str) -> bool:
        return groups.count(groups[position]) == 1 and not is_quoted(sentence)

    _late_pass(found, paragraphs, mentions, stance_frame, outside, carry=False)


def _late_pass(
    found: list[list[Attribution | None]],
    paragraphs: Sequence[Sequence[str]],
    mentions: list[Mention],
    find: Callable[[str], Found | None],
    readable: Callable[[list[int], int, str], bool],
    *,
    carry: bool,
) -> None:
    """Credit each open sentence that `readable` admits with what `find` names in it."""
    for index, (credits, sentences) in enumerate(zip(found, paragraphs, strict=True)):
        groups = _quote_groups(sentences)
        credited = False
        for position, sentence in enumerate(sentences):
            if credits[position] is not None or not readable(groups, position, sentence):
                continue
            speaker = find(sentence)
            if speaker is None:
                continue
            before = [m for m in mentions if (m.paragraph, m.position) < (index, position)]
            credits[position] = _resolve(speaker, before, index, position)
            credited = credited or credits[position] is not None
        if carry and credited:
            _carry(credits, sentences)
