"""An article as a whole: its extractive summary, who is quoted in it, and one speaker's words.

The summary picks whole sentences, verbatim, by two signals:

- centrality: how much a sentence shares with the rest of the article (mean cosine similarity
  of its TF-IDF vector to the other sentences'), the LexRank idea without the power iteration;
- a lead prior: news puts what matters first, so earlier sentences weigh more.

Furniture (bylines, credits, embedded tweets, "Read the original article") and fragments are
never picked, nor a sentence that nearly repeats one already picked; the picks are returned in
article order. `vectors` lets a sentence-embedding encoder replace the lexical similarity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from bot.followup import same_speaker
from bot.models import Passage, SpeakerCount
from bot.text import tokenize

DEFAULT_SENTENCES = 3
# Weight of the lead prior against centrality (both in [0, 1]); a sentence's prior halves
# every LEAD_HALF_LIFE eligible sentences.
LEAD_WEIGHT = 1.0
LEAD_HALF_LIFE = 3.0
# Two sentences at least this similar say the same thing: only the first-ranked is kept.
NEAR_DUPLICATE = 0.5
MIN_WORDS = 6
OPENING_MARKS = "\"'(\u201c\u2018"
MAX_WORDS = 80
FURNITURE = re.compile(
    r"^\(?(?:reporting|editing|writing|additional\s+reporting)\s+by\b"
    r"|originally\s+published|read\s+the\s+(?:original|full)\s+(?:article|story)"
    r"|adapted\s+from\s+its\s+original\s+source|image\s+credit|story\s+continues"
    r"|pic\.twitter\.com|https?://|www\.|^[\u2014\u2013-]\s|\(@\w+\)|^_+$"
    r"|^(?:the\s+latest|disclaimer|staff\s+reports?|with\s+\w+\s+wires)\b"
    r"|\b(?:click|tap)\s+here\b|\bsubscribe\b|\bnewsletter\b",
    re.IGNORECASE,
)


def is_summary_material(text: str) -> bool:
    """A whole sentence of the story: not furniture, not a fragment, not a list intro."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or text.rstrip().endswith(":"):
        return False
    if not text[:1].isupper() and text[:1] not in OPENING_MARKS:
        return False
    return FURNITURE.search(text) is None


def lexical_vectors(token_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """TF-IDF rows (the tokenizer's stemmed words, idf within these texts), L2-normalised."""
    counts = [Counter(tokens) for tokens in token_lists]
    vocabulary: dict[str, int] = {}
    for terms in counts:
        for term in terms:
            vocabulary.setdefault(term, len(vocabulary))
    matrix = np.zeros((len(counts), max(len(vocabulary), 1)))
    frequency = Counter(term for c in counts for term in c)
    for row, terms in enumerate(counts):
        for term, count in terms.items():
            idf = math.log((1 + len(counts)) / (1 + frequency[term])) + 1
            matrix[row, vocabulary[term]] = (1 + math.log(count)) * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def rank_sentences(
    passages: Sequence[Passage],
    vectors: np.ndarray | None = None,
    tokens: Sequence[Sequence[str]] | None = None,
) -> list[int]:
    """Indexes into `passages` of the summary material, best first, near-duplicates left out.

    `vectors`, when given, has one L2-normalised row per passage (a sentence encoder's);
    `tokens`, the passages already tokenised (the index keeps them), saves tokenising again.
    """
    eligible = [i for i, p in enumerate(passages) if is_summary_material(p.text)]
    if not eligible:
        return []
    if vectors is None:
        words = [tokens[i] if tokens is not None else tokenize(passages[i].text) for i in eligible]
        rows = lexical_vectors(words)
    else:
        rows = np.asarray(vectors, dtype=float)[eligible]
    # einsum, not `rows @ rows.T`: for a few dozen rows, waking the BLAS threads costs more
    # (5 ms against 0.15 ms on a busy 2-core machine) than the product itself.
    similarity = np.einsum("ik,jk->ij", rows, rows)
    if len(eligible) > 1:
        centrality = (similarity.sum(axis=1) - np.diag(similarity)) / (len(eligible) - 1)
    else:
        centrality = np.ones(1)
    top = centrality.max()
    centrality = centrality / top if top > 0 else centrality
    lead = 0.5 ** (np.arange(len(eligible)) / LEAD_HALF_LIFE)
    score = centrality + LEAD_WEIGHT * lead
    chosen: list[int] = []
    for row in np.argsort(-score, kind="stable"):
        if all(similarity[row, other] < NEAR_DUPLICATE for other in chosen):
            chosen.append(int(row))
    return [eligible[row] for row in chosen]


def summarise(
    passages: Sequence[Passage],
    count: int = DEFAULT_SENTENCES,
    vectors: np.ndarray | None = None,
    tokens: Sequence[Sequence[str]] | None = None,
) -> list[Passage]:
    """The `count` best sentences of the article, in article order."""
    picked = sorted(rank_sentences(passages, vectors, tokens)[:count])
    return [passages[i] for i in picked]


def speaker_counts(passages: Sequence[Passage]) -> list[SpeakerCount]:
    """Every distinct speaker, most quoted first (then by first appearance)."""
    found: dict[str, list[int]] = {}
    for passage in passages:
        speaker = passage.attribution.speaker
        if not speaker:
            continue
        known = next((name for name in found if same_speaker(name, speaker)), speaker)
        found.setdefault(known, []).append(passage.position)
    counts = [SpeakerCount(name, len(spots), spots[0]) for name, spots in found.items()]
    return sorted(counts, key=lambda c: (-c.count, c.first))


# Words of a reader's speaker description that do not help find the speaker.
DESCRIPTION_NOISE = frozenset(
    {"the", "a", "an", "same", "that", "this", "other", "else", "all", "of", "mr", "ms", "mrs"}
)


def match_speaker(passages: Sequence[Passage], wanted: str) -> str | None:
    """The article's speaker that the reader's description names, or None.

    Every content word of the description must appear in the speaker's name ("the senior
    Western diplomat" names "a senior Western diplomat who spoke with ..."). Among several,
    "the same diplomat" means the one the article keeps coming back to: the most quoted, then
    the first named; otherwise the name the description covers best, then the most quoted.
    """
    said = _words(wanted)
    words = {w for w in said if w not in DESCRIPTION_NOISE}
    if not words:
        return None
    best: tuple[float, float, str] | None = None
    for entry in speaker_counts(passages):
        named = set(_words(entry.speaker))
        if not words <= named:
            continue
        if "same" in said:
            key = (float(entry.count), -float(entry.first), entry.speaker)
        else:
            key = (len(words) / len(named), float(entry.count), entry.speaker)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def speaker_sentences(passages: Sequence[Passage], speaker: str) -> list[Passage]:
    """All sentences of the speaker, in article order."""
    return [
        p
        for p in passages
        if p.attribution.speaker and same_speaker(p.attribution.speaker, speaker)
    ]


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("'s", "")
    return re.findall(r"[\w'-]+", text)
