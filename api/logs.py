"""Structured JSON logs, one object per line, each carrying the id of the request it
belongs to; and the middleware that gives every request that id.

Nothing from request headers or bodies is logged except the method, the route and the
status: no API keys, no questions (citizens' questions may hold personal details).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str] = ContextVar("request_id", default="-")
log = logging.getLogger("api")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")

ERROR_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "rate_limited",
    503: "overloaded",
}


def error_kind(status: int) -> str | None:
    if status < 400:
        return None
    return ERROR_KINDS.get(status, "internal" if status >= 500 else "client_error")


class JsonFormatter(logging.Formatter):
    @staticmethod
    def converter(seconds: float | None) -> time.struct_time:  # UTC, marked Z below
        return time.gmtime(seconds)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            entry["error"] = f"{type(exc).__name__}: {exc}"
            cause = exc.__cause__ or exc.__context__
            if cause is not None:
                entry["cause"] = f"{type(cause).__name__}: {cause}"
            entry["stack"] = "".join(traceback.format_exception(exc)).rstrip()
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for our loggers, uvicorn's and the index store's alike."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class RequestContext:
    """Outermost middleware: a request id for every request (the caller's X-Request-ID
    when it is sane, else a new one), echoed in the response; one access line; latency
    and errors by kind in the metrics; an unhandled exception logged with its cause
    before it is re-raised to become a plain 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        offered = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = offered if _CLIENT_ID.match(offered) else uuid.uuid4().hex
        request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            status = 500
            fields = {"path": scope["path"]}
            log.exception("unhandled error", extra={"fields": fields, "request_id": rid})
            raise
        finally:
            self.record(scope, rid, status, time.perf_counter() - started)

    @staticmethod
    def record(scope: Scope, rid: str, status: int, seconds: float) -> None:
        # Templates, never raw paths, label the metrics: bounded cardinality.
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        fields = {
            "method": scope["method"],
            "route": route,
            "path": scope["path"],
            "status": status,
            "ms": round(seconds * 1000, 1),
        }
        kind = error_kind(status)
        service = getattr(scope["app"].state, "service", None) if "app" in scope else None
        if service is not None:
            service.metrics.observe(route, scope["method"], status, seconds)
            if kind:
                service.metrics.errors.labels(kind).inc()
        if kind:
            fields["error_kind"] = kind
        level = logging.ERROR if status >= 500 else logging.INFO
        log.log(level, "request", extra={"fields": fields, "request_id": rid})
