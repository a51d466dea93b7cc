"""A running service follows a generation published by another process (a `qa ingest`
or a sibling worker), without a restart, and only when the pointer moves."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from index.embedders import FakeEmbedder
from index.store import CURRENT
from qa.answer import Answerer
from qa.engine import SearchEngine, ingest
from qa.settings import Settings


def test_service_follows_a_generation_published_elsewhere(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedder="fake", rate_limit_per_minute=0)
    first = ingest(settings, embedder=FakeEmbedder()).generation.name
    app = create_app(settings, Answerer(SearchEngine(settings, embedder=FakeEmbedder())))
    client = TestClient(app)
    ask = {"question": "到2025年技术合同成交额目标是多少"}
    assert client.post("/v1/ask", json=ask).headers["x-index-generation"] == first
    second = ingest(settings, embedder=FakeEmbedder()).generation.name  # "another process"
    answered = client.post("/v1/ask", json=ask)
    assert answered.headers["x-index-generation"] == second
    assert answered.json()["answer"] == "500亿元"
    # A pointer to something unloadable is followed once, not retried on every request.
    (settings.data_dir / CURRENT).write_text("gen-missing\n")
    for _ in range(3):
        assert client.post("/v1/ask", json=ask).status_code == 200
