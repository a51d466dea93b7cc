"""Questions about a document itself (文号, 印发日期, 发文机关, 规划期): its metadata, when
a retrieved passage states it, so the citation still shows the words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from corpus.models import Chunk, DocumentMeta
from qa.extract.passages import Evidence, Extraction, sentence_with
from qa.question import Question, QuestionKind


def chinese_date(iso: str | None) -> str | None:
    if not iso or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return None
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def plan_period(meta: DocumentMeta) -> str | None:
    period = re.search(r"\d{4}[—\-–~至]\d{4}年", meta.title)
    return period.group() if period else None


def issuer_forms(meta: DocumentMeta) -> list[str]:
    """The issuer as metadata writes it, then each of joint issuers on its own: a page
    may set "宜春市统计局  国家统计局宜春调查队" on one line where metadata says "A、B"."""
    if not meta.issuer:
        return []
    parts = [p for p in re.split(r"[、，,\s]+", meta.issuer) if p]
    return [meta.issuer, *parts] if len(parts) > 1 else [meta.issuer]


def date_forms(meta: DocumentMeta) -> list[str]:
    """The date in full, then a dateline of year and month alone ("（2023年5月）"), which
    bulletins close with."""
    full = chinese_date(meta.date)
    if full is None:
        return []
    return [full, full.split("月")[0] + "月"]


FIELDS: dict[QuestionKind, Callable[[DocumentMeta], list[str]]] = {
    QuestionKind.META_DOCNO: lambda meta: [meta.doc_number] if meta.doc_number else [],
    QuestionKind.META_ISSUER: issuer_forms,
    QuestionKind.META_PERIOD: lambda meta: [p] if (p := plan_period(meta)) else [],
    QuestionKind.META_DATE: date_forms,
}
DATELINE = re.compile(r"\s*[（(]?(\d{4}年\d{1,2}月)[）)]?\s*")


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    """The metadata value as a retrieved passage states it; failing that, as a passage of
    the named document (or the best hit's) states it: a title page's 文号 line rarely
    shares a word with "文号是什么"."""
    found = next(in_hits(question, evidence), None)
    if found is not None:
        return found
    doc_ids = question.plan.doc_ids or [h.chunk.doc_id for h in evidence.hits[:1]]
    for doc_id in doc_ids:
        forms = FIELDS[question.kind](evidence.documents[doc_id].meta)
        for chunk in evidence.document_chunks(doc_id):
            value = stated_value(forms, chunk)
            if value:
                return Extraction(value, sentence_with(chunk, value), 0, chunk)
    return None


def in_hits(question: Question, evidence: Evidence) -> Iterator[Extraction]:
    for rank, hit in enumerate(evidence.hits):
        forms = FIELDS[question.kind](evidence.documents[hit.chunk.doc_id].meta)
        value = stated_value(forms, hit.chunk)
        if value:
            yield Extraction(value, sentence_with(hit.chunk, value), rank)


def stated_value(forms: list[str], chunk: Chunk) -> str | None:
    """The first form the passage states; a year-and-month form only as a dateline of
    its own, since "2023年5月" inside a sentence dates something else."""
    for form in forms:
        if form not in chunk.text:
            continue
        if re.fullmatch(r"\d{4}年\d{1,2}月", form):
            lines = (DATELINE.fullmatch(line) for line in chunk.text.splitlines())
            if not any(m and m.group(1) == form for m in lines):
                continue
        return form
    return None
