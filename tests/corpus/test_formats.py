"""html, docx and pdf loaders on files made here with real libraries."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from corpus.chunking import chunk_document
from corpus.loaders import CorpusError, document_from_bytes
from corpus.models import DocumentMeta

META = DocumentMeta("d", "t")


def test_html_text_and_table_rows() -> None:
    html = (
        "<html><head><title>x</title><script>var a=1;</script></head><body>"
        "<h1>一、发展目标</h1><p>到2025年，全省技术合同成交额突破500亿元。</p>"
        "<table><tr><th>指标</th><th>2020年</th><th>2025年</th></tr>"
        "<tr><td>技术合同成交额（亿元）</td><td>267.8</td><td>500</td></tr></table>"
        "</body></html>"
    )
    doc = document_from_bytes(html.encode("gb18030"), "page.html", META)
    assert "var a" not in doc.text and "到2025年" in doc.text
    rows = [c for c in chunk_document(doc) if c.kind == "table_row"]
    assert rows and rows[0].table is not None
    assert rows[0].table.value_for("2025年") == "500"
    assert rows[0].section.parts == ("一、发展目标",)


def test_docx_paragraphs_and_tables() -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("一、发展目标")
    document.add_paragraph("到2026年，全省高新技术企业数量力争突破6000家。")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["类别", "目标", "高新技术企业", "5000家"], strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    doc = document_from_bytes(buffer.getvalue(), "plan.docx", META)
    assert "6000家" in doc.text
    row = next(c for c in chunk_document(doc) if c.kind == "table_row")
    assert row.table is not None and row.table.value_for("目标") == "5000家"


def test_pdf_text_layer(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.text(0.1, 0.5, "Technology contract turnover reaches 50 billion yuan.")
    path = tmp_path / "plan.pdf"
    fig.savefig(path)
    plt.close(fig)
    doc = document_from_bytes(path.read_bytes(), "plan.pdf", META)
    assert "50 billion yuan" in doc.text


@pytest.mark.parametrize("name", ["bad.pdf", "bad.docx"])
def test_corrupt_files_name_the_file(name: str) -> None:
    with pytest.raises(CorpusError, match=name.replace(".", r"\.")):
        document_from_bytes(b"this is not what the suffix says", name, META)


def test_binary_html_is_rejected() -> None:
    with pytest.raises(CorpusError, match=r"x\.html"):
        document_from_bytes(b"\x00\x01\x02<html>", "x.html", META)
