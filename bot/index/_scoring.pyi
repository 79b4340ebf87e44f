"""Types of the compiled inner loop of search (`_scoring.c`)."""

from typing_extensions import Buffer

Found = tuple[list[int], list[float], list[int]]  # passage ids, scores, matched terms

def top_all(
    docs: tuple[Buffer, ...],
    impacts: tuple[Buffer, ...],
    weights: tuple[float, ...],
    alive: Buffer,
    scores: Buffer,
    counts: Buffer,
    limit: int,
    /,
) -> Found: ...
def top_maxscore(
    docs: tuple[Buffer, ...],
    impacts: tuple[Buffer, ...],
    weights: tuple[float, ...],
    alive: Buffer,
    bounds: tuple[float, ...],
    limit: int,
    /,
) -> Found: ...
