"""Recognise questions about a whole article: its gist, facts, people, one speaker, the corpus.

Each kind is a small set of whole-question patterns. A question is article-level only when
*all* of it fits one: "What is this article about?" does, "What is NATO about to do?" does not,
because "NATO about to do" is no reference to an article. What the patterns may leave free is
either a reference to the article ("this", "the story", "the article about Ukraine") or, for
one speaker, the speaker's description. Anything else is an ordinary question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

IntentKind = Literal["summary", "facts", "speakers", "speaker", "articles", "question"]

# "the article", "this story", "it", "the piece about Ukraine" (the topic is captured).
_NOUN = r"(?:article|story|piece|news\s+story|text|item)"
REFERENCE = (
    rf"(?:(?:this|the|that|your)\s+(?:{_NOUN})(?:\s+(?:about|on)\s+(?P<topic>.+?))?"
    r"|it|this|that|this\s+one)"
)
_REF = rf"(?:\s+(?:(?:of|in|from|for|on|about)\s+)?{REFERENCE})?"
# Words that change nothing: "please", "can you", "hey", "for me".
POLITE_PREFIX = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|and|now|please|pls|bot)\b[\s,]*"
    r"|(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:want|need|would\s+like)\s+(?:to\s+)?)+"
)
POLITE_SUFFIX = re.compile(r"(?:[\s,]+(?:please|pls|thanks|thank\s+you|for\s+me|again))+$")
TRAILING = re.compile(r"[\s?!.…:;,]+$")

_SUMMARY = (
    rf"(?:what(?:'s|\s+is|s)|what\s+was)\s+{REFERENCE}\s+(?:all\s+)?about",
    rf"what\s+(?:is|was)\s+{REFERENCE}\s+saying",
    rf"what\s+does\s+{REFERENCE}\s+say",
    rf"(?:summari[sz]e|sum\s+up|recap|brief\s+me\s+on|explain){_REF}",
    rf"sum\s+(?:it|this|{REFERENCE})\s+up",
    r"tl\s*;?\s*dr",
    rf"(?:give\s+me\s+|what\s+(?:are|were)\s+|list\s+|show\s+me\s+)?(?:the\s+)?"
    rf"(?:main|key|important)\s+(?:points|facts|takeaways|ideas|findings){_REF}",
    rf"(?:what\s+are\s+|give\s+me\s+)?the\s+(?:main\s+)?takeaways{_REF}",
    rf"(?:give\s+me\s+|show\s+me\s+)?(?:a\s+|the\s+)?(?:summary|synopsis|rundown|overview|gist)"
    rf"(?:\s+please)?{_REF}",
    rf"what(?:'s|\s+is|s)\s+the\s+(?:gist|summary|upshot|story|point){_REF}",
    rf"(?:give\s+me\s+|what\s+are\s+)?the\s+highlights{_REF}",
    r"in\s+short,?\s+what\s+happened",
    r"what(?:'s|\s+is|s)\s+the\s+news\s+here",
    r"what\s+happened\s+in\s+" + REFERENCE,
)
_FACTS = (
    rf"who\s+(?:wrote|reported|published|authored|filed|is\s+the\s+author\s+of|"
    rf"is\s+the\s+reporter\s+(?:of|on)|posted)\s+{REFERENCE}",
    rf"who(?:'s|\s+is)\s+the\s+(?:author|reporter|writer|journalist){_REF}",
    rf"(?:which|what)\s+(?:outlet|newspaper|paper|publication|site|website|news\s+site|source)"
    rf"\s+(?:is\s+{REFERENCE}\s+from|(?:published|ran|wrote|reported)\s+{REFERENCE})",
    rf"where\s+(?:is|was)\s+{REFERENCE}\s+(?:from|published)",
    rf"when\s+(?:was|is)\s+{REFERENCE}\s+(?:published|written|posted|out|from|dated)",
    rf"how\s+old\s+is\s+{REFERENCE}",
    rf"(?:send\s+me\s+|give\s+me\s+|share\s+|show\s+me\s+)?(?:the\s+|a\s+)?(?:link|url|source\s+link)"
    rf"(?:\s+please)?{_REF}",
    rf"what(?:'s|\s+is|s)\s+the\s+(?:link|url|source|outlet|publication\s+date|date|byline)"
    rf"{_REF}",
    r"where\s+can\s+i\s+(?:read|find|see)\s+(?:the\s+(?:full|whole|original)\s+)?"
    rf"(?:{_NOUN}|it|this)",
    r"(?:article|story)\s+(?:info|details|source)",
)
_SPEAKERS = (
    rf"who(?:'s|\s+is|\s+are|\s+was|\s+were|\s+gets?)\s+(?:being\s+)?(?:quoted|cited|interviewed)"
    rf"{_REF}",
    rf"(?:what|who)\s+(?:are|were)\s+the\s+(?:sources|people\s+quoted|speakers){_REF}",
    rf"who\s+(?:does|did)\s+{REFERENCE}\s+(?:quote|cite|interview)",
    rf"what\s+sources\s+(?:does|did)\s+{REFERENCE}\s+(?:quote|cite|use)",
    rf"who\s+(?:speaks|talks|is\s+speaking)\s+in\s+{REFERENCE}",
    rf"(?:which|what)\s+people\s+are\s+(?:quoted|cited|mentioned){_REF}",
    rf"(?:list|show\s+me|give\s+me)\s+the\s+(?:speakers|sources|people\s+quoted){_REF}",
    rf"whose\s+(?:views|voices|words|quotes)\s+are\s+in\s+{REFERENCE}",
    rf"(?:the\s+)?(?:speakers|sources){_REF}",
)
_ARTICLES = (
    r"(?:what|which)\s+(?:articles|stories|news|sources)\s+(?:do|can)\s+you\s+(?:have|know"
    r"|quote|cover)",
    r"(?:list|show(?:\s+me)?)\s+(?:your|the|all(?:\s+the)?|the\s+latest|the\s+newest|all\s+your)"
    r"\s+(?:articles|stories)",
    r"what(?:'s|\s+is|s)\s+new",
    r"anything\s+new",
    r"any\s+(?:new|recent)\s+(?:articles|stories|news)",
    r"what\s+(?:are\s+)?(?:the\s+)?(?:newest|latest|recent)\s+(?:articles|stories|news)",
    r".*\b(?:which|what)\s+articles",
    r"(?:your\s+)?(?:articles|stories)",
)
_SPEAKER_VERBS = r"(?:say|said|tell\s+(?:us|reporters)|told\s+(?:us|reporters))"
_ONE_SPEAKER = (
    rf"what\s+(?:else\s+)?(?:did|has|have|does)\s+(?P<speaker>.+?)\s+(?:else\s+)?{_SPEAKER_VERBS}"
    rf"(?:\s+(?:in|about)\s+{REFERENCE})?",
    r"(?:show\s+me\s+|give\s+me\s+|list\s+)?everything\s+(?P<speaker>.+?)\s+(?:said|says)",
    r"(?:show\s+me\s+|give\s+me\s+|list\s+)?all\s+(?:of\s+)?(?:the\s+)?(?P<speaker>.+?)'s\s+"
    r"(?:quotes|words|statements)",
    r"(?:show\s+me\s+|give\s+me\s+|list\s+)?all\s+(?:the\s+)?(?:quotes|statements|sentences)"
    r"\s+(?:from|by|of)\s+(?P<speaker>.+)",
)
# Article-level questions are short; longer text is never matched (and never costs a
# quadratic regex match).
MAX_INTENT_CHARS = 200
# Pronouns are follow-ups ("what else did he say?"), answered from the conversation.
PRONOUNS = frozenset({"he", "she", "they", "it", "him", "her", "them", "you", "i", "we", "this"})
# A "speaker" that is really the article, the bot or a crowd of nobody: "what does it say".
NOT_SPEAKERS = re.compile(
    r"^(?:the\s+|this\s+|that\s+)?(?:article|story|piece|report|text|bot|news|you|people\s+say)$"
)


def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compile each pattern; a reference used twice gets numbered topic groups (topic, topic2)."""
    compiled = []
    for pattern in patterns:
        head, *rest = pattern.split("(?P<topic>")
        groups = ["(?P<topic>" if n == 1 else f"(?P<topic{n}>" for n in range(1, len(rest) + 1)]
        compiled.append(
            re.compile(head + "".join(g + part for g, part in zip(groups, rest, strict=True)))
        )
    return tuple(compiled)


