"""Types of the compiled inner loop of search (`_scoring.c`)."""

from typing_extensions import Buffer

Row = tuple[float, int, int, int]  # -score, -matched terms, article slot, position

def top_all(
    docs: tuple[Buffer, ...],
    impacts: tuple[Buffer, ...],
    weights: tuple[float, ...],
    alive: Buffer,
    article_of: Buffer,
    position: Buffer,
    scores: Buffer,
    counts: Buffer,
    limit: int,
    /,
) -> list[Row]: ...
def top_maxscore(
    docs: tuple[Buffer, ...],
    impacts: tuple[Buffer, ...],
    weights: tuple[float, ...],
    alive: Buffer,
    article_of: Buffer,
    position: Buffer,
    bounds: tuple[float, ...],
    limit: int,
    /,
) -> list[Row]: ...
