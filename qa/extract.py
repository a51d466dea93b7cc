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
from corpus.normalize import fold, fold_aligned, fold_compact

QuestionKind = Literal[
    "meta_date", "meta_docno", "meta_issuer", "meta_period", "who", "quantity", "list", "what"
]
MAX_ANSWER = 80

_YEAR = re.compile(r"(20\d\d)年?")
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?:[—\-~至]\d+(?:\.\d+)?)?"
    # Longer units first: "10万吨" is 10万吨, not 10万.
    r"(?:%|‰|亿元|億元|万元|万千瓦|万吨|万亩|亿|万|元|家|个|個|项|項|人|件|位|所|倍|座|条|名|次"
    r"|兆瓦|千瓦|千米|公里|米|吨|亩|公顷)"
    r"(?:以上|左右|以内)?"
)
_NOTE = re.compile(r"〔牵头单位[:：]([^〕]*?)(?:[,，]配合单位[:：]([^〕]*))?〕")
_RESPONSIBLE = re.compile(r"(省[^，。,、；;]{1,14}?)(?:具体)?负责")
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
_CLAUSE_SPLIT = re.compile(r"[，,；;：:。！？]")


def classify(question: str) -> QuestionKind:
    q = fold(question)
    if re.search(r"文号|发文字号|文件编号", q):
        return "meta_docno"
    if re.search(r"(印发|发布|下发|出台)(日期|时间)|哪(一)?天(印发|发布)|什么时候(印发|发布)", q):
        return "meta_date"
    issuer = r"(哪个|什么)(单位|机关|部门)(印发|发布)|由(谁|哪个)(印发|发布)|发文(机关|单位)"
    if re.search(issuer, q):
        return "meta_issuer"
    if re.search(r"实施期限|起止(年份|时间)|规划期|哪几年", q):
        return "meta_period"
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
    answer: str  # verbatim span of the passage
    sentence: str  # verbatim sentence of the passage holding the answer
    hit: int  # index of the retrieved passage it came from
    chunk: Chunk | None = None  # the passage, when it is not the retrieved one itself


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


def table_answer(chunk: Chunk, years: set[str], baseline: bool = False) -> str | None:
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
        # The first year column is the baseline (基期), the last the target.
        column = columns[0] if baseline else columns[-1]
    else:
        column = next((h for h in table.header if "目标" in h), "")
    value = table.value_for(column) if column else None
    return value.strip() if value and value.strip() else None


def best_figure(
    sentence: str, keywords: Sequence[str], years: set[str], unit: str | None = None
) -> str | None:
    """The figure in the clause that shares most keywords with the question.

    A figure right after the asked year ("增长到2020年的267.8亿元") beats one after
    another year in the same clause.
    """
    best: tuple[float, str] | None = None
    clauses = [c for c in _CLAUSE_SPLIT.split(sentence) if c]
    for position, clause in enumerate(clauses):
        context = clause if position == 0 else clauses[position - 1] + clause
        for match in _FIGURE.finditer(clause):
            figure = match.group()
            if re.fullmatch(r"20\d\d年?", figure) or not unit_fits(figure, unit):
                continue
            lead = clause[max(0, match.start() - 8) : match.start()]
            score = keyword_overlap(keywords, context) + keyword_overlap(keywords, clause)
            lead_years = set(_YEAR.findall(lead))
            if lead_years:
                score += 0.5 if lead_years & years else -0.5
            if best is None or score > best[0]:
                best = (score, figure)
    return best[1] if best else None


def who_answer(chunk: Chunk, question: str, keywords: Sequence[str] = ()) -> str | None:
    folded = fold_aligned(chunk.text)
    notes = list(_NOTE.finditer(folded))
    if notes:
        lead, partners = notes[-1].group(1), notes[-1].group(2)
        wanted = partners if "配合" in fold(question) and partners else lead
        return _verbatim(chunk.text, folded, wanted.split("。")[0])
    # "省科技厅具体负责对…进行分解": the unit whose duty matches the question's words.
    duties = list(_RESPONSIBLE.finditer(folded))
    if not duties:
        return None
    best = max(duties, key=lambda m: keyword_overlap(keywords, folded[m.start() : m.end() + 30]))
    return _verbatim(chunk.text, folded, best.group(1))


