"""Chunks to an in-memory hybrid index: BM25 tokens, vectors, FAISS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import faiss
import numpy as np

from corpus.models import Chunk, Document
from corpus.normalize import fold
from index.bm25 import SparseBM25Scorer
from index.cache import EmbeddingCache, EmbedStats, embed_passages_cached
from index.embedders import Embedder, FloatMatrix
from index.tokenize import Tokenizer


def passage_text(chunk: Chunk) -> str:
    """What retrieval matches a chunk on: its heading, its table header, its text.

    A table row alone ("6 技术合同成交额（亿元） 267.8 500") cannot say which figure is
    the 2025 target; read against its header it can. The heading lets "数位技术的牵头单位"
    find the note at the end of that task. Users are shown `chunk.text` only.
    """
    parts = [chunk.section.innermost]
    if chunk.table is not None:
        parts.append(chunk.table.title or "")
        parts.append(chunk.table.reading())
    else:
        parts.append(chunk.text)
    return "\n".join(p for p in parts if p)


def flat_ip_index(vectors: FloatMatrix, dim: int) -> faiss.IndexIDMap:
    """FAISS IndexIDMap(IndexFlatIP): ids are chunk ordinals, vectors are unit length."""
    index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
    if len(vectors):
        ids = np.arange(len(vectors), dtype=np.int64)
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    return index


@dataclass
class HybridIndex:
    """Everything a query needs, in memory. Chunk ordinal i is FAISS id i and BM25 row i."""

    documents: dict[str, Document]
    chunks: list[Chunk]
    bm25: SparseBM25Scorer
    dense: faiss.Index
    embedder_name: str
    dim: int
    generation: str = ""  # the published generation it was loaded from, if any


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    embed: EmbedStats


def build_index(
    documents: list[Document],
    chunks: list[Chunk],
    embedder: Embedder,
    tokenizer: Tokenizer,
    cache: EmbeddingCache,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[HybridIndex, BuildReport]:
    if not chunks:
        raise ValueError("nothing to index: the documents produced no chunks")
    texts = [passage_text(c) for c in chunks]
    tokens = [tokenizer.tokenize(t) for t in texts]
    vectors, stats = embed_passages_cached(
        embedder, [fold(t) for t in texts], cache, on_progress=on_progress
    )
    index = HybridIndex(
        documents={d.doc_id: d for d in documents},
        chunks=chunks,
        bm25=SparseBM25Scorer.build(tokens),
        dense=flat_ip_index(vectors, embedder.dim),
        embedder_name=embedder.name,
        dim=embedder.dim,
    )
    return index, BuildReport(documents=len(documents), chunks=len(chunks), embed=stats)
