from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.chunking import chunk_document, sentence_spans
from corpus.models import Document, DocumentMeta

HEADINGS = [
    "第一章　总体要求",
    "一、发展目标",
    "（二）重点任务",
    "(三)保障措施",
    "2.数位技术。瞄准前沿。",
    "\t专栏3  重点方向",
    "第十二章　构筑引领型创新高地，",
]
SENTENCE = st.text(
    alphabet="科技创新发展目标技術契約成交額億元，、 　0123456789%", min_size=0, max_size=120
).map(lambda s: s + st_choice_end(s))


def st_choice_end(s: str) -> str:
    return "。！？；"[len(s) % 4]


PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=6).map(lambda xs: "\u3000\u3000" + "".join(xs))
TABLE = st.lists(
    st.lists(
        st.text(alphabet="指标年亿元0123456789.*", min_size=1, max_size=12), min_size=2, max_size=4
    ),
    min_size=1,
    max_size=4,
).map(lambda rows: "\n\n".join("\n".join("\t" + c for c in row) for row in rows))
NOTE = st.just("〔牽頭單位:省科技廳,配合單位:省發改委〕")
LINE = st.one_of(st.sampled_from(HEADINGS), PARAGRAPH, TABLE, NOTE, st.just(""), st.just("\r"))
DOCUMENT = st.lists(LINE, min_size=1, max_size=25).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(DOCUMENT, st.integers(min_value=20, max_value=400))
def test_offsets_always_hold(text: str, max_chars: int) -> None:
    doc = Document(DocumentMeta("doc", "title"), text)
    for chunk in chunk_document(doc, max_chars=max_chars):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
        assert chunk.text
        if chunk.kind != "table_row":
            assert len(chunk.text) <= max_chars


@settings(max_examples=100, deadline=None)
@given(DOCUMENT)
def test_chunks_are_ordered_and_disjoint(text: str) -> None:
    chunks = chunk_document(Document(DocumentMeta("doc", "title"), text))
    for before, after in itertools.pairwise(chunks):
        assert before.end <= after.start


@settings(max_examples=100, deadline=None)
@given(DOCUMENT)
def test_a_chunk_never_spans_two_sections(text: str) -> None:
    for chunk in chunk_document(Document(DocumentMeta("doc", "title"), text)):
        lines = chunk.text.split("\n")
        for line in lines[1:]:
            stripped = line.strip(" \t\u3000")
            assert not stripped.startswith(("第一章", "一、", "（二）", "(三)", "专栏3")), (
                chunk.text
            )


def test_real_documents_offsets_and_sizes(bundled_docs: list[Document]) -> None:
    for doc in bundled_docs:
        chunks = chunk_document(doc)
        assert len(chunks) > 50
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text) <= 600
        assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_sentence_keeps_following_note() -> None:
    text = "開展研究。〔牽頭單位:省科技廳〕下一句。"
    spans = sentence_spans(text, (0, len(text)), 300)
    assert [text[s:e] for s, e in spans] == ["開展研究。〔牽頭單位:省科技廳〕", "下一句。"]


def test_overlong_sentence_is_cut_at_clauses() -> None:
    text = "，".join(["科技创新发展"] * 30) + "。"
    spans = sentence_spans(text, (0, len(text)), 50)
    assert all(e - s <= 50 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_rejects_tiny_max_chars() -> None:
    import pytest

    with pytest.raises(ValueError, match="max_chars"):
        chunk_document(Document(DocumentMeta("d", "t"), "正文。"), max_chars=5)


def test_sentence_keeps_a_bracketed_note_closing_its_line() -> None:
    # Invented wording: the departments in charge close the task's line in round brackets.
    text = "推进河道治理。（甲部、乙部负责）\n开展联合检查。（丙部负责）"
    spans = sentence_spans(text, (0, len(text)), 300)
    assert [text[s:e].strip() for s, e in spans] == [
        "推进河道治理。（甲部、乙部负责）",
        "开展联合检查。（丙部负责）",
    ]


def test_a_bracket_inside_a_line_still_starts_the_next_sentence() -> None:
    text = "推进河道治理。（一）开展联合检查。"
    spans = sentence_spans(text, (0, len(text)), 300)
    assert [text[s:e] for s, e in spans] == ["推进河道治理。", "（一）开展联合检查。"]
