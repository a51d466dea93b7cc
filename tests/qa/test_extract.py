"""Each extraction rule on real sentences of the bundled documents."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.models import Chunk, ChunkId, Document, DocumentMeta, SectionPath, TableCells
from corpus.normalize import fold, fold_compact
from index.backend import ScoredChunk
from index.tokenize import Tokenizer
from qa.answer import distinct_answers
from qa.extract import EXTRACTORS, meta, quantity
from qa.extract.labelled import heading_value
from qa.extract.listing import list_answer
from qa.extract.passages import (
    Evidence,
    Extraction,
    asked_condition,
    clauses_around,
    in_sentences,
    is_grounded,
    is_heading_echo,
    own_names,
    ranked_sentences,
    sentence_fits_years,
    sentences_of,
    title_years,
    without_names,
)
from qa.extract.quantity import (
    best_figure,
    counted_noun,
    figure_in,
    mentions_year,
    reported_for_target,
)
from qa.extract.table import (
    cell_answer,
    in_table,
    in_table_cell,
    measure_answer,
    row_unit,
    table_answer,
)
from qa.extract.what import (
    article_text,
    best_clause,
    clause_answer,
    definition,
    template_answer,
)
from qa.extract.when import date_in, dates
from qa.extract.who import agent_of, identity, who_answer
from qa.models import AnswerResponse
from qa.quantities import (
    bound_wanted,
    bounds_stated,
    figures,
    unit_fits,
    unit_of,
    unit_wanted,
)
from qa.query import QueryPlan, with_official_words
from qa.question import (
    Question,
    QuestionKind,
    QuestionParser,
    classify,
    expected_items,
    question_parts,
    stated_years,
    years_in,
)
from qa.refusal import about_the_excluded, contrasted, negated_terms, other_level

PARSER = QuestionParser(lambda text: QueryPlan(text, ()), Tokenizer(), own_names=())


def parsed(question: str) -> Question:
    return PARSER.parse(question)


GOALS_2025 = "到2025年，全省技术合同成交额突破500亿元。"
HISTORY = "技术合同成交额由2015年的127.23亿元增长到2020年的267.8亿元，增长110.5%。"
RD = (
    "到2025年，全省全社会研发(R&D)经费投入强度达到2.5%以上，"
    "规模以上工业企业中有研发活动企业占比达到30%以上。"
)
SNOW_NOTE = (
    "3.冰雪產業技術。踐行“冰天雪地也是金山銀山”理念。"
    "〔牽頭單位:省科技廳,配合單位:省文化和旅遊廳、省體育局〕"
)


def chunk(text: str, table: TableCells | None = None) -> Chunk:
    return Chunk(ChunkId("d#0"), "d", SectionPath(), text, 0, len(text), table=table)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("到2025年技术合同成交额目标是多少", "quantity"),
        ("《行动计划》的文号是什么", "meta_docno"),
        ("行动计划的印发日期是哪天", "meta_date"),
        ("冰雪产业技术的配合单位是哪些", "who"),
        ("联席会议由哪位领导召集", "who"),
        ("七大行动是哪七项", "list"),
        ("紫丁香计划是做什么的", "what"),
        ("专项附加扣除包括哪几项", "list"),  # 哪几项 lists, 几项 counts
        ("指标体系包括几个方面", "quantity"),
        ("“规模以上工业”的统计范围是什么", "what"),  # 规模以上 is no size asked
        ("某某统计公报是哪个月发布的？", "meta_date"),
        ("某某统计公报是由哪些单位发布的？", "meta_issuer"),
        ("某某指导意见的落款日期是哪天？", "meta_date"),
    ],
)
def test_classify(question: str, kind: str) -> None:
    assert classify(fold(question)) == kind
    assert parsed(question).kind == QuestionKind(kind)


def test_every_kind_has_an_extractor() -> None:
    assert set(EXTRACTORS) == set(QuestionKind)


def test_question_is_read_once_into_its_slots() -> None:
    q = parsed("  到2025年全省專利授權量要達到多少項\u200b？")
    assert q.text == "到2025年全省專利授權量要達到多少項？" and q.script == "traditional"
    assert q.kind is QuestionKind.QUANTITY and q.years == {"2025"} and q.unit == "项"
    assert {"专利", "授权量"} <= set(q.keywords) and not q.baseline
    with pytest.raises(ValueError, match="no visible text"):
        parsed("\u200b \n")


def test_figure_with_unit_for_the_asked_indicator() -> None:
    assert best_figure(GOALS_2025, ["技术合同成交额"], frozenset({"2025"})) == "500亿元"
    keywords = ["研发活动企业", "占比"]
    assert best_figure(RD, keywords, frozenset({"2025"})) == "30%以上"
    assert best_figure(RD, ["研发", "经费投入强度"], frozenset({"2025"}), unit="%") == "2.5%以上"


def test_figure_after_the_asked_year_wins() -> None:
    assert best_figure(HISTORY, ["技术合同成交额"], frozenset({"2020"})) == "267.8亿元"
    assert best_figure(HISTORY, ["技术合同成交额"], frozenset({"2015"})) == "127.23亿元"


def test_the_figure_with_the_asked_bound_wins() -> None:
    sentence = "献血者捐献全血的，每次献血量一般为二百毫升，最多不得超过四百毫升；"
    question = parsed("捐献全血一次最多不能超过多少毫升？")
    assert bound_wanted(question.folded) == "upper"
    assert figure_in(question, sentence) == "超过四百毫升"
    # Without a bound asked, the first figure of equal standing stays the answer.
    assert figure_in(parsed("捐献全血每次献血量一般是多少毫升？"), sentence) == "二百毫升"
    assert bound_wanted(fold("至少要缴费多少年？")) == "lower"
    assert bounds_stated("处五千元以上二万元以下罚款", 1, 13) == {"upper", "lower"}


def test_the_sentence_setting_the_asked_condition_holds_the_figure() -> None:
    question = parsed("以赠品方式进行促销，逾期不改正的，罚款多少？")
    assert asked_condition(question.folded) == "逾期不改正的"
    first = chunk(
        "违反本规定以赠品方式进行促销的，责令改正，并处二千元以上一万元以下罚款；"
        "逾期不改正的，处一万元以上二万元以下罚款。"
    )
    found = in_sentences(question, first, 0, figure_in)
    assert found is not None and found.answer == "一万元以上二万元以下"
    assert asked_condition(fold("促销的罚款是多少？")) == ""


def test_a_line_break_between_words_ends_a_clause() -> None:
    sentence = "法定办结时限：20个工作日\n承诺办结时限：10个工作日"
    assert figure_in(parsed("承诺办结时限是多少个工作日？"), sentence) == "10个工作日"
    assert found("新开工1000\n部") == ["1000\n部"]  # a figure's unit on the next line stays


def test_a_guides_labelled_section_answers_the_asked_noun() -> None:
    def section(heading: str, text: str) -> Chunk:
        return Chunk(ChunkId("d#3"), "d", SectionPath((heading,)), text, 0, len(text))

    question = parsed("申领养老金的受理单位是哪里？")
    labelled = section("三、受理单位", "市社保经办窗口")
    found = heading_value(question, Evidence(question, [ScoredChunk(labelled, 1.0)], {}, list))
    assert found is not None and found.answer == "市社保经办窗口"
    # A heading that opens its own text, or a long body, is left to the extractors.
    opening = section("三、受理单位", "受理单位：市社保经办窗口")
    for chunk_ in (opening, section("三、受理单位", "窗口" * 50)):
        hits = [ScoredChunk(chunk_, 1.0)]
        assert heading_value(question, Evidence(question, hits, {}, list)) is None


def test_a_figure_reported_as_reached_is_no_target() -> None:
    question = parsed("细颗粒物年均浓度的目标是多少微克/立方米？")
    reached = chunk("细颗粒物年均浓度32微克/立方米，为有监测记录以来次优水平。")
    planned = chunk("到2025年，细颗粒物年均浓度控制在30微克/立方米。")
    for text, refused in ((reached, True), (planned, False)):
        hits = [ScoredChunk(text, 1.0)]
        documents = {"d": Document(DocumentMeta("d", "报告"), "")}
        evidence = Evidence(question, hits, documents, list)
        found = Extraction("32微克/立方米" if refused else "30微克/立方米", text.text, 0)
        assert reported_for_target(question, evidence, found) is refused


def test_a_sentence_naming_no_year_speaks_of_its_documents_year() -> None:
    row = chunk("全年粮食总产量2192.3万吨，比上年增长1.4%。")
    bulletin = "某省2022年国民经济和社会发展统计公报"
    assert sentence_fits_years(row.text, row, frozenset({"2022"}), bulletin)
    assert not sentence_fits_years(row.text, row, frozenset({"2023"}), bulletin)
    assert sentence_fits_years(row.text, row, frozenset({"2023"}), "某省科技创新规划")
    assert title_years("某市科技振兴行动计划（2022—2026年）") == {
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
    }
    # The figure stands in two clauses: each is looked at, not only the first.
    assert clauses_around("地区生产总值增长5%，一般公共预算收入增长5%。", "5%") == [
        "地区生产总值增长5%",
        "地区生产总值增长5%一般公共预算收入增长5%",
    ]


def test_figure_of_the_wrong_unit_is_not_an_answer() -> None:
    assert unit_wanted(fold("到2025年全省专利授权量要达到多少项")) == "项"
    assert not unit_fits("4.53件", "项")
    assert unit_wanted(fold("技术合同成交额占GDP的比例是多少")) == "%"
    assert not unit_fits("550億元", "%")
    assert unit_fits("400人", "个")
    assert best_figure("获得国家科学技术奖64项。", ["专利授权量"], frozenset(), unit="%") is None
    # "…的人有多少" counts people: the visitors, not the revenue beside them.
    assert unit_wanted(fold("2022年来旅游的人有多少？")) == "人"
    assert unit_wanted(fold("老年人有多少补贴？")) == "元"  # a grant, not 人
    assert unit_wanted(fold("每个月生活补贴有多少？")) == "元"
    assert unit_wanted(fold("财政补助标准是每人多少？")) is None
    # In a run of items the figure after the asked label, not the one before it.
    grants = "按博士每人10000元、硕士每人7000元、其他每人5000元标准给予补贴"
    assert best_figure(grants, ["硕士", "补贴"], frozenset(), unit="元") == "7000元"
    assert best_figure(grants, ["博士", "补贴"], frozenset(), unit="元") == "10000元"
    tourism = "全县共接待游客1480万人次，同比增长35%，实现旅游综合收入121亿元。"
    assert best_figure(tourism, ["旅游"], frozenset(), unit="人") == "1480万人次"


def test_the_clause_with_the_figure_the_question_gives_is_the_one_asked() -> None:
    text = "其中，照护需求等级1-2级补贴标准为每人每次2元，3-5级补贴标准为每人每次4元。"
    question = parsed("照护需求等级为3-5级的老年人，送餐补贴标准是每人每次多少钱？")
    assert quantity.figure_in(question, text) == "4元"


def test_the_indicator_not_the_year_picks_the_sentence() -> None:
    text = "2022年末，户籍人口581184人，其中城镇人口252258人。年末常住人口488403人。"
    question = parsed("2022年末常住人口是多少？")
    found = quantity.in_text(question, chunk(text), 0)
    assert found is not None and found.answer == "488403人"


def test_table_column_by_year_and_baseline() -> None:
    row = TableCells(
        header=("序号", "指标", "2020年", "2025年"),
        cells=("6", "技术合同成交额（亿元）", "267.8", "500"),
    )
    text = "6\n\t技术合同成交额（亿元）\n\t267.8\n\t500"
    assert table_answer(chunk(text, row), frozenset()) == "500"
    assert table_answer(chunk(text, row), frozenset({"2020"})) == "267.8"
    assert table_answer(chunk(text, row), frozenset(), baseline=True) == "267.8"
    # No 2026 column: not this table.
    assert table_answer(chunk(text, row), frozenset({"2026"})) is None


def test_lead_and_partner_units_from_the_note() -> None:
    passage = chunk(SNOW_NOTE)
    assert who_answer(passage, parsed("冰雪產業技術的配合單位是哪些")) == "省文化和旅遊廳、省體育局"
    assert who_answer(passage, parsed("冰雪產業技術由哪個單位牽頭")) == "省科技廳"


def test_who_by_duty() -> None:
    text = (
        "省科技領導小組負責統籌推進科技振興計畫,"
        "省科技廳具體負責對科技振興計畫的年度目標任務進行分解並組織實施。"
    )
    question = parsed("哪个部门具体负责对年度目标任务进行分解")
    answer = who_answer(chunk(text), replace(question, keywords=("年度目标任务", "分解")))
    assert answer == "省科技廳"


def test_template_answers() -> None:
    guiding = "以创新驱动发展取得新突破为主线，以科技创新支撑引领高质量发展为主题。"
    main_line = template_answer(guiding, fold("指导思想以什么为主线？"))
    assert main_line == "以创新驱动发展取得新突破为主线"
    park = "推动建三江国家农业科技园区创建国家农业高新技术产业示范区。"
    assert (
        template_answer(park, fold("推动建三江国家农业科技园区创建什么？"))
        == "国家农业高新技术产业示范区"
    )
    award = "获得国家科学技术奖64项，其中哈工大刘永坦院士获国家最高科学技术奖。"
    asked = fold("谁获得了国家最高科学技术奖？")
    assert template_answer(award, asked) is None  # "获" alone is no anchor for a unit
    assert "刘永坦" in (template_answer(award, asked, min_anchor=1) or "")


def test_exact_template_does_not_shorten_its_anchors() -> None:
    question = fold("示范区以什么为主题？")
    other = "推动高新区成为创新驱动发展示范区。"
    assert template_answer(other, question) is None  # "为" alone: no anchor
    themed = "以黑土地现代农业为主题、以水稻为主导产业。"
    assert template_answer(themed, question, shorten=False) is None  # "范区以" absent
    assert template_answer(themed, question) == "以黑土地现代农业为主题"


def test_list_answer_prefers_the_asked_count() -> None:
    sentence = (
        "通過實施全社會研發投入提升、關鍵核心技術攻關、科技成果產業化、科技型企業培育、"
        "創新平台建設、區域創新載體和創新生態建設“七大行動”,實現從科技強到企業強。"
    )
    assert expected_items(fold("七大行动是哪七项")) == 7
    answer = list_answer(sentence, 7)
    assert answer is not None and answer.startswith("通過實施全社會研發投入提升")


def test_grounding_folds_script_width_and_space() -> None:
    assert is_grounded("550亿元", "全省技術契約成交額達到550億元")
    assert is_grounded("技术合同成交额", "技術契約\n成交額")
    assert not is_grounded("600亿元", "全省技術契約成交額達到550億元")
    assert not is_grounded("", "任何文本")
    # A span cut inside a phrase that folds as a whole (文件 -> 文档) is still in its text.
    assert is_grounded("件全文", "电子文件全文") and is_grounded("件", "文件")


def test_years_in() -> None:
    assert years_in("到2025年和2026年") == {"2025", "2026"}


def found(text: str) -> list[str]:
    return [text[m.start() : m.end()].strip() for m in figures(text)]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("国内生产总值超过126万亿元，增长5.2%。", "超过126万亿元"),
        ("全年发电量4.06万亿千瓦时。", "4.06万亿千瓦时"),
        ("粮食产量1.39万亿斤，新能源汽车产量944.3万辆。", "944.3万辆"),
        ("每件新臺幣六百元。", "六百元"),
        ("外僑永久居留證：每件新臺幣一萬元。", "一萬元"),
        ("拘传持续的时间不得超过十二小时。", "不得超过十二小时"[2:]),
        ("处集资金额20%以上1倍以下的罚款。", "20%以上1倍以下"),
        ("城镇调查失业率控制在 5%以内。", "5%以内"),
        ("物年均浓度 32 微克/立方米。", "32 微克/立方米"),
        ("新增中小学学位 2 万个。", "2 万个"),
        ("按年度药品总用量的60%—70%估算。", "60%—70%"),
        ("补助5万—10万元。", "5万—10万元"),
        ("确保1年内完成合同用量。", "1年内"),
        ("实践性教学课时原则上占总课时一半以上。", "一半以上"),
        ("农村人口占三分之一以上。", "三分之一以上"),
    ],
)
def test_quantity_grammar(text: str, figure: str) -> None:
    assert figure in found(text)


def test_shares_in_words_and_fees_want_their_units() -> None:
    assert unit_of("一半以上") == "%" and unit_wanted("占总课时多少") == "%"
    assert unit_wanted("办理备案要交多少手续费") == "元"
    assert found("2025年内完成，2020年—2025年") == []


def test_small_lengths_keep_their_unit() -> None:
    assert [m.group() for m in figures("禁止生产和使用厚度低于0.01毫米的地膜")] == ["0.01毫米"]


def test_a_rate_per_person_and_day_keeps_both() -> None:
    text = "特困人员住院照料临时救助标准不超过240元/人/日,其他申请人不超过120元/人/日。"
    assert [m.group() for m in figures(text)] == ["不超过240元/人/日", "不超过120元/人/日"]


def test_a_ratio_of_parts_is_a_share_and_a_time_of_day_no_figure() -> None:
    text = "其中：第二产业增加值127.2亿元，同比增长6.9%。三次产业结构比例调整为8.7:48.5:42.8。"
    assert best_figure(text, ["产业结构", "比例"], frozenset(), unit="%") == "8.7:48.5:42.8"
    assert [m.group() for m in figures("上午9:30开始，按1:1配套")] == []
    assert unit_of("1.5:1") == "∶" and unit_fits("1.5:1", "%")


def test_years_dates_and_articles_are_not_quantities() -> None:
    assert found("2021年5月1日起施行，建立一项制度。") == []
    assert found("落实省第十三次党代会精神，2022—2026年") == []
    assert unit_wanted(fold("看守所最晚多久要安排会见")) == "time"
    assert unit_fits("四十八小时", "time") and not unit_fits("48人", "time")


@pytest.mark.parametrize(
    ("text", "question", "answer"),
    [
        (
            "联席会议由国务院银行保险监督管理机构牵头，有关部门参加。",
            "联席会议由哪个部门牵头？",
            "国务院银行保险监督管理机构",
        ),
        ("指挥部办公室设在国家粮食局，承担日常工作。", "指挥部办公室设在哪里？", "国家粮食局"),
        ("本预案由国务院办公厅负责解释。", "本预案由哪个单位负责解释？", "国务院办公厅"),
        (
            "总指挥由国家发展改革委主要负责人担任，副总指挥由国家粮食局主要负责人担任。",
            "副总指挥由谁担任？",
            "国家粮食局主要负责人",
        ),
        (
            "总指挥由国家发展改革委主要负责人担任，副总指挥由国家粮食局主要负责人担任。",
            "总指挥由谁担任？",
            "国家发展改革委主要负责人",
        ),
    ],
)
def test_who_reads_roles_of_any_document(text: str, question: str, answer: str) -> None:
    assert who_answer(chunk(text), parsed(question)) == answer


def test_a_body_beside_another_duty_is_not_the_answer() -> None:
    text = "本预案由国务院办公厅负责解释。"
    assert who_answer(chunk(text), parsed("应急粮食所需贷款由谁负责落实？")) is None


def test_a_row_is_read_by_the_column_the_question_names() -> None:
    row = TableCells(
        ("序号", "单位", "办公电话", "街道地址"), ("5", "石牌街", "87564410", "石牌东路127号")
    )
    passage = chunk("5\n\t石牌街\n\t87564410\n\t石牌东路127号", row)
    assert cell_answer(parsed("石牌街服务中心的办公地址在哪里？"), passage) == "石牌东路127号"
    crime = TableCells(("刑法条文", "罪名"), ("第二百七十七条第五款", "袭警罪"))
    row_text = chunk("| 第二百七十七条第五款 | 袭警罪 |", crime)
    assert cell_answer(parsed("袭警罪对应的是刑法哪一条？"), row_text) == "第二百七十七条第五款"
    assert cell_answer(parsed("冒名顶替罪对应哪一条？"), row_text) is None  # not this row


def test_a_measures_row_gives_the_value_or_the_growth_asked_for() -> None:
    header = ("产品名称", "单位", "产量", "比上年增长%")
    row = TableCells(header, ("钢材", "万吨", "1234.5", "-2.3"))
    assert measure_answer(parsed("钢材产量是多少"), row) == "1234.5"
    assert measure_answer(parsed("钢材产量比上年增长多少"), row) == "-2.3"
    assert unit_wanted(fold("发电量多少亿千瓦时")) == "千瓦时"
    assert found("发电量亿千瓦时") == []  # 千瓦 is a unit, not the number 千 in 瓦


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "到2020年，秸秆综合利用率和地膜回收率分别要达到多少？",
            ["到2020年，秸秆综合利用率要达到多少？", "到2020年，地膜回收率要达到多少？"],
        ),
        (
            "見習基地多久評估一次？評估不合格會怎樣？",
            ["見習基地多久評估一次？", "見習基地評估不合格會怎樣？"],
        ),
        ("到2025年技术合同成交额目标是多少", ["到2025年技术合同成交额目标是多少"]),
        (
            "见习示范基地的补贴标准是多少，总额最高多少？",
            ["见习示范基地的补贴标准是多少", "见习示范基地的补贴标准是总额最高多少"],
        ),
        ("对非法集资人，按集资金额罚多少？", ["对非法集资人，按集资金额罚多少？"]),
        (
            "到2022年要建设多少所高水平高等职业学校和多少个骨干专业（群）？",
            ["到2022年要建设多少所高水平高等职业学校？", "到2022年要建设多少个骨干专业（群）？"],
        ),
        (
            "省级人民政府加强粮食储备，对产区和销区各要求保持几个月销量？",
            [
                "省级人民政府加强粮食储备，对产区要求保持几个月销量？",
                "省级人民政府加强粮食储备，销区要求保持几个月销量？",
            ],
        ),
    ],
)
def test_a_question_with_two_asks_is_two_questions(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


def test_the_sentence_stating_the_question_wins_over_the_better_ranked_passage() -> None:
    question = parsed("刑事处罚记录由哪个部门核查？")
    first = Chunk(ChunkId("d#0"), "d", SectionPath(), "各区人力资源部门负责统筹审核等工作。", 0, 17)
    second_text = "市公安机关负责核查刑事处罚记录，办理入户手续。"
    second = Chunk(ChunkId("d#1"), "d", SectionPath(), second_text, 17, 17 + len(second_text))
    hits = [ScoredChunk(first, 1.0), ScoredChunk(second, 0.9)]
    evidence = Evidence(question, hits, {}, lambda c: [c])
    best = ranked_sentences(question, evidence)[0]
    assert (best.rank, best.sentence) == (1, "市公安机关负责核查刑事处罚记录，办理入户手续。")


def test_a_what_answer_is_what_the_sentence_adds_to_the_question() -> None:
    question = parsed("积分入户交了假材料，要是已经落户了会怎么处理？")
    sentence = "已经入户的，公安机关根据入户审核部门提供的认定材料予以注销，退回原籍。"
    answer = best_clause(sentence, question.keywords, fold_compact(question.text))
    assert answer == "公安机关根据入户审核部门提供的认定材料予以注销，退回原籍"
    # A clause that carries its own news stays: the answer is in it.
    themed = parsed("试点的总体思路是什么？")
    sentence = "按照国家组织、联盟采购、平台操作的总体思路，开展试点。"
    answer = best_clause(sentence, themed.keywords, fold_compact(themed.text))
    assert answer.startswith("按照国家组织、联盟采购、平台操作的总体思路")


def test_a_yes_no_question_gets_the_verdict_clause() -> None:
    # Invented wording: a rule, its exception, and the verdict a yes/no question turns on.
    question = parsed("买下的车位以后不用了，能不能转卖给别人？")
    sentence = "第九条 车位购买者不得转让车位，但因搬迁需要退回的除外。"
    assert clause_answer(question, sentence) == "车位购买者不得转让车位"
    # A condition (…者, …的) is not the verdict; the clause after it is.
    asked = parsed("申请没有获批，交的费用能退吗？")
    sentence = "申请案件不予许可者，其所收费用应予退还。"
    assert clause_answer(asked, sentence) == "其所收费用应予退还"
    # A verdict before the one asked about is no condition of it: the asked clause wins.
    bonds = parsed("机构可以为债券发行提供担保吗？")
    sentence = "机构不得为债券发行提供担保，不得为平台的债券提供担保。"
    assert clause_answer(bonds, sentence) == "机构不得为债券发行提供担保"
    # 须知 is a notice, not a duty; a question that is no yes/no keeps the best clause.
    assert clause_answer(parsed("要交手续费吗？"), "填报须知：所在单位应提出申请。") != "填报须知"
    plain = parsed("积分入户交了假材料，要是已经落户了会怎么处理？")
    sentence = "已经入户的，公安机关根据入户审核部门提供的认定材料予以注销，退回原籍。"
    assert clause_answer(plain, sentence) == best_clause(
        sentence, plain.keywords, fold_compact(plain.text)
    )


def test_an_article_question_gets_the_articles_words() -> None:
    question = parsed("管理办法第八条是怎么规定的？")
    sentence = "第八条 通过积分制入户的人员，其配偶、未成年子女可同时随迁入户本市。"
    assert article_text(question, sentence) == (
        "通过积分制入户的人员，其配偶、未成年子女可同时随迁入户本市"
    )
    assert article_text(parsed("第八条的随迁人员是谁？"), sentence) is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2019年6月底前，各省份建立省级绩效考核信息系统。", "2019年6月底前"),
        ("本规定自2021年3月1日起施行。", "2021年3月1日起"),
        ("中華民國一百十二年十二月二十八日修正。", "民國一百十二年十二月二十八日"),
        ("修正日期：112年12月28日", "112年12月28日"),
        (
            "其他参保人员为2025年10月下旬至2025年12月20日（集中参保期）",
            "2025年10月下旬至2025年12月20日",
        ),
        (
            "网上申报时间为2025年10月10日9时至2025年11月10日17时。",
            "2025年10月10日9时至2025年11月10日17时",
        ),
        ("计算时间为2022年1月1日—2024年12月31日", "2022年1月1日—2024年12月31日"),
        ("各有关部门于每年2月底前提出名单", "每年2月底前"),
    ],
)
def test_dates_as_written(text: str, date: str) -> None:
    assert [text[s:e] for s, e, _ in dates(text)] == [date]


def test_a_date_is_not_a_duration_or_a_period_year() -> None:
    assert dates("连续3年以上，工作满12年") == []
    assert dates("2025年度积分制入户") == []
    assert dates("2025年完成，2025年9月30日截止", precision="日") == [(8, 18, 0.0)]


def test_the_date_beside_the_asked_verb_wins() -> None:
    question = parsed("条例从哪天开始施行？")
    assert question.kind == QuestionKind.WHEN
    record = "2020年12月21日 国务院常务会议通过 2021年5月1日 施行"
    assert date_in(question, record) == "2021年5月1日"
    assert parsed("是公安部令第几号？").kind != QuestionKind.WHEN


def response(answer: str | None) -> AnswerResponse:
    return AnswerResponse(
        question="q", answer=answer, refused=answer is None, citations=[], latency_ms=0
    )


def test_a_two_part_question_keeps_the_parts_that_found_their_own_answer() -> None:
    parts = [response("2019年初"), response("2019年初"), response(None), response("1年")]
    assert [p.answer for p in distinct_answers(parts)] == ["2019年初", "1年"]


def test_a_count_keeps_the_noun_it_counts() -> None:
    sentence = "三级公立医院绩效考核指标体系由医疗质量、运营效率等4个方面的指标构成。"
    question = parsed("三级公立医院绩效考核指标体系由几个方面的指标构成？")
    noun = counted_noun(question.folded)
    assert noun == "方面"
    assert best_figure(sentence, question.keywords, frozenset(), "个", noun) == "4个方面"
    assert counted_noun(fold("要建设多少个中试熟化基地？")) is None  # too long to be sure of


def test_function_words_and_asking_fragments_are_no_keywords() -> None:
    keywords = parsed("刑事拘留以后，最迟多长时间内要把人送进看守所？").keywords
    assert "刑事拘留" in keywords and "看守所" in keywords
    assert not {"以后", "内要", "长时间"} & set(keywords)


def test_an_ordinal_does_not_count() -> None:
    assert not unit_fits("三级", "个") and not unit_fits("第二批", "个")
    assert unit_fits("4个", "个") and unit_fits("300人", "个")


@pytest.mark.parametrize(
    ("asked", "said", "other"),
    [
        ("一般公共预算支出计划增长多少", "一般公共预算收入增长5%", True),
        ("二级公立医院绩效考核指标有多少个", "三级公立医院绩效考核指标", True),
        ("一般公共预算收入增长多少", "一般公共预算收入增长5%", False),
        ("收入和支出各增长多少", "收入增长5%", False),
        ("三级医院有多少家", "三级公立医院", False),
    ],
)
def test_the_other_side_of_an_indicator_is_not_its_answer(
    asked: str, said: str, other: bool
) -> None:
    assert contrasted(asked, said) is other


def test_years_of_the_last_century_need_their_nian() -> None:
    assert years_in("广东1997年的招生任务") == {"1997"}
    assert years_in("招生1998人") == set() and years_in("到2025年") == {"2025"}


def test_a_year_column_under_a_spanning_header_is_read_by_its_year() -> None:
    header = ("省（市）", "1995年招生人数", "扩招", "分年度招生任务1997年", "分年度招生任务1998年")
    row = chunk("广东\t120\t30\t135\t150", TableCells(header, ("广东", "120", "30", "135", "150")))
    assert table_answer(row, frozenset({"1997"})) == "135"
    assert table_answer(row, frozenset({"1999"})) is None


def test_the_documents_title_can_name_the_year() -> None:
    passage = chunk("全年地区生产总值3473.12亿元，比上年增长4.8%。")
    assert not mentions_year(passage, frozenset({"2022"}))
    assert mentions_year(passage, frozenset({"2022"}), "宜春市2022年国民经济和社会发展统计公报")


def test_a_rate_asks_a_share_but_power_does_not() -> None:
    assert unit_wanted("城镇登记失业率是多少") == "%"
    assert unit_wanted("船用燃气轮机功率是多少兆瓦") == "兆瓦"


def test_a_table_title_gives_the_rows_unit_and_a_price_cut_is_a_share() -> None:
    header = ("省（市）", "1995年招生人数")
    table = TableCells(header, ("上海", "105"), title="扩大招生计划表 单位：人")
    assert row_unit(chunk("上海\t105", table)) == "人"
    assert unit_wanted("中选药品的平均降价幅度是多少") == "%"


def test_who_holds_the_asked_title_and_who_does_the_asked_duty() -> None:
    question = parsed("就业见习基地的日常管理机构是谁？")
    sentence = "市高校毕业生公共就业服务机构是本市就业见习基地日常管理机构，负责评估。"
    assert identity(question, sentence) == "市高校毕业生公共就业服务机构"
    # "X的主管部门是哪个" is a who-question; the holder is named as 主管部门 after its own 的.
    asked = parsed("城市绿化工作的主管部门是哪个？")
    assert asked.kind == "who"
    said = "第五条 园林绿化部门是城市绿化工作的主管部门，负责监督管理。"
    assert identity(asked, said) == "园林绿化部门"
    # "列第一位者" describes the lead, it does not name it.
    assert identity(parsed("这项任务的牵头单位是哪个？"), "列第一位者为牵头单位。") is None
    borne = "因参与非法集资受到的损失，由集资参与人自行承担。"
    assert agent_of(fold(borne), parsed("这个损失由谁来承担？")) == "集资参与人"
    text = "制作解除取保候审决定书，并及时通知负责执行的派出所、被取保候审人。"
    assert agent_of(fold(text), parsed("决定取保候审后，由哪里负责执行？")) == "派出所"


def test_a_year_is_never_four_digits_of_a_longer_number() -> None:
    assert years_in("全年居民人均可支配收入42038元，人均消费20366元") == set()
    assert years_in("比2021年减少0.14万人") == {"2021"}
    assert stated_years("年末常住人口496.97万人，比2021年减少0.14万人") == set()
    assert stated_years("2022年末常住人口496.97万人，较2021年减少") == {"2022"}


def test_the_subject_of_a_sentence_does_the_asked_duty() -> None:
    text = "（三）自治区人民政府要按照有关规定，负责提供学生的学习和生活费用。"
    question = parsed("学生的学习和生活费用由谁负责提供？")
    assert agent_of(fold(text), question) == "自治区人民政府"
    text = "第六条 公安机关是养犬管理工作的主管部门，负责犬只登记。\n城管部门负责市容。"
    assert who_answer(chunk(text), parsed("犬只登记由哪个部门负责？")) == "公安机关"
    text = "养犬人应当携带犬只到畜牧兽医主管部门确定的免疫点接种疫苗。"
    assert agent_of(fold(text), parsed("免疫点是由哪个部门确定的？")) == "畜牧兽医主管部门"


def test_a_row_answers_only_the_row_the_question_names() -> None:
    header = ("地区", "2024年", "2025年")
    row = chunk("江苏\t100\t120", TableCells(header, ("江苏", "100", "120")))
    total = chunk("总计\t900\t1000", TableCells(header, ("总计", "900", "1000")))
    assert in_table(parsed("江苏2025年的任务是多少？"), row, 0) is not None
    assert in_table(parsed("浙江2025年的任务是多少？"), row, 0) is None
    assert in_table(parsed("2025年全国合计任务是多少？"), total, 0) is not None
    assert in_table(parsed("江苏2025年的任务是多少？"), total, 0) is None


def test_a_unit_may_follow_a_line_break_but_not_a_cell_break() -> None:
    assert found("新开工1000\n部") == ["1000\n部"]
    assert found("82373232\n\t天河区") == []


def test_a_magnitude_with_its_unit_is_no_keyword() -> None:
    assert "万人" not in parsed("常住人口控制目标是多少万人？").keywords
    official = QuestionParser(lambda t: QueryPlan(with_official_words(t), ()), Tokenizer(), ())
    keywords = official.parse("每个孩子每月能扣多少？").keywords
    assert "子女" in keywords and "孩子" not in keywords  # the word a passage says


def test_a_notices_head_repeating_the_title_states_nothing_of_the_question() -> None:
    meta = DocumentMeta(
        doc_id="d", title="国务院关于印发某某扣除暂行办法的通知", aliases=("某某扣除暂行办法",)
    )
    document = Document(meta=meta, text="")
    head = "国务院关于印发某某\n扣除暂行办法的通知\n各省、自治区人民政府："
    assert "某某" not in without_names(head, own_names(document))
    assert "某某扣除" in without_names("某某扣除包括子女教育、继续教育。", own_names(document))


def test_a_list_row_answers_from_the_column_or_the_labelled_cell_asked_for() -> None:
    header = ("序号", "改革举措", "主要内容", "指导部门", "推广范围")
    cells = (
        "23",
        "决策容错机制",
        "对改革中出现的过失予以免责。",
        "发展改革委、审计署",
        "8个改革试验区域",
    )
    row = chunk("\t".join(cells), TableCells(header, cells))
    assert cell_answer(parsed("“决策容错机制”的指导部门有哪些？"), row) == "发展改革委、审计署"
    header = ("三级指标", "指标性质", "指标说明")
    cells = ("46.医护比▲", "定量", "计算方法：注册医师总数/注册护士总数。指标来源：年报。")
    row = chunk("\t".join(cells), TableCells(header, cells))
    assert cell_answer(parsed("“医护比”这项指标怎么计算？"), row) == "注册医师总数/注册护士总数"


def test_a_row_of_paragraph_cells_reads_cell_by_cell_and_keeps_label_with_figure() -> None:
    cells = (
        "国家级人才",
        "400人",
        "1.积极对接国家高层次人才计划，有针对性培育急需人才，支持高等院校积极引进人才，在重点领域实现突破。",
    )
    row = chunk("\n\t".join(cells), TableCells(("指标", "目标", "任务"), cells))
    assert sentences_of(row) == ["国家级人才\n\t400人", cells[2]]


def test_a_meaning_question_gets_what_the_sentence_says_the_term_means() -> None:
    question = parsed("条例所说的非法集资是什么意思？")
    said = "本条例所称非法集资，是指未经许可，向不特定对象吸收资金的行为。"
    assert definition(question, said) == "未经许可，向不特定对象吸收资金的行为"
    other = "本条例所称非法集资人，是指发起非法集资的单位和个人。"
    assert definition(question, other) is None  # 非法集资人 is another term
    teachers = "“双师型”教师（同时具备理论教学和实践教学能力的教师）占一半。"
    assert definition(parsed("“双师型”教师是指什么样的教师？"), teachers) == (
        "同时具备理论教学和实践教学能力的教师"
    )


def test_a_roster_line_names_the_posts_holder() -> None:
    text = "总指挥：国家发展改革委主要负责人。\n副总指挥：国家粮食局主要负责人。"
    assert who_answer(chunk(text), parsed("总指挥由谁担任？")) == "国家发展改革委主要负责人"
    assert who_answer(chunk(text), parsed("副总指挥由谁担任？")) == "国家粮食局主要负责人"


def test_another_level_in_the_section_or_another_school_stage_is_something_else() -> None:
    assert other_level(
        fold_compact(fold("三级（Ⅲ级）响应")), fold_compact(fold("国家级（Ⅰ级）响应"))
    )
    assert contrasted("中等职业学校拨款标准", "高等职业教育生均拨款水平达到12000元")


def test_the_questions_own_figure_finds_its_clause_and_is_never_the_answer() -> None:
    question = parsed("累计缴了6万元以上个人所得税，能计多少分？")
    assert question.figures == ("6万元以上",)
    row = chunk("累计缴纳个人所得税：1万—3万元（4分）；3万—6万元（8分）；6万元以上（12分）。")
    found = quantity.in_text(question, row, 0)
    assert found is not None and found.answer == "12分"


def test_an_age_is_no_duration() -> None:
    assert unit_wanted("有效期是多长时间") == "time"
    assert not unit_fits("16-24岁", "time") and unit_fits("5年", "time")


def test_a_duration_is_answered_in_the_scale_it_is_asked_in() -> None:
    assert unit_wanted("要学习几个小时") == unit_wanted("几分钟") == "time:hours"
    assert not unit_fits("三十日内", "time:hours") and unit_fits("三十分钟", "time:hours")
    assert unit_fits("20个工作日", unit_wanted("多少天办结") or "")
    assert unit_fits("36个月", "time:months") and not unit_fits("16周岁", "time:months")


def test_a_condition_the_question_sets_does_not_name_the_unit() -> None:
    assert unit_wanted("单户担保金额超过500万元的，担保费率上限是多少？") is None
    assert unit_wanted("担保金额是多少") == "元"


def test_a_given_figure_in_other_words_is_given_and_finds_its_clause() -> None:
    question = parsed("单户担保金额超过500万元的，担保费率上限是多少？")
    text = (
        "对单户担保金额500万元及以下的主体收取的担保费率原则上不超过1%，"
        "对单户担保金额500万元以上的主体收取的担保费率原则上不超过1.5%。"
    )
    found = quantity.in_text(question, chunk(text), 0)
    assert found is not None and found.answer == "不超过1.5%"


def test_a_qualifier_and_a_unit_said_in_words_stay_with_the_figure() -> None:
    assert [m.group() for m in figures("单户担保金额500万元及以下的")] == ["500万元及以下"]
    assert [m.group() for m in figures("PM2.5平均浓度38.8微克每立方米")] == ["38.8微克每立方米"]
    assert bounds_stated("超过500万元", 0, 7) == {"lower"} == bounds_stated("5人以上", 0, 5)
    assert bounds_stated("不得超过四百毫升", 0, 8) == {"upper"}


def test_a_rate_keeps_its_per_unit_and_a_lists_count_is_no_amount() -> None:
    assert found("标准600元/人月，共发放") == ["600元/人月"]
    assert unit_of("600元/人月") == "元"
    assert best_figure("包括子女教育、赡养老人等6项专项附加扣除", ("扣除",), frozenset()) is None
    assert best_figure("等6项扣除", ("扣除",), frozenset(), unit="项") == "6项"


def test_a_column_the_question_names_gives_the_cell() -> None:
    header = ("省（市）", "1995年招生人数", "扩招", "分年度招生任务1996年")
    row = chunk("天津\t90\t40\t90", TableCells(header, ("天津", "90", "40", "90")))
    assert table_answer(row, frozenset(), asked="天津分到的扩招任务是多少人") == "40"


def test_a_fee_asked_is_not_a_fine_stated() -> None:
    assert contrasted("办理登记要交多少登记费", "对养犬个人处每只五百元罚款")


def test_a_duty_belongs_to_the_body_of_its_own_clause() -> None:
    text = "第三条 市民政部门负责统筹全市救助工作,区民政部门负责本区救助审批、救助金发放等工作。"
    question = parsed("救助审批和救助金发放由哪个部门负责？")
    assert who_answer(chunk(text), question) == "区民政部门"


def test_a_heading_restating_the_question_is_no_answer() -> None:
    question = parsed("试点的总体思路是什么？")
    assert is_heading_echo(question, "（二）总体思路")
    assert not is_heading_echo(question, "按照国家组织、联盟采购的总体思路")


TASK_NOTE = (
    "（六）加强农机装备质量可靠性建设。加快标准制定，构建现代农机装备标准体系。"
    "（市场监管总局、工业和信息化部、发展改革委、农业农村部等负责。列第一位者为牵头单位，下同）"
)


def test_units_listed_in_brackets_after_a_task() -> None:
    passage = chunk(TASK_NOTE)
    assert who_answer(passage, parsed("加强质量可靠性建设由哪个部门牵头")) == "市场监管总局"
    assert (
        who_answer(passage, parsed("加强质量可靠性建设由哪些部门负责"))
        == "市场监管总局、工业和信息化部、发展改革委、农业农村部"
    )
    # A sentence saying who leads the asked thing beats the note of its task.
    mechanism = chunk(
        "（十八）健全组织实施机制。建立由农业农村部、工业和信息化部牵头的协调推进机制。"
        "（农业农村部、工业和信息化部等负责）"
    )
    assert (
        who_answer(mechanism, parsed("协调推进机制由哪些部门牵头？"))
        == "农业农村部、工业和信息化部"
    )
    # A bracket that is no list of bodies is no note: "（含50人）".
    assert who_answer(chunk("接收见习人员超过50人（含50人负责）。"), parsed("谁负责")) is None


def test_metadata_is_read_where_the_document_states_it_when_no_hit_does() -> None:
    doc_meta = DocumentMeta(
        doc_id="d",
        title="某县2022年统计公报",
        issuer="某县统计局、国家统计局某县调查队",
        date="2023-05-11",
        doc_number="某发〔2018〕42号",
    )
    head = chunk("某县2022年统计公报\n某发〔2018〕42号\n（2023年5月）")
    body = Chunk(ChunkId("d#1"), "d", SectionPath(), "2023年5月全县开展普查。", 40, 53)
    documents = {"d": Document(meta=doc_meta, text="")}

    def asked(question: str, text_chunks: list[Chunk]) -> str | None:
        evidence = Evidence(
            parsed(question),
            [ScoredChunk(body, 1.0)],
            documents,
            lambda c: [c],
            lambda doc_id: text_chunks,
        )
        found = meta.extract(evidence.question, evidence)
        return found.answer if found else None

    assert asked("文号是什么", [body, head]) == "某发〔2018〕42号"
    # A year and month dates the document only as a dateline of its own.
    assert asked("统计公报是哪个月发布的", [body, head]) == "2023年5月"
    assert asked("统计公报是哪个月发布的", [body]) is None
    assert asked("由哪些单位发布的", [head]) is None  # no issuer stated
    stated = chunk("某县统计局  国家统计局某县调查队")
    assert asked("由哪些单位发布的", [stated]) == "某县统计局"


def test_a_row_and_column_the_question_names_answer_below_the_best_passage() -> None:
    question = parsed("大中专学生参加居民医保，参保缴费渠道是什么？")
    prose_text = "（二）大中专学生原则上应在学籍地参加居民医保，继续升学学生由院校办理。"
    prose = Chunk(ChunkId("d#0"), "d", SectionPath(), prose_text, 0, len(prose_text))
    header = ("序号", "人员类别", "参保缴费渠道")
    cells = ("2", "大中专学生（不含中等职业技术学校学生）", "由所在学校统一协助办理参保登记手续。")
    row_text = "\t".join(cells)
    row = Chunk(
        ChunkId("d#1"),
        "d",
        SectionPath(),
        row_text,
        40,
        40 + len(row_text),
        table=TableCells(header=header, cells=cells),
    )
    evidence = Evidence(
        question, [ScoredChunk(prose, 0.9), ScoredChunk(row, 0.5)], {}, lambda c: [c]
    )
    found = in_table_cell(question, evidence)
    assert found is not None and found.answer == "由所在学校统一协助办理参保登记手续。"
    # Below a best passage that is itself a row, its neighbours do not answer.
    phone = parsed("钱塘区联系方式表里，0571-89539596是哪个单位的电话？")
    rows = [
        Chunk(
            ChunkId(f"d#{i}"),
            "d",
            SectionPath(),
            "\t".join(c),
            0,
            20,
            table=TableCells(header=("单位", "联系电话"), cells=c),
        )
        for i, c in enumerate(
            [("钱塘区临江街道", "0571-89539596"), ("钱塘区商务局", "0571-86722632")]
        )
    ]
    hits = [ScoredChunk(r, 1.0 - i / 2) for i, r in enumerate(rows)]
    assert in_table_cell(phone, Evidence(phone, hits, {}, lambda c: [c])) is None
    # A row the question does not name gives no cell, whatever its columns.
    other = parsed("中小学生参加居民医保，参保缴费渠道是什么？")
    assert in_table_cell(other, replace(evidence, question=other)) is None


def test_a_clause_about_the_group_the_question_excludes_does_not_answer_it() -> None:
    asked = fold_compact(fold("我妈不是特困人员，住院照料临时救助一天最多能给多少？"))
    assert negated_terms(asked) == ["特困人员"]
    assert about_the_excluded(asked, "其中本市特困人员住院照料临时救助标准不超过240元/人/日")
    assert not about_the_excluded(asked, "其他申请人住院照料临时救助标准不超过120元/人/日")
    students = fold_compact(fold("非在校学生的其他参保人员财政补助标准是每人多少？"))
    assert about_the_excluded(students, "（一）在校学生：财政补助标准为每人956元")
    assert not about_the_excluded(students, "（二）其他参保人员：财政补助标准为每人820元")
    # 非 inside a word (非法集资) excludes nobody.
    fundraising = fold_compact(fold("对非法集资人，按集资金额罚多少？"))
    assert not about_the_excluded(fundraising, "对非法集资人处集资金额20%以上1倍以下的罚款")


def test_one_counts_when_the_question_counts_that_unit() -> None:
    sentence = "原则上每个市培育一家实力突出的龙头机构。"
    assert figure_in(parsed("每个市要培育几家龙头机构？"), sentence) == "一家"
    assert [m.group() for m in figures(sentence)] == []  # an article, when nothing is counted


def test_the_clause_turning_to_the_others_is_not_about_the_excluded() -> None:
    asked = fold_compact("她不是低保对象，临时救助一天最多给多少？")
    both = "其中低保对象救助标准不超过200元/人/日其他申请人救助标准不超过100元/人/日"
    assert not about_the_excluded(asked, both)
    assert about_the_excluded(asked, "其中低保对象救助标准不超过200元/人/日")
    question = parsed("她不是低保对象，临时救助一天最多给多少？")
    sentence = "其中低保对象救助标准不超过200元/人/日，其他申请人救助标准不超过100元/人/日。"
    assert figure_in(question, sentence) == "不超过100元/人/日"


def test_the_agent_of_a_verb_after_yiyi() -> None:
    text = fold("生活费不足部分可由所在地县级人民政府予以补贴。")
    question = parsed("生活费不够的话，差额由谁补上？")
    assert agent_of(text, question) == "所在地县级人民政府"


def points_article(*chunk_texts: str) -> list[Chunk]:
    chunks, at = [], 0
    for i, text in enumerate(chunk_texts):
        chunks.append(
            Chunk(ChunkId(f"d#{i}"), "d", SectionPath(("第九条",)), text, at, at + len(text))
        )
        at += len(text) + 1
    return chunks


def test_a_list_item_takes_the_figure_its_lead_gives() -> None:
    lead = "第九条 驾驶人有下列违法行为之一，一次记6分：\n"
    first = lead + "（一）驾驶机动车违反道路交通信号灯通行的；\n（二）驾驶机动车逆向行驶的；"
    later = "（三）驾驶机动车在高速公路上倒车的；\n（四）饮酒后驾驶营运机动车的；"
    section = points_article(first, later)
    documents = {"d": Document(DocumentMeta("d", "记分办法"), "")}
    for asked, hit in (
        ("逆向行驶一次记几分？", section[0]),
        ("高速公路上倒车记几分？", section[1]),
    ):
        question = parsed(asked)
        evidence = Evidence(question, [ScoredChunk(hit, 1.0)], documents, lambda c: section)
        found = quantity.extract(question, evidence)
        assert found is not None and found.answer == "6分"
        # The lead's chunk is cited, so that the figure stands in the cited passage.
        assert (found.chunk or hit).text.find(found.sentence) >= 0
        assert "6分" in (found.chunk or hit).text
    # An item with a figure of its own is read as it stands.
    own = points_article(lead + "（一）在高速公路上逆行的，记12分；")
    evidence = Evidence(
        parsed("在高速公路上逆行记几分？"), [ScoredChunk(own[0], 1.0)], documents, lambda c: own
    )
    found = quantity.extract(evidence.question, evidence)
    assert found is not None and found.answer == "12分"
