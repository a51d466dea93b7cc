"""Composition of the stages: ingest documents into a generation; load it and search."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from corpus.bundled import BUNDLED_DIR, load_documents
from corpus.chunking import chunk_document
from corpus.models import Document
from index.build import BuildReport, build_index
from index.cache import EmbeddingCache
from index.embedders import Embedder, make_embedder
from index.store import (
    CACHE_FILE,
    clean_abandoned,
    ingest_lock,
    load_index,
    publish_generation,
)
from index.tokenize import Tokenizer
from qa.models import Citation, SearchResponse
from qa.retrieval import HybridRetriever
from qa.settings import RetrievalMode, Settings


def embedder_from(settings: Settings) -> Embedder:
    options: dict[str, str] = {}
    if settings.embedder == "sentence-transformers":
        options = {
            "query_prefix": settings.embedder_query_prefix,
            "passage_prefix": settings.embedder_passage_prefix,
        }
    return make_embedder(settings.embedder, settings.embedder_model_path, **options)


@dataclass(frozen=True)
class IngestResult:
    report: BuildReport
    generation: Path
    seconds: float


def ingest(
    settings: Settings,
    paths: Sequence[Path] = (),
    embedder: Embedder | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Read, chunk, embed and publish a new generation; the old one stays until then."""
    documents = load_documents(list(paths) or [BUNDLED_DIR])
    return publish_documents(settings, documents, embedder, on_total, on_progress)


def publish_documents(
    settings: Settings,
    documents: Sequence[Document],
    embedder: Embedder | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    lock_held: bool = False,
) -> IngestResult:
    """Chunk, embed and publish exactly `documents` as the new current generation.
    `lock_held`: the caller holds `ingest_lock` already, so that reading the current
    documents and publishing the edited set happen under one lock."""
    with nullcontext() if lock_held else ingest_lock(settings.data_dir):
        started = time.perf_counter()
        chunks = [c for d in documents for c in chunk_document(d, settings.chunk_max_chars)]
        if on_total:
            on_total(len(chunks))
        embedder = embedder or embedder_from(settings)
        cache = EmbeddingCache(settings.data_dir / CACHE_FILE)
        try:
            index, report = build_index(
                list(documents), chunks, embedder, Tokenizer(), cache, on_progress=on_progress
            )
        finally:
            cache.close()
        generation = publish_generation(settings.data_dir, index)
        return IngestResult(report, generation, time.perf_counter() - started)


class SearchEngine:
    """A loaded index plus the models to query it; built once per process."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or embedder_from(settings)
        clean_abandoned(settings.data_dir)
        index = load_index(settings.data_dir, self.embedder.name, self.embedder.dim)
        self.retriever = HybridRetriever(index, self.embedder, Tokenizer(), settings)
        # jieba loads its dictionary and the embedder its weights on first use (~0.7 s):
        # pay that here, at start-up, not on the first citizen's question.
        self.retriever.tokenizer.tokenize("预热")
        self.embedder.embed_queries(["预热"])

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
    ) -> SearchResponse:
        started = time.perf_counter()
        hits = self.retriever.search(query, k=k, doc_ids=doc_ids, mode=mode)
        documents = self.retriever.index.documents
        results = [Citation.from_scored(h, documents[h.chunk.doc_id].meta.title) for h in hits]
        latency = round((time.perf_counter() - started) * 1000, 2)
        return SearchResponse(query=query, results=results, latency_ms=latency)
