"""Internal document routes (X-API-Key): list, inspect, a document's versions and
passages (a viewer's key); upload, delete, its validity set by hand (an editor's).

A change is written to the search backend in a worker thread while queries keep being
answered from the old snapshot; the service then switches to the new version in one
reference swap (qa/service.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import EditorDep, StateDep, ViewerDep
from corpus.models import ValidityStatus
from qa.service import UploadFields, upload_name

ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"


class ValidityPatch(BaseModel):
    """The validity fields to set; one given as null is cleared (status null: follows
    from the dates again)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"expires_on": "2025-12-31"}, {"status": "repealed"}]},
    )

    effective_from: str | None = Field(None, pattern=ISO_DAY, description="施行日期")
    expires_on: str | None = Field(None, pattern=ISO_DAY, description="有效期至")
    status: ValidityStatus | None = Field(None, description="手工设定的状态")
    supersedes: list[str] | None = Field(None, max_length=50, description="它废止的文件标题")
    repealed_by: str | None = Field(None, max_length=200, description="废止它的文件 id")


router = APIRouter(prefix="/v1/documents", tags=["internal"])


@router.get("", summary="文档列表")
async def list_documents(state: StateDep, _key: ViewerDep) -> list[dict[str, Any]]:
    return await run_in_threadpool(state.qa.documents)


@router.get("/{doc_id}", summary="文档详情：元数据、章节、段落数")
async def get_document(doc_id: str, state: StateDep, _key: ViewerDep) -> dict[str, Any]:
    return await run_in_threadpool(state.qa.document, doc_id)


@router.get("/{doc_id}/versions", summary="文档的各个版本（最早的在前）及各自的有效期")
async def document_versions(doc_id: str, state: StateDep, _key: ViewerDep) -> list[dict[str, Any]]:
    return await run_in_threadpool(state.qa.versions, doc_id)


@router.get("/{doc_id}/chunks", summary="文档的段落（按索引切分），供问答对引用")
async def document_chunks(doc_id: str, state: StateDep, _key: ViewerDep) -> list[dict[str, Any]]:
    return await run_in_threadpool(state.qa.document_chunks, doc_id)


@router.patch("/{doc_id}", summary="手工设定文档的有效期与状态，并发布新索引")
async def patch_document(
    doc_id: str, body: ValidityPatch, state: StateDep, _key: EditorDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(422, "give at least one of: " + ", ".join(ValidityPatch.model_fields))
    if "supersedes" in changes:
        changes["supersedes"] = tuple(changes["supersedes"] or ())
    return await run_in_threadpool(state.qa.patch_validity, doc_id, changes)


@router.post(
    "", status_code=201, summary="上传文档（txt/md/html/docx/pdf，或 csv/xlsx 问答表）并发布新索引"
)
async def upload_document(
    state: StateDep,
    _key: EditorDep,
    file: Annotated[UploadFile, File(description="文档文件")],
    doc_id: Annotated[str | None, Form(max_length=100, pattern=r"^[\w\-]+$")] = None,
    title: Annotated[str | None, Form(max_length=200)] = None,
    issuer: Annotated[str | None, Form(max_length=200)] = None,
    date: Annotated[str | None, Form(max_length=20, pattern=ISO_DAY)] = None,
    doc_number: Annotated[str | None, Form(max_length=100)] = None,
    columns: Annotated[
        str | None,
        Form(max_length=300, description="问答表的列：question=用户问题,answer=答案,unit=处理单位"),
    ] = None,
    effective_from: Annotated[
        str | None, Form(max_length=20, pattern=ISO_DAY, description="施行日期")
    ] = None,
    expires_on: Annotated[
        str | None, Form(max_length=20, pattern=ISO_DAY, description="有效期至")
    ] = None,
    status: Annotated[ValidityStatus | None, Form(description="手工设定的状态")] = None,
) -> dict[str, Any]:
    name = upload_name(file.filename)  # checked before the body is read
    data = await file.read()
    fields = UploadFields(
        doc_id, title, issuer, date, doc_number, columns, effective_from, expires_on, status
    )
    return await run_in_threadpool(state.qa.add_upload, data, name, fields)


@router.delete("/{doc_id}", summary="删除文档并发布新索引")
async def delete_document(doc_id: str, state: StateDep, _key: EditorDep) -> dict[str, Any]:
    generation = await run_in_threadpool(state.qa.delete_document, doc_id)
    return {"deleted": doc_id, "generation": generation}
