"""Answer-sentence retrieval on SQuAD v1.1: hit@1, hit@3, MRR, share answered, and abstention.

Dataset: a SQuAD v1.1 JSON file (`{"data": [{"title", "paragraphs": [{"context", "qas"}]}]}`).
Each SQuAD article (title + paragraphs) is ingested as one article through the normal path
(`read_text(..., fmt="json")` then `Library.add`) into a temporary corpus, and every question is
asked through `Library.ask`. A quote is right when it is the stored sentence whose span in the
paragraph's context holds a gold answer's `answer_start`; stored sentences are verbatim
(whitespace-collapsed) substrings, so each is mapped back to its character span.

Rows of the report:
- `bm25`: the index's own ranking (top 3 of `BM25Index.search`), no re-ranking, no abstention;
  the baseline measured in the same run.
- `answer, no abstention`: the answerer's re-ranking with `min_match=0`.
- `answer`: the answerer exactly as the bot runs it (`Library.ask`, default options).
- `answer, words only`: the same without the semantic layer (only when SEMANTIC is on).
Articles are split by index into even (used for tuning) and odd (the honest figure). A third
split, `low`, holds the low-overlap questions of all articles: those sharing at most one content
word (`bot.evaluate.overlap`, no names set aside) with every gold sentence, where matching words
cannot help.
Abstention: with only the even articles in the corpus the odd articles' questions are asked, and
vice versa; any answer to them is wrong, and the share answered is reported.

`--fit` instead fits the re-ranking weights (`AnswerOptions.*_weight`): the whole file is the
corpus, the features of the top candidates of every even article's question are computed once,
and coordinate ascent from the current defaults maximises hit@1 (hit@3 / 2 breaks ties); with
sentence vectors, a softmax over each question's candidates is fitted instead (`fit_listwise`),
since the meaning features want weights of either sign. With token states, the weight of each
of the model's dimensions in a token match is fitted first (`fit_dimensions`, on each even
question's first 30 candidates) and used for the rest of the fit; `--dimensions-out PATH`
writes them (the shipped ones are `bot/data/token-dimensions.npy`). `--fit-abstention` fits
the weights of the evidence that abstention weighs with token states (`bot.evaluate.abstention`).
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, astuple, dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from bot.answer import Answerer
from bot.encoder import DIMENSIONS, Encoder, MemoEncoder, TextEncoder
from bot.evaluate import print_report
from bot.evaluate.overlap import shared_content_words
from bot.ingest import read_text
from bot.late import stack_states
from bot.library import Library
from bot.models import Answer, BotError, IngestError
from bot.rerank import FEATURES, LINEAR, AnswerOptions, feature_scores
from bot.settings import Settings
from bot.text import tokenize

WHITESPACE_RUN = re.compile(r"\s+")
TOP_K = 3
LOW_OVERLAP_WORDS = 1  # at most this many content words shared with every gold sentence

Key = tuple[str, int]  # (article id, sentence position)
Ranker = Callable[[str], Sequence[Key] | None]  # question -> ranked keys, None when declined


@dataclass(frozen=True)
class SquadArticle:
    """One SQuAD article: its title, paragraph contexts and questions."""

    number: int  # index in the dataset, from 0
    title: str
    contexts: tuple[str, ...]
    questions: tuple[SquadQuestion, ...]


@dataclass(frozen=True)
class SquadQuestion:
    """A question with the (paragraph, answer_start) of each of its gold answers."""

    id: str
    text: str
    answers: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Scores:
    """Retrieval quality over a set of questions."""

    questions: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    answered: float


@dataclass(frozen=True)
class SquadReport:
    """Scores per ranking and article split, plus the abstention figures."""

    dataset: str
    articles: int
    rows: dict[str, dict[str, Scores]]  # ranking name -> split ("even", "odd", "all") -> scores
    # corpus split -> absent_answered, present_hit_at_1, present_hit_at_1_no_abstention
    abstention: dict[str, dict[str, float]]
    seconds: float


def load_squad(path: Path) -> list[SquadArticle]:
    """The articles of a SQuAD v1.1 file; BotError when it is missing or malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return [_article(number, entry) for number, entry in enumerate(data["data"])]
    except FileNotFoundError as exc:
        raise BotError(f"no SQuAD file at {path}: is the dataset there?") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BotError(f"cannot read SQuAD file {path}: {exc}") from exc


