"""The seed article: hand-written questions (hit@1, hit@3, abstention) and attribution accuracy.

Questions: `data/seed_questions.json`, each with distinctive substrings of the sentences that
answer it (`expect`), or `abstain: true` when the article does not answer it. A question with
`expect` is a hit@1 when the first quote contains one of the substrings, a hit@3 when any of the
first three does; an `abstain` question is right when the bot declines.

Attribution: `data/seed_gold.json` gives every body sentence with its speaker and cue, written by
reading the article as an editor. Accuracy is the share of gold sentences whose stored passage
(same text, after the normal ingestion) has the same speaker and the same cue; a gold sentence
the pipeline did not produce counts as wrong.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.evaluate import print_report
from bot.ingest import read_file
from bot.library import Library
from bot.models import Article, BotError
from bot.settings import Settings

DATA_DIR = Path(__file__).resolve().parent / "data"
QUESTIONS_FILE = DATA_DIR / "seed_questions.json"
GOLD_FILE = DATA_DIR / "seed_gold.json"


@dataclass(frozen=True)
class QuestionResult:
    """How the bot did on one seed question."""

    question: str
    kind: str
    abstain: bool  # the article does not answer it
    answered: bool
    hit_at_1: bool  # for abstain questions: declined
    hit_at_3: bool
    top: str | None  # the first quote, if any


@dataclass(frozen=True)
class SeedReport:
    """Seed question scores and attribution accuracy."""

    article: str
    questions: tuple[QuestionResult, ...]
    hit_at_1: float  # over answerable questions
    hit_at_3: float
    abstained: float  # share of unanswerable questions declined
    attribution_accuracy: float
    attribution_errors: tuple[str, ...]  # "sentence: got X/cue, want Y/cue"


def evaluate_seed(article_path: Path, settings: Settings | None = None) -> SeedReport:
    """Ask the seed questions of a corpus holding only the seed article; check attribution."""
    settings = settings or Settings(_env_file=None)
    questions = _load(QUESTIONS_FILE)["questions"]
    gold = _load(GOLD_FILE)
    article = read_file(article_path)
    with tempfile.TemporaryDirectory(prefix="seed-eval-") as scratch:
        library = Library.open(
            settings.model_copy(
                update={"corpus_dir": Path(scratch) / "corpus", "data_dir": Path(scratch) / "var"}
            )
        )
        stored = library.add(article)
        results = tuple(_ask(library, entry) for entry in questions)
        accuracy, errors = attribution_accuracy(library, stored, gold)
    answerable = [r for r in results if not r.abstain]
    unanswerable = [r for r in results if r.abstain]
    return SeedReport(
        article=str(article_path),
        questions=results,
        hit_at_1=_share(r.hit_at_1 for r in answerable),
        hit_at_3=_share(r.hit_at_3 for r in answerable),
        abstained=_share(r.hit_at_1 for r in unanswerable),
        attribution_accuracy=accuracy,
        attribution_errors=errors,
    )


def _ask(library: Library, entry: dict) -> QuestionResult:
    answer = library.ask(entry["question"])
    texts = [quote.text for quote in answer.quotes]
    abstain = bool(entry.get("abstain"))
    expected = entry.get("expect", [])

    def right(text: str) -> bool:
        return any(substring in text for substring in expected)

    return QuestionResult(
        question=entry["question"],
        kind=entry.get("kind", ""),
        abstain=abstain,
        answered=answer.answered,
        hit_at_1=not answer.answered if abstain else bool(texts) and right(texts[0]),
        hit_at_3=not answer.answered if abstain else any(right(t) for t in texts[:3]),
        top=texts[0] if texts else None,
    )


def attribution_accuracy(
    library: Library, article: Article, gold: dict
) -> tuple[float, tuple[str, ...]]:
    """Share of gold sentences whose stored speaker and cue match, and the mismatches."""
    passages = {p.text: p for p in library.passages_of(article.id)}
    total = right = 0
    errors: list[str] = []
    for paragraph in gold["paragraphs"]:
        for sentence in paragraph["sentences"]:
            total += 1
            passage = passages.get(sentence["text"])
            got = (passage.attribution.speaker, passage.attribution.cue) if passage else None
            want = (sentence["speaker"], sentence["cue"])
            if got == want:
                right += 1
            else:
                errors.append(f"{sentence['text'][:60]}...: got {got}, want {want}")
    return (right / total if total else 0.0), tuple(errors)


def default_article(settings: Settings) -> Path:
    """The seed article in the bot's corpus folder (its headline is the gold's)."""
    headline = _load(GOLD_FILE)["headline"]
    for path in sorted(Path(settings.corpus_dir).glob("*.json")):
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("title") == headline:
                return path
        except (OSError, ValueError):
            continue
    raise BotError(f"the seed article is not in {settings.corpus_dir}; pass its path")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval seed` arguments: [ARTICLE], --json."""
    parser.add_argument(
        "article",
        type=Path,
        nargs="?",
        default=None,
        help="the seed article file (default: found in the corpus folder)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_seed)


def run_seed(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the seed evaluation and print a table (or JSON); 1 when the article is missing."""
    settings = settings or Settings(_env_file=None)
    return print_report(
        lambda: evaluate_seed(args.article or default_article(settings), settings),
        as_json=args.json,
        to_json=asdict,
        to_text=format_report,
    )


def format_report(report: SeedReport) -> str:
    """One line per question, then the summary figures."""
    lines = [f"seed: {len(report.questions)} questions about {report.article}"]
    for result in report.questions:
        mark = "ok " if result.hit_at_1 else ("~3 " if result.hit_at_3 else "NO ")
        lines.append(f"{mark} {result.question}  ->  {(result.top or '(declined)')[:70]}")
    lines += [
        f"hit@1 {report.hit_at_1:.3f}  hit@3 {report.hit_at_3:.3f}  "
        f"abstained {report.abstained:.3f}  attribution accuracy {report.attribution_accuracy:.3f}",
        *(f"attribution: {error}" for error in report.attribution_errors),
    ]
    return "\n".join(lines)


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BotError(f"cannot read {path}: {exc}") from exc


def _share(values: object) -> float:
    items = list(values)  # type: ignore[call-overload]
    return sum(items) / len(items) if items else 0.0
