"""`eval squad`: loading, mapping sentences to answer offsets, scoring and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.__main__ import main
from bot.encoder import DIMENSIONS
from bot.evaluate.squad import (
    FeatureTable,
    MatchTable,
    SquadCorpus,
    evaluate_squad,
    feature_table,
    fit_dimensions,
    fit_listwise,
    fit_weights,
    format_report,
    load_squad,
    low_overlap_questions,
    score,
    table_scores,
)
from bot.late import late_scores
from bot.models import BotError
from bot.rerank import FEATURES, AnswerOptions

ARTICLES = [
    {
        "title": "Lighthouse_keeping",
        "paragraphs": [
            {
                "context": "The lighthouse was built in 1850.  It stands on a granite cliff.\n"
                "Keepers lived in the cottage beside it until 1990.",
                "qas": [
                    {
                        "id": "a1",
                        "question": "When was the lighthouse built?",
                        "answers": [{"text": "1850", "answer_start": 28}],
                    },
                    {
                        "id": "a2",
                        "question": "Until when did keepers live in the cottage?",
                        "answers": [{"text": "1990", "answer_start": 110}],
                    },
                ],
            }
        ],
    },
    {
        "title": "Beekeeping",
        "paragraphs": [
            {
                "context": "A hive holds about fifty thousand bees in summer. The queen lays "
                "the eggs.",
                "qas": [
                    {
                        "id": "b1",
                        "question": "Who lays the eggs in a hive?",
                        "answers": [{"text": "The queen", "answer_start": 50}],
                    },
                ],
            }
        ],
    },
    {
        "title": "Glassblowing",
        "paragraphs": [
            {
                "context": "Glassblowers shape molten glass with a blowpipe. The furnace runs "
                "at over a thousand degrees.",
                "qas": [
                    {
                        "id": "c1",
                        "question": "How hot does the furnace run?",
                        "answers": [{"text": "over a thousand degrees", "answer_start": 69}],
                    },
                ],
            }
        ],
    },
]


@pytest.fixture
def squad_file(tmp_path: Path) -> Path:
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"version": "1.1", "data": ARTICLES}), encoding="utf-8")
    return path


def test_load_squad_reads_titles_contexts_and_answer_offsets(squad_file: Path) -> None:
    articles = load_squad(squad_file)
    assert [a.title for a in articles] == ["Lighthouse keeping", "Beekeeping", "Glassblowing"]
    assert articles[0].questions[1].answers == ((0, 110),)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no SQuAD file"),
        ("{not json", "cannot read"),
        ('{"data": [{"x": 1}]}', "cannot read"),
    ],
    ids=["missing", "broken-json", "wrong-shape"],
)
def test_load_squad_reports_a_missing_or_broken_file(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "squad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BotError, match=message):
        load_squad(path)


def test_gold_is_the_stored_sentence_holding_the_answer_start(
    squad_file: Path, tmp_path: Path
) -> None:
    articles = load_squad(squad_file)
    corpus = SquadCorpus.build(articles, tmp_path / "work")
    library = corpus.library
    lighthouse = articles[0]
    (first,) = corpus.gold(lighthouse, lighthouse.questions[0])
    (third,) = corpus.gold(lighthouse, lighthouse.questions[1])
    assert library.passage(*first).text == "The lighthouse was built in 1850."
    # The context's double space and newline are collapsed on ingestion; offsets still map.
    assert library.passage(*third).text == "Keepers lived in the cottage beside it until 1990."


def test_score_counts_hits_ranks_and_declines(squad_file: Path, tmp_path: Path) -> None:
    articles = load_squad(squad_file)
    corpus = SquadCorpus.build(articles, tmp_path / "work")
    gold = {q.text: sorted(corpus.gold(a, q))[0] for a in articles for q in a.questions}
    wrong = ("none", 0)
    ranked = {
        "When was the lighthouse built?": [gold["When was the lighthouse built?"]],
        "Until when did keepers live in the cottage?": [
            wrong,
            gold["Until when did keepers live in the cottage?"],
        ],
        "Who lays the eggs in a hive?": [wrong],
        "How hot does the furnace run?": None,
    }
    scores, per_question = score(corpus, articles, lambda q: ranked[q])
    assert (scores.questions, scores.hit_at_1, scores.hit_at_3) == (4, 0.25, 0.5)
    assert scores.mrr == pytest.approx((1 + 0.5) / 4)
    assert scores.answered == 0.75
    assert per_question == [True, False, False, False]


def test_evaluate_squad_reports_baseline_answer_and_abstention(squad_file: Path) -> None:
    report = evaluate_squad(squad_file)
    assert set(report.rows) == {"bm25", "answer, no abstention", "answer"}
    assert report.rows["answer"]["all"].questions == 4
    assert report.rows["bm25"]["all"].hit_at_1 == 1.0
    assert set(report.abstention) == {"corpus=even", "corpus=odd"}
    assert report.abstention["corpus=even"]["absent_answered"] == 0.0


def test_eval_squad_command_prints_json(
    squad_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "squad", str(squad_file), "--json", "--no-abstention"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == 3
    assert report["rows"]["answer"]["all"]["questions"] == 4


def test_eval_squad_command_fails_cleanly_without_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "squad", str(tmp_path / "absent.json")]) == 1
    assert "no SQuAD file" in capsys.readouterr().err


def test_feature_table_marks_gold_candidates_and_padding(squad_file: Path, tmp_path: Path) -> None:
    articles = load_squad(squad_file)
    corpus = SquadCorpus.build(articles, tmp_path / "work")
    table = feature_table(corpus, articles, AnswerOptions(candidates=5))
    assert table.values.shape[:2] == (4, 5)
    assert table.gold.any(axis=1).all()  # every gold sentence is among the candidates
    assert not table.present.all()  # the tiny corpus has fewer than 5 candidates per question
    assert not (table.gold & ~table.present).any()


def test_fit_weights_never_scores_worse_than_its_start(squad_file: Path, tmp_path: Path) -> None:
    articles = load_squad(squad_file)
    corpus = SquadCorpus.build(articles, tmp_path / "work")
    start = AnswerOptions(candidates=5, title_weight=5.0, local_weight=0.0, paragraph_weight=0.0)
    table = feature_table(corpus, articles, start)
    fitted = fit_weights(table, start)
    before, after = table_scores(table, start), table_scores(table, fitted)
    assert after[0] + after[1] / 2 >= before[0] + before[1] / 2
    assert after[0] == 1.0


def test_fit_listwise_gives_weight_against_a_misleading_feature() -> None:
    """A feature that is high on the wrong candidates gets a negative weight, the telling one a
    positive weight, and the fitted ranking puts every gold candidate first."""
    rng = np.random.default_rng(7)
    questions, candidates = 40, 6
    values = rng.normal(size=(questions, candidates, len(FEATURES)))
    gold = np.zeros((questions, candidates), dtype=bool)
    gold[np.arange(questions), rng.integers(0, candidates, questions)] = True
    bm25, cosine = FEATURES.index("bm25"), FEATURES.index("sentence_cosine")
    values[..., bm25] += np.where(gold, -3.0, 3.0)
    values[..., cosine] += np.where(gold, 3.0, 0.0)
    present = np.ones_like(gold)
    present[:, -1] = gold[:, -1]  # some padding, never on a gold candidate
    table = FeatureTable(values, gold, present)
    fitted = fit_listwise(table, AnswerOptions())
    assert fitted.bm25_weight < 0 < fitted.sentence_cosine_weight
    assert fitted.type_weight == 0.0
    assert table_scores(table, fitted)[0] == 1.0


def test_fit_dimensions_weighs_up_the_dimensions_where_gold_pieces_agree() -> None:
    """Each gold sentence agrees with its question on the first 8 dimensions, each other
    candidate (a little more strongly) on the next 8: the fit weighs the first up and the
    others down until the gold sentences match best."""
    rng = np.random.default_rng(3)
    telling, misleading = slice(0, 8), slice(8, 16)

    def pieces(count: int) -> np.ndarray:
        return rng.normal(scale=0.1, size=(count, DIMENSIONS)).astype(np.float32)

    table = MatchTable([], [], [])
    for _ in range(60):
        question = pieces(3)
        question[:, :16] += 1.0
        candidates = []
        for part in (telling, misleading, misleading, misleading):
            sentence = pieces(4)
            sentence[:, part] += 1.0 if part == telling else 1.2
            candidates.append(sentence)
        table.questions.append(question)
        table.sentences.append(candidates)
        table.gold.append(np.array([True, False, False, False]))
    weights = fit_dimensions(table, epochs=10, rate=0.05)
    assert weights[telling].mean() > 1.0 > weights[misleading].mean()
    matches = late_scores(table.questions[0], table.sentences[0], weights)[:, 0]
    assert matches.argmax() == 0
    plain = late_scores(table.questions[0], table.sentences[0])[:, 0]
    assert plain.argmax() != 0  # equal weights prefer the misleading candidates


def test_eval_squad_fit_prints_the_weights(
    squad_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "squad", str(squad_file), "--fit", "--json"]) == 0
    weights = json.loads(capsys.readouterr().out)
    assert {"title_weight", "paragraph_bm25_weight", "type_weight"} <= weights.keys()


LOW_OVERLAP_ARTICLE = {
    "title": "Harbour",
    "paragraphs": [
        {
            "context": "The harbour wall was rebuilt after the storm of 1953. Fishing boats "
            "shelter there in winter. A ferry leaves for the island every morning.",
            "qas": [
                {  # no word in common with its sentence: low overlap
                    "id": "h1",
                    "question": "What happened to the sea defences after the gale?",
                    "answers": [{"text": "rebuilt", "answer_start": 21}],
                },
                {  # one word in common ("winter"): still low overlap
                    "id": "h2",
                    "question": "Where do trawlers stay in winter?",
                    "answers": [{"text": "there", "answer_start": 76}],
                },
                {  # two words in common ("ferri", "island"): not low overlap
                    "id": "h3",
                    "question": "How often does the ferry go to the island?",
                    "answers": [{"text": "every morning", "answer_start": 123}],
                },
                {  # two gold sentences: one shares two words, so not low overlap
                    "id": "h4",
                    "question": "Which vessels are in the harbour after the storm?",
                    "answers": [
                        {"text": "Fishing boats", "answer_start": 54},
                        {"text": "The harbour wall", "answer_start": 0},
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture
def low_overlap_file(tmp_path: Path) -> Path:
    path = tmp_path / "harbour.json"
    data = {"version": "1.1", "data": [LOW_OVERLAP_ARTICLE]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_low_overlap_questions_share_at_most_one_word_with_every_gold_sentence(
    low_overlap_file: Path, tmp_path: Path
) -> None:
    articles = load_squad(low_overlap_file)
    corpus = SquadCorpus.build(articles, tmp_path / "work")
    assert low_overlap_questions(corpus, articles) == {"h1", "h2"}


def test_score_keeps_only_the_given_questions(low_overlap_file: Path, tmp_path: Path) -> None:
    articles = load_squad(low_overlap_file)
    corpus = SquadCorpus.build(articles, tmp_path / "work")
    first = sorted(corpus.gold(articles[0], articles[0].questions[0]))
    scores, per_question = score(corpus, articles, lambda q: first, only={"h1", "h3"})
    assert (scores.questions, scores.hit_at_1) == (2, 0.5)
    assert per_question == [True, False]


def test_evaluate_squad_reports_the_low_overlap_split(low_overlap_file: Path) -> None:
    report = evaluate_squad(low_overlap_file, abstention=False)
    for splits in report.rows.values():
        assert splits["all"].questions == 4
        assert splits["low"].questions == 2
    assert "low: the 2 questions sharing at most 1 content word" in format_report(report)