def _article(number: int, entry: dict) -> SquadArticle:
    questions = []
    for paragraph_number, paragraph in enumerate(entry["paragraphs"]):
        for qa in paragraph["qas"]:
            answers = tuple(
                (paragraph_number, int(answer["answer_start"])) for answer in qa["answers"]
            )
            questions.append(SquadQuestion(str(qa["id"]), str(qa["question"]), answers))
    contexts = tuple(str(paragraph["context"]) for paragraph in entry["paragraphs"])
    title = str(entry["title"]).replace("_", " ")
    return SquadArticle(number, title, contexts, tuple(questions))


class SquadCorpus:
    """A temporary library holding some SQuAD articles, and where each sentence came from."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.ids: dict[int, str] = {}  # article number -> article id
        # article id -> per paragraph: sorted sentence starts and their positions
        self._starts: dict[str, dict[int, tuple[list[int], list[int]]]] = {}

    @classmethod
    def build(
        cls,
        articles: Iterable[SquadArticle],
        directory: Path,
        encoder: TextEncoder | None = None,
        **knobs: float,
    ) -> SquadCorpus:
        """Ingest the articles into a fresh library under `directory` (with this encoder)."""
        settings = Settings(
            _env_file=None,
            corpus_dir=directory / "corpus",
            data_dir=directory / "var",
            **knobs,  # type: ignore[arg-type]
        )
        corpus = cls(Library.open(settings))
        if encoder is not None and corpus.library.encoder is not None:
            corpus.library.encoder = encoder
        for article in articles:
            corpus.add(article)
        return corpus

    def add(self, article: SquadArticle) -> None:
        """Ingest one article through the normal path and map its sentences to spans."""
        record = {"title": article.title, "paragraphs": list(article.contexts)}
        stored = self.library.add(read_text(json.dumps(record), fmt="json", name=article.title))
        self.ids[article.number] = stored.id
        self._starts[stored.id] = _sentence_starts(
            article.contexts, stored.paragraphs, self.library.passages_of(stored.id)
        )

    def gold(self, article: SquadArticle, question: SquadQuestion) -> set[Key]:
        """The stored sentences holding a gold answer start (empty when the article is absent)."""
        article_id = self.ids.get(article.number)
        if article_id is None:
            return set()
        keys = set()
        for paragraph, start in question.answers:
            starts, positions = self._starts[article_id].get(paragraph, ([], []))
            slot = bisect.bisect_right(starts, start) - 1
            if slot >= 0:
                keys.add((article_id, positions[slot]))
        return keys

    def sentence(self, key: Key) -> str:
        """The stored text of one sentence."""
        article_id, position = key
        return self.library.passages_of(article_id)[position].text


def low_overlap_questions(corpus: SquadCorpus, articles: Iterable[SquadArticle]) -> frozenset[str]:
    """Ids of the questions that share at most one content word with every gold sentence."""
    chosen = set()
    for article in articles:
        for question in article.questions:
            gold = corpus.gold(article, question)
            if gold and all(
                len(shared_content_words(question.text, corpus.sentence(key))) <= LOW_OVERLAP_WORDS
                for key in gold
            ):
                chosen.add(question.id)
    return frozenset(chosen)


def _collapsed(context: str) -> tuple[str, list[int]]:
    """The context with whitespace runs collapsed and stripped, and each char's original offset."""
    text: list[str] = []
    offsets: list[int] = []
    cursor = 0
    for match in WHITESPACE_RUN.finditer(context):
        text.append(context[cursor : match.start()])
        offsets.extend(range(cursor, match.start()))
        text.append(" ")
        offsets.append(match.start())
        cursor = match.end()
    text.append(context[cursor:])
    offsets.extend(range(cursor, len(context)))
    joined = "".join(text)
    lead = len(joined) - len(joined.lstrip())
    stripped = joined.strip()
    return stripped, offsets[lead : lead + len(stripped)]


