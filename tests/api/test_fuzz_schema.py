"""The whole API fuzzed from its own OpenAPI schema with schemathesis: no 5xx, and every
response matches the schema it promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.app import create_app
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

pytestmark = pytest.mark.reliability
KEY = "fuzz-key"


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data: Path = tmp_path_factory.mktemp("fuzz")
    config = Settings(
        data_dir=data, embedder="fake", rate_limit_per_minute=0, api_keys=f"admin:{KEY}"
    )
    ingest(config, embedder=FakeEmbedder())
    return create_app(config, QAService(config, SearchEngine(config, embedder=FakeEmbedder())))


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


def test_no_server_error_and_responses_match_schema(api_schema: Any) -> None:
    # Driven by plain hypothesis over schemathesis' strategies: its pytest plugin does not
    # run under pytest 9. Bounded: a fixed number of cases spread over every operation.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    strategy = st.one_of(op.as_strategy() for op in operations)

    secrets = [KEY, str(api_schema.app.state.service.settings.data_dir), "Traceback"]

    @settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def call(case: Any) -> None:
        response = case.call_and_validate(
            headers={"X-API-Key": KEY},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
        body = response.text if hasattr(response, "text") else str(response.content)
        assert not any(secret in body for secret in secrets), body[:300]

    call()
