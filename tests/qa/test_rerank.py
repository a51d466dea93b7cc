"""The passage reranker: its features, its ordering, and where it applies."""

from __future__ import annotations

import pytest

from corpus.models import Chunk, ChunkId, SectionPath
from index.backend import ScoredChunk
from index.embedders import FakeEmbedder
from index.tokenize import Tokenizer
from qa.engine import SearchEngine, ingest
from qa.linear import LogisticModel
from qa.rerank import FEATURES, Query, Reranker, candidate_features, furniture, load_reranker
from qa.settings import Settings

TOKENIZER = Tokenizer()


def hit(text: str, n: int, score: float = 0.9) -> ScoredChunk:
    chunk = Chunk(ChunkId(f"d#{n}"), "d", SectionPath(), text, 0, len(text))
    return ScoredChunk(chunk, score, bm25_rank=n, dense_rank=n)


def features(question: str, text: str) -> dict[str, float]:
    query = Query.read(question, TOKENIZER)
    return dict(zip(FEATURES, candidate_features(query, hit(text, 0), 0), strict=True))


def test_year_and_quantity_features() -> None:
    asked = "到2025年技术合同成交额目标是多少"
    assert features(asked, "到2025年，技术合同成交额突破500亿元。")["year_match"] == 1.0
    assert features(asked, "到2030年，技术合同成交额突破900亿元。")["year_match"] == -1.0
    assert features(asked, "推动技术合同登记。")["year_match"] == 0.0
    assert features(asked, "突破500亿元。")["quantity_fit"] == 1.0
    assert features("牵头单位是谁", "突破500亿元。")["quantity_fit"] == 0.0


def test_menu_runs_score_as_furniture() -> None:
    assert furniture("首页\n简\n繁\nEN\n登录") == 1.0
    assert furniture("到2025年，全省技术合同成交额突破500亿元。") == 0.0


def test_a_model_on_text_focus_puts_the_stating_passage_first() -> None:
    weights = [1.0 if name == "text_focus" else 0.0 for name in FEATURES]
    n = len(FEATURES)
    reranker = Reranker(LogisticModel([0.0] * n, [1.0] * n, weights, 0.0), TOKENIZER)
    hits = [hit("推动科技成果转化。", 0), hit("技术合同成交额突破500亿元。", 1)]
    ranked = reranker.rerank("技术合同成交额是多少", hits)
    assert [h.chunk.chunk_id for h in ranked] == ["d#1", "d#0"]
    # The score is the model's probability now, so it still falls with rank.
    assert ranked[0].score > ranked[1].score and 0 < ranked[1].score <= 1


def test_the_shipped_model_loads() -> None:
    assert load_reranker(TOKENIZER) is not None


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("rerank-data"), embedder="fake")
    ingest(settings, embedder=FakeEmbedder())
    return settings


def test_only_hybrid_is_reranked(settings: Settings) -> None:
    plain = SearchEngine(settings.model_copy(update={"rerank": False}), embedder=FakeEmbedder())
    reranked = SearchEngine(settings, embedder=FakeEmbedder())
    assert plain.retriever.reranker is None and reranked.retriever.reranker is not None
    question = "到2025年技术合同成交额目标是多少"
    for mode in ("bm25", "dense"):
        ids = [h.chunk.chunk_id for h in plain.retriever.search(question, 5, mode=mode)]
        assert ids == [h.chunk.chunk_id for h in reranked.retriever.search(question, 5, mode=mode)]
    assert len(reranked.retriever.search(question, 3, mode="hybrid")) == 3


def test_an_entry_asking_what_the_question_asks_gets_the_edge() -> None:
    from corpus.models import ENTRY_LEVEL, Chunk, ChunkId, SectionPath
    from qa.rerank import asked_intent, intent_agreement

    def entry(question: str) -> Chunk:
        section = SectionPath((question,), (ENTRY_LEVEL,))
        return Chunk(ChunkId("kb#0"), "kb", section, "正文。", 0, 3)

    assert asked_intent("广州失业金一个月发多少钱") == "amount"
    assert asked_intent("失业金最长能领多久") == "duration"
    assert asked_intent("去窗口办失业金要带哪些东西") == "materials"
    assert asked_intent("这个政策好不好") is None
    assert intent_agreement("amount", entry("失业保险金能领到多少钱？")) == 1.0
    assert intent_agreement("amount", entry("失业保险金能领多久？")) == 0.0
    # A passage of a plain document answers no stored question: no edge either way.
    plain = Chunk(ChunkId("d#0"), "d", SectionPath(("一、总则",), (1,)), "正文。", 0, 3)
    assert intent_agreement("amount", plain) == 0.0


def test_the_entry_model_orders_entries_among_the_places_they_hold() -> None:
    from corpus.models import ENTRY_LEVEL

    def entry_hit(question: str, n: int) -> ScoredChunk:
        section = SectionPath((question,), (ENTRY_LEVEL,))
        chunk = Chunk(ChunkId(f"kb{n}#0"), f"kb{n}", section, "正文。", 0, 3)
        return ScoredChunk(chunk, 0.9, bm25_rank=n, dense_rank=n)

    n = len(FEATURES)
    by_rank = LogisticModel(
        [0.0] * n, [1.0] * n, [-10.0 if f == "fused_rank" else 0.0 for f in FEATURES], 0.0
    )
    by_intent = LogisticModel([0.0] * (n + 1), [1.0] * (n + 1), [0.0] * n + [1.0], 0.0)
    hits = [
        hit("推动科技成果转化。", 0),
        entry_hit("失业保险金能领到多少钱？", 1),
        entry_hit("失业保险金能领多久？", 2),
    ]
    ranked = Reranker(by_rank, TOKENIZER, by_intent).rerank("失业金最长能领多久", hits)
    # The policy passage keeps the first place the passage model gave it; the entry
    # asking what the question asks takes the entries' first place.
    assert [h.chunk.doc_id for h in ranked] == ["d", "kb2", "kb1"]
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    alone = Reranker(by_rank, TOKENIZER).rerank("失业金最长能领多久", hits)
    assert [h.chunk.doc_id for h in alone] == ["d", "kb1", "kb2"]