def _sentence_starts(
    contexts: Sequence[str], paragraphs: Sequence[str], passages: Sequence
) -> dict[int, tuple[list[int], list[int]]]:
    """Per original paragraph: each stored sentence's start offset and its position."""
    collapsed = [_collapsed(context) for context in contexts]
    # Ingestion may drop paragraphs (furniture) but keeps their order: match them in order.
    original_of: dict[int, int] = {}
    cursor = 0
    for number, paragraph in enumerate(paragraphs):
        while cursor < len(collapsed) and collapsed[cursor][0] != paragraph:
            cursor += 1
        if cursor < len(collapsed):
            original_of[number] = cursor
            cursor += 1
    starts: dict[int, tuple[list[int], list[int]]] = {}
    found_from: dict[int, int] = {}
    for passage in passages:
        original = original_of.get(passage.paragraph)
        if original is None:
            continue
        text, offsets = collapsed[original]
        at = text.find(passage.text, found_from.get(original, 0))
        if at < 0:
            continue
        found_from[original] = at + len(passage.text)
        begin, positions = starts.setdefault(original, ([], []))
        # The first sentence also owns any whitespace that leads its paragraph.
        begin.append(offsets[at] if begin else 0)
        positions.append(passage.position)
    return starts


def score(
    corpus: SquadCorpus,
    articles: Sequence[SquadArticle],
    rank: Ranker,
    only: Collection[str] | None = None,
) -> tuple[Scores, list[bool]]:
    """Scores of one ranking over the questions of `articles` (those in `only`, if given)."""
    hits1 = hits3 = answered = 0
    reciprocal = 0.0
    per_question: list[bool] = []
    total = 0
    for article in articles:
        for question in article.questions:
            if only is not None and question.id not in only:
                continue
            total += 1
            gold = corpus.gold(article, question)
            ranked = rank(question.text) or ()
            answered += bool(ranked)
            rank_of = next((i for i, key in enumerate(ranked[:TOP_K]) if key in gold), None)
            per_question.append(rank_of == 0)
            if rank_of is not None:
                hits1 += rank_of == 0
                hits3 += 1
                reciprocal += 1 / (rank_of + 1)
    if not total:
        return Scores(0, 0.0, 0.0, 0.0, 0.0), per_question
    return (
        Scores(total, hits1 / total, hits3 / total, reciprocal / total, answered / total),
        per_question,
    )


def bm25_ranker(library: Library) -> Ranker:
    """The index's own top 3 for the question's tokens: the plain BM25 baseline."""

    def rank(question: str) -> list[Key]:
        return [(hit.key, hit.position) for hit in library.index.search(tokenize(question), TOP_K)]

    return rank


def answer_ranker(ask: Callable[[str], Answer]) -> Ranker:
    """The quotes of an answer function, best first."""

    def rank(question: str) -> list[Key]:
        answer = ask(question)
        return [(quote.passage.article_id, quote.passage.position) for quote in answer.quotes]

    return rank


def answerer_over(
    library: Library, options: AnswerOptions, semantic: bool = True, token_states: bool = True
) -> Answerer:
    """An answerer with other options over the same library: without the semantic layer, or
    with sentence vectors but no token states."""
    return Answerer(
        library.index,
        library,
        options,
        library.vectors if semantic else None,
        library.token_states if semantic and token_states else None,
    )


