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

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from corpus.normalize import fold_compact
from eval.fitting import best_threshold, examples, fit, sets_parser
from eval.gold import GoldQuestion
from eval.runner import holds
from qa.answer import Answerer
from qa.confidence import FEATURES, SHIPPED, Verifier, answer_features
from qa.engine import SearchEngine
from qa.question import question_parts
from qa.settings import Settings

COST = 1.0  # a wrong answer shown loses what a right one gains
# Right answers the threshold may withhold on the fitted examples: the acceptance bars
# allow 5% (bundled) to 10% (unseen) false refusals, and the rules already refuse some.
MAX_WITHHELD = 0.02


def collect(
    data_dir: Path, gold: Sequence[GoldQuestion], rows: list[list[float]], labels: list[int]
) -> None:
    answerer = Answerer(SearchEngine(Settings(data_dir=data_dir)), verify=False)
    for q in gold:
        if not q.graded or len(question_parts(q.question)) > 1:
            continue
        parsed = answerer.parser.parse(q.question)
        read = answerer.read(parsed)
        if read.found is None:
            continue
        got = fold_compact(read.found.answer)
        right = any(holds(got, fold_compact(a)) for a in q.answers or [])
        rows.append(answer_features(parsed, read.evidence, read.found))
        labels.append(int(right))


def main(argv: Sequence[str] | None = None) -> int:
    parser = sets_parser(__doc__.split("\n\n")[0], SHIPPED)
    parser.add_argument("--cost", type=float, default=COST)
    parser.add_argument("--max-withheld", type=float, default=MAX_WITHHELD)
    args = parser.parse_args(argv)
    x, y = examples(parser, args.set, collect)
    means, scales, weights, bias = fit(x, y)
    verifier = Verifier(means.tolist(), scales.tolist(), weights.tolist(), bias, 0.0)
    scores = np.array([verifier.confidence(row) for row in x.tolist()])
    threshold = best_threshold(scores, y, args.cost, args.max_withheld)
    shown = scores >= threshold
    summary = {
        "sets": [gold for _, gold in args.set],
        "examples": len(y),
        "right": int(y.sum()),
        "cost_of_a_wrong_answer": args.cost,
        "max_withheld": args.max_withheld,
        "precision_before": round(float(y.mean()), 3),
        "precision_after": round(float(y[shown].mean()), 3) if shown.any() else None,
        "shown_after": int(shown.sum()),
    }
    fitted = replace(verifier, threshold=threshold)
    args.out.write_text(fitted.to_json(FEATURES, summary) + "\n", encoding="utf-8")
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
