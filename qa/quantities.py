"""A grammar of quantities as Chinese policy texts write them, not a list of units seen:

    [qualifier] number [range] [magnitude] unit [qualifier] [以上 number unit 以下]

number: Arabic (4.06, 1,200) or Chinese numerals (六百, 十二, 二十); magnitude: 万亿, 亿,
千万, 万, 千; unit: a measure of money, share, energy, mass, length, area, volume, time
or count; qualifier: 约, 超过, 不低于 … before, 以上, 左右, 以内 … after. Matched on
`fold_aligned` text, so traditional characters (萬, 億, 個) read the same and offsets
still point into the original.
"""

from __future__ import annotations

import re

from corpus.normalize import fold_aligned

_UNITS = {
    "share": "%|‰|个百分点|百分点",
    "money": "美元|欧元|港元|元",
    "energy": "千瓦时|兆瓦时|万千瓦|千瓦|兆瓦|瓦",
    "mass": "千克|公斤|吨|克|斤",
    "length": "平方公里|平方千米|平方米|立方米|公里|千米|厘米|毫米|微米|米|公顷|亩|毫升|升",
    "density": "微克/立方米|毫克/立方米|微克每立方米|毫克每立方米",
    "time": "个工作日|工作日|个小时|小时|分钟|个月|周岁|年|月|周|天|日|岁",
    "count": "人次|个|家|项|件|人|户|位|所|座|条|名|次|倍|部|张|辆|台|套|宗|分|篇|批|处"
    "|间|床|场|艘|架|种|类|级|期|届|轮|页|本|份|笔|起|只|头|株|万",
}
TIME_UNITS = tuple(_UNITS["time"].split("|"))
# A duration asked in hours is not answered in days (学习几个小时 / 三十日内): the scale
# of the asked unit, its neighbours within the scale counting alike.
TIME_SCALE = {
    **dict.fromkeys(("小时", "分钟"), "time:hours"),
    **dict.fromkeys(("天", "日", "工作日", "周"), "time:days"),
    **dict.fromkeys(("月", "年"), "time:months"),
}
ORDINAL_UNITS = ("级", "期", "届", "批", "轮")
_UNIT = "|".join(
    sorted({u for group in _UNITS.values() for u in group.split("|")}, key=len, reverse=True)
)
# A Chinese numeral holds a digit word: 千瓦 and 百姓 are not numbers, 一千 and 十二 are.
CN_DIGIT = "零〇一二两三四五六七八九十"
_NUMBER = rf"(?:\d+(?:[.,]\d+)*|[{CN_DIGIT}百千]*[{CN_DIGIT}][{CN_DIGIT}百千]*)"
_MAGNITUDE = r"(?:万亿|千亿|百亿|亿|千万|百万|十万|万|千)?"
# A magnitude with its unit (万人, 亿元): the shape of an answer, no content of a question.
MAGNITUDE_UNIT = re.compile(rf"(?:万亿|千亿|百亿|亿|千万|百万|十万|万|千)(?:{_UNIT})")
_PREFIX = r"(?:约|超过|不低于|不少于|不超过|不高于|近|逾)?"
_SUFFIX = r"(?:及以上|及以下|以上|以下|以内|之内|左右|多|余|(?<=[年月天日时周])内)?"
# A range may give its unit once (2—3年) or on both ends (60%—70%, 5万—10万元).
# A space or a line break may stand between a figure and its unit (PDF text: "26 万人",
# "1000\n部"); a cell break may not: "82373232\n\t天河区" is a telephone number beside
# an address.
_GAP = r"[ \u00a0\n]?"
_RANGE = rf"(?:{_MAGNITUDE}(?:%|‰|{_UNIT})?{_GAP}[—\-~～至到]{_GAP}{_NUMBER})?"
# A rate per someone or some time: 600元/人月, 5元/平方米.
_PER = r"(?:/(?:人月|人|户|月|年|日|天|次|吨|亩|平方米|件|台|辆)){0,2}"  # 240元/人/日
_ONE = rf"{_NUMBER}{_RANGE}{_GAP}{_MAGNITUDE}{_GAP}(?:{_UNIT}){_PER}"
# Shares said in words: 一半以上, 过半, 三分之一, 百分之三十.
_SHARE_WORDS = rf"(?:超过|过|近)?一半|过半|{_NUMBER}分之{_NUMBER}"
# A ratio of three or more parts (三次产业结构 8.7:48.5:42.8), or of two with a decimal
# (1.5:1); "9:30" is a time of day, and a bare "1:1" too often one to read as a ratio.
_PART_NUMBER = r"\d+(?:\.\d+)?"
RATIO = (
    rf"{_PART_NUMBER}(?:[:：∶]{_PART_NUMBER}){{2,}}|\d+\.\d+[:：∶]{_PART_NUMBER}|\d+[:：∶]\d+\.\d+"
)
FIGURE = re.compile(
    rf"{_PREFIX}(?:{RATIO}|{_SHARE_WORDS}|{_ONE}){_SUFFIX}(?:(?<=以上){_ONE}(?:以下|以内))?"
)
_YEAR_LIKE = re.compile(r"(?:19|20)\d\d年?(?:\s?[—\-~～至到]\s?(?:19|20)\d\d)?年?")
_DATE_PART = re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}日|\d{1,2}月")
_BARE_ONE = re.compile(r"一(?:个|项|件|条|次|种|类|批|部|份|本|名|位|家|所|处|起)")


