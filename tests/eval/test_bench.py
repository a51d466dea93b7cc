"""A small smoke run of `qa bench`: it measures, reports and charts, deterministically."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from corpus.chunking import chunk_document
from eval.bench import run_bench
from eval.synthetic import StandInEmbedder, synthetic_documents


def test_synthetic_corpus_is_deterministic_real_text() -> None:
    first, again = synthetic_documents(300), synthetic_documents(300)
    assert [d.text for d in first] == [d.text for d in again]
    chunks = [c for d in first for c in chunk_document(d, 300)]
    assert 300 <= len(chunks) <= 400  # at least what was asked for, one document over at most
    assert sum(bool(c.section.parts) for c in chunks) >= 0.95 * len(chunks)  # under 一、…
    assert any("技术" in c.text for c in chunks)


def test_stand_in_vectors_are_unit_and_repeatable() -> None:
    embedder = StandInEmbedder()
    vectors = embedder.embed_passages(["技术合同", "高新技术企业"])
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(vectors[0], embedder.embed_queries(["技术合同"])[0])


@pytest.mark.slow
def test_smoke_run_writes_table_json_and_chart(tmp_path: Path) -> None:
    report = run_bench([150], tmp_path, n_queries=8, real_max=0, with_service=False)
    size = report.sizes[0]
    assert size.vectors.startswith("stand-in") and 100 <= size.chunks <= 200
    for stage in ("bm25", "dense", "fusion", "retrieval", "answer_extraction"):
        assert size.stages[stage].n == 8 and size.stages[stage].p50 >= 0
    assert size.peer["retrieval"].n == 8 and size.load_seconds > 0
    saved = json.loads((tmp_path / "bench.json").read_text())
    assert (
        saved["sizes"][0]["stages"]["retrieval"]["p99"]
        >= saved["sizes"][0]["stages"]["retrieval"]["p50"]
    )
    table = (tmp_path / "bench.md").read_text()
    assert "peer retrieval" in table and "| target | measured | met |" in table
    assert (tmp_path / "bench.png").stat().st_size > 10_000


def test_bad_sizes_exit_2() -> None:
    command = [sys.executable, "-m", "qa.cli", "bench", "--sizes", "ten"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2 and "--sizes" in done.stderr


def test_a_million_chunks_is_judged_on_search_and_memory() -> None:
    """The 1M bars read the search stage and the memory with every BM25 page resident;
    a size without a peer (too big for rank-bm25) gives no peer comparison."""
    from eval.bench_report import BenchReport, Percentiles, SizeResult

    def stage(p50: float) -> Percentiles:
        return Percentiles(p50, p50 * 1.5, p50 * 2, 200)

    size = SizeResult(
        chunks=1_000_230,
        vectors="stand-in",
        build_seconds=1.0,
        load_seconds=1.0,
        rss_mb=1.0,
        bytes_per_chunk_beyond_vector=1500.0,
        bytes_per_chunk_beyond_vector_all_pages=2600.0,
        stages={"retrieval": stage(15.0), "search": stage(18.0)},
    )
    targets = {t: (measured, met) for t, measured, met in BenchReport("m", [size], None).targets()}
    assert targets["search p50 ≤ 20 ms (1,000,230 chunks, measured)"] == ("18.0 ms", True)
    memory = [t for t in targets if t.startswith("≤ 2.5 KB")]
    assert targets[memory[0]] == ("2.54 KB", False)
    assert not any("peer" in t for t in targets)
