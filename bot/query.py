"""The question parsed once: its text, index terms and (with the semantic layer) its vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.models import MAX_QUESTION_CHARS
from bot.text import tokenize


@dataclass(frozen=True, eq=False)
class Query:
    """A question as every later step reads it."""

    text: str  # whitespace collapsed, cut at MAX_QUESTION_CHARS
    tokens: list[str]  # the index's terms, in order
    vector: np.ndarray | None = None  # unit vector of the text, when the model is on
    # the model's unit token states of the text, one row per word piece (see `bot.late`)
    token_states: np.ndarray | None = None


def normalise_question(question: str) -> str:
    """Collapse whitespace and cut questions beyond a sane length."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def parse_question(question: str, vector: np.ndarray | None = None) -> Query:
    """The question's text and terms (the vector, if any, is the caller's encoding of it)."""
    text = normalise_question(question)
    return Query(text, tokenize(text), vector)
