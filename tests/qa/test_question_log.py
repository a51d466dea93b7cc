"""The question log keeps refused questions (masked) and daily counts; off keeps nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from qa.models import AnswerResponse
from qa.questionlog import QuestionLog


def _response(question: str, *, refused: bool) -> AnswerResponse:
    return AnswerResponse(
        question=question,
        answer=None if refused else "500亿元",
        answer_kind=None if refused else "figure",
        refused=refused,
        reason="not_found" if refused else None,
        citations=[],
        latency_ms=1.0,
    )


def test_refused_questions_are_grouped_and_masked(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "questions.sqlite")
    log.record("我的电话13912345678，补贴怎么领", _response("q", refused=True))
    log.record("我的电话13912345678，补贴怎么领", _response("q", refused=True))
    log.record("技术合同成交额目标是多少", _response("q", refused=False))
    [refused] = log.refused()
    assert refused.count == 2 and "13912345678" not in refused.question
    assert refused.reasons == ("not_found",)
    today = log.usage(days=3, today=datetime.now(UTC).date()).days[-1]
    assert (today.asked, today.refused) == (3, 2)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"13912345678" not in stored


def test_off_stores_nothing(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "questions.sqlite", mode="off")
    log.record("补贴怎么领", _response("q", refused=True))
    assert not list(tmp_path.iterdir()) and log.refused() == []
    assert [d.asked for d in log.usage(days=2, today=date(2026, 1, 2)).days] == [0, 0]
