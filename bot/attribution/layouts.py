"""Speakers set by the layout of an article: dash-signed quotations and transcript turns."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.attribution.carrying import is_quoted
from bot.attribution.speakers import word_set
from bot.models import Attribution

# A signature after a quotation: "- Okafor.", "\u2015 Ann Lee \u201cNext quotation", with the
# closing mark of the quotation before it sometimes carried over into the same sentence.
SIGNATURE = re.compile(
    r"""^\s*(?:["\u201d]\s*)?[-\u2013\u2014\u2015]+\s*"""
    r"""(?P<speaker>[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3})"""
    r"""\s*(?:[.,]?\s*$|(?=["\u201c]))"""
)
SIGNED_REACH = 8  # sentences back that a signature may credit


def credit_signatures(
    found: list[list[Attribution | None]], paragraphs: Sequence[Sequence[str]]
) -> None:
    """Credit a quotation to the dash-signed name after it ('"..." / - Ann Lee.').

    Walking back from the signature over unattributed sentences, the quotation is credited
    only when the sentence that opens it is reached; a credited sentence stops the walk.
    """
    flat = [(p, s) for p, sentences in enumerate(paragraphs) for s in range(len(sentences))]
    for index, (paragraph, position) in enumerate(flat):
        match = SIGNATURE.match(paragraphs[paragraph][position])
        if not match or index == 0:
            continue
        signed = Attribution(match["speaker"].rstrip("."), None, "explicit")
        quotation = _signed_quotation(found, paragraphs, flat[max(index - SIGNED_REACH, 0) : index])
        for p, s in quotation:
            found[p][s] = signed


def _signed_quotation(
    found: list[list[Attribution | None]],
    paragraphs: Sequence[Sequence[str]],
    before: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """The unattributed sentences of the quotation that ends where `before` ends, or []."""
    taken = []
    for p, s in reversed(before):
        sentence = paragraphs[p][s]
        if found[p][s] is not None:
            return []
        taken.append((p, s))
        signed = SIGNATURE.match(sentence)
        if is_quoted(sentence) or (signed and sentence[signed.end() :].strip()):
            return taken
    return []


# A turn of a transcript or interview: "HOST: Will it open ...", "Ann Lee: Well, ...".
TURN = re.compile(
    r"""^(?P<speaker>[A-Z][\w.'\u2019-]+(?:\s+[A-Z][\w.'\u2019-]+){0,2}):\s+(?=["\u201c]?[A-Z])"""
)
# Labels that open a paragraph as a turn does but name nobody.
NOT_SPEAKERS = word_set(
    "update updated note breaking watch related correction exclusive photos photo video read "
    "more source sources editor's editor\u2019s disclosure clarification poll polls live "
    "bottom line name age city job pay title date location"
)
MIN_TURNS = 2  # a transcript has at least two turns; one "Name:" opener may be a heading


def _turn_speaker(sentence: str) -> str | None:
    """The name a sentence opens with as a transcript turn ("HOST: ..."), or None."""
    match = TURN.match(sentence)
    if match is None or NOT_SPEAKERS.intersection(match["speaker"].lower().split()):
        return None
    return match["speaker"]


def credit_transcript(
    found: list[list[Attribution | None]], paragraphs: Sequence[Sequence[str]]
) -> None:
    """Credit the paragraphs of a transcript to the name that opens each turn."""
    turns: dict[int, str] = {}
    for index, sentences in enumerate(paragraphs):
        opener = _turn_speaker(sentences[0]) if sentences else None
        if opener is not None:
            turns[index] = opener
    if len(turns) < MIN_TURNS:
        return
    for index, speaker in turns.items():
        credits = found[index]
        for position, credit in enumerate(credits):
            if credit is not None:
                continue
            # The paragraph's first sentence opens its turn; a later one may open another
            # ("HOST: ... LEE: ..."), whose speaker then holds the rest of the paragraph.
            inner = _turn_speaker(paragraphs[index][position]) if position else speaker
            if inner is not None:
                speaker = inner
                credits[position] = Attribution(speaker, ":", "explicit")
            else:
                credits[position] = Attribution(speaker, None, "carried")
