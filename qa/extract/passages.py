"""What every extractor shares: the passages a question retrieved, reading them by
sentence, and the extraction they return.

Every rule returns a span of a passage's own text, so an answer is grounded by
construction; `is_grounded` checks it again before anything is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from corpus.chunking import sentence_spans
from corpus.models import Chunk, Document
from corpus.normalize import fold, fold_aligned, fold_compact
from index.backend import ScoredChunk
from qa.question import ASKING_WORDS, YEAR, ExcerptKind, Question, stated_years

MAX_ANSWER = 80
MIN_OVERLAP = 0.34  # share of the question's keywords the answering passage must hold
# A clause ends at a mark; an ASCII comma or colon between digits (1,200万元, the ratio
# 8.7:48.5:42.8) is part of a figure. A line break between words ends one too (法定办结时限：
# 20个工作日 / 承诺办结时限：10个工作日), but not one after a figure (PDF text: "1000\n部").
CLAUSE_SPLIT = re.compile(r"[，；;：。！？]|(?<=[^\d\s])\n(?=\S)|(?<!\d)[,:]|[,:](?!\d)")


@dataclass(frozen=True)
class Extraction:
    answer: str  # verbatim span of the passage
    sentence: str  # verbatim sentence of the passage holding the answer
    hit: int  # index of the retrieved passage it came from
    chunk: Chunk | None = None  # the passage, when it is not the retrieved one itself
    kind: ExcerptKind | None = None  # an excerpt's kind; None for a short answer
    within: Extraction | None = None  # the short answer an excerpt holds, if one was read


@dataclass(frozen=True)
class Evidence:
    """The retrieved passages, best first, and what an extractor may look up beside them."""

    question: Question
    hits: Sequence[ScoredChunk]
    documents: Mapping[str, Document]
    section_chunks: Callable[[Chunk], list[Chunk]]  # a chunk's section, in document order
    # A document's chunks, in order: metadata questions look there when no hit states it.
    document_chunks: Callable[[str], Sequence[Chunk]] = lambda doc_id: ()

    @cached_property
    def usable(self) -> list[tuple[int, ScoredChunk]]:
        """(rank, hit) of the passages that match the question enough; computed only for
        the kinds that read passages' wording (metadata questions do not)."""
        return usable_hits(self.question, self.hits, self.documents)

    @cached_property
    def ranked(self) -> list[Candidate]:
        """`ranked_sentences` of the question, computed once for the extractor and the
        verifier alike."""
        return ranked_sentences(self.question, self)


def context_of(chunk: Chunk) -> str:
    return " ".join([chunk.section.heading_words(), chunk.context or "", chunk.text])


def usable_hits(
    question: Question, hits: Sequence[ScoredChunk], documents: Mapping[str, Document]
) -> list[tuple[int, ScoredChunk]]:
    """Passages sharing enough of the question's keywords and naming what it quotes.
    Keywords of the passage's document name (宜春市, 2022年 of 宜春市2022年…公报) are
    said by every passage of it: they tell none apart, and the share counts the others.
    A knowledge-base entry's title is the question its answer answers, which tells it
    from its sibling entries: its keywords count there; the places a citizen names are not its words
    (whether an entry may answer for a place is the refusal rules' to say)."""
    usable = []
    unplaced = [k for k in question.keywords if not any(p in k or k in p for p in question.places)]
    for rank, hit in enumerate(hits):
        context = fold_compact(context_of(hit.chunk))
        own = (
            unplaced or question.keywords
            if hit.chunk.section.entry_answer
            else beyond_title(question.keywords, documents.get(hit.chunk.doc_id))
        )
        if keyword_overlap(own, context) < MIN_OVERLAP:
            continue
        if all(n in context for n in question.named):
            usable.append((rank, hit))
    return usable


# Spans a reader finds in one clause: (start, end) offsets into the clause, and what the
# reader adds to a span's score (0 for none).
SpanFinder = Callable[[str], Iterable[tuple[int, int, float]]]
NEAR = 12  # characters either side of a span whose words tell what it is about


