"""How-to, materials, conditions and yes/no questions (怎么办, 要什么材料, 能不能): the
source's own steps, list or verdict, as a verbatim excerpt of the passage, aligned to
its sentences and lines and at most MAX_EXCERPT characters.

A citizen asking how to do something needs the steps as the guide writes them, not one
clause of them; one asking for materials needs the whole list. The excerpt starts at the
piece (a sentence, or a line of a list) that leads what is asked, and runs on while the
list does, into the next passages of the same section when the list goes on there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus.chunking import sentence_spans
from corpus.models import Chunk
from corpus.normalize import fold_compact
from qa.extract.passages import (
    LIST_ITEM,
    MIN_OVERLAP,
    Evidence,
    Extraction,
    asked_share,
    beyond_title,
    content_pairs,
    context_of,
    cover,
    is_grounded,
    is_lead,
    keyword_overlap,
)
from qa.extract.what import VERDICT
from qa.question import ExcerptKind, Question

MAX_EXCERPT = 400
TRIES = 3  # usable passages, best first, an excerpt may come from
# A passage answers "是否…" with its verdict and the reason after it; more is another
# matter.
PASSAGE_SENTENCES = 2
SHORT_VERDICT = 8  # characters of a sentence that is only a verdict: 答：可以。
PROSE_STEPS = 3  # sentences of steps written as prose, not as a numbered list
# What the piece leading an answer of each kind says: a materials or conditions list
# names what it lists; steps name the procedure or its first action.
LEADS: dict[ExcerptKind, re.Pattern[str]] = {
    "list": re.compile(r"材料|资料|证件|证明|提供|提交|携带|条件|资格|符合|对象|范围|情形"),
    "steps": re.compile(r"流程|步骤|程序|方式|途径|渠道|办理|申请|登录|前往|通过|提交|第一步"),
    "passage": VERDICT,
}
BARE_VERDICT = re.compile(r"(?:可以|能|是的?|否|不行|行|需要|无需|不用|没有|有)[。！!，,]?$")
ANSWER_LABEL = re.compile(r"^\s*(?:答|A)\s*[:：]\s*")
ASKED_LINE = re.compile(r"^\s*(?:问|Q)\s*[:：]|[？?]\s*$")


@dataclass(frozen=True)
class Piece:
    start: int  # offsets into the passage's text
    end: int
    text: str

    @property
    def item(self) -> bool:
        return bool(LIST_ITEM.match(self.text))


def pieces_of(text: str) -> list[Piece]:
    """The passage's sentences, each line of a list apart: a list without full stops
    ("1.身份证\\n2.户口簿") is one line per item."""
    pieces = []
    at = 0
    for line in text.split("\n"):
        # An item is its whole line: "3.上传材料，提交审核。审核通过后即可缴费。"
        whole = [(0, len(line))] if LIST_ITEM.match(line) and line.strip() else None
        for s, e in whole or sentence_spans(line, (0, len(line)), 10_000):
            pieces.append(Piece(at + s, at + e, line[s:e]))
        at += len(line) + 1
    return pieces


def extract(
    question: Question, evidence: Evidence, holding: Extraction | None = None
) -> Extraction | None:
    """The best excerpt answering `question`. Where a reader of short answers found one
    (`holding`), only an excerpt holding it is taken, so the excerpt says what that
    answer said; without one, only an excerpt placed or led well enough (STRONG)."""
    kind = question.asks
    if kind is None:
        return None
    candidates = [
        (rank, hit.chunk)
        for rank, hit in enumerate(evidence.hits[:TRIES])
        if about(question, hit.chunk, evidence)
    ]
    if candidates:
        rank, best = candidates[0]
        candidates += [(rank, c) for c in same_answer(best, evidence)]
    found: tuple[float, Extraction] | None = None
    # A sibling may also be a retrieved candidate: its excerpt is read once, and only the
    # rank it is tried at differs.
    reads: dict[str, tuple[bool, Read | None]] = {}
    for rank, chunk in candidates:
        if chunk.chunk_id not in reads:
            under = headed(chunk, kind)
            reads[chunk.chunk_id] = (under, excerpt_of(question, kind, chunk, evidence, under))
        under, read = reads[chunk.chunk_id]
        if read is None:
            continue
        text, sentence, passage, said = read
        if holding is not None and not is_grounded(holding.answer, text):
            continue
        score = said - RANK_COST * rank + placed(question, chunk, under)
        if found is None or score > found[0]:
            cited = passage or (chunk if chunk != evidence.hits[rank].chunk else None)
            found = (score, Extraction(text, sentence, rank, cited, kind, holding))
    if found is None or (holding is None and found[0] < STRONG):
        return None
    return found[1]


STRONG = 1.0  # an excerpt no short answer vouches for: under its heading, or well led
RANK_COST = 0.05  # what a passage's lower rank costs beside what it says
HEADED = 2.0  # a passage under its heading beats any sentence merely saying the words
HEADINGS: dict[ExcerptKind, re.Pattern[str]] = {
    "list": re.compile(r"材料|资料|证件|条件|资格|对象|范围|情形"),
    "steps": re.compile(r"流程|步骤|程序|方式|途径|渠道"),
}


def headed(chunk: Chunk, kind: ExcerptKind) -> bool:
    """The passage stands under a heading naming what is asked: 一、申请材料, 办理流程."""
    pattern = HEADINGS.get(kind)
    inner = chunk.section.innermost
    return bool(pattern and inner != chunk.section.asked and pattern.search(inner))


def placed(question: Question, chunk: Chunk, under_heading: bool) -> float:
    """Credit for where a passage stands: under a heading naming what is asked (二、办理
    流程), or as the answer to a Q&A question that asks much the same."""
    if under_heading:
        return HEADED
    asked = chunk.section.asked
    if asked and asked == chunk.section.innermost:
        return cover(content_pairs(question.text), asked)
    return 0.0


ENTRY_PASSAGES = 12  # a document of so few passages answers one thing (a hotline entry)


def same_answer(chunk: Chunk, evidence: Evidence) -> list[Chunk]:
    """The other passages of the answer `chunk` belongs to: of its knowledge-base entry
    or Q&A pair; of its whole document when that is short."""
    everything = evidence.document_chunks(chunk.doc_id)
    root = chunk.section.root_question
    if root:
        return [c for c in everything if c != chunk and c.section.root_question == root]
    return [c for c in everything if c != chunk] if len(everything) <= ENTRY_PASSAGES else []


# (excerpt, its leading sentence, the passage holding it when that is not the one read,
# how much of the question and of what is asked that sentence says)
Read = tuple[str, str, Chunk | None, float]


def excerpt_of(
    question: Question, kind: ExcerptKind, chunk: Chunk, evidence: Evidence, under_heading: bool
) -> Read | None:
    """The excerpt of `chunk` answering `question`; `under_heading`: `headed(chunk, kind)`."""
    pieces = [p for p in pieces_of(chunk.text) if not restates_question(question, p.text)]
    if not pieces:
        return None
    keywords = beyond_title(question.keywords, evidence.documents.get(chunk.doc_id))
    led = lead_piece(pieces, kind, keywords, under_heading)
    if led is None:
        return None
    lead, said = led
    # Under its heading (申报材料), the passage is the answer as far as it goes.
    end = len(pieces) - 1 if under_heading else excerpt_end(pieces, lead, kind)
    start = pieces[lead].start + leading_label(pieces[lead].text)
    passage = continued(chunk, pieces[end].end, evidence) if kind != "passage" else None
    stop = passage_end(passage, start, pieces[end].end) if passage else pieces[end].end
    text = within_limit((passage or chunk).text[start:stop].strip())
    return (text, pieces[lead].text, passage, said) if text else None


SENTENCE_END = re.compile(r"[。；;！!？?\n]")


def within_limit(text: str) -> str:
    """At most MAX_EXCERPT characters, cut after the last sentence ending inside them."""
    if len(text) <= MAX_EXCERPT:
        return text
    ends = [m.end() for m in SENTENCE_END.finditer(text, 0, MAX_EXCERPT)]
    return text[: ends[-1]].strip() if ends else text[:MAX_EXCERPT]


def about(question: Question, chunk: Chunk, evidence: Evidence) -> bool:
    """The passage, read with its headings and its document's title, says enough of the
    question's words. A knowledge-base entry names its topic once, in its title or its
    first line, and its later passages (申请材料, 办理流程) are about it all the same; a
    word the passage says only in part (出生 of 刚出生) counts half."""
    document = evidence.documents.get(chunk.doc_id)
    title = document.meta.title if document else ""
    said = fold_compact(" ".join([title, context_of(chunk)]))
    keywords = question.keywords
    if not keywords or not all(n in said for n in question.named):
        return False
    held = sum(1.0 if k in said else 0.5 * in_part(k, said) for k in keywords)
    return held / len(keywords) >= MIN_OVERLAP


def in_part(keyword: str, said: str) -> bool:
    return len(keyword) >= 3 and any(keyword[i : i + 2] in said for i in range(len(keyword) - 1))


def restates_question(question: Question, piece: str) -> bool:
    """The entry's own question line ("如何办理…？", "问：…") answers nothing."""
    return bool(ASKED_LINE.search(piece)) and asked_share(piece, fold_compact(question.text)) > 0.3


