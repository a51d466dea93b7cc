"""Table rows read against their header: the cell of the asked year's column (指标 /
2020年 / 2025年), the base-period column when the question asks for 基期."""

from __future__ import annotations

import re

from corpus.models import Chunk
from corpus.normalize import fold_aligned
from qa.extract.passages import Extraction
from qa.question import YEAR, Question


def has_year_columns(chunk: Chunk) -> bool:
    return chunk.table is not None and any(re.fullmatch(r"20\d\d年", h) for h in chunk.table.header)


def row_unit(chunk: Chunk) -> str:
    """The unit a row's indicator names in brackets: "技术合同成交额（亿元）" gives 亿元."""
    found = re.search(r"[（(]([^）)]{1,4})[）)]", fold_aligned(chunk.text))
    return found.group(1) if found else ""


def table_answer(chunk: Chunk, years: frozenset[str], baseline: bool = False) -> str | None:
    table = chunk.table
    if table is None:
        return None
    columns = [h for h in table.header if YEAR.fullmatch(h)]
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


def in_table(question: Question, chunk: Chunk, rank: int) -> Extraction | None:
    answer = table_answer(chunk, question.years, question.baseline)
    return Extraction(answer, chunk.text, rank) if answer else None
