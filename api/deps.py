"""Dependencies of the routes, as named Annotated aliases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.keys import Caller, KeyStore
from api.limits import RateLimiter
from api.metrics import ServiceMetrics
from qa.feedback import FEEDBACK_FILE, FeedbackStore
from qa.questionlog import QUESTION_LOG_FILE, QuestionLog
from qa.service import QAService
from qa.settings import ROLES, Role, Settings


@dataclass
class ServiceState:
    """Built once at start-up: the question-answering service and what the web layer
    keeps beside it (rate limits, metrics, feedback, the question log, the keys, the
    admission count)."""

    settings: Settings
    qa: QAService
    limiter: RateLimiter = field(init=False)
    metrics: ServiceMetrics = field(init=False)
    feedback: FeedbackStore = field(init=False)
    questions: QuestionLog = field(init=False)
    keys: KeyStore = field(init=False)
    # Questions admitted to the worker (waiting for the service or running); only
    # touched on the event loop, so no lock is needed around it.
    queued: int = 0

    def __post_init__(self) -> None:
        data_dir = self.settings.data_dir
        self.feedback = FeedbackStore(data_dir / FEEDBACK_FILE)
        self.questions = QuestionLog(data_dir / QUESTION_LOG_FILE, self.settings.question_log)
        self.keys = KeyStore(self.settings)
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


def unauthorized() -> HTTPException:
    return HTTPException(
        401, "missing or invalid X-API-Key", headers={"WWW-Authenticate": "APIKey"}
    )


def identified(state: ServiceState, key: str | None) -> Caller | None:
    """Who holds `key`: None without one, 401 for a key no one holds."""
    if key is None:
        return None
    caller = state.keys.caller(key)
    if caller is None:
        raise unauthorized()
    return caller


async def key_holder(
    state: Annotated[ServiceState, Depends(get_state)],
    key: Annotated[str | None, Security(_api_key_header)],
) -> Caller | None:
    """For a public route that does more for a key holder (search with explain)."""
    return identified(state, key)


RoleCheck = Callable[..., Awaitable[Caller]]
ROLE_CHECKS: dict[Role, RoleCheck] = {}  # one dependency per role, so tests can find them


def require(role: Role) -> RoleCheck:
    """A dependency letting through keys of `role` or a higher one: 401 without a valid
    key, 403 for a key whose role is lower."""
    if role in ROLE_CHECKS:
        return ROLE_CHECKS[role]

    async def check(
        state: Annotated[ServiceState, Depends(get_state)],
        key: Annotated[str | None, Security(_api_key_header)],
    ) -> Caller:
        if not state.keys.enabled():
            raise HTTPException(503, "internal routes are disabled: set QA_API_KEYS")
        caller = identified(state, key)
        if caller is None:
            raise unauthorized()
        if ROLES.index(caller.role) < ROLES.index(role):
            raise HTTPException(
                403, f"this needs a {role} key or higher; yours is a {caller.role}'s"
            )
        return caller

    ROLE_CHECKS[role] = check
    return check


async def rate_limited(
    state: Annotated[ServiceState, Depends(get_state)], request: Request
) -> None:
    client = request.client.host if request.client else "unknown"
    wait = state.limiter.retry_after(client)
    if wait is not None:
        raise HTTPException(429, "too many requests; slow down", headers={"Retry-After": str(wait)})


StateDep = Annotated[ServiceState, Depends(get_state)]
RateLimitDep = Annotated[None, Depends(rate_limited)]
CallerDep = Annotated[Caller | None, Depends(key_holder)]
ViewerDep = Annotated[Caller, Depends(require("viewer"))]
EditorDep = Annotated[Caller, Depends(require("editor"))]
AdminDep = Annotated[Caller, Depends(require("admin"))]
