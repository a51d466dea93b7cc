"""Questions about a document itself (文号, 印发日期, 发文机关, 规划期): its metadata, when
a retrieved passage states it, so the citation still shows the words."""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.models import DocumentMeta
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


FIELDS: dict[QuestionKind, Callable[[DocumentMeta], str | None]] = {
    QuestionKind.META_DOCNO: lambda meta: meta.doc_number,
    QuestionKind.META_ISSUER: lambda meta: meta.issuer,
    QuestionKind.META_PERIOD: plan_period,
    QuestionKind.META_DATE: lambda meta: chinese_date(meta.date),
}


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    field = FIELDS[question.kind]
    for rank, hit in enumerate(evidence.hits):
        value = field(evidence.documents[hit.chunk.doc_id].meta)
        if value and value in hit.chunk.text:
            return Extraction(value, sentence_with(hit.chunk, value), rank)
    return None
