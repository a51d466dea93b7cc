"""Table rows read against their header: the cell of the asked year's column (指标 /
2020年 / 2025年), the base-period column when the question asks for 基期."""

from __future__ import annotations

import re

from corpus.models import Chunk, TableCells
from corpus.normalize import fold_aligned, fold_compact
from qa.extract.passages import LABEL_SHARE, MAX_ANSWER, Evidence, Extraction, asked_share
from qa.question import Question, QuestionKind

SERIAL = re.compile(r"\d{1,3}|[一二三四五六七八九十]{1,3}")  # a 序号 cell


# A label naming a year: 2025年, 1995年招生人数, 分年度招生任务1997年.
YEAR_COLUMN = re.compile(r"(?<![\d.])((?:19|20)\d\d)年")


def year_columns(chunk: Chunk) -> list[tuple[str, str]]:
    """(label, year) of the columns a year heads: 2025年, or 分年度招生任务1997年 under a
    spanning header."""
    if chunk.table is None:
        return []
    found = ((h, YEAR_COLUMN.search(h)) for h in chunk.table.header)
    return [(h, m.group(1)) for h, m in found if m]


def has_year_columns(chunk: Chunk) -> bool:
    return bool(year_columns(chunk))


def row_unit(chunk: Chunk) -> str:
    """The unit a row states: its indicator's brackets ("技术合同成交额（亿元）" gives 亿元),
    a 单位 column, or the 单位： its table's title gives."""
    found = re.search(r"[（(]([^）)]{1,4})[）)]", fold_aligned(chunk.text))
    if found:
        return found.group(1)
    if chunk.table is None:
        return ""
    column = next(
        (c for h, c in zip(chunk.table.header, chunk.table.cells, strict=False) if "单位" in h),
        "",
    )
    # Or the table's own line: "…扩大招生计划表 单位：人".
    titled = re.search(r"单位[:：]\s*([^\s，,；;）)]{1,4})", chunk.table.title or "")
    return column or (titled.group(1) if titled else "")


def table_answer(
    chunk: Chunk, years: frozenset[str], baseline: bool = False, asked: str = ""
) -> str | None:
    table = chunk.table
    if table is None:
        return None
    named = named_column(table, asked) if not years else None
    value = table.value_for(named) if named else None
    if value and re.search(r"\d", value):  # a figure, not the row's label (指标)
        return value.strip()
    columns = year_columns(chunk)
    wanted = [label for label, year in columns if year in years]
    if years and not wanted:
        return None
    if wanted:
        column = wanted[0]
    elif columns:
        # The first year column is the baseline (基期), the last the target.
        column = columns[0][0] if baseline else columns[-1][0]
    else:
        column = next((h for h in table.header if "目标" in h), "")
    value = table.value_for(column) if column else None
    return value.strip() if value and value.strip() else None


def row_named(question: Question, table: TableCells) -> bool:
    """The question names the row: its label (the first cell of words: 江苏, 新塘街,
    技术合同成交额（亿元）) shares a keyword or most of its characters with it. A figure of
    another row (新塘街's telephone for 北京街) does not answer."""
    core = fold_compact(re.sub(r"[（(][^）)]*[）)]", "", table.label))
    if not core:
        return True
    asked = fold_compact(question.text)
    if TOTAL_ROW.fullmatch(core):
        return bool(ASKS_TOTAL.search(asked))
    return any(k in core for k in question.keywords) or asked_share(core, asked) >= LABEL_SHARE


TOTAL_ROW = re.compile(r"总计|合计|共计|总数|总体|全部")
ASKS_TOTAL = re.compile(r"总计|合计|共计|一共|总共|总数|总体|全部|全国|全省|全市|全区")


def named_column(table: TableCells, asked: str) -> str | None:
    """The column, past the row's label, whose whole label the question says (扩招 in
    分到的扩招任务是多少); the longest when several."""
    labels = [h for h in table.header[1:] if len(h) >= 2 and fold_compact(h) in asked]
    return max(labels, key=len) if labels else None


