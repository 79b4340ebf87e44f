"""Speaker patterns inside one sentence: "said X", "X said", "according to X", quotes."""

from __future__ import annotations

import re

from bot.attribution.speakers import (
    DATELINE,
    DETERMINERS,
    Found,
    core_words,
    found_speaker,
    is_document,
    is_poll,
)
from bot.attribution.subjects import leading_subject, verb_subject
from bot.attribution.verbs import (
    ADDED_SPEECH,
    AUX,
    CUES,
    DOCUMENT_VERBS,
    INVERTED_CUES,
    SPEAKING_PARTICIPLES,
    SPEECH_VERBS,
    STANCE_VERBS,
    TAIL,
)

QUOTES = '"\u201c\u201d'
CLOSE = r"""(?:["\u201d]|'')"""
END = r"""\s*[.!?]?(?:["'\u2019\u201d)]|'')*\s*$"""
# A separator before a trailing frame; a mark with a space before it opens a quotation.
SEP = rf"""(?<=\S)(?:,\s*{CLOSE}?|[?!]?{CLOSE}\s*,?|[.!?]{CLOSE})\s*"""
# A short apposition after a post-posed speaker: "said Alden, an economist at the bank."
APPOSITION = rf"""(?:,\s*(?P<appos>[^;{QUOTES}]*?))?"""

BACK_REFERENCE = re.compile(
    r"^(?:This|That|It|This information|The information|This news|The news)\s+"
    r"(?:was|has been|had been|is|were)\s+(?:first\s+|also\s+)?"
    r"(?P<cue>reported|said|stated|announced|confirmed|disclosed|revealed|claimed|tweeted)\s+"
    r"by\s+(?P<speaker>[^,;]+?)(?=,|;|" + END + ")"
)
# "The plan was disclosed by the Coastal Herald.": a passive report closing the sentence.
REPORTED_BY = re.compile(
    r"\s(?:was|were|has\s+been|had\s+been)\s+(?:first\s+|previously\s+|initially\s+|also\s+)?"
    r"(?P<cue>reported|disclosed|revealed)\s+"
    r"(?:(?:earlier|first|on\s+[A-Z][a-z]+day)\s+)?by\s+(?P<speaker>[^,;]+?)(?=" + END + ")"
)
# "As reported by Western Journalism, there are 150 delegates at stake".
AS_REPORTED = re.compile(
    r"^As\s+(?:first\s+|previously\s+)?(?P<cue>reported|noted|revealed|disclosed)\s+by\s+"
    r"(?P<speaker>[^,;]+?)\s*,"
)
INVERTED_TAIL = re.compile(
    SEP
    + rf"(?P<cue>{INVERTED_CUES})\s+(?P<speaker>[^,;{QUOTES}]+?)"
    + APPOSITION
    # '..., said Mr. Varga, who noted that sales had "collapsed."': anything may follow.
    + rf"(?:,\s*(?:{TAIL})\b.*?)?"
    + END
)
# '"...," said Lena Holt, the author of "Tides of Power."': after a named speaker and
# a comma, anything may follow, quotations too.
INVERTED_NAME = re.compile(
    SEP + rf"(?P<cue>{INVERTED_CUES})\s+"
    r"(?P<speaker>(?:[A-Z][\w.'\u2019-]*\s+){0,4}[A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*)"
    r"(?:\s+(?:of|from)\s+[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2})?,\s"
)
NORMAL_TAIL = re.compile(
    SEP + rf"(?P<speaker>[^,;{QUOTES}]+?)\s+"
    rf"(?:(?:{AUX})\s+){{0,2}}(?P<cue>{CUES})(?P<rest>(?:\s+[^,;\s]+){{0,5}}?)"
    rf"(?:,\s*(?:{TAIL})\b[^;]*)?" + END
)
# '"...," Smith said on Tuesday at a rally.': after a closed quotation anything may follow.
QUOTE_TAIL = re.compile(
    rf"""(?<=\S)[,?!.]?{CLOSE}\s*,?\s*(?P<speaker>[^,;{QUOTES}]+?)"""
    rf"""(?:,\s*(?P<appos>[^;{QUOTES}]+?),)?\s+(?:(?:{AUX})\s+){{0,2}}(?P<cue>{CUES})\b"""
    rf"""[^{QUOTES}]*$"""
)
# "according to a post from Arianna Huffington": the writer, not the writing, is the source.
WRITTEN_BY = re.compile(
    r"^(?:a|an|the)\s+(?:[a-z]+\s+){0,2}(?:post|report|story|article|tweet|interview|op-ed|"
    r"column|analysis|statement|letter|transcript|memo|email)\s+(?:from|by|with)\s+(?=[A-Z])"
)
ACCORDING_TO = re.compile(
    r"\b(?P<cue>[Aa]ccording to)\s+(?P<speaker>[^,;]+?)(?=\s*[,;]|" + END + ")"
)
# "a Pew survey released on Thursday", "a new poll that shows ...": what follows a
# document's head describes the document, and the head is the source.
DOCUMENT_DETAIL = re.compile(
    r"\s+(?:that|which|released|published|conducted|issued|taken|compiled|reported|based|"
    r"-|--|\u2013|\u2014)(?:\s.*)?$"
)


