"""Hybrid retrieval: plan the query, embed it once, let the backend rank and fuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.backend import ScoredChunk, SearchBackend, SearchRequest
from index.embedders import Embedder, FloatMatrix
from qa.query import QueryPlan, names_by_document, plan_query, restrict
from qa.rerank import POOL, load_reranker
from qa.settings import RetrievalMode, Settings
from qa.vectors import VectorCache

QUERY_CACHE_SIZE = 2048
__all__ = ["HybridRetriever", "Scope", "ScoredChunk"]


@dataclass(frozen=True)
class Scope:
    """Where a search may look: the caller's documents (None: all, or those the question
    names), and of those only `allowed` ones (the documents in force on the day asked
    about; None: every one)."""

    doc_ids: Sequence[str] | None = None
    allowed: frozenset[str] | None = None

    def within(self, doc_ids: Sequence[str] | None) -> Scope:
        return Scope(doc_ids, self.allowed)


class HybridRetriever:
    """Stateless over a backend snapshot; one instance serves many queries."""

    def __init__(self, backend: SearchBackend, embedder: Embedder, settings: Settings) -> None:
        stats = backend.stats()
        if stats.embedder != embedder.name:
            raise ValueError(f"index embedder {stats.embedder!r} differs from {embedder.name!r}")
        self.backend = backend
        self.embedder = embedder
        self.tokenizer = backend.tokenizer
        self.settings = settings
        self.doc_names = names_by_document({d: doc.meta for d, doc in backend.documents.items()})
        self.reranker = load_reranker(self.tokenizer) if settings.rerank else None
        self.query_vectors = VectorCache(embedder.embed_queries, QUERY_CACHE_SIZE)

    def plan(self, query: str) -> QueryPlan:
        """The query's matching text and the documents it names."""
        return plan_query(query, self.doc_names)

    def check_doc_ids(self, doc_ids: Sequence[str] | None) -> frozenset[str] | None:
        if not doc_ids:
            return None
        known = self.backend.documents
        unknown = set(doc_ids) - set(known)
        if unknown:
            raise ValueError(
                f"unknown document id(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        return frozenset(doc_ids)

    def query_vector(self, query: str) -> FloatMatrix:
        """The query's embedding, from a small LRU (qa/vectors.py)."""
        return self.query_vectors([query])

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        allowed: frozenset[str] | None = None,
    ) -> list[ScoredChunk]:
        if not query.strip():
            raise ValueError("query is empty")
        return self.search_plan(self.plan(query), k, doc_ids, mode, allowed)

    def search_plan(
        self,
        plan: QueryPlan,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        allowed: frozenset[str] | None = None,
    ) -> list[ScoredChunk]:
        """Search an already planned query (a parsed question carries its plan), among
        the `allowed` documents only when given."""
        return [hit for hit, _ in self.ranked(plan, k, doc_ids, mode, allowed)]

    def ranked(
        self,
        plan: QueryPlan,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
        allowed: frozenset[str] | None = None,
    ) -> list[tuple[ScoredChunk, int]]:
        """The hits, each with its rank after fusion (from 1), before the reranker."""
        k = k or self.settings.top_k
        mode = mode or self.settings.mode
        wanted = self.check_doc_ids(restrict(plan, doc_ids))
        if allowed is not None:
            wanted = (frozenset(self.backend.documents) if wanted is None else wanted) & allowed
            if not wanted:
                return []
        reranker = self.reranker if mode == "hybrid" else None
        request = SearchRequest(
            text=plan.text,
            vector=self.query_vector(plan.text) if mode != "bm25" else None,
            k=max(k, POOL) if reranker else k,
            pool=max(self.settings.candidates, k),
            mode=mode,
            doc_ids=wanted,
            rrf_k=self.settings.rrf_k,
            weight_bm25=self.settings.weight_bm25,
            weight_dense=self.settings.weight_dense,
        )
        hits = self.backend.search(request)
        fused = {h.chunk.chunk_id: rank for rank, h in enumerate(hits, start=1)}
        final = reranker.rerank(plan.text, hits)[:k] if reranker else hits
        return [(h, fused[h.chunk.chunk_id]) for h in final]
