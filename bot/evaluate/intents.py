"""Article-level question recognition: accuracy on a labelled set of phrasings.

Dataset: a JSON file (`data/intents_gold.json` by default) with `cases`, each a phrasing and the
intent a reader means by it: "summary", "facts", "speakers", "speaker", "articles", or
"question" for an ordinary question that only looks article-level ("What is NATO about to do?").
Reported: accuracy over all cases, and the share of ordinary questions taken as article-level
(each of those would have been answered with a summary or a list instead of quotes).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.evaluate import print_report
from bot.intents import recognise
from bot.models import BotError

GOLD_FILE = Path(__file__).resolve().parent / "data" / "intents_gold.json"
KINDS = ("summary", "facts", "speakers", "speaker", "articles", "question")


@dataclass(frozen=True)
class IntentMiss:
    """One phrasing recognised as the wrong intent."""

    text: str
    expected: str
    got: str


@dataclass(frozen=True)
class IntentReport:
    """Accuracy overall and per intent, and ordinary questions mistaken for article-level."""

    dataset: str
    cases: int
    accuracy: float
    per_intent: dict[str, tuple[int, int]]  # intent -> (right, total)
    questions: int
    questions_taken_as_article_level: float
    misses: tuple[IntentMiss, ...]


def evaluate_intents(path: Path = GOLD_FILE) -> IntentReport:
    """Recognise every phrasing of the set and compare with its label."""
    cases = _load_cases(path)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: list[IntentMiss] = []
    for text, expected in cases:
        got = recognise(text).kind
        total[expected] += 1
        if got == expected:
            right[expected] += 1
        else:
            misses.append(IntentMiss(text, expected, got))
    questions = total["question"]
    mistaken = sum(1 for miss in misses if miss.expected == "question")
    return IntentReport(
        dataset=str(path),
        cases=len(cases),
        accuracy=sum(right.values()) / len(cases),
        per_intent={kind: (right[kind], total[kind]) for kind in KINDS if total[kind]},
        questions=questions,
        questions_taken_as_article_level=mistaken / questions if questions else 0.0,
        misses=tuple(misses),
    )


def _load_cases(path: Path) -> list[tuple[str, str]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        cases = [(str(case["text"]), str(case["intent"])) for case in data["cases"]]
    except FileNotFoundError as exc:
        raise BotError(f"no intent gold set at {path}") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BotError(f"cannot read the intent gold set {path}: {exc}") from exc
    unknown = sorted({intent for _, intent in cases} - set(KINDS))
    if unknown:
        raise BotError(f"{path}: unknown intents {unknown}; expected one of {list(KINDS)}")
    if not cases:
        raise BotError(f"{path}: no cases")
    return cases


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval intents` arguments: [PATH], --json."""
    parser.add_argument(
        "path", type=Path, nargs="?", default=GOLD_FILE, help="labelled phrasings (JSON)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_intents)


def run_intents(args: argparse.Namespace, settings: object = None) -> int:
    """Run the evaluation and print a table (or JSON)."""
    return print_report(
        lambda: evaluate_intents(args.path),
        as_json=args.json,
        to_json=asdict,
        to_text=format_report,
    )


def format_report(report: IntentReport) -> str:
    """Misses, then accuracy per intent and overall."""
    lines = [f"intents: {report.cases} phrasings from {report.dataset}"]
    lines += [f"miss  want {m.expected:<9} got {m.got:<9} {m.text}" for m in report.misses]
    for kind, (right, total) in report.per_intent.items():
        lines.append(f"{kind:<12}{right:>4}/{total:<4}{right / total:>8.3f}")
    lines += [
        f"{'accuracy':<21}{report.accuracy:>8.3f}",
        f"ordinary questions taken as article-level: "
        f"{report.questions_taken_as_article_level:.1%} of {report.questions}",
    ]
    return "\n".join(lines)
