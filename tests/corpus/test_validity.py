"""When a document is in force, read from its own text (corpus/validity.py). The texts
here are test data written for the tests, in the wording real documents use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corpus.bundled import read_metadata
from corpus.loaders import CorpusError
from corpus.models import Document, DocumentMeta
from corpus.validity import repealers, stated_validity, status_on, with_validity

REGULATION = (
    "第四十条 本条例自2021年5月1日起施行。1998年7月13日国务院发布的"
    "《非法金融机构和非法金融业务活动取缔办法》同时废止。"
)
MEASURES = (
    "第二十三条\n 本办法自印发之日起施行，有效期\n5\n年。《某市人力资源和社会保障局关于印发"
    "〈某市见习基地管理办法〉的通知》（某人社发〔2015〕27号）同时废止。"
)


def test_a_dated_start_and_the_titles_it_repeals() -> None:
    stated = stated_validity(REGULATION, issued="2021-01-26")
    assert stated.effective_from == "2021-05-01" and stated.expires_on is None
    assert stated.supersedes == ("非法金融机构和非法金融业务活动取缔办法",)


def test_from_its_issue_date_for_a_number_of_years() -> None:
    stated = stated_validity(MEASURES, issued="2019-10-09")
    assert (stated.effective_from, stated.expires_on) == ("2019-10-09", "2024-10-08")
    assert stated.supersedes == ("某市人力资源和社会保障局关于印发〈某市见习基地管理办法〉的通知",)


def test_an_end_date_and_traditional_wording() -> None:
    stated = stated_validity("本辦法自2025年7月1日起施行，有效期至2026年12月31日。", None)
    assert (stated.effective_from, stated.expires_on) == ("2025-07-01", "2026-12-31")
    assert stated_validity("本標準自發布日施行。", "2023-12-28").effective_from == "2023-12-28"


@pytest.mark.parametrize(
    "text",
    [
        "采取技术侦查措施的有效期限届满仍需要继续采取的，报批准。",
        "犬只准养登记有效期为一年，届满三十日前申请延续。",
        "失业登记处于有效期内的人员，有效期至2026年12月31日的证件除外。",
        "本办法自印发之日起施行。",  # no issue date known: the start stays unknown
    ],
)
def test_nothing_is_guessed_from_other_clauses(text: str) -> None:
    stated = stated_validity(text, issued=None)
    assert stated.effective_from is None and stated.expires_on is None


def test_metadata_wins_over_the_text() -> None:
    meta = DocumentMeta(doc_id="d", title="某办法", effective_from="2020-01-01")
    doc = with_validity(Document(meta, REGULATION))
    assert doc.meta.effective_from == "2020-01-01"
    assert doc.meta.supersedes == ("非法金融机构和非法金融业务活动取缔办法",)


def test_status_follows_the_dates_unless_set_by_hand() -> None:
    meta = DocumentMeta(doc_id="d", title="t", effective_from="2025-07-01", expires_on="2026-12-31")
    assert status_on(meta, date(2026, 1, 1)) == "in_force"
    assert status_on(meta, date(2027, 1, 1)) == "expired"
    assert status_on(meta, date(2025, 1, 1)) == "not_yet"
    assert status_on(meta, date(2026, 1, 1), repealed_by="newer") == "repealed"
    assert (
        status_on(DocumentMeta(doc_id="d", title="t", status="draft"), date(2026, 1, 1)) == "draft"
    )
    assert status_on(DocumentMeta(doc_id="d", title="t"), date(2026, 1, 1)) == "in_force"


def test_a_loaded_document_repealed_by_a_newer_one() -> None:
    old = DocumentMeta(doc_id="old", title="非法金融机构和非法金融业务活动取缔办法")
    new = DocumentMeta(doc_id="new", title="防范和处置非法集资条例", supersedes=(old.title,))
    revision = DocumentMeta(doc_id="rev", title="某程序规定", supersedes=("某程序规定",))
    assert repealers({"old": old, "new": new, "rev": revision}) == {"old": "new"}


def test_bad_validity_metadata_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text(
        '[{"doc_id": "d", "title": "t", "expires_on": "2026/12/31"}]', "utf-8"
    )
    with pytest.raises(CorpusError, match="expires_on must be a date YYYY-MM-DD"):
        read_metadata(tmp_path)
    (tmp_path / "metadata.json").write_text(
        '[{"doc_id": "d", "title": "t", "status": "valid"}]', "utf-8"
    )
    with pytest.raises(CorpusError, match="status must be one of in_force"):
        read_metadata(tmp_path)
