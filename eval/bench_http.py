"""Load test of POST /v1/ask over HTTP: closed-loop clients for a bounded time per level.

    python -m eval.bench_http --url http://127.0.0.1:8000 --levels 1,4,8,64,256 --duration 10

Each level runs that many concurrent clients for `--duration` seconds, then stops by
itself. `--questions distinct` (default) asks every gold question of eval/ once (about
1,500; start the server with QA_ANSWER_CACHE=0); `repeated` asks the bundled gold over
and over, as citizens repeat the common questions. Per level it prints one JSON line:
answers per second, latency percentiles of the answered requests, how many were shed
(429/503) and how fast, and how many failed or timed out. Start the server with
QA_RATE_LIMIT_PER_MINUTE=0, or the per-client limiter (correctly) turns a load test from
one address into 429s. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from eval.gold import GoldError, default_gold_files, load_gold

SHED = (429, 503)


def free_local_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Tally:
    answered: list[float] = field(default_factory=list)
    shed: list[float] = field(default_factory=list)
    failed: dict[str, int] = field(default_factory=dict)

    def record(self, status: int | str, ms: float) -> None:
        if status == 200:
            self.answered.append(ms)
        elif status in SHED:
            self.shed.append(ms)
        else:
            self.failed[str(status)] = self.failed.get(str(status), 0) + 1

    def summary(self, clients: int, seconds: float) -> dict[str, Any]:
        return {
            "clients": clients,
            "seconds": round(seconds, 1),
            "answered": len(self.answered),
            "answers_per_s": round(len(self.answered) / seconds, 1),
            "p50_ms": round(percentile(self.answered, 0.50), 1),
            "p95_ms": round(percentile(self.answered, 0.95), 1),
            "p99_ms": round(percentile(self.answered, 0.99), 1),
            "shed": len(self.shed),
            "shed_p95_ms": round(percentile(self.shed, 0.95), 1),
            "errors": self.failed,
        }


def distinct_questions(questions: list[str]) -> Iterator[str]:
    """Each question once, then each again with a case number unique to this run (the
    query differs, so no cache answers it): what a day of citizens' own wordings costs.
    Start the server with QA_ANSWER_CACHE=0 for these figures: the answer cache is shared
    by the workers and survives restarts, so an earlier run's answers would be hits."""
    yield from questions
    run = time.time_ns() % 1_000_000
    for n in itertools.count(1):
        for question in questions:
            yield f"{question.rstrip('？?')}（咨询编号{run}-{n}）"


def every_gold_question() -> list[str]:
    """Every distinct question of every gold set in eval/ (about 1,500), in file order."""
    found: dict[str, None] = {}
    for path in sorted(Path(__file__).resolve().parent.rglob("*.jsonl")):
        try:
            found.update((q.question, None) for q in load_gold(path))
        except GoldError:
            continue  # results and reports beside the gold are not questions
    return list(found)


def repeated(questions: list[str]) -> Iterator[str]:
    return itertools.cycle(questions)


async def client_loop(
    http: httpx.AsyncClient, questions: Iterator[str], until: float, tally: Tally
) -> None:
    while time.perf_counter() < until:
        question = next(questions, None)
        if question is None:
            return
        started = time.perf_counter()
        wait = 0.0
        try:
            response = await http.post("/v1/ask", json={"question": question})
            status: int | str = response.status_code
            wait = float(response.headers.get("retry-after", 0) or 0)
        except httpx.TimeoutException:
            status = "timeout"
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        tally.record(status, (time.perf_counter() - started) * 1000)
        if status in SHED:
            await asyncio.sleep(min(wait, 1.0))  # a well-behaved client honours Retry-After


async def run_level(url: str, questions: Iterator[str], clients: int, duration: float) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        until = time.perf_counter() + duration
        await asyncio.gather(*(client_loop(http, questions, until, tally) for _ in range(clients)))
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--levels", default="1,4,8,64,256", help="concurrent clients per level")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--gold", type=Path, action="append")
    parser.add_argument(
        "--questions",
        choices=["distinct", "repeated"],
        default="distinct",
        help="distinct: no question asked twice (no cache answers); repeated: the gold "
        "questions over and over, as citizens repeat the common ones",
    )
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    if args.gold:
        questions = [q.question for p in args.gold for q in load_gold(p)]
    elif args.questions == "distinct":
        questions = every_gold_question()
    else:
        questions = [q.question for p in default_gold_files() for q in load_gold(p)]
    asyncio.run(run_level(args.url, iter(["预热问题一", "预热问题二"]), 1, 0.5))  # not reported
    stream = distinct_questions(questions) if args.questions == "distinct" else repeated(questions)
    if args.questions == "repeated":
        # Each asked four times first, so that every worker process (each has its own
        # cache, and a request reaches any of them) has most likely answered it once.
        warm = iter(questions * 4)
        asyncio.run(run_level(args.url, warm, 4, float(len(questions))))
    for clients in levels:
        started = time.perf_counter()
        tally = asyncio.run(run_level(args.url, stream, clients, args.duration))
        seconds = time.perf_counter() - started
        print(json.dumps(tally.summary(clients, seconds), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
