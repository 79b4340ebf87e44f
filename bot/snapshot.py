"""A checked snapshot of the loaded corpus, so that a restart reads one bundle, not every file.

The article files stay the source of truth. The snapshot records each file's name and stamp
(size, mtime in ns) as they were when it was read or written; at the next start an article is
taken from the snapshot only when its file still has exactly that stamp. A snapshot from another
format or pipeline version, or with any inconsistency, is refused as a whole.

Sentences are kept as columns of numbers: a sentence's text is usually a slice of its paragraph
(start and end in characters), so it is neither stored twice nor decoded at start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.durable import (
    MANIFEST_NAME,
    decode_strings,
    encode_strings,
    load_arrays,
    load_manifest,
    save_arrays,
)
from bot.models import Article, Attribution, Passage
from bot.store import ARTICLE_FIELDS, PIPELINE_VERSION, FileStamp, PassageRows, SentenceRow

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# A sentence whose start is LITERAL is not a slice of its paragraph: its text is strings[end].
LITERAL = -1
NONE = -1  # the code of a missing optional string (speaker, cue, outlet...)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# A file changed again within the same mtime tick, at the same size, keeps its stamp. So a stamp
# is only recorded when the file was older than one tick when it was stat'ed: ~4 ms on ext4 and
# tmpfs (RACY_NS, with slack), whole seconds on FAT, HFS+ or ext3 (their mtimes end in 0 ns).
RACY_NS = 100_000_000
COARSE_RACY_NS = 2_000_000_000
# One value per sentence, in the order `_Columns` fills them.
SENTENCE_ARRAYS = (
    "sentence_paragraph",
    "sentence_start",
    "sentence_end",
    "speakers",
    "cues",
    "sources",
)
ARRAYS = (
    "strings_blob",
    "strings_offsets",
    "files",
    "sizes",
    "mtimes",
    "fields",
    "paragraph_counts",
    "paragraphs_blob",
    "paragraphs_offsets",
    "sentence_counts",
    *SENTENCE_ARRAYS,
)
LOAD_ERRORS = (
    OSError,
    ValueError,  # includes UnicodeDecodeError
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    OverflowError,
)


@dataclass(frozen=True, slots=True)
class SnapshotEntry:
    """One article file as the library knows it: its stamp (None: not to be trusted) and content."""

    stamp: FileStamp | None
    article: Article
    passages: PassageRows


def settled(stamp: FileStamp, seen_ns: int) -> bool:
    """Whether any later write must change the stamp: the file was older than a tick when seen."""
    window = COARSE_RACY_NS if stamp.mtime_ns % 1_000_000_000 == 0 else RACY_NS
    return seen_ns - stamp.mtime_ns >= window


class _Sentences:
    """Every snapshot sentence's columns, shared by the articles' `SnapshotPassages`."""

    __slots__ = ("cue", "end", "paragraph", "source", "speaker", "start", "strings")

    def __init__(self, arrays: dict[str, np.ndarray], strings: list[str]) -> None:
        # Memoryviews: indexing one gives a plain int, three times faster than a numpy scalar.
        self.paragraph = arrays["sentence_paragraph"].data
        self.start = arrays["sentence_start"].data
        self.end = arrays["sentence_end"].data
        self.speaker = arrays["speakers"].data
        self.cue = arrays["cues"].data
        self.source = arrays["sources"].data
        self.strings = strings


class SnapshotPassages(PassageRows):
    """An article's sentences read from the snapshot: each decoded only when it is read."""

    __slots__ = ("_article_id", "_columns", "_count", "_first", "_paragraphs")

    def __init__(self, article: Article, columns: _Sentences, first: int, count: int) -> None:
        self._article_id = article.id
        self._paragraphs = article.paragraphs
        self._columns = columns
        self._first = first
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position: int | slice) -> Any:
        if isinstance(position, slice):
            return tuple(self[i] for i in range(*position.indices(self._count)))
        at = self._row_of(position)
        columns, strings = self._columns, self._columns.strings
        speaker, cue = columns.speaker[at], columns.cue[at]
        return Passage(
            self._article_id,
            at - self._first,
            columns.paragraph[at],
            self._text_at(at),
            Attribution(
                strings[speaker] if speaker != NONE else None,
                strings[cue] if cue != NONE else None,
                strings[columns.source[at]],  # type: ignore[arg-type]
            ),
        )

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(self._count))

    def _row_of(self, position: int) -> int:
        if position < 0:
            position += self._count
        if not 0 <= position < self._count:
            raise IndexError("sentence position out of range")
        return self._first + position

    def _text_at(self, at: int) -> str:
        columns = self._columns
        start = columns.start[at]
        if start == LITERAL:
            return columns.strings[columns.end[at]]
        return self._paragraphs[columns.paragraph[at]][start : columns.end[at]]

    def text(self, position: int) -> str:
        """One sentence's text: a slice of its paragraph, no Passage made."""
        return self._text_at(self._row_of(position))

    def texts(self) -> list[str]:
        """The sentences' texts, in order."""
        return [self._text_at(at) for at in range(self._first, self._first + self._count)]

    def paragraphs(self) -> list[int]:
        """The sentences' paragraph numbers, in order."""
        return self._columns.paragraph[self._first : self._first + self._count].tolist()

    def rows(self) -> Iterator[SentenceRow]:
        """Every sentence as a compact row."""
        columns, strings = self._columns, self._columns.strings
        for at in range(self._first, self._first + self._count):
            speaker, cue = columns.speaker[at], columns.cue[at]
            yield (
                columns.paragraph[at],
                self._text_at(at),
                strings[speaker] if speaker != NONE else None,
                strings[cue] if cue != NONE else None,
                strings[columns.source[at]],  # type: ignore[misc]
            )


