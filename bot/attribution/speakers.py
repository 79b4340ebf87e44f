"""What a speaker phrase looks like: noun-phrase checks, trimming, number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.attribution.verbs import FINITE_CUE_WORDS

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
# A relative clause left open once an adjunct is trimmed: "logs that were [later ...]".
DANGLING_RELATIVE = re.compile(
    r"\s+(?:that|which|who)(?:\s+(?:is|are|was|were|has|have|had|will|would|could|may))?$"
)
# "WASHINGTON (AP) --", "MACAU (Reuters) \u2013", "WASHINGTON, Dec. 8 (UPI) \u2014".
DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]+(?:,\s*[A-Z][A-Za-z.]*(?:\s+\d{1,2})?)?\s*(?:\([\w .]+\)\s*)?"
    r"(?:--|\u2014|\u2013|-)\s+"
)
# An adverb between a subject and its verb: "Varga personally", "the government has
# vigorously". Not the nouns that end in -ly ("a close ally", "the family").
ADVERB_TAIL = re.compile(
    r"(?:\s+(?:has|have|had|most|more|very))?\s+"
    r"(?!(?:family|ally|assembly|supply|rally|anomaly|monopoly|bully|elderly)\b)[a-z]{2,}ly$"
)
# An age before a name: "45-year-old Mira Sandoval".
AGE = re.compile(r"^\d{1,3}-year-old$")
CORE_END = re.compile(
    r",|\s(?:of|for|at|from|in|who|whose|which|that|familiar|close|with|briefed|involved)\b"
)


def word_set(spaced: str) -> frozenset[str]:
    """A frozenset from space-separated words (long word lists read better as prose)."""
    return frozenset(spaced.split())


PRONOUNS = frozenset({"he", "she", "it", "they"})
OBJECT_PRONOUNS = frozenset({"him", "her", "them", "us", "me"})
# "I've", "He's always", "can't": words of a quotation, never a speaker phrase.
CONTRACTION = re.compile(
    r"\w(?:['\u2019](?:ve|ll|d|re|m)|n['\u2019]t)\b|\b\w+['\u2019]s\s+always\b", re.I
)
FIRST_PERSON = frozenset({"i", "we", "you", "me", "us", "one", "my", "our", "your"})
DETERMINERS = word_set(
    "a an the another one two three four five several some many most other its his her "
    "their our both all senior top this that these those few numerous"
)
# Determiners that never stand alone as a speaker ("The hope is ..."; unlike "Some said").
BARE_DETERMINERS = word_set("a an the this that these those its his her their our")
GROUP_NOUNS = word_set(
    "people officials sources analysts experts critics residents witnesses police "
    "authorities diplomats lawmakers investigators observers economists prosecutors "
    "officers activists scientists researchers doctors executives employees workers "
    "organizers organisers opponents supporters protesters leaders allies"
)
# Words that never occur in a short speaker noun phrase: they mean the regex has
# swallowed a clause ("He was", "What he", "As the president").
CLAUSE_WORDS = word_set(
    "as if when because while although though that what which who whom whose is was were "
    "are be been being not than so would will could should can may might must do does "
    "did he she it they we i you me him them us there here where why how to also then "
    "after before since until unless once however but"
)
# Words that open a subordinate clause, even capitalised at a sentence's start.
SUBORDINATORS = word_set("while although though whereas because if unless until since when")
# A speaker never opens with a preposition: "Despite parliamentary reports urging ...".
PREPOSITIONS = word_set(
    "having being asked despite amid among alongside including against under over like unlike "
    "into via in on at by for from with without of during after before about across toward towards"
)
# Words before "to the" in a speaker phrase: "the ambassador to the United Nations", "people
# close to the senator", "voters going to the polls".
ROLES_TO = word_set(
    "delegation delegate ambassador envoy adviser advisor advisers advisors aide aides "
    "assistant counsel consultant spokesman spokeswoman spokesperson successor heir "
    "representative secretary attorney lawyer close loyal going privy"
)
# Heads of "according to X" that are not speakers: "according to the plan".
NON_SPEAKERS = word_set(
    "plan plans schedule law laws rule rules agreement treaty constitution tradition "
    "custom legend script protocol design instructions order orders program programme "
    "terms contract regulations guidelines timetable"
)
TIME_NOUNS = word_set(
    "year years week weeks month months day days morning afternoon evening night weekend "
    "today yesterday tonight monday tuesday wednesday thursday friday saturday sunday ago"
)
WEEKDAYS = word_set("monday tuesday wednesday thursday friday saturday sunday")
# Heads among NON_SPEAKERS that name a person once modified: "the NFL legend".
PERSON_SENSES = word_set("legend")
# Heads of a document or poll that can be a source: "the survey found".
DOCUMENT_NOUNS = word_set(
    "poll polls survey surveys report reports study studies analysis data figures numbers "
    "results research investigation audit review memo letter statement census estimates "
    "projections documents records filing filings index model forecast ad ads complaint "
    "lawsuit indictment ruling platform email emails polling footage video videos statistics "
    "tally"
)
# Heads of a poll or study that can open a sentence as its source: "In a Pew survey, ...".
POLL_NOUNS = word_set("poll polls survey surveys study studies report analysis census research")
PLURAL_NAMES = word_set(
    "people police staff children men women media some many several both others most few all"
)


@dataclass(frozen=True)
class Found:
    """A speaker found in one sentence, before anaphora and pronouns are resolved."""

    speaker: str
    cue: str
    points_back: bool = False  # "This was reported by X" also governs the sentence before


def clause_words(words: list[str], start: int = 0) -> bool:
    """True when a word among `words[start:]` is a clause word ("Will" in "Will Doyle" is a
    name); the words before `start` are context ("Aides" before "to Marsh")."""
    for index, word in enumerate(words):
        if index < start:
            continue
        lowered = word.lower().strip(".,\u2019'")
        if lowered not in CLAUSE_WORDS:
            continue
        if index == start == 0 and lowered in SUBORDINATORS:
            return True  # "While Marsh", "Although Reynolds": a clause, not a name
        before = words[index - 1].lower() if index else ""
        if lowered in OBJECT_PRONOUNS and (before in PREPOSITIONS or before == "to"):
            continue  # "a source close to him"
        following = words[index + 1] if index + 1 < len(words) else ""
        if lowered == "to" and before in ROLES_TO and _role_object(following):
            continue  # "the deputy head of China's delegation to the forum", "close to him"
        if lowered in {"that", "this"} and before in PREPOSITIONS:
            continue  # "one of the authors of that report": a determiner
        in_name = word[:1].isupper() and word != "I" and following[:1].isupper()
        if not in_name:
            return True
    return False


def _role_object(word: str) -> bool:
    """True when `word` can open the object of "close to", "adviser to": not a verb's."""
    lowered = word.lower().strip(".,\u2019'")
    if not lowered or lowered == "be":
        return False
    return word[:1].isupper() or lowered in OBJECT_PRONOUNS or lowered not in CLAUSE_WORDS


