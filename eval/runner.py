"""Runs gold questions through the same search path as `qa search` and scores them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eval.gold import GoldQuestion
from eval.retrieval import RetrievalScores, by_type, is_relevant
from qa.engine import SearchEngine
from qa.settings import RetrievalMode

MODES: tuple[RetrievalMode, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Miss:
    question: GoldQuestion
    top_passage: str | None


@dataclass(frozen=True)
class ModeReport:
    mode: RetrievalMode
    scores: dict[str, RetrievalScores]
    misses_at_5: list[Miss]


def evaluate_retrieval(
    engine: SearchEngine,
    questions: Sequence[GoldQuestion],
    mode: RetrievalMode,
    k: int = 10,
    on_step: Callable[[], None] | None = None,
) -> ModeReport:
    items: list[tuple[str, list[bool]]] = []
    misses: list[Miss] = []
    for q in questions:
        if not q.evidence:
            continue
        results = engine.search(q.question, k=k, mode=mode).results
        relevance = [is_relevant(hit.text, q.evidence) for hit in results]
        items.append((q.type, relevance))
        if not any(relevance[:5]):
            misses.append(Miss(q, results[0].text if results else None))
        if on_step:
            on_step()
    return ModeReport(mode, by_type(items), misses)


def format_table(reports: Sequence[ModeReport]) -> str:
    columns = ("R@1", "R@5", "R@10", "MRR")
    header = f"{'mode':<7} {'type':<13} {'n':>4} " + " ".join(f"{c:>6}" for c in columns)
    header += f" {'nDCG10':>7}"
    lines = [header, "-" * len(header)]
    for report in reports:
        for qtype, s in report.scores.items():
            lines.append(
                f"{report.mode:<7} {qtype:<13} {s.questions:>4} {s.recall_at_1:>6.3f} "
                f"{s.recall_at_5:>6.3f} {s.recall_at_10:>6.3f} {s.mrr:>6.3f} {s.ndcg_at_10:>7.3f}"
            )
    return "\n".join(lines)
