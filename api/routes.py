"""Routes: short, each delegating to qa/ in a worker thread."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import CallerDep, RateLimitDep, ServiceState, StateDep
from api.models import (
    AskRequest,
    ChatChoice,
    ChatChoiceMessage,
    ChatRequest,
    ChatResponse,
    Readiness,
    SearchRequest,
)
from qa.conversation import Turn
from qa.models import AnswerResponse, SearchResponse

router = APIRouter()
T = TypeVar("T")


async def in_worker(state: ServiceState, work: Callable[[], T]) -> T:
    """CPU work (embedding, FAISS, BM25) runs off the event loop; the service takes
    one query at a time.

    Past `max_queue` admitted questions the service sheds load with an immediate 503: a
    queue that only grows makes every client wait until it times out."""
    if state.queued >= state.settings.max_queue:
        raise HTTPException(
            503, "the service is busy; retry in a moment", headers={"Retry-After": "1"}
        )
    state.queued += 1
    try:
        return await run_in_threadpool(work)
    finally:
        state.queued -= 1


async def answer_from_generation(
    state: ServiceState,
    question: str,
    doc_ids: list[str] | None,
    history: Sequence[Turn] = (),
    as_of: date | None = None,
) -> tuple[AnswerResponse, str]:

    def asked() -> tuple[AnswerResponse, str]:
        response, generation = state.qa.ask_versioned(question, doc_ids, None, history, as_of)
        state.questions.record(question, response)  # queued: written off the request
        return response, generation

    response, generation = await in_worker(state, asked)
    if response.refused:
        state.metrics.refusals.labels(response.reason or "unknown").inc()
    return response, generation


async def answer(
    state: ServiceState,
    question: str,
    doc_ids: list[str] | None,
    history: Sequence[Turn] = (),
    as_of: date | None = None,
) -> AnswerResponse:
    return (await answer_from_generation(state, question, doc_ids, history, as_of))[0]


@router.get("/healthz", tags=["ops"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["ops"])
async def readyz(state: StateDep) -> Readiness:
    stats = state.qa.stats()
    return Readiness(
        backend=stats.backend,
        generation=stats.version,
        documents=stats.documents,
        chunks=stats.chunks,
        embedder=stats.embedder,
    )


@router.get("/metrics", tags=["ops"], summary="Prometheus 指标", response_class=PlainTextResponse)
async def metrics(state: StateDep) -> Response:
    stats = state.qa.stats()
    body = state.metrics.render(stats.documents, stats.chunks)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/suggestions", tags=["public"], summary="推荐问题：由已载入文件的元数据生成")
async def suggestions(state: StateDep) -> dict[str, list[str]]:
    # Not rate limited: every widget load asks for it, and it reads metadata only.
    return {"suggestions": await run_in_threadpool(state.qa.suggestions)}


@router.post("/v1/ask", tags=["public"], summary="提问：简短答案、原文句子与引用")
async def ask(
    body: AskRequest, state: StateDep, _limit: RateLimitDep, http: Response
) -> AnswerResponse:
    response, generation = await answer_from_generation(
        state, body.question, body.doc_ids, body.turns(), body.as_of
    )
    http.headers["X-Index-Generation"] = generation  # which whole generation answered
    if body.top_k is not None:
        response.citations = response.citations[: body.top_k]
    return response


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/v1/ask/stream",
    tags=["public"],
    summary="提问（SSE）：先引用，后答案，最后完整对象",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE 事件流"}},
)
async def ask_stream(body: AskRequest, state: StateDep, _limit: RateLimitDep) -> StreamingResponse:
    response = await answer(state, body.question, body.doc_ids, body.turns(), body.as_of)

    def events() -> Iterator[str]:
        yield sse("citations", [c.model_dump() for c in response.citations])
        yield sse(
            "answer",
            {
                "answer": response.answer,
                "answer_kind": response.answer_kind,
                "sentence": response.sentence,
                "refused": response.refused,
                "reason": response.reason,
                "understood_as": response.understood_as,
                "carried": response.carried,
                "curated": response.curated,
                "curated_entry": (
                    response.curated_entry.model_dump() if response.curated_entry else None
                ),
                "not_in_force": (
                    response.not_in_force.model_dump() if response.not_in_force else None
                ),
            },
        )
        yield sse("done", response.model_dump())

    return StreamingResponse(events(), media_type="text/event-stream")


@router.post("/v1/search", tags=["public"], summary="检索：按相关度排序的原文段落")
async def search(
    body: SearchRequest, state: StateDep, _limit: RateLimitDep, caller: CallerDep
) -> SearchResponse:
    if body.explain:
        if caller is None:
            raise HTTPException(
                401,
                "explain: true needs an internal X-API-Key (viewer or higher)",
                headers={"WWW-Authenticate": "APIKey"},
            )
        return await in_worker(
            state, lambda: state.qa.explain(body.query, body.top_k, body.doc_ids, body.as_of)
        )
    return await in_worker(
        state, lambda: state.qa.search(body.query, body.top_k, body.doc_ids, None, body.as_of)
    )


def chat_content(response: AnswerResponse) -> str:
    """ "500亿元——《黑龙江省“十四五”科技创新规划》第一章 … > 三、发展目标"."""
    if response.refused or not response.citations:
        return "抱歉，现有政策文件中没有找到这个问题的答案。"
    source = response.citations[0]
    section = source.section.split(" > ")
    where = " ".join(part.split(" ")[0] for part in section[:-1]) + (
        " " if len(section) > 1 else ""
    )
    return f"{response.answer}——《{source.title}》{where}{section[-1]}"


@router.post(
    "/v1/chat/completions",
    tags=["openai"],
    summary="OpenAI 兼容的对话接口",
    # A StreamingResponse is returned as it is; the model documents the JSON form.
    response_model=ChatResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE"}},
)
async def chat_completions(
    body: ChatRequest, state: StateDep, _limit: RateLimitDep
) -> ChatResponse | StreamingResponse:
    question, history = body.conversation()
    if not question:
        raise HTTPException(422, "messages must contain a user message with text")
    response = await answer(state, question, None, history)
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    content = chat_content(response)
    if body.stream:
        return StreamingResponse(
            chat_chunks(completion_id, created, body.model, content, response),
            media_type="text/event-stream",
        )
    return ChatResponse(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[ChatChoice(message=ChatChoiceMessage(content=content))],
        usage={
            "prompt_tokens": len(question),
            "completion_tokens": len(content),
            "total_tokens": len(question) + len(content),
        },
        citations=response.citations,
    )


def chat_chunks(
    completion_id: str, created: int, model: str, content: str, response: AnswerResponse
) -> Iterator[str]:
    base = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
    }
    deltas: list[tuple[dict[str, Any], str | None]] = [
        ({"role": "assistant", "content": ""}, None),
        ({"content": content}, None),
        ({}, "stop"),
    ]
    for delta, finish in deltas:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if finish:
            chunk["citations"] = [c.model_dump() for c in response.citations]
        yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
