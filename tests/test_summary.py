"""The extractive summary, speaker counts and one speaker's words; `eval summary` figures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bot.evaluate.summary import (
    GOLD_FILE,
    MAX_FRAGMENT_WORDS,
    MIN_FRAGMENT_WORDS,
    SummaryGoldError,
    article_passages,
    evaluate_summary,
    resolve_fragment,
)
from bot.ingest import read_file
from bot.library import build_passages
from bot.models import Attribution, Passage
from bot.summary import (
    is_summary_material,
    match_speaker,
    rank_sentences,
    speaker_counts,
    speaker_sentences,
    summarise,
)
from tests.conftest import SEED_FILE, SHARED_DIR, require_shared

GOLD_ATTRIBUTION = Path(__file__).resolve().parents[1] / "bot/evaluate/data/seed_gold.json"
BENCHMARK_DIR = SHARED_DIR / "eval-data" / "article-extraction-benchmark"
# Benchmark articles by key prefix (the full keys are in the summary gold set).
STEELERS, EUROPA, NOEM = "08f793762792bd25", "14cc2a0ca59c62a8", "156770d676ce7990"
TITAN = "359fee228518d55b"


def passages(*texts: str, speakers: dict[int, str] | None = None) -> list[Passage]:
    speakers = speakers or {}
    return [
        Passage("a1", n, n, text, Attribution(speakers.get(n), "said" if n in speakers else None))
        for n, text in enumerate(texts)
    ]


STORY = passages(
    "The city council approved a new harbour budget on Tuesday after a long debate.",
    "(Reporting by Jane Doe; Editing by John Roe)",
    "The harbour budget doubles spending on the ferry terminal and the harbour walls.",
    "Councillors said the harbour budget was overdue after storms damaged the walls.",
    "Read the original article.",
    "A local bakery also opened a second shop in the old town this week.",
    "The council approved the new harbour budget on Tuesday after a long debate.",
)


@pytest.mark.parametrize(
    ("text", "material"),
    [
        ("The council approved a new harbour budget on Tuesday.", True),
        ("(Reporting by Jane Doe; Editing by John Roe)", False),
        ("This article was originally published by The Harbour Gazette.", False),
        ("\u2014 Jane Doe (@janedoe_news) March 3, 2021", False),
        ("That's on us.", False),
        ("Everyone arrested was taken to the county jail on the following charges:", False),
        ("\u2026 You reap what you sow and then some of it.", False),
    ],
    ids=["story", "credits", "syndication", "tweet", "fragment", "list-intro", "continuation"],
)
def test_furniture_and_fragments_are_never_summary_material(text: str, material: bool) -> None:
    assert is_summary_material(text) is material


def benchmark_passages(prefix: str) -> tuple[Passage, ...]:
    """The passages the bot stores for the benchmark article whose key starts with `prefix`."""
    truth = json.loads(
        (require_shared(BENCHMARK_DIR) / "ground-truth.json").read_text(encoding="utf-8")
    )
    (key,) = [key for key in truth if key.startswith(prefix)]
    return article_passages(key, truth)


@pytest.mark.parametrize(
    ("article", "fragment"),
    [
        (TITAN, "Reporting by Will Dunham"),
        (EUROPA, "originally published by Futurism"),
        (NOEM, "(@RobertMaguire_) November 18"),
        (STEELERS, "That's our fault"),
    ],
    ids=["credits", "syndication", "tweet", "fragment"],
)
def test_the_benchmarks_furniture_is_never_summary_material(article: str, fragment: str) -> None:
    # The benchmark's sentences are named by a fragment, not copied: see summary_gold.json.
    passages = benchmark_passages(article)
    sentence = resolve_fragment(article, fragment, passages)
    assert not is_summary_material(sentence)
    assert sentence not in {p.text for p in summarise(passages, 3)}


def test_summary_is_verbatim_in_article_order_without_furniture_or_near_duplicates() -> None:
    picked = summarise(STORY, 3)
    texts = [p.text for p in picked]
    assert all(p in STORY for p in picked)
    assert [p.position for p in picked] == sorted(p.position for p in picked)
    assert not {STORY[1].text, STORY[4].text} & set(texts)
    # Sentences 0 and 6 say the same thing: only one of them is kept.
    assert not {STORY[0].text, STORY[6].text} <= set(texts)
    assert STORY[0].text in texts


def test_summary_length_follows_the_count() -> None:
    assert len(summarise(STORY, 1)) == 1
    assert len(summarise(STORY, 2)) == 2
    assert summarise(passages("Short.", "Read the original article."), 3) == []


def test_sentence_vectors_replace_the_lexical_similarity() -> None:
    # Vectors that make the bakery sentence the one everything else resembles.
    vectors = np.full((len(STORY), 2), [1.0, 0.0])
    vectors[5] = [0.8, 0.6]
    lexical = rank_sentences(STORY)
    encoded = rank_sentences(STORY, vectors)
    assert encoded != lexical
    assert encoded[0] == 0  # the lead prior still counts


def test_speaker_counts_merge_a_surname_with_the_full_name() -> None:
    story = passages(
        "Angela Cooper said the walls would hold for another ten winters.",
        "The walls were built in 1890.",
        "Cooper said repairs would start in spring.",
        speakers={0: "Angela Cooper", 2: "Cooper"},
    )
    (only,) = speaker_counts(story)
    assert (only.speaker, only.count, only.first) == ("Angela Cooper", 2, 0)
    assert [p.position for p in speaker_sentences(story, "Angela Cooper")] == [0, 2]


def test_seed_speakers_and_counts_match_the_gold_attribution() -> None:
    article = read_file(require_shared(SEED_FILE))
    built = build_passages(article)
    gold = json.loads(GOLD_ATTRIBUTION.read_text(encoding="utf-8"))
    expected = Counter(
        s["speaker"] for p in gold["paragraphs"] for s in p["sentences"] if s["speaker"]
    )
    assert {c.speaker: c.count for c in speaker_counts(built)} == dict(expected)


def test_the_same_diplomat_finds_every_sentence_of_that_diplomat_in_order() -> None:
    built = build_passages(read_file(require_shared(SEED_FILE)))
    speaker = match_speaker(built, "the same diplomat")
    assert speaker is not None and speaker.startswith("a senior Western diplomat")
    words = speaker_sentences(built, speaker)
    assert len(words) == 2 and words[0].position < words[1].position
    assert match_speaker(built, "another senior diplomat") == "another senior diplomat"
    assert match_speaker(built, "the finance minister") is None


def test_eval_summary_ours_at_least_lead_3_and_far_above_random() -> None:
    report = evaluate_summary(require_shared(BENCHMARK_DIR))
    assert report.articles == 30 and report.sentences == 90
    assert report.ours.precision >= report.lead.precision
    assert report.ours.recall >= report.random.recall + 0.25


def test_the_gold_set_keeps_only_short_fragments_of_the_benchmark() -> None:
    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    assert len(gold["articles"]) == 30
    for entry in gold["articles"]:
        assert set(entry) == {"article", "fragments"} and len(entry["fragments"]) == 3
        for fragment in entry["fragments"]:
            assert MIN_FRAGMENT_WORDS <= len(fragment.split()) <= MAX_FRAGMENT_WORDS, fragment


@pytest.mark.parametrize(
    ("fragment", "problem"),
    [
        ("a sentence this article never had", "is in no sentence of the article"),
        ("his role in the fight", "in 2 sentences of the article; it must name exactly one"),
        ("Rudolph", "has 1 words; a fragment has 3 to 8"),
        ("Browns pass rusher Myles Garrett", "names a sentence another fragment already names"),
    ],
    ids=["none", "several", "too-short", "same-sentence"],
)
def test_a_gold_fragment_that_names_no_single_sentence_is_refused(
    tmp_path: Path, fragment: str, problem: str
) -> None:
    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    (entry,) = [e for e in gold["articles"] if e["article"].startswith(STEELERS)]
    entry["fragments"][1] = fragment
    broken = tmp_path / "gold.json"
    broken.write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(SummaryGoldError) as refused:
        evaluate_summary(require_shared(BENCHMARK_DIR), broken)
    message = str(refused.value)
    assert f"article {entry['article']}: fragment {fragment!r}" in message
    assert problem in message
