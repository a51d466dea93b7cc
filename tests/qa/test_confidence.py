"""The answer verifier: its shipped model, its refusals, and how it is fitted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eval.fitting import best_threshold, fit
from index.embedders import FakeEmbedder
from qa.answer import Answerer
from qa.confidence import FEATURES, SHIPPED, Verifier, load_verifier
from qa.engine import SearchEngine, ingest
from qa.extract.passages import content_pairs, cover
from qa.settings import Settings
from tests.qa.test_extract import parsed


def verifier(threshold: float, weight: float = 0.0) -> Verifier:
    n = len(FEATURES)
    return Verifier([0.0] * n, [1.0] * n, [weight] + [0.0] * (n - 1), 0.0, threshold)


def test_the_shipped_model_scores_the_current_features() -> None:
    shipped = load_verifier()
    assert shipped is not None and len(shipped.weights) == len(FEATURES)
    assert 0.0 <= shipped.threshold < 1.0
    trained = json.loads(SHIPPED.read_text(encoding="utf-8"))["trained_on"]
    assert trained["examples"] > 100 and trained["sets"]


def test_a_model_fitted_on_other_features_is_not_used(tmp_path: Path) -> None:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    stale = tmp_path / "verifier.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    assert load_verifier(stale) is None


def test_confidence_follows_the_weights() -> None:
    model = verifier(0.5, weight=2.0)
    low, high = [0.0] * len(FEATURES), [1.0] + [0.0] * (len(FEATURES) - 1)
    assert model.confidence(low) == pytest.approx(0.5)
    assert model.confidence(high) > 0.85 and model.accepts(high)


def test_question_pairs_leave_the_asking_out() -> None:
    pairs = content_pairs(parsed("技术合同成交额是多少？").folded)
    assert "多少" not in pairs and "成交" in pairs
    assert cover(pairs, "技术合同成交额突破500亿元") == 1.0


def test_fit_separates_and_the_threshold_weighs_wrong_answers() -> None:
    x = np.array([[0.1], [0.2], [0.3], [0.7], [0.8], [0.9]])
    y = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    means, scales, weights, bias = fit(x, y)
    model = Verifier(means.tolist(), scales.tolist(), weights.tolist(), bias, 0.5)
    assert [model.accepts(row) for row in x.tolist()] == [False] * 3 + [True] * 3
    scores = np.array([0.2, 0.4, 0.5, 0.6, 0.7, 0.9])
    labels = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    assert best_threshold(scores, labels, cost=1.5) == 0.6
    assert best_threshold(scores, labels, cost=1.0) == 0.4  # a tie: show more
    assert best_threshold(scores, np.ones(6), cost=1.0) == 0.0  # nothing wrong: show all


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    settings = Settings(data_dir=tmp_path_factory.mktemp("verify-data"), embedder="fake")
    ingest(settings, embedder=FakeEmbedder())
    return SearchEngine(settings, embedder=FakeEmbedder())


def test_an_answer_the_verifier_doubts_is_refused_with_its_reason(engine: SearchEngine) -> None:
    question = "到2025年技术合同成交额目标是多少"
    trusting = Answerer(engine, verify=False)
    assert not trusting.ask(question).refused
    doubting = Answerer(engine, verify=False)
    doubting.verifier = verifier(threshold=0.99)
    response = doubting.ask(question)
    assert response.refused and response.reason == "low_confidence" and response.citations
