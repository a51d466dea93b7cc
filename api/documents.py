"""Internal document routes (X-API-Key): list, inspect, upload, delete.

A change builds and publishes a new index generation in a worker thread while queries
keep being answered from the old one; the service then switches to the new generation
in one reference swap.
"""

from __future__ import annotations

import threading
from collections import Counter
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
from index.store import WriterBusyError, ingest_lock
from qa.answer import Answerer
from qa.engine import SearchEngine, publish_documents

router = APIRouter(prefix="/v1/documents", tags=["internal"])
DocumentEdit = Callable[[dict[str, Document]], list[Document]]
_writer = threading.Lock()  # one index change at a time; queries are not blocked by it


def chunk_counts(state: ServiceState) -> Counter[str]:
    return Counter(c.doc_id for c in state.answerer.engine.retriever.index.chunks)


def summary(doc: Document, chunks: int) -> dict[str, Any]:
    return {**asdict(doc.meta), "aliases": list(doc.meta.aliases), "chunks": chunks}


def documents_of(state: ServiceState) -> dict[str, Document]:
    return state.answerer.engine.retriever.index.documents


async def follow_published(state: ServiceState) -> None:
    """Catch up with a generation another process published before answering from it."""

    def follow() -> None:
        with state.lock:
            state.follow_published()

    await run_in_threadpool(follow)


def change_documents(
    state: ServiceState, edit: Callable[[dict[str, Document]], list[Document]]
) -> str:
    """Apply `edit` to the current documents, publish the result as a new generation and
    switch the service to it. One change at a time: a second writer gets 409 at once
    rather than building on a set of documents that is about to be replaced."""
    if not _writer.acquire(blocking=False):
        raise HTTPException(409, "another document change is in progress; retry shortly")
    try:
        try:
            # The cross-process lock spans read, edit and publish: a sibling worker or a
            # `qa ingest` cannot publish in between and have its change overwritten.
            with ingest_lock(state.settings.data_dir):
                with state.lock:
                    state.follow_published()
                    engine = state.answerer.engine
                documents = edit(dict(engine.retriever.index.documents))
                publish_documents(
                    state.settings, documents, embedder=engine.embedder, lock_held=True
                )
        except WriterBusyError as exc:  # only the lock raises it: publish does not relock
            raise HTTPException(409, "the index is being changed elsewhere; retry shortly") from exc
        fresh = Answerer(SearchEngine(state.settings, embedder=engine.embedder))
        with state.lock:
            state.answerer = fresh
            state.seen_pointer = fresh.engine.retriever.index.generation
        return fresh.engine.retriever.index.generation
    finally:
        _writer.release()


@router.get("", summary="文档列表")
async def list_documents(state: StateDep, _key: ApiKeyDep) -> list[dict[str, Any]]:
    await follow_published(state)
    counts = chunk_counts(state)  # one pass over the chunks, not one per document
    return [summary(d, counts[d.doc_id]) for d in documents_of(state).values()]


@router.get("/{doc_id}", summary="文档详情：元数据、章节、段落数")
async def get_document(doc_id: str, state: StateDep, _key: ApiKeyDep) -> dict[str, Any]:
    await follow_published(state)
    doc = documents_of(state).get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no document {doc_id!r}")
    sections: list[str] = []
    for chunk in state.answerer.engine.retriever.index.chunks:
        shown = chunk.section.display()
        if chunk.doc_id == doc_id and shown and shown not in sections:
            sections.append(shown)
    return {**summary(doc, chunk_counts(state)[doc_id]), "sections": sections}


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

    def add(current: dict[str, Document]) -> list[Document]:
        if new_id in current:
            raise HTTPException(409, f"document {new_id!r} exists; delete it first to replace it")
        return [*current.values(), doc]

    generation = await run_in_threadpool(change_documents, state, add)
    return {**summary(doc, chunk_counts(state)[doc.doc_id]), "generation": generation}


@router.delete("/{doc_id}", summary="删除文档并发布新索引")
async def delete_document(doc_id: str, state: StateDep, _key: ApiKeyDep) -> dict[str, Any]:

    def remove(current: dict[str, Document]) -> list[Document]:
        if doc_id not in current:
            raise HTTPException(404, f"no document {doc_id!r}")
        if len(current) == 1:
            raise HTTPException(400, "cannot delete the last document: the index would be empty")
        return [d for d in current.values() if d.doc_id != doc_id]

    generation = await run_in_threadpool(change_documents, state, remove)
    return {"deleted": doc_id, "generation": generation}
