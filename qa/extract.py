"""Extractive answers: pure functions from a question and passages to a short span.

Every rule returns a span of a passage's own text, so the answer is grounded by
construction; `is_grounded` checks it again before anything is returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from corpus.chunking import sentence_spans
from corpus.models import Chunk
from corpus.normalize import fold, fold_compact

QuestionKind = Literal["meta_date", "meta_docno", "meta_issuer", "who", "quantity", "list", "what"]
MAX_ANSWER = 80

_YEAR = re.compile(r"(20\d\d)年?")
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?:%|‰|亿元|万元|亿|万|元|家|个|项|人|件|位|所|倍|座|条|名|次|億元|項|個)"
    r"(?:以上|左右|以内)?"
)
_NOTE = re.compile(r"〔牵头单位[:：]([^〕]*?)(?:[,，]配合单位[:：]([^〕]*))?〕")
_RESPONSIBLE = re.compile(r"(省[^，。,、；;]{1,14}?)(?:具体)?负责")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
_CLAUSE_SPLIT = re.compile(r"[，,；;：:。！？]")


def classify(question: str) -> QuestionKind:
    q = fold(question)
    if re.search(r"文号|发文字号|文件编号", q):
        return "meta_docno"
    if re.search(r"(印发|发布|下发|出台)(日期|时间)|哪(一)?天(印发|发布)|什么时候(印发|发布)", q):
        return "meta_date"
    if re.search(r"(哪个|什么)(单位|机关|部门)(印发|发布)|由(谁|哪个)(印发|发布)|发文(机关|单位)", q):
        return "meta_issuer"
    if re.search(r"牵头|配合|负责|谁|哪个部门|哪些部门|哪些单位", q):
        return "who"
    if re.search(r"多少|几(个|项|家|件|位|成|倍)|百分之几|比例|比重|占比|达到|增长|规模", q):
        return "quantity"
    if re.search(r"哪些|哪几|哪[一二三四五六七八九十两]|几(大|个方面|条)|包括", q):
        return "list"
    return "what"


def question_years(question: str) -> set[str]:
    return {m.group(1) for m in _YEAR.finditer(fold(question))}


@dataclass(frozen=True)
class Extraction:
    answer: str  # verbatim span of `chunk.text`
    sentence: str  # verbatim sentence of `chunk.text` holding the answer
    hit: int  # index of the passage it came from


def is_grounded(answer: str, passage: str) -> bool:
    return bool(answer) and fold_compact(answer) in fold_compact(passage)


def sentences_of(chunk: Chunk) -> list[str]:
    text = chunk.text
    return [text[s:e] for s, e in sentence_spans(text, (0, len(text)), 10_000)]


def keyword_overlap(keywords: Sequence[str], text: str) -> float:
    if not keywords:
        return 0.0
    folded = fold_compact(text)
    return sum(1 for k in keywords if k in folded) / len(keywords)


def sentence_fits_years(sentence: str, chunk: Chunk, years: set[str]) -> bool:
    """A sentence about another target year does not answer this one."""
    if not years:
        return True
    own = {m.group(1) for m in _YEAR.finditer(fold(sentence))}
    if chunk.table is not None:
        own |= {m.group(1) for m in _YEAR.finditer(" ".join(chunk.table.header))}
    return not own or bool(own & years)


def table_answer(chunk: Chunk, years: set[str]) -> str | None:
    table = chunk.table
    if table is None:
        return None
    columns = [h for h in table.header if _YEAR.fullmatch(h)]
    wanted = [c for c in columns if c[:4] in years]
    if years and not wanted:
        return None
    if wanted:
        column = wanted[0]
    elif columns:
        column = columns[-1]  # a table's last year column is its target
    else:
        column = next((h for h in table.header if "目标" in h), "")
    value = table.value_for(column) if column else None
    return value.strip() if value and value.strip() else None


def best_figure(sentence: str, keywords: Sequence[str], years: set[str]) -> str | None:
    """The figure in the clause that shares most keywords with the question."""
    best: tuple[float, int, str] | None = None
    clauses = [c for c in _CLAUSE_SPLIT.split(sentence) if c]
    for position, clause in enumerate(clauses):
        context = clause if position == 0 else clauses[position - 1] + clause
        for match in _FIGURE.finditer(clause):
            figure = match.group()
            if re.fullmatch(r"20\d\d年?", figure):
                continue
            score = keyword_overlap(keywords, context) + keyword_overlap(keywords, clause)
            if best is None or score > best[0]:
                best = (score, position, figure)
    return best[2] if best else None


def who_answer(chunk: Chunk, question: str) -> str | None:
    folded = fold(chunk.text)
    notes = list(_NOTE.finditer(folded))
    if notes:
        lead, partners = notes[-1].group(1), notes[-1].group(2)
        wanted = partners if "配合" in fold(question) and partners else lead
        return _verbatim(chunk.text, folded, wanted.split("。")[0])
    match = _RESPONSIBLE.search(folded)
    return _verbatim(chunk.text, folded, match.group(1)) if match else None


def _verbatim(original: str, folded: str, span: str) -> str | None:
    """The original-script text for a span found in the folded text.

    Folding keeps length for the characters we match on (tw2sp maps one character to
    one here), so the same offsets locate the original span; otherwise give up.
    """
    start = folded.find(span)
    if start < 0 or len(folded) != len(original):
        return None
    return original[start : start + len(span)].strip()


def template_answer(sentence: str, question: str) -> str | None:
    """"以什么为主线" against "以创新驱动发展取得新突破为主线" gives the whole clause."""
    q = fold(question)
    match = re.search(r"(.{0,3})(什么|哪个|哪种|哪里|谁)(.{0,4})", q)
    if not match:
        return None
    before, after = match.group(1).strip("的是"), match.group(3).rstrip("?？。")
    after = re.split(r"[,，?？]", after)[0]
    if not before and not after:
        return None
    folded = fold(sentence)
    pattern = re.escape(before) + r"([^，。；,;]{1,40}?)" + re.escape(after)
    found = re.search(pattern, folded)
    if not found or not found.group(1).strip():
        return None
    return _verbatim(sentence, folded, found.group(0))


def list_answer(sentence: str) -> str | None:
    clauses = [c.strip() for c in re.split(r"[，,；;：:。]", sentence) if c.strip()]
    listed = [c for c in clauses if c.count("、") >= 1]
    if not listed:
        return None
    best = max(listed, key=lambda c: c.count("、"))
    return best[:MAX_ANSWER]


def best_clause(sentence: str, keywords: Sequence[str]) -> str:
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(sentence) if c.strip()]
    if not clauses:
        return sentence[:MAX_ANSWER]
    ranked = sorted(clauses, key=lambda c: -keyword_overlap(keywords, c))
    return ranked[0][:MAX_ANSWER]
