"""Follow-up conversations: hit@1 of turn 2+ with and without the conversation as context.

Dataset: an article-extraction-benchmark directory (`ground-truth.json`: {sha256: {"url",
"articleBody"}}). The conversations (`data/followup_conversations.json`) name articles by that
key and give, for every turn, distinctive substrings of the sentences that answer it. All the
referenced articles are ingested together (title from the URL's last path segment, body from
`articleBody`) so that a follow-up can go wrong by drifting to another article.

A turn is a hit when the first quote contains one of its substrings. Each conversation is asked
twice: with context (each answer remembered, as in `chat`) and without (every question alone).
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.conversation import Conversation
from bot.evaluate import print_report
from bot.evaluate.benchmark import ingest_benchmark_article, load_ground_truth, load_json
from bot.library import Library
from bot.models import Answer
from bot.settings import Settings

DATA_DIR = Path(__file__).resolve().parent / "data"
CONVERSATIONS_FILE = DATA_DIR / "followup_conversations.json"


@dataclass(frozen=True)
class TurnResult:
    """One follow-up turn asked with and without context."""

    article: str
    question: str
    turn: int  # from 1
    with_context: bool  # hit@1
    without_context: bool
    top: str | None  # first quote with context


@dataclass(frozen=True)
class FollowupReport:
    """Turn-1 and turn-2+ hit@1, with and without context."""

    dataset: str
    conversations: int
    first_turns: float  # hit@1 of the opening questions
    followups: int
    with_context: float
    without_context: float
    turns: tuple[TurnResult, ...]


def evaluate_followups(
    dataset_dir: Path,
    settings: Settings | None = None,
    conversations_file: Path = CONVERSATIONS_FILE,
) -> FollowupReport:
    """Ingest the referenced articles and run every conversation both ways."""
    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    conversations = load_json(conversations_file)["conversations"]
    truth = load_ground_truth(dataset_dir)
    with tempfile.TemporaryDirectory(prefix="followups-eval-") as scratch:
        library = Library.open(
            settings.model_copy(
                update={"corpus_dir": Path(scratch) / "corpus", "data_dir": Path(scratch) / "var"}
            )
        )
        for key in sorted({c["article"] for c in conversations}):
            ingest_benchmark_article(library, key, truth)
        results = [_run(library, conversation) for conversation in conversations]
    first = [hit for hit, _ in results]
    turns = tuple(turn for _, conversation_turns in results for turn in conversation_turns)
    return FollowupReport(
        dataset=str(dataset_dir),
        conversations=len(conversations),
        first_turns=_share(first),
        followups=len(turns),
        with_context=_share([t.with_context for t in turns]),
        without_context=_share([t.without_context for t in turns]),
        turns=turns,
    )


def _run(library: Library, conversation: dict) -> tuple[bool, list[TurnResult]]:
    """Hit@1 of the opening turn and the results of the follow-ups."""
    context = Conversation()
    opening: bool | None = None
    turns: list[TurnResult] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        answer = library.ask(turn["q"], context)
        context.remember(answer)
        hit = _hit(answer, turn["expect"])
        if number == 1:
            opening = hit
            continue
        alone = library.ask(turn["q"])
        turns.append(
            TurnResult(
                article=conversation["article"],
                question=turn["q"],
                turn=number,
                with_context=hit,
                without_context=_hit(alone, turn["expect"]),
                top=answer.quotes[0].text if answer.quotes else None,
            )
        )
    return bool(opening), turns


def _hit(answer: Answer, expected: list[str]) -> bool:
    return bool(answer.quotes) and any(s in answer.quotes[0].text for s in expected)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval followups` arguments: PATH, --json."""
    parser.add_argument("path", type=Path, help="article-extraction-benchmark directory")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_followups)


def run_followups(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the evaluation and print a table (or JSON); 1 when the dataset cannot be read."""
    return print_report(
        lambda: evaluate_followups(args.path, settings),
        as_json=args.json,
        to_json=asdict,
        to_text=format_report,
    )


def format_report(report: FollowupReport) -> str:
    """Each follow-up with its two outcomes, then the hit@1 figures."""
    lines = [f"followups: {report.conversations} conversations over {report.dataset}"]
    for turn in report.turns:
        marks = f"{'ok' if turn.with_context else '--'} {'ok' if turn.without_context else '--'}"
        lines.append(f"{marks}  {turn.article[:8]} t{turn.turn} {turn.question}")
    lines += [
        f"{'':<28}{'hit@1':>8}",
        f"{'turn 1':<28}{report.first_turns:>8.3f}",
        f"{'turn 2+ with context':<28}{report.with_context:>8.3f}  ({report.followups} turns)",
        f"{'turn 2+ without context':<28}{report.without_context:>8.3f}",
    ]
    return "\n".join(lines)


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0
