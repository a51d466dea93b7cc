"""The citizens' chat widget: its static files and the small routes only it needs
(display conversion between scripts, 👍/👎 feedback)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse

from api.deps import RateLimitDep, StateDep, ViewerDep
from api.models import (
    ConvertRequest,
    ConvertResponse,
    FeedbackItem,
    FeedbackList,
    FeedbackReceipt,
    FeedbackRequest,
)
from qa.feedback import FeedbackEntry, Rating
from qa.text import for_display

STATIC_DIR = Path(__file__).parent / "static"
WIDGET_DIR = STATIC_DIR / "widget"

# The standalone page loads only its own script and style and talks only to its own
# origin: a passage that somehow became markup still could not run or phone home.
WIDGET_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)

router = APIRouter()


@router.get("/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    # Embedding pages load it cross-origin; it must be cacheable but not forever, so a
    # fix reaches every portal within the hour.
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/widget", include_in_schema=False)
async def widget_redirect() -> RedirectResponse:
    return RedirectResponse("/widget/", status_code=308)


@router.get("/widget/", include_in_schema=False)
async def widget_page() -> FileResponse:
    return FileResponse(
        WIDGET_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": WIDGET_CSP, "X-Content-Type-Options": "nosniff"},
    )


@router.post("/v1/convert", tags=["widget"], summary="简繁转换（仅用于显示，保留原文用词）")
async def convert(body: ConvertRequest, _limit: RateLimitDep) -> ConvertResponse:
    texts = await run_in_threadpool(lambda: [for_display(t, body.to) for t in body.texts])
    return ConvertResponse(to=body.to, texts=texts)


@router.post(
    "/v1/feedback", tags=["widget"], summary="对答案的评价（👍/👎），供人工复核", status_code=201
)
async def feedback(body: FeedbackRequest, state: StateDep, _limit: RateLimitDep) -> FeedbackReceipt:
    entry = FeedbackEntry(**body.model_dump())
    stored = await run_in_threadpool(state.feedback.record, entry)
    return FeedbackReceipt(id=stored.id, created_at=stored.created_at)


@router.get("/v1/feedback", tags=["internal"], summary="最近的评价（需 X-API-Key）")
async def feedback_list(
    state: StateDep,
    _key: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    rating: Rating | None = None,
) -> FeedbackList:
    items = await run_in_threadpool(state.feedback.recent, limit, rating)
    counts = await run_in_threadpool(state.feedback.counts)
    return FeedbackList(counts=counts, items=[FeedbackItem(**asdict(i)) for i in items])
