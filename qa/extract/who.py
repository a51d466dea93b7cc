"""Who-questions (牵头单位, 由谁负责): the lead or partner units of a task's 〔牵头单位…〕
note, the unit whose duty matches the question, or a person a sentence names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus.models import Chunk
from corpus.normalize import fold_aligned
from qa.extract.passages import (
    MIN_OVERLAP,
    RANK_COST,
    Evidence,
    Extraction,
    Pass,
    first_answer,
    focus,
    is_grounded,
    keyword_overlap,
    sentence_with,
    verbatim,
)
from qa.extract.what import TEMPLATE_PASSES, template_answer
from qa.question import ARTICLE, Question

NOTE = re.compile(r"〔牵头单位[:：]([^〕]*?)(?:[,，]配合单位[:：]([^〕]*))?〕")
# A task paragraph closed by the bodies in charge of it, in brackets: "（工业和信息化部、
# 发展改革委、科技部等负责。列第一位者为牵头单位，下同）". Such lists name the lead first.
LISTED_NOTE = re.compile(r"[（(]([^（）()。；;，,]{2,120}?)等?(?:负责|牵头)[^（）()]{0,30}[）)]")
# The name of a body: words ending in what bodies are called (厅, 局, 委员会, 办公室, …).
# A short bracketed part stays inside the name: 市（区）公安机关.
_BODY = (
    r"(?:[^，。,；;：:、\s（(由的]|[（(][^）)，。]{1,6}[）)]){1,24}?"
    r"(?:部门|机关|机构|委员会|办公室|领导小组|工作小组|小组|指挥部|政府|法院|检察院|中心|"
    r"公司|银行|厅|局|委|办|部|院|署|会|所|行|组)"
)
RESPONSIBLE = re.compile(
    rf"(?:^|[，。；,;：:\s由])({_BODY})(?:具体|共同|统一)?(?:负责|牵头)(?!解释|人)"
)
_HOLDER = r"([^，。,；;由]{2,30}?)"
# A post a who-question may ask about (组长, 总指挥, 办公室主任); 副总指挥 is another post.
POST = re.compile(r"(副?(?:组长|总指挥|指挥长|召集人|主任|主席))")
ROLES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"设在|在哪|哪里|哪个部门"), re.compile(r"办公室设在([^，。,；;（(\s]{2,24})")),
    (re.compile(r"解释"), re.compile(rf"由({_BODY})负责解释|({_BODY})负责解释")),
    (re.compile(r"牵头"), re.compile(rf"由({_BODY})牵头|({_BODY})牵头")),
)


# "由谁决定", "由哪个部门负责执行": the verb whose agent is asked.
ASKED_AGENT = re.compile(
    r"由(?:谁|哪里|哪个|哪些|哪一|哪位|什么)(?:部门|单位|机关|机构|级政府|级部门|方面)?"
    r"[^，。？?]{0,4}?(?:来|去)?(?:负责)?([\u4e00-\u9fff]{2})"
)


# How the holder acts, not who it is: "由集资参与人自行承担" is borne by 集资参与人.
HOLDER_ADVERB = re.compile(r"(?:自行|共同|统一|具体|依法|分别|各自)$")


def agent_of(folded_text: str, question: Question) -> str | None:
    """ "由同级人民检察院检察委员会决定" for 负责人的回避由谁决定: of the bodies said to do
    the asked verb, the one whose clause states most of the question."""
    asked = ASKED_AGENT.search(question.folded)
    if not asked:
        return None
    verb = re.escape(asked.group(1))
    # "由谁补上" is done "由…人民政府予以补贴": after 予以 the verb's first character will do.
    acts = rf"(?:(?:负责|具体负责|统一)?{verb}|予以{re.escape(asked.group(1)[0])})"
    best: tuple[float, str] | None = None
    for match in re.finditer(rf"由{_HOLDER}{acts}", folded_text):
        start = max(folded_text.rfind(mark, 0, match.start()) for mark in "。；;\n")
        score = keyword_overlap(question.keywords, folded_text[start + 1 : match.start()])
        if best is None or score > best[0]:
            best = (score, HOLDER_ADVERB.sub("", match.group(1)) or match.group(1))
    if best is None:  # "通知负责执行的派出所": the body after the verb
        after = re.search(rf"负责{verb}的({_BODY})", folded_text)
        if after:
            return after.group(1)
        # "到畜牧兽医行政主管部门确定的狂犬病免疫点": the body doing the verb to a noun.
        before = re.search(rf"({_BODY})(?:负责)?{verb}的", folded_text)
        if before:  # the body, not the clause leading to it: 携带犬只到…部门
            return re.split(r"[到向经]", before.group(1))[-1]
        if verb == "负责":  # "由哪个部门负责" names no duty: the duties' reading decides
            return None
        return subject_doing(folded_text, verb, question)
    return best[1]


# A body opening a sentence (after its list mark) and then saying what it must do or
# what it is: "（三）西藏自治区人民政府要按照…规定，负责提供…", "公安机关是…主管部门，负责…".
OPENING_BODY = re.compile(
    rf"^\s*(?:{ARTICLE.pattern}\s*|[（(][一二三四五六七八九十\d]{{1,3}}[）)]|\d{{1,2}}[.、．]"
    rf"|[一二三四五六七八九十]{{1,3}}、)?"
    rf"\s*({_BODY})(?=要|应|须|必须|将|负责|按照|依照|根据|会同|牵头|统一|具体|依法|是|为)"
)


def opening_bodies(folded_text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """(sentence, its OPENING_BODY match) for each sentence that opens with a body."""
    for sentence in re.split(r"[。；;\n]", folded_text):
        opening = OPENING_BODY.match(sentence)
        if opening:
            yield sentence, opening


def subject_doing(folded_text: str, verb: str, question: Question) -> str | None:
    """The body a sentence opens with, when that sentence goes on to do the asked verb;
    of several, the one whose sentence states most of the question."""
    best: tuple[float, str] | None = None
    for sentence, opening in opening_bodies(folded_text):
        if re.search(verb, sentence[opening.end() :]):
            score = keyword_overlap(question.keywords, sentence)
            if best is None or score > best[0]:
                best = (score, opening.group(1))
    return best[1] if best else None


def post_holder(folded_text: str, folded_question: str) -> str | None:
    """ "总指挥由国家发展改革委主要负责人担任" for 总指挥由谁担任, in either word order."""
    asked = POST.search(folded_question)
    if not asked:
        return None
    post = re.escape(asked.group(1))
    exact = "" if asked.group(1).startswith("副") else "(?<!副)"
    pattern = (
        rf"{exact}{post}由{_HOLDER}(?:担任|兼任)|由{_HOLDER}(?:担任|兼任){exact}{post}"
        rf"|(?:^|[，。；,;])\s*{_HOLDER}(?:担任|兼任){exact}{post}"
        # A roster line: "总指挥：国家发展改革委主要负责人。"
        rf"|(?:^|[\n。；;])\s*{exact}{post}[:：]\s*([^。；;\n]{{2,60}})"
    )
    match = re.search(pattern, folded_text)
    return next((g for g in match.groups() if g), None) if match else None


def who_answer(chunk: Chunk, question: Question, notes_only: bool = False) -> str | None:
    folded = fold_aligned(chunk.text)
    noted = note_answer(folded, question)
    if noted:
        return verbatim(chunk.text, folded, noted)
    listed = listed_note_answer(folded, question)
    if notes_only:
        return verbatim(chunk.text, folded, listed) if listed else None
    said = said_answer(folded, question)
    if said or listed:  # a sentence naming who does the asked thing beats the task's note
        return verbatim(chunk.text, folded, said or listed or "")
    if POST.search(question.folded):  # a post is held by a person, not a duty's body
        return None
    # "省科技厅具体负责对…进行分解": the unit whose duty matches the question's words.
    # The duty is what follows the body: the body's own name (…部门) says nothing of it.
    duties = [(m.group(1), own_clause(folded, m.end(1))) for m in RESPONSIBLE.finditer(folded)]
    duties += subjects_duties(folded)
    if not duties:
        return None
    scored = [(keyword_overlap(question.keywords, duty), body) for body, duty in duties]
    overlap, best = max(scored, key=lambda pair: pair[0])
    # A body named beside some other duty is not the answer: its duty must be the asked one.
    return verbatim(chunk.text, folded, best) if overlap >= MIN_OVERLAP else None


def said_answer(folded: str, question: Question) -> str | None:
    """The holder of the asked post, or the body a sentence says does the asked verb."""
    if POST.search(question.folded):  # a post is held by a person, not a duty's body
        return post_holder(folded, question.folded)
    agent = agent_of(folded, question)
    if agent:
        return agent
    for asks, role in ROLES:
        if asks.search(question.folded) and (match := role.search(folded)):
            return next(g for g in match.groups() if g)
    return None


def note_answer(folded: str, question: Question) -> str | None:
    """The units of a 〔牵头单位…〕 note: its lead, or its partners for 配合."""
    notes = list(NOTE.finditer(folded))
    if not notes:
        return None
    lead, partners = notes[-1].group(1), notes[-1].group(2)
    wanted = partners if "配合" in question.folded and partners else lead
    return wanted.split("。")[0]


def listed_note_answer(folded: str, question: Question) -> str | None:
    """The bodies a bracketed note lists after a task: the first for 牵头, all otherwise."""
    listed = [m for m in LISTED_NOTE.finditer(folded) if listed_bodies(m.group(1))]
    if not listed:
        return None
    bodies = listed_bodies(listed[-1].group(1))
    return bodies[0] if "牵头" in question.folded else listed[-1].group(1)


def listed_bodies(names: str) -> list[str]:
    """The bodies of a 、-separated list, when every item is a body's name."""
    items = names.split("、")
    return items if all(re.fullmatch(_BODY, item) for item in items) else []


