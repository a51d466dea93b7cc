"""Fitting the logistic models of qa/linear.py: the verifier and the reranker share it."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from eval.gold import GoldError, GoldQuestion, load_gold
from index.errors import BackendError

L2 = 1.0
STEPS = 3000
RATE = 0.1


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """L2-regularised logistic regression by gradient descent on standardized columns."""
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales
    weights, bias = np.zeros(x.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(z @ weights + bias)))
        weights -= RATE * (z.T @ (p - y) / len(y) + L2 * weights / len(y))
        bias -= RATE * float(np.mean(p - y))
    return means, scales, weights, bias


def fit_listwise(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weights that rank each group's relevant rows first: the softmax over a group's rows
    (one question's candidates) fitted to put its mass on the relevant ones. For ordering
    only, so the bias is 0."""
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales
    keep = np.isin(groups, np.unique(groups[y > 0]))  # a group with no relevant row says nothing
    z, y, groups = z[keep], y[keep], groups[keep]
    _, index = np.unique(groups, return_inverse=True)
    count = index.max() + 1
    target = y / np.bincount(index, weights=y, minlength=count)[index]
    weights = np.zeros(x.shape[1])
    for _ in range(STEPS):
        s = z @ weights
        s = np.exp(s - np.max(s))
        p = s / np.bincount(index, weights=s, minlength=count)[index]
        weights -= RATE * (z.T @ (p - target) / count + L2 * weights / count)
    return means, scales, weights, 0.0


def best_threshold(
    scores: np.ndarray, y: np.ndarray, cost: float, max_withheld: float = 1.0
) -> float:
    """The threshold with the best utility (right − cost × wrong among those shown) of
    those withholding at most `max_withheld` of the right answers; showing everything
    (0) is always a candidate."""
    right = max(1.0, float(np.sum(y)))
    candidates: list[float] = [0.0, *sorted({float(v) for v in scores})]

    def utility(t: float) -> float:
        shown = scores >= t
        return float(np.sum(y[shown]) - cost * np.sum(1 - y[shown]))

    def withheld(t: float) -> float:
        return float(np.sum(y[scores < t])) / right

    allowed = [t for t in candidates if withheld(t) <= max_withheld]
    return max(allowed, key=lambda t: (utility(t), -t))


# Adds one set's examples: (data dir, its gold questions, feature rows, labels).
Collect = Callable[[Path, Sequence[GoldQuestion], list[list[float]], list[int]], None]


def sets_parser(description: str, out: Path | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", nargs=2, action="append", metavar=("DATA_DIR", "GOLD"))
    parser.add_argument("--out", type=Path, default=out)
    return parser


def examples(
    parser: argparse.ArgumentParser, sets: Sequence[Sequence[str]] | None, collect: Collect
) -> tuple[np.ndarray, np.ndarray]:
    """Every set's feature rows and labels; a missing set, index or gold file is an exit-2
    message before anything is written."""
    if not sets:
        parser.error("give at least one --set DATA_DIR GOLD")
    rows: list[list[float]] = []
    labels: list[int] = []
    for data_dir, gold in sets:
        try:
            collect(Path(data_dir), load_gold(Path(gold)), rows, labels)
        except (BackendError, GoldError) as exc:
            parser.error(str(exc))
    y = np.array(labels, dtype=float)
    if len(set(y.tolist())) < 2:
        parser.error("the examples need both labels (1 and 0) to fit on")
    return np.array(rows), y
