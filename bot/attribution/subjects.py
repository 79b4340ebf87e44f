"""The subject before a reporting verb: "Smith", "Smith, a lawyer,", "aides", "21 percent"."""

from __future__ import annotations

import re

from bot.attribution.speakers import (
    AGE,
    CORE_END,
    DETERMINERS,
    PREPOSITIONS,
    PRONOUNS,
    Found,
    clause_words,
    clean_speaker,
    found_speaker,
    word_set,
)

# A share of those polled as the subject: "21 percent said", "three-quarters of voters said".
QUANTITY = re.compile(
    r"^(?:(?:about|nearly|almost|only|just|roughly|around|some|more than|fewer than|less than|"
    r"at least|"
    r"as many as|over|under)\s+)?(?:\d[\d,.]*\s*(?:%|percent)?|(?:one|two|three|four|five|six|"
    r"seven|eight|nine|ten)\s+(?:in|out of)\s+(?:\d+|four|five|ten)|half|a third|two-thirds|"
    r"(?:one|two|three|four)-(?:thirds?|fourths?|fifths?)|"
    r"three-quarters|a quarter|a majority|most)(?:\s|$)",
    re.IGNORECASE,
)
# Openers of a sentence that are adverbials, not the subject: "Meanwhile, Smith said".
INTRO_WORDS = word_set(
    "however meanwhile still yet instead indeed now later earlier separately also overall "
    "again ultimately finally moreover today yesterday but and so then thus therefore "
    "nevertheless nonetheless afterward afterwards previously recently initially privately "
    "publicly last this on in at by for after before since when while as if though although "
    "speaking asked pressed there here"
)


CONJUNCTIONS = word_set("but and yet so")


def _is_intro(segment: str) -> bool:
    """True for an opening adverbial segment: "Meanwhile", "On Tuesday", "Speaking in Ohio"."""
    words = segment.split()
    if not words:
        return True
    first = words[0].lower()
    if first in CONJUNCTIONS and len(words) > 1:
        # "But numerous veterans interviewed this week": a subject after a conjunction.
        return _is_intro(" ".join(words[1:]))
    # "Hours later", "Two weeks ago": a time phrase that ends its segment.
    timed = len(words) <= 4 and words[-1].lower() in {"later", "ago", "earlier"}
    opener = not first[0].isalpha() and not AGE.match(first)
    return first in INTRO_WORDS or timed or _participle_opener(words) or opener


def _participle_opener(words: list[str]) -> bool:
    """ "Speaking in Ohio", "Alarmed by the unrest": not "Playing Field Promotions"."""
    first = words[0].lower()
    if not first.endswith(("ing", "ly", "ed")):
        return False
    return len(words) == 1 or not words[1][:1].isupper()


# A capitalised name run as a sentence's subject, before its verb: "Ohio Gov. John Kasich".
NAME_SUBJECT = re.compile(
    r"^(?:[\u2014\u2013-]+\s*)?(?P<subject>(?!(?:The|A|An)\s+[a-z])"
    r"(?:(?:[A-Z][\w.'\u2019-]*|of|the)\s+){1,6}?"
    r"|(?:The|A|An|the|a|an|Other|Some|Many|Both|Several|His|Her|Their|Its)\s+(?:[\w.'\u2019-]+\s+){1,4}?)"
    r"(?:on\s+[A-Z][a-z]+day\s+)?"
    r"(?:(?:also|then|later|quickly|publicly|repeatedly|again|[a-z]+ly)\s+){0,2}"
    r"(?:(?:has|have|had|is|are|was|were)\s+(?:been\s+|also\s+|already\s+)?[a-z]+"
    r"|[a-z]+ed|says|tells|went|took|made|gave|sent|spoke|wrote|told|said|met|left|came|ran|did|"
    r"held|drew|struck|hit|put|set|kept|stood|fought|led|won|lost|broke|threw|brought|began|"
    r"became|saw|got|fired|shot|sought|spent|cut|let)\b"
)


