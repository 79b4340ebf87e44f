"""Conversation context, so that follow-ups ("What else did he say?") can be answered."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.models import Answer

MAX_TURNS = 6


@dataclass(frozen=True)
class Turn:
    """What was asked and which passages were quoted in reply."""

    question: str
    quoted: tuple[tuple[str, int], ...]  # (article id, sentence position), best first
    speakers: tuple[str, ...]  # speakers of the quotes, best first, without repeats
    # The article the answer was about ("this article" in the next question), and its kind.
    focus: str | None = None
    kind: str = "quotes"
    page: int = 1  # of an article list

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "quoted": [list(q) for q in self.quoted],
            "speakers": list(self.speakers),
            "focus": self.focus,
            "kind": self.kind,
            "page": self.page,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        focus = data.get("focus")
        return cls(
            question=str(data["question"]),
            quoted=tuple((str(a), int(p)) for a, p in data.get("quoted", [])),
            speakers=tuple(str(s) for s in data.get("speakers", [])),
            focus=str(focus) if focus else None,
            kind=str(data.get("kind") or "quotes"),
            page=int(data.get("page") or 1),
        )


class Conversation:
    """The last few turns of one conversation; JSON-serialisable."""

    def __init__(self, turns: list[Turn] | None = None) -> None:
        self._turns: deque[Turn] = deque(turns or [], maxlen=MAX_TURNS)

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(self._turns)

    @property
    def is_empty(self) -> bool:
        return not self._turns

    @property
    def last(self) -> Turn | None:
        return self._turns[-1] if self._turns else None

    def last_answered(self) -> Turn | None:
        """The most recent turn that quoted something."""
        for turn in reversed(self._turns):
            if turn.quoted:
                return turn
        return None

    def focus(self) -> str | None:
        """The article the conversation is about: that of the latest answer about one."""
        for turn in reversed(self._turns):
            if turn.focus:
                return turn.focus
        return None

    def already_quoted(self) -> set[tuple[str, int]]:
        return {q for turn in self._turns for q in turn.quoted}

    def remember(self, answer: Answer) -> None:
        """Add the answer as the newest turn."""
        speakers: list[str] = []
        for quote in answer.quotes:
            if quote.speaker and quote.speaker not in speakers:
                speakers.append(quote.speaker)
        quoted = tuple((q.passage.article_id, q.passage.position) for q in answer.quotes)
        about = answer.article
        turn = Turn(
            answer.question,
            quoted,
            tuple(speakers),
            focus=about.id if about is not None else None,
            kind=answer.kind,
            page=answer.page,
        )
        self._turns.append(turn)

    def reset(self) -> None:
        self._turns.clear()

    def to_dict(self) -> dict[str, Any]:
        return {"turns": [turn.to_dict() for turn in self._turns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        return cls([Turn.from_dict(t) for t in data.get("turns", [])])
