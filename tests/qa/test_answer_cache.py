"""The answer cache: a repeated question skips retrieval; anything an answer depends on
(wording aside from punctuation, history, filters, day, index version, curated answers)
makes a new one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from qa.conversation import Turn
from qa.curated import CuratedDraft
from qa.engine import SearchEngine
from qa.service import QAService, UploadFields
from qa.settings import Settings

QUESTION = "到2025年技术合同成交额目标是多少"


@pytest.fixture
def service(fake_settings: Settings, fake_engine: SearchEngine) -> QAService:
    return QAService(fake_settings, fake_engine)


def counted(service: QAService) -> list[str]:
    """The queries that reached retrieval."""
    retriever = service._answerer.engine.retriever
    searched: list[str] = []
    original = retriever.search_plan

    def search_plan(plan: Any, *args: Any, **kwargs: Any) -> Any:
        searched.append(plan.text)
        return original(plan, *args, **kwargs)

    retriever.search_plan = search_plan  # type: ignore[method-assign]
    return searched


def test_a_repeat_is_answered_without_retrieval(service: QAService) -> None:
    first = service.ask(QUESTION)
    searched = counted(service)
    again = service.ask(QUESTION + "？ ")
    assert searched == [] and again.question == QUESTION + "？ "
    assert again.model_dump(exclude={"question", "latency_ms"}) == first.model_dump(
        exclude={"question", "latency_ms"}
    )


def test_what_the_answer_depends_on_is_in_the_key(service: QAService) -> None:
    service.ask(QUESTION)
    searched = counted(service)
    service.ask(QUESTION, history=[Turn("2025年专利授权量是多少", "1万件")])
    service.ask(QUESTION, doc_ids=["hlj-sti-14th-five-year-plan-2021"])
    service.ask(QUESTION, as_of=date.today() + timedelta(days=1))
    service.ask("到2026年技术合同成交额目标是多少")
    assert len(searched) >= 4


def test_a_new_generation_or_a_curated_answer_is_never_answered_from_the_cache(
    service: QAService,
) -> None:
    service.ask(QUESTION)
    service.add_upload("新增文件\n第一条 内容。\n".encode(), "new.txt", UploadFields())
    searched = counted(service)  # the new generation's retriever
    service.ask(QUESTION)
    assert len(searched) >= 1
    chunk = service._answerer.engine.backend.chunks_of("hlj-sti-14th-five-year-plan-2021")[0]
    draft = CuratedDraft(
        question=QUESTION,
        answer="以原文为准",
        doc_id=chunk.doc_id,
        start=chunk.start,
        end=chunk.end,
        statement=True,
        author="王编辑",
        expires_on=date.today() + timedelta(days=30),
    )
    service.save_curated(draft)
    assert service.ask(QUESTION).curated


def test_top_k_on_one_request_does_not_cut_the_cached_answer(
    fake_settings: Settings, service: QAService
) -> None:
    client = TestClient(create_app(fake_settings, service))
    full = client.post("/v1/ask", json={"question": QUESTION}).json()
    cut = client.post("/v1/ask", json={"question": QUESTION, "top_k": 1}).json()
    again = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert len(cut["citations"]) == 1 < len(full["citations"]) == len(again["citations"])


def test_a_cache_of_size_zero_is_off(fake_settings: Settings, fake_engine: SearchEngine) -> None:
    service = QAService(fake_settings.model_copy(update={"answer_cache": 0}), fake_engine)
    service.ask(QUESTION)
    searched = counted(service)
    service.ask(QUESTION)
    assert searched and len(service.answers) == 0


def test_workers_share_answers_but_never_personal_data(
    fake_settings: Settings, fake_engine: SearchEngine
) -> None:
    """Two services on one data directory, as two `qa serve` workers run."""
    first = QAService(fake_settings, fake_engine)
    second = QAService(fake_settings, SearchEngine(fake_settings))
    personal = f"我的手机号13812345678，{QUESTION}"
    answered = first.ask(QUESTION)
    first.ask(personal)
    first.answers.flush()
    searched = counted(second)
    shared = second.ask(QUESTION)
    assert searched == [] and shared.answer == answered.answer
    second.ask(personal)
    assert len(searched) >= 1  # computed again: it was never written down
    stored = (fake_settings.data_dir / "answers.sqlite").read_bytes()
    assert b"13812345678" not in stored


def test_other_retrieval_settings_do_not_share_answers(
    fake_settings: Settings, fake_engine: SearchEngine
) -> None:
    first = QAService(fake_settings, fake_engine)
    first.ask(QUESTION)
    first.answers.flush()
    other = fake_settings.model_copy(update={"rerank": False, "weight_bm25": 0.5})
    service = QAService(other, SearchEngine(other))
    searched = counted(service)
    service.ask(QUESTION)
    assert searched
