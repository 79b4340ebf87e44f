"""Extractive summaries against an editor's picks: sentence precision and recall.

Dataset: an article-extraction-benchmark directory (`ground-truth.json`). The gold set
(`data/summary_gold.json`) names 30 articles by their key and, for each of the three sentences a
news editor would keep, gives only a short distinctive fragment (3 to 8 words): the benchmark's
text is not copied into the project. Each article is split and attributed as `eval followups`
ingests it (title from the URL's last path segment, body from `articleBody`), and a pick is the
one sentence of the article that contains its fragment. Before anything is scored the whole set
is resolved: a fragment found in no sentence of its article or in several, one of the wrong
length, or two fragments naming the same sentence stop the run with the list.

Three summarisers are scored in one run: the bot's, the first three sentences (lead-3), and three
sentences drawn at random (seeded, so every run draws the same). Precision is the share of the
picked sentences that the editor picked, recall the share of the editor's picks that were picked;
both are averaged over articles, also over the even- and odd-numbered articles on their own.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.evaluate import print_report
from bot.evaluate.benchmark import benchmark_article, load_ground_truth, load_json
from bot.library import build_passages
from bot.models import BotError, Passage
from bot.summary import summarise

GOLD_FILE = Path(__file__).resolve().parent / "data" / "summary_gold.json"
RANDOM_SEED = 12
MIN_FRAGMENT_WORDS = 3
MAX_FRAGMENT_WORDS = 8
Summariser = Callable[[str, Sequence[Passage], int], list[Passage]]


class SummaryGoldError(BotError):
    """The gold set breaks its own rules; the message names every offending article and fragment."""


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
    gold = _load_gold(gold_file)
    truth = load_ground_truth(dataset_dir)
    articles = [(key, article_passages(key, truth), fragments) for key, fragments in gold]
    picks, problems = [], []
    for key, passages, fragments in articles:
        sentences, wrong = _resolve(key, fragments, passages)
        picks.append(sentences)
        problems += wrong
    if problems:
        raise SummaryGoldError(
            f"the summary gold set breaks its rules ({len(problems)} problem(s)):\n  "
            + "\n  ".join(problems)
        )
    scored: dict[str, list[tuple[float, float]]] = {"ours": [], "lead": [], "random": []}
    results = []
    for (key, passages, _), wanted in zip(articles, picks, strict=True):
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


def resolve_fragment(key: str, fragment: str, passages: Sequence[Passage]) -> str:
    """The one sentence of article `key` that contains `fragment`; SummaryGoldError otherwise."""
    sentences, problems = _resolve(key, [fragment], passages)
    if problems:
        raise SummaryGoldError(problems[0])
    (sentence,) = sentences
    return sentence


def _resolve(
    key: str, fragments: Sequence[str], passages: Sequence[Passage]
) -> tuple[set[str], list[str]]:
    """The full sentences the fragments name, and one line per fragment that breaks the rules."""
    sentences: set[str] = set()
    problems = []
    for fragment in fragments:
        where = f"article {key}: fragment {fragment!r}"
        words = len(fragment.split())
        if not MIN_FRAGMENT_WORDS <= words <= MAX_FRAGMENT_WORDS:
            problems.append(
                f"{where} has {words} words; a fragment has {MIN_FRAGMENT_WORDS} to "
                f"{MAX_FRAGMENT_WORDS} (the benchmark's sentences are not copied here)"
            )
            continue
        found = [p.text for p in passages if fragment in p.text]
        if len(found) != 1:
            how_many = "no sentence" if not found else f"{len(found)} sentences"
            problems.append(f"{where} is in {how_many} of the article; it must name exactly one")
        elif found[0] in sentences:
            problems.append(f"{where} names a sentence another fragment already names")
        else:
            sentences.add(found[0])
    return sentences, problems


def _load_gold(path: Path) -> list[tuple[str, list[str]]]:
    """(article key, fragments) of every gold article; BotError when the file is malformed."""
    try:
        return [
            (str(entry["article"]), [str(fragment) for fragment in entry["fragments"]])
            for entry in load_json(path)["articles"]
        ]
    except (KeyError, TypeError) as exc:
        raise BotError(f"{path}: malformed summary gold set ({exc!r})") from exc


def article_passages(key: str, truth: dict) -> tuple[Passage, ...]:
    """The passages the bot stores for benchmark article `key` (as `eval followups` loads it)."""
    return build_passages(benchmark_article(key, truth))


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