PATTERNS: tuple[tuple[IntentKind, tuple[re.Pattern[str], ...]], ...] = (
    ("summary", _compile(_SUMMARY)),
    ("facts", _compile(_FACTS)),
    ("speakers", _compile(_SPEAKERS)),
    ("articles", _compile(_ARTICLES)),
)
ONE_SPEAKER = _compile(_ONE_SPEAKER)


@dataclass(frozen=True)
class Intent:
    """What kind of answer a question wants, with the speaker or topic it names."""

    kind: IntentKind
    speaker: str | None = None  # for "speaker": as the reader wrote it ("the same diplomat")
    topic: str | None = None  # "the article about Ukraine" -> "ukraine"

    @property
    def article_level(self) -> bool:
        return self.kind != "question"


QUESTION = Intent("question")


def normalise(question: str) -> str:
    """Lower case, straight apostrophes, single spaces, no politeness or closing punctuation."""
    text = " ".join(question.replace("\u2019", "'").replace("\u2018", "'").lower().split())
    text = TRAILING.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = POLITE_SUFFIX.sub("", POLITE_PREFIX.sub("", text))
        text = TRAILING.sub("", text)
    return text


def recognise(question: str) -> Intent:
    """The intent of the question; `QUESTION` for anything that is not about a whole article."""
    if len(question) > MAX_INTENT_CHARS:
        return QUESTION
    text = normalise(question)
    if not text:
        return QUESTION
    for kind, patterns in PATTERNS:
        for pattern in patterns:
            match = pattern.fullmatch(text)
            if match:
                return Intent(kind, topic=_topic(match))
    for pattern in ONE_SPEAKER:
        match = pattern.fullmatch(text)
        if match and _is_speaker(match.group("speaker")):
            return Intent("speaker", speaker=match.group("speaker"), topic=_topic(match))
    return QUESTION


def _topic(match: re.Match[str]) -> str | None:
    topics = [value for key, value in match.groupdict().items() if key.startswith("topic")]
    found = next((topic for topic in topics if topic), None)
    return found.strip() if found else None


def _is_speaker(phrase: str) -> bool:
    words = phrase.split()
    if not words or len(words) > 12 or NOT_SPEAKERS.match(phrase):
        return False
    return not (len(words) == 1 and words[0] in PRONOUNS)
