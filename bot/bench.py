"""`python -m bot bench`: index speed and memory on synthetic news corpora, against rank-bm25.

The corpora are made here, offline and seeded: news-like sentences whose words follow a
Zipf-Mandelbrot law over a vocabulary of English function words, news words, made-up names and
places, and numbers, grouped into articles that each keep returning to a few topic words.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.conversation import Conversation, Turn
from bot.encoder import DIMENSIONS, unit_rows
from bot.index import BM25Index
from bot.ingest.ids import article_id
from bot.late import quantise_states
from bot.library import Library
from bot.models import Answer, Article, Attribution, Passage
from bot.settings import Settings
from bot.store import ArticleStore, article_to_record
from bot.tantivy_peer import PeerMissingError, TantivyPeer, import_tantivy
from bot.text import split_sentences, tokenize
from bot.vectors import texts_check

FUNCTION_WORDS_TEXT = """
the of and to a in that is was for on it with as he said at by his be from have has are an
not they but this who had were been their or which will its after would we also one more i
about up there than when out new other all she her into over two you year can over first
last people some them could no what time said so just years only most like three before
while any because then against our those during under where made being such told since many
should may much both well off through these between very down says percent still own around
"""
FUNCTION_WORDS = tuple(FUNCTION_WORDS_TEXT.split())

NEWS_WORDS_TEXT = """
government minister president police officials city state country week month day today
tuesday monday wednesday thursday friday saturday sunday company market percent million
billion dollars election vote party court judge law report study health hospital school
students children family police officer attack war military troops border security deal
talks agreement trade prices oil energy climate water fire storm flood rain weather season
team game players coach win lost match league final club fans stadium record season million
bank economy inflation rates interest investors shares stock profit sales growth jobs
workers union strike protest crowd march leaders council mayor governor senator congress
parliament committee investigation charges trial prison sentence victims survivors rescue
emergency service transport road bridge train airport flight passengers ship port harbour
project plan budget tax spending cuts funding program policy reform support opposition
campaign candidate polls voters results count early late spokesman spokeswoman statement
interview press news media social online video phone technology data internet users software
security privacy research scientists university professor experts evidence findings cases
virus vaccine doctors patients treatment drug disease outbreak deaths injured killed
arrested suspect shooting crash accident damage homes residents area region village town
capital north south east west central national local international global foreign domestic
public private small large major high low big long short strong weak young old former
current next recent
"""
NEWS_WORDS = tuple(NEWS_WORDS_TEXT.split())

SYLLABLES_TEXT = """
ka lo mi ra ve to su na be di ko ri sa mo te lu pa ni go fe ha ju ze wi ly bro chen dor vel
mar tin son ski ova gar lin ber ton field wood ham ville burg stad ford ley ria nia
"""
SYLLABLES = tuple(SYLLABLES_TEXT.split())

ZIPF_EXPONENT = 1.05
ZIPF_SHIFT = 2.7  # Mandelbrot's shift: the top words are less dominant than a pure Zipf law
SYNTHETIC_WORDS = 60_000
TOPIC_WORDS = 6
TOPIC_RATE = 0.12  # chance that a sentence mentions each of its article's topic words
PASSAGES_PER_ARTICLE = 30
DEFAULT_SIZES = "10000,100000,300000,1000000"
CHANGE_SAMPLES = 20  # articles added (then removed) to time live updates
CHECKED_QUERIES = 5  # queries whose top 10 are compared with rank-bm25's
QUERY_STREAM = 1_000_003  # seeds the questions apart from every article number
ARTICLE_LEVEL_STREAM = 1_000_004  # picks the articles of the article-level questions
ATTRIBUTION_STREAM = 2_000_003  # seeds the speakers apart from the words
SENTENCES_PER_PARAGRAPH = 3
SPEAKERS_PER_ARTICLE = 3
QUOTED_SHARE = 0.3  # share of sentences that end in ", <Speaker> said."
SYNTHETIC_OUTLET = "Synthetic Wire"
SYNTHETIC_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def make_vocabulary(seed: int) -> list[str]:
    """Words ordered by frequency rank: function words, news words, then names and numbers."""
    rng = np.random.default_rng(seed)
    common = [(i / len(FUNCTION_WORDS), w) for i, w in enumerate(FUNCTION_WORDS)]
    common += [(0.4 + 3 * i / len(NEWS_WORDS), w) for i, w in enumerate(NEWS_WORDS)]
    ranked = list(dict.fromkeys(w for _, w in sorted(common)))
    made: set[str] = set(ranked)
    numbers = [str(n) for n in range(1, 1000)] + [str(y) for y in range(1950, 2031)]
    while len(made) < len(ranked) + SYNTHETIC_WORDS:
        parts = rng.choice(SYLLABLES, size=int(rng.integers(2, 5)))
        made.add("".join(parts))
    rare = sorted(made - set(ranked)) + numbers
    order = rng.permutation(len(rare))
    return ranked + [rare[i] for i in order]


@dataclass
class CorpusGenerator:
    """Seeded, deterministic news-like articles: article n is the same in every run."""

    seed: int = 7
    words: list[str] = field(init=False)
    cdf: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.words = make_vocabulary(self.seed)
        weights = 1.0 / (np.arange(len(self.words)) + ZIPF_SHIFT) ** ZIPF_EXPONENT
        self.cdf = np.cumsum(weights / weights.sum())

    def article(self, number: int) -> list[str]:
        """The sentences of article `number`."""
        rng = np.random.default_rng((self.seed, number))
        count = int(rng.integers(PASSAGES_PER_ARTICLE - 10, PASSAGES_PER_ARTICLE + 11))
        lengths = np.clip(rng.normal(24, 8, size=count).astype(int), 6, 60)
        drawn = np.searchsorted(self.cdf, rng.random(int(lengths.sum())), side="right")
        drawn = np.minimum(drawn, len(self.words) - 1)
        topics = rng.integers(150, 20_000, size=TOPIC_WORDS)
        sentences, start = [], 0
        for length in lengths.tolist():
            ids = drawn[start : start + length].tolist()
            start += length
            for topic in topics[rng.random(TOPIC_WORDS) < TOPIC_RATE].tolist():
                ids.insert(int(rng.integers(0, len(ids) + 1)), topic)
            text = " ".join(self.words[i] for i in ids)
            sentences.append(text[:1].upper() + text[1:] + ".")
        return sentences

    def tokenised(self, count: int) -> Iterator[list[list[str]]]:
        """Articles 0, 1, ... as tokenised passages, until `count` passages have been made."""
        made, number = 0, 0
        while made < count:
            passages = [tokenize(s) for s in self.article(number)][: count - made]
            made += len(passages)
            number += 1
            yield passages

    def attributed(self, number: int, limit: int | None = None) -> tuple[Article, list[Passage]]:
        """Article `number` as stored: paragraphs and attributed passages, without Punkt.

        Some sentences end in ", <Speaker> said." and are attributed to one of the article's
        speakers, as `attribution.attribute` would; the rest fall back to the outlet. Building
        the passages here keeps a 1M-passage bench from running Punkt and the attribution rules
        on every synthetic sentence (`Library.add` runs them, and the bench times that too).
        """
        rng = np.random.default_rng((self.seed, number, ATTRIBUTION_STREAM))
        speakers = [self._name(rng) for _ in range(SPEAKERS_PER_ARTICLE)]
        outlet = Attribution(None, None, "outlet")
        texts, credits = [], []
        for sentence in self.article(number)[:limit]:
            if rng.random() < QUOTED_SHARE:
                speaker = speakers[int(rng.integers(0, SPEAKERS_PER_ARTICLE))]
                texts.append(f"{sentence[:-1]}, {speaker} said.")
                credits.append(Attribution(speaker, "said", "explicit"))
            else:
                texts.append(sentence)
                credits.append(outlet)
        article_id = f"syn{number:07d}"
        paragraphs = tuple(
            " ".join(texts[i : i + SENTENCES_PER_PARAGRAPH])
            for i in range(0, len(texts), SENTENCES_PER_PARAGRAPH)
        )
        passages = [
            Passage(article_id, position, position // SENTENCES_PER_PARAGRAPH, text, credit)
            for position, (text, credit) in enumerate(zip(texts, credits, strict=True))
        ]
        added = SYNTHETIC_EPOCH + timedelta(minutes=number)
        article = Article(
            id=article_id,
            title=" ".join(texts[0].rstrip(".").split()[:8]),
            paragraphs=paragraphs,
            outlet=SYNTHETIC_OUTLET,
            url=f"https://news.example/{number}",
            published=added.date().isoformat(),
            added=added.isoformat(timespec="seconds"),
        )
        return article, passages

    def _name(self, rng: np.random.Generator) -> str:
        first, last = rng.integers(150, 20_000, size=2).tolist()
        return f"{self.words[first].capitalize()} {self.words[last].capitalize()}"

    def queries(self, count: int, articles: int) -> list[list[str]]:
        """The tokens of `questions(count, articles)`."""
        return [tokenize(question) for question in self.questions(count, articles)]

    def questions(self, count: int, articles: int) -> list[str]:
        """Questions of 3-8 words: half from one passage's words, half from the whole corpus."""
        rng = np.random.default_rng((self.seed, QUERY_STREAM))
        result: list[str] = []
        while len(result) < count:
            size = int(rng.integers(3, 9))
            if len(result) % 2:
                ids = np.searchsorted(self.cdf, rng.random(size), side="right")
                words = [self.words[min(i, len(self.words) - 1)] for i in ids.tolist()]
            else:
                sentences = self.article(int(rng.integers(0, articles)))
                pool = sentences[int(rng.integers(0, len(sentences)))].rstrip(".").split()
                picks = rng.choice(len(pool), size=min(size, len(pool)), replace=False)
                words = [pool[i] for i in picks.tolist()]
            question = " ".join(words) + "?"
            if tokenize(question):
                result.append(question)
        return result


def rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MB."""
    current = peak = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def percentiles_ms(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure_size(generator: CorpusGenerator, size: int, args: argparse.Namespace) -> dict:
    """Every figure for one corpus size."""
    row: dict[str, object] = {"passages": size}
    index = BM25Index(k1=args.k1, b=args.b)
    build, articles, tokens = 0.0, 0, 0
    for number, passages in enumerate(generator.tokenised(size)):
        tokens += sum(len(p) for p in passages)
        build += timed(partial(index.add, f"a{number}", passages))
        articles += 1
    gc.collect()
    row.update(articles=articles, tokens_per_passage=round(tokens / size, 1), build_s=build)
    row["rss_mb"], row["peak_rss_mb"] = rss_mb()
    queries = generator.queries(args.queries, articles)
    index.search(queries[0])  # first query after a change computes per-passage norms once
    row["search_live_p50_ms"], _ = percentiles_ms(
        [timed(partial(index.search, q)) for q in queries]
    )
    row["live_segments"] = index.segment_count
    row.update(compact(index))
    with tempfile.TemporaryDirectory(prefix="bench-index-") as directory:
        row["save_s"] = timed(lambda: index.save(Path(directory), "bench"))
        started = time.perf_counter()
        loaded = BM25Index.load(Path(directory), "bench", k1=args.k1, b=args.b, epsilon=0.25)
        row["load_s"] = time.perf_counter() - started
    if loaded is None:
        raise RuntimeError("the saved index did not load")
    compacted, fresh = paired_search_ms(index, loaded, queries)
    row["search_compacted_p50_ms"], row["search_fresh_paired_p50_ms"] = compacted, fresh
    row["compacted_vs_fresh"] = compacted / fresh
    del index
    gc.collect()
    index = loaded
    index.search(queries[0])
    ours = [timed(partial(index.search, q, 10)) for q in queries]
    row["search_p50_ms"], row["search_p95_ms"] = percentiles_ms(ours)
    if args.peer == "tantivy":
        compare_with_tantivy(generator, index, queries, row)
    extra = [
        [tokenize(s) for s in generator.article(articles + 1000 + i)] for i in range(CHANGE_SAMPLES)
    ]
    adds = [timed(partial(index.add, f"new{i}", p)) for i, p in enumerate(extra)]
    row["add_p50_ms"], row["add_max_ms"] = statistics.median(adds) * 1000, max(adds) * 1000
    removes = [timed(partial(index.remove, f"new{i}")) for i in range(CHANGE_SAMPLES)]
    row["remove_p50_ms"], row["remove_max_ms"] = (
        statistics.median(removes) * 1000,
        max(removes) * 1000,
    )
    if not args.skip_library:
        row.update(measure_library(generator, size, args))
    if size > args.skip_rank_bm25_above:
        row["rank_bm25"] = f"skipped above {args.skip_rank_bm25_above} passages"
        return row
    compare_with_rank_bm25(generator, index, queries, row)
    return row


def compact(index: BM25Index) -> dict[str, float]:
    """Compact the live-fed index step by step, as the bot's background thread does."""
    job = index.compaction()
    if job is None:
        return {"compact_s": 0.0, "compact_max_step_ms": 0.0}
    steps = []
    while True:
        started = time.perf_counter()
        finished = job.step()
        steps.append(time.perf_counter() - started)
        if finished:
            break
    steps.append(timed(job.commit))
    return {"compact_s": sum(steps), "compact_max_step_ms": max(steps) * 1000}


