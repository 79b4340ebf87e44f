"""Telegram load: questions from many chats through the real bot and a fake Bot API over HTTP.

    python benchmarks/telegram_load.py --passages 300000 --questions 1000 --chats 100 --rate 20

The bot is the real PTB Application from `build_application`, long-polling the fake Bot API of
tests/telegram/fake_bot_api.py, which runs in a separate process (as Telegram would: it must not
share the bot's interpreter lock) on 127.0.0.1 only. That process queues the questions at a
steady rate, round-robin over the chats, and times each one from the moment `getUpdates` hands
it out to the moment the answer's `sendMessage` arrives. The bot's process also records how long
`Library.ask` took and how late its event loop woke up (a blocked loop shows up there).

Keep `--rate` under 30 questions/s: AIORateLimiter holds the bot to Telegram's 30 messages/s, so
a faster load measures the rate limiter's queue, not the bot. The flood guard is set out of the
way (`flood_max_messages`), since every simulated chat asks far more often than a person would.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
# The fake Bot API lives with the Telegram tests and imports nothing from them: load it alone.
sys.path.insert(0, str(PROJECT_DIR / "tests" / "telegram"))

from fake_bot_api import TOKEN, ApiCall, FakeBotApi  # noqa: E402

from bot.bench import CorpusGenerator, write_corpus  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.library import Library  # noqa: E402
from bot.models import Answer, Article  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.app import ALLOWED_UPDATES, build_application  # noqa: E402

FIRST_CHAT_ID = 50_001
LOOP_TICK_SECONDS = 0.005  # how often the lag probe asks the event loop to wake it
ADD_GAP_SECONDS = 0.1  # between the articles `--adds` adds during the load
STARTUP_SECONDS = 60.0  # for the fake API process to come up
GRACE_SECONDS = 30.0  # after the last question, for the last answers
POLL_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class LoadPlan:
    """What the fake API sends: `questions[i]` from chat `FIRST_CHAT_ID + i % chats`."""

    questions: list[str]
    chats: int
    rate: float  # questions per second


@dataclass
class LoadResult:
    """Per-question latency (seconds, None when unanswered) and the replies' count."""

    latencies: list[float | None]
    replies: int
    duration: float


class TimedBotApi(FakeBotApi):
    """The fake Bot API, also noting when each update is handed out and each reply arrives."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.handed_out: dict[int, float] = {}
        self.replies: dict[int, list[float]] = {}
        self.server_class_of(self)

    @staticmethod
    def server_class_of(api: TimedBotApi) -> None:
        """Swap in a request handler that timestamps calls as it records them."""
        base = api._server.RequestHandlerClass

        class Handler(base):  # type: ignore[valid-type, misc]
            # The fake writes headers and body in two sends; with Nagle's algorithm the body
            # then waits for the client's delayed ACK (~40 ms on Linux), which the real Bot API
            # does not make the bot wait.
            disable_nagle_algorithm = True

            def _record(self, call: ApiCall) -> None:
                api.note(call, time.perf_counter())
                super()._record(call)

        api._server.RequestHandlerClass = Handler

    def note(self, call: ApiCall, now: float) -> None:
        with self.state.changed:
            if call.method == "getUpdates" and call.ok:
                for update in call.result:
                    self.handed_out.setdefault(int(update["update_id"]), now)
            elif call.method == "sendMessage" and call.ok:
                self.replies.setdefault(int(call.params["chat_id"]), []).append(now)


def question_update(chat_id: int, message_id: int, text: str) -> dict[str, Any]:
    """A private-chat text message as the Bot API delivers it."""
    person = {"id": chat_id, "is_bot": False, "first_name": f"Reader{chat_id}"}
    return {
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": person["first_name"]},
            "from": person,
            "text": text,
        }
    }


def drive_load(api: TimedBotApi, plan: LoadPlan) -> LoadResult:
    """Queue the questions on schedule, then wait for the answers; latencies in plan order."""
    chat_of: dict[int, int] = {}
    started = time.perf_counter()
    for number, text in enumerate(plan.questions):
        delay = started + number / plan.rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        chat_id = FIRST_CHAT_ID + number % plan.chats
        chat_of[api.push_update(question_update(chat_id, number + 1, text))] = chat_id
    wanted = len(plan.questions)
    deadline = time.perf_counter() + GRACE_SECONDS
    with api.state.changed:
        while sum(map(len, api.replies.values())) < wanted and time.perf_counter() < deadline:
            api.state.changed.wait(0.1)
        duration = time.perf_counter() - started
        return LoadResult(match_replies(chat_of, api.handed_out, api.replies), 0, duration)


def match_replies(
    chat_of: dict[int, int], handed_out: dict[int, float], replies: dict[int, list[float]]
) -> list[float | None]:
    """Pair each chat's updates with its replies in order (one reply per question)."""
    latencies: list[float | None] = []
    used = {chat_id: 0 for chat_id in replies}
    for update_id in sorted(chat_of):
        chat_id, sent = chat_of[update_id], handed_out.get(update_id)
        times = replies.get(chat_id, [])
        at = used.get(chat_id, 0)
        if sent is None or at >= len(times):
            latencies.append(None)
            continue
        used[chat_id] = at + 1
        latencies.append(times[at] - sent)
    return latencies


