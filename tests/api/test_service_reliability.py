"""The real server on 127.0.0.1 under pressure: readers during writers, two writers at
once, more questions than it can hold, and what its logs and responses give away."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.embedders import FakeEmbedder
from qa.engine import ingest
from qa.settings import Settings
from tests.api.serving import running_service, service_process

pytestmark = [pytest.mark.reliability, pytest.mark.slow]
KEY = "reliability-secret-key-7f3a"
WRONG_KEY = "wrong-key-that-must-not-be-logged-91c2"
GOLD = ("到2025年技术合同成交额目标是多少", "500亿元")
ALLOWED_ORIGIN = "https://portal.example.gov.cn"


def fake_service(tmp_path: Path, **env: str) -> tuple[Path, dict[str, str]]:
    data = tmp_path / "data"
    ingest(Settings(data_dir=data, embedder="fake"), embedder=FakeEmbedder())
    settings = {
        "QA_EMBEDDER": "fake",
        "QA_API_KEYS": KEY,
        "QA_RATE_LIMIT_PER_MINUTE": "0",
        "QA_CORS_ORIGINS": ALLOWED_ORIGIN,
        **env,
    }
    return data, settings


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("reliable")
    data, env = fake_service(root)
    log_file = root / "serve.log"
    with running_service(data, log_file=log_file, **env) as base:
        yield base, log_file


def writer(base: str, name: str, until: float, outcomes: list[tuple[str, int, str]]) -> None:
    """Add then remove one document, over and over, retrying a change that got 409."""
    headers = {"X-API-Key": KEY}
    text = f"{name}通知\n一、要求\n到2025年，{name}项目达到3个。\n".encode()
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < until:
            for method in ("upload", "delete"):
                while True:
                    if method == "upload":
                        files = {"file": (f"{name}.txt", text)}
                        r = client.post("/v1/documents", headers=headers, files=files)
                    else:
                        r = client.delete(f"/v1/documents/{name}", headers=headers)
                    body = r.json()
                    outcomes.append((method, r.status_code, body.get("generation", "")))
                    if r.status_code != 409:
                        break
                    time.sleep(0.05)


def reader(base: str, until: float, seen: list[tuple[int, str | None, str]]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < until:
            r = client.post("/v1/ask", json={"question": GOLD[0]})
            answer = r.json().get("answer") if r.status_code == 200 else r.text
            seen.append((r.status_code, answer, r.headers.get("x-index-generation", "")))


def test_readers_keep_answering_while_two_writers_change_documents(
    service: tuple[str, Path],
) -> None:
    base, _ = service
    first = httpx.get(f"{base}/readyz").json()["generation"]
    until = time.monotonic() + 12
    outcomes: list[tuple[str, int, str]] = []
    seen: list[tuple[int, str | None, str]] = []
    threads = [threading.Thread(target=reader, args=(base, until, seen)) for _ in range(3)]
    threads += [
        threading.Thread(target=writer, args=(base, name, until, outcomes))
        for name in ("writer-a", "writer-b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(seen) > 50
    assert all(status == 200 and answer == GOLD[1] for status, answer, _ in seen), [
        s for s in seen if s[0] != 200 or s[1] != GOLD[1]
    ][:5]
    published = {first} | {generation for _, status, generation in outcomes if status < 300}
    assert {generation for *_, generation in seen} <= published  # whole generations only
    statuses = {status for _, status, _ in outcomes}
    assert statuses <= {200, 201, 409}, outcomes
    assert 409 in statuses and (201 in statuses and 200 in statuses)
    documents = httpx.get(f"{base}/v1/documents", headers={"X-API-Key": KEY}).json()
    assert len(documents) == 2  # every writer removed what it added: nothing lost, no leftovers


def toggle_extra(base: str, present: bool) -> None:
    """Delete the extra document if it is there, else upload it; the server may die
    under the request, which is the point."""
    headers = {"X-API-Key": KEY}
    text = "附加通知\n一、要求\n到2025年，附加项目达到7个。\n".encode()
    with contextlib.suppress(httpx.HTTPError), httpx.Client(base_url=base, timeout=30) as client:
        if present:
            client.delete("/v1/documents/extra", headers=headers)
        else:
            client.post("/v1/documents", headers=headers, files={"file": ("extra.txt", text)})


def document_ids(base: str) -> set[str]:
    listed = httpx.get(f"{base}/v1/documents", headers={"X-API-Key": KEY}).json()
    return {d["doc_id"] for d in listed}


def test_sigkill_of_the_server_during_uploads_and_deletes(tmp_path: Path) -> None:
    """Kill `qa serve` mid-change at random moments; a restarted server has one whole
    document set or the other, and answers."""
    data, env = fake_service(tmp_path)
    rng = random.Random()
    for round_ in range(6):
        with service_process(data, **env) as service:
            before = document_ids(service.base)
            worker = threading.Thread(target=toggle_extra, args=(service.base, "extra" in before))
            worker.start()
            time.sleep(rng.uniform(0.05, 1.2))
            service.proc.kill()
            worker.join()
        with running_service(data, **env) as base:
            after = document_ids(base)
            assert after in (before, before ^ {"extra"}), (round_, before, after)
            answer = httpx.post(f"{base}/v1/ask", json={"question": GOLD[0]}).json()
            assert answer["answer"] == GOLD[1]


def test_past_saturation_it_sheds_load_at_once(tmp_path: Path) -> None:
    data, env = fake_service(tmp_path, QA_MAX_QUEUE="2")

    async def flood(base: str) -> list[tuple[int, float, str | None]]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:

            async def one() -> tuple[int, float, str | None]:
                started = time.perf_counter()
                r = await client.post("/v1/ask", json={"question": GOLD[0]})
                return r.status_code, time.perf_counter() - started, r.headers.get("retry-after")

            return await asyncio.gather(*(one() for _ in range(60)))

    with running_service(data, **env) as base:
        results = asyncio.run(flood(base))
        metrics = httpx.get(f"{base}/metrics").text
    statuses = [status for status, _, _ in results]
    assert set(statuses) <= {200, 503} and statuses.count(200) >= 2
    shed = [(seconds, retry) for status, seconds, retry in results if status == 503]
    assert shed, "nothing was shed"
    assert all(retry == "1" for _, retry in shed)
    assert max(seconds for seconds, _ in shed) < 2.0  # refused promptly, not queued
    assert f'qa_http_errors_total{{kind="overloaded"}} {len(shed)}.0' in metrics


def test_access_rules(service: tuple[str, Path]) -> None:
    base, _ = service
    with httpx.Client(base_url=base) as client:
        for method, path in [("POST", "/v1/documents"), ("DELETE", "/v1/documents/x")]:
            for headers in ({}, {"X-API-Key": WRONG_KEY}):
                assert client.request(method, path, headers=headers).status_code == 401
        assert client.get("/v1/feedback", headers={"X-API-Key": WRONG_KEY}).status_code == 401
        preflight = {"Access-Control-Request-Method": "POST"}
        allowed = client.options("/v1/ask", headers={"Origin": ALLOWED_ORIGIN, **preflight})
        assert allowed.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
        stranger = client.options(
            "/v1/ask", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in stranger.headers


def test_logs_are_json_with_request_ids_and_never_hold_keys(service: tuple[str, Path]) -> None:
    base, log_file = service
    with httpx.Client(base_url=base) as client:
        mine = client.post(
            "/v1/ask", json={"question": GOLD[0]}, headers={"X-Request-ID": "trace-me-42"}
        )
        assert mine.headers["x-request-id"] == "trace-me-42"
        generated = client.post(
            "/v1/ask", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert len(generated.headers["x-request-id"]) == 32
        client.get("/v1/documents", headers={"X-API-Key": KEY})
        client.get("/v1/documents", headers={"X-API-Key": WRONG_KEY})
        errors = client.get("/metrics").text
    time.sleep(0.3)  # the access line is written after the response
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    assert all("request_id" in line and "level" in line and "msg" in line for line in lines)
    traced = [line for line in lines if line["request_id"] == "trace-me-42"]
    assert traced and traced[0]["route"] == "/v1/ask" and traced[0]["status"] == 200
    text = log_file.read_text()
    assert KEY not in text and WRONG_KEY not in text
    assert GOLD[0] not in text  # citizens' questions are not logged either
    assert 'qa_http_errors_total{kind="unauthorized"}' in errors
    assert 'qa_http_errors_total{kind="bad_request"}' in errors


def test_errors_leak_nothing(service: tuple[str, Path]) -> None:
    base, log_file = service
    data_dir = str(log_file.parent / "data")
    with httpx.Client(base_url=base) as client:
        responses = [
            client.post("/v1/ask", content=b"\xff", headers={"Content-Type": "application/json"}),
            client.get("/v1/documents/../../etc/passwd", headers={"X-API-Key": KEY}),
            client.post(
                "/v1/documents", headers={"X-API-Key": KEY}, files={"file": ("a.pdf", b"%PDF")}
            ),
            client.get("/nope"),
            client.delete("/v1/documents/nope", headers={"X-API-Key": KEY}),
        ]
    for response in responses:
        assert 400 <= response.status_code < 500
        for secret in (data_dir, "Traceback", KEY, "site-packages", "QA_"):
            assert secret not in response.text, (secret, response.text)
