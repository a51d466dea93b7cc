"""Internal document routes: keys, upload of every format, delete, atomic switch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, File, UploadFile
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.app import api_routes, body_paths, create_app
from api.deps import ROLE_CHECKS, rate_limited
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

KEY = {"X-API-Key": "s3cret-key"}
# Public POST routes (the JSON ones): open to citizens, so each must be rate-limited.
PUBLIC_POSTS = {
    "/v1/ask",
    "/v1/ask/stream",
    "/v1/search",
    "/v1/chat/completions",
    "/v1/convert",
    "/v1/feedback",
}


@pytest.fixture(params=["embedded", "milvus"])
def client(tmp_path: Path, request: pytest.FixtureRequest) -> TestClient:
    """The same routes over either backend (Milvus: Milvus Lite in the data dir)."""
    settings = Settings(
        data_dir=tmp_path / "data",
        embedder="fake",
        backend=request.param,
        api_keys="s3cret-key,other",
        max_upload_bytes=4096,
    )
    ingest(settings, embedder=FakeEmbedder())
    service = QAService(settings, SearchEngine(settings, embedder=FakeEmbedder()))
    return TestClient(create_app(settings, service))


def test_json_and_upload_routes_are_read_off_the_app(client: TestClient) -> None:
    json_paths, form_paths = body_paths(client.app)  # type: ignore[arg-type]
    internal = {"/v1/curated", "/v1/keys"}
    assert json_paths.templates == PUBLIC_POSTS | internal
    assert form_paths.templates == {"/v1/documents"}


def test_every_mutating_or_internal_route_requires_a_key(client: TestClient) -> None:
    guarded = []
    routes = list(api_routes(client.app.routes))  # type: ignore[attr-defined]
    assert {r.path for r in routes} >= PUBLIC_POSTS  # the walk sees the public ones too
    for route in routes:
        calls = {dep.call for dep in route.dependant.dependencies}
        if route.path in PUBLIC_POSTS and route.methods == {"POST"}:
            assert rate_limited in calls, f"public {route.path} is not rate-limited"
            continue
        mutating = bool(route.methods & {"POST", "PUT", "PATCH", "DELETE"})
        if mutating or "internal" in route.tags:
            checks = calls & set(ROLE_CHECKS.values())
            assert checks, f"{route.methods} {route.path} has no key check"
            guarded.append(route.path)
    assert "/v1/documents" in guarded and "/v1/documents/{doc_id}" in guarded
    assert "/v1/feedback" in guarded  # reading the votes is internal, casting one is not


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}])
def test_missing_or_wrong_key_is_401(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/v1/documents", headers=headers).status_code == 401
    assert client.delete("/v1/documents/x", headers=headers).status_code == 401


def test_list_and_get(client: TestClient) -> None:
    docs = client.get("/v1/documents", headers=KEY).json()
    assert {d["doc_id"] for d in docs} == {
        "hlj-sti-14th-five-year-plan-2021",
        "hlj-sti-revitalization-action-plan-2022-2026",
    }
    one = client.get(
        "/v1/documents/hlj-sti-14th-five-year-plan-2021", headers={"X-API-Key": "other"}
    )
    body = one.json()
    assert body["chunks"] > 100 and any(s.startswith("第一章") for s in body["sections"])
    assert client.get("/v1/documents/nope", headers=KEY).status_code == 404


def test_upload_then_search_then_delete(client: TestClient) -> None:
    before = client.get("/readyz").json()["generation"]
    text = "某市科技创新条例\n一、目标\n到2027年，全市孵化器达到88家。\n".encode()
    response = client.post(
        "/v1/documents",
        headers=KEY,
        files={"file": ("../../etc/passwd.txt", text, "text/plain")},
        data={"title": "某市科技创新条例", "date": "2024-01-02"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["doc_id"] == "passwd" and created["chunks"] >= 1
    assert client.get("/readyz").json()["generation"] != before
    hits = client.post("/v1/search", json={"query": "孵化器88家", "doc_ids": ["passwd"]}).json()
    assert "88家" in hits["results"][0]["text"]
    again = client.post("/v1/documents", headers=KEY, files={"file": ("passwd.txt", text)})
    assert again.status_code == 409
    assert client.delete("/v1/documents/passwd", headers=KEY).json()["deleted"] == "passwd"
    assert client.get("/v1/documents/passwd", headers=KEY).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("scan.exe", b"MZ\x00\x00", 415),
        ("empty.txt", b"   ", 400),
        ("binary.txt", b"\x00\x01\x02\x03", 400),
        ("broken.pdf", b"%PDF-garbage", 400),
        ("big.txt", "字".encode() * 2000, 413),
    ],
)
def test_bad_uploads(client: TestClient, name: str, content: bytes, status: int) -> None:
    before = client.get("/readyz").json()["generation"]
    response = client.post("/v1/documents", headers=KEY, files={"file": (name, content)})
    assert response.status_code == status, response.text
    assert client.get("/readyz").json()["generation"] == before  # nothing published


def test_bad_form_fields_are_422(client: TestClient) -> None:
    files = {"file": ("a.txt", "正文。".encode())}
    bad_id = client.post("/v1/documents", headers=KEY, files=files, data={"doc_id": "../x"})
    assert bad_id.status_code == 422
    bad_date = client.post("/v1/documents", headers=KEY, files=files, data={"date": "yesterday"})
    assert bad_date.status_code == 422


def test_cannot_delete_last_document(client: TestClient) -> None:
    client.delete("/v1/documents/hlj-sti-14th-five-year-plan-2021", headers=KEY)
    last = client.delete("/v1/documents/hlj-sti-revitalization-action-plan-2022-2026", headers=KEY)
    assert last.status_code == 400


def test_keyless_service_disables_internal_routes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", embedder="fake")
    ingest(settings, embedder=FakeEmbedder())
    client = TestClient(
        create_app(settings, QAService(settings, SearchEngine(settings, embedder=FakeEmbedder())))
    )
    assert client.get("/v1/documents", headers=KEY).status_code == 503


class NoteBody(BaseModel):  # module level: FastAPI resolves string annotations here
    text: str


def test_a_new_route_is_classified_without_a_hand_kept_list() -> None:
    router = APIRouter(prefix="/x")

    @router.post("/new/{item}")
    async def new(item: str, body: NoteBody) -> dict[str, str]:
        return {"text": body.text}

    @router.post("/upload")
    async def upload(file: Annotated[UploadFile, File()]) -> dict[str, str]:
        return {"name": file.filename or ""}

    app = FastAPI()
    app.include_router(router, prefix="/api")
    json_paths, form_paths = body_paths(app)
    assert json_paths.templates == {"/api/x/new/{item}"}
    assert form_paths.templates == {"/api/x/upload"}
    assert "/api/x/new/42" in json_paths and "/api/x/upload" in form_paths
    assert "/api/x/new/42/more" not in json_paths and "/x/new/42" not in json_paths


FEES = "某市停车收费标准\n一、标准\n路内停车每小时收费{}元。\n"


def upload(client: TestClient, text: str, **fields: str) -> dict[str, object]:
    files = {"file": ("fees.txt", text.encode(), "text/plain")}
    response = client.post("/v1/documents", headers=KEY, files=files, data=fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_changed_upload_under_the_same_id_is_a_new_version(client: TestClient) -> None:
    upload(client, FEES.format(6), effective_from="2020-01-01")
    second = upload(client, FEES.format(8))
    assert second["version"] == 2 and second["doc_id"] == "fees"
    versions = client.get("/v1/documents/fees/versions", headers=KEY).json()
    assert [v["doc_id"] for v in versions] == ["fees@v1", "fees"]
    assert [v["validity"]["status"] for v in versions] == ["superseded", "in_force"]
    assert versions[0]["validity"]["replaced_by"] == "fees"
    ask = {"question": "路内停车每小时收费多少元"}
    assert client.post("/v1/ask", json=ask).json()["answer"] == "8元"
    past = client.post("/v1/ask", json={**ask, "as_of": "2021-06-01"}).json()
    assert past["answer"] == "6元" and past["citations"][0]["doc_id"] == "fees@v1"
    hits = client.post("/v1/search", json={"query": "路内停车", "as_of": "2021-06-01"}).json()
    assert all(h["doc_id"] != "fees" for h in hits["results"])
    # The same text again is no new version; deleting the document deletes every version.
    files = {"file": ("fees.txt", FEES.format(8).encode())}
    assert client.post("/v1/documents", headers=KEY, files=files).status_code == 409
    assert client.delete("/v1/documents/fees", headers=KEY).status_code == 200
    assert client.get("/v1/documents/fees/versions", headers=KEY).status_code == 404


def test_validity_is_set_by_upload_fields_and_by_patch(client: TestClient) -> None:
    upload(client, FEES.format(6), expires_on="2021-12-31")
    ask = {"question": "路内停车每小时收费多少元"}
    refused = client.post("/v1/ask", json=ask).json()
    assert refused["reason"] == "not_in_force" and refused["not_in_force"]["doc_id"] == "fees"
    assert refused["not_in_force"]["validity"]["status"] == "expired"
    assert all(c["doc_id"] != "fees" for c in refused["citations"])
    patched = client.patch("/v1/documents/fees", headers=KEY, json={"expires_on": None})
    assert patched.status_code == 200, patched.text
    assert patched.json()["validity"]["status"] == "in_force"
    assert client.post("/v1/ask", json=ask).json()["answer"] == "6元"
    repealed = client.patch("/v1/documents/fees", headers=KEY, json={"status": "repealed"})
    assert repealed.json()["validity"]["status"] == "repealed"
    assert client.post("/v1/ask", json=ask).json()["reason"] == "not_in_force"


@pytest.mark.parametrize(
    ("body", "status"),
    [({}, 422), ({"status": "gone"}, 422), ({"expires_on": "tomorrow"}, 422), ({"x": 1}, 422)],
)
def test_bad_patches_are_422_and_change_nothing(
    client: TestClient, body: dict[str, object], status: int
) -> None:
    before = client.get("/readyz").json()["generation"]
    doc = "/v1/documents/hlj-sti-14th-five-year-plan-2021"
    assert client.patch(doc, headers=KEY, json=body).status_code == status
    assert (
        client.patch("/v1/documents/nope", headers=KEY, json={"status": "draft"}).status_code == 404
    )
    assert client.patch(doc, json={"status": "draft"}).status_code == 401
    assert client.get("/readyz").json()["generation"] == before


def test_a_bad_as_of_is_422(client: TestClient) -> None:
    for path, body in (("/v1/ask", {"question": "问题"}), ("/v1/search", {"query": "问题"})):
        response = client.post(path, json={**body, "as_of": "yesterday"})
        assert response.status_code == 422 and "as_of" in response.text