RELATIVE_DETAIL = re.compile(
    r"^\s+(?:that|which)\s+(?:[a-z]+s|[a-z]+ed|is|are|was|were|has|have|had|will|would|can|"
    r"could|may|might|show|found)\b"
)


def _according_to(phrase: str) -> Found | None:
    """The source after "according to", a document's description cut off.

    A document keeps its head alone when a relative clause describes it ("a new poll that
    shows wide support" -> "a new poll").
    """
    speaker = WRITTEN_BY.sub("", phrase)
    head = DOCUMENT_DETAIL.sub("", speaker)
    relative = RELATIVE_DETAIL.match(speaker[len(head) :]) is not None
    if head != speaker and relative and is_document(head):
        found = found_speaker(head, "according to", max_words=10, lower_ok=True)
        if found:
            return found
    found = found_speaker(speaker, "according to", max_words=10, lower_ok=True)
    if found or head == speaker or not is_document(head):
        return found
    return found_speaker(head, "according to", max_words=10, lower_ok=True)


# "Sen. Marsh on Tuesday morning also called upon ...": a day between subject and verb.
DAY = r"(?:on\s+[A-Z][a-z]+day(?:\s+(?:morning|afternoon|evening|night))?\s+)?"
LEADING_CUE = re.compile(rf"\s{DAY}(?:(?:{AUX})\s+){{0,2}}(?P<cue>{CUES})\b")
STANCE_CUE = re.compile(rf"\s{DAY}(?:(?:{AUX})\s+){{0,2}}(?P<cue>{STANCE_VERBS})\b")
# "..., fundraising documents show.", "..., Fox found.": a source closing the sentence.
DOCUMENT_TAIL = re.compile(
    SEP + rf"(?P<speaker>[^,;{QUOTES}]{{1,60}}?)\s+(?P<cue>{DOCUMENT_VERBS})" + END
)
DOCUMENT_CUE = re.compile(rf"\s(?:(?:{AUX})\s+){{0,2}}(?P<cue>{DOCUMENT_VERBS})\b")
PARTICIPLE = re.compile(
    # "X left, saying", 'X called it "fantastic," telling', "X won by saying", "X - saying".
    rf"""(?:,["\u201d']?|\s(?:--|\u2013|\u2014|by|while|upon|after|before|when|for))\s+"""
    rf"(?P<cue>{SPEAKING_PARTICIPLES})\b"
    # "The Cruz campaign sent a fundraising email Wednesday saying that ...".
    r"|\b(?:statement|e-?mail|letter|tweet|message|release|memo|post|video|ad)"
    r"(?:\s+[A-Z]?[a-z]+)?\s+(?P<written>saying)\b"
)
QUOTE_MID = re.compile(
    r"[\"\u201d],?\s+(?:(?P<cue1>" + INVERTED_CUES + r")\s+(?P<speaker1>[^,;\"\u201c]+?)"
    r"|(?P<speaker2>[^,;\"\u201c]+?)\s+(?P<cue2>" + CUES + r"))\s*,\s*[\"\u201c]"
)
# The object of "told" that may end a sentence: "told the agency", "told Reuters".
TOLD_OBJECT = re.compile(
    r"^\s+(?:the\s+(?:[A-Z][\w.&\u2019'-]*\s+){0,3}\w+|[A-Z][\w.&\u2019'-]*(?:\s+[A-Z][\w.&\u2019'-]*){0,3}|reporters|"
    r"journalists|lawmakers|us|me|him|her|them|parliament)\s*$"
)
SAID_ADJUNCT = re.compile(
    r"^\s+(?:on\s+\w+|in\s+a\s+\w+|last\s+\w+|this\s+\w+|earlier|later|recently|today|"
    r"yesterday|on\s+\w+\s+\w+|in\s+a\s+\w+\s+\w+|at\s+the\s+time)\s*$"
)
# "called" and "calls" report when they frame a quotation: 'calls the plan "a disaster"'.
NEEDS_QUOTE = frozenset({"called", "calls"})
# "John Smith, a spokesman for the ministry, said ...": the subject is set off by an
# apposition, so the leading frame is the sentence's, not a later ", said".
FRAMED_SUBJECT = re.compile(
    rf"^[^,{QUOTES}]{{1,80}},\s[^{QUOTES}]{{1,200}}?,\s+(?:(?:{AUX})\s+){{0,2}}(?:{CUES})\b"
)
APPOSED_NAME = re.compile(
    rf",\s(?:[A-Z][\w.'\u2019-]*\s){{0,3}}[A-Z][\w.'\u2019-]*,\s+(?:(?:{AUX})\s+){{0,2}}(?:{CUES})$"
)
# A finite verb inside an inverted "speaker": "..., said the turmoil was ...".
CLAUSE_VERB = re.compile(r"\s(?:is|was|were|are|will|would|has|have|had)\s")
# "Mark Blumenthal and Jon Cohen: \u201cAlthough the polls failed ...": a name, a colon, a quote.
COLON_SPEAKER = re.compile(rf"""^(?P<speaker>[A-Z][^:{QUOTES}]{{1,80}}?)\s*:\s*[{QUOTES}]""")
# "More from Jones:", "Here\u2019s Marsh in 1998:", "Continued Stone:".
COLON_LEAD = re.compile(r"^(?:More\s+from|Here['\u2019]s|Here\s+is|Continued)\s+(?=[A-Z])")
HEADLINE_DASH = re.compile(r"\s+(?:-|--|\u2013|\u2014)\s+")
# "The letter continues: “...": the verb before a colon is the cue, not the speaker's.
COLON_VERB = re.compile(
    rf"^(?P<speaker>[^,]+?)\s+(?:(?:{AUX})\s+)?(?P<cue>{INVERTED_CUES}|{SPEECH_VERBS}|continues|"
    r"reads|read|affirms|retorted)(?:\s+(?:about|of|to|on)\s+[^,]+)?$"
)
HEADLINE_COLON = re.compile(
    rf"""^[^:{QUOTES}]+?\s(?:-|--|\u2013|\u2014)\s+[A-Z][^:{QUOTES}]{{1,60}}:\s*[{QUOTES}]"""
)
# "As John Cornyn, the No. 2 in the leadership, put it:".
AS_PUT_IT = re.compile(r"^As\s+(?P<speaker>[^:;]{2,120}?),?\s+(?P<cue>put\s+it)\b")
# "with 50 percent saying she is prepared": the share is the speaker.
WITH_SAYING = re.compile(
    r"\bwith\s+(?P<speaker>[^,;]{1,60}?)\s+(?P<cue>saying|telling|arguing|warning)\b"
)
# "In a state poll released Monday, 48 percent chose Marsh": the poll is the source.
IN_DOCUMENT = re.compile(r"^In\s+(?P<speaker>(?:a|an|the|its|their|his|her)\s[^,]{3,100}?)\s*,")
COORDINATED = re.compile(r"[^,]\s+(?:and|but)\s*$|,\s+(?:and|but)\s*$")
ASKED_BY = re.compile(
    r"\basked\s+by\s+(?P<speaker>[^,;]+?)(?=\s+(?:if|whether|about|to|what|why|how|when)\b|,)"
)
# "called him a kind, loving person", "called the mayor a liar": naming, not summoning.
CALLED_OBJECT = re.compile(
    r"\s+(?:him|her|them|it|himself|herself|[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2})"
    r"\s+(?:a|an|the|his|her|their|its)\s"
)
# "called the decision a mistake", "called the charges unsubstantiated": a determiner's noun
# phrase, then a label (an indefinite noun phrase or an adjective closing the clause).
CALLED_LABEL = re.compile(
    r"\s+(?:the|his|her|their|its|this|that|these|those)\s+(?:[\w'\u2019-]+\s+){0,3}?"
    r"(?:(?:a|an)\s|[a-z]+(?:ed|ous|ful|ible|able|ic|ive|less|ent|ant|al|ary|ish)(?:\s+and\b|[,.;]|$))"
)
# "Duarte, who chairs the board and": a relative clause whose second verb follows.
RELATIVE_AND = re.compile(
    rf"^(?P<subject>[A-Z][^,{QUOTES}]{{0,60}}),\s+who\s+[^,;{QUOTES}]*\s(?:and|but)\s*$"
)
PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be|get|got)\s*$")
OPEN_PAREN = re.compile(r"^\(\s*(?=[A-Z])")
SUBORDINATE_OPENER = re.compile(r"^(?:While|Although|Though|Whereas|Even though|Even as)\s+[^,]*$")
# 'a plan that critics called "reckless"', 'what Alden called "a trap"': the object of a
# naming verb is relativised, and its subject is the one who named it.
NAMING_CUES = frozenset({"called", "calls", "described", "describes", "dubbed"})
NAMED_BY = re.compile(
    rf"""\b(?:that|what|which|whom|who)\s+(?P<speaker>[^,;{QUOTES}]{{1,60}}?)\s*$"""
)
LEAD_LIMIT = 200  # characters before a leading cue; further in, the verb is not the frame's


