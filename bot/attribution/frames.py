"""Speaker patterns inside one sentence: "said X", "X said", "according to X", quotes."""

from __future__ import annotations

import re

from bot.attribution.speakers import Found, core_words, found_speaker
from bot.attribution.verbs import ADDED_SPEECH, AUX, CUES, INVERTED_CUES, TAIL

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
# The object of "told" that may end a sentence: "told the agency", "told Reuters".
TOLD_OBJECT = re.compile(
    r"^\s+(?:the\s+\w+|[A-Z][\w.&\u2019'-]*(?:\s+[A-Z][\w.&\u2019'-]*){0,3}|reporters|"
    r"journalists|lawmakers|us|me|him|her|them|parliament)\s*$"
)
SAID_ADJUNCT = re.compile(
    r"^\s+(?:on\s+\w+|in\s+a\s+\w+|last\s+\w+|this\s+\w+|earlier|later|recently|today|"
    r"yesterday|on\s+\w+\s+\w+|in\s+a\s+\w+\s+\w+|at\s+the\s+time)\s*$"
)


def _trailing(sentence: str) -> Found | None:
    """An attribution closing the sentence: "..., said X." or "..., X told Y."."""
    inverted = INVERTED_TAIL.search(sentence)
    if inverted:
        found = found_speaker(inverted["speaker"], inverted["cue"], max_words=12)
        # "..., said the talks failed." reads as inverted; a verb-like head gives it away.
        if found and not core_words(found.speaker)[-1].endswith("ed"):
            return found
    normal = NORMAL_TAIL.search(sentence)
    if not normal:
        return None
    rest = normal["rest"].rstrip(" .!?\"'\u2019\u201d)")
    object_ok = TOLD_OBJECT.match(rest) if normal["cue"] in {"told", "tells"} else None
    if rest.strip() and not object_ok and not SAID_ADJUNCT.match(rest):
        return None
    return found_speaker(normal["speaker"], normal["cue"])


def _leading(sentence: str) -> Found | None:
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
            return found_speaker(head, match["cue"])
        if first in {"a", "an", "the"}:
            found = found_speaker(head, match["cue"])
            return Found(f"{found.speaker}, {apposition}", found.cue) if found else None
        return None
    return found_speaker(segments[-1], match["cue"])


def _quoted(sentence: str) -> Found | None:
    """An attribution between two quotations: '"...," he said, "..."'."""
    match = QUOTE_MID.search(sentence)
    if not match:
        return None
    if match["cue1"]:
        return found_speaker(match["speaker1"], match["cue1"])
    return found_speaker(match["speaker2"], match["cue2"])


def explicit(sentence: str) -> Found | None:
    """The speaker the sentence itself names, outermost frame first."""
    back = BACK_REFERENCE.match(sentence)
    if back:
        return found_speaker(back["speaker"], back["cue"], back=True)
    if FRAMED_SUBJECT.match(sentence):
        return _leading(sentence)
    found = _trailing(sentence)
    if found:
        return found
    according = ACCORDING_TO.search(sentence)
    if according:
        return found_speaker(according["speaker"], "according to", max_words=10)
    return _leading(sentence) or _quoted(sentence)
