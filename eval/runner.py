"""Runs gold questions through the same path as `qa ask` and writes one result row each.

A row is the answer object plus `id`, the gold it was scored against and its scores;
every metric in a report is computed from these rows alone (eval/metrics.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from corpus.normalize import fold_compact
from eval.gold import GoldQuestion
from eval.metrics import Row
from eval.retrieval import is_relevant
from qa.conversation import Turn
from qa.extract.passages import is_grounded
from qa.models import AnswerResponse
from qa.service import QAService
from qa.settings import RetrievalMode

MODES: tuple[RetrievalMode, ...] = ("bm25", "dense", "hybrid")
RETRIEVAL_DEPTH = 10


def relevance(
    service: QAService, q: GoldQuestion, mode: RetrievalMode, query: str | None = None
) -> list[bool]:
    """Whether each of the top passages holds the evidence, for `query` (a follow-up's
    standalone question) or the question itself."""
    if not q.evidence:
        return []
    hits = service.search(query or q.question, k=RETRIEVAL_DEPTH, mode=mode).results
    return [is_relevant(hit.text, q.evidence) for hit in hits]


def grounded(response: AnswerResponse) -> bool:
    """The grounding rule: the answer is in its first citation; a two-part answer's parts
    are each in their own."""
    if response.answer is None:
        return True
    if response.answer_parts:
        return all(is_grounded(p.answer, p.citation.text) for p in response.answer_parts)
    first = response.citations[0].text if response.citations else ""
    return is_grounded(response.answer, first)


def holds(got: str, accepted: str) -> bool:
    """`accepted` is in the answer as a whole figure: 200 is not in 2000名, 1.6万 not in
    11.6万; words match anywhere."""
    for match in re.finditer(re.escape(accepted), got):
        before = got[match.start() - 1 : match.start()]
        after = got[match.end() : match.end() + 2]
        cut_before = accepted[:1].isdigit() and (before.isdigit() or before == ".")
        cut_after = accepted[-1:].isdigit() and bool(re.match(r"\d|\.\d", after))
        if not (cut_before or cut_after):
            return True
    return False


def score_answer(q: GoldQuestion, response: AnswerResponse) -> dict[str, bool]:
    answer = response.answer
    first_citation = response.citations[0].text if response.citations else ""
    accepted = [fold_compact(a) for a in q.answers or []]
    got = fold_compact(answer or "")
    return {
        "correct": bool(answer) and any(holds(got, a) for a in accepted),
        "exact": bool(answer) and got in accepted,
        "grounded": grounded(response),
        "citation_ok": bool(q.evidence) and is_relevant(first_citation, q.evidence or []),
    }


def run_question(
    service: QAService, q: GoldQuestion, mode: RetrievalMode, history: Sequence[Turn] = ()
) -> Row:
    response = service.ask(q.question, mode=mode, history=history)
    row: dict[str, Any] = {
        "id": q.id,
        "type": q.type,
        "graded": q.graded,
        "expected": q.answers or [],
        "expected_kind": q.kind,
        "evidence": q.evidence or [],
        **response.model_dump(),
    }
    if q.dialogue is not None:
        row |= {"dialogue": q.dialogue, "turn": q.turn, "standalone": q.standalone}
    if q.graded:
        query = response.understood_as
        by_mode = {m: relevance(service, q, m, query) for m in MODES}
        row["scores"] = {
            "relevance": by_mode[mode],
            "relevance_by_mode": by_mode,
            **score_answer(q, response),
        }
    return row


def run_gold(
    service: QAService,
    questions: Sequence[GoldQuestion],
    mode: RetrievalMode = "hybrid",
    on_step: Callable[[], None] | None = None,
) -> list[Row]:
    """Every question; a dialogue's turns each with the turns before it as history, the
    answers in it being the engine's own, as a widget would send them."""
    rows = []
    histories: dict[str, list[Turn]] = {}
    for q in questions:
        history = histories.setdefault(q.dialogue, []) if q.dialogue is not None else []
        row = run_question(service, q, mode, history if q.follow_up else ())
        rows.append(row)
        if q.dialogue is not None:
            cited = row["citations"][0]["doc_id"] if row["citations"] and row["answer"] else None
            history.append(Turn(q.question, row["answer"], cited))
        if on_step:
            on_step()
    return rows