def _with_apposition(found: Found | None, apposition: str | None) -> Found | None:
    """'Alden' + 'an economist' -> 'Alden, an economist' (short noun appositions only)."""
    if not found or not apposition:
        return found
    words = apposition.split()
    if not 1 <= len(words) <= 10 or re.match(rf"(?:{TAIL})\b", apposition):
        return found
    if words[0].lower() in {"a", "an", "the"} or words[0][:1].islower():
        return Found(f"{found.speaker}, {apposition.strip()}", found.cue, found.points_back)
    return found


# "..., the port chief, Ines Duarte, told the Herald.", "..., Okafor, an engineer, said.": a
# speaker and its apposition close the sentence.
APPOSED_TAIL = re.compile(
    rf"(?<=\S),\s+(?P<first>[^,;{QUOTES}]+?),\s+(?P<second>[^,;{QUOTES}]+?),\s+"
    rf"(?:(?:{AUX})\s+){{0,2}}(?P<cue>{CUES})(?P<rest>(?:\s+[^,;\s]+){{0,5}}?)"
    rf"(?:,\s*(?:{TAIL})\b[^;]*)?" + END
)


def _apposed_tail(sentence: str, start: int) -> Found | None:
    """A speaker set off by commas with its apposition at the end: "..., Okafor, a pilot, said"."""
    match = APPOSED_TAIL.search(sentence, start)
    if not match or inside_quotation(sentence, match.start()):
        return None
    rest = match["rest"].rstrip(" .!?\"'\u2019\u201d)")
    told = match["cue"] in {"told", "tells"} and TOLD_OBJECT.match(rest)
    if rest.strip() and not told and not SAID_ADJUNCT.match(rest):
        return None
    first, second = match["first"], match["second"]
    role_then_name = first.split()[0].lower() in DETERMINERS and all(
        word[:1].isupper() for word in second.split()
    )
    name_then_role = first[:1].isupper() and second.split()[0].lower() in {"a", "an", "the"}
    found = found_speaker(first, match["cue"], lower_ok=role_then_name)
    if not found or not (role_then_name or name_then_role) or len(second.split()) > 8:
        return None
    return Found(f"{found.speaker}, {second.strip()}", found.cue)


