"""The curated store keeps entries across reopening, honours expiry and deletes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from qa.curated import CuratedDraft, CuratedStore


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
