"""Stable article ids derived from the body text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

WHITESPACE_RUN = re.compile(r"\s+")
ID_HEX_CHARS = 16


def normalise_body(body: str) -> str:
    """Body text reduced to what identifies it: NFKC, whitespace collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", body)
    return WHITESPACE_RUN.sub(" ", text).strip().casefold()


def article_id(body: str) -> str:
    """First 16 hex characters of the sha256 of the normalised body."""
    digest = hashlib.sha256(normalise_body(body).encode("utf-8")).hexdigest()
    return digest[:ID_HEX_CHARS]


VALID_ID = re.compile(rf"[0-9a-f]{{{ID_HEX_CHARS}}}")


def is_valid_id(value: str) -> bool:
    """True for an id this project could have made (it also names the article's file)."""
    return VALID_ID.fullmatch(value) is not None