def best_in_clauses(
    sentence: str, keywords: Sequence[str], years: frozenset[str], find: SpanFinder
) -> str | None:
    """The span, of those `find` gives, in the clause that shares most keywords with the
    question (with the clause before it as context).

    A span right after the asked year ("增长到2020年的267.8亿元") beats one after
    another year in the same clause.
    """
    best: tuple[float, str] | None = None
    clauses = [c for c in CLAUSE_SPLIT.split(sentence) if c]
    for position, clause in enumerate(clauses):
        context = clause if position == 0 else clauses[position - 1] + clause
        score = keyword_overlap(keywords, context) + keyword_overlap(keywords, clause)
        for start, end, own in find(clause):
            lead_years = set(YEAR.findall(clause[max(0, start - 8) : start]))
            bonus = own + ((0.5 if lead_years & years else -0.5) if lead_years else 0.0)
            bonus += 0.1 * beside(clause, start, end, keywords)
            if best is None or score + bonus > best[0]:
                best = (score + bonus, clause[start:end].strip())
    return best[1] if best else None


def beside(clause: str, start: int, end: int, keywords: Sequence[str]) -> float:
    """Of two spans in one clause, the one beside the question's words; in a run of items
    (博士每人10000元、硕士每人7000元) only the span's own item, its label counting most."""
    lead = clause[max(0, start - NEAR, clause.rfind("、", 0, start) + 1) : start]
    tail = clause[end : end + NEAR].split("、", 1)[0]
    return keyword_overlap(keywords, lead) + 0.5 * keyword_overlap(keywords, tail)


def content_pairs(text: str) -> frozenset[str]:
    """A question's character pairs, its words of asking left out."""
    content = fold_compact(ASKING_WORDS.sub("", text))
    return frozenset(content[i : i + 2] for i in range(len(content) - 1))


def cover(pairs: frozenset[str], text: str) -> float:
    """Share of `pairs` the text holds."""
    if not pairs:
        return 0.0
    folded = fold_compact(text)
    return sum(1 for p in pairs if p in folded) / len(pairs)


def clause_around(sentence: str, answer: str) -> str:
    """The clause of `sentence` that holds `answer`, with the clause before it."""
    return clauses_around(sentence, answer)[0]


def clauses_around(sentence: str, answer: str) -> list[str]:
    """Every clause of `sentence` holding `answer` (5% may stand in two), each with the
    clause before it; the sentence itself when no clause holds it alone."""
    clauses = CLAUSE_SPLIT.split(sentence)
    found = [(clauses[i - 1] if i else "") + c for i, c in enumerate(clauses) if answer in c]
    return found or [sentence]


def asked_share(text: str, asked: str) -> float:
    """Share of the text's character pairs that the (folded, compact) question holds;
    0 for a text too short to have any."""
    folded = fold_compact(text)
    pairs = [folded[i : i + 2] for i in range(len(folded) - 1)]
    return sum(p in asked for p in pairs) / len(pairs) if pairs else 0.0


ECHO_SHARE = 0.9  # share of an answer's character pairs found in the question
# A heading's or a row's number before its words: （二）, 一、, 3., a serial cell.
LEADING_MARK = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,3}(?:[.、．]|\s))"
)


def echoes_question(question: Question, answer: str) -> bool:
    """An "answer" made of the question's own words (是否需要备案 → "房屋租赁登记备案",
    the heading "（二）总体思路" for 总体思路是什么) tells the asker nothing."""
    words = LEADING_MARK.sub("", answer)
    return asked_share(words, fold_compact(question.text)) >= ECHO_SHARE


def is_heading_echo(question: Question, answer: str) -> bool:
    return bool(LEADING_MARK.match(answer)) and echoes_question(question, answer)


def echoes_place(question: Question, answer: str, chunk: Chunk) -> bool:
    """The answer only says where the question's words stand: a heading or a row label."""
    return is_heading_echo(question, answer) or is_label_echo(question, answer, chunk)


LABEL_SHARE = 0.5  # share of a row label's character pairs the question must hold


def is_label_echo(question: Question, answer: str, chunk: Chunk) -> bool:
    """The answer is a table row's label cell (with its serial), the row the question
    names: "5	纳入我市医疗救助金资助范围的城乡居民" for a question about those residents.
    What is asked is in the row's other cells."""
    if chunk.table is None:
        return False
    label = chunk.table.label
    core = fold_compact(LEADING_MARK.sub("", answer))
    return (
        bool(label)
        and core == fold_compact(label)
        and (asked_share(label, fold_compact(question.text)) >= LABEL_SHARE)
    )


