"""The public JSON shapes (DESIGN.md "Contracts"): citations and search results."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from corpus.models import DocumentMeta, ValidityStatus
from corpus.validity import status_on
from qa.retrieval import ScoredChunk


class Validity(BaseModel):
    """Whether the cited document is in force today (corpus/validity.py), and what
    replaced it when it is not (corpus/versions.py for versions)."""

    status: ValidityStatus = Field(
        description="in_force, expired, repealed, draft, not_yet or superseded"
    )
    effective_from: str | None = Field(None, description="施行日期, YYYY-MM-DD")
    expires_on: str | None = Field(None, description="有效期至, YYYY-MM-DD")
    repealed_by: str | None = Field(None, description="The loaded document that repealed it")
    version: int = Field(1, description="The document's version number")
    superseded_on: str | None = Field(
        None, description="For an earlier version: the day the next one took over"
    )
    replaced_by: str | None = Field(
        None, description="The document that repealed it, or its current version"
    )
    replaced_by_title: str | None = None

    @classmethod
    def of(
        cls,
        meta: DocumentMeta,
        repealed_by: str | None = None,
        successor: DocumentMeta | None = None,
    ) -> Validity:
        by = meta.repealed_by or repealed_by
        repealed_on = successor.effective_from if successor and by else None
        return cls(
            status=status_on(meta, date.today(), by, repealed_on),
            effective_from=meta.effective_from,
            expires_on=meta.expires_on,
            repealed_by=by,
            version=meta.version,
            superseded_on=meta.superseded_on,
            replaced_by=successor.doc_id if successor else None,
            replaced_by_title=successor.title if successor else None,
        )


class Citation(BaseModel):
    doc_id: str
    title: str
    section: str = Field(description="Section path, outermost first, joined by ' > '")
    text: str = Field(description="Verbatim: source_text[start:end] == text")
    start: int
    end: int
    score: float
    context: str | None = Field(None, description="Table header a row is read against")
    unit: str | None = Field(None, description="The unit answering for a knowledge-base entry")
    validity: Validity | None = Field(None, description="Whether its document is in force")

    @classmethod
    def from_scored(
        cls, hit: ScoredChunk, meta: DocumentMeta, validity: Validity | None = None
    ) -> Citation:
        chunk = hit.chunk
        return cls(
            doc_id=chunk.doc_id,
            title=meta.title,
            section=chunk.section.display() or meta.title,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            score=hit.score,
            context=chunk.context,
            unit=meta.unit,
            validity=validity or Validity.of(meta),
        )


class PassageExplanation(BaseModel):
    rank: int = Field(description="Rank shown, after the reranker (from 1)")
    fused_rank: int = Field(description="Rank after fusing BM25 and dense, before reranking")
    bm25_rank: int | None = Field(None, description="Rank by BM25 alone, within the pool")
    dense_rank: int | None = Field(None, description="Rank by the embedding alone, within the pool")
    bm25_score: float | None = Field(None, description="BM25 score (None: not reported)")
    dense_score: float | None = Field(None, description="Cosine similarity to the question")
    matched_terms: list[str] = Field(description="Query terms the passage holds")
    matched_spans: list[tuple[int, int]] = Field(description="Where they are in the text")


class AnswerExplanation(BaseModel):
    question_kind: str = Field(description="What the question asks for, as the parser read it")
    keywords: list[str]
    rule: str = Field(
        description="What produced the answer (curated, a table cell, a sentence rule, an "
        "excerpt) or refused:<reason>"
    )
    answer: str | None
    answer_kind: str | None
    refused: bool
    reason: str | None
    curated: bool = False


class SearchExplanation(BaseModel):
    query_terms: list[str]
    passages: list[PassageExplanation] = Field(description="One per result, in order")
    answer: AnswerExplanation


class SearchResponse(BaseModel):
    query: str
    results: list[Citation]
    latency_ms: float | None = None
    explain: SearchExplanation | None = Field(
        None, description="With explain: scores and ranks per result, and the answer's rule"
    )


class Highlight(BaseModel):
    """Where to mark the first citation's `text`: offsets into it, so a reader can mark
    them in any script without matching strings (the widget converts text for display)."""

    sentence: tuple[int, int] | None = Field(None, description="The supporting sentence")
    answer: tuple[int, int] | None = Field(None, description="The answer as the source says it")


class AnswerPart(BaseModel):
    """One part of a two-part question's answer, with the passage that supports it."""

    answer: str = Field(max_length=400)  # 80 for a short kind, 400 for an excerpt
    sentence: str
    citation: Citation


# What an answer is: a short span (a figure with its unit, a name or place, a date, the
# items of a list) or the source's own excerpt (steps, a list, a passage) of up to 400.
AnswerKind = Literal["figure", "entity", "date", "list", "steps", "passage"]


class OutOfForce(BaseModel):
    """The document that alone states an answer but is not in force on the day asked
    about: named with a not_in_force refusal, not cited."""

    doc_id: str
    title: str
    section: str
    validity: Validity


class CuratedMark(BaseModel):
    """On an answer from a curated entry (问答对): which, by whom, since when."""

    id: int
    author: str
    created_at: str
    statement: bool = Field(description="The author's statement, not a quotation of the passage")


class AnswerResponse(BaseModel):
    """The answer contract of DESIGN.md: `qa ask --json` and `POST /v1/ask`."""

    question: str
    # Short kinds at most 80 characters (a two-part answer joins its parts with "；");
    # steps, list and passage excerpts at most 400.
    answer: str | None = Field(None, max_length=400)
    answer_kind: AnswerKind | None = Field(None, description="null when refused")
    refused: bool
    reason: str | None = None
    sentence: str | None = None
    citations: list[Citation]
    latency_ms: float
    highlight: Highlight | None = Field(None, description="Spans in citations[0].text")
    answer_parts: list[AnswerPart] | None = Field(
        None, description="A question with two asks: each part, cited on its own"
    )
    understood_as: str | None = Field(
        None,
        description="The standalone question answered: the question itself unless a "
        "follow-up took something from the history",
    )
    not_in_force: OutOfForce | None = Field(
        None,
        description="With reason not_in_force: the document that states it, and why it "
        "does not answer (its validity, what replaced it)",
    )
    carried: list[str] = Field(
        default_factory=list,
        description="Slots taken from the history: document, year, subject, ask",
    )
    curated: bool = Field(False, description="The answer is a curated entry staff wrote")
    curated_entry: CuratedMark | None = Field(
        None, description="With curated: the entry, its author and date"
    )
