"""Ingest throughput next to the raw embedder's on the same passages: how much of an
ingest is anything but embedding.

    python -m eval.bench_ingest [--documents 500]

Writes a knowledge base of `--documents` short entries (eval/synthetic.py, with its
five bad files), times the embedder alone on exactly the passages ingest will embed
(folded, as ingest embeds them, batches of 64), then `qa ingest` of the directory into
an empty data directory (no embedding cache), and prints one JSON line. A benchmark,
not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from corpus.bundled import load_corpus
from corpus.chunking import chunk_document
from corpus.normalize import fold
from eval.synthetic import write_bulk_corpus
from index.build import passage_text
from qa.engine import embedder_from, ingest
from qa.settings import Settings


def bulk_ingest(documents: int) -> dict[str, float]:
    """`qa ingest` of a knowledge base of `documents` entries and five bad files, next to
    the embedder alone on the same passages."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "kb"
        write_bulk_corpus(corpus, documents)
        settings = Settings().model_copy(update={"data_dir": Path(tmp) / "data"})
        embedder = embedder_from(settings)
        loaded = load_corpus([corpus]).documents
        chunks = [c for d in loaded for c in chunk_document(d, settings.chunk_max_chars)]
        texts = [fold(passage_text(c)) for c in chunks]
        started = time.perf_counter()
        for i in range(0, len(texts), 64):
            embedder.embed_passages(texts[i : i + 64])
        raw = len(texts) / (time.perf_counter() - started)
        started = time.perf_counter()
        result = ingest(settings, [corpus], embedder, strict=False)
        seconds = time.perf_counter() - started
    report = result.report
    return {
        "documents": report.documents,
        "skipped": len(result.skipped),
        "chunks": report.chunks,
        "embedded": report.embedded,
        "raw_embedder_chunks_per_s": round(raw, 1),
        "ingest_seconds": round(seconds, 1),
        "ingest_chunks_per_s": round(report.chunks / seconds, 1),
        "ingest_share_of_raw": round(report.chunks / seconds / raw, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    args = parser.parse_args(argv)
    print(json.dumps(bulk_ingest(args.documents)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
