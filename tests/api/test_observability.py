"""An unexpected failure: a plain 500 that gives nothing away, and a JSON log line that
names the error, its cause and the request id the caller can quote."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.logs import JsonFormatter
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

pytestmark = pytest.mark.reliability


class BrokenService(QAService):
    def ask_versioned(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        try:
            {}["faiss"]
        except KeyError as exc:
            raise RuntimeError("index shard unreadable") from exc
        raise AssertionError("unreachable")


def test_unhandled_error_is_logged_with_cause_and_hidden_from_caller(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedder="fake", rate_limit_per_minute=0)
    ingest(settings, embedder=FakeEmbedder())
    app = create_app(settings, BrokenService(settings, SearchEngine(settings, FakeEmbedder())))
    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.INFO, logger="api"):
        response = client.post(
            "/v1/ask", json={"question": "到2025年的目标"}, headers={"X-Request-ID": "req-500"}
        )
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error", "request_id": "req-500"}
    assert "Traceback" not in response.text and str(tmp_path) not in response.text
    failure = next(r for r in caplog.records if r.getMessage() == "unhandled error")
    line = json.loads(JsonFormatter().format(failure))
    assert line["request_id"] == "req-500" and line["level"] == "error"
    assert line["error"] == "RuntimeError: index shard unreadable"
    assert line["cause"] == "KeyError: 'faiss'"
    metrics = client.get("/metrics").text
    assert 'qa_http_errors_total{kind="internal"} 1.0' in metrics
