"""When-questions (什么时候前完成, 从哪天开始施行): the date, as the text writes it, in the
clause of the best-focused sentence that states most of the question.

Dates are read by grammar, not by format list: a year (2019年, or a 民國 year such as
112年 or 一百十二年 when a month follows), a month and day in Arabic or Chinese numerals,
a part of the period (初, 底, 上旬) and an edge (前, 起, 以后) kept as written."""

from __future__ import annotations

import re

from corpus.normalize import fold_aligned
from qa.extract.passages import Evidence, Extraction, best_in_clauses, first_answer
from qa.quantities import CN_DIGIT
from qa.question import Question

_CN = CN_DIGIT  # Chinese numerals, as the quantity grammar reads them
_MONTH = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})月"
_DAY = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})[日号]"
_PART = r"(?:上旬|中旬|下旬|年底|年初|年末|底|初|末|中|份)?"
_EDGE = r"(?:以前|之前|前|起|开始|以后|之后|后|为止|止)?"
_YEAR = r"(?<![\d.])(?:19|20)\d\d年"
# A year counted otherwise (民國112年, 一百十二年) is a date only with its month.
_OTHER_YEAR = rf"(?:民国)?(?:\d{{2,3}}|[{_CN}百]{{2,5}})年(?={_MONTH})"
_HOUR = r"(?:\d{1,2}[时点](?:\d{1,2}分)?)?"
_ONE_DATE = (
    rf"(?:(?:{_YEAR}|{_OTHER_YEAR})(?:{_MONTH}(?:{_DAY}{_HOUR})?)?|{_MONTH}(?:{_DAY}{_HOUR})?)"
    rf"{_PART}"
)
# A date that recurs keeps its recurrence: 每年2月底前 is no single February.
_EVERY = r"(?:每年|每个?月|每季度)?"
# A period is kept whole, as written: "2025年10月下旬至2025年12月20日".
DATE = re.compile(rf"{_EVERY}{_ONE_DATE}(?:[至到—\-~～]{_ONE_DATE}|{_EDGE})")
MIN_FOCUS = 0.3  # a date in a sentence stating less of the question is someone else's


# How precise a date the question wants: 哪天 a day, 哪个月 a month at least.
PRECISION = ((re.compile(r"哪一?天|几号|日期|几月几日"), "日"), (re.compile(r"哪个月|几月"), "月"))


def precision_wanted(folded_question: str) -> str | None:
    return next((unit for asks, unit in PRECISION if asks.search(folded_question)), None)


def dates(clause: str, precision: str | None = None) -> list[tuple[int, int, float]]:
    folded = fold_aligned(clause)
    found = []
    for m in DATE.finditer(folded):
        if folded[m.end() : m.end() + 1] == "度":
            continue  # 2025年度: a year named as a period, not a date
        if precision and not re.search(rf"\d{{1,2}}{precision}|[{_CN}]{precision}", m.group()):
            continue
        found.append((m.start(), m.end(), 0.0))
    return found


def date_in(question: Question, sentence: str) -> str | None:
    precision = precision_wanted(question.folded)
    return best_in_clauses(
        sentence, question.keywords, question.years, lambda c: dates(c, precision)
    )


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    return first_answer(question, evidence, ((date_in, True),), min_focus=MIN_FOCUS)
