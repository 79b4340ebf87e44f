"""How much of each benchmark article body ingestion keeps, and how much else it lets in.

Dataset: a directory with `ground-truth.json` ({page id: {"url", "articleBody"}}) and
`html/<page id>.html.gz` (the scrapinghub article-extraction-benchmark layout).

Scoring, per page: both texts are NFKC-normalised, casefolded and split into word tokens
(`\\w+`, so punctuation is ignored). With E the multiset of extracted tokens and T that of the
true `articleBody`, overlap = |E ∩ T| (multiset intersection), precision = overlap / |E|,
recall = overlap / |T|, F1 = their harmonic mean; an empty extraction scores 0 for all three.
This is a bag-of-tokens score, not the benchmark's own shingle score, so figures are comparable
within one run (ours against raw trafilatura) rather than with its published table.
A page our ingestion rejects scores P=R=F1=0 and is listed. Reported figures are means over pages.
"""

from __future__ import annotations

import argparse
import gzip
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import trafilatura

from bot.evaluate import print_report
from bot.evaluate.benchmark import load_ground_truth
from bot.ingest import read_file
from bot.models import IngestError
from bot.settings import Settings

TOKEN = re.compile(r"\w+")
PAGE_SUFFIX = ".html.gz"


@dataclass(frozen=True)
class Score:
    """Token-bag precision, recall and F1 of one extraction (or their means)."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class PageResult:
    """Scores of one page for our ingestion and for raw trafilatura."""

    page: str
    ours: Score
    baseline: Score
    error: str | None = None  # why our ingestion rejected the page


@dataclass(frozen=True)
class ExtractionReport:
    """Mean scores over the pages evaluated, and the pages our ingestion rejected."""

    dataset: str
    pages: int
    ours: Score
    baseline: Score
    failures: tuple[PageResult, ...]
    results: tuple[PageResult, ...]


def tokens(text: str) -> Counter[str]:
    """The multiset of casefolded word tokens of a text."""
    return Counter(TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()))


def score_text(extracted: str, truth: str) -> Score:
    """Token-bag precision, recall and F1 of an extracted text against the true body."""
    got, want = tokens(extracted), tokens(truth)
    overlap = sum((got & want).values())
    if not overlap:
        return Score(0.0, 0.0, 0.0)
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return Score(precision, recall, 2 * precision * recall / (precision + recall))


def evaluate_extraction(dataset_dir: Path, limit: int | None = None) -> ExtractionReport:
    """Score `read_file` and raw `trafilatura.extract` on every page (or the first `limit`)."""
    truth = load_ground_truth(dataset_dir)
    page_ids = sorted(truth)[:limit] if limit is not None else sorted(truth)
    results = tuple(_evaluate_page(dataset_dir, page, truth[page]) for page in page_ids)
    return ExtractionReport(
        dataset=str(dataset_dir),
        pages=len(results),
        ours=_mean(results, lambda result: result.ours),
        baseline=_mean(results, lambda result: result.baseline),
        failures=tuple(result for result in results if result.error is not None),
        results=results,
    )


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval extraction` arguments: PATH, --json, --limit."""
    parser.add_argument("path", type=Path, help="article-extraction-benchmark directory")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.set_defaults(func=run_extraction)


def run_extraction(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the evaluation and print a table (or JSON); 1 when the dataset cannot be read.

    `settings` is accepted because the CLI calls every command with them; ingestion of local
    files needs none.
    """
    return print_report(
        lambda: evaluate_extraction(args.path, limit=args.limit),
        as_json=args.json,
        to_json=report_to_json,
        to_text=format_report,
    )


def report_to_json(report: ExtractionReport) -> dict[str, object]:
    """The report as a JSON-safe dict: mean scores and the failed pages."""
    return {
        "dataset": report.dataset,
        "pages": report.pages,
        "ours": asdict(report.ours),
        "trafilatura": asdict(report.baseline),
        "failures": [{"page": result.page, "error": result.error} for result in report.failures],
    }


def format_report(report: ExtractionReport) -> str:
    """A small table of mean precision, recall and F1, then any failed pages."""
    lines = [
        f"extraction: {report.pages} pages from {report.dataset}",
        f"{'extractor':<22}{'precision':>10}{'recall':>10}{'F1':>10}",
    ]
    for label, score in (("ours (read_file)", report.ours), ("trafilatura", report.baseline)):
        lines.append(f"{label:<22}{score.precision:>10.3f}{score.recall:>10.3f}{score.f1:>10.3f}")
    lines.extend(f"failed: {result.page}: {result.error}" for result in report.failures)
    return "\n".join(lines)


def _evaluate_page(dataset_dir: Path, page: str, entry: dict[str, str]) -> PageResult:
    """Score one page both ways."""
    path = dataset_dir / "html" / f"{page}{PAGE_SUFFIX}"
    truth = entry.get("articleBody", "")
    error: str | None = None
    try:
        ours = score_text(read_file(path).body, truth)
    except IngestError as exc:
        ours, error = Score(0.0, 0.0, 0.0), str(exc)
    return PageResult(page=page, ours=ours, baseline=_baseline(path, truth), error=error)


def _baseline(path: Path, truth: str) -> Score:
    """Raw trafilatura with its default options on the same page."""
    try:
        html = gzip.decompress(path.read_bytes())
    except (OSError, EOFError):
        return Score(0.0, 0.0, 0.0)
    return score_text(trafilatura.extract(html) or "", truth)


def _mean(results: tuple[PageResult, ...], pick: Callable[[PageResult], Score]) -> Score:
    """The mean of one extractor's scores over all pages."""
    if not results:
        return Score(0.0, 0.0, 0.0)
    count = len(results)
    return Score(
        precision=sum(pick(result).precision for result in results) / count,
        recall=sum(pick(result).recall for result in results) / count,
        f1=sum(pick(result).f1 for result in results) / count,
    )
