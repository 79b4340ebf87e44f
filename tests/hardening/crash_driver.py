"""Child process for the crash tests: add articles one by one, saving the index after each.

Usage: python crash_driver.py CORPUS_DIR DATA_DIR FIRST_NUMBER
Prints "added <id> <number>" once `Library.add` has returned (the article is acknowledged),
then saves the index cache, forever, until it is killed.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from bot.ingest import read_text
from bot.library import Library
from bot.settings import Settings

SYLLABLES = ("ka", "lo", "mi", "ru", "ze", "po", "ti", "va", "ne", "su")


def speaker_name(number: int) -> str:
    """A made-up surname unique to the article number: 12 -> "Kalomiru"-like, never reused."""
    digits = str(number)
    return "Vor" + "".join(SYLLABLES[int(d)] for d in digits)


def article_text(number: int) -> str:
    """A short article whose quote can only be found by asking about its own speaker."""
    name = speaker_name(number)
    return (
        f"Harbour report number {number}\n\n"
        f'"The pier inspection found nothing alarming," said Councillor {name}, '
        f"who led inspection {number}.\n\n"
        f"Councillor {name} added that the pier would reopen within a week."
    )


def question_for(number: int) -> str:
    return f"What did Councillor {speaker_name(number)} say about the pier inspection?"


def main(argv: list[str]) -> int:
    corpus, data, first = Path(argv[1]), Path(argv[2]), int(argv[3])
    library = Library.open(Settings(_env_file=None, corpus_dir=corpus, data_dir=data))
    for number in itertools.count(first):
        added = library.add(read_text(article_text(number)))
        print(f"added {added.id} {number}", flush=True)
        library.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
