"""What-questions (以什么为主线, 创建什么): the words filling the question's gap, read off
the best-matching sentence; failing that, its best-matching clause."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.normalize import fold_aligned, fold_compact
from qa.extract.passages import (
    CLAUSE_SPLIT,
    MAX_ANSWER,
    Evidence,
    Extraction,
    Pass,
    asked_share,
    first_answer,
    keyword_overlap,
    verbatim,
)
from qa.question import ARTICLE, QUOTED, YES_NO, Question

MIN_ANCHOR = 2  # characters of the question's own words around the gap a match keeps


def template_answer(
    sentence: str, folded_question: str, shorten: bool = True, min_anchor: int = MIN_ANCHOR
) -> str | None:
    """ "以什么为主线" against "以创新驱动发展取得新突破为主线" gives the whole clause;
    "创建什么" against "…园区创建国家农业高新技术产业示范区" gives what follows."""
    match = re.search(r"(.{0,3})(什么|哪个|哪种|哪项|哪里|谁)(.{0,4})", folded_question)
    if not match:
        return None
    before = re.split(r"[,，、:：]", match.group(1))[-1].lstrip("的是")
    after = re.split(r"[,，?？。]", match.group(3))[0]
    folded = fold_aligned(sentence)
    body = r"([^，。；,;]{1,40}?)" if after else r"([^，。；,;]{1,40})"
    # The question's words next to the gap may differ from the text's ("获得了" for
    # "获"): shorten the anchors until they match, where `shorten` allows it.
    rights = [after[:n] for n in range(len(after), 0, -1)] or [""]
    for right in rights if shorten else rights[:1]:
        for cut in range(len(before) + 1 if shorten else 1):
            left = before[cut:]
            if len(left) + len(right) < min(min_anchor, len(before) + len(after)):
                break  # one shared character is no anchor
            found = re.search(re.escape(left) + body + re.escape(right), folded)
            if found and found.group(1).strip():
                span = found.group(0) if right else found.group(1)
                return verbatim(sentence, folded, span)
    return None


def clause_spans(sentence: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for mark in [*CLAUSE_SPLIT.finditer(sentence), None]:
        end = mark.start() if mark else len(sentence)
        if sentence[start:end].strip():
            spans.append((start, end))
        start = end + 1
    return spans


def best_clause(sentence: str, keywords: Sequence[str], asked: str) -> str:
    """What the sentence says past the question's own words: the clauses after the one
    restating the question ("已经入户的，…予以注销，退回原籍" for 已经落户了会怎么处理);
    the restating clause itself when nothing follows it."""
    spans = clause_spans(sentence)
    if not spans:
        return sentence[:MAX_ANSWER]
    overlaps = [keyword_overlap(keywords, sentence[s:e]) for s, e in spans]
    best = overlaps.index(max(overlaps))
    start = spans[best][0]
    if best + 1 < len(spans) and restates(sentence[spans[best][0] : spans[best][1]], asked):
        start = spans[best + 1][0]
    return cut_at_clause(sentence[start : spans[-1][1]].strip())


RESTATES = 0.5  # share of a clause's character pairs the question holds


def restates(clause: str, asked: str) -> bool:
    """A clause made mostly of the question's own words adds nothing to it."""
    return asked_share(clause, asked) >= RESTATES


def cut_at_clause(text: str) -> str:
    """At most MAX_ANSWER characters, ending at a clause's end where one falls inside."""
    if len(text) <= MAX_ANSWER:
        return text
    ends = [m.start() for m in CLAUSE_SPLIT.finditer(text, 0, MAX_ANSWER + 1)]
    return text[: ends[-1]] if ends and ends[-1] >= MAX_ANSWER // 2 else text[:MAX_ANSWER]


ARTICLE_LABEL = re.compile(rf"^\s*{ARTICLE.pattern}\s*")
ASKS_CONTENT = re.compile(r"怎么规定|如何规定|规定了什么|什么内容|内容是什么|说了什么|讲了什么")


def article_text(question: Question, sentence: str) -> str | None:
    """ "第八条是怎么规定的": the article's own words, its label left off."""
    if not ASKS_CONTENT.search(question.folded) or not any(
        ARTICLE.fullmatch(n) for n in question.named
    ):
        return None
    label = ARTICLE_LABEL.match(sentence)
    body = sentence[label.end() :] if label else sentence
    return cut_at_clause(body.strip().rstrip("。；;")) or None


