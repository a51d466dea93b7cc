"""What-questions (以什么为主线, 创建什么): the words filling the question's gap, read off
the best-matching sentence; failing that, its best-matching clause."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.normalize import fold_aligned
from qa.extract.passages import (
    CLAUSE_SPLIT,
    MAX_ANSWER,
    Evidence,
    Extraction,
    Pass,
    first_answer,
    keyword_overlap,
    verbatim,
)
from qa.question import Question

MIN_ANCHOR = 2  # characters of the question's own words around the gap a match keeps


def template_answer(
    sentence: str, folded_question: str, shorten: bool = True, min_anchor: int = MIN_ANCHOR
) -> str | None:
    """ "以什么为主线" against "以创新驱动发展取得新突破为主线" gives the whole clause;
    "创建什么" against "…园区创建国家农业高新技术产业示范区" gives what follows."""
    match = re.search(r"(.{0,3})(什么|哪个|哪种|哪项|哪里|谁)(.{0,4})", folded_question)
    if not match:
        return None
    before = re.split(r"[,，、:：]", match.group(1))[-1].lstrip("的是")
    after = re.split(r"[,，?？。]", match.group(3))[0]
    folded = fold_aligned(sentence)
    body = r"([^，。；,;]{1,40}?)" if after else r"([^，。；,;]{1,40})"
    # The question's words next to the gap may differ from the text's ("获得了" for
    # "获"): shorten the anchors until they match, where `shorten` allows it.
    rights = [after[:n] for n in range(len(after), 0, -1)] or [""]
    for right in rights if shorten else rights[:1]:
        for cut in range(len(before) + 1 if shorten else 1):
            left = before[cut:]
            if len(left) + len(right) < min(min_anchor, len(before) + len(after)):
                break  # one shared character is no anchor
            found = re.search(re.escape(left) + body + re.escape(right), folded)
            if found and found.group(1).strip():
                span = found.group(0) if right else found.group(1)
                return verbatim(sentence, folded, span)
    return None


def best_clause(sentence: str, keywords: Sequence[str]) -> str:
    clauses = [c.strip() for c in CLAUSE_SPLIT.split(sentence) if c.strip()]
    if not clauses:
        return sentence[:MAX_ANSWER]
    ranked = sorted(clauses, key=lambda c: -keyword_overlap(keywords, c))
    return ranked[0][:MAX_ANSWER]


def exact_template(question: Question, sentence: str) -> str | None:
    return template_answer(sentence, question.folded, shorten=False)


def shortened_template(question: Question, sentence: str) -> str | None:
    return template_answer(sentence, question.folded)


def clause_answer(question: Question, sentence: str) -> str | None:
    return best_clause(sentence, question.keywords)


TEMPLATE_PASSES: tuple[Pass, ...] = ((exact_template, True), (shortened_template, True))
PASSES: tuple[Pass, ...] = (*TEMPLATE_PASSES, (clause_answer, False))


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    return first_answer(question, evidence, PASSES)
