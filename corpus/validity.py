"""When a document is in force, read from what its own text states: 自2021年5月1日起施行,
自印发之日起施行 (with the issue date), 有效期至2026年12月31日, 有效期5年, 《…》同时废止.
What the text does not say stays unknown (None), never guessed; metadata.json and upload
fields override every value.

Only clauses about the document itself count: 本办法自…起施行, not a measure's 有效期限
(技术侦查措施的有效期限) or a certificate's (狂犬病免疫有效期).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from corpus.models import Document, DocumentMeta, ValidityStatus
from corpus.normalize import fold_aligned, fold_compact

Status = ValidityStatus

_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
# The document speaking of itself: 本办法, 本规定, 本条例, 本通知, 本实施细则, 本标准 …
_SELF = (
    r"本(?:[\u4e00-\u9fff]{0,6}?)"
    r"(?:办法|规定|条例|细则|意见|方案|措施|通知|标准|决定|规则|规划|计划|政策|指引|制度)"
)
_EFFECTIVE = re.compile(
    rf"{_SELF}[^。；\n]{{0,20}}?自(?:{_DATE}|(印发|发布|公布|颁布)之?日)起?"
    r"(?:施行|实施|执行|生效)"
)
_EXPIRES = re.compile(rf"有效期(?:至|到|截至)?{_DATE}(?:止)?")
_PERIOD = re.compile(r"有效期(?:为|是)?([一二两三四五六七八九十\d]+)年")
_REPEALS = re.compile(r"同时(?:废止|失效|停止执行)")
_TITLE = re.compile(r"《([^》]{2,80})》")
_NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NEAR = 80  # characters after a 施行 clause where its 有效期 may follow


@dataclass(frozen=True)
class Stated:
    """What a document's text says of its own validity."""

    effective_from: str | None = None
    expires_on: str | None = None
    supersedes: tuple[str, ...] = ()  # titles it names as repealed


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _years(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    return _NUMERALS.get(text)


def stated_validity(text: str, issued: str | None) -> Stated:
    """The dates and repeals `text` states about itself; `issued` (the document's date)
    stands for 自印发之日."""
    # Character by character (titles keep their words: 程序 stays 程序), without the
    # line breaks a scraped page puts inside a clause (有效期\n5\n年).
    folded = "".join(fold_aligned(text).split())
    effective, clause_end = None, None
    found = _EFFECTIVE.search(folded)
    if found:
        clause_end = found.end()
        effective = _iso(*found.group(1, 2, 3)) if found.group(1) else issued
    return Stated(effective, _expiry(folded, clause_end, effective), repealed_titles(folded))


def _expiry(folded: str, clause_end: int | None, effective: str | None) -> str | None:
    """有效期至… said of the document itself (after 本办法, or just after its 施行
    clause), else 有效期X年 counted from its effective date."""
    for until in _EXPIRES.finditer(folded):
        said_of_self = re.search(_SELF, folded[max(0, until.start() - 40) : until.start()])
        near = clause_end is not None and abs(until.start() - clause_end) <= _NEAR
        if said_of_self or near:
            return _iso(*until.group(1, 2, 3))
    if clause_end is None or not effective:
        return None
    period = _PERIOD.search(folded, clause_end, clause_end + _NEAR)
    years = _years(period.group(1)) if period else None
    if not years:
        return None
    start = date.fromisoformat(effective)
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return (end - timedelta(days=1)).isoformat()


def repealed_titles(folded: str) -> tuple[str, ...]:
    """The 《titles》 a sentence names before its 同时废止."""
    titles: list[str] = []
    for found in _REPEALS.finditer(folded):
        start = max(folded.rfind("。", 0, found.start()), folded.rfind("\n", 0, found.start()))
        sentence = folded[start + 1 : found.start()]
        titles += [t for t in _TITLE.findall(sentence) if t not in titles]
    return tuple(titles)


def with_validity(doc: Document) -> Document:
    """`doc` with what its text states filled into the validity fields its metadata
    leaves empty."""
    meta = doc.meta
    stated = stated_validity(doc.text, meta.date)
    filled = replace(
        meta,
        effective_from=meta.effective_from or stated.effective_from,
        expires_on=meta.expires_on or stated.expires_on,
        supersedes=meta.supersedes or stated.supersedes,
    )
    return doc if filled == meta else Document(filled, doc.text)


def status_on(
    meta: DocumentMeta,
    day: date,
    repealed_by: str | None = None,
    repealed_on: str | None = None,
) -> Status:
    """The document's status on `day`: set by hand, else superseded once its next
    version took over, else repealed when a loaded document names it as repealed (from
    the day that document took effect, `repealed_on`, when known), else from its dates;
    unknown dates count as in force."""
    if meta.status:
        return meta.status
    if meta.superseded_on and date.fromisoformat(meta.superseded_on) <= day:
        return "superseded"
    repealed = bool(meta.repealed_by or repealed_by)
    if repealed and (not repealed_on or date.fromisoformat(repealed_on) <= day):
        return "repealed"
    if meta.expires_on and date.fromisoformat(meta.expires_on) < day:
        return "expired"
    if meta.effective_from and date.fromisoformat(meta.effective_from) > day:
        return "not_yet"
    return "in_force"


def repealers(metas: Mapping[str, DocumentMeta]) -> dict[str, str]:
    """Document id -> the id of a loaded document whose text repeals it (《its title》同时
    废止). A revision repealing its own earlier edition under the same title repeals
    nothing loaded beside it."""
    by_title: dict[str, list[str]] = {}
    for doc_id, meta in metas.items():
        for name in (meta.title, *meta.aliases):
            by_title.setdefault(fold_compact(name), []).append(doc_id)
    repealed: dict[str, str] = {}
    for repealer, meta in metas.items():
        own = fold_compact(meta.title)
        for title in meta.supersedes:
            key = fold_compact(title)
            if key == own:
                continue
            for doc_id in by_title.get(key, []):
                if doc_id != repealer:
                    repealed.setdefault(doc_id, repealer)
    return repealed


__all__ = ["Stated", "Status", "repealers", "stated_validity", "status_on", "with_validity"]
