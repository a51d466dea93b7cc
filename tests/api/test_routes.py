"""Every route and error through FastAPI's TestClient, on the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from corpus.bundled import load_bundled
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings
from tests.contract import ANSWER_FIELDS


@pytest.fixture(scope="module", params=["embedded", "milvus"])
def settings(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Settings:
    data: Path = tmp_path_factory.mktemp("api-data")
    settings = Settings(
        data_dir=data,
        embedder="fake",
        backend=request.param,
        cors_origins="https://portal.example.gov.cn",
        # Past the default burst: this module asks more than a citizen would in a minute.
        rate_limit_per_minute=6000,
        rate_limit_burst=1000,
    )
    ingest(settings, embedder=FakeEmbedder())
    return settings


@pytest.fixture(scope="module")
def client(settings: Settings) -> TestClient:
    service = QAService(settings, SearchEngine(settings, embedder=FakeEmbedder()))
    return TestClient(create_app(settings, service))


def client_backend(client: TestClient) -> str:
    return str(client.app.state.service.settings.backend)  # type: ignore[attr-defined]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["documents"] == 2 and ready["chunks"] > 100
    assert ready["embedder"] == "fake-bigram-64" and ready["backend"] == client_backend(client)
    prefix = "gen-" if ready["backend"] == "embedded" else "v-"
    assert ready["generation"].startswith(prefix)


def test_ask_contract(client: TestClient) -> None:
    body = client.post(
        "/v1/ask", json={"question": "到2025年技术合同成交额目标是多少", "top_k": 2}
    ).json()
    assert set(body) >= ANSWER_FIELDS
    assert len(body["citations"]) <= 2
    # The bundled plans state no 施行 or 有效期 clause: in force, dates unknown.
    assert body["citations"][0]["validity"] == {
        "status": "in_force",
        "effective_from": None,
        "expires_on": None,
        "repealed_by": None,
        "version": 1,
        "superseded_on": None,
        "replaced_by": None,
        "replaced_by_title": None,
    }
    if not body["refused"]:
        assert body["sentence"] in body["citations"][0]["text"]


def test_ask_with_history_says_how_it_understood(client: TestClient) -> None:
    history = [{"question": "到2025年技术合同成交额目标是多少", "answer": "500亿元"}]
    body = client.post("/v1/ask", json={"question": "那2026年呢？", "history": history}).json()
    assert body["question"] == "那2026年呢？"
    assert body["understood_as"] == "到2026年技术合同成交额目标是多少"
    assert body["carried"] == ["subject", "ask"]
    alone = client.post("/v1/ask", json={"question": "那2026年呢？"}).json()
    assert alone["understood_as"] == "那2026年呢？" and alone["carried"] == []
    with client.stream(
        "POST", "/v1/ask/stream", json={"question": "那2026年呢？", "history": history}
    ) as response:
        text = "".join(response.iter_text())
    assert '"understood_as": "到2026年技术合同成交额目标是多少"' in text


def test_chat_completions_reads_the_whole_conversation(client: TestClient) -> None:
    messages = [
        {"role": "user", "content": "到2025年技术合同成交额目标是多少"},
        {"role": "assistant", "content": "500亿元——《黑龙江省“十四五”科技创新规划》"},
        {"role": "user", "content": "那2026年呢？"},
    ]
    body = client.post("/v1/chat/completions", json={"messages": messages}).json()
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert isinstance(body["citations"], list)


def test_suggestions_come_from_the_loaded_documents(client: TestClient) -> None:
    suggestions = client.get("/v1/suggestions").json()["suggestions"]
    titles = [d.meta.title for d in load_bundled()]
    assert 1 <= len(suggestions) <= 3
    assert all(any(f"《{t.strip('《》')}》" in s for t in titles) for s in suggestions)
    # Each loaded document is offered before any is offered twice.
    assert len({next(t for t in titles if t.strip("《》") in s) for s in suggestions[:2]}) == 2


def test_search(client: TestClient) -> None:
    doc = "hlj-sti-revitalization-action-plan-2022-2026"
    body = client.post(
        "/v1/search", json={"query": "技术合同成交额", "top_k": 3, "doc_ids": [doc]}
    ).json()
    assert len(body["results"]) == 3 and {r["doc_id"] for r in body["results"]} == {doc}


def test_stream_sends_citations_then_answer_then_done(client: TestClient) -> None:
    with client.stream("POST", "/v1/ask/stream", json={"question": "文号是什么"}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block.split("\n")[0].removeprefix("event: ") for block in text.strip().split("\n\n")]
    assert events == ["citations", "answer", "done"]
    done = json.loads(text.strip().split("\n\n")[-1].split("data: ", 1)[1])
    assert "citations" in done and "answer" in done


def test_chat_completions(client: TestClient) -> None:
    body = client.post(
        "/v1/chat/completions",
        json={
            "model": "any-name",
            "messages": [
                {"role": "system", "content": "你好"},
                {"role": "user", "content": "文号是什么"},
            ],
        },
    ).json()
    assert body["object"] == "chat.completion" and body["model"] == "any-name"
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert isinstance(body["citations"], list)


def test_chat_stream_ends_with_done(client: TestClient) -> None:
    payload = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "文号"}]}
    with client.stream("POST", "/v1/chat/completions", json=payload) as response:
        lines = [x for x in "".join(response.iter_text()).split("\n\n") if x]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(x.removeprefix("data: ")) for x in lines[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


@pytest.mark.parametrize(
    ("path", "payload", "status", "message"),
    [
        ("/v1/ask", {"question": "问" * 501}, 422, "question"),
        ("/v1/ask", {"question": ""}, 422, "question"),
        ("/v1/ask", {"question": "技术", "top_k": 0}, 422, "top_k"),
        ("/v1/ask", {"question": "技术", "top_k": 21}, 422, "top_k"),
        ("/v1/ask", {}, 422, "question"),
        ("/v1/ask", {"question": "呢", "history": [{"question": "问"}] * 11}, 422, "history"),
        ("/v1/ask", {"question": "呢", "history": [{"question": " "}]}, 422, "history"),
        ("/v1/ask", {"question": "呢", "history": [{"answer": "500"}]}, 422, "history"),
        ("/v1/ask", {"question": "呢", "history": "到2025年"}, 422, "history"),
        ("/v1/search", {"query": "技术", "doc_ids": ["nope"]}, 400, "unknown document"),
        ("/v1/chat/completions", {"messages": []}, 422, "messages"),
        ("/v1/chat/completions", {"messages": [{"role": "system", "content": "x"}]}, 422, "user"),
    ],
)
def test_bad_input_is_4xx_with_a_message(
    client: TestClient, path: str, payload: dict[str, object], status: int, message: str
) -> None:
    response = client.post(path, json=payload)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_body_limits_and_media_type(client: TestClient) -> None:
    big = json.dumps({"question": "技术", "pad": "x" * 70_000})
    response = client.post("/v1/ask", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413

    def chunked() -> object:
        for _ in range(80):
            yield b"x" * 1024

    response = client.post(
        "/v1/ask", content=chunked(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    response = client.post(
        "/v1/ask", content="question=技术", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    response = client.post(
        "/v1/ask", content="{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_cors_allow_list(client: TestClient) -> None:
    allowed = client.options(
        "/v1/ask",
        headers={
            "Origin": "https://portal.example.gov.cn",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://portal.example.gov.cn"
    assert "access-control-allow-credentials" not in allowed.headers
    other = client.options(
        "/v1/ask",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert other.headers.get("access-control-allow-origin") is None


def test_openapi_has_chinese_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "到2025年技术合同成交额目标是多少" in json.dumps(spec, ensure_ascii=False)
    assert client.get("/docs").status_code == 200


def test_milvus_down_is_503_with_retry_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pymilvus.exceptions import MilvusException

    settings = Settings(data_dir=tmp_path, embedder="fake", backend="milvus")
    ingest(settings, embedder=FakeEmbedder())
    engine = SearchEngine(settings, embedder=FakeEmbedder())
    client = TestClient(create_app(settings, QAService(settings, engine)))

    def down(*_a: object, **_k: object) -> None:
        raise MilvusException(message="connection refused to milvus:19530")

    monkeypatch.setattr(engine.backend.client, "hybrid_search", down)  # type: ignore[attr-defined]
    response = client.post("/v1/ask", json={"question": "技术合同成交额目标"})
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "19530" not in response.text  # the server's address stays in the log
