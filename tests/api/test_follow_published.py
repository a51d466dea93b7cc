"""A running service follows a generation published by another process (a `qa ingest`
or a sibling worker), without a restart, and only when the pointer moves."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.embedders import FakeEmbedder
from index.errors import BackendUnavailableError
from index.store import CURRENT
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings


def test_service_follows_a_generation_published_elsewhere(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedder="fake", rate_limit_per_minute=0)
    first = ingest(settings, embedder=FakeEmbedder()).version
    app = create_app(settings, QAService(settings, SearchEngine(settings, embedder=FakeEmbedder())))
    client = TestClient(app)
    ask = {"question": "到2025年技术合同成交额目标是多少"}
    assert client.post("/v1/ask", json=ask).headers["x-index-generation"] == first
    second = ingest(settings, embedder=FakeEmbedder()).version  # "another process"
    answered = client.post("/v1/ask", json=ask)
    assert answered.headers["x-index-generation"] == second
    assert answered.json()["answer"] == "500亿元"
    # A pointer to something unloadable is followed once, not retried on every request.
    (settings.data_dir / CURRENT).write_text("gen-missing\n")
    for _ in range(3):
        assert client.post("/v1/ask", json=ask).status_code == 200


def test_two_workers_never_lose_each_others_uploads(tmp_path: Path) -> None:
    """Two service processes on one data directory, as `qa serve --workers 2` runs them:
    each change starts from the newest published set, and each sees the other's."""
    settings = Settings(
        data_dir=tmp_path / "data", embedder="fake", rate_limit_per_minute=0, api_keys="k"
    )
    ingest(settings, embedder=FakeEmbedder())
    workers = [
        TestClient(
            create_app(settings, QAService(settings, SearchEngine(settings, FakeEmbedder())))
        )
        for _ in range(2)
    ]
    key = {"X-API-Key": "k"}
    text = "附加通知\n一、要求\n到2025年，附加项目达到7个。\n".encode()
    for worker, doc_id in zip(workers, ("from-a", "from-b"), strict=True):
        upload = worker.post("/v1/documents", headers=key, files={"file": (f"{doc_id}.txt", text)})
        assert upload.status_code == 201, upload.text
    for worker in workers:
        listed = {d["doc_id"] for d in worker.get("/v1/documents", headers=key).json()}
        assert {"from-a", "from-b"} <= listed and len(listed) == 4


def test_a_version_that_fails_to_open_is_retried_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedder="fake", rate_limit_per_minute=0)
    first = ingest(settings, embedder=FakeEmbedder()).version
    app = create_app(settings, QAService(settings, SearchEngine(settings, embedder=FakeEmbedder())))
    client = TestClient(app)
    ask = {"question": "到2025年技术合同成交额目标是多少"}
    second = ingest(settings, embedder=FakeEmbedder()).version
    real = SearchEngine.reopened

    def unavailable(self: SearchEngine) -> SearchEngine:
        raise BackendUnavailableError("Milvus failed: timed out")

    monkeypatch.setattr(SearchEngine, "reopened", unavailable)
    answered = client.post("/v1/ask", json=ask)  # served from the old version, not a 500
    assert answered.status_code == 200 and answered.headers["x-index-generation"] == first
    monkeypatch.setattr(SearchEngine, "reopened", real)
    app.state.service.qa.retry_at = 0.0  # the retry delay has passed
    assert client.post("/v1/ask", json=ask).headers["x-index-generation"] == second
