"""`eval paraphrase`: the shipped question set, settings variants and the command end to end.

The set names articles of the article-extraction benchmark in ../shared and keeps only a few
words of each answer sentence; the tests that need the articles' text fail (never skip) with
the missing path when it is not there.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.evaluate.benchmark import load_ground_truth
from bot.evaluate.paraphrase import (
    QUESTIONS_FILE,
    article_sentences,
    evaluate_paraphrase,
    load_questions,
    set_problems,
    settings_variants,
)
from bot.models import BotError
from bot.settings import Settings
from tests.conftest import SHARED_DIR, require_shared

BENCHMARK_DIR = SHARED_DIR / "eval-data" / "article-extraction-benchmark"
HITLER_HOUSE = "5a822960e9a2cb1e664d334b6c936c5cb6e41fb5331877538c2c8339cb59d57e"
STAR_TREK = "785affa2c34e6e4844ef080e98e1a1e532eeeb671bdacebfb9e98ad7320ff382"
# A few words of the sentence quoting the interior minister: the police's use of the house
# will signal that the building never again evokes the memory of National Socialism.
PESCHORN_FRAGMENT = "never again evoke the memory"
MAX_FRAGMENT_WORDS = 8


@pytest.fixture(scope="module")
def stored_sentences() -> dict[str, list[str]]:
    truth = load_ground_truth(require_shared(BENCHMARK_DIR))
    keys = sorted({question.article for question in load_questions()})
    return article_sentences(keys, truth)


def test_the_shipped_set_is_large_and_varied_enough() -> None:
    questions = load_questions()
    answerable = [q for q in questions if q.fragment is not None]
    assert len(answerable) >= 60
    assert len({q.article for q in answerable}) >= 15
    assert len(questions) - len(answerable) >= 15
    kinds = Counter(q.kind for q in questions)
    assert {"who", "what", "why", "how many", "when", "yes-no"} <= kinds.keys()
    assert max(kinds.values()) <= len(questions) / 3, kinds
    assert len({q.text for q in questions}) == len(questions)


def test_the_shipped_set_keeps_only_a_few_words_of_each_answer() -> None:
    items = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))["questions"]
    assert all(item.keys() == {"article", "question", "answer_fragment", "kind"} for item in items)
    for question in load_questions():
        if question.fragment is not None:
            assert 1 <= len(question.fragment.split()) <= MAX_FRAGMENT_WORDS, question.fragment


def test_every_shipped_fragment_names_one_stored_sentence_within_the_overlap_rule(
    stored_sentences: dict[str, list[str]],
) -> None:
    questions = load_questions()
    for question in questions:
        if question.fragment is not None:
            found = [s for s in stored_sentences[question.article] if question.fragment in s]
            assert len(found) == 1, question.text
    assert set_problems(questions, stored_sentences) == []


def test_a_set_in_the_old_verbatim_format_is_refused_not_read_as_unanswerable(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.json"
    item = {"article": HITLER_HOUSE, "question": "Q?", "answer": "A sentence.", "kind": "what"}
    old.write_text(json.dumps({"questions": [item]}), encoding="utf-8")
    with pytest.raises(BotError, match="malformed question set"):
        load_questions(old)


def test_settings_variants_make_one_labelled_settings_per_value() -> None:
    settings = Settings(_env_file=None, max_quotes=2)  # type: ignore[call-arg]
    variants = settings_variants(settings, "MIN_MATCH=0, 1.5")
    assert [label for label, _ in variants] == ["min_match=0", "min_match=1.5"]
    assert [varied.min_match for _, varied in variants] == [0.0, 1.5]
    assert all(varied.max_quotes == 2 for _, varied in variants)
    assert settings_variants(settings, None) == [("as configured", settings)]


@pytest.mark.parametrize(
    ("vary", "message"),
    [("MIN_MATCH", "FIELD=VALUE"), ("NO_SUCH=1", "no setting"), ("MIN_MATCH=lots", "not a valid")],
    ids=["no-values", "unknown-setting", "invalid-value"],
)
def test_settings_variants_reject_a_bad_vary(vary: str, message: str) -> None:
    with pytest.raises(BotError, match=message):
        settings_variants(Settings(_env_file=None), vary)  # type: ignore[call-arg]


def write_set(path: Path, questions: list[tuple[str, str, str | None]]) -> Path:
    items = [
        {"article": article, "question": text, "answer_fragment": fragment, "kind": "what"}
        for article, text, fragment in questions
    ]
    path.write_text(json.dumps({"questions": items}), encoding="utf-8")
    return path


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    """Two articles: a question the names find, a paraphrase, and one to decline."""
    return write_set(
        tmp_path / "small.json",
        [
            (HITLER_HOUSE, "What did Wolfgang Peschorn say?", PESCHORN_FRAGMENT),
            (HITLER_HOUSE, "In what year did the dictator come into the world?", None),
            (STAR_TREK, "Which villain will the crew face in the new movie?", None),
        ],
    )


def test_evaluate_paraphrase_scores_each_variant(
    small_set: Path, stored_sentences: dict[str, list[str]]
) -> None:
    benchmark = require_shared(BENCHMARK_DIR)
    [peschorn_quote] = [s for s in stored_sentences[HITLER_HOUSE] if PESCHORN_FRAGMENT in s]
    variants = settings_variants(Settings(_env_file=None), "MIN_MATCH=0,1.53")  # type: ignore[call-arg]
    report = evaluate_paraphrase(benchmark, variants, small_set)
    assert (report.articles, report.answerable, report.unanswerable) == (2, 1, 2)
    assert [v.label for v in report.variants] == ["min_match=0", "min_match=1.53"]
    for variant in report.variants:
        named = variant.results[0]
        assert named.rank == 1 and named.top == peschorn_quote
        assert (variant.hit_at_1, variant.hit_at_3, variant.answered) == (1.0, 1.0, 1.0)
        assert variant.declined == sum(not r.answered for r in variant.results[1:]) / 2


def test_eval_paraphrase_command_prints_a_table_and_json(
    small_set: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    benchmark = str(require_shared(BENCHMARK_DIR))
    assert main(["eval", "paraphrase", benchmark, "--questions", str(small_set)]) == 0
    table = capsys.readouterr().out
    assert "1 answerable and 2 unanswerable questions over 2 articles" in table
    assert "as configured" in table and "hit@1" in table and "declined" in table
    args = ["eval", "paraphrase", benchmark, "--questions", str(small_set), "--json"]
    assert main([*args, "--vary", "MIN_MATCH=0,2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [v["label"] for v in report["variants"]] == ["min_match=0", "min_match=2"]
    assert report["variants"][0]["hit_at_1"] == 1.0


def test_eval_paraphrase_command_refuses_a_set_that_breaks_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    benchmark = str(require_shared(BENCHMARK_DIR))
    # The shared words are in the full sentence, not in the fragment: the rule sees the sentence.
    broken = write_set(
        tmp_path / "broken.json",
        [(HITLER_HOUSE, "Will the police use the house to send a signal?", PESCHORN_FRAGMENT)],
    )
    assert main(["eval", "paraphrase", benchmark, "--questions", str(broken)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "breaks its rules" in captured.err
    assert "Will the police use the house to send a signal?" in captured.err
    assert "(hous, polic, send, signal, use)" in captured.err


@pytest.mark.parametrize(
    ("fragment", "message"),
    [("never again evoke the memories", "is in no sentence"), ("Hitler", "is in 3 sentences")],
    ids=["no-sentence", "several-sentences"],
)
def test_eval_paraphrase_command_refuses_a_fragment_that_names_no_single_sentence(
    fragment: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    benchmark = str(require_shared(BENCHMARK_DIR))
    broken = write_set(tmp_path / "broken.json", [(HITLER_HOUSE, "What was said?", fragment)])
    assert main(["eval", "paraphrase", benchmark, "--questions", str(broken)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "breaks its rules" in captured.err and message in captured.err
    assert "'What was said?'" in captured.err and repr(fragment) in captured.err


def test_eval_paraphrase_command_names_a_missing_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "paraphrase", str(tmp_path)]) == 1
    assert "ground-truth.json" in capsys.readouterr().err