# A space between the closing marks of a nested quotation: "... told them, 'Come back,' \" said X".
NESTED_CLOSE = re.compile(r"""([,?!.]['\u2019])\s+(?=["\u201d])""")
# '"...," said a watchman at the ferry dock who has worked there for years.': after a
# closed quotation and an inverted verb, the speaker is the noun phrase up to its first
# relative clause or adjunct, whatever follows.
QUOTE_INVERTED = re.compile(
    rf"""[,?!]\s*{CLOSE}\s*(?P<cue>{INVERTED_CUES})\s+(?P<speaker>[^,;{QUOTES}]+?)"""
    r"""(?=\s+(?:who|whom|whose|that|which|known\s+as|during|referring|speaking|when|while|as|"""
    r"""after|before|in\s+a|in\s+an|at\s+a|at\s+the|on\s+[A-Z][a-z]+day)\b|\s*[,;]|""" + END + ")"
)


def _closes_frame(after_verb: str) -> bool:
    """True when nothing but an adjunct or an object of "told" follows the verb."""
    rest = after_verb.rstrip(" .!?\"'\u2019\u201d)")
    return not rest.strip() or bool(SAID_ADJUNCT.match(rest) or TOLD_OBJECT.match(rest))


def _quote_inverted(sentence: str, start: int) -> Found | None:
    """'"...," said a watchman at the ferry dock who ...': the speaker's noun phrase."""
    match = QUOTE_INVERTED.search(sentence, start)
    if not match or inside_quotation(sentence, match.start("cue")):
        return None
    named = any(word[:1].isupper() for word in match["speaker"].split())
    return found_speaker(match["speaker"], match["cue"], lower_ok=named)