def _core_text(speaker: str) -> str:
    match = CORE_END.search(speaker)
    return speaker[: match.start()] if match else speaker


def core_words(speaker: str) -> list[str]:
    """The noun phrase before any relative clause or apposition, lower-cased."""
    match = CORE_END.search(speaker)
    core = speaker[: match.start()] if match else speaker
    return [word.strip(".\u2019'") for word in core.lower().split()]


def plausible(speaker: str, max_words: int = 8, *, lower_ok: bool = False) -> bool:
    """True when the text looks like a speaker noun phrase, not a clause.

    `max_words` bounds the noun phrase before any relative clause; a relative clause
    ("a diplomat who spoke with ...") is accepted only when max_words > 8, i.e. in the
    frames that end at a comma ("according to X,", "said X,") and cannot run on.
    """
    words = speaker.split()
    if not 1 <= len(words) <= max_words + 8:
        return False
    if not words[0][0].isalpha() and not (AGE.match(words[0]) and len(words) > 1):
        return False
    if words[0].lower() in {"what", "whatever"}:
        return False  # "What Marsh said is unclear": the clause opener is no part of him
    if CONTRACTION.search(speaker) or words[-1].lower() in {"and", "or", "but"}:
        return False
    # A hyphenated compound is an adjective: "Best-selling author Ann Lee", "long-serving aide".
    participle = (
        len(words) > 1
        and words[0].lower().endswith("ing")
        and "-" not in words[0]
        and words[1][:1].islower()
    )
    # "Rattling off promises", "highlighting top news": a participle. Two words that end in
    # a plural are a noun and its modifier: "shipping analysts", "polling experts".
    if participle and not _ing_modifier(words):
        return False
    if max_words <= 8 and clause_words(words, 1):
        return False
    core = core_words(speaker)
    if not core or len(core) > max_words:
        return False
    if core[0] in PRONOUNS:
        return len(words) == 1
    # "One said" is no speaker; "one of those advisers" is.
    if (core[0] in FIRST_PERSON and (core[0] != "one" or len(words) == 1)) or (
        core[0] in PREPOSITIONS
    ):
        return False
    if all(word in BARE_DETERMINERS for word in core):
        return False
    opener_ok = (
        lower_ok or words[0][0].isupper() or core[0] in DETERMINERS or core[0] in GROUP_NOUNS
    )
    # "His repeated claims ...", "The firm's reports show ...": the cue was a noun.
    last = words[-1]
    noun_ending = not (
        last.endswith(("'s", "\u2019s"))
        or (last.endswith("ed") and last.islower())
        or (len(words) > 1 and last.lower() in DETERMINERS)
        # "Even people who": the phrase stops inside a clause.
        or last.lower() in {"who", "whom", "whose", "which"}
        or _is_time(speaker, core)
    )
    return (
        opener_ok
        and noun_ending
        and not clause_words(_core_text(speaker).split())
        and not _non_speaker(speaker, core)
    )


