"""Abstention with token states: the fitted evidence (`bot.rerank.abstention_score`), its fit
(`bot.evaluate.abstention`, `eval squad --fit-abstention`) and what the bot declines with it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot import rerank
from bot.__main__ import main
from bot.evaluate.abstention import EvidenceTable, fit_abstention, rates
from bot.library import Library
from bot.rerank import ABSTENTION_EVIDENCE, ABSTENTION_WEIGHTS, abstention_score
from bot.settings import Settings
from tests.test_eval_squad import ARTICLES

WIDTH = len(ABSTENTION_EVIDENCE)


def evidence(**values: float) -> np.ndarray:
    row = np.zeros(WIDTH)
    for name, value in values.items():
        row[ABSTENTION_EVIDENCE.index(name)] = value
    return row


def test_the_score_is_the_confidence_plus_the_weighed_signals_and_the_offset() -> None:
    row = evidence(confidence=1.2, token_match=0.5, cosine=0.4)
    assert abstention_score(row, {}, 0.0) == pytest.approx(1.2)
    weights = {"token_match": 2.0, "cosine": -1.0}
    assert abstention_score(row, weights, 0.3) == pytest.approx(1.2 + 1.0 - 0.4 + 0.3)


def test_every_signal_has_a_shipped_weight() -> None:
    assert set(ABSTENTION_WEIGHTS) == set(ABSTENTION_EVIDENCE[1:])


def synthetic_table(seed: int = 3, alike: int = 0) -> EvidenceTable:
    """Right answers have a higher token match than absent questions; cosine is noise."""
    generator = np.random.default_rng(seed)
    rows, present = [], []
    for is_present in [True] * 300 + [False] * 300:
        match = generator.normal(0.7 if is_present else 0.45, 0.08)
        rows.append(
            evidence(
                confidence=generator.normal(1.8 if is_present else 1.2, 0.5),
                token_match=match,
                cosine=generator.normal(0.4, 0.1),
            )
        )
        present.append(is_present)
    said_alike = np.zeros(600, dtype=bool)
    said_alike[300 : 300 + alike] = True  # absent questions answered by meaning anyway
    return EvidenceTable(np.array(rows), np.array(present), said_alike)


def test_the_fit_answers_the_share_of_absent_questions_it_is_asked_to() -> None:
    table = synthetic_table()
    fit = fit_abstention(table, answered=0.05, min_match=1.5)
    kept, answered = rates(table, fit, 1.5)
    assert answered <= 0.05
    assert kept > 0.8  # the token match separates them well
    assert fit.weights["token_match"] > abs(fit.weights["cosine"])


def test_absent_questions_answered_by_meaning_count_against_the_share() -> None:
    table = synthetic_table(alike=15)
    fit = fit_abstention(table, answered=0.08, min_match=1.5)
    _, answered = rates(table, fit, 1.5)
    assert answered <= 0.08
    no_alike = replace(table, said_alike=np.zeros(600, dtype=bool))
    assert rates(no_alike, fit_abstention(no_alike, answered=0.08, min_match=1.5), 1.5)[
        1
    ] == pytest.approx(0.08, abs=0.005)


def test_the_fit_needs_questions_of_both_kinds() -> None:
    table = synthetic_table()
    only_present = EvidenceTable(table.evidence[:300], table.present[:300], table.said_alike[:300])
    with pytest.raises(ValueError, match="both"):
        fit_abstention(only_present)


def test_with_token_states_the_judgement_weighs_the_fitted_evidence(embedded: Library) -> None:
    answerer = embedded._answerer
    ranking = answerer.judge(answerer.parse(COUNT, embedded.encode_with_tokens))
    assert ranking is not None
    judgement = ranking.judgement
    assert judgement.evidence is not None
    assert judgement.confidence == pytest.approx(abstention_score(judgement.evidence))


def test_by_words_alone_the_judgement_has_no_fitted_evidence(settings: Settings) -> None:
    library = Library.open(settings)
    answerer = library._answerer
    ranking = answerer.judge(answerer.parse("Who wants U.S. troops in Ukraine?"))
    assert ranking is not None
    assert ranking.judgement.evidence is None


# The seed article gives no number of American troops: it says Washington is reluctant.
COUNT = "How many troops will the United States send to Ukraine?"


def test_a_count_question_whose_best_sentence_holds_no_number_is_declined(
    embedded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not embedded.ask(COUNT).answered
    # The near sentence's token match and cosine are high: without the set weight on the
    # missing number, the fitted evidence would answer it.
    monkeypatch.setitem(rerank.ABSTENTION_WEIGHTS, "lacks_type", 0.0)
    assert embedded.ask(COUNT).answered


@pytest.fixture
def squad_file(tmp_path: Path) -> Path:
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"version": "1.1", "data": ARTICLES}), encoding="utf-8")
    return path


def test_eval_squad_fit_abstention_prints_weights_and_rates_on_both_splits(
    squad_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SEMANTIC", "on")
    assert main(["eval", "squad", str(squad_file), "--fit-abstention"]) == 0
    out = capsys.readouterr().out
    names = {line.split(" = ")[0] for line in out.splitlines() if " = " in line}
    assert names == set(ABSTENTION_EVIDENCE[1:]) | {"offset"}
    assert "fitted on corpus=even" in out and "checked on corpus=odd" in out


def test_eval_squad_fit_abstention_says_it_needs_token_states(
    squad_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "squad", str(squad_file), "--fit-abstention"]) == 1
    assert "token states" in capsys.readouterr().err
