"""The regression gate: a summary against a stored baseline, metric by metric."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eval.metrics import Summary, flatten

DEFAULT_TOLERANCE = 0.02  # about 3 questions in 160
# An ungrounded answer is a bug, not a quality trade-off: no slack at all.
EXACT = ("answers.grounding",)
# Lower is better for these; for every other metric higher is better.
LOWER_IS_BETTER = ("refusals.false_refusal_rate", "latency.")


@dataclass(frozen=True)
class Change:
    metric: str
    baseline: float
    current: float | None
    tolerance: float

    @property
    def regressed(self) -> bool:
        if self.current is None:
            return True
        if self.metric.startswith(LOWER_IS_BETTER):
            return self.current > self.baseline + self.tolerance
        return self.current < self.baseline - self.tolerance


def compare(summary: Summary, baseline: dict[str, Any]) -> list[Change]:
    """Every gated metric in the baseline; latency is reported, never gated by default."""
    current = flatten(summary)
    tolerances: dict[str, float] = baseline.get("tolerances", {})
    changes = []
    for metric, value in baseline["metrics"].items():
        tolerance = tolerances.get(metric, DEFAULT_TOLERANCE)
        changes.append(Change(metric, value, current.get(metric), tolerance))
    return changes


def format_changes(changes: list[Change]) -> str:
    lines = [f"{'metric':<32} {'baseline':>9} {'current':>9} {'delta':>8}  status"]
    for c in changes:
        current = "–" if c.current is None else f"{c.current:.4f}"
        delta = "–" if c.current is None else f"{c.current - c.baseline:+.4f}"
        status = f"REGRESSED (tolerance {c.tolerance})" if c.regressed else "ok"
        lines.append(f"{c.metric:<32} {c.baseline:>9.4f} {current:>9} {delta:>8}  {status}")
    return "\n".join(lines)


def baseline_from(summary: Summary, tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Any]:
    metrics = {k: v for k, v in flatten(summary).items() if not k.startswith("latency.")}
    return {
        "metrics": metrics,
        "tolerances": {k: 0.0 if k in EXACT else tolerance for k in metrics},
    }
