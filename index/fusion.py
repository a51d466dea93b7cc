"""Ranking arithmetic shared by the backends: top-k of a score vector, and weighted
reciprocal rank fusion. Pure functions over arrays and lists."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.bm25 import FloatArray

BoolArray = npt.NDArray[np.bool_]


def top_ranked(scores: FloatArray, allowed: BoolArray | None, n: int) -> list[int]:
    """Indices of the `n` best positive scores (ties by index), within `allowed`."""
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0).astype(np.float32)
    positive = np.flatnonzero(scores > 0)
    if len(positive) > n:
        # Sorting every match costs milliseconds at 100k chunks: keep those at or above
        # the n-th best score (ties included, so the tie order below stays by index).
        nth = np.partition(scores[positive], len(positive) - n)[len(positive) - n]
        positive = positive[scores[positive] >= nth]
    if len(positive) == 0:
        return []
    order = np.lexsort((positive, -scores[positive]))
    return [int(i) for i in positive[order][:n]]


def rrf_best(weights: Sequence[float], k: float) -> float:
    """The fused score of an item first in every ranking: the scale that maps to 1.0."""
    return sum(weights) / (k + 1)


def rrf_fuse(rankings: Sequence[tuple[list[int], float]], k: float) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank), rank from 1.

    Returns (id, score) best first; scores scaled by the best attainable total so that
    1.0 means "first everywhere". Ties break by id, so results are deterministic.
    """
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    best = rrf_best([weight for _, weight in rankings], k)
    ordered = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(item, score / best) for item, score in ordered]