def _trailing(sentence: str, start: int = 0) -> Found | None:
    """An attribution closing the sentence: "..., said X." or "..., X told Y."; the frame
    starts at `start` or later."""
    inverted = INVERTED_TAIL.search(sentence, start)
    if inverted:
        named = any(word[:1].isupper() for word in inverted["speaker"].split())
        found = found_speaker(inverted["speaker"], inverted["cue"], max_words=12, lower_ok=named)
        # "..., said the talks failed." reads as inverted; a verb-like head gives it away.
        verb = CLAUSE_VERB.search(inverted["speaker"] + " ")
        relative = re.search(r"\s(?:who|whose|which|that)\s", inverted["speaker"])
        clause = verb and not (relative and relative.start() < verb.start())
        if found and not clause and not core_words(found.speaker)[-1].endswith("ed"):
            return _with_apposition(found, inverted["appos"])
    by_name = INVERTED_NAME.search(sentence, start)
    if by_name and not inside_quotation(sentence, by_name.start("cue")):
        found = found_speaker(by_name["speaker"], by_name["cue"])
        if found:
            return found
    quoted = QUOTE_TAIL.search(sentence, start)
    if quoted:
        named = any(word[:1].isupper() for word in quoted["speaker"].split()[1:])
        found = found_speaker(quoted["speaker"], quoted["cue"], lower_ok=named)
        if found:
            return found
    normal = NORMAL_TAIL.search(sentence, start)
    if not normal:
        return _quote_inverted(sentence, start) or _apposed_tail(sentence, start)
    rest = normal["rest"].rstrip(" .!?\"'\u2019\u201d)")
    object_ok = TOLD_OBJECT.match(rest) if normal["cue"] in {"told", "tells"} else None
    if rest.strip() and not object_ok and not SAID_ADJUNCT.match(rest):
        return _quote_inverted(sentence, start)
    return found_speaker(normal["speaker"], normal["cue"]) or _quote_inverted(sentence, start)


