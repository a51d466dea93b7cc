"""Internal document routes (X-API-Key): list, inspect, upload, delete.

A change is written to the search backend in a worker thread while queries keep being
answered from the old snapshot; the service then switches to the new version in one
reference swap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.deps import ApiKeyDep, ServiceState, StateDep
from corpus.loaders import CorpusError, doc_id_for, document_from_bytes, loader_for
from corpus.models import Document, DocumentMeta
from corpus.normalize import detect_script, strip_invisible
from index.backend import (
    BackendError,
    BackendUnavailableError,
    ChangeReport,
    DocumentExistsError,
    SearchBackend,
    UnknownDocumentError,
)
from index.store import WriterBusyError
from qa.answer import Answerer

router = APIRouter(prefix="/v1/documents", tags=["internal"])
_writer = threading.Lock()  # one index change at a time; queries are not blocked by it


def summary(doc: Document, chunks: int) -> dict[str, Any]:
    return {**asdict(doc.meta), "aliases": list(doc.meta.aliases), "chunks": chunks}


def backend_of(state: ServiceState) -> SearchBackend:
    return state.answerer.engine.backend


async def follow_published(state: ServiceState) -> None:
    """Catch up with a version another process published before answering from it."""

    def follow() -> None:
        with state.lock:
            state.follow_published()

    await run_in_threadpool(follow)


def change_documents(state: ServiceState, change: Callable[[SearchBackend], ChangeReport]) -> str:
    """Apply `change` to the store and switch the service to the version it published.
    One change at a time per process; the backend guards against other processes (the
    embedded one with its writer lock, which makes a second writer a 409 at once)."""
    if not _writer.acquire(blocking=False):
        raise HTTPException(409, "another document change is in progress; retry shortly")
    try:
        engine = state.answerer.engine
        try:
            change(engine.backend)
        except WriterBusyError as exc:
            raise HTTPException(409, "the index is being changed elsewhere; retry shortly") from exc
        except DocumentExistsError as exc:
            raise HTTPException(409, f"{exc}; delete it first to replace it") from exc
        except UnknownDocumentError as exc:
            raise HTTPException(404, str(exc)) from exc
        except BackendUnavailableError:
            raise  # 503 from the app's handler
        except BackendError as exc:
            raise HTTPException(400, str(exc)) from exc
        fresh = Answerer(engine.reopened())
        with state.lock:
            state.answerer = fresh
            state.seen_version = fresh.engine.backend.version
        return fresh.engine.backend.version
    finally:
        _writer.release()


@router.get("", summary="文档列表")
async def list_documents(state: StateDep, _key: ApiKeyDep) -> list[dict[str, Any]]:
    await follow_published(state)
    backend = backend_of(state)
    counts = backend.chunk_counts()
    return [summary(d, counts.get(d.doc_id, 0)) for d in backend.documents.values()]


@router.get("/{doc_id}", summary="文档详情：元数据、章节、段落数")
async def get_document(doc_id: str, state: StateDep, _key: ApiKeyDep) -> dict[str, Any]:
    await follow_published(state)
    backend = backend_of(state)
    doc = backend.documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id!r}")
    chunks = await run_in_threadpool(backend.chunks_of, doc_id)
    sections = list(dict.fromkeys(s for c in chunks if (s := c.section.display())))
    return {**summary(doc, len(chunks)), "sections": sections}


@router.post("", status_code=201, summary="上传文档（txt/md/html/docx/pdf）并发布新索引")
async def upload_document(
    state: StateDep,
    _key: ApiKeyDep,
    file: Annotated[UploadFile, File(description="文档文件")],
    doc_id: Annotated[str | None, Form(max_length=100, pattern=r"^[\w\-]+$")] = None,
    title: Annotated[str | None, Form(max_length=200)] = None,
    issuer: Annotated[str | None, Form(max_length=200)] = None,
    date: Annotated[str | None, Form(max_length=20, pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    doc_number: Annotated[str | None, Form(max_length=100)] = None,
) -> dict[str, Any]:
    # The client's file name only picks the loader and a default id; it is never a path.
    raw_name = file.filename or "upload.txt"
    if len(raw_name) > 255 or strip_invisible(raw_name) != raw_name:
        raise HTTPException(400, "file name has control characters or is over 255 characters")
    name = PurePath(raw_name.replace("\\", "/")).name
    try:
        loader_for(PurePath(name))
    except CorpusError as exc:
        raise HTTPException(415, str(exc)) from exc
    data = await file.read()
    try:
        new_id = doc_id or doc_id_for(PurePath(name))
        meta = DocumentMeta(new_id, title or PurePath(name).stem, issuer, date, doc_number)
        doc = document_from_bytes(data, name, meta)
    except CorpusError as exc:
        raise HTTPException(400, str(exc)) from exc
    doc = Document(
        DocumentMeta(new_id, meta.title, issuer, date, doc_number, detect_script(doc.text), name),
        doc.text,
    )

    generation = await run_in_threadpool(change_documents, state, lambda b: b.add([doc]))
    counts = backend_of(state).chunk_counts()
    return {**summary(doc, counts.get(doc.doc_id, 0)), "generation": generation}


@router.delete("/{doc_id}", summary="删除文档并发布新索引")
async def delete_document(doc_id: str, state: StateDep, _key: ApiKeyDep) -> dict[str, Any]:
    generation = await run_in_threadpool(change_documents, state, lambda b: b.delete([doc_id]))
    return {"deleted": doc_id, "generation": generation}
