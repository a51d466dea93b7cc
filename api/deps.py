"""Dependencies of the routes, as named Annotated aliases."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.limits import RateLimiter
from api.metrics import ServiceMetrics
from qa.feedback import FEEDBACK_FILE, FeedbackStore
from qa.service import QAService
from qa.settings import Settings


@dataclass
class ServiceState:
    """Built once at start-up: the question-answering service and what the web layer
    keeps beside it (rate limits, metrics, feedback, the admission count)."""

    settings: Settings
    qa: QAService
    limiter: RateLimiter = field(init=False)
    metrics: ServiceMetrics = field(init=False)
    feedback: FeedbackStore = field(init=False)
    # Questions admitted to the worker (waiting for the service or running); only
    # touched on the event loop, so no lock is needed around it.
    queued: int = 0

    def __post_init__(self) -> None:
        self.feedback = FeedbackStore(self.settings.data_dir / FEEDBACK_FILE)
        self.limiter = RateLimiter(
            self.settings.rate_limit_per_minute, self.settings.rate_limit_burst
        )
        self.metrics = ServiceMetrics()


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