def leading_label(piece: str) -> int:
    label = ANSWER_LABEL.match(piece)
    return label.end() if label else 0


def lead_piece(
    pieces: list[Piece], kind: ExcerptKind, keywords: Sequence[str], headed: bool
) -> tuple[int, float] | None:
    """The piece the answer starts at: the first of a passage under a heading naming
    what is asked (一、申请材料); else the one saying most of the question and of what
    leads such an answer; None when no piece says either. With the piece, its score."""
    best: tuple[float, int] | None = None
    for i, piece in enumerate(pieces):
        leads = bool(LEADS[kind].search(piece.text))
        said = keyword_overlap(keywords, piece.text)
        # A passage's verdict must say the question's words, and so must a lead
        # anywhere but under its heading.
        if not (said and (leads or kind != "passage")):
            continue
        score = said + (0.5 if leads else 0.0)
        if kind != "passage" and is_lead(piece.text):
            score += 0.25
        if best is None or score > best[0]:
            best = (score, i)
    if headed:
        best = (best[0] if best else 0.0, 0)
    if best is None:
        return None
    at = best[1]
    # Inside a list, the answer starts at the line leading it, or at its first item.
    while (
        kind != "passage"
        and at > 0
        and pieces[at].item
        and (pieces[at - 1].item or is_lead(pieces[at - 1].text))
    ):
        at -= 1
    # A short verdict before it ("答：可以。", "不可以。") opens the answer.
    before = pieces[at - 1].text if at > 0 else ""
    if kind == "passage" and len(before) <= SHORT_VERDICT and BARE_VERDICT.search(before):
        at -= 1
    return at, best[0]


