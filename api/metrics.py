"""Prometheus metrics on a registry of the app's own (no process-global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "qa_http_requests",
            "HTTP requests",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "qa_http_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.005, 0.01, 0.02, 0.04, 0.08, 0.1, 0.2, 0.5, 1, 2, 5),
            registry=self.registry,
        )
        self.refusals = Counter(
            "qa_refusals", "Refused questions", ["reason"], registry=self.registry
        )
        self.errors = Counter(
            "qa_http_errors",
            "Error responses by kind (validation, rate_limited, overloaded, internal, ...)",
            ["kind"],
            registry=self.registry,
        )
        self.documents = Gauge(
            "qa_index_documents", "Documents in the index", registry=self.registry
        )
        self.chunks = Gauge("qa_index_chunks", "Chunks in the index", registry=self.registry)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def render(self, documents: int, chunks: int) -> bytes:
        self.documents.set(documents)
        self.chunks.set(chunks)
        output: bytes = generate_latest(self.registry)
        return output