# "responded by using the example of ...": an active verb and how it was done.
BY_DOING = re.compile(r"\s+by\s+[a-z]+ing\b")
# A modal before "see", up to two words back: "voters will (probably) see the ad".
MODAL_BEFORE = re.compile(
    r"\b(?:will|would|could|can|may|might|should|must|shall)\s+(?:[a-z]+\s+){0,2}$"
)


def speech_at(sentence: str, cue: str, end: int) -> bool:
    """False for uses of a cue word that do not report: "added 25 points", "a group called X"."""
    passive = sentence.startswith(" by ", end) and not BY_DOING.match(sentence, end)
    if cue.endswith("ed") and passive:
        return False  # a passive participle: "a practice criticized by Miller"
    if cue == "charged" and sentence.startswith(" with", end):
        return False  # "charged with" a task or a crime
    if cue == "see" and MODAL_BEFORE.search(sentence, 0, end - len(cue)):
        return False  # "voters will see the ad": an experience, not a view
    if re.match(r"\s+(?:nothing|little)\b", sentence[end:]):
        return False  # "said nothing" reports no words
    if cue in {"concluded", "concludes"} and re.match(r"\s*[,;.]", sentence[end:]):
        return False  # "after the interview concluded, Maher said": the event ended
    if cue in {"added", "adds"}:
        return bool(ADDED_SPEECH.match(sentence, end))
    if cue in NEEDS_QUOTE:
        quoted = any(mark in sentence[end:] for mark in "\"\u201c'")
        return (
            quoted
            or bool(CALLED_OBJECT.match(sentence, end))
            or bool(CALLED_LABEL.match(sentence, end))
        )
    return True


def inside_quotation(sentence: str, position: int) -> bool:
    """True when `position` lies within a quotation: the words there are the quoted's own."""
    before = sentence[:position]
    curly = before.count("\u201c") - before.count("\u201d")
    return curly > 0 if curly else before.count('"') % 2 == 1


def _subject_text(prefix: str) -> str:
    """The text before a verb, from the last quotation mark or colon on."""
    cut = max(prefix.rfind(mark) for mark in ('"', "\u201c", "\u201d", ":"))
    return prefix[cut + 1 :] if cut >= 0 else prefix


def _leading(sentence: str, cues: re.Pattern[str] = LEADING_CUE) -> Found | None:
    """An attribution opening a clause: "X said (that) ...", "X, a Y, told ...".

    Every reporting verb outside a quotation is tried in turn, so a verb later in the
    sentence ("..., even as advocates called for his dismissal") still finds its subject.
    """
    subordinate: Found | None = None
    for match in cues.finditer(sentence):
        if match.start() > LEAD_LIMIT:
            return subordinate
        cue = " ".join(match["cue"].split())
        if inside_quotation(sentence, match.start()) or not speech_at(sentence, cue, match.end()):
            continue
        prefix = sentence[: match.start()]
        if PASSIVE.search(prefix):
            continue  # "Officials who were told about the plan": not the officials' words
        if COORDINATED.search(prefix):
            # "Sullivan put off deciding ... but said the group could return": the verb
            # shares the sentence's subject.
            found = leading_subject(prefix, cue, whole=True) or verb_subject(prefix, cue)
            relative = RELATIVE_AND.match(prefix)
            if not found and relative:
                # "Duarte, who chairs the board and has said ..., voted no.": the verb
                # shares the relative clause's subject.
                found = found_speaker(relative["subject"], cue)
            if found:
                return found
            continue
        named = NAMED_BY.search(prefix) if cue in NAMING_CUES else None
        if named:
            # 'the bill that critics called "a trap"': the namer, not the sentence's subject.
            found = found_speaker(named["speaker"], cue)
            if found:
                return found
        found = leading_subject(_subject_text(prefix), cue)
        if not found and _subject_text(prefix) != prefix:
            # 'Humphrey, who calls the mayor a "menace," said': the quotation is inside.
            found = leading_subject(re.sub(f"[{QUOTES}]", "", prefix), cue)
        if found and SUBORDINATE_OPENER.match(prefix) and not subordinate:
            # "While Marsh admitted ..., his campaign has argued ...": the main clause's
            # speaker is the sentence's, if it has one.
            subordinate = found
            continue
        if found:
            return found
    return subordinate


