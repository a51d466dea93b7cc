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

from qa.extract import excerpt, listing, meta, quantity, what, when, who
from qa.extract.labelled import heading_value
from qa.extract.passages import Evidence, Extraction, echoes_question
from qa.extract.table import in_table_cell
from qa.question import Question, QuestionKind


class Extractor(Protocol):
    def __call__(self, question: Question, evidence: Evidence, /) -> Extraction | None: ...


EXTRACTORS: dict[QuestionKind, Extractor] = {
    QuestionKind.QUANTITY: quantity.extract,
    QuestionKind.WHEN: when.extract,
    QuestionKind.WHO: who.extract,
    QuestionKind.LIST: listing.extract,
    QuestionKind.WHAT: what.extract,
    QuestionKind.META_DATE: meta.extract,
    QuestionKind.META_DOCNO: meta.extract,
    QuestionKind.META_ISSUER: meta.extract,
    QuestionKind.META_PERIOD: meta.extract,
}


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    short = short_answer(question, evidence)
    if not question.asks:
        return short
    # Steps, a list or a verdict are given as the source writes them: the excerpt that
    # holds the short answer, or, where no reader found one, a well-placed excerpt.
    return excerpt.extract(question, evidence, short) or short


def short_answer(question: Question, evidence: Evidence) -> Extraction | None:
    found = None if question.kind.is_meta else in_table_cell(question, evidence)
    if found is None and question.kind in LABELLED:
        found = heading_value(question, evidence)
    if found is not None:
        return found
    found = EXTRACTORS[question.kind](question, evidence)
    if found is not None and question.kind in WORDED and echoes_question(question, found.answer):
        return None
    return found


# Kinds whose answer is read off a sentence's wording, so it can end up restating the
# question; a figure, a unit's name or a date cannot.
WORDED = frozenset({QuestionKind.WHAT, QuestionKind.LIST})
# Kinds a guide may answer under a heading naming the asked noun (受理单位, 收费标准); a
# figure or a list is read by its own extractor.
LABELLED = frozenset({QuestionKind.WHAT, QuestionKind.WHO, QuestionKind.WHEN})


__all__ = ["EXTRACTORS", "Evidence", "Extraction", "Extractor", "extract"]
