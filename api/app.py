"""The FastAPI application: built once per process around one loaded index."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.admin import router as admin_router
from api.console import router as console_router
from api.deps import ServiceState
from api.documents import router as documents_router
from api.logs import RequestContext, request_id
from api.routes import router
from api.widget import router as widget_router
from qa.errors import (
    BusyError,
    CuratedNotFoundError,
    DocumentConflictError,
    DocumentNotFoundError,
    InvalidCuratedError,
    InvalidDocumentError,
    QAError,
    ServiceUnavailableError,
    UnsupportedFormatError,
)
from qa.service import QAService
from qa.settings import Settings

# What each error of qa/ means to an HTTP client; the detail is the error's message.
# Not listed (IndexUnavailableError): a server-side fault, answered as a plain 500.
QA_ERROR_STATUS: dict[type[QAError], int] = {
    InvalidDocumentError: 400,
    UnsupportedFormatError: 415,
    DocumentNotFoundError: 404,
    DocumentConflictError: 409,
    BusyError: 409,
    InvalidCuratedError: 422,
    CuratedNotFoundError: 404,
}
Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


def api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, looking inside included routers (FastAPI wraps them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


class PathSet:
    """Path templates as the API schema names them ("/v1/documents/{doc_id}"), matched
    against request paths."""

    def __init__(self, templates: Iterable[str]) -> None:
        self.templates = frozenset(templates)
        self._patterns = [
            re.compile("[^/]+".join(re.escape(p) for p in re.split(r"\{[^}/]+\}", t)))
            for t in sorted(self.templates)
        ]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and any(p.fullmatch(path) for p in self._patterns)


FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def body_paths(app: FastAPI) -> tuple[PathSet, PathSet]:
    """The POST routes that take a JSON body, and those that take a form (uploads), read
    off the app's own OpenAPI schema, prefixes included: a new route cannot be forgotten
    in a hand-kept list. (A route left out of the schema is left out here too.)"""
    json_paths, form_paths = [], []
    for path, operations in app.openapi().get("paths", {}).items():
        media = operations.get("post", {}).get("requestBody", {}).get("content", {})
        if any(m in media for m in FORM_MEDIA):
            form_paths.append(path)
        elif "application/json" in media:
            json_paths.append(path)
    return PathSet(json_paths), PathSet(form_paths)


class BodyLimit:
    """413 for bodies over the cap, counted on the bytes actually received, so a chunked
    body without Content-Length is held to the same limit."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, max_upload_bytes: int, upload_paths: PathSet
    ) -> None:
        self.app = app
        self.max_json = max_bytes
        self.max_upload = max_upload_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and scope["path"] in self.upload_paths
        limit = self.max_upload if upload else self.max_json
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"").decode() or "0"
        if declared.isdigit() and int(declared) > limit:
            await self.reject(send, limit)
            return
        # Read the body here, up to the cap, and replay it: the app never sees more than
        # the limit, and an error raised mid-read cannot be turned into a 400 or a 500.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # disconnect: let the app see it
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await self.reject(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def reject(send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"request body over {limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def readable(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": readable(exc)}, status_code=422)


async def value_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=400)


def qa_error(status: int) -> Handler:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status)

    return handler


async def backend_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Milvus down or timing out is not the caller's fault and may pass: 503, retry."""
    logging.getLogger("api").error("search backend unavailable: %s", exc)
    detail = "the search backend is unavailable; retry shortly"
    return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "5"})


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """No stack trace, path or setting leaves the process: the log has them, under the
    request id the caller can quote."""
    body = {"detail": "internal error", "request_id": request_id.get()}
    return JSONResponse(body, status_code=500)


def json_only(json_paths: PathSet) -> Callable[[Request, Any], Awaitable[Any]]:
    async def middleware(request: Request, call_next: Any) -> Any:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        posted = request.method == "POST" and request.url.path in json_paths
        if posted and media != "application/json":
            return JSONResponse({"detail": "send application/json"}, status_code=415)
        return await call_next(request)

    return middleware


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}


def with_readable_errors(app: FastAPI) -> None:
    """Our 422 body is `{"detail": "question: ..."}` (see `readable`), not FastAPI's list
    of error objects: the published schema says so, so clients can trust it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
                schemas.pop("ValidationError", None)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_environment() -> FastAPI:
    """For `qa serve --workers N`: each worker process builds its own app from QA_*."""
    from api.logs import configure_logging

    configure_logging("info")
    return create_app(Settings())


def create_app(settings: Settings, service: QAService | None = None) -> FastAPI:
    """`service` lets tests share one; otherwise the index loads at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not hasattr(app.state, "service"):
            app.state.service = ServiceState(settings, QAService(settings))
        yield

    app = FastAPI(
        title="政策问答 API",
        description="政策文件问答：答案、原文句子与可点击的引用。",
        version="0.1.0",
        lifespan=lifespan,
    )
    if service is not None:
        app.state.service = ServiceState(settings, service)
    app.include_router(router)
    app.include_router(documents_router)
    app.include_router(widget_router)
    app.include_router(admin_router)
    app.include_router(console_router)
    with_readable_errors(app)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ValueError, value_error)
    for error, status in QA_ERROR_STATUS.items():
        app.add_exception_handler(error, qa_error(status))
    app.add_exception_handler(ServiceUnavailableError, backend_unavailable)
    app.add_exception_handler(Exception, internal_error)
    json_paths, form_paths = body_paths(app)
    app.middleware("http")(json_only(json_paths))
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=False,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key"],
            expose_headers=["Retry-After"],  # so the widget can say how long to wait
        )
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        upload_paths=form_paths,
    )
    app.add_middleware(RequestContext)  # outermost: even a 413 gets an id, a log line, metrics
    return app