def paired_search_ms(
    first: BM25Index, second: BM25Index, queries: list[list[str]]
) -> tuple[float, float]:
    """Search p50 of two indexes over the same questions, alternating which goes first."""
    times: tuple[list[float], list[float]] = ([], [])
    first.search(queries[0])
    second.search(queries[0])
    for turn, query in enumerate(queries):
        order = (0, 1) if turn % 2 == 0 else (1, 0)
        for which in order:
            engine = (first, second)[which]
            started = time.perf_counter()
            engine.search(query, 10)
            times[which].append(time.perf_counter() - started)
    return percentiles_ms(times[0])[0], percentiles_ms(times[1])[0]


def write_corpus(generator: CorpusGenerator, size: int, directory: Path) -> int:
    """Store `size` passages as article files; returns how many articles that took.

    The files are byte for byte what `ArticleStore.save` writes (so `Library.open` trusts their
    sentences), minus its per-file fsync, which would only slow the bench's set-up.
    """
    directory.mkdir(parents=True, exist_ok=True)
    store = ArticleStore(directory)
    made, number = 0, 0
    while made < size:
        article, passages = generator.attributed(number, size - made)
        record = article_to_record(article, tuple(passages))
        text = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        store.path_for(article.id).write_text(text, encoding="utf-8")
        made += len(passages)
        number += 1
    return number