DUTY_SPAN = 40  # characters after 负责 that say what the duty is


def subjects_duties(folded: str) -> list[tuple[str, str]]:
    """(body, duty) for each 负责 of a sentence that opens with a body: "公安机关是养犬
    管理工作的主管部门，负责犬只准养登记" gives 公安机关 that duty."""
    found = []
    for sentence, opening in opening_bodies(folded):
        for duty in re.finditer("负责", sentence[opening.end() :]):
            found.append((opening.group(1), own_clause(sentence, opening.end() + duty.start())))
    return found


def own_clause(text: str, start: int) -> str:
    """At most DUTY_SPAN characters of `text` from `start`, ending with their clause: the
    next clause may be another body's duty."""
    return re.split(r"[，,；;。]", text[start : start + DUTY_SPAN])[0]


def unit_in(question: Question, evidence: Evidence, chunk: Chunk, rank: int) -> Extraction | None:
    # A task's 〔牵头单位…〕 note closes its last chunk; look there too.
    siblings = evidence.section_chunks(chunk)
    for candidate in (chunk, *siblings[::-1]):
        answer = who_answer(candidate, question, notes_only=candidate != chunk)
        if answer and is_grounded(answer, candidate.text):
            return Extraction(answer, sentence_with(candidate, answer), rank, candidate)
    return None