def options_ranker(
    library: Library, options: AnswerOptions, semantic: bool = True, token_states: bool = True
) -> Ranker:
    """The answerer with other options over the same library (for ablations)."""
    answerer = answerer_over(library, options, semantic, token_states)
    return answer_ranker(
        lambda question: answerer.answer(answerer.parse(question, library.encode_with_tokens))
    )


def _splits(
    articles: Sequence[SquadArticle], low_overlap: Collection[str]
) -> dict[str, tuple[list[SquadArticle], Collection[str] | None]]:
    """Split name -> (articles, question ids kept or None for all of them)."""
    return {
        "even": ([a for a in articles if a.number % 2 == 0], None),
        "odd": ([a for a in articles if a.number % 2 == 1], None),
        "all": (list(articles), None),
        "low": (list(articles), low_overlap),
    }


def evaluate_squad(
    path: Path,
    settings: Settings | None = None,
    *,
    limit: int | None = None,
    only: str | None = None,
    abstention: bool = True,
) -> SquadReport:
    """Ingest the articles, ask every question each way (BM25, the answerer
    with and without abstention, and the ablations), and run the abstention check.

    Retrieval settings (k1, b, max_quotes, min_match) come from `settings`; `limit` keeps the
    first N articles; `only` ("even" or "odd") keeps one split.
    """
    started = time.perf_counter()
    knobs = retrieval_knobs(settings or Settings(_env_file=None))
    articles = load_squad(path)[:limit]
    if only is not None:
        articles = [a for a in articles if a.number % 2 == (only == "odd")]
    encoder = shared_encoder(settings)
    with tempfile.TemporaryDirectory(prefix="squad-eval-") as scratch:
        corpus = SquadCorpus.build(articles, Path(scratch) / "all", encoder, **knobs)
        library = corpus.library
        rankers: dict[str, Ranker] = {
            "bm25": bm25_ranker(library),
            "answer, no abstention": options_ranker(
                library, replace(library_options(library), min_match=0.0)
            ),
            "answer": answer_ranker(library.ask),
        }
        if library.vectors and library.tokens is not None:
            # The same answerer with sentence vectors but without token states (`bot.late`).
            rankers["answer, no token states"] = options_ranker(
                library, library_options(library), token_states=False
            )
        if library.vectors:
            # The same answerer without the semantic layer, for the on/off comparison.
            rankers["answer, words only"] = options_ranker(
                library, library_options(library), semantic=False
            )
        low_overlap = low_overlap_questions(corpus, articles)
        rows = {
            name: {
                split: score(corpus, chosen, rank, only)[0]
                for split, (chosen, only) in _splits(articles, low_overlap).items()
                if chosen and (only is None or only)
            }
            for name, rank in rankers.items()
        }
        absent = _abstention(articles, Path(scratch), knobs, encoder) if abstention else {}
    return SquadReport(str(path), len(articles), rows, absent, time.perf_counter() - started)


def retrieval_knobs(settings: Settings) -> dict[str, float]:
    return {
        "bm25_k1": settings.bm25_k1,
        "bm25_b": settings.bm25_b,
        "max_quotes": settings.max_quotes,
        "min_match": settings.min_match,
        "semantic": settings.semantic,
        "encoder_threads": settings.encoder_threads,
        "token_states": settings.token_states,
    }


def shared_encoder(settings: Settings | None) -> TextEncoder | None:
    """One remembering encoder for every corpus of a run: each sentence is encoded once."""
    settings = settings or Settings(_env_file=None)
    return MemoEncoder(Encoder(settings.encoder_threads)) if settings.semantic else None


def library_options(library: Library) -> AnswerOptions:
    """The answer options a library runs with."""
    settings = library.settings
    return AnswerOptions(max_quotes=settings.max_quotes, min_match=settings.min_match)


