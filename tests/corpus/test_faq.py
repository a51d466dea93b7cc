"""问题/答案 sheets (.csv, .xlsx) as knowledge-base entries: one document per row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from corpus.bundled import load_documents
from corpus.chunking import chunk_document
from corpus.faq import FaqColumns, faq_documents, parse_columns
from corpus.loaders import CorpusError

ROWS = [
    ["用户问题", "答案", "处理单位", "关键字"],
    [
        "新生儿怎么办理医保参保",
        "1.登录网上服务大厅；\n2.填写信息；\n3.提交审核。",
        "市医疗保障局",
        "医保、新生儿",
    ],
    ["租房可以提取公积金吗", "无自有住房且租赁住房的，可以申请提取。", "市住房公积金管理中心", ""],
    ["", "一行没有问题的答案", "", ""],
]


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # Excel's CSV: UTF-8 with a BOM


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"), [("kb.csv", csv_bytes(ROWS)), ("kb.xlsx", xlsx_bytes(ROWS))]
)
def test_each_row_with_a_question_and_an_answer_is_an_entry(name: str, data: bytes) -> None:
    docs = faq_documents(data, name)
    assert [d.doc_id for d in docs] == ["kb-0001", "kb-0002"]  # the row without a question goes
    first = docs[0]
    assert first.meta.title == "新生儿怎么办理医保参保" and first.meta.entry
    assert first.meta.unit == "市医疗保障局"
    assert first.text.startswith("新生儿怎么办理医保参保\n1.登录网上服务大厅；")
    assert first.text.rstrip().endswith("关键字：医保、新生儿")
    # Every passage of the answer is read under the entry's question, which need not end
    # in a question mark.
    chunks = chunk_document(first, 20)
    assert len(chunks) > 1
    assert all(c.section.asked == "新生儿怎么办理医保参保" for c in chunks)
    assert all(first.text[c.start : c.end] == c.text for c in chunks)


def test_columns_are_named_by_role() -> None:
    rows = [
        ["编号", "咨询内容", "回复"],
        ["A-1", "社保卡丢了怎么办", "携带身份证到银行网点挂失补办。"],
    ]
    columns = parse_columns("question=咨询内容，answer=回复,id=编号")
    assert columns == FaqColumns(question="咨询内容", answer="回复", id="编号")
    (doc,) = faq_documents(csv_bytes(rows), "12345.csv", columns)
    assert doc.doc_id == "12345-a-1" and doc.meta.title == "社保卡丢了怎么办"


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        ([["标题", "正文"], ["a", "b"]], None, "no question or answer column"),
        (ROWS, FaqColumns(question="问"), "no column '问' for question"),
        ([], None, "empty sheet"),
        ([["问题", "答案"], ["问", ""]], None, "no row holds both"),
        (
            [["问题", "答案", "编号"], ["a", "b", "1"], ["c", "d", "1"]],
            FaqColumns(id="编号"),
            "two rows",
        ),
    ],
)
def test_a_sheet_that_cannot_be_read_says_why(
    rows: list[list[str]], columns: FaqColumns | None, message: str
) -> None:
    with pytest.raises(CorpusError, match=message):
        faq_documents(csv_bytes(rows), "kb.csv", columns)


@pytest.mark.parametrize("spec", ["question", "question=", "size=问题"])
def test_a_bad_columns_spec_is_refused(spec: str) -> None:
    with pytest.raises(CorpusError):
        parse_columns(spec)


def test_a_corrupt_workbook_is_refused() -> None:
    with pytest.raises(CorpusError, match=r"not a readable \.xlsx"):
        faq_documents(b"PK\x03\x04 not really a zip", "kb.xlsx")


def test_a_directory_mixes_sheets_and_documents(tmp_path: Path) -> None:
    (tmp_path / "kb.csv").write_bytes(csv_bytes(ROWS))
    (tmp_path / "guide.txt").write_text("如何补办社保卡？\n携带身份证到银行网点办理。\n", "utf-8")
    docs = load_documents([tmp_path])
    assert sorted(d.doc_id for d in docs) == ["guide", "kb-0001", "kb-0002"]
    guide = next(d for d in docs if d.doc_id == "guide")
    assert chunk_document(guide)[0].section.asked == "如何补办社保卡？"
