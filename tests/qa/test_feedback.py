"""The feedback store: durable, filtered, newest first."""

from __future__ import annotations

from pathlib import Path

from qa.feedback import FeedbackEntry, FeedbackStore


def test_votes_are_kept_newest_first(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    first = store.record(FeedbackEntry("up", "问题一", "500亿元", refused=False))
    second = store.record(FeedbackEntry("down", "问题二", None, refused=True, comment="没答上"))
    assert second.id > first.id and first.created_at
    assert [f.question for f in store.recent()] == ["问题二", "问题一"]
    assert [f.question for f in store.recent(rating="up")] == ["问题一"]
    assert store.counts() == {"up": 1, "down": 1}
    reopened = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    assert reopened.recent(limit=1)[0] == second


def test_empty_store_counts_zero(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    assert store.counts() == {"up": 0, "down": 0} and store.recent() == []
