"""kill -9 during ingestion and index persistence, in a loop: what was acknowledged survives.

A child process adds articles and is SIGKILLed at a random moment, then the library is opened
again: every acknowledged article must be there and answerable, every corpus file must parse,
and the index must hold exactly the corpus. Two children take turns: a driver that saves the
index cache after every add (kills land inside `BM25Index.save` too) and `python -m bot ingest`
on a folder of files ("added" lines on stdout are its acknowledgements).
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.library import Library
from bot.settings import PROJECT_DIR, Settings
from bot.store import ArticleStore
from tests.hardening.crash_driver import article_text, question_for

DRIVER = Path(__file__).with_name("crash_driver.py")
DEFAULT_KILLS = 5
SLOW_KILLS = 50
CLI_FILES = 40


@dataclass
class CrashLoop:
    """The corpus shared by every round and what the children acknowledged so far."""

    root: Path
    acknowledged: dict[str, int] = field(default_factory=dict)  # id -> article number
    next_number: int = 0
    kills: int = 0
    rounds: list[str] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return Settings(
            _env_file=None, corpus_dir=self.root / "corpus", data_dir=self.root / "data"
        )


def child_environment() -> dict[str, str]:
    # The bot's settings are already cleared from os.environ by the autouse fixture.
    return {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}


def run_and_kill(command: list[str], loop: CrashLoop, rng: random.Random, cwd: Path) -> list[str]:
    """Start the child, let it acknowledge a few articles, SIGKILL it; its stdout lines."""
    child = subprocess.Popen(
        command,
        cwd=cwd,
        env=child_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(child.stdout or []), daemon=True)
    reader.start()
    wanted = rng.randint(1, 4)
    deadline = time.monotonic() + 60
    while sum(line.startswith("added") for line in lines) < wanted and child.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 0.15))  # land anywhere: mid-add, mid-save, between the two
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    reader.join(timeout=10)
    loop.kills += 1 if child.returncode == -signal.SIGKILL else 0
    return list(lines)


def driver_round(loop: CrashLoop, rng: random.Random) -> None:
    command = [sys.executable, str(DRIVER), *map(str, (loop.root / "corpus", loop.root / "data"))]
    lines = run_and_kill([*command, str(loop.next_number)], loop, rng, loop.root)
    for line in lines:
        if line.startswith("added "):
            _, article_id, number = line.split()
            loop.acknowledged[article_id] = int(number)
            loop.next_number = max(loop.next_number, int(number) + 1)
    loop.next_number += 1  # the killed add may have written this number's file
    loop.rounds.append("driver")


def cli_round(loop: CrashLoop, rng: random.Random) -> None:
    folder = loop.root / f"incoming-{loop.next_number}"
    folder.mkdir()
    numbers = {}
    for number in range(loop.next_number, loop.next_number + CLI_FILES):
        path = folder / f"{number:06d}.txt"
        path.write_text(article_text(number), encoding="utf-8")
        numbers[path.name] = number
    loop.next_number += CLI_FILES
    command = [sys.executable, "-m", "bot", "--corpus", str(loop.root / "corpus")]
    command += ["--data-dir", str(loop.root / "data"), "ingest", str(folder)]
    lines = run_and_kill(command, loop, rng, loop.root)
    ordered = sorted(numbers.values())
    for line in lines:
        if line.startswith("added "):
            # "added      <id>  <title>  (n sentences)": the title names the article number.
            article_id = line.split()[1]
            number = int(line.split("number", 1)[1].split()[0])
            assert number in ordered
            loop.acknowledged[article_id] = number
    loop.rounds.append("cli")


def check_recovery(loop: CrashLoop, caplog: pytest.LogCaptureFixture) -> None:
    """Open the library as a restarted bot would and check what survived."""
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot.store"):
        library = Library.open(loop.settings)
    assert not caplog.records, f"unreadable corpus files: {caplog.messages}"
    files = sorted((loop.root / "corpus").glob("*.json"))
    for path in files:
        ArticleStore(path.parent).load(path)  # every visible file is complete
    ids = {article.id for article in library.articles()}
    missing = set(loop.acknowledged) - ids
    assert not missing, f"acknowledged but lost after kill {loop.kills}: {missing}"
    assert set(library.index.keys()) == ids == {path.stem for path in files}
    if loop.acknowledged:
        last_id, last_number = max(loop.acknowledged.items(), key=lambda item: item[1])
        answer = library.ask(question_for(last_number))
        assert answer.quotes and answer.quotes[0].article.id == last_id


def crash_loop(tmp_path: Path, kills: int, caplog: pytest.LogCaptureFixture) -> CrashLoop:
    loop = CrashLoop(root=tmp_path)
    rng = random.Random(20240611)
    for round_number in range(kills):
        (cli_round if round_number % 3 == 2 else driver_round)(loop, rng)
        check_recovery(loop, caplog)
    return loop


def record(figures: dict[str, Any], name: str, loop: CrashLoop) -> None:
    figures[name] = {
        "kills": loop.kills,
        "acknowledged": len(loop.acknowledged),
        "rounds": {kind: loop.rounds.count(kind) for kind in set(loop.rounds)},
    }


def test_kill_9_during_ingestion_loses_nothing_acknowledged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, figures: dict[str, Any]
) -> None:
    loop = crash_loop(tmp_path, DEFAULT_KILLS, caplog)
    record(figures, "crash", loop)
    assert loop.kills == DEFAULT_KILLS and len(loop.acknowledged) >= DEFAULT_KILLS


@pytest.mark.slow
def test_fifty_kills_lose_nothing_acknowledged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, figures: dict[str, Any]
) -> None:
    loop = crash_loop(tmp_path, SLOW_KILLS, caplog)
    record(figures, "crash_slow", loop)
    assert loop.kills == SLOW_KILLS and len(loop.acknowledged) >= SLOW_KILLS
