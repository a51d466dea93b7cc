"""Internal document routes (X-API-Key): list, inspect, upload, delete.

A change is written to the search backend in a worker thread while queries keep being
answered from the old snapshot; the service then switches to the new version in one
reference swap (qa/service.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.deps import ApiKeyDep, StateDep
from qa.service import UploadFields, upload_name

router = APIRouter(prefix="/v1/documents", tags=["internal"])


@router.get("", summary="文档列表")
async def list_documents(state: StateDep, _key: ApiKeyDep) -> list[dict[str, Any]]:
    return await run_in_threadpool(state.qa.documents)


@router.get("/{doc_id}", summary="文档详情：元数据、章节、段落数")
async def get_document(doc_id: str, state: StateDep, _key: ApiKeyDep) -> dict[str, Any]:
    return await run_in_threadpool(state.qa.document, doc_id)


@router.post(
    "", status_code=201, summary="上传文档（txt/md/html/docx/pdf，或 csv/xlsx 问答表）并发布新索引"
)
async def upload_document(
    state: StateDep,
    _key: ApiKeyDep,
    file: Annotated[UploadFile, File(description="文档文件")],
    doc_id: Annotated[str | None, Form(max_length=100, pattern=r"^[\w\-]+$")] = None,
    title: Annotated[str | None, Form(max_length=200)] = None,
    issuer: Annotated[str | None, Form(max_length=200)] = None,
    date: Annotated[str | None, Form(max_length=20, pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    doc_number: Annotated[str | None, Form(max_length=100)] = None,
    columns: Annotated[
        str | None,
        Form(max_length=300, description="问答表的列：question=用户问题,answer=答案,unit=处理单位"),
    ] = None,
) -> dict[str, Any]:
    name = upload_name(file.filename)  # checked before the body is read
    data = await file.read()
    fields = UploadFields(doc_id, title, issuer, date, doc_number, columns)
    return await run_in_threadpool(state.qa.add_upload, data, name, fields)


@router.delete("/{doc_id}", summary="删除文档并发布新索引")
async def delete_document(doc_id: str, state: StateDep, _key: ApiKeyDep) -> dict[str, Any]:
    generation = await run_in_threadpool(state.qa.delete_document, doc_id)
    return {"deleted": doc_id, "generation": generation}
