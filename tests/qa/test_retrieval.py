from __future__ import annotations

import numpy as np
import pytest

from corpus.models import DocumentMeta
from index.embedders import FakeEmbedder, FloatMatrix
from index.fusion import rrf_fuse, top_ranked
from qa.engine import SearchEngine, ingest
from qa.query import names_by_document, plan_query, restrict
from qa.settings import Settings

PLAN = "hlj-sti-14th-five-year-plan-2021"
ACTION = "hlj-sti-revitalization-action-plan-2022-2026"


def test_rrf_rewards_agreement() -> None:
    fused = rrf_fuse([([1, 2, 3], 1.0), ([2, 1, 4], 1.0)], k=60)
    assert [item for item, _ in fused][:2] == [1, 2]  # tie broken by id
    assert fused[0][1] == pytest.approx(fused[1][1])
    assert {item for item, _ in fused} == {1, 2, 3, 4}


def test_rrf_scale_and_weights() -> None:
    fused = dict(rrf_fuse([([7], 1.0), ([7], 1.0)], k=60))
    assert fused[7] == pytest.approx(1.0)
    weighted = rrf_fuse([([1], 3.0), ([2], 1.0)], k=60)
    assert weighted[0][0] == 1


def test_top_ranked_filters_and_drops_zero() -> None:
    scores = np.array([0.0, 2.0, 5.0, 2.0], dtype=np.float32)
    assert top_ranked(scores, None, 10) == [2, 1, 3]
    mask = np.array([True, True, False, True])
    assert top_ranked(scores, mask, 1) == [1]


def test_document_mention_becomes_filter() -> None:
    docs = {
        PLAN: DocumentMeta(PLAN, "黑龙江省“十四五”科技创新规划", aliases=("十四五规划",)),
        ACTION: DocumentMeta(
            ACTION, "黑龍江省科技振興行動計畫(2022—2026年)", aliases=("行动计划",)
        ),
    }
    names = names_by_document(docs)
    plan = plan_query("《黑龙江省“十四五”科技创新规划》中技术合同成交额是多少", names)
    assert plan.doc_ids == (PLAN,)
    assert "十四五" not in plan.text and "技术合同成交额" in plan.text
    assert plan_query("行動計畫的高新技术企业目标", names).doc_ids == (ACTION,)
    assert plan_query("到2025年技术合同成交额目标是多少", names).doc_ids == ()
    assert restrict(plan, [ACTION]) == (ACTION,)


def test_search_filters_by_document(fake_engine: SearchEngine) -> None:
    response = fake_engine.search("技术合同成交额", k=10, doc_ids=[ACTION])
    assert response.results
    assert {hit.doc_id for hit in response.results} == {ACTION}


def test_unknown_document_and_empty_query(fake_engine: SearchEngine) -> None:
    with pytest.raises(ValueError, match="unknown document"):
        fake_engine.search("技术", doc_ids=["nope"])
    with pytest.raises(ValueError, match="empty"):
        fake_engine.search("  ")


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_every_mode_returns_verbatim_citations(fake_engine: SearchEngine, mode: str) -> None:
    response = fake_engine.search("高新技术企业数量", k=5, mode=mode)  # type: ignore[arg-type]
    assert 0 < len(response.results) <= 5
    documents = fake_engine.backend.documents
    for hit in response.results:
        assert documents[hit.doc_id].text[hit.start : hit.end] == hit.text
        assert 0 < hit.score <= 1
    scores = [hit.score for hit in response.results]
    assert scores == sorted(scores, reverse=True)


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.query_calls = 0

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        self.query_calls += 1
        return super().embed_queries(texts)


def test_repeated_questions_reuse_the_query_embedding(fake_settings: Settings) -> None:
    ingest(fake_settings, embedder=FakeEmbedder())
    counting = CountingEmbedder()
    engine = SearchEngine(fake_settings, embedder=counting)
    calls = counting.query_calls  # start-up warm-up
    first = engine.search("技术合同成交额").results
    again = engine.search("技術合同成交額").results  # folds to the same text
    assert counting.query_calls == calls + 1 and first == again
    engine.retriever.query_vectors.size = 2
    for query in ("高新技术企业", "人才", "技术合同成交额"):
        engine.search(query)
    assert counting.query_calls == calls + 4  # evicted, embedded again


def test_top_ranked_keeps_ties_in_index_order_past_the_cut() -> None:
    scores = np.array([1.0, 3.0, 2.0, 3.0, 2.0, 0.0, 2.0], dtype=np.float32)
    assert top_ranked(scores, None, 3) == [1, 3, 2]
    assert top_ranked(scores, None, 10) == [1, 3, 2, 4, 6, 0]


def test_a_citizens_word_brings_the_official_one_along() -> None:
    plan = plan_query("积分入户随迁的孩子要多大？最迟什么时候办？", {})
    assert plan.text.endswith(" 子女 至迟") and plan.text.startswith("积分入户随迁的孩子")
    assert plan_query("技术合同成交额目标是多少", {}).text == "技术合同成交额目标是多少"


@pytest.mark.parametrize("zeros", [0.0, 0.5, 0.99])
def test_sampled_top_equals_ranking_every_score(zeros: float) -> None:
    """Past SAMPLED_TOP_MIN scores the cut comes from a sample: the same ids in the same
    order (ties by index) as ranking every positive score, however sparse the matches."""
    import index.fusion as fusion

    rng = np.random.default_rng(4)
    scores = rng.random(300_000).astype(np.float32).round(3)  # many ties
    scores[rng.random(300_000) < zeros] = 0.0
    allowed = rng.random(300_000) < 0.5
    for mask in (None, allowed):
        fusion.SAMPLED_TOP_MIN = 10**9
        try:
            expected = top_ranked(scores, mask, 50)
        finally:
            fusion.SAMPLED_TOP_MIN = 200_000
        assert top_ranked(scores, mask, 50) == expected
    assert top_ranked(np.zeros(300_000, np.float32), None, 50) == []


def test_named_documents_found_by_substring_as_by_scanning_every_name() -> None:
    """The inverse name index names the same documents, with the same text left, as
    testing each document's names in turn; and longest names win."""
    from qa.query import DocumentNames, named_plan

    names = {
        "plan": ["黑龙江省十四五科技创新规划", "十四五科技创新规划", "科技创新规划"],
        "action": ["科技创新行动计划", "行动计划"],
        "other": ["科技创新规划"],
        "small": ["计划"],
    }
    index = DocumentNames(names)
    assert index.longest_named("十四五科技创新规划中的目标") == (9, {"plan"})
    assert index.longest_named("科技创新规划的目标") == (6, {"plan", "other"})
    assert named_plan("行动计划里技术合同成交额目标是多少", index).doc_ids == ("action",)
    assert named_plan("技术合同成交额目标是多少", index).doc_ids == ()
    plan = named_plan("《十四五科技创新规划》里技术合同成交额是多少", names)  # a plain dict too
    assert plan.doc_ids == ("plan",) and "规划" not in plan.text
