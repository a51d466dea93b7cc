from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.limits import RateLimiter
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings


def test_bucket_refills_and_forgets_old_clients() -> None:
    limiter = RateLimiter(per_minute=60, burst=2, max_clients=2)
    assert limiter.retry_after("a", now=0) is None
    assert limiter.retry_after("a", now=0) is None
    assert limiter.retry_after("a", now=0) == 1
    assert limiter.retry_after("a", now=1.0) is None  # one token a second
    limiter.retry_after("b", now=1)
    limiter.retry_after("c", now=1)
    assert len(limiter._buckets) == 2
    assert RateLimiter(per_minute=0, burst=1).retry_after("x") is None


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, embedder="fake", rate_limit_per_minute=6, rate_limit_burst=3
    )
    ingest(settings, embedder=FakeEmbedder())
    return TestClient(
        create_app(settings, QAService(settings, SearchEngine(settings, embedder=FakeEmbedder())))
    )


def test_public_routes_are_rate_limited(client: TestClient) -> None:
    codes = [client.post("/v1/search", json={"query": "技术"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.post("/v1/ask", json={"question": "技术"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/healthz").status_code == 200  # operations routes are not limited


def test_metrics_exposition(client: TestClient) -> None:
    client.post("/v1/ask", json={"question": "明天哈尔滨的天气怎么样？"})
    client.post("/v1/ask", json={"question": "x" * 600})
    text = client.get("/metrics").text
    assert 'qa_http_requests_total{method="POST",route="/v1/ask",status="200"} 1.0' in text
    assert 'route="/v1/ask",status="422"' in text
    assert "qa_http_request_seconds_bucket" in text
    assert "qa_refusals_total" in text
    assert "qa_index_chunks" in text