def _verbatim(original: str, folded: str, span: str) -> str | None:
    """The original-script text of a span found in `fold_aligned(original)`."""
    start = folded.find(span)
    if start < 0:
        return None
    return original[start : start + len(span)].strip() or None


def template_answer(sentence: str, question: str) -> str | None:
    """ "以什么为主线" against "以创新驱动发展取得新突破为主线" gives the whole clause;
    "创建什么" against "…园区创建国家农业高新技术产业示范区" gives what follows."""
    q = fold(question)
    match = re.search(r"(.{0,3})(什么|哪个|哪种|哪项|哪里|谁)(.{0,4})", q)
    if not match:
        return None
    before = re.split(r"[,，、:：]", match.group(1))[-1].lstrip("的是")
    after = re.split(r"[,，?？。]", match.group(3))[0]
    folded = fold_aligned(sentence)
    body = r"([^，。；,;]{1,40}?)" if after else r"([^，。；,;]{1,40})"
    # The question's words next to the gap may differ from the text's: shorten the
    # left anchor until it matches.
    # The question's words next to the gap may differ from the text's ("获得了" for
    # "获"): shorten the anchors until they match.
    for right in [after[:n] for n in range(len(after), 0, -1)] or [""]:
        for cut in range(len(before) + 1):
            left = before[cut:]
            if not left and not right:
                break
            found = re.search(re.escape(left) + body + re.escape(right), folded)
            if found and found.group(1).strip():
                span = found.group(0) if right else found.group(1)
                return _verbatim(sentence, folded, span)
    return None


def unit_wanted(question: str) -> str | None:
    """The unit the question asks in: 比例 wants %, 多少家 wants 家, 多少钱 wants 元."""
    q = fold(question)
    if re.search(r"比例|比重|百分之|占比|增长率|强度|%|(年均|每年).{0,6}(增长|涨)", q):
        return "%"
    if re.search(r"多少钱|金额|成交额|经费|资金|投入", q):
        return "元"
    found = re.search(r"(?:多少|几)(家|项|件|人|个|位|所|名|座|条|兆瓦|千瓦|米|吨|亩)", q)
    return found.group(1) if found else None


def unit_fits(figure: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    folded = fold(figure)
    if wanted == "元":
        return "元" in folded or not re.search(r"[%家项件人个位所名座条]", folded)
    if wanted == "个":  # the general classifier: 多少个人才 is answered in 人
        return "%" not in folded and "元" not in folded
    return wanted in folded


_COUNTS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def expected_items(question: str) -> int | None:
    digits = "两二三四五六七八九"
    match = re.search(rf"哪([{digits}])|([{digits}])(大|个|项|条)", fold(question))
    if not match:
        return None
    return _COUNTS[match.group(1) or match.group(2)]


def list_answer(sentence: str, expected: int | None = None) -> str | None:
    clauses = [c.strip() for c in re.split(r"[，,；;：:。]", sentence) if c.strip()]
    listed = [c for c in clauses if "、" in c]
    if not listed:
        return None

    def fit(clause: str) -> int:
        items = clause.count("、") + 1 + clause.count("和")
        return -abs(items - expected) if expected else items

    return max(listed, key=fit)[:MAX_ANSWER]


def best_clause(sentence: str, keywords: Sequence[str]) -> str:
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(sentence) if c.strip()]
    if not clauses:
        return sentence[:MAX_ANSWER]
    ranked = sorted(clauses, key=lambda c: -keyword_overlap(keywords, c))
    return ranked[0][:MAX_ANSWER]
