"""The review report: Markdown people read in a code review, and a PNG chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.metrics import Row, Summary

HEADLINE = (
    ("retrieval", "recall@1"),
    ("retrieval", "recall@5"),
    ("retrieval", "mrr"),
    ("answers", "accuracy"),
    ("answers", "precision"),
    ("answers", "grounding"),
    ("answers", "citation_precision"),
    ("answers", "kind_match"),
    ("refusals", "recall"),
    ("refusals", "false_refusal_rate"),
)


def _fmt(value: Any) -> str:
    return "–" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def metric_table(summary: Summary, by: str = "by_type") -> str:
    """Rows: overall then each type (or each gold answer kind); columns: the headline
    metrics."""
    label = {"by_type": "type", "by_turn": "turn"}.get(by, "kind")
    header = [label, "n", *[f"{section} {name}" for section, name in HEADLINE]]
    header += ["p50 ms", "p95 ms"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    groups = {"all": summary["overall"], **summary.get(by, {})}
    for name, group in groups.items():
        cells = [name, str(group["questions"])]
        cells += [_fmt(group[section][metric]) for section, metric in HEADLINE]
        cells += [_fmt(group["latency"]["p50_ms"]), _fmt(group["latency"]["p95_ms"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def mode_table(by_mode: dict[str, dict[str, Any]]) -> str:
    names = ["recall@1", "recall@5", "recall@10", "mrr", "ndcg@10"]
    lines = ["| mode | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for mode, metrics in by_mode.items():
        lines.append(f"| {mode} | " + " | ".join(_fmt(metrics[n]) for n in names) + " |")
    return "\n".join(lines)


def hybrid_verdict(by_mode: dict[str, dict[str, Any]]) -> str:
    """Says plainly whether fusion earns its keep on recall@5."""
    if not {"hybrid", "bm25", "dense"} <= set(by_mode):
        return ""
    hybrid = by_mode["hybrid"]["recall@5"] or 0.0
    beaten = [m for m in ("bm25", "dense") if (by_mode[m]["recall@5"] or 0.0) >= hybrid]
    if not beaten:
        return f"Hybrid beats both single retrievers on recall@5 ({hybrid:.3f})."
    return (
        f"Hybrid does not beat {' and '.join(beaten)} on recall@5 ({hybrid:.3f}): fusion "
        "lets the weaker retriever's false positives displace the stronger one's hits; "
        "consider QA_WEIGHT_BM25 / QA_WEIGHT_DENSE."
    )


def failures(rows: Sequence[Row]) -> list[str]:
    out = []
    for r in rows:
        if not r.get("graded"):
            continue
        wrong = bool(r["expected"]) and not r["scores"]["correct"]
        unrefused = not r["expected"] and not r["refused"]
        if wrong or unrefused:
            expected = " / ".join(r["expected"]) or "(refusal)"
            got = r["answer"] if r["answer"] is not None else f"(refused: {r['reason']})"
            top = " ".join(r["citations"][0]["text"].split())[:100] if r["citations"] else "–"
            out.append(
                f"| {r['id']} | {r['type']} | {r['question']} | {expected} | {got} | {top} |"
            )
    return out


def failed_follow_ups(rows: Sequence[Row]) -> list[str]:
    """Each follow-up answered wrong (or refused though answerable, or answered though
    not): what was asked, what it was understood as, what the gold means."""
    lines = []
    for r in rows:
        if not r.get("turn") or not r.get("graded"):
            continue
        right = r["scores"]["correct"] if r["expected"] else r["refused"]
        if not right:
            lines.append(
                f"- `{r['id']}` ({r['type']}) {r['question']} → 按「{r.get('understood_as')}」"
                f"理解; gold「{r.get('standalone')}」; answer {r['answer']!r}"
            )
    return lines or ["none"]


def render_markdown(summary: Summary, rows: Sequence[Row]) -> str:
    parts = [
        "# Evaluation report",
        f"{summary['questions']} questions, {summary['graded']} with gold.",
        "## Metrics by question type",
        metric_table(summary),
    ]
    if summary.get("by_turn"):
        parts += ["## Dialogues: first turns and follow-ups", metric_table(summary, "by_turn")]
        parts += ["## Failed follow-ups, as understood", *failed_follow_ups(rows)]
    if summary.get("by_kind"):
        parts += ["## Metrics by answer kind (gold `kind`)", metric_table(summary, "by_kind")]
    if summary["by_mode"]:
        by_mode = summary["by_mode"]
        parts += [
            "## Retrieval: BM25 vs dense vs hybrid",
            mode_table(by_mode),
            hybrid_verdict(by_mode),
        ]
    parts.append("![metrics](chart.png)")
    bad = failures(rows)
    parts += [f"## Failures ({len(bad)})"]
    if bad:
        header = [
            "| id | type | question | expected | got | top passage |",
            "|---|" * 1 + "---|" * 5,
        ]
        parts.append("\n".join([*header, *bad]))
    return "\n\n".join(parts) + "\n"


def render_chart(summary: Summary, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers or in CI
    import matplotlib.pyplot as plt

    types = list(summary["by_type"])
    by_mode = summary["by_mode"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    # Unanswerable questions have no accuracy or recall: their bar is refusal recall.
    series = [("answers", "accuracy"), ("retrieval", "recall@5"), ("refusals", "recall")]
    for offset, (section, metric) in enumerate(series):
        values = [summary["by_type"][t][section][metric] or 0.0 for t in types]
        xs = [i + offset * 0.27 for i in range(len(types))]
        axes[0].bar(xs, values, width=0.27, label=f"{section} {metric}")
    axes[0].set_xticks([i + 0.27 for i in range(len(types))], types, rotation=30, ha="right")
    axes[0].set_ylim(0, 1.05)
    axes[0].set_title("by question type")
    axes[0].legend(loc="lower left", fontsize=8, framealpha=0.9)
    if by_mode:
        names = ["recall@1", "recall@5", "mrr"]
        for offset, mode in enumerate(by_mode):
            values = [by_mode[mode][n] or 0.0 for n in names]
            axes[1].bar(
                [i + offset * 0.27 for i in range(len(names))], values, width=0.27, label=mode
            )
        axes[1].set_xticks([i + 0.27 for i in range(len(names))], names)
        axes[1].set_ylim(0, 1.05)
        axes[1].set_title("retrieval by mode")
        axes[1].legend(loc="lower left", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(directory: Path, summary: Summary, rows: Sequence[Row]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    render_chart(summary, directory / "chart.png")
    report = directory / "report.md"
    report.write_text(render_markdown(summary, rows), encoding="utf-8")
    return report
