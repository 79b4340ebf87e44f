"""Answer-quality floors on the shared evaluation data; they fail (never skip) if it is missing.

Floors sit a little under the figures measured when they were set, so that a change which
makes answers worse fails here. Full figures: `python -m bot eval squad|seed|followups|paraphrase`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.evaluate.attribution import evaluate_attribution
from bot.evaluate.followups import evaluate_followups
from bot.evaluate.paraphrase import evaluate_paraphrase
from bot.evaluate.seed import evaluate_seed
from bot.evaluate.squad import (
    SquadCorpus,
    answer_ranker,
    bm25_ranker,
    library_options,
    load_squad,
    low_overlap_questions,
    options_ranker,
    score,
)
from bot.rerank import AnswerOptions
from bot.settings import Settings

pytestmark = pytest.mark.quality

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
SEED_FILE = SHARED_DIR / "seed" / "000_c0f865168f8bdaf9.txt"
SQUAD_FILE = SHARED_DIR / "eval-data" / "squad-v1.1-dev" / "dev-v1.1-part.json"
BENCHMARK_DIR = SHARED_DIR / "eval-data" / "article-extraction-benchmark"
POLNEAR_DEV = SHARED_DIR / "eval-data" / "polnear" / "dev"
# Odd articles (never used for tuning) in the corpus; two even ones are asked about as absent.
PRESENT_ARTICLES = (1, 3, 5, 7)
ABSENT_ARTICLES = (2, 4)


def require(path: Path) -> Path:
    """The path, or a failure that says which shared data is missing."""
    if not path.exists():
        pytest.fail(f"evaluation data missing: {path} (the quality floors need /work/shared)")
    return path


def with_vectors() -> Settings:
    """The bot as it runs: the test environment turns the semantic layer off by default."""
    return Settings(_env_file=None, semantic=True)


def test_seed_questions_and_attribution_stay_above_their_floors() -> None:
    report = evaluate_seed(require(SEED_FILE), with_vectors())
    # Measured 0.933 (14 of 15); 1.000 by words alone.
    assert report.hit_at_1 >= 0.9, [r.question for r in report.questions if not r.hit_at_1]
    assert report.abstained == 1.0, [r.question for r in report.questions if r.abstain]
    assert report.attribution_accuracy >= 0.95, report.attribution_errors


@pytest.fixture(scope="module")
def squad_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[SquadCorpus, list]:
    articles = load_squad(require(SQUAD_FILE))
    present = [articles[n] for n in PRESENT_ARTICLES]
    # The answerer's recommended threshold, whatever MIN_MATCH defaults to in the settings.
    min_match = AnswerOptions().min_match
    corpus = SquadCorpus.build(
        present, tmp_path_factory.mktemp("squad"), min_match=min_match, semantic=True
    )
    return corpus, articles


def test_squad_answers_beat_plain_bm25_and_stay_above_their_floors(
    squad_corpus: tuple[SquadCorpus, list],
) -> None:
    corpus, articles = squad_corpus
    present = [articles[n] for n in PRESENT_ARTICLES]
    library = corpus.library
    answer, _ = score(corpus, present, answer_ranker(library.ask))
    # Measured with sentence vectors and token states: hit@1 0.868, hit@3 0.964 (re-ranked
    # without abstention 0.869 / 0.975, BM25 0.778 / 0.910); 0.863 / 0.964 before abstention
    # weighed its evidence as fitted. With vectors alone it was 0.857 / 0.958, by words alone
    # 0.801 / 0.910.
    assert answer.hit_at_1 >= 0.85, answer
    assert answer.hit_at_3 >= 0.955, answer
    # The re-ranking alone (abstention off) must beat the index's own order.
    unfiltered = replace(library_options(library), min_match=0.0)
    reranked, _ = score(corpus, present, options_ranker(library, unfiltered))
    baseline, _ = score(corpus, present, bm25_ranker(library))
    assert reranked.hit_at_1 >= baseline.hit_at_1 + 0.025, (reranked, baseline)
    assert reranked.hit_at_3 >= baseline.hit_at_3, (reranked, baseline)


def test_squad_questions_about_absent_articles_are_mostly_declined(
    squad_corpus: tuple[SquadCorpus, list],
) -> None:
    corpus, articles = squad_corpus
    questions = [q.text for n in ABSENT_ARTICLES for q in articles[n].questions]
    answered = sum(corpus.library.ask(q).answered for q in questions) / len(questions)
    assert answered <= 0.06  # measured 0.033 (vectors alone 0.043, by words alone 0.045)


def test_squad_low_overlap_questions_are_found_by_meaning(
    squad_corpus: tuple[SquadCorpus, list],
) -> None:
    """The questions sharing at most one content word with every gold sentence."""
    corpus, articles = squad_corpus
    present = [articles[n] for n in PRESENT_ARTICLES]
    low = low_overlap_questions(corpus, present)
    assert len(low) >= 30
    answer, _ = score(corpus, present, answer_ranker(corpus.library.ask), low)
    # Measured 0.282 hit@1, 0.538 hit@3 on these 39 questions (BM25 alone: 0.039 on all 509).
    assert answer.hit_at_1 >= 0.25, answer
    assert answer.hit_at_3 >= 0.53, answer


def test_follow_ups_use_the_conversation() -> None:
    report = evaluate_followups(require(BENCHMARK_DIR), with_vectors())
    assert report.followups >= 40
    assert report.with_context >= 0.75  # measured 0.800 (0.733 by words alone)
    assert report.with_context > report.without_context + 0.15


def test_paraphrased_questions_are_found_and_near_topic_ones_declined() -> None:
    ranked = with_vectors().model_copy(update={"min_match": 0.0})
    report = evaluate_paraphrase(
        require(BENCHMARK_DIR), [("as it runs", with_vectors()), ("no abstention", ranked)]
    )
    scores, unfiltered = report.variants
    assert report.answerable >= 60 and report.unanswerable >= 15
    # Measured as it runs: hit@1 0.296, hit@3 0.370, 17 of 21 declined (vectors without token
    # states 0.210 / 0.272, by words alone 0.000).
    assert scores.hit_at_1 >= 0.27, scores.hit_at_1
    assert scores.hit_at_3 >= 0.34, scores.hit_at_3
    assert scores.declined >= 0.80, scores.declined
    # The ranking itself, every question answered: measured 0.543 / 0.802 (vectors without
    # token states 0.494 / 0.802).
    assert unfiltered.hit_at_1 >= 0.50, unfiltered.hit_at_1
    assert unfiltered.hit_at_3 >= 0.76, unfiltered.hit_at_3


def test_polnear_dev_attribution_stays_above_its_floors() -> None:
    # Floors a little under the dev figures measured when they were set (README).
    report = evaluate_attribution(require(POLNEAR_DEV))
    assert report.articles == 84
    assert report.speech_recall.share >= 0.899, report.speech_recall
    assert report.all_recall.share >= 0.645, report.all_recall
    assert report.precision.share >= 0.955, report.precision