def excerpt_end(pieces: list[Piece], lead: int, kind: ExcerptKind) -> int:
    """The last piece of the excerpt: for a list or steps, while the list goes on; for a
    passage, the verdict and its reason."""
    limit = pieces[lead].start + MAX_EXCERPT
    end = lead
    listed = pieces[lead].item  # an item among the pieces taken so far
    for i in range(lead + 1, len(pieces)):
        if pieces[i].end > limit:
            break
        if kind == "passage" and (i - lead >= PASSAGE_SENTENCES or is_lead(pieces[i].text)):
            break
        if kind != "passage" and not (
            pieces[i].item
            or is_lead(pieces[end].text)
            or (not listed and i - lead < PROSE_STEPS)  # steps told in sentences
        ):
            break
        end = i
        listed = listed or pieces[i].item
    return end


def continued(chunk: Chunk, end: int, evidence: Evidence) -> Chunk | None:
    """`chunk` joined with the next passages of its section while the list runs on into
    them ("1.…；2.…" cut by the chunker), or None when it ends in `chunk`."""
    if end < len(chunk.text.rstrip()):
        return None
    section = evidence.section_chunks(chunk)
    later = [c for c in section if c.start >= chunk.end]
    document = evidence.documents.get(chunk.doc_id)
    if not later or document is None or not LIST_ITEM.match(later[0].text):
        return None
    stop = later[0].end
    for nxt in later[1:]:
        if nxt.end - chunk.start > MAX_EXCERPT * 2 or not LIST_ITEM.match(nxt.text):
            break
        stop = nxt.end
    return replace(chunk, text=document.text[chunk.start : stop], end=stop, table=None)


def passage_end(passage: Chunk, start: int, first_end: int) -> int:
    """Where an excerpt running on into the next passages stops: at the end of the last
    list line that keeps it within MAX_EXCERPT."""
    stop = first_end
    for piece in pieces_of(passage.text):
        if piece.start < first_end:
            continue
        if piece.end - start > MAX_EXCERPT or not piece.item:
            break
        stop = piece.end
    return stop