def in_table(question: Question, chunk: Chunk, rank: int) -> Extraction | None:
    if chunk.table is None or not row_named(question, chunk.table):
        return None
    asked = fold_compact(question.text)
    answer = table_answer(chunk, question.years, question.baseline, asked)
    if answer is None and not has_year_columns(chunk):
        answer = measure_answer(question, chunk.table)
    return Extraction(answer, chunk.text, rank) if answer else None


_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*%?")
_GROWTH = re.compile(r"增长|增速|增幅|下降|比上年|同比|%")


def measure_answer(question: Question, table: TableCells) -> str | None:
    """A figure of a row whose columns are measures, not years (指标 / 单位 / 绝对数 /
    比上年增长%): the growth column when the question asks how much something grew,
    else the first other column that holds a number."""
    wants_growth = bool(re.search(r"增长|增速|增幅|下降|比上年|同比", question.folded))
    for label, cell in zip(table.header, table.cells, strict=False):
        value = cell.strip()
        if not _NUMBER.fullmatch(value) or re.search(r"序号|编号|代码", label):
            continue
        if bool(_GROWTH.search(label)) == wants_growth:
            return value
    return None


def cell_answer(question: Question, chunk: Chunk, named_only: bool = False) -> str | None:
    """A row without year columns (罪名 / 刑法条文, 街道 / 电话 / 地址): the cell under the
    column the question names, or else (unless `named_only`) the one cell the question
    does not already state. None when the row does not match the question or the choice
    is ambiguous."""
    table = chunk.table
    if table is None or has_year_columns(chunk) or len(table.header) != len(table.cells):
        return None  # a row without a header of its own cannot say which cell is which
    asked = fold_compact(question.text)

    def stated(cell: str) -> bool:
        folded = fold_compact(cell)
        return bool(folded) and (folded in asked or any(k in folded for k in question.keywords))

    cells = list(table.cells)
    label = next((c for c in cells if stated(c)), None)
    if question.kind is QuestionKind.QUANTITY or label is None:
        return None  # a figure is read from the row by the quantity rules
    others = [c for c in cells if c and c is not label and not SERIAL.fullmatch(c.strip())]
    # A column is named by its head noun, the label's last two characters: 街道地址 is
    # what 办公地址在哪里 asks for, 办公电话 is not.
    named = [i for i, head in enumerate(table.header) if len(head) >= 2 and head[-2:] in asked]
    chosen = [c for i in named if (c := cells[i]) in others and fold_compact(c) not in asked]
    if named_only and not row_named(question, table):
        return None  # below the best passage, the row itself must be the one asked about
    if not chosen and not named_only:
        chosen = [v for c in others if (v := labelled_value(c, asked))]
        if not chosen and not any(stated(c) for c in others):
            # The one cell the question does not state; a cell holding its words is
            # where the answer is, for the sentence rules to read.
            chosen = others
    if len(chosen) != 1 or len(chosen[0]) > MAX_ANSWER:
        return None
    return chosen[0]


# A cell that labels its own value: "计算方法：年总能耗支出/年总收入×10000。指标来源：…".
LABELLED = re.compile(r"^([\u4e00-\u9fff]{2,6})[:：]([^。；;]+)")


def labelled_value(cell: str, asked: str) -> str | None:
    """The value of a labelled cell whose label the question asks for (怎么计算 for
    计算方法：…)."""
    found = LABELLED.match(cell.strip())
    return found.group(2).strip() if found and found.group(1)[:2] in asked else None


TABLE_TRIES = 3  # usable passages, best first, whose row may answer by a named column


def in_table_cell(question: Question, evidence: Evidence) -> Extraction | None:
    """The best-ranked matching passage, when it is a table row, read as a row; or, below
    a best passage of prose, a row that the question names together with one of its
    columns (大中专学生 … 参保缴费渠道是什么), which no sentence elsewhere states as well."""
    for position, (rank, hit) in enumerate(evidence.usable[:TABLE_TRIES]):
        answer = cell_answer(question, hit.chunk, named_only=position > 0)
        if answer:
            return Extraction(answer, hit.chunk.text, rank)
        if hit.chunk.table is not None:
            # The best row did not answer alone: its neighbours, sharing its header and
            # its words (钱塘区…), are no better; the sentence rules read it.
            return None
    return None
