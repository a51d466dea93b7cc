from __future__ import annotations

import pytest

from corpus.chunking import chunk_document
from corpus.models import Chunk, Document, DocumentMeta
from corpus.sections import parse_blocks

PLAN = "hlj-sti-14th-five-year-plan-2021"
ACTION = "hlj-sti-revitalization-action-plan-2022-2026"


def chunks_of(bundled_docs: list[Document], doc_id: str) -> list[Chunk]:
    return chunk_document({d.doc_id: d for d in bundled_docs}[doc_id])


def containing(chunks: list[Chunk], needle: str) -> Chunk:
    found = [c for c in chunks if needle in c.text]
    assert found, needle
    return found[0]


def test_chapter_title_broken_over_two_lines_is_joined(bundled_docs: list[Document]) -> None:
    chunk = containing(chunks_of(bundled_docs, PLAN), "推动数字经济和实体经济深度融合")
    assert chunk.section.parts == (
        "第四章 布局构建现代产业体系的关键技术攻关，支撑产业链提升",
        "一、新一代信息技术",
    )


def test_box_nests_under_its_section_and_ends_at_next_heading(bundled_docs: list[Document]) -> None:
    chunks = chunks_of(bundled_docs, PLAN)
    box = containing(chunks, "农业资源利用。开展黑土地成因")
    assert box.kind == "box"
    assert box.section.parts[-2:] == ("二、布局应用基础研究重点领域", "专栏1 应用基础研究重点领域")
    after = containing(chunks, "深入实施乡村振兴战略")
    assert after.section.parts == ("第三章 布局农业现代化的关键技术攻关，支撑乡村振兴",)


def test_table_row_keeps_header(bundled_docs: list[Document]) -> None:
    row = containing(chunks_of(bundled_docs, PLAN), "技术合同成交额（亿元）")
    assert row.kind == "table_row"
    assert row.table is not None
    assert row.table.header == ("序号", "指标", "2020年", "2025年")
    assert row.table.value_for("2020年") == "267.8"
    assert row.table.value_for("2025年") == "500"
    assert row.context == "“十四五”时期科技创新预期性指标：序号 / 指标 / 2020年 / 2025年"
    assert "指标" not in row.text  # the header travels beside the row, never inside it


def test_table_without_header_row(bundled_docs: list[Document]) -> None:
    row = containing(chunks_of(bundled_docs, PLAN), "页岩油成藏研究与开发")
    assert row.table is not None and row.table.header == ()


def test_multiline_cell_stays_in_its_row(bundled_docs: list[Document]) -> None:
    row = containing(chunks_of(bundled_docs, PLAN), "科技型企业\n\t15000家")
    assert row.table is not None
    assert row.table.cells[2].startswith("1.建立多层次科技企业培育库")
    assert "5.培育更多科技型上市企业" in row.table.cells[2]


def test_action_plan_nesting_without_chapters(bundled_docs: list[Document]) -> None:
    chunk = containing(chunks_of(bundled_docs, ACTION), "瞄準數字孿生")
    assert chunk.section.parts == (
        "二、重點任務",
        "(一)提升科技創新引領未來發展能力,新經濟業態領域攻關取得新突破",
        "1.數位技術",
    )
    goal = containing(chunks_of(bundled_docs, ACTION), "技術契約成交額達到550億元")
    assert goal.section.parts == ("一、總體要求", "(三)發展目標")


def test_lead_unit_note_stays_with_its_task(bundled_docs: list[Document]) -> None:
    chunks = chunks_of(bundled_docs, ACTION)
    notes = [c for c in chunks if "〔牽頭單位" in c.text]
    assert len(notes) >= 25
    for chunk in notes:
        assert not chunk.text.startswith("〔"), chunk.text[:40]
    snow = [c for c in notes if c.section.innermost == "3.冰雪產業技術"]
    assert snow and "省文化和旅遊廳、省體育局" in snow[-1].text


def test_heading_with_body_on_same_line_is_content() -> None:
    text = "一、總體要求\n(一)指導思想。\n堅持創新。\n二、重點任務\n1.數位技術。瞄準前沿。\n"
    blocks = parse_blocks(text)
    assert [b.section.parts for b in blocks] == [
        ("一、總體要求", "(一)指導思想"),
        ("二、重點任務", "1.數位技術"),
    ]
    span = blocks[1].paragraphs[0]
    assert text[span[0] : span[1]] == "1.數位技術。瞄準前沿。"


