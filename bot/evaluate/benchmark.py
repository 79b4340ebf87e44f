"""Articles of the article-extraction benchmark, as the evaluations that ask about them read them.

Dataset: an article-extraction-benchmark directory (`ground-truth.json`: {sha256: {"url",
"articleBody"}}). An article is named by its key; its title comes from the URL's last path
segment and its body from `articleBody`, read through the normal JSON ingestion path.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from bot.ingest import read_text
from bot.library import Library
from bot.models import Article, BotError, DuplicateArticleError

GROUND_TRUTH_FILE = "ground-truth.json"


def load_json(path: Path) -> dict:
    """A JSON object from a file; BotError naming the file when it is missing or malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BotError(f"no {path.name} at {path.parent}: is the dataset there?") from exc
    except (OSError, ValueError) as exc:
        raise BotError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise BotError(f"{path}: expected a JSON object")
    return data


def load_ground_truth(dataset_dir: Path) -> dict:
    """The benchmark's {key: {"url", "articleBody"}} table."""
    return load_json(Path(dataset_dir) / GROUND_TRUTH_FILE)


def benchmark_article(key: str, truth: dict) -> Article:
    """The article stored under `key`, parsed as `ingest` parses a JSON article."""
    entry = truth.get(key)
    if not isinstance(entry, dict) or not entry.get("articleBody"):
        raise BotError(f"article {key} is not in the benchmark's {GROUND_TRUTH_FILE}")
    url = str(entry.get("url") or "")
    title = url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ") or key
    record = {"title": title, "articleBody": entry["articleBody"], "url": url or None}
    return read_text(json.dumps(record), fmt="json", name=key)


def ingest_benchmark_article(library: Library, key: str, truth: dict) -> None:
    """Add one benchmark article to the library; a second key with the same body is skipped."""
    # Two keys with the same body: one copy answers for both.
    with contextlib.suppress(DuplicateArticleError):
        library.add(benchmark_article(key, truth))
