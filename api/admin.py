"""The staff console's routes (X-API-Key with a role): the questions the service could
not answer, curated answers (问答对), usage, and keys. Documents are in api/documents.py,
retrieval testing is `POST /v1/search` with `explain: true`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import AdminDep, EditorDep, StateDep, ViewerDep
from api.keys import IssuedKey, KeyRequest, NewKey
from qa.curated import CuratedAnswer, CuratedDraft
from qa.curation import CuratedListing
from qa.grouping import QuestionGroup
from qa.questionlog import QuestionLogMode, merged
from qa.settings import Role

router = APIRouter(prefix="/v1", tags=["internal"])
# SQLite's rowids are signed 64-bit: a larger id names nothing, and says so with a 422.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class AskedItem(BaseModel):
    question: str
    count: int
    last_asked: str
    reasons: list[str] = Field(description="Refusal reasons; 'disliked' for a 👎 answer")


class UnansweredGroup(BaseModel):
    count: int = Field(description="Times any question of the group was asked or 👎")
    last_asked: str
    reasons: list[str]
    questions: list[AskedItem] = Field(description="The most asked first")


class Unanswered(BaseModel):
    mode: QuestionLogMode = Field(description="What QA_QUESTION_LOG keeps")
    groups: list[UnansweredGroup]


class DayUsage(BaseModel):
    day: str
    asked: int
    refused: int
    curated: int


class SectionUsage(BaseModel):
    doc_id: str
    title: str
    section: str
    count: int


class UsageReport(BaseModel):
    mode: QuestionLogMode
    refusal_rate: float | None = Field(description="Refused among asked over the days; null: none")
    days: list[DayUsage]
    top_questions: list[AskedItem]
    top_sections: list[SectionUsage]


class WhoAmI(BaseModel):
    role: Role
    label: str


def as_group(group: QuestionGroup) -> UnansweredGroup:
    return UnansweredGroup(
        count=group.count,
        last_asked=group.last_asked,
        reasons=group.reasons,
        questions=[AskedItem(**asdict(q)) for q in group.questions],
    )


@router.get("/whoami", summary="当前密钥的角色")
async def whoami(caller: ViewerDep) -> WhoAmI:
    return WhoAmI(role=caller.role, label=caller.label)


@router.get("/questions/unanswered", summary="未答问题：拒答与被点踩的问题，按语义分组")
async def unanswered(
    state: StateDep, _key: ViewerDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> Unanswered:
    def grouped() -> list[QuestionGroup]:
        asked = merged(state.questions.refused(), state.feedback.disliked())
        return state.qa.group_questions(asked)[:limit]

    groups = await run_in_threadpool(grouped)
    return Unanswered(mode=state.questions.mode, groups=[as_group(g) for g in groups])


@router.get("/usage", summary="使用统计：每日提问数、拒答率、热门问题与被引用最多的章节")
async def usage(
    state: StateDep, _key: ViewerDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> UsageReport:
    found = await run_in_threadpool(state.questions.usage, days)
    return UsageReport(
        mode=found.mode,
        refusal_rate=found.refusal_rate,
        days=[DayUsage(**asdict(d)) for d in found.days],
        top_questions=[AskedItem(**asdict(q)) for q in found.top_questions],
        top_sections=[SectionUsage(**asdict(s)) for s in found.top_sections],
    )


@router.get("/curated", summary="问答对列表，含状态（生效、过期、引用失效）与使用次数")
async def curated_list(state: StateDep, _key: ViewerDep) -> list[CuratedListing]:
    return await run_in_threadpool(state.qa.curated_entries)


@router.post("/curated", status_code=201, summary="新建问答对（答案须见于所引段落，或标为说明）")
async def curated_create(body: CuratedDraft, state: StateDep, _key: EditorDep) -> CuratedAnswer:
    return await run_in_threadpool(state.qa.save_curated, body)


@router.put("/curated/{entry_id}", summary="修改问答对")
async def curated_update(
    entry_id: RowId, body: CuratedDraft, state: StateDep, _key: EditorDep
) -> CuratedAnswer:
    return await run_in_threadpool(state.qa.save_curated, body, entry_id)


@router.delete("/curated/{entry_id}", summary="删除问答对")
async def curated_delete(entry_id: RowId, state: StateDep, _key: EditorDep) -> dict[str, int]:
    await run_in_threadpool(state.qa.delete_curated, entry_id)
    return {"deleted": entry_id}


@router.get("/keys", summary="控制台签发的密钥（不含密钥本身）")
async def keys_list(state: StateDep, _key: AdminDep) -> list[IssuedKey]:
    return await run_in_threadpool(state.keys.issued)


@router.post("/keys", status_code=201, summary="签发密钥：密钥只在此时显示一次")
async def keys_issue(body: KeyRequest, state: StateDep, _key: AdminDep) -> NewKey:
    return await run_in_threadpool(state.keys.issue, body)


@router.delete("/keys/{key_id}", summary="吊销密钥")
async def keys_revoke(key_id: RowId, state: StateDep, _key: AdminDep) -> dict[str, int]:
    if not await run_in_threadpool(state.keys.revoke, key_id):
        raise HTTPException(404, f"no issued key {key_id}")
    return {"revoked": key_id}
