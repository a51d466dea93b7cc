"""Every citation says whether its document is in force: the dates its text states,
kept through the index (both backends) and a restart, and repeals between loaded
documents. The documents are test data written for the test."""

from __future__ import annotations

import pytest

from index.embedders import FakeEmbedder
from qa.answer import Answerer
from qa.engine import SearchEngine, ingest
from qa.settings import Settings

OLD = "某市养犬管理暂行办法\n第一条 养犬登记费每年100元。\n第二条 本办法自2015年1月1日起施行。\n"
NEW = (
    "某市养犬管理规定\n第一条 养犬登记费每年80元。\n"
    "第二条 本规定自2023年1月1日起施行，有效期至2099年12月31日。"
    "《某市养犬管理暂行办法》同时废止。\n"
)
EXPIRED = (
    "某市见习补贴办法\n第一条 见习补贴每月2000元。\n"
    "第二条 本办法自2018年3月1日起施行，有效期3年。\n"
)


@pytest.fixture(scope="module", params=["embedded", "milvus"])
def engine(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> SearchEngine:
    root = tmp_path_factory.mktemp("validity")
    docs = root / "docs"
    docs.mkdir()
    for name, text in (("old.txt", OLD), ("new.txt", NEW), ("expired.txt", EXPIRED)):
        (docs / name).write_text(text, "utf-8")
    settings = Settings(data_dir=root / "data", embedder="fake", backend=request.param)
    ingest(settings, [docs], embedder=FakeEmbedder())
    # A fresh engine reads what the index stored: the fields survive a restart.
    return SearchEngine(settings, embedder=FakeEmbedder())


def validity_of(engine: SearchEngine, query: str, doc_id: str) -> dict[str, object]:
    results = engine.search(query, k=10).results
    cited = next(c for c in results if c.doc_id == doc_id)
    assert cited.validity is not None
    return cited.validity.model_dump()


def test_dates_stated_in_the_text_reach_the_citation(engine: SearchEngine) -> None:
    assert validity_of(engine, "养犬登记费", "new") == {
        "status": "in_force",
        "effective_from": "2023-01-01",
        "expires_on": "2099-12-31",
        "repealed_by": None,
    }
    assert validity_of(engine, "见习补贴", "expired") == {
        "status": "expired",
        "effective_from": "2018-03-01",
        "expires_on": "2021-02-28",
        "repealed_by": None,
    }


def test_a_newer_loaded_document_repeals_the_old_one(engine: SearchEngine) -> None:
    old = validity_of(engine, "养犬登记费每年100元", "old")
    assert old["status"] == "repealed" and old["repealed_by"] == "new"


def test_answers_carry_validity_too(engine: SearchEngine) -> None:
    response = Answerer(engine).ask("养犬登记费每年多少元")
    assert all(c.validity is not None for c in response.citations)