def is_grounded(answer: str, passage: str) -> bool:
    """The answer is in the passage, whatever its script, width or spacing. Phrase folding
    (文件 -> 文档) does not compose: a span cut inside a phrase ("件…") folds unlike the
    phrase it was cut from, so the character-by-character fold is checked as well."""
    if not answer:
        return False
    if fold_compact(answer) in fold_compact(passage):
        return True
    return "".join(fold_aligned(answer).split()) in "".join(fold_aligned(passage).split())


PARAGRAPH_CELL = 40  # characters: a cell this long is prose, not a label or a figure


def sentences_of(chunk: Chunk) -> list[str]:
    """A passage's sentences. A table row whose cells hold paragraphs (a list of tasks or
    indicators with their descriptions) is read paragraph by paragraph, so that no answer
    runs from one cell into the next; its short cells (a label and its figure) read as
    one line."""
    text = chunk.text
    spans = row_spans(chunk) if chunk.table is not None else [(0, len(text))]
    return [text[s:e] for span in spans for s, e in sentence_spans(text, span, 10_000)]


def row_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Spans of a row's text: each paragraph cell alone, each run of short cells together."""
    assert chunk.table is not None
    text, at = chunk.text, 0
    spans: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    for cell in chunk.table.cells:
        start = text.find(cell, at)
        if not cell.strip() or start < 0:
            continue
        at = start + len(cell)
        if len(cell) > PARAGRAPH_CELL:
            spans += [run] if run else []
            spans.append((start, at))
            run = None
        else:
            run = (run[0] if run else start, at)
    spans += [run] if run else []
    return spans or [(0, len(text))]


def keyword_overlap(keywords: Sequence[str], text: str) -> float:
    if not keywords:
        return 0.0
    folded = fold_compact(text)
    return sum(1 for k in keywords if k in folded) / len(keywords)


def sentence_fits_years(
    sentence: str, chunk: Chunk, years: frozenset[str], title: str = ""
) -> bool:
    """A sentence about another target year does not answer this one. A sentence naming
    no year speaks of its section's year, else of its document's (宜春市2022年…统计公报:
    its 全年粮食产量 is 2022's, not the 2023 a question asks about)."""
    if not years:
        return True
    own = stated_years(sentence)
    if chunk.table is not None:
        own |= {m.group(1) for m in YEAR.finditer(" ".join(chunk.table.header))}
    if not own:
        own = set(unstated_years(chunk.section.display(), title))
    return not own or bool(own & years)


@lru_cache(maxsize=4096)
def unstated_years(section: str, title: str) -> frozenset[str]:
    """The years a sentence naming none speaks of: its section's, else its document's.
    Cached: every sentence of a passage asks the same of one section and one title."""
    return frozenset(stated_years(section) or title_years(title))


YEAR_SPAN = re.compile(r"((?:19|20)\d\d)年?\s*[—\-–~～至到]+\s*((?:19|20)\d\d)")


def title_years(title: str) -> set[str]:
    """The years a document's title covers: its years, a span (2022—2026年) in full."""
    years = stated_years(title)
    for span in YEAR_SPAN.finditer(fold(title)):
        first, last = int(span.group(1)), int(span.group(2))
        if 0 < last - first <= 30:
            years |= {str(y) for y in range(first, last + 1)}
    return years


def sentence_with(chunk: Chunk, answer: str) -> str:
    """The sentence of `chunk` that holds `answer`; the whole passage if none does alone."""
    for sentence in sentences_of(chunk):
        if is_grounded(answer, sentence):
            return sentence
    return chunk.text


def verbatim(original: str, folded: str, span: str) -> str | None:
    """The original-script text of a span found in `fold_aligned(original)`."""
    start = folded.find(span)
    if start < 0:
        return None
    return original[start : start + len(span)].strip() or None


def first_found(candidates: Iterable[Extraction | None]) -> Extraction | None:
    return next((c for c in candidates if c is not None), None)


# A rule reading one sentence: (question, sentence) -> the answer span, if any.
SentenceRule = Callable[[Question, str], str | None]
# One pass over the ranked sentences: the rule, and whether it may try every sentence
# (a rule that is its own evidence) or only the few best (one that reads any sentence).
Pass = tuple[SentenceRule, bool]
LOOSE_TRIES = 5  # sentences, best first, a loose rule may answer from
RANK_COST = 0.03  # focus a sentence loses per place its passage ranks lower
HEADING_SHARE = 0.25  # weight of the section heading beside the sentence itself


