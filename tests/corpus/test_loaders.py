from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from corpus.bundled import load_corpus, load_documents
from corpus.loaders import CorpusError, decode_text, doc_id_for, loader_for

TEXT = "黑龙江省科技振兴行动计划\n到2026年，全省技术合同成交额达到550亿元。\n"


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT.encode("gb18030")],
    ids=["utf-8", "utf-8-bom", "gb18030"],
)
def test_decodes_supported_encodings(data: bytes) -> None:
    assert decode_text(data, "x.txt") == TEXT


def test_crlf_becomes_lf() -> None:
    assert decode_text("一\r\n二\r三".encode(), "x.txt") == "一\n二\n三"


def test_rejects_binary_naming_the_file() -> None:
    with pytest.raises(CorpusError, match=r"scan\.txt"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "scan.txt")


def test_rejects_random_bytes() -> None:
    noise = bytes(range(128, 256)) * 20
    with pytest.raises(CorpusError, match=r"noise\.txt"):
        decode_text(noise, "noise.txt")


def test_unsupported_suffix() -> None:
    with pytest.raises(CorpusError, match=r"\.xls"):
        loader_for(Path("report.xls"))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusError, match="empty"):
        load_documents([empty])
    with pytest.raises(CorpusError, match="no such file"):
        load_documents([tmp_path / "missing.txt"])


def test_loads_directory_with_guessed_metadata(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 标题\n正文。", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("某省規劃\n技術契約。".encode("gb18030"))
    docs = load_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert docs[1].meta.title == "某省規劃"
    assert docs[1].meta.script == "traditional"


def test_doc_id_from_file_name() -> None:
    assert doc_id_for(Path("/x/HLJ Plan 2021.txt")) == "hlj-plan-2021"


def test_bundled_metadata(bundled_docs: list) -> None:
    plan = {d.doc_id: d for d in bundled_docs}["hlj-sti-revitalization-action-plan-2022-2026"]
    assert plan.meta.doc_number == "黑政辦發〔2022〕41號"
    assert plan.meta.script == "traditional"
    assert plan.meta.date == "2022-08-22"


def test_a_short_document_headed_by_its_title_is_one_entry(tmp_path: Path) -> None:
    from corpus.bundled import ENTRY_MAX_CHARS, load_documents
    from corpus.chunking import chunk_document

    (tmp_path / "guide.txt").write_text("社保卡补办\n携带身份证到银行网点办理。\n", "utf-8")
    (tmp_path / "plan.txt").write_text("某某规划\n" + "发展目标。" * ENTRY_MAX_CHARS, "utf-8")
    docs = {d.doc_id: d for d in load_documents([tmp_path])}
    assert docs["guide"].meta.entry and not docs["plan"].meta.entry
    assert chunk_document(docs["guide"])[0].section.asked == "社保卡补办"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('{"a.txt": {"title": "甲"}}', "found a JSON object, expected a JSON list"),
        ('["a.txt"]', "entry 1 is a JSON string; expected a JSON list"),
        ('[{"doc_id": "a", "title": "甲", "author": "x"}]', "unknown field(s) author; fields:"),
        ('[{"title": "甲"}]', "entry 1: "),
        ("[{", "not readable JSON"),
    ],
)
def test_metadata_in_the_wrong_shape_says_what_is_expected(
    tmp_path: Path, written: str, said: str
) -> None:
    (tmp_path / "a.txt").write_text("甲文件\n第一条 内容。\n", "utf-8")
    (tmp_path / "metadata.json").write_text(written, "utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus([tmp_path])
    assert said in str(raised.value) and "must be a mapping" not in str(raised.value)


def test_bad_files_are_skipped_with_their_reasons(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("甲文件\n第一条 内容。\n", "utf-8")
    (tmp_path / "b.txt").write_text(" \n", "utf-8")
    (tmp_path / "c.exe").write_bytes(b"MZ")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("另一个甲文件\n第一条 内容。\n", "utf-8")
    loaded = load_corpus([tmp_path, tmp_path / "sub" / "a.txt"])
    assert [d.doc_id for d in loaded.documents] == ["a"]
    reasons = {s.path.name: s.reason for s in loaded.skipped}
    assert reasons["b.txt"] == "empty document"
    assert reasons["c.exe"].startswith("unsupported format .exe")
    assert "also used by" in reasons["a.txt"]  # the second file with id "a"
    assert ".DS_Store" not in reasons
    with pytest.raises(CorpusError, match=r"b\.txt: empty document"):
        load_corpus([tmp_path], strict=True)
