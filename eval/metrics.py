"""Metrics computed from result rows alone, so a report can be recomputed from
results.jsonl without the engine. Pure functions over dicts read from JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.retrieval import score_retrieval

Row = dict[str, Any]
RETRIEVAL_NAMES = ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10")
Summary = dict[str, Any]


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def retrieval_metrics(rows: Sequence[Row]) -> dict[str, float | int | None]:
    lists = [r["scores"]["relevance"] for r in rows if r.get("evidence")]
    if not lists:  # e.g. unanswerable questions: no passage is relevant by definition
        return {"questions": 0, **dict.fromkeys(RETRIEVAL_NAMES)}
    s = score_retrieval(lists)
    return {
        "questions": s.questions,
        "recall@1": round(s.recall_at_1, 4),
        "recall@5": round(s.recall_at_5, 4),
        "recall@10": round(s.recall_at_10, 4),
        "mrr": round(s.mrr, 4),
        "ndcg@10": round(s.ndcg_at_10, 4),
    }


def answer_metrics(rows: Sequence[Row]) -> dict[str, float | int | None]:
    answerable = [r for r in rows if r.get("expected")]
    answered = [r for r in rows if r["answer"] is not None]
    return {
        "questions": len(answerable),
        "accuracy": _ratio(sum(r["scores"]["correct"] for r in answerable), len(answerable)),
        # Right among answered: an answer to an unanswerable question counts as wrong. A
        # wrong figure shown with a citation is worse than a refusal, so this is watched
        # beside accuracy, never traded for it silently.
        "precision": _ratio(sum(r["scores"]["correct"] for r in answered), len(answered)),
        "exact_match": _ratio(sum(r["scores"]["exact"] for r in answerable), len(answerable)),
        "grounding": _ratio(sum(r["scores"]["grounded"] for r in answered), len(answered)),
        "citation_precision": _ratio(
            sum(r["scores"]["citation_ok"] for r in answerable if r["answer"] is not None),
            sum(1 for r in answerable if r["answer"] is not None),
        ),
        "kind_match": _ratio(
            sum(kind_fits(r) for r in answered if r.get("expected_kind")),
            sum(1 for r in answered if r.get("expected_kind")),
        ),
    }


EXCERPT_KINDS = frozenset({"steps", "list", "passage"})


def kind_fits(row: Row) -> bool:
    """The answer is of the gold's kind; steps, a list and a passage are all the source's
    own excerpt, which is what a how, materials or whether question needs."""
    expected, got = row.get("expected_kind"), row.get("answer_kind")
    if expected in EXCERPT_KINDS:
        return got in EXCERPT_KINDS
    return bool(got == expected)


def refusal_metrics(rows: Sequence[Row]) -> dict[str, float | int | None]:
    unanswerable = [r for r in rows if not r.get("expected")]
    answerable = [r for r in rows if r.get("expected")]
    refused = [r for r in rows if r["refused"]]
    return {
        "unanswerable": len(unanswerable),
        "precision": _ratio(sum(1 for r in refused if not r.get("expected")), len(refused)),
        "recall": _ratio(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "false_refusal_rate": _ratio(sum(r["refused"] for r in answerable), len(answerable)),
    }


def latency_metrics(rows: Sequence[Row]) -> dict[str, float | None]:
    values = [float(r["latency_ms"]) for r in rows]
    return {
        "p50_ms": _percentile(values, 0.5),
        "p95_ms": _percentile(values, 0.95),
        "max_ms": round(max(values), 2) if values else None,
    }


def group_metrics(rows: Sequence[Row]) -> Summary:
    return {
        "questions": len(rows),
        "retrieval": retrieval_metrics(rows),
        "answers": answer_metrics(rows),
        "refusals": refusal_metrics(rows),
        "latency": latency_metrics(rows),
    }


def retrieval_by_mode(rows: Sequence[Row]) -> dict[str, dict[str, float | int | None]]:
    """Each retrieval mode alone (BM25, dense, hybrid), from the rows' per-mode flags."""
    graded = [r for r in rows if r.get("graded") and r.get("evidence")]
    modes = sorted({m for r in graded for m in r["scores"].get("relevance_by_mode", {})})
    return {
        mode: retrieval_metrics(
            [
                {
                    "evidence": r["evidence"],
                    "scores": {"relevance": r["scores"]["relevance_by_mode"][mode]},
                }
                for r in graded
            ]
        )
        for mode in modes
    }


def summarize(rows: Sequence[Row]) -> Summary:
    """Overall and per-type metrics over graded rows; ungraded rows are only counted."""
    graded = [r for r in rows if r.get("graded")]
    types = sorted({r["type"] for r in graded})
    return {
        "questions": len(rows),
        "graded": len(graded),
        "overall": group_metrics(graded),
        "by_type": {t: group_metrics([r for r in graded if r["type"] == t]) for t in types},
        "by_kind": {
            k: group_metrics([r for r in graded if r.get("expected_kind") == k])
            for k in sorted({r["expected_kind"] for r in graded if r.get("expected_kind")})
        },
        "by_mode": retrieval_by_mode(rows),
        **dialogue_groups(graded),
    }


def dialogue_groups(graded: Sequence[Row]) -> Summary:
    """A dialogue's first turns and its follow-ups apart: context helps only the latter."""
    turns = [r for r in graded if r.get("dialogue")]
    if not turns:
        return {}
    return {
        "by_turn": {
            "first": group_metrics([r for r in turns if not r.get("turn")]),
            "follow-up": group_metrics([r for r in turns if r.get("turn")]),
        }
    }


def flatten(summary: Summary) -> dict[str, float]:
    """Overall metrics as 'section.metric' -> value, for comparison against a baseline."""
    flat: dict[str, float] = {}
    for section, metrics in summary["overall"].items():
        if isinstance(metrics, dict):
            for name, value in metrics.items():
                if isinstance(value, float):
                    flat[f"{section}.{name}"] = value
    return flat