# Words after which a new clause (and its subject) begins: "even as critics said".
CLAUSE_OPENERS = word_set(
    "as while when after because although though since if and but before until once where "
    "whereas even so which why than what"
)
RELATIVE = re.compile(r"^[A-Z]\S*(?:\s+\S+){0,3}\s+(?:who|whose)\s")
DASH = re.compile(r"\s+(?:--|\u2014|\u2013|-)(?:\s+|$)")
# A comma between clauses, not inside a number ("34,000 people").
COMMA = re.compile(r",(?!\d{3}\b)")
# An aside after a subject: a relative clause, an apposition, a party tag or an age.
ASIDE = re.compile(r"^(?:(?:who|whose)\s|(?:a|an|the)\s|[DRI]-[A-Z][\w.]*$|\d{1,3}$)")
CONJUNCTION = re.compile(r"^(?:But|And|Yet|So|Still|Now|Meanwhile|and|but)\s+(?:then\s+)?")


def _bare_subject(segment: str, cue: str) -> Found | None:
    """The subject just before a verb, without an opening conjunction ("But aides").

    A short lower-case plural is a subject here ("aides said", "critics called"), since
    the verb follows it directly.
    """
    segment = CONJUNCTION.sub("", segment.strip())
    found = _short_subject(segment, cue)
    if found:
        return found
    # "even as advocates in the community called": the subject opens a subordinate clause.
    words = segment.split()
    for index in range(len(words) - 2, -1, -1):
        if _relative_that(words, index, cue):
            # "a dock that harbour engineers say is unsafe": a relative clause's subject.
            found = _short_subject(" ".join(words[index + 1 :]), cue)
            if found and found.speaker.lower() not in PRONOUNS:
                return found
        if words[index].lower() in CLAUSE_OPENERS and not _joins_names(words, index):
            found = _short_subject(" ".join(words[index + 1 :]), cue)
            # "which he said had harmed": a pronoun inside a subordinate clause is too loose.
            return found if found and found.speaker.lower() not in PRONOUNS else None
    return None


# "that" after these opens what a poll or a person found, not a relative clause.
COMPLEMENT_TAKERS = word_set(
    "show shows showing found find finds is was are were be been said says say suggest "
    "suggests suggested so such now fact notion idea claim view"
)
SAY_CUES = word_set("say says said")


def _relative_that(words: list[str], index: int, cue: str) -> bool:
    """True for the "that" of "a dock that engineers say": it opens a relative clause.

    Only before "say", with a short subject: after a noun (not a verb of finding, "polls
    show that"), and never before a share of those polled.
    """
    if cue.lower() not in SAY_CUES or words[index].lower() != "that" or not index:
        return False
    before = words[index - 1].lower().strip(",")
    rest = " ".join(words[index + 1 :])
    return (
        before.isalpha()
        and before.islower()
        and not before.endswith(("ed", "ly"))
        and before not in COMPLEMENT_TAKERS
        and before not in PREPOSITIONS
        and len(words) - index - 1 <= 5
        and not QUANTITY.match(rest)
    )


# Those asked in a poll: "those surveyed said", "voters polled say".
SURVEYED = re.compile(
    r"^(?:those|people|voters|respondents|Americans|adults)\s+"
    r"(?:surveyed|polled|questioned|interviewed|asked)$",
    re.IGNORECASE,
)
# A time adjunct between a subject and its verb: "Ana Ruiz, the party chair, this past
# week announced", "The ministry less than two weeks ago said".
TIME_TAIL = re.compile(
    r"\s+(?:(?:less|more)\s+than\s+)?(?:(?:this|last)\s+(?:past\s+)?"
    r"(?:week|weekend|month|year|spring|summer|fall|autumn|winter)"
    r"|(?:a|one|two|three|four|five|six|several|a\s+few|\d+)\s+(?:hours?|days?|weeks?|months?|years?)"
    r"\s+ago|earlier\s+this\s+(?:week|month|year)|yesterday|today)\s*$"
)
# "Alabama, Georgia and Virginia": the last items of a list of names, split at its commas.
NAME_LIST_TAIL = re.compile(r"^(?:[A-Z][\w.'\u2019-]*\s+)*(?:and|or)\s+[A-Z][\w.'\u2019\s-]*$")
SINGLE_NAME = re.compile(r"^[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*)?$")


