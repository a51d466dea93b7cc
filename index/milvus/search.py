"""Hybrid search over a Milvus snapshot: BM25 over the sparse field and dense over our
query vector, fused by Milvus when both weigh the same, here when they do not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from corpus.models import Chunk
from corpus.normalize import fold
from index.backend import ScoredChunk, SearchRequest
from index.fusion import rrf_best, rrf_fuse
from index.milvus.reads import MilvusReads
from index.milvus.schema import quoted, translated

MAX_LIMIT = 16_384  # Milvus's largest top-k


def rrf_ranker(k: float) -> Any:
    from pymilvus import RRFRanker

    return RRFRanker(int(k))


class MilvusSearch(MilvusReads):
    def bm25_scores(self, text: str, chunks: Sequence[Chunk]) -> list[float | None]:
        """Milvus scores BM25 inside its hybrid search and reports only the fused score;
        the console shows the ranks."""
        return [None] * len(chunks)

    @translated
    def search(self, request: SearchRequest) -> list[ScoredChunk]:
        expr = ""
        if request.doc_ids is not None:
            expr = f"doc_id in [{', '.join(quoted(d) for d in sorted(request.doc_ids))}]"
        # Spare hits: rows of a replaced revision or a deleted document are dropped until
        # swept. Too few left (a large re-ingest moments ago): ask again for more.
        limit = 2 * request.k + 8
        while True:
            hits, rows = self.search_once(request, expr, limit)
            if len(hits) >= request.k or rows < limit or limit >= MAX_LIMIT:
                return hits[: request.k]
            limit = min(4 * limit, MAX_LIMIT)

    def search_once(
        self, request: SearchRequest, expr: str, limit: int
    ) -> tuple[list[ScoredChunk], int]:
        """The hits of this snapshot's revisions, and how many rows Milvus returned."""
        fields = ["doc_id", "rev", "payload"]
        requests = self.ann_requests(request, expr, max(request.pool, limit))
        hybrid = len(requests) == 2
        integral_k = request.rrf_k == int(request.rrf_k)  # RRFRanker takes an integer k
        if hybrid and request.weight_bm25 == request.weight_dense and integral_k:
            # Both retrievers equal: Milvus fuses server-side, as RRF ranks from 1.
            rows = self.client.hybrid_search(
                self.chunks_name,
                [self.ann_request(r) for r in requests],
                ranker=rrf_ranker(request.rrf_k),
                limit=limit,
                output_fields=fields,
            )[0]
            best = rrf_best([1.0, 1.0], request.rrf_k)
            scored = [(row["entity"], row.distance / best) for row in rows]
        else:
            scored = self.fused_client_side(request, requests, fields)[:limit]
        hits = []
        for entity, score in scored:
            chunk = self.chunk_from_row(entity)
            if chunk is not None:
                hits.append(ScoredChunk(chunk, round(min(score, 1.0), 4)))
        return hits, len(scored)

    def ann_requests(self, request: SearchRequest, expr: str, pool: int) -> list[dict[str, Any]]:
        """One search per retriever the mode uses: sparse over the folded text (Milvus
        analyses it with the field's jieba analyzer), dense over our query vector."""
        found = []
        if request.mode != "dense":
            found.append(
                {
                    "data": [fold(request.text)],
                    "anns_field": "sparse",
                    "metric": "BM25",
                    "limit": pool,
                    "expr": expr,
                    "weight": request.weight_bm25,
                }
            )
        if request.mode != "bm25":
            if request.vector is None:
                raise ValueError(f"{request.mode} search needs the query vector")
            found.append(
                {
                    "data": [request.vector[0].tolist()],
                    "anns_field": "dense",
                    "metric": "IP",
                    "limit": pool,
                    "expr": expr,
                    "weight": request.weight_dense,
                }
            )
        return found

    @staticmethod
    def ann_request(spec: Mapping[str, Any]) -> Any:
        from pymilvus import AnnSearchRequest

        return AnnSearchRequest(
            spec["data"],
            spec["anns_field"],
            {"metric_type": spec["metric"]},
            limit=spec["limit"],
            expr=spec["expr"] or None,
        )

    def fused_client_side(
        self, request: SearchRequest, specs: list[dict[str, Any]], fields: list[str]
    ) -> list[tuple[Mapping[str, Any], float]]:
        """One retriever, or unequal weights (RRFRanker has none): search each, fuse here
        with the same weighted RRF as the embedded backend."""
        entities: list[Mapping[str, Any]] = []
        ordinal: dict[str, int] = {}
        rankings: list[tuple[list[int], float]] = []
        for spec in specs:
            rows = self.client.search(
                self.chunks_name,
                data=spec["data"],
                anns_field=spec["anns_field"],
                search_params={"metric_type": spec["metric"]},
                limit=spec["limit"],
                filter=spec["expr"],
                output_fields=fields,
            )[0]
            ranking = []
            for row in rows:
                if row.id not in ordinal:
                    ordinal[row.id] = len(entities)
                    entities.append(row["entity"])
                ranking.append(ordinal[row.id])
            weight = spec["weight"] if len(specs) == 2 else 1.0
            rankings.append((ranking, weight))
        return [(entities[i], score) for i, score in rrf_fuse(rankings, request.rrf_k)]
