"""Never a 500 for bad input: arbitrary JSON and bytes against every route that takes a
JSON body, public and internal (sent with an admin's key, so the body is reached)."""

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
ROUTES = [
    ("POST", "/v1/ask"),
    ("POST", "/v1/ask/stream"),
    ("POST", "/v1/search"),
    ("POST", "/v1/chat/completions"),
    ("POST", "/v1/curated"),
    ("PUT", "/v1/curated/1"),
    ("POST", "/v1/keys"),
]
KEY = {"X-API-Key": "hostile-admin-key"}
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
        "explain": JSON,
        "answer": JSON | st.text(max_size=500),
        "doc_id": JSON | st.just("hlj-sti-14th-five-year-plan-2021"),
        "start": JSON | st.integers(),
        "end": JSON | st.integers(),
        "expires_on": JSON | st.dates().map(str),
        "author": JSON,
        "statement": JSON,
        "role": JSON | st.sampled_from(["viewer", "editor", "admin", "root"]),
        "label": JSON,
    },
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data: Path = tmp_path_factory.mktemp("hostile")
    config = Settings(
        data_dir=data, embedder="fake", rate_limit_per_minute=0, api_keys="admin:hostile-admin-key"
    )
    ingest(config, embedder=FakeEmbedder())
    service = QAService(config, SearchEngine(config, embedder=FakeEmbedder()))
    return TestClient(create_app(config, service))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), body=FIELDS | JSON)
def test_json_bodies_never_500(client: TestClient, route: tuple[str, str], body: object) -> None:
    response = client.request(*route, json=body, headers=KEY)
    assert response.status_code < 500, (route, body, response.text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=200))
def test_raw_bytes_never_500(client: TestClient, route: tuple[str, str], raw: bytes) -> None:
    headers = {"content-type": "application/json", **KEY}
    response = client.request(*route, content=raw, headers=headers)
    assert response.status_code < 500, (route, raw, response.text)
