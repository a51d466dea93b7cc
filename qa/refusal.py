"""Refusing before extraction: questions the loaded documents cannot be about.

What is in scope is derived from the documents themselves (their regions, stored at
ingest, and the years they speak of), never from a list tuned to particular documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from corpus.models import Chunk, Document
from corpus.normalize import fold
from corpus.scope import with_scope
from index.backend import ScoredChunk
from qa.question import Question, years_in


class RefusalRules:
    """Built once per index snapshot: what its documents cover."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        # Years any document speaks of: a question about another year is not covered.
        self.corpus_years = {y for d in documents.values() for y in years_in(d.text)}
        # An index built before regions were stored: derive them now, the same way.
        metas = [with_scope(d).meta for d in documents.values()]
        self.home = {r for m in metas for r in m.regions}
        self.mentioned = {p for m in metas for p in m.places}

    def reason(self, question: Question, hits: Sequence[ScoredChunk]) -> str | None:
        asked = question.places
        if asked and not asked & self.mentioned:
            return "out_of_scope_region"  # no loaded document so much as names it
        if not hits:
            return "no_evidence"
        if question.years - self.corpus_years:
            return "year_not_covered"
        return None

    def passage_out_of_scope(self, question: Question, chunk: Chunk) -> bool:
        """A question about a region that no loaded document is the policy of (吉林's
        target, asked of a document that names 吉林 once as a partner) is answered only
        by a passage that itself names the region."""
        asked = question.places
        if not asked or asked & self.home:
            return False
        where = fold(" ".join([chunk.section.display(), chunk.context or "", chunk.text]))
        return not any(region in where for region in asked)
