"""Ranking arithmetic shared by the backends: top-k of a score vector, and weighted
reciprocal rank fusion. Pure functions over arrays and lists."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from index.bm25 import FloatArray

BoolArray = npt.NDArray[np.bool_]


# From this many scores, a strided sample guesses the cut before the full pass.
SAMPLED_TOP_MIN = 200_000
SAMPLE_STRIDE = 16


def top_ranked(scores: FloatArray, allowed: BoolArray | None, n: int) -> list[int]:
    """Indices of the `n` best positive scores (ties by index), within `allowed`."""
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0).astype(np.float32)
    if len(scores) >= SAMPLED_TOP_MIN:
        found = sampled_top(scores, n)
        if found is not None:
            return found
    positive = np.flatnonzero(scores > 0)
    return best_of(positive, scores, n)


def sampled_top(scores: FloatArray, n: int) -> list[int] | None:
    """The exact top `n` of a long score vector, at about a third of the cost: a cut
    taken from every SAMPLE_STRIDE-th score (its 2n/stride-th best) keeps about 2n
    candidates. If at least n scores reach the cut, the top n are all among them;
    otherwise None, and the caller ranks every positive score."""
    sample = scores[::SAMPLE_STRIDE]
    rank = min(len(sample), max(1, 2 * n // SAMPLE_STRIDE))
    cut = float(np.partition(sample, len(sample) - rank)[len(sample) - rank])
    if cut <= 0:
        return None
    candidates = np.flatnonzero(scores >= cut)
    if len(candidates) < n:
        return None
    return best_of(candidates, scores, n)


def best_of(candidates: npt.NDArray[np.intp], scores: FloatArray, n: int) -> list[int]:
    """The `n` best of `candidates` by score, ties by index."""
    if len(candidates) > n:
        # Sorting every match costs milliseconds at 100k chunks: keep those at or above
        # the n-th best score (ties included, so the tie order below stays by index).
        picked = scores[candidates]
        nth = np.partition(picked, len(candidates) - n)[len(candidates) - n]
        candidates = candidates[picked >= nth]
    if len(candidates) == 0:
        return []
    order = np.lexsort((candidates, -scores[candidates]))
    return [int(i) for i in candidates[order][:n]]


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
