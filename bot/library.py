"""The articles the bot knows: corpus on disk, attributed sentences and the BM25 index."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import heapq
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from bot.answer import Answerer
from bot.attribution import attribute
from bot.conversation import Conversation
from bot.encoder import Encoder, EncoderError, TextEncoder
from bot.index import BM25Index
from bot.index.compaction import Compactor
from bot.intents import recognise
from bot.late import TokenStates
from bot.models import (
    Answer,
    Article,
    ArticleNotFoundError,
    DuplicateArticleError,
    IngestError,
    Passage,
    StoreError,
)
from bot.overview import Overview
from bot.rerank import AnswerOptions
from bot.settings import Settings
from bot.snapshot import SnapshotEntry, load_snapshot, save_snapshot, settled
from bot.store import PIPELINE_VERSION, ArticleStore, PassageRows, StoredPassages
from bot.text import TOKENIZER_VERSION, split_sentences, tokenize
from bot.vectors import SentenceVectors, texts_check

log = logging.getLogger(__name__)

# Between compaction steps the compacting thread sleeps this long, so that searches and the
# event loop get the interpreter between steps of a few milliseconds each.
COMPACT_STEP_PAUSE_SECONDS = 0.002


def build_passages(article: Article) -> tuple[Passage, ...]:
    """Split the article into sentences and attribute each one."""
    paragraphs = [split_sentences(paragraph) for paragraph in article.paragraphs]
    attributions = attribute(paragraphs, article.outlet)
    passages: list[Passage] = []
    for number, (sentences, credits) in enumerate(zip(paragraphs, attributions, strict=True)):
        for sentence, credit in zip(sentences, credits, strict=True):
            passages.append(Passage(article.id, len(passages), number, sentence, credit))
    return tuple(passages)


EXAMPLE_SPEAKER_WORDS = 6
MORE_DEPTH = 30  # quotes ranked for a question, so that "More" has some to give


def lower_article(phrase: str) -> str:
    """ "The sources" -> "the sources", so the phrase reads well mid-sentence."""
    first, _, rest = phrase.partition(" ")
    if first in ("A", "An", "The") and rest:
        return f"{first.lower()} {rest}"
    return phrase


def canonical_url(url: str | None) -> str | None:
    """The url as compared for duplicates: no fragment, lower-case host, no trailing slash."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


