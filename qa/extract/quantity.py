"""Quantity-questions (多少, 比例, 达到): the figure, with its unit, whose own clause or
table row best matches the question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.models import Chunk
from corpus.normalize import fold
from qa.extract.passages import (
    CLAUSE_SPLIT,
    Evidence,
    Extraction,
    in_sentences,
    keyword_overlap,
)
from qa.extract.table import has_year_columns, in_table, row_unit
from qa.question import YEAR, Question

FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?:[—\-~至]\d+(?:\.\d+)?)?"
    # Longer units first: "10万吨" is 10万吨, not 10万.
    r"(?:%|‰|亿元|億元|万元|万千瓦|万吨|万亩|亿|万|元|家|个|個|项|項|人|件|位|所|倍|座|条|名|次"
    r"|兆瓦|千瓦|千米|公里|米|吨|亩|公顷)"
    r"(?:以上|左右|以内)?"
)


def unit_fits(figure: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    folded = fold(figure)
    if wanted == "元":
        return "元" in folded or not re.search(r"[%家项件人个位所名座条]", folded)
    if wanted == "个":  # the general classifier: 多少个人才 is answered in 人
        return "%" not in folded and "元" not in folded
    return wanted in folded


def best_figure(
    sentence: str, keywords: Sequence[str], years: frozenset[str], unit: str | None = None
) -> str | None:
    """The figure in the clause that shares most keywords with the question.

    A figure right after the asked year ("增长到2020年的267.8亿元") beats one after
    another year in the same clause.
    """
    best: tuple[float, str] | None = None
    clauses = [c for c in CLAUSE_SPLIT.split(sentence) if c]
    for position, clause in enumerate(clauses):
        context = clause if position == 0 else clauses[position - 1] + clause
        for match in FIGURE.finditer(clause):
            figure = match.group()
            if re.fullmatch(r"20\d\d年?", figure) or not unit_fits(figure, unit):
                continue
            lead = clause[max(0, match.start() - 8) : match.start()]
            score = keyword_overlap(keywords, context) + keyword_overlap(keywords, clause)
            lead_years = set(YEAR.findall(lead))
            if lead_years:
                score += 0.5 if lead_years & years else -0.5
            if best is None or score > best[0]:
                best = (score, figure)
    return best[1] if best else None


def clause_around(sentence: str, answer: str) -> str:
    """The clause of `sentence` that holds `answer`, with the clause before it."""
    clauses = re.split(r"[，,；;：:。]", sentence)
    for i, clause in enumerate(clauses):
        if answer in clause:
            return (clauses[i - 1] if i else "") + clause
    return sentence


def mentions_year(chunk: Chunk, years: frozenset[str]) -> bool:
    if not years:
        return True
    text = fold(" ".join([chunk.text, chunk.context or "", chunk.section.display()]))
    return any(year in text for year in years)


def figure_in(question: Question, sentence: str, strict: bool) -> str | None:
    return best_figure(sentence, question.keywords, question.years, question.unit)


def in_text(question: Question, chunk: Chunk, rank: int) -> Extraction | None:
    if not mentions_year(chunk, question.years):
        return None  # "到2025年…多少" is not answered by a passage with no year at all
    return in_sentences(question, chunk, rank, figure_in, strict=True)


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    """The figure whose own clause (or table row) best matches the question.

    On a tie running text wins: it carries the unit (500亿元) where a table cell
    holds the bare figure; then the better-ranked passage wins.
    """
    scored: list[tuple[float, int, int, Extraction]] = []
    keywords = question.keywords
    for rank, hit in evidence.usable:
        chunk = hit.chunk
        if chunk.table is not None and has_year_columns(chunk):
            found = in_table(question, chunk, rank)
            if found and unit_fits(found.answer + row_unit(chunk), question.unit):
                reading = (chunk.table.title or "") + chunk.table.reading()
                scored.append((keyword_overlap(keywords, reading), 1, rank, found))
            continue
        found = in_text(question, chunk, rank)
        if found:
            clause = clause_around(found.sentence, found.answer)
            score = keyword_overlap(keywords, clause + chunk.section.innermost)
            scored.append((score, 0, rank, found))
    if not scored:
        return None
    return max(scored, key=lambda item: (item[0], -item[1], -item[2]))[3]
