"""Extractive summaries against an editor's picks: sentence precision and recall.

Dataset: an article-extraction-benchmark directory (`ground-truth.json`). The gold set
(`data/summary_gold.json`) names 30 articles by their key and gives, verbatim as the bot splits
them, the three sentences a news editor would keep. Each article is split and attributed as
`eval followups` ingests it (title from the URL's last path segment, body from `articleBody`).

Three summarisers are scored in one run: the bot's, the first three sentences (lead-3), and three
sentences drawn at random (seeded, so every run draws the same). Precision is the share of the
picked sentences that the editor picked, recall the share of the editor's picks that were picked;
both are averaged over articles, also over the even- and odd-numbered articles on their own.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.evaluate import print_report
from bot.ingest import read_text
from bot.library import build_passages
from bot.models import BotError, Passage
from bot.summary import summarise

GOLD_FILE = Path(__file__).resolve().parent / "data" / "summary_gold.json"
GROUND_TRUTH_FILE = "ground-truth.json"
RANDOM_SEED = 12
Summariser = Callable[[str, Sequence[Passage], int], list[Passage]]


@dataclass(frozen=True)
class Scores:
    """Mean sentence precision and recall of one summariser."""

    precision: float
    recall: float
    precision_even: float
    precision_odd: float


@dataclass(frozen=True)
class ArticleResult:
    article: str
    gold: int  # editor's sentences
    ours: int  # of ours among them
    lead: int
    random: int


@dataclass(frozen=True)
class SummaryReport:
    dataset: str
    articles: int
    sentences: int
    ours: Scores
    lead: Scores
    random: Scores
    results: tuple[ArticleResult, ...]


def ours(_key: str, passages: Sequence[Passage], count: int) -> list[Passage]:
    return summarise(passages, count)


def lead(_key: str, passages: Sequence[Passage], count: int) -> list[Passage]:
    return list(passages[:count])


def random_pick(key: str, passages: Sequence[Passage], count: int) -> list[Passage]:
    chooser = random.Random(f"{RANDOM_SEED}:{key}")
    return sorted(chooser.sample(list(passages), min(count, len(passages))), key=_position)


def evaluate_summary(dataset_dir: Path, gold_file: Path = GOLD_FILE) -> SummaryReport:
    """Score the three summarisers on every gold article."""
    gold = _load_json(gold_file)["articles"]
    truth = _load_json(Path(dataset_dir) / GROUND_TRUTH_FILE)
    scored: dict[str, list[tuple[float, float]]] = {"ours": [], "lead": [], "random": []}
    results = []
    for entry in gold:
        key, wanted = entry["article"], set(entry["sentences"])
        passages = _passages(key, truth)
        missing = wanted - {p.text for p in passages}
        if missing:
            raise BotError(f"gold sentence not in article {key[:12]}: {sorted(missing)[0]!r}")
        hits = {}
        for name, summariser in (("ours", ours), ("lead", lead), ("random", random_pick)):
            picked = {p.text for p in summariser(key, passages, len(wanted))}
            hits[name] = len(picked & wanted)
            precision = hits[name] / len(picked) if picked else 0.0
            scored[name].append((precision, hits[name] / len(wanted)))
        results.append(ArticleResult(key, len(wanted), hits["ours"], hits["lead"], hits["random"]))
    return SummaryReport(
        dataset=str(dataset_dir),
        articles=len(results),
        sentences=sum(r.gold for r in results),
        ours=_scores(scored["ours"]),
        lead=_scores(scored["lead"]),
        random=_scores(scored["random"]),
        results=tuple(results),
    )


def _passages(key: str, truth: dict) -> tuple[Passage, ...]:
    entry = truth.get(key)
    if not isinstance(entry, dict) or not entry.get("articleBody"):
        raise BotError(f"article {key} is not in the benchmark's {GROUND_TRUTH_FILE}")
    url = str(entry.get("url") or "")
    title = url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ") or key
    record = {"title": title, "articleBody": entry["articleBody"], "url": url or None}
    return build_passages(read_text(json.dumps(record), fmt="json", name=key))


def _scores(pairs: list[tuple[float, float]]) -> Scores:
    def mean(values: Sequence[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return Scores(
        precision=mean([p for p, _ in pairs]),
        recall=mean([r for _, r in pairs]),
        precision_even=mean([p for p, _ in pairs[0::2]]),
        precision_odd=mean([p for p, _ in pairs[1::2]]),
    )


def _position(passage: Passage) -> int:
    return passage.position


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval summary` arguments: PATH, --gold, --json."""
    parser.add_argument("path", type=Path, help="article-extraction-benchmark directory")
    parser.add_argument("--gold", type=Path, default=GOLD_FILE, help="editor's picks (JSON)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_summary)


def run_summary(args: argparse.Namespace, settings: object = None) -> int:
    """Run the evaluation and print a table (or JSON); 1 when the dataset cannot be read."""
    return print_report(
        lambda: evaluate_summary(args.path, args.gold),
        as_json=args.json,
        to_json=asdict,
        to_text=format_report,
    )


def format_report(report: SummaryReport) -> str:
    """Per-article hits, then precision/recall of each summariser."""
    lines = [f"summary: {report.articles} articles, {report.sentences} editor's sentences"]
    lines += [
        f"{r.article[:12]}  ours {r.ours}/{r.gold}  lead-3 {r.lead}  random-3 {r.random}"
        for r in report.results
    ]
    lines.append(f"{'':<10}{'precision':>10}{'recall':>8}{'P even':>8}{'P odd':>8}")
    for name, scores in (
        ("ours", report.ours),
        ("lead-3", report.lead),
        ("random-3", report.random),
    ):
        lines.append(
            f"{name:<10}{scores.precision:>10.3f}{scores.recall:>8.3f}"
            f"{scores.precision_even:>8.3f}{scores.precision_odd:>8.3f}"
        )
    return "\n".join(lines)


def _load_json(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BotError(f"no {path.name} at {path.parent}: is the dataset there?") from exc
    except (OSError, ValueError) as exc:
        raise BotError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise BotError(f"{path}: expected a JSON object")
    return data
