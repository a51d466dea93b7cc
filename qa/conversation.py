"""Follow-up questions understood without a language model: the slots of the previous
turn (document, year, subject, what was asked) are known from its standalone question,
so a follow-up that swaps one of them (那2026年呢？, 高新技术企业呢？, 行动计划里呢？),
points back at one (这个由哪个部门牵头？) or leaves one out (要达到多少？) is rewritten
into a question that stands alone; a complete new question inherits nothing.

Everything here is text arithmetic plus jieba's part-of-speech tags
(well under a millisecond a turn): the history is stateless, sent with each question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import jieba
import jieba.posseg

from corpus.normalize import (
    detect_script,
    fold,
    fold_aligned,
    strip_invisible,
    traditional_matching,
)
from qa.query import DocumentNames
from qa.question import YEAR, classify

MAX_TURNS = 10
ANSWER_CHARS = 1000  # of an earlier turn's answer kept as context
# A follow-up longer than this names its own subject unless it points back.
SHORT_FOLLOW_UP = 16
_OPENERS = re.compile(r"^(?:那么|那|那如果|如果是|还有|另外|再问一下|请问|那请问)[，,\s]*")
_CLOSERS = re.compile(r"[？?。！!，,\s]+$")
# 那2026年呢 / 2026年的目标呢 / 行动计划里呢: the thing swapped, then 呢.
_ELLIPSIS = re.compile(r"^(.+?)(?:的(?:情况|数据|目标|呢))?呢$")
_YEAR_PHRASE = re.compile(
    r"(?:到|至|在|截至|截止到?)?(?:20\d\d|19\d\d(?=年))年?(?:底|末|前|时|的|以前)?"
)
# Pronouns and demonstratives pointing back (这项任务, 该指标, 它); 其 only opening the
# question, since 其他 / 其中 / 尤其 are no pronouns.
_POINTER = re.compile(
    r"^其(?![他中余实次])|它们|它|这个|这项|这些|这一|这类|那个|那项|上述|(?<![应])该|(?<![因如从彼])此(?![外前后时])"
)
_POINTED_NOUN = re.compile(
    r"^(?:指标|目标|任务|计划|规划|政策|措施|项目|行动|工作|文件|制度|平台|数据|数字|事项|规定)"
)
# What a question may ask about its subject without naming another one: 牵头单位呢,
# 印发日期呢, 具体措施有哪些. Generic Chinese question vocabulary, not any document's.
ATTRIBUTES = re.compile(
    r"牵头|配合|负责|责任|主管|单位|部门|日期|时间|文号|期限|目标|指标|措施|要求|条件|材料"
    r"|流程|标准|主题|内容|举措|任务|重点|领域|方向|数量|规模|增幅|增速|增长|比例|比重|占比"
    r"|多少|几|哪|什么|谁|怎么|怎样|如何|是否|吗|具体|主要|分别|一共|总共|实际|现在|目前"
    r"|印发|发布|出台|要|需要|达到|突破|是|有|为|的|了|呢|里|中|还|又|再|能|会|将|预计|力争"
)
_INTERROGATIVE = re.compile(
    r"^(?:多少|多久|多长|多大|几|哪|什么|干什么|干嘛|啥|谁|怎么|怎样|如何|是否|何)"
)
_ASK_LEAD_TAGS = frozenset({"v", "vd", "p", "d", "uj", "ul", "c"})  # not vn: 建设行动
# Nouns that belong to what is asked, not to its subject: 配合单位有哪些, 目标是多少.
_ASK_NOUNS = re.compile(
    r"^(?:(?:牵头|配合|负责|责任|主管)?(?:单位|部门)|牵头|配合|负责|目标值?|预期目标|数量|规模"
    r"|日期|时间|文号|主题|增幅|期限|印发|发布)$"
)
_MEASURE_AFTER_ASK = re.compile(r"((?:多少|几))[个项家人件所名位次种条]$")


@dataclass(frozen=True)
class Turn:
    """An earlier turn as the caller keeps it: what was asked, what was answered, and
    (when the caller has it) the document its first citation came from."""

    question: str
    answer: str | None = None
    doc_id: str | None = None


@dataclass(frozen=True)
class Understood:
    question: str  # the standalone question answered
    carried: tuple[str, ...] = ()  # slots taken from the context: document, year, subject, ask
    doc_ids: tuple[str, ...] = ()  # the previous turn's document, to search first
    follow_up: bool = False
    # What the follow-up put in place of the previous subject (高新技术企业 of 高新技术企业呢):
    # an answer whose passage does not say it answers the previous subject, not this one.
    must_say: str = ""
    # A year swap without the document the context supplied: asked when that document
    # holds no answer (2025年呢 of a plan whose horizon is 2026 may be in another plan).
    elsewhere: str = ""


@dataclass(frozen=True)
class Frame:
    """A standalone question cut into its slots, as typed: 《document》里 + 到2025年 +
    subject + what is asked."""

    document: str = ""
    year: str = ""
    subject: str = ""
    ask: str = ""
    doc_ids: tuple[str, ...] = field(default=())

    def text(self) -> str:
        return f"{self.document}{self.year}{self.subject}{self.ask}"


@cache
def _tagger() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


def _clean(text: str) -> str:
    """The text as typed (its script and case kept, so `understood_as` reads as the asker
    wrote it), without 那 / 请问 before it and punctuation after it. Every rule below
    matches on `fold_aligned` of a text, whose offsets are the text's own."""
    text = unicodedata.normalize("NFKC", strip_invisible(text)).strip()
    opener = _OPENERS.match(fold_aligned(text))
    text = text[opener.end() :] if opener else text
    closer = _CLOSERS.search(fold_aligned(text))
    return text[: closer.start()] if closer else text


