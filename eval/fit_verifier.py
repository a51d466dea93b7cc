"""Fits the answer verifier (qa/confidence.py) on development questions and writes
`qa/resources/verifier.json`.

    python -m eval.fit_verifier --set DATA_DIR GOLD [--set DATA_DIR GOLD ...]

Each DATA_DIR is an index built with `qa --data-dir DATA_DIR ingest …` over the documents
GOLD asks about. Every graded single-ask question the rules answer is one example: label
1 if the answer holds an accepted answer, 0 if it is wrong or the question has none. The
threshold maximises (right answers − COST × wrong answers) on these examples: a wrong
answer costs more than a refusal. Fit only on the tuning split; judge on the others.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.normalize import fold_compact
from eval.gold import GoldQuestion, load_gold
from qa.answer import Answerer
from qa.confidence import SHIPPED, Verifier, answer_features
from qa.engine import SearchEngine
from qa.question import question_parts
from qa.settings import Settings

COST = 0.6  # see the README: the highest cost at which no split lost a right answer
L2 = 1.0
STEPS = 3000
RATE = 0.1


@dataclass
class Examples:
    features: list[list[float]]
    labels: list[int]


def collect(data_dir: Path, gold: Sequence[GoldQuestion], into: Examples) -> None:
    answerer = Answerer(SearchEngine(Settings(data_dir=data_dir)), verify=False)
    for q in gold:
        if not q.graded or len(question_parts(q.question)) > 1:
            continue
        parsed = answerer.parser.parse(q.question)
        read = answerer.read(parsed, None, None)
        if read.found is None:
            continue
        got = fold_compact(read.found.answer)
        right = any(fold_compact(a) in got for a in q.answers or [])
        into.features.append(answer_features(parsed, read.evidence, read.found))
        into.labels.append(int(right))


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


def best_threshold(scores: np.ndarray, y: np.ndarray, cost: float) -> float:
    """The threshold with the best utility; showing everything (0) is a candidate."""
    candidates: list[float] = [0.0, *sorted({float(v) for v in scores})]

    def utility(t: float) -> float:
        shown = scores >= t
        return float(np.sum(y[shown]) - cost * np.sum(1 - y[shown]))

    return max(candidates, key=lambda t: (utility(t), -t))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", nargs=2, action="append", metavar=("DATA_DIR", "GOLD"))
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--cost", type=float, default=COST)
    args = parser.parse_args(argv)
    if not args.set:
        parser.error("give at least one --set DATA_DIR GOLD")
    examples = Examples([], [])
    for data_dir, gold in args.set:
        collect(Path(data_dir), load_gold(Path(gold)), examples)
    x, y = np.array(examples.features), np.array(examples.labels, dtype=float)
    if len(set(y.tolist())) < 2:
        parser.error("the examples need both right and wrong answers to fit on")
    means, scales, weights, bias = fit(x, y)
    verifier = Verifier(means.tolist(), scales.tolist(), weights.tolist(), bias, 0.0)
    scores = np.array([verifier.confidence(row) for row in examples.features])
    threshold = best_threshold(scores, y, args.cost)
    shown = scores >= threshold
    summary = {
        "sets": [gold for _, gold in args.set],
        "examples": len(y),
        "right": int(y.sum()),
        "cost_of_a_wrong_answer": args.cost,
        "precision_before": round(float(y.mean()), 3),
        "precision_after": round(float(y[shown].mean()), 3) if shown.any() else None,
        "shown_after": int(shown.sum()),
    }
    fitted = Verifier(verifier.means, verifier.scales, verifier.weights, bias, threshold)
    args.out.write_text(fitted.to_json(summary) + "\n", encoding="utf-8")
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