def test_a_numbered_line_that_is_a_whole_sentence_is_content() -> None:
    text = (
        "二、缴费标准\n（一）在校学生：个人缴费标准为每人413元，财政补助标准为每人956元。\n"
        "（二）其他参保人员：个人缴费标准为每人549元。\n三、缴费时间\n（一）指导思想。\n"
    )
    blocks = parse_blocks(text)
    spoken = [text[s:e] for b in blocks for s, e in b.paragraphs]
    assert "（一）在校学生：个人缴费标准为每人413元，财政补助标准为每人956元。" in spoken
    assert "（二）其他参保人员：个人缴费标准为每人549元。" in spoken
    assert "（一）指导思想。" not in spoken  # a title with a full stop is still a title


def test_notice_date_stays_with_issuer(bundled_docs: list[Document]) -> None:
    first = chunks_of(bundled_docs, ACTION)[0]
    assert "黑政辦發〔2022〕41號" in first.text
    assert "黑龍江省人民政府辦公廳\n2022年8月22日" in first.text


def test_section_numbering_in_prose_is_not_a_heading() -> None:
    long_line = "一、" + "这是一段很长的正文" * 10 + "。"
    doc = Document(DocumentMeta("d", "t"), "第一章 总则\n" + long_line + "\n")
    (chunk,) = chunk_document(doc)
    assert chunk.section.parts == ("第一章 总则",)


def test_pipe_table_rows_keep_their_header_and_offsets() -> None:
    from corpus.sections import parse_blocks

    text = (
        "罪名表\n\n| 刑法条文 | 罪名 |\n|---|---|\n"
        "| 第二百七十七条第五款 | 袭警罪 |\n| 第二百八十条之二 | 冒名顶替罪 |\n"
    )
    rows = [b for b in parse_blocks(text) if b.kind == "table_row"]
    assert [r.table.cells for r in rows if r.table] == [
        ("第二百七十七条第五款", "袭警罪"),
        ("第二百八十条之二", "冒名顶替罪"),
    ]
    assert all(r.table and r.table.header == ("刑法条文", "罪名") for r in rows)
    start, end = rows[0].paragraphs[0]
    assert text[start:end] == "| 第二百七十七条第五款 | 袭警罪 |"


@pytest.mark.parametrize(
    "text",
    [
        "| 指标 | 基期 | 目标 |\n|---|---|---|\n| | 2020年 | 2025年 |\n"
        "| 成交额（亿元） | 267.8 | 500 |\n",
        "\t指标\n\t基期\n\t目标\n\n\t单位\n\t2020年\n\t2025年\n\n"
        "\t成交额（亿元）\n\t267.8\n\t500\n",
        "指标  基期  目标\n单位  2020年  2025年\n成交额（亿元）  267.8  500\n",
    ],
)
def test_a_header_broken_over_two_rows_is_one_header(text: str) -> None:
    from corpus.sections import parse_blocks

    rows = [b.table for b in parse_blocks(text) if b.table]
    assert len(rows) == 1 and rows[0].cells == ("成交额（亿元）", "267.8", "500")
    assert rows[0].header[1:] == ("基期2020年", "目标2025年")


def test_articles_markdown_and_sections_are_headings() -> None:
    from corpus.sections import parse_blocks

    text = (
        "# 某某条例\n\n## 第一章 总则\n\n第一条 为了规范管理，制定本条例。\n\n"
        "第二条 本条例所称事项包括：\n（一）甲事项；\n（二）乙事项。\n\n"
        "第一节 一般规定\n\n第三条\n本条自公布之日起施行。\n"
    )
    paths = [b.section.parts for b in parse_blocks(text)]
    assert paths[0] == ("某某条例", "第一章 总则", "第一条")
    # An article's (一)/(二) items are its content, not sections of their own.
    assert paths[1] == ("某某条例", "第一章 总则", "第二条")
    assert paths[-1] == ("某某条例", "第一章 总则", "第一节 一般规定", "第三条")
    assert len(paths) == 3


def test_one_line_rows_of_a_plain_text_table() -> None:
    from corpus.sections import parse_blocks

    text = (
        "表1  2023年主要工业产品产量\n"
        "产品名称    单位    产量    比上年增长%\n"
        "发电量    亿千瓦时    3456.7    6.1\n"
        "钢材\t万吨\t1234.5\t-2.3\n"
        "\n全年粮食产量  稳中有升。\n"
    )
    rows = [b for b in parse_blocks(text) if b.kind == "table_row"]
    assert [r.table.cells for r in rows if r.table] == [
        ("发电量", "亿千瓦时", "3456.7", "6.1"),
        ("钢材", "万吨", "1234.5", "-2.3"),
    ]
    first = rows[0].table
    assert first is not None and first.header == ("产品名称", "单位", "产量", "比上年增长%")
    assert first.title == "表1  2023年主要工业产品产量"


