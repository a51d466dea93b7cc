"""The widget's files and its routes (display conversion, feedback) through TestClient."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

KEY = "review-key"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data: Path = tmp_path_factory.mktemp("widget-data")
    settings = Settings(data_dir=data, embedder="fake", api_keys=KEY)
    ingest(settings, embedder=FakeEmbedder())
    return settings


@pytest.fixture(scope="module")
def service(settings: Settings) -> QAService:
    return QAService(settings, SearchEngine(settings, embedder=FakeEmbedder()))


@pytest.fixture
def client(settings: Settings, service: QAService) -> TestClient:
    return TestClient(create_app(settings, service))


def test_widget_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/widget/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/widget.js"' in page.text and 'data-mode="page"' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    redirect = client.get("/widget", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/widget/"


def test_embed_script_is_served_as_javascript(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age" in script.headers["cache-control"]
    # The promise the XSS tests check in the browser: no HTML parsing of any text.
    for sink in (".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.text


def test_convert_changes_script_but_keeps_vocabulary(client: TestClient) -> None:
    body = client.post(
        "/v1/convert", json={"texts": ["技術契約成交額達到550億元", "技术合同"], "to": "simplified"}
    ).json()
    assert body["texts"] == ["技术契约成交额达到550亿元", "技术合同"]
    back = client.post("/v1/convert", json={"texts": ["技术合同成交额"], "to": "traditional"})
    assert back.json()["texts"] == ["技術合同成交額"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"texts": [], "to": "simplified"}, "texts"),
        ({"texts": ["x"] * 101, "to": "simplified"}, "texts"),
        ({"texts": ["长" * 5001], "to": "simplified"}, "5000"),
        ({"texts": ["x"], "to": "klingon"}, "to"),
    ],
)
def test_convert_rejects_bad_input(client: TestClient, payload: object, message: str) -> None:
    response = client.post("/v1/convert", json=payload)
    assert response.status_code == 422 and message in response.json()["detail"]


def test_feedback_is_stored_and_listed_for_reviewers(
    client: TestClient, settings: Settings, service: QAService
) -> None:
    vote = {
        "rating": "down",
        "question": "到2025年技术合同成交额目标是多少",
        "answer": "500亿元",
        "doc_id": "hlj-sti-14th-five-year-plan-2021",
        "comment": "想看2026年的",
    }
    receipt = client.post("/v1/feedback", json=vote)
    assert receipt.status_code == 201 and receipt.json()["id"] >= 1
    # A new process on the same data directory still has it: votes are durable.
    fresh = TestClient(create_app(settings, service))
    listed = fresh.get("/v1/feedback", params={"rating": "down"}, headers={"X-API-Key": KEY})
    assert listed.status_code == 200
    body = listed.json()
    assert body["counts"]["down"] >= 1
    latest = body["items"][0]
    assert latest["question"] == vote["question"] and latest["comment"] == "想看2026年的"
    assert latest["refused"] is False and latest["created_at"]


def test_feedback_review_needs_the_key(client: TestClient) -> None:
    assert client.get("/v1/feedback").status_code == 401
    assert client.get("/v1/feedback", headers={"X-API-Key": "wrong"}).status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"rating": "meh", "question": "x"},
        {"rating": "up", "question": ""},
        {"rating": "up", "question": "x", "comment": "长" * 1001},
        {"rating": "up"},
    ],
)
def test_feedback_rejects_bad_votes(client: TestClient, payload: object) -> None:
    before = client.get("/v1/feedback", headers={"X-API-Key": KEY}).json()["counts"]
    response = client.post("/v1/feedback", json=payload)
    assert response.status_code == 422 and response.json()["detail"]
    after = client.get("/v1/feedback", headers={"X-API-Key": KEY}).json()["counts"]
    assert after == before


def test_widget_routes_want_json(client: TestClient) -> None:
    for path in ("/v1/convert", "/v1/feedback"):
        response = client.post(path, content=b"rating=up", headers={"Content-Type": "text/plain"})
        assert response.status_code == 415