class Library:
    """Thread-safe facade over store, passages and index; every public method locks.

    The lock is re-entrant: the answerer's lookups (`text`, `passage`, ...) run inside `ask`.
    """

    def __init__(self, settings: Settings, store: ArticleStore, index: BM25Index) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self._articles: dict[str, Article] = {}
        self._passages: dict[str, PassageRows] = {}
        # Article files by name, as read or written: what the next corpus snapshot holds.
        self._files: dict[str, SnapshotEntry] = {}
        self._snapshot_stale = False  # the snapshot on disk differs from `_files`
        # Canonical url -> article id, made when first needed: parsing 33k urls at every
        # start would cost half a second for the rare /add that needs them.
        self._urls: dict[str, str] | None = None
        # Articles sorted oldest first, kept until the next add/remove: /sources and the
        # "not found" hints list them on every call, and sorting 33k articles takes ~30 ms.
        self._oldest_first: list[Article] | None = None
        self._lock = threading.RLock()
        self._compactor: Compactor | None = None
        # The sentence-embedding model, loaded at first use; None when SEMANTIC is off or the
        # model could not be loaded (then the bot answers by words alone).
        self.encoder: TextEncoder | None = (
            Encoder(threads=settings.encoder_threads) if settings.semantic else None
        )
        self.vectors = SentenceVectors()
        # Each sentence's token states (`bot.late`), in a SQLite file opened by `open`; None
        # without the semantic layer (or when the file cannot be used).
        self.tokens: TokenStates | None = None
        self._with_states: set[str] = set()  # articles whose token states are stored
        self._checks: dict[str, int] = {}  # article id -> `texts_check`, made when needed
        self._answerer = Answerer(
            index,
            self,
            AnswerOptions(max_quotes=settings.max_quotes, min_match=settings.min_match),
            self.vectors if settings.semantic else None,
            self.token_states,
        )
        self._overview = Overview(
            self,
            summary_sentences=settings.summary_sentences,
            max_quotes=settings.max_quotes,
            deep=Answerer(
                index,
                self,
                AnswerOptions(max_quotes=MORE_DEPTH, min_match=settings.min_match),
                self.vectors if settings.semantic else None,
                self.token_states,
            ),
            encode=self.encode_with_tokens,
        )

    @classmethod
    def open(cls, settings: Settings) -> Library:
        """Load the corpus and the index (each from its cache when that is current)."""
        started = time.perf_counter()
        store = ArticleStore(settings.corpus_dir)
        index = BM25Index.load(
            settings.index_dir,
            index_fingerprint(),
            k1=settings.bm25_k1,
            b=settings.bm25_b,
            epsilon=0.25,
        )
        cached = index is not None
        library = cls(settings, store, index or new_index(settings))
        with gc_paused():
            reused = library._load_corpus()
        library._reconcile_index()
        if settings.semantic:
            library._reconcile_vectors(SentenceVectors.load(settings.vectors_dir))
            if settings.token_states:
                library._open_token_states()
        log.info(
            "loaded %d articles (%d sentences) from %s in %.2fs (%d from the snapshot, index %s)",
            len(library._articles),
            len(library.index),
            settings.corpus_dir,
            time.perf_counter() - started,
            reused,
            "from cache" if cached else "built",
        )
        return library

    def _load_corpus(self) -> int:
        """Read every article file, from the snapshot when its stamp matches; returns how many."""
        snapshot = load_snapshot(self.settings.snapshot_dir)
        seen = time.time_ns()  # before any stat: see `settled`
        reused = 0
        passages: PassageRows
        for name, stamp in self.store.scan().items():
            taken = snapshot.take(name, stamp) if snapshot is not None else None
            if taken is not None:
                article, passages = taken
                reused += 1
                self._files[name] = SnapshotEntry(stamp, article, passages)
            elif (stored := self.store.read(name)) is not None:
                article = stored.article
                passages = stored.passages or as_rows(article.id, build_passages(article))
                trusted = stamp if settled(stamp, seen) else None
                self._files[name] = SnapshotEntry(trusted, article, passages)
            else:
                continue
            self._remember(article, passages)
        # Anything read from a file, or a snapshot entry whose file is gone or changed.
        self._snapshot_stale = (
            snapshot is None or reused != len(snapshot) or reused != len(self._files)
        )
        return reused

    def _remember(self, article: Article, passages: PassageRows) -> None:
        self._articles[article.id] = article
        self._passages[article.id] = passages
        self._checks.pop(article.id, None)
        self._oldest_first = None
        if self._urls is not None:
            url = canonical_url(article.url)
            if url:
                self._urls[url] = article.id

    def _reconcile_index(self) -> None:
        """Bring a cached index in line with the corpus: add what is new, drop what is gone."""
        indexed = set(self.index.keys())
        for key in indexed - self._articles.keys():
            self.index.remove(key)
        for key in self._articles.keys() - indexed:
            self._index_article(self._articles[key], self._passages[key])

    def _index_article(self, article: Article, passages: PassageRows) -> None:
        """Give the index the article's sentences, their paragraphs and its headline."""
        self.index.add(
            article.id,
            [tokenize(text) for text in passages.texts()],
            passages.paragraphs(),
            tokenize(article.title),
        )

    def _reconcile_vectors(self, saved: SentenceVectors) -> None:
        """Keep the saved vectors of unchanged articles; the rest are `missing_vectors`."""
        for key in saved.articles():
            passages = self._passages.get(key)
            if passages is None or not saved.current(key, len(passages), self._check_of(key)):
                saved.remove(key)
        saved.changed = False  # only what is dropped; `flush` saves when something is added
        self.vectors = saved
        self._answerer.vectors = saved
        missing = len(self._articles) - len(saved)
        if missing:
            log.info(
                "%d articles have no sentence vectors yet: they are found by their words "
                "until `python -m bot embed` (or the running bot) computes them",
                missing,
            )

    def _open_token_states(self) -> None:
        """Open the token states and drop those of articles gone or changed since."""
        try:
            tokens = TokenStates.open(self.settings.tokens_dir)
            current = {
                key: (self._check_of(key), len(passages))
                for key, passages in self._passages.items()
            }
            dropped = tokens.keep_only(current)
            self._with_states = set(tokens.checksums())
        except (StoreError, sqlite3.Error) as exc:
            log.warning("ranking without token states: %s", exc)
            return
        if dropped:
            log.info("dropped the token states of %d removed or changed articles", dropped)
        self.tokens = tokens

    def _check_of(self, key: str) -> int:
        """The checksum of an article's sentences' texts (remembered)."""
        check = self._checks.get(key)
        if check is None:
            check = self._checks[key] = texts_check(self._passages[key].texts())
        return check

    def token_states(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """The stored token states of these sentences (those that have current ones)."""
        tokens = self.tokens
        if tokens is None:
            return {}
        with self._lock:
            articles = {key for key, _ in keys if key in self._with_states}
            checks = {key: self._check_of(key) for key in articles}
        try:
            return tokens.get([k for k in keys if k[0] in articles], checks)
        except sqlite3.Error as exc:
            log.warning("could not read token states: %s", exc)
            return {}

    def _keep_states(self, key: str, states: Sequence[np.ndarray]) -> None:
        """Store an article's token states (a failure costs ranking, never the article)."""
        if self.tokens is None or not states:
            return
        try:
            self.tokens.put(key, self._check_of(key), states)
        except (StoreError, sqlite3.Error) as exc:
            log.warning("could not store the token states of %s: %s", key, exc)
            return
        self._with_states.add(key)

    def encode_with_tokens(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, list[np.ndarray]] | None:
        """Vectors of these texts and, when token states are kept, each text's token states
        (else an empty list); None when the semantic layer is off or broken."""
        return self._encoded(texts, tokens=self.tokens is not None)

    def _wants_states(self) -> bool:
        return self.tokens is not None and hasattr(self.encoder, "encode_with_tokens")

    def encode(self, texts: Sequence[str]) -> np.ndarray | None:
        """Sentence vectors of these texts, or None when the semantic layer is off or broken.

        Safe without the library lock (the model is thread-safe); callers encode outside it.
        """
        encoded = self._encoded(texts, tokens=False)
        return None if encoded is None else encoded[0]

    def _encoded(
        self, texts: Sequence[str], tokens: bool
    ) -> tuple[np.ndarray, list[np.ndarray]] | None:
        encoder = self.encoder
        if encoder is None:
            return None
        # Test doubles and other encoders may give vectors only.
        with_tokens = getattr(encoder, "encode_with_tokens", None) if tokens else None
        try:
            if with_tokens is None:
                return encoder.encode(texts), []
            encoded: tuple[np.ndarray, list[np.ndarray]] = with_tokens(texts)
            return encoded
        except EncoderError as exc:
            if self.encoder is not None:
                self.encoder = None
                log.warning("answering by words only: %s", exc)
            return None

    def missing_vectors(self) -> list[str]:
        """Articles whose sentences have no current vectors (or token states), oldest first."""
        with self._lock:
            states = self._wants_states()
            return [
                a.id
                for a in self._sorted_articles()
                if a.id not in self.vectors or (states and a.id not in self._with_states)
            ]

    def missing_vector_batches(self, sentences: int = 256) -> list[list[str]]:
        """The articles lacking vectors in groups of about this many sentences (for `embed`)."""
        batches: list[list[str]] = [[]]
        total = 0
        for key in self.missing_vectors():
            if total >= sentences:
                batches.append([])
                total = 0
            batches[-1].append(key)
            total += len(self.passages_of(key))
        return [batch for batch in batches if batch]

    def embed(self, article_ids: Sequence[str]) -> int:
        """Compute and keep the vectors of these articles' sentences; returns sentences done.

        The encoding happens outside the lock, so questions are answered meanwhile; an article
        removed or changed in between is skipped.
        """
        with self._lock:
            jobs = [
                (key, self._passages[key].texts()) for key in article_ids if key in self._passages
            ]
        texts = [text for _, sentences in jobs for text in sentences]
        encoded = self.encode_with_tokens(texts)
        if encoded is None:
            return 0
        vectors, states = encoded
        done, at = 0, 0
        with self._lock:
            for key, sentences in jobs:
                start, at = at, at + len(sentences)
                current = self._passages.get(key)
                if current is not None and current.texts() == sentences:
                    self.vectors.put(key, vectors[start:at], self._check_of(key))
                    self._keep_states(key, states[start:at])
                    done += len(sentences)
        return done

    # -- reading ---------------------------------------------------------------------------

    def articles(self) -> list[Article]:
        """Every article, oldest first."""
        with self._lock:
            return list(self._sorted_articles())

    def _sorted_articles(self) -> list[Article]:
        if self._oldest_first is None:
            self._oldest_first = sorted(
                self._articles.values(), key=lambda a: (a.added or "", a.id)
            )
        return self._oldest_first

    def get(self, article_id: str) -> Article:
        """The article with this id (or unique id prefix)."""
        with self._lock:
            return self._articles[self._resolve_id(article_id)]

    def articles_with_counts(self) -> list[tuple[Article, int]]:
        """Every article, oldest first, with its number of sentences, as of one moment."""
        with self._lock:
            return [(a, len(self._passages[a.id])) for a in self._sorted_articles()]

    def article(self, article_id: str) -> Article:
        with self._lock:
            return self._articles[article_id]

    def passage(self, article_id: str, position: int) -> Passage:
        with self._lock:
            return self._passages[article_id][position]

    def text(self, article_id: str, position: int) -> str:
        with self._lock:
            return self._passages[article_id].text(position)

    def passages_of(self, article_id: str) -> Sequence[Passage]:
        with self._lock:
            return self._passages.get(article_id, ())

    def __len__(self) -> int:
        with self._lock:
            return len(self._articles)

    def sentence_count(self) -> int:
        with self._lock:
            return len(self.index)

    def passage_tokens(self, article_id: str) -> Sequence[Sequence[str]]:
        """The article's sentences as the index tokenised them."""
        with self._lock:
            return self.index.tokens(article_id)

    def has_article(self, article_id: str) -> bool:
        with self._lock:
            return article_id in self._articles

    def article_count(self) -> int:
        with self._lock:
            return len(self._articles)

    def newest_first(self, start: int, stop: int) -> list[Article]:
        """Articles `start` to `stop` (exclusive) counting from the newest."""
        with self._lock:
            oldest_first = self._sorted_articles()
            count = len(oldest_first)
            return oldest_first[max(count - stop, 0) : max(count - start, 0)][::-1]

    def articles_matching(self, tokens: list[str], limit: int) -> list[str]:
        """Ids of the articles holding the best index hits for the tokens, best first."""
        found: dict[str, None] = {}
        with self._lock:
            hits = self.index.search(tokens, limit=max(limit, 1) * 3)
        for hit in hits:
            found.setdefault(hit.key)
        return list(found)[:limit]

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        """Answer a question from the articles, following up on the conversation if any.

        Questions about a whole article or the corpus ("what's this about?", "who is quoted?")
        get an article-level answer; the rest, and those it cannot answer, get quotes.
        """
        intent = recognise(question)
        if intent.article_level:
            with self._lock:
                text = " ".join(question.split())
                answer = self._overview.answer(text, intent, conversation)
                if answer is not None:
                    return answer
        # The question is encoded before taking the lock: adds and other questions go on.
        query = self._answerer.parse(question, self.encode_with_tokens)
        with self._lock:
            return self._answerer.answer(query, conversation)

    def more(self, conversation: Conversation) -> Answer | None:
        """The next part of the conversation's latest answer (quotes, summary, page), if any."""
        with self._lock:
            return self._overview.more(conversation)

    def summary_of(self, article_id: str, question: str = "summary") -> Answer:
        """The summary of one article, by id or unique id prefix."""
        with self._lock:
            focus = self._overview.focus_on(self._resolve_id(article_id))
            return self._overview.summary(question, focus)

    def facts_of(self, article_id: str, question: str = "source") -> Answer:
        """Title, outlet, date and link of one article, by id or unique id prefix."""
        with self._lock:
            focus = self._overview.focus_on(self._resolve_id(article_id))
            return Answer(question, kind="article", focus=focus)

    def speakers_of(self, article_id: str, question: str = "speakers") -> Answer:
        """Who one article quotes, with counts, by id or unique id prefix."""
        with self._lock:
            focus = self._overview.focus_on(self._resolve_id(article_id))
            return self._overview.speakers(question, focus)

    def articles_page(self, page: int, question: str = "articles") -> Answer:
        """One page of the corpus, newest first."""
        with self._lock:
            return self._overview.articles(question, page)

    def focus(self, conversation: Conversation | None = None) -> Answer | None:
        """An empty answer whose focus is the article "this article" means now, if any."""
        with self._lock:
            found = self._overview.resolve(conversation)
            return Answer("", kind="article", focus=found) if found else None

    def example_questions(self, limit: int = 3) -> list[str]:
        """Questions this corpus can answer: what a named speaker of a new article said."""
        with self._lock:
            newest = heapq.nlargest(limit, self._articles.values(), key=lambda a: a.added or "")
            return [self._example_question(article) for article in newest]

    def example_question_for(self, article_id: str) -> str:
        """A question this article answers, as `example_questions` words them."""
        with self._lock:
            return self._example_question(self._articles[article_id])

    def _example_question(self, article: Article) -> str:
        for passage in self._passages[article.id]:
            credit = passage.attribution
            if credit.source == "explicit" and credit.speaker and credit.speaker != article.outlet:
                speaker = credit.speaker.split(",")[0]
                if len(speaker.split()) <= EXAMPLE_SPEAKER_WORDS:
                    return f"What did {lower_article(speaker)} say?"
        return f"What happened: {article.title}?"

    def _resolve_id(self, article_id: str) -> str:
        article_id = article_id.strip().lower()
        if article_id in self._articles:
            return article_id
        matches = [key for key in self._articles if article_id and key.startswith(article_id)]
        if len(matches) == 1:
            return matches[0]
        raise ArticleNotFoundError(f"no article with id {article_id!r}")

    # -- writing ---------------------------------------------------------------------------

    def add(self, article: Article) -> Article:
        """Store, attribute, index and embed a new article; answerable as soon as this returns.

        The article file is durable when this returns; the index cache and the vectors are
        saved by `flush` (and stale ones are reconciled with the corpus at the next start).
        Sentences are split, attributed and encoded before the lock is taken, so questions
        are answered meanwhile.
        """
        if not article.paragraphs:
            raise IngestError("the article has no body text")
        built = build_passages(article)
        if not built:
            raise IngestError("the article has no sentences to quote")
        with self._lock:
            self._refuse_duplicate(article)
        encoded = self.encode_with_tokens([passage.text for passage in built])
        with self._lock:
            self._refuse_duplicate(article)  # again: another add may have raced this one
            return self._add_one(article, built, encoded)

    def _refuse_duplicate(self, article: Article) -> None:
        existing = self._duplicate_of(article)
        if existing is not None:
            raise DuplicateArticleError(
                f"already in the corpus as {existing} ({self._articles[existing].title})",
                existing,
            )

    def _add_one(
        self,
        article: Article,
        built: tuple[Passage, ...],
        encoded: tuple[np.ndarray, list[np.ndarray]] | None,
    ) -> Article:
        stamped = replace(article, added=datetime.now(UTC).isoformat(timespec="seconds"))
        path = self.store.save(stamped, built)
        passages = as_rows(stamped.id, built)
        # Trusted although fresh (see `settled`): only another writer racing this very save
        # within one mtime tick, at the same size, could make it lie.
        self._files[path.name] = SnapshotEntry(self.store.stamp(path), stamped, passages)
        self._snapshot_stale = True
        self._remember(stamped, passages)
        self._index_article(stamped, passages)
        if self._compactor is not None and self.index.segment_count > 1:
            self._compactor.notify()
        if encoded is not None:
            vectors, states = encoded
            self.vectors.put(stamped.id, vectors, self._check_of(stamped.id))
            self._keep_states(stamped.id, states)
        log.info("added article %s (%d sentences): %s", stamped.id, len(passages), stamped.title)
        return stamped

    def id_for_url(self, url: str) -> str | None:
        """The id of the article already taken from this url (compared canonically), if any."""
        with self._lock:
            return self._duplicate_of(Article(id="", title="", paragraphs=(), url=url))

    def _duplicate_of(self, article: Article) -> str | None:
        if article.id in self._articles:
            return article.id
        url = canonical_url(article.url)
        if self._urls is None:
            self._urls = {
                u: key for key, known in self._articles.items() if (u := canonical_url(known.url))
            }
        return self._urls.get(url) if url else None

    def remove(self, article_id: str) -> Article:
        """Delete an article from disk and index."""
        with self._lock:
            key = self._resolve_id(article_id)
            self.store.delete(key)
            self._files.pop(self.store.path_for(key).name, None)
            self._snapshot_stale = True
            article = self._articles.pop(key)
            self._passages.pop(key)
            self._oldest_first = None
            self._urls = None  # another article may share the url: rebuilt when needed
            self.index.remove(key)
            self.vectors.remove(key)
            self._checks.pop(key, None)
            if key in self._with_states and self.tokens is not None:
                self._with_states.discard(key)
                try:
                    self.tokens.remove(key)
                except (StoreError, sqlite3.Error) as exc:
                    # Harmless left behind: dropped at the next start (`_open_token_states`).
                    log.warning("could not drop the token states of %s: %s", key, exc)
            log.info("removed article %s: %s", key, article.title)
            return article

    def compact(self, stop: threading.Event | None = None) -> bool:
        """Merge the index's segments into one, searches going on meanwhile; True if done.

        Only the snapshot of the segments and the final swap hold the lock; the steps between
        them read immutable segments, so questions are answered (at the old speed) meanwhile.
        """
        with self._lock:
            job = self.index.compaction()
        if job is None:
            return False
        started = time.perf_counter()
        while not job.step():
            if stop is not None and stop.is_set():
                return False
            time.sleep(COMPACT_STEP_PAUSE_SECONDS)
        with self._lock:
            committed = job.commit()
        log.info(
            "compacted %d index segments in %.2fs%s",
            len(job.segments),
            time.perf_counter() - started,
            "" if committed else " but an add merged one of them meanwhile: dropped",
        )
        return committed

    def start_compactor(self) -> Compactor:
        """Compact the index in a background thread whenever adds have left several segments."""
        if self._compactor is None:
            self._compactor = Compactor(self.compact)
            self._compactor.start()
            if self.index.segment_count > 1:
                self._compactor.notify()
        return self._compactor

    def stop_compactor(self) -> None:
        """Stop the background compaction (one under way is abandoned, the index unchanged)."""
        if self._compactor is not None:
            self._compactor.stop()
            self._compactor = None

    def flush(self) -> None:
        """Persist the index cache and the corpus snapshot; the corpus files are already durable."""
        with self._lock:
            try:
                self.index.save(self.settings.index_dir, index_fingerprint())
            except (OSError, ValueError) as exc:  # ValueError: a string it cannot encode
                # The cache is an optimisation: losing it costs a rebuild, never data.
                log.warning(
                    "could not save the index cache in %s: %s", self.settings.index_dir, exc
                )
            if self._snapshot_stale:
                self._save_snapshot()
            if self.vectors.changed:
                try:
                    self.vectors.save(self.settings.vectors_dir)
                except OSError as exc:
                    log.warning(
                        "could not save the sentence vectors in %s: %s",
                        self.settings.vectors_dir,
                        exc,
                    )

    def _save_snapshot(self) -> None:
        """Write the corpus snapshot; a failure costs the next start its speed, never data."""
        try:
            with gc_paused():
                save_snapshot(self.settings.snapshot_dir, self._files)
        except (OSError, ValueError) as exc:
            log.warning(
                "could not save the corpus snapshot in %s: %s", self.settings.snapshot_dir, exc
            )
        else:
            self._snapshot_stale = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: loading makes ~100k lasting container objects.

    Each full collection walks every one of them, which cost ~0.7 s of a 3.5 s start at 1M
    sentences; nothing made while loading is garbage, so there is nothing for it to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def as_rows(article_id: str, passages: Sequence[Passage]) -> PassageRows:
    """Passages as the library keeps them."""
    return StoredPassages(article_id, list(passages))


def new_index(settings: Settings) -> BM25Index:
    return BM25Index(k1=settings.bm25_k1, b=settings.bm25_b)


def index_fingerprint() -> str:
    """What a cached index must have been built with to be reused."""
    text = f"tokenizer={TOKENIZER_VERSION};pipeline={PIPELINE_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