# -ing words that take an object rather than modify a noun: "citing officials".
PARTICIPLE_VERBS = word_set("citing including according regarding excluding quoting following")


def _ing_modifier(words: list[str]) -> bool:
    """True for "shipping analysts", "polling experts": an -ing modifier, then a plural."""
    head = words[-1]
    return (
        len(words) == 2
        and head.isalpha()
        and head.endswith("s")
        and not head.endswith("ss")
        and words[0].lower() not in PARTICIPLE_VERBS
    )


def _non_speaker(speaker: str, core: list[str]) -> bool:
    """True for "the plan", "legend": not for "Law" (a name) or "the NFL legend" (a person)."""
    if core[-1] not in NON_SPEAKERS:
        return False
    head = _core_text(speaker).split()[-1]
    return not head[:1].isupper() and not (core[-1] in PERSON_SENSES and len(core) > 1)


def _is_time(speaker: str, core: list[str]) -> bool:
    """True for "this year", "Sunday", "Tuesday at the university": not for "Day" (a name)."""
    if core[-1] not in TIME_NOUNS or len(core) > 2:
        return False
    head = _core_text(speaker).split()[-1]
    return head.islower() or core[-1] in WEEKDAYS


def clean_speaker(speaker: str) -> str:
    """Trim datelines, adjuncts, quotes and spaces around a speaker phrase."""
    undated = DATELINE.sub("", speaker.strip())
    speaker = SPEAKER_ADJUNCT.sub("", undated)
    if speaker != undated:
        speaker = DANGLING_RELATIVE.sub("", speaker)
    speaker = ADVERB_TAIL.sub("", speaker)
    return " ".join(speaker.strip(" \"'\u201c\u201d\u2018\u2019").split())


def found_speaker(
    speaker: str, cue: str, max_words: int = 8, *, back: bool = False, lower_ok: bool = False
) -> Found | None:
    """A `Found` when the cleaned speaker passes `plausible`, else None."""
    raw_words = speaker.split()
    if max_words <= 8 and clause_words(raw_words, 1):
        return None
    speaker = clean_speaker(speaker)
    if not speaker or not plausible(speaker, max_words, lower_ok=lower_ok):
        return None
    if _holds_a_report(speaker):
        return None  # "Okafor wants the seat and Holt": a clause, then the next subject
    return Found(speaker, cue.lower(), back)


def _holds_a_report(speaker: str) -> bool:
    """True when the phrase's own words (before any relative clause) hold a reporting verb."""
    return any(word in FINITE_CUE_WORDS for word in _core_text(speaker).split())


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


def is_document(speaker: str) -> bool:
    """True when the phrase names a document or poll ("the Pew survey released Monday")."""
    return any(word in DOCUMENT_NOUNS for word in core_words(speaker))


def is_poll(speaker: str) -> bool:
    """True when the phrase names a poll, survey or study ("a Pew survey released Monday")."""
    return any(word in POLL_NOUNS for word in core_words(speaker))