def _abstention(
    articles: Sequence[SquadArticle],
    scratch: Path,
    knobs: dict[str, float],
    encoder: TextEncoder | None = None,
) -> dict[str, dict[str, float]]:
    """Per half corpus: share of absent articles' questions answered, present hit@1 with/without.

    Present and absent questions are asked of the same corpus, so the two figures are comparable.
    """
    result: dict[str, dict[str, float]] = {}
    for present in ("even", "odd"):
        inside = [a for a in articles if (a.number % 2 == 1) == (present == "odd")]
        outside = [a for a in articles if a not in inside]
        if not inside or not outside:
            continue
        corpus = SquadCorpus.build(inside, scratch / present, encoder, **knobs)
        library = corpus.library
        questions = [q.text for a in outside for q in a.questions]
        free = options_ranker(library, replace(library_options(library), min_match=0.0))
        result[f"corpus={present}"] = {
            "absent_answered": sum(library.ask(q).answered for q in questions) / len(questions),
            "present_hit_at_1": score(corpus, inside, answer_ranker(library.ask))[0].hit_at_1,
            "present_hit_at_1_no_abstention": score(corpus, inside, free)[0].hit_at_1,
        }
    return result


# Values tried for each re-ranking weight by the coordinate ascent of `fit_weights`.
WEIGHT_STEPS = (
    0.0,
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.3,
    0.5,
    0.75,
    1.0,
    1.5,
    2.0,
    3.0,
    5.0,
    8.0,
    12.0,
    20.0,
    30.0,
    50.0,
    80.0,
    120.0,
)


@dataclass(frozen=True)
class FeatureTable:
    """Features of each question's candidates (questions x candidates x features), padded."""

    values: np.ndarray
    gold: np.ndarray  # True where the candidate is a gold sentence
    present: np.ndarray  # False where the padding is


def feature_table(
    corpus: SquadCorpus,
    articles: Sequence[SquadArticle],
    options: AnswerOptions,
    dimensions: np.ndarray | None = None,
) -> FeatureTable:
    """The re-ranking features of every question's top `options.candidates` candidates
    (token matches with the given dimension weights, or the shipped ones)."""
    library = corpus.library
    answerer = answerer_over(library, options)
    if dimensions is not None:
        answerer.dimensions = dimensions
    shape = (
        sum(len(a.questions) for a in articles),
        options.candidates + (options.semantic_candidates if library.vectors else 0),
    )
    values = np.zeros((*shape, len(FEATURES)))
    gold = np.zeros(shape, dtype=bool)
    present = np.zeros(shape, dtype=bool)
    row = 0
    for article in articles:
        for question in article.questions:
            keys = corpus.gold(article, question)
            for column, (passage, features) in enumerate(
                answerer.candidate_features(
                    answerer.parse(question.text, library.encode_with_tokens)
                )
            ):
                values[row, column] = astuple(features)
                gold[row, column] = (passage.article_id, passage.position) in keys
                present[row, column] = True
            row += 1
    return FeatureTable(values, gold, present)


def table_scores(table: FeatureTable, options: AnswerOptions) -> tuple[float, float]:
    """hit@1 and hit@3 of re-ranking the table's candidates with the options' weights."""
    scores = np.where(table.present, feature_scores(table.values, options), -np.inf)
    top = np.take_along_axis(table.gold, np.argsort(-scores, axis=1)[:, :TOP_K], axis=1)
    return float(top[:, 0].mean()), float(top.any(axis=1).mean())


def fit_weights(table: FeatureTable, start: AnswerOptions, sweeps: int = 3) -> AnswerOptions:
    """Coordinate ascent on hit@1 (hit@3 / 2 breaks ties) over the re-ranking weights."""
    names = [f"{name}_weight" for name in LINEAR] + ["type_weight"]

    def objective(options: AnswerOptions) -> float:
        hit_at_1, hit_at_3 = table_scores(table, options)
        return hit_at_1 + hit_at_3 / 2

    best, options = objective(start), start
    for _ in range(sweeps):
        improved = False
        for name in names:
            for value in WEIGHT_STEPS:
                # Every name is a float field; mypy cannot tell from a dict of them.
                trial = replace(options, **{name: value})  # type: ignore[arg-type]
                if (value_of := objective(trial)) > best + 1e-9:
                    best, options, improved = value_of, trial, True
        if not improved:
            break
    return options