def _document(sentence: str) -> Found | None:
    """A document or poll as the source: "The survey found ...", "the report shows ..."."""
    trailing = DOCUMENT_TAIL.search(sentence)
    if trailing:
        found = found_speaker(trailing["speaker"], trailing["cue"])
        named = trailing["speaker"][:1].isupper()
        if found and (named or is_document(found.speaker)):
            return found
    match = DOCUMENT_CUE.search(sentence)
    if not match or match.start() > LEAD_LIMIT or inside_quotation(sentence, match.start()):
        return None
    found = leading_subject(_subject_text(sentence[: match.start()]), match["cue"])
    # "The researchers found that ...": a finding, whoever made it.
    finding = match["cue"] in {"found", "finds"} and sentence.startswith(" that", match.end())
    return found if found and (finding or is_document(found.speaker)) else None


def _participle(sentence: str) -> Found | None:
    """The subject of a sentence whose speech hangs off it: "X left, saying that ..."."""
    match = PARTICIPLE.search(sentence)
    if not match:
        return None
    cue = match["cue"] or "saying"
    start = match.start("cue") if match["cue"] else match.start()
    if inside_quotation(sentence, start):
        return None
    prefix = sentence[: match.start()]
    return leading_subject(prefix, cue, whole=True) or verb_subject(prefix, cue)


def _quoted(sentence: str) -> Found | None:
    """An attribution between two quotations: '"...," he said, "..."'."""
    match = QUOTE_MID.search(sentence)
    if not match:
        return None
    if match["cue1"]:
        return found_speaker(match["speaker1"], match["cue1"])
    return found_speaker(match["speaker2"], match["cue2"])


def _colon(sentence: str) -> Found | None:
    """A speaker introducing a quotation with a colon: 'Smith: "We will win."'."""
    match = COLON_SPEAKER.match(sentence)
    if not match:
        return None
    # "IOWA POLLS NOT WRONG - Mark Blumenthal: “...": a headline, a dash, then the writer.
    speaker = COLON_LEAD.sub("", HEADLINE_DASH.split(match["speaker"])[-1])
    framed = COLON_VERB.match(speaker)
    if framed:
        return found_speaker(framed["speaker"], framed["cue"])
    return found_speaker(speaker, "")


def _with_saying(sentence: str) -> Found | None:
    """An absolute clause: "with 50 percent saying she is prepared"."""
    match = WITH_SAYING.search(sentence)
    if not match or inside_quotation(sentence, match.start()):
        return None
    return leading_subject(match["speaker"], match["cue"])


def _in_document(sentence: str) -> Found | None:
    """A poll or report opening the sentence: "In a new survey, 60 percent ..."."""
    match = IN_DOCUMENT.match(sentence)
    if not match:
        return None
    found = found_speaker(match["speaker"], "in", max_words=12)
    return found if found and is_poll(found.speaker) else None


def leading_frame(sentence: str, cues: re.Pattern[str] = LEADING_CUE) -> Found | None:
    """Only a frame that opens the sentence: "Rhimes declared ...: "...," she said."."""
    return _leading(DATELINE.sub("", sentence.replace("''", '"')), cues)


def stance_frame(sentence: str) -> Found | None:
    """A subject and a verb of stance or communication: "Marsh knows ...", "X pointed to ..."."""
    return leading_frame(sentence, STANCE_CUE)


def _asked_by(sentence: str) -> Found | None:
    """The asker of a reported question: "Marsh was asked by host Ada Kim whether"."""
    match = ASKED_BY.search(sentence)
    if not match or inside_quotation(sentence, match.start()):
        return None
    named = any(word[:1].isupper() for word in match["speaker"].split())
    return found_speaker(match["speaker"], "asked", lower_ok=named)


