"""Versions of one document id: a changed text is the next version, the stored one kept
under `{id}@v{n}` until the new one takes effect; the same text again is no version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from corpus.models import Document, DocumentMeta
from corpus.validity import status_on
from corpus.versions import versioned, versions_of

TODAY = date(2026, 12, 3)


def doc(text: str, **meta: object) -> Document:
    return Document(replace(DocumentMeta("fee", "某市停车收费标准"), **meta), text)


def by_id(documents: list[Document]) -> dict[str, Document]:
    return {d.doc_id: d for d in documents}


def test_a_new_id_is_version_one_and_the_same_text_again_changes_nothing() -> None:
    first = by_id(versioned({}, [doc("每小时6元。")], TODAY))
    assert first["fee"].meta.version == 1 and first["fee"].meta.ingested_on == "2026-12-03"
    again = by_id(versioned(first, [doc("每小时6元。")], date(2027, 1, 1)))
    assert again == first  # number and ingest date kept: no new version


def test_a_changed_text_keeps_the_stored_one_until_the_new_one_starts() -> None:
    first = by_id(versioned({}, [doc("每小时6元。")], TODAY))
    second = by_id(versioned(first, [doc("每小时8元。")], date(2027, 1, 1)))
    assert set(second) == {"fee", "fee@v1"}
    new, old = second["fee"].meta, second["fee@v1"].meta
    assert new.version == 2 and new.effective_from == "2027-01-01"  # its text states none
    assert old.version_of == "fee" and old.superseded_on == "2027-01-01"
    assert status_on(old, date(2026, 12, 31)) == "in_force"
    assert status_on(old, date(2027, 1, 1)) == "superseded"
    assert status_on(new, date(2026, 12, 31)) == "not_yet"
    # A third version keeps both earlier ones; a stated 施行 date is when it takes over.
    third = by_id(versioned(second, [doc("每小时9元。", effective_from="2027-07-01")], TODAY))
    assert set(third) == {"fee", "fee@v1", "fee@v2"}
    assert third["fee@v2"].meta.superseded_on == "2027-07-01"
    assert [d.meta.version for d in versions_of(third, "fee")] == [1, 2, 3]


def test_a_repeal_counts_from_the_repealing_documents_start() -> None:
    meta = DocumentMeta("old", "某市养犬管理暂行办法")
    assert status_on(meta, date(2022, 6, 1), "new", "2023-01-01") == "in_force"
    assert status_on(meta, date(2023, 1, 1), "new", "2023-01-01") == "repealed"
    assert status_on(meta, date(2022, 6, 1), "new") == "repealed"  # start unknown: at once
