"""A fitted logistic model over named features, stored as JSON beside the code that
computes the features (the answer verifier, the passage reranker). Fitting is in
eval/fitting.py; this module only scores."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"


@dataclass(frozen=True)
class LogisticModel:
    """Standardized features, weights, a bias and the threshold to accept at."""

    means: Sequence[float]
    scales: Sequence[float]
    weights: Sequence[float]
    bias: float
    threshold: float = 0.5

    def logit(self, features: Sequence[float]) -> float:
        return self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, features, self.means, self.scales, strict=True)
        )

    def confidence(self, features: Sequence[float]) -> float:
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, self.logit(features)))))

    def accepts(self, features: Sequence[float]) -> bool:
        return self.confidence(features) >= self.threshold

    def to_json(self, names: Sequence[str], trained_on: Mapping[str, object]) -> str:
        return json.dumps(
            {
                "features": list(names),
                "means": list(self.means),
                "scales": list(self.scales),
                "weights": list(self.weights),
                "bias": self.bias,
                "threshold": self.threshold,
                "trained_on": trained_on,
            },
            ensure_ascii=False,
            indent=2,
        )


def load_model(path: Path, names: Sequence[str]) -> LogisticModel | None:
    """The model stored at `path`; None if it was fitted on another feature list, so a
    stale file never scores the wrong columns."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != tuple(names):
        return None
    return LogisticModel(
        data["means"], data["scales"], data["weights"], data["bias"], data["threshold"]
    )
