"""Fits the passage reranker (qa/rerank.py) on development questions and writes
`qa/resources/reranker.json`.

    python -m eval.fit_reranker --set DATA_DIR GOLD [--set DATA_DIR GOLD ...] [--entries]

Each DATA_DIR is an index over the documents GOLD asks about. For every gold question
with evidence, the fused hybrid candidates (the reranker off) are the examples: label 1
for a passage holding an evidence string, 0 for the others. With `--entries` the examples
are the candidates answering a stored question, labelled 1 also when they belong to the
knowledge-base entry the question names (`doc_id`), and the model written is the entry
model (`qa/resources/entry_reranker.json`). Fit only on the tuning split.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from corpus.models import Chunk
from eval.fitting import Collect, examples, fit, fit_listwise, sets_parser
from eval.gold import GoldQuestion
from eval.retrieval import is_relevant
from qa.engine import SearchEngine
from qa.linear import LogisticModel
from qa.rerank import (
    ENTRY_FEATURES,
    FEATURES,
    POOL,
    SHIPPED,
    SHIPPED_ENTRIES,
    Query,
    asked_intent,
    candidate_features,
    intent_agreement,
)
from qa.settings import Settings


def in_entry(chunk: Chunk, doc_id: str | None) -> bool:
    """The passage belongs to the knowledge-base entry `doc_id`: any of its passages is
    that entry's answer."""
    return chunk.doc_id == doc_id and chunk.section.in_entry


def collector(entries: bool) -> Collect:
    """Adds a set's examples; an entry example's last column is its question's number, the
    group the listwise fit ranks within."""
    groups: list[str] = []

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
            intent = asked_intent(plan.text)
            for rank, hit in enumerate(hits):
                relevant = is_relevant(hit.chunk.text, q.evidence)
                row = candidate_features(query, hit, rank)
                if not entries:
                    rows.append(row)
                    labels.append(int(relevant))
                elif hit.chunk.section.in_entry:
                    rows.append([*row, intent_agreement(intent, hit.chunk), len(groups)])
                    labels.append(int(relevant or in_entry(hit.chunk, q.doc_id)))
            groups.append(q.id)

    return collect


def main(argv: Sequence[str] | None = None) -> int:
    parser = sets_parser(__doc__.split("\n\n")[0], None)
    parser.add_argument("--entries", action="store_true", help="fit the entry model")
    args = parser.parse_args(argv)
    names = ENTRY_FEATURES if args.entries else FEATURES
    out = args.out or (SHIPPED_ENTRIES if args.entries else SHIPPED)
    x, y = examples(parser, args.set, collector(args.entries))
    if args.entries:
        means, scales, weights, bias = fit_listwise(x[:, :-1], y, x[:, -1])
    else:
        means, scales, weights, bias = fit(x, y)
    model = LogisticModel(means.tolist(), scales.tolist(), weights.tolist(), bias)
    summary = {
        "sets": [gold for _, gold in args.set],
        "candidates": len(y),
        "relevant": int(y.sum()),
        "pool": POOL,
    }
    out.write_text(model.to_json(names, summary) + "\n", encoding="utf-8")
    print(summary, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
