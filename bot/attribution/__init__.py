"""Who said each sentence: "said X", "according to X", "X told", carried and resolved.

The rules are deliberately conservative: a wrong speaker is worse than falling back to
the outlet, so every candidate speaker must look like a noun phrase (see `speakers.plausible`).
A sentence's outermost frame wins: in "However, they emphasized that ..., the sources
told the agency." the speaker is "the sources", not the reported "they".
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.attribution.carrying import (
    Mention,
    attribute_paragraph,
    carry_into,
    credit_parsed,
    credit_stances,
)
from bot.attribution.layouts import credit_signatures, credit_transcript
from bot.models import Attribution


def attribute(paragraphs: Sequence[Sequence[str]], outlet: str | None) -> list[list[Attribution]]:
    """One Attribution per sentence, in the shape of `paragraphs`."""
    fallback = Attribution(None, None, "outlet" if outlet else "none")
    mentions: list[Mention] = []
    found: list[list[Attribution | None]] = []
    for index, sentences in enumerate(paragraphs):
        credits = attribute_paragraph(sentences, index, mentions)
        if index:
            carry_into(credits, sentences, found[-1], paragraphs[index - 1])
        found.append(credits)
    credit_transcript(found, paragraphs)
    credit_signatures(found, paragraphs)
    credit_parsed(found, paragraphs, mentions)
    credit_stances(found, paragraphs, mentions)
    # A quotation that runs on, or follows "X released a statement:", takes the speaker the
    # last passes found for the paragraph before it.
    for index in range(1, len(found)):
        carry_into(found[index], paragraphs[index], found[index - 1], paragraphs[index - 1])
    return [[credit or fallback for credit in credits] for credits in found]