def _remove(text: str, part: str) -> str:
    return text.replace(part, "", 1) if part else text


def _year_phrase(text: str) -> str:
    """The year the text asks about, with 到 / 年底 around it, as the text says it."""
    aligned = fold_aligned(text)
    found = _YEAR_PHRASE.search(aligned) if YEAR.search(aligned) else None
    return text[found.start() : found.end()] if found else ""


class Resolver:
    """Reads follow-ups against one index snapshot's document names (qa/query.py's
    `names_by_document`) and its document lookup for a cited id."""

    def __init__(
        self, names: Mapping[str, Sequence[str]], documents_named: Callable[[str], Sequence[str]]
    ) -> None:
        self.ids_by_name = DocumentNames.of(names).documents_of
        # Longest first, so 科技振兴行动计划 is found before 行动计划.
        self.names = sorted(self.ids_by_name, key=len, reverse=True)
        self.documents_named = documents_named

    def document_phrase(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The document the text names, as it says it (with 里 / 中 after it), and its ids."""
        aligned = fold_aligned(text)
        for name in self.names:
            at = aligned.find(name)
            if at >= 0:
                tail = re.match(r"(?:》)?(?:里面|里的|中的|里|中|上)?", aligned[at + len(name) :])
                start = at - 1 if at > 0 and aligned[at - 1] == "《" else at
                phrase = text[start : at + len(name) + (tail.end() if tail else 0)]
                return phrase, tuple(sorted(self.ids_by_name[name]))
        return "", ()

    def named_and_dated(self, text: str) -> tuple[str, tuple[str, ...], str, str]:
        """The document the text names (and its ids), its year phrase, and the rest."""
        document, doc_ids = self.document_phrase(text)
        rest = _remove(text, document)
        year = _year_phrase(rest)
        return document, doc_ids, year, _remove(rest, year)

    def frame(self, text: str) -> Frame:
        document, doc_ids, year, rest = self.named_and_dated(_clean(text))
        subject, ask = split_ask(rest)
        return Frame(document, year, subject, ask, doc_ids)

    def understand(self, question: str, history: Sequence[Turn]) -> Understood:
        return self.understand_after(question, self.previous_frame(history), history)

    def understand_after(
        self, question: str, previous: Frame | None, history: Sequence[Turn]
    ) -> Understood:
        """`question` read against the frame of the turn before it (None: the first)."""
        text = strip_invisible(question).strip()
        if previous is None:
            return Understood(text)
        understood = self.follow(text, previous)
        if understood is None:
            return Understood(text)
        standalone, elsewhere = understood.question, understood.elsewhere
        if detect_script(text) == "traditional":
            standalone = traditional_matching(standalone)
            elsewhere = traditional_matching(elsewhere) if elsewhere else ""
        doc_ids = understood.doc_ids or self.cited(history[-1])
        return Understood(
            standalone, understood.carried, doc_ids, True, understood.must_say, elsewhere
        )

    def cited(self, turn: Turn) -> tuple[str, ...]:
        if turn.doc_id:
            return (turn.doc_id,)
        return tuple(self.documents_named(turn.answer or ""))

    def previous_frame(self, history: Sequence[Turn]) -> Frame | None:
        """The frame of the last turn, each turn understood against the one before it,
        oldest first: once each, so ten turns cost ten readings."""
        frame: Frame | None = None
        earlier: list[Turn] = []
        for turn in history[-MAX_TURNS:]:
            if not turn.question.strip():
                continue
            standalone = self.understand_after(turn.question, frame, earlier).question
            earlier.append(Turn(standalone, turn.answer, turn.doc_id))
            frame = self.frame(standalone)
        return frame

    def follow(self, text: str, previous: Frame) -> Understood | None:
        """The follow-up rewritten with the previous frame's slots, or None for a
        question that stands on its own."""
        text = _clean(text)
        aligned = fold_aligned(text)
        if not text:
            return None
        ellipsis = _ELLIPSIS.match(aligned)
        if ellipsis:
            return self.swap(text[: ellipsis.end(1)], previous)
        if _POINTER.search(aligned):
            return self.point_back(text, previous)
        if self.lacks_subject(text, previous):
            return self.complete(text, previous)
        return None

    def swap(self, said: str, previous: Frame) -> Understood:
        """X呢: X takes the place of the slot of its kind in the previous question."""
        document, doc_ids = self.document_phrase(said)
        aligned = fold_aligned(said)
        if document and len(said.replace(document, "")) <= 6:
            # Another document plans for other years: its own target is what is meant.
            frame = Frame(document, "", previous.subject, previous.ask, doc_ids)
            return Understood(frame.text(), _carried(previous, "subject", "ask"), doc_ids)
        year = _YEAR_PHRASE.fullmatch(aligned) if YEAR.search(aligned) else None
        if year:
            new_year = said if said.endswith("年") or "年" in said else f"{said}年"
            earlier = _year_of(new_year) < _year_of(previous.year)
            ask = previous.ask
            if earlier:  # 2020年呢 after a 2025 target: what was, not what is aimed at
                ask = _actual_ask(ask)
            elif not re.match(r"到|至|在|截", new_year) and previous.year.startswith("到"):
                new_year = "到" + new_year
            frame = Frame(previous.document, new_year, previous.subject, ask)
            # Another year may be another plan's: the same ask of every document, after.
            elsewhere = Frame("", new_year, previous.subject, ask).text() if frame.document else ""
            carried = _carried(previous, "document", "subject", "ask")
            return Understood(frame.text(), carried, elsewhere=elsewhere)
        if not ATTRIBUTES.sub("", aligned):  # 牵头单位呢, 配合单位呢, 印发日期呢
            frame = Frame(previous.document, previous.year, previous.subject, said)
            return Understood(frame.text(), _carried(previous, "document", "year", "subject"))
        ask = _MEASURE_AFTER_ASK.sub(r"\1", previous.ask)  # 750个 is no 多少人
        # 省部共建的呢: a modifier of the previous subject, not a subject of its own.
        subject = said + previous.subject if said.endswith("的") else said
        frame = Frame(previous.document, previous.year, subject, ask)
        carried = _carried(previous, "document", "year", "ask")
        return Understood(frame.text(), carried, must_say=said.rstrip("的"))

    def point_back(self, text: str, previous: Frame) -> Understood:
        """这个由哪个部门牵头: the pointer stands for the previous subject (or, when that
        question was about the document itself, the document)."""
        referent = previous.subject or previous.document.rstrip("里裡中上的")
        aligned = fold_aligned(text)
        pointer = _POINTER.search(aligned)
        assert pointer is not None
        after = text[pointer.end() :]
        noun = _POINTED_NOUN.match(aligned[pointer.end() :])
        # 这个计划 of a subject ending in 计划 is the subject itself.
        if noun and fold_aligned(referent).strip('“”"').endswith(noun.group()):
            after = after[noun.end() :]
        body = f"{text[: pointer.start()]}{referent}{after}"
        carried = ["subject"] if previous.subject else ["document"]
        document, _ = self.document_phrase(body)
        if not document and previous.document and previous.subject:
            body = previous.document + body
            carried.append("document")
        other_document = document and document != previous.document
        if previous.year and not other_document and not YEAR.search(body) and _asks_quantity(body):
            body = _with_year(body, previous.year, referent)
            carried.append("year")
        return Understood(body, tuple(carried))

    def lacks_subject(self, text: str, previous: Frame) -> bool:
        """要达到多少 / 具体有哪些措施 / 行动计划里是怎么要求的: nothing but asking words,
        a year or a document, or only words the previous question said. A question
        about a document it names (科技振兴行动计划是哪天印发的) stands alone."""
        document, _ = self.document_phrase(text)
        if document and classify(fold(text)).is_meta:
            return False
        rest = fold_aligned(_remove(_remove(text, document), _year_phrase(text)))
        own = ATTRIBUTES.sub("", rest)
        if not own:
            return True
        said = fold_aligned(previous.text())
        return len(text) <= SHORT_FOLLOW_UP and all(w in said for w in words_of(own))

    def complete(self, text: str, previous: Frame) -> Understood:
        """The previous subject (and its document and year) put before the follow-up."""
        document, doc_ids, year, rest = self.named_and_dated(text)
        # A subject that was itself only asking words (印发日期) is none to carry.
        subject = previous.subject if ATTRIBUTES.sub("", fold_aligned(previous.subject)) else ""
        carried = ["subject"] if subject else []
        # Another document plans for other years: no year is carried into it.
        same_document = not document or document == previous.document
        if not document and previous.document:
            document, doc_ids = previous.document, ()
            carried.append("document")
        if not year and previous.year and same_document and _asks_quantity(rest):
            year = previous.year
            carried.append("year")
        frame = Frame(document, year, subject, rest)
        # A year of its own may be another plan's: asked of every document after.
        elsewhere = ""
        if "document" in carried and year and year != previous.year:
            elsewhere = Frame("", year, subject, rest).text()
        return Understood(frame.text(), tuple(carried), doc_ids, elsewhere=elsewhere)


def split_ask(text: str) -> tuple[str, str]:
    """Subject and what is asked: the ask starts at the verbs and prepositions leading
    to the first interrogative (要达到多少, 由哪个部门牵头, 目标是多少)."""
    pairs = list(_tagger().cut(fold_aligned(text)))
    ask_at = next((i for i, p in enumerate(pairs) if _INTERROGATIVE.match(p.word)), None)
    # …的配合单位是？ asks without an interrogative: the ask is what closes it.
    start = len(pairs) if ask_at is None else ask_at
    while start > 0 and (
        pairs[start - 1].flag in _ASK_LEAD_TAGS
        or _ASK_NOUNS.match(pairs[start - 1].word)
        or _TARGET_WORDS.fullmatch(pairs[start - 1].word)
    ):
        start -= 1
    verbs_only = all(p.flag.startswith(("v", "d", "p")) for p in pairs[:start])
    if verbs_only and ask_at is not None:  # 要突破多少项关键核心技术: the subject follows
        return _subject_after(text, pairs, ask_at)
    offset = sum(len(p.word) for p in pairs[:start])
    subject, ask = text[:offset], text[offset:]
    if subject.endswith("的"):
        subject, ask = subject[:-1], "的" + ask
    return subject, ask


def _subject_after(text: str, pairs: Sequence[jieba.posseg.pair], ask_at: int) -> tuple[str, str]:
    """What follows the interrogative and its measure word, as the subject: the object
    of a question that opens with its verb (建设多少个 中试熟化基地)."""
    at = ask_at + 1
    while at < len(pairs) and (pairs[at].flag.startswith(("m", "q")) or len(pairs[at].word) == 1):
        at += 1
    end = len(pairs)
    offsets = [0]
    for pair in pairs:
        offsets.append(offsets[-1] + len(pair.word))
    subject = text[offsets[at] : offsets[end]]
    if not ATTRIBUTES.sub("", fold_aligned(subject)):  # 哪天印发: no subject at all
        return "", text
    return subject, text[: offsets[at]] + text[offsets[end] :]


def words_of(text: str) -> list[str]:
    """jieba's words of two characters or more: what a text must say to say `text`."""
    return [w for w in jieba.lcut(text) if len(w) >= 2]


def _asks_quantity(text: str) -> bool:
    return bool(re.search(r"多少|几|达到|突破|目标", text))


def _with_year(body: str, year: str, referent: str) -> str:
    """The year put where a question says it, before its subject."""
    at = body.find(referent)
    return body[:at] + year + body[at:] if at >= 0 else year + body


_TARGET_WORDS = re.compile(r"(?:的)?(?:预期)?目标值?|要|需要|将|力争|计划|达到|突破|增长到|提高到")


def _year_of(phrase: str) -> int:
    found = YEAR.search(fold_aligned(phrase))
    return int(found.group(1)) if found else 0


def _actual_ask(ask: str) -> str:
    """目标是多少 / 要达到多少家 asked of a past year: 是多少 / 是多少家."""
    plain = _TARGET_WORDS.sub("", ask)
    if plain == ask:
        return ask
    return plain if plain.startswith(("是", "为", "有")) else "是" + plain


def _carried(previous: Frame, *slots: str) -> tuple[str, ...]:
    """The slots, of document / year / subject / ask, the previous frame has."""
    return tuple(s for s in slots if getattr(previous, s))


__all__ = [
    "ANSWER_CHARS",
    "MAX_TURNS",
    "Frame",
    "Resolver",
    "Turn",
    "Understood",
    "split_ask",
    "words_of",
]