def exact_template(question: Question, sentence: str) -> str | None:
    return template_answer(sentence, question.folded, shorten=False)


def shortened_template(question: Question, sentence: str) -> str | None:
    return template_answer(sentence, question.folded)


def clause_answer(question: Question, sentence: str) -> str | None:
    """A yes/no question's verdict where the sentence states one; else its best clause."""
    return verdict(question, sentence) or best_clause(
        sentence, question.keywords, fold_compact(question.text)
    )


# "什么是X", "X是指什么", "X是什么意思", "怎样定义X": the question asks what X means.
_MEANING = (
    r"^(?:什么(?:叫|是)|如何定义|怎样定义|怎么定义)(?P<after>[^？?，,]{2,20})"
    r"|^(?P<before>[^？?，,]{2,20}?)(?:是指什么|指的是什么|是什么意思|指什么|的定义|的含义)"
)
MEANING = re.compile(_MEANING)


def defined_term(question: Question) -> str | None:
    """The term a meaning-question asks about: its quoted words, else the words beside
    the asking ones (the document's own "所说的" dropped)."""
    asked = MEANING.search(question.folded)
    if not asked:
        return None
    quoted = QUOTED.findall(question.folded)
    if quoted:
        return fold_compact(quoted[0])
    term = asked.group("after") or asked.group("before")
    return fold_compact(re.split(r"所说的|所称的|所称|中的|里的", term)[-1]) or None


def definition(question: Question, sentence: str) -> str | None:
    """ "本条例所称非法集资，是指…", "“无废城市”是…的城市发展模式", "“双师型”教师（同时
    具备…的教师）": what the sentence says the asked term means."""
    term = defined_term(question)
    if not term or len(term) < 2:
        return None
    folded = fold_aligned(sentence)
    lead = r"(?:^|所称|所说的|[“\"「])"
    found = re.search(
        # A word may follow the term only past its closing quote: “双师型”教师（…）, but
        # 非法集资人 is another term than 非法集资.
        rf"{lead}{re.escape(term)}(?:[”\"」][\u4e00-\u9fff]{{0,3}}?)?"
        r"(?:[（(]([^）)]{4,60})[）)]|[,，]?(?:是指|指的是|即|是)([^。；;]{4,200}))",
        folded,
    )
    if not found:
        return None
    span = verbatim(sentence, folded, found.group(1) or found.group(2))
    return cut_at_clause(span) if span else None


# The words a rule's verdict turns on: what one may, must or must not do. Generic
# legal Chinese; single characters (可, 应, 需) are left out, being parts of other words.
VERDICT = re.compile(
    r"不得|禁止|严禁|不准|不能|不予|不可|不再|无需|不需|不用|免征|免收|免费|不收"
    r"|可以|应当|必须|(?<![必无])须(?!知)|只能|仅限|除外|(?<!不)允许|准许|应予|予以"
)
# A clause setting a condition (…的, …者, …时): the verdict is in the clause after it.
CONDITION = re.compile(r"(?:的|者|时)$")


def verdict(question: Question, sentence: str) -> str | None:
    """ "能不能转卖墓位" against "墓穴的购买者不得转让墓穴": the clause stating what one may
    or must not do, of those the sentence holds the one sharing most of the question."""
    if not YES_NO.search(question.folded):
        return None
    best: tuple[float, str] | None = None
    spans = clause_spans(sentence)
    for i, (start, end) in enumerate(spans):
        clause = sentence[start:end].strip()
        if not VERDICT.search(clause) or CONDITION.search(clause):
            continue
        # The clause before counts only as the condition the verdict is under ("…的，
        # 不得…"); a verdict before it ("不得为政府债券…，不得为政府融资平台…") is another.
        before = sentence[spans[i - 1][0] : spans[i - 1][1]].strip() if i else ""
        condition = before if CONDITION.search(before) else ""
        score = keyword_overlap(question.keywords, clause) + 0.5 * keyword_overlap(
            question.keywords, condition
        )
        if best is None or score > best[0]:
            best = (score, clause)
    return cut_at_clause(ARTICLE_LABEL.sub("", best[1])) if best else None


TEMPLATE_PASSES: tuple[Pass, ...] = ((exact_template, True), (shortened_template, True))
PASSES: tuple[Pass, ...] = (
    (definition, True),
    (article_text, False),
    *TEMPLATE_PASSES,
    (clause_answer, False),
)


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    return first_answer(question, evidence, PASSES, worded=True)
