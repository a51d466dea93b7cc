"""Metrics, comparison and report from hand-made result rows: no engine needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.compare import baseline_from, compare
from eval.metrics import summarize
from eval.report import write_report


def row(
    qid: str,
    qtype: str,
    expected: list[str],
    answer: str | None,
    relevance: list[bool],
    correct: bool = False,
    latency: float = 10.0,
) -> dict[str, Any]:
    return {
        "id": qid,
        "type": qtype,
        "graded": True,
        "expected": expected,
        "evidence": ["证据"] if expected else [],
        "question": f"问题{qid}",
        "answer": answer,
        "refused": answer is None,
        "reason": None if answer else "no_evidence",
        "sentence": None,
        "citations": [{"text": "段落"}],
        "latency_ms": latency,
        "scores": {
            "relevance": relevance,
            "relevance_by_mode": {
                "bm25": relevance,
                "dense": [False] * len(relevance),
                "hybrid": relevance,
            },
            "correct": correct,
            "exact": correct,
            "grounded": True,
            "citation_ok": bool(relevance and relevance[0]),
        },
    }


ROWS = [
    row("1", "figure", ["500亿元"], "500亿元", [True, False], correct=True, latency=5),
    row("2", "figure", ["550亿元"], "500亿元", [False, True], latency=15),
    row("3", "table", ["1932"], None, [False] * 10, latency=20),
    row("4", "unanswerable", [], None, [], latency=30),
    row("5", "unanswerable", [], "某答案", [], latency=40),
]


def test_summary_numbers() -> None:
    overall = summarize(ROWS)["overall"]
    assert overall["retrieval"]["recall@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert overall["retrieval"]["recall@5"] == pytest.approx(2 / 3, abs=1e-4)
    assert overall["answers"]["accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert overall["refusals"] == {
        "unanswerable": 2,
        "precision": 0.5,
        "recall": 0.5,
        "false_refusal_rate": pytest.approx(1 / 3, abs=1e-4),
    }
    assert overall["latency"]["max_ms"] == 40
    assert summarize(ROWS)["by_mode"]["dense"]["recall@5"] == 0.0


def test_ungraded_rows_are_counted_not_scored() -> None:
    ungraded = {"id": "x", "type": "unknown", "graded": False, "answer": "a", "refused": False}
    summary = summarize([ungraded])
    assert summary["questions"] == 1 and summary["graded"] == 0


def test_compare_flags_regressions_only_past_tolerance() -> None:
    baseline = baseline_from(summarize(ROWS), tolerance=0.05)
    assert all(not c.regressed for c in compare(summarize(ROWS), baseline))
    worse = [dict(r) for r in ROWS]
    worse[0] = row("1", "figure", ["500亿元"], "错", [False, False])
    regressed = {c.metric for c in compare(summarize(worse), baseline) if c.regressed}
    assert {"answers.accuracy", "retrieval.recall@1"} <= regressed
    better_refusals = baseline["metrics"]["refusals.false_refusal_rate"] - 0.2
    baseline["metrics"]["refusals.false_refusal_rate"] = better_refusals
    lower_is_better = {c.metric for c in compare(summarize(ROWS), baseline) if c.regressed}
    assert "refusals.false_refusal_rate" in lower_is_better


def test_report_is_written_and_lists_failures(tmp_path: Path) -> None:
    report = write_report(tmp_path / "r", summarize(ROWS), ROWS)
    text = report.read_text("utf-8")
    assert "| all | 5 |" in text and "BM25 vs dense vs hybrid" in text
    assert "Hybrid does not beat bm25" in text  # equal recall@5: no gain from fusion
    assert "| 2 | figure | 问题2 | 550亿元 | 500亿元 |" in text
    assert "| 5 | unanswerable | 问题5 | (refusal) | 某答案 |" in text
    png = (tmp_path / "r" / "chart.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    json.dumps(summarize(ROWS))  # the summary is plain JSON


def test_a_figure_is_right_only_as_a_whole_number() -> None:
    from eval.runner import holds

    assert holds("200名", "200") and not holds("2000名", "200")
    assert holds("1.6万个", "1.6万") and not holds("11.6万", "1.6万")
    assert holds("由省科技厅牵头", "省科技厅")


def test_dialogue_follow_ups_are_reported_apart(tmp_path: Path) -> None:
    first = row("d#0", "first", ["500亿元"], "500亿元", [True], correct=True)
    year = row("d#1", "year", ["550亿元"], "500亿元", [False])
    refuse = row("d#2", "refuse", [], "某答案", [])
    for n, r in enumerate((first, year, refuse)):
        r |= {"dialogue": "d", "turn": n, "standalone": f"单独{n}", "understood_as": f"理解{n}"}
    rows = [first, year, refuse]
    summary = summarize(rows)
    assert summary["by_turn"]["first"]["answers"]["accuracy"] == 1.0
    assert summary["by_turn"]["follow-up"]["answers"]["accuracy"] == 0.0
    assert summary["by_turn"]["follow-up"]["questions"] == 2
    text = write_report(tmp_path / "r", summary, rows).read_text("utf-8")
    assert "| follow-up | 2 |" in text
    assert "`d#1` (year) 问题d#1 → 按「理解1」理解; gold「单独1」" in text
    assert "`d#2` (refuse)" in text and "`d#0`" not in text.split("as understood")[1]
    assert "by_turn" not in summarize(ROWS)
