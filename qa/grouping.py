"""Questions grouped by meaning with the bundled embedder, for the console's 未答问题.

Greedy and stable: the most asked question founds a group, and each next one joins the
first group whose founder it is close to. Cosine similarity with multilingual-e5-small
on citizens' questions (measured on 14 of them): rewordings of one ask 0.95–0.98, asks
about one topic 0.95–0.96, other topics 0.82–0.91; so a group is a topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.embedders import unit_rows
from qa.privacy import holds_mask
from qa.questionlog import AskedQuestion
from qa.vectors import Embed, VectorCache

GROUP_SIMILARITY = 0.93
VECTOR_CACHE = 4096


@dataclass(frozen=True)
class QuestionGroup:
    questions: list[AskedQuestion]  # the founder first, then by count

    @property
    def count(self) -> int:
        return sum(q.count for q in self.questions)

    @property
    def last_asked(self) -> str:
        return max(q.last_asked for q in self.questions)

    @property
    def reasons(self) -> list[str]:
        return sorted({r for q in self.questions for r in q.reasons})


class MeaningGrouper:
    def __init__(self, embed: Embed, similarity: float = GROUP_SIMILARITY) -> None:
        self.vectors = VectorCache(embed, VECTOR_CACHE)
        self.similarity = similarity

    def group(self, questions: Sequence[AskedQuestion]) -> list[QuestionGroup]:
        # The founder is what staff see first and curate from: among the most asked,
        # one free of masked personal data, and the shortest wording.
        ordered = sorted(
            questions, key=lambda q: (-q.count, holds_mask(q.question), len(q.question), q.question)
        )
        if not ordered:
            return []
        vectors = unit_rows(self.vectors([q.question for q in ordered]))
        founders: list[int] = []
        members: dict[int, list[AskedQuestion]] = {}
        for i, question in enumerate(ordered):
            home = next(
                (f for f in founders if float(vectors[f] @ vectors[i]) >= self.similarity), None
            )
            if home is None:
                founders.append(i)
                members[i] = [question]
            else:
                members[home].append(question)
        groups = [QuestionGroup(members[f]) for f in founders]
        return sorted(groups, key=lambda g: (g.count, g.last_asked), reverse=True)