def test_a_header_cell_spanning_a_second_header_row() -> None:
    from corpus.sections import parse_blocks

    text = (
        "省（市）\t1995年招生人数\t扩招\t分年度招生任务\n"
        "1996年\t1997年\t1998年\n"
        "总计\t1445\t555\t1600\t1800\t2000\n"
        "江苏\t100\t100\t120\t140\t200\n"
    )
    rows = [b.table for b in parse_blocks(text) if b.table]
    assert [r.cells[0] for r in rows] == ["总计", "江苏"]
    assert rows[1].header[3:] == (
        "分年度招生任务1996年",
        "分年度招生任务1997年",
        "分年度招生任务1998年",
    )


def test_a_list_table_keeps_its_header_over_group_headings_and_long_cells() -> None:
    text = (
        "序号\t改革举措\t主要内容\t指导部门\n"
        "一、知识产权保护方面（共2项）\n"
        "1\t案件三合一审判\t" + "整合分散的审判资源，" * 6 + "\t最高人民法院\n"
        "2\t专利保险机制\t围绕专利应用和维权开发保险产品。\t国家知识产权局\n"
        "二、科技金融方面（共1项）\n"
        "3\t科技创新专板\t在区域性股权市场推出科技创新板。\t中国证监会\n"
    )
    rows = [b for b in parse_blocks(text) if b.kind == "table_row"]
    assert len(rows) == 3
    assert all(r.table and r.table.header[-1] == "指导部门" for r in rows)
    assert rows[2].section.innermost == "二、科技金融方面（共1项）"


def test_a_row_short_of_its_spanned_first_cells_reads_under_the_last_labels() -> None:
    text = (
        "一级指标\t二级指标\t三级指标\t指标说明\n"
        "医疗质量\t功能定位\t1.门诊人次数\t计算方法：门诊人次数与出院人次数之比。\n"
        "2.下转患者人次数\t计算方法：本年度向基层医疗机构下转的人次数。\n"
    )
    rows = [b for b in parse_blocks(text) if b.kind == "table_row"]
    assert len(rows) == 2 and rows[1].table
    assert rows[1].table.header == ("三级指标", "指标说明")


def test_numbered_items_of_a_list_are_content_not_headings() -> None:
    text = (
        "一、申请材料\n1.户口簿；\n2.出生医学证明；\n3.父母一方身份证。\n"
        "租房提取须提供：\n1.本人身份证\n2.租赁合同\n"
    )
    blocks = parse_blocks(text)
    spoken = "\n".join(text[s:e] for b in blocks for s, e in b.paragraphs)
    for item in ("1.户口簿；", "3.父母一方身份证。", "1.本人身份证", "2.租赁合同"):
        assert item in spoken
    assert {b.section.parts for b in blocks} == {("一、申请材料",)}


def test_a_knowledge_base_entry_and_its_pairs_are_question_sections() -> None:
    text = (
        "如何办理新生儿医保参保登记？\n新生儿出生后即可办理。\n一、办理时限\n即时办结。\n"
        "问：可以在网上办理吗？\n答：可以。\n"
    )
    blocks = parse_blocks(text)
    paths = [b.section for b in blocks]
    assert paths[0].parts == ("如何办理新生儿医保参保登记？",)
    assert paths[1].heading_words() == "如何办理新生儿医保参保登记？ 一、办理时限"
    assert paths[2].asked == "问：可以在网上办理吗？"
    assert paths[2].heading_words() == "问：可以在网上办理吗？"
    # A question line inside a document, with no 答 after it, is prose.
    prose = parse_blocks("一、总体要求\n为什么要推进改革？\n因为…。\n")
    assert all(b.section.parts == ("一、总体要求",) for b in prose)


def test_a_guides_field_names_head_their_values() -> None:
    text = (
        "转移登记服务指南\n受理窗口\n县不动产登记中心\n申报材料\n(一套材料)\n"
        "不动产登记申请书;\n身份证明;\n法定期限\n30个工作日\n"
    )
    blocks = parse_blocks(text)
    assert [b.section.parts for b in blocks] == [
        (),
        ("受理窗口",),
        ("申报材料",),
        ("法定期限",),
    ]
    # A field name inside a sentence is prose.
    assert [b.section.parts for b in parse_blocks("申请材料，应当提交原件。\n")] == [()]


def test_a_field_name_may_say_what_is_needed() -> None:
    text = (
        "人才落户\n需要申请材料\n1.居民户口簿；\n2.相关凭证。\n"
        "办理流程及时限\n派出所于3个工作日内预审。\n"
    )
    assert [b.section.parts for b in parse_blocks(text)] == [
        (),
        ("需要申请材料",),
        ("办理流程及时限",),
    ]
    # A line leading the list is the list's lead, not its heading.
    led = parse_blocks("需要申请材料如下：\n1、身份证明;\n2、租赁合同。\n")
    assert [b.section.parts for b in led] == [()]
