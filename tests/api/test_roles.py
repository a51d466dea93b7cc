"""Every internal route checks the caller's role: each route with no key, a wrong key,
and each role's key. Viewers read; editors also change documents and curated answers;
admins also manage keys."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import api_routes, create_app
from api.deps import ROLE_CHECKS
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import ROLES, Role, Settings

KEYS: dict[Role, str] = {"viewer": "view-key", "editor": "edit-key", "admin": "admin-key"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("roles") / "data",
        embedder="fake",
        rate_limit_per_minute=0,
        api_keys=",".join(f"{role}:{key}" for role, key in KEYS.items()),
    )
    ingest(settings, embedder=FakeEmbedder())
    service = QAService(settings, SearchEngine(settings, embedder=FakeEmbedder()))
    return TestClient(create_app(settings, service))


def guarded(client: TestClient) -> list[tuple[str, str, Role]]:
    """(method, path, role needed) for every route with a role check."""
    needed = {check: role for role, check in ROLE_CHECKS.items()}
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        assert isinstance(route, APIRoute)
        roles = [needed[d.call] for d in route.dependant.dependencies if d.call in needed]
        found += [(m, route.path, roles[0]) for m in sorted(route.methods) if roles]
    return found


def expected_role(method: str, path: str) -> Role:
    if path.startswith("/v1/keys"):
        return "admin"
    return "viewer" if method == "GET" else "editor"


def concrete(path: str) -> str:
    """Ids that name nothing: a call that passes the check changes nothing."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: (
            "999" if m.group(1).endswith("_id") and "doc" not in m.group(1) else "no-such-doc"
        ),
        path,
    )


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body = {} if method in ("POST", "PUT", "PATCH") else None  # JSON, so no 415 first
    return client.request(method, concrete(path), headers=headers, json=body)


def test_every_internal_route_needs_the_role_its_kind_implies(client: TestClient) -> None:
    routes = guarded(client)
    assert len(routes) >= 15
    for method, path, role in routes:
        assert role == expected_role(method, path), (method, path, role)


@pytest.mark.parametrize("key", [None, "wrong-key", ""])
def test_no_key_or_a_wrong_one_is_401_everywhere(client: TestClient, key: str | None) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    for method, path, _ in guarded(client):
        response = call(client, method, path, headers)
        assert response.status_code == 401, (method, path, response.text)


@pytest.mark.parametrize("caller", ROLES)
def test_each_role_passes_exactly_the_routes_at_or_below_it(
    client: TestClient, caller: Role
) -> None:
    for method, path, role in guarded(client):
        response = call(client, method, path, {"X-API-Key": KEYS[caller]})
        allowed = ROLES.index(caller) >= ROLES.index(role)
        if allowed:
            assert response.status_code not in (401, 403), (caller, method, path, response.text)
        else:
            assert response.status_code == 403, (caller, method, path, response.text)
            assert role in response.json()["detail"]


def test_search_explain_needs_a_key_and_plain_search_does_not(client: TestClient) -> None:
    body = {"query": "技术合同成交额", "explain": True}
    assert client.post("/v1/search", json=body).status_code == 401
    plain = client.post("/v1/search", json={"query": "技术合同成交额"})
    assert plain.status_code == 200 and plain.json()["explain"] is None
    explained = client.post("/v1/search", json=body, headers={"X-API-Key": KEYS["viewer"]})
    assert explained.status_code == 200
    explain = explained.json()["explain"]
    assert len(explain["passages"]) == len(explained.json()["results"]) > 0
    assert explain["answer"]["rule"]


def test_whoami_names_the_role(client: TestClient) -> None:
    for role, key in KEYS.items():
        who = client.get("/v1/whoami", headers={"X-API-Key": key}).json()
        assert who == {"role": role, "label": "QA_API_KEYS"}


def test_an_unknown_role_in_the_settings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'root' is not a role"):
        Settings(data_dir=tmp_path, api_keys="root:abc")
    keys = Settings(data_dir=tmp_path, api_keys="bare-key, viewer:v:with-colon").api_key_roles
    assert keys == [("editor", "bare-key"), ("viewer", "v:with-colon")]
