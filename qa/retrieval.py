"""Hybrid retrieval: BM25 and dense candidates, fused by weighted reciprocal rank."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

from corpus.models import Chunk
from corpus.normalize import fold
from index.bm25 import FloatArray
from index.build import HybridIndex
from index.embedders import Embedder, FloatMatrix
from index.tokenize import Tokenizer
from qa.query import QueryPlan, names_by_document, plan_query, restrict
from qa.settings import RetrievalMode, Settings

BoolArray = npt.NDArray[np.bool_]
QUERY_CACHE_SIZE = 2048


@dataclass(frozen=True)
class ScoredChunk:
    chunk: Chunk
    score: float  # fused, scaled to [0, 1]: 1 = first in every retriever used
    bm25_rank: int | None = None
    dense_rank: int | None = None


def top_ranked(scores: FloatArray, allowed: BoolArray | None, n: int) -> list[int]:
    """Indices of the `n` best positive scores (ties by index), within `allowed`."""
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0).astype(np.float32)
    positive = np.flatnonzero(scores > 0)
    if len(positive) > n:
        # Sorting every match costs milliseconds at 100k chunks: keep those at or above
        # the n-th best score (ties included, so the tie order below stays by index).
        nth = np.partition(scores[positive], len(positive) - n)[len(positive) - n]
        positive = positive[scores[positive] >= nth]
    if len(positive) == 0:
        return []
    order = np.lexsort((positive, -scores[positive]))
    return [int(i) for i in positive[order][:n]]


def rrf_fuse(rankings: Sequence[tuple[list[int], float]], k: float) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank), rank from 1.

    Returns (id, score) best first; scores scaled by the best attainable total so that
    1.0 means "first everywhere". Ties break by id, so results are deterministic.
    """
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    best = sum(weight for _, weight in rankings) / (k + 1)
    ordered = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(item, score / best) for item, score in ordered]


class HybridRetriever:
    """Stateless over a loaded index; one instance serves many queries."""

    def __init__(
        self, index: HybridIndex, embedder: Embedder, tokenizer: Tokenizer, settings: Settings
    ) -> None:
        if index.embedder_name != embedder.name:
            raise ValueError(
                f"index embedder {index.embedder_name!r} differs from {embedder.name!r}"
            )
        self.index = index
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.settings = settings
        metas = {doc_id: doc.meta for doc_id, doc in index.documents.items()}
        self.doc_names = names_by_document(metas)
        ordinal = {doc_id: i for i, doc_id in enumerate(index.documents)}
        # Chunk -> document ordinal, once: a document filter is then one vector compare.
        self.chunk_doc = np.array([ordinal[c.doc_id] for c in index.chunks], dtype=np.int32)
        self.doc_ordinal = ordinal
        self._vectors: OrderedDict[str, FloatMatrix] = OrderedDict()

    def plan(self, query: str) -> QueryPlan:
        """The query's matching text and the documents it names."""
        return plan_query(query, self.doc_names)

    def doc_mask(self, doc_ids: Sequence[str] | None) -> BoolArray | None:
        if not doc_ids:
            return None
        unknown = set(doc_ids) - set(self.index.documents)
        if unknown:
            known = ", ".join(sorted(self.index.documents))
            raise ValueError(
                f"unknown document id(s): {', '.join(sorted(unknown))}; known: {known}"
            )
        wanted = [self.doc_ordinal[d] for d in set(doc_ids)]
        mask: BoolArray = np.isin(self.chunk_doc, wanted)
        return mask

    def bm25_ranking(self, query: str, allowed: BoolArray | None, n: int) -> list[int]:
        scores = self.index.bm25.scores(self.tokenizer.tokenize(query))
        return top_ranked(scores, allowed, n)

    def query_vector(self, query: str) -> FloatMatrix:
        """The query's embedding, from a small LRU: citizens ask the same questions again
        and again, and the embedding is most of the cost of an answer (17 of 23 ms)."""
        key = fold(query)
        vector = self._vectors.get(key)
        if vector is None:
            vector = self.embedder.embed_queries([key])
            if len(self._vectors) >= QUERY_CACHE_SIZE:
                self._vectors.popitem(last=False)
            self._vectors[key] = vector
        else:
            self._vectors.move_to_end(key)
        return vector

    def dense_ranking(self, query: str, allowed: BoolArray | None, n: int) -> list[int]:
        vector = self.query_vector(query)
        params = None
        if allowed is not None:
            ids = np.flatnonzero(allowed).astype(np.int64)
            selector = faiss.IDSelectorBatch(ids)  # kept referenced until the search ends
            params = faiss.SearchParameters()
            params.sel = selector
            n = min(n, len(ids))
        n = min(n, self.index.dense.ntotal)
        if n == 0:
            return []
        _, ids_found = self.index.dense.search(vector, n, params=params)
        return [int(i) for i in ids_found[0] if i >= 0]

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: RetrievalMode | None = None,
    ) -> list[ScoredChunk]:
        if not query.strip():
            raise ValueError("query is empty")
        k = k or self.settings.top_k
        mode = mode or self.settings.mode
        plan = self.plan(query)
        allowed = self.doc_mask(restrict(plan, doc_ids))
        pool = max(self.settings.candidates, k)
        bm25 = self.bm25_ranking(plan.text, allowed, pool) if mode != "dense" else []
        dense = self.dense_ranking(plan.text, allowed, pool) if mode != "bm25" else []
        rankings: list[tuple[list[int], float]] = []
        if mode != "dense":
            rankings.append((bm25, self.settings.weight_bm25 if mode == "hybrid" else 1.0))
        if mode != "bm25":
            rankings.append((dense, self.settings.weight_dense if mode == "hybrid" else 1.0))
        bm25_rank = {item: r for r, item in enumerate(bm25, start=1)}
        dense_rank = {item: r for r, item in enumerate(dense, start=1)}
        return [
            ScoredChunk(
                chunk=self.index.chunks[item],
                score=round(score, 4),
                bm25_rank=bm25_rank.get(item),
                dense_rank=dense_rank.get(item),
            )
            for item, score in rrf_fuse(rankings, self.settings.rrf_k)[:k]
        ]
