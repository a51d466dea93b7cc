"""Retrieval metrics over gold evidence: a passage is relevant when it contains an
evidence string, both folded (simplified, half-width, no whitespace)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.normalize import fold_compact


def is_relevant(passage: str, evidence: Sequence[str]) -> bool:
    folded = fold_compact(passage)
    return any(fold_compact(ev) in folded for ev in evidence)


def first_relevant_rank(passages: Sequence[str], evidence: Sequence[str]) -> int | None:
    for rank, passage in enumerate(passages, start=1):
        if is_relevant(passage, evidence):
            return rank
    return None


@dataclass(frozen=True)
class RetrievalScores:
    questions: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float


def ndcg_at_10(relevance: Sequence[bool]) -> float:
    gains = [1.0 / math.log2(r + 1) for r, rel in enumerate(relevance[:10], start=1) if rel]
    ideal_count = sum(relevance[:10])
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, ideal_count + 1))
    return sum(gains) / ideal if ideal else 0.0


def score_retrieval(relevance_lists: Sequence[Sequence[bool]]) -> RetrievalScores:
    """One list of per-rank relevance flags per answerable question."""
    n = len(relevance_lists)
    if n == 0:
        return RetrievalScores(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    ranks = [next((r for r, rel in enumerate(lst, 1) if rel), None) for lst in relevance_lists]

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / n

    return RetrievalScores(
        questions=n,
        recall_at_1=recall(1),
        recall_at_5=recall(5),
        recall_at_10=recall(10),
        mrr=sum(1.0 / r for r in ranks if r is not None) / n,
        ndcg_at_10=sum(ndcg_at_10(lst) for lst in relevance_lists) / n,
    )


def by_type(items: Sequence[tuple[str, Sequence[bool]]]) -> dict[str, RetrievalScores]:
    groups: dict[str, list[Sequence[bool]]] = defaultdict(list)
    for qtype, relevance in items:
        groups[qtype].append(relevance)
        groups["all"].append(relevance)
    return {t: score_retrieval(lists) for t, lists in sorted(groups.items())}
