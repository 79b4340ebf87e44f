"""Command line: ask and chat in the console, ingest/list/remove articles, run the bot."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError

from bot import __version__
from bot.conversation import Conversation
from bot.library import Library
from bot.models import Article, BotError, DuplicateArticleError
from bot.render import answer_to_dict, article_line, render_text
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.feeds.state import FeedState

log = logging.getLogger("bot")

URL_PREFIXES = ("http://", "https://")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, build the settings and run one command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        settings = settings_from_args(args)
    except ValidationError as exc:
        print(f"error: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level if args.command == "run" or args.verbose else "WARNING")
    try:
        return int(args.func(args, settings))
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = args.corpus
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    return Settings(**overrides)  # type: ignore[arg-type]


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="folder of article files (default: CORPUS_DIR, else the project's corpus/)",
    )
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="folder for the index cache and bot state (default: DATA_DIR, else var/)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log progress to standard error",
    )
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Answer questions about news articles by quoting them, with attribution.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(verbose=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(func=cmd_ask)

    chat = commands.add_parser(
        "chat", parents=[common], help="answer questions line by line, with follow-ups"
    )
    chat.add_argument("--json", action="store_true", help="print one JSON object per question")
    chat.set_defaults(func=cmd_chat)

    ingest = commands.add_parser(
        "ingest", parents=[common], help="add articles from files, folders or URLs"
    )
    ingest.add_argument("sources", nargs="+", metavar="PATH_OR_URL")
    ingest.set_defaults(func=cmd_ingest)

    listing = commands.add_parser("list", parents=[common], help="list the articles")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(func=cmd_list)

    embed = commands.add_parser(
        "embed",
        parents=[common],
        help="compute the sentence vectors and token states the corpus still lacks",
    )
    embed.set_defaults(func=cmd_embed)

    remove = commands.add_parser("remove", parents=[common], help="remove an article by id")
    remove.add_argument("article_id", metavar="ID")
    remove.set_defaults(func=cmd_remove)

    speakers = commands.add_parser(
        "speakers", parents=[common], help="who an article quotes, and how often"
    )
    speakers.add_argument(
        "article_id", nargs="?", metavar="ARTICLE_ID", help="id or id prefix (default: newest)"
    )
    speakers.add_argument("--json", action="store_true", help="print one JSON object")
    speakers.set_defaults(func=cmd_speakers)

    run = commands.add_parser("run", parents=[common], help="run the Telegram bot")
    run.set_defaults(func=cmd_run)

    add_feed_commands(commands, common)

    add_optional_commands(commands, common)
    return parser


def add_optional_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Evaluation and benchmark commands, which import their own heavier modules."""
    from bot import bench
    from bot.evaluate import (
        attribution,
        extraction,
        followups,
        intents,
        paraphrase,
        seed,
        squad,
        summary,
    )

    evaluate = commands.add_parser("eval", parents=[common], help="measure answer quality")
    modes = evaluate.add_subparsers(dest="mode", metavar="MODE", required=True)
    extraction.configure_parser(
        modes.add_parser("extraction", parents=[common], help="article extraction F1")
    )
    squad.configure_parser(
        modes.add_parser("squad", parents=[common], help="answer-sentence hit@1/hit@3 on SQuAD")
    )
    seed.configure_parser(
        modes.add_parser("seed", parents=[common], help="seed questions and attribution accuracy")
    )
    attribution.configure_parser(
        modes.add_parser(
            "attribution", parents=[common], help="who-said-it recall and precision on PolNeAR"
        )
    )
    followups.configure_parser(
        modes.add_parser("followups", parents=[common], help="follow-up conversations, hit@1")
    )
    paraphrase.configure_parser(
        modes.add_parser(
            "paraphrase", parents=[common], help="questions in a reader's own words, hit@1/hit@3"
        )
    )
    intents.configure_parser(
        modes.add_parser("intents", parents=[common], help="article-level question recognition")
    )
    summary.configure_parser(
        modes.add_parser(
            "summary", parents=[common], help="extractive summary vs an editor's picks"
        )
    )
    bench.configure_parser(
        commands.add_parser("bench", parents=[common], help="measure speed at archive scale")
    )


def add_feed_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """follow, feeds, unfollow and poll: the feeds the bot reads by itself."""
    follow = commands.add_parser(
        "follow", parents=[common], help="follow a feed (or a site's home page that names one)"
    )
    follow.add_argument("url", metavar="URL")
    follow.add_argument(
        "--every", type=float, metavar="MINUTES", help="poll interval (default FEED_POLL_MINUTES)"
    )
    follow.set_defaults(func=cmd_follow)
    feeds = commands.add_parser("feeds", parents=[common], help="list followed feeds and status")
    feeds.add_argument("--json", action="store_true", help="print a JSON array")
    feeds.set_defaults(func=cmd_feeds)
    unfollow = commands.add_parser("unfollow", parents=[common], help="stop following a feed")
    unfollow.add_argument("feed", metavar="URL_OR_NUMBER")
    unfollow.set_defaults(func=cmd_unfollow)
    poll = commands.add_parser(
        "poll", parents=[common], help="poll the feeds that are due once (for cron)"
    )
    poll.add_argument("--all", action="store_true", help="poll every feed, due or not")
    poll.set_defaults(func=cmd_poll)


