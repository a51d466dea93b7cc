"""List-questions (哪些, 哪三项, 包括): the clause of the sentence that enumerates with 、,
preferring one with as many items as the question expects."""

from __future__ import annotations

import re

from qa.extract.passages import MAX_ANSWER, Evidence, Extraction, first_answer
from qa.extract.what import template_answer
from qa.question import Question


def list_answer(sentence: str, expected: int | None = None) -> str | None:
    clauses = [c.strip() for c in re.split(r"[，,；;：:。]", sentence) if c.strip()]
    listed = [c for c in clauses if "、" in c]
    if not listed:
        return None

    def fit(clause: str) -> int:
        items = clause.count("、") + 1 + clause.count("和")
        return -abs(items - expected) if expected else items

    return max(listed, key=fit)[:MAX_ANSWER]


def list_in(question: Question, sentence: str) -> str | None:
    listed = list_answer(sentence, question.expected_items)
    return listed or template_answer(sentence, question.folded)


# A sentence stating less of the question than this lists something else's items.
MIN_FOCUS = 0.2


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    return first_answer(question, evidence, ((list_in, True),), MIN_FOCUS, worded=True)