def _list_subject(segments: list[str]) -> str:
    """The last segment, joined back to the segments a list of names was split from.

    "Most voters in Alabama", "Georgia and Virginia" -> "Most voters in Alabama, Georgia and
    Virginia". An opening adverbial is no part of a list ("In Ohio, Varga and Holt").
    """
    last = segments[-1]
    if len(segments) < 2 or not NAME_LIST_TAIL.match(last):
        return last
    start = len(segments) - 2
    while start > 0 and SINGLE_NAME.match(segments[start]):
        start -= 1
    if _is_intro(segments[start]):
        return last
    return ", ".join(segments[start:])


def _joins_names(words: list[str], index: int) -> bool:
    """True for the "and" of "Cooperation and Development": between two capitalised words."""
    if words[index].lower() not in {"and", "&"} or not 0 < index < len(words) - 1:
        return False
    return words[index - 1][:1].isupper() and words[index + 1][:1].isupper()


def _short_subject(segment: str, cue: str) -> Found | None:
    words = segment.split()
    if SURVEYED.match(segment):
        return Found(segment, cue)
    if QUANTITY.match(segment) and 1 <= len(words) <= 10 and not clause_words(words):
        return Found(clean_speaker(segment), cue)
    # "aides", "female donors in both parties": a plural noun phrase before its verb.
    core = CORE_END.split(segment, maxsplit=1)[0].split()
    plural = (
        1 <= len(core) <= 3
        and core[-1].endswith("s")
        and core[-1].isalpha()
        and words[-1] not in PREPOSITIONS
        # "makes no apologies": a verb and its object, not a modified plural noun.
        and not (len(core) > 1 and core[0].endswith("s"))
    )
    # "co-host Dana Reyes", "assistant pastor Tom Hale": a lower-case title
    # before a name.
    titled = 3 <= len(words) <= 6 and all(word[:1].isupper() for word in words[-2:])
    found = found_speaker(segment, cue, lower_ok=plural or titled)
    if not found and RELATIVE.search(segment) and len(words) <= 14:
        # "A woman who has accused X of rape said": a relative clause inside the subject.
        found = found_speaker(segment, cue, max_words=10)
    return found


# Words that open a job title set off after a name: "president and CEO of X".
TITLE_OPENERS = word_set(
    "president chairman chairwoman chair director founder co-founder chief executive ceo head "
    "spokesman spokeswoman secretary vice senior managing general"
)
NAME_RUN = re.compile(r"^[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){1,3}$")


def _unclosed_title(segments: list[str], cue: str) -> Found | None:
    """ "Ana Ruiz, president and CEO of X stated": a title whose closing comma is missing.

    The title stays whole with its name; it is not a list cut at its "and".
    """
    if len(segments) != 2 or not NAME_RUN.match(segments[0]) or _is_intro(segments[0]):
        return None
    title = segments[1].split()
    if not title or title[0].lower() not in TITLE_OPENERS or len(title) > 10:
        return None
    if not found_speaker(segments[0], cue):
        return None
    return Found(f"{segments[0]}, {segments[1]}", cue.lower())


def _names_after_role(role: Found, apposition: str) -> bool:
    """True for "The manager" + "David Feder": a common-noun role, then a proper name."""
    words = apposition.split()
    opener = role.speaker.split()[0].lower()
    return opener in DETERMINERS and 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words)


