"""Reranking the fused candidates: a logistic model over features computed without a
model (coverage of the question's words in the passage and its section path, year match,
a quantity present where one is asked, table header match, page-furniture score, the two
retrievers' ranks), fitted on development questions by `python -m eval.fit_reranker` and
stored in `qa/resources/reranker.json`.

Only the hybrid mode is reranked: `bm25` and `dense` stay the plain retrievers they are
compared as.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from corpus.models import Chunk
from corpus.normalize import fold
from index.backend import ScoredChunk
from index.tokenize import Tokenizer
from qa.extract.passages import content_pairs, cover, focus
from qa.linear import RESOURCES, LogisticModel, load_model
from qa.quantities import figures
from qa.question import QuestionKind, classify, content_words, years_in

POOL = 20  # fused candidates reranked; below it recall barely grows (measured: 0.96 at 20)
FEATURES: tuple[str, ...] = (
    "fused_score",  # the fusion's own score, scaled to [0, 1]
    "fused_rank",  # place in the fused list, over the pool
    "bm25_recip",  # 1 / (1 + BM25 rank), 0 if BM25 did not return it
    "dense_recip",  # the same for the embedder
    "text_focus",  # share of the question's keyword characters the passage states
    "heading_focus",  # the same for its section path
    "pair_cover",  # share of the question's character pairs in passage and heading
    "year_match",  # 1 asked year present, -1 only other years present, 0 no year asked
    "quantity_fit",  # a quantity is asked and the passage holds one (or not asked: 0)
    "table_row",  # the passage is a table row
    "table_focus",  # keyword share in a table row's header and title
    "furniture",  # share of the passage's lines that are short menu-like runs
    "length",  # characters, over 300
)
SHIPPED = RESOURCES / "reranker.json"
# Passages answering a stored question (a knowledge-base entry, a 问/答 pair) are ranked by
# a model of their own, fitted with the entry as the label: the passage model, fitted on
# policy passages, ranks the sibling entries of one subject worse than plain fusion does
# (kb-dev first document 0.73 against 0.77 unreranked).
ENTRY_FEATURES: tuple[str, ...] = (*FEATURES, "intent_agreement")
SHIPPED_ENTRIES = RESOURCES / "entry_reranker.json"


@dataclass(frozen=True)
class Query:
    """What the features need from the question, read once per search."""

    keywords: tuple[str, ...]
    pairs: frozenset[str]
    years: frozenset[str]
    asks_quantity: bool

    @classmethod
    def read(cls, text: str, tokenizer: Tokenizer) -> Query:
        return cls(
            keywords=content_words(tokenizer, text),
            pairs=content_pairs(text),
            years=frozenset(years_in(text)),
            asks_quantity=classify(text) == QuestionKind.QUANTITY,
        )


def furniture(text: str) -> float:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return sum(1 for line in lines if len(line) <= 6) / len(lines) if lines else 0.0


def year_match(years: frozenset[str], text: str) -> float:
    if not years:
        return 0.0
    own = years_in(text)
    return 1.0 if own & years else (-1.0 if own else 0.0)


def candidate_features(query: Query, hit: ScoredChunk, rank: int) -> list[float]:
    chunk: Chunk = hit.chunk
    heading = chunk.section.display()
    context = " ".join([heading, chunk.context or "", chunk.text])
    table = chunk.table
    header = " ".join([table.title or "", *table.header]) if table else ""
    return [
        hit.score,
        rank / POOL,
        1 / (1 + hit.bm25_rank) if hit.bm25_rank is not None else 0.0,
        1 / (1 + hit.dense_rank) if hit.dense_rank is not None else 0.0,
        focus(query.keywords, chunk.text),
        focus(query.keywords, heading),
        cover(query.pairs, context),
        year_match(query.years, context),
        float(bool(figures(chunk.text))) if query.asks_quantity else 0.0,
        float(table is not None),
        focus(query.keywords, header) if table else 0.0,
        furniture(chunk.text),
        min(2.0, len(chunk.text) / 300),
    ]


class Reranker:
    def __init__(
        self, model: LogisticModel, tokenizer: Tokenizer, entries: LogisticModel | None = None
    ) -> None:
        self.model = model
        self.entries = entries
        self.tokenizer = tokenizer

    def rerank(self, text: str, hits: Sequence[ScoredChunk]) -> list[ScoredChunk]:
        """The candidates, best first by the model; ties keep the fused order. `score`
        becomes the model's probability that the passage at that place holds the answer,
        so scores still fall with rank. A backend that does not report each retriever's
        ranks (Milvus fuses inside the server) is left in its own order: the models were
        fitted with them."""
        if not any(h.bm25_rank is not None or h.dense_rank is not None for h in hits):
            return list(hits)
        query = Query.read(text, self.tokenizer)
        intent = asked_intent(text)
        rows = [candidate_features(query, hit, rank) for rank, hit in enumerate(hits)]
        scored = sorted(
            (
                (
                    self.model.confidence(row)
                    + INTENT_WEIGHT * intent_agreement(intent, hits[rank].chunk),
                    rank,
                )
                for rank, row in enumerate(rows)
            ),
            key=lambda s: (-s[0], s[1]),
        )
        order = [rank for _, rank in scored]
        if self.entries is not None:
            order = self.entries_reordered(intent, hits, rows, order)
        # The intent's edge may lift a probability past 1; a score stays within it.
        return [
            replace(hits[r], score=round(min(1.0, p), 4) or 1e-4)
            for r, (p, _) in zip(order, scored, strict=True)
        ]

    def entries_reordered(
        self,
        intent: str | None,
        hits: Sequence[ScoredChunk],
        rows: Sequence[list[float]],
        order: list[int],
    ) -> list[int]:
        """`order` with knowledge-base entries reordered, among the places their passages
        hold, by the entry model: the passage model still decides where entries stand
        among policy passages and which of one entry's passages comes first, the entry
        model (fitted with entries as labels) which entry comes first."""
        assert self.entries is not None
        places = [i for i, r in enumerate(order) if hits[r].chunk.section.in_entry]
        by_entry: dict[str, list[int]] = {}
        for i in places:
            by_entry.setdefault(hits[order[i]].chunk.doc_id, []).append(order[i])
        best = {
            doc_id: max(
                self.entries.logit([*rows[r], intent_agreement(intent, hits[r].chunk)])
                for r in ranks
            )
            for doc_id, ranks in by_entry.items()
        }
        ranked = [
            r for doc_id in sorted(by_entry, key=lambda d: -best[d]) for r in by_entry[doc_id]
        ]
        reordered = list(order)
        for place, r in zip(places, ranked, strict=True):
            reordered[place] = r
        return reordered


# What a question asks for, read off its asking words; a knowledge base keeps one entry
# per ask (失业保险金能领多少 / 能领多久 / 要什么材料 / 怎么申领), so among entries on one
# subject the one whose own question asks the same thing is the answer. First match wins.
INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("materials", r"材料|证件|资料|证明|带什么|带啥|带哪些|提供什么|提交什么"),
        ("conditions", r"条件|资格|哪些人|什么人|哪类人|符合|对象"),
        ("amount", r"多少钱|金额|多少元|费用|收费|标准是多少|能领多少|发多少|补多少|贴多少|利率"),
        ("duration", r"多久|多长时间|期限|几年|几个月|几天|时限|有效期|最长"),
        ("when", r"什么时候|何时|几号|哪天|哪一天|时间"),
        ("where", r"在哪|哪里|去哪|地点|地址|窗口|网点|银行|渠道"),
        ("procedure", r"怎么|如何|怎样|咋|流程|步骤|程序|手续|途径|方式"),
        ("whether", r"能不能|可不可以|是否|可以吗|能吗|吗[？?]?$"),
    )
)
INTENT_WEIGHT = 0.08  # beside a probability: decides between answers to stored questions


@lru_cache(maxsize=4096)  # stored questions recur in every search that retrieves them
def asked_intent(text: str) -> str | None:
    folded = fold(text)
    return next((name for name, pattern in INTENTS if pattern.search(folded)), None)


def intent_agreement(intent: str | None, chunk: Chunk) -> float:
    """1 when the passage answers a stored question asking the same (多少钱 / 能领多少),
    else 0: a stored question worded otherwise may still be the answer, so none is
    pushed down."""
    asked = chunk.section.asked
    return 1.0 if asked and intent and asked_intent(asked) == intent else 0.0


def load_reranker(
    tokenizer: Tokenizer, path: Path | None = None, entries: Path | None = None
) -> Reranker | None:
    model = load_model(path or SHIPPED, FEATURES)
    entry_path = entries or SHIPPED_ENTRIES
    entry_model = load_model(entry_path, ENTRY_FEATURES) if entry_path.exists() else None
    return Reranker(model, tokenizer, entry_model) if model else None


__all__ = [
    "ENTRY_FEATURES",
    "FEATURES",
    "POOL",
    "Query",
    "Reranker",
    "candidate_features",
    "load_reranker",
]