def named_before_verb(question: Question, sentence: str) -> str | None:
    """ "刘永坦院士获" for 谁获得了: a name stands right before the verb."""
    return template_answer(sentence, question.folded, min_anchor=1)


# "谁获得了国家最高科学技术奖": a person named in the text, not a unit.
PERSON_PASSES: tuple[Pass, ...] = (*TEMPLATE_PASSES, (named_before_verb, False))


# "日常管理机构是谁": the noun the question asks the holder of.
ASKED_IDENTITY = re.compile(
    r"([\u4e00-\u9fff]{2,8})(?:是|为)(?:谁|哪个部门|哪个单位|什么机构|哪(?:一)?个[?？]?$|哪家)"
)


def identity(question: Question, sentence: str) -> str | None:
    """ "市高校毕业生公共就业服务机构是本市就业见习基地日常管理机构" for 日常管理机构是谁:
    the subject of a sentence that calls it by the asked noun."""
    asked = ASKED_IDENTITY.search(question.folded)
    if not asked:
        return None
    # The noun after its last 的: 控制吸烟工作的主管部门 is called 主管部门.
    noun = re.escape(asked.group(1).split("的")[-1][-6:])
    if len(noun) < 2:
        return None
    folded = fold_aligned(sentence)
    found = re.search(
        rf"(?:^|[，。；,;：:\s])([^，。；,;：:\s]{{2,30}}?)(?:是|为)[^，。；]{{0,12}}{noun}", folded
    )
    # "列第一位者为牵头单位" describes who, it does not name them.
    if not found or found.group(1).endswith("者"):
        return None
    return verbatim(sentence, folded, found.group(1))


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    """The holder of the asked title, when a sentence names one; else the unit whose
    sentence states most of the question, in whichever usable passage; failing any
    unit, a person."""
    named = first_answer(question, evidence, ((identity, True),))
    if named is not None:
        return named
    units = [unit_in(question, evidence, hit.chunk, rank) for rank, hit in evidence.usable]
    found = [u for u in units if u is not None]
    if found:
        return max(found, key=lambda u: (stated(question, u), -u.hit))
    return first_answer(question, evidence, PERSON_PASSES)


def stated(question: Question, found: Extraction) -> float:
    heading = found.chunk.section.innermost if found.chunk else ""
    if NOTE_OPENING.match(found.sentence):  # a task's note speaks for the task its heading names
        return focus(question.keywords, heading + found.sentence) - RANK_COST * found.hit
    return focus(question.keywords, found.sentence, heading) - RANK_COST * found.hit


NOTE_OPENING = re.compile(r"\s*[（(〔]")