# The subject of a clause's first verb in the past tense: "One aide inside the campaign office
# tried to ...", "Band member Rook shared the news ...".
PAST_SUBJECT = re.compile(
    r"^(?P<subject>[A-Z][^,;:\u201c\u201d\"]{0,80}?)\s+"
    r"(?:(?:also|then|later|quickly|publicly|repeatedly|again|even|has|have|had)\s+){0,2}"
    r"(?:[a-z]+ed|took|made|gave|sent|spoke|wrote|told|said|met|left|came|ran|did|held|drew|"
    r"struck|hit|put|set|kept|stood|fought|led|won|lost|broke|threw|brought|began|became|saw|"
    r"got|shot|sought|spent|cut|let|went|shrugged|shook|rose|sat|fell|heard|paid|"
    r"taken|given|been|done|shown|written|spoken|seen|drawn)\b"
)


def verb_subject(prefix: str, cue: str) -> Found | None:
    """The subject before the first past-tense verb of `prefix`, after opening adverbials."""
    segments = [part.strip() for part in COMMA.split(DASH.sub(",", prefix))]
    while len(segments) > 1 and _is_intro(segments[0]):
        segments.pop(0)
    match = PAST_SUBJECT.match(CONJUNCTION.sub("", segments[0]) + " ")
    return found_speaker(match["subject"], cue) if match else None


def leading_subject(prefix: str, cue: str, *, whole: bool = False) -> Found | None:
    """The subject of a cue verb from the text before it: "Smith", "Smith, a lawyer,".

    When an apposition closes just before the verb ("Mike Shields, president of X, said"),
    the subject is the first segment that is not an opening adverbial. `whole` reads the
    subject as the capitalised name that opens `prefix` ("Kaine decried that math").
    """
    # A dash sets off an aside as a comma does: "Party figures \u2014 whose ... \u2014 said".
    prefix = DASH.sub(",", TIME_TAIL.sub("", prefix.rstrip()) + " ")
    segments = [part.strip() for part in COMMA.split(prefix)]
    if whole:
        while len(segments) > 1 and _is_intro(segments[0]):
            segments.pop(0)
        segments[0] = CONJUNCTION.sub("", segments[0])
        match = NAME_SUBJECT.match(", ".join(segments) + " ")
        if not match and len(segments) >= 3:
            # "Gary Emineth, a former chairman, became a delegate and said ...".
            match = NAME_SUBJECT.match(f"{segments[0]} " + ", ".join(segments[2:]) + " ")
        after_asides = segments[1:]
        while len(after_asides) > 1 and ASIDE.match(after_asides[0]):
            after_asides.pop(0)
        if not match and len(after_asides) < len(segments) - 1:
            # "Ada Lund, D-Ore., who faces a hard race, withdrew ...": asides set off by
            # commas stand between the subject and its verb.
            match = NAME_SUBJECT.match(f"{segments[0]} " + ", ".join(after_asides) + " ")
            if not match and after_asides[0][:1].islower() and segments[0][:1].isupper():
                return found_speaker(segments[0], cue)
        return found_speaker(match["subject"], cue) if match else None
    if not prefix.rstrip().endswith(",") or len(segments) < 3:
        titled = _unclosed_title(segments, cue)
        return titled or _bare_subject(_list_subject(segments), cue)
    candidates = segments[:-1]
    for number, segment in enumerate(candidates):
        if _is_intro(segment) and number < len(candidates) - 1:
            opener, _, rest = segment.partition(" ")
            # "As Andrew Tabler, an expert, noted": the clause opener hides the subject.
            if not (opener.lower() in CLAUSE_OPENERS and rest[:1].isupper()):
                continue
            segment = rest
        found = _bare_subject(segment, cue)
        if not found:
            return None
        apposition = candidates[number + 1] if number + 1 < len(candidates) else ""
        first = apposition.split()[0].lower() if apposition else ""
        last_before_verb = number + 2 == len(candidates)
        # "X, a spokesman, said" and "The manager, David Feder, said" keep both halves.
        if last_before_verb and (
            first in {"a", "an", "the"} or _names_after_role(found, apposition)
        ):
            return Found(f"{found.speaker}, {apposition}", found.cue)
        return found
    return None