def focus(keywords: Sequence[str], sentence: str, heading: str = "") -> float:
    """How much of the question a sentence states: its keywords found there, a longer
    (more specific) keyword weighing more, and a little credit for the section heading."""
    total = sum(len(k) for k in keywords)
    if not total:
        return 0.0
    said, above = fold_compact(sentence), fold_compact(heading)
    own = sum(len(k) for k in keywords if k in said)
    headed = sum(len(k) for k in keywords if k in above and k not in said)
    return (own + HEADING_SHARE * headed) / total


def own_names(document: Document | None) -> list[str]:
    """A document's title and aliases, folded and compact; none for an unknown document."""
    if document is None:
        return []
    return [fold_compact(n) for n in (document.meta.title, *document.meta.aliases)]


def beyond_title(keywords: Sequence[str], document: Document | None) -> Sequence[str]:
    """The keywords a passage's document name does not already hold: "《…条例》从哪天
    开始施行" is answered by the sentence saying 施行, not by one repeating the title."""
    names = own_names(document)
    rest = [k for k in keywords if not any(k in name for name in names)]
    return rest or keywords


def without_names(sentence: str, names: Sequence[str]) -> str:
    """The sentence (folded, compact) with its document's `own_names` taken out: the
    head of a notice repeats its title, which states every word of a question about it."""
    said = fold_compact(sentence)
    for name in names:
        if len(name) >= 4:
            said = said.replace(name, " ")
    return said


@dataclass(frozen=True)
class Candidate:
    focus: float
    rank: int  # of the passage among the retrieved
    chunk: Chunk
    sentence: str


def ranked_sentences(question: Question, evidence: Evidence) -> list[Candidate]:
    """Every sentence of every usable passage, the one stating most of the question
    first: the answer is in the best sentence, which need not be in the best passage."""
    found = []
    for rank, hit in evidence.usable:
        chunk = hit.chunk
        heading = chunk.section.heading_words()
        document = evidence.documents.get(chunk.doc_id)
        keywords = beyond_title(question.keywords, document)
        names = own_names(document)  # once per passage, not per sentence
        title = document.meta.title if document else ""
        for sentence in sentences_of(chunk):
            if sentence_fits_years(sentence, chunk, question.years, title):
                said = without_names(sentence, names)
                score = focus(keywords, said, heading) - RANK_COST * rank
                found.append(Candidate(score, rank, chunk, sentence))
    return sorted(found, key=lambda c: (-c.focus, c.rank))


def in_sentences(
    question: Question, chunk: Chunk, rank: int, rule: SentenceRule, title: str = ""
) -> Extraction | None:
    """The first sentence of `chunk`, best keyword match first, where `rule` finds an
    answer; `title` is its document's."""
    sentences = [
        s for s in sentences_of(chunk) if sentence_fits_years(s, chunk, question.years, title)
    ]

    # The asked year is checked apart (sentence_fits_years): among the fitting sentences
    # it only breaks ties, and the indicator's words decide ("2022年末，户籍人口…" does not
    # answer 2022年末常住人口 because it says the year).
    years = [k for k in question.keywords if YEAR.fullmatch(k)]
    words = [k for k in question.keywords if k not in years]

    condition = asked_condition(question.folded)

    def match(sentence: str) -> tuple[int, bool, float, float]:
        # The question's own figures (6万元以上) point at their sentence first, a longer
        # (more specific) figure more; then the sentence setting the question's condition.
        said = fold_compact(sentence)
        stated = sum(len(f) for f in question.figures if f in said)
        sets = bool(condition) and sets_condition(sentence, condition)
        return stated, sets, keyword_overlap(words, sentence), keyword_overlap(years, sentence)

    for sentence in sorted(sentences, key=match, reverse=True):
        answer = rule(question, sentence)
        if answer:
            return Extraction(answer, sentence, rank)
    return None


CONDITION_SHARE = 0.75  # share of a text's condition the question's own must hold


