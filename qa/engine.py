"""Composition of the stages: open the configured search backend; ingest documents into
it; search it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from corpus.bundled import BUNDLED_DIR, load_documents
from corpus.faq import FaqColumns
from corpus.models import Document
from corpus.validity import repealers
from index.backend import ChangeReport, SearchBackend
from index.embedded import EmbeddedBackend
from index.embedders import Embedder, make_embedder
from index.store import CACHE_FILE
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


def open_backend(
    settings: Settings, embedder: Embedder, tokenizer: Tokenizer, load: bool = True
) -> SearchBackend:
    """The configured backend; `load=False` for a writer that may find the store empty."""
    if settings.backend == "milvus":
        from index.milvus import MilvusBackend  # pymilvus only when asked for

        milvus = MilvusBackend(
            settings.milvus_location,
            embedder,
            tokenizer,
            settings.chunk_max_chars,
            settings.milvus_collection,
            settings.milvus_token.get_secret_value(),
            settings.data_dir / CACHE_FILE,
        )
        if load:
            milvus.load_catalog()
        return milvus
    if load:
        return EmbeddedBackend.open(
            settings.data_dir, embedder, tokenizer, settings.chunk_max_chars
        )
    return EmbeddedBackend(settings.data_dir, embedder, tokenizer, settings.chunk_max_chars)


@dataclass(frozen=True)
class IngestResult:
    report: ChangeReport
    seconds: float

    @property
    def version(self) -> str:
        return self.report.version


def ingest(
    settings: Settings,
    paths: Sequence[Path] = (),
    embedder: Embedder | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    columns: FaqColumns | None = None,
) -> IngestResult:
    """Read and chunk the documents and make the index hold exactly them; the old
    contents serve readers until the switch. `columns` names a sheet's columns."""
    documents = load_documents(list(paths) or [BUNDLED_DIR], columns)
    return publish_documents(settings, documents, embedder, on_total, on_progress)


def publish_documents(
    settings: Settings,
    documents: Sequence[Document],
    embedder: Embedder | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestResult:
    started = time.perf_counter()
    backend = open_backend(settings, embedder or embedder_from(settings), Tokenizer(), load=False)
    try:
        report = backend.replace_all(documents, on_total, on_progress)
    finally:
        backend.close()
    return IngestResult(report, time.perf_counter() - started)


class SearchEngine:
    """An opened backend snapshot plus the models to query it; built once per process
    and again whenever a newer version is published."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        backend: SearchBackend | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or embedder_from(settings)
        self.backend = backend or open_backend(settings, self.embedder, Tokenizer())
        self.retriever = HybridRetriever(self.backend, self.embedder, settings)
        # jieba loads its dictionary and the embedder its weights on first use (~0.7 s):
        # pay that here, at start-up, not on the first citizen's question.
        self.retriever.tokenizer.tokenize("预热")
        self.embedder.embed_queries(["预热"])

    def reopened(self) -> SearchEngine:
        """The same models over the newest published version."""
        return SearchEngine(self.settings, self.embedder, self.backend.reopened())

    @cached_property
    def repealed(self) -> dict[str, str]:
        """Which loaded documents a newer loaded one repeals, read once per snapshot."""
        return repealers({d: doc.meta for d, doc in self.backend.documents.items()})

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
    ) -> SearchResponse:
        started = time.perf_counter()
        hits = self.retriever.search(query, k=k, doc_ids=doc_ids, mode=mode)
        documents, repealed = self.backend.documents, self.repealed
        results = [
            Citation.from_scored(h, documents[h.chunk.doc_id].meta, repealed.get(h.chunk.doc_id))
            for h in hits
        ]
        latency = round((time.perf_counter() - started) * 1000, 2)
        return SearchResponse(query=query, results=results, latency_ms=latency)
