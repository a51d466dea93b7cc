"""Retrieval testing (检索测试): why each passage ranked where it did and which rule
answered, for staff and for `POST /v1/search` with `explain: true`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from corpus.normalize import fold, fold_aligned
from index.build import passage_text
from index.embedders import unit_rows
from qa.answer import Answerer
from qa.models import (
    AnswerExplanation,
    AnswerResponse,
    PassageExplanation,
    SearchExplanation,
    SearchResponse,
)
from qa.query import QueryPlan
from qa.question import Question
from qa.retrieval import Scope, ScoredChunk
from qa.settings import RetrievalMode


def matched_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Every occurrence of each term in `text`, merged where they overlap."""
    folded = fold_aligned(text)
    spans = []
    for term in terms:
        needle = fold_aligned(term)
        at = folded.find(needle)
        while needle and at >= 0:
            spans.append((at, at + len(needle)))
            at = folded.find(needle, at + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def explain_passages(
    answerer: Answerer, plan: QueryPlan, ranked: Sequence[tuple[ScoredChunk, int]]
) -> tuple[list[str], list[PassageExplanation]]:
    engine = answerer.engine
    retriever = engine.retriever
    terms = list(dict.fromkeys(t for t in retriever.tokenizer.tokenize(plan.text) if t.strip()))
    chunks = [hit.chunk for hit, _ in ranked]
    bm25 = engine.backend.bm25_scores(plan.text, chunks)
    dense: list[float | None] = [None] * len(chunks)
    if chunks:
        passages = unit_rows(
            engine.embedder.embed_passages([fold(passage_text(c)) for c in chunks])
        )
        question = unit_rows(retriever.query_vector(plan.text))[0]
        dense = [round(float(s), 4) for s in np.asarray(passages @ question)]
    explained = []
    for rank, ((hit, fused), bm25_score, dense_score) in enumerate(
        zip(ranked, bm25, dense, strict=True), start=1
    ):
        held = set(retriever.tokenizer.tokenize(passage_text(hit.chunk)))
        matched = [t for t in terms if t in held]
        explained.append(
            PassageExplanation(
                rank=rank,
                fused_rank=fused,
                bm25_rank=hit.bm25_rank,
                dense_rank=hit.dense_rank,
                bm25_score=bm25_score,
                dense_score=dense_score,
                matched_terms=matched,
                matched_spans=matched_spans(hit.chunk.text, matched),
            )
        )
    return terms, explained


def answer_rule(
    answerer: Answerer, parsed: Question, scope: Scope, response: AnswerResponse
) -> str:
    if response.curated:
        return "curated"
    if response.refused:
        return f"refused:{response.reason}"
    if response.answer_parts:
        return "two_part"
    read = answerer.read(parsed, scope)
    found = read.found
    if found is None:
        return str(response.answer_kind)  # a follow-up or a restated figure answered it
    if found.kind is not None:
        return f"excerpt:{found.kind}"
    chunk = found.chunk or read.evidence.hits[found.hit].chunk
    return f"{parsed.kind.value}:{'table' if chunk.table else 'sentence'}"


def explain_search(
    answerer: Answerer,
    response: AnswerResponse,
    query: str,
    k: int | None,
    doc_ids: Sequence[str] | None,
    mode: RetrievalMode | None,
    as_of: date | None,
) -> SearchResponse:
    """The search results with why each ranked where it did, and how `response` (the
    answer to the query asked as a question) was produced."""
    engine = answerer.engine
    scope = Scope(doc_ids, engine.in_force(as_of or date.today()))
    plan = engine.retriever.plan(query)
    ranked = engine.retriever.ranked(plan, k, doc_ids, mode, scope.allowed)
    results = engine.cite([h for h, _ in ranked])
    terms, passages = explain_passages(answerer, plan, ranked)
    parsed = answerer.parser.parse(query)
    answer = AnswerExplanation(
        question_kind=parsed.kind.value,
        keywords=list(parsed.keywords),
        rule=answer_rule(answerer, parsed, scope, response),
        answer=response.answer,
        answer_kind=response.answer_kind,
        refused=response.refused,
        reason=response.reason,
        curated=response.curated,
    )
    return SearchResponse(
        query=query,
        results=results,
        explain=SearchExplanation(query_terms=terms, passages=passages, answer=answer),
    )
