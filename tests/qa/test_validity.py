"""Every citation says whether its document is in force, and only documents in force on
the day asked about (today unless `as_of` says) answer: the dates a text states, repeals
between loaded documents and versions of one document, kept through the index (both
backends) and a restart. The documents are test data written for the test."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

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
FEE_V1 = "某市停车收费标准\n第一条 路内停车每小时收费6元。\n第二条 本标准自2020年1月1日起施行。\n"
FEE_V2 = "某市停车收费标准\n第一条 路内停车每小时收费8元。\n"
YESTERDAY = date.today() - timedelta(days=1)


def write(docs: Path, files: dict[str, str]) -> None:
    docs.mkdir(exist_ok=True)
    for name, text in files.items():
        (docs / name).write_text(text, "utf-8")


@pytest.fixture(scope="module", params=["embedded", "milvus"])
def engine(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> SearchEngine:
    root = tmp_path_factory.mktemp("validity")
    docs = root / "docs"
    write(docs, {"old.txt": OLD, "new.txt": NEW, "expired.txt": EXPIRED, "fee.txt": FEE_V1})
    settings = Settings(data_dir=root / "data", embedder="fake", backend=request.param)
    ingest(settings, [docs], embedder=FakeEmbedder())
    # The same directory again with one document changed: it gets a second version.
    write(docs, {"fee.txt": FEE_V2})
    ingest(settings, [docs], embedder=FakeEmbedder())
    # A fresh engine reads what the index stored: the fields survive a restart.
    return SearchEngine(settings, embedder=FakeEmbedder())


def validity_of(
    engine: SearchEngine, query: str, doc_id: str, as_of: date | None = None
) -> dict[str, object]:
    results = engine.search(query, k=10, as_of=as_of).results
    cited = next(c for c in results if c.doc_id == doc_id)
    assert cited.validity is not None
    return cited.validity.model_dump(
        include={"status", "effective_from", "expires_on", "repealed_by", "replaced_by"}
    )


def test_dates_stated_in_the_text_reach_the_citation(engine: SearchEngine) -> None:
    assert validity_of(engine, "养犬登记费", "new") == {
        "status": "in_force",
        "effective_from": "2023-01-01",
        "expires_on": "2099-12-31",
        "repealed_by": None,
        "replaced_by": None,
    }
    # An expired document is searched only for a day it was in force; its citation
    # still says what it is today.
    assert validity_of(engine, "见习补贴", "expired", as_of=date(2019, 6, 1)) == {
        "status": "expired",
        "effective_from": "2018-03-01",
        "expires_on": "2021-02-28",
        "repealed_by": None,
        "replaced_by": None,
    }
    assert all(c.doc_id != "expired" for c in engine.search("见习补贴", k=10).results)


def test_an_expired_document_answers_only_for_a_day_it_was_in_force(
    engine: SearchEngine,
) -> None:
    answerer = Answerer(engine)
    today = answerer.ask("见习补贴每月多少元")
    assert today.refused and today.reason == "not_in_force" and today.answer is None
    # Named, with why it does not answer; not cited: the citations are documents in force.
    named = today.not_in_force
    assert named and named.doc_id == "expired" and named.validity.status == "expired"
    assert all(c.doc_id != "expired" for c in today.citations)
    past = answerer.ask("见习补贴每月多少元", as_of=date(2019, 6, 1))
    assert past.answer == "2000元" and past.citations[0].doc_id == "expired"
    assert past.citations[0].validity and past.citations[0].validity.status == "expired"


def test_a_newer_loaded_document_repeals_the_old_one_from_its_own_start(
    engine: SearchEngine,
) -> None:
    old = validity_of(engine, "养犬登记费每年100元", "old", as_of=date(2016, 1, 1))
    assert old["status"] == "repealed" and old["repealed_by"] == old["replaced_by"] == "new"
    answerer = Answerer(engine)
    assert answerer.ask("养犬登记费每年多少元").answer == "80元"
    assert answerer.ask("养犬登记费每年多少元", as_of=date(2016, 1, 1)).answer == "100元"


def test_a_changed_document_keeps_its_earlier_version(engine: SearchEngine) -> None:
    documents = engine.backend.documents
    assert documents["fee"].meta.version == 2 and "8元" in documents["fee"].text
    earlier = documents["fee@v1"].meta
    assert earlier.version_of == "fee" and earlier.superseded_on == date.today().isoformat()
    answerer = Answerer(engine)
    now = answerer.ask("路内停车每小时收费多少元")
    assert now.answer == "8元" and now.citations[0].doc_id == "fee"
    before = answerer.ask("路内停车每小时收费多少元", as_of=YESTERDAY)
    assert before.answer == "6元" and before.citations[0].doc_id == "fee@v1"
    cited = before.citations[0].validity
    assert cited and cited.status == "superseded" and cited.replaced_by == "fee"


def test_answers_carry_validity_too(engine: SearchEngine) -> None:
    response = Answerer(engine).ask("养犬登记费每年多少元")
    assert all(c.validity is not None for c in response.citations)