class Snapshot:
    """A loaded and checked snapshot: the articles it holds, by file name and stamp."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        """Check every array against the others; ValueError on any inconsistency."""
        strings = decode_strings(arrays["strings_blob"], arrays["strings_offsets"])
        self._check_columns(arrays, len(strings))
        paragraphs = decode_strings(arrays["paragraphs_blob"], arrays["paragraphs_offsets"])
        counts = arrays["paragraph_counts"]
        if len(paragraphs) != int(counts.sum()):
            raise ValueError("paragraph counts disagree with the paragraphs")
        _check_spans(arrays, paragraphs)
        names = [strings[code] for code in arrays["files"].tolist()]
        if len(set(names)) != len(names):
            raise ValueError("a file name appears twice")
        stamps = zip(arrays["sizes"].tolist(), arrays["mtimes"].tolist(), strict=True)
        self._entries = {
            name: (FileStamp(size, mtime), number)
            for number, (name, (size, mtime)) in enumerate(zip(names, stamps, strict=True))
        }
        self._strings = strings
        self._paragraphs = paragraphs
        self._fields = arrays["fields"].reshape(-1, len(ARTICLE_FIELDS)).tolist()
        self._paragraph_first = _firsts(counts)
        self._paragraph_count = counts.tolist()
        self._sentence_first = _firsts(arrays["sentence_counts"])
        self._sentence_count = arrays["sentence_counts"].tolist()
        self._sentences = _Sentences(arrays, strings)

    @staticmethod
    def _check_columns(arrays: dict[str, np.ndarray], vocabulary: int) -> None:
        """Shapes, types and string codes of every column."""
        articles = len(arrays["files"])
        per_article = ("files", "sizes", "mtimes", "paragraph_counts", "sentence_counts")
        per_sentence = ("sentence_paragraph", "sentence_start", "sentence_end", "speakers")
        sentences = int(arrays["sentence_counts"].sum())
        shapes = {name: (articles,) for name in per_article}
        shapes |= {name: (sentences,) for name in (*per_sentence, "cues", "sources")}
        shapes["fields"] = (articles * len(ARTICLE_FIELDS),)
        for name, shape in shapes.items():
            if arrays[name].shape != shape or arrays[name].dtype != np.int64:
                raise ValueError(f"{name} has the wrong shape or type")
        fields = arrays["fields"].reshape(-1, len(ARTICLE_FIELDS))
        coded = (arrays["files"], fields[:, :2], arrays["sources"])  # never None: id, title
        optional = (fields, arrays["speakers"], arrays["cues"])
        if (
            any(len(c) and (c.min() < 0 or c.max() >= vocabulary) for c in coded)
            or any(len(c) and (c.min() < NONE or c.max() >= vocabulary) for c in optional)
            or (articles and arrays["paragraph_counts"].min() < 1)
            or (articles and arrays["sentence_counts"].min() < 0)
            or (articles and arrays["sizes"].min() < -1)
        ):
            raise ValueError("a string code or count is out of range")

    def __len__(self) -> int:
        return len(self._entries)

    def take(self, name: str, stamp: FileStamp) -> tuple[Article, SnapshotPassages] | None:
        """The article of this file, if the snapshot has it with exactly this stamp."""
        found = self._entries.get(name)
        if found is None or found[0] != stamp:
            return None
        number = found[1]
        strings = self._strings
        values = [strings[code] if code != NONE else None for code in self._fields[number]]
        first = self._paragraph_first[number]
        article = Article(
            id=values[0],  # type: ignore[arg-type]
            title=values[1],  # type: ignore[arg-type]
            paragraphs=tuple(self._paragraphs[first : first + self._paragraph_count[number]]),
            **dict(zip(ARTICLE_FIELDS[2:], values[2:], strict=True)),
        )
        passages = SnapshotPassages(
            article,
            self._sentences,
            self._sentence_first[number],
            self._sentence_count[number],
        )
        return article, passages


def _firsts(counts: np.ndarray) -> list[int]:
    return (np.cumsum(counts) - counts).tolist()


def _check_spans(arrays: dict[str, np.ndarray], paragraphs: list[str]) -> None:
    """Every sentence's text must be a slice of one of its article's paragraphs, or a string."""
    start, end = arrays["sentence_start"], arrays["sentence_end"]
    paragraph, counts = arrays["sentence_paragraph"], arrays["paragraph_counts"]
    article = np.repeat(np.arange(len(counts)), arrays["sentence_counts"])
    literal = start == LITERAL
    if np.any((start < 0) & ~literal):
        raise ValueError("a sentence start is negative")
    if np.any(literal & ((end < 0) | (end >= len(arrays["strings_offsets"]) - 1))):
        raise ValueError("a sentence names an unknown string")
    spanned = ~literal
    number = paragraph[spanned]
    if np.any((number < 0) | (number >= counts[article[spanned]])):
        raise ValueError("a sentence names a paragraph its article does not have")
    lengths = np.fromiter(map(len, paragraphs), dtype=np.int64, count=len(paragraphs))
    first = np.cumsum(counts) - counts
    limit = lengths[first[article[spanned]] + number]
    if np.any((start[spanned] > end[spanned]) | (end[spanned] > limit)):
        raise ValueError("a sentence is not within its paragraph")


def load_snapshot(directory: Path) -> Snapshot | None:
    """The snapshot in `directory`; None (logged) when missing, from another version or damaged."""
    if not (directory / MANIFEST_NAME).exists():
        return None
    try:
        manifest = load_manifest(directory)
        if (
            manifest.get("format_version") != FORMAT_VERSION
            or manifest.get("pipeline") != PIPELINE_VERSION
        ):
            log.info(
                "not using the corpus snapshot in %s: written for another version "
                "(format %r, pipeline %r); reading the article files",
                directory,
                manifest.get("format_version"),
                manifest.get("pipeline"),
            )
            return None
        return Snapshot(load_arrays(directory, manifest, ARRAYS))
    except LOAD_ERRORS as exc:
        log.warning(
            "not using the corpus snapshot in %s: %s; reading the article files", directory, exc
        )
        return None


def save_snapshot(directory: Path, entries: Mapping[str, SnapshotEntry]) -> None:
    """Write the entries that have a stamp as the snapshot in `directory`, atomically."""
    columns = _Columns()
    for name, entry in sorted(entries.items()):
        if entry.stamp is None:
            continue
        try:
            columns.add(name, entry.stamp, entry.article, entry.passages)
        except (TypeError, OverflowError) as exc:  # read from its file at every start instead
            log.info("leaving %s out of the corpus snapshot: %s", name, exc)
    header: dict[str, object] = {"format_version": FORMAT_VERSION, "pipeline": PIPELINE_VERSION}
    save_arrays(directory, header, columns.arrays())


class _Columns:
    """The snapshot's arrays, filled one article at a time."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.names: list[int] = []
        self.sizes: list[int] = []
        self.mtimes: list[int] = []
        self.fields: list[int] = []
        self.paragraph_counts: list[int] = []
        self.paragraphs: list[str] = []
        self.sentence_counts: list[int] = []
        self.sentences: list[list[int]] = [[], [], [], [], [], []]

    def code(self, value: str | None) -> int:
        """The string's number in the snapshot's string table (NONE for None)."""
        if value is None:
            return NONE
        found = self.codes.get(value)
        if found is None:
            if type(value) is not str:
                raise TypeError(f"not a string: {value!r}")
            found = self.codes[value] = len(self.codes)
        return found

    def add(self, name: str, stamp: FileStamp, article: Article, passages: PassageRows) -> None:
        """Append one article; TypeError/OverflowError (and nothing appended) if it cannot be."""
        paragraphs, code = article.paragraphs, self.code
        columns: list[list[int]] = [[], [], [], [], [], []]
        numbers, starts, ends, speakers, cues, sources = columns
        # Where the previous sentence ended: sentences follow each other, so looking there
        # first keeps finding them linear in the paragraph's length. (One loop, few calls:
        # a first snapshot of a million sentences is written at shutdown, holding the lock.)
        last, cursor = -1, 0
        for number, text, speaker, cue, source in passages.rows():
            start = -1
            if 0 <= number < len(paragraphs):
                if last == number:
                    start = paragraphs[number].find(text, cursor)
                if start < 0:
                    start = paragraphs[number].find(text)
            if start < 0:  # not in its paragraph (a hand-edited file, say): stored whole
                starts.append(LITERAL)
                ends.append(code(text))
                last = -1
            else:
                last, cursor = number, start + len(text)
                starts.append(start)
                ends.append(cursor)
            numbers.append(number)
            speakers.append(code(speaker))
            cues.append(code(cue))
            sources.append(code(source))
        if numbers and not INT64_MIN <= min(numbers) <= max(numbers) <= INT64_MAX:
            raise OverflowError("a paragraph number does not fit the snapshot")
        fields = [code(getattr(article, field)) for field in ARTICLE_FIELDS]
        self.names.append(code(name))
        self.sizes.append(stamp.size)
        self.mtimes.append(stamp.mtime_ns)
        self.fields.extend(fields)
        self.paragraph_counts.append(len(paragraphs))
        self.paragraphs.extend(paragraphs)
        self.sentence_counts.append(len(numbers))
        for column, values in zip(self.sentences, columns, strict=True):
            column.extend(values)

    def arrays(self) -> dict[str, np.ndarray]:
        strings_blob, strings_offsets = encode_strings(list(self.codes))
        paragraphs_blob, paragraphs_offsets = encode_strings(self.paragraphs)
        return {
            "strings_blob": strings_blob,
            "strings_offsets": strings_offsets,
            "files": _int64(self.names),
            "sizes": _int64(self.sizes),
            "mtimes": _int64(self.mtimes),
            "fields": _int64(self.fields),
            "paragraph_counts": _int64(self.paragraph_counts),
            "paragraphs_blob": paragraphs_blob,
            "paragraphs_offsets": paragraphs_offsets,
            "sentence_counts": _int64(self.sentence_counts),
        } | {
            name: _int64(column)
            for name, column in zip(SENTENCE_ARRAYS, self.sentences, strict=True)
        }


def _int64(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)
