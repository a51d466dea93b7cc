"""Never a 500 for bad input: arbitrary JSON and bytes against every public route."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

pytestmark = pytest.mark.reliability
ROUTES = ["/v1/ask", "/v1/ask/stream", "/v1/search", "/v1/chat/completions"]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "question": JSON | st.text(max_size=600),
        "query": JSON | st.text(max_size=600),
        "top_k": JSON,
        "doc_ids": JSON,
        "messages": JSON
        | st.lists(
            st.fixed_dictionaries({"role": st.sampled_from(["user", "x"]), "content": JSON})
        ),
        "stream": JSON,
    },
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data: Path = tmp_path_factory.mktemp("hostile")
    config = Settings(data_dir=data, embedder="fake", rate_limit_per_minute=0)
    ingest(config, embedder=FakeEmbedder())
    service = QAService(config, SearchEngine(config, embedder=FakeEmbedder()))
    return TestClient(create_app(config, service))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), body=FIELDS | JSON)
def test_json_bodies_never_500(client: TestClient, route: str, body: object) -> None:
    response = client.post(route, json=body)
    assert response.status_code < 500, (route, body, response.text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=200))
def test_raw_bytes_never_500(client: TestClient, route: str, raw: bytes) -> None:
    response = client.post(route, content=raw, headers={"content-type": "application/json"})
    assert response.status_code < 500, (route, raw, response.text)
