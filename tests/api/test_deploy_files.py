"""deploy/ cannot run here (no Docker engine), so it is checked against the code: every
setting it passes is one the service accepts, and every command is one `qa` has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from qa.cli import build_parser
from qa.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))
    return loaded


def service_settings(service: dict[str, Any]) -> Settings:
    env = {k: str(v) for k, v in service["environment"].items() if k.startswith("QA_")}
    env = {k: re.sub(r"\$\{\w+:-(.*)\}", r"\1", v) for k, v in env.items()}
    fields = {k.removeprefix("QA_").lower(): v for k, v in env.items()}
    return Settings(**fields)


@pytest.mark.parametrize("name", ["ingest", "qa"])
def test_services_run_qa_on_the_milvus_server(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    settings = service_settings(service)
    assert settings.backend == "milvus" and settings.milvus_location == "http://milvus:19530"
    command = service["command"]
    assert command[0] == ".venv/bin/qa"
    build_parser().parse_args(command[1:])  # a subcommand and options `qa` really has


def test_replicas_listen_where_the_proxy_sends(compose: dict[str, Any]) -> None:
    command = compose["services"]["qa"]["command"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    port = command[command.index("--port") + 1]
    nginx = (DEPLOY / "nginx.conf").read_text("utf-8")
    assert f"server qa:{port};" in nginx
    assert "proxy_buffering off" in nginx  # the SSE route streams


def test_env_example_names_only_real_settings() -> None:
    for line in (DEPLOY / "env.example").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            key = line.split("=", 1)[0]
            assert key.removeprefix("QA_").lower() in Settings.model_fields, key
