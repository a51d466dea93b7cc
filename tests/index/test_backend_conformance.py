"""One conformance suite every SearchBackend must pass: the embedded generations and
Milvus (Milvus Lite, a real engine in this process). Real jieba, real FAISS, real Milvus;
the fake embedder keeps it fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from corpus.chunking import chunk_document
from corpus.models import Document, DocumentMeta
from index.backend import SearchBackend, SearchMode, SearchRequest
from index.embedded import EmbeddedBackend
from index.embedders import FakeEmbedder
from index.errors import (
    BackendError,
    DocumentExistsError,
    IndexMismatchError,
    NoIndexError,
    UnknownDocumentError,
)
from index.milvus import MilvusBackend
from index.store import CACHE_FILE
from index.tokenize import Tokenizer

FAKE = FakeEmbedder()
TOKENIZER = Tokenizer()
MAX_CHARS = 300
PLAN = "hlj-sti-14th-five-year-plan-2021"
ACTION = "hlj-sti-revitalization-action-plan-2022-2026"
Opener = Callable[[], SearchBackend]


def embedded_writer(tmp: Path) -> SearchBackend:
    return EmbeddedBackend(tmp / "data", FAKE, TOKENIZER, MAX_CHARS)


def milvus_writer(tmp: Path) -> SearchBackend:
    cache = tmp / "data" / CACHE_FILE
    return MilvusBackend(str(tmp / "milvus.db"), FAKE, TOKENIZER, MAX_CHARS, cache_path=cache)


@pytest.fixture(params=["embedded", "milvus"])
def writer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    make = embedded_writer if request.param == "embedded" else milvus_writer
    backend = make(tmp_path)
    yield backend
    backend.close()


@pytest.fixture
def loaded(writer: SearchBackend, bundled_docs: list[Document]) -> SearchBackend:
    writer.replace_all(bundled_docs)
    return writer.reopened()


def ask(
    backend: SearchBackend,
    text: str,
    k: int = 5,
    mode: SearchMode = "hybrid",
    doc_ids: frozenset[str] | None = None,
) -> list[str]:
    """Chunk texts of the hits, best first."""
    vector = FAKE.embed_queries([text]) if mode != "bm25" else None
    request = SearchRequest(text, vector, k=k, pool=50, mode=mode, doc_ids=doc_ids)
    return [hit.chunk.text for hit in backend.search(request)]


def notice(doc_id: str, text: str) -> Document:
    return Document(DocumentMeta(doc_id, f"通知{doc_id}", issuer="省科技厅"), text)


def test_empty_store_says_what_to_run(writer: SearchBackend) -> None:
    with pytest.raises(NoIndexError, match="qa ingest"):
        writer.reopened()


def test_documents_and_chunks_round_trip(
    loaded: SearchBackend, bundled_docs: list[Document]
) -> None:
    assert dict(loaded.documents) == {d.doc_id: d for d in bundled_docs}
    for doc in bundled_docs:
        expected = chunk_document(doc, MAX_CHARS)
        assert loaded.chunks_of(doc.doc_id) == expected
        assert loaded.chunk_counts()[doc.doc_id] == len(expected)
    stats = loaded.stats()
    assert (stats.documents, stats.embedder, stats.dim) == (2, FAKE.name, FAKE.dim)
    assert stats.chunks == sum(len(chunk_document(d, MAX_CHARS)) for d in bundled_docs)
    assert stats.version == loaded.version == loaded.published_version() != ""


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_every_mode_ranks_with_scores_in_unit_range(
    loaded: SearchBackend, mode: SearchMode
) -> None:
    vector = FAKE.embed_queries(["技术合同成交额"]) if mode != "bm25" else None
    hits = loaded.search(SearchRequest("技术合同成交额", vector, k=7, pool=50, mode=mode))
    assert len(hits) == 7
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_hybrid_finds_the_gold_passage(loaded: SearchBackend) -> None:
    assert any("突破500亿元" in text for text in ask(loaded, "到2025年技术合同成交额目标是多少"))


def test_bm25_finds_traditional_text_from_a_simplified_question(loaded: SearchBackend) -> None:
    texts = ask(loaded, "技术合同成交额", mode="bm25", doc_ids=frozenset({ACTION}))
    assert texts and "技術契約成交額" in texts[0]


def test_document_filter_is_respected(loaded: SearchBackend) -> None:
    only = frozenset({ACTION})
    vector = FAKE.embed_queries(["发展目标"])
    for mode in ("hybrid", "bm25", "dense"):
        request = SearchRequest("发展目标", vector, k=10, pool=50, mode=mode, doc_ids=only)  # type: ignore[arg-type]
        hits = loaded.search(request)
        assert hits and {h.chunk.doc_id for h in hits} == only


def test_dense_needs_the_query_vector(loaded: SearchBackend) -> None:
    with pytest.raises(ValueError, match="vector"):
        loaded.search(SearchRequest("发展目标", None, k=3, pool=10, mode="dense"))


def test_add_is_seen_by_a_new_snapshot_not_the_old(loaded: SearchBackend) -> None:
    before = loaded.version
    report = loaded.add([notice("extra", "附加通知\n一、要求\n到2025年，附加项目达到7个。\n")])
    assert report.added == ("extra",) and report.documents == 3 and report.written >= 1
    assert "extra" not in loaded.documents and loaded.version == before  # a snapshot
    assert loaded.published_version() == report.version != before
    fresh = loaded.reopened()
    assert "extra" in fresh.documents and fresh.version == report.version
    # Searchable at once in every mode (ranking against the rest is the eval's business:
    # Milvus Lite scores BM25 with per-segment statistics, see docs/scaling.md).
    for mode in ("hybrid", "bm25", "dense"):
        found = ask(fresh, "附加项目", mode=mode, doc_ids=frozenset({"extra"}))  # type: ignore[arg-type]
        assert any("附加项目达到7个" in t for t in found), mode


def test_add_refuses_an_existing_id_and_changes_nothing(loaded: SearchBackend) -> None:
    with pytest.raises(DocumentExistsError, match=PLAN):
        loaded.add([notice(PLAN, "一、替换\n内容。\n")])
    assert loaded.published_version() == loaded.version
    assert loaded.reopened().documents[PLAN] == loaded.documents[PLAN]


def test_delete_removes_chunks_from_every_mode(loaded: SearchBackend) -> None:
    report = loaded.delete([ACTION])
    assert report.deleted == (ACTION,) and report.documents == 1
    fresh = loaded.reopened()
    assert set(fresh.documents) == {PLAN} and fresh.chunks_of(ACTION) == []
    for mode in ("hybrid", "bm25", "dense"):
        hits = fresh.search(
            SearchRequest("技術契約成交額", FAKE.embed_queries(["技術契約成交額"]), 20, 50, mode)  # type: ignore[arg-type]
        )
        assert all(h.chunk.doc_id == PLAN for h in hits)


def test_delete_refuses_unknown_ids_and_emptying_the_index(loaded: SearchBackend) -> None:
    with pytest.raises(UnknownDocumentError, match="nope"):
        loaded.delete(["nope"])
    with pytest.raises(BackendError, match="empty"):
        loaded.delete([PLAN, ACTION])
    assert set(loaded.reopened().documents) == {PLAN, ACTION}


def test_hostile_document_ids_cannot_widen_a_filter(loaded: SearchBackend) -> None:
    hostile = 'x" or doc_id != "y'
    loaded.add(
        [
            notice(hostile, "一、要求\n发展目标是建设创新平台。\n"),
            notice("a\\b'c", "一、说明\n无关内容。\n"),
        ]
    )
    fresh = loaded.reopened()
    vector = FAKE.embed_queries(["发展目标"])
    hits = fresh.search(SearchRequest("发展目标", vector, 10, 50, doc_ids=frozenset({hostile})))
    assert hits and {h.chunk.doc_id for h in hits} == {hostile}
    fresh.delete([hostile])
    assert set(fresh.reopened().documents) == {PLAN, ACTION, "a\\b'c"}


def test_long_document_round_trips(writer: SearchBackend) -> None:
    body = "".join(f"第{i}项任务是建设创新平台并支持企业研发。" for i in range(3000))
    long_doc = notice("long", "一、任务\n" + body + "\n")
    assert len(long_doc.text.encode("utf-8")) > 2 * 65_536  # over Milvus's string limit
    writer.replace_all([long_doc])
    assert writer.reopened().documents["long"] == long_doc


def test_unchanged_replace_embeds_nothing(
    loaded: SearchBackend, bundled_docs: list[Document]
) -> None:
    report = loaded.replace_all(bundled_docs)
    assert report.embedded == 0 and report.documents == 2


def test_replace_all_drops_documents_not_listed(
    loaded: SearchBackend, bundled_docs: list[Document]
) -> None:
    report = loaded.replace_all([d for d in bundled_docs if d.doc_id == PLAN])
    assert report.deleted == (ACTION,)
    assert set(loaded.reopened().documents) == {PLAN}


def test_another_embedder_is_refused_on_open(loaded: SearchBackend, tmp_path: Path) -> None:
    other = FakeEmbedder(dim=32)
    opener: Opener
    if isinstance(loaded, EmbeddedBackend):
        opener = lambda: EmbeddedBackend.open(loaded.data_dir, other, TOKENIZER, MAX_CHARS)  # noqa: E731
    else:
        assert isinstance(loaded, MilvusBackend)
        opener = lambda: MilvusBackend(loaded.uri, other, TOKENIZER, MAX_CHARS).load_catalog()  # noqa: E731
    with pytest.raises(IndexMismatchError, match="qa ingest"):
        opener()


def test_ingest_with_another_embedder_rebuilds(
    loaded: SearchBackend, bundled_docs: list[Document]
) -> None:
    other = FakeEmbedder(dim=32)
    if isinstance(loaded, EmbeddedBackend):
        rebuilt: SearchBackend = EmbeddedBackend(loaded.data_dir, other, TOKENIZER, MAX_CHARS)
    else:
        assert isinstance(loaded, MilvusBackend)
        rebuilt = MilvusBackend(loaded.uri, other, TOKENIZER, MAX_CHARS)
    report = rebuilt.replace_all(bundled_docs)
    assert report.documents == 2 and report.embedded == report.chunks
    assert rebuilt.reopened().stats().dim == 32
