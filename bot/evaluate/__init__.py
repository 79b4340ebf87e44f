"""Quality evaluations on public datasets: `python -m bot eval MODE` (see `eval --help`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TypeVar

from bot.models import BotError

Report = TypeVar("Report")


def print_report(
    evaluate: Callable[[], Report],
    *,
    as_json: bool,
    to_json: Callable[[Report], object],
    to_text: Callable[[Report], str],
) -> int:
    """Run one evaluation and print its table or JSON; 1, with the reason, when it cannot run."""
    try:
        report = evaluate()
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(to_json(report), indent=2, ensure_ascii=False))
    else:
        print(to_text(report))
    return 0
