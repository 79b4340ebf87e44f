"""Paraphrased questions: does a reader's own wording still find the sentence that answers it?

The question set (`data/paraphrase.json`) names articles of the article-extraction benchmark by
their key. The benchmark's text is not copied into the project: each answerable question gives
only a short distinctive fragment of its answer sentence (a few words), and the full sentence is
the one sentence the bot stores for the article that contains the fragment, looked up in the
dataset at evaluation time. An answerable question shares at most one content word with that
full sentence, names aside (the rule of `bot.evaluate.overlap`); the others ask about something
near the article's topic that it does not say, and must be declined. Before anything is asked
the set is checked: a question that breaks the overlap rule, or whose fragment is found in no
sentence of its article or in more than one, stops the run with the list.

All the set's articles are ingested together into a temporary corpus, once per settings
variant, and every question is asked alone through `Library.ask`. A question is a hit@k when its
answer sentence is among the first k quotes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import ValidationError

from bot.evaluate import print_report
from bot.evaluate.benchmark import (
    benchmark_article,
    ingest_benchmark_article,
    load_ground_truth,
    load_json,
)
from bot.evaluate.overlap import capitalised_words, name_terms, shared_content_words
from bot.library import Library, build_passages
from bot.models import BotError
from bot.settings import Settings

DATA_DIR = Path(__file__).resolve().parent / "data"
QUESTIONS_FILE = DATA_DIR / "paraphrase.json"
MAX_SHARED_WORDS = 1
TOP_K = 3
AS_CONFIGURED = "as configured"

Variant = tuple[str, Settings]  # (label, settings)


class ParaphraseSetError(BotError):
    """The question set breaks its own rules; the message lists every offending question."""


@dataclass(frozen=True)
class ParaphraseQuestion:
    """One question about one benchmark article, as the set gives it.

    `fragment` is a few words of the answer sentence, found in no other sentence of the article;
    None when the question must be declined. `resolve_answers` finds the full sentence.
    """

    article: str
    text: str
    fragment: str | None
    kind: str


@dataclass(frozen=True)
class QuestionResult:
    """What one settings variant made of one question."""

    article: str
    question: str
    answerable: bool
    rank: int | None  # 1..TOP_K when the answer sentence is quoted there
    answered: bool
    top: str | None  # the first quote


@dataclass(frozen=True)
class VariantScores:
    """The figures of one settings variant."""

    label: str
    hit_at_1: float  # over the answerable questions
    hit_at_3: float
    answered: float  # share of the answerable questions that got an answer
    declined: float  # share of the unanswerable questions that got none
    results: tuple[QuestionResult, ...]


@dataclass(frozen=True)
class ParaphraseReport:
    """Scores per settings variant over one question set."""

    dataset: str
    articles: int
    answerable: int
    unanswerable: int
    variants: tuple[VariantScores, ...]
    seconds: float


def load_questions(path: Path = QUESTIONS_FILE) -> list[ParaphraseQuestion]:
    """The questions of a set file; BotError when it is missing or malformed."""
    data = load_json(path)
    try:
        return [
            ParaphraseQuestion(
                article=str(item["article"]),
                text=str(item["question"]),
                fragment=None if item["answer_fragment"] is None else str(item["answer_fragment"]),
                kind=str(item.get("kind", "")),
            )
            for item in data["questions"]
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise BotError(f"{path}: malformed question set ({exc!r})") from exc


def _resolve(
    questions: Sequence[ParaphraseQuestion], sentences: Mapping[str, Sequence[str]]
) -> tuple[list[str | None], list[str]]:
    """The full answer sentence of each question (None: decline), and every rule it breaks.

    `sentences` maps each article key to the sentences the bot stores for it. A fragment must be
    found in exactly one of them; the overlap rule is checked against that whole sentence.
    """
    answers: list[str | None] = []
    problems: list[str] = []
    names_of = {key: capitalised_words(stored) for key, stored in sentences.items()}
    for question in questions:
        answers.append(None)
        where = f"{question.article[:10]} {question.text!r}"
        if question.fragment is None:
            continue
        found = [s for s in sentences.get(question.article, ()) if question.fragment in s]
        if len(found) != 1:
            how_many = "no sentence" if not found else f"{len(found)} sentences"
            problems.append(
                f"{where}: the answer fragment {question.fragment!r} is in {how_many} of its "
                "article; it must name exactly one"
            )
            continue
        answers[-1] = answer = found[0]
        names = name_terms(answer, names_of[question.article])
        shared = shared_content_words(question.text, answer, names)
        if len(shared) > MAX_SHARED_WORDS:
            problems.append(
                f"{where}: shares {len(shared)} content words with its answer "
                f"({', '.join(sorted(shared))}); at most {MAX_SHARED_WORDS} allowed"
            )
    return answers, problems


def set_problems(
    questions: Sequence[ParaphraseQuestion], sentences: Mapping[str, Sequence[str]]
) -> list[str]:
    """Every way the set breaks its rules, one line per offending question.

    `sentences` maps each article key to the sentences the bot stores for it.
    """
    return _resolve(questions, sentences)[1]


def resolve_answers(
    questions: Sequence[ParaphraseQuestion], sentences: Mapping[str, Sequence[str]]
) -> list[str | None]:
    """Each question's full answer sentence (None: decline), in order.

    Raise ParaphraseSetError listing every question that breaks the set's rules.
    """
    answers, problems = _resolve(questions, sentences)
    if problems:
        raise ParaphraseSetError(
            f"the question set breaks its rules ({len(problems)} question(s)):\n  "
            + "\n  ".join(problems)
        )
    return answers


def article_sentences(keys: Sequence[str], truth: dict) -> dict[str, list[str]]:
    """The sentences the bot stores for each benchmark article."""
    return {
        key: [passage.text for passage in build_passages(benchmark_article(key, truth))]
        for key in keys
    }


def evaluate_paraphrase(
    dataset_dir: Path,
    variants: Sequence[Variant] | None = None,
    questions_file: Path = QUESTIONS_FILE,
) -> ParaphraseReport:
    """Check the set, then ask every question under each (label, settings) variant."""
    started = time.perf_counter()
    variants = variants or [(AS_CONFIGURED, Settings(_env_file=None))]  # type: ignore[call-arg]
    questions = load_questions(questions_file)
    truth = load_ground_truth(dataset_dir)
    keys = sorted({question.article for question in questions})
    answers = resolve_answers(questions, article_sentences(keys, truth))
    scores = tuple(
        _run_variant(label, settings, keys, truth, questions, answers)
        for label, settings in variants
    )
    answerable = sum(answer is not None for answer in answers)
    return ParaphraseReport(
        dataset=str(dataset_dir),
        articles=len(keys),
        answerable=answerable,
        unanswerable=len(questions) - answerable,
        variants=scores,
        seconds=time.perf_counter() - started,
    )


def _run_variant(
    label: str,
    settings: Settings,
    keys: Sequence[str],
    truth: dict,
    questions: Sequence[ParaphraseQuestion],
    answers: Sequence[str | None],
) -> VariantScores:
    """Ingest the articles into a fresh corpus with these settings and ask every question."""
    with tempfile.TemporaryDirectory(prefix="paraphrase-eval-") as scratch:
        library = Library.open(
            settings.model_copy(
                update={"corpus_dir": Path(scratch) / "corpus", "data_dir": Path(scratch) / "var"}
            )
        )
        for key in keys:
            ingest_benchmark_article(library, key, truth)
        results = tuple(
            _ask(library, question, answer)
            for question, answer in zip(questions, answers, strict=True)
        )
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    return VariantScores(
        label=label,
        hit_at_1=_share([r.rank == 1 for r in answerable]),
        hit_at_3=_share([r.rank is not None for r in answerable]),
        answered=_share([r.answered for r in answerable]),
        declined=_share([not r.answered for r in unanswerable]),
        results=results,
    )


def _ask(library: Library, question: ParaphraseQuestion, sentence: str | None) -> QuestionResult:
    """Ask one question; `sentence` is its full answer sentence, None when it must be declined."""
    answer = library.ask(question.text)
    quoted = [quote.text for quote in answer.quotes[:TOP_K]]
    rank = quoted.index(sentence) + 1 if sentence in quoted else None
    return QuestionResult(
        article=question.article,
        question=question.text,
        answerable=sentence is not None,
        rank=rank,
        answered=answer.answered,
        top=quoted[0] if quoted else None,
    )


def settings_variants(settings: Settings, vary: str | None) -> list[Variant]:
    """(label, settings) pairs from "FIELD=V1,V2,..." (one per value), or the settings as given.

    FIELD is a setting's name in either case ("min_match" or "MIN_MATCH"); each value is
    validated as the environment's would be, so "SEMANTIC=on,off" works for a bool setting.
    """
    if not vary:
        return [(AS_CONFIGURED, settings)]
    field, equals, values = vary.partition("=")
    field = field.strip().lower()
    if not equals or not values.strip():
        raise BotError(f"--vary expects FIELD=VALUE[,VALUE...], not {vary!r}")
    if field not in Settings.model_fields:
        raise BotError(f"--vary: no setting named {field!r}")
    variants: list[Variant] = []
    for value in (part.strip() for part in values.split(",")):
        try:
            varied = Settings.model_validate({**settings.model_dump(), field: value})
        except ValidationError as exc:
            raise BotError(f"--vary: {field}={value!r} is not a valid value: {exc}") from exc
        variants.append((f"{field}={value}", varied))
    return variants


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval paraphrase` arguments: PATH, --json, --vary, --questions."""
    parser.add_argument("path", type=Path, help="article-extraction-benchmark directory")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--vary",
        metavar="FIELD=V1,V2",
        default=None,
        help="run once per value of one setting, side by side (e.g. MIN_MATCH=0,1.53)",
    )
    parser.add_argument(
        "--questions",
        type=Path,
        default=QUESTIONS_FILE,
        metavar="FILE",
        help="question set (default: the one shipped with the bot)",
    )
    parser.set_defaults(func=run_paraphrase)