def measure_library(generator: CorpusGenerator, size: int, args: argparse.Namespace) -> dict:
    """Library figures: cold and warm `Library.open`, `Library.ask`, `Library.add`, memory.

    Each open runs in a fresh process, so that the warm one's memory is the whole library
    process's (the index bench above would inflate this one's) and nothing is shared.
    """
    with tempfile.TemporaryDirectory(prefix="bench-library-") as directory:
        root = Path(directory)
        articles = write_corpus(generator, size, root / "corpus")
        spec = {
            "corpus_dir": str(root / "corpus"),
            "data_dir": str(root / "var"),
            "k1": args.k1,
            "b": args.b,
            "semantic": not getattr(args, "no_semantic", False),
            "token_states": not getattr(args, "no_token_states", False),
            "questions": generator.questions(2 * args.queries, articles),
            "additions": [
                [list(a.paragraphs), a.title]
                for a, _ in (
                    generator.attributed(articles + 1000 + i) for i in range(CHANGE_SAMPLES)
                )
            ],
        }
        cold = run_probe(root, {**spec, "mode": "cold"})
        warm = run_probe(root, {**spec, "mode": "warm"})
    return {"open_cold_s": cold["open_s"], "open_warm_s": warm["open_s"]} | {
        name: value for name, value in warm.items() if name != "open_s"
    }


