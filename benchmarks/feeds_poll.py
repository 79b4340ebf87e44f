"""Measure feed polling: a pass over many local feeds, a pass with nothing new, kill -9 safety.

    python benchmarks/feeds_poll.py [--feeds 50] [--entries 20] [--hosts 5] [--kills 3]

Feed servers run on loopback addresses 127.0.0.1..127.0.0.N (one "host" each), and each
pass is a real `python -m bot poll --all` in a child process, as a cron user runs it.
1. First pass: every entry is new (feeds x entries articles): wall time, articles/s, the
   child's peak RSS.
2. Second pass: nothing new; how many feed requests were answered 304, and the time.
3. Fresh folders, then passes killed with SIGKILL at random moments (--kills times) and a
   last pass that runs to the end: articles lost, duplicated, corrupt files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bot.feeds.state import FeedState  # noqa: E402
from bot.state import StateDB  # noqa: E402
from bot.store import ArticleStore  # noqa: E402
from tests.feeds.feed_data import story  # noqa: E402
from tests.feeds.feed_server import FeedServer, article_page, rss, serving  # noqa: E402


def serve_feeds(servers: list[FeedServer], feeds: int, entries: int) -> list[str]:
    """Feeds spread over the servers; returns the feed URLs."""
    urls = []
    for number in range(feeds):
        server = servers[number % len(servers)]
        items = []
        for entry in range(entries):
            article = number * entries + entry
            title, paragraphs = story(article)
            link = server.set(
                f"/a/{article}.html", article_page(title, paragraphs), content_type="text/html"
            )
            items.append({"title": title, "link": link, "guid": link})
        urls.append(
            server.set(
                f"/feed/{number}.xml", rss(f"Feed {number}", items), etag=f'"feed-{number}-v1"'
            )
        )
    return urls


def environment(folder: Path, hosts: int) -> dict[str, str]:
    return {
        **os.environ,
        "CORPUS_DIR": str(folder / "corpus"),
        "DATA_DIR": str(folder / "data"),
        "FETCH_ALLOW_PRIVATE": "true",
        "FEED_WORKERS": str(hosts),
        "PYTHONPATH": str(PROJECT_DIR),
    }


def follow_all(folder: Path, urls: list[str]) -> None:
    state = FeedState(StateDB.open(folder / "data" / "state"))
    for url in urls:
        state.add_feed(url, interval_seconds=900)
    state.db.close()


def poll(env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "poll", "--all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return time.perf_counter() - started, done


def articles(folder: Path) -> list[str]:
    return sorted((folder / "corpus").glob("*.json")) if (folder / "corpus").exists() else []


def check(folder: Path, expected: set[str]) -> dict[str, int]:
    """Lost, duplicated and corrupt, counted on disk."""
    store = ArticleStore(folder / "corpus")
    titles: list[str] = []
    corrupt = 0
    for path in articles(folder):
        try:
            titles.append(store.load(path).article.title)
        except Exception:
            corrupt += 1
    temporaries = len(list((folder / "corpus").glob(".*.tmp")))
    db = sqlite3.connect(folder / "data" / "state" / "bot.sqlite3")
    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        corrupt += 1
    pending = db.execute("SELECT COUNT(*) FROM entries WHERE status != 'added'").fetchone()[0]
    db.close()
    return {
        "lost": len(expected - set(titles)),
        "duplicated": len(titles) - len(set(titles)),
        "corrupt": corrupt,
        "leftover_temp_files": temporaries,
        "entries_not_added": pending,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    total = args.feeds * args.entries
    expected = {story(n)[0] for n in range(total)}
    rng = random.Random(args.seed)
    results: dict[str, object] = {"feeds": args.feeds, "entries": args.entries, "hosts": args.hosts}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="feeds-bench-") as temp:
        servers = [stack.enter_context(serving(f"127.0.0.{n + 1}")) for n in range(args.hosts)]
        urls = serve_feeds(servers, args.feeds, args.entries)
        first = Path(temp) / "first"
        env = environment(first, args.hosts)
        follow_all(first, urls)
        seconds, done = poll(env)
        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        added = len(articles(first))
        results["first_pass"] = {
            "seconds": round(seconds, 1),
            "articles": added,
            "articles_per_second": round(added / seconds, 1),
            "peak_rss_mb": round(rss_kb / 1024),
            "exit": done.returncode,
            "summary": done.stdout.strip(),
        }
        before = sum(server.answered_304 for server in servers)
        seconds, done = poll(env)
        results["second_pass"] = {
            "seconds": round(seconds, 2),
            "answered_304": sum(server.answered_304 for server in servers) - before,
            "feeds": args.feeds,
            "summary": done.stdout.strip(),
        }
        crash = Path(temp) / "crash"
        env = environment(crash, args.hosts)
        follow_all(crash, urls)
        kills = []
        for _ in range(args.kills):
            child = subprocess.Popen(
                [sys.executable, "-m", "bot", "poll", "--all"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Kill once a random share of what is left has been stored.
            target = len(articles(crash)) + rng.randint(
                20, max(21, (total - len(articles(crash))) // 3)
            )
            while child.poll() is None and len(articles(crash)) < target:
                time.sleep(0.01)
            child.send_signal(signal.SIGKILL)
            child.wait()
            kills.append(len(articles(crash)))
        seconds, done = poll(env)
        results["kill_9"] = {
            "articles_on_disk_at_each_kill": kills,
            **check(crash, expected),
            "final_pass_exit": done.returncode,
        }
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
