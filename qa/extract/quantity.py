"""Quantity-questions (多少, 比例, 达到): the figure, with its unit, whose own clause or
table row best matches the question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.models import Chunk
from corpus.normalize import fold, fold_compact
from qa.extract.passages import (
    Evidence,
    Extraction,
    best_in_clauses,
    clause_around,
    context_of,
    in_sentences,
    keyword_overlap,
    lead_to_item,
    listed_items,
)
from qa.extract.table import has_year_columns, in_table, row_unit
from qa.quantities import Bound, bare_figure, bound_wanted, bounds_stated, figures, unit_fits
from qa.query import official_words
from qa.question import YEAR, Question
from qa.refusal import about_the_excluded


def best_figure(
    sentence: str,
    keywords: Sequence[str],
    years: frozenset[str],
    unit: str | None = None,
    noun: str | None = None,
    given: Sequence[str] = (),
    bound: Bound | None = None,
    asked: str = "",
) -> str | None:
    """The figure, of the asked unit, in the clause that shares most keywords with the
    question; never one the question itself `given`. Of two figures, the one stated with
    the asked `bound` (最多不得超过四百毫升 for 最多) wins. A given figure is given whatever
    its qualifier: "超过500万元的…费率" is not answered "500万元以上". A clause about the
    group the question excludes (`asked`: "她不是特困人员") is passed over for the next one
    (其他申请人…不超过120元)."""
    bare_given = {fold_compact(bare_figure(g)): given_bounds(g) for g in given}

    def fitting(clause: str) -> list[tuple[int, int, float]]:
        stated = fold_compact(clause)
        if about_the_excluded(asked, stated):
            return []
        found = figures(clause, unit)
        # The clause holding a figure the question gives ("3-5级…", 超过500万元 as
        # 500万元以上) is the one it asks about.
        restated = any(
            bare_given.get(fold_compact(bare_figure(m.group())))
            == bounds_stated(clause, m.start(), m.end())
            for m in found
        )
        bonus = GIVEN_BONUS if restated or any(g in stated for g in given) else 0.0
        spans = [
            (m.start(), m.end())
            for m in found
            if fold_compact(bare_figure(m.group())) not in bare_given
            and not summing(clause, m.start(), unit)
        ]
        fits = [(s, e) for s, e in spans if unit_fits(clause[s:e].strip(), unit)]
        return [
            (s, e, own + bonus + (BOUND_BONUS if bound in bounds_stated(clause, s, e) else 0.0))
            for s, e, own in (counted(clause, *f, noun) for f in fits)
        ]

    return best_in_clauses(sentence, keywords, years, fitting)


def given_bounds(figure: str) -> set[Bound]:
    return bounds_stated(figure, 0, len(figure))


GIVEN_BONUS = 1.0  # as much as every keyword of the question stated
BOUND_BONUS = 0.3  # less than a clause's keywords: the bound picks among near equals


def summing(clause: str, start: int, unit: str | None) -> bool:
    """ "…赡养老人等6项": a count closing a list answers how many items, not how much."""
    return clause[start - 1 : start] == "等" and unit is None


# The noun a count question counts, when it ends its phrase: "几个方面的工作", "多少个城市？"
COUNTED_NOUN = re.compile(
    r"(?:几|多少)(?:个|项|家|所|条|名|类|批|种)([\u4e00-\u9fff]{2,4}?)(?=的|是|[？?，,。]|$)"
)
NOUN_BONUS = 0.3


def counted_noun(folded_question: str) -> str | None:
    """ "几个方面" counts 方面, "多少个城市" counts 城市."""
    match = COUNTED_NOUN.search(folded_question)
    return match.group(1) if match else None


def counted(clause: str, start: int, end: int, noun: str | None) -> tuple[int, int, float]:
    """A figure counting the asked noun ("4个方面") wins, the noun kept in the answer."""
    if noun and fold(clause[end : end + len(noun)]) == noun:
        return start, end + len(noun), NOUN_BONUS
    return start, end, 0.0


def measures_only(chunk: Chunk) -> bool:
    """A row whose figures stand in cells of their own, with no unit beside them."""
    return chunk.table is not None and not figures(chunk.text) and len(chunk.table.header) > 1


def mentions_year(chunk: Chunk, years: frozenset[str], title: str = "") -> bool:
    """The passage, its section or its document's title (宜春市2022年…统计公报 speaks of
    2022 throughout) names an asked year."""
    if not years:
        return True
    text = fold(" ".join([chunk.text, chunk.context or "", chunk.section.display(), title]))
    return any(year in text for year in years)


def figure_in(question: Question, sentence: str) -> str | None:
    noun = counted_noun(question.folded)
    bound = bound_wanted(question.folded)
    return best_figure(
        sentence,
        question.keywords,
        question.years,
        question.unit,
        noun,
        question.figures,
        bound,
        asked=fold_compact(question.folded),
    )


def in_text(question: Question, chunk: Chunk, rank: int, title: str = "") -> Extraction | None:
    if not mentions_year(chunk, question.years, title):
        return None  # "到2025年…多少" is not answered by a passage with no year at all
    return in_sentences(question, chunk, rank, figure_in, title)


def extract(question: Question, evidence: Evidence) -> Extraction | None:
    """The figure whose own clause (or table row) best matches the question.

    On a tie running text wins: it carries the unit (500亿元) where a table cell
    holds the bare figure; then the better-ranked passage wins.
    """
    scored: list[tuple[float, int, int, Extraction]] = []
    keywords = question.keywords
    for rank, hit in evidence.usable:
        chunk = hit.chunk
        if chunk.table is not None and (has_year_columns(chunk) or measures_only(chunk)):
            found = in_table(question, chunk, rank)
            if found and unit_fits(found.answer + row_unit(chunk), question.unit):
                reading = (chunk.table.title or "") + chunk.table.reading()
                scored.append((keyword_overlap(keywords, reading), 1, rank, found))
            continue
        document = evidence.documents.get(chunk.doc_id)
        found = in_text(question, chunk, rank, document.meta.title if document else "")
        if found:
            clause = clause_around(found.sentence, found.answer)
            score = keyword_overlap(keywords, clause + chunk.section.innermost)
            scored.append((score, 0, rank, found))
        scored += in_list(question, evidence, chunk, rank)
    # Best first; a figure about something else gives way to the next one.
    ranked = sorted(scored, key=lambda item: (-item[0], item[1], item[2]))
    return next(
        (
            f
            for *_, f in ranked
            if not about_something_else(question, evidence, f)
            and not reported_for_target(question, evidence, f)
        ),
        None,
    )


def in_list(
    question: Question, evidence: Evidence, chunk: Chunk, rank: int
) -> list[tuple[float, int, int, Extraction]]:
    """The figure a list's lead gives its items ("一次记12分：（一）饮酒后驾驶机动车的；"),
    for the items stating the question, scored by the item with its lead. An item with a
    figure of its own is read as running text."""
    scored = []
    for listed in listed_items(chunk, evidence.section_chunks(chunk)):
        answer = figure_in(question, listed.lead)
        if answer is None or figure_in(question, listed.item) is not None:
            continue
        said = listed.item + listed.lead + chunk.section.innermost
        own = None if listed.lead_chunk is chunk else listed.lead_chunk
        found = Extraction(answer, lead_to_item(listed), rank, own)
        scored.append((keyword_overlap(question.keywords, said), 0, rank, found))
    return scored


ASKS_TARGET = re.compile(r"目标|预期|力争|要达到|要求达到")
# How a plan states what is to be reached: a target year, a verb of reaching, a goal's name.
STATES_TARGET = re.compile(
    r"目标|预期|力争|(?:到|至)(?:19|20)\d\d年|达到|突破|控制在|确保|争取|计划|规划|以上|不低于|不少于"
)


def reported_for_target(question: Question, evidence: Evidence, found: Extraction) -> bool:
    """A target is asked (…的目标是多少) and the figure's sentence, section and table
    header state none: a figure reported as reached (细颗粒物年均浓度32微克/立方米) is not
    the target a plan sets."""
    if not ASKS_TARGET.search(question.folded):
        return False
    chunk = found.chunk or evidence.hits[found.hit].chunk
    header = chunk.table.context() if chunk.table else ""
    said = fold(" ".join([found.sentence, chunk.section.display(), header]))
    return not STATES_TARGET.search(said)


MIN_STATED = 0.35  # share of the question's terms a figure's passage must state
# Words a question uses around an indicator without naming it: a passage need not say them.
GENERIC = re.compile(
    r"^(今年|明年|去年|提出|申请|达到|按照|期间|目标|实现|计划|工作|相关|有关|主要|重点)$"
)


def about_something_else(question: Question, evidence: Evidence, found: Extraction) -> bool:
    """The answering passage states few of the question's terms, and another retrieved
    passage states one it lacks: the figure belongs to something else (预算收入 where
    预算支出 was asked, a neighbouring indicator). Terms no passage states (a citizen's
    own wording) and the document's own name do not count; an official word guessed for
    a citizen's (攒 → 累计) counts where the passage states it, not where it does not.
    Measured on the development questions: below a third of the terms, such figures were
    wrong far more often than right."""
    chunk = found.chunk or evidence.hits[found.hit].chunk
    meta = evidence.documents[chunk.doc_id].meta
    names = fold_compact(" ".join([meta.title, *meta.aliases]))
    # A list item's figure stands in its lead's chunk: the item's own passage states too.
    read = {chunk, evidence.hits[found.hit].chunk}
    own = fold_compact(" ".join(context_of(c) for c in read))
    others = [fold_compact(context_of(h.chunk)) for h in evidence.hits if h.chunk not in read]
    guessed = official_words(question.text)
    terms = [
        k
        for k in question.keywords
        if not GENERIC.match(k)
        and not YEAR.search(k)
        and not any(p in k for p in question.places)
        and k not in names
    ]
    unstated = [k for k in terms if k not in own and k not in guessed]
    attested = [k for k in unstated if any(k in text for text in others)]
    return bool(attested) and len(unstated) > (1 - MIN_STATED) * len(terms)