def run_paraphrase(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the evaluation and print a table (or JSON); 1 when the set or dataset is unusable."""
    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    return print_report(
        lambda: evaluate_paraphrase(
            args.path, settings_variants(settings, args.vary), args.questions
        ),
        as_json=args.json,
        to_json=asdict,
        to_text=format_report,
    )


def format_report(report: ParaphraseReport) -> str:
    """Each question with its rank per variant, then the figures per variant."""
    lines = [
        f"paraphrase: {report.answerable} answerable and {report.unanswerable} unanswerable "
        f"questions over {report.articles} articles from {report.dataset} "
        f"({report.seconds:.0f}s)",
        "rank per variant (1-3, '-' missed, 'x' declined); unanswerable: 'ok' declined",
    ]
    for row in zip(*(variant.results for variant in report.variants), strict=True):
        marks = " ".join(_mark(result) for result in row)
        lines.append(f"{marks}  {row[0].article[:8]} {row[0].question}")
    width = max(24, *(len(variant.label) + 2 for variant in report.variants))
    lines.append(f"{'settings':<{width}}{'hit@1':>8}{'hit@3':>8}{'answered':>10}{'declined':>10}")
    for v in report.variants:
        lines.append(
            f"{v.label:<{width}}{v.hit_at_1:>8.3f}{v.hit_at_3:>8.3f}{v.answered:>10.3f}"
            f"{v.declined:>10.3f}"
        )
    return "\n".join(lines)


def _mark(result: QuestionResult) -> str:
    if not result.answerable:
        return "ok" if not result.answered else "--"
    if not result.answered:
        return " x"
    return f" {result.rank}" if result.rank else " -"


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0
