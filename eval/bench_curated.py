"""What curated answers (问答对) cost every other question: `QAService.ask` of the gold
questions with no entries, and with `--entries` of them (statements citing the first
passages of the loaded documents, worded unlike any gold question), on a copy of
QA_DATA_DIR so the real store is untouched.

    python -m eval.bench_curated [--gold eval/gold/questions.jsonl] [--entries 200]

Timed warm, alternating the two services, with the query-vector cache emptied before
each ask (the entries' own vectors stay cached, as they do in a server). Prints one
JSON line with p50 and p95 of each. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from eval.bench_history import percentile
from eval.gold import load_gold
from qa.curated import CuratedDraft
from qa.service import QAService
from qa.settings import Settings

GOLD = Path(__file__).resolve().parent / "gold" / "questions.jsonl"


def heading(section: str, n: int) -> str:
    """The section's own last heading, without its number: entries that read like real
    ones, so the matcher embeds them and compares, not merely skips them."""
    last = section.split(" > ")[-1] if section else ""
    return last.split("、", 1)[-1][:20] or f"事项{'甲乙丙丁戊'[n % 5]}"


def with_entries(settings: Settings, count: int) -> QAService:
    service = QAService(settings, follow=False)
    engine = service._answerer.engine
    chunks = [c for d in engine.backend.documents for c in engine.backend.chunks_of(d)]
    for n, chunk in enumerate(chunks[:count]):
        draft = CuratedDraft(
            question=f"{heading(chunk.section.display(), n)}的便民办理说明在哪里看",
            answer="请咨询当地政务服务中心。",
            doc_id=chunk.doc_id,
            start=chunk.start,
            end=chunk.end,
            statement=True,
            author="基准",
            expires_on=date.today() + timedelta(days=30),
        )
        service.save_curated(draft)
    return service


def timed(service: QAService, question: str) -> float:
    service._answerer.engine.retriever.query_vectors.clear()
    started = time.perf_counter()
    service.ask(question)
    return (time.perf_counter() - started) * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    source = Settings(answer_cache=0)  # the second round is computed again, not cached
    questions = [q.question for q in load_gold(args.gold)]
    with tempfile.TemporaryDirectory() as tmp:
        bare_dir, curated_dir = Path(tmp) / "bare", Path(tmp) / "curated"
        for copy in (bare_dir, curated_dir):
            shutil.copytree(source.data_dir, copy)
        bare = QAService(source.model_copy(update={"data_dir": bare_dir}), follow=False)
        curated = with_entries(source.model_copy(update={"data_dir": curated_dir}), args.entries)
        times: dict[str, list[float]] = {"none": [], "curated": []}
        for n in range(args.rounds):
            for question in questions:
                pair = [("none", bare), ("curated", curated)]
                for name, service in pair if n % 2 == 0 else pair[::-1]:
                    times[name].append(timed(service, question))
        entries = len(curated.curated_entries())
    result: dict[str, float] = {"questions": len(questions), "entries": entries}
    for name, values in times.items():
        result[f"{name}_p50_ms"] = percentile(values, 0.5)
        result[f"{name}_p95_ms"] = percentile(values, 0.95)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
