"""Refusing before extraction: questions the loaded documents cannot be about.

What is in scope is derived from the documents themselves (their regions, stored at
ingest, and the years they speak of), never from a list tuned to particular documents.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from corpus.models import Chunk, Document
from corpus.normalize import fold, fold_compact
from corpus.scope import with_scope
from index.backend import ScoredChunk
from qa.question import Question, years_in

# Words that name the other side of an indicator: a figure for 收入 does not answer a
# question about 支出. Generic Chinese, not any document's vocabulary.
CONTRASTS: tuple[tuple[str, str], ...] = (
    ("收入", "支出"),
    ("进口", "出口"),
    ("城镇", "农村"),
    ("上升", "下降"),
    ("增加", "减少"),
    ("最高", "最低"),
    ("上限", "下限"),
    ("流入", "流出"),
    ("男性", "女性"),
    ("中等", "高等"),
    ("费", "罚款"),  # a fee asked (登记费) is not a fine stated
)
# Ⅲ级 folds to iii级.
_LEVEL = re.compile(r"([一二三四五六七八九十\d]+|(?<![a-z])[ivx]{1,4})(级|批|类|档|星)")


# "非在校学生的…", "她不是特困人员，…": who the question says it is not about.
# 非 only as a word's start (非本市户籍, 对非在校学生), not inside 非法 or 是非.
NEGATED = re.compile(
    r"(?:(?<![是并])不是|不属于|(?:(?<![\u4e00-\u9fff])|(?<=[对为是]))非)"
    r"([\u4e00-\u9fff]{2,8}?)(?=的|[，,。？?]|$)"
)


def negated_terms(asked: str) -> list[str]:
    return [m.group(1) for m in NEGATED.finditer(asked)]


def about_the_excluded(asked: str, said: str) -> bool:
    """The answer's clause is about the very group the question excludes: the 特困人员
    standard for a mother who is not one. A text that turns from the group to the others
    after naming it (特困人员…240元，其他申请人…120元) is about the others."""
    return any(
        term in said
        and f"非{term}" not in said
        and f"不是{term}" not in said
        and "其他" not in said[said.rfind(term) :]
        for term in negated_terms(asked)
    )


def contrasted(asked: str, said: str) -> bool:
    """The answer's clause speaks of the other side of what was asked (收入 for 支出), or
    of another level (三级 for 二级): it is about something else."""
    for a, b in CONTRASTS:
        for mine, other in ((a, b), (b, a)):
            if mine in asked and other not in asked and other in said and mine not in said:
                return True
    return other_level(asked, said)


def other_level(asked: str, said: str) -> bool:
    """The text names a level of the asked kind (Ⅰ级), and not the asked one (三级, Ⅲ级)."""
    levels = {m.group(0) for m in _LEVEL.finditer(asked)}
    kinds = {m.group(2) for m in _LEVEL.finditer(asked)}
    stated = {m.group(0) for m in _LEVEL.finditer(said) if m.group(2) in kinds}
    return bool(levels) and bool(stated) and not levels & stated


ONE_HOME_SHARE = 2 / 3  # of the documents naming their place, those naming the same one


def one_home(homes: Sequence[tuple[str, ...]]) -> bool:
    """Most documents that name the place they are the policy of name the same place."""
    placed = [h for h in homes if h]
    counts = Counter(r for h in placed for r in set(h))
    return bool(counts) and counts.most_common(1)[0][1] >= ONE_HOME_SHARE * len(placed)


class RefusalRules:
    """Built once per index snapshot: what its documents cover."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        # Years any document speaks of: a question about another year is not covered.
        self.corpus_years = {y for d in documents.values() for y in years_in(d.text)}
        # An index built before regions were stored: derive them now, the same way.
        metas = [with_scope(d).meta for d in documents.values()]
        self.home = {r for m in metas for r in m.regions}
        self.mentioned = {p for m in metas for p in m.places}
        self.homes = {m.doc_id: m.regions for m in metas}
        self.homeless = {d for d, regions in self.homes.items() if not regions}
        self.one_government = one_home([m.regions for m in metas])

    def placeless_entry(self, chunk: Chunk) -> bool:
        """A knowledge-base entry that names no place, in a corpus that is one government's
        (most documents that name their place name the same): a city's service answers
        seldom name their city, and a district a citizen names need not appear anywhere.
        In a corpus of many places' entries, one naming none may be any place's."""
        return self.one_government and chunk.section.in_entry and chunk.doc_id in self.homeless

    def reason(self, question: Question, hits: Sequence[ScoredChunk]) -> str | None:
        asked = question.places
        if (
            asked
            and not asked & self.mentioned
            and not (hits and self.placeless_entry(hits[0].chunk))
        ):
            return "out_of_scope_region"  # no loaded document so much as names it
        if not hits:
            return "no_evidence"
        if question.years - self.corpus_years:
            return "year_not_covered"
        return None

    def about_other_side(
        self, question: Question, clause: str, where: str = "", heading: str = ""
    ) -> bool:
        """The answer's clause is about the other side (收入 for 支出), its sentence or
        section about another level (国家级（Ⅰ级）响应 for 三级（Ⅲ级）), or its clause or
        heading about the group the question excludes (非在校学生)."""
        asked = fold_compact(question.folded)
        said = fold_compact(clause)
        return (
            contrasted(asked, said)
            or other_level(asked, fold_compact(where))
            or about_the_excluded(asked, said + fold_compact(heading))
        )

    def passage_out_of_scope(self, question: Question, chunk: Chunk) -> bool:
        """A question about a region that no loaded document is the policy of (吉林's
        target, asked of a document that names 吉林 once as a partner) is answered only
        by a passage that itself names the region. A knowledge-base entry answers for the
        place of its own document, or for the place it names: in a corpus of many
        places' service answers, 施甸's question is not answered by 揭阳's entry."""
        asked = question.places
        if not asked or self.placeless_entry(chunk):
            return False
        if chunk.section.in_entry:
            if asked & set(self.homes.get(chunk.doc_id, ())):
                return False
        elif asked & self.home:
            return False
        where = fold(" ".join([chunk.section.display(), chunk.context or "", chunk.text]))
        return not any(region in where for region in asked)
