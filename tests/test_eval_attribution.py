"""`python -m bot eval attribution`: PolNeAR-style brat files scored against stored speakers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.evaluate.attribution import (
    Relation,
    evaluate_attribution,
    is_pronoun,
    place_sentences,
    read_relations,
    same_speaker,
)
from bot.models import Attribution, BotError, Passage

SAMPLE = Path(__file__).resolve().parent / "data" / "polnear"
SHIPPED_SEED = Path(__file__).resolve().parents[1] / "corpus" / "b337a07ac34c83ae.json"


@pytest.mark.parametrize(
    ("predicted", "gold", "same"),
    [
        ("Clinton", "Hillary Clinton", True),
        ("Sen. Marco Rubio", "Rubio", True),
        ("the campaign", "Clinton\u2019s campaign", True),
        ("John Alden, an economist", "John Alden, an economist at the bank,", True),
        ("Secretary of State John Kerry", "Kerry", True),
        ("a spokesman", "the senator", False),
        ("Smith", "Brown", False),
        ("The Kremlin", "the ministry", False),
        ("President Ann Lee", "the president", True),
        ("the mayor", "Mayor Tom Reyes", True),
        ("the governor", "the senator", False),
        ("President Ann Lee", "the governor", False),
    ],
    ids=[
        "last-name",
        "title-dropped",
        "possessive-head",
        "apposition-cut",
        "long-title",
        "different-nouns",
        "different-names",
        "different-bodies",
        "bare-title-gold",
        "bare-title-predicted",
        "different-titles",
        "title-not-held",
    ],
)
def test_same_speaker_matches_head_words_after_normalising(
    predicted: str, gold: str, same: bool
) -> None:
    assert same_speaker(predicted, gold) is same


@pytest.mark.parametrize(
    ("source", "pronoun"),
    [("he", True), ("They", True), ("his", True), ("Jones", False), ("the officials", False)],
    ids=["he", "they", "his", "name", "noun-phrase"],
)
def test_is_pronoun_tells_pronoun_sources_from_named_ones(source: str, pronoun: bool) -> None:
    assert is_pronoun(source) is pronoun


def test_read_relations_keeps_discontinuous_content_and_implicit_sources() -> None:
    relations = read_relations((SAMPLE / "budget.ann").read_text(encoding="utf-8"))
    jones = next(r for r in relations if r.source == "Jones")
    assert jones.content == ((237, 251), (264, 286))
    assert jones.speech and jones.judged
    implicit = next(r for r in relations if r.cue == "compiled")
    assert implicit.source is None and not implicit.judged
    assert not next(r for r in relations if r.source == "He").judged
    assert not Relation("Voters", "want", ((0, 1),)).speech


def test_place_sentences_ignores_spacing_and_reports_the_missing() -> None:
    raw = "Title\n\nOne  sentence\nhere. Two."
    passages = [
        Passage("a", 0, 0, "One sentence here.", Attribution(None, None)),
        Passage("a", 1, 0, "Not in the text.", Attribution(None, None)),
        Passage("a", 2, 0, "Two.", Attribution(None, None)),
    ]
    placed, missing = place_sentences(raw, passages)
    assert [(p.start, p.end) for p in placed] == [(7, 26), (27, 31)]
    assert raw[7:26] == "One  sentence\nhere."
    assert missing == 1


def test_evaluate_attribution_scores_the_hand_written_sample() -> None:
    report = evaluate_attribution(SAMPLE, seed=SHIPPED_SEED)
    assert (report.articles, report.relations, report.unplaced_relations) == (2, 8, 0)
    # Right: Alden, the mayor, Jones (both quoted sentences), Smith, Voters.
    assert (report.speech_recall.right, report.speech_recall.total) == (4, 5)
    assert (report.all_recall.right, report.all_recall.total) == (5, 8)
    assert report.failures == {"no speaker": 1, "wrong speaker": 1, "outlet fallback": 1}
    assert report.speech_failures == {"wrong speaker": 1}
    assert (report.precision.right, report.precision.total) == (6, 6)
    assert report.by_cue["had told"].total == 1 and report.by_cue["had told"].right == 0
    assert report.seed_accuracy == 1.0


def test_eval_attribution_command_prints_json_and_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["eval", "attribution", str(SAMPLE), "--seed", str(SHIPPED_SEED)]
    assert main([*args, "--json", "--examples", "5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["speech_recall"] == {"right": 4, "total": 5, "share": 0.8}
    assert data["by_cue"]["said"] == {"right": 3, "total": 3, "share": 1.0}
    assert {example["kind"] for example in data["examples"]} == {
        "no speaker",
        "wrong speaker",
        "outlet fallback",
    }
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "speech-verb recall" in table and "80.0%  (4 of 5)" in table
    assert "seed attribution accuracy 1.000" in table


def test_eval_attribution_split_reads_a_sub_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dev").mkdir()
    for name in ("talks.txt", "talks.ann"):
        (tmp_path / "dev" / name).write_bytes((SAMPLE / name).read_bytes())
    assert main(["eval", "attribution", str(tmp_path), "--split", "dev", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["articles"] == 1 and data["failures"] == {"outlet fallback": 1}


def test_eval_attribution_without_articles_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "attribution", str(tmp_path / "absent")]) == 1
    assert "not a folder" in capsys.readouterr().err
    with pytest.raises(BotError, match=r"no \.txt/\.ann pairs"):
        evaluate_attribution(tmp_path)