def fit_listwise(table: FeatureTable, start: AnswerOptions, l2: float = 1e-3) -> AnswerOptions:
    """Weights of every feature that maximise each question's softmax probability of its gold.

    The features are standardised first, so that `l2` (on the standardised weights) treats a
    cosine and a BM25 score alike; questions with no gold candidate are left out. The answer
    type is fitted as an added feature (`type_weight` 0), and weights may be negative.
    """
    keep = table.gold.any(axis=1)
    values, gold, present = table.values[keep], table.gold[keep], table.present[keep]
    mean, spread = values[present].mean(axis=0), values[present].std(axis=0) + 1e-9
    standard = (values - mean) / spread

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        scores = np.where(present, standard @ weights, -np.inf)
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        total, on_gold = exp.sum(axis=1), (exp * gold).sum(axis=1)
        value = float(np.mean(np.log(total) - np.log(on_gold)) + l2 * weights @ weights)
        pull = exp / total[:, None] - exp * gold / on_gold[:, None]
        gradient = np.einsum("qc,qcf->f", pull, standard) / len(standard) + 2 * l2 * weights
        return value, gradient

    fitted = minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x / spread
    weights = {
        f"{name}_weight": float(f"{value:.3g}")  # three digits, as the weights are written
        for name, value in zip(FEATURES, fitted, strict=True)
    }
    # Every name is a float field; mypy cannot tell from a dict of them.
    return replace(start, type_weight=0.0, **weights)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MatchTable:
    """Each question's token states and those of its first candidates, with the gold ones."""

    questions: list[np.ndarray]
    sentences: list[list[np.ndarray]]
    gold: list[np.ndarray]


def match_table(
    corpus: SquadCorpus, articles: Sequence[SquadArticle], options: AnswerOptions, depth: int
) -> MatchTable:
    """Token states of every question and of its first `depth` candidates by the vectors-only
    weights (`options`), where token matches are made as the bot runs."""
    library = corpus.library
    answerer = answerer_over(library, options)
    table = MatchTable([], [], [])
    for article in articles:
        for question in article.questions:
            query = answerer.parse(question.text, library.encode_with_tokens)
            pairs = answerer.candidate_features(query)
            if query.token_states is None or not pairs:
                continue
            values = np.array([astuple(features) for _, features in pairs])
            first = np.argsort(-feature_scores(values, options), kind="stable")[:depth]
            keys = [(pairs[i][0].article_id, pairs[i][0].position) for i in first.tolist()]
            states = library.token_states(keys)
            if len(states) < len(set(keys)):
                continue
            gold = corpus.gold(article, question)
            table.questions.append(query.token_states)
            table.sentences.append([states[key] for key in keys])
            table.gold.append(np.array([key in gold for key in keys]))
    return table


