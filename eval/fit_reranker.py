"""Fits the passage reranker (qa/rerank.py) on development questions and writes
`qa/resources/reranker.json`.

    python -m eval.fit_reranker --set DATA_DIR GOLD [--set DATA_DIR GOLD ...]

Each DATA_DIR is an index over the documents GOLD asks about. For every gold question
with evidence, the fused hybrid candidates (the reranker off) are the examples: label 1
for a passage holding an evidence string, 0 for the others. Fit only on the tuning split.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from eval.fitting import examples, fit, sets_parser
from eval.gold import GoldQuestion
from eval.retrieval import is_relevant
from qa.engine import SearchEngine
from qa.linear import LogisticModel
from qa.rerank import FEATURES, POOL, SHIPPED, Query, candidate_features
from qa.settings import Settings


def collect(
    data_dir: Path, gold: Sequence[GoldQuestion], rows: list[list[float]], labels: list[int]
) -> None:
    retriever = SearchEngine(Settings(data_dir=data_dir, rerank=False)).retriever
    for q in gold:
        if not q.evidence:
            continue
        plan = retriever.plan(q.question)
        hits = retriever.search_plan(plan, POOL, mode="hybrid")
        query = Query.read(plan.text, retriever.tokenizer)
        for rank, hit in enumerate(hits):
            rows.append(candidate_features(query, hit, rank))
            labels.append(int(is_relevant(hit.chunk.text, q.evidence)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = sets_parser(__doc__.split("\n\n")[0], SHIPPED)
    args = parser.parse_args(argv)
    x, y = examples(parser, args.set, collect)
    means, scales, weights, bias = fit(x, y)
    model = LogisticModel(means.tolist(), scales.tolist(), weights.tolist(), bias)
    summary = {
        "sets": [gold for _, gold in args.set],
        "candidates": len(y),
        "relevant": int(y.sum()),
        "pool": POOL,
    }
    args.out.write_text(model.to_json(FEATURES, summary) + "\n", encoding="utf-8")
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