# -- commands ----------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Print the answer to one question."""
    library = Library.open(settings)
    answer = library.ask(args.question)
    if args.json:
        print(json.dumps(answer_to_dict(answer), ensure_ascii=False))
    else:
        print(render_text(answer))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Answer questions from standard input, keeping context for follow-ups."""
    library = Library.open(settings)
    return chat_loop(library, sys.stdin, sys.stdout, as_json=args.json)


def chat_loop(library: Library, stdin: TextIO, stdout: TextIO, *, as_json: bool) -> int:
    interactive = stdin.isatty() and not as_json
    if interactive:
        print(
            f"Ask about my {len(library)} article(s). /more continues the last answer, "
            "/new starts a fresh conversation, /quit or Ctrl-D ends.",
            file=stdout,
        )
    conversation = Conversation()
    for line in _prompted_lines(stdin, stdout, interactive):
        question = line.strip()
        if not question:
            continue
        if question in ("/quit", "/exit"):
            break
        if question == "/new":
            conversation.reset()
            if interactive:
                print("(new conversation)", file=stdout)
            continue
        if question == "/more":
            more = library.more(conversation)
            if more is None:
                print("(nothing more)", file=stdout, flush=True)
                continue
            answer = more
        else:
            answer = library.ask(question, conversation)
        conversation.remember(answer)
        if as_json:
            print(json.dumps(answer_to_dict(answer), ensure_ascii=False), file=stdout, flush=True)
        else:
            print(render_text(answer) + "\n", file=stdout, flush=True)
    return 0


def _prompted_lines(stdin: TextIO, stdout: TextIO, interactive: bool) -> Iterator[str]:
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return
        yield line


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Add articles; report each one; exit 1 when any failed."""
    from bot.ingest import read_file, read_url

    library = Library.open(settings)
    items = list(expand_sources(args.sources))
    failed = duplicates = added = 0
    progress = Progress(len(items))
    for number, item in enumerate(items, start=1):
        progress.show(number, item)
        try:
            article = read_url(item, settings) if is_url(item) else read_file(Path(item))
            stored = library.add(article)
        except DuplicateArticleError as exc:
            duplicates += 1
            progress.print(f"duplicate  {item}: {exc}")
        except BotError as exc:
            failed += 1
            progress.print(f"error      {item}: {exc}", err=True)
        else:
            added += 1
            count = len(library.passages_of(stored.id))
            noun = "sentence" if count == 1 else "sentences"
            progress.print(f"added      {stored.id}  {stored.title}  ({count} {noun})")
    progress.done()
    library.flush()
    print(f"{added} added, {duplicates} duplicate(s), {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def is_url(item: str) -> bool:
    return item.lower().startswith(URL_PREFIXES)


def expand_sources(sources: Sequence[str]) -> Iterator[str]:
    """Files and URLs as given; folders expanded to the article files inside them."""
    from bot.ingest import ARTICLE_SUFFIXES, GZIP_SUFFIX

    suffixes = (*ARTICLE_SUFFIXES, GZIP_SUFFIX)
    for source in sources:
        path = Path(source)
        if not is_url(source) and path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.name.lower().endswith(suffixes):
                    yield str(child)
        else:
            yield source


class Progress:
    """A one-line progress counter on a terminal; silent when stderr is not one."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.stream = stream
        self.active = total > 1 and stream.isatty()

    def show(self, number: int, item: str) -> None:
        if self.active:
            width = 30
            filled = width * number // self.total
            bar = "#" * filled + "-" * (width - filled)
            print(f"\r[{bar}] {number}/{self.total} {item[-40:]:<40}", end="", file=self.stream)

    def print(self, line: str, *, err: bool = False) -> None:
        if self.active:
            print("\r" + " " * 90 + "\r", end="", file=self.stream)
        print(line, file=sys.stderr if err else sys.stdout, flush=True)

    def done(self) -> None:
        if self.active:
            print(file=self.stream)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print the articles in the corpus."""
    library = Library.open(settings)
    articles = library.articles()
    if args.json:
        print(json.dumps([article_summary(library, a) for a in articles], ensure_ascii=False))
        return 0
    for article in articles:
        print(article_line(article, len(library.passages_of(article.id))))
    if not articles:
        print(f"No articles in {settings.corpus_dir}. Add some with: python -m bot ingest PATH")
    return 0


def article_summary(library: Library, article: Article) -> dict[str, object]:
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published,
        "added": article.added,
        "sentences": len(library.passages_of(article.id)),
    }


EMBED_CHUNK = 256  # sentences encoded between two saves of the progress bar's state


