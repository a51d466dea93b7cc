"""Refusing before extraction: questions the loaded documents cannot be about."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from corpus.models import Document
from index.backend import ScoredChunk
from qa.question import Question, years_in

# Provinces and municipalities other than 黑龙江: the documents say nothing about them.
_OTHER_REGIONS = re.compile(
    "北京|天津|河北|山西|内蒙古|辽宁|吉林|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|台湾|香港|澳门|全国各省"
)


class RefusalRules:
    """Built once per index snapshot: what its documents cover."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        # Years any document speaks of: a question about another year is not covered.
        self.corpus_years = {y for d in documents.values() for y in years_in(d.text)}

    def reason(self, question: Question, hits: Sequence[ScoredChunk]) -> str | None:
        if _OTHER_REGIONS.search(question.folded) and "黑龙江" not in question.folded:
            return "out_of_scope_region"
        if not hits:
            return "no_evidence"
        if question.years - self.corpus_years:
            return "year_not_covered"
        return None
