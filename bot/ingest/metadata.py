"""Normalise article metadata: dates to YYYY-MM-DD, empty strings to None."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

WHITESPACE_RUN = re.compile(r"\s+")
ISO_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")
SLASHED_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
DATE_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%A, %B %d, %Y",
)


def clean_field(value: object) -> str | None:
    """A metadata string with whitespace collapsed, or None when absent or empty."""
    if value is None:
        return None
    text = WHITESPACE_RUN.sub(" ", str(value)).strip()
    return text or None


def normalise_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from common date spellings, or None when unparseable."""
    text = clean_field(value)
    if text is None:
        return None
    for pattern in (ISO_DATE_PREFIX, SLASHED_YMD):
        match = pattern.match(text)
        if match:
            return _checked_date(*(int(part) for part in match.groups()))
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date().isoformat()  # RFC 2822, as in HTTP and feeds
    except (TypeError, ValueError, IndexError):
        pass
    candidate = ORDINAL_SUFFIX.sub("", text)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(candidate, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _checked_date(year: int, month: int, day: int) -> str | None:
    """The ISO form of a calendar date, or None for an impossible one."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
