"""A tiny run of benchmarks/telegram_load.py: every question answered, figures in order."""

from __future__ import annotations

from benchmarks.telegram_load import match_replies, run_load


def test_tiny_load_answers_every_question_and_reports_ordered_percentiles() -> None:
    row = run_load(passages=300, questions=12, chats=3, rate=50.0)
    assert row["answered"] == 12 and row["replies"] >= 12
    for name in ("latency", "ask", "loop_lag"):
        p50, p95, p99 = (row[f"{name}_p{n}_ms"] for n in (50, 95, 99))
        assert 0 <= p50 <= p95 <= p99 <= row[f"{name}_max_ms"], name
    assert row["latency_p50_ms"] > 0


def test_articles_added_during_the_load_are_compacted_in_the_background() -> None:
    row = run_load(passages=300, questions=40, chats=4, rate=10.0, adds=3)
    assert row["answered"] == 40
    assert row["compactions"] >= 1
    assert 0 <= row["loop_lag_compacting_max_ms"] <= row["loop_lag_max_ms"]


def test_replies_are_paired_with_questions_per_chat_in_order() -> None:
    chat_of = {1: 7, 2: 8, 3: 7, 4: 9}
    handed_out = {1: 1.0, 2: 1.5, 3: 2.0, 4: 2.5}
    replies = {7: [1.25, 2.5], 8: [1.75]}
    assert match_replies(chat_of, handed_out, replies) == [0.25, 0.25, 0.5, None]
