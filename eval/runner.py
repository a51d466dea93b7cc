"""Runs gold questions through the same search path as `qa search` and scores them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpus.normalize import fold_compact
from eval.gold import GoldQuestion
from eval.retrieval import RetrievalScores, by_type, is_relevant
from qa.answer import Answerer
from qa.engine import SearchEngine
from qa.extract import is_grounded
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


@dataclass(frozen=True)
class AnswerRow:
    question: GoldQuestion
    answer: str | None
    refused: bool
    grounded: bool
    correct: bool
    latency_ms: float


def evaluate_answers(
    answerer: Answerer,
    questions: Sequence[GoldQuestion],
    on_step: Callable[[], None] | None = None,
) -> list[AnswerRow]:
    rows = []
    for q in questions:
        response = answerer.ask(q.question)
        first = response.citations[0].text if response.citations else ""
        answer = response.answer
        rows.append(
            AnswerRow(
                question=q,
                answer=answer,
                refused=response.refused,
                grounded=answer is None or is_grounded(answer, first),
                correct=answer is not None
                and any(fold_compact(a) in fold_compact(answer) for a in q.answers),
                latency_ms=response.latency_ms,
            )
        )
        if on_step:
            on_step()
    return rows


def format_answer_table(rows: Sequence[AnswerRow]) -> str:
    groups: dict[str, list[AnswerRow]] = {"all": list(rows)}
    for row in rows:
        groups.setdefault(row.question.type, []).append(row)
    lines = [f"{'type':<13} {'n':>4} {'acc':>6} {'refused':>8} {'grounded':>9}", "-" * 44]
    for qtype, group in sorted(groups.items()):
        answerable = [r for r in group if r.question.answerable]
        n = len(group)
        acc = sum(r.correct for r in answerable) / len(answerable) if answerable else 0.0
        refused = sum(r.refused for r in group) / n
        grounded = sum(r.grounded for r in group) / n
        lines.append(f"{qtype:<13} {n:>4} {acc:>6.3f} {refused:>8.3f} {grounded:>9.3f}")
    latencies = sorted(r.latency_ms for r in rows)
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    unanswerable = [r for r in rows if not r.question.answerable]
    answerable = [r for r in rows if r.question.answerable]
    lines.append(
        f"refusal recall {sum(r.refused for r in unanswerable) / max(len(unanswerable), 1):.3f}"
        f"  false refusals {sum(r.refused for r in answerable) / max(len(answerable), 1):.3f}"
        f"  latency p50 {p50:.1f} ms  p95 {p95:.1f} ms"
    )
    return "\n".join(lines)