def figures(text: str, counting: str | None = None) -> list[re.Match[str]]:
    """Quantities in `text`, as matches on its `fold_aligned` form (same offsets).

    Not quantities: a year (2025年), a calendar date (5月1日), an ordinal (第十三次), and
    "一个" / "一项", which Chinese uses as an article far more often than as a count,
    unless the question is `counting` that very unit (几家 is answered by 一家)."""
    found = []
    folded = fold_aligned(text)
    for match in FIGURE.finditer(folded):
        value = match.group().strip()
        bare = re.sub(r"(?:以内|之内|内)$", "", value)
        if _YEAR_LIKE.fullmatch(bare) or (_BARE_ONE.fullmatch(value) and value[1:] != counting):
            continue
        if folded[max(0, match.start() - 1) : match.start()] == "第":
            continue
        if _DATE_PART.fullmatch(value) and _is_date(folded, match):
            continue
        found.append(match)
    return found


def _is_date(folded: str, match: re.Match[str]) -> bool:
    before = folded[max(0, match.start() - 1) : match.start()]
    after = folded[match.end() : match.end() + 3]
    return before == "年" or bool(re.match(r"\d{1,2}日", after)) or match.group().endswith("日")


_QUALIFIERS = re.compile(rf"^{_PREFIX}|{_SUFFIX}$")


def bare_figure(figure: str) -> str:
    """A figure without its qualifiers: 500万元 of 超过500万元 and of 500万元及以下."""
    return _QUALIFIERS.sub("", fold_aligned(figure).strip())


def unit_of(figure: str) -> str:
    """The unit a figure ends in (its qualifier dropped): "4.06万亿元" gives 元."""
    core = re.sub(rf"{_SUFFIX}$", "", fold_aligned(figure).strip()).split("/")[0]
    if re.search(r"半|分之", core):
        return "%"  # a share said in words
    if re.fullmatch(RATIO, core):
        return "∶"  # parts of a whole, as a share is
    for unit in sorted(_UNIT.split("|"), key=len, reverse=True):
        if core.endswith(unit):
            return unit
    return ""


Bound = str  # "upper" (at most) or "lower" (at least)
_ASKED_BOUNDS = (
    ("upper", r"最多|最高|最长|上限|封顶|顶多|不(?:能|得)?超过"),
    ("lower", r"最少|最低|最短|至少|起码|下限|不(?:能|得)?(?:低于|少于)"),
)
# The same bounds as a text states them around its figure (不得超过四百毫升, 2000元以下).
_STATED_BOUNDS = (
    ("upper", r"最多|最高|最长|上限|封顶|不(?:得|能)?超过|不高于|以下|以内|之内"),
    # 超过五百万元 is more than that, 不得超过 at most.
    ("lower", r"最少|最低|最短|至少|下限|不(?:得|能)?(?:低于|少于)|以上|(?<!不)(?<!不[得能])超过"),
)
BOUND_LEAD = 6  # characters before a figure where its bound may stand (最多不得超过)


