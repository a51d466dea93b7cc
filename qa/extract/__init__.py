"""Extractive answers: one extractor per question kind, chosen from `EXTRACTORS`.

An extractor takes the parsed `Question` and the `Evidence` (the retrieved passages,
best first, and those that match the question enough) and returns an `Extraction`, a
verbatim span of one passage and the sentence holding it, or None to refuse.

To add a question kind: add a member to `qa.question.QuestionKind` and its pattern to
`_KIND_RULES` there; write a module here with `extract(question, evidence)`, using the
shared readers in `passages.py`; add one entry to `EXTRACTORS`. Nothing else dispatches
on kind.
"""

from __future__ import annotations

from typing import Protocol

from qa.extract import listing, meta, quantity, what, who
from qa.extract.passages import Evidence, Extraction
from qa.question import Question, QuestionKind


class Extractor(Protocol):
    def __call__(self, question: Question, evidence: Evidence, /) -> Extraction | None: ...


EXTRACTORS: dict[QuestionKind, Extractor] = {
    QuestionKind.QUANTITY: quantity.extract,
    QuestionKind.WHO: who.extract,
    QuestionKind.LIST: listing.extract,
    QuestionKind.WHAT: what.extract,
    QuestionKind.META_DATE: meta.extract,
    QuestionKind.META_DOCNO: meta.extract,
    QuestionKind.META_ISSUER: meta.extract,
    QuestionKind.META_PERIOD: meta.extract,
}


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    return EXTRACTORS[question.kind](question, evidence)


__all__ = ["EXTRACTORS", "Evidence", "Extraction", "Extractor", "extract"]
