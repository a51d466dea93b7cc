"""Latency of POST /v1/ask over HTTP: sequential, then N concurrent clients.

    python -m eval.bench_http --url http://127.0.0.1:8000 --clients 8

Questions are the gold set's, each distinct. Start the server with
QA_RATE_LIMIT_PER_MINUTE=0, or the limiter (correctly) turns the load into 429s.
A benchmark, not a test: it asserts nothing and is not part of the suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from eval.gold import default_gold_files, load_gold


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed_ask(client: httpx.Client, url: str, question: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.post(f"{url}/v1/ask", json={"question": question}, timeout=60)
    return (time.perf_counter() - started) * 1000, response.status_code


def run(url: str, questions: list[str], clients: int) -> dict[str, float]:
    started = time.perf_counter()
    with httpx.Client() as client, ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda q: timed_ask(client, url, q), questions))
    wall = time.perf_counter() - started
    latencies = [ms for ms, _ in results]
    return {
        "clients": clients,
        "requests": len(results),
        "errors": sum(1 for _, status in results if status != 200),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "asks_per_s": round(len(results) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--gold", type=Path, action="append")
    args = parser.parse_args()
    questions = [q.question for p in args.gold or default_gold_files() for q in load_gold(p)]
    with httpx.Client() as client:  # warm the server: first requests load lazy state
        for question in questions[:5]:
            timed_ask(client, args.url, question)
    for clients in (1, args.clients):
        print(json.dumps(run(args.url, questions, clients), ensure_ascii=False))


if __name__ == "__main__":
    main()