def serve_fake_api(plan: LoadPlan, results: Queue, go: Event, done: Event) -> None:
    """The fake Telegram's process: announce the port, run the load on `go`, report, wait."""
    with TimedBotApi() as api:
        results.put(api.base_url)
        if not go.wait(STARTUP_SECONDS):
            return
        result = drive_load(api, plan)
        result.replies = sum(map(len, api.replies.values()))
        results.put(result)
        done.wait(STARTUP_SECONDS)


@dataclass
class BotSide:
    """What the bot's process measured: each `Library.ask` and each event-loop oversleep."""

    asks: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    lag_times: list[float] = field(default_factory=list)  # when each lag ended (perf_counter)
    compactions: list[tuple[float, float, bool]] = field(default_factory=list)


class TimedLibrary(Library):
    """The library, also recording how long each answer took (from any thread)."""

    side: BotSide

    def ask(self, question: str, conversation: Conversation | None = None) -> Answer:
        started = time.perf_counter()
        try:
            return super().ask(question, conversation)
        finally:
            self.side.asks.append(time.perf_counter() - started)


async def watch_loop(side: BotSide, stop: asyncio.Event) -> None:
    """Record how late the loop wakes this task: time it spent blocked by something else."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(LOOP_TICK_SECONDS)
        woke = time.perf_counter()
        side.lags.append(woke - started - LOOP_TICK_SECONDS)
        side.lag_times.append(woke)


async def add_articles(library: Library, articles: list[Article], gap: float) -> None:
    """Admin-style adds while the questions flow: they leave segments for the compactor."""
    for article in articles:
        await asyncio.to_thread(library.add, article)
        await asyncio.sleep(gap)


async def run_bot(
    settings: Settings,
    library: Library,
    results: Queue,
    go: Event,
    additions: Sequence[Article] = (),
) -> LoadResult:
    """Poll the fake API with the real Application until the load's result comes back.

    The `additions` are added one by one (0.1 s apart) from the start of the load; the
    application's background compactor then compacts the index while questions go on.
    """
    application = build_application(settings, library)
    stop = asyncio.Event()
    side = library.side if isinstance(library, TimedLibrary) else BotSide()
    async with application:
        await application.updater.start_polling(  # type: ignore[union-attr]
            poll_interval=0.0, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=ALLOWED_UPDATES
        )
        await application.start()
        watcher = asyncio.create_task(watch_loop(side, stop))
        compactor = library.start_compactor()  # as post_init does (run_polling would call it)
        go.set()
        adder = asyncio.create_task(add_articles(library, list(additions), ADD_GAP_SECONDS))
        result: LoadResult = await asyncio.to_thread(results.get, True, None)
        stop.set()
        await watcher
        await adder
        library.stop_compactor()
        side.compactions = list(compactor.runs)
        await application.updater.stop()  # type: ignore[union-attr]
        await application.stop()
    return result


def open_library(passages: int, seed: int, root: Path) -> tuple[TimedLibrary, CorpusGenerator, int]:
    """A synthetic corpus of `passages` sentences in `root`, opened as the bot would."""
    generator = CorpusGenerator(seed)
    articles = write_corpus(generator, passages, root / "corpus")
    settings = Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "var")
    library = TimedLibrary.open(settings)
    assert isinstance(library, TimedLibrary)  # `open` builds its own class
    gc.freeze()  # as `python -m bot run` does after opening
    library.side = BotSide()
    return library, generator, articles


def percentile_ms(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of durations in seconds, as milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def summarise(result: LoadResult, side: BotSide, plan: LoadPlan) -> dict[str, float | int]:
    """The figures printed for one run."""
    answered = [latency for latency in result.latencies if latency is not None]
    row: dict[str, float | int] = {
        "questions": len(plan.questions),
        "chats": plan.chats,
        "rate_per_s": plan.rate,
        "answered": len(answered),
        "replies": result.replies,
        "duration_s": round(result.duration, 2),
    }
    for name, samples in (("latency", answered), ("ask", side.asks), ("loop_lag", side.lags)):
        if samples:
            row[f"{name}_p50_ms"] = round(statistics.median(samples) * 1000, 2)
            row[f"{name}_p95_ms"] = round(percentile_ms(samples, 0.95), 2)
            row[f"{name}_p99_ms"] = round(percentile_ms(samples, 0.99), 2)
            row[f"{name}_max_ms"] = round(max(samples) * 1000, 2)
    row["compactions"] = len(side.compactions)
    during = [
        lag
        for lag, woke in zip(side.lags, side.lag_times, strict=True)
        # The sleep that measured this lag began at woke - tick - lag: did it overlap one?
        if any(
            woke >= start and woke - LOOP_TICK_SECONDS - lag <= end
            for start, end, _ in side.compactions
        )
    ]
    if during:
        row["loop_lag_compacting_max_ms"] = round(max(during) * 1000, 2)
        row["compacting_s"] = round(sum(end - start for start, end, _ in side.compactions), 3)
    return row


def run_load(
    passages: int, questions: int, chats: int, rate: float, seed: int = 7, adds: int = 0
) -> dict[str, float | int]:
    """Build the library, start the fake API process and the bot, run the load, summarise."""
    context = multiprocessing.get_context("spawn")
    results: Queue = context.Queue()
    go, done = context.Event(), context.Event()
    with tempfile.TemporaryDirectory(prefix="telegram-load-") as directory:
        root = Path(directory)
        library, generator, articles = open_library(passages, seed, root)
        plan = LoadPlan(generator.questions(questions, articles), chats, rate)
        additions = [generator.attributed(articles + 1000 + i)[0] for i in range(adds)]
        fake = context.Process(target=serve_fake_api, args=(plan, results, go, done))
        fake.start()
        try:
            base_url = results.get(timeout=STARTUP_SECONDS)
            settings = Settings(
                _env_file=None,
                telegram_bot_token=TOKEN,
                telegram_api_base_url=base_url,
                corpus_dir=root / "corpus",
                data_dir=root / "var",
                flood_max_messages=max(1, questions),
            )
            result = asyncio.run(run_bot(settings, library, results, go, additions))
        finally:
            done.set()
            fake.join(STARTUP_SECONDS)
            if fake.is_alive():
                fake.kill()
    return summarise(result, library.side, plan)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=300_000)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="questions per second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--adds",
        type=int,
        default=0,
        help="articles added during the load (then compacted in the background)",
    )
    args = parser.parse_args(argv)
    row = run_load(args.passages, args.questions, args.chats, args.rate, args.seed, args.adds)
    print(json.dumps(row, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
