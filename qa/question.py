"""A question read once: its folded text, script, kind, years, keywords and the documents
it names. Every later step (retrieval, refusal, extraction, the response) receives this
`Question` instead of reading the raw string again.

The slots later issues add (indicator, target vs actual, conversation history) belong
here too, parsed in `QuestionParser.parse`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from corpus.models import Script
from corpus.normalize import detect_script, fold, fold_aligned, fold_compact, strip_invisible
from corpus.scope import named_places
from index.tokenize import Tokenizer
from qa.quantities import MAGNITUDE_UNIT, figures, unit_wanted
from qa.query import OFFICIAL_WORDS, QueryPlan

# A year: 20xx with or without 年; 19xx only with 年 (1998 alone may be a figure); never
# four digits of a longer number (42038元 holds no 2038).
YEAR = re.compile(r"(?<![\d.])(20\d\d|19\d\d(?=年))(?!\d)年?")
# “四个示范”, “七大行动”: a count of items, which the text lists rather than names.
COUNTED = re.compile(r"^[一二三四五六七八九十两几]+[个大项条种类]")
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条(?:之[一二三四五六七八九十])?")
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
# Interrogatives and the verbs of asking: generic Chinese question wording.
ASKING = re.compile(
    r"多少|多久|多长|多大|几[个项天年月日分次种条位家件]|^几|哪|什么|怎么|怎样|如何|是否|吗$|呢$|啥|咋"
    r"|^(请问|规定|可以|需要|要求|一般|一共|大约|打算|能否|能不能|是不是|有没有|时候|时间段|包括|包含"
    r"|意思|含义|定义|所说|所称)$"
)
# The same words found inside a question's text (ASKING matches whole tokens).
ASKING_WORDS = re.compile(
    r"(?:是|为|有)?(?:多少|多久|多长|多大|几[个项天年月日分次种条位家件]"
    r"|哪[个些里一种项位年天]?|什么|怎么|怎样|如何|啥|咋)"
    r"|是否|吗|呢|请问|是不是|有没有|能不能|[?？,，。！!]"
)
# Characters that carry grammar, not content: a token made only of them (以后, 内要, 可以)
# is no keyword.
FUNCTION_CHARS = frozenset(
    "的了在是和与及对向从以后前被将会能可应该还就都也又再才很要把所之其内中上下里"
)
# A citizen's framing around the question (自己, 家里, 老板): no policy passage is
# about these words, so they are no keyword.
NARRATIVE = frozenset(
    {"自己", "别人", "我们", "你们", "他们", "她们", "我家", "家里", "一块", "一点"}
    | {"一下", "这个", "那个", "东西", "事情", "老板", "想要", "听说", "好几"}
)
# Tokens that are grammar around the content: a modal with its verb (能加, 可开, 要交) and
# a numeral with its classifier (一项, 一次).
NOT_CONTENT = re.compile(
    r"^(?:[能可会要应得][\u4e00-\u9fff]|[一二两三四五六七八九十几每]+[个项次件条种类份位名批])$"
)
_COUNTS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


class QuestionKind(StrEnum):
    """What a question asks for; each kind has one extractor (qa/extract/)."""

    META_DATE = "meta_date"
    META_DOCNO = "meta_docno"
    META_ISSUER = "meta_issuer"
    META_PERIOD = "meta_period"
    WHEN = "when"
    WHO = "who"
    QUANTITY = "quantity"
    LIST = "list"
    WHAT = "what"

    @property
    def is_meta(self) -> bool:
        """Answered from a document's own metadata, not from a passage's wording."""
        return self.value.startswith("meta_")


# The answers that are the source's own excerpt rather than a short span: the steps of a
# procedure, a list (materials, conditions), a passage (a verdict with its reason).
ExcerptKind = Literal["steps", "list", "passage"]
_PROCEDURE = (
    r"办|申请|申报|报名|登记|缴|交|领|提取|查|预约|开具|补|换|迁|转|报销|注册|备案|认定|参保"
    r"|续|退|变更|注销|挂失|激活|获取|取得|操作|申领|投诉|举报|落户|入户|过户|弄|做|搞|认证"
    r"|签|解除|恢复|绑定|打印|下载|更正|修改|核验|上|买|用"
)
_STEPS_ASKED = re.compile(
    rf"(?:怎么|如何|怎样|咋)(?:样)?(?:才能|才可以|可以|能|去|来|进行|在网上|网上|线上|自己)?"
    rf"(?:{_PROCEDURE})|流程|步骤|程序|手续(?!费)|办理方式|办理途径|渠道"
)
_LIST_ASKED = re.compile(
    r"(?:什么|哪些|啥|那些)(?:材料|资料|证件|证明|证照|手续|东西|文件|条件|资格|要求)"
    r"|(?:材料|资料|证件|证明|条件|资格|要求)(?:有|是)?(?:哪些|什么|啥)"
    r"|[带交](?:什么|啥|哪些)|(?:需要|要|得)(?:准备|提供|提交|携带|带)|符合(?:什么|哪些|啥)"
    r"|(?:需要|要|得)(?:些)?(?:什么|啥|哪些)[？?]?$"
    r"|(?:哪些|什么|啥)(?:人|情形|情况)(?:可以|能|才能|需要|应当|要)"
)
# A yes/no question: 能不能, 可以…吗, 是否, 要不要.
YES_NO = re.compile(
    r"能不能|可不可以|是不是|会不会|要不要|需不需要|用不用|允不允许|能否|可否|是否"
    r"|(?:能|可以|允许|需要|要|得|用|会)[^？?，,。]{0,24}(?<!什)[吗么][？?]?$"
)
_WHY_ASKED = re.compile(
    r"(?<![成作认称视列改])为什么|为啥|怎么回事|会怎样|会怎么样|什么后果|怎么处理|如何处理|有什么(?:规定|要求|影响|区别)"
)
# "怎样定义", "如何规定": a meaning or a rule's wording, answered by its own reader.
_NOT_PROCEDURE = re.compile(r"(?:怎么|如何|怎样)(?:定义|规定|理解|认定的)")


def excerpt_asked(folded: str, kind: QuestionKind) -> ExcerptKind | None:
    """Whether the question asks for steps, a list or a passage: only where it asks for
    no figure, date, body or document fact, which have readers of their own."""
    if kind not in (QuestionKind.WHAT, QuestionKind.LIST) or _NOT_PROCEDURE.search(folded):
        return None
    if _LIST_ASKED.search(folded):
        return "list"
    if YES_NO.search(folded) or _WHY_ASKED.search(folded):
        return "passage"
    if _STEPS_ASKED.search(folded):
        return "steps"
    return None


@dataclass(frozen=True)
class Question:
    text: str  # as asked, invisible characters and outer whitespace removed
    folded: str  # `fold(text)`: the form every rule matches on
    script: Script
    kind: QuestionKind
    years: frozenset[str]  # "到2025年" gives {"2025"}
    places: frozenset[str]  # regions it names: "杭州市的…" gives {"杭州"}
    plan: QueryPlan  # what retrieval sees, and the documents the question names
    keywords: tuple[str, ...]  # content words of the search text, sorted
    named: tuple[str, ...]  # quoted names and 第X条 articles the answering passage must name
    unit: str | None  # the unit the answer must carry: %, 元, 家, …
    baseline: bool  # asks for the base-period value (基期), not the target
    expected_items: int | None  # "哪三项" expects 3
    # Figures the question itself states ("缴了6万元以上…能计多少分"), folded: they find
    # the clause it is about, and are never its answer.
    figures: tuple[str, ...] = ()
    # Asked for the source's steps, list or verdict (怎么办, 要什么材料, 能不能).
    asks: ExcerptKind | None = None


# First match wins, in this order: "由哪个部门印发" is about the issuer, not a who-question.
_KIND_RULES: tuple[tuple[re.Pattern[str], QuestionKind], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"文号|发文字号|文件编号", QuestionKind.META_DOCNO),
        (
            r"(印发|发布|下发|出台|落款|成文)(日期|时间)|哪(一)?天(印发|发布)|什么时候(印发|发布)"
            r"|(哪个月|何时|哪一?年|几月)(印发|发布|公布|出台|下发)的?[?？]?$",
            QuestionKind.META_DATE,
        ),
        (
            r"(哪个|哪些|什么)(单位|机关|部门)(印发|发布)|由(谁|哪个|哪些)(单位|机关|部门)?(印发|发布)"
            r"|发文(机关|单位)",
            QuestionKind.META_ISSUER,
        ),
        (r"实施期限|起止(年份|时间)|规划期|哪几年", QuestionKind.META_PERIOD),
        (
            r"什么时候|何时|哪一年|哪年|哪一天|哪天|什么时间|什么日期|哪个月|几月|(?<!第)几号"
            r"|截止(时间|日期)",
            QuestionKind.WHEN,
        ),
        (
            r"牵头|配合|负责|谁|哪个部门|哪些部门|哪些单位|哪(?:一)?位"
            r"|(?:部门|单位|机关|机构)(?:是|为)哪(?:一)?个[?？]?$",
            QuestionKind.WHO,
        ),
        (
            r"多少|(?<!哪)几(个|项|家|件|位|成|倍|年|天|日|小时|周|分)|多久|多长时间|百分之几"
            r"|比例|比重|占比|达到|增长|规模(?!以上)",
            QuestionKind.QUANTITY,
        ),
        (r"哪些|哪几|哪[一二三四五六七八九十两\d]|几(大|个方面|条)|包括", QuestionKind.LIST),
    )
)


_INTERROGATIVE = re.compile(r"多少|几|哪|什么|谁|怎么|怎样|如何|是否|吗|多久|多长|何时")
_ITEM = r"[^，,、和及与]{2,30}"
_BOTH = re.compile(rf"^(.*?[，,]?)({_ITEM})(?:和|及|与)({_ITEM}?)(?:分别|各)(.+)$")
# "建设多少所学校和多少个专业": two counts asked in one breath, each with its own noun.
_TWO_COUNTS = re.compile(
    r"^(.*?)((?:多少|几)[个项所家名人条种类次]?[^，,？?和及]{1,20}?)(?:和|以及|及)"
    r"((?:多少|几)[个项所家名人条种类次]?[^，,？?]{1,20})([？?]?)$"
)
MAX_PARTS = 3
SELF_CONTAINED = 12  # a later ask this long names its own subject


def question_parts(text: str) -> list[str]:
    """The asks of a question that has several: "预期目标是多少？实际增长了多少？" or
    "A和B分别是多少". One ask gives one part, the question itself."""
    both = _BOTH.match(text)
    if both and _INTERROGATIVE.search(fold(both.group(4))):
        lead, first, second, rest = both.groups()
        return [f"{lead}{first}{rest}", f"{lead}{second}{rest}"]
    counts = _TWO_COUNTS.match(text)
    if counts:
        lead, first, second, mark = counts.groups()
        return [f"{lead}{first}{mark}", f"{lead}{second}{mark}"]
    asks = separate_asks(re.split(r"(?<=[？?])", text))
    if asks is None:  # "补贴标准是多少，总额最高多少": asks apart by a comma
        asks = separate_asks(re.split(r"(?<=[，,、；;])", text.rstrip("？?")))
    if asks is None:
        return [text]
    # A later ask leans on the first one's subject: "基地多久评估一次？不合格会怎样？"
    first = _INTERROGATIVE.search(fold_aligned(asks[0]))  # same offsets as the text
    subject = asks[0][: first.start()] if first else ""
    return [asks[0], *(a if len(a) >= SELF_CONTAINED else subject + a for a in asks[1:])]


def separate_asks(pieces: list[str]) -> list[str] | None:
    """The pieces, if there are two or three and each is an ask of its own."""
    pieces = [p.strip().rstrip("，,、；;").strip() for p in pieces if p.strip()]
    asks = [p for p in pieces if len(p) >= 4 and _INTERROGATIVE.search(fold(p))]
    if len(asks) < 2 or len(asks) != len(pieces) or len(asks) > MAX_PARTS:
        return None
    return asks


def classify(folded: str) -> QuestionKind:
    return next((kind for rule, kind in _KIND_RULES if rule.search(folded)), QuestionKind.WHAT)


def years_in(text: str) -> set[str]:
    """The years (20xx) a text speaks of, read from its folded form."""
    return {m.group(1) for m in YEAR.finditer(fold(text))}


# A year a figure is compared with (比2021年减少, 较2020年, 与2019年相比) is not the year the
# sentence reports.
COMPARED_YEAR = re.compile(r"[比较与]$")


def stated_years(text: str) -> set[str]:
    """The years a sentence reports on: those it only compares with left out."""
    folded = fold(text)
    return {
        m.group(1)
        for m in YEAR.finditer(folded)
        if not COMPARED_YEAR.search(folded[max(0, m.start() - 1) : m.start()])
    }


def expected_items(folded: str) -> int | None:
    digits = "两二三四五六七八九"
    match = re.search(rf"哪([{digits}])|([{digits}])(大|个|项|条)", folded)
    if not match:
        return None
    return _COUNTS[match.group(1) or match.group(2)]


def is_baseline(folded: str) -> bool:
    return bool(re.search(r"基期|基数|现状|基准", folded))


def content_words(tokenizer: Tokenizer, text: str) -> tuple[str, ...]:
    """Content words: what a passage must say to be about the question. The words of
    asking itself (多久, 哪里, 规定, 可以) are left out: no passage states them."""
    # The asking words go before tokenizing, so that their fragments (长时间 of 多长时间)
    # cannot come back as content.
    tokens = tokenizer.tokenize(ASKING_WORDS.sub("，", text))
    words = {
        t
        for t in tokens
        if len(t) >= 2
        and not re.fullmatch(r"[\d.]+", t)
        and not ASKING.search(t)
        and not all(ch in FUNCTION_CHARS for ch in t)
        and not NOT_CONTENT.match(t)
        and t not in NARRATIVE
        and not MAGNITUDE_UNIT.fullmatch(t)
    }
    # Drop search-mode sub-words already covered by a longer token.
    return tuple(sorted(w for w in words if not any(w != o and w in o for o in words)))


class QuestionParser:
    """Reads questions against one index snapshot: its document names (for mentions) and
    its tokenizer (for keywords)."""

    def __init__(
        self,
        plan: Callable[[str], QueryPlan],
        tokenizer: Tokenizer,
        own_names: Collection[str],
    ) -> None:
        self.plan = plan
        self.tokenizer = tokenizer
        # Documents' own names, folded: quoted parts of them are not named items.
        self.own_names = own_names

    def parse(self, question: str) -> Question:
        text = strip_invisible(question).strip()
        if not text:
            raise ValueError("the question has no visible text")
        folded = fold(text)
        plan = self.plan(text)
        kind = classify(folded)
        return Question(
            text=text,
            folded=folded,
            script=detect_script(text),
            kind=kind,
            years=frozenset(years_in(folded)),
            places=frozenset(named_places(text)),
            plan=plan,
            keywords=self.keywords(plan.text),
            named=self.named_items(text),
            unit=unit_wanted(folded),
            baseline=is_baseline(folded),
            expected_items=expected_items(folded),
            figures=tuple(fold_compact(m.group()) for m in figures(text)),
            asks=excerpt_asked(folded, kind),
        )

    def keywords(self, search_text: str) -> tuple[str, ...]:
        """Content words; a citizen's word whose official one the query plan added (孩子
        beside 子女, 要攒够 beside 累计) is left to the official word, which is the one a
        passage says."""
        words = content_words(self.tokenizer, search_text)
        replaced = {
            w
            for w in words
            for said, officials in OFFICIAL_WORDS.items()
            # A one-character word inside a longer token (攒 of 要攒够) is the citizen's;
            # a longer one must be the token itself: 社保卡 is the documents' word too.
            if (said == w or (len(said) == 1 and said in w))
            and any(o in search_text and o not in w for o in officials)
        }
        return tuple(w for w in words if w not in replaced)

    def named_items(self, text: str) -> tuple[str, ...]:
        """Quoted names ("冰雪产业技术") the answering passage must mention.

        Titles in 《》, quoted parts of a document's own name (“十四五”) and quoted counts
        (“四个示范”) do not count; an article the question cites (第十二条) does.
        """
        untitled = re.sub(r"《[^》]*》", "", text)
        quoted = [fold_compact(n) for n in QUOTED.findall(untitled)]
        articles = [fold_compact(a) for a in ARTICLE.findall(untitled)]
        names = [
            q
            for q in quoted
            if not any(q in name for name in self.own_names) and not COUNTED.match(q)
        ]
        return (*names, *articles)
