"""`python -m bot bench` on tiny sizes: it runs, checks rank-bm25 and reports every figure."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.bench import CorpusGenerator, configure_parser, write_corpus
from bot.library import Library
from bot.settings import Settings


def run_bench(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args(list(argv))
    assert args.func(args, None) == 0
    return capsys.readouterr().out


def test_bench_json_reports_every_figure_and_matches_rank_bm25(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_bench(
        capsys,
        "--sizes",
        "300,500",
        "--queries",
        "8",
        "--skip-rank-bm25-above",
        "400",
        "--no-semantic",  # encoding 20 added articles per size would dominate the test
        "--json",
    )
    small, large = (json.loads(line) for line in out.splitlines())
    assert (small["passages"], large["passages"]) == (300, 500)
    for name in ("build_s", "save_s", "load_s", "add_p50_ms", "remove_p50_ms", "search_p50_ms"):
        assert small[name] > 0 and large[name] > 0, name
    assert small["rss_mb"] > 0
    assert large["live_segments"] > 1  # built by live adds
    assert large["compact_s"] > 0 and large["compacted_vs_fresh"] > 0
    assert small["top10_max_abs_diff"] <= 1e-9
    assert small["rank_bm25_p50_ms"] > 0 and small["speedup_p50"] > 0
    assert large["rank_bm25"] == "skipped above 400 passages"
    assert "rank_bm25_p50_ms" not in large
    for name in ("open_cold_s", "open_warm_s", "answer_p50_ms", "answer_steady_p50_ms"):
        assert small[name] > 0 and large[name] > 0, name
    assert small["answer_p50_ms"] <= small["answer_p95_ms"]
    assert 0 < small["article_p50_ms"] <= small["article_p95_ms"]
    assert small["library_add_ms"] <= small["library_add_max_ms"]
    assert small["library_peak_rss_mb"] >= small["library_rss_mb"] > 0
    assert 0 < small["answered_share"] <= 1


def test_bench_skip_library_reports_index_figures_only(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_bench(capsys, "--sizes", "200", "--queries", "4", "--skip-library", "--json")
    row = json.loads(out)
    assert row["search_p50_ms"] > 0
    assert "answer_p50_ms" not in row and "open_warm_s" not in row


def test_bench_table_says_when_rank_bm25_was_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_bench(
        capsys,
        "--sizes",
        "200",
        "--queries",
        "4",
        "--skip-rank-bm25-above",
        "100",
        "--skip-library",
    )
    header, row, note = out.splitlines()
    assert header.split()[0] == "passages" and "search_p50_ms" in header.split()
    assert {"answer_p50_ms", "open_warm_s", "library_add_ms", "library_rss_mb"} <= set(
        header.split()
    )
    assert len(row.split()) == len(header.split())
    assert row.split()[header.split().index("answer_p50_ms")] == "-"
    assert row.split()[0] == "200"
    assert note.strip() == "rank-bm25 skipped above 100 passages"


def test_generated_articles_are_deterministic_news_like_sentences() -> None:
    generator = CorpusGenerator(3)
    first = generator.article(12)
    assert first == CorpusGenerator(3).article(12)
    assert first != generator.article(13)
    assert 20 <= len(first) <= 40
    assert all(not s[0].islower() and s.endswith(".") for s in first)
    words_per_sentence = [len(s.split()) for s in first]
    assert 18 <= statistics.mean(words_per_sentence) <= 32


def test_generated_words_follow_a_zipf_law_over_thousands_of_words() -> None:
    generator = CorpusGenerator(3)
    counts = Counter(
        w.lower().rstrip(".") for n in range(60) for s in generator.article(n) for w in s.split()
    )
    ranked = [count for _, count in counts.most_common()]
    assert len(counts) > 3000
    # Zipf: frequency roughly inversely proportional to rank.
    assert 3 < ranked[0] / ranked[9] < 20
    assert ranked[0] / ranked[99] > 30


def test_queries_have_three_to_eight_words_before_tokenising() -> None:
    queries = CorpusGenerator(3).queries(20, articles=10)
    assert len(queries) == 20
    assert all(1 <= len(q) <= 8 for q in queries)


def test_attributed_articles_credit_the_speaker_named_in_the_sentence() -> None:
    article, passages = CorpusGenerator(3).attributed(5)
    assert [p.position for p in passages] == list(range(len(passages)))
    assert " ".join(p.text for p in passages) == " ".join(article.paragraphs)
    quoted = [p for p in passages if p.attribution.speaker]
    assert quoted and len(quoted) < len(passages)
    for passage in quoted:
        assert passage.text.endswith(f", {passage.attribution.speaker} said.")
        assert passage.attribution.cue == "said"


def test_written_corpus_opens_as_a_library_with_the_generated_sentences(tmp_path: Path) -> None:
    generator = CorpusGenerator(3)
    articles = write_corpus(generator, 100, tmp_path / "corpus")
    settings = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "var")
    library = Library.open(settings)
    assert len(library) == articles and library.sentence_count() == 100
    article, passages = generator.attributed(1)
    assert library.get(article.id) == article
    assert list(library.passages_of(article.id)) == passages
    assert library.passage(article.id, 2) == passages[2]


def test_bench_peer_tantivy_times_both_engines_on_the_same_questions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run_bench(
        capsys, "--sizes", "600", "--queries", "12", "--skip-library", "--peer", "tantivy", "--json"
    )
    row = json.loads(out)
    assert row["tantivy_p50_ms"] > 0 and row["search_paired_p50_ms"] > 0
    assert row["tantivy_ratio_p50"] == pytest.approx(
        row["tantivy_p50_ms"] / row["search_paired_p50_ms"]
    )
    assert row["tantivy_segments"] >= 1
    # The same tokens in both engines: their top hits mostly agree (BM25 variants differ).
    assert row["tantivy_top10_overlap"] > 0.5 and row["tantivy_same_top1"] > 0.5


def test_bench_peer_tantivy_without_it_says_how_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if not installed: import fails
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    args = parser.parse_args(["--sizes", "200", "--peer", "tantivy"])
    assert args.func(args, None) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "pip install 'quotebot[bench]'" in captured.err