def fit_dimensions(
    table: MatchTable,
    epochs: int = 4,
    temperature: float = 20.0,
    rate: float = 2e-3,
    batch: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Weights of the model's dimensions in a token match that make the gold candidates match
    best: a softmax over each question's candidates of `temperature` x token match, fitted
    by Adam in mini-batches from equal weights.

    The token match is piecewise linear in the weights: each question piece's best piece in
    a sentence is found with the current weights, and the gradient goes through it.
    """
    usable = [row for row, gold in enumerate(table.gold) if gold.any()]
    weights = np.ones(DIMENSIONS, dtype=np.float32)
    moment, square = np.zeros_like(weights), np.zeros_like(weights)
    rng = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        rng.shuffle(usable)
        for start in range(0, len(usable), batch):
            gradient = np.zeros_like(weights)
            for row in usable[start : start + batch]:
                question, sentences = table.questions[row], table.sentences[row]
                gradient += _match_gradient(
                    question, sentences, table.gold[row], weights, temperature
                )
            gradient /= batch
            step += 1
            moment = 0.9 * moment + 0.1 * gradient
            square = 0.999 * square + 0.001 * gradient**2
            weights -= (
                rate * (moment / (1 - 0.9**step)) / (np.sqrt(square / (1 - 0.999**step)) + 1e-8)
            )
    return weights


def _match_gradient(
    question: np.ndarray,
    sentences: Sequence[np.ndarray],
    gold: np.ndarray,
    weights: np.ndarray,
    temperature: float,
) -> np.ndarray:
    """The gradient, in the dimension weights, of one question's softmax loss."""
    question = question.astype(np.float32)
    stacked, starts, lengths = stack_states(sentences)
    stacked = stacked.astype(np.float32)
    similar = (question * weights) @ stacked.T
    matches = np.maximum.reduceat(similar, starts, axis=1).mean(axis=0)
    scaled = temperature * matches
    chance = np.exp(scaled - scaled.max())
    chance /= chance.sum()
    on_gold = (chance * gold).sum()
    pull = temperature * (chance - chance * gold / on_gold) / len(question)
    # Each question piece's best sentence piece, in every candidate, weighed by its pull.
    best = np.zeros_like(question)
    spans = zip(starts.tolist(), lengths.tolist(), strict=True)
    for candidate, (start, length) in enumerate(spans):
        chosen = similar[:, start : start + length].argmax(axis=1) + start
        best += pull[candidate] * stacked[chosen]
    return np.asarray((question * best).sum(axis=0))


def run_fit(
    path: Path, settings: Settings, limit: int | None
) -> tuple[AnswerOptions, np.ndarray | None]:
    """Fit the re-ranking weights on the even articles' questions (whole file as the corpus),
    and with token states, first the dimension weights of their matches (else None)."""
    articles = load_squad(path)[:limit]
    with tempfile.TemporaryDirectory(prefix="squad-fit-") as scratch:
        corpus = SquadCorpus.build(
            articles, Path(scratch), shared_encoder(settings), **retrieval_knobs(settings)
        )
        start = library_options(corpus.library)
        even = [a for a in articles if a.number % 2 == 0]
        dimensions = None
        if corpus.library.vectors and corpus.library.tokens is not None:
            semantic = start.semantic()
            # Twice the candidates the bot matches, so that the fit sees near misses too.
            matches = match_table(corpus, even, semantic, 2 * semantic.late_depth)
            dimensions = fit_dimensions(matches)
            start = start.late()
        elif corpus.library.vectors:
            start = start.semantic()
        table = feature_table(corpus, even, start, dimensions)
        if corpus.library.vectors:
            return fit_listwise(table, start), dimensions
        return fit_weights(table, start), dimensions


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the `eval squad` arguments: path, output, splits, retrieval overrides, --fit."""
    parser.add_argument("path", type=Path, help="SQuAD v1.1 JSON file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--only", choices=("even", "odd"), default=None, help="one article split")
    parser.add_argument("--no-abstention", action="store_true", help="skip the abstention runs")
    parser.add_argument("--k1", type=float, default=None, help="BM25 k1 (default: BM25_K1)")
    parser.add_argument("--b", type=float, default=None, help="BM25 b (default: BM25_B)")
    parser.add_argument(
        "--min-match", type=float, default=None, help="abstention threshold (default: MIN_MATCH)"
    )
    parser.add_argument(
        "--fit",
        action="store_true",
        help="fit the re-ranking weights on the even articles and print them",
    )
    parser.add_argument(
        "--fit-abstention",
        action="store_true",
        help="fit the abstention weights (even articles as the corpus, odd ones absent) "
        "and print them",
    )
    parser.add_argument(
        "--dimensions-out",
        type=Path,
        default=None,
        help="with --fit and token states: write the fitted token dimension weights here "
        "(the shipped ones are bot/data/token-dimensions.npy)",
    )
    parser.set_defaults(func=run_squad)


def run_squad(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the evaluation and print a table (or JSON); 1 when the dataset cannot be read.

    The retrieval settings (BM25_K1, BM25_B, MIN_MATCH, MAX_QUOTES) apply, overridable with
    --k1, --b and --min-match; the corpus is a temporary one, never the bot's own.
    """
    settings = settings or Settings(_env_file=None)
    overrides = {"bm25_k1": args.k1, "bm25_b": args.b, "min_match": args.min_match}
    settings = settings.model_copy(
        update={name: value for name, value in overrides.items() if value is not None}
    )
    if args.fit:
        return _print_fit(args, settings)
    if args.fit_abstention:
        return _print_abstention_fit(args, settings)
    return print_report(
        lambda: evaluate_squad(
            args.path,
            settings,
            limit=args.limit,
            only=args.only,
            abstention=not args.no_abstention,
        ),
        as_json=args.json,
        to_json=report_to_json,
        to_text=format_report,
    )


def _print_fit(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the weights on the even articles and print them."""
    try:
        options, dimensions = run_fit(args.path, settings, args.limit)
    except (BotError, IngestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if dimensions is not None:
        out = args.dimensions_out
        if out is not None:
            np.save(out, dimensions.astype(np.float32))
        print(
            f"token dimension weights: mean {dimensions.mean():.3f}, "
            f"from {dimensions.min():.3f} to {dimensions.max():.3f}"
            + (f", written to {out}" if out is not None else " (not written: --dimensions-out)"),
            file=sys.stderr,
        )
    names = [f"{name}_weight" for name in LINEAR] + ["type_weight"]
    weights = {name: getattr(options, name) for name in names}
    print(
        json.dumps(weights, indent=2)
        if args.json
        else "\n".join(f"{name} = {value}" for name, value in weights.items())
    )
    return 0


def _print_abstention_fit(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the abstention weights (`bot.evaluate.abstention`) and print them."""
    from bot.evaluate.abstention import run_abstention_fit  # it builds on this module

    try:
        lines = run_abstention_fit(args.path, settings, args.limit)
    except (BotError, IngestError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def report_to_json(report: SquadReport) -> dict[str, object]:
    """The report as a JSON-safe dict."""
    return {
        "dataset": report.dataset,
        "articles": report.articles,
        "rows": {
            name: {split: asdict(scores) for split, scores in splits.items()}
            for name, splits in report.rows.items()
        },
        "abstention": report.abstention,
        "seconds": round(report.seconds, 1),
    }


def format_report(report: SquadReport) -> str:
    """A table of hit@1, hit@3, MRR and share answered per ranking and split."""
    lines = [
        f"squad: {report.articles} articles from {report.dataset} ({report.seconds:.0f}s)",
        f"{'ranking':<24}{'split':<6}{'questions':>10}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}"
        f"{'answered':>10}",
    ]
    for name, splits in report.rows.items():
        for split, s in splits.items():
            lines.append(
                f"{name:<24}{split:<6}{s.questions:>10}{s.hit_at_1:>8.3f}{s.hit_at_3:>8.3f}"
                f"{s.mrr:>8.3f}{s.answered:>10.3f}"
            )
    low = next((splits["low"].questions for splits in report.rows.values() if "low" in splits), 0)
    if low:
        lines.append(
            f"low: the {low} questions sharing at most {LOW_OVERLAP_WORDS} content word with "
            "every gold sentence"
        )
    if report.abstention:
        lines.append(
            f"{'abstention':<24}{'absent answered':>16}{'present hit@1':>15}{'(no abstention)':>17}"
        )
    for corpus, figures in report.abstention.items():
        lines.append(
            f"{corpus:<24}{figures['absent_answered']:>16.3f}{figures['present_hit_at_1']:>15.3f}"
            f"{figures['present_hit_at_1_no_abstention']:>17.3f}"
        )
    return "\n".join(lines)
