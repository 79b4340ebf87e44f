"""Who said each sentence: "said X", "according to X", "X told", carried and resolved.

The rules are deliberately conservative: a wrong speaker is worse than falling back to
the outlet, so every candidate speaker must look like a noun phrase (see `_plausible`).
A sentence's outermost frame wins: in "However, they emphasized that ..., the sources
told the agency." the speaker is "the sources", not the reported "they".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Attribution

# Verbs that introduce speech, in the forms news prose uses. Lower case only, so
# that "the United States" never reads as "... States".
CUES = (
    r"said|says|say|told|tells|tell|added|adds|noted|notes|stressed|stresses|"
    r"emphasi[sz]ed|emphasi[sz]es|warned|warns|claimed|claims|argued|argues|"
    r"explained|explains|wrote|writes|announced|announces|confirmed|confirms|"
    r"denied|denies|stated|insisted|insists|acknowledged|acknowledges|admitted|"
    r"admits|asserted|asserts|replied|asked|tweeted|reported|reports|predicted|"
    r"recalled|cautioned|conceded|contended|maintained"
)
# "said a European official": only these verbs are inverted in news prose.
INVERTED_CUES = r"said|says|added|adds|noted|wrote|writes|explained|warned|asked|replied|told"
# Words allowed between a subject and its verb: "have said", "has also warned".
AUX = r"has|have|had|also|long|repeatedly|previously|earlier|later|reportedly|recently|publicly|privately|often|once|already|again|then|further|separately|\u2019ve|'ve"  # noqa: E501
# A participle or clause hung off the attribution: "said X, emphasizing that ...".
TAIL = r"adding|noting|emphasi[sz]ing|stressing|warning|citing|saying|explaining|insisting|arguing|referring|speaking|who|whose|according|although|though|but|while|as|in|on|at|after|before|during"  # noqa: E501
END = r"""\s*[.!?]?["'\u2019\u201d)]*\s*$"""
SEP = r"""(?:,\s*["'\u2019\u201d]?|[?!]?["\u201d]\s*,?)\s*"""

BACK_REFERENCE = re.compile(
    r"^(?:This|That|It|This information|The information|This news|The news)\s+"
    r"(?:was|has been|had been|is|were)\s+(?:first\s+|also\s+)?"
    r"(?P<cue>reported|said|stated|announced|confirmed|disclosed|revealed|claimed)\s+"
    r"by\s+(?P<speaker>[^,;]+?)(?=,|;|" + END + ")"
)
INVERTED_TAIL = re.compile(
    SEP + rf"(?P<cue>{INVERTED_CUES})\s+(?P<speaker>[^,;\"\u201c\u201d]+?)"
    rf"(?:,\s*(?:{TAIL})\b[^;]*)?" + END
)
NORMAL_TAIL = re.compile(
    SEP + r"(?P<speaker>[^,;\"\u201c\u201d]+?)\s+"
    rf"(?:(?:{AUX})\s+){{0,2}}(?P<cue>{CUES})(?P<rest>(?:\s+[^,;\s]+){{0,5}}?)"
    rf"(?:,\s*(?:{TAIL})\b[^;]*)?" + END
)
ACCORDING_TO = re.compile(
    r"\b(?P<cue>[Aa]ccording to)\s+(?P<speaker>[^,;]+?)(?=\s*[,;]|" + END + ")"
)
# "John Smith, a spokesman for the ministry, said ...": the subject is set off by an
# apposition or a relative clause, so no later ", said" is an inverted frame.
FRAMED_SUBJECT = re.compile(
    rf"^[^,]{{1,60}},\s+(?:who|whose|a|an|the)\s[^,]{{1,120}},\s+(?:(?:{AUX})\s+){{0,2}}(?:{CUES})\b"
)
LEADING_CUE = re.compile(rf"\s(?:(?:{AUX})\s+){{0,2}}(?P<cue>{CUES})\b")
QUOTE_MID = re.compile(
    r"[\"\u201d],?\s+(?:(?P<cue1>" + INVERTED_CUES + r")\s+(?P<speaker1>[^,;\"\u201c]+?)"
    r"|(?P<speaker2>[^,;\"\u201c]+?)\s+(?P<cue2>" + CUES + r"))\s*,\s*[\"\u201c]"
)
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
# The object of "told" that may end a sentence: "told the agency", "told Reuters".
TOLD_OBJECT = re.compile(
    r"^\s+(?:the\s+\w+|[A-Z][\w.&\u2019'-]*(?:\s+[A-Z][\w.&\u2019'-]*){0,3}|reporters|"
    r"journalists|lawmakers|us|me|him|her|them|parliament)\s*$"
)
SAID_ADJUNCT = re.compile(
    r"^\s+(?:on\s+\w+|in\s+a\s+\w+|last\s+\w+|this\s+\w+|earlier|later|recently|today|"
    r"yesterday|on\s+\w+\s+\w+|in\s+a\s+\w+\s+\w+|at\s+the\s+time)\s*$"
)
DATELINE = re.compile(r"^[A-Z][A-Z .,']+\s*(?:--|\u2014|\u2013)\s*")
ANAPHOR = re.compile(r"^(?:the|this|that)\s+(?P<same>same\s+)?(?:\w+\s+)?(?P<head>[a-z]+)$", re.I)
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
# "added" is speech only before a reported clause: not "Gallinari added 25 points".
ADDED_SPEECH = re.compile(r"""\s*(?:that\b|[:,"'\u201c\u2018]|[.!?]?["'\u201d\u2019]*\s*$)""")
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
class _Found:
    """A speaker found in one sentence, before anaphora and pronouns are resolved."""

    speaker: str
    cue: str
    points_back: bool = False  # "This was reported by X" also governs the sentence before


def _core_words(speaker: str) -> list[str]:
    """The noun phrase before any relative clause or apposition, lower-cased."""
    match = CORE_END.search(speaker)
    core = speaker[: match.start()] if match else speaker
    return [word.strip(".\u2019'") for word in core.lower().split()]


def _plausible(speaker: str, max_words: int = 8) -> bool:
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
    core = _core_words(speaker)
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


def _clean(speaker: str) -> str:
    """Trim datelines, adjuncts, quotes and spaces around a speaker phrase."""
    speaker = SPEAKER_ADJUNCT.sub("", DATELINE.sub("", speaker.strip()))
    return " ".join(speaker.strip(" \"'\u201c\u201d\u2018\u2019").split())


def _found(speaker: str, cue: str, max_words: int = 8, *, back: bool = False) -> _Found | None:
    """A `_Found` when the cleaned speaker passes `_plausible`, else None."""
    speaker = _clean(speaker)
    if not speaker or not _plausible(speaker, max_words):
        return None
    return _Found(speaker, cue.lower(), back)


def _trailing(sentence: str) -> _Found | None:
    """An attribution closing the sentence: "..., said X." or "..., X told Y."."""
    inverted = INVERTED_TAIL.search(sentence)
    if inverted:
        found = _found(inverted["speaker"], inverted["cue"], max_words=12)
        # "..., said the talks failed." reads as inverted; a verb-like head gives it away.
        if found and not _core_words(found.speaker)[-1].endswith("ed"):
            return found
    normal = NORMAL_TAIL.search(sentence)
    if not normal:
        return None
    rest = normal["rest"].rstrip(" .!?\"'\u2019\u201d)")
    object_ok = TOLD_OBJECT.match(rest) if normal["cue"] in {"told", "tells"} else None
    if rest.strip() and not object_ok and not SAID_ADJUNCT.match(rest):
        return None
    return _found(normal["speaker"], normal["cue"])


def _leading(sentence: str) -> _Found | None:
    """An attribution opening the sentence: "X said (that) ...", "X, a Y, told ..."."""
    match = LEADING_CUE.search(sentence)
    if not match or match.start() > 160:
        return None
    if match["cue"] in {"added", "adds"} and not ADDED_SPEECH.match(sentence, match.end()):
        return None
    segments = [part.strip() for part in sentence[: match.start()].split(",")]
    if sentence[: match.start()].rstrip().endswith(",") and len(segments) >= 3:
        head, apposition = segments[-3], segments[-2]
        first = apposition.split()[0].lower() if apposition else ""
        if first in {"who", "whose"}:
            return _found(head, match["cue"])
        if first in {"a", "an", "the"}:
            found = _found(head, match["cue"])
            return _Found(f"{found.speaker}, {apposition}", found.cue) if found else None
        return None
    return _found(segments[-1], match["cue"])


def _quoted(sentence: str) -> _Found | None:
    """An attribution between two quotations: '"...," he said, "..."'."""
    match = QUOTE_MID.search(sentence)
    if not match:
        return None
    if match["cue1"]:
        return _found(match["speaker1"], match["cue1"])
    return _found(match["speaker2"], match["cue2"])


def _explicit(sentence: str) -> _Found | None:
    """The speaker the sentence itself names, outermost frame first."""
    back = BACK_REFERENCE.match(sentence)
    if back:
        return _found(back["speaker"], back["cue"], back=True)
    if FRAMED_SUBJECT.match(sentence):
        return _leading(sentence)
    found = _trailing(sentence)
    if found:
        return found
    according = ACCORDING_TO.search(sentence)
    if according:
        return _found(according["speaker"], "according to", max_words=10)
    return _leading(sentence) or _quoted(sentence)


def _is_plural(speaker: str) -> bool:
    """Rough number of a speaker phrase, for matching "they" against "he"/"she"/"it"."""
    core = _core_words(speaker)
    if "and" in core:
        return True
    head = core[-1] if core else ""
    original_head = speaker.split()[len(core) - 1] if core else ""
    if head in PLURAL_NAMES:
        return True
    is_name = original_head[:1].isupper() and len(core) > 1 and core[0] not in DETERMINERS
    return head.endswith("s") and not head.endswith(("ss", "us", "is")) and not is_name


@dataclass
class _Mention:
    """A resolved speaker and where it was named."""

    speaker: str
    paragraph: int
    position: int
    last_in_paragraph: bool


def _antecedent(
    pronoun: str, mentions: list[_Mention], paragraph: int, position: int
) -> str | None:
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
        if _is_plural(mention.speaker) == plural:
            return mention.speaker
    return None


def _earlier_mention(head: str, current: str, mentions: list[_Mention]) -> str | None:
    """The latest fuller speaker whose noun phrase has the same head noun."""
    for mention in reversed(mentions):
        if mention.speaker.lower() != current.lower() and head in _core_words(mention.speaker):
            return mention.speaker
    return None


def _resolve(
    found: _Found, mentions: list[_Mention], paragraph: int, position: int
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


def _paragraph(
    sentences: Sequence[str], index: int, mentions: list[_Mention]
) -> list[Attribution | None]:
    """Attributions of one paragraph; None where nothing in the text names a speaker."""
    result: list[Attribution | None] = []
    for position, sentence in enumerate(sentences):
        found = _explicit(sentence)
        attribution = _resolve(found, mentions, index, position) if found else None
        if attribution and attribution.speaker:
            last = position == len(sentences) - 1
            mentions.append(_Mention(attribution.speaker, index, position, last))
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


def attribute(paragraphs: Sequence[Sequence[str]], outlet: str | None) -> list[list[Attribution]]:
    """One Attribution per sentence, in the shape of `paragraphs`."""
    fallback = Attribution(None, None, "outlet" if outlet else "none")
    mentions: list[_Mention] = []
    return [
        [found or fallback for found in _paragraph(sentences, index, mentions)]
        for index, sentences in enumerate(paragraphs)
    ]
