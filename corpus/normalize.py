"""Folding text into the form we match on. Users always see the original.

Folding = full-width to half-width (NFKC), Taiwan-phrase-aware traditional to simplified
(OpenCC `tw2sp`), then a small domain map for policy vocabulary that OpenCC keeps as
Taiwan usage (技術契約 -> 技术合同, 套用 -> 应用, 智慧型 -> 智能).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import opencc

from corpus.models import Script

# Applied after tw2sp, so keys are in simplified characters. Longest keys first.
DOMAIN_MAP: dict[str, str] = {
    "技术契约": "技术合同",
    "契约成交": "合同成交",
    "智能型化": "智能化",
    "智能型": "智能",
    "套用": "应用",
    "数位": "数字",
    "最佳化": "优化",
    "积体电路": "集成电路",
    "感测器": "传感器",
    "变数": "变量",
    "资讯": "信息",
    "软体": "软件",
    "硬体": "硬件",
    "网路": "网络",
    "计画": "计划",
    "工具机": "机床",
    "档案全文": "文件全文",
}
_DOMAIN_KEYS = sorted(DOMAIN_MAP, key=len, reverse=True)


# One converter per config for the process: building one loads its dictionaries (~15 ms).
@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    converted: str = _converter("tw2sp").convert(text)
    for key in _DOMAIN_KEYS:
        if key in converted:
            converted = converted.replace(key, DOMAIN_MAP[key])
    return converted


def to_traditional(text: str) -> str:
    """Simplified to Taiwan traditional with phrases, for answering in the asker's script."""
    converted: str = _converter("s2twp").convert(text)
    return converted


def traditional_matching(text: str) -> str:
    """`to_traditional`, unless its Taiwan wording no longer folds back to `text` (坐标
    becomes 座標, which folds to 座标): then character by character, each character kept
    where its traditional form would not fold back. An answer shown in the asker's script
    must still be found in its citation."""
    converted = to_traditional(text)
    if fold_compact(converted) == fold_compact(text):
        return converted
    chars = []
    for ch in text:
        alone: str = _converter("s2t").convert(ch)
        chars.append(alone if fold(alone) == fold(ch) else ch)
    return "".join(chars)


def for_display(text: str, script: Script) -> str:
    """Script only, vocabulary kept: 技術契約 shows as 技术契约, not rewritten to 技术合同.
    A reader switching scripts should still be reading the document's own words."""
    converted: str = _converter("t2s" if script == "simplified" else "s2tw").convert(text)
    return converted


# Zero-width and bidi controls, and C0/C1 controls but tab and newline: invisible to the
# reader, yet they split jieba tokens and can disguise text (U+202E reverses it).
_INVISIBLE = re.compile(
    r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


# Answering folds the same passages and sentences again for every question (about 300
# folds an ask, 5 ms of a 35 ms ask on the bundled corpus); OpenCC is most of that cost.
@lru_cache(maxsize=16_384)
def fold(text: str) -> str:
    """The matching form: half-width, simplified, domain-mapped, lower-case."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def fold_compact(text: str) -> str:
    """`fold` with all whitespace removed: for containment checks (grounding, evidence)."""
    return "".join(fold(text).split())


_BETWEEN_WORDS = re.compile(r"[\s\W_]+")


def fold_words(text: str) -> str:
    """`fold` without spaces and punctuation, except between two digits: the same
    question typed with or without 吗？ or a space reads the same, while 2.5% stays
    apart from 25%."""
    folded = fold(text)

    def kept(match: re.Match[str]) -> str:
        start, end = match.span()
        between_digits = start > 0 and end < len(folded) and folded[start - 1].isdigit()
        return match.group() if between_digits and folded[end].isdigit() else ""

    return _BETWEEN_WORDS.sub(kept, folded)


def detect_script(text: str) -> Script:
    """Traditional when a noticeable share of CJK characters change under t2s."""
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return "simplified"
    sample = "".join(cjk[:5000])
    converted = _converter("t2s").convert(sample)
    changed = sum(1 for a, b in zip(sample, converted, strict=False) if a != b)
    return "traditional" if changed / len(sample) > 0.03 else "simplified"


# Characters OpenCC converts differently alone than in their words: a lone 么 becomes 幺,
# though the 么 of 什么 and 这么 is already simplified.
_ALONE_DIFFERS = {"么": "么"}


@lru_cache(maxsize=20_000)
def _fold_char(ch: str) -> str:
    if ch in _ALONE_DIFFERS:
        return _ALONE_DIFFERS[ch]
    folded = fold(ch)
    return folded[0] if len(folded) == 1 else ch


def fold_aligned(text: str) -> str:
    """`fold` character by character, so offsets in the result are offsets in `text`.

    Phrase-level conversions (契约 -> 合同) are lost; use it to locate a span found in
    folded text back in the original.
    """
    return "".join(_fold_char(ch) for ch in text)
