"""What a conversation costs: `qa ask` of each follow-up with its history, against the
standalone question it was understood as, asked alone.

    python -m eval.bench_history [--gold eval/dialogues/dev.jsonl] [--rounds 5]

Both are timed warm, in alternating order, with the query-vector cache emptied before
each ask (a follow-up's standalone text is new to the cache, as a citizen's would be).
Prints one JSON line: p50 and p95 of each and of their difference. A benchmark, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from eval.gold import load_gold
from qa.conversation import Turn
from qa.service import QAService
from qa.settings import Settings

DIALOGUES = Path(__file__).resolve().parent / "dialogues" / "dev.jsonl"


def timed(ask: Callable[[], object], clear: Callable[[], None]) -> float:
    clear()
    started = time.perf_counter()
    ask()
    return (time.perf_counter() - started) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=DIALOGUES)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    service = QAService(Settings(answer_cache=0), follow=False)  # repeats are computed
    clear = service._answerer.engine.retriever.query_vectors.clear
    cases: list[tuple[str, list[Turn], str]] = []
    history: dict[str, list[Turn]] = {}
    for q in load_gold(args.gold):
        turns = history.setdefault(q.dialogue or q.id, [])
        response = service.ask(q.question, history=turns if q.follow_up else ())
        if q.follow_up:
            cases.append((q.question, list(turns), response.understood_as or q.question))
        cited = response.citations[0].doc_id if response.citations and response.answer else None
        turns.append(Turn(q.question, response.answer, cited))
    with_history: list[float] = []
    alone: list[float] = []
    for n in range(args.rounds):
        for question, turns, standalone in cases:
            asks: list[Callable[[], object]] = [
                lambda q=question, t=turns: service.ask(q, history=t),  # type: ignore[misc]
                lambda s=standalone: service.ask(s),  # type: ignore[misc]
            ]
            order = (0, 1) if n % 2 == 0 else (1, 0)  # neither always warms the other
            times = {i: timed(asks[i], clear) for i in order}
            with_history.append(times[0])
            alone.append(times[1])
    extra = [w - a for w, a in zip(with_history, alone, strict=True)]
    print(
        json.dumps(
            {
                "follow_ups": len(cases),
                "asks": len(with_history),
                "with_history_p50_ms": percentile(with_history, 0.5),
                "alone_p50_ms": percentile(alone, 0.5),
                "added_p50_ms": round(statistics.median(extra), 2),
                "with_history_p95_ms": percentile(with_history, 0.95),
                "alone_p95_ms": percentile(alone, 0.95),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