def cmd_embed(args: argparse.Namespace, settings: Settings) -> int:
    """Compute the missing sentence vectors and token states, with a progress bar; saved as
    it goes."""
    from tqdm import tqdm

    if not settings.semantic:
        print("SEMANTIC is off: there is nothing to embed", file=sys.stderr)
        return 2
    library = Library.open(settings)
    batches = library.missing_vector_batches(EMBED_CHUNK)
    missing = [key for batch in batches for key in batch]
    sizes = {key: len(library.passages_of(key)) for key in missing}
    with tqdm(total=sum(sizes.values()), unit="sentence", disable=None) as bar:
        for chunk in batches:
            if not library.embed(chunk) and library.encoder is None:
                print("error: the sentence-embedding model cannot be loaded", file=sys.stderr)
                return 1
            bar.update(sum(sizes[key] for key in chunk))
            if bar.n % (EMBED_CHUNK * 40) < EMBED_CHUNK:  # now and then, so ^C keeps work
                library.flush()
    library.flush()
    print(f"{len(missing)} article(s) embedded, {sum(sizes.values())} sentences", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove one article by id (or unique id prefix)."""
    library = Library.open(settings)
    article = library.remove(args.article_id)
    library.flush()
    print(f"removed    {article.id}  {article.title}")
    return 0


def cmd_speakers(args: argparse.Namespace, settings: Settings) -> int:
    """Print every speaker of one article (the newest by default) with their counts."""
    library = Library.open(settings)
    if args.article_id:
        answer = library.speakers_of(args.article_id)
    else:
        focus = library.focus()
        if focus is None or focus.focus is None:
            print(f"No articles in {settings.corpus_dir}.", file=sys.stderr)
            return 1
        answer = library.speakers_of(focus.focus.article.id)
    if args.json:
        print(json.dumps(answer_to_dict(answer), ensure_ascii=False))
    elif not answer.speakers:
        print(f"{answer.focus.article.id if answer.focus else ''}: nobody is quoted by name.")
    else:
        print(render_text(answer))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the Telegram bot (polling, or webhook when WEBHOOK_URL is set)."""
    from bot.telegram.app import bot_token, run_bot

    try:
        bot_token(settings)  # before the corpus is loaded, which takes a while
    except BotError as exc:
        print(exc, file=sys.stderr)
        return 2

    library = Library.open(settings)
    # The loaded corpus lives as long as the process: keeping it out of the cyclic
    # collector's generations avoids ~0.3 s pauses per full collection at 1M sentences.
    gc.freeze()
    return run_bot(settings, library)


def cmd_follow(args: argparse.Namespace, settings: Settings) -> int:
    """Follow a feed URL, or the feed a home page names."""
    from bot.feeds.follow import follow_feed, is_channel_name

    if is_channel_name(args.url):
        print("error: channels are followed from Telegram: /follow @channel", file=sys.stderr)
        return 2
    if args.every is not None and args.every < 1:
        print("error: --every must be at least 1 minute", file=sys.stderr)
        return 2
    feed, new = follow_feed(args.url, settings, open_feed_state(settings), minutes=args.every)
    verb = "following" if new else "already following"
    print(f"{verb}  {feed.id}  {feed.url}  ({feed.title or 'untitled'})")
    return 0


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """Print the followed feeds and channels with their last poll."""
    from bot.feeds.status import feed_status

    state = open_feed_state(settings)
    rows = [feed_status(state, feed) for feed in state.feeds()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for row in rows:
        error = f"  error: {row['last_error']}" if row["last_error"] else ""
        print(
            f"{row['id']:>3}  {row['kind']:<7}  {row['url']}  last poll {row['last_poll'] or '-'}"
            f"  new {row['last_new']} (total {row['total_new']}){error}"
        )
    if not rows:
        print("No feeds followed. Follow one with: python -m bot follow URL")
    return 0


def cmd_unfollow(args: argparse.Namespace, settings: Settings) -> int:
    """Stop following a feed (its articles stay)."""
    state = open_feed_state(settings)
    feed = state.find(args.feed)
    if feed is None:
        print(f"error: not following {args.feed!r} (see python -m bot feeds)", file=sys.stderr)
        return 1
    state.remove_feed(feed.id)
    print(f"unfollowed  {feed.id}  {feed.url}")
    return 0


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    """One poll pass over the due feeds (or all with --all); exit 1 when a feed failed."""
    from bot.feeds.poll import Poller

    state = open_feed_state(settings)
    if not (state.feeds("feed") if args.all else state.due(time.time())):
        # Run from cron every few minutes: most runs find nothing due and need no corpus.
        print("0 feed(s) due")
        return 0
    library = Library.open(settings)
    report = Poller(settings, library, state).poll_due(every_feed=args.all)
    library.flush()
    for poll in report.polls:
        if poll.error:
            print(f"error      {poll.feed.url}: {poll.error}", file=sys.stderr)
    print(report.summary())
    return 1 if report.errors else 0


def open_feed_state(settings: Settings) -> FeedState:
    from bot.feeds.state import FeedState
    from bot.state import StateDB

    return FeedState(StateDB.open(settings.state_dir))


Command = Callable[[argparse.Namespace, Settings], int]

if __name__ == "__main__":
    sys.exit(main())
