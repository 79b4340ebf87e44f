"""What a speaker phrase looks like: noun-phrase checks, trimming, number."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A time or channel adjunct trailing a speaker: "Smith on Tuesday", "the ministry in
# a statement". Trimmed so the speaker is the person or body alone.
SPEAKER_ADJUNCT = re.compile(
    r"\s+(?:(?:on|late|early|last|this|earlier)\s+(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|day|week|month|year|morning|afternoon|evening|night)\b"
    r"|in\s+(?:a|an|his|her|their|its)\s+(?:\w+\s+)?(?:statement|interview|post|briefing|"
    r"letter|speech|e-?mail|video|message|report)\b"
    r"|on\s+(?:Twitter|X|Facebook|Telegram|television|TV|social media)\b"
    r"|at\s+(?:a|the)\s+(?:\w+\s+)?(?:briefing|conference|summit|hearing|meeting|event)\b"
    r"|recently\b|earlier\b|later\b).*$"
)
DATELINE = re.compile(r"^[A-Z][A-Z .,']+\s*(?:--|\u2014|\u2013)\s*")
CORE_END = re.compile(
    r",|\s(?:of|for|at|from|in|who|whose|which|that|familiar|close|with|briefed|involved)\b"
)


def _word_set(spaced: str) -> frozenset[str]:
    """A frozenset from space-separated words (long word lists read better as prose)."""
    return frozenset(spaced.split())


PRONOUNS = frozenset({"he", "she", "it", "they"})
FIRST_PERSON = frozenset({"i", "we", "you", "me", "us", "one"})
DETERMINERS = _word_set(
    "a an the another one two three four five several some many most other its his her "
    "their our both all senior top this that these those few numerous"
)
GROUP_NOUNS = _word_set(
    "people officials sources analysts experts critics residents witnesses police "
    "authorities diplomats lawmakers investigators observers economists prosecutors "
    "officers activists scientists researchers doctors executives employees workers "
    "organizers organisers opponents supporters protesters leaders allies"
)
# Words that never occur in a short speaker noun phrase: they mean the regex has
# swallowed a clause ("He was", "What he", "As the president").
CLAUSE_WORDS = _word_set(
    "as if when because while although though that what which who whom whose is was were "
    "are be been being not than so would will could should can may might must do does "
    "did he she it they we i you me him them us there here where why how to also then "
    "after before since until unless once however but"
)
# A speaker never opens with a preposition: "Despite parliamentary reports urging ...".
PREPOSITIONS = _word_set(
    "despite amid among against under over like unlike into via in on at by for from with "
    "without of during after before about across toward towards"
)
# Heads of "according to X" that are not speakers: "according to the plan".
NON_SPEAKERS = _word_set(
    "plan plans schedule law laws rule rules agreement treaty constitution tradition "
    "custom legend script protocol design instructions order orders program programme "
    "terms contract regulations guidelines timetable"
)
PLURAL_NAMES = _word_set(
    "people police staff children men women media some many several both others most few all"
)


@dataclass(frozen=True)
class Found:
    """A speaker found in one sentence, before anaphora and pronouns are resolved."""

    speaker: str
    cue: str
    points_back: bool = False  # "This was reported by X" also governs the sentence before


def core_words(speaker: str) -> list[str]:
    """The noun phrase before any relative clause or apposition, lower-cased."""
    match = CORE_END.search(speaker)
    core = speaker[: match.start()] if match else speaker
    return [word.strip(".\u2019'") for word in core.lower().split()]


def plausible(speaker: str, max_words: int = 8) -> bool:
    """True when the text looks like a speaker noun phrase, not a clause.

    `max_words` bounds the noun phrase before any relative clause; a relative clause
    ("a diplomat who spoke with ...") is accepted only when max_words > 8, i.e. in the
    frames that end at a comma ("according to X,", "said X,") and cannot run on.
    """
    words = speaker.split()
    if not 1 <= len(words) <= max_words + 8 or not words[0][0].isalpha():
        return False
    if max_words <= 8 and CLAUSE_WORDS.intersection(w.lower() for w in words[1:]):
        return False
    core = core_words(speaker)
    if not core or len(core) > max_words:
        return False
    if core[0] in PRONOUNS:
        return len(words) == 1
    if core[0] in FIRST_PERSON or core[0] in PREPOSITIONS:
        return False
    opener_ok = words[0][0].isupper() or core[0] in DETERMINERS or core[0] in GROUP_NOUNS
    # "His repeated claims ...", "The firm's reports show ...": the cue was a noun.
    last = words[-1]
    noun_ending = not (
        last.endswith(("'s", "\u2019s"))
        or (last.endswith("ed") and last.islower())
        or (len(words) > 1 and last.lower() in DETERMINERS)
    )
    return (
        opener_ok
        and noun_ending
        and not CLAUSE_WORDS.intersection(core)
        and core[-1] not in NON_SPEAKERS
    )


def clean_speaker(speaker: str) -> str:
    """Trim datelines, adjuncts, quotes and spaces around a speaker phrase."""
    speaker = SPEAKER_ADJUNCT.sub("", DATELINE.sub("", speaker.strip()))
    return " ".join(speaker.strip(" \"'\u201c\u201d\u2018\u2019").split())


def found_speaker(
    speaker: str, cue: str, max_words: int = 8, *, back: bool = False
) -> Found | None:
    """A `Found` when the cleaned speaker passes `plausible`, else None."""
    speaker = clean_speaker(speaker)
    if not speaker or not plausible(speaker, max_words):
        return None
    return Found(speaker, cue.lower(), back)


def is_plural(speaker: str) -> bool:
    """Rough number of a speaker phrase, for matching "they" against "he"/"she"/"it"."""
    core = core_words(speaker)
    if "and" in core:
        return True
    head = core[-1] if core else ""
    original_head = speaker.split()[len(core) - 1] if core else ""
    if head in PLURAL_NAMES:
        return True
    is_name = original_head[:1].isupper() and len(core) > 1 and core[0] not in DETERMINERS
    return head.endswith("s") and not head.endswith(("ss", "us", "is")) and not is_name