def run_probe(root: Path, spec: dict) -> dict:
    """Run `library_probe` in a new Python process and return what it measured."""
    path = root / "probe.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    code = "import sys; from bot.bench import library_probe; library_probe(sys.argv[1])"
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"library probe failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def library_probe(spec_path: str) -> None:
    """In a fresh process: open the library, then (warm mode) time questions and additions."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    settings = Settings(
        _env_file=None,
        corpus_dir=Path(spec["corpus_dir"]),
        data_dir=Path(spec["data_dir"]),
        bm25_k1=spec["k1"],
        bm25_b=spec["b"],
        semantic=spec.get("semantic", True),
        token_states=spec.get("token_states", True),
    )
    started = time.perf_counter()
    library = Library.open(settings)
    row: dict[str, object] = {"open_s": time.perf_counter() - started}
    gc.freeze()  # as `python -m bot run` does after opening
    if spec["mode"] == "cold":
        if settings.semantic:
            put_synthetic_vectors(library)
        library.flush()  # the caches the warm start reads
    else:
        row.update(time_library(library, spec["questions"], spec["additions"]))
        row["library_rss_mb"], row["library_peak_rss_mb"] = rss_mb()
    print(json.dumps(row), flush=True)


def put_synthetic_vectors(library: Library, seed: int = 11) -> None:
    """Random unit vectors for every sentence: encoding 1M sentences would take hours here.

    Only their cost is measured with them (memory, start, scoring), never answer quality;
    questions and added articles are still encoded by the real model.
    """
    rng = np.random.default_rng(seed)
    # Token states too (`bot.late`), when kept: drawn from a pool of random sentences of 15
    # to 45 word pieces, since only what they cost is measured (~13 KB a sentence on disk).
    pool = [
        quantise_states(unit_rows(rng.standard_normal((int(n), DIMENSIONS), np.float32)))
        for n in rng.integers(15, 46, STATE_POOL)
    ]
    drawn = 0
    for article in library.articles():
        texts = library.passages_of(article.id).texts()  # type: ignore[attr-defined]
        vectors = unit_rows(rng.standard_normal((len(texts), DIMENSIONS), dtype=np.float32))
        library.vectors.put(article.id, vectors, texts_check(texts))
        if library.tokens is not None:
            states = [pool[(drawn + i) % STATE_POOL] for i in range(len(texts))]
            library.tokens.put_stored(article.id, texts_check(texts), states)
            drawn += len(texts)


STATE_POOL = 1000


def time_encoder(library: Library, questions: list[str], additions: list[list]) -> dict[str, float]:
    """The model alone: one question's encoding p50, and sentences per second in bulk."""
    if library.encoder is None:
        return {}
    library.encode(questions[:1])  # loads the model
    row: dict[str, float] = {}
    encodes = []
    for question in questions[:50]:
        started = time.perf_counter()
        library.encode([question])
        encodes.append(time.perf_counter() - started)
    row["question_encode_p50_ms"], _ = percentiles_ms(encodes)
    sentences = [
        s for paragraphs, _ in additions[:5] for p in paragraphs for s in split_sentences(p)
    ]
    row["encode_per_s"] = len(sentences) / timed(lambda: library.encode(sentences))
    return row