def asked_condition(folded: str) -> str:
    """The condition a question sets last before it asks, folded and compact: "…吸烟，被责令
    改正后仍拒不改正的，罚款多少" gives 被责令改正后仍拒不改正的; none gives ""."""
    clauses = [c for c in re.split(r"[，,；;]", folded.rstrip("？?。 ")) if c.strip()]
    last = fold_compact(clauses[-2]) if len(clauses) >= 2 else ""
    return last if len(last) >= 3 and last.endswith("的") else ""


def sets_condition(sentence: str, condition: str) -> bool:
    """The sentence states a condition (a clause ending in 的) made of the words of the
    question's: "拒不改正的，处两百元罚款" for 被责令改正后仍拒不改正的. The penalty or the
    benefit a question asks about follows the condition it names, not an earlier one."""
    return any(
        clause.endswith("的") and asked_share(clause, condition) >= CONDITION_SHARE
        for clause in (fold_compact(c) for c in CLAUSE_SPLIT.split(sentence))
    )


def first_answer(
    question: Question,
    evidence: Evidence,
    passes: Sequence[Pass],
    min_focus: float = 0.0,
    worded: bool = False,
) -> Extraction | None:
    """The usable passages' sentences, best focus first, read by each pass in turn: a
    stricter rule anywhere beats a looser one in the best sentence. A `worded` answer
    that is a heading restating the question ("（二）总体思路") gives way to the next
    one; other restatements are refused by the caller."""
    ranked = [c for c in evidence.ranked if c.focus >= min_focus]
    for rule, everywhere in passes:
        for c in ranked if everywhere else ranked[:LOOSE_TRIES]:
            answer = rule(question, c.sentence)
            if answer and not (worded and echoes_place(question, answer, c.chunk)):
                return Extraction(answer, c.sentence, c.rank, c.chunk)
    return None


# A list's item (（一）…；, 1. …) and the line leading it (…之一，一次记12分：): the lead
# states what each item gets, the item which case it is.
LIST_ITEM = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．](?!\d)|[一二三四五六七八九十]{1,3}、)"
)


def is_lead(sentence: str) -> bool:
    return sentence.rstrip().endswith(("：", ":"))


_AFTER_LEAD = re.compile(r"(?<=[：:])\s*(?=" + LIST_ITEM.pattern.removeprefix(r"^\s*") + ")")


def list_pieces(chunk: Chunk) -> list[str]:
    """The chunk's sentences, a lead cut from the first item it runs into
    ("…一次记6分：\n（一）驾驶校车…的；")."""
    return [
        piece.strip()
        for sentence in sentences_of(chunk)
        for piece in _AFTER_LEAD.split(sentence)
        if piece.strip()
    ]


@dataclass(frozen=True)
class ListedItem:
    item: str
    lead: str
    lead_chunk: Chunk  # the item's own chunk, or an earlier one of its section


def listed_items(chunk: Chunk, section: Sequence[Chunk]) -> list[ListedItem]:
    """The list items of `chunk` with the line leading them; a chunk opening mid-list
    takes its lead from the chunks of its `section` before it."""
    lead: tuple[str, Chunk] | None = None
    sentences = list_pieces(chunk)
    if sentences and LIST_ITEM.match(sentences[0]):
        lead = lead_before(chunk, section)
    found = []
    for sentence in sentences:
        if is_lead(sentence):
            lead = (sentence, chunk)
        elif LIST_ITEM.match(sentence) and lead is not None:
            found.append(ListedItem(sentence, *lead))
        else:
            lead = None
    return found


def lead_before(chunk: Chunk, section: Sequence[Chunk]) -> tuple[str, Chunk] | None:
    """The lead of the list still open where `chunk` begins."""
    lead: tuple[str, Chunk] | None = None
    for earlier in section:
        if earlier.start >= chunk.start:
            break
        for sentence in list_pieces(earlier):
            if is_lead(sentence):
                lead = (sentence, earlier)
            elif not LIST_ITEM.match(sentence):
                lead = None
    return lead


def lead_to_item(listed: ListedItem, longest: int = 200) -> str:
    """The text from the lead to its item, verbatim, when the lead's chunk holds both
    within `longest` characters; else the lead alone."""
    text = listed.lead_chunk.text
    start = text.find(listed.lead)
    end = text.find(listed.item, start)
    if start < 0 or end < 0 or end + len(listed.item) - start > longest:
        return listed.lead
    return text[start : end + len(listed.item)]