# "Varga's claim that ...", "the Tidewater Board's warning about ...": a named possessor of a
# reporting noun is the source of what the noun reports.
POSSESSED_CLAIM = re.compile(
    r"(?:^|(?<=\s))(?P<speaker>(?:[A-Z][\w.\u2019'-]*\s+){0,3}[A-Z][\w\u2019'-]*?"
    r"|(?:[Tt]he|[Aa])\s+(?:[a-z]+\s+)?[a-z]+?)"
    r"(?P<possessive>['\u2019]s|(?<=s)['\u2019])\s+(?:[a-z][\w-]*\s+){0,2}?"
    r"(?P<cue>claims?|assertions?|accusations?|warnings?|statements?|suggestions?|arguments?|"
    r"insistence|call|calls|pledges?|promises?|vows?|remarks|comments|criticism|charges?|"
    r"contention|denials?|admission|predictions?|allegations?)\s+that\b"
)


def _possessed_claim(sentence: str) -> Found | None:
    """The named possessor of a reporting noun: "Varga's claim that the port will close"."""
    for match in POSSESSED_CLAIM.finditer(sentence):
        if inside_quotation(sentence, match.start()):
            continue
        # The cue keeps the possessive, so that it reads "Varga's claim", never "claims Varga".
        found = found_speaker(match["speaker"], f"{match['possessive']} {match['cue']}")
        if found:
            return found
    return None


# 'Said Alden, "We will win."': an inverted verb opening the sentence, then the quotation.
OPENING_INVERTED = re.compile(
    rf"""^(?P<cue>Said|Says|Added|Adds|Wrote|Writes|Asked|Explained|Noted|Continued)\s+"""
    rf"""(?P<speaker>[^,;:{QUOTES}]{{1,80}}?)\s*[,:]\s*[{QUOTES}]"""
)


def explicit(sentence: str) -> Found | None:
    """The speaker the sentence itself names, outermost frame first."""
    # Some wire copy quotes with two apostrophes (''...''); read them as one mark.
    sentence = DATELINE.sub("", sentence.replace("''", '"').replace("``", '"'))
    # "... told them, 'Come back,' \" said X": a space between a nested quotation's marks.
    sentence = NESTED_CLOSE.sub("\\1", sentence)
    # "(Forbes says it tracks ...)": an aside in parentheses is read as a sentence.
    sentence = OPEN_PAREN.sub("", sentence)
    if HEADLINE_COLON.match(sentence):
        # "Pollsters agree - Carl Bialik: \u201c...": the headline's verb frames nothing.
        found = _colon(sentence)
        if found:
            return found
    opening = OPENING_INVERTED.match(sentence)
    if opening:
        found = found_speaker(opening["speaker"], opening["cue"])
        if found:
            return found
    back = BACK_REFERENCE.match(sentence)
    if back:
        return found_speaker(back["speaker"], back["cue"], back=True)
    put_it = AS_PUT_IT.match(sentence)
    if put_it:
        found = found_speaker(put_it["speaker"], "put it", max_words=10)
        if found:
            return found
    reported = AS_REPORTED.match(sentence)
    if reported:
        return found_speaker(reported["speaker"], reported["cue"], max_words=10)
    framed = FRAMED_SUBJECT.match(sentence)
    if framed:
        found = _leading(sentence)
        if found:
            return found
    # A name set off by commas just before the verb is its subject, so that ", said" is no
    # inverted "said X": "One of the authors, Ann Lee, said the plan works" is not the words
    # of "the plan works".
    start = framed.end() if framed and APPOSED_NAME.search(framed.group(0)) else 0
    if start and _closes_frame(sentence[start:]):
        start = 0  # "..., a spokesman, Piet Laan, said on Tuesday.": the frame ends it
    found = _trailing(sentence, start)
    if found:
        return found
    reported = REPORTED_BY.search(sentence)
    if reported and not inside_quotation(sentence, reported.start()):
        found = found_speaker(reported["speaker"], reported["cue"], lower_ok=True)
        if found:
            return found
    according = ACCORDING_TO.search(sentence)
    if according:
        return _according_to(according["speaker"])
    return (
        _leading(sentence)
        or _quoted(sentence)
        or _participle(sentence)
        or _document(sentence)
        or _colon(sentence)
        or _in_document(sentence)
        or _with_saying(sentence)
        or _asked_by(sentence)
        or _possessed_claim(sentence)
    )