def time_library(library: Library, questions: list[str], additions: list[list]) -> dict[str, float]:
    """`Library.ask` p50/p95 right after the start and once warm, share answered, `add` p50/max.

    The first half of the questions meets empty caches (every candidate sentence tokenised and
    stemmed for the first time); the second half, different questions, is timed after them.
    """
    first, later = questions[: len(questions) // 2], questions[len(questions) // 2 :]
    row: dict[str, float] = time_encoder(library, later, additions)
    answers: list[Answer] = []

    def ask_and_keep(question: str) -> None:
        answers.append(library.ask(question))

    def add(paragraphs: list[str], title: str) -> None:
        library.add(Article(article_id(" ".join(paragraphs)), title, tuple(paragraphs)))

    asks = [timed(partial(ask_and_keep, q)) for q in first]
    row["answer_p50_ms"], row["answer_p95_ms"] = percentiles_ms(asks)
    row["answered_share"] = sum(a.answered for a in answers) / len(answers)
    steady = [timed(partial(library.ask, q)) for q in later]
    row["answer_steady_p50_ms"], row["answer_steady_p95_ms"] = percentiles_ms(steady)
    row.update(time_article_level(library, len(later)))
    adds = [timed(partial(add, p, t)) for p, t in additions]
    row["library_add_ms"] = statistics.median(adds) * 1000
    row["library_add_max_ms"] = max(adds) * 1000
    return row


# Article-level questions, asked in turn, each in a conversation about a different article.
ARTICLE_LEVEL_QUESTIONS = (
    "What is this article about?",
    "Who is quoted?",
    "Who wrote this?",
    "What did the spokesman say?",
    "What articles do you have?",
)


def time_article_level(library: Library, count: int) -> dict[str, float]:
    """`Library.ask` p50/p95 for article-level questions (summary, speakers, facts, one
    speaker, the article list), each about a different, randomly chosen article."""
    rng = np.random.default_rng(ARTICLE_LEVEL_STREAM)
    articles = library.articles()
    picks = rng.integers(0, len(articles), size=max(count, 1)).tolist()
    library.newest_first(0, 1)  # the article list is sorted once after a start or an add
    samples = []
    for number, pick in enumerate(picks):
        question = ARTICLE_LEVEL_QUESTIONS[number % len(ARTICLE_LEVEL_QUESTIONS)]
        about = Turn("earlier", (), (), focus=articles[pick].id, kind="article")
        conversation = Conversation([about])
        samples.append(timed(functools.partial(library.ask, question, conversation)))
    p50, p95 = percentiles_ms(samples)
    return {"article_p50_ms": p50, "article_p95_ms": p95}


def compare_with_rank_bm25(
    generator: CorpusGenerator, index: BM25Index, queries: list[list[str]], row: dict
) -> None:
    """rank-bm25's get_scores + argsort on the same corpus and queries, and a score check."""
    corpus: list[list[str]] = []
    where: list[tuple[str, int]] = []
    for number, passages in enumerate(generator.tokenised(len(index))):
        corpus.extend(passages)
        where.extend((f"a{number}", position) for position in range(len(passages)))
    reference = BM25Okapi(corpus, k1=index.k1, b=index.b, epsilon=index.epsilon)
    del corpus
    reference.get_scores(queries[0])

    def top_ten(query: list[str]) -> object:
        return np.argsort(reference.get_scores(query))[::-1][:10]

    theirs = [timed(partial(top_ten, q)) for q in queries]
    row["rank_bm25_p50_ms"], row["rank_bm25_p95_ms"] = percentiles_ms(theirs)
    row["speedup_p50"] = row["rank_bm25_p50_ms"] / row["search_p50_ms"]
    slot = {place: i for i, place in enumerate(where)}
    worst = 0.0
    for query in queries[:CHECKED_QUERIES]:
        expected = reference.get_scores(query)
        hits = index.search(query, 10)
        best = np.sort(expected)[::-1][: len(hits)]
        for hit, value in zip(hits, best, strict=True):
            worst = max(worst, abs(hit.score - expected[slot[(hit.key, hit.position)]]))
            worst = max(worst, abs(hit.score - value))
    row["top10_max_abs_diff"] = worst


def compare_with_tantivy(
    generator: CorpusGenerator, index: BM25Index, queries: list[list[str]], row: dict
) -> None:
    """tantivy on the same tokens, timed question by question beside our search.

    For each question both engines run once, in rotating order, so drift in the machine's
    speed falls on both; where search's compiled loop is built, our numpy path runs too.
    tantivy is timed on a prebuilt query (its `search`, which also counts every match); ours
    from the question's tokens to resolved hits.
    """
    where: list[tuple[str, int]] = []
    passages: list[list[str]] = []
    for number, article in enumerate(generator.tokenised(len(index))):
        passages.extend(article)
        where.extend((f"a{number}", position) for position in range(len(article)))
    started = time.perf_counter()
    peer = TantivyPeer(passages)
    row["tantivy_build_s"] = time.perf_counter() - started
    row["tantivy_segments"] = peer.segments
    del passages
    prepared = [peer.query(q) for q in queries]
    peer.top(prepared[0])
    compiled = index.compiled
    ours, numpy_only, theirs = [], [], []

    def ours_on(path: bool, tokens: list[str]) -> float:
        index.compiled = path
        return timed(lambda: index.search(tokens, 10))

    for turn, (tokens, query) in enumerate(zip(queries, prepared, strict=True)):
        engines = [
            lambda t=tokens: ours.append(ours_on(compiled, t)),
            lambda q=query: theirs.append(timed(lambda: peer.top(q, 10))),
        ]
        if compiled:  # the numpy path too, as on a machine where the loop is not built
            engines.append(lambda t=tokens: numpy_only.append(ours_on(False, t)))
        for run in engines[turn % len(engines) :] + engines[: turn % len(engines)]:
            run()
    index.compiled = compiled
    row["search_compiled"] = compiled
    row["search_paired_p50_ms"], row["search_paired_p95_ms"] = percentiles_ms(ours)
    row["tantivy_p50_ms"], row["tantivy_p95_ms"] = percentiles_ms(theirs)
    row["tantivy_ratio_p50"] = row["tantivy_p50_ms"] / row["search_paired_p50_ms"]
    if numpy_only:
        row["search_numpy_paired_p50_ms"], _ = percentiles_ms(numpy_only)
        row["tantivy_ratio_numpy_p50"] = row["tantivy_p50_ms"] / row["search_numpy_paired_p50_ms"]
    overlap, same_first = 0, 0
    for tokens, query in zip(queries, prepared, strict=True):
        mine = [(hit.key, hit.position) for hit in index.search(tokens, 10)]
        other = [where[r] for r in peer.search(query, 10)]
        overlap += len(set(mine) & set(other))
        same_first += bool(mine and other and mine[0] == other[0])
    row["tantivy_top10_overlap"] = overlap / (10 * len(queries))
    row["tantivy_same_top1"] = same_first / len(queries)


COLUMNS = (  # name, width, format
    ("passages", 9, "d"),
    ("build_s", 8, ".1f"),
    ("save_s", 7, ".2f"),
    ("load_s", 7, ".2f"),
    ("add_p50_ms", 10, ".1f"),
    ("add_max_ms", 10, ".1f"),
    ("remove_p50_ms", 13, ".1f"),
    ("rss_mb", 7, ".0f"),
    ("search_live_p50_ms", 18, ".3f"),
    ("compacted_vs_fresh", 18, ".2f"),
    ("search_p50_ms", 13, ".3f"),
    ("search_p95_ms", 13, ".3f"),
    ("tantivy_p50_ms", 14, ".3f"),
    ("tantivy_ratio_p50", 17, ".2f"),
    ("tantivy_ratio_numpy_p50", 23, ".2f"),
    ("rank_bm25_p50_ms", 16, ".1f"),
    ("speedup_p50", 11, ".0f"),
    ("top10_max_abs_diff", 18, ".1e"),
    ("answer_p50_ms", 13, ".2f"),
    ("answer_p95_ms", 13, ".2f"),
    ("answer_steady_p50_ms", 20, ".2f"),
    ("article_p50_ms", 14, ".2f"),
    ("article_p95_ms", 14, ".2f"),
    ("open_warm_s", 11, ".2f"),
    ("open_cold_s", 11, ".1f"),
    ("library_add_ms", 14, ".1f"),
    ("library_rss_mb", 14, ".0f"),
    ("question_encode_p50_ms", 22, ".1f"),
    ("encode_per_s", 12, ".0f"),
)


def format_row(row: dict) -> str:
    """One table line; "-" where a figure was not measured."""
    return " ".join(
        "-".rjust(width) if row.get(name) is None else format(row[name], f">{width}{spec}")
        for name, width, spec in COLUMNS
    )


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the bench options to the `bench` sub-command."""
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="passage counts, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="questions per size")
    parser.add_argument(
        "--skip-rank-bm25-above",
        type=int,
        default=300_000,
        help="compare with rank-bm25 only up to this many passages (it is slow)",
    )
    parser.add_argument("--k1", type=float, default=1.5)
    parser.add_argument("--b", type=float, default=0.75)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip-library",
        action="store_true",
        help="index figures only: no Library open/ask/add (those write the corpus to disk)",
    )
    parser.add_argument(
        "--peer",
        choices=["tantivy"],
        help="also time tantivy on the same tokens, interleaved (needs the bench extra)",
    )
    parser.add_argument(
        "--no-semantic",
        action="store_true",
        help="library figures without sentence vectors (as with SEMANTIC=off)",
    )
    parser.add_argument(
        "--no-token-states",
        action="store_true",
        help="library figures with sentence vectors but no token states (TOKEN_STATES=off)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per size")
    parser.set_defaults(func=run_bench, peer=None)


def run_bench(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Measure every size and print a table (or JSON lines); the bench needs no settings."""
    if args.peer == "tantivy":
        try:
            import_tantivy()
        except PeerMissingError as exc:
            print(f"bench --peer tantivy: {exc}", file=sys.stderr)
            return 2
    generator = CorpusGenerator(args.seed)
    if not args.json:
        print(" ".join(name.rjust(width) for name, width, _ in COLUMNS))
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        row = measure_size(generator, size, args)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(format_row(row), flush=True)
            if isinstance(row.get("rank_bm25"), str):
                print(f"  rank-bm25 {row['rank_bm25']}", flush=True)
    return 0
