"""The `embedded` search backend: FAISS + sparse BM25 in immutable on-disk generations.

Reads come from one loaded generation (a snapshot). Every write builds a whole new
generation from the documents published at that moment, under the cross-process writer
lock, and switches CURRENT; a second writer gets `WriterBusyError` at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import closing
from pathlib import Path

import faiss
import numpy as np

from corpus.models import Chunk, Document
from index.backend import BackendStats, ChangeReport, Progress, ScoredChunk, SearchRequest
from index.build import HybridIndex, build_index, embed_documents, search_parameters
from index.cache import EmbeddingCache
from index.embedders import Embedder, FloatMatrix
from index.errors import (
    BackendError,
    DocumentExistsError,
    IndexStoreError,
    NoIndexError,
    UnknownDocumentError,
)
from index.fusion import BoolArray, rrf_fuse, top_ranked
from index.store import (
    CACHE_FILE,
    clean_abandoned,
    ingest_lock,
    load_index,
    publish_generation,
    read_current_name,
)
from index.tokenize import Tokenizer


class EmbeddedBackend:
    name = "embedded"

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        tokenizer: Tokenizer,
        chunk_max_chars: int,
        index: HybridIndex | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.chunk_max_chars = chunk_max_chars
        self._index = index
        if index is not None:
            ordinal = {doc_id: i for i, doc_id in enumerate(index.documents)}
            # Chunk -> document ordinal, once: a document filter is one vector compare.
            self._chunk_doc = np.array([ordinal[c.doc_id] for c in index.chunks], dtype=np.int32)
            self._doc_ordinal = ordinal

    @classmethod
    def open(
        cls, data_dir: Path, embedder: Embedder, tokenizer: Tokenizer, chunk_max_chars: int
    ) -> EmbeddedBackend:
        """The current generation, loaded (NoIndexError if there is none)."""
        clean_abandoned(data_dir)
        index = load_index(data_dir, embedder.name, embedder.dim)
        return cls(data_dir, embedder, tokenizer, chunk_max_chars, index)

    @property
    def index(self) -> HybridIndex:
        if self._index is None:
            raise NoIndexError(f"no index loaded from {self.data_dir}: run `qa ingest`")
        return self._index

    @property
    def documents(self) -> Mapping[str, Document]:
        return self.index.documents

    @property
    def version(self) -> str:
        return self.index.generation

    def published_version(self) -> str:
        return read_current_name(self.data_dir)

    def reopened(self) -> EmbeddedBackend:
        return EmbeddedBackend.open(
            self.data_dir, self.embedder, self.tokenizer, self.chunk_max_chars
        )

    def close(self) -> None:
        """Nothing to release: the generation is memory-mapped and read-only."""

    # -- reads ---------------------------------------------------------------------------

    def doc_mask(self, doc_ids: frozenset[str] | None) -> BoolArray | None:
        if doc_ids is None:
            return None
        wanted = [self._doc_ordinal[d] for d in doc_ids if d in self._doc_ordinal]
        mask: BoolArray = np.isin(self._chunk_doc, wanted)
        return mask

    def bm25_ranking(self, text: str, allowed: BoolArray | None, n: int) -> list[int]:
        scores = self.index.bm25.scores(self.tokenizer.tokenize(text))
        return top_ranked(scores, allowed, n)

    def dense_ranking(self, vector: FloatMatrix, allowed: BoolArray | None, n: int) -> list[int]:
        selector = None
        if allowed is not None:
            ids = np.flatnonzero(allowed).astype(np.int64)
            selector = faiss.IDSelectorBatch(ids)  # kept referenced until the search ends
            n = min(n, len(ids))
        params = search_parameters(self.index.dense, selector)
        n = min(n, self.index.dense.ntotal)
        if n == 0:
            return []
        _, found = self.index.dense.search(vector, n, params=params)
        return [int(i) for i in found[0] if i >= 0]

    def search(self, request: SearchRequest) -> list[ScoredChunk]:
        allowed = self.doc_mask(request.doc_ids)
        rankings: list[tuple[list[int], float]] = []
        bm25: list[int] = []
        dense: list[int] = []
        hybrid = request.mode == "hybrid"
        if request.mode != "dense":
            bm25 = self.bm25_ranking(request.text, allowed, request.pool)
            rankings.append((bm25, request.weight_bm25 if hybrid else 1.0))
        if request.mode != "bm25":
            if request.vector is None:
                raise ValueError(f"{request.mode} search needs the query vector")
            dense = self.dense_ranking(request.vector, allowed, request.pool)
            rankings.append((dense, request.weight_dense if hybrid else 1.0))
        bm25_rank = {item: r for r, item in enumerate(bm25, start=1)}
        dense_rank = {item: r for r, item in enumerate(dense, start=1)}
        return [
            ScoredChunk(
                self.index.chunks[item], round(score, 4), bm25_rank.get(item), dense_rank.get(item)
            )
            for item, score in rrf_fuse(rankings, request.rrf_k)[: request.k]
        ]

    def bm25_scores(self, text: str, chunks: Sequence[Chunk]) -> list[float | None]:
        scores = self.index.bm25.scores(self.tokenizer.tokenize(text))
        at = {c.chunk_id: i for i, c in enumerate(self.index.chunks)}
        found = [at.get(c.chunk_id) for c in chunks]
        return [None if i is None else round(float(scores[i]), 4) for i in found]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        return [c for c in self.index.chunks if c.doc_id == doc_id]

    def chunk_counts(self) -> Mapping[str, int]:
        return Counter(c.doc_id for c in self.index.chunks)

    def stats(self) -> BackendStats:
        index = self.index
        return BackendStats(
            self.name,
            len(index.documents),
            len(index.chunks),
            index.generation,
            index.embedder_name,
            index.dim,
            str(self.data_dir),
        )

    # -- writes: each publishes a whole generation under the writer lock -----------------

    def published_documents(self) -> dict[str, Document]:
        """The documents of the generation published now (not of this snapshot)."""
        try:
            return dict(load_index(self.data_dir, self.embedder.name, self.embedder.dim).documents)
        except NoIndexError:
            return {}

    def publish(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
        added: Sequence[str] = (),
        deleted: Sequence[str] = (),
    ) -> ChangeReport:
        """Build and publish exactly `documents`; the caller holds the writer lock."""
        with closing(EmbeddingCache(self.data_dir / CACHE_FILE)) as cache:
            embedded = embed_documents(
                documents, self.chunk_max_chars, self.embedder, cache, on_total, on_progress
            )
        # A jieba of its own: questions use the shared one, one at a time, meanwhile.
        index = build_index(documents, embedded, self.embedder, Tokenizer())
        generation = publish_generation(self.data_dir, index)
        chunks = len(embedded.chunks)
        return ChangeReport(
            tuple(added),
            tuple(deleted),
            len(documents),
            chunks,
            chunks,
            embedded.stats.embedded,
            generation.name,
        )

    def replace_all(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> ChangeReport:
        with ingest_lock(self.data_dir):
            try:
                before = set(self.published_documents())
            except IndexStoreError:  # unreadable, or another embedder: replaced wholesale
                before = set()
            ids = {d.doc_id for d in documents}
            return self.publish(
                documents, on_total, on_progress, sorted(ids - before), sorted(before - ids)
            )

    def add(
        self,
        documents: Sequence[Document],
        on_total: Progress | None = None,
        on_progress: Progress | None = None,
    ) -> ChangeReport:
        # Read, check and publish under one lock: a sibling process cannot publish in
        # between and have its change overwritten.
        with ingest_lock(self.data_dir):
            current = self.published_documents()
            taken = sorted(d.doc_id for d in documents if d.doc_id in current)
            if taken:
                raise DocumentExistsError(f"document(s) exist: {', '.join(taken)}")
            added = [d.doc_id for d in documents]
            return self.publish([*current.values(), *documents], on_total, on_progress, added)

    def delete(self, doc_ids: Sequence[str]) -> ChangeReport:
        with ingest_lock(self.data_dir):
            current = self.published_documents()
            unknown = sorted(set(doc_ids) - set(current))
            if unknown:
                raise UnknownDocumentError(f"no document(s): {', '.join(unknown)}")
            kept = [d for d in current.values() if d.doc_id not in set(doc_ids)]
            if not kept:
                raise BackendError("cannot delete every document: the index would be empty")
            return self.publish(kept, deleted=doc_ids)