def bound_wanted(folded: str) -> Bound | None:
    """ "一次最多不能超过多少毫升" asks for an upper bound, "至少要缴多少年" for a lower one."""
    return next((b for b, pattern in _ASKED_BOUNDS if re.search(pattern, folded)), None)


def bounds_stated(clause: str, start: int, end: int) -> set[Bound]:
    """The bounds a figure is stated with: in the figure itself (超过四百毫升, 五千元以上) or
    just before it (最多不得…), read on the folded clause."""
    around = fold_aligned(clause)[max(0, start - BOUND_LEAD) : end]
    return {b for b, pattern in _STATED_BOUNDS if re.search(pattern, around)}


def unit_wanted(folded: str) -> str | None:
    """The unit the question asks in: 比例 wants %, 多少家 wants 家, 多少钱 wants 元,
    多久 wants a time. A condition the question sets (单户担保金额超过500万元的，…费率…)
    names what is given, not what is asked, and is not read."""
    folded = "，".join(c for c in re.split(r"[，,；;]", folded) if not c.endswith("的"))
    share = (
        r"比例|比重|百分之|占比|增长率|增速|强度|%|(年均|每年).{0,6}(增长|涨)|占[^，,]{0,8}多少"
        r"|(?<![功频])率(?:是|为|达到|有|要达到)?(?:多少|几)"  # 失业率是多少; 功率 is no share
        r"|幅度|降幅|涨幅|增幅|跌幅"
    )
    if re.search(share, folded):
        return "%"
    money = (
        r"多少钱|金额|成交额|经费|资金|投入|收费|规费|费用|罚款|多少元|几元"
        r"|多少[^，,?？]{0,4}费"
    )
    if re.search(money, folded):
        return "元"
    scale = re.search(r"(?:几|多少)个?(小时|分钟|天|日|周|月|年)", folded)
    if scale:
        return TIME_SCALE[scale.group(1)]
    if re.search(r"多久|多长时间|多长期限", folded):
        return "time"
    if re.search(r"(?<![每均])人(?:数|口)?(?:有|是|为)?多少[?？]?$", folded):  # 来旅游的人有多少
        return "人"
    found = re.search(rf"(?:多少|几){_MAGNITUDE}({_UNIT})", folded)
    if found:
        return found.group(1)
    # 能领多少就业补贴, 生活补贴有多少: a grant's amount is money. 补贴标准是每人多少 may be a
    # share of a cost (四分之一), so only these two shapes.
    grant = r"补贴|补助|津贴|奖励|奖补|资助|救助金"
    if re.search(rf"多少[^，,?？]{{0,4}}(?:{grant})|(?:{grant})(?:有|是|为)?多少[?？]?$", folded):
        return "元"
    return None


def unit_fits(figure: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    folded = fold_aligned(figure)
    unit = unit_of(figure)
    if wanted == "元":
        return "元" in folded or not unit or unit in ("万", "亿")
    if wanted.startswith("time"):  # an age (16岁, 60周岁) is no duration
        in_scale = wanted == "time" or TIME_SCALE.get(unit.lstrip("个")) == wanted
        return unit in TIME_UNITS and unit not in ("岁", "周岁") and in_scale
    if wanted == "个":  # the general classifier: 多少个人才 is answered in 人
        # but not by an ordinal (三级, 第二批, 十四届): those name, they do not count
        return unit not in ("%", "‰", "元", *ORDINAL_UNITS) and "元" not in folded
    if wanted == "%":
        return unit in ("%", "‰", "个百分点", "百分点", "∶")
    return wanted in folded
