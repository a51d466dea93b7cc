"""Steps, lists and verdicts answered as the source's own excerpt (qa/extract/excerpt.py),
on a service-guide entry as a hotline knowledge base keeps it."""

from __future__ import annotations

import pytest

from corpus.chunking import chunk_document
from corpus.models import Chunk, Document, DocumentMeta
from index.backend import ScoredChunk
from index.tokenize import Tokenizer
from qa.extract import excerpt
from qa.extract.passages import Evidence, is_grounded
from qa.query import QueryPlan
from qa.question import QuestionKind, QuestionParser, excerpt_asked

PARSER = QuestionParser(lambda text: QueryPlan(text, ()), Tokenizer(), own_names=())
ENTRY = (
    "如何办理新生儿医保参保登记？\n"
    "新生儿出生后，可由父母一方携带相关材料到户籍所在地社区（村）办理参保登记。\n"
    "一、申请材料\n1.新生儿户口簿；\n2.新生儿出生医学证明；\n3.父母一方身份证。\n"
    "二、办理流程\n1.登录市医保局网上服务大厅；\n2.选择“城乡居民参保登记”，填写信息；\n"
    "3.上传材料，提交审核。审核通过后即可缴费。\n"
    "三、办理时限\n即时办结。\n"
    "问：新生儿可以在网上办理吗？\n答：可以。登录网上服务大厅即可办理，无需到现场。\n"
)


def evidence_for(question: str, text: str = ENTRY, max_chars: int = 300) -> Evidence:
    doc = Document(DocumentMeta("kb-newborn", "如何办理新生儿医保参保登记？"), text)
    chunks = chunk_document(doc, max_chars)

    def section(chunk: Chunk) -> list[Chunk]:
        return [c for c in chunks if c.section == chunk.section]

    hits = [ScoredChunk(c, 1.0 - i / 100) for i, c in enumerate(chunks)]
    return Evidence(PARSER.parse(question), hits, {doc.doc_id: doc}, section, lambda _: chunks)


def answered(question: str, **kwargs: object) -> tuple[str, str, Chunk]:
    evidence = evidence_for(question, **kwargs)  # type: ignore[arg-type]
    found = excerpt.extract(evidence.question, evidence)
    assert found is not None
    chunk = found.chunk or evidence.hits[found.hit].chunk
    assert is_grounded(found.answer, chunk.text)
    assert found.sentence in chunk.text and len(found.answer) <= excerpt.MAX_EXCERPT
    return found.answer, str(found.kind), chunk


def test_materials_are_the_whole_list() -> None:
    answer, kind, chunk = answered("给孩子办医保要带什么材料")
    assert kind == "list"
    assert answer == "1.新生儿户口簿；\n2.新生儿出生医学证明；\n3.父母一方身份证。"
    assert chunk.section.innermost == "一、申请材料"


def test_steps_come_from_the_procedure_section_though_it_ranks_lower() -> None:
    answer, kind, chunk = answered("孩子刚出生怎么上医保")
    assert kind == "steps"
    assert answer.startswith("1.登录市医保局网上服务大厅；")
    assert answer.endswith("3.上传材料，提交审核。审核通过后即可缴费。")
    assert chunk.section.innermost == "二、办理流程"


def test_a_yes_no_question_gets_the_answer_of_its_pair_without_the_label() -> None:
    answer, kind, _ = answered("新生儿医保能不能在网上办")
    assert kind == "passage"
    assert answer == "可以。登录网上服务大厅即可办理，无需到现场。"


def test_a_list_cut_by_the_chunker_is_read_on_into_the_next_passage() -> None:
    text = (
        "住房公积金租房提取\n职工租赁住房的，可以申请提取住房公积金支付房租。\n申请材料：\n"
        + "".join(
            f"{n}.{name}；\n"
            for n, name in enumerate(
                ["本人身份证原件", "婚姻状况证明材料", "房屋租赁合同原件", "租金发票或者付款凭证"],
                start=1,
            )
        )
    )
    evidence = evidence_for("租房取公积金要准备哪些材料", text=text, max_chars=50)
    found = excerpt.extract(evidence.question, evidence)
    assert found is not None and found.chunk is not None
    assert "1.本人身份证原件；" in found.answer and "4.租金发票或者付款凭证；" in found.answer
    # The joined passage is still the stored text between its offsets.
    assert text[found.chunk.start : found.chunk.end] == found.chunk.text
    assert found.answer in found.chunk.text


def test_a_passage_about_something_else_gives_no_excerpt() -> None:
    evidence = evidence_for("驾驶证到期了怎么换证")
    assert excerpt.extract(evidence.question, evidence) is None


@pytest.mark.parametrize(
    ("question", "kind", "asked"),
    [
        ("换驾照要带啥", QuestionKind.WHAT, "list"),
        ("申请低保需要符合什么条件", QuestionKind.WHAT, "list"),
        ("公积金怎么提取", QuestionKind.WHAT, "steps"),
        ("办理流程是怎样的", QuestionKind.WHAT, "steps"),
        ("租房能提取公积金吗", QuestionKind.WHAT, "passage"),
        ("为什么社保断缴了", QuestionKind.WHAT, "passage"),
        ("二是增强技术源头供给能力是什么", QuestionKind.WHAT, None),  # 什么, not 么
        ("怎样定义数字经济", QuestionKind.WHAT, None),  # a meaning, not a procedure
        ("办理要多少天", QuestionKind.QUANTITY, None),  # a figure has its own reader
    ],
)
def test_what_a_question_asks_for(question: str, kind: QuestionKind, asked: str | None) -> None:
    parsed = PARSER.parse(question)
    assert parsed.kind == kind
    assert excerpt_asked(parsed.folded, parsed.kind) == asked


@pytest.mark.parametrize(
    "question", ["人才落户除了身份证户口本还要交什么", "办居住证需要什么？", "补办驾照得交啥"]
)
def test_what_to_hand_in_is_a_list(question: str) -> None:
    parsed = PARSER.parse(question)
    assert excerpt_asked(parsed.folded, parsed.kind) == "list"


def test_a_fee_asked_yes_or_no_is_no_list() -> None:
    parsed = PARSER.parse("申请领取养老金，要交手续费吗？")
    assert excerpt_asked(parsed.folded, parsed.kind) == "passage"
